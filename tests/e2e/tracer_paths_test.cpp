// Per-packet paths end to end: real traffic between namespaces, checked through the API and
// the `trace` CLI (timeline, JSON, pcapng read back by tshark).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/fixtures.h"

namespace pscope::e2e {
namespace {

std::vector<std::string> hook_names(const nlohmann::json& detail) {
  std::vector<std::string> out;
  for (const auto& h : detail["hops"]) out.push_back(h["hook"]);
  return out;
}

// True if `want` appear in `hooks` in this order (not necessarily adjacent).
bool in_order(const std::vector<std::string>& hooks, const std::vector<std::string>& want) {
  size_t i = 0;
  for (const auto& h : hooks)
    if (i < want.size() && h == want[i]) ++i;
  return i == want.size();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

class TracerPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_root()) GTEST_SKIP() << "needs root: namespaces and eBPF";
    topo_ = std::make_unique<Topology>("psp");
    topo_->add_host("client");
    topo_->add_host("server");
    topo_->link("client", "10.202.0.1/24", "server", "10.202.0.2/24", {"fd00:202::1/64 nodad"},
                {"fd00:202::2/64 nodad"});
    dir_ = temp_dir("paths");
    daemon_ = std::make_unique<Daemon>(dir_);
    ASSERT_TRUE(daemon_->start()) << daemon_->log();
  }
  void TearDown() override {
    daemon_.reset();
    topo_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::vector<nlohmann::json> packets(const std::string& filter, int limit = 200) {
    std::string q = "/api/v1/tracer/packets?limit=" + std::to_string(limit);
    if (!filter.empty()) {
      std::string enc;
      for (char c : filter) enc += c == ' ' ? std::string("%20") : std::string(1, c);
      q += "&filter=" + enc;
    }
    auto j = daemon_->get(q).json();
    std::vector<nlohmann::json> out;
    if (j.is_object())
      for (const auto& p : j["items"]) out.push_back(p);
    return out;
  }

  nlohmann::json detail(int64_t id) { return daemon_->get("/api/v1/tracer/packets/" + std::to_string(id)).json(); }

  // Waits for a stored path matching `filter` whose detail satisfies `pred`.
  template <class Pred>
  std::optional<nlohmann::json> wait_path(const std::string& filter, Pred pred) {
    std::optional<nlohmann::json> found;
    eventually(
        [&] {
          for (const auto& p : packets(filter)) {
            auto d = detail(p["id"]);
            if (pred(d)) {
              found = d;
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(6), std::chrono::milliseconds(300));
    return found;
  }

  static void expect_monotonic(const nlohmann::json& d) {
    int64_t prev = -1;
    for (const auto& h : d["hops"]) {
      EXPECT_GE(h["t_ns"].get<int64_t>(), prev) << d.dump();
      prev = h["t_ns"];
    }
  }

  std::unique_ptr<Topology> topo_;
  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(TracerPaths, IcmpEchoCrossesBothNamespacesInOrder) {
  ASSERT_EQ(topo_->exec("client", "ping -c 3 -i 0.2 -q 10.202.0.2").status, 0);
  uint64_t client_ns = topo_->netns_inode("client"), server_ns = topo_->netns_inode("server");
  auto d = wait_path("icmp and src host 10.202.0.1 and dst host 10.202.0.2", [&](const nlohmann::json& j) {
    return in_order(hook_names(j), {"net_dev_queue", "netif_receive_skb", "consume_skb"});
  });
  ASSERT_TRUE(d) << "no ICMP echo request path with transmit and receive hops";
  auto hooks = hook_names(*d);
  EXPECT_TRUE(in_order(hooks, {"net_dev_queue", "net_dev_start_xmit", "netif_rx", "netif_receive_skb",
                               "fib_table_lookup", "consume_skb"}))
      << join(hooks);
  EXPECT_EQ((*d)["direction"], "tx");
  EXPECT_EQ((*d)["headers"]["icmp"]["type"], 8);
  expect_monotonic(*d);
  // The first hop is in the client's namespace, the receive hops in the server's.
  EXPECT_EQ((*d)["hops"][0]["netns"].get<uint64_t>(), client_ns);
  bool saw_server = false;
  for (const auto& h : (*d)["hops"])
    if (h["hook"] == "netif_receive_skb") saw_server = h["netns"].get<uint64_t>() == server_ns;
  EXPECT_TRUE(saw_server) << d->dump();
  // The reply travels the other way: server -> client.
  auto reply = wait_path("icmp and src host 10.202.0.2", [&](const nlohmann::json& j) {
    return j["headers"]["icmp"]["type"] == 0 && in_order(hook_names(j), {"net_dev_queue", "netif_receive_skb"});
  });
  ASSERT_TRUE(reply);
  EXPECT_EQ((*reply)["hops"][0]["netns"].get<uint64_t>(), server_ns);
}

TEST_F(TracerPaths, TcpDataReachesTheReadingProcess) {
  topo_->exec("server",
              "python3 -c \"import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
              "s.bind((str(), 7100)); s.listen(); c,_=s.accept(); "
              "c.recv(100); c.close()\" >/dev/null 2>&1 &");
  ASSERT_TRUE(eventually([&] { return topo_->exec("client", "exec 3<>/dev/tcp/10.202.0.2/7100 && echo hello >&3").status == 0; },
                         std::chrono::seconds(5)));
  auto d = wait_path("tcp and dst port 7100", [&](const nlohmann::json& j) {
    auto h = hook_names(j);
    return std::find(h.begin(), h.end(), "skb_copy_datagram_iovec") != h.end();
  });
  ASSERT_TRUE(d) << "no TCP path that reached the application";
  auto hooks = hook_names(*d);
  EXPECT_TRUE(in_order(hooks, {"net_dev_queue", "netif_receive_skb", "tcp_rcv", "skb_copy_datagram_iovec"}))
      << join(hooks);
  EXPECT_EQ((*d)["comm"], "python3");
  EXPECT_EQ((*d)["headers"]["tcp"]["dport"], 7100);
  expect_monotonic(*d);
  bool socket_layer = false;
  for (const auto& h : (*d)["hops"]) socket_layer |= h["layer"] == "socket";
  EXPECT_TRUE(socket_layer);
}

TEST_F(TracerPaths, UdpToAClosedPortDiesWithNoSocketAfterAnIcmpError) {
  topo_->exec("client", "for i in 1 2 3; do echo x > /dev/udp/10.202.0.2/9999; done");
  auto d = wait_path("udp and dst port 9999 and drop", [](const nlohmann::json&) { return true; });
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)["dropped"], true);
  EXPECT_EQ((*d)["reason"], "NO_SOCKET");
  auto hooks = hook_names(*d);
  EXPECT_TRUE(in_order(hooks, {"netif_receive_skb", "icmp_send", "kfree_skb"})) << join(hooks);
  EXPECT_EQ(hooks.back(), "kfree_skb");
  EXPECT_NE((*d)["location"].get<std::string>().find("udp"), std::string::npos);
}

TEST_F(TracerPaths, Ipv6PathsCarryIpv6Headers) {
  ASSERT_TRUE(eventually([&] { return topo_->exec("client", "ping -6 -c1 -W1 fd00:202::2").status == 0; },
                         std::chrono::seconds(6)));
  auto d = wait_path("icmp6 and src host fd00:202::1", [](const nlohmann::json& j) {
    return j["headers"]["ip"]["version"] == 6 && in_order(hook_names(j), {"net_dev_queue", "netif_receive_skb"});
  });
  ASSERT_TRUE(d);
  EXPECT_EQ((*d)["protocol"], "icmpv6");
  EXPECT_EQ((*d)["dst"], "fd00:202::2");
  auto hooks = hook_names(*d);
  EXPECT_TRUE(in_order(hooks, {"net_dev_queue", "net_dev_start_xmit", "netif_receive_skb", "fib6_table_lookup",
                               "consume_skb"}))
      << join(hooks);
  expect_monotonic(*d);
}

struct FilterCase {
  std::string expr;
  std::function<bool(const nlohmann::json&)> holds;  // every result must satisfy this
  bool expect_results;
};

TEST_F(TracerPaths, FilterExpressionsSelectTheRightPackets) {
  topo_->exec("client", "ping -c 2 -i 0.2 -q 10.202.0.2; for i in 1 2; do echo x > /dev/udp/10.202.0.2/9999; done");
  topo_->exec("client", "ping -6 -c 1 -W1 fd00:202::2");
  ASSERT_TRUE(eventually([&] { return !packets("udp and dst port 9999").empty(); }, std::chrono::seconds(5)));
  std::vector<FilterCase> cases = {
      {"icmp", [](const auto& p) { return p["protocol"] == "icmp" || p["protocol"] == "icmpv6"; }, true},
      {"udp and dst port 9999", [](const auto& p) { return p["protocol"] == "udp" && p["dport"] == 9999; }, true},
      {"udp and portrange 9000-9999", [](const auto& p) { return p["protocol"] == "udp"; }, true},
      {"src host 10.202.0.1 and not icmp", [](const auto& p) { return p["src"] == "10.202.0.1" && p["protocol"] != "icmp"; }, true},
      {"net 10.202.0.0/24 and (udp or icmp)", [](const auto& p) { return p["protocol"] == "udp" || p["protocol"] == "icmp"; }, true},
      {"ip6", [](const auto& p) { return p["src"].template get<std::string>().find(':') != std::string::npos; }, true},
      {"drop", [](const auto& p) { return p["dropped"] == true; }, true},
      {"tcp and port 1", [](const auto&) { return false; }, false},
  };
  for (const auto& c : cases) {
    auto got = packets(c.expr, 1000);
    if (c.expect_results) EXPECT_FALSE(got.empty()) << c.expr;
    else EXPECT_TRUE(got.empty()) << c.expr;
    for (const auto& p : got) EXPECT_TRUE(c.holds(p)) << c.expr << ": " << p.dump();
  }
  auto bad = daemon_->get("/api/v1/tracer/packets?filter=port%20http");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json()["error"]["code"], "bad_filter");
  EXPECT_NE(bad.json()["error"]["message"].get<std::string>().find("column"), std::string::npos) << bad.body;
  EXPECT_EQ(daemon_->get("/api/v1/tracer/packets/999999999").status, 404);
  EXPECT_EQ(daemon_->get("/api/v1/tracer/packets/abc").status, 400);
}

TEST_F(TracerPaths, TraceCliWritesPcapngThatTsharkReads) {
  std::string file = dir_ + "/trace.pcapng";
  std::string cmd = std::string(PS_BINARY) + " trace -c 4 -w " + file + " icmp and host 10.202.0.2";
  // Keeps sending until the tracer has what it waits for: loading it may take seconds on a
  // busy machine, and packets sent before it attached are not seen.
  std::atomic<bool> done{false};
  std::thread pinger([&] {
    for (int i = 0; i < 100 && !done; ++i) topo_->exec("client", "ping -c 1 -W 1 -q 10.202.0.2; sleep 0.2");
  });
  auto r = sh("timeout 20 " + cmd);
  done = true;
  pinger.join();
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("4 packets matched"), std::string::npos) << r.out;
  auto t = sh("tshark -r " + file + " -T fields -e frame.comment -e ip.src 2>/dev/null");
  ASSERT_EQ(t.status, 0) << t.out;
  int lines = 0, commented = 0;
  std::istringstream in(t.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.starts_with("Running as user")) continue;  // tshark's root notice
    ++lines;
    commented += line.find("packetscope:") != std::string::npos;
  }
  EXPECT_EQ(lines, 4) << t.out;
  EXPECT_EQ(commented, 4) << t.out;
}

