#include "blackout/detect/ioda_csv.h"

#include <gtest/gtest.h>

namespace blackout::detect {
namespace {

TEST(IodaCsvTest, EmptyCellsAreMissingAndNamesMap) {
  auto r = ParseIodaCsv(
      "timestamp,gtr,gtr-norm,merit-nt,bgp,ping-slash24,datetime,LABEL\n"
      "600,5.0,0.5,3.2,100,50,x,0\n"
      "900,,0.5,,101,51,x,1\n"
      "1200,7.0,0.5,3.0,,52,x,\n",
      "LABEL");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const EntitySeries& s = r->series;
  EXPECT_EQ(s.from, 600);
  EXPECT_EQ(s.step, 300);
  EXPECT_EQ(s.bins(), 3u);
  EXPECT_EQ(s.values[static_cast<int>(Signal::kTraffic)][0], 5.0);
  EXPECT_FALSE(s.values[static_cast<int>(Signal::kTraffic)][1].has_value());
  EXPECT_FALSE(s.values[static_cast<int>(Signal::kDarknet)][1].has_value());
  EXPECT_FALSE(s.values[static_cast<int>(Signal::kBgp)][2].has_value());
  EXPECT_EQ(s.values[static_cast<int>(Signal::kProbe)][2], 52.0);
  EXPECT_EQ(r->labels[0], false);
  EXPECT_EQ(r->labels[1], true);
  EXPECT_FALSE(r->labels[2].has_value());
  EXPECT_TRUE(r->problems.empty());
}

TEST(IodaCsvTest, RecoversFromBadRowsAndReportsThem) {
  auto r = ParseIodaCsv(
      "timestamp,bgp,ping-slash24\n"
      "900,10,20\n"
      "600,11,21\n"     // decreasing: skipped
      "900,12,22\n"     // repeated: skipped
      "garbage,1,1\n"   // unreadable: skipped
      "1200,-4,nan\n"   // negative and NaN: missing
      "1500,abc,inf\n"  // not a number, infinite: missing
      "2100,13,23\n",   // a time gap: bins in between are missing
      "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->problems.size(), 7u);
  EXPECT_EQ(r->problems[0].where().line, 3u);
  const auto& bgp = r->series.values[static_cast<int>(Signal::kBgp)];
  ASSERT_EQ(bgp.size(), 5u);
  EXPECT_EQ(bgp[0], 10.0);
  EXPECT_FALSE(bgp[1].has_value());
  EXPECT_FALSE(bgp[2].has_value());
  EXPECT_FALSE(bgp[3].has_value());
  EXPECT_EQ(bgp[4], 13.0);
  EXPECT_TRUE(r->series.values[static_cast<int>(Signal::kTraffic)].empty());
}

TEST(IodaCsvTest, Errors) {
  // What the file lacks is data loss; what the caller asked for and the file lacks is an argument.
  EXPECT_EQ(ParseIodaCsv("", "").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsv("a,b\n1,2\n", "").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsv("timestamp,foo\n1,2\n", "").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsv("timestamp,bgp\n300,2\n", "LABEL").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIodaCsv("timestamp,bgp\n", "").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ReadIodaCsv("/nonexistent.csv", "").status().code(), StatusCode::kIoError);
  // A single row is a valid (one-bin) series.
  auto one = ParseIodaCsv("timestamp,bgp\n2023-08-20T01:00:00Z,5\n", "");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->series.bins(), 1u);
}

TEST(IodaCsvTest, QuotedFieldsAndIsoTimes) {
  auto r = ParseIodaCsv(
      "\"timestamp\",\"bgp\"\n\"2023-08-20 01:00:00\",\"7\"\n"
      "\"2023-08-20 01:05:00\",\"8\"\n",
      "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->series.from, 1692493200);
  EXPECT_EQ(r->series.values[static_cast<int>(Signal::kBgp)][1], 8.0);
}

// Found by blackout_detect_ioda_csv_fuzz (its memory climbed to the 2 GB limit): rows one second
// apart and one far later made a 1-second grid of up to 50 million bins (641 MB for this 40-byte
// file with four signal columns, 3 GB at the old cap). The span is now bounded by the rows; files
// of the same shape with fewer bins still parse.
TEST(IodaCsvTest, FuzzSpanTooLongForStepIsRejectedNotAllocated) {
  auto r = ParseIodaCsv("timestamp,bgp\n0,1\n1,1\n2,1\n9000000,1\n", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("too long"), std::string::npos) << r.status().ToString();
  auto ok = ParseIodaCsv("timestamp,bgp\n0,1\n1,1\n2,1\n900000,1\n", "");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->series.bins(), 900001u);
  EXPECT_EQ(ok->series.values[static_cast<int>(Signal::kBgp)][900000], 1.0);
}

// Found while fixing the bug above (blackout_detect_ioda_csv_fuzz's UBSan reports it on this
// input): the gap between a year-0000 row and a row at the largest Unix time overflowed int64. Such
// a span is an error, not undefined behaviour.
TEST(IodaCsvTest, FuzzGapOverflowIsAnError) {
  auto r = ParseIodaCsv("timestamp,bgp\n0000-01-01,1\n9223372036854775807,2\n", "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace blackout::detect
