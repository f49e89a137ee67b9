// Snapshot -> named series samples (see series.h).
#include "analyzer/series.h"

#include <algorithm>

namespace pscope::analyzer {
namespace {

std::string pair_name(const LayerPair& p) {
  return std::string(to_string(p.dir)) + "." + to_string(p.from) + "." + to_string(p.to);
}

}  // namespace

std::vector<SeriesSample> series_samples(const Snapshot& s, size_t max_flows) {
  std::vector<SeriesSample> out;
  auto add = [&](std::string metric, double v, const std::string& flow = {}) {
    out.push_back({std::move(metric), flow, v});
  };
  for (int l = 0; l < kLayers; ++l)
    for (int d = 0; d < kDirs; ++d) {
      std::string base = std::string("volume.") + to_string(static_cast<Layer>(l)) + "." + to_string(static_cast<Dir>(d));
      add(base + ".pps", s.volume[l][d].pps);
      add(base + ".bps", s.volume[l][d].bps);
    }
  for (const auto& p : s.pairs) {
    std::string name = pair_name(p);
    add("transitions." + name, p.transitions_per_s);
    if (p.latency.count == 0) continue;
    add("latency." + name + ".p50", p.latency.p50_ns);
    add("latency." + name + ".p90", p.latency.p90_ns);
    add("latency." + name + ".p99", p.latency.p99_ns);
    add("latency." + name + ".max", static_cast<double>(p.latency.max_ns));
  }
  add("loss.drops_per_s", s.loss.drops_per_s);
  add("loss.drop_ratio", s.loss.drop_ratio);
  size_t nr = std::min(kStoredReasonsMax, s.loss.by_reason.size());
  for (size_t i = 0; i < nr; ++i) add("loss.reason." + s.loss.by_reason[i].reason + ".per_s", s.loss.by_reason[i].per_s);
  add("tcp.retransmits_per_s", s.tcp.retransmits_per_s);
  add("tcp.rst_sent_per_s", s.tcp.rst_sent_per_s);
  add("tcp.rst_received_per_s", s.tcp.rst_received_per_s);
  size_t nf = std::min(max_flows, s.flows.size());
  for (size_t i = 0; i < nf; ++i) {
    const Flow& f = s.flows[i];
    add("flow.rx.pps", f.rx.pps, f.key);
    add("flow.rx.bps", f.rx.bps, f.key);
    add("flow.tx.pps", f.tx.pps, f.key);
    add("flow.tx.bps", f.tx.bps, f.key);
    if (f.protocol != "tcp") continue;
    add("flow.srtt_us", f.srtt_us, f.key);
    add("flow.cwnd", f.cwnd, f.key);
  }
  return out;
}

}  // namespace pscope::analyzer
