#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "store/audit_repo.h"
#include "store/drop_event_repo.h"
#include "store/paging.h"
#include "store/settings_repo.h"
#include "temp_dir.h"

namespace pscope::store::test {
namespace {

using ::testing::HasSubstr;

class ReposTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = open_db();
  }
  static DropEvent event(std::int64_t ts) {
    return DropEvent{ts, "SKB_DROP_REASON_NO_SOCKET", "tcp_v4_rcv+0x1a", 3, 4026531840u, "tcp",
                     "10.0.0.1:1234", "10.0.0.2:80"};
  }
  // Inserts n events with ts_ns = first_ts, first_ts+1, ...
  void insert(int n, std::int64_t first_ts = 1) {
    std::vector<DropEvent> v;
    for (int i = 0; i < n; ++i) v.push_back(event(first_ts + i));
    auto r = DropEventRepo(*db_).insert_batch(v);
    ASSERT_TRUE(r) << r.error().what;
  }
  std::optional<Database> db_;
};

TEST_F(ReposTest, SettingsGetPutAllErase) {
  SettingsRepo repo(*db_);
  EXPECT_EQ(repo.get("retention.max_rows").value(), std::nullopt);
  ASSERT_TRUE(repo.put("retention.max_rows", "100000"));
  ASSERT_TRUE(repo.put("b.key", "x"));
  ASSERT_TRUE(repo.put("retention.max_rows", "5"));  // overwrite, no duplicate
  EXPECT_EQ(repo.get("retention.max_rows").value(), "5");
  auto all = repo.all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "b.key");
  EXPECT_EQ((*all)[1].value, "5");
  EXPECT_THAT((*all)[1].updated_at, ::testing::MatchesRegex("20[0-9-]+T[0-9:.]+Z"));
  EXPECT_TRUE(repo.erase("b.key").value());
  EXPECT_FALSE(repo.erase("b.key").value());
  // Values are parameters, never SQL.
  ASSERT_TRUE(repo.put("k'; DROP TABLE settings; --", "v'); --"));
  EXPECT_EQ(repo.get("k'; DROP TABLE settings; --").value(), "v'); --");
}

TEST_F(ReposTest, AuditAppendRecentPaging) {
  AuditRepo repo(*db_);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 25; ++i) {
    auto id = repo.append({1000 + i, "api:token-1", "settings.put", "key" + std::to_string(i),
                           "{\"v\":" + std::to_string(i) + "}"});
    ASSERT_TRUE(id) << id.error().what;
    ids.push_back(*id);
  }
  auto page1 = repo.recent(10);
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->size(), 10u);
  EXPECT_EQ(page1->front().id, ids.back());
  EXPECT_EQ(page1->front().object, "key24");
  EXPECT_EQ(page1->front().ts_ns, 1024);
  EXPECT_EQ(page1->front().actor, "api:token-1");
  EXPECT_EQ(page1->front().detail, "{\"v\":24}");
  auto page2 = repo.recent(10, page1->back().id);
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->size(), 10u);
  EXPECT_EQ(page2->front().id, page1->back().id - 1);
  auto page3 = repo.recent(10, page2->back().id);
  ASSERT_TRUE(page3);
  ASSERT_EQ(page3->size(), 5u);
  EXPECT_EQ(page3->back().id, ids.front());
  EXPECT_TRUE(repo.recent(10, ids.front()).value().empty());
}

