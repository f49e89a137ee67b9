// Socket table parsers: the sock_diag decoder on crafted (and hostile) netlink buffers, the
// request builder, and the /proc/net/raw{,6} fallback parser on this machine's real rows.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <string>

#include "tracer/sockets.h"

namespace pscope::tracer {
namespace {

using namespace std::string_view_literals;

// ---- A small builder for netlink answers, as the kernel would send them ----

class NlBuilder {
 public:
  size_t begin(uint16_t type) {
    size_t at = buf_.size();
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = NLM_F_MULTI;
    put(&h, sizeof(h));
    return at;
  }
  void put(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void align() { buf_.resize(NLMSG_ALIGN(buf_.size()), 0); }
  void attr(uint16_t type, const void* p, size_t n) {
    rtattr a{static_cast<unsigned short>(RTA_LENGTH(n)), type};
    put(&a, sizeof(a));
    put(p, n);
    align();
  }
  void end(size_t at) {
    uint32_t len = static_cast<uint32_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &len, sizeof(len));
  }
  void done(int32_t err = 0) {
    size_t at = begin(NLMSG_DONE);
    put(&err, sizeof(err));
    end(at);
  }
  void error(int32_t err) {
    size_t at = begin(NLMSG_ERROR);
    nlmsgerr e{};
    e.error = err;
    put(&e, sizeof(e));
    end(at);
  }
  std::vector<uint8_t>& bytes() { return buf_; }

