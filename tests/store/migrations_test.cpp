#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/migrations.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

using ::testing::HasSubstr;

class MigrationsTest : public TempDirTest {
 protected:
  static std::int64_t scalar(Database& db, std::string_view sql) {
    auto st = db.prepare(sql);
    EXPECT_TRUE(st) << st.error().what;
    auto row = st->step();
    EXPECT_TRUE(row && *row);
    return st->col_int64(0);
  }
  static bool has_table(Database& db, std::string_view name) {
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
    EXPECT_TRUE(st);
    EXPECT_TRUE(st->bind(1, name));
    EXPECT_TRUE(st->step().value_or(false));
    return st->col_int64(0) == 1;
  }
  static int latest() { return default_migrations().back().version; }
};

TEST_F(MigrationsTest, RegistryIsOrderedAndStartsAtOne) {
  auto all = default_migrations();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().version, 1);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_EQ(all[i].version, all[i - 1].version + 1);
}

TEST_F(MigrationsTest, FreshDatabaseGetsLatestVersion) {
  Database db = open_db(false);
  EXPECT_EQ(schema_version(db).value(), 0);
  auto v = migrate(db);
  ASSERT_TRUE(v) << v.error().what;
  EXPECT_EQ(*v, latest());
  EXPECT_EQ(schema_version(db).value(), latest());
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), latest());
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(default_migrations().size()));
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM schema_migrations WHERE applied_at LIKE '20%Z'"),
            static_cast<std::int64_t>(default_migrations().size()));
  for (const char* t : {"settings", "audit_log", "drop_events"}) EXPECT_TRUE(has_table(db, t)) << t;
  EXPECT_TRUE(db.integrity_check());
}

TEST_F(MigrationsTest, ReopenIsANoOp) {
  { Database db = open_db(); }
  Database db = open_db(false);
  ASSERT_TRUE(db.exec("CREATE TABLE marker (x)"));
  auto v = migrate(db);
  ASSERT_TRUE(v) << v.error().what;
  EXPECT_EQ(*v, latest());
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM schema_migrations"),
            static_cast<std::int64_t>(default_migrations().size()));
  EXPECT_TRUE(has_table(db, "marker"));
}

TEST_F(MigrationsTest, NewerDatabaseIsRefusedUntouched) {
  {
    Database db = open_db();
    ASSERT_TRUE(db.exec("INSERT INTO schema_migrations VALUES (7, 'from the future', 'x')"));
    ASSERT_TRUE(db.exec("PRAGMA user_version = 7"));
  }
  const std::vector<Migration> three = {
      {1, "one", "CREATE TABLE a (x)"}, {2, "two", "CREATE TABLE b (x)"}, {3, "three", "SELECT 1"}};
  Database db = open_db(false);
  auto v = migrate(db, three);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().what,
            "database schema version 7 is newer than this packetscope (knows up to 3); upgrade "
            "packetscope or use another --data-dir");
  EXPECT_FALSE(db.in_transaction());
  EXPECT_FALSE(has_table(db, "a"));
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), 7);
}

TEST_F(MigrationsTest, NewerUserVersionAloneIsRefused) {
  Database db = open_db(false);
  ASSERT_TRUE(db.exec("PRAGMA user_version = 9"));
  auto v = migrate(db);
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().what, HasSubstr("schema version 9 is newer"));
}

TEST_F(MigrationsTest, FailingMigrationRollsBackToLastGoodVersion) {
  const std::vector<Migration> list = {
      {1, "good", "CREATE TABLE one (x INTEGER)"},
      {2, "bad",
       "CREATE TABLE two (x INTEGER); INSERT INTO one VALUES (1); INSERT INTO nope VALUES (1)"},
      {3, "never", "CREATE TABLE three (x INTEGER)"},
  };
  Database db = open_db(false);
  auto v = migrate(db, list);
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().what, HasSubstr("schema migration 2 ('bad') failed and was rolled back"));
  EXPECT_THAT(v.error().what, HasSubstr("no such table: nope"));
  EXPECT_FALSE(db.in_transaction());
  EXPECT_EQ(schema_version(db).value(), 1);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), 1);
  EXPECT_TRUE(has_table(db, "one"));
  EXPECT_FALSE(has_table(db, "two"));
  EXPECT_FALSE(has_table(db, "three"));
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM one"), 0);

  // Fixing the migration (in a real tree: shipping a new binary) resumes from version 2.
  const std::vector<Migration> fixed = {list[0], {2, "good now", "CREATE TABLE two (x)"}, list[2]};
  auto again = migrate(db, fixed);
  ASSERT_TRUE(again) << again.error().what;
  EXPECT_EQ(*again, 3);
  EXPECT_TRUE(has_table(db, "three"));
}

TEST_F(MigrationsTest, UnorderedRegistryIsRejected) {
  const std::vector<Migration> list = {{2, "b", "SELECT 1"}, {1, "a", "SELECT 1"}};
  Database db = open_db(false);
  auto v = migrate(db, list);
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().what, HasSubstr("not strictly increasing"));
  EXPECT_EQ(schema_version(db).value(), 0);
}

TEST_F(MigrationsTest, LaterMigrationsApplyOnTopOfExisting) {
  Database db = open_db();
  std::vector<Migration> list(default_migrations().begin(), default_migrations().end());
  const int next = latest() + 1;
  list.push_back({next, "extra", "ALTER TABLE settings ADD COLUMN note TEXT"});
  auto v = migrate(db, list);
  ASSERT_TRUE(v) << v.error().what;
  EXPECT_EQ(*v, next);
  EXPECT_EQ(scalar(db, "PRAGMA user_version"), next);
  // The shipped binary (knowing less) now refuses this database.
  auto old = migrate(db);
  ASSERT_FALSE(old);
  EXPECT_THAT(old.error().what, HasSubstr("is newer than this packetscope"));
}

}  // namespace
}  // namespace pscope::store::test
