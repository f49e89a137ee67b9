// Prometheus text exposition of a Snapshot (see prometheus.h).
#include "analyzer/prometheus.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace pscope::analyzer {
namespace {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Appends families in order; each family's samples must follow its HELP and TYPE lines.
class Writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  }
  template <class T>
  void sample(std::string_view name, Labels labels, T value, std::string_view le = {}) {
    out_ += name;
    if (labels.size() != 0 || !le.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", first ? "" : ",", k, prometheus_escape(v));
        first = false;
      }
      if (!le.empty()) fmt::format_to(std::back_inserter(out_), "{}le=\"{}\"", first ? "" : ",", le);
      out_ += '}';
    }
    out_ += ' ';
    append_value(value);
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  void append_value(double v) {
    if (std::isnan(v)) out_ += "NaN";
    else if (std::isinf(v)) out_ += v > 0 ? "+Inf" : "-Inf";
    else fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  void append_value(uint64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
  void append_value(uint32_t v) { append_value(static_cast<uint64_t>(v)); }
  std::string out_;
};

const char* layer(int l) { return to_string(static_cast<Layer>(l)); }
const char* dir(int d) { return to_string(static_cast<Dir>(d)); }

void write_volume(Writer& w, const Snapshot& s) {
  w.family("packetscope_layer_packets_total", "counter",
           "Packets seen at each stack layer since the analyzer started (wire packets: GSO segments counted)");
  for (int l = 0; l < kLayers; ++l)
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_layer_packets_total", {{"layer", layer(l)}, {"dir", dir(d)}}, s.volume[l][d].packets);
  w.family("packetscope_layer_bytes_total", "counter", "Bytes seen at each stack layer since the analyzer started");
  for (int l = 0; l < kLayers; ++l)
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_layer_bytes_total", {{"layer", layer(l)}, {"dir", dir(d)}}, s.volume[l][d].bytes);
}

void write_transitions(Writer& w, const Snapshot& s) {
  w.family("packetscope_layer_transitions_total", "counter",
           "Packets that crossed from one layer to the next (timed ones: 1 in latency_sample)");
  for (const auto& p : s.pairs)
    w.sample("packetscope_layer_transitions_total",
             {{"dir", to_string(p.dir)}, {"from", to_string(p.from)}, {"to", to_string(p.to)}}, p.transitions);
}

void write_loss(Writer& w, const Snapshot& s, size_t max_reasons) {
  w.family("packetscope_drops_total", "counter", "Packets dropped by the kernel, by drop reason, since start");
  size_t n = std::min(max_reasons, s.loss.by_reason.size());
  for (size_t i = 0; i < n; ++i) {
    const auto& r = s.loss.by_reason[i];
    w.sample("packetscope_drops_total", {{"reason", r.reason}, {"layer", to_string(r.layer)}}, r.count);
  }
  w.family("packetscope_layer_drops_total", "counter", "Packets dropped at each layer since start");
  for (int l = 0; l < kLayers; ++l) w.sample("packetscope_layer_drops_total", {{"layer", layer(l)}}, s.loss.by_layer[l]);
  w.family("packetscope_tcp_events_total", "counter", "TCP retransmits, resets sent and received, bad checksums");
  const std::pair<const char*, uint64_t> events[] = {{"retransmit", s.tcp.retransmits},
                                                     {"rst_sent", s.tcp.rst_sent},
                                                     {"rst_received", s.tcp.rst_received},
                                                     {"bad_csum", s.tcp.bad_csum}};
  for (const auto& [name, v] : events) w.sample("packetscope_tcp_events_total", {{"event", name}}, v);
}

void write_interfaces(Writer& w, const Snapshot& s, size_t max_ifaces, size_t max_ns) {
  size_t ni = std::min(max_ifaces, s.interfaces.size());
  std::vector<std::pair<std::string, std::string>> ids;  // ifindex, netns as text (labels borrow views)
  for (size_t i = 0; i < ni; ++i)
    ids.emplace_back(std::to_string(s.interfaces[i].ifindex), std::to_string(s.interfaces[i].netns));
  w.family("packetscope_interface_packets_total", "counter", "Packets per network interface since start");
  for (size_t i = 0; i < ni; ++i)
    for (int d = 0; d < kDirs; ++d) {
      const auto& f = s.interfaces[i];
      w.sample("packetscope_interface_packets_total",
               {{"ifindex", ids[i].first}, {"netns", ids[i].second}, {"name", f.name}, {"dir", dir(d)}},
               d == 0 ? f.rx.packets : f.tx.packets);
    }
  w.family("packetscope_interface_bytes_total", "counter", "Bytes per network interface since start");
  for (size_t i = 0; i < ni; ++i)
    for (int d = 0; d < kDirs; ++d) {
      const auto& f = s.interfaces[i];
      w.sample("packetscope_interface_bytes_total",
               {{"ifindex", ids[i].first}, {"netns", ids[i].second}, {"name", f.name}, {"dir", dir(d)}},
               d == 0 ? f.rx.bytes : f.tx.bytes);
    }
  w.family("packetscope_interface_drops_total", "counter", "Drops per network interface since start");
  for (size_t i = 0; i < ni; ++i)
    w.sample("packetscope_interface_drops_total",
             {{"ifindex", ids[i].first}, {"netns", ids[i].second}, {"name", s.interfaces[i].name}},
             s.interfaces[i].drops);

  size_t nn = std::min(max_ns, s.namespaces.size());
  std::vector<std::string> ns;
  for (size_t i = 0; i < nn; ++i) ns.push_back(std::to_string(s.namespaces[i].netns));
  w.family("packetscope_netns_packets_total", "counter", "Packets per network namespace since start");
  for (size_t i = 0; i < nn; ++i)
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_netns_packets_total", {{"netns", ns[i]}, {"dir", dir(d)}},
               d == 0 ? s.namespaces[i].rx.packets : s.namespaces[i].tx.packets);
  w.family("packetscope_netns_bytes_total", "counter", "Bytes per network namespace since start");
  for (size_t i = 0; i < nn; ++i)
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_netns_bytes_total", {{"netns", ns[i]}, {"dir", dir(d)}},
               d == 0 ? s.namespaces[i].rx.bytes : s.namespaces[i].tx.bytes);
  w.family("packetscope_netns_drops_total", "counter", "Drops per network namespace since start");
  for (size_t i = 0; i < nn; ++i) w.sample("packetscope_netns_drops_total", {{"netns", ns[i]}}, s.namespaces[i].drops);
}

