// Tracer module: loads tracer.bpf.c, attaches its tracepoints, drains the ring buffers on its own
// thread and hands decoded drop records, packet paths and socket state changes to sinks. Owns
// every kernel object it creates.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "core/module.h"
#include "tracer/decode.h"
#include "tracer/path.h"
#include "tracer/sock_state.h"

namespace pscope::tracer {

struct TracerOptions {
  uint32_t drop_sample = 1;       // report 1 in N drops
  uint32_t netns_filter = 0;      // drops and socket state changes: this netns inode, 0 = all
  bool emit_tc_events = false;
  bool track_paths = true;        // follow every packet (subject to the filter) and emit paths
  bool drop_records = true;       // a record per dropped packet (besides paths); counters regardless
  // Asked before a path record is decoded; false skips it (e.g. a rate limit, so that records
  // that would be thrown away cost no decoding). Empty: every record is decoded.
  std::function<bool()> path_admit;
  uint32_t inflight_max = 16384;  // packets followed at once (beyond that, new ones are not followed)
  // New packets followed per second, host-wide (split evenly over CPUs, enforced in the kernel
  // before any per-packet state exists); 0 = no limit. Applies on top of every filter.
  uint32_t path_rate = 0;
};

struct TracerStats {
  uint64_t packets_rx = 0;
  uint64_t packets_tx = 0;
  uint64_t drops = 0;
  uint64_t consumed = 0;
  uint64_t ringbuf_lost = 0;
  uint64_t tc_seen = 0;
  uint64_t sampled_out = 0;
  uint64_t decoded = 0;  // records decoded in user space
  uint64_t paths = 0;       // path records emitted by the kernel
  uint64_t paths_lost = 0;  // path records lost to a full ring buffer
  uint64_t paths_expired = 0;  // packets freed without a tracepoint, reported by the sweep
  uint64_t paths_untracked = 0;     // not followed: the in-flight table was full
  uint64_t paths_rate_limited = 0;  // not followed: over path_rate
  uint64_t inflight = 0;            // packets being followed, as of the last 1 s sweep
};

using DropSink = std::function<void(DropRecord&&)>;
using PathSink = std::function<void(PathRecord&&)>;
// Called on the tracer's thread for every socket state change; without one, the
// inet_sock_set_state program is not even loaded.
using SockStateSink = std::function<void(SocketStateChange&&)>;

class Tracer final : public Module {
 public:
  Tracer(TracerOptions opts, DropSink drops, PathSink paths = {}, SockStateSink sock_states = {});
  ~Tracer() override;
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  std::string_view name() const noexcept override { return "tracer"; }
  Result<void> check_support() override;
  Result<void> start() override;
  void stop() noexcept override;
  ModuleStatus status() const override;

  Result<TracerStats> stats() const;
  // Replaces the in-kernel prefilter atomically (one map element); takes effect at once.
  // TracerOptions::path_rate is applied on top of it.
  Result<void> set_filter(const ps_filter& f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pscope::tracer
