#include "store/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <string>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/sqlite_error.h"

namespace pscope::store {
namespace {

// The database holds audit trails and captured addresses: readable by its owner only. SQLite
// creates the -wal and -shm files with the main file's permissions, so creating the main file
// ourselves with 0600 (before SQLite would create it 0644) covers all three.
Result<void> create_private_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error(fmt::format("cannot create database file '{}'", path.string()));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
    // Existing file: the operator may have loosened it on purpose, so warn instead of chmod.
    spdlog::warn("database file '{}' is accessible to group/others (mode {:o})", path.string(),
                 st.st_mode & 0777);
  }
  ::close(fd);
  return {};
}

Result<std::string> pragma_text(Database& db, std::string_view sql) {
  auto st = db.prepare(sql);
  if (!st) return tl::unexpected(std::move(st.error()));
  auto row = st->step();
  if (!row) return tl::unexpected(std::move(row.error()));
  if (!*row) return std::string();
  return st->col_text(0);
}

// Errors while configuring a freshly opened connection (e.g. "file is not a database") say
// which file they are about.
tl::unexpected<Error> opening(const std::filesystem::path& path, const Error& e) {
  return fail(fmt::format("cannot open database '{}': {}", path.string(), e.what), e.where);
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const noexcept {
  // _v2: if a Statement is still alive, the close is deferred until it is finalized instead of
  // failing with SQLITE_BUSY and leaking the connection.
  sqlite3_close_v2(db);
}

Result<Database> Database::open(const std::filesystem::path& path) {
  if (auto r = create_private_file(path); !r) return tl::unexpected(std::move(r.error()));

  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw, path);  // owns raw even on failure (sqlite3_open_v2 may allocate it)
  if (rc != SQLITE_OK) {
    return fail(fmt::format("cannot open database '{}': sqlite: {}", path.string(),
                            raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Before anything else: even switching to WAL may have to wait for another connection.
  sqlite3_busy_timeout(raw, 5000);

  auto mode = pragma_text(db, "PRAGMA journal_mode=WAL");
  if (!mode) return opening(path, mode.error());
  if (*mode != "wal") {
    return fail(fmt::format(
        "cannot open database '{}': SQLite refused WAL journal mode (got '{}'); put --data-dir "
        "on a local filesystem that supports shared memory (not NFS/SMB)",
        path.string(), *mode));
  }
  // WAL + synchronous=NORMAL: the WAL is fsync'ed only at checkpoints, not at every COMMIT.
  // This never corrupts the database, and a COMMIT that returned survives a crash or SIGKILL of
  // the process (the data is in the OS page cache / the -wal file). Only an OS crash or power
  // loss can roll back the last few transactions, an acceptable trade for high-rate telemetry.
  if (auto r = db.exec("PRAGMA synchronous=NORMAL"); !r) return opening(path, r.error());
  if (auto r = db.exec("PRAGMA foreign_keys=ON"); !r) return opening(path, r.error());
  return db;
}

Result<void> Database::exec(std::string_view sql) {
  std::string copy(sql);  // sqlite3_exec needs a NUL-terminated string
  char* msg = nullptr;
  int rc = sqlite3_exec(db_.get(), copy.c_str(), nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return {};
  std::string what = msg ? msg : sqlite3_errstr(rc);
  sqlite3_free(msg);
  return detail::sqlite_error("exec", sql, what);
}

Result<Statement> Database::prepare(std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX))
    return detail::sqlite_error("prepare", sql, "statement too long");
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, &tail);
  Statement st(raw);
  if (rc != SQLITE_OK) return detail::sqlite_error("prepare", sql, sqlite3_errmsg(db_.get()));
  if (!raw) return detail::sqlite_error("prepare", sql, "no statement in SQL text");
  std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return detail::sqlite_error("prepare", sql,
                                "more than one statement (use exec() for scripts)");
  }
  return st;
}

Result<void> Database::integrity_check(IntegrityCheck kind) {
  // The argument caps the number of reported problems; one line each.
  auto st = prepare(kind == IntegrityCheck::kQuick ? "PRAGMA quick_check(20)"
                                                   : "PRAGMA integrity_check(20)");
  if (!st) return tl::unexpected(std::move(st.error()));
  std::string problems;
  for (;;) {
    auto row = st->step();
    if (!row) return tl::unexpected(std::move(row.error()));
    if (!*row) break;
    std::string line = st->col_text(0);
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  if (problems.empty()) return {};
  return fail(fmt::format("database '{}' failed its integrity check: {}; restore it from a "
                          "backup or move it aside to start fresh",
                          path_.string(), problems));
}

Result<void> Database::checkpoint(CheckpointMode mode) {
  int m = mode == CheckpointMode::kPassive ? SQLITE_CHECKPOINT_PASSIVE : SQLITE_CHECKPOINT_TRUNCATE;
  int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, m, nullptr, nullptr);
  if (rc == SQLITE_OK) return {};
  return detail::sqlite_error("wal checkpoint", "PRAGMA wal_checkpoint", sqlite3_errmsg(db_.get()));
}

std::int64_t Database::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_.get());
}

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_.get()); }

bool Database::in_transaction() const noexcept { return sqlite3_get_autocommit(db_.get()) == 0; }

Result<Transaction> Transaction::begin(Database& db) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return tl::unexpected(std::move(r.error()));
  return Transaction(db);
}

Transaction& Transaction::operator=(Transaction&& o) noexcept {
  if (this != &o) {
    rollback();
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

Result<void> Transaction::commit() {
  if (!db_) return fail("sqlite: commit on a transaction that is no longer active");
  auto r = db_->exec("COMMIT");
  // On failure the transaction may still be open (e.g. SQLITE_BUSY): keep db_ so the destructor
  // rolls it back. If SQLite already rolled it back itself, there is nothing left to do.
  if (r || !db_->in_transaction()) db_ = nullptr;
  return r;
}

void Transaction::rollback() noexcept {
  Database* db = std::exchange(db_, nullptr);
  if (!db || !db->in_transaction()) return;
  if (auto r = db->exec("ROLLBACK"); !r) spdlog::warn("{}", r.error().what);
}

}  // namespace pscope::store
