// Analyzer module: loads analyzer.bpf.c (kernel-side aggregation: per-layer counters, log2
// latency histograms, per-flow / per-interface / per-namespace maps), reads its maps once per
// interval on its own thread and hands a Snapshot to a sink. User space only reads maps.
// Owns every kernel object it creates; stop() detaches them all.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "analyzer/snapshot.h"
#include "core/module.h"

namespace pscope::analyzer {

struct AnalyzerOptions {
  std::chrono::milliseconds interval{1000};  // snapshot period
  uint32_t latency_sample = 1;   // time 1 in N packets for the latency histograms (volumes stay exact)
  uint32_t flows_max = 65536;    // kernel flow table size (LRU)
  uint32_t top_n = 50;           // flows / processes kept in each Snapshot
  uint32_t netns_filter = 0;     // 0 = every namespace; else only this netns inode
};

using SnapshotSink = std::function<void(const Snapshot&)>;

class Analyzer final : public Module {
 public:
  Analyzer(AnalyzerOptions opts, SnapshotSink sink);
  ~Analyzer() override;
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  std::string_view name() const noexcept override { return "analyzer"; }
  Result<void> check_support() override;
  Result<void> start() override;   // load, attach, start the collector thread
  void stop() noexcept override;   // idempotent: stops the thread, detaches everything
  ModuleStatus status() const override;

  // The newest snapshot (empty Snapshot before the first interval ends). Thread-safe.
  Snapshot latest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pscope::analyzer
