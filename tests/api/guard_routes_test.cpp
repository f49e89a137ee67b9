// /api/v1/guard/* through a fake facade: every route, status codes, field errors, safety and
// force, bulk all-or-nothing, import errors with rules[i] paths, paging bounds, bad input.
#include <gtest/gtest.h>

#include "api/guard_json.h"
#include "api/routes_guard.h"

namespace pscope::api {
namespace {

guarder::Rule make_rule(uint32_t id, const std::string& comment = "") {
  guarder::Rule r;
  r.id = id;
  r.action = guarder::Action::kDrop;
  r.match.protocol = 6;
  r.match.dport = guarder::Range<uint16_t>{80, 80};
  r.comment = comment;
  r.created_by = "api:127.0.0.1";
  r.created_ns = r.updated_ns = 1763900000000000000LL;
  return r;
}

class FakeGuard : public GuardFacade {
 public:
  bool up = true;
  std::vector<guarder::Rule> rules = {make_rule(1, "web"), make_rule(2, "dns")};
  GuardListQuery last_query;
  GuardActor last_actor;
  nlohmann::json last_patch;
  std::vector<uint32_t> last_ids;
  std::optional<BulkOp> last_op;
  std::vector<guarder::Rule> imported;
  bool last_replace = false;
  int dry_minutes = 0;
  size_t flows_limit = 0;
  std::optional<guarder::XdpMode> attach_mode;
  bool removed_all = false;
  std::optional<int64_t> audit_before;

