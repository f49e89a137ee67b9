// Guarder rule routes: CRUD, bulk, import and export (docs/guarder.md "API").
#include "api/routes_guard.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "api/guard_json.h"
#include "core/clock.h"

namespace pscope::api {
namespace guard_http {

Response error(const GuardError& e) {
  struct Map {
    int status;
    const char* code;
  };
  static const std::map<GuardErrc, Map> kMap = {
      {GuardErrc::kBadRule, {400, "bad_rule"}},          {GuardErrc::kBadRequest, {400, "bad_request"}},
      {GuardErrc::kNotFound, {404, "not_found"}},        {GuardErrc::kUnsafe, {409, "unsafe_rule"}},
      {GuardErrc::kLimit, {409, "rule_limit"}},          {GuardErrc::kApplyFailed, {409, "apply_failed"}},
      {GuardErrc::kAttachFailed, {409, "attach_failed"}},
      {GuardErrc::kUnavailable, {503, "guard_unavailable"}}, {GuardErrc::kInternal, {500, "storage"}}};
  auto m = kMap.at(e.kind);
  nlohmann::json err = {{"code", m.code}, {"message", e.message}};
  if (e.kind == GuardErrc::kBadRule || e.kind == GuardErrc::kUnsafe || !e.fields.empty())
    err["fields"] = field_errors_json(e.fields);
  return Response::json(m.status, {{"error", err}});
}

Response bad_request(const std::string& message) { return Response::error(400, "bad_request", message); }

tl::expected<nlohmann::json, Response> body_object(const Request& req) {
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return tl::unexpected(bad_request("the request body is not valid JSON"));
  if (!j.is_object()) return tl::unexpected(bad_request("the request body must be a JSON object"));
  return j;
}

tl::expected<bool, Response> take_force(nlohmann::json& body) {
  auto it = body.find("force");
  if (it == body.end()) return false;
  if (!it->is_boolean()) return tl::unexpected(bad_request("'force' must be true or false"));
  bool f = it->get<bool>();
  body.erase(it);
  return f;
}

GuardActor actor_of(const Request& req, bool force) {
  GuardActor a;
  a.force = force;
  auto ua = req.headers.find("user-agent");
  bool cli = ua != req.headers.end() && ua->second.rfind("packetscope-cli", 0) == 0;
  a.name = std::string(cli ? "cli:" : "api:") + (req.remote_addr.empty() ? "unknown" : req.remote_addr);
  guarder::Cidr c;
  if (inet_pton(AF_INET, req.remote_addr.c_str(), c.addr.data()) == 1) {
    c.family = 4;
    c.prefix = 32;
    a.caller = c;
  } else if (inet_pton(AF_INET6, req.remote_addr.c_str(), c.addr.data()) == 1) {
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(std::begin(kMapped), std::end(kMapped), c.addr.begin())) {  // ::ffff:a.b.c.d
      std::copy(c.addr.begin() + 12, c.addr.end(), c.addr.begin());
      std::fill(c.addr.begin() + 4, c.addr.end(), 0);
      c.family = 4;
      c.prefix = 32;
    } else {
      c.family = 6;
      c.prefix = 128;
    }
    a.caller = c;
  }
  return a;
}

tl::expected<guarder::Rule, std::vector<guarder::FieldError>> parse(const nlohmann::json& j, bool output_fields,
                                                                      const std::string& prefix) {
  if (!j.is_object()) {
    std::string at = prefix.empty() ? "rule" : prefix.substr(0, prefix.size() - 1);
    return tl::unexpected(std::vector<guarder::FieldError>{{at, "a rule must be a JSON object"}});
  }
  auto r = guarder::parse_rule(j, {clock::realtime_ns(), output_fields});
  if (r.errors.empty() && r.rule) return std::move(*r.rule);
  for (auto& e : r.errors) e.field = prefix + e.field;
  if (r.errors.empty()) r.errors.push_back({prefix.empty() ? "rule" : prefix, "the rule was refused"});
  return tl::unexpected(std::move(r.errors));
}

}  // namespace guard_http

namespace {

using namespace guard_http;

constexpr size_t kMaxQueryText = 256;
constexpr size_t kMaxBulkIds = 131072;  // PS_GUARD_MAX_RULES: no request can name more rules

std::optional<uint32_t> parse_id(const std::string& s) {
  uint32_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id == 0) return std::nullopt;
  return id;
}

