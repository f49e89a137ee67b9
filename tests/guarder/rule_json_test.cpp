// Rule JSON: every field of docs/guarder.md's table, errors with their JSON paths, the
// canonical form, round trips and merge patches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "guarder/rule.h"

using namespace pscope::guarder;
using nlohmann::json;
using ::testing::HasSubstr;

namespace {

// 2026-01-01T00:00:00Z
constexpr int64_t kNow = 1767225600LL * 1000000000LL;

ParseResult parse(const json& j, bool output = false) {
  return parse_rule(j, ParseOptions{kNow, output});
}

Rule ok(const json& j) {
  auto r = parse(j);
  EXPECT_TRUE(r.errors.empty()) << j.dump() << " -> " << (r.errors.empty() ? "" : r.errors[0].field + ": " + r.errors[0].message);
  EXPECT_TRUE(r.rule.has_value());
  return r.rule.value_or(Rule{});
}

// The paths of every error for `j`.
std::vector<std::string> fields(const json& j, bool output = false) {
  std::vector<std::string> out;
  for (const auto& e : parse(j, output).errors) out.push_back(e.field);
  return out;
}

std::string message(const json& j) {
  auto r = parse(j);
  return r.errors.empty() ? "" : r.errors[0].message;
}

json drop(json match) { return {{"action", "drop"}, {"match", std::move(match)}}; }

}  // namespace

TEST(RuleJson, Defaults) {
  Rule r = ok({{"action", "pass"}});
  EXPECT_EQ(r.priority, 1000);
  EXPECT_TRUE(r.enabled);
  EXPECT_FALSE(r.shadow);
  EXPECT_EQ(r.action, Action::kPass);
  EXPECT_EQ(r.origin, Origin::kUser);
  EXPECT_EQ(r.log_every, 1u);
  EXPECT_FALSE(r.expires_ns);
  EXPECT_EQ(r.match, Match{});
}

TEST(RuleJson, EveryFieldOfTheDocExample) {
  Rule r = ok({{"priority", 100},
               {"enabled", false},
               {"action", "rate-limit"},
               {"shadow", true},
               {"match",
                {{"src", "203.0.113.0/24"},
                 {"dst", "198.51.100.7"},
                 {"family", "ipv4"},
                 {"protocol", "tcp"},
                 {"sport", 53},
                 {"dport", "1000-2000"},
                 {"tcp_flags", "SYN,!ACK"},
                 {"ttl", "1-5"},
                 {"length", "0-100"},
                 {"iface", "lo"},
                 {"vlan", 100},
                 {"malformed", false}}},
               {"rate", {{"pps", 1000}, {"burst", 2000}}},
               {"origin", "detector"},
               {"comment", "free text"},
               {"ttl_s", 600}});
  EXPECT_EQ(r.priority, 100);
  EXPECT_FALSE(r.enabled);
  EXPECT_TRUE(r.shadow);
  EXPECT_EQ(r.match.src->str(), "203.0.113.0/24");
  EXPECT_EQ(r.match.dst->str(), "198.51.100.7/32");
  EXPECT_EQ(r.match.family, 4);
  EXPECT_EQ(r.match.protocol, 6);
  EXPECT_EQ(r.match.sport, (Range<uint16_t>{53, 53}));
  EXPECT_EQ(r.match.dport, (Range<uint16_t>{1000, 2000}));
  EXPECT_EQ(r.match.tcp_flags, 0x02);
  EXPECT_EQ(r.match.tcp_mask, 0x12);
  EXPECT_EQ(r.match.ttl, (Range<uint8_t>{1, 5}));
  EXPECT_EQ(r.match.length, (Range<uint16_t>{0, 100}));
  EXPECT_EQ(r.match.iface, "lo");
  EXPECT_EQ(r.match.vlan, 100);
  EXPECT_EQ(r.rate, (RateLimit{1000, 2000, false}));
  EXPECT_EQ(r.origin, Origin::kDetector);
  EXPECT_EQ(r.comment, "free text");
  EXPECT_EQ(r.expires_ns, kNow + 600LL * 1000000000LL);
}

