#include "daemon/drop_writer.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "core/clock.h"
#include "store/drop_event_repo.h"

namespace pscope::daemon {
namespace {
constexpr size_t kMaxQueue = 20000;
constexpr size_t kBatch = 512;
constexpr auto kFlushEvery = std::chrono::milliseconds(250);
constexpr int64_t kRetentionEveryNs = 30LL * 1000000000LL;
}  // namespace

DropWriter::DropWriter(store::Database db, const Config& cfg)
    : db_(std::move(db)), max_rows_(cfg.drop_retention_rows), max_age_s_(cfg.drop_retention_age_s) {
  thread_ = std::thread([this] { run(); });
}

DropWriter::~DropWriter() { stop(); }

void DropWriter::push(const tracer::DropRecord& r) {
  {
    std::lock_guard lk(mu_);
    if (queue_.size() >= kMaxQueue) {
      shed_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    queue_.push_back(r);
  }
  cv_.notify_one();
}

void DropWriter::stop() noexcept {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DropWriter::flush(std::deque<tracer::DropRecord>& batch) {
  if (batch.empty()) return;
  std::vector<store::DropEvent> rows;
  rows.reserve(batch.size());
  for (const auto& r : batch)
    rows.push_back({r.wall_ns, r.reason, r.location, r.ifindex, r.netns, r.pkt.protocol, r.pkt.src,
                    r.pkt.dst});
  store::DropEventRepo repo(db_);
  if (auto ok = repo.insert_batch(rows); !ok)
    spdlog::error("tracer: storing {} drop records failed: {}", rows.size(), ok.error().what);
  else
    written_ += rows.size();
  batch.clear();
}

void DropWriter::run() {
  int64_t last_retention = 0;
  std::deque<tracer::DropRecord> batch;
  for (;;) {
    bool stop = false;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, kFlushEvery, [&] { return stopping_ || queue_.size() >= kBatch; });
      stop = stopping_;
      while (!queue_.empty() && batch.size() < kBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    flush(batch);
    int64_t now = clock::realtime_ns();
    if (now - last_retention > kRetentionEveryNs) {
      last_retention = now;
      store::DropEventRepo repo(db_);
      auto removed = repo.enforce_retention(static_cast<int64_t>(max_rows_),
                                            static_cast<int64_t>(max_age_s_) * 1000000000LL, now);
      if (!removed) spdlog::warn("tracer: drop retention failed (nothing deleted): {}", removed.error().what);
    }
    if (stop) {
      std::lock_guard lk(mu_);
      if (queue_.empty()) break;
    }
  }
}

}  // namespace pscope::daemon
