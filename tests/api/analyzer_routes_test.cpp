// /api/v1/analyzer/* and /metrics through a fake facade: shapes, validation, error mapping.
#include <gtest/gtest.h>

#include "analyzer/prometheus.h"
#include "api/facade.h"
#include "api/routes_analyzer.h"

namespace pscope::api {
namespace {

analyzer::Flow make_flow(const std::string& key, double bps, uint64_t drops, uint64_t lat) {
  analyzer::Flow f;
  f.key = key;
  f.protocol = "tcp";
  f.rx.bps = bps;
  f.drops = drops;
  f.latency_avg_ns = lat;
  return f;
}

class FakeAnalyzer : public AnalyzerFacade {
 public:
  bool up = true;
  mutable SeriesQuery last;
  mutable int series_calls = 0;

  Result<analyzer::Snapshot> analyzer_snapshot() const override {
    if (!up) return fail("the analyzer is disabled (analyzer_enabled=false)");
    analyzer::Snapshot s;
    s.wall_ns = 1763900000000000000LL;
    s.volume[0][0].packets = 10;
    analyzer::LayerPair p;
    p.latency.buckets[3] = 7;
    s.pairs.push_back(p);
    s.flows = {make_flow("1/tcp/10.0.0.1:1-10.0.0.2:2", 100, 0, 5), make_flow("1/udp/10.0.0.1:3-10.0.0.2:4", 50, 9, 1),
               make_flow("1/tcp/[fd00::1]:5-[fd00::2]:6", 10, 1, 99)};
    return s;
  }
  Result<store::AnalyzerSeriesResult> analyzer_series(const SeriesQuery& q) const override {
    last = q;
    ++series_calls;
    if (q.metric == "volume.bogus") return tl::unexpected(Error{kBadInput, "unknown metric 'volume.bogus'"});
    if (q.metric == "broken") return fail("database is locked");
    return store::AnalyzerSeriesResult{1, {{1000, 1.5}, {2000, 2.5}}};
  }
  Result<std::vector<std::string>> analyzer_metrics() const override {
    return std::vector<std::string>{"volume.link.rx.bps"};
  }
  Result<std::string> prometheus_text() const override {
    if (!up) return fail("the analyzer is disabled (analyzer_enabled=false)");
    return std::string("# HELP x y\n# TYPE x gauge\nx 1\n");
  }
};

class AnalyzerRoutesTest : public ::testing::Test {
 protected:
  AnalyzerRoutesTest() { register_analyzer_routes(router_, fake_); }
  Response get(const std::string& target) {
    Request req;
    req.method = "GET";
    auto q = target.find('?');
    req.path = url_decode(target.substr(0, q), false);
    if (q != std::string::npos) req.query = parse_query(target.substr(q + 1));
    return router_.dispatch(req);
  }
  nlohmann::json body(const Response& r) { return nlohmann::json::parse(r.body); }
  FakeAnalyzer fake_;
  Router router_;
};

TEST_F(AnalyzerRoutesTest, SnapshotTopAndBuckets) {
  auto r = get("/api/v1/analyzer/snapshot");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["volume"]["link"]["rx"]["packets"], 10);
  EXPECT_EQ(j["flows"].size(), 3u);
  EXPECT_FALSE(j["pairs"][0]["latency"].contains("buckets"));
  j = body(get("/api/v1/analyzer/snapshot?top=1&buckets=1"));
  EXPECT_EQ(j["flows"].size(), 1u);
  EXPECT_EQ(j["pairs"][0]["latency"]["buckets"][3], 7);
  EXPECT_EQ(get("/api/v1/analyzer/snapshot?top=201").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/snapshot?top=x").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/snapshot?buckets=2").status, 400);
}

TEST_F(AnalyzerRoutesTest, DisabledAnalyzerIs503WithTheReason) {
  fake_.up = false;
  for (const char* path : {"/api/v1/analyzer/snapshot", "/api/v1/analyzer/flows", "/metrics",
                           "/api/v1/analyzer/flows/1%2Ftcp%2F10.0.0.1:1-10.0.0.2:2"}) {
    auto r = get(path);
    EXPECT_EQ(r.status, 503) << path;
    EXPECT_EQ(body(r)["error"]["code"], "analyzer_unavailable");
    EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("analyzer_enabled=false"), std::string::npos);
  }
}

