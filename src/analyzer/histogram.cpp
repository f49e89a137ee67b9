// Log2 histogram percentiles (see histogram.h).
#include "analyzer/histogram.h"

#include <algorithm>
#include <limits>

namespace pscope::analyzer {

uint64_t bucket_low(int i) noexcept { return i <= 0 ? 0 : uint64_t{1} << i; }

uint64_t bucket_high(int i) noexcept {
  return i >= 63 ? std::numeric_limits<uint64_t>::max() : uint64_t{1} << (i + 1);
}

double histogram_quantile(const Buckets& b, double q, uint64_t max_ns) noexcept {
  uint64_t count = 0;
  for (auto n : b) count += n;
  if (count == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const double rank = q * static_cast<double>(count);
  uint64_t below = 0;
  for (int i = 0; i < 64; ++i) {
    if (b[i] == 0) continue;
    if (static_cast<double>(below + b[i]) >= rank) {
      double lo = static_cast<double>(bucket_low(i));
      double hi = static_cast<double>(bucket_high(i));
      // The exact maximum is a tighter upper bound for the bucket that holds it.
      if (max_ns && static_cast<double>(max_ns) >= lo && static_cast<double>(max_ns) < hi) hi = static_cast<double>(max_ns);
      double frac = (rank - static_cast<double>(below)) / static_cast<double>(b[i]);
      double v = lo + std::clamp(frac, 0.0, 1.0) * (hi - lo);
      return max_ns ? std::min(v, static_cast<double>(max_ns)) : v;
    }
    below += b[i];
  }
  return max_ns ? static_cast<double>(max_ns) : static_cast<double>(bucket_high(63));
}

Latency make_latency(const Buckets& interval, uint64_t interval_max_ns, uint64_t total_count) noexcept {
  Latency l;
  l.buckets = interval;
  l.total_count = total_count;
  for (auto n : interval) l.count += n;
  if (l.count == 0) return l;
  // The kernel keeps the maximum per collection epoch; a sample racing the epoch switch can
  // leave it below its own bucket. The bucket's floor is then the best exact lower bound.
  int top = 63;
  while (top > 0 && interval[top] == 0) --top;
  l.max_ns = std::max(interval_max_ns, bucket_low(top));
  if (l.max_ns == 0) return l;  // every sample was 0 ns
  l.p50_ns = histogram_quantile(interval, 0.50, l.max_ns);
  l.p90_ns = histogram_quantile(interval, 0.90, l.max_ns);
  l.p99_ns = histogram_quantile(interval, 0.99, l.max_ns);
  return l;
}

}  // namespace pscope::analyzer