TEST(RuleJson, IcmpAndInner) {
  Rule r = ok({{"action", "drop"},
               {"match",
                {{"protocol", "icmp"},
                 {"icmp", {{"type", 3}, {"code", 4}}},
                 {"inner",
                  {{"src", "10.0.0.0/8"}, {"dst", "10.1.2.3"}, {"protocol", "udp"}, {"sport", 53},
                   {"dport", "1-1023"}}}}}});
  EXPECT_EQ(r.match.icmp_type, 3);
  EXPECT_EQ(r.match.icmp_code, 4);
  ASSERT_TRUE(r.match.inner);
  EXPECT_EQ(r.match.inner->src->str(), "10.0.0.0/8");
  EXPECT_EQ(r.match.inner->protocol, 17);
  EXPECT_EQ(r.match.inner->dport, (Range<uint16_t>{1, 1023}));
  EXPECT_EQ(r.match.family, 4);  // implied by the inner addresses
  Rule t = ok(drop({{"protocol", "icmpv6"}, {"icmp", {{"type", 128}}}}));
  EXPECT_EQ(t.match.icmp_type, 128);
  EXPECT_FALSE(t.match.icmp_code);
}

TEST(RuleJson, Addresses) {
  EXPECT_EQ(ok(drop({{"src", "2001:DB8::/32"}})).match.src->str(), "2001:db8::/32");
  EXPECT_EQ(ok(drop({{"src", "2001:db8::1"}})).match.src->prefix, 128);
  EXPECT_EQ(ok(drop({{"src", "0.0.0.0/0"}})).match.src->prefix, 0);
  Rule mapped = ok(drop({{"src", "::ffff:10.0.0.1"}}));  // IPv4-mapped stays IPv6
  EXPECT_EQ(mapped.match.src->family, 6);
  EXPECT_EQ(mapped.match.family, 6);
  EXPECT_EQ(message(drop({{"src", "10.0.0.1/8"}})),
            "10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
  EXPECT_THAT(message(drop({{"src", "2001:db8::1/32"}})), HasSubstr("did you mean 2001:db8::/32?"));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/-1",
                          "10.0.0.0/8 ", "fe80::1%lo", "host.example", "", "10.0.0.0/08x"})
    EXPECT_EQ(fields(drop({{"src", bad}})), std::vector<std::string>{"match.src"}) << bad;
  EXPECT_EQ(fields(drop({{"dst", 167772160}})), std::vector<std::string>{"match.dst"});
}

TEST(RuleJson, FamiliesMustAgree) {
  EXPECT_EQ(fields(drop({{"src", "10.0.0.0/8"}, {"dst", "2001:db8::/32"}})),
            std::vector<std::string>{"match.dst"});
  EXPECT_EQ(fields(drop({{"src", "10.0.0.0/8"}, {"family", "ipv6"}})),
            std::vector<std::string>{"match.src"});
  EXPECT_THAT(message(drop({{"src", "10.0.0.0/8"}, {"family", "ipv6"}})),
              HasSubstr("IPv4 address but match.family is IPv6"));
  EXPECT_EQ(fields(drop({{"family", "ipv5"}})), std::vector<std::string>{"match.family"});
  EXPECT_EQ(fields(drop({{"src", "10.0.0.0/8"},
                         {"protocol", "icmp"},
                         {"inner", {{"dst", "2001:db8::1"}}}})),
            std::vector<std::string>{"match.inner.dst"});
  EXPECT_EQ(fields(drop({{"family", "ipv6"}, {"protocol", "icmp"}})),
            std::vector<std::string>{"match.protocol"});
  EXPECT_EQ(fields(drop({{"src", "10.0.0.0/8"}, {"protocol", "icmpv6"}})),
            std::vector<std::string>{"match.protocol"});
  EXPECT_EQ(ok(drop({{"family", "ipv6"}})).match.family, 6);
}