TEST_F(TracerPaths, TraceCliPrintsTimelinesAndJson) {
  std::atomic<bool> done{false};  // sends until the tracer has seen its packets (see above)
  std::thread sender([&] {
    for (int i = 0; i < 150 && !done; ++i)
      topo_->exec("client", "echo x > /dev/udp/10.202.0.2/9998; sleep 0.1");
  });
  auto text = sh("timeout 20 " + std::string(PS_BINARY) + " trace -c 2 udp and dst port 9998");
  done = true;
  sender.join();
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("DROPPED NO_SOCKET"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("netif_receive_skb"), std::string::npos) << text.out;
  auto bad = sh(std::string(PS_BINARY) + " trace 'port http'");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("column"), std::string::npos) << bad.out;
}

TEST_F(TracerPaths, StreamSendsOnlyPathsMatchingTheClientsFilter) {
  auto port = daemon_->port();
  std::map<std::string, std::string> hdrs = {{"Authorization", "Bearer " + daemon_->token()}};
  auto ws = ws_connect(port, hdrs, std::chrono::milliseconds(5000), 400,
                       {R"({"type":"filter","topic":"tracer.path","expr":"port (80"})",
                        R"({"type":"nonsense"})",
                        R"({"type":"filter","topic":"tracer.path","expr":"UDP and dst port 9997"})",
                        R"({"type":"unsubscribe","topic":"tracer.path"})",
                        R"({"type":"filter","topic":"tracer.path","expr":"UDP and dst port 9997"})"},
                       [&] {
                         std::this_thread::sleep_for(std::chrono::milliseconds(300));
                         topo_->exec("client",
                                     "ping -c 2 -i 0.2 -q 10.202.0.2; "
                                     "for i in 1 2 3; do echo x > /dev/udp/10.202.0.2/9997; done; "
                                     "echo y > /dev/udp/10.202.0.2/9996");
                       });
  ASSERT_EQ(ws.status, 101);
  std::vector<nlohmann::json> errors, acks, paths;
  for (const auto& f : ws.frames) {
    auto j = nlohmann::json::parse(f, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << f;
    if (j["type"] == "error") errors.push_back(j);
    if (j["type"] == "filter") acks.push_back(j);
    // Paths queued before the filter took effect (e.g. this connection's own handshake) come
    // before its acknowledgement.
    if (j["type"] == "tracer.path" && !acks.empty()) paths.push_back(j);
  }
  ASSERT_EQ(errors.size(), 2u) << ws.frames.size();
  EXPECT_EQ(errors[0]["data"]["code"], "bad_filter");
  EXPECT_NE(errors[0]["data"]["message"].get<std::string>().find("column"), std::string::npos);
  EXPECT_EQ(errors[1]["data"]["code"], "bad_request");
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1]["data"]["expr"], "udp and dst port 9997");
  // Every path after the filter was set is a UDP packet to 9997 (the client's 3 datagrams and
  // nothing else: no ICMP, no port 9996).
  int to_9997 = 0;
  for (const auto& p : paths) {
    EXPECT_EQ(p["data"]["protocol"], "udp") << p.dump();
    EXPECT_EQ(p["data"]["dport"], 9997) << p.dump();
    to_9997 += p["data"]["dport"] == 9997;
  }
  EXPECT_GE(to_9997, 3);
}

