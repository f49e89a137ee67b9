// Where the tracer's records go in the daemon: SQLite (rate-limited for paths, so a flood
// cannot turn into a write storm) and the live stream.
#pragma once

#include <atomic>
#include <mutex>

#include "api/stream_hub.h"
#include "core/config.h"
#include "daemon/batch_writer.h"
#include "store/drop_event_repo.h"
#include "store/path_repo.h"
#include "tracer/tracer.h"

namespace pscope::daemon {

store::DropEvent to_row(const tracer::DropRecord& r);
store::PathRow to_row(const tracer::PathRecord& r);

// Token bucket: at most `rate` events per second, bursts up to `rate`.
class RateLimiter {
 public:
  explicit RateLimiter(uint32_t rate) : rate_(rate), tokens_(rate) {}
  bool take(int64_t now_ns);

 private:
  std::mutex mu_;
  double rate_;
  double tokens_;
  int64_t last_ns_ = 0;
};

class TracerSinks {
 public:
  // last_path_id: the highest path id already stored; new paths continue after it.
  TracerSinks(const Config& cfg, store::Database drops_db, store::Database paths_db, api::StreamHub& hub,
              int64_t last_path_id);
  void on_drop(tracer::DropRecord&& r);
  // A path passes the store/stream rate limit (counted when it does not).
  bool admit(int64_t now_ns);
  // `admitted`: admit() already said yes for this record.
  void on_path(tracer::PathRecord&& r, bool admitted = false);
  void stop() noexcept;
  uint64_t paths_not_stored() const noexcept { return paths_limited_ + paths_.shed(); }

 private:
  api::StreamHub& hub_;
  BatchWriter<store::DropEvent> drops_;
  BatchWriter<store::PathRow> paths_;
  RateLimiter limiter_;
  std::atomic<uint64_t> paths_limited_{0};
  std::atomic<int64_t> next_id_{0};
};

}  // namespace pscope::daemon
