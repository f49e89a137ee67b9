// Tracer end to end: real traffic between namespaces, real drops, checked through the API.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

class TracerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: namespaces and eBPF";
    topo_ = std::make_unique<Topology>("pst");
    topo_->add_host("client");
    topo_->add_host("server");
    topo_->link("client", "10.201.0.1/24", "server", "10.201.0.2/24", {"fd00:201::1/64"}, {"fd00:201::2/64"});
    dir_ = temp_dir("tracer");
    daemon_ = std::make_unique<Daemon>(dir_);
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }
  void TearDown() override {
    daemon_.reset();
    topo_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Drops recorded for packets from src to dst.
  std::vector<nlohmann::json> drops_between(const std::string& src, const std::string& dst) {
    std::vector<nlohmann::json> out;
    auto j = daemon_->get("/api/v1/tracer/drops?limit=1000").json();
    if (!j.is_object()) return out;
    for (const auto& d : j["items"])
      if (d["src"] == src && d["dst"] == dst) out.push_back(d);
    return out;
  }

  std::unique_ptr<Topology> topo_;
  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(TracerE2E, UdpToAClosedPortIsReportedAsNoSocket) {
  auto r = topo_->exec("client", "for i in 1 2 3 4 5; do echo probe > /dev/udp/10.201.0.2/9; done");
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<nlohmann::json> drops;
  ASSERT_TRUE(eventually([&] { return (drops = drops_between("10.201.0.1", "10.201.0.2")).size() >= 5; },
                         std::chrono::seconds(5)))
      << "drops seen: " << drops.size();
  uint64_t server_ns = topo_->netns_inode("server");
  for (const auto& d : drops) {
    EXPECT_EQ(d["reason"], "NO_SOCKET");
    EXPECT_EQ(d["protocol"], "udp");
    EXPECT_NE(d["location"].get<std::string>().find("udp"), std::string::npos) << d.dump();
    EXPECT_EQ(d["netns"].get<uint64_t>(), server_ns);
  }
}

TEST_F(TracerE2E, NftablesDropIsReportedWithTheNetfilterReason) {
  auto nft = topo_->exec("server",
                         "nft add table inet pst && nft add chain inet pst in \"{ type filter hook input priority 0; }\" "
                         "&& nft add rule inet pst in tcp dport 5555 drop");
  ASSERT_EQ(nft.status, 0) << nft.out;
  topo_->exec("client", "timeout 2 bash -c \"exec 3<>/dev/tcp/10.201.0.2/5555\" || true");
  std::vector<nlohmann::json> drops;
  ASSERT_TRUE(eventually([&] { return !(drops = drops_between("10.201.0.1", "10.201.0.2")).empty(); },
                         std::chrono::seconds(5)));
  EXPECT_EQ(drops[0]["protocol"], "tcp");
  EXPECT_EQ(drops[0]["reason"], "NETFILTER_DROP");
}

TEST_F(TracerE2E, Ipv6UdpDropsCarryIpv6Addresses) {
  // Wait for IPv6 duplicate address detection so the source address is usable.
  ASSERT_TRUE(eventually([&] { return topo_->exec("client", "ping -6 -c1 -W1 fd00:201::2").status == 0; },
                         std::chrono::seconds(6)));
  topo_->exec("client", "for i in 1 2 3; do echo probe > /dev/udp/fd00:201::2/9; done");
  std::vector<nlohmann::json> drops;
  ASSERT_TRUE(eventually([&] { return (drops = drops_between("fd00:201::1", "fd00:201::2")).size() >= 3; },
                         std::chrono::seconds(5)));
  EXPECT_EQ(drops[0]["protocol"], "udp");
  EXPECT_EQ(drops[0]["reason"], "NO_SOCKET");
}

TEST_F(TracerE2E, CountersFollowRealTraffic) {
  auto before = daemon_->get("/api/v1/tracer/stats").json();
  ASSERT_TRUE(before.is_object());
  auto r = topo_->exec("client", "ping -c 20 -i 0.01 -q 10.201.0.2");
  ASSERT_EQ(r.status, 0) << r.out;
  auto after = daemon_->get("/api/v1/tracer/stats").json();
  // 20 requests and 20 replies each cross a receive and a transmit point.
  EXPECT_GE(after["packets_rx"].get<uint64_t>() - before["packets_rx"].get<uint64_t>(), 40u);
  EXPECT_GE(after["packets_tx"].get<uint64_t>() - before["packets_tx"].get<uint64_t>(), 40u);
  EXPECT_EQ(after["ringbuf_lost"], 0);
}

}  // namespace
}  // namespace pscope::e2e
