#include "blackout/darknet/sketch.h"

#include <gtest/gtest.h>

#include <cmath>

namespace blackout::darknet {
namespace {

TEST(SketchTest, ExactUpToTheLimit) {
  UniqueCounter c;
  for (uint64_t i = 0; i < UniqueCounter::kExactLimit; ++i) {
    c.Add(HashSource(i));
    c.Add(HashSource(i));  // a repeat is not a new source
  }
  EXPECT_TRUE(c.exact());
  EXPECT_EQ(c.Count(), UniqueCounter::kExactLimit);
  c.Add(HashSource(1u << 30));
  EXPECT_FALSE(c.exact());
  EXPECT_NEAR(static_cast<double>(c.Count()), UniqueCounter::kExactLimit + 1.0, 20);
}

TEST(SketchTest, HashZeroCounts) {
  UniqueCounter c;
  c.Add(0);
  c.Add(0);
  c.Add(5);
  EXPECT_EQ(c.Count(), 2u);
}

// The estimate stays within 4 standard errors at every scale a telescope sees.
TEST(SketchTest, HyperLogLogErrorWithinStatedBound) {
  for (uint64_t n : {5000ull, 50000ull, 300000ull, 2000000ull}) {
    UniqueCounter c;
    for (uint64_t i = 0; i < n; ++i) c.Add(HashSource(i * 7919 + n));
    const double err = std::abs(static_cast<double>(c.Count()) - n) / n;
    EXPECT_LT(err, 4 * HyperLogLog::kStandardError) << n;
    EXPECT_LE(c.memory_bytes(), 17u * 1024) << n;
  }
}

TEST(SketchTest, MergeIsUnion) {
  UniqueCounter a, b, both;
  for (uint64_t i = 0; i < 1000; ++i) a.Add(HashSource(i));
  for (uint64_t i = 500; i < 1400; ++i) b.Add(HashSource(i));
  UniqueCounter m = a;
  m.Merge(b);
  EXPECT_EQ(m.Count(), 1400u);
  // Exact with sketch, sketch with sketch.
  UniqueCounter big;
  for (uint64_t i = 0; i < 100000; ++i) big.Add(HashSource(i));
  UniqueCounter m2 = a;
  m2.Merge(big);
  EXPECT_NEAR(static_cast<double>(m2.Count()), 100000, 100000 * 4 * HyperLogLog::kStandardError);
  UniqueCounter big2;
  for (uint64_t i = 50000; i < 150000; ++i) big2.Add(HashSource(i));
  big2.Merge(big);
  EXPECT_NEAR(static_cast<double>(big2.Count()), 150000, 150000 * 4 * HyperLogLog::kStandardError);
}

TEST(SketchTest, SerialisedFormRoundTrips) {
  for (uint64_t n : {0ull, 10ull, 40000ull}) {
    UniqueCounter c;
    for (uint64_t i = 0; i < n; ++i) c.Add(HashSource(i));
    std::string bytes;
    c.AppendTo(bytes);
    std::string_view in = bytes;
    auto back = UniqueCounter::Parse(&in);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_TRUE(in.empty());
    EXPECT_EQ(back->Count(), c.Count());
    EXPECT_EQ(back->exact(), c.exact());
  }
  std::string_view junk = "E\xff\xff\xff\x7f";
  EXPECT_EQ(UniqueCounter::Parse(&junk).status().code(), StatusCode::kDataLoss);
  std::string_view shorter = "H123";
  EXPECT_EQ(UniqueCounter::Parse(&shorter).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace blackout::darknet
