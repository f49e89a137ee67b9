// find_socket (one socket by cookie, no /proc scan) and SocketQuery::owners, on real sockets of
// the test's own network namespace: sock_diag answers unprivileged callers about their own
// namespace, so these run without root.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/fd.h"
#include "tracer/sockets.h"

namespace pscope::tracer {
namespace {

class SocketLookup : public ::testing::Test {
 protected:
  // A socket of `type` bound to `addr` port 0 (TCP: listening); its port goes to *port.
  template <class Addr>
  int open_bound(int family, int type, Addr addr, uint16_t* port) {
    UniqueFd fd(::socket(family, type | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return -1;
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if (::bind(fd.get(), sa, sizeof(addr)) != 0) return -1;
    if (type == SOCK_STREAM && ::listen(fd.get(), 4) != 0) return -1;
    socklen_t len = sizeof(addr);
    ::getsockname(fd.get(), sa, &len);
    *port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(sa)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(sa)->sin6_port);
    fds_.push_back(std::move(fd));
    return fds_.back().get();
  }
  int v4(int type, const char* a, uint16_t* port) {
    sockaddr_in s{};
    s.sin_family = AF_INET;
    inet_pton(AF_INET, a, &s.sin_addr);
    return open_bound(AF_INET, type, s, port);
  }
  int v6(int type, const char* a, uint16_t* port) {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    inet_pton(AF_INET6, a, &s.sin6_addr);
    return open_bound(AF_INET6, type, s, port);
  }

  // The cookie the socket table gives the socket (proto, local port, state).
  static uint64_t cookie_of(const std::vector<SocketInfo>& socks, std::string_view proto, uint16_t port,
                            std::string_view state) {
    for (const auto& s : socks)
      if (s.proto == proto && s.local_port == port && s.state == state) return s.cookie;
    return 0;
  }

  std::vector<UniqueFd> fds_;
};

TEST_F(SocketLookup, FindsTcpAndUdpSocketsByCookie) {
  uint16_t p_listen = 0, p_udp = 0, p_client = 0;
  int l = v4(SOCK_STREAM, "127.0.0.1", &p_listen);
  ASSERT_GE(l, 0) << std::strerror(errno);
  ASSERT_GE(v4(SOCK_DGRAM, "0.0.0.0", &p_udp), 0) << std::strerror(errno);
  // A connected client: found with its peer.
  UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(p_listen);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  ASSERT_EQ(::connect(c.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0) << std::strerror(errno);
  sockaddr_in me{};
  socklen_t len = sizeof(me);
  ::getsockname(c.get(), reinterpret_cast<sockaddr*>(&me), &len);
  p_client = ntohs(me.sin_port);

  SocketQuery q;
  q.raw = false;
  auto socks = list_sockets(q);
  ASSERT_TRUE(socks) << socks.error().what;
  uint64_t k_listen = cookie_of(*socks, "tcp", p_listen, "LISTEN");
  uint64_t k_udp = cookie_of(*socks, "udp", p_udp, "UNCONN");
  uint64_t k_client = cookie_of(*socks, "tcp", p_client, "ESTABLISHED");
  ASSERT_NE(k_listen, 0u);
  ASSERT_NE(k_udp, 0u);
  ASSERT_NE(k_client, 0u);

  auto listener = find_socket(k_listen);
  ASSERT_TRUE(listener) << listener.error().what;
  ASSERT_TRUE(listener->has_value());
  EXPECT_EQ((*listener)->proto, "tcp");
  EXPECT_EQ((*listener)->state, "LISTEN");
  EXPECT_EQ((*listener)->local_addr, "127.0.0.1");
  EXPECT_EQ((*listener)->local_port, p_listen);
  EXPECT_EQ((*listener)->cookie, k_listen);
  EXPECT_TRUE((*listener)->owners.empty()) << "find_socket does not scan /proc";
  EXPECT_FALSE((*listener)->tcp.has_value()) << "nor ask for tcp_info";

  auto client = find_socket(k_client);
  ASSERT_TRUE(client && client->has_value());
  EXPECT_EQ((*client)->remote_addr, "127.0.0.1");
  EXPECT_EQ((*client)->remote_port, p_listen);

  auto udp = find_socket(k_udp);
  ASSERT_TRUE(udp && udp->has_value());
  EXPECT_EQ((*udp)->proto, "udp");
  EXPECT_EQ((*udp)->local_addr, "0.0.0.0");
  EXPECT_EQ((*udp)->local_port, p_udp);
}

TEST_F(SocketLookup, FindsIpv6Sockets) {
  uint16_t port = 0;
  if (v6(SOCK_STREAM, "::", &port) < 0) GTEST_SKIP() << "no IPv6 here: " << std::strerror(errno);
  SocketQuery q;
  q.udp = q.raw = false;
  q.v4 = false;
  auto socks = list_sockets(q);
  ASSERT_TRUE(socks) << socks.error().what;
  uint64_t cookie = cookie_of(*socks, "tcp", port, "LISTEN");
  ASSERT_NE(cookie, 0u);
  auto s = find_socket(cookie);
  ASSERT_TRUE(s && s->has_value());
  EXPECT_EQ((*s)->family, 6);
  EXPECT_EQ((*s)->local_addr, "::");
}

TEST_F(SocketLookup, ClosedAndUnknownCookiesAreNotFound) {
  uint16_t port = 0;
  ASSERT_GE(v4(SOCK_DGRAM, "127.0.0.1", &port), 0) << std::strerror(errno);
  auto socks = list_sockets(SocketQuery{});
  ASSERT_TRUE(socks) << socks.error().what;
  uint64_t cookie = cookie_of(*socks, "udp", port, "UNCONN");
  ASSERT_NE(cookie, 0u);
  fds_.clear();  // closes it
  auto gone = find_socket(cookie);
  ASSERT_TRUE(gone) << gone.error().what;
  EXPECT_FALSE(gone->has_value());
  for (uint64_t never : {uint64_t{0}, UINT64_MAX}) {
    auto none = find_socket(never);
    ASSERT_TRUE(none) << none.error().what;
    EXPECT_FALSE(none->has_value()) << never;
  }
}

TEST_F(SocketLookup, ListingWithoutOwnersSkipsTheProcScan) {
  uint16_t port = 0;
  ASSERT_GE(v4(SOCK_STREAM, "127.0.0.1", &port), 0) << std::strerror(errno);
  SocketQuery q;
  q.udp = q.raw = false;
  auto with = list_sockets(q);
  q.owners = false;
  auto without = list_sockets(q);
  ASSERT_TRUE(with && without);
  auto mine = [&](const std::vector<SocketInfo>& v) {
    return std::find_if(v.begin(), v.end(), [&](const SocketInfo& s) { return s.local_port == port; });
  };
  auto a = mine(*with), b = mine(*without);
  ASSERT_TRUE(a != with->end() && b != without->end());
  EXPECT_TRUE(std::any_of(a->owners.begin(), a->owners.end(), [](const auto& o) { return o.first == ::getpid(); }));
  EXPECT_TRUE(b->owners.empty());
  EXPECT_EQ(a->cookie, b->cookie);
}

}  // namespace
}  // namespace pscope::tracer
