#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "store/database.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

using ::testing::HasSubstr;

class DatabaseTest : public TempDirTest {
 protected:
  std::int64_t scalar(Database& db, std::string_view sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st) << st.error().what;
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->col_int64(0);
  }
  std::string text(Database& db, std::string_view sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st) << st.error().what;
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->col_text(0);
  }
};

TEST_F(DatabaseTest, OpenAppliesPragmas) {
  Database db = open_db(false);
  EXPECT_EQ(text(db, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(scalar(db, "PRAGMA synchronous"), 1);  // NORMAL
  EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(db, "PRAGMA busy_timeout"), 5000);
}

TEST_F(DatabaseTest, FilesAreOwnerOnly) {
  Database db = open_db();  // migrating writes, so -wal and -shm exist
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    std::string p = db_path().string() + suffix;
    ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << p;
  }
}

TEST_F(DatabaseTest, OpenFailsClearlyWhenDirectoryMissing) {
  auto db = Database::open(dir_ / "missing" / "x.db");
  ASSERT_FALSE(db);
  EXPECT_THAT(db.error().what, HasSubstr("cannot create database file"));
  EXPECT_THAT(db.error().what, HasSubstr("No such file or directory"));
  EXPECT_LT(db.error().code, 0);
}

TEST_F(DatabaseTest, OpenRefusesNonDatabaseFile) {
  {
    std::ofstream f(db_path());
    f << std::string(4096, 'x');
  }
  auto db = Database::open(db_path());
  ASSERT_FALSE(db);
  EXPECT_THAT(db.error().what, HasSubstr("not a database"));
}

TEST_F(DatabaseTest, TransactionCommitAndRollback) {
  Database db = open_db(false);
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)"));
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)"));
    ASSERT_TRUE(tx->commit());
    EXPECT_FALSE(tx->active());
    EXPECT_FALSE(tx->commit());  // second commit is an error, not a crash
  }
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)"));
    EXPECT_TRUE(db.in_transaction());
  }  // destructor rolls back
  EXPECT_FALSE(db.in_transaction());
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM t"), 1);
}

TEST_F(DatabaseTest, TransactionsDoNotNestAndMoveKeepsOwnership) {
  Database db = open_db(false);
  auto tx = Transaction::begin(db);
  ASSERT_TRUE(tx);
  auto inner = Transaction::begin(db);
  ASSERT_FALSE(inner);
  EXPECT_THAT(inner.error().what, HasSubstr("within a transaction"));
  EXPECT_TRUE(db.in_transaction());  // the failed inner begin did not end the outer one
  Transaction moved = std::move(*tx);
  EXPECT_FALSE(tx->active());
  EXPECT_TRUE(moved.active());
  moved.rollback();
  EXPECT_FALSE(db.in_transaction());
}

TEST_F(DatabaseTest, IntegrityCheckAndCheckpoint) {
  Database db = open_db();
  EXPECT_TRUE(db.integrity_check());
  EXPECT_TRUE(db.integrity_check(IntegrityCheck::kFull));
  EXPECT_TRUE(db.checkpoint());
  EXPECT_TRUE(db.checkpoint(CheckpointMode::kTruncate));
  struct stat st {};
  ASSERT_EQ(::stat((db_path().string() + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
}

TEST_F(DatabaseTest, StatementMayOutliveDatabaseObject) {
  std::optional<Statement> st;
  {
    Database db = open_db(false);
    auto s = db.prepare("SELECT 1");
    ASSERT_TRUE(s);
    st = std::move(*s);
  }  // sqlite3_close_v2 defers the close until the statement is finalized
  auto row = st->step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(st->col_int64(0), 1);
}

TEST_F(DatabaseTest, MovedDatabaseStillWorks) {
  Database a = open_db(false);
  Database b = std::move(a);
  EXPECT_EQ(a.handle(), nullptr);
  EXPECT_EQ(scalar(b, "SELECT 40 + 2"), 42);
}

}  // namespace
}  // namespace pscope::store::test
