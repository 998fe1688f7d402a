#include "blackout/server/params.h"

#include <gtest/gtest.h>

namespace blackout::server {
namespace {

constexpr UnixSeconds kNow = 1641859200;  // 2022-01-11

TEST(ParseRangeTest, AcceptsUnixAndIso) {
  auto r = ParseRange("1641340800", "2022-01-06T00:00:00Z", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from, 1641340800);
  EXPECT_EQ(r->until, 1641427200);
}

TEST(ParseRangeTest, DefaultsToTheLastDay) {
  auto r = ParseRange(std::nullopt, std::nullopt, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->until, kNow);
  EXPECT_EQ(r->from, kNow - 86400);
}

TEST(ParseRangeTest, RejectsReversedEmptyLongAndGarbage) {
  EXPECT_FALSE(ParseRange("2022-01-06", "2022-01-05", kNow).ok());
  EXPECT_FALSE(ParseRange("2022-01-05", "2022-01-05", kNow).ok());
  EXPECT_FALSE(ParseRange("2021-01-01", "2022-01-05", kNow).ok());
  EXPECT_TRUE(ParseRange("2021-10-01", "2022-01-05", kNow).ok());  // 96 days
  EXPECT_FALSE(ParseRange("yesterday", "2022-01-05", kNow).ok());
  EXPECT_FALSE(ParseRange("", "2022-01-05", kNow).ok());
  EXPECT_FALSE(ParseRange("-5", "2022-01-05", kNow).ok());
  EXPECT_FALSE(ParseRange("99999999999999999999", std::nullopt, kNow).ok());
  auto r = ParseRange("2022-01-06", "2022-01-05", kNow);
  EXPECT_NE(r.status().message().find("before"), std::string::npos);
}

TEST(ParseIntTest, ClampsAndRejects) {
  EXPECT_EQ(*ParseInt("n", std::nullopt, 7, 1, 100), 7);
  EXPECT_EQ(*ParseInt("n", "42", 7, 1, 100), 42);
  EXPECT_EQ(*ParseInt("n", "1000000", 7, 1, 100), 100);
  EXPECT_EQ(*ParseInt("n", "99999999999999999999999", 7, 1, 100), 100);
  EXPECT_FALSE(ParseInt("n", "0", 7, 1, 100).ok());
  EXPECT_FALSE(ParseInt("n", "-3", 7, 1, 100).ok());
  EXPECT_FALSE(ParseInt("n", "12abc", 7, 1, 100).ok());
  EXPECT_FALSE(ParseInt("n", "", 7, 1, 100).ok());
  EXPECT_FALSE(ParseInt("n", "1e3", 7, 1, 100).ok());
}

TEST(EntityNamesTest, Validation) {
  EXPECT_TRUE(IsEntityType("country"));
  EXPECT_FALSE(IsEntityType("planet"));
  EXPECT_TRUE(IsEntityCode("KZ-75"));
  EXPECT_TRUE(IsEntityCode("9198"));
  EXPECT_FALSE(IsEntityCode(""));
  EXPECT_FALSE(IsEntityCode("KZ/75"));
  EXPECT_FALSE(IsEntityCode(std::string(65, 'A')));
  EXPECT_TRUE(IsDatasourceName("ping-slash24"));
  EXPECT_FALSE(IsDatasourceName("BGP;drop"));
}

}  // namespace
}  // namespace blackout::server
