// Analyzer end to end: real traffic between namespaces, the snapshot and series API, GET /metrics
// checked by promtool and scraped by a real Prometheus server (Debian's prometheus package).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// A Prometheus server on a loopback port, scraping the daemon's /metrics every second with the
// daemon's token file as bearer credentials. Stopped (SIGTERM, then SIGKILL) by the destructor.
class PrometheusServer {
 public:
  PrometheusServer(const std::string& dir, uint16_t target_port, const std::string& token_file) : dir_(dir) {
    port_ = free_loopback_port();
    std::ofstream(dir_ + "/prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        << "scrape_configs:\n  - job_name: packetscope\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << target_port << "']\n"
        << "    authorization:\n      credentials_file: " << token_file << "\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      FILE* f = std::fopen((dir_ + "/prometheus.log").c_str(), "a");
      if (f) {
        ::dup2(::fileno(f), 1);
        ::dup2(::fileno(f), 2);
      }
      std::string cfg = "--config.file=" + dir_ + "/prometheus.yml";
      std::string tsdb = "--storage.tsdb.path=" + dir_ + "/tsdb";
      std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
      ::execl("/usr/bin/prometheus", "prometheus", cfg.c_str(), tsdb.c_str(), listen.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~PrometheusServer() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    bool gone = eventually([&] { return ::waitpid(pid_, nullptr, WNOHANG) == pid_; }, std::chrono::seconds(10));
    if (!gone) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  // The first value of an instant query, or nullopt.
  std::optional<double> query(const std::string& promql) const {
    auto r = sh("curl -s --max-time 2 -G --data-urlencode 'query=" + promql + "' http://127.0.0.1:" +
                std::to_string(port_) + "/api/v1/query");
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].empty()) return std::nullopt;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
  }
  std::string log() const { return sh("tail -n 30 " + dir_ + "/prometheus.log").out; }
  uint16_t port() const { return port_; }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

class MetricsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: namespaces and eBPF";
    topo_ = std::make_unique<Topology>("psm");
    topo_->add_host("client");
    topo_->add_host("server");
    topo_->link("client", "10.203.0.1/24", "server", "10.203.0.2/24");
    dir_ = temp_dir("metrics");
    daemon_ = std::make_unique<Daemon>(dir_);
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }
  void TearDown() override {
    daemon_.reset();
    // An iperf3 server whose client never came would keep the namespace alive.
    if (topo_) sh("ip netns pids " + topo_->ns("server") + " | xargs -r kill");
    topo_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void make_traffic() {
    auto r = topo_->exec("client", "ping -q -c 20 -i 0.05 -s 1000 10.203.0.2");
    ASSERT_EQ(r.status, 0) << r.out;
    topo_->exec("server", "iperf3 -s -1 -D -B 10.203.0.2");
    EXPECT_TRUE(eventually(
        [&] { return topo_->exec("client", "iperf3 -c 10.203.0.2 -n 2M --connect-timeout 1000 >/dev/null").status == 0; },
        std::chrono::seconds(5), std::chrono::milliseconds(300)))
        << "iperf3 transfer between the namespaces";
  }
  std::unique_ptr<Topology> topo_;
  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(MetricsE2E, SnapshotAndSeriesShowTheTraffic) {
  make_traffic();
  nlohmann::json snap;
  ASSERT_TRUE(eventually(
      [&] {
        snap = daemon_->get("/api/v1/analyzer/snapshot").json();
        return snap.is_object() && snap["volume"]["link"]["rx"]["packets"].get<uint64_t>() > 0 &&
               snap["volume"]["link"]["rx"]["bytes"].get<uint64_t>() > 20000;
      },
      std::chrono::seconds(10)))
      << snap.dump().substr(0, 2000) << daemon_->log();
  EXPECT_GT(snap["wall_ns"].get<int64_t>(), 0);
  EXPECT_TRUE(snap["flows"].is_array());

  nlohmann::json series;
  ASSERT_TRUE(eventually(
      [&] {
        series = daemon_->get("/api/v1/analyzer/series?metric=volume.link.rx.bps").json();
        if (!series.is_object() || !series["points"].is_array()) return false;
        for (const auto& p : series["points"])
          if (p[1].get<double>() > 0) return true;
        return false;
      },
      std::chrono::seconds(10)))
      << series.dump().substr(0, 2000);
  EXPECT_EQ(series["resolution_s"], 1);
  auto metrics = daemon_->get("/api/v1/analyzer/metrics").json();
  EXPECT_NE(std::find(metrics["items"].begin(), metrics["items"].end(), "volume.link.rx.bps"), metrics["items"].end());
  EXPECT_EQ(daemon_->get("/api/v1/analyzer/series?metric=volume.nope").status, 400);
}

TEST_F(MetricsE2E, StreamCarriesASnapshotEachSecond) {
  auto port = daemon_->port();
  auto ws = ws_connect(port, {{"Origin", "http://127.0.0.1:" + std::to_string(port)},
                              {"Sec-WebSocket-Protocol", "packetscope.v1, bearer." + daemon_->token()}},
                       std::chrono::milliseconds(3500), 64);
  ASSERT_EQ(ws.status, 101);
  int snapshots = 0;
  for (const auto& f : ws.frames) {
    auto j = nlohmann::json::parse(f, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "every frame is one whole JSON message: " << f.substr(0, 200);
    if (j["type"] != "analyzer.snapshot") continue;
    ++snapshots;
    EXPECT_TRUE(j["data"]["volume"]["link"]["rx"].contains("packets"));
    EXPECT_LE(j["data"]["flows"].size(), 20u);
    EXPECT_FALSE(j["data"]["pairs"].empty() ? false : j["data"]["pairs"][0]["latency"].contains("buckets"));
  }
  EXPECT_GE(snapshots, 2) << "one analyzer.snapshot a second";
}

TEST_F(MetricsE2E, MetricsPassPromtoolAndAPrometheusServerScrapesThem) {
  if (::access("/usr/bin/prometheus", X_OK) != 0 || ::access("/usr/bin/promtool", X_OK) != 0)
    GTEST_SKIP() << "prometheus/promtool missing: run scripts/setup.sh";
  make_traffic();
  EXPECT_EQ(daemon_->get("/metrics", "").status, 401) << "/metrics needs the token like /api";
  HttpResult m;
  ASSERT_TRUE(eventually(
      [&] {
        m = daemon_->get("/metrics");
        return m.status == 200 && m.body.find("packetscope_layer_packets_total{layer=\"link\",dir=\"rx\"} 0\n") ==
                                      std::string::npos;
      },
      std::chrono::seconds(10)))
      << m.status << " " << m.body.substr(0, 500);
  std::string file = dir_ + "/metrics.txt";
  std::ofstream(file) << m.body;
  auto check = sh("promtool check metrics < " + file + " 2>&1");
  EXPECT_EQ(check.status, 0) << check.out;
  EXPECT_EQ(check.out, "") << "promtool lint findings";
  EXPECT_NE(m.body.find("# TYPE packetscope_layer_latency_seconds histogram"), std::string::npos);

  PrometheusServer prom(dir_, daemon_->port(), dir_ + "/data/token");
  std::optional<double> up, packets;
  EXPECT_TRUE(eventually([&] { return (up = prom.query("up{job=\"packetscope\"}")) && *up == 1; },
                         std::chrono::seconds(40), std::chrono::milliseconds(500)))
      << "up=" << (up ? *up : -1) << "\n" << prom.log();
  EXPECT_TRUE(eventually(
      [&] {
        return (packets = prom.query("packetscope_layer_packets_total{layer=\"link\",dir=\"rx\"}")) && *packets > 0;
      },
      std::chrono::seconds(20), std::chrono::milliseconds(500)))
      << prom.log();
  auto hist = prom.query("sum(packetscope_layer_latency_seconds_count)");
  EXPECT_TRUE(hist.has_value()) << "histogram series scraped";
}

}  // namespace
}  // namespace pscope::e2e
