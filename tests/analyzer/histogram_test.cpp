// Percentiles of log2 histograms on synthetic inputs.
#include <gtest/gtest.h>

#include "analyzer/histogram.h"

namespace pscope::analyzer {
namespace {

TEST(analyzer_histogram, EmptyGivesZeros) {
  Buckets b{};
  EXPECT_EQ(histogram_quantile(b, 0.5, 0), 0);
  Latency l = make_latency(b, 0, 7);
  EXPECT_EQ(l.count, 0u);
  EXPECT_EQ(l.total_count, 7u);
  EXPECT_EQ(l.p50_ns, 0);
  EXPECT_EQ(l.p99_ns, 0);
  EXPECT_EQ(l.max_ns, 0u);
}

TEST(analyzer_histogram, BucketBounds) {
  EXPECT_EQ(bucket_low(0), 0u);
  EXPECT_EQ(bucket_high(0), 2u);
  EXPECT_EQ(bucket_low(10), 1024u);
  EXPECT_EQ(bucket_high(10), 2048u);
  EXPECT_EQ(bucket_high(63), UINT64_MAX);
}

// 100 samples spread over [1024, 2048): interpolation inside the bucket, bounded by the max.
TEST(analyzer_histogram, UniformWithinOneBucket) {
  Buckets b{};
  b[10] = 100;
  Latency l = make_latency(b, 2047, 100);
  EXPECT_EQ(l.count, 100u);
  EXPECT_EQ(l.max_ns, 2047u);
  EXPECT_NEAR(l.p50_ns, 1024 + 0.50 * 1023, 1);
  EXPECT_NEAR(l.p90_ns, 1024 + 0.90 * 1023, 1);
  EXPECT_NEAR(l.p99_ns, 1024 + 0.99 * 1023, 1);
}

// The exact maximum is a tighter upper bound than the bucket's.
TEST(analyzer_histogram, MaxBoundsTheTopBucket) {
  Buckets b{};
  b[10] = 10;
  Latency l = make_latency(b, 1100, 10);
  EXPECT_EQ(l.max_ns, 1100u);
  EXPECT_NEAR(l.p50_ns, 1024 + 0.5 * 76, 1);
  EXPECT_LE(l.p99_ns, 1100);
}

// 90 % fast (bucket 10), 10 % slow (bucket 20): p50 and p90 in the fast bucket, p99 in the slow.
TEST(analyzer_histogram, TwoBucketMix) {
  Buckets b{};
  b[10] = 90;
  b[20] = 10;
  const uint64_t max = 1'500'000;
  Latency l = make_latency(b, max, 100);
  EXPECT_NEAR(l.p50_ns, 1024 + (50.0 / 90) * 1024, 1);
  EXPECT_NEAR(l.p90_ns, 2048, 1);  // the 90th sample is the fast bucket's last
  EXPECT_NEAR(l.p99_ns, 1048576 + 0.9 * (max - 1048576), 1);
  EXPECT_EQ(l.max_ns, max);
  EXPECT_LE(l.p50_ns, l.p90_ns);
  EXPECT_LE(l.p90_ns, l.p99_ns);
  EXPECT_LE(l.p99_ns, static_cast<double>(l.max_ns));
}

TEST(analyzer_histogram, MaxIsExactNotABucketBound) {
  Buckets b{};
  b[3] = 1;
  b[12] = 1;
  Latency l = make_latency(b, 5000, 2);
  EXPECT_EQ(l.max_ns, 5000u);
  EXPECT_LE(l.p99_ns, 5000);
  EXPECT_GE(l.p99_ns, 4096);
}

// A maximum that missed its epoch (below its bucket) is raised to the bucket's floor.
TEST(analyzer_histogram, StaleMaxNeverBelowTopBucket) {
  Buckets b{};
  b[12] = 3;
  Latency l = make_latency(b, 0, 3);
  EXPECT_EQ(l.max_ns, 4096u);
  EXPECT_LE(l.p99_ns, 4096);
}

TEST(analyzer_histogram, ZeroNanosecondSamples) {
  Buckets b{};
  b[0] = 5;
  Latency l = make_latency(b, 0, 5);
  EXPECT_EQ(l.count, 5u);
  EXPECT_EQ(l.max_ns, 0u);
  EXPECT_EQ(l.p99_ns, 0);
}

}  // namespace
}  // namespace pscope::analyzer