 private:
  std::vector<uint8_t> buf_;
};

inet_diag_msg diag_msg(uint8_t af, uint8_t state, const char* src, uint16_t sport, const char* dst, uint16_t dport) {
  inet_diag_msg m{};
  m.idiag_family = af;
  m.idiag_state = state;
  inet_pton(af, src, m.id.idiag_src);
  inet_pton(af, dst, m.id.idiag_dst);
  m.id.idiag_sport = htons(sport);
  m.id.idiag_dport = htons(dport);
  return m;
}

// One TCP v4 ESTABLISHED record with tcp_info and "cubic", then NLMSG_DONE.
std::vector<uint8_t> good_tcp_v4(size_t tcp_info_len = sizeof(tcp_info)) {
  NlBuilder b;
  size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
  auto m = diag_msg(AF_INET, 1, "10.0.0.1", 443, "10.0.0.2", 50000);
  m.idiag_rqueue = 3;
  m.idiag_wqueue = 4;
  m.idiag_uid = 1000;
  m.idiag_inode = 12345;
  m.id.idiag_if = 2;
  m.id.idiag_cookie[0] = 0x89abcdef;
  m.id.idiag_cookie[1] = 0x01234567;
  b.put(&m, sizeof(m));
  tcp_info ti{};
  ti.tcpi_rtt = 1500;
  ti.tcpi_rttvar = 300;
  ti.tcpi_snd_cwnd = 10;
  ti.tcpi_retransmits = 1;
  ti.tcpi_total_retrans = 3;
  ti.tcpi_delivery_rate = 125'000'000;
  ti.tcpi_bytes_acked = 4096;
  b.attr(INET_DIAG_INFO, &ti, tcp_info_len);
  b.attr(INET_DIAG_CONG, "cubic", 6);
  b.end(at);
  b.done();
  return b.bytes();
}

TEST(SocketParse, TcpV4WithTcpInfoAndCongestion) {
  auto buf = good_tcp_v4();
  auto chunk = parse_inet_diag_chunk(buf, "tcp");
  ASSERT_TRUE(chunk) << chunk.error().what;
  EXPECT_TRUE(chunk->done);
  ASSERT_EQ(chunk->sockets.size(), 1u);
  const auto& s = chunk->sockets[0];
  EXPECT_EQ(s.proto, "tcp");
  EXPECT_EQ(s.family, 4);
  EXPECT_EQ(s.state, "ESTABLISHED");
  EXPECT_EQ(s.local_addr, "10.0.0.1");
  EXPECT_EQ(s.local_port, 443);
  EXPECT_EQ(s.remote_addr, "10.0.0.2");
  EXPECT_EQ(s.remote_port, 50000);
  EXPECT_EQ(s.rx_queue, 3u);
  EXPECT_EQ(s.tx_queue, 4u);
  EXPECT_EQ(s.uid, 1000u);
  EXPECT_EQ(s.inode, 12345u);
  EXPECT_EQ(s.ifindex, 2u);
  EXPECT_EQ(s.cookie, 0x0123456789abcdefULL);
  EXPECT_EQ(s.congestion, "cubic");
  ASSERT_TRUE(s.tcp.has_value());
  EXPECT_EQ(s.tcp->srtt_us, 1500u);
  EXPECT_EQ(s.tcp->rttvar_us, 300u);
  EXPECT_EQ(s.tcp->snd_cwnd, 10u);
  EXPECT_EQ(s.tcp->retransmits, 1u);
  EXPECT_EQ(s.tcp->total_retrans, 3u);
  EXPECT_EQ(s.tcp->delivery_rate, 125'000'000u);
  EXPECT_EQ(s.tcp->bytes_acked, 4096u);
}

TEST(SocketParse, ShortTcpInfoFromOlderKernelLeavesNewerFieldsZero) {
  // 104 bytes: tcp_info as of Linux 4.1, before bytes_acked and delivery_rate.
  auto chunk = parse_inet_diag_chunk(good_tcp_v4(104), "tcp");
  ASSERT_TRUE(chunk) << chunk.error().what;
  ASSERT_TRUE(chunk->sockets.at(0).tcp.has_value());
  EXPECT_EQ(chunk->sockets[0].tcp->srtt_us, 1500u);
  EXPECT_EQ(chunk->sockets[0].tcp->bytes_acked, 0u);
  EXPECT_EQ(chunk->sockets[0].tcp->delivery_rate, 0u);
}

TEST(SocketParse, Ipv6AndIpv4MappedAddresses) {
  NlBuilder b;
  size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
  auto m = diag_msg(AF_INET6, 1, "2001:db8::1", 8443, "::ffff:192.0.2.7", 40000);
  b.put(&m, sizeof(m));
  b.end(at);
  at = b.begin(SOCK_DIAG_BY_FAMILY);
  auto l = diag_msg(AF_INET6, 10, "::", 22, "::", 0);
  b.put(&l, sizeof(l));
  b.end(at);
  auto socks = parse_inet_diag(b.bytes(), "tcp");
  ASSERT_TRUE(socks) << socks.error().what;
  ASSERT_EQ(socks->size(), 2u);
  EXPECT_EQ((*socks)[0].family, 6);
  EXPECT_EQ((*socks)[0].local_addr, "2001:db8::1");
  EXPECT_EQ((*socks)[0].remote_addr, "::ffff:192.0.2.7");
  EXPECT_FALSE((*socks)[0].tcp.has_value());
  EXPECT_EQ((*socks)[1].state, "LISTEN");
  EXPECT_EQ((*socks)[1].local_addr, "::");
}

TEST(SocketParse, MultipartWithoutDoneIsNotFinished) {
  NlBuilder b;
  for (uint16_t port : {53, 123}) {
    size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
    auto m = diag_msg(AF_INET, 7, "0.0.0.0", port, "0.0.0.0", 0);
    b.put(&m, sizeof(m));
    b.end(at);
  }
  auto chunk = parse_inet_diag_chunk(b.bytes(), "udp");
  ASSERT_TRUE(chunk) << chunk.error().what;
  EXPECT_FALSE(chunk->done);
  ASSERT_EQ(chunk->sockets.size(), 2u);
  EXPECT_EQ(chunk->sockets[1].local_port, 123);
  EXPECT_EQ(chunk->sockets[1].state, "UNCONN");
}

TEST(SocketParse, UnknownFamilyAndMessageTypesAreSkipped) {
  NlBuilder b;
  size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
  auto m = diag_msg(AF_INET, 1, "1.2.3.4", 1, "5.6.7.8", 2);
  m.idiag_family = AF_UNIX;
  b.put(&m, sizeof(m));
  b.end(at);
  b.end(b.begin(NLMSG_NOOP));
  b.done();
  auto chunk = parse_inet_diag_chunk(b.bytes(), "tcp");
  ASSERT_TRUE(chunk) << chunk.error().what;
  EXPECT_TRUE(chunk->done);
  EXPECT_TRUE(chunk->sockets.empty());
}

TEST(SocketParse, NlmsgErrorNamesTheErrno) {
  NlBuilder b;
  b.error(-ENOENT);
  auto r = parse_inet_diag(b.bytes(), "raw");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, -ENOENT);
  EXPECT_NE(r.error().what.find("ENOENT"), std::string::npos) << r.error().what;
  EXPECT_NE(r.error().what.find("raw"), std::string::npos) << r.error().what;
}

TEST(SocketParse, DoneCarryingAnErrorIsAnError) {
  NlBuilder b;
  b.done(-EPERM);
  auto r = parse_inet_diag_chunk(b.bytes(), "tcp");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("EPERM"), std::string::npos) << r.error().what;
}

