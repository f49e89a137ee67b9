// The reference matcher: facts_from_frame (the XDP parser's twin), matches() per field and
// evaluate() per docs/guarder.md "Semantics".
#include <gtest/gtest.h>

#include <random>

#include <nlohmann/json.hpp>

#include "guarder/matcher.h"
#include "packet_builder.h"

using namespace pscope::guarder;
using pscope::guarder::test::PacketBuilder;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1767225600LL * 1000000000LL;
constexpr uint8_t kSyn = 0x02, kAck = 0x10;

Rule rule(json j, uint32_t id = 1) {
  if (!j.contains("action")) j["action"] = "drop";
  auto r = parse_rule(j, ParseOptions{kNow, false});
  EXPECT_TRUE(r.rule) << j.dump() << ": " << (r.errors.empty() ? "" : r.errors[0].message);
  Rule out = r.rule.value_or(Rule{});
  out.id = id;
  return out;
}

std::optional<uint32_t> fake_ifindex(const std::string& name) {
  if (name == "lo") return 7;
  return std::nullopt;
}

PacketFacts facts(const std::vector<uint8_t>& frame, bool l2 = true) {
  auto f = facts_from_frame(frame, l2, 7);
  EXPECT_TRUE(f) << "not parsed as IP";
  return f.value_or(PacketFacts{});
}

bool hit(const json& match, const PacketFacts& p) {
  return matches(rule({{"match", match}}).match, p, fake_ifindex);
}

PacketFacts syn4() {
  return facts(PacketBuilder().ipv4("198.51.100.7", "10.0.0.1", 6, 61).tcp(40000, 22, kSyn).frame());
}

}  // namespace

// ---- facts_from_frame: the XDP parser's twin ------------------------------------------------

TEST(PacketFacts, Ipv4TcpWithVlan) {
  auto p = facts(PacketBuilder().vlan(100).vlan(5, 0x8100).ipv4("198.51.100.7", "10.0.0.1", 6, 61)
                     .tcp(40000, 22, kSyn | kAck).frame());
  EXPECT_EQ(p.family, 4);
  EXPECT_EQ(p.protocol, 6);
  EXPECT_EQ(p.saddr[0], 198);
  EXPECT_EQ(p.daddr[3], 1);
  EXPECT_EQ(p.sport, 40000);
  EXPECT_EQ(p.dport, 22);
  EXPECT_EQ(p.tcp_flags, kSyn | kAck);
  EXPECT_EQ(p.ttl, 61);
  EXPECT_EQ(p.length, 40);
  EXPECT_EQ(p.vlan, 100);  // the outer tag
  EXPECT_EQ(p.ifindex, 7u);
  EXPECT_FALSE(p.malformed);
  EXPECT_TRUE(p.has_l3);
  EXPECT_FALSE(p.icmp_type);
}

TEST(PacketFacts, Ipv4OptionsFragmentsAndPadding) {
  auto opt = facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17, 64, 8).udp(53, 5353).frame());
  EXPECT_EQ(opt.sport, 53);
  EXPECT_EQ(opt.length, 36);
  auto later = facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17, 64, 0, 185).udp(53, 53).frame());
  EXPECT_EQ(later.protocol, 17);
  EXPECT_FALSE(later.sport);  // a later fragment has no L4 header
  EXPECT_FALSE(later.malformed);
  auto first = facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17, 64, 0, 0x2000).udp(1, 2).frame());
  EXPECT_EQ(first.dport, 2);  // MF set, offset 0: the first fragment has ports
  auto padded = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1, 2, kAck).frame();
  padded.resize(80, 0);  // Ethernet padding after the IP packet
  auto pad = facts(padded);
  EXPECT_EQ(pad.length, 40);
  EXPECT_FALSE(pad.malformed);
}