Response no_rule(const std::string& id) { return Response::error(404, "not_found", "no guard rule " + id); }

Response list(const GuardFacade& facade, const Request& req) {
  GuardListQuery q;
  if (auto o = req.q("origin"); o && !o->empty()) {
    static const std::map<std::string, guarder::Origin> kOrigins = {{"user", guarder::Origin::kUser},
                                                                   {"detector", guarder::Origin::kDetector},
                                                                   {"analyst", guarder::Origin::kAnalyst},
                                                                   {"llm", guarder::Origin::kLlm}};
    auto it = kOrigins.find(*o);
    if (it == kOrigins.end()) return bad_request("query parameter 'origin' must be user, detector, analyst or llm");
    q.origin = it->second;
  }
  if (auto e = req.q("enabled"); e && !e->empty()) {
    if (*e != "true" && *e != "false") return bad_request("query parameter 'enabled' must be true or false");
    q.enabled = *e == "true";
  }
  q.text = req.q("q").value_or("");
  if (q.text.size() > kMaxQueryText) return bad_request("query parameter 'q' is longer than 256 characters");
  auto offset = req.q_int("offset", 0, 0, kMaxBulkIds);
  if (!offset) return bad_request(offset.error().what);
  auto limit = req.q_int("limit", kMaxBulkIds, 1, kMaxBulkIds);
  if (!limit) return bad_request(limit.error().what);
  auto rules = facade.list_rules(q);
  if (!rules) return error(rules.error());
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = static_cast<size_t>(*offset); i < rules->size() && items.size() < static_cast<size_t>(*limit); ++i)
    items.push_back(rule_view_json((*rules)[i]));
  return Response::ok({{"items", items}, {"total", rules->size()}});
}

Response add(GuardFacade& facade, const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  auto force = take_force(*body);
  if (!force) return force.error();
  auto rule = parse(*body, false, "");
  if (!rule) return error({GuardErrc::kBadRule, "the rule is not valid; see fields", rule.error()});
  auto who = actor_of(req, *force);
  rule->created_by = who.name;
  auto stored = facade.add_rule(std::move(*rule), who);
  if (!stored) return error(stored.error());
  return Response::json(201, rule_view_json(*stored));
}

Response patch(GuardFacade& facade, const Request& req) {
  auto id = parse_id(req.params.at("id"));
  if (!id) return no_rule(req.params.at("id"));
  auto body = body_object(req);
  if (!body) return body.error();
  auto force = take_force(*body);
  if (!force) return force.error();
  auto r = facade.patch_rule(*id, *body, actor_of(req, *force));
  if (!r) return error(r.error());
  return Response::ok(rule_view_json(*r));
}

// {op, ids, force}: ids are positive whole numbers, at most kMaxBulkIds, duplicates counted once.
Response bulk(GuardFacade& facade, const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  auto force = take_force(*body);  // enabling a rule runs the safety check
  if (!force) return force.error();
  for (auto it = body->begin(); it != body->end(); ++it)
    if (it.key() != "op" && it.key() != "ids")
      return bad_request("unknown key '" + it.key() + "': a bulk request has op, ids and force");
  static const std::map<std::string, BulkOp> kOps = {
      {"enable", BulkOp::kEnable}, {"disable", BulkOp::kDisable}, {"delete", BulkOp::kDelete}};
  auto op = body->find("op");
  if (op == body->end() || !op->is_string() || !kOps.count(op->get<std::string>()))
    return bad_request("'op' must be enable, disable or delete");
  auto ids_j = body->find("ids");
  if (ids_j == body->end() || !ids_j->is_array() || ids_j->empty())
    return bad_request("'ids' must be a non-empty array of rule ids");
  if (ids_j->size() > kMaxBulkIds) return bad_request("'ids' names more than 131072 rules");
  std::set<uint32_t> ids;
  for (const auto& v : *ids_j) {
    if (!v.is_number_unsigned() || v.get<uint64_t>() == 0 || v.get<uint64_t>() > UINT32_MAX)
      return bad_request("'ids' must hold rule ids (whole numbers from 1)");
    ids.insert(v.get<uint32_t>());
  }
  auto n = facade.bulk(kOps.at(op->get<std::string>()), {ids.begin(), ids.end()}, actor_of(req, *force));
  if (!n) return error(n.error());
  return Response::ok({{"changed", *n}});
}