TEST(SocketParse, LyingMessageLengthsAreErrors) {
  auto good = good_tcp_v4();
  auto with_len = [&](uint32_t len) {
    auto b = good;
    std::memcpy(b.data(), &len, sizeof(len));
    return b;
  };
  EXPECT_FALSE(parse_inet_diag(with_len(static_cast<uint32_t>(good.size()) + 1), "tcp"));  // past the end
  EXPECT_FALSE(parse_inet_diag(with_len(0xffffffffu), "tcp"));
  EXPECT_FALSE(parse_inet_diag(with_len(8), "tcp"));  // shorter than nlmsghdr
  EXPECT_FALSE(parse_inet_diag(with_len(sizeof(nlmsghdr) + 10), "tcp"));  // shorter than inet_diag_msg
  // A buffer cut mid-header or mid-message.
  for (size_t cut : {size_t{5}, size_t{40}, good.size() - 3}) {
    std::vector<uint8_t> part(good.begin(), good.begin() + static_cast<long>(cut));
    EXPECT_FALSE(parse_inet_diag(part, "tcp")) << "cut at " << cut;
  }
  EXPECT_TRUE(parse_inet_diag(std::span<const uint8_t>(), "tcp"));  // nothing to read is not an error
}

TEST(SocketParse, LyingAttributeLengthsAreErrors) {
  size_t attr_at = sizeof(nlmsghdr) + sizeof(inet_diag_msg);
  for (uint16_t bad : {uint16_t{0}, uint16_t{3}, uint16_t{0xffff}, uint16_t{4000}}) {
    auto b = good_tcp_v4();
    std::memcpy(b.data() + attr_at, &bad, sizeof(bad));
    auto r = parse_inet_diag(b, "tcp");
    EXPECT_FALSE(r) << "rta_len " << bad;
    if (!r) {
      EXPECT_NE(r.error().what.find("attribute"), std::string::npos) << r.error().what;
    }
  }
}

TEST(SocketParse, CongestionNameIsBoundedAndPrintable) {
  NlBuilder b;
  size_t at = b.begin(SOCK_DIAG_BY_FAMILY);
  auto m = diag_msg(AF_INET, 1, "1.1.1.1", 1, "2.2.2.2", 2);
  b.put(&m, sizeof(m));
  const char evil[] = "bb\x1b[31mr-with-a-very-long-name-and-no-nul";
  b.attr(INET_DIAG_CONG, evil, sizeof(evil) - 1);
  b.end(at);
  auto socks = parse_inet_diag(b.bytes(), "tcp");
  ASSERT_TRUE(socks) << socks.error().what;
  const auto& cc = socks->at(0).congestion;
  EXPECT_LE(cc.size(), 16u);
  EXPECT_TRUE(std::all_of(cc.begin(), cc.end(), [](char c) { return c > 0x20 && c < 0x7f; })) << cc;
}

TEST(SocketParse, RandomCorruptionNeverReadsPastTheBuffer) {
  // Run under ASan to make this meaningful; here it at least proves no crash or hang.
  auto good = good_tcp_v4();
  std::mt19937 rng(1234);
  for (int i = 0; i < 5000; ++i) {
    auto b = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    b.resize(rng() % (b.size() + 1));
    (void)parse_inet_diag_chunk(b, "tcp");
  }
  SUCCEED();
}