TEST_F(AnalyzerRoutesTest, SeriesValidatesAndAnswers) {
  auto r = get("/api/v1/analyzer/series?metric=volume.link.rx.bps&from=1000&to=5000");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["metric"], "volume.link.rx.bps");
  EXPECT_EQ(j["resolution_s"], 1);
  EXPECT_EQ(j["points"], nlohmann::json::parse("[[1000,1.5],[2000,2.5]]"));
  EXPECT_EQ(fake_.last.from_ms, 1000);
  EXPECT_EQ(fake_.last.to_ms, 5000);
  EXPECT_EQ(fake_.last.flow, "");

  ASSERT_EQ(get("/api/v1/analyzer/series?metric=flow.rx.bps&flow=1%2Ftcp%2Fa").status, 200);
  EXPECT_EQ(fake_.last.flow, "1/tcp/a");
  EXPECT_EQ(fake_.last.to_ms - fake_.last.from_ms, 5 * 60 * 1000) << "default range: the last 5 minutes";

  EXPECT_EQ(get("/api/v1/analyzer/series").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/series?metric=volume.link.rx.bps&from=5&to=4").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/series?metric=volume.link.rx.bps&from=-1").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/series?metric=volume.link.rx.bps&to=soon").status, 400);
  auto bad = get("/api/v1/analyzer/series?metric=volume.bogus");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body(bad)["error"]["message"], "unknown metric 'volume.bogus'");
  EXPECT_EQ(get("/api/v1/analyzer/series?metric=broken").status, 500);
}

TEST_F(AnalyzerRoutesTest, MetricsList) {
  EXPECT_EQ(body(get("/api/v1/analyzer/metrics"))["items"][0], "volume.link.rx.bps");
}

TEST_F(AnalyzerRoutesTest, FlowsSortAndLimit) {
  auto keys = [&](const std::string& q) {
    std::vector<std::string> out;
    auto j = body(get("/api/v1/analyzer/flows" + q));  // kept alive: the loop walks into it
    for (const auto& f : j["items"]) out.push_back(f["key"]);
    return out;
  };
  EXPECT_EQ(keys(""), (std::vector<std::string>{"1/tcp/10.0.0.1:1-10.0.0.2:2", "1/udp/10.0.0.1:3-10.0.0.2:4",
                                                "1/tcp/[fd00::1]:5-[fd00::2]:6"}));
  EXPECT_EQ(keys("?sort=loss&limit=1"), (std::vector<std::string>{"1/udp/10.0.0.1:3-10.0.0.2:4"}));
  EXPECT_EQ(keys("?sort=latency&limit=1"), (std::vector<std::string>{"1/tcp/[fd00::1]:5-[fd00::2]:6"}));
  EXPECT_EQ(get("/api/v1/analyzer/flows?sort=name").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/flows?limit=0").status, 400);
  EXPECT_EQ(get("/api/v1/analyzer/flows?limit=201").status, 400);
}

TEST_F(AnalyzerRoutesTest, OneFlowWithItsSeries) {
  auto r = get("/api/v1/analyzer/flows/1%2Ftcp%2F%5Bfd00%3A%3A1%5D%3A5-%5Bfd00%3A%3A2%5D%3A6");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["flow"]["key"], "1/tcp/[fd00::1]:5-[fd00::2]:6");
  for (const char* s : {"rx_bps", "tx_bps", "srtt_us"}) EXPECT_EQ(j["series"][s].size(), 2u) << s;
  EXPECT_EQ(fake_.last.flow, "1/tcp/[fd00::1]:5-[fd00::2]:6");
  EXPECT_EQ(get("/api/v1/analyzer/flows/1%2Ftcp%2Fnope").status, 404);
  EXPECT_EQ(get("/api/v1/analyzer/flows/nope").status, 404);
}

TEST_F(AnalyzerRoutesTest, MetricsEndpointIsPrometheusText) {
  auto r = get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, analyzer::kPrometheusContentType);
  EXPECT_EQ(r.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_EQ(r.body, "# HELP x y\n# TYPE x gauge\nx 1\n");
}

}  // namespace
}  // namespace pscope::api
