// Analyzer handlers: validate query parameters, call the facade, shape JSON. No business logic.
#include "api/routes_analyzer.h"

#include <algorithm>

#include "analyzer/prometheus.h"
#include "analyzer/snapshot_json.h"
#include "api/facade.h"
#include "core/clock.h"

namespace pscope::api {
namespace {

constexpr int64_t kDefaultRangeMs = 5 * 60 * 1000;  // series without from/to: the last 5 minutes
constexpr int64_t kMaxTop = 200;

Response unavailable(const Error& e) { return Response::error(503, "analyzer_unavailable", e.what); }

nlohmann::json points_json(const std::vector<store::AnalyzerPoint>& pts) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& p : pts) a.push_back({p.ts_ms, p.value});
  return a;
}

// Sorts a copy of the snapshot's flows: most traffic, most loss or slowest first.
Result<std::vector<analyzer::Flow>> sorted_flows(std::vector<analyzer::Flow> flows, const std::string& sort) {
  using analyzer::Flow;
  auto bytes = [](const Flow& f) { return f.rx.bps + f.tx.bps; };
  auto loss = [](const Flow& f) { return f.drops + f.retransmits; };
  if (sort == "bytes")
    std::stable_sort(flows.begin(), flows.end(), [&](const Flow& a, const Flow& b) { return bytes(a) > bytes(b); });
  else if (sort == "loss")
    std::stable_sort(flows.begin(), flows.end(), [&](const Flow& a, const Flow& b) { return loss(a) > loss(b); });
  else if (sort == "latency")
    std::stable_sort(flows.begin(), flows.end(), [](const Flow& a, const Flow& b) {
      return a.latency_avg_ns != b.latency_avg_ns ? a.latency_avg_ns > b.latency_avg_ns
                                                  : a.latency_max_ns > b.latency_max_ns;
    });
  else
    return fail("query parameter 'sort' must be bytes, loss or latency");
  return flows;
}

Response series(const AnalyzerFacade& facade, const Request& req) {
  auto metric = req.q("metric");
  if (!metric || metric->empty())
    return Response::error(400, "bad_request", "query parameter 'metric' is required (see GET /api/v1/analyzer/metrics)");
  auto to = req.q_int("to", clock::realtime_ns() / 1000000, 0, INT64_MAX / 2);
  if (!to) return Response::error(400, "bad_request", to.error().what);
  auto from = req.q_int("from", std::max<int64_t>(0, *to - kDefaultRangeMs), 0, INT64_MAX / 2);
  if (!from) return Response::error(400, "bad_request", from.error().what);
  if (*from > *to)
    return Response::error(400, "bad_request",
                           "query parameter 'from' (" + std::to_string(*from) + ") is after 'to' (" +
                               std::to_string(*to) + ")");
  SeriesQuery q{*metric, req.q("flow").value_or(""), *from, *to};
  if (q.flow.size() > 128) return Response::error(400, "bad_request", "query parameter 'flow' is longer than 128 characters");
  auto r = facade.analyzer_series(q);
  if (!r) {
    if (r.error().code == kBadInput) return Response::error(400, "bad_request", r.error().what);
    return Response::error(500, "storage", r.error().what);
  }
  return Response::ok({{"metric", q.metric}, {"resolution_s", r->resolution_s}, {"points", points_json(r->points)}});
}

Response flow_detail(const AnalyzerFacade& facade, const std::string& key) {
  auto snap = facade.analyzer_snapshot();
  if (!snap) return unavailable(snap.error());
  auto it = std::find_if(snap->flows.begin(), snap->flows.end(), [&](const analyzer::Flow& f) { return f.key == key; });
  if (it == snap->flows.end())
    return Response::error(404, "not_found", "no flow '" + key + "' among the current top flows");
  int64_t now = snap->wall_ns > 0 ? snap->wall_ns / 1000000 : clock::realtime_ns() / 1000000;
  nlohmann::json series = nlohmann::json::object();
  for (const auto& [name, metric] : {std::pair{"rx_bps", "flow.rx.bps"}, {"tx_bps", "flow.tx.bps"}, {"srtt_us", "flow.srtt_us"}}) {
    auto r = facade.analyzer_series({metric, key, now - kDefaultRangeMs, now});
    if (!r) return Response::error(500, "storage", r.error().what);
    series[name] = points_json(r->points);
  }
  return Response::ok({{"flow", analyzer::to_json(*it)}, {"series", series}});
}

}  // namespace

void register_analyzer_routes(Router& router, const AnalyzerFacade& facade) {
  router.add("GET", "/api/v1/analyzer/snapshot", [&facade](const Request& req) {
    auto top = req.q_int("top", 20, 0, kMaxTop);
    if (!top) return Response::error(400, "bad_request", top.error().what);
    auto buckets = req.q_int("buckets", 0, 0, 1);
    if (!buckets) return Response::error(400, "bad_request", buckets.error().what);
    auto s = facade.analyzer_snapshot();
    if (!s) return unavailable(s.error());
    return Response::ok(analyzer::to_json(*s, {static_cast<size_t>(*top), *buckets == 1}));
  });

  router.add("GET", "/api/v1/analyzer/series", [&facade](const Request& req) { return series(facade, req); });

  router.add("GET", "/api/v1/analyzer/metrics", [&facade](const Request&) {
    auto m = facade.analyzer_metrics();
    if (!m) return Response::error(500, "storage", m.error().what);
    return Response::ok({{"items", *m}});
  });

  router.add("GET", "/api/v1/analyzer/flows", [&facade](const Request& req) {
    auto limit = req.q_int("limit", 50, 1, kMaxTop);
    if (!limit) return Response::error(400, "bad_request", limit.error().what);
    auto s = facade.analyzer_snapshot();
    if (!s) return unavailable(s.error());
    auto flows = sorted_flows(std::move(s->flows), req.q("sort").value_or("bytes"));
    if (!flows) return Response::error(400, "bad_request", flows.error().what);
    nlohmann::json items = nlohmann::json::array();
    for (size_t i = 0; i < flows->size() && static_cast<int64_t>(i) < *limit; ++i)
      items.push_back(analyzer::to_json((*flows)[i]));
    return Response::ok({{"items", items}});
  });

  // Flow keys hold two '/' ("<netns>/<proto>/<ends>"); the server decodes %2F before routing,
  // so the key arrives as three path segments.
  router.add("GET", "/api/v1/analyzer/flows/{netns}/{proto}/{ends}", [&facade](const Request& req) {
    return flow_detail(facade, req.params.at("netns") + "/" + req.params.at("proto") + "/" + req.params.at("ends"));
  });
  router.add("GET", "/api/v1/analyzer/flows/{key}", [](const Request& req) {
    return Response::error(404, "not_found",
                           "no flow '" + req.params.at("key") + "': keys look like <netns>/<proto>/<local>-<remote>");
  });

  router.add("GET", "/metrics", [&facade](const Request&) {
    auto text = facade.prometheus_text();
    if (!text) return unavailable(text.error());
    Response r;
    r.content_type = analyzer::kPrometheusContentType;
    r.body = std::move(*text);
    return r;
  });
}

}  // namespace pscope::api
