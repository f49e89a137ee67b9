// Snapshot -> JSON (see snapshot_json.h and docs/analyzer.md). Field names are the C++ names.
#include "analyzer/snapshot_json.h"

#include <algorithm>

namespace pscope::analyzer {
namespace {

using nlohmann::json;

json layer_map(const std::array<uint64_t, kLayers>& v) {
  json j = json::object();
  for (int l = 0; l < kLayers; ++l) j[to_string(static_cast<Layer>(l))] = v[l];
  return j;
}

json layer_map(const std::array<double, kLayers>& v) {
  json j = json::object();
  for (int l = 0; l < kLayers; ++l) j[to_string(static_cast<Layer>(l))] = v[l];
  return j;
}

json to_json(const LayerPair& p, bool buckets) {
  return {{"dir", to_string(p.dir)},
          {"from", to_string(p.from)},
          {"to", to_string(p.to)},
          {"latency", to_json(p.latency, buckets)},
          {"transitions", p.transitions},
          {"transitions_per_s", p.transitions_per_s}};
}

json to_json(const Loss& l) {
  json reasons = json::array();
  for (const auto& r : l.by_reason)
    reasons.push_back({{"reason", r.reason}, {"layer", to_string(r.layer)}, {"count", r.count}, {"per_s", r.per_s}});
  return {{"drops", l.drops},
          {"drops_per_s", l.drops_per_s},
          {"drop_ratio", l.drop_ratio},
          {"by_layer", layer_map(l.by_layer)},
          {"ratio_by_layer", layer_map(l.ratio_by_layer)},
          {"by_reason", reasons}};
}

json to_json(const TcpEvents& t) {
  return {{"retransmits", t.retransmits},
          {"rst_sent", t.rst_sent},
          {"rst_received", t.rst_received},
          {"bad_csum", t.bad_csum},
          {"retransmits_per_s", t.retransmits_per_s},
          {"rst_sent_per_s", t.rst_sent_per_s},
          {"rst_received_per_s", t.rst_received_per_s}};
}

template <class T, class Fn>
json array_of(const std::vector<T>& v, Fn fn) {
  json a = json::array();
  for (const auto& x : v) a.push_back(fn(x));
  return a;
}

}  // namespace

json to_json(const Volume& v) {
  return {{"packets", v.packets}, {"bytes", v.bytes}, {"pps", v.pps}, {"bps", v.bps}};
}

json to_json(const Latency& l, bool buckets) {
  json j = {{"count", l.count},   {"total_count", l.total_count}, {"p50_ns", l.p50_ns},
            {"p90_ns", l.p90_ns}, {"p99_ns", l.p99_ns},           {"max_ns", l.max_ns}};
  if (buckets) j["buckets"] = l.buckets;
  return j;
}

json to_json(const Flow& f) {
  return {{"key", f.key},
          {"netns", f.netns},
          {"family", f.family},
          {"protocol", f.protocol},
          {"local", f.local},
          {"lport", f.lport},
          {"remote", f.remote},
          {"rport", f.rport},
          {"rx", to_json(f.rx)},
          {"tx", to_json(f.tx)},
          {"drops", f.drops},
          {"retransmits", f.retransmits},
          {"rst_sent", f.rst_sent},
          {"rst_received", f.rst_received},
          {"srtt_us", f.srtt_us},
          {"cwnd", f.cwnd},
          {"latency_avg_ns", f.latency_avg_ns},
          {"latency_max_ns", f.latency_max_ns},
          {"pid", f.pid},
          {"comm", f.comm},
          {"cookie", f.cookie},
          {"first_seen_ns", f.first_seen_ns},
          {"last_seen_ns", f.last_seen_ns},
          {"rx_payload_bytes", f.rx_payload_bytes},
          {"tx_payload_bytes", f.tx_payload_bytes},
          {"socket_rx", to_json(f.socket_rx)},
          {"socket_tx", to_json(f.socket_tx)},
          {"ooo_packets", f.ooo_packets},
          {"sacked_out", f.sacked_out}};
}

json to_json(const Snapshot& s, const JsonOptions& opts) {
  json volume = json::object();
  for (int l = 0; l < kLayers; ++l)
    volume[to_string(static_cast<Layer>(l))] = {{"rx", to_json(s.volume[l][0])}, {"tx", to_json(s.volume[l][1])}};

  json flows = json::array();
  size_t n = std::min(opts.top_flows, s.flows.size());
  for (size_t i = 0; i < n; ++i) flows.push_back(to_json(s.flows[i]));

  return {{"wall_ns", s.wall_ns},
          {"interval_s", s.interval_s},
          {"latency_sample", s.latency_sample},
          {"volume", volume},
          {"pairs", array_of(s.pairs, [&](const LayerPair& p) { return to_json(p, opts.buckets); })},
          {"loss", to_json(s.loss)},
          {"tcp", to_json(s.tcp)},
          {"flows", flows},
          {"interfaces", array_of(s.interfaces,
                                  [](const Interface& i) {
                                    return json{{"ifindex", i.ifindex}, {"netns", i.netns}, {"name", i.name},
                                                {"rx", to_json(i.rx)},  {"tx", to_json(i.tx)}, {"drops", i.drops}};
                                  })},
          {"namespaces", array_of(s.namespaces,
                                  [](const Namespace& ns) {
                                    return json{{"netns", ns.netns}, {"rx", to_json(ns.rx)}, {"tx", to_json(ns.tx)},
                                                {"drops", ns.drops}};
                                  })},
          {"processes", array_of(s.processes,
                                 [](const Process& p) {
                                   return json{{"pid", p.pid}, {"comm", p.comm}, {"rx", to_json(p.rx)},
                                               {"tx", to_json(p.tx)}, {"flows", p.flows}};
                                 })},
          {"maps", array_of(s.maps, [](const MapPressure& m) {
             return json{{"map", m.map}, {"entries", m.entries}, {"capacity", m.capacity},
                         {"evictions_or_failures", m.evictions_or_failures}};
           })}};
}

}  // namespace pscope::analyzer