TEST(RuleJson, Protocols) {
  EXPECT_EQ(ok(drop({{"protocol", "SCTP"}})).match.protocol, 132);
  EXPECT_EQ(ok(drop({{"protocol", "gre"}})).match.protocol, 47);
  EXPECT_EQ(ok(drop({{"protocol", "esp"}})).match.protocol, 50);
  EXPECT_EQ(ok(drop({{"protocol", "ah"}})).match.protocol, 51);
  EXPECT_EQ(ok(drop({{"protocol", 0}})).match.protocol, 0);
  EXPECT_EQ(ok(drop({{"protocol", 255}})).match.protocol, 255);
  for (json bad : {json(256), json(-1), json("tcpp"), json(6.0), json(true)})
    EXPECT_EQ(fields(drop({{"protocol", bad}})), std::vector<std::string>{"match.protocol"}) << bad;
}

TEST(RuleJson, Ports) {
  EXPECT_EQ(ok(drop({{"protocol", "udp"}, {"dport", "0-65535"}})).match.dport,
            (Range<uint16_t>{0, 65535}));
  EXPECT_EQ(ok(drop({{"protocol", "sctp"}, {"sport", "80"}})).match.sport, (Range<uint16_t>{80, 80}));
  for (json bad : {json(65536), json(-1), json("2-1"), json("1-"), json("-5"), json("a"),
                   json("1-2-3"), json(1.5), json("+1")})
    EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"dport", bad}})),
              std::vector<std::string>{"match.dport"})
        << bad;
  EXPECT_EQ(fields(drop({{"dport", 80}})), std::vector<std::string>{"match.dport"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"sport", 80}})), std::vector<std::string>{"match.sport"});
  EXPECT_THAT(message(drop({{"protocol", "gre"}, {"dport", 80}})),
              HasSubstr("need match.protocol tcp, udp or sctp"));
}

TEST(RuleJson, TcpFlags) {
  Rule r = ok(drop({{"protocol", "tcp"}, {"tcp_flags", "syn, !ack ,FIN"}}));
  EXPECT_EQ(r.match.tcp_flags, 0x03);
  EXPECT_EQ(r.match.tcp_mask, 0x13);
  Rule o = ok(drop({{"protocol", "tcp"}, {"tcp_flags", {{"bits", 2}, {"mask", 18}}}}));
  EXPECT_EQ(o.match.tcp_flags, 2);
  EXPECT_EQ(o.match.tcp_mask, 18);
  EXPECT_EQ(to_json(o)["match"]["tcp_flags"], "SYN,!ACK");
  EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"tcp_flags", {{"bits", 3}, {"mask", 2}}}})),
            std::vector<std::string>{"match.tcp_flags.bits"});
  EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"tcp_flags", {{"bits", 0}, {"mask", 0}}}})),
            std::vector<std::string>{"match.tcp_flags.mask"});
  EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"tcp_flags", {{"bits", 2}}}})),
            std::vector<std::string>{"match.tcp_flags"});
  EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"tcp_flags", {{"bits", 2}, {"mask", 2}, {"x", 1}}}})),
            std::vector<std::string>{"match.tcp_flags.x"});
  for (const char* bad : {"", "SYN,", "SYN,!SYN", "SYN,SYN", "NS", "!", "SYN|ACK"})
    EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"tcp_flags", bad}})),
              std::vector<std::string>{"match.tcp_flags"})
        << bad;
  EXPECT_EQ(fields(drop({{"protocol", "udp"}, {"tcp_flags", "SYN"}})),
            std::vector<std::string>{"match.tcp_flags"});
  EXPECT_EQ(fields(drop({{"tcp_flags", "SYN"}})), std::vector<std::string>{"match.tcp_flags"});
}

TEST(RuleJson, IcmpNeedsIcmp) {
  EXPECT_EQ(fields(drop({{"protocol", "tcp"}, {"icmp", {{"type", 3}}}})),
            std::vector<std::string>{"match.icmp"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"icmp", {{"code", 3}}}})),
            std::vector<std::string>{"match.icmp"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"icmp", {{"type", 256}}}})),
            std::vector<std::string>{"match.icmp.type"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"icmp", {{"type", 3}, {"code", -1}}}})),
            std::vector<std::string>{"match.icmp.code"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"icmp", {{"type", 3}, {"kind", 1}}}})),
            std::vector<std::string>{"match.icmp.kind"});
  EXPECT_EQ(fields(drop({{"protocol", "udp"}, {"inner", {{"protocol", "tcp"}}}})),
            std::vector<std::string>{"match.inner"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"inner", json::object()}})),
            std::vector<std::string>{"match.inner"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"inner", {{"dport", 53}}}})),
            std::vector<std::string>{"match.inner.dport"});
  EXPECT_EQ(fields(drop({{"protocol", "icmp"}, {"inner", {{"proto", 6}}}})),
            std::vector<std::string>{"match.inner.proto"});
}

