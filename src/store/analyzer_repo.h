// AnalyzerRepo: the Analyzer's time series. 1 s samples are kept for `history_s`, and complete
// minutes are rolled up into 1 min rows (average; maximum for `*.max` metrics) kept for
// `rollup_s`. Metric names follow docs/analyzer.md; anything else is refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/database.h"

namespace pscope::store {

// Error::code of a refused input (unknown metric, bad range): the caller's fault.
inline constexpr int kAnalyzerBadInput = -22;  // -EINVAL, as api::kBadInput

struct AnalyzerSample {
  std::string metric;  // e.g. volume.link.rx.bps; flow metrics (flow.*) need `flow`
  std::string flow;    // flow key, or empty for whole-host metrics
  double value = 0;
};

// One snapshot's samples.
struct AnalyzerSecond {
  std::int64_t ts_ms = 0;  // wall clock
  std::vector<AnalyzerSample> samples;
};

struct AnalyzerPoint {
  std::int64_t ts_ms = 0;
  double value = 0;
};

struct AnalyzerSeriesResult {
  int resolution_s = 1;  // 1 or 60
  std::vector<AnalyzerPoint> points;  // oldest first
};

struct AnalyzerRetention {
  std::int64_t history_s = 3600;      // 1 s samples
  std::int64_t rollup_s = 7 * 86400;  // 1 min roll-up
};

// True when `metric` is a name docs/analyzer.md lists: per-flow names (flow.*) when per_flow,
// whole-host names otherwise.
bool is_analyzer_metric(std::string_view metric, bool per_flow);

class AnalyzerRepo {
 public:
  static constexpr std::int64_t kMinuteMs = 60000;
  // Minutes roll up once they ended this long ago: a late second still finds its minute open.
  static constexpr std::int64_t kRollupGraceMs = 5000;
  // The roll-up keeps the flows with the most bytes in each minute, at most this many, so a
  // minute costs a bounded number of rows however many flows came and went in it.
  static constexpr std::int64_t kRollupFlowsMax = 20;
  // Retention deletes at most this many rows per transaction, and this many batches per call.
  static constexpr std::int64_t kDeleteBatch = 5000;
  static constexpr int kMaxDeleteBatches = 40;
  // At most this many points answer one query (older ones are left out).
  static constexpr std::int64_t kMaxPoints = 20000;

  explicit AnalyzerRepo(Database& db) noexcept : db_(db) {}

  // Stores the seconds in one transaction. A sample with an unknown metric name fails the whole
  // batch (a bug in the caller, not data to keep).
  Result<void> insert_batch(std::span<const AnalyzerSecond> seconds);
  // Rolls every complete minute not rolled yet into 1 min rows; returns the minutes rolled.
  // `now_ms` is the newest sample time, so a writer that lags behind never closes a minute early.
  Result<std::int64_t> roll_up(std::int64_t now_ms);
  // Points of one series in [from_ms, to_ms]: from the 1 s samples when the whole range lies
  // within the last history_s before now_ms (and holds at most kMaxPoints seconds), else from the
  // roll-up. flow: empty for whole-host metrics.
  Result<AnalyzerSeriesResult> query(std::string_view metric, std::string_view flow, std::int64_t from_ms,
                                     std::int64_t to_ms, std::int64_t now_ms, std::int64_t history_s);
  // Names of the whole-host metrics that have stored data, sorted.
  Result<std::vector<std::string>> metrics();
  // Deletes samples older than history_s, roll-up rows older than rollup_s and series with no
  // rows left (history_s must exceed a minute plus kRollupGraceMs: see Config), in batches of kDeleteBatch rows (one transaction each). Returns rows removed.
  // Limits <= 0 are refused: nothing is ever deleted by a zero-initialised config.
  Result<std::int64_t> enforce_retention(const AnalyzerRetention& r, std::int64_t now_ms);

  Result<std::int64_t> count_samples();
  Result<std::int64_t> count_rollup();

 private:
  Result<std::int64_t> series_id(const AnalyzerSample& s, std::int64_t ts_ms, Statement& upsert);
  Result<std::int64_t> delete_batched(std::string_view sql, std::int64_t cutoff_ms);
  Database& db_;
};

}  // namespace pscope::store
