// The kernel against the reference: for a seeded random corpus of rules and packets, the XDP
// verdict and the set of rule counters each packet moves must equal guarder::evaluate()
// (matcher.h). And the same at scale: 100 000 rules, sampled hits and misses.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <cstdio>
#include <set>
#include <string>

#include "guard_corpus.h"
#include "guard_fixture.h"
#include "guard_rows.h"
#include "guarder/matcher.h"

namespace pscope::testing::guard {
namespace {

using GuardParityTest = GuardTest;

std::string ids_text(const std::set<std::uint32_t>& s) {
  std::string t;
  for (auto id : s) t += (t.empty() ? "" : ",") + std::to_string(id);
  return "{" + t + "}";
}

// The rules whose counters a packet moves: every non-terminal rule applied, then the terminal.
std::set<std::uint32_t> want_moved(const guarder::Verdict& v) {
  std::set<std::uint32_t> s(v.applied.begin(), v.applied.end());
  if (v.terminal) s.insert(*v.terminal);
  return s;
}

TEST_F(GuardParityTest, RandomCorpusMatchesReference) {
  constexpr std::uint32_t kSeed = 20240605;
  constexpr int kRules = 300, kPackets = 2000, kShow = 8;
  Corpus corpus(kSeed);
  std::int64_t now = wall_ns();
  std::vector<guarder::Rule> rules = corpus.rules(kRules, 5001, now);
  guarder::ApplyReport rep = apply(rules);
  ASSERT_FALSE(HasFailure());
  std::printf("[ parity ] seed %u: %d rules, %u compiled, %u lists, longest %u\n", kSeed, kRules,
              rep.rules, rep.lists, rep.longest_list);

  int mismatches = 0, drops = 0, decided = 0, by_address = 0, with_applied = 0;
  std::set<std::uint32_t> deciders;
  std::uint64_t overflow0 = stats().hits_overflow;
  Counters before = counters();
  std::vector<std::uint32_t> ids;
  for (const auto& r : rules) ids.push_back(r.id);
  for (int i = 0; i < kPackets; i++) {
    CorpusPacket p = corpus.packet();
    RunOut out = run_packet(prog_fd_, p.frame);
    ASSERT_EQ(out.err, 0) << p.text;
    Counters after = counters();
    std::set<std::uint32_t> moved;
    for (auto id : ids)
      if (packets_of(after, id) != packets_of(before, id)) moved.insert(id);
    before = std::move(after);

    guarder::Verdict v = guarder::evaluate(rules, p.facts, wall_ns());
    std::set<std::uint32_t> want = want_moved(v);
    bool kernel_drop = out.retval == kXdpDrop;
    drops += kernel_drop;
    decided += v.terminal.has_value();
    with_applied += !v.applied.empty();
    if (v.terminal) {
      deciders.insert(*v.terminal);
      for (const auto& r : rules)
        if (r.id == *v.terminal && (r.match.src || r.match.dst)) by_address++;
    }
    if (kernel_drop == v.drop && moved == want) continue;
    if (++mismatches > kShow) continue;
    std::string detail = "packet " + std::to_string(i) + ": " + p.text + "\n  kernel " +
                         (kernel_drop ? "DROP" : "PASS") + " moved " + ids_text(moved) +
                         "\n  reference " + (v.drop ? "DROP" : "PASS") + " moved " +
                         ids_text(want);
    std::set<std::uint32_t> diff;
    std::set_symmetric_difference(moved.begin(), moved.end(), want.begin(), want.end(),
                                  std::inserter(diff, diff.begin()));
    for (const auto& r : rules)
      if (diff.count(r.id) || (v.terminal && r.id == *v.terminal)) detail += "\n    " + rule_text(r);
    ADD_FAILURE() << detail;
  }
  std::uint64_t overflow = stats().hits_overflow - overflow0;
  EXPECT_EQ(mismatches, 0) << mismatches << " of " << kPackets << " packets differ (first "
                           << kShow << " shown above); hits_overflow moved by " << overflow;
  std::printf("[ parity ] %d packets: %d dropped, %d decided by a terminal rule (%d by one with "
              "addresses, %zu distinct rules), %d with non-terminal hits, %d mismatches\n",
              kPackets, drops, decided, by_address, deciders.size(), with_applied, mismatches);
  // A corpus that hits nothing would prove nothing.
  EXPECT_GT(drops, kPackets / 10);
  EXPECT_GT(decided, kPackets / 3);
  EXPECT_GT(by_address, kPackets / 5);
  EXPECT_GT(deciders.size(), 30u);
  EXPECT_GT(with_applied, kPackets / 10);
  apply({});
}

// 100 000 rules: mostly distinct /32 and /24 sources, some /32 passes inside the /24 drops,
// destination + port rules and IPv6 sources. Sampled packets against the reference.
std::vector<guarder::Rule> scale_rules() {
  std::vector<guarder::Rule> rules;
  auto v4 = [](std::uint32_t a, std::uint8_t plen) {
    guarder::Cidr c;
    c.family = 4;
    c.prefix = plen;
    a = htonl(a);
    std::memcpy(c.addr.data(), &a, 4);
    return c;
  };
  auto src = [](const guarder::Cidr& c) {
    guarder::Match m;
    m.src = c;
    return m;
  };
  auto add = [&](guarder::Action act, int prio, guarder::Match m) {
    guarder::Rule r;
    r.id = static_cast<std::uint32_t>(rules.size() + 1);
    r.action = act;
    r.priority = prio;
    m.family = m.src ? m.src->family : m.dst ? m.dst->family : m.family;
    r.match = std::move(m);
    rules.push_back(std::move(r));
  };
  for (std::uint32_t i = 0; i < 55000; i++)  // 10.0.0.0 + 7i: distinct /32 drops
    add(guarder::Action::kDrop, 100, src(v4(0x0A000000u + 7 * i, 32)));
  for (std::uint32_t i = 0; i < 30000; i++)  // 20.0.0.0/24, 20.0.1.0/24, ...
    add(guarder::Action::kDrop, 100, src(v4(0x14000000u + 256 * i, 24)));
  for (std::uint32_t i = 0; i < 5000; i++)  // .5 in every 6th /24 passes first
    add(guarder::Action::kPass, 10, src(v4(0x14000000u + 256 * 6 * i + 5, 32)));
  for (std::uint32_t i = 0; i < 5000; i++) {  // destination + UDP port
    guarder::Match m;
    m.dst = v4(0xC6120000u + i, 32);
    m.protocol = 17;
    m.dport = guarder::Range<std::uint16_t>{53, 53};
    add(guarder::Action::kDrop, 200, m);
  }
  for (std::uint32_t i = 0; i < 5000; i++) {  // IPv6 /128 sources 2001:db8::<i>
    guarder::Cidr c;
    c.family = 6;
    c.prefix = 128;
    c.addr = {0x20, 0x01, 0x0d, 0xb8};
    c.addr[14] = static_cast<std::uint8_t>(i >> 8);
    c.addr[15] = static_cast<std::uint8_t>(i);
    add(guarder::Action::kDrop, 100, src(c));
  }
  return rules;
}

TEST_F(GuardParityTest, HundredThousandRules) {
  std::vector<guarder::Rule> rules = scale_rules();
  ASSERT_EQ(rules.size(), 100000u);
  std::int64_t t0 = monotonic_ns();
  guarder::ApplyReport rep = apply(rules);
  ASSERT_FALSE(HasFailure());
  double apply_ms = static_cast<double>(monotonic_ns() - t0) / 1e6;
  std::printf("[ scale ] 100000 rules applied in %.0f ms (compile %.0f ms, write %.0f ms), %u "
              "lists, %u items, longest list %u\n",
              apply_ms, rep.compile_ms, rep.write_ms, rep.lists, rep.items, rep.longest_list);
  EXPECT_EQ(rep.rules, 100000u);

  std::mt19937 rng(7);
  auto pick = [&](std::uint32_t n) { return std::uniform_int_distribution<std::uint32_t>(0, n - 1)(rng); };
  auto text4 = [](std::uint32_t a) {
    char b[INET_ADDRSTRLEN];
    a = htonl(a);
    inet_ntop(AF_INET, &a, b, sizeof(b));
    return std::string(b);
  };
  int checked = 0, drops = 0, bad = 0;
  for (int i = 0; i < 400; i++) {
    std::string src, dst = text4(0xC0000201u), v6src;
    std::uint16_t dport = 9;
    switch (i % 6) {
      case 0: src = text4(0x0A000000u + 7 * pick(55000)); break;                   // /32 hit
      case 1: src = text4(0x0A000000u + 7 * pick(55000) + 1 + pick(6)); break;     // /32 miss
      case 2: src = text4(0x14000000u + 256 * pick(30000) + 1 + pick(250)); break; // /24 hit
      case 3: src = text4(0x14000000u + 256 * 6 * pick(5000) + 5); break;          // pass first
      case 4: src = text4(0x0B000000u + pick(1000)); dst = text4(0xC6120000u + pick(6000)); dport = 53; break;
      default: {
        char b[INET6_ADDRSTRLEN];
        std::array<std::uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
        std::uint32_t n = pick(6000);
        a[14] = static_cast<std::uint8_t>(n >> 8);
        a[15] = static_cast<std::uint8_t>(n);
        inet_ntop(AF_INET6, a.data(), b, sizeof(b));
        v6src = b;
      }
    }
    guarder::PacketFacts f;
    PacketBuilder pb = Frame();
    if (v6src.empty()) {
      pb.ipv4(src, dst).udp(1000, dport);
      f.family = 4;
      inet_pton(AF_INET, src.c_str(), f.saddr.data());
      inet_pton(AF_INET, dst.c_str(), f.daddr.data());
      f.length = 28;
    } else {
      pb.ipv6(v6src, "2001:db8:ff::1").udp(1000, dport);
      f.family = 6;
      inet_pton(AF_INET6, v6src.c_str(), f.saddr.data());
      inet_pton(AF_INET6, "2001:db8:ff::1", f.daddr.data());
      f.length = 48;
    }
    f.protocol = 17;
    f.sport = 1000;
    f.dport = dport;
    f.ttl = 64;
    f.ifindex = 1;
    RunOut out = run_packet(prog_fd_, pb.build());
    ASSERT_EQ(out.err, 0);
    guarder::Verdict v = guarder::evaluate(rules, f, wall_ns());
    checked++;
    drops += v.drop;
    if ((out.retval == kXdpDrop) != v.drop && ++bad <= 5)
      ADD_FAILURE() << "sample " << i << " src " << (v6src.empty() ? src : v6src) << " dst " << dst
                    << " dport " << dport << ": kernel " << out.retval << ", reference "
                    << (v.drop ? "drop" : "pass");
  }
  EXPECT_EQ(bad, 0);
  EXPECT_GT(drops, checked / 4);
  EXPECT_LT(drops, checked * 9 / 10);
  std::printf("[ scale ] %d sampled packets, %d dropped, %d differ from the reference\n", checked,
              drops, bad);
  apply({});
}

}  // namespace
}  // namespace pscope::testing::guard
