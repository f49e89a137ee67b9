// Analyzer end to end: known traffic between two namespaces gives known figures. The Analyzer
// module runs in this process (no daemon), filtered to one namespace so that other traffic on
// the machine does not count.
#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <mutex>

#include <unistd.h>

#include "analyzer/analyzer.h"
#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

using analyzer::Dir;
using analyzer::Layer;
using analyzer::Snapshot;

constexpr auto kInterval = std::chrono::milliseconds(200);

class analyzer_e2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: namespaces and eBPF";
    topo_ = std::make_unique<Topology>("psa");
    for (const char* h : {"client", "server"}) {
      topo_->add_host(h);
      // No IPv6 (router solicitations, MLD) and no ARP below: only the test's packets exist.
      topo_->exec(h, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    }
    topo_->link("client", "10.202.0.1/24", "server", "10.202.0.2/24");
    auto mac = [&](const char* h, const char* dev) {
      auto r = topo_->exec(h, std::string("cat /sys/class/net/") + dev + "/address");
      return r.out.substr(0, r.out.find('\n'));
    };
    const std::string client_mac = mac("client", "v0a"), server_mac = mac("server", "v0b");
    ASSERT_EQ(topo_->exec("client", "ip neigh replace 10.202.0.2 lladdr " + server_mac + " dev v0a nud permanent").status, 0);
    ASSERT_EQ(topo_->exec("server", "ip neigh replace 10.202.0.1 lladdr " + client_mac + " dev v0b nud permanent").status, 0);
  }

  void TearDown() override {
    if (an_) an_->stop();
    an_.reset();
    // Our one-shot iperf3 server, if a failed client left it waiting: by its pid only.
    if (!iperf3_pidfile_.empty()) {
      sh("test -s " + iperf3_pidfile_ + " && kill $(cat " + iperf3_pidfile_ + ") 2>/dev/null; rm -f " + iperf3_pidfile_);
    }
    topo_.reset();
  }

  void start(const std::string& host) {
    analyzer::AnalyzerOptions o;
    o.interval = kInterval;
    o.netns_filter = static_cast<uint32_t>(topo_->netns_inode(host));
    o.top_n = 1000;
    an_ = std::make_unique<analyzer::Analyzer>(o, [this](const Snapshot& s) {
      std::lock_guard lk(mu_);
      all_.push_back(s);
      cv_.notify_all();
    });
    auto r = an_->check_support();
    if (r) r = an_->start();
    ASSERT_TRUE(r) << r.error().what;
  }

  // The snapshot n intervals from now.
  Snapshot next(size_t n = 1) {
    std::unique_lock lk(mu_);
    const size_t want = all_.size() + n;
    cv_.wait_for(lk, kInterval * (n + 10), [&] { return all_.size() >= want; });
    return all_.empty() ? Snapshot{} : all_.back();
  }

  std::vector<Snapshot> since(size_t first) {
    std::lock_guard lk(mu_);
    return std::vector<Snapshot>(all_.begin() + static_cast<std::ptrdiff_t>(std::min(first, all_.size())), all_.end());
  }
  size_t count() {
    std::lock_guard lk(mu_);
    return all_.size();
  }

  static const analyzer::Flow* find_flow(const Snapshot& s, const std::string& proto, const std::string& local,
                                         const std::string& remote, uint16_t lport = 0) {
    const analyzer::Flow* best = nullptr;
    for (const auto& f : s.flows)
      if (f.protocol == proto && f.local == local && f.remote == remote && (!lport || f.lport == lport) &&
          (!best || f.socket_rx.bytes + f.rx.bytes > best->socket_rx.bytes + best->rx.bytes))
        best = &f;
    return best;
  }

  static const analyzer::LayerPair* pair(const Snapshot& s, Dir d, Layer from, Layer to) {
    for (const auto& p : s.pairs)
      if (p.dir == d && p.from == from && p.to == to) return &p;
    return nullptr;
  }

  static uint64_t reason_count(const Snapshot& s, const std::string& reason) {
    for (const auto& r : s.loss.by_reason)
      if (r.reason == reason) return r.count;
    return 0;
  }

  // Starts a one-shot iperf3 server on `port` in the server namespace.
  void iperf3_server(int port) {
    iperf3_pidfile_ = "/tmp/psa-iperf3-" + std::to_string(::getpid()) + ".pid";
    auto r = topo_->exec("server", "iperf3 -s -1 -p " + std::to_string(port) + " -D -I " + iperf3_pidfile_);
    ASSERT_EQ(r.status, 0) << r.out;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  std::unique_ptr<Topology> topo_;
  std::unique_ptr<analyzer::Analyzer> an_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Snapshot> all_;
  std::string iperf3_pidfile_;
};

