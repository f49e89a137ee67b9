// The Guarder test harness (see guard_fixture.h).
#include "guard_fixture.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "caps.h"

namespace pscope::testing::guard {

std::int64_t wall_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

guarder::Rule make_rule(std::uint32_t id, std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "rule " << id << ": not JSON: " << json;
    return {};
  }
  guarder::ParseOptions opt;
  opt.now_ns = wall_ns();
  guarder::ParseResult pr = guarder::parse_rule(j, opt);
  if (!pr.rule) {
    std::string all;
    for (const auto& e : pr.errors) all += "\n  " + e.field + ": " + e.message;
    ADD_FAILURE() << "rule " << id << " refused: " << json << all;
    return {};
  }
  pr.rule->id = id;
  return *pr.rule;
}

std::string missing_privileges() {
  if (geteuid() == 0) return "";
  using namespace pscope::testing;
  auto has = has_effective_cap;
  if ((has(kCapSysAdmin) || has(kCapBpf)) && has(kCapNetAdmin)) return "";
  return "not root and no CAP_BPF+CAP_NET_ADMIN: the Guarder's BPF_PROG_TEST_RUN tests need them "
         "(run as root, e.g. sudo ctest -L bpf)";
}

namespace {

// A private pin directory per test process, so a test never touches a running daemon's rules.
guarder::EngineOptions test_options() {
  guarder::EngineOptions o;
  o.pin_dir = "/sys/fs/bpf/psgt" + std::to_string(getpid());
  return o;
}

struct SharedEngine {
  std::unique_ptr<guarder::Engine> engine;
  std::string error;
  bool tried = false;
  ~SharedEngine() {
    if (!engine) return;
    engine.reset();
    (void)guarder::Engine::remove_all(test_options());
  }
};

SharedEngine& shared() {
  static SharedEngine s;
  return s;
}

// Pin directories of earlier test processes that died without their clean-up (a crash, or a
// SIGPIPE when piped into `head`): ours by prefix, and their process is gone.
void remove_stale_pins() {
  std::error_code ec;
  for (const auto& ent : std::filesystem::directory_iterator("/sys/fs/bpf", ec)) {
    std::string name = ent.path().filename().string();
    if (name.rfind("psgt", 0) != 0 || name.size() == 4 ||
        name.find_first_not_of("0123456789", 4) != std::string::npos)
      continue;
    if (std::filesystem::exists("/proc/" + name.substr(4), ec)) continue;
    guarder::EngineOptions o;
    o.pin_dir = ent.path().string();
    (void)guarder::Engine::remove_all(o);
  }
}

}  // namespace

guarder::Engine* shared_engine(std::string& error) {
  SharedEngine& s = shared();
  if (!s.tried) {
    s.tried = true;
    remove_stale_pins();
    auto e = guarder::Engine::open(test_options());
    if (e)
      s.engine = std::move(*e);
    else
      s.error = e.error().what;
  }
  error = s.error;
  return s.engine.get();
}

RunOut run_packet(int prog_fd, const Bytes& pkt, std::uint32_t ifindex, std::uint32_t repeat) {
  RunOut r;
  xdp_md ctx{};
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = pkt.data();
  opts.data_size_in = static_cast<__u32>(pkt.size());
  opts.repeat = repeat;
  if (ifindex) {
    // The kernel requires data_end == the frame size and no metadata in a supplied context.
    ctx.data_end = static_cast<__u32>(pkt.size());
    ctx.ingress_ifindex = ifindex;
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
  }
  r.err = bpf_prog_test_run_opts(prog_fd, &opts);
  r.retval = opts.retval;
  r.duration_ns = opts.duration;
  return r;
}

std::uint64_t packets_of(const Counters& c, std::uint32_t id) {
  auto it = c.find(id);
  return it == c.end() ? 0 : it->second.packets;
}

std::uint64_t rate_dropped_of(const Counters& c, std::uint32_t id) {
  auto it = c.find(id);
  return it == c.end() ? 0 : it->second.rate_dropped;
}

void GuardTest::SetUp() {
  if (std::string why = missing_privileges(); !why.empty()) GTEST_SKIP() << why;
  std::string error;
  engine_ = shared_engine(error);
  ASSERT_NE(engine_, nullptr) << "Engine::open: " << error;
  prog_fd_ = engine_->prog_fd();
  ASSERT_GE(prog_fd_, 0);
}

guarder::ApplyReport GuardTest::apply(const std::vector<guarder::Rule>& rules) {
  auto r = engine_->apply(rules);
  EXPECT_TRUE(r) << "apply(" << rules.size() << " rules): " << (r ? "" : r.error().what);
  return r ? *r : guarder::ApplyReport{};
}

RunOut GuardTest::run(const Bytes& pkt, std::uint32_t ifindex) {
  RunOut r = run_packet(prog_fd_, pkt, ifindex);
  EXPECT_EQ(r.err, 0) << "BPF_PROG_TEST_RUN: " << std::strerror(-r.err);
  return r;
}

Counters GuardTest::counters() {
  auto c = engine_->counters();
  EXPECT_TRUE(c) << (c ? "" : c.error().what);
  return c ? *c : Counters{};
}

guarder::GuardStats GuardTest::stats() {
  auto s = engine_->stats();
  EXPECT_TRUE(s) << (s ? "" : s.error().what);
  return s ? *s : guarder::GuardStats{};
}

}  // namespace pscope::testing::guard
