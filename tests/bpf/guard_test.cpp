// BPF_PROG_TEST_RUN tests of the Guarder's XDP program (bpf/guard.bpf.c) through the real
// Engine (compile, pinned maps, slot flip). The table (guard_rows*.cpp) covers every match
// field and action; the tests below cover what one packet cannot show: ingress interfaces,
// log sampling, expiry in the kernel, and counters across rule-set changes.
//
// Needs root; skips otherwise. Run: sudo ctest -R 'bpf.*Guard' (or the bpf_guard_test binary).
#include <gtest/gtest.h>
#include <net/if.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>

#include "guard_fixture.h"
#include "guard_rows.h"

namespace pscope::testing::guard {
namespace {

// Recent kernels refuse an untagged IPv4/IPv6 frame whose network header is shorter than
// 20/40 bytes before the program runs (as in tracer_tc_test.cpp); tagged twins cover those.
bool kernel_may_reject(const Bytes& pkt) {
  if (pkt.size() < kEthHdrLen) return true;
  auto type = static_cast<std::uint16_t>(pkt[12] << 8 | pkt[13]);
  return (type == kEthIPv4 && pkt.size() < kEthHdrLen + kIpv4HdrLen) ||
         (type == kEthIPv6 && pkt.size() < kEthHdrLen + kIpv6HdrLen);
}

class GuardRowTest : public GuardTest, public ::testing::WithParamInterface<Row> {};

TEST_P(GuardRowTest, VerdictAndCounters) {
  const Row& row = GetParam();
  std::vector<guarder::Rule> rules;
  for (const auto& [id, json] : row.rules) rules.push_back(make_rule(id, json));
  if (HasFailure()) return;
  apply(rules);
  if (HasFailure()) return;
  Counters c0 = counters();
  guarder::GuardStats s0 = stats();

  RunOut out = run_packet(prog_fd_, row.packet);
  if (out.err == -EINVAL && kernel_may_reject(row.packet))
    GTEST_SKIP() << "the kernel refuses this short frame before the program runs";
  ASSERT_EQ(out.err, 0) << std::strerror(-out.err);
  EXPECT_EQ(out.retval, row.verdict) << row.description << " (1 = XDP_DROP, 2 = XDP_PASS)";

  Counters c1 = counters();
  for (const auto& [id, json] : row.rules) {
    std::uint64_t want = 0;
    for (const Hit& h : row.hits)
      if (h.id == id) want = h.packets;
    EXPECT_EQ(packets_of(c1, id) - packets_of(c0, id), want) << "rule " << id << ": " << json;
    if (want && c1.count(id)) {
      EXPECT_GT(c1[id].bytes, c0.count(id) ? c0[id].bytes : 0) << "rule " << id << " bytes";
      EXPECT_NEAR(static_cast<double>(c1[id].last_hit_ns), static_cast<double>(wall_ns()), 5e9)
          << "rule " << id << " last_hit";
    }
  }
  guarder::GuardStats s1 = stats();
  bool dropped = row.verdict == kXdpDrop;
  EXPECT_EQ(s1.packets - s0.packets, 1u);
  EXPECT_EQ(s1.bytes - s0.bytes, row.packet.size()) << "guard_stats bytes: the frame length";
  // Non-IP frames are counted in non_ip only (packets = passed + dropped + rate_dropped + non_ip).
  EXPECT_EQ(s1.passed - s0.passed, dropped || row.non_ip ? 0u : 1u);
  EXPECT_EQ(s1.dropped - s0.dropped, dropped ? 1u : 0u);
  EXPECT_EQ(s1.rate_dropped - s0.rate_dropped, 0u);
  EXPECT_EQ(s1.malformed - s0.malformed, row.malformed ? 1u : 0u);
  EXPECT_EQ(s1.non_ip - s0.non_ip, row.non_ip ? 1u : 0u);
  EXPECT_EQ(s1.log_sent - s0.log_sent, row.logs);
  // Leave the ring buffer empty for the log tests.
  if (row.logs) (void)engine_->poll_log(0, [](const guarder::LogSample&) {});
}

INSTANTIATE_TEST_SUITE_P(Table, GuardRowTest, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& i) { return i.param.name; });

TEST(GuardRowsTable, NamesAreUnique) {
  std::map<std::string, int> seen;
  for (const Row& r : Rows()) EXPECT_EQ(seen[r.name]++, 0) << r.name;
}

using GuardEngineTest = GuardTest;

// xdp_md.ingress_ifindex in the test-run context. Runs in a private network namespace (this
// thread only) holding a veth pair, so rules can name interfaces without touching the host's.
TEST_F(GuardEngineTest, IngressInterface) {
  unsigned lo = if_nametoindex("lo");
  ASSERT_NE(lo, 0u);
  RunOut on_lo = run_packet(prog_fd_, Frame().ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build(), lo);
  ASSERT_EQ(on_lo.err, 0) << "this kernel refuses xdp_md.ingress_ifindex = lo in a test run: "
                          << std::strerror(-on_lo.err);

  std::thread t([&] {
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << std::strerror(errno);
    ASSERT_EQ(std::system("ip link add gta type veth peer name gtb"), 0);
    unsigned a = if_nametoindex("gta"), b = if_nametoindex("gtb"), l = if_nametoindex("lo");
    ASSERT_TRUE(a && b && l);
    apply({make_rule(1, R"({"action": "drop", "match": {"iface": "gta", "protocol": "udp"}})"),
           make_rule(2, R"({"action": "drop", "match": {"iface": "lo", "protocol": "tcp"}})")});
    Bytes udp = Frame().ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build();
    Bytes tcp = Frame().ipv4("10.1.2.3", "192.0.2.1").tcp(1, 2, kSyn).build();
    Counters c0 = counters();
    EXPECT_EQ(run(udp, a).retval, kXdpDrop) << "udp on gta";
    EXPECT_EQ(run(udp, b).retval, kXdpPass) << "udp on gtb";
    EXPECT_EQ(run(udp, l).retval, kXdpPass) << "udp on lo";
    EXPECT_EQ(run(tcp, l).retval, kXdpDrop) << "tcp on lo";
    EXPECT_EQ(run(tcp, 0).retval, kXdpDrop) << "tcp, default device (lo)";
    EXPECT_EQ(run(tcp, a).retval, kXdpPass) << "tcp on gta";
    Counters c1 = counters();
    EXPECT_EQ(packets_of(c1, 1) - packets_of(c0, 1), 1u);
    EXPECT_EQ(packets_of(c1, 2) - packets_of(c0, 2), 2u);
    apply({});
    // The namespace (and its veth pair) goes away with this thread.
  });
  t.join();
}

// 1-in-N sampling: N * k hits give k samples with the frame's first bytes and its verdict.
TEST_F(GuardEngineTest, LogSamplesOneInN) {
  // The sampling counter may be per CPU: keep every run on one CPU so the count is exact.
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  cpu_set_t was;
  ASSERT_EQ(sched_getaffinity(0, sizeof(was), &was), 0);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);

