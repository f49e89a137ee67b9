// /api/v1 handlers: parse and validate input, call the facade, shape JSON. No business logic.
#include "api/routes.h"

#include <charconv>

#include "core/clock.h"

namespace pscope::api {

nlohmann::json to_json(const HealthInfo& h) {
  nlohmann::json features = nlohmann::json::array();
  for (const auto& f : h.features)
    features.push_back({{"name", f.name}, {"available", f.available}, {"detail", f.detail}});
  nlohmann::json modules = nlohmann::json::array();
  bool degraded = false;
  for (const auto& m : h.modules) {
    modules.push_back({{"name", m.name}, {"state", to_string(m.state)}, {"detail", m.detail}});
    degraded |= m.state == ModuleState::kFailed;
  }
  return {{"status", degraded ? "degraded" : "ok"},
          {"version", h.version},
          {"uptime_s", h.uptime_s},
          {"started_at", clock::iso8601(h.started_wall_ns)},
          {"features", features},
          {"modules", modules}};
}

nlohmann::json to_json(const tracer::TracerStats& s) {
  return {{"packets_rx", s.packets_rx}, {"packets_tx", s.packets_tx},     {"drops", s.drops},
          {"consumed", s.consumed},     {"ringbuf_lost", s.ringbuf_lost}, {"tc_seen", s.tc_seen},
          {"sampled_out", s.sampled_out}, {"decoded", s.decoded},   {"paths", s.paths},
          {"paths_lost", s.paths_lost},   {"paths_expired", s.paths_expired},
          {"paths_untracked", s.paths_untracked}, {"paths_rate_limited", s.paths_rate_limited},
          {"inflight", s.inflight}};
}

nlohmann::json to_json(const DropItem& d) {
  return {{"id", d.id},           {"time", clock::iso8601(d.wall_ns)}, {"reason", d.reason},
          {"location", d.location}, {"ifindex", d.ifindex},            {"netns", d.netns},
          {"protocol", d.protocol}, {"src", d.src},                    {"dst", d.dst}};
}

nlohmann::json to_json(const store::PathRow& p) {
  return {{"id", p.id},
          {"time", clock::iso8601(p.ts_ns)},
          {"direction", p.direction},
          {"protocol", p.protocol},
          {"src", p.src},
          {"dst", p.dst},
          {"sport", p.sport},
          {"dport", p.dport},
          {"length", p.length},
          {"hops", p.hops},
          {"latency_ns", p.latency_ns},
          {"dropped", p.dropped},
          {"reason", p.dropped ? nlohmann::json(p.reason) : nlohmann::json(nullptr)},
          {"comm", p.comm},
          {"tgid", p.tgid}};
}

namespace {

Response from_error(const Error& e, const char* code_for_bad_input, const char* code_otherwise, int status) {
  if (e.code == kBadInput) return Response::error(400, code_for_bad_input, e.what);
  return Response::error(status, code_otherwise, e.what);
}

void register_tracer_paths(Router& router, const Facade& facade) {
  router.add("GET", "/api/v1/tracer/packets", [&facade](const Request& req) {
    auto limit = req.q_int("limit", 50, 1, 1000);
    if (!limit) return Response::error(400, "bad_request", limit.error().what);
    auto before = req.q_int("before_id", 0, 1, INT64_MAX);
    if (!before) return Response::error(400, "bad_request", before.error().what);
    PathListQuery q;
    q.limit = static_cast<int>(*limit);
    if (req.q("before_id")) q.before_id = *before;
    q.filter = req.q("filter").value_or("");
    if (q.filter.size() > 1024) return Response::error(400, "bad_filter", "filter: longer than 1024 characters");
    if (auto s = req.q("socket")) {
      // Decimal, or hex with 0x (cookies are 64-bit; JavaScript numbers are exact only to 2^53).
      uint64_t cookie = 0;
      std::string_view v = *s;
      int base = 10;
      if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        v.remove_prefix(2);
        base = 16;
      }
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), cookie, base);
      if (v.empty() || ec != std::errc() || p != v.data() + v.size())
        return Response::error(400, "bad_request",
                               "query parameter 'socket' must be a socket cookie (decimal, or hex with 0x)");
      q.socket = cookie;
    }
    auto rows = facade.recent_paths(q);
    if (!rows) return from_error(rows.error(), "bad_filter", "storage", 500);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : *rows) items.push_back(to_json(r));
    nlohmann::json out = {{"items", items}};
    if (!rows->empty() && static_cast<int64_t>(rows->size()) == *limit) out["next_before_id"] = rows->back().id;
    return Response::ok(out);
  });

  router.add("GET", "/api/v1/tracer/packets/{id}", [&facade](const Request& req) {
    const std::string& s = req.params.at("id");
    int64_t id = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size() || id <= 0)
      return Response::error(400, "bad_request", "packet id must be a positive whole number");
    auto row = facade.path(id);
    if (!row) return Response::error(500, "storage", row.error().what);
    if (!row->has_value()) return Response::error(404, "not_found", "no packet " + s + " (retention may have removed it)");
    auto j = nlohmann::json::parse((*row)->detail, nullptr, false);
    if (j.is_discarded()) return Response::error(500, "storage", "stored packet " + s + " is unreadable");
    j["id"] = id;
    return Response::ok(j);
  });

  router.add("GET", "/api/v1/sockets", [&facade](const Request& req) {
    std::string proto = req.q("proto").value_or("");
    if (!proto.empty() && proto != "tcp" && proto != "udp" && proto != "raw")
      return Response::error(400, "bad_request", "query parameter 'proto' must be tcp, udp or raw");
    auto items = facade.sockets(proto);
    if (!items) return from_error(items.error(), "bad_request", "sockets_unavailable", 503);
    return Response::ok({{"items", *items}, {"total", items->size()}});
  });

  router.add("GET", "/api/v1/sockets/events", [&facade](const Request& req) {
    auto limit = req.q_int("limit", 100, 1, 1000);
    if (!limit) return Response::error(400, "bad_request", limit.error().what);
    auto items = facade.socket_events(static_cast<int>(*limit));
    if (!items) return Response::error(503, "tracer_unavailable", items.error().what);
    return Response::ok({{"items", *items}});
  });
}

}  // namespace

