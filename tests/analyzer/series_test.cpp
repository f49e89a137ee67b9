// Snapshot -> stored series: every name is one the store accepts, flows are bounded.
#include <gtest/gtest.h>

#include <set>

#include "analyzer/series.h"
#include "sample_snapshot.h"
#include "store/analyzer_repo.h"

namespace pscope::analyzer {
namespace {

TEST(Series, EveryNameIsADocumentedMetric) {
  auto samples = series_samples(test::sample_snapshot());
  ASSERT_FALSE(samples.empty());
  std::set<std::string> names;
  for (const auto& s : samples) {
    EXPECT_TRUE(store::is_analyzer_metric(s.metric, !s.flow.empty())) << s.metric << " flow=" << s.flow;
    if (s.flow.empty()) names.insert(s.metric);
  }
  for (const char* n : {"volume.link.rx.bps", "volume.socket.tx.pps", "latency.rx.link.transport.p99",
                        "latency.rx.link.transport.max", "transitions.rx.link.transport", "loss.drops_per_s",
                        "loss.drop_ratio", "loss.reason.NETFILTER_DROP.per_s", "tcp.retransmits_per_s"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(Series, ValuesAndFlowsAreBounded) {
  auto s = test::sample_snapshot();
  for (int i = 0; i < 100; ++i) {
    Flow f = s.flows[0];
    f.key = "1/tcp/10.0.0.1:1-10.0.0.2:" + std::to_string(i);
    s.flows.push_back(f);
  }
  std::set<std::string> flows;
  double link_rx_bps = -1;
  for (const auto& x : series_samples(s, 5)) {
    if (!x.flow.empty()) flows.insert(x.flow);
    if (x.metric == "volume.link.rx.bps") link_rx_bps = x.value;
  }
  EXPECT_EQ(flows.size(), 5u);
  EXPECT_EQ(link_rx_bps, 9600.0);
}

TEST(Series, IdlePairsStoreNoLatency) {
  auto s = test::sample_snapshot();
  s.pairs[0].latency.count = 0;
  for (const auto& x : series_samples(s)) EXPECT_EQ(x.metric.rfind("latency.", 0), std::string::npos) << x.metric;
}

TEST(Series, UdpFlowsHaveNoTcpFigures) {
  auto s = test::sample_snapshot();
  for (const auto& x : series_samples(s)) {
    if (x.flow != s.flows[1].key) continue;
    EXPECT_TRUE(x.metric != "flow.srtt_us" && x.metric != "flow.cwnd") << x.metric;
  }
}

}  // namespace
}  // namespace pscope::analyzer