  GuardResult<void> up_or_fail() const {
    if (up) return {};
    return guard_fail(GuardErrc::kUnavailable, "the Guarder is disabled by configuration (guard_enabled=false)");
  }
  GuardResult<std::vector<GuardRuleView>> list_rules(const GuardListQuery& q) const override {
    const_cast<FakeGuard*>(this)->last_query = q;
    std::vector<GuardRuleView> out;
    for (const auto& r : rules) out.push_back({r, {r.id * 10, r.id * 1000, 0, 0}});
    return out;
  }
  GuardResult<GuardRuleView> get_rule(uint32_t id) const override {
    for (const auto& r : rules)
      if (r.id == id) return GuardRuleView{r, {}};
    return guard_fail(GuardErrc::kNotFound, "no guard rule " + std::to_string(id));
  }
  GuardResult<GuardRuleView> add_rule(guarder::Rule r, const GuardActor& who) override {
    last_actor = who;
    if (auto u = up_or_fail(); !u) return tl::unexpected(u.error());
    if (r.comment == "unsafe" && !who.force)
      return guard_fail(GuardErrc::kUnsafe, "would cut you off", {{"match.src", "matches your own address"}});
    r.id = 3;
    rules.push_back(r);
    return GuardRuleView{r, {}};
  }
  GuardResult<GuardRuleView> patch_rule(uint32_t id, const nlohmann::json& patch, const GuardActor& who) override {
    last_actor = who;
    last_patch = patch;
    if (patch.contains("priority") && !patch["priority"].is_number())
      return guard_fail(GuardErrc::kBadRule, "bad", {{"priority", "must be a whole number"}});
    return get_rule(id);
  }
  GuardResult<void> delete_rule(uint32_t id, const GuardActor&) override {
    if (auto r = get_rule(id); !r) return tl::unexpected(r.error());
    std::erase_if(rules, [&](const guarder::Rule& r) { return r.id == id; });
    return {};
  }
  GuardResult<size_t> bulk(BulkOp op, const std::vector<uint32_t>& ids, const GuardActor&) override {
    for (auto id : ids)
      if (!get_rule(id)) return guard_fail(GuardErrc::kNotFound, "no guard rule(s) [" + std::to_string(id) + "]");
    last_op = op;
    last_ids = ids;
    return ids.size();
  }
  GuardResult<ImportResult> import_rules(std::vector<guarder::Rule> in, bool replace, const GuardActor& who) override {
    last_actor = who;
    imported = std::move(in);
    last_replace = replace;
    return ImportResult{imported.size(), replace ? rules.size() : 0};
  }
  GuardResult<DryRunResult> dry_run(const guarder::Rule&, int minutes) const override {
    const_cast<FakeGuard*>(this)->dry_minutes = minutes;
    DryRunResult d;
    d.examined_packets = 10;
    d.matched_packets = 2;
    d.cap = 100000;
    d.samples.push_back({"tracer", 1763900000000000000LL, "tcp 10.0.0.1:1 > 10.0.0.2:80"});
    return d;
  }
  GuardResult<GuardStatsView> stats() const override {
    if (auto u = up_or_fail(); !u) return tl::unexpected(u.error());
    GuardStatsView v;
    v.stats.packets = 100;
    v.stats.dropped = 7;
    v.stats.live_rules = 2;
    v.attachments.push_back({"vtest0", 42, guarder::XdpMode::kGeneric});
    return v;
  }
  GuardResult<std::unordered_map<uint32_t, guarder::RuleCounters>> counters() const override {
    if (auto u = up_or_fail(); !u) return tl::unexpected(u.error());
    return std::unordered_map<uint32_t, guarder::RuleCounters>{{1, {5, 500, 1, 1763900000000000000LL}}};
  }
  GuardResult<std::vector<guarder::XdpFlow>> flows(size_t limit) const override {
    const_cast<FakeGuard*>(this)->flows_limit = limit;
    guarder::XdpFlow a{42, 4, 6, "10.0.0.1", "10.0.0.2", 1234, 80, 3, 180, 0, 0x12, 1, 2};
    guarder::XdpFlow b{42, 4, 17, "10.0.0.9", "10.0.0.2", 53, 5353, 1, 60, 1, 0, 1, 2};
    std::vector<guarder::XdpFlow> v = {a, b};
    if (v.size() > limit) v.resize(limit);
    return v;
  }
  GuardResult<std::vector<guarder::LogSample>> log_samples(size_t limit) const override {
    std::vector<guarder::LogSample> v(std::min<size_t>(limit, 3));
    for (auto& s : v) s.rule_id = 1;
    return v;
  }
  GuardResult<std::vector<store::AuditEntry>> audit(int64_t limit, std::optional<int64_t> before_id) const override {
    const_cast<FakeGuard*>(this)->audit_before = before_id;
    std::vector<store::AuditEntry> v;
    for (int64_t i = 0; i < limit && i < 5; ++i)
      v.push_back({1763900000000000000LL, "api:127.0.0.1", "guard.rule.add", "1", R"({"after":null})", 10 - i});
    v.push_back({1763900000000000000LL, "system", "guard.rule.expired", "2", "not json", 1});
    if (static_cast<int64_t>(v.size()) > limit) v.resize(limit);
    return v;
  }
  GuardResult<std::vector<guarder::Attachment>> interfaces() const override {
    return std::vector<guarder::Attachment>{{"vtest0", 42, guarder::XdpMode::kNative}};
  }
  GuardResult<guarder::Attachment> attach(const std::string& ifname, std::optional<guarder::XdpMode> mode,
                                          const GuardActor&) override {
    attach_mode = mode;
    if (ifname == "nosuch0") return guard_fail(GuardErrc::kNotFound, "no interface 'nosuch0' here");
    if (ifname == "bad0") return guard_fail(GuardErrc::kAttachFailed, "native XDP is not supported by bad0");
    return guarder::Attachment{ifname, 7, mode.value_or(guarder::XdpMode::kNative)};
  }
  GuardResult<void> detach(const std::string& ifname, const GuardActor&) override {
    if (ifname != "vtest0") return guard_fail(GuardErrc::kNotFound, "not attached");
    return {};
  }
  GuardResult<void> remove_all(const GuardActor&) override {
    removed_all = true;
    return {};
  }
  std::string ifname_of(uint32_t ifindex) const override { return ifindex == 42 ? "vtest0" : ""; }
};

class GuardRoutesTest : public ::testing::Test {
 protected:
  GuardRoutesTest() { register_guard_routes(router_, fake_); }
  Response call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& peer = "127.0.0.1", const std::string& ua = "") {
    Request req;
    req.method = method;
    auto q = target.find('?');
    req.path = url_decode(target.substr(0, q), false);
    if (q != std::string::npos) req.query = parse_query(target.substr(q + 1));
    req.body = body;
    req.remote_addr = peer;
    if (!ua.empty()) req.headers["user-agent"] = ua;
    return router_.dispatch(req);
  }
  static nlohmann::json body(const Response& r) { return nlohmann::json::parse(r.body); }
  static std::string code(const Response& r) { return body(r)["error"]["code"]; }
  FakeGuard fake_;
  Router router_;
};

TEST_F(GuardRoutesTest, ListHasItemsTotalCountersAndFilters) {
  auto r = call("GET", "/api/v1/guard/rules");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["total"], 2);
  ASSERT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["id"], 1);
  EXPECT_EQ(j["items"][0]["counters"]["packets"], 10);
  EXPECT_TRUE(j["items"][0]["counters"]["last_hit"].is_null());
  r = call("GET", "/api/v1/guard/rules?origin=detector&enabled=false&q=10.0.0");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(fake_.last_query.origin, guarder::Origin::kDetector);
  EXPECT_EQ(fake_.last_query.enabled, false);
  EXPECT_EQ(fake_.last_query.text, "10.0.0");
  j = body(call("GET", "/api/v1/guard/rules?offset=1&limit=1"));
  EXPECT_EQ(j["total"], 2);
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["id"], 2);
}

