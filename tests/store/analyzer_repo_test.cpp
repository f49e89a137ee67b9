// AnalyzerRepo: roll-up math, which resolution answers a range, retention, flow series and
// refused metric names.
#include <gtest/gtest.h>

#include "store/analyzer_repo.h"
#include "temp_dir.h"

namespace pscope::store {
namespace {

constexpr std::int64_t kT0 = 1763900040000;  // a whole minute (ms)
const std::string kFlow = "4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000";

class AnalyzerRepoTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    db_ = std::make_unique<Database>(open_db());
    repo_ = std::make_unique<AnalyzerRepo>(*db_);
  }
  void TearDown() override {
    repo_.reset();
    db_.reset();
    TempDirTest::TearDown();
  }
  // One sample per second for each second in [from_ms, to_ms), value = f(second index).
  void fill(std::int64_t from_ms, std::int64_t to_ms, const std::function<double(std::int64_t)>& f) {
    std::vector<AnalyzerSecond> secs;
    for (std::int64_t t = from_ms; t < to_ms; t += 1000) {
      double v = f((t - from_ms) / 1000);
      secs.push_back({t,
                      {{"volume.link.rx.bps", "", v},
                       {"latency.rx.link.transport.max", "", v},
                       {"flow.rx.bps", kFlow, 2 * v}}});
    }
    auto r = repo_->insert_batch(secs);
    ASSERT_TRUE(r) << r.error().what;
  }
  std::unique_ptr<Database> db_;
  std::unique_ptr<AnalyzerRepo> repo_;
};

TEST_F(AnalyzerRepoTest, MetricNamesFollowTheDocs) {
  for (const char* ok : {"volume.link.rx.bps", "volume.socket.tx.pps", "latency.tx.transport.link.p50",
                         "latency.rx.link.socket.max", "transitions.rx.link.network", "loss.drops_per_s",
                         "loss.drop_ratio", "loss.reason.NETFILTER_DROP.per_s", "tcp.rst_sent_per_s"})
    EXPECT_TRUE(is_analyzer_metric(ok, false)) << ok;
  for (const char* ok : {"flow.rx.bps", "flow.tx.pps", "flow.srtt_us", "flow.cwnd"})
    EXPECT_TRUE(is_analyzer_metric(ok, true)) << ok;
  for (const char* bad : {"", "volume", "volume.link.rx", "volume.link.up.bps", "volume.l2.rx.bps",
                          "latency.rx.link.transport.p95", "loss.reason.bad-name.per_s", "loss.reason..per_s",
                          "tcp.retransmits", "flow.rx.bps", "volume.link.rx.bps.extra", "x; DROP TABLE"})
    EXPECT_FALSE(is_analyzer_metric(bad, false)) << bad;
  EXPECT_FALSE(is_analyzer_metric("volume.link.rx.bps", true));
}

TEST_F(AnalyzerRepoTest, UnknownMetricFailsTheBatchAndQuery) {
  std::vector<AnalyzerSecond> secs = {{kT0, {{"volume.link.rx.bps", "", 1}, {"volume.bogus", "", 2}}}};
  auto r = repo_->insert_batch(secs);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, kAnalyzerBadInput);
  EXPECT_EQ(repo_->count_samples().value(), 0) << "the whole batch rolled back";
  auto q = repo_->query("volume.bogus", "", kT0, kT0 + 1000, kT0, 3600);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code, kAnalyzerBadInput);
  EXPECT_NE(q.error().what.find("unknown metric 'volume.bogus'"), std::string::npos) << q.error().what;
  auto noflow = repo_->query("flow.rx.bps", "", kT0, kT0 + 1000, kT0, 3600);
  ASSERT_FALSE(noflow);
  EXPECT_NE(noflow.error().what.find("needs flow=KEY"), std::string::npos);
  auto range = repo_->query("volume.link.rx.bps", "", kT0 + 1, kT0, kT0, 3600);
  ASSERT_FALSE(range);
  EXPECT_EQ(range.error().code, kAnalyzerBadInput);
}

