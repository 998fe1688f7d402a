#include <gtest/gtest.h>

#include "blackout/store/store.h"

namespace blackout::store {
namespace {

Event Ev(std::string entity, UnixSeconds start, std::optional<UnixSeconds> end, double score,
         double depth, std::vector<std::string> signals) {
  Event e;
  e.entity = std::move(entity);
  e.start = start;
  e.end = end;
  e.score = score;
  e.depth = depth;
  e.signals = std::move(signals);
  return e;
}

TEST(SummarizeEventListTest, PerEntityTotalsPerSignalScoresAndOrder) {
  const std::vector<Event> events = {
      Ev("country/KZ", 100, 200, 50, 0.2, {"probe", "bgp"}),
      Ev("country/KZ", 300, std::nullopt, 25, kMissing, {"probe"}),
      Ev("asn/9198", 50, 500, 75, 0.5, {"bgp"}),
      Ev("country/UZ", 10, 20, 75, kMissing, {}),
  };
  const std::vector<EventSummary> s = SummarizeEventList(events);
  ASSERT_EQ(s.size(), 3u);
  // 75 = 75 = 75: ties keep entity order.
  EXPECT_EQ(s[0].entity, "asn/9198");
  EXPECT_EQ(s[1].entity, "country/KZ");
  EXPECT_EQ(s[2].entity, "country/UZ");
  EXPECT_EQ(s[1].events, 2);
  EXPECT_DOUBLE_EQ(s[1].total_score, 75);
  EXPECT_DOUBLE_EQ(s[1].signal_scores.at("probe"), 75);
  EXPECT_DOUBLE_EQ(s[1].signal_scores.at("bgp"), 50);
  EXPECT_DOUBLE_EQ(s[1].min_depth, 0.2);  // the unknown depth is left out, not taken as 0
  EXPECT_EQ(s[1].first_start, 100);
  EXPECT_TRUE(s[1].ongoing);
  EXPECT_EQ(s[1].last_end, 0);
  EXPECT_EQ(s[0].last_end, 500);
  EXPECT_TRUE(IsMissing(s[2].min_depth));
  EXPECT_TRUE(s[2].signal_scores.empty());
}

}  // namespace
}  // namespace blackout::store
