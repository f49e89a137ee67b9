// safety_check: "matches every packet" and "matches the API caller's own connection", edges
// included (prefix containment, ports on each side, protocols, families, mapped addresses).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "guarder/rule.h"

using namespace pscope::guarder;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1767225600LL * 1000000000LL;

Rule rule(json j) {
  if (!j.contains("action")) j["action"] = "drop";
  auto r = parse_rule(j, ParseOptions{kNow, false});
  EXPECT_TRUE(r.rule) << j.dump() << ": " << (r.errors.empty() ? "" : r.errors[0].message);
  return r.rule.value_or(Rule{});
}

Cidr addr(const char* text) {
  auto r = parse_rule({{"action", "drop"}, {"match", {{"src", text}}}}, ParseOptions{kNow, false});
  return *r.rule->match.src;
}

SafetyContext caller(const char* a, uint16_t port = 8080) {
  return SafetyContext{addr(a), port, std::nullopt};
}

// The field of the single refusal, or "" when safe.
std::string refused(const json& match, const SafetyContext& ctx, json extra = json::object()) {
  json j = extra;
  j["match"] = match;
  auto errs = safety_check(rule(j), ctx);
  EXPECT_LE(errs.size(), 1u);
  return errs.empty() ? "" : errs[0].field;
}

}  // namespace

TEST(RuleSafety, MatchEveryPacket) {
  SafetyContext cli;  // no caller: only the "every packet" rule applies
  EXPECT_EQ(refused(json::object(), cli), "match");
  EXPECT_EQ(refused({{"family", "ipv4"}}, cli), "match");  // a whole family is still everything
  EXPECT_EQ(refused({{"src", "0.0.0.0/0"}}, cli), "match");
  EXPECT_EQ(refused({{"src", "::/0"}, {"dst", "::/0"}}, cli), "match");
  EXPECT_EQ(refused({{"ttl", "0-255"}, {"length", "0-65535"}}, cli), "match");
  EXPECT_EQ(refused(json::object(), cli, {{"action", "rate-limit"}, {"rate", {{"pps", 1}}}}), "match");
  auto errs = safety_check(rule({{"match", {{"family", "ipv6"}}}}), cli);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].message.find("every IPv6 packet"), std::string::npos);
  EXPECT_NE(errs[0].message.find("\"force\": true"), std::string::npos);

  for (json narrowing : {json{{"src", "0.0.0.0/1"}}, json{{"protocol", "udp"}}, json{{"ttl", "0-254"}},
                         json{{"length", "1-65535"}}, json{{"vlan", 0}}, json{{"iface", "lo"}},
                         json{{"malformed", true}}})
    EXPECT_EQ(refused(narrowing, cli), "") << narrowing;
}

TEST(RuleSafety, ActionsShadowAndDisabledAreNeverRefused) {
  SafetyContext ctx = caller("10.0.0.5");
  EXPECT_EQ(refused(json::object(), ctx, {{"action", "pass"}}), "");
  EXPECT_EQ(refused(json::object(), ctx, {{"action", "log"}}), "");
  EXPECT_EQ(refused(json::object(), ctx, {{"shadow", true}}), "");
  EXPECT_EQ(refused(json::object(), ctx, {{"enabled", false}}), "");
}

TEST(RuleSafety, CallerAddress) {
  SafetyContext ctx = caller("10.0.0.5");
  EXPECT_EQ(refused({{"src", "10.0.0.5"}}, ctx), "match.src");
  EXPECT_EQ(refused({{"src", "10.0.0.0/8"}}, ctx), "match.src");
  EXPECT_EQ(refused({{"src", "0.0.0.0/1"}}, ctx), "match.src");
  EXPECT_EQ(refused({{"dst", "10.0.0.4/30"}}, ctx), "match.dst");  // replies to the caller
  EXPECT_EQ(refused({{"src", "10.0.0.6"}}, ctx), "");
  EXPECT_EQ(refused({{"src", "10.0.0.0/30"}}, ctx), "");  // 10.0.0.0-3
  EXPECT_EQ(refused({{"src", "10.0.0.8/29"}}, ctx), "");  // 10.0.0.8-15
  EXPECT_EQ(refused({{"src", "2001:db8::/32"}}, ctx), "");
  EXPECT_EQ(refused({{"family", "ipv6"}, {"protocol", "tcp"}}, ctx), "");
  // Only addresses that cannot hold the caller: about other hosts.
  EXPECT_EQ(refused({{"dst", "192.0.2.1"}}, ctx), "");
  // The caller as source, but another source side... both addresses must allow the packet.
  EXPECT_EQ(refused({{"src", "10.0.0.5"}, {"dst", "192.0.2.1"}}, ctx), "match.src");  // local unknown
  ctx.local = addr("192.0.2.9");
  EXPECT_EQ(refused({{"src", "10.0.0.5"}, {"dst", "192.0.2.1"}}, ctx), "");
  EXPECT_EQ(refused({{"dst", "192.0.2.0/24"}, {"protocol", "tcp"}}, ctx), "match.dst");  // our address
  EXPECT_EQ(refused({{"src", "192.0.2.0/24"}, {"protocol", "tcp"}}, ctx), "match.src");
}