TEST_F(AnalyzerRepoTest, RollUpAveragesRatesAndKeepsTheMaximumOfMaxima) {
  fill(kT0, kT0 + 3 * 60000, [](std::int64_t i) { return static_cast<double>(i % 60); });  // 0..59 each minute
  // The third minute is not complete until 5 s after it ended.
  auto rolled = repo_->roll_up(kT0 + 3 * 60000);
  ASSERT_TRUE(rolled) << rolled.error().what;
  EXPECT_EQ(*rolled, 2);
  EXPECT_EQ(repo_->roll_up(kT0 + 3 * 60000 + 5000).value(), 1);
  EXPECT_EQ(repo_->roll_up(kT0 + 3 * 60000 + 5000).value(), 0) << "each minute once";
  EXPECT_EQ(repo_->count_rollup().value(), 9);  // 3 series x 3 minutes

  std::int64_t now = kT0 + 3 * 60000 + 7200 * 1000;  // 2 h later: the range is older than the 1 s window
  auto avg = repo_->query("volume.link.rx.bps", "", kT0, kT0 + 3 * 60000, now, 3600);
  ASSERT_TRUE(avg) << avg.error().what;
  EXPECT_EQ(avg->resolution_s, 60);
  ASSERT_EQ(avg->points.size(), 3u);
  EXPECT_EQ(avg->points[0].ts_ms, kT0);
  EXPECT_DOUBLE_EQ(avg->points[0].value, 29.5);
  auto mx = repo_->query("latency.rx.link.transport.max", "", kT0, kT0 + 3 * 60000, now, 3600);
  ASSERT_TRUE(mx);
  EXPECT_DOUBLE_EQ(mx->points[1].value, 59);
  auto fl = repo_->query("flow.rx.bps", kFlow, kT0, kT0 + 3 * 60000, now, 3600);
  ASSERT_TRUE(fl);
  ASSERT_EQ(fl->points.size(), 3u);
  EXPECT_DOUBLE_EQ(fl->points[2].value, 59);
}

TEST_F(AnalyzerRepoTest, RollUpSkipsGapsAndLateMinutes) {
  fill(kT0, kT0 + 60000, [](std::int64_t) { return 1.0; });
  fill(kT0 + 10 * 86400000LL, kT0 + 10 * 86400000LL + 60000, [](std::int64_t) { return 3.0; });  // 10 days later
  EXPECT_EQ(repo_->roll_up(kT0 + 10 * 86400000LL + 65000).value(), 2);
}

TEST_F(AnalyzerRepoTest, RollUpKeepsOnlyEachMinutesTopFlows) {
  const int flows = static_cast<int>(AnalyzerRepo::kRollupFlowsMax) + 10;
  std::vector<AnalyzerSecond> secs;
  for (std::int64_t t = kT0; t < kT0 + 60000; t += 1000) {
    AnalyzerSecond sec{t, {{"volume.link.rx.bps", "", 1}}};
    for (int f = 0; f < flows; ++f) {
      std::string key = "1/udp/10.0.0.1:1-10.0.0.2:" + std::to_string(f);
      sec.samples.push_back({"flow.rx.bps", key, static_cast<double>(f)});
      sec.samples.push_back({"flow.rx.pps", key, 1.0});
    }
    secs.push_back(std::move(sec));
  }
  ASSERT_TRUE(repo_->insert_batch(secs));
  ASSERT_EQ(repo_->roll_up(kT0 + 70000).value(), 1);
  EXPECT_EQ(repo_->count_rollup().value(), 1 + 2 * AnalyzerRepo::kRollupFlowsMax);
  std::int64_t later = kT0 + 86400000LL;
  auto top = repo_->query("flow.rx.pps", "1/udp/10.0.0.1:1-10.0.0.2:" + std::to_string(flows - 1), kT0, kT0 + 60000,
                          later, 3600);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->points.size(), 1u) << "the busiest flow is kept";
  auto low = repo_->query("flow.rx.pps", "1/udp/10.0.0.1:1-10.0.0.2:0", kT0, kT0 + 60000, later, 3600);
  ASSERT_TRUE(low);
  EXPECT_TRUE(low->points.empty()) << "the quietest flow is not";
  // Once out of the 1 s window, the series of flows without roll-up rows are gone.
  ASSERT_TRUE(repo_->enforce_retention({3600, 7 * 86400}, later));
  auto n = db_->prepare("SELECT count(*) FROM analyzer_series");
  ASSERT_TRUE(n && n->step().value());
  EXPECT_EQ(n->col_int64(0), 1 + 2 * AnalyzerRepo::kRollupFlowsMax);
}

