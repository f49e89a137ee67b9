// Kernel timestamps are CLOCK_MONOTONIC (bpf_ktime_get_ns); people read wall-clock time.
#pragma once

#include <cstdint>
#include <string>

namespace pscope::clock {

int64_t monotonic_ns() noexcept;
int64_t realtime_ns() noexcept;
// Converts a bpf_ktime_get_ns value to wall-clock ns using the current offset between clocks.
int64_t mono_to_wall_ns(int64_t mono_ns) noexcept;
// RFC 3339 UTC with milliseconds: 2026-11-23T09:00:00.123Z
std::string iso8601(int64_t wall_ns);

}  // namespace pscope::clock
