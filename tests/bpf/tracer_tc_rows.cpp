// The tracer_tc row table (see tracer_tc_rows.h).
#include "tracer_tc_rows.h"

#include <ostream>
#include <utility>

namespace pscope::testing::tracer_tc {

void PrintTo(const Row& r, std::ostream* os) { *os << r.name << " (" << r.packet.size() << " bytes)"; }

namespace {

constexpr const char* kMacA = "02:00:00:00:00:0a";
constexpr const char* kMacB = "02:00:00:00:00:0b";
constexpr const char* kBroadcast = "ff:ff:ff:ff:ff:ff";

// L4 offsets: Ethernet 14, + 4 per VLAN tag, + 20 (+ options) for IPv4, + 40 (+ ext) for IPv6.
constexpr std::uint32_t kV4L4 = 14 + 20;
constexpr std::uint32_t kV6L4 = 14 + 40;

}  // namespace

PacketBuilder Frame() { return PacketBuilder().eth(kMacA, kMacB); }

// ---- the table ------------------------------------------------------------------------------

std::vector<Row> Rows() {
  constexpr std::uint16_t kL2 = PS_META_L2;
  std::vector<Row> r;
  auto add = [&](std::string name, std::string desc, Bytes pkt, Expect e) {
    r.push_back(Row{std::move(name), std::move(desc), std::move(pkt), e});
  };

  // -- IPv4 TCP --
  add("ipv4_tcp_syn", "IPv4 TCP SYN: addresses, ports, seq, flags, TTL",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ttl(64).tcp(40000, 80, kSyn).seq(1000).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .sport = 40000, .dport = 80, .tcp_flags = kSyn, .tcp_seq = 1000, .ttl = 64,
       .l4_off = kV4L4});
  add("ipv4_tcp_synack_ip_options", "IPv4 options (IHL 7) move L4 by 8 bytes",
      Frame().ipv4("10.0.0.2", "10.0.0.1").ip_options(8).ttl(128)
          .tcp(80, 40000, kSyn | kAck).seq(5000).ack(1001).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.2", .daddr = "10.0.0.1",
       .sport = 80, .dport = 40000, .tcp_flags = kSyn | kAck, .tcp_seq = 5000, .tcp_ack = 1001,
       .ttl = 128, .flags = kL2 | PS_META_IP_OPTIONS, .l4_off = kV4L4 + 8});
  add("ipv4_tcp_max_ip_options", "IHL 15 (40 bytes of options), PSH|ACK with payload",
      Frame().ipv4("192.0.2.1", "198.51.100.7").ip_options(40).ttl(3)
          .tcp(1234, 443, kPsh | kAck).seq(0xdeadbeef).ack(0x01020304).payload(100).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "192.0.2.1",
       .daddr = "198.51.100.7", .sport = 1234, .dport = 443, .tcp_flags = kPsh | kAck,
       .tcp_seq = 0xdeadbeef, .tcp_ack = 0x01020304, .ttl = 3,
       .flags = kL2 | PS_META_IP_OPTIONS, .l4_off = kV4L4 + 40});
  add("ipv4_tcp_all_flags", "every TCP flag bit is reported",
      Frame().ipv4("10.1.1.1", "10.2.2.2").tcp(1, 2, 0xff).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.1.1.1", .daddr = "10.2.2.2",
       .sport = 1, .dport = 2, .tcp_flags = 0xff, .ttl = 64, .l4_off = kV4L4});
  add("ipv4_tcp_dont_fragment", "DF alone is not fragmentation",
      Frame().ipv4("10.0.0.1", "10.0.0.2").dont_fragment().tcp(5000, 22, kAck).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .sport = 5000, .dport = 22, .tcp_flags = kAck, .ttl = 64, .l4_off = kV4L4});
  add("ipv4_tcp_large_frame", "a 1454-byte frame: pkt_len is the full length, caplen 256",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(8080, 9090, kAck).payload(1400).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .sport = 8080, .dport = 9090, .tcp_flags = kAck, .ttl = 64, .l4_off = kV4L4});

  // -- IPv4 UDP / ICMP / other --
  add("ipv4_udp", "IPv4 UDP ports",
      Frame().ipv4("172.16.0.5", "8.8.8.8").ttl(1).udp(5353, 53).payload(30).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "172.16.0.5",
       .daddr = "8.8.8.8", .sport = 5353, .dport = 53, .ttl = 1, .l4_off = kV4L4});
  add("ipv4_icmp_echo_request", "ICMP echo request: identifier reported as sport",
      Frame().ipv4("10.0.0.1", "10.0.0.9").icmp(kIcmpEchoRequest, 0, 0x4242, 7).payload(56).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 1, .saddr = "10.0.0.1", .daddr = "10.0.0.9",
       .sport = 0x4242, .icmp_type = 8, .ttl = 64, .l4_off = kV4L4});
  add("ipv4_icmp_echo_reply", "ICMP echo reply: identifier reported as sport",
      Frame().ipv4("10.0.0.9", "10.0.0.1").icmp(kIcmpEchoReply, 0, 99, 1).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 1, .saddr = "10.0.0.9", .daddr = "10.0.0.1",
       .sport = 99, .ttl = 64, .l4_off = kV4L4});
  add("ipv4_icmp_dest_unreachable", "non-echo ICMP: type/code only, the rest word is no id",
      Frame().ipv4("10.0.0.254", "10.0.0.1").icmp(kIcmpDestUnreach, 3, 0x1111, 0x2222)
          .payload(28).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 1, .saddr = "10.0.0.254",
       .daddr = "10.0.0.1", .icmp_type = 3, .icmp_code = 3, .ttl = 64, .l4_off = kV4L4});
  add("ipv4_gre_other_l4", "an L4 protocol the parser does not decode: proto and offset only",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ip_proto(47).payload(24).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 47, .saddr = "10.0.0.1",
       .daddr = "10.0.0.2", .ttl = 64, .l4_off = kV4L4});

  // -- VLAN --
  add("vlan_ipv4_udp", "802.1Q tag (PCP 3 masked off): VLAN id and shifted L3/L4",
      Frame().vlan(100, 3).ipv4("10.10.0.1", "10.10.0.2").udp(1000, 2000).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "10.10.0.1",
       .daddr = "10.10.0.2", .sport = 1000, .dport = 2000, .vlan_id = 100, .ttl = 64,
       .flags = kL2 | PS_META_VLAN, .l4_off = kV4L4 + 4});
  add("qinq_ipv4_udp", "802.1ad outer 200 + 802.1Q inner 100: outermost id reported",
      Frame().vlan(200, 0, kEth8021AD).vlan(100).ipv4("10.20.0.1", "10.20.0.2").udp(67, 68).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "10.20.0.1",
       .daddr = "10.20.0.2", .sport = 67, .dport = 68, .vlan_id = 200, .ttl = 64,
       .flags = kL2 | PS_META_VLAN, .l4_off = kV4L4 + 8});
  add("vlan_ipv6_tcp", "802.1Q tag in front of IPv6",
      Frame().vlan(4094).ipv6("fd00::1", "fd00::2").tcp(22, 50000, kAck).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 6, .saddr = "fd00::1", .daddr = "fd00::2",
       .sport = 22, .dport = 50000, .tcp_flags = kAck, .vlan_id = 4094, .ttl = 64,
       .flags = kL2 | PS_META_VLAN, .l4_off = kV6L4 + 4});
  add("three_vlan_tags", "only two tags are followed: the third TPID is the reported ethertype",
      Frame().vlan(10).vlan(20).vlan(30).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
      {.l3_proto = 0x8100, .vlan_id = 10, .flags = kL2 | PS_META_VLAN});
  add("vlan_tag_truncated", "frame ends inside the VLAN tag",
      Frame().vlan(100).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).truncate(16).build(),
      {.flags = kL2 | PS_META_TRUNCATED});

  // -- IPv6 --
  add("ipv6_tcp", "IPv6 TCP: 16-byte addresses, hop limit as TTL",
      Frame().ipv6("2001:db8::1", "2001:db8::2").hop_limit(55)
          .tcp(443, 50000, kFin | kAck).seq(77).ack(88).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 6, .saddr = "2001:db8::1",
       .daddr = "2001:db8::2", .sport = 443, .dport = 50000, .tcp_flags = kFin | kAck,
       .tcp_seq = 77, .tcp_ack = 88, .ttl = 55, .l4_off = kV6L4});
  add("ipv6_udp_hbh_routing_dstopts", "UDP behind hop-by-hop (8) + routing (24) + dest-opts (8)",
      Frame().ipv6("2001:db8:1::10", "2001:db8:2::20").ext_hop_by_hop().ext_routing()
          .ext_dest_opts().udp(546, 547).payload(12).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 17, .saddr = "2001:db8:1::10",
       .daddr = "2001:db8:2::20", .sport = 546, .dport = 547, .ttl = 64,
       .flags = kL2 | PS_META_IPV6_EXT, .l4_off = kV6L4 + 8 + 24 + 8});
  add("ipv6_ah_tcp", "authentication header length is in 4-byte units",
      Frame().ipv6("fe80::1", "fe80::2").ext_ah().tcp(179, 179, kPsh | kAck).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 6, .saddr = "fe80::1", .daddr = "fe80::2",
       .sport = 179, .dport = 179, .tcp_flags = kPsh | kAck, .ttl = 64,
       .flags = kL2 | PS_META_IPV6_EXT, .l4_off = kV6L4 + 16});
  add("ipv6_six_ext_headers", "six extension headers (the limit) are all followed",
      Frame().ipv6("2001:db8::1", "2001:db8::2").ext_hop_by_hop().ext_dest_opts().ext_routing()
          .ext_ah().ext_fragment(0, false).ext_dest_opts(1).udp(7, 9).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 17, .saddr = "2001:db8::1",
       .daddr = "2001:db8::2", .sport = 7, .dport = 9, .ttl = 64,
       .flags = kL2 | PS_META_IPV6_EXT | PS_META_FRAGMENT,
       .l4_off = kV6L4 + 8 + 8 + 24 + 16 + 8 + 16});
  add("ipv6_seven_ext_headers", "more extension headers than followed: TRUNCATED, no L4",
      Frame().ipv6("2001:db8::1", "2001:db8::2").ext_dest_opts().ext_dest_opts().ext_dest_opts()
          .ext_dest_opts().ext_dest_opts().ext_dest_opts().ext_dest_opts().udp(7, 9).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 60, .saddr = "2001:db8::1",
       .daddr = "2001:db8::2", .ttl = 64,
       .flags = kL2 | PS_META_IPV6_EXT | PS_META_TRUNCATED});
  add("ipv6_ext_past_capture", "a 248-byte hop-by-hop header pushes UDP past the 256 captured bytes",
      Frame().ipv6("2001:db8::1", "2001:db8::2").ext_hop_by_hop(30).udp(7, 9).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 17, .saddr = "2001:db8::1",
       .daddr = "2001:db8::2", .ttl = 64, .flags = kL2 | PS_META_IPV6_EXT | PS_META_TRUNCATED});
  add("ipv6_first_fragment", "fragment header, offset 0 + M: L4 parsed, FRAGMENT",
      Frame().ipv6("2001:db8::a", "2001:db8::b").ext_fragment(0, true).udp(4000, 4001)
          .payload(100).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 17, .saddr = "2001:db8::a",
       .daddr = "2001:db8::b", .sport = 4000, .dport = 4001, .ttl = 64,
       .flags = kL2 | PS_META_IPV6_EXT | PS_META_FRAGMENT, .l4_off = kV6L4 + 8});
  add("ipv6_later_fragment", "offset 1232: next header reported, bytes after it are not ports",
      Frame().ipv6("2001:db8::a", "2001:db8::b").ext_fragment(1232, false).udp(4000, 4001)
          .payload(100).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 17, .saddr = "2001:db8::a",
       .daddr = "2001:db8::b", .ttl = 64, .flags = kL2 | PS_META_IPV6_EXT | PS_META_FRAGMENT});
  add("ipv6_icmpv6_echo_request", "ICMPv6 echo request: identifier as sport",
      Frame().ipv6("2001:db8::1", "2001:db8::2").icmpv6(kIcmp6EchoRequest, 0, 0x77, 1)
          .payload(56).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 58, .saddr = "2001:db8::1",
       .daddr = "2001:db8::2", .sport = 0x77, .icmp_type = 128, .ttl = 64, .l4_off = kV6L4});
  add("ipv6_icmpv6_echo_reply", "ICMPv6 echo reply: identifier as sport",
      Frame().ipv6("2001:db8::2", "2001:db8::1").icmpv6(kIcmp6EchoReply, 0, 0x78, 1).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 58, .saddr = "2001:db8::2",
       .daddr = "2001:db8::1", .sport = 0x78, .icmp_type = 129, .ttl = 64, .l4_off = kV6L4});
  add("ipv6_icmpv6_dest_unreachable", "non-echo ICMPv6: no identifier",
      Frame().ipv6("2001:db8::fe", "2001:db8::1").icmpv6(kIcmp6DestUnreach, 4, 0xaaaa, 0xbbbb)
          .build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 58, .saddr = "2001:db8::fe",
       .daddr = "2001:db8::1", .icmp_type = 1, .icmp_code = 4, .ttl = 64, .l4_off = kV6L4});
  add("ipv6_mld_behind_hbh", "MLDv2 report (ICMPv6 143) behind a hop-by-hop header",
      Frame().ipv6("fe80::1", "ff02::16").hop_limit(1).ext_hop_by_hop().icmpv6(143, 0).build(),
      {.family = 6, .l3_proto = 0x86dd, .l4_proto = 58, .saddr = "fe80::1", .daddr = "ff02::16",
       .icmp_type = 143, .ttl = 1, .flags = kL2 | PS_META_IPV6_EXT, .l4_off = kV6L4 + 8});
  add("ipv6_bad_version", "version nibble 4 in an IPv6 ethertype frame: MALFORMED",
      Frame().ipv6("2001:db8::1", "2001:db8::2").ip_version(4).udp(1, 2).build(),
      {.family = 6, .l3_proto = 0x86dd, .saddr = "2001:db8::1", .daddr = "2001:db8::2",
       .flags = kL2 | PS_META_MALFORMED});

  // -- ARP --
  add("arp_request", "ARP who-has: op 1, sender and target IPv4",
      PacketBuilder().eth(kMacA, kBroadcast).arp(kArpRequest, "192.168.1.10", "192.168.1.1")
          .build(),
      {.l3_proto = 0x0806, .saddr = "192.168.1.10", .daddr = "192.168.1.1", .arp_op = 1});
  add("arp_reply", "ARP is-at: op 2",
      Frame().arp(kArpReply, "192.168.1.1", "192.168.1.10").build(),
      {.l3_proto = 0x0806, .saddr = "192.168.1.1", .daddr = "192.168.1.10", .arp_op = 2});
  add("arp_bad_lengths", "ARP with protocol address length 16: MALFORMED, no addresses",
      Frame().arp(kArpRequest, "192.168.1.10", "192.168.1.1").arp_lengths(6, 16).build(),
      {.l3_proto = 0x0806, .flags = kL2 | PS_META_MALFORMED, .arp_op = 1});

  // -- truncated and malformed IPv4 --
  add("ipv4_truncated_mid_tcp", "cut 8 bytes into TCP: ports and seq read, then TRUNCATED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(40000, 80, kSyn).seq(1000).truncate(kV4L4 + 8)
          .build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .sport = 40000, .dport = 80, .tcp_seq = 1000, .ttl = 64,
       .flags = kL2 | PS_META_TRUNCATED, .l4_off = kV4L4});
  add("ipv4_truncated_mid_udp", "cut 2 bytes into UDP: TRUNCATED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").udp(1000, 2000).truncate(kV4L4 + 2).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "10.0.0.1",
       .daddr = "10.0.0.2", .sport = 1000, .ttl = 64, .flags = kL2 | PS_META_TRUNCATED,
       .l4_off = kV4L4});
  add("ipv4_truncated_icmp_echo_id", "echo request cut before its identifier: TRUNCATED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").icmp(kIcmpEchoRequest, 0, 0x4242, 1)
          .truncate(kV4L4 + 4).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 1, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .icmp_type = 8, .ttl = 64, .flags = kL2 | PS_META_TRUNCATED, .l4_off = kV4L4});
  add("ipv4_truncated_in_header", "cut 10 bytes into the IPv4 header",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(14 + 10).build(),
      {.family = 4, .l3_proto = 0x0800, .flags = kL2 | PS_META_TRUNCATED});
  add("ipv4_truncated_in_saddr", "cut inside the source address: no partial address reported",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(14 + 14).build(),
      {.family = 4, .l3_proto = 0x0800, .flags = kL2 | PS_META_TRUNCATED});
  add("ethernet_header_only", "14-byte frame with the IPv4 ethertype",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(14).build(),
      {.family = 4, .l3_proto = 0x0800, .flags = kL2 | PS_META_TRUNCATED});
  // VLAN-tagged twins of the three rows above (see kernel_may_reject), plus IPv6.
  add("vlan_ipv4_truncated_in_header", "VLAN + cut 10 bytes into the IPv4 header",
      Frame().vlan(9).ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(18 + 10).build(),
      {.family = 4, .l3_proto = 0x0800, .vlan_id = 9,
       .flags = kL2 | PS_META_VLAN | PS_META_TRUNCATED});
  add("vlan_ipv4_truncated_in_saddr", "VLAN + cut inside the source address: no partial address",
      Frame().vlan(9).ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(18 + 14).build(),
      {.family = 4, .l3_proto = 0x0800, .vlan_id = 9,
       .flags = kL2 | PS_META_VLAN | PS_META_TRUNCATED});
  add("vlan_ipv4_truncated_in_daddr", "VLAN + cut inside the destination address",
      Frame().vlan(9).ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(18 + 18).build(),
      {.family = 4, .l3_proto = 0x0800, .saddr = "10.0.0.1", .vlan_id = 9,
       .flags = kL2 | PS_META_VLAN | PS_META_TRUNCATED});
  add("vlan_header_only", "frame ends right after the VLAN tag's IPv4 ethertype",
      Frame().vlan(9).ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, kSyn).truncate(18).build(),
      {.family = 4, .l3_proto = 0x0800, .vlan_id = 9,
       .flags = kL2 | PS_META_VLAN | PS_META_TRUNCATED});
  add("ipv6_truncated_in_daddr", "cut inside the IPv6 destination address",
      Frame().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).truncate(14 + 30).build(),
      {.family = 6, .l3_proto = 0x86dd, .saddr = "2001:db8::1",
       .flags = kL2 | PS_META_TRUNCATED});
  add("vlan_ipv6_truncated_in_daddr", "VLAN + cut inside the IPv6 destination address",
      Frame().vlan(9).ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).truncate(18 + 30).build(),
      {.family = 6, .l3_proto = 0x86dd, .saddr = "2001:db8::1", .vlan_id = 9,
       .flags = kL2 | PS_META_VLAN | PS_META_TRUNCATED});
  add("arp_truncated_in_target", "ARP cut inside the target IP: sender kept, no partial target",
      Frame().arp(kArpRequest, "192.168.1.10", "192.168.1.1").truncate(14 + 26).build(),
      {.l3_proto = 0x0806, .saddr = "192.168.1.10", .flags = kL2 | PS_META_TRUNCATED,
       .arp_op = 1});
  add("ipv4_ihl_below_5", "IHL 4: MALFORMED, no L4",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ihl(4).tcp(1, 2, kSyn).build(),
      {.family = 4, .l3_proto = 0x0800, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .flags = kL2 | PS_META_MALFORMED});
  add("ipv4_version_5", "version nibble 5 in an IPv4 ethertype frame: MALFORMED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ip_version(5).tcp(1, 2, kSyn).build(),
      {.family = 4, .l3_proto = 0x0800, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .flags = kL2 | PS_META_MALFORMED});
  add("ipv4_tot_len_below_ihl", "total length 10 < header length 20: MALFORMED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tot_len(10).udp(1, 2).build(),
      {.family = 4, .l3_proto = 0x0800, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .flags = kL2 | PS_META_MALFORMED});
  add("ipv4_tcp_doff_below_5", "TCP data offset 3: fields read, MALFORMED",
      Frame().ipv4("10.0.0.1", "10.0.0.2").tcp(1111, 2222, kRst).seq(9).tcp_doff(3).build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 6, .saddr = "10.0.0.1", .daddr = "10.0.0.2",
       .sport = 1111, .dport = 2222, .tcp_flags = kRst, .tcp_seq = 9, .ttl = 64,
       .flags = kL2 | PS_META_MALFORMED, .l4_off = kV4L4});

  // -- IPv4 fragments --
  add("ipv4_first_fragment", "MF set, offset 0: FRAGMENT and L4 parsed",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ip_fragment(0, true).udp(4000, 4001).payload(64)
          .build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "10.0.0.1",
       .daddr = "10.0.0.2", .sport = 4000, .dport = 4001, .ttl = 64,
       .flags = kL2 | PS_META_FRAGMENT, .l4_off = kV4L4});
  add("ipv4_later_fragment", "offset 1480: protocol only, bytes after the header are not ports",
      Frame().ipv4("10.0.0.1", "10.0.0.2").ip_fragment(1480, false).udp(4000, 4001).payload(64)
          .build(),
      {.family = 4, .l3_proto = 0x0800, .l4_proto = 17, .saddr = "10.0.0.1",
       .daddr = "10.0.0.2", .ttl = 64, .flags = kL2 | PS_META_FRAGMENT});

  // -- non-IP --
  add("non_ip_lldp", "LLDP ethertype: family 0, only the ethertype",
      Frame().ethertype(kEthLldp).payload(60).build(), {.l3_proto = 0x88cc});
  add("non_ip_vlan_lldp", "VLAN-tagged non-IP frame",
      Frame().vlan(7).ethertype(0x88b5).payload(46).build(),
      {.l3_proto = 0x88b5, .vlan_id = 7, .flags = kL2 | PS_META_VLAN});
  return r;
}

}  // namespace pscope::testing::tracer_tc