TEST_F(AnalyzerRepoTest, RecentRangeIsAnsweredAtOneSecond) {
  fill(kT0, kT0 + 120000, [](std::int64_t i) { return static_cast<double>(i); });
  ASSERT_TRUE(repo_->roll_up(kT0 + 130000));
  std::int64_t now = kT0 + 120000;
  auto q = repo_->query("volume.link.rx.bps", "", kT0 + 10000, kT0 + 19000, now, 3600);
  ASSERT_TRUE(q) << q.error().what;
  EXPECT_EQ(q->resolution_s, 1);
  ASSERT_EQ(q->points.size(), 10u);
  EXPECT_EQ(q->points.front().ts_ms, kT0 + 10000);
  EXPECT_DOUBLE_EQ(q->points.back().value, 19);
  // A range reaching past the 1 s window comes from the roll-up, as docs/analyzer.md says.
  auto wide = repo_->query("volume.link.rx.bps", "", kT0, kT0 + 120000, now, 60);
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->resolution_s, 60);
  EXPECT_EQ(wide->points.size(), 2u);
  auto fl = repo_->query("flow.rx.bps", kFlow, kT0, kT0 + 2000, now, 3600);
  ASSERT_TRUE(fl);
  ASSERT_EQ(fl->points.size(), 3u);
  EXPECT_DOUBLE_EQ(fl->points[2].value, 4);
  auto other = repo_->query("flow.rx.bps", "1/udp/1.1.1.1:1-2.2.2.2:2", kT0, kT0 + 2000, now, 3600);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->points.empty());
}

TEST_F(AnalyzerRepoTest, MetricsListsStoredHostMetrics) {
  fill(kT0, kT0 + 2000, [](std::int64_t) { return 1.0; });
  auto m = repo_->metrics();
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (std::vector<std::string>{"latency.rx.link.transport.max", "volume.link.rx.bps"}));
}

TEST_F(AnalyzerRepoTest, RetentionKeepsEachWindowAndDropsDeadSeries) {
  fill(kT0, kT0 + 180000, [](std::int64_t) { return 1.0; });
  ASSERT_TRUE(repo_->roll_up(kT0 + 190000));
  AnalyzerRetention r{60, 120};
  auto removed = repo_->enforce_retention(r, kT0 + 180000);
  ASSERT_TRUE(removed) << removed.error().what;
  EXPECT_EQ(repo_->count_samples().value(), 3 * 60) << "the last minute of 1 s samples";
  EXPECT_EQ(repo_->count_rollup().value(), 3 * 2) << "minutes 2 and 3 of the roll-up";
  // Much later every row is gone, and so are the series.
  ASSERT_TRUE(repo_->enforce_retention(r, kT0 + 86400000LL));
  EXPECT_EQ(repo_->count_samples().value(), 0);
  EXPECT_EQ(repo_->count_rollup().value(), 0);
  EXPECT_TRUE(repo_->metrics().value().empty());
}

TEST_F(AnalyzerRepoTest, RetentionDeletesInBatches) {
  std::int64_t n = AnalyzerRepo::kDeleteBatch * 2 + 10;
  std::vector<AnalyzerSecond> secs;
  for (std::int64_t i = 0; i < n; ++i) secs.push_back({kT0 + i * 1000, {{"loss.drop_ratio", "", 0.5}}});
  ASSERT_TRUE(repo_->insert_batch(secs));
  auto removed = repo_->enforce_retention({60, 120}, kT0 + n * 1000);
  ASSERT_TRUE(removed);
  EXPECT_GE(*removed, n - 60);
  EXPECT_EQ(repo_->count_samples().value(), 60);
}

TEST_F(AnalyzerRepoTest, ZeroRetentionIsRefusedAndDeletesNothing) {
  fill(kT0, kT0 + 5000, [](std::int64_t) { return 1.0; });
  EXPECT_FALSE(repo_->enforce_retention({0, 0}, kT0 + 86400000LL));
  EXPECT_EQ(repo_->count_samples().value(), 15);
}

TEST_F(AnalyzerRepoTest, ReadErrorDeletesNothing) {
  fill(kT0, kT0 + 5000, [](std::int64_t) { return 1.0; });
  ASSERT_TRUE(db_->exec("ALTER TABLE analyzer_rollup RENAME TO broken"));
  EXPECT_FALSE(repo_->roll_up(kT0 + 86400000LL));
  EXPECT_FALSE(repo_->query("volume.link.rx.bps", "", kT0 - 86400000LL, kT0, kT0 + 86400000LL, 3600));
  EXPECT_EQ(repo_->count_samples().value(), 15);
}

}  // namespace
}  // namespace pscope::store
