// Reads the analyzer's kernel maps: per-CPU values summed over CPUs, hash tables read in
// batches. A RawSample is the kernel's state at one instant (totals since the programs loaded);
// snapshot_builder.h turns two of them into a Snapshot.
#pragma once

#include <bpf/libbpf.h>

#include <array>
#include <cstdint>
#include <vector>

#include "analyzer/histogram.h"
#include "core/result.h"
#include "ps/analyzer_abi.h"

namespace pscope::analyzer {

struct RawFlow {
  ps_an_flow_key key{};
  ps_an_flow v{};  // summed over CPUs (srtt/cwnd: the newest CPU's copy)
};

struct RawIface {
  ps_an_iface_key key{};
  ps_an_iface v{};
};

struct RawSample {
  int64_t mono_ns = 0;
  int64_t wall_ns = 0;
  ps_an_counters counters{};
  std::array<Buckets, PS_PAIRS> hist{};     // cumulative bucket counts
  std::array<uint64_t, PS_PAIRS> max_ns{};  // largest sample of the epoch that just ended
  std::array<uint64_t, PS_AN_REASONS> drops{};
  std::vector<RawFlow> flows;
  std::vector<RawIface> ifaces;
  uint64_t inflight_entries = 0;
  uint64_t flows_capacity = 0, ifaces_capacity = 0, inflight_capacity = 0;
};

// The maps of one loaded analyzer.bpf.c, and its an_epoch global (mmapped .bss).
struct KernelMaps {
  const bpf_map* counters = nullptr;
  const bpf_map* hist = nullptr;
  const bpf_map* drops = nullptr;
  const bpf_map* flows = nullptr;
  const bpf_map* ifaces = nullptr;
  const bpf_map* inflight = nullptr;
  volatile uint32_t* epoch = nullptr;
};

// Ends the current latency epoch (so its maxima are final) and reads every map.
Result<RawSample> read_kernel(const KernelMaps& m);

// Folds one CPU's copy of a flow into a sum (exposed for tests).
void add_flow_cpu(ps_an_flow& into, const ps_an_flow& cpu);

}  // namespace pscope::analyzer
