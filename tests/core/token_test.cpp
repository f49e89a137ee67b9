// Access token: created once with 0600, reused, tightened, and rejected when corrupt.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/token.h"

namespace pscope {
namespace {

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ps-token-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(TokenTest, CreatedOnceWith0600AndReused) {
  std::string data = dir_ + "/data";
  auto t1 = load_or_create_token(data);
  ASSERT_TRUE(t1) << t1.error().what;
  EXPECT_EQ(t1->size(), 64u);
  struct stat st {};
  ASSERT_EQ(stat((data + "/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(data.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto t2 = load_or_create_token(data);
  ASSERT_TRUE(t2);
  EXPECT_EQ(*t1, *t2);
}

TEST_F(TokenTest, LoosePermissionsAreTightened) {
  ASSERT_TRUE(load_or_create_token(dir_));
  chmod((dir_ + "/token").c_str(), 0644);
  ASSERT_TRUE(load_or_create_token(dir_));
  struct stat st {};
  stat((dir_ + "/token").c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TokenTest, CorruptTokenIsAnError) {
  std::ofstream(dir_ + "/token") << "not-a-token\n";
  chmod((dir_ + "/token").c_str(), 0600);
  auto t = load_or_create_token(dir_);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().what.find("corrupt"), std::string::npos);
}

TEST(Token, DistinctAndComparedExactly) {
  auto a = random_hex(32);
  auto b = random_hex(32);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(token_equal(*a, *a));
  EXPECT_FALSE(token_equal(*a, *b));
  EXPECT_FALSE(token_equal(*a, a->substr(0, 63)));
  EXPECT_FALSE(token_equal("", "x"));
}

}  // namespace
}  // namespace pscope