TEST(SocketStateName, TcpUdpAndRaw) {
  EXPECT_EQ(socket_state_name("tcp", 1), "ESTABLISHED");
  EXPECT_EQ(socket_state_name("tcp", 2), "SYN_SENT");
  EXPECT_EQ(socket_state_name("tcp", 6), "TIME_WAIT");
  EXPECT_EQ(socket_state_name("tcp", 7), "CLOSE");
  EXPECT_EQ(socket_state_name("tcp", 10), "LISTEN");
  EXPECT_EQ(socket_state_name("tcp", 12), "SYN_RECV");  // TCP_NEW_SYN_RECV
  EXPECT_EQ(socket_state_name("udp", 7), "UNCONN");
  EXPECT_EQ(socket_state_name("raw", 7), "UNCONN");
  EXPECT_EQ(socket_state_name("udp", 1), "ESTABLISHED");
  EXPECT_EQ(socket_state_name("tcp", 200), "UNKNOWN(200)");
  EXPECT_EQ(socket_state_name("tcp", 0), "UNKNOWN(0)");
}

TEST(SocketRequest, BuildsAnInetDiagReqV2Dump) {
  auto buf = build_inet_diag_request(AF_INET6, IPPROTO_RAW, 1u << 10, 77);
  ASSERT_EQ(buf.size(), sizeof(nlmsghdr) + sizeof(inet_diag_req_v2));
  nlmsghdr h;
  std::memcpy(&h, buf.data(), sizeof(h));
  EXPECT_EQ(h.nlmsg_len, buf.size());
  EXPECT_EQ(h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(h.nlmsg_seq, 77u);
  inet_diag_req_v2 r;
  std::memcpy(&r, buf.data() + sizeof(h), sizeof(r));
  EXPECT_EQ(r.sdiag_family, AF_INET6);
  EXPECT_EQ(r.sdiag_protocol, IPPROTO_RAW);
  EXPECT_EQ(r.idiag_ext, (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_CONG - 1)));
  EXPECT_EQ(r.idiag_states, 1u << 10);
  EXPECT_EQ(r.pad, 0);  // sdiag_raw_protocol: 0 = no lookup by protocol
  EXPECT_EQ(r.id.idiag_sport, 0);
  EXPECT_EQ(r.id.idiag_if, 0u);
}

// ---- /proc/net/raw{,6}: rows as this machine's kernel (6.18, x86_64) prints them ----

constexpr std::string_view kRawHeader =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
    "pointer drops\n";
// ICMP unconnected with 0x680 bytes queued; ICMP bound to 127.0.0.1 and connected to 127.0.0.2;
// IPPROTO_UDP (17) bound to 127.0.0.1.
constexpr std::string_view kRawRows =
    "  81: 00000000:0001 00000000:0000 07 00000000:00000680 00:00000000 00000000     0        0 293525 2 "
    "0000000061ba65e4 0\n"
    "  81: 0100007F:0001 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 293524 2 "
    "00000000ce2c8ea1 0\n"
    "  52: 0100007F:0011 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 272013 2 "
    "00000000186a0a00 0\n";
constexpr std::string_view kRaw6Header =
    "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode ref pointer drops\n";
// IPPROTO_TCP (6) bound to ::1 and connected to 2001:db8::1234:5678; ICMPv6 (58) on ::; ICMPv6
// bound to fe80::fc:ff:fe00:1 (ifindex 4, which the table does not show).
constexpr std::string_view kRaw6Rows =
    "   57: 00000000000000000000000001000000:0006 B80D0120000000000000000078563412:0000 01 00000000:00000000 "
    "00:00000000 00000000     0        0 272014 2 000000004bc1ae59 0\n"
    "   78: 00000000000000000000000000000000:003A 00000000000000000000000000000000:0000 07 00000000:00000000 "
    "00:00000000 00000000     0        0 272012 2 0000000072fee522 0\n"
    "   78: 000080FE00000000FF00FC00010000FE:003A 00000000000000000000000000000000:0000 07 00000000:00000000 "
    "00:00000000 00000000     0        0 293526 2 000000008907bf22 0\n";

