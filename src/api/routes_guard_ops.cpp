// Guarder routes besides rule CRUD: dry-run, stats, counters, flows, log, audit, interfaces.
#include <algorithm>

#include "api/guard_json.h"
#include "api/routes_guard.h"
#include "core/clock.h"

namespace pscope::api::guard_http {
namespace {

constexpr int64_t kMaxFlows = 5000;
constexpr int64_t kMaxLog = 1000;
constexpr size_t kMaxQueryText = 256;

Response dry_run(const GuardFacade& facade, const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  for (auto it = body->begin(); it != body->end(); ++it)
    if (it.key() != "rule" && it.key() != "minutes")
      return bad_request("unknown key '" + it.key() + "': a dry-run has rule and minutes");
  int64_t minutes = 10;
  if (auto m = body->find("minutes"); m != body->end()) {
    if (!m->is_number_integer() || m->get<int64_t>() < 1 || m->get<int64_t>() > 1440)
      return bad_request("'minutes' must be a whole number from 1 to 1440");
    minutes = m->get<int64_t>();
  }
  auto rj = body->find("rule");
  if (rj == body->end()) return bad_request("'rule' is required: the rule to try");
  auto rule = parse(*rj, false, "rule.");
  if (!rule) return error({GuardErrc::kBadRule, "the rule is not valid; see fields", rule.error()});
  auto r = facade.dry_run(*rule, static_cast<int>(minutes));
  if (!r) return error(r.error());
  return Response::ok(dry_run_json(*r));
}

Response flows(const GuardFacade& facade, const Request& req) {
  auto limit = req.q_int("limit", 100, 1, kMaxFlows);
  if (!limit) return bad_request(limit.error().what);
  std::string q = req.q("q").value_or("");
  if (q.size() > kMaxQueryText) return bad_request("query parameter 'q' is longer than 256 characters");
  // With a search the whole table is read, so the limit applies to what matches.
  auto fl = facade.flows(static_cast<size_t>(q.empty() ? *limit : kMaxFlows));
  if (!fl) return error(fl.error());
  IfnameOf ifname_of = [&facade](uint32_t i) { return facade.ifname_of(i); };
  nlohmann::json items = nlohmann::json::array();
  for (const auto& f : *fl) {
    if (static_cast<int64_t>(items.size()) >= *limit) break;
    if (!q.empty() && flow_summary(f, ifname_of(f.ifindex)).find(q) == std::string::npos) continue;
    items.push_back(flow_json(f, ifname_of));
  }
  return Response::ok({{"items", items}});
}

Response audit(const GuardFacade& facade, const Request& req) {
  auto limit = req.q_int("limit", 100, 1, 1000);
  if (!limit) return bad_request(limit.error().what);
  auto before = req.q_int("before_id", 0, 1, INT64_MAX);
  if (!before) return bad_request(before.error().what);
  std::optional<int64_t> before_id;
  if (req.q("before_id")) before_id = *before;
  auto entries = facade.audit(*limit, before_id);
  if (!entries) return error(entries.error());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : *entries) items.push_back(audit_json(e));
  nlohmann::json out = {{"items", items}};
  if (static_cast<int64_t>(entries->size()) == *limit && !entries->empty()) out["next_before_id"] = entries->back().id;
  return Response::ok(out);
}

Response attach(GuardFacade& facade, const Request& req) {
  auto body = body_object(req);
  if (!body) return body.error();
  for (auto it = body->begin(); it != body->end(); ++it)
    if (it.key() != "ifname" && it.key() != "mode")
      return bad_request("unknown key '" + it.key() + "': an attachment has ifname and mode");
  auto name = body->find("ifname");
  if (name == body->end() || !name->is_string() || name->get<std::string>().empty() ||
      name->get<std::string>().size() > 15)
    return bad_request("'ifname' must be an interface name of 1 to 15 bytes");
  std::optional<guarder::XdpMode> mode;
  if (auto m = body->find("mode"); m != body->end()) {
    if (*m == "native") mode = guarder::XdpMode::kNative;
    else if (*m == "generic") mode = guarder::XdpMode::kGeneric;
    else if (*m != "auto") return bad_request("'mode' must be auto, native or generic");
  }
  auto a = facade.attach(name->get<std::string>(), mode, actor_of(req, false));
  if (!a) return error(a.error());
  return Response::ok(to_json(*a));
}

Response no_content() { return Response{204, "application/json", "", {}}; }

}  // namespace

void register_ops_routes(Router& router, GuardFacade& facade) {
  const std::string base = "/api/v1/guard";
  router.add("POST", base + "/dry-run", [&facade](const Request& req) { return dry_run(facade, req); });
  router.add("GET", base + "/stats", [&facade](const Request&) {
    auto s = facade.stats();
    if (!s) return error(s.error());
    return Response::ok(stats_json(*s));
  });
  router.add("GET", base + "/counters", [&facade](const Request&) {
    auto c = facade.counters();
    if (!c) return error(c.error());
    return Response::ok(counters_json(*c, clock::realtime_ns()));
  });
  router.add("GET", base + "/flows", [&facade](const Request& req) { return flows(facade, req); });
  router.add("GET", base + "/log", [&facade](const Request& req) {
    auto limit = req.q_int("limit", 100, 1, kMaxLog);
    if (!limit) return bad_request(limit.error().what);
    auto s = facade.log_samples(static_cast<size_t>(*limit));
    if (!s) return error(s.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& x : *s) items.push_back(log_json(x));
    return Response::ok({{"items", items}});
  });
  router.add("GET", base + "/audit", [&facade](const Request& req) { return audit(facade, req); });
  router.add("GET", base + "/interfaces", [&facade](const Request&) {
    auto a = facade.interfaces();
    if (!a) return error(a.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& x : *a) items.push_back(to_json(x));
    return Response::ok({{"items", items}});
  });
  router.add("POST", base + "/interfaces", [&facade](const Request& req) { return attach(facade, req); });
  // Without a name: detach everywhere and remove all pinned state (`packetscope guard detach`).
  router.add("DELETE", base + "/interfaces", [&facade](const Request& req) {
    auto r = facade.remove_all(actor_of(req, false));
    if (!r) return error(r.error());
    return no_content();
  });
  router.add("DELETE", base + "/interfaces/{ifname}", [&facade](const Request& req) {
    const auto& name = req.params.at("ifname");
    if (name.size() > 15) return bad_request("an interface name has at most 15 bytes");
    auto r = facade.detach(name, actor_of(req, false));
    if (!r) return error(r.error());
    return no_content();
  });
}

}  // namespace pscope::api::guard_http
