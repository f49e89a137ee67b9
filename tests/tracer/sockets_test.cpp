// Socket table: /proc owner scanning on a fake tree, JSON shape, and — as root — a live namespace
// with real sockets. The parsers have their own tests in sockets_parse_test.cpp.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "core/fd.h"
#include "tracer/sockets.h"

namespace pscope::tracer {
namespace {

namespace fs = std::filesystem;

class SocketOwnersScan : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("ps-sock-proc-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    process(100, "nginx", {{"3", "socket:[123]"}, {"4", "socket:[123]"}, {"5", "pipe:[9]"}, {"6", "socket:[77]"}});
    process(200, "sshd", {{"0", "socket:[456]"}, {"1", "socket:[123]"}, {"2", "socket:[12x]"}, {"7", "/dev/null"}});
    fs::create_directories(root_ / "300");  // no fd directory: skipped
    fs::create_directories(root_ / "abc" / "fd");
    fs::create_symlink("socket:[999]", root_ / "abc" / "fd" / "1");  // not a pid
    fs::create_directory_symlink(root_ / "100", root_ / "self");
  }
  void TearDown() override { fs::remove_all(root_); }

  void process(int pid, const std::string& comm, const std::vector<std::pair<std::string, std::string>>& fds) {
    fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir / "fd");
    std::ofstream(dir / "comm") << comm << "\n";
    for (const auto& [fd, target] : fds) fs::create_symlink(target, dir / "fd" / fd);
  }

  fs::path root_;
};

TEST_F(SocketOwnersScan, FindsSocketLinksPerProcess) {
  auto owners = scan_socket_owners(nullptr, root_.string());
  ASSERT_EQ(owners.count(123), 1u);
  using Owner = std::pair<int32_t, std::string>;
  EXPECT_EQ(owners[123], (std::vector<Owner>{{100, "nginx"}, {200, "sshd"}}));  // one entry per process
  EXPECT_EQ(owners[456], (std::vector<Owner>{{200, "sshd"}}));
  EXPECT_EQ(owners[77], (std::vector<Owner>{{100, "nginx"}}));
  EXPECT_EQ(owners.count(999), 0u);
  EXPECT_EQ(owners.size(), 3u);
}

TEST_F(SocketOwnersScan, KeepsOnlyWantedInodes) {
  std::unordered_set<uint64_t> wanted{456};
  auto owners = scan_socket_owners(&wanted, root_.string());
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[456].at(0).first, 200);
  EXPECT_TRUE(scan_socket_owners(nullptr, (root_ / "missing").string()).empty());
}

TEST(SocketJson, ShapeAndCookiePrecision) {
  SocketInfo s;
  s.proto = "tcp";
  s.family = 6;
  s.state = "ESTABLISHED";
  s.local_addr = "::1";
  s.local_port = 80;
  s.cookie = (1ULL << 60) + 1;
  s.owners = {{42, "curl"}};
  auto j = to_json(s);
  for (const char* k : {"proto", "family", "state", "local_addr", "local_port", "remote_addr", "remote_port",
                        "rx_queue", "tx_queue", "inode", "uid", "ifindex", "cookie", "cookie_hex", "congestion",
                        "owners", "tcp", "source"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["source"], "netlink");
  EXPECT_EQ(j["cookie"].get<uint64_t>(), (1ULL << 60) + 1);
  EXPECT_EQ(j["cookie_hex"], "0x1000000000000001");
  EXPECT_TRUE(j["tcp"].is_null());
  EXPECT_EQ(j["owners"][0]["pid"], 42);
  EXPECT_EQ(j["owners"][0]["comm"], "curl");
  s.tcp = TcpInfoLite{};
  s.tcp->srtt_us = 250;
  s.tcp->pacing_rate = UINT64_MAX;
  j = to_json(s);
  EXPECT_EQ(j["tcp"]["srtt_us"], 250);
  EXPECT_TRUE(j["tcp"]["pacing_rate"].is_null());  // unlimited
}

TEST(SocketNetns, BadNamespacePathsAreClearErrors) {
  auto missing = list_sockets_in_netns("/nonexistent/netns");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().what.find("/nonexistent/netns"), std::string::npos) << missing.error().what;
  auto not_ns = list_sockets_in_netns("/proc/self/status");
  ASSERT_FALSE(not_ns);
  EXPECT_NE(not_ns.error().what.find("not a network namespace"), std::string::npos) << not_ns.error().what;
}

