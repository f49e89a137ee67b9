// AnalyzerService (see analyzer_service.h).
#include "daemon/analyzer_service.h"

#include <spdlog/spdlog.h>

#include "analyzer/series.h"
#include "analyzer/snapshot_json.h"
#include "core/clock.h"

namespace pscope::daemon {
namespace {

// The writer's operations: insert a batch of seconds, roll complete minutes up (once a minute is
// worth trying, not on every batch), and enforce both retention windows.
BatchWriter<store::AnalyzerSecond>::Ops writer_ops(const Config& cfg) {
  auto next_roll_ms = std::make_shared<int64_t>(0);
  store::AnalyzerRetention keep{static_cast<int64_t>(cfg.analyzer_history_s), static_cast<int64_t>(cfg.analyzer_rollup_s)};
  return {"analyzer samples",
          [next_roll_ms](store::Database& db, std::span<const store::AnalyzerSecond> rows) -> Result<void> {
            store::AnalyzerRepo repo(db);
            if (auto r = repo.insert_batch(rows); !r) return r;
            int64_t newest = rows.back().ts_ms;
            if (newest < *next_roll_ms) return {};
            auto rolled = repo.roll_up(newest);
            if (!rolled) return tl::unexpected(rolled.error());
            int64_t minute = newest - newest % store::AnalyzerRepo::kMinuteMs;
            *next_roll_ms = minute + store::AnalyzerRepo::kMinuteMs + store::AnalyzerRepo::kRollupGraceMs;
            return {};
          },
          [keep](store::Database& db, int64_t now_ns) {
            return store::AnalyzerRepo(db).enforce_retention(keep, now_ns / 1000000);
          }};
}

}  // namespace

AnalyzerService::AnalyzerService(const Config& cfg, store::Database writer_db, store::Database reader_db,
                                 api::StreamHub& hub)
    : cfg_(cfg), hub_(hub), writer_(std::move(writer_db), writer_ops(cfg), 600), reader_(std::move(reader_db)) {}

AnalyzerService::~AnalyzerService() { stop(); }

void AnalyzerService::start() {
  if (!cfg_.analyzer_enabled) return;
  analyzer::AnalyzerOptions o;
  o.latency_sample = cfg_.analyzer_latency_sample;
  o.flows_max = cfg_.analyzer_flows_max;
  o.top_n = cfg_.analyzer_top_n;
  analyzer_ = std::make_unique<analyzer::Analyzer>(o, [this](const analyzer::Snapshot& s) { on_snapshot(s); });
  if (auto r = analyzer_->check_support(); !r) spdlog::error("analyzer cannot run here: {}", r.error().what);
  else if (auto s = analyzer_->start(); !s) spdlog::error("analyzer failed to start: {}", s.error().what);
}

void AnalyzerService::stop() noexcept {
  if (analyzer_) analyzer_->stop();  // joins the collector thread: no more on_snapshot calls
  writer_.stop();
}

ModuleStatus AnalyzerService::status() const {
  if (!analyzer_) return {"analyzer", ModuleState::kDisabled, "disabled by configuration (analyzer_enabled=false)"};
  return analyzer_->status();
}

// Runs on the analyzer's collector thread, once per snapshot: must stay cheap.
void AnalyzerService::on_snapshot(const analyzer::Snapshot& s) {
  exporter_.observe(s);
  store::AnalyzerSecond sec;
  sec.ts_ms = s.wall_ns / 1000000;
  for (auto& x : analyzer::series_samples(s)) sec.samples.push_back({std::move(x.metric), std::move(x.flow), x.value});
  writer_.push(std::move(sec));
  if (hub_.subscribers() > 0) hub_.publish("analyzer.snapshot", analyzer::to_json(s, {kStreamTopFlows, false}));
}

Result<void> AnalyzerService::running() const {
  auto st = status();
  if (st.state == ModuleState::kRunning) return {};
  if (st.state == ModuleState::kDisabled) return fail("the analyzer is " + st.detail);
  return fail("the analyzer is not running (" + std::string(to_string(st.state)) + "): " + st.detail);
}

Result<analyzer::Snapshot> AnalyzerService::analyzer_snapshot() const {
  if (auto r = running(); !r) return tl::unexpected(r.error());
  return analyzer_->latest();
}

Result<store::AnalyzerSeriesResult> AnalyzerService::analyzer_series(const api::SeriesQuery& q) const {
  std::lock_guard lk(reader_mu_);
  return store::AnalyzerRepo(reader_).query(q.metric, q.flow, q.from_ms, q.to_ms, clock::realtime_ns() / 1000000,
                                            static_cast<int64_t>(cfg_.analyzer_history_s));
}

Result<std::vector<std::string>> AnalyzerService::analyzer_metrics() const {
  std::lock_guard lk(reader_mu_);
  return store::AnalyzerRepo(reader_).metrics();
}

Result<std::string> AnalyzerService::prometheus_text() const {
  if (auto r = running(); !r) return tl::unexpected(r.error());
  return exporter_.render(analyzer_->latest());
}

}  // namespace pscope::daemon
