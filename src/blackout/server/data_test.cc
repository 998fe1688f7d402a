#include "blackout/server/data.h"

#include <gtest/gtest.h>

#include <cmath>

namespace blackout::server {
namespace {

TEST(MemoryDataTest, SeriesAreCutToTheRangeOnBinBoundaries) {
  MemoryData d;
  Series s{"country", "KZ", "bgp", 1000 * 300, 300, {}};
  for (int i = 0; i < 100; ++i) s.values.push_back(i);
  d.PutSeries(s);
  auto got = d.GetSeries("country", "KZ", "bgp", 1010 * 300 + 1, 1020 * 300);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, 1011 * 300);
  ASSERT_EQ(got[0].values.size(), 9u);
  EXPECT_EQ(got[0].values.front(), 11);
  EXPECT_EQ(got[0].values.back(), 19);
  EXPECT_TRUE(d.GetSeries("country", "KZ", "bgp", 0, 1000).at(0).values.empty());
  EXPECT_TRUE(d.GetSeries("country", "KZ", "traffic", 0, 1e9).empty());
  EXPECT_TRUE(d.GetSeries("country", "UZ", "", 0, 1e9).empty());
}

TEST(MemoryDataTest, PutSeriesReplacesAndBumpsGeneration) {
  MemoryData d;
  uint64_t g = d.Generation();
  d.PutSeries({"asn", "9198", "bgp", 0, 300, {1, 2}});
  d.PutSeries({"asn", "9198", "bgp", 0, 300, {3}});
  EXPECT_GT(d.Generation(), g);
  auto got = d.GetSeries("asn", "9198", "", 0, 10000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].values, std::vector<double>{3});
}

TEST(MemoryDataTest, EventsOverlapAndRelatedFilters) {
  MemoryData d;
  d.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}},
                     {"asn", "9198", "Kazakhtelecom", {"country/KZ"}, {}},
                     {"country", "UZ", "Uzbekistan", {}, {}}});
  d.ReplaceEvents({{"asn", "9198", "bgp", 100, 200, 5, 0.1, ""},
                   {"country", "KZ", "ping-slash24", 150, 0, 9, 0.05, ""},
                   {"country", "UZ", "bgp", 10, 20, 1, 0.5, ""}});
  OutageQuery q;
  q.from = 0;
  q.until = 1000;
  EXPECT_EQ(d.Events(q).size(), 3u);
  q.related_to = "country/KZ";
  EXPECT_EQ(d.Events(q).size(), 2u);
  q.from = 250;  // the ongoing KZ event still overlaps
  auto e = d.Events(q);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].entity_code, "KZ");
  q = {};
  q.from = 0;
  q.until = 1000;
  q.datasource = "bgp";
  EXPECT_EQ(d.Events(q).size(), 2u);
  EXPECT_EQ(d.SearchEntities("kaz", "", "", "", 10).size(), 2u);
  EXPECT_EQ(d.SearchEntities("", "asn", "", "", 10).size(), 1u);
  EXPECT_EQ(d.SearchEntities("", "", "country/KZ", "", 10).size(), 2u);
}

}  // namespace
}  // namespace blackout::server