TEST_F(GuardRoutesTest, ListRefusesBadParameters) {
  for (auto t : {"?origin=martian", "?enabled=yes", "?limit=0", "?limit=200000", "?offset=-1", "?limit=x"})
    EXPECT_EQ(call("GET", std::string("/api/v1/guard/rules") + t).status, 400) << t;
  EXPECT_EQ(call("GET", "/api/v1/guard/rules?q=" + std::string(300, 'a')).status, 400);
}

TEST_F(GuardRoutesTest, AddStoresWithActorAndAnswers201) {
  auto r = call("POST", "/api/v1/guard/rules", R"({"action":"drop","match":{"protocol":"tcp","dport":22}})", "10.1.2.3");
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["id"], 3);
  EXPECT_EQ(j["created_by"], "api:10.1.2.3");
  EXPECT_EQ(j["action"], "drop");
  EXPECT_TRUE(j.contains("counters"));
  EXPECT_FALSE(fake_.last_actor.force);
  ASSERT_TRUE(fake_.last_actor.caller);
  EXPECT_EQ(fake_.last_actor.caller->family, 4);
  EXPECT_EQ(fake_.last_actor.caller->prefix, 32);
  EXPECT_EQ(fake_.last_actor.caller->str(), "10.1.2.3/32");
}

TEST_F(GuardRoutesTest, ActorFromCliUserAgentAndMappedPeer) {
  auto r = call("POST", "/api/v1/guard/rules", R"({"action":"pass"})", "::ffff:192.0.2.7", "packetscope-cli/0.1");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(fake_.last_actor.name, "cli:::ffff:192.0.2.7");
  ASSERT_TRUE(fake_.last_actor.caller);
  EXPECT_EQ(fake_.last_actor.caller->str(), "192.0.2.7/32");
  call("POST", "/api/v1/guard/rules", R"({"action":"pass"})", "2001:db8::5");
  EXPECT_EQ(fake_.last_actor.caller->str(), "2001:db8::5/128");
}

TEST_F(GuardRoutesTest, AddFieldErrorsAre400BadRuleWithFields) {
  auto r = call("POST", "/api/v1/guard/rules", R"({"action":"explode","match":{"src":"10.0.0.1/8"}})");
  ASSERT_EQ(r.status, 400) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["error"]["code"], "bad_rule");
  std::set<std::string> fields;
  for (const auto& f : j["error"]["fields"]) {
    fields.insert(f["field"].get<std::string>());
    EXPECT_FALSE(f["message"].get<std::string>().empty());
  }
  EXPECT_TRUE(fields.count("action")) << r.body;
  EXPECT_TRUE(fields.count("match.src")) << r.body;
  // A typo never widens a rule: an unknown key is refused.
  r = call("POST", "/api/v1/guard/rules", R"({"action":"drop","match":{"scr":"10.0.0.0/8"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "bad_rule");
  // Output fields are not accepted on create.
  EXPECT_EQ(call("POST", "/api/v1/guard/rules", R"({"action":"drop","id":7})").status, 400);
}

