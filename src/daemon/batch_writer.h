// Moves records into SQLite off the producing thread: a bounded queue drained in batches (one
// transaction each) by a writer thread with its own connection, with periodic retention.
// push() never blocks the producer (a ring-buffer poll thread); what cannot be queued is shed
// and counted.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/database.h"

namespace pscope::daemon {

template <class Row>
class BatchWriter {
 public:
  struct Ops {
    std::string what;  // for log lines: "drop records", "packet paths"
    std::function<Result<void>(store::Database&, std::span<const Row>)> insert;
    std::function<Result<int64_t>(store::Database&, int64_t now_ns)> retain;
  };

  BatchWriter(store::Database db, Ops ops, size_t max_queue = 20000)
      : db_(std::move(db)), ops_(std::move(ops)), max_queue_(max_queue) {
    thread_ = std::thread([this] { run(); });
  }
  ~BatchWriter() { stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  bool push(Row r) {
    {
      std::lock_guard lk(mu_);
      if (stopping_ || queue_.size() >= max_queue_) {
        shed_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
      queue_.push_back(std::move(r));
    }
    cv_.notify_one();
    return true;
  }

  // Flushes what is queued, then joins the writer thread. Idempotent.
  void stop() noexcept {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  uint64_t shed() const noexcept { return shed_; }
  uint64_t written() const noexcept { return written_; }

 private:
  static constexpr size_t kBatch = 512;
  static constexpr auto kFlushEvery = std::chrono::milliseconds(250);
  static constexpr int64_t kRetentionEveryNs = 30LL * 1000000000LL;

  void run() {
    int64_t last_retention = 0;
    std::vector<Row> batch;
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
      if (!batch.empty()) {
        if (auto ok = ops_.insert(db_, batch); !ok)
          spdlog::error("storing {} {} failed: {}", batch.size(), ops_.what, ok.error().what);
        else
          written_ += batch.size();
        batch.clear();
      }
      int64_t now = clock::realtime_ns();
      if (ops_.retain && now - last_retention > kRetentionEveryNs) {
        last_retention = now;
        if (auto removed = ops_.retain(db_, now); !removed)
          spdlog::warn("{} retention failed (nothing deleted): {}", ops_.what, removed.error().what);
      }
      if (stop) {
        std::lock_guard lk(mu_);
        if (queue_.empty()) break;
      }
    }
  }

  store::Database db_;
  Ops ops_;
  size_t max_queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Row> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> shed_{0};
  std::atomic<uint64_t> written_{0};
  std::thread thread_;
};

}  // namespace pscope::daemon
