// Smoke test of the Guarder engine end to end: load + pin, apply a handful of rules, run
// packets through BPF_PROG_TEST_RUN, check verdicts, counters and stats, reopen (a daemon
// restart), attach to a veth pair, and time a 100 000-rule apply. The table-driven behaviour
// tests live in guard_test.cpp; this file only proves the pieces fit. Needs root.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bpf/packet_builder.h"
#include "core/bpf.h"
#include "core/fd.h"
#include "guarder/engine.h"

namespace pscope::guarder {
namespace {

using testing::Bytes;
using testing::PacketBuilder;

Cidr cidr(const std::string& text) {
  Cidr c;
  auto slash = text.find('/');
  std::string addr = text.substr(0, slash);
  c.family = addr.find(':') == std::string::npos ? 4 : 6;
  c.prefix = static_cast<uint8_t>(slash == std::string::npos ? (c.family == 4 ? 32 : 128)
                                                              : std::stoi(text.substr(slash + 1)));
  inet_pton(c.family == 4 ? AF_INET : AF_INET6, addr.c_str(), c.addr.data());
  return c;
}

Rule rule(uint32_t id, int32_t prio, Action a) {
  Rule r;
  r.id = id;
  r.priority = prio;
  r.action = a;
  return r;
}

struct Run {
  int verdict = -1;
  uint32_t ns = 0;  // average duration per run
};

Run test_run(int prog_fd, const Bytes& pkt, int repeat = 1) {
  std::vector<uint8_t> out(pkt.size() + 256);
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt.data(), .data_out = out.data(),
              .data_size_in = uint32_t(pkt.size()), .data_size_out = uint32_t(out.size()),
              .repeat = repeat);
  if (bpf_prog_test_run_opts(prog_fd, &o) != 0) return {};
  return {static_cast<int>(o.retval), o.duration};
}

// A program that only returns XDP_PASS: the baseline of the cost figures.
UniqueFd empty_xdp() {
  bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  return UniqueFd(bpf_prog_load(BPF_PROG_TYPE_XDP, "empty_xdp", "GPL", insns, 2, nullptr));
}

class GuardEngineSmoke : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root (CAP_BPF, CAP_NET_ADMIN) to load XDP";
    }
    opt_.pin_dir = "/sys/fs/bpf/ps-gk-smoke-" + std::to_string(getpid());
    ASSERT_TRUE(Engine::remove_all(opt_));
    auto e = Engine::open(opt_);
    ASSERT_TRUE(e) << e.error().what;
    eng_ = std::move(*e);
  }
  void TearDown() override {
    eng_.reset();
    if (geteuid() != 0) return;
    EXPECT_TRUE(Engine::remove_all(opt_));
    EXPECT_FALSE(std::filesystem::exists(opt_.pin_dir));
  }
  EngineOptions opt_;
  std::unique_ptr<Engine> eng_;
};

