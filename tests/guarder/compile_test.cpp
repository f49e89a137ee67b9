// Unit tests of the rule-set compiler (src/guarder/compile.cpp): classes and candidate lists
// for nested prefixes, both families, mixed groups, priority order, the list-length refusal
// and the cost of compiling 100 000 rules. No kernel needed.
#include "guarder/compile.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pscope::guarder {
namespace {

Cidr cidr(const std::string& text) {
  Cidr c;
  auto slash = text.find('/');
  std::string addr = text.substr(0, slash);
  c.family = addr.find(':') == std::string::npos ? 4 : 6;
  c.prefix = static_cast<uint8_t>(slash == std::string::npos ? (c.family == 4 ? 32 : 128)
                                                              : std::stoi(text.substr(slash + 1)));
  EXPECT_EQ(inet_pton(c.family == 4 ? AF_INET : AF_INET6, addr.c_str(), c.addr.data()), 1) << text;
  return c;
}

Rule rule(uint32_t id, Action a, std::optional<std::string> src = {},
          std::optional<std::string> dst = {}, int32_t priority = 1000) {
  Rule r;
  r.id = id;
  r.priority = priority;
  r.action = a;
  if (src) r.match.src = cidr(*src);
  if (dst) r.match.dst = cidr(*dst);
  if (a == Action::kRateLimit) r.rate = RateLimit{100, 0, false};
  return r;
}

std::optional<uint32_t> no_iface(const std::string& name) {
  if (name == "eth7") return 7;
  return std::nullopt;
}

Result<CompiledSet> compile(const std::vector<Rule>& rules, uint8_t slot = 0) {
  static std::unordered_map<uint32_t, uint32_t> ctr;
  ctr.clear();
  for (const Rule& r : rules) ctr[r.id] = r.id + 100;
  CompileInput in;
  in.rules = rules;
  in.ctr = &ctr;
  in.ifindex_of = no_iface;
  in.slot = slot;
  return compile_rules(in);
}

// Class id of a prefix in one trie.
uint32_t class_of(const std::vector<LpmEntry4>& trie, const std::string& text) {
  Cidr c = cidr(text);
  for (const auto& e : trie)
    if (e.key.prefixlen == 8u + c.prefix && std::equal(e.key.addr, e.key.addr + 4, c.addr.begin()))
      return e.cls;
  return 0;
}
uint32_t class_of(const std::vector<LpmEntry6>& trie, const std::string& text) {
  Cidr c = cidr(text);
  for (const auto& e : trie)
    if (e.key.prefixlen == 8u + c.prefix &&
        std::equal(e.key.addr, e.key.addr + 16, c.addr.begin()))
      return e.cls;
  return 0;
}

// Rule ids of the list under (group, family, src class, dst class), in list order.
std::optional<std::vector<uint32_t>> list_ids(const CompiledSet& s, uint8_t group, uint8_t fam,
                                              uint32_t sc, uint32_t dc) {
  for (const auto& l : s.lists) {
    if (l.key.group != group || l.key.family != fam || l.key.src_class != sc ||
        l.key.dst_class != dc)
      continue;
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < l.list.n; i++) ids.push_back(s.rule_ids[s.items[l.list.off + i]]);
    return ids;
  }
  return std::nullopt;
}

using Ids = std::vector<uint32_t>;

// PS_GG_ANY protocol classes (IP protocol + 1; 0: the packet has no readable IP header).
constexpr uint32_t kNoProto = 0, kTcp = 6 + 1, kUdp = 17 + 1, kGre = 47 + 1;

TEST(GuardCompile, NestedIpv4PrefixesInheritTheRulesAboveThem) {
  auto s = compile({rule(1, Action::kDrop, "10.0.0.0/8"), rule(2, Action::kPass, "10.1.0.0/16"),
                    rule(3, Action::kLog, "10.1.2.0/24"), rule(4, Action::kDrop, "10.2.0.0/16")},
                   1);
  ASSERT_TRUE(s) << s.error().what;
  ASSERT_EQ(s->src4.size(), 4u);
  for (const auto& e : s->src4) EXPECT_EQ(e.key.slot, 1);
  uint32_t c8 = class_of(s->src4, "10.0.0.0/8"), c16 = class_of(s->src4, "10.1.0.0/16"),
           c24 = class_of(s->src4, "10.1.2.0/24"), c2 = class_of(s->src4, "10.2.0.0/16");
  EXPECT_GE(std::min({c8, c16, c24, c2}), 1u);
  EXPECT_EQ(list_ids(*s, PS_GG_SRC, 4, c8, 0), Ids({1}));
  EXPECT_EQ(list_ids(*s, PS_GG_SRC, 4, c16, 0), Ids({1, 2}));
  EXPECT_EQ(list_ids(*s, PS_GG_SRC, 4, c24, 0), Ids({1, 2, 3}));
  EXPECT_EQ(list_ids(*s, PS_GG_SRC, 4, c2, 0), Ids({1, 4}));
  for (const auto& l : s->lists) EXPECT_NE(l.key.group, PS_GG_ANY);  // no address-less rule
  EXPECT_TRUE(s->dst4.empty());
  for (const auto& l : s->lists) EXPECT_EQ(l.key.slot, 1);
  EXPECT_EQ(s->longest_list, 3u);
}

