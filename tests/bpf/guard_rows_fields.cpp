// The Guarder row table (see guard_rows.h): every residual match field, and the parser's edges
// (VLAN, IPv4 options, IPv6 extension headers, fragments, truncated and malformed, non-IP).
#include "guard_rows.h"

namespace pscope::testing::guard {

namespace {

constexpr std::uint32_t kDrop = 1, kPass = 2;
using Rules = std::vector<std::pair<std::uint32_t, std::string>>;

PacketBuilder v4() { return Frame().ipv4("10.1.2.3", "192.0.2.1"); }
PacketBuilder v6() { return Frame().ipv6("2001:db8::1", "2001:db8:ff::1"); }

// An SCTP common header (ports, verification tag, checksum) as a raw payload.
Bytes sctp_header(std::uint16_t sport, std::uint16_t dport) {
  return {static_cast<std::uint8_t>(sport >> 8), static_cast<std::uint8_t>(sport),
          static_cast<std::uint8_t>(dport >> 8), static_cast<std::uint8_t>(dport),
          0, 0, 0, 1, 0, 0, 0, 0};
}

void add_port_rows(std::vector<Row>& r) {
  const Rules udp53{{1, R"({"action": "drop", "match": {"protocol": "udp", "dport": 53}})"}};
  r.push_back({"udp_dport_hit", "UDP destination port", udp53, v4().udp(1234, 53).build(), kDrop, {{1}}});
  r.push_back({"udp_dport_miss", "another port", udp53, v4().udp(1234, 54).build(), kPass, {}});
  r.push_back({"udp_dport_not_tcp", "a UDP port rule does not match TCP", udp53, v4().tcp(1234, 53, kSyn).build(), kPass, {}});
  const Rules range{{1, R"({"action": "drop", "match": {"protocol": "tcp", "dport": "1000-2000"}})"}};
  r.push_back({"tcp_range_below", "999 is below 1000-2000", range, v4().tcp(5, 999, kSyn).build(), kPass, {}});
  r.push_back({"tcp_range_lo", "1000 is the range's first port", range, v4().tcp(5, 1000, kSyn).build(), kDrop, {{1}}});
  r.push_back({"tcp_range_hi", "2000 is its last", range, v4().tcp(5, 2000, kSyn).build(), kDrop, {{1}}});
  r.push_back({"tcp_range_above", "2001 is above it", range, v4().tcp(5, 2001, kSyn).build(), kPass, {}});
  const Rules both{{1, R"({"action": "drop", "match": {"protocol": "udp", "sport": "1-1023", "dport": 4000}})"}};
  r.push_back({"sport_dport_hit", "source range and destination port", both, v4().udp(53, 4000).build(), kDrop, {{1}}});
  r.push_back({"sport_miss", "source outside its range", both, v4().udp(1024, 4000).build(), kPass, {}});
  r.push_back({"sport_zero_miss", "source 0 outside 1-1023", both, v4().udp(0, 4000).build(), kPass, {}});
  const Rules v6tcp{{1, R"({"action": "drop", "match": {"family": "ipv6", "protocol": "tcp", "dport": 443}})"}};
  r.push_back({"v6_tcp_dport_hit", "IPv6 TCP port", v6tcp, v6().tcp(5555, 443, kAck).build(), kDrop, {{1}}});
  r.push_back({"v6_tcp_dport_miss", "IPv6 TCP another port", v6tcp, v6().tcp(5555, 444, kAck).build(), kPass, {}});
  const Rules sctp{{1, R"({"action": "drop", "match": {"protocol": "sctp", "dport": 5000}})"}};
  r.push_back({"sctp_dport_hit", "SCTP ports are parsed", sctp, v4().ip_proto(132).payload(sctp_header(1234, 5000)).build(), kDrop, {{1}}});
  r.push_back({"sctp_dport_miss", "SCTP another port", sctp, v4().ip_proto(132).payload(sctp_header(1234, 5001)).build(), kPass, {}});
  const Rules gre{{1, R"({"action": "drop", "match": {"protocol": "gre"}})"}};
  r.push_back({"proto_gre_hit", "protocol by name (gre = 47)", gre, v4().ip_proto(47).payload(4).build(), kDrop, {{1}}});
  r.push_back({"proto_gre_miss", "UDP is not GRE", gre, v4().udp(1, 2).build(), kPass, {}});
  const Rules p253{{1, R"({"action": "drop", "match": {"family": "ipv6", "protocol": 253}})"}};
  r.push_back({"proto_number_v6", "protocol by number, IPv6 next header", p253, v6().ip_proto(253).payload(8).build(), kDrop, {{1}}});
}

void add_flag_icmp_rows(std::vector<Row>& r) {
  const Rules syn{{1, R"({"action": "drop", "match": {"protocol": "tcp", "tcp_flags": "SYN,!ACK"}})"}};
  r.push_back({"tcp_flags_syn", "SYN,!ACK matches a SYN", syn, v4().tcp(1, 80, kSyn).build(), kDrop, {{1}}});
  r.push_back({"tcp_flags_synack", "SYN,!ACK does not match SYN+ACK", syn, v4().tcp(80, 1, kSyn | kAck).build(), kPass, {}});
  r.push_back({"tcp_flags_syn_ece_cwr", "flags not named are ignored", syn, v4().tcp(1, 80, kSyn | kEce | kCwr).build(), kDrop, {{1}}});
  r.push_back({"tcp_flags_ack", "ACK alone has no SYN", syn, v4().tcp(1, 80, kAck).build(), kPass, {}});
  const Rules bits{{1, R"({"action": "drop", "match": {"protocol": "tcp", "tcp_flags": {"bits": 2, "mask": 18}}})"}};
  r.push_back({"tcp_bits_mask_syn", "bits/mask form: SYN", bits, v4().tcp(1, 80, kSyn).build(), kDrop, {{1}}});
  r.push_back({"tcp_bits_mask_synack", "bits/mask form: SYN+ACK", bits, v4().tcp(1, 80, kSyn | kAck).build(), kPass, {}});
  const Rules rst6{{1, R"({"action": "drop", "match": {"family": "ipv6", "protocol": "tcp", "tcp_flags": "RST"}})"}};
  r.push_back({"v6_tcp_flags_rst", "IPv6 RST+ACK has RST", rst6, v6().tcp(1, 80, kRst | kAck).build(), kDrop, {{1}}});
  r.push_back({"v6_tcp_flags_fin", "IPv6 FIN has no RST", rst6, v6().tcp(1, 80, kFin | kAck).build(), kPass, {}});

  const Rules echo{{1, R"({"action": "drop", "match": {"protocol": "icmp", "icmp": {"type": 8}}})"}};
  r.push_back({"icmp_type_hit", "ICMP echo request, any code", echo, v4().icmp(kIcmpEchoRequest, 0, 7, 1).build(), kDrop, {{1}}});
  r.push_back({"icmp_type_miss", "echo reply is another type", echo, v4().icmp(kIcmpEchoReply, 0, 7, 1).build(), kPass, {}});
  r.push_back({"icmp_rule_not_udp", "an ICMP rule does not match UDP", echo, v4().udp(8, 8).build(), kPass, {}});
  const Rules code{{1, R"({"action": "drop", "match": {"protocol": "icmp", "icmp": {"type": 3, "code": 4}}})"}};
  const Bytes q = quote4("192.0.2.1", "10.1.2.3", kProtoUdp, 1, 2);
  r.push_back({"icmp_code_hit", "type 3 code 4", code, v4().icmp(3, 4).payload(q).build(), kDrop, {{1}}});
  r.push_back({"icmp_code_miss", "type 3 code 3", code, v4().icmp(3, 3).payload(q).build(), kPass, {}});
  const Rules echo6{{1, R"({"action": "drop", "match": {"protocol": "icmpv6", "icmp": {"type": 128}}})"}};
  r.push_back({"icmpv6_type_hit", "ICMPv6 echo request", echo6, v6().icmpv6(kIcmp6EchoRequest, 0, 1, 1).build(), kDrop, {{1}}});
  r.push_back({"icmpv6_type_miss", "ICMPv6 echo reply", echo6, v6().icmpv6(kIcmp6EchoReply, 0, 1, 1).build(), kPass, {}});
  r.push_back({"icmpv6_rule_not_v4", "an ICMPv6 rule does not match ICMPv4 type 128", echo6, v4().icmp(128, 0).build(), kPass, {}});
}

void add_inner_rows(std::vector<Row>& r) {
  const Rules isrc{{1, R"({"action": "drop", "match": {"protocol": "icmp", "inner": {"src": "10.9.9.0/24"}}})"}};
  r.push_back({"inner_src_hit", "the quoted header's source", isrc,
               v4().icmp(3, 3).payload(quote4("10.9.9.9", "192.0.2.1", kProtoUdp, 53, 4000)).build(), kDrop, {{1}}});
  r.push_back({"inner_src_miss", "another quoted source", isrc,
               v4().icmp(3, 3).payload(quote4("10.8.0.1", "192.0.2.1", kProtoUdp, 53, 4000)).build(), kPass, {}});
  r.push_back({"inner_not_on_echo", "an echo request quotes nothing", isrc,
               v4().icmp(kIcmpEchoRequest, 0).payload(quote4("10.9.9.9", "192.0.2.1", kProtoUdp, 53, 4000)).build(), kPass, {}});
  const Rules idst{{1, R"({"action": "drop", "match": {"protocol": "icmp", "icmp": {"type": 3},
        "inner": {"dst": "192.0.2.1", "protocol": "udp", "sport": 53, "dport": "4000-4001"}}})"}};
  r.push_back({"inner_dst_proto_ports_hit", "quoted destination, protocol and ports", idst,
               v4().icmp(3, 3).payload(quote4("10.9.9.9", "192.0.2.1", kProtoUdp, 53, 4001)).build(), kDrop, {{1}}});
  r.push_back({"inner_proto_miss", "quoted TCP, rule wants UDP", idst,
               v4().icmp(3, 3).payload(quote4("10.9.9.9", "192.0.2.1", kProtoTcp, 53, 4001)).build(), kPass, {}});
  r.push_back({"inner_dport_miss", "quoted port 4002", idst,
               v4().icmp(3, 3).payload(quote4("10.9.9.9", "192.0.2.1", kProtoUdp, 53, 4002)).build(), kPass, {}});
  const Rules itcp{{1, R"({"action": "drop", "match": {"protocol": "icmp", "inner": {"protocol": "tcp", "dport": 80}}})"}};
  r.push_back({"inner_tcp_8_bytes", "time exceeded quoting only 8 bytes of TCP still has its ports", itcp,
               v4().icmp(11, 0).payload(quote4("10.1.2.3", "198.51.100.1", kProtoTcp, 40000, 80)).build(), kDrop, {{1}}});
  const Rules i6{{1, R"({"action": "drop", "match": {"protocol": "icmpv6", "inner": {"src": "2001:db8::/32", "protocol": "udp", "dport": 53}}})"}};
  r.push_back({"inner_v6_unreach_hit", "ICMPv6 destination unreachable quoting UDP", i6,
               v6().icmpv6(kIcmp6DestUnreach, 4).payload(quote6("2001:db8::5", "2001:db8:1::1", kProtoUdp, 999, 53)).build(), kDrop, {{1}}});
  r.push_back({"inner_v6_too_big_hit", "ICMPv6 packet too big quoting UDP", i6,
               v6().icmpv6(2, 0).payload(quote6("2001:db8::5", "2001:db8:1::1", kProtoUdp, 999, 53)).build(), kDrop, {{1}}});
  r.push_back({"inner_v6_src_miss", "quoted source outside 2001:db8::/32", i6,
               v6().icmpv6(kIcmp6DestUnreach, 4).payload(quote6("2001:db9::5", "2001:db8:1::1", kProtoUdp, 999, 53)).build(), kPass, {}});
}

void add_ttl_len_vlan_rows(std::vector<Row>& r) {
  const Rules ttl{{1, R"({"action": "drop", "match": {"ttl": "1-5"}})"}};
  r.push_back({"ttl_lo", "TTL 1 in 1-5", ttl, v4().ttl(1).udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"ttl_hi", "TTL 5 in 1-5", ttl, v4().ttl(5).udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"ttl_above", "TTL 6", ttl, v4().ttl(6).udp(1, 2).build(), kPass, {}});
  r.push_back({"ttl_zero", "TTL 0", ttl, v4().ttl(0).udp(1, 2).build(), kPass, {}});
  const Rules hl{{1, R"({"action": "drop", "match": {"family": "ipv6", "ttl": 255}})"}};
  r.push_back({"hop_limit_hit", "hop limit 255", hl, v6().hop_limit(255).udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"hop_limit_miss", "hop limit 254", hl, v6().hop_limit(254).udp(1, 2).build(), kPass, {}});
  const Rules len{{1, R"({"action": "drop", "match": {"length": "0-100"}})"}};
  r.push_back({"length_100", "IPv4 total length 100", len, v4().udp(1, 2).payload(72).build(), kDrop, {{1}}});
  r.push_back({"length_101", "IPv4 total length 101", len, v4().udp(1, 2).payload(73).build(), kPass, {}});
  const Rules len6{{1, R"({"action": "drop", "match": {"length": "100-200"}})"}};
  r.push_back({"length_v6_100", "IPv6 payload 60 + 40", len6, v6().udp(1, 2).payload(52).build(), kDrop, {{1}}});
  r.push_back({"length_v6_99", "IPv6 payload 59 + 40", len6, v6().udp(1, 2).payload(51).build(), kPass, {}});
  Bytes padded = v4().udp(1, 2).build();  // total length 28
  padded.resize(60, 0);                    // Ethernet padding after the IP packet
  r.push_back({"length_ignores_padding", "length is the IP header's, not the padded frame's",
               {{1, R"({"action": "drop", "match": {"length": 28}})"}}, padded, kDrop, {{1}}});

  const Rules vlan{{1, R"({"action": "drop", "match": {"vlan": 100}})"}};
  r.push_back({"vlan_hit", "802.1Q tag 100", vlan, Frame().vlan(100).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"vlan_other", "tag 200", vlan, Frame().vlan(200).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kPass, {}});
  r.push_back({"vlan_untagged", "no tag", vlan, v4().udp(1, 2).build(), kPass, {}});
  r.push_back({"vlan_qinq_outer", "QinQ: the outer (802.1ad) tag is matched", vlan,
               Frame().vlan(100, 0, kEth8021AD).vlan(200).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"vlan_qinq_inner", "QinQ: the inner tag is not", vlan,
               Frame().vlan(200, 0, kEth8021AD).vlan(100).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kPass, {}});
  r.push_back({"vlan_v6", "a tagged IPv6 frame", vlan, Frame().vlan(100).ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build(), kDrop, {{1}}});
  const Rules vlan0{{1, R"({"action": "drop", "match": {"vlan": 0}})"}};
  r.push_back({"vlan0_priority_tag", "vlan 0 matches a priority tag", vlan0, Frame().vlan(0, 5).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"vlan0_untagged", "vlan 0 does not match an untagged frame", vlan0, v4().udp(1, 2).build(), kPass, {}});
}

void add_iface_rows(std::vector<Row>& r) {
  // BPF_PROG_TEST_RUN without a context runs on the loopback device (see guard_test.cpp for
  // explicit ingress_ifindex values).
  r.push_back({"iface_lo_default", "iface lo matches a test run's default device",
               {{1, R"({"action": "drop", "match": {"iface": "lo", "protocol": "udp"}})"}}, v4().udp(1, 2).build(), kDrop, {{1}}});
}

}  // namespace