TEST(RuleJson, TtlLengthVlanIface) {
  EXPECT_EQ(ok(drop({{"ttl", 255}})).match.ttl, (Range<uint8_t>{255, 255}));
  EXPECT_EQ(fields(drop({{"ttl", 256}})), std::vector<std::string>{"match.ttl"});
  EXPECT_EQ(fields(drop({{"ttl", "5-1"}})), std::vector<std::string>{"match.ttl"});
  EXPECT_EQ(ok(drop({{"length", "40-65535"}})).match.length, (Range<uint16_t>{40, 65535}));
  EXPECT_EQ(fields(drop({{"length", 65536}})), std::vector<std::string>{"match.length"});
  EXPECT_EQ(ok(drop({{"vlan", 0}})).match.vlan, 0);
  EXPECT_EQ(ok(drop({{"vlan", 4095}})).match.vlan, 4095);
  EXPECT_EQ(fields(drop({{"vlan", 4096}})), std::vector<std::string>{"match.vlan"});
  EXPECT_EQ(fields(drop({{"iface", "nosuchif0"}})), std::vector<std::string>{"match.iface"});
  EXPECT_THAT(message(drop({{"iface", "nosuchif0"}})), HasSubstr("\"nosuchif0\""));
  EXPECT_EQ(fields(drop({{"iface", "a-very-long-name0"}})), std::vector<std::string>{"match.iface"});
  EXPECT_EQ(fields(drop({{"iface", ""}})), std::vector<std::string>{"match.iface"});
  EXPECT_EQ(fields(drop({{"malformed", "yes"}})), std::vector<std::string>{"match.malformed"});
  EXPECT_TRUE(ok(drop({{"malformed", true}})).match.malformed);
}

TEST(RuleJson, TopLevelFields) {
  EXPECT_EQ(fields({{"action", "block"}}), std::vector<std::string>{"action"});
  EXPECT_EQ(fields(json::object()), std::vector<std::string>{"action"});
  EXPECT_EQ(fields(json::array()), std::vector<std::string>{""});
  EXPECT_EQ(fields({{"action", "drop"}, {"priority", 1000001}}), std::vector<std::string>{"priority"});
  EXPECT_EQ(fields({{"action", "drop"}, {"priority", -1}}), std::vector<std::string>{"priority"});
  EXPECT_EQ(ok({{"action", "drop"}, {"priority", 0}}).priority, 0);
  EXPECT_EQ(ok({{"action", "drop"}, {"priority", 1000000}}).priority, 1000000);
  EXPECT_EQ(fields({{"action", "drop"}, {"priority", "1"}}), std::vector<std::string>{"priority"});
  EXPECT_EQ(fields({{"action", "drop"}, {"enabled", 1}}), std::vector<std::string>{"enabled"});
  EXPECT_EQ(fields({{"action", "drop"}, {"origin", "admin"}}), std::vector<std::string>{"origin"});
  EXPECT_EQ(ok({{"action", "drop"}, {"origin", "llm"}}).origin, Origin::kLlm);
  EXPECT_EQ(fields({{"action", "drop"}, {"match", "all"}}), std::vector<std::string>{"match"});
}

TEST(RuleJson, UnknownKeysAreRefusedEverywhere) {
  EXPECT_EQ(fields({{"action", "drop"}, {"priorty", 5}}), std::vector<std::string>{"priorty"});
  EXPECT_EQ(fields({{"action", "drop"}, {"force", true}}), std::vector<std::string>{"force"});
  EXPECT_EQ(fields(drop({{"srcc", "10.0.0.0/8"}})), std::vector<std::string>{"match.srcc"});
  EXPECT_THAT(message(drop({{"srcc", "10.0.0.0/8"}})), HasSubstr("accepted: src, dst"));
  EXPECT_EQ(fields({{"action", "log"}, {"log", {{"evry", 5}}}}), std::vector<std::string>{"log.evry"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"pps", 5}, {"brust", 5}}}}),
            std::vector<std::string>{"rate.brust"});
}

