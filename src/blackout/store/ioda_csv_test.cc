#include "blackout/store/ioda_csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "blackout/testing/testing.h"

namespace blackout::store {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(IodaCsvTableTest, ColumnsAreMatchedThroughTheRegistry) {
  auto t = ParseIodaCsvTable(
      "\xEF\xBB\xBF\"Timestamp\",GTR,gtr-norm,merit-nt,BGP,ping-slash24,datetime,Label\n"
      "600,5,0.5,3,100,50,x,1\n",
      "f.csv", "label");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_THAT(t->signals, ElementsAre("traffic", "gtr-norm", "darknet", "bgp", "probe"));
  EXPECT_THAT(t->ignored, ElementsAre("datetime"));
  ASSERT_EQ(t->rows.size(), 1u);
  EXPECT_THAT(t->rows[0].values, ElementsAre(5, 0.5, 3, 100, 50));
  EXPECT_EQ(t->rows[0].label, true);
  EXPECT_TRUE(t->problems.empty());
}

TEST(IodaCsvTableTest, BadCellsAreMissingBadRowsSkippedEachReportedWithItsLine) {
  auto t = ParseIodaCsvTable(
      "timestamp,bgp,probe,LABEL\n"
      "900,1,2,0\n"
      "600,1,2,0\n"      // line 3: decreasing
      "900,1,2,0\n"      // line 4: repeated
      "x,1,2,0\n"        // line 5: unreadable time
      "1200,1,2\n"       // line 6: too few fields
      "1500,-1,nan,2\n"  // line 7: negative, NaN, bad label: row kept, cells missing
      "\n"
      "1800,,4,\n",  // empty cells: missing, unlabelled, no problem
      "f.csv", "LABEL");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<uint64_t> lines;
  for (const Status& p : t->problems) {
    EXPECT_EQ(p.code(), StatusCode::kDataLoss);
    EXPECT_EQ(p.where().file, "f.csv");
    lines.push_back(*p.where().line);
  }
  EXPECT_THAT(lines, ElementsAre(3, 4, 5, 6, 7, 7, 7));
  EXPECT_THAT(t->problems[0].message(), HasSubstr("decreasing"));
  EXPECT_THAT(t->problems[4].message(), HasSubstr("'-1'"));
  EXPECT_EQ(t->rows_read, 7u);
  ASSERT_EQ(t->rows.size(), 3u);
  EXPECT_TRUE(std::isnan(t->rows[1].values[0]));
  EXPECT_TRUE(std::isnan(t->rows[1].values[1]));
  EXPECT_FALSE(t->rows[1].label.has_value());
  EXPECT_TRUE(std::isnan(t->rows[2].values[0]));
  EXPECT_EQ(t->rows[2].values[1], 4);
  EXPECT_EQ(t->step, 300);  // gaps 600, 300: a tie goes to the smallest
}

TEST(IodaCsvTableTest, WhatTheFileLacksIsDataLossWhatTheCallerAskedForAnArgument) {
  EXPECT_EQ(ParseIodaCsvTable("", "f").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsvTable("when,bgp\n1,2\n", "f").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsvTable("timestamp,datetime\n1,2\n", "f").status().code(),
            StatusCode::kDataLoss);
  EXPECT_EQ(ParseIodaCsvTable("timestamp,bgp\n1,2\n", "f", "LABEL").status().code(),
            StatusCode::kInvalidArgument);
}

// Both real IODA exports read with no problem: every row kept, their 5-minute step found, and
// the labels as many as the files' README counts (Iraq: 383 outage rows).
TEST(IodaCsvTableTest, RealExportsReadWhole) {
  for (const char* name :
       {"series/ioda-country-IQ-2023-08.csv", "series/ioda-country-IR-2019-11.csv"}) {
    std::ifstream in(blackout::testing::DataFile(name), std::ios::binary);
    ASSERT_TRUE(in) << name;
    std::stringstream ss;
    ss << in.rdbuf();
    auto t = ParseIodaCsvTable(ss.str(), name, "LABEL");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_TRUE(t->problems.empty()) << t->problems[0].ToString();
    EXPECT_EQ(t->rows.size(), t->rows_read) << name;
    EXPECT_EQ(t->step, 300) << name;
    if (std::string(name).find("IQ") != std::string::npos) {
      EXPECT_EQ(t->rows.size(), 2928u);
      int outage = 0;
      for (const auto& r : t->rows) outage += r.label.value_or(false) ? 1 : 0;
      EXPECT_EQ(outage, 383);
    }
  }
}

}  // namespace
}  // namespace blackout::store
