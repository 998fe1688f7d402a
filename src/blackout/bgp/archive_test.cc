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

}  // namespace
}  // namespace blackout::bgp