TEST(RuleSafety, CallerWithoutAddressesNeedsTheRestToMiss) {
  SafetyContext ctx = caller("10.0.0.5", 8080);
  EXPECT_EQ(refused({{"protocol", "tcp"}}, ctx), "match");
  EXPECT_EQ(refused({{"protocol", "tcp"}, {"dport", 8080}}, ctx), "match");
  EXPECT_EQ(refused({{"protocol", "tcp"}, {"dport", 22}}, ctx), "");
  EXPECT_EQ(refused({{"protocol", "udp"}}, ctx), "");
  EXPECT_EQ(refused({{"protocol", "icmp"}}, ctx), "");
  EXPECT_EQ(refused({{"malformed", true}}, ctx), "");
  // Unknown facts about the caller's packets are assumed to match.
  EXPECT_EQ(refused({{"ttl", "1-5"}}, ctx), "match");
  EXPECT_EQ(refused({{"protocol", "tcp"}, {"tcp_flags", "SYN,!ACK"}}, ctx), "match");
}

TEST(RuleSafety, PortsOnEachSide) {
  SafetyContext ctx = caller("10.0.0.5", 8080);
  json src = {{"src", "10.0.0.0/24"}, {"protocol", "tcp"}};
  auto with = [&](json extra) {
    json m = src;
    m.update(extra);
    return refused(m, ctx);
  };
  EXPECT_EQ(with(json::object()), "match.src");
  EXPECT_EQ(with({{"dport", 8080}}), "match.src");
  EXPECT_EQ(with({{"dport", "8080-8081"}}), "match.src");
  EXPECT_EQ(with({{"dport", "8000-8080"}}), "match.src");
  EXPECT_EQ(with({{"dport", 8079}}), "");
  EXPECT_EQ(with({{"dport", "8081-9000"}}), "");
  // The caller's source port is ephemeral: any range reaching 1024 may hold it.
  EXPECT_EQ(with({{"sport", "1000-1024"}}), "match.src");
  EXPECT_EQ(with({{"sport", "0-1023"}}), "");
  EXPECT_EQ(with({{"sport", 8080}}), "match.src");
  // Other protocols never carry the API.
  json udp = {{"src", "10.0.0.0/24"}, {"protocol", "udp"}, {"dport", 8080}};
  EXPECT_EQ(refused(udp, ctx), "");
  // Replies: src port is the API port, dst port ephemeral.
  EXPECT_EQ(refused({{"dst", "10.0.0.5"}, {"protocol", "tcp"}, {"sport", 8080}}, ctx), "match.dst");
  EXPECT_EQ(refused({{"dst", "10.0.0.5"}, {"protocol", "tcp"}, {"sport", 80}}, ctx), "");
  EXPECT_EQ(refused({{"dst", "10.0.0.5"}, {"protocol", "tcp"}, {"dport", 80}}, ctx), "");
  // Unknown API port: any port range may be it.
  ctx.api_port = 0;
  EXPECT_EQ(with({{"dport", 1}}), "match.src");
}

TEST(RuleSafety, FamiliesAndMappedAddresses) {
  SafetyContext v6 = caller("2001:db8::5", 443);
  EXPECT_EQ(refused({{"src", "2001:db8::/64"}}, v6), "match.src");
  EXPECT_EQ(refused({{"src", "2001:db8:1::/48"}}, v6), "");
  EXPECT_EQ(refused({{"family", "ipv4"}, {"protocol", "tcp"}}, v6), "");
  // A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; the kernel sees IPv4.
  SafetyContext mapped = caller("::ffff:10.0.0.5", 443);
  EXPECT_EQ(refused({{"src", "10.0.0.0/8"}}, mapped), "match.src");
  EXPECT_EQ(refused({{"family", "ipv6"}, {"protocol", "tcp"}}, mapped), "");
  auto errs = safety_check(rule({{"match", {{"src", "10.0.0.0/8"}}}}), mapped);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_NE(errs[0].message.find("from 10.0.0.5 to TCP port 443"), std::string::npos) << errs[0].message;
}

TEST(RuleSafety, RateLimitIsCheckedToo) {
  SafetyContext ctx = caller("10.0.0.5");
  EXPECT_EQ(refused({{"src", "10.0.0.5"}}, ctx, {{"action", "rate-limit"}, {"rate", {{"pps", 5}}}}),
            "match.src");
}
