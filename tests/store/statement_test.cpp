#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "store/database.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

using ::testing::HasSubstr;

class StatementTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = open_db(/*run_migrations=*/false);
    ASSERT_TRUE(db_->exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB)"));
  }
  // Inserts one row with the given binder and reads it back.
  template <class... A>
  Statement roundtrip(const A&... a) {
    EXPECT_TRUE(db_->exec("DELETE FROM t"));
    auto ins = db_->prepare("INSERT INTO t(i, d, s, b) VALUES (?1, ?2, ?3, ?4)");
    EXPECT_TRUE(ins) << ins.error().what;
    auto bound = ins->bind_all(a...);
    EXPECT_TRUE(bound) << bound.error().what;
    auto ran = ins->run();
    EXPECT_TRUE(ran) << ran.error().what;
    auto sel = db_->prepare("SELECT i, d, s, b FROM t");
    EXPECT_TRUE(sel);
    auto row = sel->step();
    EXPECT_TRUE(row && *row);
    return std::move(*sel);
  }
  std::optional<Database> db_;
};

TEST_F(StatementTest, IntegerDoubleTextBlobRoundTrip) {
  const std::vector<std::byte> blob = {std::byte{0}, std::byte{0xff}, std::byte{0x7f}};
  auto st = roundtrip(std::numeric_limits<std::int64_t>::min(), 2.5, std::string_view("hello"),
                      std::span<const std::byte>(blob));
  EXPECT_EQ(st.col_int64(0), std::numeric_limits<std::int64_t>::min());
  EXPECT_DOUBLE_EQ(st.col_double(1), 2.5);
  EXPECT_EQ(st.col_text(2), "hello");
  EXPECT_EQ(st.col_blob(3), blob);
  EXPECT_EQ(st.column_count(), 4);
}

TEST_F(StatementTest, UnicodeAndEmbeddedNulText) {
  // "drop ✓ 📦 été": 3- and 4-byte UTF-8 sequences.
  const std::string text = "drop \xE2\x9C\x93 \xF0\x9F\x93\xA6 \xC3\xA9t\xC3\xA9";
  const std::string with_nul("a\0b", 3);
  auto st = roundtrip(1, 0.0, text, with_nul);
  EXPECT_EQ(st.col_text(2), text);
  EXPECT_EQ(st.col_text(3), with_nul);  // stored as text, bytes preserved
}

TEST_F(StatementTest, NullsAndEmptyValuesAreDistinct) {
  auto st = roundtrip(nullptr, std::nullopt, std::string_view(), std::span<const std::byte>());
  EXPECT_TRUE(st.col_is_null(0));
  EXPECT_TRUE(st.col_is_null(1));
  EXPECT_FALSE(st.col_is_null(2));  // empty string_view binds '' not NULL
  EXPECT_EQ(st.col_text(2), "");
  EXPECT_FALSE(st.col_is_null(3));  // empty span binds a zero-length blob
  EXPECT_TRUE(st.col_blob(3).empty());
}

TEST_F(StatementTest, OptionalAndUnsignedBinds) {
  std::optional<std::int64_t> some = 42, none;
  std::vector<unsigned char> bytes = {1, 2, 3};
  auto st =
      roundtrip(some, none, std::uint32_t{4000000000u}, std::span<const unsigned char>(bytes));
  EXPECT_EQ(st.col_int64(0), 42);
  EXPECT_TRUE(st.col_is_null(1));
  EXPECT_EQ(st.col_int64(2), 4000000000);
  EXPECT_EQ(st.col_blob(3).size(), 3u);
}

TEST_F(StatementTest, UnsignedAboveInt64MaxIsRefused) {
  auto st = db_->prepare("SELECT ?1");
  ASSERT_TRUE(st);
  auto r = st->bind(1, std::numeric_limits<std::uint64_t>::max());
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what, HasSubstr("does not fit"));
}

TEST_F(StatementTest, ResetClearsBindingsAndAllowsReuse) {
  auto st = db_->prepare("SELECT ?1");
  ASSERT_TRUE(st);
  ASSERT_TRUE(st->bind(1, 7));
  ASSERT_TRUE(st->step().value());
  EXPECT_EQ(st->col_int64(0), 7);
  st->reset();
  ASSERT_TRUE(st->step().value());
  EXPECT_TRUE(st->col_is_null(0));  // the 7 did not leak into the next execution
}

TEST_F(StatementTest, PrepareErrorNamesSqlAndSqliteMessage) {
  auto st = db_->prepare("SELECT * FROM x");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().what, "sqlite: prepare failed for 'SELECT * FROM x': no such table: x");
  EXPECT_EQ(st.error().code, 0);
}

TEST_F(StatementTest, LongSqlIsTruncatedInErrors) {
  std::string sql = "SELECT a_column_that_does_not_exist,\n       " + std::string(200, 'b') +
                    " FROM t";
  auto st = db_->prepare(sql);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().what, HasSubstr("'SELECT a_column_that_does_not_exist, bbbb"));
  EXPECT_THAT(st.error().what, HasSubstr("...': no such column"));
  EXPECT_LT(st.error().what.size(), 160u);
}

TEST_F(StatementTest, PrepareRejectsMultipleStatementsAndEmptySql) {
  auto two = db_->prepare("SELECT 1; DELETE FROM t");
  ASSERT_FALSE(two);
  EXPECT_THAT(two.error().what, HasSubstr("more than one statement"));
  EXPECT_TRUE(db_->prepare("SELECT 1;  \n"));  // a trailing semicolon is fine
  EXPECT_FALSE(db_->prepare("   "));
}

TEST_F(StatementTest, BindOutOfRangeAndStepErrorsCarryContext) {
  auto st = db_->prepare("SELECT ?1");
  ASSERT_TRUE(st);
  auto b = st->bind(2, 1);
  ASSERT_FALSE(b);
  EXPECT_THAT(b.error().what, HasSubstr("bind of parameter 2 failed for 'SELECT ?1'"));

  ASSERT_TRUE(db_->exec("CREATE TABLE u (v INTEGER NOT NULL)"));
  auto ins = db_->prepare("INSERT INTO u(v) VALUES (?1)");
  ASSERT_TRUE(ins);
  auto r = ins->run();  // ?1 unbound -> NULL -> constraint
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what, HasSubstr("sqlite: step failed for 'INSERT INTO u(v)"));
  EXPECT_THAT(r.error().what, HasSubstr("NOT NULL constraint failed: u.v"));
}

TEST_F(StatementTest, ExecErrorCarriesSql) {
  auto r = db_->exec("CREATE TABLE t (x)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what, "sqlite: exec failed for 'CREATE TABLE t (x)': table t already exists");
}

}  // namespace
}  // namespace pscope::store::test