TEST(RuleJson, AllErrorsAreCollected) {
  auto f = fields({{"action", "drop"},
                   {"priority", -5},
                   {"match", {{"src", "10.0.0.1/8"}, {"dport", 99999}, {"vlan", 5000}}},
                   {"comment", 5},
                   {"bogus", 1}});
  EXPECT_EQ(f, (std::vector<std::string>{"bogus", "priority", "comment", "match.src", "match.dport",
                                         "match.vlan"}));
}

TEST(RuleJson, RateLimit) {
  Rule r = ok({{"action", "rate-limit"}, {"rate", {{"bps", 125000}}}});
  EXPECT_EQ(r.rate, (RateLimit{125000, 125000, true}));
  EXPECT_EQ(ok({{"action", "rate-limit"}, {"rate", {{"pps", 1000000000}}}}).rate->rate, 1000000000u);
  EXPECT_EQ(fields({{"action", "rate-limit"}}), std::vector<std::string>{"rate"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"pps", 1}, {"bps", 1}}}}),
            std::vector<std::string>{"rate"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"burst", 1}}}}), std::vector<std::string>{"rate"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"pps", 0}}}}), std::vector<std::string>{"rate.pps"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"pps", 1000000001}}}}),
            std::vector<std::string>{"rate.pps"});
  EXPECT_EQ(fields({{"action", "rate-limit"}, {"rate", {{"pps", 5}, {"burst", 0}}}}),
            std::vector<std::string>{"rate.burst"});
  EXPECT_EQ(fields({{"action", "drop"}, {"rate", {{"pps", 5}}}}), std::vector<std::string>{"rate"});
}

TEST(RuleJson, Log) {
  EXPECT_EQ(ok({{"action", "log"}}).log_every, 1u);
  EXPECT_EQ(ok({{"action", "log"}, {"log", {{"every", 1000000}}}}).log_every, 1000000u);
  EXPECT_EQ(fields({{"action", "log"}, {"log", {{"every", 0}}}}), std::vector<std::string>{"log.every"});
  EXPECT_EQ(fields({{"action", "log"}, {"log", {{"every", 1000001}}}}), std::vector<std::string>{"log.every"});
  EXPECT_EQ(fields({{"action", "pass"}, {"log", {{"every", 5}}}}), std::vector<std::string>{"log"});
}

