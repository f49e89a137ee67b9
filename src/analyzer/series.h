// The figures of a Snapshot that are kept as time series, named as docs/analyzer.md lists them
// (volume.link.rx.bps, latency.rx.link.transport.p99, flow.rx.bps, ...).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analyzer/snapshot.h"

namespace pscope::analyzer {

struct SeriesSample {
  std::string metric;
  std::string flow;  // empty: a whole-host metric
  double value = 0;
};

// At most this many flows (the snapshot's top flows by bytes) are stored each second, so the
// rows written per second stay bounded whatever the traffic.
inline constexpr size_t kStoredFlowsMax = 20;
inline constexpr size_t kStoredReasonsMax = 32;

// Samples of one snapshot. Latency percentiles are left out for pairs with no sample in the
// interval (a 0 there would mean "no data", not "fast"), and srtt/cwnd for non-TCP flows.
std::vector<SeriesSample> series_samples(const Snapshot& s, size_t max_flows = kStoredFlowsMax);

}  // namespace pscope::analyzer
