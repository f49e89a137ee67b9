// The Guarder row table (see guard_rows.h): helpers, addresses and priorities, actions.
#include "guard_rows.h"

#include <ostream>

namespace pscope::testing::guard {

void PrintTo(const Row& r, std::ostream* os) { *os << r.name << " (" << r.packet.size() << " bytes)"; }

PacketBuilder Frame() { return PacketBuilder().eth("02:00:00:00:00:0a", "02:00:00:00:00:0b"); }

Bytes quote4(const char* src, const char* dst, std::uint8_t proto, std::uint16_t sport,
             std::uint16_t dport) {
  PacketBuilder b;
  b.no_eth().ipv4(src, dst);
  if (proto == kProtoTcp) b.tcp(sport, dport, kSyn);
  if (proto == kProtoUdp) b.udp(sport, dport).payload(20);
  return b.truncate(kIpv4HdrLen + 8).build();
}

Bytes quote6(const char* src, const char* dst, std::uint8_t proto, std::uint16_t sport,
             std::uint16_t dport) {
  PacketBuilder b;
  b.no_eth().ipv6(src, dst);
  if (proto == kProtoTcp) b.tcp(sport, dport, kSyn);
  if (proto == kProtoUdp) b.udp(sport, dport).payload(20);
  return b.truncate(kIpv6HdrLen + 8).build();
}

std::vector<Row> Rows() {
  std::vector<Row> r;
  add_address_rows(r);
  add_action_rows(r);
  add_field_rows(r);
  add_parser_rows(r);
  return r;
}

namespace {

constexpr std::uint32_t kDrop = 1, kPass = 2;

Bytes udp4(const char* src, const char* dst) {
  return Frame().ipv4(src, dst).udp(40000, 53).payload(16).build();
}
Bytes udp6(const char* src, const char* dst) {
  return Frame().ipv6(src, dst).udp(40000, 53).payload(16).build();
}

// One packet through the four groups: each rule names the packet in a different way.
void add_group_rows(std::vector<Row>& r) {
  struct G {
    const char* tag;
    std::uint32_t id;
    const char* match;
  };
  static constexpr G kGroups[] = {
      {"any", 11, R"("protocol": "udp")"},
      {"src", 12, R"("src": "10.1.2.3")"},
      {"dst", 13, R"("dst": "192.0.2.1")"},
      {"both", 14, R"("src": "10.1.2.0/24", "dst": "192.0.2.0/24")"},
  };
  for (const char* win_action : {"pass", "drop"}) {
    const char* lose_action = std::string(win_action) == "pass" ? "drop" : "pass";
    for (const G& w : kGroups) {
      Row row{.name = std::string("group_") + w.tag + "_first_" + win_action,
              .description = std::string("the ") + w.tag + " group's " + win_action +
                             " (priority 10) beats the other groups' " + lose_action +
                             " (priority 20)",
              .rules = {},
              .packet = udp4("10.1.2.3", "192.0.2.1"),
              .verdict = std::string(win_action) == "pass" ? kPass : kDrop,
              .hits = {{w.id}}};
      for (const G& g : kGroups) {
        bool win = &g == &w;
        row.rules.push_back({g.id, std::string(R"({"priority": )") + (win ? "10" : "20") +
                                       R"(, "action": ")" + (win ? win_action : lose_action) +
                                       R"(", "match": {)" + g.match + "}}"});
      }
      r.push_back(std::move(row));
    }
  }
  r.push_back({.name = "group_nonterminal_mix",
               .description = "log (src group), shadow drop (dst), pass (any), drop (both): "
                              "applied in priority order across groups, pass stops the drop",
               .rules = {{21, R"({"priority": 5, "action": "log", "match": {"src": "10.1.2.3"}})"},
                         {22, R"({"priority": 6, "action": "drop", "shadow": true,
                                  "match": {"dst": "192.0.2.0/24"}})"},
                         {23, R"({"priority": 7, "action": "pass", "match": {"protocol": "udp"}})"},
                         {24, R"({"priority": 8, "action": "drop",
                                  "match": {"src": "10.1.2.0/24", "dst": "192.0.2.1"}})"}},
               .packet = udp4("10.1.2.3", "192.0.2.1"),
               .verdict = kPass,
               .hits = {{21}, {22}, {23}},
               .logs = 1});
}

}  // namespace

