// /api/v1 routes driven through a fake facade: JSON shapes, validation and error mapping.
#include <gtest/gtest.h>

#include "api/routes.h"

namespace pscope::api {
namespace {

class FakeFacade : public Facade {
 public:
  HealthInfo health() const override {
    HealthInfo h;
    h.version = "9.9.9";
    h.features = {{"tp_btf", true, "ok"}, {"kprobe", false, "no PMU"}};
    h.modules = {{"tracer", tracer_state, "detail"}};
    return h;
  }
  nlohmann::json config() const override { return {{"listen", "127.0.0.1:1"}}; }
  Result<tracer::TracerStats> tracer_stats() const override {
    if (!tracer_up) return fail("tracer is not running");
    tracer::TracerStats s;
    s.packets_rx = 10;
    s.drops = 2;
    return s;
  }
  Result<std::vector<DropItem>> recent_drops(int limit, std::optional<int64_t> before_id) const override {
    last_limit = limit;
    last_before = before_id;
    std::vector<DropItem> out;
    for (int i = 0; i < std::min(limit, 3); ++i)
      out.push_back({100 - i, 1700000000000000000LL, "NO_SOCKET", "__udp4_lib_rcv+0x1", 1, 4026531840ULL, "udp",
                     "10.0.0.1", "10.0.0.2"});
    return out;
  }
  bool tracer_up = true;
  ModuleState tracer_state = ModuleState::kRunning;
  mutable int last_limit = 0;
  mutable std::optional<int64_t> last_before;
};

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() { register_routes(router_, facade_); }
  std::pair<int, nlohmann::json> get(const std::string& path, std::map<std::string, std::string> q = {}) {
    Request r;
    r.method = "GET";
    r.path = path;
    r.query = std::move(q);
    auto resp = router_.dispatch(r);
    return {resp.status, nlohmann::json::parse(resp.body)};
  }
  FakeFacade facade_;
  Router router_;
};

TEST_F(RoutesTest, HealthReportsFeaturesAndModules) {
  auto [status, j] = get("/api/v1/health");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["version"], "9.9.9");
  EXPECT_EQ(j["features"][1]["name"], "kprobe");
  EXPECT_EQ(j["features"][1]["available"], false);
  EXPECT_EQ(j["modules"][0]["state"], "running");
  facade_.tracer_state = ModuleState::kFailed;
  EXPECT_EQ(get("/api/v1/health").second["status"], "degraded");
}

TEST_F(RoutesTest, TracerStatsAndUnavailableTracer) {
  auto [status, j] = get("/api/v1/tracer/stats");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["packets_rx"], 10);
  facade_.tracer_up = false;
  auto [s2, j2] = get("/api/v1/tracer/stats");
  EXPECT_EQ(s2, 503);
  EXPECT_EQ(j2["error"]["code"], "tracer_unavailable");
}

TEST_F(RoutesTest, DropsPagingAndValidation) {
  auto [status, j] = get("/api/v1/tracer/drops", {{"limit", "3"}, {"before_id", "500"}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(facade_.last_limit, 3);
  EXPECT_EQ(facade_.last_before, 500);
  ASSERT_EQ(j["items"].size(), 3u);
  EXPECT_EQ(j["items"][0]["reason"], "NO_SOCKET");
  EXPECT_EQ(j["items"][0]["time"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(j["next_before_id"], 98);

  auto [s2, j2] = get("/api/v1/tracer/drops");
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(facade_.last_limit, 50);
  EXPECT_FALSE(facade_.last_before.has_value());
  EXPECT_FALSE(j2.contains("next_before_id"));

  for (auto bad : {std::map<std::string, std::string>{{"limit", "0"}}, {{"limit", "1001"}}, {{"limit", "x"}},
                   {{"before_id", "-5"}}}) {
    auto [s3, j3] = get("/api/v1/tracer/drops", bad);
    EXPECT_EQ(s3, 400);
    EXPECT_EQ(j3["error"]["code"], "bad_request");
  }
}

}  // namespace
}  // namespace pscope::api
