// The synthetic families judge the detector on classes of outages it was not tuned on: each
// family's cases are drawn from five seeds, and the combined detector must hold the gap
// over IODA's rule at its best on every family, with no false event.
#include "blackout/detect/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "blackout/detect/evaluate.h"

namespace blackout::detect {
namespace {

constexpr int kSeeds = 5;

TEST(SyntheticFamiliesTest, CombinedHoldsTheGapOverIodasRuleOnEveryFamily) {
  std::vector<FamilyEvaluation> all;
  for (const SyntheticFamily& f : SyntheticFamilies()) {
    FamilyEvaluation ev = EvaluateFamily(f, DefaultConfig(), kSeeds);
    ASSERT_EQ(ev.cases.size(), static_cast<size_t>(kSeeds)) << f.name;
    EXPECT_EQ(ev.false_events, 0) << f.name;
    bool any_outage = false;
    for (const auto& c : ev.cases) {
      if (c.combined.labelled_events == 0) continue;
      any_outage = true;
      EXPECT_EQ(c.combined.found_events, c.combined.labelled_events)
          << f.name << " seed " << c.seed;
      EXPECT_GE(c.combined.f1, std::min(0.97, c.ioda.f1 + 0.05) - 0.02)
          << f.name << " seed " << c.seed << " against " << c.best_ioda;
    }
    if (any_outage) {
      EXPECT_GE(ev.mean_combined_f1, std::min(0.97, ev.mean_ioda_f1 + 0.05)) << f.name;
    }
    all.push_back(std::move(ev));
  }
  // The table docs/detect.md quotes.
  std::printf("%s", FamiliesTable(all).c_str());
}

TEST(SyntheticFamiliesTest, CasesDifferBySeedAndRepeatByDesign) {
  for (const SyntheticFamily& f : SyntheticFamilies()) {
    LabelledSeries a = Generate(f.make(1)), b = Generate(f.make(1)), c = Generate(f.make(2));
    EXPECT_EQ(a.series.values, b.series.values) << f.name;
    EXPECT_NE(a.series.values, c.series.values) << f.name;
  }
}

}  // namespace
}  // namespace blackout::detect