TEST(PacketFacts, Ipv6ExtensionHeaders) {
  auto p = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 6, 3, {0, 60, 43, 51})
                     .tcp(1234, 443, kSyn).frame());
  EXPECT_EQ(p.family, 6);
  EXPECT_EQ(p.protocol, 6);
  EXPECT_EQ(p.dport, 443);
  EXPECT_EQ(p.ttl, 3);
  EXPECT_EQ(p.length, 40 + 32 + 20);
  auto deep = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17, 64, {0, 60, 60, 60, 60, 60, 60})
                        .udp(1, 2).frame());
  EXPECT_EQ(deep.protocol, 60);  // more extension headers than the parser follows
  EXPECT_FALSE(deep.sport);
  EXPECT_FALSE(deep.malformed);
  auto frag = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17, 64, {44}, 100).udp(1, 2).frame());
  EXPECT_EQ(frag.protocol, 17);
  EXPECT_FALSE(frag.sport);
  auto frag0 = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17, 64, {44}, 0).udp(1, 2).frame());
  EXPECT_EQ(frag0.sport, 1);
}

TEST(PacketFacts, MalformedAndCutPackets) {
  auto full = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1000, 80, kSyn).frame();
  auto cut = full;
  cut.resize(14 + 20 + 2);  // cut inside the TCP ports
  auto c = facts(cut);
  EXPECT_TRUE(c.malformed);  // the total length says more than the frame holds
  EXPECT_TRUE(c.has_l3);
  EXPECT_FALSE(c.sport);
  cut.assign(full.begin(), full.begin() + 14 + 20 + 10);  // ports there, flags not
  auto c2 = facts(cut);
  EXPECT_TRUE(c2.malformed);
  EXPECT_EQ(c2.dport, 80);
  EXPECT_FALSE(c2.tcp_flags);
  cut.resize(14 + 10);  // inside the IP header
  auto c3 = facts(cut);
  EXPECT_TRUE(c3.malformed);
  EXPECT_FALSE(c3.has_l3);
  EXPECT_EQ(c3.family, 4);

  auto bad_doff = facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1, 2, kSyn, 4).frame());
  EXPECT_TRUE(bad_doff.malformed);
  EXPECT_EQ(bad_doff.tcp_flags, kSyn);

  auto v = full;
  v[14] = 0x55;  // version 5 under an IPv4 ethertype
  EXPECT_TRUE(facts(v).malformed);
  EXPECT_FALSE(facts(v).has_l3);
  auto ihl = full;
  ihl[14] = 0x44;  // IHL 16 bytes
  EXPECT_TRUE(facts(ihl).malformed);
  auto tot = full;
  tot[14 + 2] = 0, tot[14 + 3] = 19;  // total length below the header length
  EXPECT_TRUE(facts(tot).malformed);
  EXPECT_FALSE(facts(tot).sport);

  auto udp = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 17).bytes({0, 53, 0, 54, 0}).frame();
  auto u = facts(udp);  // 5 bytes of UDP header
  EXPECT_TRUE(u.malformed);
  EXPECT_EQ(u.sport, 53);
  auto v6 = PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 6).tcp(1, 2, kSyn).frame();
  v6.resize(14 + 30);
  EXPECT_TRUE(facts(v6).malformed);
  EXPECT_FALSE(facts(v6).has_l3);
}