  apply({make_rule(1, R"({"priority": 1, "action": "log", "log": {"every": 4}, "match": {"src": "10.1.2.3"}})"),
         make_rule(2, R"({"priority": 2, "action": "drop", "match": {"dport": 9, "protocol": "udp"}})")});
  (void)engine_->poll_log(0, [](const guarder::LogSample&) {});  // earlier rows' samples
  Bytes big = Frame().ipv4("10.1.2.3", "192.0.2.1").udp(1, 9).payload(300).build();
  Bytes small = Frame().ipv4("10.1.2.3", "192.0.2.1").udp(1, 10).payload(4).build();
  guarder::GuardStats s0 = stats();
  for (int i = 0; i < 40; i++) run(i % 2 ? small : big);
  std::vector<guarder::LogSample> got;
  for (int tries = 0; tries < 5 && got.size() < 10; tries++)
    (void)engine_->poll_log(200, [&](const guarder::LogSample& s) { got.push_back(s); });
  ASSERT_EQ(sched_setaffinity(0, sizeof(was), &was), 0);

  EXPECT_EQ(got.size(), 10u) << "40 hits, 1 in 4";
  EXPECT_EQ(stats().log_sent - s0.log_sent, 10u);
  for (const auto& s : got) {
    EXPECT_EQ(s.rule_id, 1u);
    EXPECT_EQ(s.ifindex, if_nametoindex("lo"));
    EXPECT_NEAR(static_cast<double>(s.ts_ns), static_cast<double>(wall_ns()), 5e9);
    const Bytes& pkt = s.pkt_len == big.size() ? big : small;
    ASSERT_TRUE(s.pkt_len == big.size() || s.pkt_len == small.size()) << s.pkt_len;
    EXPECT_EQ(s.dropped, &pkt == &big) << "the sample carries the final verdict";
    std::size_t cap = std::min<std::size_t>(pkt.size(), 128);
    ASSERT_EQ(s.bytes.size(), cap);
    EXPECT_TRUE(std::equal(s.bytes.begin(), s.bytes.end(), pkt.begin()));
  }
}

