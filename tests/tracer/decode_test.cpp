// Decoding of kernel records: address text, protocol names, flag text.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <cstring>

#include "tracer/decode.h"

namespace pscope::tracer {
namespace {

ps_pkt_meta meta_v4(const char* s, const char* d, uint8_t proto) {
  ps_pkt_meta m{};
  m.family = 4;
  m.l3_proto = 0x0800;
  m.l4_proto = proto;
  inet_pton(AF_INET, s, m.saddr);
  inet_pton(AF_INET, d, m.daddr);
  return m;
}

TEST(Decode, Ipv4Tcp) {
  auto m = meta_v4("10.1.2.3", "192.168.0.1", 6);
  m.sport = 40000;
  m.dport = 443;
  m.tcp_flags = 0x12;
  m.pkt_len = 60;
  auto s = summarize(m);
  EXPECT_EQ(s.protocol, "tcp");
  EXPECT_EQ(s.src, "10.1.2.3");
  EXPECT_EQ(s.dst, "192.168.0.1");
  EXPECT_EQ(s.sport, 40000);
  EXPECT_EQ(s.dport, 443);
  EXPECT_EQ(tcp_flags_text(s.tcp_flags), "SYN|ACK");
  EXPECT_EQ(s.length, 60u);
}

TEST(Decode, Ipv6IsPrintedInCanonicalForm) {
  ps_pkt_meta m{};
  m.family = 6;
  m.l3_proto = 0x86dd;
  m.l4_proto = 58;
  inet_pton(AF_INET6, "2001:db8:0:0:0:0:0:1", m.saddr);
  inet_pton(AF_INET6, "fe80::1:2", m.daddr);
  auto s = summarize(m);
  EXPECT_EQ(s.protocol, "icmpv6");
  EXPECT_EQ(s.src, "2001:db8::1");
  EXPECT_EQ(s.dst, "fe80::1:2");
}

TEST(Decode, ArpAndNonIp) {
  auto m = meta_v4("10.0.0.1", "10.0.0.2", 0);
  m.family = 0;
  m.l3_proto = 0x0806;
  auto s = summarize(m);
  EXPECT_EQ(s.protocol, "arp");
  EXPECT_EQ(s.src, "10.0.0.1");
  ps_pkt_meta other{};
  other.l3_proto = 0x88cc;
  EXPECT_EQ(summarize(other).protocol, "other");
  EXPECT_EQ(summarize(other).src, "");
}

TEST(Decode, VlanOnlyWhenTagged) {
  auto m = meta_v4("1.1.1.1", "2.2.2.2", 17);
  m.vlan_id = 100;
  EXPECT_EQ(summarize(m).vlan, 0);
  m.flags = PS_META_VLAN;
  EXPECT_EQ(summarize(m).vlan, 100);
  EXPECT_EQ(summarize(m).protocol, "udp");
}

TEST(Decode, FlagText) {
  EXPECT_EQ(tcp_flags_text(0), "");
  EXPECT_EQ(tcp_flags_text(0xff), "FIN|SYN|RST|PSH|ACK|URG|ECE|CWR");
}

}  // namespace
}  // namespace pscope::tracer