// ---- Live: a fresh network namespace with real sockets (root only) ----

class LiveSocketTable : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: creates a network namespace (ip netns add)";
    name_ = "ps-sock-" + std::to_string(::getpid());
    path_ = "/run/netns/" + name_;
    (void)std::system(("ip netns del " + name_ + " 2>/dev/null").c_str());
    ASSERT_EQ(std::system(("ip netns add " + name_ + " && ip -n " + name_ + " link set lo up").c_str()), 0)
        << "could not create network namespace " << name_;
    created_ = true;
  }
  void TearDown() override {
    fds_.clear();
    if (created_) (void)std::system(("ip netns del " + name_).c_str());
  }

  // Runs fn in a thread that joined the namespace: the sockets it creates live there, while the
  // fds belong to this process (so it shows up as their owner).
  void in_netns(const std::function<void()>& fn) {
    std::thread t([&] {
      UniqueFd ns(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
      ASSERT_TRUE(ns.valid() && ::setns(ns.get(), CLONE_NEWNET) == 0) << std::strerror(errno);
      fn();
    });
    t.join();
  }
  int keep(int fd) {
    EXPECT_GE(fd, 0) << std::strerror(errno);
    fds_.emplace_back(fd);
    return fd;
  }
  static uint16_t local_port(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in&>(ss).sin_port
                                         : reinterpret_cast<sockaddr_in6&>(ss).sin6_port);
  }
  static sockaddr_in6 v6(const char* a, uint16_t port) {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    s.sin6_port = htons(port);
    inet_pton(AF_INET6, a, &s.sin6_addr);
    return s;
  }
  static sockaddr_in v4(const char* a, uint16_t port) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    s.sin_port = htons(port);
    inet_pton(AF_INET, a, &s.sin_addr);
    return s;
  }
  template <class A>
  int tcp(const A& addr, bool listen) {
    int fd = keep(::socket(sizeof(A) == sizeof(sockaddr_in) ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    auto* sa = reinterpret_cast<const sockaddr*>(&addr);
    if (listen) EXPECT_EQ(::bind(fd, sa, sizeof(addr)) || ::listen(fd, 8), 0) << std::strerror(errno);
    else EXPECT_EQ(::connect(fd, sa, sizeof(addr)), 0) << std::strerror(errno);
    return fd;
  }
  // 127.0.0.1 and [::1] listeners, a v4 pair with traffic, a v4-mapped IPv6 client, a UDP socket.
  void open_sockets() {
    in_netns([&] {
      int l4 = tcp(v4("127.0.0.1", 0), true);
      p_l4_ = local_port(l4);
      int c = tcp(v4("127.0.0.1", p_l4_), false);
      p_client_ = local_port(c);
      int a = keep(::accept4(l4, nullptr, nullptr, SOCK_CLOEXEC));
      std::vector<char> data(32 * 1024, 'x');
      for (int i = 0; i < 8; ++i) {  // round trips so the kernel has rtt samples
        ASSERT_EQ(::send(c, data.data(), data.size(), 0), static_cast<ssize_t>(data.size()));
        size_t got = 0;
        while (got < data.size()) {
          ssize_t n = ::recv(a, data.data(), data.size() - got, 0);
          ASSERT_GT(n, 0) << std::strerror(errno);
          got += static_cast<size_t>(n);
        }
        ASSERT_EQ(::send(a, "k", 1, 0), 1);
        ASSERT_EQ(::recv(c, data.data(), 1, 0), 1);
      }
      p_l6_ = local_port(tcp(v6("::1", 0), true));
      p_mapped_ = local_port(tcp(v6("::ffff:127.0.0.1", p_l4_), false));
      keep(::accept4(l4, nullptr, nullptr, SOCK_CLOEXEC));
      int u = keep(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      auto ua = v4("127.0.0.1", 0);
      EXPECT_EQ(::bind(u, reinterpret_cast<sockaddr*>(&ua), sizeof(ua)), 0);
      p_udp_ = local_port(u);
    });
  }
  static const SocketInfo* find(const std::vector<SocketInfo>& v, std::string_view proto, std::string_view addr,
                                uint16_t port, std::string_view state) {
    auto it = std::find_if(v.begin(), v.end(), [&](const SocketInfo& s) {
      return s.proto == proto && s.local_addr == addr && s.local_port == port && s.state == state;
    });
    return it == v.end() ? nullptr : &*it;
  }
  static bool owned_by_us(const SocketInfo& s) {
    return std::any_of(s.owners.begin(), s.owners.end(), [](const auto& o) { return o.first == ::getpid(); });
  }

  std::string name_, path_;
  bool created_ = false;
  std::vector<UniqueFd> fds_;
  uint16_t p_l4_ = 0, p_client_ = 0, p_l6_ = 0, p_mapped_ = 0, p_udp_ = 0;
};

TEST_F(LiveSocketTable, ReportsSocketsOfTheNamespace) {
  open_sockets();
  SocketQuery q;
  q.raw = false;
  auto socks = list_sockets_in_netns(path_, q);
  ASSERT_TRUE(socks) << socks.error().what;
  EXPECT_EQ(std::count_if(socks->begin(), socks->end(), [](auto& s) { return s.proto == "tcp"; }), 6);
  EXPECT_EQ(std::count_if(socks->begin(), socks->end(), [](auto& s) { return s.proto == "udp"; }), 1);
  EXPECT_TRUE(std::is_sorted(socks->begin(), socks->end(), [](const SocketInfo& a, const SocketInfo& b) {
    return std::make_pair(a.proto == "udp", a.local_port) < std::make_pair(b.proto == "udp", b.local_port);
  }));

  const auto* l4 = find(*socks, "tcp", "127.0.0.1", p_l4_, "LISTEN");
  ASSERT_NE(l4, nullptr);
  EXPECT_EQ(l4->family, 4);
  EXPECT_TRUE(owned_by_us(*l4));
  EXPECT_NE(l4->inode, 0u);
  EXPECT_NE(l4->cookie, 0u);

  const auto* est = find(*socks, "tcp", "127.0.0.1", p_client_, "ESTABLISHED");
  ASSERT_NE(est, nullptr);
  EXPECT_EQ(est->remote_addr, "127.0.0.1");
  EXPECT_EQ(est->remote_port, p_l4_);
  EXPECT_TRUE(owned_by_us(*est));
  ASSERT_TRUE(est->tcp.has_value());
  EXPECT_GT(est->tcp->srtt_us, 0u);
  EXPECT_GT(est->tcp->snd_cwnd, 0u);
  EXPECT_GE(est->tcp->bytes_acked, 8u * 32 * 1024);
  EXPECT_FALSE(est->congestion.empty());

  const auto* l6 = find(*socks, "tcp", "::1", p_l6_, "LISTEN");
  ASSERT_NE(l6, nullptr);
  EXPECT_EQ(l6->family, 6);

  const auto* mapped = find(*socks, "tcp", "::ffff:127.0.0.1", p_mapped_, "ESTABLISHED");
  ASSERT_NE(mapped, nullptr);
  EXPECT_EQ(mapped->family, 6);
  EXPECT_EQ(mapped->remote_addr, "::ffff:127.0.0.1");
  EXPECT_EQ(mapped->remote_port, p_l4_);

  const auto* udp = find(*socks, "udp", "127.0.0.1", p_udp_, "UNCONN");
  ASSERT_NE(udp, nullptr);
  EXPECT_FALSE(udp->tcp.has_value());
  EXPECT_TRUE(owned_by_us(*udp));
}

TEST_F(LiveSocketTable, ListeningAndFamilyFilters) {
  open_sockets();
  SocketQuery q;
  q.raw = false;
  q.listening_only = true;
  auto socks = list_sockets_in_netns(path_, q);
  ASSERT_TRUE(socks) << socks.error().what;
  EXPECT_EQ(socks->size(), 3u);  // two TCP listeners and the UDP socket
  for (const auto& s : *socks) EXPECT_TRUE(s.state == "LISTEN" || s.state == "UNCONN") << s.state;
  EXPECT_NE(find(*socks, "tcp", "::1", p_l6_, "LISTEN"), nullptr);

  SocketQuery v6_tcp;
  v6_tcp.udp = v6_tcp.raw = false;
  v6_tcp.v4 = false;
  auto six = list_sockets_in_netns(path_, v6_tcp);
  ASSERT_TRUE(six) << six.error().what;
  EXPECT_EQ(six->size(), 2u);  // the [::1] listener and the v4-mapped client
  for (const auto& s : *six) EXPECT_EQ(s.family, 6);
}

// Whether the kernel answers raw sock_diag dumps (CONFIG_INET_RAW_DIAG). Without it the table
// comes from /proc/net/raw{,6}, so the test knows which source to expect on this machine.
bool kernel_has_raw_diag() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  timeval tv{5, 0};
  EXPECT_TRUE(fd.valid() && ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  auto req = build_inet_diag_request(AF_INET, IPPROTO_RAW, ~0u, 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  EXPECT_EQ(::sendto(fd.get(), req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)),
            static_cast<ssize_t>(req.size()));
  std::vector<uint8_t> buf(1 << 20);
  ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), 0);
  EXPECT_GT(n, 0) << std::strerror(errno);
  auto r = parse_inet_diag_chunk(std::span(buf.data(), n > 0 ? static_cast<size_t>(n) : 0), "raw");
  return r || (r.error().code != -ENOENT && r.error().code != -EOPNOTSUPP);
}