TEST(PacketFacts, IcmpAndQuotedHeaders) {
  auto echo = facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 1).icmp(8, 0, 77).frame());
  EXPECT_EQ(echo.icmp_type, 8);
  EXPECT_EQ(echo.icmp_code, 0);
  EXPECT_FALSE(echo.sport);  // the echo id is not a port
  EXPECT_FALSE(echo.inner);

  auto quoted = PacketBuilder().ipv4("10.0.0.2", "192.0.2.9", 17, 1).udp(5353, 53).ip();
  auto err = facts(PacketBuilder().ipv4("10.0.0.254", "10.0.0.2", 1).icmp(3, 3).bytes(quoted).frame());
  EXPECT_EQ(err.icmp_type, 3);
  EXPECT_EQ(err.icmp_code, 3);
  ASSERT_TRUE(err.inner);
  EXPECT_EQ(err.inner->protocol, 17);
  EXPECT_EQ(err.inner->src[3], 2);
  EXPECT_EQ(err.inner->dst[0], 192);
  EXPECT_EQ(err.inner->sport, 5353);
  EXPECT_EQ(err.inner->dport, 53);

  std::vector<uint8_t> short_quote(quoted.begin(), quoted.begin() + 22);  // routers quote little
  auto sq = facts(PacketBuilder().ipv4("10.0.0.254", "10.0.0.2", 1).icmp(11, 0).bytes(short_quote).frame());
  ASSERT_TRUE(sq.inner);
  EXPECT_FALSE(sq.inner->sport);
  EXPECT_FALSE(sq.malformed);

  auto q6 = PacketBuilder().ipv6("2001:db8::2", "2001:db8::9", 6).tcp(40000, 443, kSyn).ip();
  auto e6 = facts(PacketBuilder().ipv6("2001:db8::fe", "2001:db8::2", 58).icmp(1, 4).bytes(q6).frame());
  EXPECT_EQ(e6.icmp_type, 1);
  ASSERT_TRUE(e6.inner);
  EXPECT_EQ(e6.inner->dport, 443);
  auto ping6 = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 58).icmp(128, 0).frame());
  EXPECT_EQ(ping6.icmp_type, 128);
  EXPECT_FALSE(ping6.inner);

  // Protocol 58 inside IPv4 (or 1 inside IPv6) is not ICMP of that family: no type.
  EXPECT_FALSE(facts(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 58).icmp(128, 0).frame()).icmp_type);
  EXPECT_FALSE(facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 1).icmp(8, 0).frame()).icmp_type);
  auto icmp_cut = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 1).bytes({3, 1, 0}).frame();
  EXPECT_TRUE(facts(icmp_cut).malformed);
  EXPECT_FALSE(facts(icmp_cut).icmp_type);
}

TEST(PacketFacts, NonIpFrames) {
  std::vector<uint8_t> arp = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1};
  EXPECT_FALSE(facts_from_frame(arp));
  EXPECT_FALSE(facts_from_frame(std::vector<uint8_t>(13, 0)));
  auto three = PacketBuilder().vlan(1).vlan(2).vlan(3).ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1, 2, 0).frame();
  EXPECT_FALSE(facts_from_frame(three));  // more tags than the parser follows
  auto tag = PacketBuilder().vlan(1).ipv4("10.0.0.1", "10.0.0.2", 6).frame();
  tag.resize(16);
  EXPECT_FALSE(facts_from_frame(tag));  // a cut tag
  auto raw = PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17).udp(7, 9).ip();
  EXPECT_EQ(facts(raw, false).dport, 9);
}

// ---- matches(): one field at a time ---------------------------------------------------------

TEST(Matcher, AddressesAndFamily) {
  auto p = syn4();
  EXPECT_TRUE(hit(json::object(), p));
  EXPECT_TRUE(hit({{"src", "198.51.100.0/24"}}, p));
  EXPECT_TRUE(hit({{"src", "198.51.100.7"}, {"dst", "10.0.0.0/8"}}, p));
  EXPECT_TRUE(hit({{"src", "0.0.0.0/0"}}, p));
  EXPECT_FALSE(hit({{"src", "198.51.100.8/29"}}, p));
  EXPECT_FALSE(hit({{"dst", "10.0.0.2"}}, p));
  EXPECT_FALSE(hit({{"src", "::/0"}}, p));
  EXPECT_FALSE(hit({{"src", "::ffff:198.51.100.0/120"}}, p));  // mapped IPv6 is not IPv4
  EXPECT_TRUE(hit({{"family", "ipv4"}}, p));
  EXPECT_FALSE(hit({{"family", "ipv6"}}, p));
  auto p6 = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8:1::2", 17).udp(1, 2).frame());
  EXPECT_TRUE(hit({{"dst", "2001:db8:1::/48"}}, p6));
  EXPECT_FALSE(hit({{"dst", "2001:db8:2::/48"}}, p6));
  EXPECT_FALSE(hit({{"dst", "0.0.0.0/0"}}, p6));
}

