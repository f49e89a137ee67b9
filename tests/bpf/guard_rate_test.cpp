// Rate-limit accuracy of the Guarder's token buckets (one per rule and source address), in
// packets/s and bytes/s: a burst passes about `burst`, and a paced stream passes
// rate * time + burst within 10 %. Packets are sent one BPF_PROG_TEST_RUN at a time at a known
// pace, so the kernel's clock drives the bucket exactly as with real traffic.
#include <gtest/gtest.h>
#include <time.h>

#include <cmath>
#include <string>

#include "guard_fixture.h"
#include "guard_rows.h"

namespace pscope::testing::guard {
namespace {

class GuardRateTest : public GuardTest {
 protected:
  struct Sent {
    std::uint64_t sent = 0, passed = 0, dropped = 0;
    double seconds = 0;  // first send to last send
  };

  // Sends `pkt` `n` times back to back.
  Sent burst(const Bytes& pkt, int n) {
    Sent s;
    std::int64_t t0 = monotonic_ns();
    for (int i = 0; i < n; i++) count(s, run_packet(prog_fd_, pkt));
    s.seconds = static_cast<double>(monotonic_ns() - t0) / 1e9;
    return s;
  }

  // Sends `pkt` at `pps` for `seconds` (absolute-deadline sleeps, so the pace does not drift).
  Sent paced(const Bytes& pkt, double pps, double seconds) {
    Sent s;
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    std::int64_t t0 = monotonic_ns(), gap = static_cast<std::int64_t>(1e9 / pps);
    auto n = static_cast<std::uint64_t>(pps * seconds);
    for (std::uint64_t i = 0; i < n; i++) {
      count(s, run_packet(prog_fd_, pkt));
      next.tv_nsec += gap;
      while (next.tv_nsec >= 1'000'000'000) {
        next.tv_nsec -= 1'000'000'000;
        next.tv_sec++;
      }
      if (i + 1 < n) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
    s.seconds = static_cast<double>(monotonic_ns() - t0) / 1e9;
    return s;
  }

  static void count(Sent& s, const RunOut& r) {
    EXPECT_EQ(r.err, 0);
    s.sent++;
    (r.retval == kXdpDrop ? s.dropped : s.passed)++;
  }

  static Bytes udp_from(const std::string& src, std::size_t payload = 16) {
    return Frame().ipv4(src, "192.0.2.1").udp(1000, 53).payload(payload).build();
  }
};

TEST_F(GuardRateTest, PacketsPerSecond) {
  apply({make_rule(1001, R"({"action": "rate-limit", "rate": {"pps": 1000, "burst": 100},
                             "match": {"src": "10.77.0.0/24"}})")});
  guarder::GuardStats s0 = stats();
  Counters c0 = counters();

  // A burst from one source: about `burst` pass, plus what refills while it is sent.
  Sent b = burst(udp_from("10.77.0.1"), 400);
  double refill = 1000 * b.seconds;
  EXPECT_GE(b.passed, 100u);
  EXPECT_LE(b.passed, 100 + static_cast<std::uint64_t>(std::ceil(refill)) + 1)
      << "burst sent in " << b.seconds << " s";

  // Another source has its own bucket: a paced stream at 2.5x the rate for 1.5 s.
  Sent p = paced(udp_from("10.77.0.2"), 2500, 1.5);
  double want = 1000 * p.seconds + 100;
  EXPECT_NEAR(static_cast<double>(p.passed), want, want * 0.10)
      << p.sent << " sent in " << p.seconds << " s";

  guarder::GuardStats s1 = stats();
  Counters c1 = counters();
  std::uint64_t drops = b.dropped + p.dropped;
  EXPECT_EQ(s1.rate_dropped - s0.rate_dropped, drops);
  EXPECT_EQ(s1.dropped - s0.dropped, 0u) << "rate drops are not counted as rule drops";
  EXPECT_EQ(s1.passed - s0.passed, b.passed + p.passed);
  EXPECT_EQ(rate_dropped_of(c1, 1001) - rate_dropped_of(c0, 1001), drops);
  std::uint64_t pkts = packets_of(c1, 1001) - packets_of(c0, 1001);
  EXPECT_TRUE(pkts == b.sent + p.sent || pkts == b.passed + p.passed)
      << "rule packets " << pkts << ": neither every match nor every packet within the rate";
  std::printf("[ rate pps ] burst: %llu/%llu passed in %.4f s; paced: %llu/%llu passed in %.3f s "
              "(want %.0f)\n",
              static_cast<unsigned long long>(b.passed), static_cast<unsigned long long>(b.sent),
              b.seconds, static_cast<unsigned long long>(p.passed),
              static_cast<unsigned long long>(p.sent), p.seconds, want);
}

TEST_F(GuardRateTest, BytesPerSecond) {
  // 100 000 B/s with a 20 000 B burst; 514-byte frames (500 bytes of IP).
  apply({make_rule(1002, R"({"action": "rate-limit", "rate": {"bps": 100000, "burst": 20000},
                             "match": {"src": "10.78.0.0/24"}})")});
  Bytes pkt = udp_from("10.78.0.1", 500 - 28);
  ASSERT_EQ(pkt.size(), 514u);
  Sent b = burst(pkt, 100);
  // 20 000 / 500 = 40 (IP bytes) or 20 000 / 514 = 38 (frame bytes).
  EXPECT_GE(b.passed, 38u);
  EXPECT_LE(b.passed, 41u + static_cast<std::uint64_t>(100000 * b.seconds / 500));

  Sent p = paced(udp_from("10.78.0.2", 500 - 28), 600, 1.5);
  double want_bytes = 100000 * p.seconds + 20000;
  double got_bytes = 507.0 * static_cast<double>(p.passed);  // either size: within 1.4 %
  EXPECT_NEAR(got_bytes, want_bytes, want_bytes * 0.10)
      << p.passed << "/" << p.sent << " passed in " << p.seconds << " s";
  std::printf("[ rate bps ] burst: %llu passed; paced: %llu/%llu passed in %.3f s (want ~%.0f)\n",
              static_cast<unsigned long long>(b.passed), static_cast<unsigned long long>(p.passed),
              static_cast<unsigned long long>(p.sent), p.seconds, want_bytes / 507);
}

// A shadow rate-limit counts what it would drop and drops nothing.
TEST_F(GuardRateTest, ShadowCountsOverRateOnly) {
  apply({make_rule(1003, R"({"action": "rate-limit", "shadow": true, "rate": {"pps": 10, "burst": 5},
                             "match": {"src": "10.79.0.1"}})")});
  Counters c0 = counters();
  Sent b = burst(udp_from("10.79.0.1"), 50);
  EXPECT_EQ(b.passed, 50u);
  std::uint64_t over = rate_dropped_of(counters(), 1003) - rate_dropped_of(c0, 1003);
  EXPECT_GE(over, 44u);
  EXPECT_LE(over, 45u);
}

}  // namespace
}  // namespace pscope::testing::guard