TEST(RuleJson, Comment) {
  EXPECT_EQ(ok({{"action", "drop"}, {"comment", std::string(512, 'x')}}).comment.size(), 512u);
  EXPECT_EQ(ok({{"action", "drop"}, {"comment", "größe ✓ 🙂"}}).comment, "größe ✓ 🙂");
  EXPECT_EQ(fields({{"action", "drop"}, {"comment", std::string(513, 'x')}}),
            std::vector<std::string>{"comment"});
  for (std::string bad : {std::string("\xff"), std::string("a\xc3"), std::string("\xc0\xaf"),
                          std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80")}) {
    // nlohmann refuses to serialise invalid UTF-8, but a json string can hold it.
    json j = {{"action", "drop"}, {"comment", bad}};
    EXPECT_EQ(fields(j), std::vector<std::string>{"comment"});
  }
}

TEST(RuleJson, Expiry) {
  EXPECT_EQ(ok({{"action", "drop"}, {"ttl_s", 1}}).expires_ns, kNow + 1000000000LL);
  EXPECT_EQ(fields({{"action", "drop"}, {"ttl_s", 0}}), std::vector<std::string>{"ttl_s"});
  EXPECT_EQ(fields({{"action", "drop"}, {"ttl_s", 10LL * 365 * 86400 + 1}}),
            std::vector<std::string>{"ttl_s"});
  EXPECT_EQ(ok({{"action", "drop"}, {"expires_at", "2026-01-01T00:10:00.5Z"}}).expires_ns,
            kNow + 600500000000LL);
  EXPECT_EQ(ok({{"action", "drop"}, {"expires_at", "2026-01-01T02:00:00+01:00"}}).expires_ns,
            kNow + 3600000000000LL);
  EXPECT_EQ(ok({{"action", "drop"}, {"expires_at", "2025-12-31T23:00:01-01:00"}}).expires_ns,
            kNow + 1000000000LL);
  EXPECT_FALSE(ok({{"action", "drop"}, {"expires_at", nullptr}}).expires_ns);
  EXPECT_EQ(fields({{"action", "drop"}, {"expires_at", "2026-01-01T00:00:00Z"}}),
            std::vector<std::string>{"expires_at"});  // now is not the future
  EXPECT_THAT(message({{"action", "drop"}, {"expires_at", "2025-06-01T00:00:00Z"}}),
              HasSubstr("not in the future"));
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-06-01 00:00:00Z",
                          "2026-06-01T00:00:00", "2026-06-01T00:00:00.Z", "tomorrow",
                          "2026-06-01T25:00:00Z", "2026-06-01T00:00:00+0100", "2040-01-01T00:00:00Z"})
    EXPECT_EQ(fields({{"action", "drop"}, {"expires_at", bad}}), std::vector<std::string>{"expires_at"})
        << bad;
  EXPECT_EQ(fields({{"action", "drop"}, {"ttl_s", 5}, {"expires_at", "2026-06-01T00:00:00Z"}}),
            std::vector<std::string>{"ttl_s"});
}

TEST(RuleJson, OutputFields) {
  json j = {{"action", "drop"},          {"id", 7},
            {"created_by", "cli"},       {"created_at", "2025-12-01T00:00:00.001Z"},
            {"updated_at", nullptr},     {"counters", {{"packets", 5}}}};
  EXPECT_EQ(fields(j), (std::vector<std::string>{"id", "created_by", "created_at", "updated_at",
                                                 "counters"}));
  auto r = parse(j, true);
  ASSERT_TRUE(r.rule) << r.errors[0].field;
  EXPECT_EQ(r.rule->id, 7u);
  EXPECT_EQ(r.rule->created_by, "cli");
  EXPECT_EQ(r.rule->created_ns, 1764547200001000000LL);
  EXPECT_EQ(r.rule->updated_ns, 0);
  EXPECT_EQ(fields({{"action", "drop"}, {"id", -1}}, true), std::vector<std::string>{"id"});
  EXPECT_EQ(fields({{"action", "drop"}, {"created_at", "yesterday"}}, true),
            std::vector<std::string>{"created_at"});
  EXPECT_EQ(fields({{"action", "drop"}, {"created_by", std::string(129, 'c')}}, true),
            std::vector<std::string>{"created_by"});
}

TEST(RuleJson, CanonicalForm) {
  Rule r = ok({{"action", "drop"},
               {"match", {{"src", "2001:db8:0:0::/64"}, {"protocol", 6}, {"dport", "80-80"},
                          {"sport", "1-2"}, {"tcp_flags", "!ACK,SYN"}}},
               {"ttl_s", 60}});
  json j = to_json(r);
  EXPECT_EQ(j["match"],
            json({{"src", "2001:db8::/64"}, {"family", "ipv6"}, {"protocol", "tcp"},
                  {"dport", 80}, {"sport", "1-2"}, {"tcp_flags", "SYN,!ACK"}}));
  EXPECT_EQ(j["expires_at"], "2026-01-01T00:01:00.000Z");
  EXPECT_EQ(j["created_at"], nullptr);
  EXPECT_EQ(j["id"], 0);
  EXPECT_FALSE(j.contains("rate"));
  EXPECT_FALSE(j.contains("log"));
  EXPECT_EQ(to_json(ok({{"action", "drop"}}))["expires_at"], nullptr);
  EXPECT_EQ(to_json(ok({{"action", "drop"}, {"match", {{"protocol", 99}}}}))["match"]["protocol"], 99);
  EXPECT_EQ(to_json(ok({{"action", "log"}}))["log"], json({{"every", 1}}));
  EXPECT_EQ(to_json(ok({{"action", "rate-limit"}, {"rate", {{"pps", 5}}}}))["rate"],
            json({{"pps", 5}, {"burst", 5}}));
}