TEST(Matcher, ProtocolPortsAndFlags) {
  auto p = syn4();
  EXPECT_TRUE(hit({{"protocol", "tcp"}}, p));
  EXPECT_FALSE(hit({{"protocol", "udp"}}, p));
  EXPECT_TRUE(hit({{"protocol", "tcp"}, {"dport", 22}}, p));
  EXPECT_TRUE(hit({{"protocol", "tcp"}, {"dport", "22-22"}, {"sport", "40000-65535"}}, p));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"dport", "23-1023"}}, p));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"sport", "0-39999"}}, p));
  EXPECT_TRUE(hit({{"protocol", "tcp"}, {"tcp_flags", "SYN,!ACK"}}, p));
  EXPECT_TRUE(hit({{"protocol", "tcp"}, {"tcp_flags", "!RST"}}, p));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"tcp_flags", "ACK"}}, p));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"tcp_flags", "SYN,!ACK"}},
                   facts(PacketBuilder().ipv4("1.1.1.1", "2.2.2.2", 6).tcp(1, 2, kSyn | kAck).frame())));
  // A rule never matches a field the packet does not have.
  auto frag = facts(PacketBuilder().ipv4("1.1.1.1", "2.2.2.2", 6, 64, 0, 100).tcp(1, 22, kSyn).frame());
  EXPECT_TRUE(hit({{"protocol", "tcp"}}, frag));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"dport", "0-65535"}}, frag));
  EXPECT_FALSE(hit({{"protocol", "tcp"}, {"tcp_flags", "!SYN"}}, frag));
  EXPECT_TRUE(hit({{"protocol", 6}}, p));
}

TEST(Matcher, IcmpFollowsThePacketFamily) {
  auto ping4 = facts(PacketBuilder().ipv4("1.1.1.1", "2.2.2.2", 1).icmp(8, 0).frame());
  auto ping6 = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 58).icmp(128, 0).frame());
  json echo4 = {{"protocol", "icmp"}, {"icmp", {{"type", 8}}}};
  json echo6 = {{"protocol", "icmpv6"}, {"icmp", {{"type", 128}, {"code", 0}}}};
  EXPECT_TRUE(hit(echo4, ping4));
  EXPECT_FALSE(hit(echo4, ping6));
  EXPECT_TRUE(hit(echo6, ping6));
  EXPECT_FALSE(hit(echo6, ping4));
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"icmp", {{"type", 8}, {"code", 1}}}}, ping4));
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"icmp", {{"type", 0}}}}, ping4));
  // Hand-made facts that claim an ICMP type on a non-ICMP packet still do not match.
  PacketFacts odd = ping6;
  odd.protocol = 1;
  EXPECT_FALSE(hit({{"protocol", 1}, {"icmp", {{"type", 128}}}}, odd));
}

TEST(Matcher, InnerHeader) {
  auto quoted = PacketBuilder().ipv4("10.0.0.2", "192.0.2.9", 17).udp(5353, 53).ip();
  auto err = facts(PacketBuilder().ipv4("10.0.0.254", "10.0.0.2", 1).icmp(3, 3).bytes(quoted).frame());
  EXPECT_TRUE(hit({{"protocol", "icmp"}, {"inner", {{"dst", "192.0.2.0/24"}, {"protocol", "udp"}, {"dport", 53}}}}, err));
  EXPECT_TRUE(hit({{"protocol", "icmp"}, {"inner", {{"src", "10.0.0.2"}}}}, err));
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"inner", {{"dst", "192.0.3.0/24"}}}}, err));
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"inner", {{"protocol", "udp"}, {"sport", 53}}}}, err));
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"inner", {{"protocol", "tcp"}}}}, err));
  auto ping = facts(PacketBuilder().ipv4("1.1.1.1", "2.2.2.2", 1).icmp(8, 0).frame());
  EXPECT_FALSE(hit({{"protocol", "icmp"}, {"inner", {{"protocol", "udp"}}}}, ping));
}

