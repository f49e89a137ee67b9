// GuardRepo: CRUD, evaluation order, expiry sweep, import modes, id reuse and persistence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/guard_repo.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

using guarder::Rule;

constexpr std::int64_t kNow = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kSec = 1000000000LL;

Rule make(const nlohmann::json& j) {
  auto r = guarder::parse_rule(j, guarder::ParseOptions{kNow, false});
  EXPECT_TRUE(r.rule) << j.dump() << ": " << (r.errors.empty() ? "" : r.errors[0].message);
  return r.rule.value_or(Rule{});
}

Rule drop(const char* src, int priority = 1000) {
  return make({{"action", "drop"}, {"priority", priority}, {"match", {{"src", src}}}});
}

std::vector<std::uint32_t> ids(const std::vector<Rule>& rules) {
  std::vector<std::uint32_t> out;
  for (const auto& r : rules) out.push_back(r.id);
  return out;
}

class GuardRepoTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = open_db();
  }
  GuardRepo repo() { return GuardRepo(*db_); }
  std::uint32_t add(const Rule& r, std::int64_t now = kNow) {
    auto s = repo().insert(r, now);
    EXPECT_TRUE(s) << s.error().what;
    return s ? s->id : 0;
  }
  std::optional<Database> db_;
};

TEST_F(GuardRepoTest, InsertAssignsIdAndTimes) {
  Rule r = make({{"action", "rate-limit"},
                 {"rate", {{"pps", 10}}},
                 {"match", {{"src", "2001:db8::/32"}, {"protocol", "tcp"}, {"dport", "1-1023"}}},
                 {"comment", "ünïcode"},
                 {"ttl_s", 60}});
  r.created_by = "cli";
  auto s = repo().insert(r, kNow + 1999999);
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_EQ(s->id, 1u);
  EXPECT_EQ(s->created_ns, kNow + 1000000);  // to the millisecond, like its JSON form
  EXPECT_EQ(s->updated_ns, kNow + 1000000);
  auto g = repo().get(1);
  ASSERT_TRUE(g && *g);
  EXPECT_EQ(**g, *s);  // every field survives the JSON column
  EXPECT_EQ(repo().get(2).value(), std::nullopt);
  EXPECT_EQ(repo().count().value(), 1);
}

TEST_F(GuardRepoTest, UpdateKeepsHistoryAndRefusesUnknownIds) {
  Rule r = drop("10.0.0.0/8");
  r.created_by = "api:127.0.0.1";
  std::uint32_t id = add(r);
  Rule changed = *repo().get(id).value();
  changed.priority = 5;
  changed.enabled = false;
  changed.created_by = "someone else";
  changed.created_ns = 1;
  auto u = repo().update(changed, kNow + kSec);
  ASSERT_TRUE(u) << u.error().what;
  EXPECT_EQ(u->priority, 5);
  EXPECT_EQ(u->created_by, "api:127.0.0.1");
  EXPECT_EQ(u->created_ns, kNow);
  EXPECT_EQ(u->updated_ns, kNow + kSec);
  EXPECT_EQ(*repo().get(id).value(), *u);
  Rule ghost = drop("10.0.0.0/8");
  ghost.id = 99;
  auto bad = repo().update(ghost, kNow);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().what, "guard rule 99 does not exist");
  EXPECT_EQ(repo().count().value(), 1);
}

TEST_F(GuardRepoTest, RemoveAndIdsAreNeverReused) {
  std::uint32_t a = add(drop("10.0.0.0/8"));
  std::uint32_t b = add(drop("10.1.0.0/16"));
  EXPECT_TRUE(repo().remove(b).value());
  EXPECT_FALSE(repo().remove(b).value());
  EXPECT_TRUE(repo().remove(a).value());
  EXPECT_EQ(repo().count().value(), 0);
  EXPECT_EQ(add(drop("10.2.0.0/16")), b + 1);
}

TEST_F(GuardRepoTest, AllIsInEvaluationOrder) {
  std::uint32_t a = add(drop("10.0.0.0/8", 50));
  std::uint32_t b = add(drop("10.1.0.0/16", 10));
  std::uint32_t c = add(drop("10.2.0.0/16", 50));
  std::uint32_t d = add(drop("10.3.0.0/16", 0));
  EXPECT_EQ(ids(repo().all().value()), (std::vector<std::uint32_t>{d, b, a, c}));
}