TEST(RuleJson, RoundTripCorpus) {
  std::vector<json> corpus = {
      {{"action", "pass"}},
      {{"action", "drop"}, {"match", {{"src", "203.0.113.0/24"}, {"dst", "198.51.100.0/30"}}}},
      {{"action", "drop"}, {"match", {{"dst", "::ffff:10.0.0.0/104"}, {"protocol", "udp"},
                                      {"dport", "1-1023"}, {"sport", 0}}}},
      {{"action", "drop"}, {"priority", 0}, {"shadow", true}, {"enabled", false},
       {"match", {{"protocol", "tcp"}, {"tcp_flags", {{"bits", 0}, {"mask", 255}}}}}},
      {{"action", "rate-limit"}, {"rate", {{"bps", 1}, {"burst", 1000000000}}},
       {"match", {{"family", "ipv6"}}}, {"origin", "analyst"}, {"ttl_s", 315360000}},
      {{"action", "log"}, {"log", {{"every", 100}}}, {"match", {{"ttl", "0-255"}, {"length", 40}}}},
      {{"action", "drop"}, {"match", {{"protocol", "icmpv6"}, {"icmp", {{"type", 1}, {"code", 0}}},
                                      {"inner", {{"src", "2001:db8::/48"}, {"protocol", 6}, {"dport", 22}}}}}},
      {{"action", "drop"}, {"match", {{"protocol", 250}, {"iface", "lo"}, {"vlan", 0}, {"malformed", true}}},
       {"comment", "ünïcode ✓"}, {"expires_at", "2026-01-01T00:00:00.001Z"}},
  };
  for (const auto& j : corpus) {
    Rule r = ok(j);
    r.id = 42;
    r.created_by = "api:127.0.0.1";
    r.created_ns = kNow - 5000000;  // millisecond times, as stored rules have after a round trip
    r.updated_ns = kNow - 1000000;
    json out = to_json(r);
    auto back = parse(out, true);
    ASSERT_TRUE(back.rule) << out.dump() << " " << back.errors[0].field << ": " << back.errors[0].message;
    EXPECT_EQ(*back.rule, r) << out.dump();
    EXPECT_EQ(to_json(*back.rule), out);
  }
}

TEST(RuleJson, PatchMergesAndValidates) {
  Rule base = ok({{"action", "drop"}, {"match", {{"src", "10.0.0.0/8"}, {"protocol", "tcp"}, {"dport", 22}}},
                  {"comment", "ssh"}});
  base.id = 9;
  base.created_by = "cli";
  base.created_ns = kNow - 1000000;
  ParseOptions opt{kNow, false};
  auto r = apply_patch(base, {{"match", {{"dport", nullptr}}}, {"priority", 5}}, opt);
  ASSERT_TRUE(r.rule) << r.errors[0].field;
  EXPECT_FALSE(r.rule->match.dport);
  EXPECT_EQ(r.rule->match.src, base.match.src);
  EXPECT_EQ(r.rule->priority, 5);
  EXPECT_EQ(r.rule->id, 9u);
  EXPECT_EQ(r.rule->created_by, "cli");
  EXPECT_EQ(r.rule->created_ns, base.created_ns);
  EXPECT_EQ(r.rule->comment, "ssh");

  // The same id is not a change; a different one is.
  EXPECT_TRUE(apply_patch(base, {{"id", 9}, {"comment", "x"}}, opt).rule);
  for (auto [k, v] : std::vector<std::pair<std::string, json>>{
           {"id", 10}, {"origin", "llm"}, {"created_by", "me"}, {"created_at", nullptr}}) {
    auto p = apply_patch(base, {{k, v}}, opt);
    EXPECT_FALSE(p.rule) << k;
    ASSERT_FALSE(p.errors.empty());
    EXPECT_EQ(p.errors[0].field, k);
  }
  // A patch is validated like a new rule.
  auto bad = apply_patch(base, {{"match", {{"protocol", "udp"}, {"tcp_flags", "SYN"}}}}, opt);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].field, "match.tcp_flags");
  EXPECT_EQ(apply_patch(base, json::array(), opt).errors[0].field, "");
}