std::string table(std::string_view header, std::string_view rows) { return std::string(header) + std::string(rows); }

TEST(ProcNetRaw, Ipv4RowsAsTheKernelPrintsThem) {
  size_t skipped = 99;
  auto socks = parse_proc_net_raw(table(kRawHeader, kRawRows), 4, &skipped);
  ASSERT_TRUE(socks) << socks.error().what;
  EXPECT_EQ(skipped, 0u);
  ASSERT_EQ(socks->size(), 3u);
  const auto& icmp = (*socks)[0];
  EXPECT_EQ(icmp.proto, "raw");
  EXPECT_EQ(icmp.source, "proc");
  EXPECT_EQ(icmp.family, 4);
  EXPECT_EQ(icmp.state, "UNCONN");
  EXPECT_EQ(icmp.local_addr, "0.0.0.0");
  EXPECT_EQ(icmp.local_port, IPPROTO_ICMP);
  EXPECT_EQ(icmp.remote_addr, "0.0.0.0");
  EXPECT_EQ(icmp.remote_port, 0);
  EXPECT_EQ(icmp.rx_queue, 0x680u);
  EXPECT_EQ(icmp.tx_queue, 0u);
  EXPECT_EQ(icmp.uid, 0u);
  EXPECT_EQ(icmp.inode, 293525u);
  EXPECT_EQ(icmp.cookie, 0u);
  EXPECT_TRUE(icmp.owners.empty());
  const auto& connected = (*socks)[1];
  EXPECT_EQ(connected.state, "ESTABLISHED");
  EXPECT_EQ(connected.local_addr, "127.0.0.1");
  EXPECT_EQ(connected.remote_addr, "127.0.0.2");
  EXPECT_EQ(connected.local_port, IPPROTO_ICMP);
  EXPECT_EQ((*socks)[2].local_port, IPPROTO_UDP);
  EXPECT_EQ((*socks)[2].inode, 272013u);
}

TEST(ProcNetRaw, Ipv6RowsAreFourNativeEndianWords) {
  auto socks = parse_proc_net_raw(table(kRaw6Header, kRaw6Rows), 6);
  ASSERT_TRUE(socks) << socks.error().what;
  ASSERT_EQ(socks->size(), 3u);
  const auto& tcp = (*socks)[0];
  EXPECT_EQ(tcp.family, 6);
  EXPECT_EQ(tcp.source, "proc");
  EXPECT_EQ(tcp.state, "ESTABLISHED");
  EXPECT_EQ(tcp.local_addr, "::1");
  EXPECT_EQ(tcp.local_port, IPPROTO_TCP);
  EXPECT_EQ(tcp.remote_addr, "2001:db8::1234:5678");
  EXPECT_EQ(tcp.inode, 272014u);
  EXPECT_EQ((*socks)[1].local_addr, "::");
  EXPECT_EQ((*socks)[1].local_port, IPPROTO_ICMPV6);
  EXPECT_EQ((*socks)[1].state, "UNCONN");
  EXPECT_EQ((*socks)[2].local_addr, "fe80::fc:ff:fe00:1");
  EXPECT_EQ((*socks)[2].local_port, IPPROTO_ICMPV6);
}