TEST_F(GuardRepoTest, TakeExpiredRemovesOnlyDueRules) {
  std::uint32_t soon = add(make({{"action", "drop"}, {"match", {{"protocol", "udp"}}}, {"ttl_s", 10}}));
  std::uint32_t later = add(make({{"action", "drop"}, {"match", {{"protocol", "udp"}}}, {"ttl_s", 20}}));
  std::uint32_t never = add(drop("10.0.0.0/8"));
  EXPECT_TRUE(repo().take_expired(kNow + 10 * kSec - 1).value().empty());
  auto t = repo().take_expired(kNow + 10 * kSec);  // expires_ns <= now: due
  ASSERT_TRUE(t) << t.error().what;
  EXPECT_EQ(ids(*t), std::vector<std::uint32_t>{soon});
  EXPECT_EQ(ids(repo().all().value()), (std::vector<std::uint32_t>{later, never}));
  // Stored rules read back even once their time has passed.
  EXPECT_TRUE(repo().get(later).value());
  EXPECT_EQ(ids(repo().take_expired(kNow + 1000 * kSec).value()), std::vector<std::uint32_t>{later});
  EXPECT_EQ(repo().count().value(), 1);
}

TEST_F(GuardRepoTest, ImportMergeKeepsFreeIds) {
  std::uint32_t a = add(drop("10.0.0.0/8"));  // 1
  add(drop("10.1.0.0/16"));                   // 2
  std::vector<Rule> in = {drop("192.0.2.0/24"), drop("198.51.100.0/24"), drop("203.0.113.0/24"),
                          drop("203.0.113.0/25")};
  in[0].id = a;   // taken: gets a new id
  in[1].id = 7;   // free: kept
  in[2].id = 7;   // given twice: the second gets a new id
  in[3].id = 0;   // none: new id
  in[1].created_ns = kNow - 5 * kSec;  // exported history is kept
  in[1].created_by = "cli";
  auto r = repo().import(in, false, kNow + kSec);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(ids(*r), (std::vector<std::uint32_t>{3, 7, 8, 9}));
  EXPECT_EQ((*r)[1].created_ns, kNow - 5 * kSec);
  EXPECT_EQ((*r)[1].created_by, "cli");
  EXPECT_EQ((*r)[0].created_ns, kNow + kSec);
  EXPECT_EQ(repo().count().value(), 6);
  EXPECT_EQ(*repo().get(7).value(), (*r)[1]);
}

TEST_F(GuardRepoTest, ImportReplaceRestoresAnExport) {
  add(drop("10.0.0.0/8"));
  add(drop("10.1.0.0/16"));
  add(drop("10.2.0.0/16"));
  auto exported = repo().all().value();
  exported.erase(exported.begin());  // rule 1 was deleted before the export
  add(drop("10.9.0.0/16"));          // 4: added after the export
  auto r = repo().import(exported, true, kNow + kSec);
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_EQ(repo().all().value(), exported);  // ids and every field back, unchanged
  EXPECT_EQ(add(drop("10.3.0.0/16")), 5u);    // the sequence still remembers 4
}

TEST_F(GuardRepoTest, ImportIsAllOrNothing) {
  add(drop("10.0.0.0/8"));
  std::vector<Rule> in = {drop("192.0.2.0/24")};
  in[0].id = 0xffffffffu;
  ASSERT_TRUE(repo().import(in, false, kNow));
  // The sequence is at UINT32_MAX now: the next new id does not fit a rule id.
  std::vector<Rule> more = {drop("198.51.100.0/24"), drop("203.0.113.0/24")};
  more[0].id = 5;
  auto r = repo().import(more, true, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().what.find("exhausted"), std::string::npos) << r.error().what;
  EXPECT_EQ(repo().count().value(), 2) << "the failed replace deleted nothing";
}

TEST_F(GuardRepoTest, SurvivesReopen) {
  Rule r = make({{"action", "log"}, {"log", {{"every", 7}}}, {"match", {{"iface", "lo"}}}});
  std::uint32_t id = add(r);
  auto before = repo().all().value();
  db_.reset();
  db_ = open_db();
  EXPECT_EQ(repo().all().value(), before);
  EXPECT_EQ(repo().get(id).value()->log_every, 7u);
  EXPECT_EQ(add(drop("10.0.0.0/8")), id + 1);
}

TEST_F(GuardRepoTest, CorruptRowIsReportedNotSkipped) {
  add(drop("10.0.0.0/8"));
  ASSERT_TRUE(db_->exec("UPDATE guard_rules SET json = '{\"action\": \"explode\"}'"));
  auto all = repo().all();
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().what.find("guard rule 1 in the database is invalid: action"),
            std::string::npos)
      << all.error().what;
}

}  // namespace
}  // namespace pscope::store::test
