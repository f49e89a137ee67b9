// Percentiles of the kernel's log2 latency histograms (bucket i holds [2^i, 2^(i+1)) ns, 0 ns in
// bucket 0): linear interpolation inside the bucket holding the rank, the exact maximum as the
// top bucket's upper bound.
#pragma once

#include <array>
#include <cstdint>

#include "analyzer/snapshot.h"

namespace pscope::analyzer {

using Buckets = std::array<uint64_t, 64>;

uint64_t bucket_low(int i) noexcept;   // 0 for bucket 0, else 2^i
uint64_t bucket_high(int i) noexcept;  // 2^(i+1) (saturates at UINT64_MAX)

// The value below which a fraction q (0 < q <= 1) of the samples fall; 0 for an empty histogram.
// Never above `max_ns` when max_ns is non-zero.
double histogram_quantile(const Buckets& b, double q, uint64_t max_ns) noexcept;

// p50/p90/p99/max of one interval's buckets; `total_count` is carried into the result.
Latency make_latency(const Buckets& interval, uint64_t interval_max_ns, uint64_t total_count) noexcept;

}  // namespace pscope::analyzer