void add_field_rows(std::vector<Row>& r) {
  add_port_rows(r);
  add_flag_icmp_rows(r);
  add_inner_rows(r);
  add_ttl_len_vlan_rows(r);
  add_iface_rows(r);
}

void add_parser_rows(std::vector<Row>& r) {
  const Rules dport80{{1, R"({"action": "drop", "match": {"protocol": "tcp", "dport": 80}})"}};
  r.push_back({"ipv4_options_4", "4 bytes of IPv4 options move the ports", dport80, v4().ip_options(4).tcp(1, 80, kSyn).build(), kDrop, {{1}}});
  r.push_back({"ipv4_options_40", "40 bytes of IPv4 options", dport80, v4().ip_options(40).tcp(1, 80, kSyn).build(), kDrop, {{1}}});
  r.push_back({"ipv4_options_40_miss", "40 bytes of options, port 81", dport80, v4().ip_options(40).tcp(1, 81, kSyn).build(), kPass, {}});
  r.push_back({"vlan_src_rule", "a source rule through an 802.1Q tag",
               {{1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})"}}, Frame().vlan(7).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), kDrop, {{1}}});
  r.push_back({"qinq_port_rule", "a port rule through QinQ", dport80,
               Frame().vlan(7, 0, kEth8021AD).vlan(8).ipv4("10.1.2.3", "192.0.2.1").tcp(1, 80, kSyn).build(), kDrop, {{1}}});

  const Rules dns6{{1, R"({"action": "drop", "match": {"family": "ipv6", "protocol": "udp", "dport": 53}})"}};
  r.push_back({"v6_hop_by_hop", "hop-by-hop options skipped", dns6, v6().ext_hop_by_hop().udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_hop_by_hop_long", "hop-by-hop with 3 extra units", dns6, v6().ext_hop_by_hop(3).udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_routing", "routing header skipped", dns6, v6().ext_routing().udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_dest_opts", "destination options skipped", dns6, v6().ext_dest_opts(1).udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_first_fragment", "a first fragment has its ports", dns6, v6().ext_fragment(0, true).udp(1, 53).payload(16).build(), kDrop, {{1}}});
  r.push_back({"v6_ext_chain", "hop-by-hop, routing, fragment, destination options", dns6,
               v6().ext_hop_by_hop().ext_routing().ext_fragment(0, false).ext_dest_opts().udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_ah", "an authentication header skipped", dns6, v6().ext_ah().udp(1, 53).build(), kDrop, {{1}}});
  r.push_back({"v6_ext_port_miss", "extension headers, port 54", dns6, v6().ext_hop_by_hop().ext_routing().udp(1, 54).build(), kPass, {}});

  // Non-first fragments have a protocol but no ports.
  const Rules udp_src{{1, R"({"action": "drop", "match": {"src": "10.1.2.3", "protocol": "udp"}})"},
                      {2, R"({"priority": 1, "action": "pass", "match": {"protocol": "udp", "dport": 53}})"}};
  r.push_back({"v4_later_fragment", "a later IPv4 fragment: protocol yes, ports no", udp_src,
               v4().ip_fragment(8, false).udp(1, 53).payload(16).build(), kDrop, {{1}}});
  r.push_back({"v4_first_fragment", "the first IPv4 fragment has ports", udp_src,
               v4().ip_fragment(0, true).udp(1, 53).payload(16).build(), kPass, {{2}}});
  const Rules udp6_src{{1, R"({"action": "drop", "match": {"src": "2001:db8::1", "protocol": "udp"}})"},
                       {2, R"({"priority": 1, "action": "pass", "match": {"protocol": "udp", "dport": 53}})"}};
  r.push_back({"v6_later_fragment", "a later IPv6 fragment: protocol yes, ports no", udp6_src,
               v6().ext_fragment(16, true).udp(1, 53).payload(16).build(), kDrop, {{1}}});

  // Truncated and malformed: normal rules never match them, malformed rules only them.
  const Rules mal{{1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})"},
                  {2, R"({"priority": 2000, "action": "drop", "match": {"malformed": true, "src": "10.1.2.0/24"}})"}};
  const Rules mal_any{{1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})"},
                      {2, R"({"priority": 2000, "action": "drop", "match": {"malformed": true}})"}};
  const Rules normal_only{{1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})"}};
  // `addresses`: the IPv4 header is whole, so a malformed rule may also name the source.
  auto add_mal = [&](const char* name, const char* desc, Bytes pkt, bool addresses = true) {
    r.push_back({std::string("mal_") + name, std::string(desc) + ": the malformed rule drops it",
                 addresses ? mal : mal_any, pkt, kDrop, {{2}}, true});
    r.push_back({std::string("mal_") + name + "_normal_rule", std::string(desc) + ": a normal rule does not match", normal_only, pkt, kPass, {}, true});
  };
  add_mal("tcp_cut", "TCP header cut after 10 bytes", v4().tcp(1, 80, kSyn).truncate(kEthHdrLen + 20 + 10).build());
  add_mal("udp_cut", "UDP header cut after 4 bytes", v4().udp(1, 53).truncate(kEthHdrLen + 20 + 4).build());
  add_mal("ihl_4", "IHL 4 (shorter than the header)", v4().ihl(4).udp(1, 2).build(), false);
  add_mal("tot_len_beyond", "total length beyond the frame", v4().tot_len(400).udp(1, 2).payload(20).build());
  add_mal("tot_len_short", "total length below the header length", v4().tot_len(12).udp(1, 2).payload(20).build(), false);
  add_mal("tcp_doff_4", "TCP data offset 4", v4().tcp(1, 80, kSyn).tcp_doff(4).build());
  add_mal("vlan_ip_cut", "IPv4 header cut after 12 bytes (VLAN-tagged)",
          Frame().vlan(9).ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).truncate(kEthHdrLen + 4 + 12).build(), false);
  r.push_back({"mal_tcp_cut_has_no_ports", "docs: a packet cut inside its TCP header has no ports",
               {{2, R"({"action": "drop", "match": {"malformed": true, "protocol": "tcp", "dport": 80}})"}},
               v4().tcp(1, 80, kSyn).truncate(kEthHdrLen + 20 + 10).build(), kPass, {}, true});
  r.push_back({"mal_version_mismatch", "version 6 in an IPv4 frame is malformed",
               {{2, R"({"action": "drop", "match": {"malformed": true}})"}}, v4().ip_version(6).udp(1, 2).build(), kDrop, {{2}}, true});
  r.push_back({"mal_v6_ext_cut", "IPv6 hop-by-hop header cut short",
               {{2, R"({"action": "drop", "match": {"malformed": true, "family": "ipv6"}})"}},
               v6().ext_hop_by_hop(4).udp(1, 2).truncate(kEthHdrLen + 40 + 10).build(), kDrop, {{2}}, true});
  r.push_back({"mal_v6_plen_beyond", "IPv6 payload length beyond the frame",
               {{2, R"({"action": "drop", "match": {"malformed": true}})"}}, v6().tot_len(900).udp(1, 2).build(), kDrop, {{2}}, true});
  r.push_back({"mal_rule_ignores_good", "a malformed rule does not match a good packet",
               {{2, R"({"action": "drop", "match": {"malformed": true}})"}}, v4().udp(1, 2).build(), kPass, {}});

  // Non-IP: always passed, never matched, counted.
  const Rules all{{1, R"({"action": "drop", "match": {}})"}, {2, R"({"action": "drop", "match": {"malformed": true}})"}};
  r.push_back({"arp_passes", "ARP passes a match-everything drop", all,
               Frame().arp(kArpRequest, "10.0.0.1", "10.0.0.2").build(), kPass, {}, false, true});
  r.push_back({"arp_vlan_passes", "tagged ARP passes", all,
               Frame().vlan(5).arp(kArpRequest, "10.0.0.1", "10.0.0.2").build(), kPass, {}, false, true});
  r.push_back({"lldp_passes", "LLDP passes", all, Frame().ethertype(kEthLldp).payload(40).build(), kPass, {}, false, true});
  r.push_back({"match_all_drops_ip", "the same rules drop an IP packet", all, v4().udp(1, 2).build(), kDrop, {{1}}});
}

}  // namespace pscope::testing::guard