TEST_F(LiveSocketTable, RawIcmpSocket) {
  // A raw socket of an unassigned protocol in the test's own namespace: it must not show up in
  // the listing of the other one (the fallback reads /proc/thread-self/net, not /proc/self/net).
  constexpr int kHostOnlyProto = 253;  // RFC 3692 experimental
  keep(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, kHostOnlyProto));
  in_netns([&] {
    keep(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
    keep(::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  });
  const std::string source = kernel_has_raw_diag() ? "netlink" : "proc";
  auto every = list_sockets_in_netns(path_, SocketQuery{});
  ASSERT_TRUE(every) << every.error().what;
  EXPECT_NE(find(*every, "raw", "0.0.0.0", IPPROTO_ICMP, "UNCONN"), nullptr) << "all protocols include raw";
  SocketQuery q;
  q.tcp = q.udp = false;
  auto socks = list_sockets_in_netns(path_, q);
  ASSERT_TRUE(socks) << socks.error().what;
  EXPECT_EQ(socks->size(), 2u);  // ours only: the kernel's own ICMP/NDISC sockets are unhashed
  const auto* icmp = find(*socks, "raw", "0.0.0.0", IPPROTO_ICMP, "UNCONN");
  const auto* icmp6 = find(*socks, "raw", "::", IPPROTO_ICMPV6, "UNCONN");
  ASSERT_NE(icmp, nullptr);
  ASSERT_NE(icmp6, nullptr);
  for (const auto* s : {icmp, icmp6}) {
    EXPECT_EQ(s->source, source) << s->local_port;
    EXPECT_TRUE(owned_by_us(*s)) << s->local_port;
    EXPECT_NE(s->inode, 0u);
    EXPECT_EQ(s->uid, ::geteuid());
  }
  EXPECT_EQ(icmp->family, 4);
  EXPECT_EQ(icmp6->family, 6);
  EXPECT_TRUE(std::none_of(socks->begin(), socks->end(), [](auto& s) { return s.local_port == kHostOnlyProto; }));
}

TEST_F(LiveSocketTable, CliPrintsJson) {
  std::error_code ec;
  fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path() / ".." / ".." / "packetscope";
  if (ec || !fs::exists(bin)) GTEST_SKIP() << "packetscope binary not built next to the tests (" << bin << ")";
  open_sockets();
  std::string out;
  FILE* p = ::popen((bin.string() + " sockets --tcp --netns " + path_ + " --json").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), p)) > 0;) out.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << out;
  EXPECT_EQ(j.size(), 6u);
  EXPECT_TRUE(std::any_of(j.begin(), j.end(), [&](const auto& s) {
    return s["local_port"] == p_l4_ && s["state"] == "LISTEN" && s["tcp"].is_object();
  })) << out;
}

}  // namespace
}  // namespace pscope::tracer