void add_address_rows(std::vector<Row>& r) {
  const std::pair<std::uint32_t, std::string> src_host{1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})"};
  r.push_back({"v4_src_host_hit", "a /32 source drop", {src_host}, udp4("10.1.2.3", "192.0.2.1"), kDrop, {{1}}});
  r.push_back({"v4_src_host_miss", "the next address is not matched", {src_host}, udp4("10.1.2.4", "192.0.2.1"), kPass, {}});
  const std::pair<std::uint32_t, std::string> dst24{1, R"({"action": "drop", "match": {"dst": "192.0.2.0/24"}})"};
  r.push_back({"v4_dst_prefix_hit", "a /24 destination drop", {dst24}, udp4("10.0.0.1", "192.0.2.77"), kDrop, {{1}}});
  r.push_back({"v4_dst_prefix_miss", "outside the /24", {dst24}, udp4("10.0.0.1", "192.0.3.1"), kPass, {}});
  r.push_back({"v4_dst_rule_ignores_src", "a destination rule does not look at the source",
               {dst24}, udp4("192.0.2.77", "10.0.0.1"), kPass, {}});
  const std::pair<std::uint32_t, std::string> both{1, R"({"action": "drop", "match": {"src": "10.0.0.0/8", "dst": "192.0.2.0/24"}})"};
  r.push_back({"v4_both_hit", "source and destination both match", {both}, udp4("10.5.5.5", "192.0.2.9"), kDrop, {{1}}});
  r.push_back({"v4_both_src_only", "only the source matches", {both}, udp4("10.5.5.5", "198.51.100.1"), kPass, {}});
  r.push_back({"v4_both_dst_only", "only the destination matches", {both}, udp4("11.0.0.1", "192.0.2.9"), kPass, {}});
  const std::pair<std::uint32_t, std::string> zero{1, R"({"action": "drop", "match": {"src": "0.0.0.0/0", "protocol": "udp", "dport": 53}})"};
  r.push_back({"v4_zero_prefix_v4", "0.0.0.0/0 matches every IPv4 source", {zero}, udp4("203.0.113.9", "192.0.2.1"), kDrop, {{1}}});
  r.push_back({"v4_zero_prefix_not_v6", "0.0.0.0/0 does not match IPv6", {zero}, udp6("2001:db8::1", "2001:db8::2"), kPass, {}});

  // Longest match: the LPM gives the most specific class; every containing prefix's rules must
  // still be found, in priority order.
  const std::vector<std::pair<std::uint32_t, std::string>> drop8_pass24{
      {1, R"({"priority": 100, "action": "drop", "match": {"src": "10.0.0.0/8"}})"},
      {2, R"({"priority": 10, "action": "pass", "match": {"src": "10.1.2.0/24"}})"}};
  r.push_back({"nested_pass24_over_drop8_inside", "a /24 pass of higher priority inside a /8 drop", drop8_pass24, udp4("10.1.2.3", "192.0.2.1"), kPass, {{2}}});
  r.push_back({"nested_pass24_over_drop8_outside", "outside the /24 the /8 drop holds", drop8_pass24, udp4("10.9.9.9", "192.0.2.1"), kDrop, {{1}}});
  const std::vector<std::pair<std::uint32_t, std::string>> pass8_drop24{
      {1, R"({"priority": 10, "action": "pass", "match": {"src": "10.0.0.0/8"}})"},
      {2, R"({"priority": 100, "action": "drop", "match": {"src": "10.1.2.0/24"}})"}};
  r.push_back({"nested_pass8_over_drop24", "the /8 pass of higher priority wins although the /24 is the longest match", pass8_drop24, udp4("10.1.2.3", "192.0.2.1"), kPass, {{1}}});
  const std::vector<std::pair<std::uint32_t, std::string>> drop24_pass8{
      {1, R"({"priority": 100, "action": "pass", "match": {"src": "10.0.0.0/8"}})"},
      {2, R"({"priority": 10, "action": "drop", "match": {"src": "10.1.2.0/24"}})"}};
  r.push_back({"nested_drop24_over_pass8_inside", "a /24 drop of higher priority inside a /8 pass", drop24_pass8, udp4("10.1.2.200", "192.0.2.1"), kDrop, {{2}}});
  r.push_back({"nested_drop24_over_pass8_outside", "outside the /24 the /8 pass holds", drop24_pass8, udp4("10.1.3.1", "192.0.2.1"), kPass, {{1}}});
  const std::vector<std::pair<std::uint32_t, std::string>> three{
      {1, R"({"priority": 30, "action": "drop", "match": {"src": "10.0.0.0/8"}})"},
      {2, R"({"priority": 20, "action": "pass", "match": {"src": "10.1.0.0/16"}})"},
      {3, R"({"priority": 10, "action": "drop", "match": {"src": "10.1.2.3/32"}})"}};
  r.push_back({"nested3_host", "/32 drop inside /16 pass inside /8 drop", three, udp4("10.1.2.3", "192.0.2.1"), kDrop, {{3}}});
  r.push_back({"nested3_mid", "the /16 pass", three, udp4("10.1.9.9", "192.0.2.1"), kPass, {{2}}});
  r.push_back({"nested3_outer", "the /8 drop", three, udp4("10.200.0.1", "192.0.2.1"), kDrop, {{1}}});
  const std::vector<std::pair<std::uint32_t, std::string>> both_nested{
      {1, R"({"priority": 20, "action": "drop", "match": {"src": "10.0.0.0/8", "dst": "192.0.2.0/24"}})"},
      {2, R"({"priority": 10, "action": "pass", "match": {"src": "10.1.0.0/16", "dst": "192.0.2.128/25"}})"}};
  r.push_back({"nested_both_inner", "nested on both sides: the inner pair passes", both_nested, udp4("10.1.1.1", "192.0.2.200"), kPass, {{2}}});
  r.push_back({"nested_both_dst_outside", "destination outside the /25: the outer drop", both_nested, udp4("10.1.1.1", "192.0.2.5"), kDrop, {{1}}});
  r.push_back({"nested_both_src_outside", "source outside the /16: the outer drop", both_nested, udp4("10.2.1.1", "192.0.2.200"), kDrop, {{1}}});
  r.push_back({"tie_lower_id_first_pass", "equal priority: the lower id (a pass) decides",
               {{5, R"({"priority": 10, "action": "drop", "match": {"src": "10.0.0.0/8"}})"},
                {3, R"({"priority": 10, "action": "pass", "match": {"src": "10.1.2.0/24"}})"}},
               udp4("10.1.2.3", "192.0.2.1"), kPass, {{3}}});
  r.push_back({"tie_lower_id_first_drop", "equal priority: the lower id (a drop) decides",
               {{3, R"({"priority": 10, "action": "drop", "match": {"src": "10.0.0.0/8"}})"},
                {5, R"({"priority": 10, "action": "pass", "match": {"src": "10.1.2.0/24"}})"}},
               udp4("10.1.2.3", "192.0.2.1"), kDrop, {{3}}});

  // IPv6.
  const std::pair<std::uint32_t, std::string> src6{1, R"({"action": "drop", "match": {"src": "2001:db8::1"}})"};
  r.push_back({"v6_src_host_hit", "a /128 source drop", {src6}, udp6("2001:db8::1", "2001:db8:ff::1"), kDrop, {{1}}});
  r.push_back({"v6_src_host_miss", "the next address", {src6}, udp6("2001:db8::2", "2001:db8:ff::1"), kPass, {}});
  const std::vector<std::pair<std::uint32_t, std::string>> v6nest{
      {1, R"({"priority": 100, "action": "drop", "match": {"src": "2001:db8::/32"}})"},
      {2, R"({"priority": 10, "action": "pass", "match": {"src": "2001:db8:1:2::/64"}})"},
      {3, R"({"priority": 50, "action": "drop", "match": {"dst": "2001:db8:ff::/48"}})"},
      {4, R"({"priority": 5, "action": "drop", "match": {"src": "2001:db8:1::/48", "dst": "2001:db8:ff:1::/64"}})"}};
  r.push_back({"v6_nested_pass64", "a /64 pass inside a /32 drop", v6nest, udp6("2001:db8:1:2::5", "2001:db8:aa::1"), kPass, {{2}}});
  r.push_back({"v6_nested_drop32", "outside the /64: the /32 drop", v6nest, udp6("2001:db8:9::1", "2001:db8:aa::1"), kDrop, {{1}}});
  r.push_back({"v6_dst48", "a /48 destination drop", v6nest, udp6("2001:db8:9::1", "2001:db8:ff:2::1"), kDrop, {{3}}});
  r.push_back({"v6_both_first", "a both-addresses drop of higher priority than the /64 pass", v6nest, udp6("2001:db8:1:2::5", "2001:db8:ff:1::9"), kDrop, {{4}}});
  r.push_back({"v6_v4_rule_ignored", "an IPv4 rule never matches IPv6", {src_host}, udp6("::ffff:10.1.2.3", "2001:db8::2"), kPass, {}});
  const std::pair<std::uint32_t, std::string> fam6{1, R"({"action": "drop", "match": {"family": "ipv6", "protocol": "udp"}})"};
  r.push_back({"family_v6_hit", "family ipv6 matches IPv6", {fam6}, udp6("2001:db8::1", "2001:db8::2"), kDrop, {{1}}});
  r.push_back({"family_v6_not_v4", "family ipv6 does not match IPv4", {fam6}, udp4("10.1.2.3", "192.0.2.1"), kPass, {}});
  add_group_rows(r);
}

