// ComputeExpected must give, for every stored bin, what the entity's streaming detector judged
// bin by bin from the entity's first bin (its baselines are held while the entity's event is
// open, so signals are not independent): checked against EntityDetector::Push, one call per bin,
// on series with gaps, an outage, a later start and a coarser step.
#include "blackout/detect/expected.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>
#include <vector>

#include "blackout/detect/baseline.h"
#include "blackout/detect/detector.h"
#include "blackout/store/types.h"

namespace blackout::detect {
namespace {

constexpr UnixSeconds kFrom = 1638316800;  // 2021-12-01T00:00Z
constexpr int64_t kStep = 300;
constexpr size_t kBins = 288 * 10;
constexpr size_t kOutageBegin = 288 * 7 + 40, kOutageEnd = kOutageBegin + 72;  // 6 h at 5%

double Probe(size_t i) {
  if (i >= 288 * 3 && i < 288 * 3 + 30) return store::kMissing;  // a gap
  double day = std::sin(2 * std::numbers::pi * static_cast<double>(i % 288) / 288.0);
  double noise = static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5;
  double v = 1000 + 250 * day + 20 * noise;
  return i >= kOutageBegin && i < kOutageEnd ? 0.05 * v : v;
}

std::optional<double> Opt(double v) {
  return store::IsMissing(v) ? std::nullopt : std::optional(v);
}

// One Push per fine bin from `from`, all signals of the entity together: the streaming path,
// independent of the batch path ComputeExpected takes. fine[s] empty = no such signal.
VerdictTrace StreamAll(const DetectConfig& config, UnixSeconds from,
                       const std::array<std::vector<double>, kNumSignals>& fine) {
  EntityDetector d("country/ZZ", config, kStep);
  VerdictTrace out;
  DetectSink sink;
  sink.on_verdicts = [&](UnixSeconds, const std::array<const Verdict*, kNumSignals>& v) {
    for (int s = 0; s < kNumSignals; ++s) out[s].push_back(*v[s]);
  };
  size_t n = 0;
  for (const auto& f : fine) n = std::max(n, f.size());
  for (size_t i = 0; i < n; ++i) {
    std::array<std::optional<double>, kNumSignals> v;
    for (int s = 0; s < kNumSignals; ++s) {
      if (i < fine[s].size()) v[s] = Opt(fine[s][i]);
    }
    EXPECT_TRUE(d.Push(from + static_cast<int64_t>(i) * kStep, v, &sink).ok());
  }
  return out;
}

void ExpectSame(double want, double got, size_t i) {
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << "bin " << i;
  } else {
    EXPECT_NEAR(got, want, 1e-9 * std::max(1.0, std::abs(want))) << "bin " << i;
  }
}

TEST(ComputeExpected, EqualsTheStreamingDetectorBinByBin) {
  std::vector<double> probe;
  for (size_t i = 0; i < kBins; ++i) probe.push_back(Probe(i));
  const DetectConfig config = DefaultConfig();
  std::vector<ExpectedInput> in = {{"probe", kFrom, kStep, probe}};
  auto out = ComputeExpected(in, config);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].judged());
  ASSERT_EQ(out[0].expected.size(), kBins);
  ASSERT_EQ(out[0].lower.size(), kBins);
  ASSERT_EQ(out[0].level.size(), kBins);
  std::array<std::vector<double>, kNumSignals> fine;
  fine[static_cast<int>(Signal::kProbe)] = probe;
  auto want = StreamAll(config, kFrom, fine)[static_cast<int>(Signal::kProbe)];
  size_t with_baseline = 0;
  for (size_t i = 0; i < kBins; ++i) {
    ExpectSame(want[i].expected ? *want[i].expected : NAN, out[0].expected[i], i);
    ExpectSame(want[i].expected ? want[i].lower : NAN, out[0].lower[i], i);
    EXPECT_EQ(out[0].level[i], static_cast<uint8_t>(want[i].level)) << "bin " << i;
    with_baseline += want[i].expected ? 1 : 0;
  }
  EXPECT_GT(with_baseline, kBins / 2);
  // The outage is judged critical and its depth is value / expected.
  EXPECT_EQ(out[0].level[kOutageBegin + 10], static_cast<uint8_t>(Level::kCritical));
  EXPECT_NEAR(probe[kOutageBegin + 10] / out[0].expected[kOutageBegin + 10], 0.05, 0.01);
}

