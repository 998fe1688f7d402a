// The telescope is corroboration only (docs/detect.md): a darknet that goes quiet while every
// other signal is normal is no outage, however deep the drop; with active probing down too it is
// part of one. IODA drops telescope-only events for the same reason (a scanner that stops, a
// telescope's own outage).
#include <gtest/gtest.h>

#include <cmath>

#include "blackout/detect/detector.h"

namespace blackout::detect {
namespace {

constexpr int64_t kStep = 300;
constexpr size_t kBins = 12 * 288;           // 12 days
constexpr size_t kCutFrom = 10 * 288 + 100;  // day 10, 08:20
constexpr size_t kCutUntil = kCutFrom + 72;  // 6 hours

EntitySeries Entity(bool probe_down, bool darknet_down) {
  EntitySeries s;
  s.entity = "country/ZZ";
  s.from = 1700000000 / 86400 * 86400;
  s.step = kStep;
  uint64_t x = 12345;
  auto noise = [&x] {  // deterministic, in [-1, 1)
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) / static_cast<double>(1ULL << 52) - 1.0;
  };
  for (size_t i = 0; i < kBins; ++i) {
    const bool cut = i >= kCutFrom && i < kCutUntil;
    const double day = std::sin(2 * M_PI * static_cast<double>(i % 288) / 288.0);
    double dark = 200 + 40 * day + 14 * noise();
    double probe = 400 + 4 * noise();
    if (cut && darknet_down) dark = 0;
    if (cut && probe_down) probe = 20;
    s.values[static_cast<int>(Signal::kDarknet)].push_back(std::round(dark));
    s.values[static_cast<int>(Signal::kProbe)].push_back(std::round(probe));
    s.values[static_cast<int>(Signal::kBgp)].push_back(3000);
  }
  return s;
}

bool EventInCut(const Detection& d, const EntitySeries& s) {
  const UnixSeconds from = s.from + static_cast<int64_t>(kCutFrom) * kStep;
  const UnixSeconds until = s.from + static_cast<int64_t>(kCutUntil) * kStep;
  for (const Event& e : d.events) {
    if (e.start < until && e.end.value_or(INT64_MAX) > from) return true;
  }
  return false;
}

TEST(DarknetCorroborationTest, TelescopeAloneNeverMakesAnEvent) {
  EntitySeries s = Entity(/*probe_down=*/false, /*darknet_down=*/true);
  Detection d = DetectSeries(s, DefaultConfig());
  // The drop is seen (the darknet's alerts are there, critical) but is no event.
  bool critical = false;
  for (const Alert& a : d.alerts) {
    critical |= a.signal == Signal::kDarknet && a.level == Level::kCritical;
  }
  EXPECT_TRUE(critical);
  EXPECT_FALSE(EventInCut(d, s));
}

TEST(DarknetCorroborationTest, TelescopeWithProbingDownIsAnEvent) {
  EntitySeries s = Entity(/*probe_down=*/true, /*darknet_down=*/true);
  Detection d = DetectSeries(s, DefaultConfig());
  ASSERT_TRUE(EventInCut(d, s));
}

}  // namespace
}  // namespace blackout::detect
