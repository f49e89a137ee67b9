// /api/v1 handlers: parse and validate input, call the facade, shape JSON. No business logic.
#include "api/routes.h"

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
          {"sampled_out", s.sampled_out}, {"decoded", s.decoded}};
}

nlohmann::json to_json(const DropItem& d) {
  return {{"id", d.id},           {"time", clock::iso8601(d.wall_ns)}, {"reason", d.reason},
          {"location", d.location}, {"ifindex", d.ifindex},            {"netns", d.netns},
          {"protocol", d.protocol}, {"src", d.src},                    {"dst", d.dst}};
}

void register_routes(Router& router, const Facade& facade) {
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
