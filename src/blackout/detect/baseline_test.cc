#include "blackout/detect/baseline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace blackout::detect {
namespace {

TEST(SlidingMedianTest, MatchesBruteForce) {
  // Windows below, at and across the search's blocks of 32, up to IODA's 7 days of 5-minute bins;
  // values with many repeats, some missing.
  for (size_t capacity :
       {size_t{7}, size_t{32}, size_t{33}, size_t{100}, size_t{288}, size_t{2016}}) {
    SlidingMedian m(capacity);
    std::vector<std::optional<double>> window;
    uint64_t x = 12345 + capacity;
    const int pushes = capacity > 1000 ? 5000 : 2000;
    for (int i = 0; i < pushes; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      std::optional<double> v;
      if ((x >> 60) != 0) v = double((x >> 33) % (capacity > 100 ? 400 : 50));
      m.Push(v);
      window.push_back(v);
      if (window.size() > capacity) window.erase(window.begin());
      std::vector<double> valid;
      for (auto w : window) {
        if (w) valid.push_back(*w);
      }
      ASSERT_EQ(m.valid(), valid.size());
      if (valid.empty()) continue;
      std::sort(valid.begin(), valid.end());
      size_t n = valid.size();
      double want = n % 2 ? valid[n / 2] : 0.5 * (valid[n / 2 - 1] + valid[n / 2]);
      ASSERT_DOUBLE_EQ(m.Median(), want) << "capacity " << capacity << " at " << i;
    }
  }
}

SignalConfig Ioda24h() {
  SignalConfig c;
  c.method = Method::kIodaMedian;
  c.window_seconds = 86400;
  c.warning = 0.9;
  c.critical = 0.5;
  c.min_history_seconds = 3600;
  c.max_inpaint_seconds = 6 * 3600;
  return c;
}

TEST(SignalDetectorTest, InpaintingKeepsTheBaselineThroughAnOutage) {
  SignalDetector d(Ioda24h(), 300);
  UnixSeconds t = 1'700'000'000 - 1'700'000'000 % 300;
  for (int i = 0; i < 288; ++i, t += 300) ASSERT_TRUE(d.Step(t, 1000.0).ok());
  // A 5-hour outage (more than half of a window the median would otherwise follow).
  for (int i = 0; i < 60; ++i, t += 300) {
    auto v = d.Step(t, 10.0);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->level, Level::kCritical) << i;
    EXPECT_DOUBLE_EQ(*v->expected, 1000.0);
  }
  auto v = d.Step(t, 1000.0);
  EXPECT_EQ(v->level, Level::kNormal);
}

TEST(SignalDetectorTest, LevelShiftBecomesNormalAfterTheInpaintingLimit) {
  SignalDetector d(Ioda24h(), 300);
  UnixSeconds t = 0;
  for (int i = 0; i < 288; ++i, t += 300) ASSERT_TRUE(d.Step(t, 1000.0).ok());
  int last_alert = -1;
  for (int i = 0; i < 3 * 288; ++i, t += 300) {
    auto v = d.Step(t, 400.0);
    if (v->level >= Level::kWarning) last_alert = i;
  }
  // Inpainting stops after 6 h; the 24 h median then needs half a window of the new level.
  EXPECT_GT(last_alert, 72);
  EXPECT_LT(last_alert, 72 + 144 + 12);
}

TEST(SignalDetectorTest, MissingIsNeverZero) {
  SignalDetector d(Ioda24h(), 300);
  UnixSeconds t = 0;
  for (int i = 0; i < 100; ++i, t += 300) ASSERT_TRUE(d.Step(t, 500.0).ok());
  for (auto bad : {std::optional<double>(), std::optional<double>(std::nan("")),
                   std::optional<double>(-3.0), std::optional<double>(INFINITY)}) {
    auto v = d.Step(t, bad);
    t += 300;
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->level, Level::kNoData);  // nothing measured: no data, never normal
    EXPECT_FALSE(v->value.has_value());
    EXPECT_FALSE(v->ratio.has_value());
  }
  EXPECT_EQ(d.Step(t, 500.0)->level, Level::kNormal);
}

TEST(SignalDetectorTest, TimeGapsAreFilledAndBackwardsIsRejected) {
  SignalDetector a(Ioda24h(), 300), b(Ioda24h(), 300);
  UnixSeconds t = 0;
  for (int i = 0; i < 400; ++i, t += 300) {
    double v = 100 + (i % 7);
    bool hole = i >= 200 && i < 230;
    auto ra = a.Step(t, hole ? std::nullopt : std::optional<double>(v));
    if (!hole) {
      auto rb = b.Step(t + 17, v);  // unaligned times are binned
      ASSERT_TRUE(rb.ok());
      EXPECT_EQ(ra->expected, rb->expected) << i;
      EXPECT_EQ(ra->level, rb->level) << i;
    }
  }
  EXPECT_EQ(b.Step(t - 600, 1.0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*b.next_bin(), t);
  // A gap far longer than the history is fed in bounded time and forgets the past.
  auto r = b.Step(t + 300LL * 1'000'000'000, 100.0);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->expected.has_value());
}

TEST(SignalDetectorTest, FloorSilencesSmallSeries) {
  SignalConfig c = Ioda24h();
  c.floor = 50;
  SignalDetector d(c, 300);
  UnixSeconds t = 0;
  for (int i = 0; i < 300; ++i, t += 300) ASSERT_TRUE(d.Step(t, 20.0).ok());
  auto v = d.Step(t, 0.0);
  EXPECT_EQ(v->level, Level::kUnknown);
  EXPECT_DOUBLE_EQ(*v->expected, 20.0);
}

TEST(SignalDetectorTest, SeasonalFollowsTheDay) {
  SignalConfig c;
  c.method = Method::kSeasonal;
  c.warning = 0.8;
  c.critical = 0.5;
  c.z = 0;  // ratios only: the comparison is about the expected value
  SignalDetector seasonal(c, 300);
  SignalConfig m = c;
  m.method = Method::kIodaMedian;
  m.window_seconds = 7 * 86400;
  SignalDetector median(m, 300);
  int seasonal_alerts = 0, median_alerts = 0;
  for (int i = 0; i < 10 * 288; ++i) {
    UnixSeconds t = int64_t(i) * 300;
    double v = 1000 * (1 + 0.7 * std::sin(2 * M_PI * i / 288.0)) + (i * 7919 % 13);
    // From day 2 on (the first day has no "same time yesterday" yet).
    bool judged = i >= 288;
    if (seasonal.Step(t, v)->level >= Level::kWarning && judged) ++seasonal_alerts;
    if (median.Step(t, v)->level >= Level::kWarning && judged) ++median_alerts;
  }
  EXPECT_EQ(seasonal_alerts, 0);
  EXPECT_GT(median_alerts, 0);  // the nightly trough looks like an outage to a flat median
}

}  // namespace
}  // namespace blackout::detect