void register_routes(Router& router, const Facade& facade) {
  register_tracer_paths(router, facade);
  router.add("GET", "/api/v1/health", [&facade](const Request&) { return Response::ok(to_json(facade.health())); });

  router.add("GET", "/api/v1/config", [&facade](const Request&) { return Response::ok(facade.config()); });

  router.add("GET", "/api/v1/tracer/stats", [&facade](const Request&) {
    auto s = facade.tracer_stats();
    if (!s) return Response::error(503, "tracer_unavailable", s.error().what);
    return Response::ok(to_json(*s));
  });

  router.add("GET", "/api/v1/tracer/drops", [&facade](const Request& req) {
    auto limit = req.q_int("limit", 50, 1, 1000);
    if (!limit) return Response::error(400, "bad_request", limit.error().what);
    auto before = req.q_int("before_id", 0, 1, INT64_MAX);
    if (!before) return Response::error(400, "bad_request", before.error().what);
    std::optional<int64_t> before_id;
    if (req.q("before_id")) before_id = *before;
    auto drops = facade.recent_drops(static_cast<int>(*limit), before_id);
    if (!drops) return Response::error(500, "storage", drops.error().what);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : *drops) items.push_back(to_json(d));
    nlohmann::json out = {{"items", items}};
    if (!drops->empty() && static_cast<int64_t>(drops->size()) == *limit)
      out["next_before_id"] = drops->back().id;
    return Response::ok(out);
  });
}

}  // namespace pscope::api