TEST(GuardCompile, Ipv6ClassesAreSeparateFromIpv4) {
  auto s = compile({rule(1, Action::kDrop, std::nullopt, "2001:db8::/32"),
                    rule(2, Action::kDrop, std::nullopt, "2001:db8:1::/48"),
                    rule(3, Action::kDrop, std::nullopt, "10.0.0.0/8")});
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->dst6.size(), 2u);
  EXPECT_EQ(s->dst4.size(), 1u);
  uint32_t c32 = class_of(s->dst6, "2001:db8::/32"), c48 = class_of(s->dst6, "2001:db8:1::/48");
  EXPECT_EQ(list_ids(*s, PS_GG_DST, 6, 0, c32), Ids({1}));
  EXPECT_EQ(list_ids(*s, PS_GG_DST, 6, 0, c48), Ids({1, 2}));
  EXPECT_EQ(list_ids(*s, PS_GG_DST, 4, 0, class_of(s->dst4, "10.0.0.0/8")), Ids({3}));
  EXPECT_EQ(s->dst6.front().key.prefixlen, 8u + 32);
}

TEST(GuardCompile, MixedGroupsAndBothAddressCombinations) {
  auto s = compile({rule(1, Action::kDrop), rule(2, Action::kDrop, "10.0.0.0/8", "192.168.0.0/16"),
                    rule(3, Action::kPass, "10.1.0.0/16"), rule(4, Action::kLog, std::nullopt, "192.168.1.0/24"),
                    rule(5, Action::kDrop, "0.0.0.0/0", "192.168.1.0/24")});
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, kTcp, 0), Ids({1}));
  uint32_t s0 = class_of(s->src4, "0.0.0.0/0"), s8 = class_of(s->src4, "10.0.0.0/8"),
           s16 = class_of(s->src4, "10.1.0.0/16");
  uint32_t d16 = class_of(s->dst4, "192.168.0.0/16"), d24 = class_of(s->dst4, "192.168.1.0/24");
  EXPECT_EQ(list_ids(*s, PS_GG_SRC, 4, s16, 0), Ids({3}));
  EXPECT_FALSE(list_ids(*s, PS_GG_SRC, 4, s8, 0));  // /8 is only used with a destination
  EXPECT_EQ(list_ids(*s, PS_GG_DST, 4, 0, d24), Ids({4}));
  EXPECT_FALSE(list_ids(*s, PS_GG_DST, 4, 0, d16));
  EXPECT_EQ(list_ids(*s, PS_GG_BOTH, 4, s8, d16), Ids({2}));
  EXPECT_EQ(list_ids(*s, PS_GG_BOTH, 4, s16, d16), Ids({2}));  // 10.1/16 lies inside 10/8
  EXPECT_EQ(list_ids(*s, PS_GG_BOTH, 4, s16, d24), Ids({2, 5}));
  EXPECT_EQ(list_ids(*s, PS_GG_BOTH, 4, s0, d24), Ids({5}));
  EXPECT_FALSE(list_ids(*s, PS_GG_BOTH, 4, s0, d16));  // no rule covers that pair
}

TEST(GuardCompile, PositionsFollowPriorityThenId) {
  auto s = compile({rule(9, Action::kDrop, std::nullopt, std::nullopt, 50),
                    rule(3, Action::kPass, std::nullopt, std::nullopt, 100),
                    rule(5, Action::kDrop, std::nullopt, std::nullopt, 50),
                    rule(1, Action::kLog, std::nullopt, std::nullopt, 7)});
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->rule_ids, Ids({1, 5, 9, 3}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 6, kNoProto, 0), Ids({1, 5, 9, 3}));
  EXPECT_EQ(s->rules[0].id, 1u);
  EXPECT_EQ(s->rules[0].ctr, 101u);
  EXPECT_EQ(s->rules[0].action, PS_GA_LOG);
}

TEST(GuardCompile, AddresslessRulesAreSplitByFamilyAndProtocol) {
  auto with = [](Rule r, std::optional<uint8_t> proto, std::optional<uint8_t> family = {}) {
    r.match.protocol = proto;
    r.match.family = family;
    return r;
  };
  auto s = compile({with(rule(1, Action::kDrop), 6), with(rule(2, Action::kLog), {}),
                    with(rule(3, Action::kDrop), 17, 4), with(rule(4, Action::kPass), {}, 6),
                    with(rule(5, Action::kDrop), 47)});
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, kTcp, 0), Ids({1, 2}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 6, kTcp, 0), Ids({1, 2, 4}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, kUdp, 0), Ids({2, 3}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 6, kUdp, 0), Ids({2, 4}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, kGre, 0), Ids({2, 5}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, 1 + 1, 0), Ids({2}));  // ICMP: only the agnostic rule
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 4, kNoProto, 0), Ids({2}));
  EXPECT_EQ(list_ids(*s, PS_GG_ANY, 6, 255 + 1, 0), Ids({2, 4}));
  EXPECT_EQ(s->lists.size(), 2u * 257);
  // Identical lists share their items: ({2}, {2,4}, {1,2}, {1,2,4}, {2,3}, {2,5}, {2,4,5}).
  EXPECT_EQ(s->items.size(), 1u + 2 + 2 + 3 + 2 + 2 + 3);
  EXPECT_EQ(s->longest_list, 3u);
}