TEST(RuleJson, PatchActionAddressAndExpiry) {
  Rule rl = ok({{"action", "rate-limit"}, {"rate", {{"pps", 10}}}, {"match", {{"src", "10.0.0.0/8"}}},
                {"ttl_s", 60}});
  ParseOptions opt{kNow, false};
  auto d = apply_patch(rl, {{"action", "drop"}}, opt);
  ASSERT_TRUE(d.rule) << d.errors[0].field;
  EXPECT_FALSE(d.rule->rate);
  EXPECT_EQ(apply_patch(rl, {{"rate", {{"pps", 20}}}}, opt).rule->rate->rate, 20u);
  EXPECT_EQ(apply_patch(rl, {{"action", "rate-limit"}}, opt).rule->rate->rate, 10u);
  // New address family: the implied family follows it.
  auto v6 = apply_patch(rl, {{"match", {{"src", "2001:db8::/32"}}}}, opt);
  ASSERT_TRUE(v6.rule) << v6.errors[0].field;
  EXPECT_EQ(v6.rule->match.family, 6);
  EXPECT_EQ(apply_patch(rl, {{"match", {{"src", "2001:db8::/32"}, {"family", "ipv4"}}}}, opt)
                .errors[0].field,
            "match.src");
  // ttl_s replaces the stored expires_at; expires_at null removes it.
  EXPECT_EQ(apply_patch(rl, {{"ttl_s", 120}}, opt).rule->expires_ns, kNow + 120000000000LL);
  EXPECT_FALSE(apply_patch(rl, {{"expires_at", nullptr}}, opt).rule->expires_ns);
}

// Every field of a full rule replaced by every JSON type: errors, never exceptions or crashes.
TEST(RuleJson, HostileValuesNeverThrow) {
  json full = {{"priority", 1},
               {"enabled", true},
               {"action", "rate-limit"},
               {"shadow", false},
               {"match", {{"src", "10.0.0.0/8"}, {"dst", "10.0.0.1"}, {"family", "ipv4"},
                          {"protocol", "icmp"}, {"icmp", {{"type", 3}, {"code", 1}}},
                          {"inner", {{"src", "10.0.0.0/8"}, {"protocol", "tcp"}, {"dport", 1}}},
                          {"ttl", 1}, {"length", 1}, {"iface", "lo"}, {"vlan", 1}, {"malformed", false}}},
               {"rate", {{"pps", 1}, {"burst", 1}}},
               {"origin", "user"},
               {"comment", "c"},
               {"ttl_s", 5}};
  std::vector<json> hostile = {nullptr, true, -1, 1.5, "x", json::array(), json::object(),
                               18446744073709551615ULL, -9223372036854775807LL - 1,
                               std::string(600, 'z'), std::string("10.0.0.1\0/8", 11),
                               json::array({1, 2})};
  Rule base = ok(full);
  size_t cases = 0;
  std::function<void(const json::json_pointer&, const json&)> walk = [&](const json::json_pointer& ptr,
                                                                         const json& node) {
    for (const auto& v : hostile) {
      json j = full;
      j[ptr] = v;
      EXPECT_NO_THROW(parse(j)) << ptr.to_string();
      json patch = json::object();
      patch[ptr] = v;
      EXPECT_NO_THROW(apply_patch(base, patch, ParseOptions{kNow, false})) << ptr.to_string();
      ++cases;
    }
    if (node.is_object())
      for (const auto& [k, child] : node.items()) walk(ptr / k, child);
  };
  for (const auto& [k, child] : full.items()) walk(json::json_pointer("/" + k), child);
  EXPECT_GT(cases, 300u);
  EXPECT_EQ(fields(drop({{"src", std::string("10.0.0.1\0/8", 11)}})), std::vector<std::string>{"match.src"});
  EXPECT_EQ(fields(drop({{"iface", std::string("lo\0x", 4)}})), std::vector<std::string>{"match.iface"});
}
