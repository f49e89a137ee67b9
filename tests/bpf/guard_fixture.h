// Shared harness of the Guarder BPF_PROG_TEST_RUN tests (guard_*_test.cpp): one Engine for the
// whole test binary, pinned under a private bpffs directory that is removed at exit; rules
// written as JSON (the same text users write) and packets run through the real XDP program.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "guarder/engine.h"
#include "guarder/rule.h"
#include "packet_builder.h"

namespace pscope::testing::guard {

inline constexpr std::uint32_t kXdpDrop = 1;  // XDP_DROP
inline constexpr std::uint32_t kXdpPass = 2;  // XDP_PASS

std::int64_t wall_ns();      // CLOCK_REALTIME, as Rule::expires_ns
std::int64_t monotonic_ns();

// A rule from its JSON text (docs/guarder.md), with the store's id. Fails the test (and returns
// a rule that matches nothing useful) when the JSON is refused, printing every field error.
guarder::Rule make_rule(std::uint32_t id, std::string_view json);

struct RunOut {
  int err = 0;              // bpf_prog_test_run_opts: 0 or -errno
  std::uint32_t retval = 0; // XDP_* verdict
  std::uint32_t duration_ns = 0;  // kernel's average per repeat
};

// Why this process cannot load the Guarder ("" when it can).
std::string missing_privileges();

// The process-wide engine (opened once, removed by an atexit handler).
guarder::Engine* shared_engine(std::string& error);

// Runs one frame through the program. ifindex 0 leaves the kernel's default (loopback).
RunOut run_packet(int prog_fd, const Bytes& pkt, std::uint32_t ifindex = 0,
                  std::uint32_t repeat = 1);

// Counter snapshots and their differences.
using Counters = std::unordered_map<std::uint32_t, guarder::RuleCounters>;
std::uint64_t packets_of(const Counters& c, std::uint32_t id);
std::uint64_t rate_dropped_of(const Counters& c, std::uint32_t id);

// gtest base: skips without privileges, fails without an engine; helpers that assert.
class GuardTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // apply() that fails the test on error.
  guarder::ApplyReport apply(const std::vector<guarder::Rule>& rules);
  RunOut run(const Bytes& pkt, std::uint32_t ifindex = 0);
  Counters counters();
  guarder::GuardStats stats();

  guarder::Engine* engine_ = nullptr;
  int prog_fd_ = -1;
};

}  // namespace pscope::testing::guard