TEST(ComputeExpected, LaysCoarserAndLaterSeriesOnTheEntitysFinestGrid) {
  // probe (300 s) starts a day after traffic (3600 s): the grid is 300 s from traffic's start,
  // traffic's hourly value holds for its twelve fine bins, and its served bins get the mean
  // expected and lower of those and their highest level.
  const UnixSeconds probe_from = kFrom + 86400;
  std::vector<double> probe, traffic;
  for (size_t i = 0; i + 288 < kBins; ++i) probe.push_back(Probe(i + 288));
  for (size_t h = 0; h < kBins / 12; ++h) {
    traffic.push_back(h >= kOutageBegin / 12 && h < kOutageEnd / 12 ? 20 : 400 + (h % 24) * 5);
  }
  std::vector<double> bgp25(kBins, 900);
  DetectConfig config = DefaultConfig();
  config.of(Signal::kBgp).enabled = false;
  std::vector<double> bgp(kBins, 2000);
  std::vector<ExpectedInput> in = {{"probe", probe_from, kStep, probe},
                                   {"traffic", kFrom, 3600, traffic},
                                   {"bgp-25", kFrom, kStep, bgp25},
                                   {"bgp", kFrom, kStep, bgp},
                                   {"darknet", kFrom, kStep, {}}};
  auto out = ComputeExpected(in, config);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_FALSE(out[2].judged());  // not a detector signal
  EXPECT_FALSE(out[3].judged());  // disabled
  EXPECT_FALSE(out[4].judged());  // no values

  // probe: missing before its start on the grid from kFrom.
  std::vector<double> fine(kBins, store::kMissing);
  for (size_t i = 0; i < probe.size(); ++i) fine[i + 288] = probe[i];
  // traffic: each hourly value repeated on the twelve fine bins.
  std::vector<double> tf;
  for (double v : traffic) tf.insert(tf.end(), 12, v);
  std::array<std::vector<double>, kNumSignals> all;
  all[static_cast<int>(Signal::kProbe)] = fine;
  all[static_cast<int>(Signal::kTraffic)] = tf;
  VerdictTrace trace = StreamAll(config, kFrom, all);
  const auto& want = trace[static_cast<int>(Signal::kProbe)];
  ASSERT_TRUE(out[0].judged());
  ASSERT_EQ(out[0].expected.size(), probe.size());
  for (size_t i = 0; i < probe.size(); ++i) {
    const Verdict& v = want[i + 288];
    ExpectSame(v.expected ? *v.expected : NAN, out[0].expected[i], i);
    ExpectSame(v.expected ? v.lower : NAN, out[0].lower[i], i);
    EXPECT_EQ(out[0].level[i], static_cast<uint8_t>(v.level)) << "bin " << i;
  }

  const auto& tw = trace[static_cast<int>(Signal::kTraffic)];
  ASSERT_TRUE(out[1].judged());
  ASSERT_EQ(out[1].expected.size(), traffic.size());
  size_t with_baseline = 0;
  for (size_t h = 0; h < traffic.size(); ++h) {
    double se = 0, sl = 0;
    int n = 0;
    uint8_t level = 0;
    for (size_t f = h * 12; f < h * 12 + 12; ++f) {
      level = std::max(level, static_cast<uint8_t>(tw[f].level));
      if (!tw[f].expected) continue;
      se += *tw[f].expected;
      sl += tw[f].lower;
      ++n;
    }
    ExpectSame(n ? se / n : NAN, out[1].expected[h], h);
    ExpectSame(n ? sl / n : NAN, out[1].lower[h], h);
    EXPECT_EQ(out[1].level[h], level) << "hour " << h;
    with_baseline += n ? 1 : 0;
  }
  EXPECT_GT(with_baseline, traffic.size() / 2);
}

TEST(ComputeExpected, NothingToJudgeGivesNothing) {
  std::vector<double> v(10, 1.0);
  EXPECT_TRUE(ComputeExpected({}, DefaultConfig()).empty());
  std::vector<ExpectedInput> in = {{"bgp-25", kFrom, kStep, v}, {"probe", kFrom, 0, v}};
  auto out = ComputeExpected(in, DefaultConfig());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].judged());
  EXPECT_FALSE(out[1].judged());
}

}  // namespace
}  // namespace blackout::detect
