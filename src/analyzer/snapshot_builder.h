// Turns successive RawSamples (kernel totals) into Snapshots: rates over the interval between
// two samples, latency percentiles of the interval's buckets, drop reasons named and placed in
// a layer, top flows, per-process / per-namespace sums, map pressure. No kernel access: unit
// tests feed it synthetic samples.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>

#include "analyzer/collector.h"
#include "analyzer/snapshot.h"

namespace pscope::analyzer {

struct BuilderOptions {
  uint32_t top_n = 50;
  uint32_t latency_sample = 1;
  std::map<int64_t, std::string> reasons;  // drop reason value -> name (BTF)
  // Interface name for (ifindex, netns); empty when it cannot be named.
  std::function<std::string(uint32_t ifindex, uint32_t netns)> ifname;
};

// Interval arithmetic shared by snapshot_builder.cpp and snapshot_flows.cpp. Kernel totals
// only grow; one that went down (e.g. a map entry re-created) counts as 0.
namespace rates {
inline uint64_t delta(uint64_t cur, uint64_t prev) { return cur >= prev ? cur - prev : 0; }
inline double rate(uint64_t d, double dt) { return dt > 0 ? static_cast<double>(d) / dt : 0; }
// Totals from `cur`, packets/s and bits/s over the interval since `prev`.
inline Volume volume(const ps_an_volume& cur, const ps_an_volume& prev, double dt) {
  Volume v;
  v.packets = cur.packets;
  v.bytes = cur.bytes;
  v.pps = rate(delta(cur.packets, prev.packets), dt);
  v.bps = rate(delta(cur.bytes, prev.bytes), dt) * 8;
  return v;
}
}  // namespace rates

class SnapshotBuilder {
 public:
  explicit SnapshotBuilder(BuilderOptions o) : opts_(std::move(o)) {}
  // The first sample gives totals and zero rates (interval_s = 0).
  Snapshot build(const RawSample& s);

 private:
  struct FlowSeen {
    ps_an_flow prev{};
    int64_t first_wall = 0;
    int64_t last_wall = 0;
  };
  void fill_volumes(const RawSample& s, double dt, Snapshot& out) const;
  void fill_pairs(const RawSample& s, double dt, Snapshot& out) const;
  void fill_loss(const RawSample& s, double dt, Snapshot& out) const;
  void fill_flows(const RawSample& s, double dt, Snapshot& out);
  void fill_ifaces(const RawSample& s, double dt, Snapshot& out) const;
  void fill_maps(const RawSample& s, Snapshot& out) const;

  BuilderOptions opts_;
  RawSample prev_;
  bool have_prev_ = false;
  std::unordered_map<std::string, FlowSeen> flows_;  // by raw key bytes
};

}  // namespace pscope::analyzer