TEST_F(ReposTest, DropEventsRoundTripNewestFirst) {
  DropEventRepo repo(*db_);
  DropEvent big = event(5);
  big.netns = 0xFFFF'FFFF'FFFF'FFF0ull;  // above INT64_MAX: stored as the same bits
  big.ifindex = 0xFFFF'FFFFu;
  big.src = "[fe80::1]:5353";
  ASSERT_TRUE(repo.insert_batch(std::vector<DropEvent>{event(1), big}));
  auto rows = repo.recent(10);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  const DropEvent& r = (*rows)[0];
  EXPECT_EQ(r.ts_ns, 5);
  EXPECT_EQ(r.netns, 0xFFFF'FFFF'FFFF'FFF0ull);
  EXPECT_EQ(r.ifindex, 0xFFFF'FFFFu);
  EXPECT_EQ(r.src, "[fe80::1]:5353");
  EXPECT_EQ(r.reason, "SKB_DROP_REASON_NO_SOCKET");
  EXPECT_EQ(r.location, "tcp_v4_rcv+0x1a");
  EXPECT_EQ(r.protocol, "tcp");
  EXPECT_EQ(r.dst, "10.0.0.2:80");
  EXPECT_GT(r.id, (*rows)[1].id);
  EXPECT_EQ((*rows)[1].netns, 4026531840u);
  EXPECT_TRUE(repo.insert_batch({}));  // empty batch is a no-op
  EXPECT_EQ(repo.count().value(), 2);
}

TEST_F(ReposTest, DropEventsPagingWithBeforeId) {
  insert(30);
  DropEventRepo repo(*db_);
  std::vector<std::int64_t> seen;
  std::optional<std::int64_t> cursor;
  for (;;) {
    auto page = repo.recent(7, cursor);
    ASSERT_TRUE(page) << page.error().what;
    if (page->empty()) break;
    for (const auto& e : *page) seen.push_back(e.ts_ns);
    cursor = page->back().id;
  }
  ASSERT_EQ(seen.size(), 30u);
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 30 - static_cast<int>(i));
}

TEST_F(ReposTest, LimitIsClamped) {
  EXPECT_EQ(clamp_limit(0), 1);
  EXPECT_EQ(clamp_limit(-5), 1);
  EXPECT_EQ(clamp_limit(1'000'000), 1000);
  insert(1005);
  DropEventRepo repo(*db_);
  EXPECT_EQ(repo.recent(0).value().size(), 1u);
  EXPECT_EQ(repo.recent(-1).value().size(), 1u);
  EXPECT_EQ(repo.recent(5000).value().size(), 1000u);
  EXPECT_EQ(repo.recent(std::numeric_limits<std::int64_t>::max()).value().size(), 1000u);
  AuditRepo audit(*db_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(audit.append({i, "a", "b", "c", "d"}));
  EXPECT_EQ(audit.recent(0).value().size(), 1u);
}

TEST_F(ReposTest, FailedBatchInsertsNothing) {
  ASSERT_TRUE(db_->exec(
      "CREATE TRIGGER no_evil BEFORE INSERT ON drop_events WHEN NEW.reason = 'evil' "
      "BEGIN SELECT RAISE(ABORT, 'evil row'); END"));
  std::vector<DropEvent> batch = {event(1), event(2), event(3)};
  batch[2].reason = "evil";
  DropEventRepo repo(*db_);
  auto r = repo.insert_batch(batch);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what, HasSubstr("evil row"));
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(repo.count().value(), 0);
}

TEST_F(ReposTest, RetentionByCountKeepsNewest) {
  insert(100);
  DropEventRepo repo(*db_);
  EXPECT_EQ(repo.enforce_retention(40, 0, 1'000'000).value(), 60);
  EXPECT_EQ(repo.count().value(), 40);
  auto rows = repo.recent(1000).value();
  EXPECT_EQ(rows.front().ts_ns, 100);
  EXPECT_EQ(rows.back().ts_ns, 61);
  EXPECT_EQ(repo.enforce_retention(40, 0, 1'000'000).value(), 0);   // already within limit
  EXPECT_EQ(repo.enforce_retention(500, 0, 1'000'000).value(), 0);  // fewer rows than limit
  EXPECT_EQ(repo.count().value(), 40);
}

TEST_F(ReposTest, RetentionByAge) {
  insert(100);  // ts 1..100
  DropEventRepo repo(*db_);
  // now = 150, max age 80 -> cutoff 70 -> rows with ts < 70 (1..69) go.
  EXPECT_EQ(repo.enforce_retention(0, 80, 150).value(), 69);
  EXPECT_EQ(repo.count().value(), 31);
  EXPECT_EQ(repo.recent(1000).value().back().ts_ns, 70);
}

TEST_F(ReposTest, RetentionByCountAndAgeCombined) {
  insert(100);
  DropEventRepo repo(*db_);
  // count keeps 51..100 (50 rows); age (cutoff 90) then keeps 90..100.
  EXPECT_EQ(repo.enforce_retention(50, 10, 100).value(), 89);
  EXPECT_EQ(repo.count().value(), 11);
}

TEST_F(ReposTest, RetentionNeverWipesOnBadInput) {
  insert(50);
  DropEventRepo repo(*db_);
  EXPECT_EQ(repo.enforce_retention(0, 0, 100).value(), 0);  // 0 = unlimited, not "keep none"
  auto neg = repo.enforce_retention(-1, 0, 100);
  ASSERT_FALSE(neg);
  EXPECT_THAT(neg.error().what, HasSubstr("must be >= 0"));
  // Underflowing cutoff: nothing can be older than "before INT64_MIN".
  EXPECT_EQ(repo.enforce_retention(0, std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min())
                .value(),
            0);
  EXPECT_EQ(repo.count().value(), 50);
}

TEST_F(ReposTest, RetentionErrorRollsBackEverything) {
  insert(100);
  // Make the age DELETE fail after the count DELETE already ran inside the same transaction.
  ASSERT_TRUE(db_->exec(
      "CREATE TRIGGER keep_old BEFORE DELETE ON drop_events WHEN OLD.ts_ns = 70 "
      "BEGIN SELECT RAISE(ABORT, 'refusing'); END"));
  DropEventRepo repo(*db_);
  auto r = repo.enforce_retention(50, 1, 100);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().what, HasSubstr("refusing"));
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(repo.count().value(), 100);
}

TEST_F(ReposTest, IdsAreNotReusedAfterRetentionEmptiesTable) {
  insert(10);
  DropEventRepo repo(*db_);
  const std::int64_t last = repo.recent(1).value().front().id;
  ASSERT_EQ(repo.enforce_retention(0, 1, 1'000'000).value(), 10);
  insert(1);
  EXPECT_GT(repo.recent(1).value().front().id, last);
}

}  // namespace
}  // namespace pscope::store::test
