// The glue: static entity maps, and a round's counts written to a real SQLite store as the
// `probe` signal with the vantage point as source.
#include "blackout/probe/signal.h"

#include <gtest/gtest.h>

#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

TEST(StaticEntityMap, MostSpecificPrefixWinsAndErrorsNameTheLine) {
  testing::TempDir dir;
  testing::WriteFile(dir / "map",
                     "# testbed\n198.18.0.0/16 country/XB asn/64501\n198.18.10.0/23 country/XA\n");
  auto m = StaticEntityMap::Load(dir / "map");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<uint32_t> bases = {IpAddress::Parse("198.18.10.0")->v4(),
                                 IpAddress::Parse("198.18.12.0")->v4(),
                                 IpAddress::Parse("198.19.0.0")->v4()};
  std::vector<uint32_t> group(3);
  std::vector<std::vector<std::string>> groups;
  m->Attribute(bases, group, groups);
  EXPECT_EQ(groups[group[0]], std::vector<std::string>{"country/XA"});
  EXPECT_EQ(groups[group[1]], (std::vector<std::string>{"country/XB", "asn/64501"}));
  EXPECT_TRUE(groups[group[2]].empty());

  testing::WriteFile(dir / "bad", "198.18.0.0/16 country/XB\n198.18.1.0/24 XA\n");
  auto bad = StaticEntityMap::Load(dir / "bad");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().line, 2u);
}

TEST(WriteProbeSignal, WritesOnePointPerEntityPerRound) {
  testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  RoundReport r;
  r.round_ns = 660LL * kNanosPerSecond;
  for (int i = 0; i < 3; ++i) {
    r.index = i;
    r.start_ns = (1'700'000'000LL + i * 660) * kNanosPerSecond;
    r.counts = {{"country/XA", static_cast<uint64_t>(10 - 5 * i), 10}, {"asn/64500", 7, 7}};
    ASSERT_TRUE(WriteProbeSignal(**store, r, "vp-1").ok());
  }
  auto s = (*store)->ReadSeries({"country/XA", "probe", "vp-1"}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->step, 660);
  ASSERT_EQ(s->values.size(), 3u);
  EXPECT_EQ(s->values[0], 10);
  EXPECT_EQ(s->values[1], 5);
  EXPECT_EQ(s->values[2], 0);
  auto a = (*store)->ReadSeries({"asn/64500", "probe", "vp-1"}, 0, INT64_MAX);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->present(), 3u);
}

}  // namespace
}  // namespace blackout::probe