void add_action_rows(std::vector<Row>& r) {
  const Bytes pkt = udp4("10.1.2.3", "192.0.2.1");
  r.push_back({"no_rules", "no rules: pass", {}, pkt, kPass, {}});
  r.push_back({"disabled_rule", "a disabled rule is not compiled",
               {{1, R"({"enabled": false, "action": "drop", "match": {"src": "10.1.2.3"}})"}}, pkt, kPass, {}});
  r.push_back({"shadow_only", "a shadow drop counts and passes",
               {{1, R"({"shadow": true, "action": "drop", "match": {"src": "10.1.2.3"}})"}}, pkt, kPass, {{1}}});
  r.push_back({"shadow_then_pass", "shadow drop then pass: both count",
               {{1, R"({"priority": 1, "shadow": true, "action": "drop", "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "action": "pass", "match": {"protocol": "udp"}})"}}, pkt, kPass, {{1}, {2}}});
  r.push_back({"shadow_pass_then_drop", "a shadow pass does not stop the drop after it",
               {{1, R"({"priority": 1, "shadow": true, "action": "pass", "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "action": "drop", "match": {"protocol": "udp"}})"}}, pkt, kDrop, {{1}, {2}}});
  r.push_back({"shadow_after_terminal", "rules after the terminal one are not evaluated, shadow or not",
               {{1, R"({"priority": 1, "action": "drop", "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "shadow": true, "action": "drop", "match": {"protocol": "udp"}})"}}, pkt, kDrop, {{1}}});
  r.push_back({"shadow_log_no_sample", "a shadow log counts but never logs",
               {{1, R"({"shadow": true, "action": "log", "match": {"src": "10.1.2.3"}})"}}, pkt, kPass, {{1}}});
  r.push_back({"log_then_drop", "log then drop: one sample, verdict drop",
               {{1, R"({"priority": 1, "action": "log", "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "action": "drop", "match": {"protocol": "udp"}})"}}, pkt, kDrop, {{1}, {2}}, false, false, 1});
  r.push_back({"log_only", "a log rule alone passes",
               {{1, R"({"action": "log", "match": {"dst": "192.0.2.0/24"}})"}}, pkt, kPass, {{1}}, false, false, 1});
  r.push_back({"log_after_pass", "a log after the pass is not applied",
               {{1, R"({"priority": 1, "action": "pass", "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "action": "log", "match": {"protocol": "udp"}})"}}, pkt, kPass, {{1}}});
  r.push_back({"rate_within_then_drop", "a rate-limit within its rate lets evaluation go on",
               {{901, R"({"priority": 1, "action": "rate-limit", "rate": {"pps": 1000, "burst": 10}, "match": {"src": "10.1.2.3"}})"},
                {2, R"({"priority": 2, "action": "drop", "match": {"protocol": "udp"}})"}}, pkt, kDrop, {{901}, {2}}});
  r.push_back({"rate_within_passes", "a rate-limit within its rate, nothing else: pass",
               {{902, R"({"action": "rate-limit", "rate": {"bps": 100000}, "match": {"src": "10.1.2.3"}})"}}, pkt, kPass, {{902}}});
}

}  // namespace pscope::testing::guard
