#include "core/clock.h"

#include <ctime>

namespace pscope::clock {
namespace {
int64_t read(clockid_t id) noexcept {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}
}  // namespace

int64_t monotonic_ns() noexcept { return read(CLOCK_MONOTONIC); }
int64_t realtime_ns() noexcept { return read(CLOCK_REALTIME); }

int64_t mono_to_wall_ns(int64_t mono_ns) noexcept {
  return mono_ns + (realtime_ns() - monotonic_ns());
}

std::string iso8601(int64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1000000000LL);
  int ms = static_cast<int>((wall_ns / 1000000LL) % 1000);
  tm t{};
  gmtime_r(&secs, &t);
  char buf[40];
  size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &t);
  std::snprintf(buf + n, sizeof(buf) - n, ".%03dZ", ms);
  return buf;
}

}  // namespace pscope::clock
