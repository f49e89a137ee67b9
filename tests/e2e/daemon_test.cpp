// The real daemon end to end: auth, Host/Origin checks, live stream, clean shutdown, restart.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

// The Guarder's XDP program is pinned on purpose (rules enforce while the daemon is down), so
// it is the one program the daemon leaves loaded; the shutdown checks leave it out.
std::set<uint32_t> without_pinned_guard(std::set<uint32_t> ids, const std::string& pin_dir) {
  int fd = bpf_obj_get((pin_dir + "/prog").c_str());
  if (fd < 0) return ids;
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) ids.erase(info.id);
  ::close(fd);
  return ids;
}

// True while any of these program ids is still loaded in the kernel.
bool any_loaded(const std::set<uint32_t>& ids) {
  return std::any_of(ids.begin(), ids.end(), [](uint32_t id) { return bpf_prog_exists(id); });
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: loads eBPF programs";
    dir_ = temp_dir("daemon");
    daemon_ = std::make_unique<Daemon>(dir_);
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }
  void TearDown() override {
    daemon_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(DaemonTest, EveryApiCallNeedsTheToken) {
  EXPECT_EQ(daemon_->get("/api/v1/health", "").status, 401);
  EXPECT_EQ(daemon_->get("/api/v1/health", std::string(64, 'a')).status, 401);
  EXPECT_EQ(daemon_->get("/api/v1/tracer/stats", "").status, 401);
  EXPECT_EQ(daemon_->get("/api/v1/does-not-exist", "").status, 401);  // no route discovery either
  auto bad = daemon_->get("/api/v1/health", "wrong");
  EXPECT_EQ(bad.json()["error"]["code"], "unauthorized");
  EXPECT_EQ(daemon_->get("/api/v1/health").status, 200);
}

TEST_F(DaemonTest, TokenFileIsPrivate) {
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/data/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto cfg = daemon_->get("/api/v1/config");
  ASSERT_EQ(cfg.status, 200);
  EXPECT_EQ(cfg.body.find(daemon_->token()), std::string::npos) << "config must not leak the token";
}

TEST_F(DaemonTest, HealthReportsKernelFeaturesAndModules) {
  auto h = daemon_->get("/api/v1/health").json();
  ASSERT_TRUE(h.is_object());
  std::map<std::string, bool> features;
  for (const auto& f : h["features"]) features[f["name"]] = f["available"];
  for (const char* name : {"btf", "bpffs", "tp_btf", "raw_tp", "ringbuf", "xdp", "tc", "kprobe", "fentry"})
    EXPECT_TRUE(features.count(name)) << name;
  EXPECT_TRUE(features["tp_btf"]);
  EXPECT_TRUE(features["bpffs"]) << "serve mounts bpffs when it is missing";
  std::map<std::string, std::string> modules;
  for (const auto& m : h["modules"]) modules[m["name"]] = m["state"];
  EXPECT_EQ(modules["tracer"], "running");
  EXPECT_GE(bpf_prog_ids_of(daemon_->pid()).size(), 4u) << "tracepoint programs held by the daemon";
}

TEST_F(DaemonTest, UnexpectedHostHeaderIsRefused) {
  auto r = daemon_->get_raw("/api/v1/health", {{"Authorization", "Bearer " + daemon_->token()},
                                                {"Host", "attacker.example:80"}});
  EXPECT_EQ(r.status, 421);
}

TEST_F(DaemonTest, StreamChecksOriginAndToken) {
  auto port = daemon_->port();
  std::string good_origin = "http://127.0.0.1:" + std::to_string(port);
  auto no_token = ws_connect(port, {{"Origin", good_origin}}, std::chrono::milliseconds(1500), 1);
  EXPECT_EQ(no_token.status, 401);
  auto bad_origin = ws_connect(port, {{"Origin", "http://evil.example"},
                                      {"Sec-WebSocket-Protocol", "packetscope.v1, bearer." + daemon_->token()}},
                               std::chrono::milliseconds(1500), 1);
  EXPECT_EQ(bad_origin.status, 403);
  auto ok = ws_connect(port, {{"Origin", good_origin},
                              {"Sec-WebSocket-Protocol", "packetscope.v1, bearer." + daemon_->token()}},
                       std::chrono::milliseconds(2500), 64);
  ASSERT_EQ(ok.status, 101);
  EXPECT_EQ(ok.protocol, "packetscope.v1");
  ASSERT_GE(ok.frames.size(), 2u) << "expected hello and a tracer.stats frame within 2.5 s";
  EXPECT_EQ(nlohmann::json::parse(ok.frames[0])["type"], "hello");
  // Without a subscription no packet paths arrive. Socket state changes ("sockets.state") go to
  // every client (this test's own connections make some), so the stats tick is found by type.
  std::optional<nlohmann::json> stats;
  for (size_t i = 1; i < ok.frames.size(); ++i) {
    auto j = nlohmann::json::parse(ok.frames[i]);
    EXPECT_NE(j["type"], "tracer.path") << ok.frames[i];
    if (!stats && j["type"] == "tracer.stats") stats = j;
  }
  ASSERT_TRUE(stats) << "no tracer.stats frame within 2.5 s";
  EXPECT_TRUE((*stats)["data"]["packets_rx"].is_number());
}

TEST_F(DaemonTest, ServesTheWebUi) {
  auto index = daemon_->get_raw("/", {});
  EXPECT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<div id=\"app\""), std::string::npos);
  EXPECT_EQ(daemon_->get_raw("/../../etc/passwd", {}).status, 400);
  EXPECT_EQ(daemon_->get_raw("/assets/missing.js", {}).status, 404);
  EXPECT_EQ(daemon_->get_raw("/monitor", {}).status, 200);  // client-side route falls back to index
}