// {rules, mode, force}; an export's own keys (version, exported_at) are accepted so an export
// imports back unchanged.
Response import(GuardFacade& facade, const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  auto force = take_force(*body);
  if (!force) return force.error();
  static const std::set<std::string> kKeys = {"rules", "mode", "version", "exported_at"};
  for (auto it = body->begin(); it != body->end(); ++it)
    if (!kKeys.count(it.key()))
      return bad_request("unknown key '" + it.key() + "': an import has rules, mode and force");
  if (auto v = body->find("version"); v != body->end() && *v != 1)
    return bad_request("'version' " + v->dump() + " is not supported; this daemon reads version 1");
  std::string mode = "merge";
  if (auto m = body->find("mode"); m != body->end()) {
    if (!m->is_string() || (*m != "merge" && *m != "replace")) return bad_request("'mode' must be merge or replace");
    mode = m->get<std::string>();
  }
  auto rules_j = body->find("rules");
  if (rules_j == body->end() || !rules_j->is_array()) return bad_request("'rules' must be an array of rules");
  if (rules_j->size() > kMaxBulkIds) return bad_request("'rules' holds more than 131072 rules");
  std::vector<guarder::Rule> rules;
  std::vector<guarder::FieldError> errors;
  auto who = actor_of(req, *force);
  for (size_t i = 0; i < rules_j->size(); ++i) {
    auto r = parse((*rules_j)[i], true, "rules[" + std::to_string(i) + "].");
    if (!r) {
      errors.insert(errors.end(), r.error().begin(), r.error().end());
      if (errors.size() >= 100) break;  // enough to act on; the answer stays small
      continue;
    }
    if (r->created_by.empty()) r->created_by = who.name;
    rules.push_back(std::move(*r));
  }
  if (!errors.empty())
    return error({GuardErrc::kBadRule, "the import was refused: " + std::to_string(errors.size()) +
                                           " problem(s); nothing was changed", errors});
  auto res = facade.import_rules(std::move(rules), mode == "replace", who);
  if (!res) return error(res.error());
  return Response::ok({{"imported", res->imported}, {"replaced", res->replaced}});
}

Response export_rules(const GuardFacade& facade) {
  auto rules = facade.list_rules({});
  if (!rules) return error(rules.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& v : *rules) items.push_back(rule_view_json(v));
  return Response::ok({{"version", 1}, {"exported_at", clock::iso8601(clock::realtime_ns())}, {"rules", items}});
}

}  // namespace

void register_guard_routes(Router& router, GuardFacade& facade) {
  const std::string rules = "/api/v1/guard/rules";
  router.add("GET", rules, [&facade](const Request& req) { return list(facade, req); });
  router.add("POST", rules, [&facade](const Request& req) { return add(facade, req); });
  // Literal segments before {id}: the router takes the first route that matches.
  router.add("POST", rules + "/bulk", [&facade](const Request& req) { return bulk(facade, req); });
  router.add("POST", rules + "/import", [&facade](const Request& req) { return import(facade, req); });
  router.add("GET", rules + "/export", [&facade](const Request&) { return export_rules(facade); });
  router.add("GET", rules + "/{id}", [&facade](const Request& req) {
    auto id = parse_id(req.params.at("id"));
    if (!id) return no_rule(req.params.at("id"));
    auto r = facade.get_rule(*id);
    if (!r) return error(r.error());
    return Response::ok(rule_view_json(*r));
  });
  router.add("PATCH", rules + "/{id}", [&facade](const Request& req) { return patch(facade, req); });
  router.add("DELETE", rules + "/{id}", [&facade](const Request& req) {
    auto id = parse_id(req.params.at("id"));
    if (!id) return no_rule(req.params.at("id"));
    auto r = facade.delete_rule(*id, actor_of(req, false));
    if (!r) return error(r.error());
    return Response{204, "application/json", "", {}};
  });
  register_ops_routes(router, facade);
}

}  // namespace pscope::api