TEST(Matcher, TtlLengthIfaceVlan) {
  auto p = syn4();  // ttl 61, length 40, ifindex 7, untagged
  EXPECT_TRUE(hit({{"ttl", "60-64"}}, p));
  EXPECT_FALSE(hit({{"ttl", "1-60"}}, p));
  EXPECT_TRUE(hit({{"length", 40}}, p));
  EXPECT_FALSE(hit({{"length", "41-65535"}}, p));
  EXPECT_TRUE(hit({{"iface", "lo"}}, p));  // fake_ifindex: lo = 7
  PacketFacts other = p;
  other.ifindex = 8;
  EXPECT_FALSE(hit({{"iface", "lo"}}, other));
  EXPECT_FALSE(matches(rule({{"match", {{"iface", "lo"}}}}).match, p,
                       [](const std::string&) -> std::optional<uint32_t> { return std::nullopt; }));
  EXPECT_FALSE(hit({{"vlan", 0}}, p));  // untagged: no VLAN at all
  auto tagged = facts(PacketBuilder().vlan(0).ipv4("1.1.1.1", "2.2.2.2", 6).tcp(1, 2, 0).frame());
  EXPECT_TRUE(hit({{"vlan", 0}}, tagged));
  EXPECT_FALSE(hit({{"vlan", 1}}, tagged));
  auto v6 = facts(PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 17, 1).udp(1, 2).frame());
  EXPECT_TRUE(hit({{"ttl", 1}, {"length", 48}}, v6));  // hop limit; payload length + 40
}

TEST(Matcher, MalformedRulesAndPacketsOnlyMeetEachOther) {
  auto ok = syn4();
  auto full = PacketBuilder().ipv4("198.51.100.7", "10.0.0.1", 6).tcp(40000, 22, kSyn).frame();
  full.resize(14 + 20 + 10);
  auto cut = facts(full);  // malformed, has ports, no flags
  EXPECT_FALSE(hit({{"malformed", true}}, ok));
  EXPECT_TRUE(hit({{"malformed", true}}, cut));
  EXPECT_FALSE(hit(json::object(), cut));
  EXPECT_FALSE(hit({{"src", "198.51.100.7"}}, cut));
  EXPECT_TRUE(hit({{"malformed", true}, {"src", "198.51.100.7"}, {"protocol", "tcp"}, {"dport", 22}}, cut));
  EXPECT_FALSE(hit({{"malformed", true}, {"protocol", "tcp"}, {"tcp_flags", "SYN"}}, cut));
  full.resize(14 + 12);  // no addresses
  auto no_l3 = facts(full);
  EXPECT_TRUE(hit({{"malformed", true}}, no_l3));
  EXPECT_TRUE(hit({{"malformed", true}, {"family", "ipv4"}}, no_l3));
  EXPECT_FALSE(hit({{"malformed", true}, {"src", "0.0.0.0/0"}}, no_l3));
  EXPECT_FALSE(hit({{"malformed", true}, {"protocol", 0}}, no_l3));
  EXPECT_FALSE(hit({{"malformed", true}, {"ttl", "0-255"}}, no_l3));
  EXPECT_FALSE(hit({{"malformed", true}}, PacketFacts{}));  // not IP
}

// ---- evaluate(): order, terminal actions, shadow, expiry -------------------------------------

TEST(Evaluate, PriorityThenIdAndPassWins) {
  auto p = syn4();
  std::vector<Rule> rules = {rule({{"priority", 20}}, 1),
                             rule({{"action", "pass"}, {"priority", 10}, {"match", {{"protocol", "tcp"}}}}, 2)};
  auto v = evaluate(rules, p, kNow, fake_ifindex);
  EXPECT_FALSE(v.drop);
  EXPECT_EQ(v.terminal, 2u);
  rules[1].priority = 20;  // same priority: lower id first
  v = evaluate(rules, p, kNow, fake_ifindex);
  EXPECT_TRUE(v.drop);
  EXPECT_EQ(v.terminal, 1u);
  rules[0].id = 3;
  EXPECT_EQ(evaluate(rules, p, kNow, fake_ifindex).terminal, 2u);
}

