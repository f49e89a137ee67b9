// Atomic rule-set changes under traffic: one thread runs packets through the program while
// another flips between two rule sets. Each set is "a shadow rule matching everything, then a
// pass rule matching everything"; the other set's two rules are present but match nothing, so
// every counter survives each flip. A packet judged by a mix of the two sets (the shadow rule of
// one, the pass rule of the other) would break shadow == pass for both.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "guard_fixture.h"
#include "guard_rows.h"

namespace pscope::testing::guard {
namespace {

using GuardSwapTest = GuardTest;

// ids: set A = 31 (shadow), 32 (pass); set B = 41 (shadow), 42 (pass).
std::vector<guarder::Rule> rule_set(bool a) {
  // ttl 0 never occurs in the traffic below: "present but matching nothing".
  const char* live = R"("match": {"protocol": "udp"}})";
  const char* idle = R"("match": {"protocol": "udp", "ttl": 0}})";
  auto rule = [](std::uint32_t id, int prio, bool shadow, const char* match) {
    return make_rule(id, std::string(R"({"priority": )") + std::to_string(prio) +
                             R"(, "action": ")" + (shadow ? "drop" : "pass") +
                             R"(", "shadow": )" + (shadow ? "true" : "false") + ", " + match);
  };
  return {rule(31, 1, true, a ? live : idle), rule(32, 2, false, a ? live : idle),
          rule(41, 1, true, a ? idle : live), rule(42, 2, false, a ? idle : live)};
}

TEST_F(GuardSwapTest, NoPacketSeesTwoSets) {
  const auto set_a = rule_set(true), set_b = rule_set(false);
  if (HasFailure()) return;
  apply({});
  apply(set_a);
  Counters c0 = counters();
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0}, wrong{0};
  // Vary the source so the flow table and the lookups are exercised too.
  std::vector<Bytes> pkts;
  for (int i = 0; i < 16; i++)
    pkts.push_back(Frame().ipv4("10.90.0." + std::to_string(i + 1), "192.0.2.1").udp(1, 2).build());

  std::thread traffic([&] {
    for (std::size_t i = 0; !stop.load(std::memory_order_relaxed); i++) {
      RunOut r = run_packet(prog_fd_, pkts[i % pkts.size()]);
      if (r.err != 0 || r.retval != kXdpPass) wrong++;
      sent++;
    }
  });
  constexpr int kFlips = 60;
  std::uint64_t gen0 = stats().generation;
  for (int i = 0; i < kFlips && !HasFailure(); i++) apply(i % 2 ? set_a : set_b);
  stop = true;
  traffic.join();

  Counters c = counters();
  auto d = [&](std::uint32_t id) { return packets_of(c, id) - packets_of(c0, id); };
  EXPECT_EQ(wrong.load(), 0u) << "every packet must pass";
  EXPECT_EQ(d(31), d(32)) << "set A: shadow and pass counts differ: a packet saw both sets";
  EXPECT_EQ(d(41), d(42)) << "set B: shadow and pass counts differ: a packet saw both sets";
  EXPECT_EQ(d(32) + d(42), sent.load()) << "every packet judged by exactly one set";
  EXPECT_GT(d(32), 0u);
  EXPECT_GT(d(42), 0u);
  EXPECT_GE(stats().generation - gen0, static_cast<std::uint64_t>(kFlips));
  std::printf("[ swap ] %d flips, %llu packets: set A %llu, set B %llu\n", kFlips,
              static_cast<unsigned long long>(sent.load()),
              static_cast<unsigned long long>(d(32)), static_cast<unsigned long long>(d(42)));
  apply({});
}

}  // namespace
}  // namespace pscope::testing::guard
