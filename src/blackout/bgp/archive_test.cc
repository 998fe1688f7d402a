#include "blackout/bgp/archive.h"

#include <gtest/gtest.h>

#include <limits>

namespace blackout::bgp {
namespace {

UnixSeconds T(const char* s) { return ParseTime(s).value(); }

TEST(ArchiveTest, RisLayout) {
  auto c = ParseCollector("rrc04");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->project, ArchiveProject::kRis);
  EXPECT_EQ(ArchivePath(*c, ArchiveFileKind::kUpdates, T("2021-01-01T04:55:00Z")),
            "rrc04/2021.01/updates.20210101.0455.gz");
  EXPECT_EQ(ArchivePath(*c, ArchiveFileKind::kRib, T("2021-01-01T08:00:00Z")),
            "rrc04/2021.01/bview.20210101.0800.gz");
}

TEST(ArchiveTest, RouteViewsLayout) {
  auto rv2 = ParseCollector("route-views2");
  ASSERT_TRUE(rv2.ok());
  EXPECT_EQ(rv2->project, ArchiveProject::kRouteViews);
  EXPECT_EQ(ArchivePath(*rv2, ArchiveFileKind::kRib, T("2021-12-31T22:00:00Z")),
            "bgpdata/2021.12/RIBS/rib.20211231.2200.bz2");
  auto syd = ParseCollector("route-views.sydney");
  ASSERT_TRUE(syd.ok());
  EXPECT_EQ(ArchivePath(*syd, ArchiveFileKind::kUpdates, T("2022-01-05T10:45:00Z")),
            "route-views.sydney/bgpdata/2022.01/UPDATES/updates.20220105.1045.bz2");
  EXPECT_TRUE(ParseCollector("route-views6").ok());
  EXPECT_FALSE(ParseCollector("rrc1").ok());
  EXPECT_FALSE(ParseCollector("route-views/../x").ok());
  EXPECT_FALSE(ParseCollector("example").ok());
}

TEST(ArchiveTest, ListCoversRangeRibFirst) {
  auto c = ParseCollector("rrc00").value();
  // 07:58 .. 08:10 -> the update file that started at 07:55 (covers 07:58) through 08:05, and the
  // 00:00 bview (the 8-hour period containing 07:58) plus the 08:00 one.
  auto files = ListArchiveFiles(c, "http://127.0.0.1:1/", T("2021-01-01T07:58:00Z"),
                                T("2021-01-01T08:10:00Z"), true, true);
  std::vector<std::string> rel;
  for (auto& f : files) rel.push_back(f.relative);
  std::vector<std::string> want = {
      "rrc00/2021.01/bview.20210101.0000.gz", "rrc00/2021.01/updates.20210101.0755.gz",
      "rrc00/2021.01/bview.20210101.0800.gz", "rrc00/2021.01/updates.20210101.0800.gz",
      "rrc00/2021.01/updates.20210101.0805.gz"};
  EXPECT_EQ(rel, want);
  EXPECT_EQ(files[0].url, "http://127.0.0.1:1/rrc00/2021.01/bview.20210101.0000.gz");
  // Only updates; month boundary.
  auto rv = ParseCollector("route-views.sydney").value();
  files = ListArchiveFiles(rv, "http://x", T("2021-01-31T23:50:00Z"), T("2021-02-01T00:20:00Z"),
                           false, true);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].relative,
            "route-views.sydney/bgpdata/2021.01/UPDATES/updates.20210131.2345.bz2");
  EXPECT_EQ(files[2].relative,
            "route-views.sydney/bgpdata/2021.02/UPDATES/updates.20210201.0015.bz2");
}

// Found with a hand-made input for blackout_bgp_archive_fuzz (UBSan): an --until at the largest
// Unix time made the file loop's t += period overflow (undefined behaviour, and in practice an
// endless list). The list now stops at the last file before INT64_MAX; a very early --from is safe
// too.
TEST(ArchiveTest, FuzzTimesNearTheInt64LimitsDoNotOverflow) {
  auto c = ParseCollector("rrc00");
  ASSERT_TRUE(c.ok());
  constexpr UnixSeconds kMax = std::numeric_limits<UnixSeconds>::max();
  auto files = ListArchiveFiles(*c, "", kMax - 807, kMax, true, true);
  ASSERT_FALSE(files.empty());
  for (const ArchiveFile& f : files) {
    EXPECT_GE(f.time, BinStart(kMax - 807, 300) - 8 * 3600);
    EXPECT_LT(f.time, kMax);
  }
  EXPECT_EQ(files.back().time, BinStart(kMax, 300));
  auto early = ListArchiveFiles(*c, "", std::numeric_limits<UnixSeconds>::min(),
                                std::numeric_limits<UnixSeconds>::min() / 2 + 600, false, true);
  EXPECT_LE(early.size(), 3u);
}