void write_maps(Writer& w, const Snapshot& s) {
  w.family("packetscope_map_entries", "gauge", "Entries in use in each analyzer kernel map");
  for (const auto& m : s.maps) w.sample("packetscope_map_entries", {{"map", m.map}}, m.entries);
  w.family("packetscope_map_capacity", "gauge", "Capacity of each analyzer kernel map");
  for (const auto& m : s.maps) w.sample("packetscope_map_capacity", {{"map", m.map}}, m.capacity);
  w.family("packetscope_map_failures_total", "counter",
           "Inserts into each analyzer kernel map that failed or evicted an entry, since start");
  for (const auto& m : s.maps) w.sample("packetscope_map_failures_total", {{"map", m.map}}, m.evictions_or_failures);
}

void write_flows(Writer& w, const Snapshot& s, size_t max_flows) {
  size_t n = std::min(max_flows, s.flows.size());
  w.family("packetscope_flow_bytes_per_second", "gauge",
           "Top flows (at most " + std::to_string(max_flows) + ", by bytes): bytes per second, last interval");
  for (size_t i = 0; i < n; ++i) {
    const auto& f = s.flows[i];
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_flow_bytes_per_second",
               {{"flow", f.key}, {"protocol", f.protocol}, {"comm", f.comm}, {"dir", dir(d)}},
               (d == 0 ? f.rx.bps : f.tx.bps) / 8.0);
  }
  w.family("packetscope_flow_packets_per_second", "gauge", "Top flows: packets per second, last interval");
  for (size_t i = 0; i < n; ++i) {
    const auto& f = s.flows[i];
    for (int d = 0; d < kDirs; ++d)
      w.sample("packetscope_flow_packets_per_second",
               {{"flow", f.key}, {"protocol", f.protocol}, {"comm", f.comm}, {"dir", dir(d)}},
               d == 0 ? f.rx.pps : f.tx.pps);
  }
  w.family("packetscope_flow_srtt_seconds", "gauge", "Top TCP flows: smoothed round-trip time");
  for (size_t i = 0; i < n; ++i)
    if (s.flows[i].protocol == "tcp")
      w.sample("packetscope_flow_srtt_seconds", {{"flow", s.flows[i].key}}, s.flows[i].srtt_us / 1e6);
  w.family("packetscope_flow_cwnd_segments", "gauge", "Top TCP flows: congestion window");
  for (size_t i = 0; i < n; ++i)
    if (s.flows[i].protocol == "tcp")
      w.sample("packetscope_flow_cwnd_segments", {{"flow", s.flows[i].key}}, s.flows[i].cwnd);
  w.family("packetscope_flow_retransmits", "gauge", "Top TCP flows: retransmits since the flow was first seen");
  for (size_t i = 0; i < n; ++i)
    if (s.flows[i].protocol == "tcp")
      w.sample("packetscope_flow_retransmits", {{"flow", s.flows[i].key}}, s.flows[i].retransmits);
}

}  // namespace

