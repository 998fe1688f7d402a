#include "blackout/base/time.h"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(TimeTest, ParsesIsoAndUnix) {
  EXPECT_EQ(*ParseTime("1641378600"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05T10:30:00Z"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05T10:30Z"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05 10:30:00"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05T16:30:00+06:00"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05T10:30:00.250Z"), 1641378600);
  EXPECT_EQ(*ParseTime("2022-01-05"), 1641340800);
  EXPECT_EQ(*ParseTime("20220105"), 1641340800);
  EXPECT_EQ(*ParseTime("1970-01-01"), 0);
}

TEST(TimeTest, RejectsNonsense) {
  EXPECT_FALSE(ParseTime("").ok());
  EXPECT_FALSE(ParseTime("2022-02-30").ok());
  EXPECT_FALSE(ParseTime("2022-13-01").ok());
  EXPECT_FALSE(ParseTime("yesterday").ok());
  EXPECT_FALSE(ParseTime("2022-01-05T25:00").ok());
  EXPECT_FALSE(ParseTime("2022-01-05T10:30:00Zjunk").ok());
}

TEST(TimeTest, FormatsAndBins) {
  EXPECT_EQ(FormatIso8601(1641378600), "2022-01-05T10:30:00Z");
  EXPECT_EQ(FormatDateTime(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatIso8601(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(BinStart(1641378899, 300), 1641378600);
  EXPECT_EQ(BinStart(1641378600, 300), 1641378600);
  EXPECT_EQ(BinStart(-1, 300), -300);
  for (int64_t t = -100000; t < 100000000; t += 86399 * 7) {
    EXPECT_EQ(*ParseTime(FormatIso8601(t)), t);
  }
}

}  // namespace
}  // namespace blackout