// A rule with expires_ns stops matching in the kernel itself, with no re-apply.
TEST_F(GuardEngineTest, ExpiryInKernel) {
  guarder::Rule r = make_rule(1, R"({"action": "drop", "match": {"src": "10.1.2.3"}})");
  std::int64_t expires = wall_ns() + 1'000'000'000;
  r.expires_ns = expires;
  apply({r});
  Bytes pkt = Frame().ipv4("10.1.2.3", "192.0.2.1").udp(1, 2).build();
  EXPECT_EQ(run(pkt).retval, kXdpDrop) << "before expiry";
  std::this_thread::sleep_for(std::chrono::nanoseconds(expires - wall_ns() + 200'000'000));
  Counters c0 = counters();
  EXPECT_EQ(run(pkt).retval, kXdpPass) << "after expiry";
  EXPECT_EQ(packets_of(counters(), 1), packets_of(c0, 1)) << "an expired rule counts nothing";
}

// Counters follow rule ids across apply(); a deleted rule's slot is zeroed before reuse.
TEST_F(GuardEngineTest, CountersAcrossApply) {
  auto drop_src = [](std::uint32_t id, const std::string& src, int prio = 1000) {
    return make_rule(id, R"({"priority": )" + std::to_string(prio) +
                             R"(, "action": "drop", "match": {"src": ")" + src + R"("}})");
  };
  Bytes a = Frame().ipv4("10.50.0.1", "192.0.2.1").udp(1, 2).build();
  Bytes b = Frame().ipv4("10.50.0.2", "192.0.2.1").udp(1, 2).build();
  apply({});
  apply({drop_src(1, "10.50.0.1"), drop_src(2, "10.50.0.2")});
  for (int i = 0; i < 3; i++) run(a);
  for (int i = 0; i < 2; i++) run(b);
  Counters c = counters();
  EXPECT_EQ(packets_of(c, 1), 3u);
  EXPECT_EQ(packets_of(c, 2), 2u);

  // Rule 1 changed (priority and prefix), rule 2 deleted, rule 3 new.
  apply({drop_src(1, "10.50.0.0/24", 5), drop_src(3, "10.60.0.1")});
  c = counters();
  EXPECT_EQ(packets_of(c, 1), 3u) << "a changed rule keeps its counters";
  EXPECT_EQ(packets_of(c, 2), 0u) << "a deleted rule has no counters";
  EXPECT_EQ(packets_of(c, 3), 0u) << "a new rule starts at 0";
  run(b);
  EXPECT_EQ(packets_of(counters(), 1), 4u);
  auto ids = engine_->live_rule_ids();
  ASSERT_TRUE(ids);
  std::sort(ids->begin(), ids->end());
  EXPECT_EQ(*ids, (std::vector<std::uint32_t>{1, 3}));

  // Rule 2 comes back: a fresh counter, not the old one's 2.
  apply({drop_src(1, "10.50.0.1"), drop_src(2, "10.50.0.2"), drop_src(3, "10.60.0.1")});
  EXPECT_EQ(packets_of(counters(), 2), 0u);
  run(b);
  EXPECT_EQ(packets_of(counters(), 2), 1u);

  // Many slots freed and reused by other ids: every new rule starts at exactly 0.
  std::vector<guarder::Rule> first, second;
  for (std::uint32_t i = 0; i < 50; i++) {
    first.push_back(drop_src(100 + i, "10.70.0." + std::to_string(i)));
    second.push_back(drop_src(200 + i, "10.70.0." + std::to_string(i)));
  }
  apply(first);
  for (std::uint32_t i = 0; i < 50; i++)
    run(Frame().ipv4("10.70.0." + std::to_string(i), "192.0.2.1").udp(1, 2).build());
  apply({});
  apply(second);
  c = counters();
  for (std::uint32_t i = 0; i < 50; i++) {
    EXPECT_EQ(packets_of(c, 100 + i), 0u);
    EXPECT_EQ(packets_of(c, 200 + i), 0u) << "rule " << 200 + i << " inherited a counter";
  }
  run(Frame().ipv4("10.70.0.7", "192.0.2.1").udp(1, 2).build());
  EXPECT_EQ(packets_of(counters(), 207), 1u);
  apply({});
}

}  // namespace
}  // namespace pscope::testing::guard