TEST_F(GuardRoutesTest, BadJsonAndNonObjects) {
  for (auto b : {"{", "", "[1,2]", "\"drop\"", "null"}) {
    auto r = call("POST", "/api/v1/guard/rules", b);
    EXPECT_EQ(r.status, 400) << b;
    EXPECT_EQ(code(r), "bad_request") << b;
  }
  EXPECT_EQ(call("PATCH", "/api/v1/guard/rules/1", "{x").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/guard/rules/import", "nope").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/guard/dry-run", "[]").status, 400);
}

TEST_F(GuardRoutesTest, UnsafeIs409AndForceInsists) {
  auto r = call("POST", "/api/v1/guard/rules", R"({"action":"drop","comment":"unsafe"})");
  ASSERT_EQ(r.status, 409) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["error"]["code"], "unsafe_rule");
  EXPECT_EQ(j["error"]["fields"][0]["field"], "match.src");
  r = call("POST", "/api/v1/guard/rules", R"({"action":"drop","comment":"unsafe","force":true})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(fake_.last_actor.force);
  EXPECT_FALSE(body(r).contains("force"));
  r = call("POST", "/api/v1/guard/rules", R"({"action":"drop","force":"yes"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(code(r), "bad_request");
}

TEST_F(GuardRoutesTest, GetPatchDelete) {
  EXPECT_EQ(call("GET", "/api/v1/guard/rules/1").status, 200);
  for (auto t : {"/api/v1/guard/rules/9", "/api/v1/guard/rules/abc", "/api/v1/guard/rules/0",
                 "/api/v1/guard/rules/99999999999", "/api/v1/guard/rules/-1"}) {
    auto r = call("GET", t);
    EXPECT_EQ(r.status, 404) << t;
    EXPECT_EQ(code(r), "not_found");
  }
  auto r = call("PATCH", "/api/v1/guard/rules/2", R"({"comment":"x","force":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake_.last_patch, nlohmann::json({{"comment", "x"}}));
  EXPECT_TRUE(fake_.last_actor.force);
  r = call("PATCH", "/api/v1/guard/rules/2", R"({"priority":"high"})");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["error"]["fields"][0]["field"], "priority");
  EXPECT_EQ(call("PATCH", "/api/v1/guard/rules/9", "{}").status, 404);
  r = call("DELETE", "/api/v1/guard/rules/2");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(call("DELETE", "/api/v1/guard/rules/2").status, 404);
  r = call("PUT", "/api/v1/guard/rules/1", "{}");
  EXPECT_EQ(r.status, 405);
}

TEST_F(GuardRoutesTest, BulkIsAllOrNothing) {
  auto r = call("POST", "/api/v1/guard/rules/bulk", R"({"op":"disable","ids":[2,1,2]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["changed"], 2);
  EXPECT_EQ(fake_.last_op, BulkOp::kDisable);
  EXPECT_EQ(fake_.last_ids, (std::vector<uint32_t>{1, 2}));
  fake_.last_op.reset();
  r = call("POST", "/api/v1/guard/rules/bulk", R"({"op":"delete","ids":[1,77]})");
  EXPECT_EQ(r.status, 404);
  EXPECT_FALSE(fake_.last_op);
  EXPECT_EQ(fake_.rules.size(), 2u);
  for (auto b : {R"({"op":"explode","ids":[1]})", R"({"op":"enable","ids":[]})", R"({"op":"enable","ids":[0]})",
                 R"({"op":"enable","ids":["1"]})", R"({"op":"enable","ids":[1.5]})", R"({"op":"enable"})",
                 R"({"op":"enable","ids":[1],"extra":1})", R"({"op":"enable","ids":[-3]})"})
    EXPECT_EQ(call("POST", "/api/v1/guard/rules/bulk", b).status, 400) << b;
  nlohmann::json big = {{"op", "enable"}, {"ids", std::vector<int>(131073, 1)}};
  EXPECT_EQ(call("POST", "/api/v1/guard/rules/bulk", big.dump()).status, 400);
  // GET on a literal route's path reaches {id} and finds no such rule.
  EXPECT_EQ(call("GET", "/api/v1/guard/rules/bulk").status, 404);
}

TEST_F(GuardRoutesTest, ImportValidatesEveryRuleFirst) {
  auto r = call("POST", "/api/v1/guard/rules/import",
                R"({"rules":[{"action":"drop","match":{"protocol":"udp"}},{"action":"pass","comment":"ok"}],"mode":"replace"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["imported"], 2);
  EXPECT_EQ(body(r)["replaced"], 2);
  EXPECT_TRUE(fake_.last_replace);
  ASSERT_EQ(fake_.imported.size(), 2u);
  EXPECT_EQ(fake_.imported[0].created_by, "api:127.0.0.1");

  fake_.imported.clear();
  r = call("POST", "/api/v1/guard/rules/import",
           R"({"rules":[{"action":"drop"},{"action":"drop","match":{"src":"10.0.0.1/8"}},{"action":"nope"}]})");
  ASSERT_EQ(r.status, 400) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["error"]["code"], "bad_rule");
  std::set<std::string> fields;
  for (const auto& f : j["error"]["fields"]) fields.insert(f["field"].get<std::string>());
  EXPECT_TRUE(fields.count("rules[1].match.src")) << r.body;
  EXPECT_TRUE(fields.count("rules[2].action")) << r.body;
  EXPECT_TRUE(fake_.imported.empty());  // nothing reached the facade
  r = call("POST", "/api/v1/guard/rules/import", R"({"rules":[5]})");
  EXPECT_EQ(body(r)["error"]["fields"][0]["field"], "rules[0]");

  for (auto b : {R"({"rules":{}})", R"({"mode":"merge"})", R"({"rules":[],"mode":"append"})",
                 R"({"rules":[],"version":2})", R"({"rules":[],"what":1})", R"({"rules":[],"force":1})"})
    EXPECT_EQ(call("POST", "/api/v1/guard/rules/import", b).status, 400) << b;
}

TEST_F(GuardRoutesTest, ExportImportsBackUnchanged) {
  auto r = call("GET", "/api/v1/guard/rules/export");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(j["version"], 1);
  EXPECT_TRUE(j["exported_at"].is_string());
  ASSERT_EQ(j["rules"].size(), 2u);
  r = call("POST", "/api/v1/guard/rules/import", j.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(fake_.imported.size(), 2u);
  EXPECT_EQ(fake_.imported[0], fake_.rules[0]);
  EXPECT_EQ(fake_.imported[1], fake_.rules[1]);
  EXPECT_FALSE(fake_.last_replace);
}

TEST_F(GuardRoutesTest, DryRun) {
  auto r = call("POST", "/api/v1/guard/dry-run", R"({"rule":{"action":"drop","match":{"protocol":"tcp"}},"minutes":30})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = body(r);
  EXPECT_EQ(fake_.dry_minutes, 30);
  EXPECT_EQ(j["examined_packets"], 10);
  EXPECT_EQ(j["matched_packets"], 2);
  EXPECT_EQ(j["cap"], 100000);
  EXPECT_EQ(j["samples"][0]["source"], "tracer");
  EXPECT_TRUE(j["samples"][0]["time"].is_string());
  for (auto b : {R"({"rule":{"action":"drop"},"minutes":0})", R"({"rule":{"action":"drop"},"minutes":1441})",
                 R"({"rule":{"action":"drop"},"minutes":"5"})", R"({"minutes":5})", R"({"rule":{"action":"drop"},"x":1})"})
    EXPECT_EQ(call("POST", "/api/v1/guard/dry-run", b).status, 400) << b;
  r = call("POST", "/api/v1/guard/dry-run", R"({"rule":{"action":"smash"}})");
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(body(r)["error"]["fields"][0]["field"], "rule.action");
}

TEST_F(GuardRoutesTest, StatsCountersAndUnavailable) {
  auto j = body(call("GET", "/api/v1/guard/stats"));
  EXPECT_EQ(j["packets"], 100);
  EXPECT_EQ(j["dropped"], 7);
  EXPECT_EQ(j["live_rules"], 2);
  EXPECT_EQ(j["attachments"][0]["mode"], "generic");
  EXPECT_TRUE(j["last_apply"].is_null());
  for (auto k : {"bytes", "passed", "rate_dropped", "malformed", "non_ip", "log_sent", "log_lost", "hits_overflow",
                 "flows_full", "generation"})
    EXPECT_TRUE(j.contains(k)) << k;
  j = body(call("GET", "/api/v1/guard/counters"));
  EXPECT_TRUE(j["ts"].is_string());
  EXPECT_EQ(j["items"]["1"]["packets"], 5);
  EXPECT_TRUE(j["items"]["1"]["last_hit"].is_string());
  fake_.up = false;
  auto r = call("GET", "/api/v1/guard/stats");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(code(r), "guard_unavailable");
  EXPECT_EQ(call("GET", "/api/v1/guard/counters").status, 503);
  EXPECT_EQ(call("POST", "/api/v1/guard/rules", R"({"action":"pass"})").status, 503);
}

TEST_F(GuardRoutesTest, FlowsLimitAndSearch) {
  auto j = body(call("GET", "/api/v1/guard/flows"));
  EXPECT_EQ(fake_.flows_limit, 100u);
  ASSERT_EQ(j["items"].size(), 2u);
  auto f = j["items"][0];
  EXPECT_EQ(f["ifname"], "vtest0");
  EXPECT_EQ(f["protocol"], "tcp");
  EXPECT_EQ(f["tcp_flags"], "SYN|ACK");
  EXPECT_TRUE(f["first_seen"].is_string());
  j = body(call("GET", "/api/v1/guard/flows?q=udp&limit=1"));
  EXPECT_EQ(fake_.flows_limit, 5000u);  // a search reads the whole table
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["src"], "10.0.0.9");
  for (auto t : {"?limit=0", "?limit=5001", "?limit=ten"})
    EXPECT_EQ(call("GET", std::string("/api/v1/guard/flows") + t).status, 400) << t;
  EXPECT_EQ(call("GET", "/api/v1/guard/flows?q=" + std::string(257, 'x')).status, 400);
}

TEST_F(GuardRoutesTest, LogAndAuditPaging) {
  auto j = body(call("GET", "/api/v1/guard/log?limit=2"));
  EXPECT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][0]["rule_id"], 1);
  EXPECT_EQ(j["items"][0]["summary"], "frame cut short (0 bytes)");
  for (auto t : {"?limit=0", "?limit=1001"}) EXPECT_EQ(call("GET", std::string("/api/v1/guard/log") + t).status, 400);
  j = body(call("GET", "/api/v1/guard/audit?limit=3&before_id=50"));
  EXPECT_EQ(fake_.audit_before, 50);
  ASSERT_EQ(j["items"].size(), 3u);
  EXPECT_EQ(j["items"][0]["detail"]["after"], nullptr);
  EXPECT_EQ(j["next_before_id"], 8);
  j = body(call("GET", "/api/v1/guard/audit"));
  EXPECT_FALSE(fake_.audit_before);
  EXPECT_EQ(j["items"].back()["detail"], "not json");
  EXPECT_FALSE(j.contains("next_before_id"));
  for (auto t : {"?limit=0", "?limit=1001", "?before_id=0", "?before_id=x"})
    EXPECT_EQ(call("GET", std::string("/api/v1/guard/audit") + t).status, 400) << t;
}

TEST_F(GuardRoutesTest, Interfaces) {
  auto j = body(call("GET", "/api/v1/guard/interfaces"));
  EXPECT_EQ(j["items"][0]["ifname"], "vtest0");
  auto r = call("POST", "/api/v1/guard/interfaces", R"({"ifname":"vtest1","mode":"generic"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["mode"], "generic");
  EXPECT_EQ(fake_.attach_mode, guarder::XdpMode::kGeneric);
  call("POST", "/api/v1/guard/interfaces", R"({"ifname":"vtest1"})");
  EXPECT_FALSE(fake_.attach_mode);
  EXPECT_EQ(call("POST", "/api/v1/guard/interfaces", R"({"ifname":"nosuch0"})").status, 404);
  r = call("POST", "/api/v1/guard/interfaces", R"({"ifname":"bad0","mode":"native"})");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(code(r), "attach_failed");
  for (auto b : {R"({"ifname":"x","mode":"turbo"})", R"({"ifname":""})", R"({"ifname":"0123456789abcdef"})",
                 R"({"mode":"auto"})", R"({"ifname":3})", R"({"ifname":"a","b":1})"})
    EXPECT_EQ(call("POST", "/api/v1/guard/interfaces", b).status, 400) << b;
  EXPECT_EQ(call("DELETE", "/api/v1/guard/interfaces/vtest0").status, 204);
  EXPECT_EQ(call("DELETE", "/api/v1/guard/interfaces/other0").status, 404);
  EXPECT_FALSE(fake_.removed_all);
  EXPECT_EQ(call("DELETE", "/api/v1/guard/interfaces").status, 204);
  EXPECT_TRUE(fake_.removed_all);
}

TEST(GuardJson, SummarizeFrame) {
  // Ethernet + VLAN 100 + IPv4 + TCP SYN 10.0.0.1:1234 > 10.0.0.2:80
  std::vector<uint8_t> f(14 + 4 + 20 + 20, 0);
  f[12] = 0x81, f[13] = 0x00, f[14] = 0x00, f[15] = 100, f[16] = 0x08, f[17] = 0x00;
  uint8_t* ip = &f[18];
  ip[0] = 0x45, ip[9] = 6;
  ip[12] = 10, ip[15] = 1, ip[16] = 10, ip[19] = 2;
  uint8_t* tcp = ip + 20;
  tcp[0] = 1234 >> 8, tcp[1] = 1234 & 0xff, tcp[3] = 80, tcp[13] = 0x02;
  EXPECT_EQ(summarize_frame(f), "tcp 10.0.0.1:1234 > 10.0.0.2:80 [SYN] vlan 100");
  f.resize(18 + 20 + 2);
  EXPECT_EQ(summarize_frame(f), "tcp 10.0.0.1 > 10.0.0.2 (header cut short) vlan 100");
  f.resize(30);
  EXPECT_EQ(summarize_frame(f), "ipv4 header cut short vlan 100");
  std::vector<uint8_t> arp(42, 0);
  arp[12] = 0x08, arp[13] = 0x06;
  EXPECT_EQ(summarize_frame(arp), "ethertype 0x0806");
  // IPv6 UDP 2001:db8::1:53 > 2001:db8::2:5353
  std::vector<uint8_t> v6(14 + 40 + 8, 0);
  v6[12] = 0x86, v6[13] = 0xdd;
  v6[14] = 0x60, v6[14 + 6] = 17;
  v6[14 + 8] = 0x20, v6[14 + 9] = 0x01, v6[14 + 10] = 0x0d, v6[14 + 11] = 0xb8, v6[14 + 23] = 1;
  v6[14 + 24] = 0x20, v6[14 + 25] = 0x01, v6[14 + 26] = 0x0d, v6[14 + 27] = 0xb8, v6[14 + 39] = 2;
  v6[55] = 53, v6[56] = 5353 >> 8, v6[57] = 5353 & 0xff;
  EXPECT_EQ(summarize_frame(v6), "udp [2001:db8::1]:53 > [2001:db8::2]:5353");
}

}  // namespace
}  // namespace pscope::api
