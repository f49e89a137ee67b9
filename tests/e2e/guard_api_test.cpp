// The Guarder through the real daemon's API and CLI: nothing attached by default, attach to a
// test veth, a drop rule stops pings and counts them, safety refusals, disable/delete, audit,
// rules persist and keep enforcing across a restart, and `guard detach` removes everything.
// Traffic runs only between a test namespace and the root end of its own veth pair.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <optional>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

constexpr const char* kAttacker = "10.231.0.2";

class GuardApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: loads XDP programs and creates namespaces";
    dir_ = temp_dir("guardapi");
    topo_ = std::make_unique<Topology>("gapi");
    topo_->add_host("attacker");
    root_if_ = topo_->link_root("attacker", std::string(kAttacker) + "/24", "10.231.0.1/24");
    // The tracer and analyzer are not under test here; without them the daemon starts faster.
    daemon_ = std::make_unique<Daemon>(dir_, std::vector<std::string>{"--analyzer-enabled", "false"});
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }
  void TearDown() override {
    daemon_.reset();  // removes its pin dir: nothing stays attached
    topo_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool ping_ok() { return topo_->exec("attacker", "ping -c 2 -i 0.2 -W 1 -q 10.231.0.1").status == 0; }
  nlohmann::json add(const std::string& body, long want = 201) {
    auto r = daemon_->send("POST", "/api/v1/guard/rules", body);
    EXPECT_EQ(r.status, want) << r.body;
    return r.json();
  }
  CmdResult cli(const std::string& args) {
    return sh(std::string(PS_BINARY) + " guard --api http://127.0.0.1:" + std::to_string(daemon_->port()) +
              " --data-dir " + dir_ + "/data " + args);
  }
  std::string dir_;
  std::string root_if_;
  std::unique_ptr<Topology> topo_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(GuardApiTest, AttachDropCountDisableAndAudit) {
  auto h = daemon_->get("/api/v1/health").json();
  std::map<std::string, std::string> modules;
  for (const auto& m : h["modules"]) modules[m["name"]] = m["state"];
  EXPECT_EQ(modules["guarder"], "running") << h.dump();
  auto ifs = daemon_->get("/api/v1/guard/interfaces").json();
  EXPECT_TRUE(ifs["items"].empty()) << "the Guarder must never attach by default: " << ifs.dump();

  auto att = daemon_->send("POST", "/api/v1/guard/interfaces", nlohmann::json{{"ifname", root_if_}}.dump());
  ASSERT_EQ(att.status, 200) << att.body;
  EXPECT_EQ(att.json()["mode"], "native") << "veth has native XDP";
  ASSERT_TRUE(ping_ok());

  // Safety: dropping everything, or the API caller's own address, needs force.
  auto all = daemon_->send("POST", "/api/v1/guard/rules", R"({"action":"drop"})");
  EXPECT_EQ(all.status, 409) << all.body;
  EXPECT_EQ(all.json()["error"]["code"], "unsafe_rule");
  EXPECT_EQ(daemon_->send("POST", "/api/v1/guard/rules", R"({"action":"drop","match":{"src":"127.0.0.1"}})").status, 409);

  auto rule = add(R"({"action":"drop","match":{"src":"10.231.0.2","protocol":"icmp"},"comment":"e2e"})");
  int id = rule["id"];
  EXPECT_EQ(rule["created_by"], "api:127.0.0.1");
  EXPECT_FALSE(ping_ok()) << "the drop rule must stop the pings";
  auto counters = daemon_->get("/api/v1/guard/counters").json();
  EXPECT_GE(counters["items"][std::to_string(id)]["packets"].get<int>(), 2) << counters.dump();
  auto stats = daemon_->get("/api/v1/guard/stats").json();
  EXPECT_GE(stats["dropped"].get<int>(), 2) << stats.dump();
  EXPECT_EQ(stats["live_rules"], 1);
  bool seen = false;
  auto flows = daemon_->get("/api/v1/guard/flows?q=10.231.0.2").json();  // kept: the loop refers into it
  for (const auto& f : flows["items"])
    seen = seen || (f["protocol"] == "icmp" && f["dropped"].get<int>() > 0);
  EXPECT_TRUE(seen) << "the XDP flow table shows the dropped pings";

  // The stream carries the counters once a second.
  std::string origin = "http://127.0.0.1:" + std::to_string(daemon_->port());
  auto ws = ws_connect(daemon_->port(), {{"Origin", origin}, {"Sec-WebSocket-Protocol", "packetscope.v1, bearer." + daemon_->token()}},
                       std::chrono::milliseconds(2500), 64);
  ASSERT_EQ(ws.status, 101);
  std::optional<nlohmann::json> frame;
  for (const auto& f : ws.frames) {
    auto j = nlohmann::json::parse(f, nullptr, false);
    if (!frame && j.is_object() && j["type"] == "guard.counters") frame = j;
  }
  ASSERT_TRUE(frame) << "no guard.counters frame within 2.5 s";
  EXPECT_GE((*frame)["data"]["items"][std::to_string(id)]["packets"].get<int>(), 2) << frame->dump();
  EXPECT_EQ((*frame)["data"]["stats"]["live_rules"], 1);

  auto off = daemon_->send("PATCH", "/api/v1/guard/rules/" + std::to_string(id), R"({"enabled":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_TRUE(ping_ok()) << "a disabled rule drops nothing";

  // Dry-run: the Tracer stored the pings that passed; the XDP flow table has them all.
  nlohmann::json dry;
  bool matched = eventually(
      [&] {
        dry = daemon_->send("POST", "/api/v1/guard/dry-run",
                            R"({"rule":{"action":"drop","match":{"src":"10.231.0.2","protocol":"icmp"}},"minutes":5})")
                  .json();
        return dry.is_object() && dry.value("matched_packets", 0) > 0;
      },
      std::chrono::seconds(5));
  EXPECT_TRUE(matched) << dry.dump();
  EXPECT_GE(dry.value("matched_flows", 0), 1) << dry.dump();
  EXPECT_GE(dry.value("examined_packets", 0), dry.value("matched_packets", 0));
  auto none = daemon_->send("POST", "/api/v1/guard/dry-run",
                            R"({"rule":{"action":"drop","match":{"src":"192.0.2.0/24"}},"minutes":5})").json();
  EXPECT_EQ(none["matched_packets"], 0) << none.dump();
  EXPECT_EQ(none["matched_flows"], 0) << none.dump();

  auto del = daemon_->send("POST", "/api/v1/guard/rules/bulk", nlohmann::json{{"op", "delete"}, {"ids", {id, 999999}}}.dump());
  EXPECT_EQ(del.status, 404) << "all or nothing";
  EXPECT_EQ(daemon_->get("/api/v1/guard/rules").json()["total"], 1);
  del = daemon_->send("POST", "/api/v1/guard/rules/bulk", nlohmann::json{{"op", "delete"}, {"ids", {id}}}.dump());
  EXPECT_EQ(del.status, 200) << del.body;

  std::vector<std::string> actions;
  auto audit = daemon_->get("/api/v1/guard/audit").json();
  for (const auto& e : audit["items"]) actions.push_back(e["action"]);
  std::vector<std::string> want = {"guard.rule.bulk", "guard.rule.patch", "guard.rule.add", "guard.interface.attach"};
  EXPECT_EQ(actions, want);
}

TEST_F(GuardApiTest, RulesEnforceWhileDownAndAfterRestartThenCliDetach) {
  ASSERT_EQ(daemon_->send("POST", "/api/v1/guard/interfaces", nlohmann::json{{"ifname", root_if_}}.dump()).status, 200);
  auto r = cli("rule add --action drop --src 10.231.0.2 --proto icmp --comment restart");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("added rule"), std::string::npos) << r.out;
  EXPECT_FALSE(ping_ok());

  ASSERT_EQ(daemon_->stop(SIGTERM), 0);
  EXPECT_FALSE(ping_ok()) << "pinned rules keep enforcing while the daemon is down";
  ASSERT_TRUE(daemon_->start()) << daemon_->log();
  auto list = cli("rule list --json");
  ASSERT_EQ(list.status, 0) << list.out;
  auto j = nlohmann::json::parse(list.out, nullptr, false);
  ASSERT_EQ(j["total"], 1) << list.out;
  EXPECT_EQ(j["items"][0]["comment"], "restart");
  EXPECT_GE(j["items"][0]["counters"]["packets"].get<int>(), 2) << "counters survive the restart";
  EXPECT_EQ(daemon_->get("/api/v1/guard/interfaces").json()["items"][0]["ifname"], root_if_);
  EXPECT_FALSE(ping_ok());

  auto bad = cli("rule add --action drop --dport 80");  // ports without a protocol
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_NE(bad.out.find("dport"), std::string::npos) << bad.out;
  EXPECT_EQ(cli("rule add --action drop --icmp-code 3").status, 2);

  auto det = cli("detach");
  ASSERT_EQ(det.status, 0) << det.out;
  EXPECT_TRUE(ping_ok()) << "detach removes the program everywhere";
  EXPECT_FALSE(std::filesystem::exists(daemon_->pin_dir()));
  EXPECT_EQ(daemon_->get("/api/v1/guard/stats").status, 503);
  EXPECT_EQ(daemon_->get("/api/v1/guard/rules").json()["total"], 1) << "stored rules are kept";
}

// A rule set the kernel side refuses (one candidate list over 1024 rules) changes nothing:
// the store is rolled back for an add, a patch and an import alike.
TEST_F(GuardApiTest, RefusedApplyLeavesStoreAsItWas) {
  nlohmann::json rules = nlohmann::json::array();
  for (int i = 1; i <= 1024; ++i) rules.push_back({{"action", "pass"}, {"match", {{"protocol", "udp"}, {"dport", i}}}});
  auto imp = daemon_->send("POST", "/api/v1/guard/rules/import", nlohmann::json{{"rules", rules}}.dump());
  ASSERT_EQ(imp.status, 200) << imp.body;
  auto add = daemon_->send("POST", "/api/v1/guard/rules", R"({"action":"pass","match":{"protocol":"tcp"}})");
  EXPECT_EQ(add.status, 409) << add.body;
  EXPECT_EQ(add.json()["error"]["code"], "apply_failed");
  auto more = daemon_->send("POST", "/api/v1/guard/rules/import", R"({"rules":[{"action":"pass","match":{"protocol":"tcp"}}]})");
  EXPECT_EQ(more.status, 409) << more.body;
  // A disabled rule is not compiled, so it can be stored; enabling it is refused and undone.
  auto off = daemon_->send("POST", "/api/v1/guard/rules", R"({"action":"pass","enabled":false,"comment":"spare"})");
  ASSERT_EQ(off.status, 201) << off.body;
  int spare = off.json()["id"];
  auto on = daemon_->send("PATCH", "/api/v1/guard/rules/" + std::to_string(spare), R"({"enabled":true})");
  EXPECT_EQ(on.status, 409) << on.body;
  auto list = daemon_->get("/api/v1/guard/rules").json();
  EXPECT_EQ(list["total"], 1025);
  EXPECT_EQ(daemon_->get("/api/v1/guard/rules/" + std::to_string(spare)).json()["enabled"], false);
  EXPECT_EQ(daemon_->get("/api/v1/guard/stats").json()["live_rules"], 1024);
  auto del = daemon_->send("DELETE", "/api/v1/guard/rules/" + std::to_string(list["items"][0]["id"].get<int>()));
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(daemon_->send("PATCH", "/api/v1/guard/rules/" + std::to_string(spare), R"({"enabled":true})").status, 200);
  EXPECT_EQ(daemon_->get("/api/v1/guard/stats").json()["live_rules"], 1024);
}

}  // namespace
}  // namespace pscope::e2e
