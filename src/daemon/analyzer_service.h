// The Analyzer inside the daemon: runs the module, turns each snapshot into stored samples (on a
// BatchWriter thread), feeds the Prometheus exporter and the live stream, and answers the
// Analyzer API routes (api::AnalyzerFacade) from the newest snapshot and the store.
#pragma once

#include <memory>
#include <mutex>

#include "analyzer/analyzer.h"
#include "analyzer/prometheus.h"
#include "api/analyzer_facade.h"
#include "api/stream_hub.h"
#include "core/config.h"
#include "core/module.h"
#include "daemon/batch_writer.h"
#include "store/analyzer_repo.h"

namespace pscope::daemon {

class AnalyzerService final : public api::AnalyzerFacade {
 public:
  // writer_db: the writer thread's connection; reader_db: the API thread's.
  AnalyzerService(const Config& cfg, store::Database writer_db, store::Database reader_db, api::StreamHub& hub);
  ~AnalyzerService() override;
  AnalyzerService(const AnalyzerService&) = delete;
  AnalyzerService& operator=(const AnalyzerService&) = delete;

  // Loads and attaches the kernel side when analyzer_enabled; a failure is logged and shown in
  // status(), the daemon keeps running.
  void start();
  // Detaches the kernel side, then flushes queued samples. Idempotent.
  void stop() noexcept;
  ModuleStatus status() const;

  Result<analyzer::Snapshot> analyzer_snapshot() const override;
  Result<store::AnalyzerSeriesResult> analyzer_series(const api::SeriesQuery& q) const override;
  Result<std::vector<std::string>> analyzer_metrics() const override;
  Result<std::string> prometheus_text() const override;

  static constexpr size_t kStreamTopFlows = 20;  // flows in each analyzer.snapshot stream frame

 private:
  void on_snapshot(const analyzer::Snapshot& s);
  Result<void> running() const;

  const Config& cfg_;
  api::StreamHub& hub_;
  analyzer::PrometheusExporter exporter_;
  BatchWriter<store::AnalyzerSecond> writer_;
  mutable std::mutex reader_mu_;
  mutable store::Database reader_;
  std::unique_ptr<analyzer::Analyzer> analyzer_;
};

}  // namespace pscope::daemon
