// Moves tracer drop records into SQLite off the ring-buffer thread: a bounded queue drained in
// batches (one transaction each) by a writer thread with its own connection, plus retention.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/config.h"
#include "store/database.h"
#include "tracer/decode.h"

namespace pscope::daemon {

class DropWriter {
 public:
  DropWriter(store::Database db, const Config& cfg);
  ~DropWriter();
  DropWriter(const DropWriter&) = delete;
  DropWriter& operator=(const DropWriter&) = delete;

  void push(const tracer::DropRecord& r);  // never blocks; counts what it must shed
  void stop() noexcept;                    // flushes what is queued
  uint64_t shed() const noexcept { return shed_; }
  uint64_t written() const noexcept { return written_; }

 private:
  void run();
  void flush(std::deque<tracer::DropRecord>& batch);

  store::Database db_;
  uint64_t max_rows_;
  uint64_t max_age_s_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<tracer::DropRecord> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> shed_{0};
  std::atomic<uint64_t> written_{0};
  std::thread thread_;
};

}  // namespace pscope::daemon
