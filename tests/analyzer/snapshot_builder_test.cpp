// Raw kernel totals -> Snapshot: rates, drop ratio and layers, pair percentiles, flows, pressure.
#include <gtest/gtest.h>

#include <cstring>

#include "analyzer/snapshot_builder.h"

namespace pscope::analyzer {
namespace {

RawSample sample(int64_t t_s) {
  RawSample s;
  s.mono_ns = t_s * 1'000'000'000;
  s.wall_ns = 1'700'000'000'000'000'000 + s.mono_ns;
  s.flows_capacity = 1024;
  s.ifaces_capacity = 64;
  s.inflight_capacity = 256;
  return s;
}

BuilderOptions options() {
  BuilderOptions o;
  o.top_n = 2;
  o.reasons = {{12, "NETFILTER_DROP"}, {6, "SOCKET_RCVBUFF"}};
  return o;
}

TEST(analyzer_snapshot_builder, FirstSampleHasTotalsButNoRates) {
  SnapshotBuilder b(options());
  RawSample s = sample(1);
  s.counters.layer[PS_LAYER_LINK][PS_AN_RX] = {100, 10000};
  Snapshot out = b.build(s);
  EXPECT_EQ(out.interval_s, 0);
  EXPECT_EQ(out.volume[0][0].packets, 100u);
  EXPECT_EQ(out.volume[0][0].pps, 0);
  EXPECT_EQ(out.pairs.size(), static_cast<size_t>(PS_PAIRS));
  ASSERT_EQ(out.maps.size(), 3u);
}

TEST(analyzer_snapshot_builder, RatesAndDropRatioOverTheInterval) {
  SnapshotBuilder b(options());
  RawSample a = sample(1);
  a.counters.layer[PS_LAYER_LINK][PS_AN_RX] = {100, 10000};
  a.counters.layer[PS_LAYER_NETWORK][PS_AN_RX] = {100, 10000};
  b.build(a);
  RawSample c = sample(3);  // 2 s later
  c.counters.layer[PS_LAYER_LINK][PS_AN_RX] = {300, 30000};
  c.counters.layer[PS_LAYER_NETWORK][PS_AN_RX] = {300, 30000};
  c.counters.drops = 20;
  c.drops[12] = 18;
  c.drops[6] = 2;
  Snapshot out = b.build(c);
  EXPECT_DOUBLE_EQ(out.interval_s, 2.0);
  EXPECT_DOUBLE_EQ(out.volume[0][0].pps, 100.0);
  EXPECT_DOUBLE_EQ(out.volume[0][0].bps, 80000.0);
  EXPECT_DOUBLE_EQ(out.loss.drops_per_s, 10.0);
  EXPECT_DOUBLE_EQ(out.loss.drop_ratio, 0.1);
  ASSERT_EQ(out.loss.by_reason.size(), 2u);
  EXPECT_EQ(out.loss.by_reason[0].reason, "NETFILTER_DROP");
  EXPECT_EQ(out.loss.by_reason[0].layer, Layer::kNetwork);
  EXPECT_EQ(out.loss.by_layer[static_cast<int>(Layer::kNetwork)], 18u);
  EXPECT_EQ(out.loss.by_layer[static_cast<int>(Layer::kSocket)], 2u);
  EXPECT_DOUBLE_EQ(out.loss.ratio_by_layer[static_cast<int>(Layer::kNetwork)], 18.0 / 200);
}

TEST(analyzer_snapshot_builder, PairsUseTheIntervalsBuckets) {
  BuilderOptions o = options();
  o.latency_sample = 4;
  SnapshotBuilder b(o);
  RawSample a = sample(1);
  a.hist[PS_PAIR_RX_LINK_L4][20] = 1000;  // old, slow samples: not in the next interval
  b.build(a);
  RawSample c = sample(2);
  c.hist[PS_PAIR_RX_LINK_L4][20] = 1000;
  c.hist[PS_PAIR_RX_LINK_L4][10] = 50;
  c.max_ns[PS_PAIR_RX_LINK_L4] = 2000;
  Snapshot out = b.build(c);
  const LayerPair* p = nullptr;
  for (const auto& x : out.pairs)
    if (x.dir == Dir::kRx && x.from == Layer::kLink && x.to == Layer::kTransport) p = &x;
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->latency.count, 50u);
  EXPECT_EQ(p->latency.total_count, 1050u);
  EXPECT_EQ(p->latency.max_ns, 2000u);
  EXPECT_LE(p->latency.p99_ns, 2000);
  EXPECT_EQ(p->transitions, 1050u * 4);
  EXPECT_DOUBLE_EQ(p->transitions_per_s, 200.0);
}

TEST(analyzer_snapshot_builder, TopFlowsByIntervalBytesAndProcesses) {
  SnapshotBuilder b(options());
  auto flow = [](uint16_t port, uint64_t bytes, uint32_t pid) {
    RawFlow f;
    f.key.family = 4;
    f.key.proto = 6;
    f.key.lport = port;
    f.key.netns = 1;
    f.v.rx = {bytes / 100, bytes};
    f.v.pid = pid;
    std::memcpy(f.v.comm, "iperf3", 7);
    return f;
  };
  RawSample a = sample(1);
  a.flows = {flow(1, 1'000'000, 10), flow(2, 0, 10), flow(3, 0, 0)};
  b.build(a);
  RawSample c = sample(2);
  c.flows = {flow(1, 1'000'000, 10), flow(2, 5000, 10), flow(3, 100, 0)};  // 1 idle now
  Snapshot out = b.build(c);
  ASSERT_EQ(out.flows.size(), 2u);  // top_n
  EXPECT_EQ(out.flows[0].lport, 2);
  EXPECT_DOUBLE_EQ(out.flows[0].rx.bps, 40000.0);
  EXPECT_EQ(out.flows[1].lport, 3);
  ASSERT_EQ(out.processes.size(), 1u);
  EXPECT_EQ(out.processes[0].pid, 10u);
  EXPECT_EQ(out.processes[0].comm, "iperf3");
  EXPECT_EQ(out.processes[0].flows, 2u);
  EXPECT_EQ(out.maps[0].entries, 3u);
}

TEST(analyzer_snapshot_builder, MapPressureCountsPushedOutEntries) {
  SnapshotBuilder b(options());
  RawSample s = sample(1);
  s.flows.resize(3);
  s.counters.flow_inserts = 10;  // 7 pushed out by the LRU
  s.counters.flow_insert_fail = 1;
  s.counters.track_inserts = 10;
  s.counters.track_reused = 1000;  // in-place reuse is not pressure
  s.inflight_entries = 4;
  Snapshot out = b.build(s);
  EXPECT_EQ(out.maps[0].map, "flows");
  EXPECT_EQ(out.maps[0].evictions_or_failures, 8u);
  EXPECT_EQ(out.maps[2].map, "inflight");
  EXPECT_EQ(out.maps[2].evictions_or_failures, 6u);
}

}  // namespace
}  // namespace pscope::analyzer