TEST(ArchiveSourceTest, ProjectsAndBase) {
  auto ris = ParseArchiveSource("ris:rrc00").value();
  EXPECT_EQ(ris.collector, "rrc00");
  EXPECT_EQ(ris.updates_period, 300);
  EXPECT_EQ(ris.rib_period, 8 * 3600);
  auto files =
      ListSourceFiles(ris, T("2021-01-01T07:55:00Z"), T("2021-01-01T08:05:00Z"), true, true);
  ASSERT_EQ(files.size(), 4u);  // bview 00:00, updates 07:55, bview 08:00, updates 08:00
  EXPECT_EQ(files[2].url, "https://data.ris.ripe.net/rrc00/2021.01/bview.20210101.0800.gz");
  EXPECT_EQ(files[2].relative, "rrc00/2021.01/bview.20210101.0800.gz");

  auto rv2 = ParseArchiveSource("routeviews:route-views2  base=http://127.0.0.1:9/m/").value();
  files = ListSourceFiles(rv2, T("2021-01-01T00:00:00Z"), T("2021-01-01T00:15:00Z"), true, true);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].url, "http://127.0.0.1:9/m/bgpdata/2021.01/RIBS/rib.20210101.0000.bz2");
  EXPECT_EQ(files[1].relative, "bgpdata/2021.01/UPDATES/updates.20210101.0000.bz2");
  auto syd = ParseArchiveSource("routeviews:route-views.sydney backfill_days=3").value();
  EXPECT_EQ(syd.backfill_days, 3);
  EXPECT_EQ(
      ListSourceFiles(syd, T("2022-01-05T10:45:00Z"), T("2022-01-05T10:46:00Z"), false, true)[0]
          .url,
      "http://archive.routeviews.org/route-views.sydney/bgpdata/2022.01/UPDATES/"
      "updates.20220105.1045.bz2");

  EXPECT_FALSE(ParseArchiveSource("ris:route-views2").ok());  // a RouteViews collector
  EXPECT_FALSE(ParseArchiveSource("routeviews:rrc00").ok());
  EXPECT_FALSE(ParseArchiveSource("ris:rrc00 rib=x").ok());  // template-only option
  EXPECT_FALSE(ParseArchiveSource("ris:rrc00 base=ftp://x").ok());
  EXPECT_FALSE(ParseArchiveSource("ris:rrc00 backfill_days=-1").ok());
  EXPECT_FALSE(ParseArchiveSource("rrc00").ok());
  EXPECT_TRUE(IsArchiveSpec("ris:rrc00"));
  EXPECT_TRUE(IsArchiveSpec("https://x/{YYYYMMDD}"));
  EXPECT_FALSE(IsArchiveSpec("/data/mrt"));
}

TEST(ArchiveSourceTest, TemplatesInferRibsAndCollector) {
  // RIS-like: bview every 8 h, updates every 5 min, collector from the folder.
  auto t =
      ParseArchiveSource("https://m.example/ris/rrc04/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz")
          .value();
  EXPECT_EQ(t.collector, "rrc04");
  EXPECT_EQ(t.rib_url, "https://m.example/ris/rrc04/{YYYY}.{MM}/bview.{YYYYMMDD}.{HHMM}.gz");
  EXPECT_EQ(t.rib_period, 8 * 3600);
  EXPECT_EQ(t.updates_period, 300);
  auto files = ListSourceFiles(t, T("2021-01-01T04:55:00Z"), T("2021-01-01T05:00:00Z"), true, true);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].url, "https://m.example/ris/rrc04/2021.01/updates.20210101.0455.gz");
  EXPECT_EQ(files[1].relative, "rrc04/2021.01/updates.20210101.0455.gz");
  // RouteViews-like: RIBS/rib. every 2 h, updates every 15 min; the collector above bgpdata.
  auto rv =
      ParseArchiveSource(
          "http://m/route-views.amsix/bgpdata/{YYYY}.{MM}/UPDATES/updates.{YYYYMMDD}.{HHMM}.bz2")
          .value();
  EXPECT_EQ(rv.collector, "route-views.amsix");
  EXPECT_EQ(rv.rib_url,
            "http://m/route-views.amsix/bgpdata/{YYYY}.{MM}/RIBS/rib.{YYYYMMDD}.{HHMM}.bz2");
  EXPECT_EQ(rv.rib_period, 7200);
  EXPECT_EQ(rv.updates_period, 900);
  // Other names: no RIBs unless rib= names them; options override the inference.
  auto other = ParseArchiveSource(
                   "https://m/{YYYY}/{MM}/{DD}/x-{YYYY}{MM}{DD}-{HH}{mm}.mrt collector=mine "
                   "period=600 rib=https://m/r/{YYYYMMDD}.{HHMM} rib_period=3600")
                   .value();
  EXPECT_EQ(other.collector, "mine");
  EXPECT_EQ(other.updates_period, 600);
  EXPECT_EQ(other.rib_period, 3600);
  EXPECT_EQ(ExpandTemplate(other.updates_url, T("2021-03-04T05:06:00Z")),
            "https://m/2021/03/04/x-20210304-0506.mrt");
  EXPECT_TRUE(ParseArchiveSource("https://m/a/{YYYYMMDD}.{HHMM}.mrt").value().rib_url.empty());
  // Errors name the problem.
  auto bad = ParseArchiveSource("https://m/a/{YYYY}.{MM}/updates.gz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("{YYYYMMDD}"), std::string::npos);
  EXPECT_FALSE(ParseArchiveSource("https://m/a/{YYYYMMDD}.{HHMM}.{ss}").ok());
  EXPECT_FALSE(ParseArchiveSource("https://m/{YYYYMMDD}.{HHMM}.gz").ok());  // no collector
  EXPECT_FALSE(ParseArchiveSource("https://m/a/{YYYYMMDD}.{HHMM} collector=../x").ok());
  EXPECT_FALSE(ParseArchiveSource("https://m/a/{YYYYMMDD}.{HHMM} period=5").ok());
}

}  // namespace
}  // namespace blackout::bgp
