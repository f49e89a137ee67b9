// Test helper: a fixture owning a fresh mkdtemp() directory, removed again in TearDown.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "store/database.h"
#include "store/migrations.h"

namespace pscope::store::test {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ps-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::filesystem::path db_path() const { return dir_ / "packetscope.db"; }

  // Opens (and by default migrates) the test database, failing the test on error.
  Database open_db(bool run_migrations = true) {
    auto db = Database::open(db_path());
    EXPECT_TRUE(db) << db.error().what;
    if (!db) throw std::runtime_error(db.error().what);
    if (run_migrations) {
      auto v = migrate(*db);
      EXPECT_TRUE(v) << v.error().what;
      if (!v) throw std::runtime_error(v.error().what);
    }
    return std::move(*db);
  }

  std::filesystem::path dir_;
};

}  // namespace pscope::store::test
