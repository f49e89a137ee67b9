// `packetscope guard rule add` options -> rule JSON, and the API client's pure helpers.
#include <gtest/gtest.h>

#include "cli/api_client.h"
#include "cli/cmd_guard_args.h"

namespace pscope::cli {
namespace {

Result<std::string> no_file(const std::string& p) { return fail("cannot read " + p); }

TEST(RuleArgs, FullTranslation) {
  RuleArgs a;
  a.action = "rate-limit";
  a.src = "203.0.113.0/24";
  a.dst = "10.0.0.1";
  a.proto = "tcp";
  a.sport = "53";
  a.dport = "1000-2000";
  a.tcp_flags = "SYN,!ACK";
  a.priority = "10";
  a.ttl = "10m";
  a.comment = "flood";
  a.pps = "1000";
  a.burst = "2000";
  a.shadow = true;
  a.disabled = true;
  a.force = true;
  auto j = rule_body_from_args(a, no_file);
  ASSERT_TRUE(j) << j.error().what;
  nlohmann::json want = {{"action", "rate-limit"},
                         {"match",
                          {{"src", "203.0.113.0/24"},
                           {"dst", "10.0.0.1"},
                           {"protocol", "tcp"},
                           {"sport", 53},
                           {"dport", "1000-2000"},
                           {"tcp_flags", "SYN,!ACK"}}},
                         {"rate", {{"pps", 1000}, {"burst", 2000}}},
                         {"priority", 10},
                         {"ttl_s", 600},
                         {"comment", "flood"},
                         {"shadow", true},
                         {"enabled", false},
                         {"force", true}};
  EXPECT_EQ(*j, want) << j->dump();
}

TEST(RuleArgs, MinimalAndNumbers) {
  RuleArgs a;
  a.action = "drop";
  auto j = rule_body_from_args(a, no_file);
  ASSERT_TRUE(j);
  EXPECT_EQ(*j, nlohmann::json({{"action", "drop"}}));
  a.proto = "47";
  a.icmp_type = "3";
  a.icmp_code = "4";
  a.bps = "125000";
  j = rule_body_from_args(a, no_file);
  ASSERT_TRUE(j) << j.error().what;
  EXPECT_EQ((*j)["match"]["protocol"], 47);
  EXPECT_EQ((*j)["match"]["icmp"], nlohmann::json({{"type", 3}, {"code", 4}}));
  EXPECT_EQ((*j)["rate"], nlohmann::json({{"bps", 125000}}));
}

TEST(RuleArgs, UsageErrorsNameTheOption) {
  auto err = [](RuleArgs a) {
    auto j = rule_body_from_args(a, no_file);
    return j ? std::string() : j.error().what;
  };
  RuleArgs a;
  EXPECT_NE(err(a).find("--action"), std::string::npos);
  a.action = "drop";
  auto b = a;
  b.sport = "http";
  EXPECT_NE(err(b).find("--sport"), std::string::npos);
  b = a;
  b.dport = "70000";
  EXPECT_NE(err(b).find("--dport"), std::string::npos);
  b = a;
  b.icmp_code = "1";
  EXPECT_NE(err(b).find("--icmp-type"), std::string::npos);
  b = a;
  b.icmp_type = "300";
  EXPECT_NE(err(b).find("--icmp-type"), std::string::npos);
  b = a;
  b.pps = "1";
  b.bps = "1";
  EXPECT_NE(err(b).find("--pps"), std::string::npos);
  b = a;
  b.burst = "5";
  EXPECT_NE(err(b).find("--burst"), std::string::npos);
  b = a;
  b.pps = "0";
  EXPECT_NE(err(b).find("--pps"), std::string::npos);
  b = a;
  b.priority = "-1";
  EXPECT_NE(err(b).find("--priority"), std::string::npos);
  b = a;
  b.ttl = "soon";
  EXPECT_NE(err(b).find("--ttl"), std::string::npos);
}

TEST(RuleArgs, JsonFileExcludesFieldOptions) {
  auto files = [](const std::string& p) -> Result<std::string> {
    if (p == "rule.json") return std::string(R"({"action":"pass","match":{"dport":22,"protocol":"tcp"}})");
    if (p == "bad.json") return std::string("[1]");
    return fail("cannot read " + p);
  };
  RuleArgs a;
  a.json_file = "rule.json";
  a.force = true;
  auto j = rule_body_from_args(a, files);
  ASSERT_TRUE(j) << j.error().what;
  EXPECT_EQ((*j)["action"], "pass");
  EXPECT_EQ((*j)["force"], true);
  a.action = "drop";
  EXPECT_FALSE(rule_body_from_args(a, files));
  a.action.reset();
  a.json_file = "bad.json";
  EXPECT_FALSE(rule_body_from_args(a, files));
  a.json_file = "missing.json";
  auto m = rule_body_from_args(a, files);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().what.find("missing.json"), std::string::npos);
}

TEST(RuleArgs, Durations) {
  EXPECT_EQ(*parse_duration_s("600"), 600);
  EXPECT_EQ(*parse_duration_s("90s"), 90);
  EXPECT_EQ(*parse_duration_s("10m"), 600);
  EXPECT_EQ(*parse_duration_s("2h"), 7200);
  EXPECT_EQ(*parse_duration_s("7d"), 7 * 86400);
  EXPECT_EQ(*parse_duration_s("3650d"), 3650LL * 86400);
  for (auto bad : {"", "0", "m", "-5m", "1.5h", "10w", "3651d", "99999999999999999999"})
    EXPECT_FALSE(parse_duration_s(bad)) << bad;
}

TEST(RuleArgs, Ids) {
  auto ids = parse_ids({"1", "42", "4294967295"});
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<uint32_t>{1, 42, 4294967295u}));
  EXPECT_FALSE(parse_ids({}));
  EXPECT_FALSE(parse_ids({"0"}));
  EXPECT_FALSE(parse_ids({"x1"}));
  EXPECT_FALSE(parse_ids({"4294967296"}));
}

TEST(ApiClient, DefaultUrlAndToken) {
  Config c;
  EXPECT_EQ(default_api_url(c), "http://127.0.0.1:9470");
  c.listen_host = "0.0.0.0";
  c.listen_port = 8000;
  EXPECT_EQ(default_api_url(c), "http://127.0.0.1:8000");
  c.listen_host = "::";
  EXPECT_EQ(default_api_url(c), "http://[::1]:8000");
  c.listen_host = "::1";
  EXPECT_EQ(default_api_url(c), "http://[::1]:8000");
  auto t = read_token("/nonexistent-packetscope-dir");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().what.find("/nonexistent-packetscope-dir/token"), std::string::npos);
}

TEST(ApiClient, UnreachableDaemonSaysSo) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  ApiClient c("http://127.0.0.1:1", "x");
  auto r = c.call("GET", "/api/v1/guard/stats");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kUnreachable);
  EXPECT_NE(r.error().what.find("not running"), std::string::npos);
}

TEST(ApiClient, ErrorMessageFromBody) {
  ApiResponse r{409, R"({"error":{"code":"unsafe_rule","message":"would cut you off"}})"};
  EXPECT_EQ(r.error_message(), "would cut you off");
  ApiResponse r2{502, "<html>"};
  EXPECT_EQ(r2.error_message(), "the daemon answered HTTP 502");
}

}  // namespace
}  // namespace pscope::cli
