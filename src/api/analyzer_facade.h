// What the Analyzer's routes need from the daemon, as an interface (unit tests use a fake).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/snapshot.h"
#include "core/result.h"
#include "store/analyzer_repo.h"

namespace pscope::api {

struct SeriesQuery {
  std::string metric;  // docs/analyzer.md names
  std::string flow;    // flow key for flow.* metrics, else empty
  int64_t from_ms = 0;
  int64_t to_ms = 0;
};

class AnalyzerFacade {
 public:
  virtual ~AnalyzerFacade() = default;
  // The newest snapshot. An error saying why when the analyzer is disabled or failed (HTTP 503).
  virtual Result<analyzer::Snapshot> analyzer_snapshot() const = 0;
  // Stored points. Errors with code kBadInput (unknown metric, from > to) are the caller's.
  virtual Result<store::AnalyzerSeriesResult> analyzer_series(const SeriesQuery& q) const = 0;
  // Whole-host metrics that have stored points.
  virtual Result<std::vector<std::string>> analyzer_metrics() const = 0;
  // Prometheus text exposition of the newest snapshot; an error when the analyzer is not running.
  virtual Result<std::string> prometheus_text() const = 0;
};

}  // namespace pscope::api
