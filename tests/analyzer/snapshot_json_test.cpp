// Snapshot -> JSON: the shape docs/analyzer.md promises to the UI and the CLI.
#include <gtest/gtest.h>

#include "sample_snapshot.h"
#include "analyzer/snapshot_json.h"

namespace pscope::analyzer {
namespace {

TEST(SnapshotJson, HasEveryDocumentedField) {
  auto j = to_json(test::sample_snapshot());
  for (const char* k : {"wall_ns", "interval_s", "latency_sample", "volume", "pairs", "loss", "tcp", "flows",
                        "interfaces", "namespaces", "processes", "maps"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["volume"]["link"]["rx"]["packets"], 10);
  EXPECT_EQ(j["volume"]["link"]["rx"]["bps"], 9600.0);
  EXPECT_EQ(j["volume"]["socket"]["tx"]["bytes"], 0);
  const auto& p = j["pairs"][0];
  EXPECT_EQ(p["dir"], "rx");
  EXPECT_EQ(p["from"], "link");
  EXPECT_EQ(p["to"], "transport");
  EXPECT_EQ(p["latency"]["p50_ns"], 12000.0);
  EXPECT_EQ(p["latency"]["total_count"], 90);
  EXPECT_FALSE(p["latency"].contains("buckets")) << "buckets only on request";
  EXPECT_EQ(j["loss"]["by_layer"]["network"], 3);
  EXPECT_EQ(j["loss"]["ratio_by_layer"]["network"], 0.1);
  EXPECT_EQ(j["loss"]["by_reason"][0]["reason"], "NETFILTER_DROP");
  EXPECT_EQ(j["loss"]["by_reason"][0]["layer"], "network");
  EXPECT_EQ(j["tcp"]["retransmits"], 2);
  EXPECT_EQ(j["interfaces"][0]["name"], "veth0");
  EXPECT_EQ(j["namespaces"][0]["drops"], 3);
  EXPECT_EQ(j["processes"][0]["comm"], "iperf3");
  EXPECT_EQ(j["maps"][0]["capacity"], 65536);
}

TEST(SnapshotJson, FlowFields) {
  auto f = to_json(test::sample_snapshot().flows[0]);
  EXPECT_EQ(f["key"], "4026531840/tcp/10.0.0.1:5201-10.0.0.2:40000");
  EXPECT_EQ(f["protocol"], "tcp");
  EXPECT_EQ(f["lport"], 5201);
  EXPECT_EQ(f["rx"]["bytes"], 150000);
  EXPECT_EQ(f["srtt_us"], 40);
  EXPECT_EQ(f["cookie"], 4097);
  for (const char* k : {"netns", "family", "local", "remote", "rport", "tx", "drops", "retransmits", "rst_sent",
                        "rst_received", "cwnd", "latency_avg_ns", "latency_max_ns", "pid", "comm", "first_seen_ns",
                        "last_seen_ns"})
    EXPECT_TRUE(f.contains(k)) << k;
}

TEST(SnapshotJson, TopFlowsAndBuckets) {
  auto s = test::sample_snapshot();
  auto j = to_json(s, {1, true});
  EXPECT_EQ(j["flows"].size(), 1u);
  ASSERT_TRUE(j["pairs"][0]["latency"].contains("buckets"));
  EXPECT_EQ(j["pairs"][0]["latency"]["buckets"].size(), 64u);
  EXPECT_EQ(j["pairs"][0]["latency"]["buckets"][13], 3);
  EXPECT_EQ(to_json(s, {0, false})["flows"].size(), 0u);
}

TEST(SnapshotJson, EmptySnapshotIsStillComplete) {
  auto j = to_json(Snapshot{});
  EXPECT_TRUE(j["pairs"].is_array());
  EXPECT_TRUE(j["flows"].is_array());
  EXPECT_EQ(j["volume"].size(), 4u);
}

}  // namespace
}  // namespace pscope::analyzer