TEST(ProcNetRaw, GarbledRowsAreSkippedAndCounted) {
  const std::string good(kRawRows.substr(0, kRawRows.find('\n') + 1));
  const std::string_view bad[] = {
      "",                                                                                       // blank
      "garbage",
      "  81: 00000000:0001 00000000:0000 07",                                                   // cut short
      "  81: 00000000:0001 00000000:0000 07 00000000:00000680 00:00000000 00000000     0        0 293525 2",
      "  81: 0000000G:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",  // not hex
      "  81: 0000001:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",   // 7 digits
      "  81: 00000000000000000000000001000000:0006 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",
      "  81: 00000000:00011 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",  // 5-digit port
      "  81: 00000000:0001:1 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",
      "  81: 00000000:0001 00000000:0000 007 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",  // 3-digit st
      "  81: 00000000:0001 00000000:0000 07 0000000000000000 00:00000000 00000000 0 0 1 2 0 0",   // no colon
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 -1 0 1 2 0 0",  // uid
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 99999999999 0 1 2 0 0",
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 12ab 2 0 0",  // inode
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000     0        0 293525 2 "
      "0000000061ba65e4 0",  // retrnsmt missing: every later column shifts left
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 +1 2 0 0",
      "  81 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",   // sl without ':'
      "  81: 0x000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",
      "  81: 00000000:0001\x1b[31m 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0",
      "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1\0 2 0 0"sv,
  };
  std::string text(kRawHeader);
  for (auto line : bad) text += good + std::string(line) + "\n";
  // A column a later kernel might append is not a reason to drop the row; CRLF is whitespace.
  text += "  81: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 7 2 0 0 new\r\n";
  size_t skipped = 0;
  auto socks = parse_proc_net_raw(text, 4, &skipped);
  ASSERT_TRUE(socks) << socks.error().what;
  EXPECT_EQ(skipped, std::size(bad));
  ASSERT_EQ(socks->size(), std::size(bad) + 1);
  for (size_t i = 0; i < std::size(bad); ++i) EXPECT_EQ((*socks)[i].inode, 293525u) << i;
  EXPECT_EQ(socks->back().inode, 7u);
}

TEST(ProcNetRaw, EmptyHeaderOnlyAndForeignText) {
  size_t skipped = 99;
  auto empty = parse_proc_net_raw("", 4, &skipped);
  ASSERT_TRUE(empty) << empty.error().what;
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(skipped, 0u);
  auto header_only = parse_proc_net_raw(kRaw6Header, 6);
  ASSERT_TRUE(header_only) << header_only.error().what;
  EXPECT_TRUE(header_only->empty());
  auto no_newline = parse_proc_net_raw(kRawHeader.substr(0, kRawHeader.size() - 1), 4);
  ASSERT_TRUE(no_newline) << no_newline.error().what;
  EXPECT_FALSE(parse_proc_net_raw(kRawRows, 4));  // no header: not the kernel's table
  EXPECT_FALSE(parse_proc_net_raw("\n", 4));
  EXPECT_FALSE(parse_proc_net_raw("Inter-|   Receive\n", 4));
  auto bad_family = parse_proc_net_raw(table(kRawHeader, kRawRows), 10);
  ASSERT_FALSE(bad_family);
  EXPECT_NE(bad_family.error().what.find("family"), std::string::npos) << bad_family.error().what;
  // The other family's rows have the wrong address width: skipped, never misread.
  auto swapped = parse_proc_net_raw(table(kRawHeader, kRaw6Rows), 4, &skipped);
  ASSERT_TRUE(swapped) << swapped.error().what;
  EXPECT_TRUE(swapped->empty());
  EXPECT_EQ(skipped, 3u);
  swapped = parse_proc_net_raw(table(kRaw6Header, kRawRows), 6, &skipped);
  ASSERT_TRUE(swapped) << swapped.error().what;
  EXPECT_TRUE(swapped->empty());
  EXPECT_EQ(skipped, 3u);
}

TEST(ProcNetRaw, RandomCorruptionNeverMisbehaves) {
  const std::string good = table(kRaw6Header, kRaw6Rows);
  std::mt19937 rng(4321);
  for (int i = 0; i < 5000; ++i) {
    std::string t = good;
    int flips = 1 + static_cast<int>(rng() % 6);
    for (int f = 0; f < flips; ++f) t[rng() % t.size()] = static_cast<char>(rng());
    t.resize(rng() % (t.size() + 1));
    size_t skipped = 0;
    auto socks = parse_proc_net_raw(t, 6, &skipped);
    if (!socks) continue;
    size_t rows = static_cast<size_t>(std::count(t.begin(), t.end(), '\n'));  // a flip may split a row
    EXPECT_LE(socks->size() + skipped, rows + 1);
    for (const auto& s : *socks) EXPECT_EQ(s.proto, "raw");
  }
}

}  // namespace
}  // namespace pscope::tracer