TEST(GuardCompile, RefusesAListLongerThanTheLimitAndNamesThePrefix) {
  std::vector<Rule> rules;
  for (uint32_t i = 1; i <= PS_GUARD_MAX_LIST_LEN + 1; i++) {
    Rule r = rule(i, Action::kDrop, "10.0.0.0/8");
    r.match.protocol = 6;
    r.match.dport = Range<uint16_t>{static_cast<uint16_t>(i), static_cast<uint16_t>(i)};
    rules.push_back(r);
  }
  auto s = compile(rules);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("10.0.0.0/8"), std::string::npos) << s.error().what;
  EXPECT_NE(s.error().what.find("1024"), std::string::npos) << s.error().what;

  rules.resize(PS_GUARD_MAX_LIST_LEN);
  EXPECT_TRUE(compile(rules));
  // Nested: 1000 under /8 plus 100 under a /24 inside it make the /24's list 1100 long.
  for (uint32_t i = 0; i < 100; i++) rules.push_back(rule(5000 + i, Action::kDrop, "10.9.9.0/24"));
  s = compile(rules);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("10.9.9.0/24"), std::string::npos) << s.error().what;

  std::vector<Rule> any;
  for (uint32_t i = 1; i <= PS_GUARD_MAX_LIST_LEN + 1; i++) any.push_back(rule(i, Action::kDrop));
  s = compile(any);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("no address"), std::string::npos) << s.error().what;
}

TEST(GuardCompile, RuleFieldsBecomeMatchBits) {
  Rule r = rule(7, Action::kRateLimit, "10.0.0.0/8");
  r.match.protocol = 6;
  r.match.sport = Range<uint16_t>{1000, 2000};
  r.match.tcp_flags = 0x12;
  r.match.tcp_mask = 0x02;
  r.match.iface = "eth7";
  r.match.vlan = 100;
  r.shadow = true;
  r.rate = RateLimit{1000, 0, true};
  r.expires_ns = 5'000'000'000;
  auto c = compile_rule(r, 3, no_iface, 1'000'000'000);
  ASSERT_TRUE(c) << c.error().what;
  EXPECT_EQ(c->match, uint32_t(PS_GM_PROTO | PS_GM_SPORT | PS_GM_TCP_FLAGS | PS_GM_IFINDEX |
                               PS_GM_VLAN | PS_GM_EXPIRES));
  EXPECT_EQ(c->tcp_flags, 0x02);  // bits outside the mask can never match: dropped
  EXPECT_EQ(c->ifindex, 7u);
  EXPECT_EQ(c->flags, PS_GF_SHADOW | PS_GF_RATE_BYTES);
  EXPECT_EQ(c->burst, 1000u);  // default burst = rate
  EXPECT_EQ(c->expires_boot_ns, 4'000'000'000u);

  r.match.iface = "nope0";
  r.match.family = 4;
  r.match.src.reset();
  c = compile_rule(r, 3, no_iface, 0);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ifindex, 0u);  // unknown interface: never matches
  EXPECT_TRUE(c->match & PS_GM_FAMILY);
  EXPECT_EQ(c->family, 4);
}

TEST(GuardCompile, HundredThousandRulesCompileQuickly) {
  std::vector<Rule> rules;
  rules.reserve(100000);
  for (uint32_t i = 0; i < 100000; i++) {
    uint32_t a = 0x0a000000u + i * 4;  // distinct /30 sources (v4) or /64 sources (v6)
    std::string text;
    if (i % 2) {
      text = "2001:db8:" + std::to_string(i % 9000 + 1) + ":" + std::to_string(i / 9000) + "::/64";
    } else {
      text = std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 255) + "." +
             std::to_string(a >> 8 & 255) + "." + std::to_string(a & 255) + "/30";
    }
    rules.push_back(rule(i + 1, i % 3 ? Action::kDrop : Action::kPass, text, std::nullopt,
                         static_cast<int32_t>(i % 1000)));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto s = compile(rules);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->rules.size(), 100000u);
  EXPECT_EQ(s->src4.size() + s->src6.size(), 100000u);
  EXPECT_EQ(s->longest_list, 1u);
  std::printf("compile of 100000 rules: %.1f ms\n", ms);
  EXPECT_LT(ms, 3000.0);
}

}  // namespace
}  // namespace pscope::guarder