TEST_F(GuardEngineSmoke, VerdictsCountersAndRestart) {
  std::vector<Rule> rules;
  rules.push_back(rule(1, 10, Action::kPass));
  rules.back().match.src = cidr("10.0.0.1/32");
  rules.push_back(rule(2, 20, Action::kDrop));
  rules.back().match.src = cidr("10.0.0.0/8");
  rules.push_back(rule(3, 30, Action::kDrop));
  rules.back().match.protocol = 6;
  rules.back().match.dport = Range<uint16_t>{23, 23};
  rules.push_back(rule(4, 5, Action::kLog));
  rules.back().match.dst = cidr("192.168.1.0/24");
  rules.push_back(rule(5, 40, Action::kRateLimit));
  rules.back().match.protocol = 17;
  rules.back().rate = RateLimit{2, 2, false};
  auto rep = eng_->apply(rules);
  ASSERT_TRUE(rep) << rep.error().what;
  EXPECT_EQ(rep->rules, 5u);
  EXPECT_EQ(rep->generation, 1u);

  int fd = eng_->prog_fd();
  auto tcp = [](const char* s, const char* d, uint16_t dport) {
    return PacketBuilder().ipv4(s, d).tcp(40000, dport, testing::kSyn).build();
  };
  EXPECT_EQ(test_run(fd, tcp("10.0.0.1", "192.168.1.1", 80)).verdict, XDP_PASS);  // pass wins
  EXPECT_EQ(test_run(fd, tcp("10.0.0.2", "1.1.1.1", 80)).verdict, XDP_DROP);
  EXPECT_EQ(test_run(fd, tcp("172.16.0.1", "1.1.1.1", 23)).verdict, XDP_DROP);
  EXPECT_EQ(test_run(fd, tcp("172.16.0.1", "1.1.1.1", 22)).verdict, XDP_PASS);
  Bytes v6 = PacketBuilder().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 23, testing::kSyn).build();
  EXPECT_EQ(test_run(fd, v6).verdict, XDP_DROP);
  Bytes udp = PacketBuilder().ipv4("172.16.0.9", "1.1.1.1").udp(5, 53).build();
  EXPECT_EQ(test_run(fd, udp).verdict, XDP_PASS);
  EXPECT_EQ(test_run(fd, udp).verdict, XDP_PASS);
  EXPECT_EQ(test_run(fd, udp).verdict, XDP_DROP);  // burst of 2 spent
  Bytes arp = PacketBuilder().arp(testing::kArpRequest, "10.0.0.1", "10.0.0.2").build();
  EXPECT_EQ(test_run(fd, arp).verdict, XDP_PASS);
  Bytes cut = PacketBuilder().vlan(7).ipv4("10.0.0.2", "1.1.1.1").tcp(1, 2, 0).truncate(14 + 4 + 20 + 10).build();
  EXPECT_EQ(test_run(fd, cut).verdict, XDP_PASS);  // malformed: only malformed rules apply

  auto c = eng_->counters();
  ASSERT_TRUE(c) << c.error().what;
  EXPECT_EQ((*c)[1].packets, 1u);
  EXPECT_EQ((*c)[2].packets, 1u);
  EXPECT_EQ((*c)[3].packets, 2u);
  EXPECT_EQ((*c)[4].packets, 1u);
  EXPECT_EQ((*c)[5].packets, 3u);
  EXPECT_EQ((*c)[5].rate_dropped, 1u);
  EXPECT_GT((*c)[1].last_hit_ns, 1'600'000'000'000'000'000);
  auto s = eng_->stats();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->packets, 10u);
  EXPECT_EQ(s->dropped, 3u);
  EXPECT_EQ(s->rate_dropped, 1u);
  EXPECT_EQ(s->non_ip, 1u);
  EXPECT_EQ(s->malformed, 1u);
  EXPECT_EQ(s->passed, 5u);
  EXPECT_EQ(s->log_sent, 1u);
  int logs = 0;
  auto polled = eng_->poll_log(100, [&](const LogSample& l) {
    logs++;
    EXPECT_EQ(l.rule_id, 4u);
    EXPECT_FALSE(l.dropped);
    EXPECT_EQ(l.bytes.size(), l.pkt_len);
  });
  ASSERT_TRUE(polled);
  EXPECT_EQ(logs, 1);
  auto fl = eng_->flows(100);
  ASSERT_TRUE(fl);
  EXPECT_GE(fl->size(), 5u);

  // A restarted daemon: the same pins, the same live rules and counters.
  auto again = Engine::open(opt_);
  ASSERT_TRUE(again) << again.error().what;
  auto ids = (*again)->live_rule_ids();
  ASSERT_TRUE(ids);
  EXPECT_EQ(*ids, (std::vector<uint32_t>{4, 1, 2, 3, 5}));
  auto c2 = (*again)->counters();
  ASSERT_TRUE(c2);
  EXPECT_EQ((*c2)[3].packets, 2u);
  EXPECT_EQ(test_run((*again)->prog_fd(), tcp("10.0.0.2", "1.1.1.1", 80)).verdict, XDP_DROP);
  // Dropping rule 2 frees its counter; the new generation flips to the other slot.
  rules.erase(rules.begin() + 1);
  auto rep2 = (*again)->apply(rules);
  ASSERT_TRUE(rep2) << rep2.error().what;
  EXPECT_EQ(rep2->generation, 2u);
  EXPECT_EQ(test_run((*again)->prog_fd(), tcp("10.0.0.2", "1.1.1.1", 80)).verdict, XDP_PASS);
  EXPECT_FALSE((*again)->counters()->contains(2));
}

