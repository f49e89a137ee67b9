// Database: the SQLite connection that backs PacketScope's --data-dir, plus Transaction.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "store/statement.h"

struct sqlite3;

namespace pscope::store {

enum class IntegrityCheck { kQuick, kFull };  // PRAGMA quick_check (O(N)) vs integrity_check
enum class CheckpointMode { kPassive, kTruncate };

// One SQLite connection, move-only.
//
// Threading: the connection is opened with SQLITE_OPEN_NOMUTEX (FULLMUTEX off), so SQLite does
// no locking of its own on it. Use ONE Database PER THREAD (and its Statements only on that
// thread). Concurrency comes from WAL mode instead: any number of connections can read while one
// writes, and a second writer waits up to busy_timeout (5 s) for the write lock.
//
// Never carry an open Database across fork(): the child must open its own.
class Database {
 public:
  // Creates the file 0600 if missing (the parent directory must exist), then applies
  // journal_mode=WAL (verified), synchronous=NORMAL, foreign_keys=ON, busy_timeout=5000 ms.
  // Does not migrate; call store::migrate() next.
  static Result<Database> open(const std::filesystem::path& path);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() = default;

  // Runs one or more statements that take no parameters (DDL, PRAGMA, BEGIN/COMMIT). Never use
  // it with values: anything variable goes through prepare() + bind.
  Result<void> exec(std::string_view sql);
  // Exactly one statement; trailing SQL after it is an error (it would otherwise be ignored).
  Result<Statement> prepare(std::string_view sql);

  Result<void> integrity_check(IntegrityCheck kind = IntegrityCheck::kQuick);
  // Copies WAL content into the main file. kPassive never blocks; kTruncate also waits for
  // readers (busy_timeout) and shrinks the -wal file to 0 bytes.
  Result<void> checkpoint(CheckpointMode mode = CheckpointMode::kPassive);

  std::int64_t last_insert_rowid() const noexcept;
  std::int64_t changes() const noexcept;  // rows changed by the last INSERT/UPDATE/DELETE
  bool in_transaction() const noexcept;
  const std::filesystem::path& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };
  Database(sqlite3* db, std::filesystem::path path) noexcept : db_(db), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::filesystem::path path_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back by the destructor unless commit() succeeded.
//
// IMMEDIATE takes the write lock up front, so waiting for another writer happens at BEGIN under
// busy_timeout. A DEFERRED transaction that later upgrades from read to write can get SQLITE_BUSY
// immediately (SQLite cannot wait there without risking deadlock), i.e. a spurious failure.
// Transactions do not nest: begin() inside an open transaction is an error.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);

  Transaction(Transaction&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Transaction& operator=(Transaction&& o) noexcept;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() { rollback(); }

  Result<void> commit();
  void rollback() noexcept;  // no-op once committed or rolled back
  bool active() const noexcept { return db_ != nullptr; }

 private:
  explicit Transaction(Database& db) noexcept : db_(&db) {}
  Database* db_ = nullptr;
};

}  // namespace pscope::store