TEST_F(DaemonTest, SigtermDetachesEverything) {
  auto ids = without_pinned_guard(bpf_prog_ids_of(daemon_->pid()), daemon_->pin_dir());
  ASSERT_GE(ids.size(), 4u);
  ASSERT_TRUE(any_loaded(ids));
  EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->log();
  EXPECT_TRUE(eventually([&] { return !any_loaded(ids); }, std::chrono::seconds(3)))
      << "programs still loaded after a clean shutdown";
  EXPECT_NE(daemon_->log().find("stopped cleanly"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/ready.json"));
}

TEST_F(DaemonTest, SigkillLeavesNothingAttachedAndRestartKeepsTokenAndData) {
  auto token = daemon_->token();
  auto ids = without_pinned_guard(bpf_prog_ids_of(daemon_->pid()), daemon_->pin_dir());
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(daemon_->stop(SIGKILL), 128 + SIGKILL);
  EXPECT_TRUE(eventually([&] { return !any_loaded(ids); }, std::chrono::seconds(5)))
      << "tracepoint links are fd-owned and must die with the process";
  ASSERT_TRUE(daemon_->start()) << daemon_->log();
  EXPECT_EQ(daemon_->token(), token);
  auto check = sh("sqlite3 " + dir_ + "/data/packetscope.db 'PRAGMA integrity_check;'");
  EXPECT_EQ(check.out, "ok\n");
  EXPECT_EQ(daemon_->get("/api/v1/health").status, 200);
}

}  // namespace
}  // namespace pscope::e2e

namespace pscope::e2e {
namespace {

TEST(Doctor, ReportsEveryCheckWithAFix) {
  if (!is_root()) GTEST_SKIP() << "needs root: feature probes load eBPF programs";
  auto r = sh(std::string(PS_BINARY) + " doctor --json");
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(r.status, j["ok"].get<bool>() ? 0 : 1);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& c : j["checks"]) {
    by_name[c["name"]] = c;
    if (!c["ok"].get<bool>()) {
      EXPECT_FALSE(c["fix"].get<std::string>().empty()) << c.dump();
    }
  }
  for (const char* name : {"CAP_BPF", "btf", "tp_btf", "ringbuf", "kprobe", "fentry", "kallsyms", "web UI"})
    EXPECT_TRUE(by_name.count(name)) << name;
  EXPECT_TRUE(by_name["tp_btf"]["ok"].get<bool>());
  // kprobe/fentry are optional extras: their absence never fails doctor.
  EXPECT_FALSE(by_name["kprobe"]["required"].get<bool>());
  EXPECT_FALSE(by_name["fentry"]["required"].get<bool>());
}

TEST(Cli, BadConfigIsRefusedWithTheKeyNamed) {
  auto r = sh(std::string(PS_BINARY) + " serve --listen 0.0.0.0:1 --data-dir /tmp/x");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("not a loopback address"), std::string::npos) << r.out;
  r = sh(std::string(PS_BINARY) + " serve --tracer-drop-sample zero");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("--tracer-drop-sample"), std::string::npos) << r.out;
  r = sh(std::string(PS_BINARY) + " serve --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("PACKETSCOPE_LISTEN"), std::string::npos);
  EXPECT_NE(r.out.find("Precedence"), std::string::npos);
}

}  // namespace
}  // namespace pscope::e2e