TEST_F(GuardEngineSmoke, AttachesToVethAndTakesOverPinnedLinks) {
  if (std::system("ip link add gksm0 type veth peer name gksm1 2>/dev/null") != 0)
    GTEST_SKIP() << "cannot create a veth pair";
  auto a = eng_->attach("gksm0", std::nullopt);
  ASSERT_TRUE(a) << a.error().what;
  EXPECT_EQ(a->mode, XdpMode::kNative);  // veth has native XDP
  EXPECT_TRUE(std::filesystem::exists(opt_.pin_dir + "/link_gksm0"));
  auto g = eng_->attach("gksm1", XdpMode::kGeneric);
  ASSERT_TRUE(g) << g.error().what;
  EXPECT_EQ(g->mode, XdpMode::kGeneric);
  auto next = Engine::open(opt_);  // takes over both links with its own program
  ASSERT_TRUE(next) << next.error().what;
  EXPECT_EQ((*next)->attachments().size(), 2u);
  EXPECT_TRUE((*next)->detach("gksm1"));
  EXPECT_FALSE(std::filesystem::exists(opt_.pin_dir + "/link_gksm1"));
  EXPECT_FALSE((*next)->attach("nonexistent0", std::nullopt));
  std::system("ip link del gksm0 2>/dev/null");
}

TEST_F(GuardEngineSmoke, CostFiguresAndHundredThousandRules) {
  constexpr int kRepeat = 200000;
  Bytes pkt = PacketBuilder().ipv4("198.51.100.7", "203.0.113.9").tcp(40000, 443, testing::kAck).build();
  UniqueFd empty = empty_xdp();
  ASSERT_TRUE(empty.valid());
  auto measure = [&](int fd) { return test_run(fd, pkt, kRepeat).ns; };
  uint32_t empty_ns = measure(empty.get());
  uint32_t none_ns = measure(eng_->prog_fd());

  std::vector<Rule> rules;
  for (uint32_t i = 1; i <= 10; i++) {
    rules.push_back(rule(i, 100, Action::kDrop));
    rules.back().match.src = cidr("10.0." + std::to_string(i) + ".0/24");
  }
  ASSERT_TRUE(eng_->apply(rules));
  uint32_t ten_ns = measure(eng_->prog_fd());
  // A packet from inside one of the prefixes walks a real list (and is dropped).
  Bytes hit10 = PacketBuilder().ipv4("10.0.7.3", "203.0.113.9").tcp(40000, 443, testing::kAck).build();
  uint32_t ten_hit_ns = test_run(eng_->prog_fd(), hit10, kRepeat).ns;

  rules.clear();
  for (uint32_t i = 1; i <= 100000; i++) {
    rules.push_back(rule(i, static_cast<int32_t>(i % 1000), i % 10 ? Action::kDrop : Action::kPass));
    uint32_t a = 0x0a000000u + i * 256;
    rules.back().match.src = cidr(std::to_string(a >> 24) + "." + std::to_string(a >> 16 & 255) +
                                  "." + std::to_string(a >> 8 & 255) + ".0/24");
    if (i % 3 == 0) {
      rules.back().match.protocol = 6;
      rules.back().match.dport = Range<uint16_t>{uint16_t(i % 60000), uint16_t(i % 60000 + 10)};
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  auto rep = eng_->apply(rules);
  double apply_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(rep) << rep.error().what;
  EXPECT_EQ(rep->rules, 100000u);
  uint32_t big_ns = measure(eng_->prog_fd());
  // A packet from inside one of the 100 000 prefixes walks a real list.
  Bytes hit = PacketBuilder().ipv4("10.1.2.3", "203.0.113.9").tcp(40000, 443, testing::kAck).build();
  uint32_t big_hit_ns = test_run(eng_->prog_fd(), hit, kRepeat).ns;
  std::printf("ns/packet: empty %u, guard 0 rules %u, 10 rules %u (miss) %u (hit), 100k rules "
              "%u (miss) %u (hit)\n",
              empty_ns, none_ns, ten_ns, ten_hit_ns, big_ns, big_hit_ns);
  std::printf("apply 100k rules: %.0f ms (compile %.0f ms, write %.0f ms, %u lists, %u items)\n",
              apply_ms, rep->compile_ms, rep->write_ms, rep->lists, rep->items);
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  ASSERT_EQ(bpf_obj_get_info_by_fd(eng_->prog_fd(), &info, &len), 0);
  std::printf("verifier: %u insns processed, %u xlated bytes\n", info.verified_insns,
              info.xlated_prog_len);
  // Swapping back to 10 rules clears the 100k image.
  ASSERT_TRUE(eng_->apply(std::vector<Rule>(rules.begin(), rules.begin() + 10)));
  EXPECT_EQ(test_run(eng_->prog_fd(), hit).verdict, XDP_PASS);
}

}  // namespace
}  // namespace pscope::guarder
