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

}  // namespace
}  // namespace blackout