uint64_t packets(const Snapshot& s, Layer l, Dir d) {
  return s.volume[static_cast<int>(l)][static_cast<int>(d)].packets;
}

// 20 echo requests in, 20 replies out, at every layer below the socket, in the server.
TEST_F(analyzer_e2e, PingsCountExactlyAtEachLayer) {
  start("server");
  const Snapshot before = next();
  auto r = topo_->exec("client", "ping -c 20 -i 0.01 -q 10.202.0.2");
  ASSERT_EQ(r.status, 0) << r.out;
  const Snapshot after = next(2);
  for (Layer l : {Layer::kLink, Layer::kNetwork, Layer::kTransport}) {
    EXPECT_EQ(packets(after, l, Dir::kRx) - packets(before, l, Dir::kRx), 20u) << analyzer::to_string(l);
    EXPECT_EQ(packets(after, l, Dir::kTx) - packets(before, l, Dir::kTx), 20u) << analyzer::to_string(l);
  }
  // Bytes from the IP header on when received: 20 + 8 + 56.
  const auto& net_rx = after.volume[1][0];
  EXPECT_EQ(net_rx.bytes - before.volume[1][0].bytes, 20u * 84);
  const analyzer::Flow* f = find_flow(after, "icmp", "10.202.0.2", "10.202.0.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->rx.packets, 20u);
  EXPECT_EQ(f->tx.packets, 20u);
  EXPECT_EQ(f->netns, topo_->netns_inode("server"));
  // Each echo request's input route lookup is its network hop.
  const auto* p = pair(after, Dir::kRx, Layer::kLink, Layer::kNetwork);
  ASSERT_NE(p, nullptr);
  EXPECT_GE(p->latency.total_count, 20u);
}

// iperf3's own count of received bytes matches the socket layer and the transport payload of its
// data connection within 2 %; receive latency pairs are measured while it runs.
TEST_F(analyzer_e2e, Iperf3BytesMatchAndLatencyPairsAreOrdered) {
  start("server");
  next();
  const size_t first = count();
  iperf3_server(5201);
  auto r = topo_->exec("client", "iperf3 -c 10.202.0.2 -p 5201 -t 2 -J");
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const double received = j["end"]["sum_received"]["bytes"].get<double>();
  ASSERT_GT(received, 1e6);
  const Snapshot after = next(2);
  const analyzer::Flow* f = find_flow(after, "tcp", "10.202.0.2", "10.202.0.1", 5201);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(static_cast<double>(f->socket_rx.bytes), received, received * 0.02);
  EXPECT_NEAR(static_cast<double>(f->rx_payload_bytes), received, received * 0.02);
  // Packets are wire packets (gso_segs of the 64 KB GSO skbs veth carries): MSS 1448 at MTU 1500.
  EXPECT_GE(static_cast<double>(f->rx.packets), 0.95 * received / 1448);
  EXPECT_LE(static_cast<double>(f->rx.packets), 1.05 * received / 1448 + 100);
  EXPECT_EQ(f->comm, "iperf3");
  EXPECT_GT(f->srtt_us, 0u);
  EXPECT_GT(f->cwnd, 0u);
  EXPECT_GT(f->latency_avg_ns, 0u);

  for (auto [from, to] : {std::pair{Layer::kLink, Layer::kTransport}, std::pair{Layer::kTransport, Layer::kSocket}}) {
    const analyzer::LayerPair* busiest = nullptr;
    auto snaps = since(first);
    for (const auto& s : snaps) {
      const auto* p = pair(s, Dir::kRx, from, to);
      if (p && (!busiest || p->latency.count > busiest->latency.count)) busiest = p;
    }
    ASSERT_NE(busiest, nullptr);
    const auto& l = busiest->latency;
    SCOPED_TRACE(std::string(analyzer::to_string(from)) + "->" + analyzer::to_string(to));
    EXPECT_GT(l.count, 0u);
    EXPECT_GT(busiest->transitions_per_s, 0);
    EXPECT_LE(l.p50_ns, l.p90_ns);
    EXPECT_LE(l.p90_ns, l.p99_ns);
    EXPECT_LE(l.p99_ns, static_cast<double>(l.max_ns));
    EXPECT_GT(l.max_ns, 0u);
  }
}

// nftables drops every 10th echo request: 10 % of what arrived, with the netfilter reason, in
// the network layer, on the ICMP flow.
TEST_F(analyzer_e2e, NumgenDropRatioIsTenPercentWithNetfilterReason) {
  auto nft = topo_->exec("server",
                         "nft add table ip psa && nft add chain ip psa in \"{ type filter hook input priority 0; }\" "
                         "&& nft add rule ip psa in icmp type echo-request numgen inc mod 10 == 0 drop");
  ASSERT_EQ(nft.status, 0) << nft.out;
  start("server");
  const Snapshot before = next();
  topo_->exec("client", "ping -c 200 -i 0.005 -W 1 -q 10.202.0.2");
  const Snapshot after = next(2);
  const uint64_t arrived = packets(after, Layer::kLink, Dir::kRx) - packets(before, Layer::kLink, Dir::kRx);
  const uint64_t dropped = reason_count(after, "NETFILTER_DROP") - reason_count(before, "NETFILTER_DROP");
  EXPECT_EQ(arrived, 200u);
  ASSERT_GT(arrived, 0u);
  const double ratio = static_cast<double>(dropped) / static_cast<double>(arrived);
  EXPECT_NEAR(ratio, 0.10, 0.02) << dropped << " of " << arrived;
  for (const auto& r : after.loss.by_reason) {
    if (r.reason == "NETFILTER_DROP") {
      EXPECT_EQ(r.layer, Layer::kNetwork);
    }
  }
  EXPECT_EQ(after.loss.by_layer[static_cast<int>(Layer::kNetwork)] - before.loss.by_layer[static_cast<int>(Layer::kNetwork)],
            dropped);
  const analyzer::Flow* f = find_flow(after, "icmp", "10.202.0.2", "10.202.0.1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->drops, dropped);
  EXPECT_EQ(f->tx.packets, 200u - dropped);  // replies to the others
}

// TCP through the same kind of rule: the sender retransmits, on its flow and in the totals.
TEST_F(analyzer_e2e, DroppedTcpSegmentsAreRetransmitted) {
  // Not the first packet (the SYN: its retransmission waits a second).
  auto nft = topo_->exec("server",
                         "nft add table ip psa && nft add chain ip psa in \"{ type filter hook input priority 0; }\" "
                         "&& nft add rule ip psa in tcp dport 5202 numgen inc mod 10 == 5 drop");
  ASSERT_EQ(nft.status, 0) << nft.out;
  start("client");
  next();
  iperf3_server(5202);
  auto r = topo_->exec("client", "iperf3 -c 10.202.0.2 -p 5202 -t 2 -J");
  ASSERT_EQ(r.status, 0) << r.out;
  const Snapshot after = next(2);
  EXPECT_GT(after.tcp.retransmits, 0u);
  const analyzer::Flow* f = find_flow(after, "tcp", "10.202.0.1", "10.202.0.2");
  ASSERT_NE(f, nullptr);
  uint64_t flow_retrans = 0;
  for (const auto& x : after.flows)
    if (x.protocol == "tcp" && x.remote == "10.202.0.2" && x.rport == 5202) flow_retrans += x.retransmits;
  EXPECT_GT(flow_retrans, 0u);
  EXPECT_EQ(f->netns, topo_->netns_inode("client"));
}

}  // namespace
}  // namespace pscope::e2e