std::string prometheus_escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else if (u < 0x20 || u >= 0x7f) out += '?';  // label values must be UTF-8; kernel names are bytes
    else out += c;
  }
  return out;
}

void PrometheusExporter::observe(const Snapshot& s) {
  std::lock_guard lk(mu_);
  if (s.wall_ns == last_wall_ns_) return;
  last_wall_ns_ = s.wall_ns;
  for (const auto& p : s.pairs) {
    auto& h = hists_[{static_cast<int>(p.dir), static_cast<int>(p.from), static_cast<int>(p.to)}];
    for (size_t i = 0; i < h.buckets.size(); ++i) {
      uint64_t c = p.latency.buckets[i];
      if (c == 0) continue;
      h.buckets[i] += c;
      h.count += c;
      // Bucket i holds [2^i, 2^(i+1)) ns: its midpoint is 1.5 * 2^i (bucket 0 also holds 0).
      double mid_ns = i == 0 ? 0.5 : 1.5 * std::ldexp(1.0, static_cast<int>(i));
      h.sum_s += static_cast<double>(c) * mid_ns / 1e9;
    }
  }
}

std::string PrometheusExporter::render(const Snapshot& s) const {
  Writer w;
  write_volume(w, s);
  {
    std::lock_guard lk(mu_);
    const char* name = "packetscope_layer_latency_seconds";
    w.family(name, "histogram",
             "Time packets take from one stack layer to the next (sampled 1 in latency_sample; sum estimated "
             "from log2 buckets)");
    for (const auto& p : s.pairs) {
      auto it = hists_.find({static_cast<int>(p.dir), static_cast<int>(p.from), static_cast<int>(p.to)});
      Histogram h = it == hists_.end() ? Histogram{} : it->second;
      Labels labels = {{"dir", to_string(p.dir)}, {"from", to_string(p.from)}, {"to", to_string(p.to)}};
      uint64_t cum = 0;
      for (int i = 0; i <= kLastBucket; ++i) {
        cum += h.buckets[i];
        if (i < kFirstBucket) continue;
        w.sample(std::string(name) + "_bucket", labels, cum, fmt::format("{}", std::ldexp(1.0, i + 1) / 1e9));
      }
      w.sample(std::string(name) + "_bucket", labels, h.count, "+Inf");
      w.sample(std::string(name) + "_sum", labels, h.sum_s);
      w.sample(std::string(name) + "_count", labels, h.count);
    }
  }
  write_transitions(w, s);
  write_loss(w, s, opts_.max_reasons);
  write_interfaces(w, s, opts_.max_interfaces, opts_.max_namespaces);
  write_maps(w, s);
  write_flows(w, s, opts_.max_flows);
  w.family("packetscope_analyzer_latency_sample", "gauge", "The analyzer times 1 in this many packets");
  w.sample("packetscope_analyzer_latency_sample", {}, s.latency_sample);
  w.family("packetscope_analyzer_snapshot_timestamp_seconds", "gauge", "Wall-clock time of the newest snapshot");
  w.sample("packetscope_analyzer_snapshot_timestamp_seconds", {}, static_cast<double>(s.wall_ns) / 1e9);
  return w.take();
}

}  // namespace pscope::analyzer