// A listener bound to 0.0.0.0: its packets are addressed to 127.0.0.1, never to "0.0.0.0", so
// the socket query must match it by port. The daemon lists the sockets of its own (the host's)
// namespace, so the listener and its client are here, on loopback, and not in the topology.
TEST_F(TracerPaths, SocketQueryFindsAWildcardListenersPackets) {
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  };
  Fd listener{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;  // 0.0.0.0, port 0: the kernel picks a free one
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(listener.fd, 4), 0);
  ASSERT_EQ(::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  auto sockets = daemon_->get("/api/v1/sockets?proto=tcp").json();
  std::string cookie;
  for (const auto& s : sockets["items"])
    if (s["local_port"] == port && s["state"] == "LISTEN" && s["local_addr"] == "0.0.0.0") cookie = s["cookie_hex"];
  ASSERT_FALSE(cookie.empty()) << "listener on 0.0.0.0:" << port << " not in " << sockets.dump();

  Fd client{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(client.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  Fd server{::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC)};
  ASSERT_GE(server.fd, 0);
  char buf[16];
  ASSERT_EQ(::send(client.fd, "hello", 5, 0), 5);
  ASSERT_EQ(::recv(server.fd, buf, sizeof(buf), 0), 5);
  ASSERT_EQ(::send(server.fd, "ok", 2, 0), 2);
  ASSERT_EQ(::recv(client.fd, buf, sizeof(buf), 0), 2);

  // Both directions of the connection: data to the port, and the answers from it.
  const std::string q = "/api/v1/tracer/packets?limit=1000&socket=" + cookie;
  nlohmann::json items;
  auto has = [&](const char* key) {
    return std::any_of(items.begin(), items.end(), [&](const auto& p) { return p[key] == port; });
  };
  EXPECT_TRUE(eventually(
      [&] {
        auto r = daemon_->get(q);
        items = r.status == 200 ? r.json()["items"] : nlohmann::json::array();
        return has("dport") && has("sport");
      },
      std::chrono::seconds(6), std::chrono::milliseconds(300)))
      << items.dump();
  for (const auto& p : items) {
    EXPECT_EQ(p["protocol"], "tcp") << p.dump();
    EXPECT_TRUE(p["sport"] == port || p["dport"] == port) << p.dump();
    EXPECT_EQ(p["src"].get<std::string>().find(':'), std::string::npos) << "an IPv4 listener: " << p.dump();
  }
  EXPECT_EQ(daemon_->get("/api/v1/tracer/packets?socket=18446744073709551615").status, 400)
      << "no such socket is the caller's mistake";
}

TEST_F(TracerPaths, DeliveredUdpEndsImplicitlyAndRecycledSkbsNeverMixPaths) {
  topo_->exec("server",
              "python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
              "s.bind((str(), 7300)); [s.recv(100) for _ in range(20)]\" >/dev/null 2>&1 &");
  ASSERT_TRUE(eventually([&] { return topo_->exec("server", "ss -Hlun | grep -q :7300").status == 0; },
                         std::chrono::seconds(5)));
  // Loopback traffic in the background recycles skbs while the datagrams travel (200 paths:
  // within the daemon's default store rate of 500/s).
  topo_->exec("client", "ping -f -c 100 -q 127.0.0.1 >/dev/null 2>&1 & "
                        "for i in $(seq 1 20); do echo d$i > /dev/udp/10.202.0.2/7300; done; wait");
  // UDP copies linear datagrams to the reader without a traced copy and frees them later
  // (deferred free, traced or not): the path is delivered, not dropped, and ends at the local
  // route decision, the copy, or a later consume_skb; when nothing traced ends it, the kernel
  // or user space's idle sweep flags it (see below).
  auto d = wait_path("udp and dst port 7300", [](const nlohmann::json& j) { return j["dropped"] == false; });
  ASSERT_TRUE(d) << "no delivered UDP path; UDP paths to 7300: " << nlohmann::json(packets("udp and dst port 7300")).dump();
  auto hooks = hook_names(*d);
  EXPECT_TRUE(in_order(hooks, {"net_dev_queue", "netif_receive_skb", "fib_table_lookup"})) << join(hooks);
  const std::string end = hooks.back();
  EXPECT_TRUE(end == "fib_table_lookup" || end == "skb_copy_datagram_iovec" || end == "consume_skb") << join(hooks);
  // Without a traced end: flagged by the idle sweep (end_implicit) or, when its address came
  // back as a new packet first, by the kernel (end_unseen).
  if (end != "consume_skb") {
    const std::string flags = (*d)["flags"].dump();
    EXPECT_TRUE(flags.find("end_implicit") != std::string::npos || flags.find("end_unseen") != std::string::npos)
        << d->dump();
  }
  EXPECT_EQ((*d)["reason"], nullptr);
  // No stored path continues after its packet reached a socket, and every path keeps one
  // direction of one flow: a recycled skb address starts a new path instead.
  const std::set<std::string> entry = {"net_dev_queue", "netif_rx", "netif_receive_skb", "napi_gro_receive_entry"};
  int checked = 0;
  for (const auto& p : packets("", 1000)) {
    auto det = detail(p["id"]);
    bool at_socket = false;
    for (const auto& h : hook_names(det)) {
      if (at_socket) {
        EXPECT_EQ(entry.count(h), 0u) << "path " << p["id"] << ": " << join(hook_names(det));
      }
      at_socket |= h == "skb_copy_datagram_iovec" || h == "tcp_rcv";
    }
    if (++checked >= 300) break;
  }
  EXPECT_GT(checked, 20);
}

// tracer_path_rate is enforced in the kernel before any per-packet state exists: a ping flood of
// 2 x 1000 packets is followed at most at the configured rate, and the rest are counted.
TEST_F(TracerPaths, PathRateLimitCapsFollowedPacketsInTheKernel) {
  daemon_.reset();
  std::filesystem::create_directories(dir_ + "/rate");
  daemon_ = std::make_unique<Daemon>(dir_ + "/rate", std::vector<std::string>{"--tracer-path-rate", "100"});
  ASSERT_TRUE(daemon_->start()) << daemon_->log();
  auto before = daemon_->get("/api/v1/tracer/stats").json();
  ASSERT_TRUE(before.is_object()) << before.dump();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(topo_->exec("client", "ping -c 1000 -i 0.001 -q 10.202.0.2").status, 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json after;
  eventually([&] {
    after = daemon_->get("/api/v1/tracer/stats").json();
    return after.is_object() && after["paths_rate_limited"].get<uint64_t>() > before["paths_rate_limited"].get<uint64_t>();
  }, std::chrono::seconds(5));
  const uint64_t limited = after["paths_rate_limited"].get<uint64_t>() - before["paths_rate_limited"].get<uint64_t>();
  // At most 100 per second (split over CPUs) of the 2000 packets, over the flood's seconds.
  const double admitted_max = 100 * (secs + 2);
  EXPECT_GE(static_cast<double>(limited), 2000 - admitted_max) << after.dump() << " flood took " << secs << " s";
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto kept = packets("icmp and host 10.202.0.2", 1000);
  EXPECT_GE(kept.size(), 1u);
  EXPECT_LE(static_cast<double>(kept.size()), admitted_max) << "flood took " << secs << " s";
}

}  // namespace
}  // namespace pscope::e2e
