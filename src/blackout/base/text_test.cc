#include "blackout/base/text.h"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(TextTest, CaseFoldingIsAsciiOnly) {
  EXPECT_EQ(AsciiLower("Country/KZ"), "country/kz");
  EXPECT_EQ(AsciiUpper("kz-ala"), "KZ-ALA");
  EXPECT_EQ(AsciiLower("\xc3\x89"), "\xc3\x89");  // UTF-8 bytes untouched
}

TEST(TextTest, EditDistance) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("report", "reprot"), 2u);
  EXPECT_EQ(EditDistance("kazakstan", "kazakhstan"), 1u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("", "abcd"), 4u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(TextTest, LineReaderNumbersLinesAndDropsCarriageReturns) {
  LineReader r("a\r\n\nlast");
  std::string_view line;
  uint64_t n = 0;
  ASSERT_TRUE(r.Next(&line, &n));
  EXPECT_EQ(line, "a");
  EXPECT_EQ(n, 1u);
  ASSERT_TRUE(r.Next(&line, &n));
  EXPECT_EQ(line, "");
  ASSERT_TRUE(r.Next(&line, &n));
  EXPECT_EQ(line, "last");
  EXPECT_EQ(n, 3u);
  EXPECT_FALSE(r.Next(&line, &n));
  LineReader empty("");
  EXPECT_FALSE(empty.Next(&line, &n));
}

}  // namespace
}  // namespace blackout