TEST(Evaluate, NonTerminalAndShadowRules) {
  auto p = syn4();
  std::vector<Rule> rules = {
      rule({{"action", "log"}, {"priority", 5}}, 10),
      rule({{"action", "drop"}, {"priority", 6}, {"shadow", true}}, 11),
      rule({{"action", "rate-limit"}, {"rate", {{"pps", 1}}}, {"priority", 7}}, 12),
      rule({{"action", "pass"}, {"priority", 8}, {"shadow", true}}, 13),
      rule({{"action", "drop"}, {"priority", 9}, {"match", {{"protocol", "udp"}}}}, 14),
      rule({{"action", "drop"}, {"priority", 10}, {"match", {{"protocol", "tcp"}}}}, 15),
      rule({{"action", "log"}, {"priority", 11}}, 16),  // after the terminal rule: not applied
  };
  auto v = evaluate(rules, p, kNow, fake_ifindex);
  EXPECT_TRUE(v.drop);
  EXPECT_EQ(v.terminal, 15u);
  EXPECT_EQ(v.applied, (std::vector<uint32_t>{10, 11, 12, 13}));
  rules[5].enabled = false;  // no terminal rule: passed
  v = evaluate(rules, p, kNow, fake_ifindex);
  EXPECT_FALSE(v.drop);
  EXPECT_FALSE(v.terminal);
  EXPECT_EQ(v.applied, (std::vector<uint32_t>{10, 11, 12, 13, 16}));
}

TEST(Evaluate, ExpiryDisabledAndNonIp) {
  auto p = syn4();
  std::vector<Rule> rules = {rule({{"ttl_s", 10}}, 1)};
  EXPECT_TRUE(evaluate(rules, p, kNow + 10000000000LL, fake_ifindex).drop);  // at the deadline
  EXPECT_FALSE(evaluate(rules, p, kNow + 10000000001LL, fake_ifindex).drop);  // after it
  rules[0].expires_ns.reset();
  rules[0].enabled = false;
  EXPECT_FALSE(evaluate(rules, p, kNow, fake_ifindex).drop);
  rules[0].enabled = true;
  auto v = evaluate(rules, PacketFacts{}, kNow, fake_ifindex);
  EXPECT_FALSE(v.drop);
  EXPECT_FALSE(v.terminal);
}

TEST(Evaluate, AppliedIsCappedLikeTheKernel) {
  auto p = syn4();
  std::vector<Rule> rules;
  for (uint32_t i = 1; i <= 20; ++i) rules.push_back(rule({{"action", "log"}, {"priority", 100 - i}}, i));
  rules.push_back(rule({{"priority", 200}}, 99));
  auto v = evaluate(rules, p, kNow, fake_ifindex);
  EXPECT_TRUE(v.drop);
  ASSERT_EQ(v.applied.size(), kMaxApplied);
  EXPECT_EQ(v.applied.front(), 20u);  // priority 80: first in order
  EXPECT_EQ(v.applied.back(), 5u);
}

// Random bytes, and real packets cut at every length: the parser reads only what it holds
// (run under valgrind/ASan to check) and a cut packet is never taken for a whole one.
TEST(PacketFacts, RandomAndCutFramesStayInBounds) {
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b(rng() % 120);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (b.size() > 13 && i % 2) b[12] = 0x86, b[13] = 0xdd;  // steer half into IPv6
    if (b.size() > 14 && i % 4 == 1) b[12] = 0x08, b[13] = 0x00, b[14] = 0x45;
    (void)facts_from_frame(b, true);
    (void)facts_from_frame(b, false);
  }
  auto quoted = PacketBuilder().ipv4("10.0.0.2", "192.0.2.9", 6).tcp(1, 2, kSyn).ip();
  for (auto frame : {PacketBuilder().ipv4("10.0.0.1", "10.0.0.2", 1, 64, 8).icmp(3, 1).bytes(quoted).frame(),
                     PacketBuilder().ipv6("2001:db8::1", "2001:db8::2", 6, 64, {0, 44}).tcp(1, 2, kSyn).frame()}) {
    for (size_t n = 14; n < frame.size(); ++n) {
      std::vector<uint8_t> cut(frame.begin(), frame.begin() + static_cast<long>(n));
      auto p = facts_from_frame(cut);
      ASSERT_TRUE(p);
      EXPECT_TRUE(p->malformed) << n;
    }
    EXPECT_FALSE(facts_from_frame(frame)->malformed);
  }
}
