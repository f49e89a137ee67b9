// Prometheus text exposition (format 0.0.4) of the Analyzer's figures, for GET /metrics.
//
// Counters are the Snapshot's totals since the collector started. Latency is a real histogram:
// the Snapshot only carries each interval's log2 buckets, so the exporter keeps cumulative bucket
// totals itself; observe() must see every snapshot once (the daemon's sink calls it), render()
// may run any number of times (each scrape).
//
// Label cardinality is bounded: at most max_flows flows (the snapshot's top flows by bytes),
// max_interfaces interfaces, max_namespaces namespaces and max_reasons drop reasons are exported;
// layers, directions, pairs, TCP events and maps are fixed sets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "analyzer/snapshot.h"

namespace pscope::analyzer {

struct PrometheusOptions {
  size_t max_flows = 20;
  size_t max_interfaces = 64;
  size_t max_namespaces = 64;
  size_t max_reasons = 128;  // the kernel's skb_drop_reason enum has about 100 values
};

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class PrometheusExporter {
 public:
  explicit PrometheusExporter(PrometheusOptions opts = {}) : opts_(opts) {}

  // Adds the snapshot's per-interval latency buckets to the cumulative histograms. A snapshot
  // seen before (same wall_ns) is ignored, so a repeated call never double counts. Thread-safe.
  void observe(const Snapshot& s);
  // The exposition text for the newest snapshot. Thread-safe.
  std::string render(const Snapshot& s) const;

  // Latency histogram bounds exported as `le`, in seconds: 2^10 ns (~1 us) to 2^34 ns (~17 s).
  static constexpr int kFirstBucket = 9;   // le = 2^(i+1) ns for bucket i
  static constexpr int kLastBucket = 33;

 private:
  struct Histogram {
    std::array<uint64_t, 64> buckets{};  // cumulative since the exporter started, per log2 bucket
    uint64_t count = 0;
    double sum_s = 0;  // estimated: each sample counted at its bucket's midpoint
  };
  using PairKey = std::tuple<int, int, int>;  // dir, from, to
  PrometheusOptions opts_;
  mutable std::mutex mu_;
  std::map<PairKey, Histogram> hists_;
  int64_t last_wall_ns_ = -1;
};

// Escapes a label value: backslash, double quote and newline (exposition format rules).
std::string prometheus_escape(std::string_view v);

}  // namespace pscope::analyzer
