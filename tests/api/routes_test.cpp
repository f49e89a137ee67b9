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
  Result<std::vector<store::PathRow>> recent_paths(const PathListQuery& q) const override {
    last_paths = q;
    if (q.filter == "bogus") return tl::unexpected(Error{kBadInput, "filter: column 1: unknown word 'bogus'"});
    if (q.filter == "broken-db") return fail("database is locked");
    std::vector<store::PathRow> out;
    for (int i = 0; i < std::min(q.limit, 2); ++i) {
      store::PathRow r;
      r.id = 40 - i;
      r.ts_ns = 1700000000000000000LL;
      r.direction = "rx";
      r.protocol = "tcp";
      r.src = "10.0.0.1";
      r.dst = "10.0.0.2";
      r.sport = 1234;
      r.dport = 80;
      r.hops = 7;
      r.dropped = i == 1;
      r.reason = "TCP_INVALID_SEQUENCE";
      out.push_back(r);
    }
    return out;
  }
  Result<std::optional<store::PathRow>> path(int64_t id) const override {
    if (id == 7) {
      store::PathRow r;
      r.id = 7;
      r.detail = R"({"hops":[{"hook":"netif_receive_skb"}]})";
      return std::optional<store::PathRow>(r);
    }
    if (id == 8) {
      store::PathRow r;
      r.id = 8;
      r.detail = "{not json";
      return std::optional<store::PathRow>(r);
    }
    return std::optional<store::PathRow>();
  }
  Result<nlohmann::json> sockets(const std::string& proto) const override {
    last_proto = proto;
    if (!sockets_up) return fail("netlink: Permission denied");
    return nlohmann::json::array({{{"proto", "tcp"}, {"local_port", 22}}});
  }
  Result<nlohmann::json> socket_events(int limit) const override {
    last_events_limit = limit;
    if (!tracer_up) return fail("the tracer is disabled (tracer_enabled=false)");
    nlohmann::json out = nlohmann::json::array();
    for (int i = 0; i < std::min(limit, 2); ++i)  // newest first, as the daemon answers
      out.push_back({{"id", 9 - i}, {"proto", "tcp"}, {"old_state", "SYN_SENT"}, {"new_state", "ESTABLISHED"}});
    return out;
  }
  bool tracer_up = true;
  bool sockets_up = true;
  mutable int last_events_limit = 0;
  mutable PathListQuery last_paths;
  mutable std::string last_proto;
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

TEST_F(RoutesTest, PacketsListPassesFilterSocketAndPaging) {
  auto [status, j] =
      get("/api/v1/tracer/packets", {{"limit", "2"}, {"before_id", "99"}, {"filter", "tcp"}, {"socket", "0x1f"}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(facade_.last_paths.limit, 2);
  EXPECT_EQ(facade_.last_paths.before_id, 99);
  EXPECT_EQ(facade_.last_paths.filter, "tcp");
  EXPECT_EQ(facade_.last_paths.socket, 31u);
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["id"], 40);
  EXPECT_EQ(j["items"][0]["reason"], nullptr);  // not dropped: no reason shown
  EXPECT_EQ(j["items"][1]["reason"], "TCP_INVALID_SEQUENCE");
  EXPECT_EQ(j["next_before_id"], 39);

  EXPECT_EQ(get("/api/v1/tracer/packets", {{"socket", "12345"}}).first, 200);
  EXPECT_EQ(facade_.last_paths.socket, 12345u);
  EXPECT_FALSE(get("/api/v1/tracer/packets").second.contains("next_before_id"));
}

TEST_F(RoutesTest, PacketsListRejectsBadInputClearly) {
  auto [s1, j1] = get("/api/v1/tracer/packets", {{"filter", "bogus"}});
  EXPECT_EQ(s1, 400);
  EXPECT_EQ(j1["error"]["code"], "bad_filter");
  EXPECT_NE(j1["error"]["message"].get<std::string>().find("column 1"), std::string::npos);
  EXPECT_EQ(get("/api/v1/tracer/packets", {{"filter", std::string(1025, 'x')}}).first, 400);
  EXPECT_EQ(get("/api/v1/tracer/packets", {{"filter", "broken-db"}}).first, 500);
  for (auto bad : {std::map<std::string, std::string>{{"socket", "abc"}}, {{"socket", "0x"}}, {{"socket", ""}},
                   {{"socket", "-1"}}, {{"socket", "99999999999999999999999"}}, {{"limit", "0"}},
                   {{"before_id", "0"}}}) {
    auto [s, j] = get("/api/v1/tracer/packets", bad);
    EXPECT_EQ(s, 400) << bad.begin()->first << "=" << bad.begin()->second;
    EXPECT_EQ(j["error"]["code"], "bad_request");
  }
}

TEST_F(RoutesTest, OnePacketFoundMissingOrUnreadable) {
  auto [s1, j1] = get("/api/v1/tracer/packets/7");
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(j1["id"], 7);
  EXPECT_EQ(j1["hops"][0]["hook"], "netif_receive_skb");
  EXPECT_EQ(get("/api/v1/tracer/packets/9").first, 404);
  EXPECT_EQ(get("/api/v1/tracer/packets/8").first, 500);
  for (auto bad : {"0", "-3", "x", "7x", "99999999999999999999"}) {
    EXPECT_EQ(get(std::string("/api/v1/tracer/packets/") + bad).first, 400) << bad;
  }
}

TEST_F(RoutesTest, SocketsByProtocol) {
  auto [s1, j1] = get("/api/v1/sockets", {{"proto", "tcp"}});
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(facade_.last_proto, "tcp");
  EXPECT_EQ(j1["total"], 1);
  EXPECT_EQ(j1["items"][0]["local_port"], 22);
  EXPECT_EQ(get("/api/v1/sockets", {{"proto", "sctp"}}).first, 400);
  facade_.sockets_up = false;
  auto [s2, j2] = get("/api/v1/sockets");
  EXPECT_EQ(s2, 503);
  EXPECT_EQ(j2["error"]["code"], "sockets_unavailable");
}

TEST_F(RoutesTest, SocketEventsNewestFirstWithLimit) {
  auto [s1, j1] = get("/api/v1/sockets/events");
  EXPECT_EQ(s1, 200);
  EXPECT_EQ(facade_.last_events_limit, 100);
  ASSERT_EQ(j1["items"].size(), 2u);
  EXPECT_EQ(j1["items"][0]["id"], 9);
  EXPECT_EQ(j1["items"][1]["id"], 8);
  EXPECT_EQ(j1["items"][0]["new_state"], "ESTABLISHED");
  auto [s2, j2] = get("/api/v1/sockets/events", {{"limit", "1"}});
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(facade_.last_events_limit, 1);
  EXPECT_EQ(j2["items"].size(), 1u);
  EXPECT_EQ(get("/api/v1/sockets/events", {{"limit", "1000"}}).first, 200);
  EXPECT_EQ(facade_.last_events_limit, 1000);
  for (auto bad : {"0", "1001", "-1", "ten", ""}) {
    auto [s, j] = get("/api/v1/sockets/events", {{"limit", bad}});
    EXPECT_EQ(s, 400) << bad;
    EXPECT_EQ(j["error"]["code"], "bad_request");
  }
  // The socket table route is unaffected by the longer path.
  EXPECT_EQ(get("/api/v1/sockets").second["items"][0]["local_port"], 22);
  facade_.tracer_up = false;
  auto [s3, j3] = get("/api/v1/sockets/events");
  EXPECT_EQ(s3, 503);
  EXPECT_EQ(j3["error"]["code"], "tracer_unavailable");
}

}  // namespace
}  // namespace pscope::api
