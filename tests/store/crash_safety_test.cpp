// Durability under SIGKILL and isolation under concurrent access, against the real file system.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/drop_event_repo.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

constexpr int kBatch = 50;

std::vector<DropEvent> make_batch(std::int64_t first_ts) {
  std::vector<DropEvent> v;
  v.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    v.push_back(DropEvent{first_ts + i, "SKB_DROP_REASON_NETFILTER_DROP", "nf_hook_slow+0x9e", 2,
                          4026531840u, "udp", "192.0.2.1:53", "198.51.100.7:40000"});
  }
  return v;
}

// Runs in the forked child: its own connection (a connection must never cross fork()), endless
// committed batches, the running total written to `fd` after every COMMIT returns.
[[noreturn]] void child_writer(const std::filesystem::path& path, int fd) {
  auto db = Database::open(path);
  if (!db || !migrate(*db)) ::_exit(10);
  DropEventRepo repo(*db);
  auto n = repo.count();
  if (!n) ::_exit(11);
  std::int64_t total = *n;
  for (std::int64_t ts = 0;; ts += kBatch) {
    if (!repo.insert_batch(make_batch(ts))) ::_exit(12);
    total += kBatch;
    if (::write(fd, &total, sizeof total) != static_cast<ssize_t>(sizeof total)) ::_exit(13);
  }
}

// Reads one acknowledgement; false on EOF or after 30 s without one.
bool read_ack(int fd, std::int64_t* out) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 30'000) <= 0) return false;
  return ::read(fd, out, sizeof *out) == static_cast<ssize_t>(sizeof *out);
}

class CrashSafetyTest : public TempDirTest {};

TEST_F(CrashSafetyTest, CommittedBatchesSurviveSigkill) {
  { Database db = open_db(); }  // closed again: no connection may be open across fork()
  std::mt19937 rng(std::random_device{}());
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child_writer(db_path(), fds[1]);
    }
    ::close(fds[1]);

    std::int64_t first = -1, acked = 0, v = 0;
    while (read_ack(fds[0], &v)) {
      if (first < 0) first = v - kBatch;  // total before this round
      acked = v;
      if (acked - first >= 2000) break;
    }
    // A random 0-2 ms pause lands the kill at different points of the child's
    // BEGIN/INSERT/COMMIT/ack cycle across rounds and runs.
    const auto pause = std::chrono::microseconds(rng() % 2000);
    SCOPED_TRACE("kill after " + std::to_string(pause.count()) + " us");
    std::this_thread::sleep_for(pause);
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    // Acks already in the pipe were written after their COMMIT returned: they count too.
    while (read_ack(fds[0], &v)) acked = v;
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited on its own, status " << status;
    ASSERT_GE(acked - first, 2000);

    auto db = Database::open(db_path());
    ASSERT_TRUE(db) << db.error().what;
    auto ok = db->integrity_check(IntegrityCheck::kFull);
    EXPECT_TRUE(ok) << ok.error().what;
    auto v2 = migrate(*db);
    ASSERT_TRUE(v2) << v2.error().what;
    auto n = DropEventRepo(*db).count();
    ASSERT_TRUE(n) << n.error().what;
    // Every acknowledged batch is there; at most one more (committed, killed before its ack),
    // and never a partial batch.
    EXPECT_GE(*n, acked);
    EXPECT_LE(*n, acked + kBatch);
    EXPECT_EQ(*n % kBatch, 0);
  }
}

TEST_F(CrashSafetyTest, ConcurrentReaderNeverBlockedNorSeesPartialBatch) {
  { Database db = open_db(); }
  constexpr int kBatches = 300;
  std::atomic<bool> done{false};
  std::string writer_error;
  std::vector<std::string> reader_errors;
  std::int64_t reads = 0, last_seen = 0;

  std::thread writer([&] {
    auto db = Database::open(db_path());
    if (!db) {
      writer_error = db.error().what;
      done = true;
      return;
    }
    DropEventRepo repo(*db);
    for (int b = 0; b < kBatches && writer_error.empty(); ++b) {
      if (auto r = repo.insert_batch(make_batch(b * kBatch)); !r) writer_error = r.error().what;
      if (b % 50 == 0) (void)db->checkpoint();  // checkpoints interleave with reads too
    }
    done = true;
  });
  std::thread reader([&] {
    auto db = Database::open(db_path());
    if (!db) {
      reader_errors.push_back(db.error().what);
      return;
    }
    DropEventRepo repo(*db);
    while (!done.load()) {
      auto n = repo.count();
      auto page = repo.recent(1000);
      ++reads;
      if (!n) reader_errors.push_back(n.error().what);
      if (!page) reader_errors.push_back(page.error().what);
      if (!n || !page) continue;
      if (*n % kBatch != 0) reader_errors.push_back("partial batch: " + std::to_string(*n));
      if (*n < last_seen) reader_errors.push_back("count went backwards");
      // Newest row of a committed batch always ends a batch (ts = k*kBatch - 1).
      if (!page->empty() && (page->front().ts_ns + 1) % kBatch != 0)
        reader_errors.push_back("newest row is mid-batch: " + std::to_string(page->front().ts_ns));
      last_seen = *n;
    }
  });
  writer.join();
  reader.join();

  EXPECT_EQ(writer_error, "");
  EXPECT_TRUE(reader_errors.empty()) << reader_errors.size() << " errors, first: "
                                     << reader_errors.front();
  EXPECT_GT(reads, 0);
  Database db = open_db(false);
  EXPECT_EQ(DropEventRepo(db).count().value(), kBatches * kBatch);
}

TEST_F(CrashSafetyTest, TwoWritersSerialiseThroughBusyTimeout) {
  { Database db = open_db(); }
  constexpr int kBatches = 100;
  std::string errors[2];
  auto work = [&](int w) {
    auto db = Database::open(db_path());
    if (!db) {
      errors[w] = db.error().what;
      return;
    }
    DropEventRepo repo(*db);
    for (int b = 0; b < kBatches; ++b) {
      if (auto r = repo.insert_batch(make_batch(b)); !r) {
        errors[w] = r.error().what;
        return;
      }
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  Database db = open_db(false);
  EXPECT_EQ(DropEventRepo(db).count().value(), 2 * kBatches * kBatch);
}

}  // namespace
}  // namespace pscope::store::test
