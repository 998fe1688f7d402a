// The /24 split and its inverse, and the majority rule for blocks straddling ranges.
#include <gtest/gtest.h>

#include <set>

#include "blackout/geo/geodb.h"
#include "blackout/geo/internal/range_table.h"

namespace blackout::geo {
namespace {

std::vector<Prefix> Prefixes(std::initializer_list<const char*> texts) {
  std::vector<Prefix> out;
  for (const char* t : texts) out.push_back(*Prefix::Parse(t));
  return out;
}

std::vector<std::string> Strings(const std::vector<Prefix>& ps) {
  std::vector<std::string> out;
  for (const auto& p : ps) out.push_back(p.ToString());
  return out;
}

TEST(BlocksTest, SplitCountsAndDeduplicates) {
  auto ps = Prefixes({"10.0.0.0/22", "10.0.2.0/23", "10.0.8.0/24", "10.0.9.128/25", "192.0.2.7/32",
                      "2001:db8::/32"});
  auto blocks = SplitToBlocks24(ps);
  // /22 = 4 blocks (the /23 inside it adds none), the /24, the /25's block, the /32's block.
  ASSERT_EQ(blocks.size(), 4u + 1 + 1 + 1);
  EXPECT_TRUE(std::is_sorted(blocks.begin(), blocks.end()));
  EXPECT_EQ(std::set<uint32_t>(blocks.begin(), blocks.end()).size(), blocks.size());
  EXPECT_EQ(blocks.front(), (10u << 16) >> 0);
  EXPECT_EQ(blocks.back(), (192u << 16 | 0u << 8 | 2u));
}

TEST(BlocksTest, RoundTripGivesTheMinimalCover) {
  // Adjacent and overlapping prefixes merge; unaligned runs split into aligned CIDRs.
  auto ps = Prefixes({"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/23", "10.0.4.0/24", "10.0.3.0/24",
                      "172.16.5.0/24", "172.16.6.0/23", "172.16.8.0/21", "198.18.0.0/15"});
  auto blocks = SplitToBlocks24(ps);
  auto back = BlocksToPrefixes24(blocks);
  EXPECT_EQ(Strings(back),
            (std::vector<std::string>{"10.0.0.0/22", "10.0.4.0/24", "172.16.5.0/24",
                                      "172.16.6.0/23", "172.16.8.0/21", "198.18.0.0/15"}));
  // And splitting the result again gives the same blocks.
  EXPECT_EQ(SplitToBlocks24(back), blocks);
}

TEST(BlocksTest, RoundTripOfStraddlingPrefixes) {
  // Prefixes longer than /24 straddle nothing but share their /24 with others.
  auto ps = Prefixes({"203.0.113.0/25", "203.0.113.128/26", "203.0.113.192/27"});
  auto blocks = SplitToBlocks24(ps);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(Strings(BlocksToPrefixes24(blocks)), (std::vector<std::string>{"203.0.113.0/24"}));
}

TEST(BlocksTest, WholeSpace) {
  auto blocks = SplitToBlocks24(Prefixes({"0.0.0.0/0"}));
  EXPECT_EQ(blocks.size(), size_t{1} << 24);
  EXPECT_EQ(Strings(BlocksToPrefixes24(blocks)), (std::vector<std::string>{"0.0.0.0/0"}));
}

TEST(BlocksTest, Ipv6Blocks) {
  auto blocks = SplitToBlocks48(
      Prefixes({"2001:db8::/46", "2001:db8:1::/48", "2001:db8:8::/64", "10.0.0.0/8"}));
  ASSERT_EQ(blocks.size(), 4u + 1);
  EXPECT_EQ(blocks[0], 0x20010db80000ull);
  EXPECT_EQ(blocks[4], 0x20010db80008ull);
}

TEST(BlocksTest, RangeToPrefixes) {
  EXPECT_EQ(Strings(RangeToPrefixes({0x0a000001, 0x0a000006}, Family::kIPv4)),
            (std::vector<std::string>{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}));
  EXPECT_EQ(Strings(RangeToPrefixes({0, 0xffffffff}, Family::kIPv4)),
            (std::vector<std::string>{"0.0.0.0/0"}));
  EXPECT_EQ(Strings(RangeToPrefixes({0x20010db800000000ull, 0x20010db80001ffffull}, Family::kIPv6)),
            (std::vector<std::string>{"2001:db8::/47"}));
}

TEST(RangeTableTest, MajorityOfStraddlingBlocks) {
  internal::RangeTable t;
  // 10.0.0.0-10.0.0.99 -> 1, 10.0.0.100-10.0.1.9 -> 2 (a /24 split 100/156), gap, 10.0.1.200- -> 3
  t.Build({{0x0a000000, 0x0a000063, 1}, {0x0a000064, 0x0a000109, 2}, {0x0a0001c8, 0x0a0002ff, 3}},
          32);
  EXPECT_EQ(t.Majority(0x0a000000, 0x0a0000ff, t.Seek(0x0a000000)), 2u);
  // 10.0.1.0/24: 10 addresses of 2, 56 of 3, 190 unknown -> unknown wins.
  EXPECT_EQ(t.Majority(0x0a000100, 0x0a0001ff, t.Seek(0x0a000100)), 0u);
  EXPECT_EQ(t.Majority(0x0a000200, 0x0a0002ff, t.Seek(0x0a000200)), 3u);
  EXPECT_EQ(t.Find(0x0a000063), 1u);
  EXPECT_EQ(t.Find(0x0a000064), 2u);
  EXPECT_EQ(t.Find(0x0a000150), 0u);
  EXPECT_EQ(t.Find(0x0b000000), 0u);
  // A tie goes to the value met first (the lower addresses).
  internal::RangeTable tie;
  tie.Build({{0x0a000000, 0x0a00007f, 5}, {0x0a000080, 0x0a0000ff, 4}}, 32);
  EXPECT_EQ(tie.Majority(0x0a000000, 0x0a0000ff, tie.Seek(0x0a000000)), 5u);
}

TEST(RangeTableTest, BuildSortsClipsAndMerges) {
  internal::RangeTable t;
  uint64_t clipped = t.Build({{20, 29, 2}, {0, 9, 1}, {10, 19, 1}, {25, 40, 3}, {5, 7, 9}}, 32);
  EXPECT_EQ(clipped, 2u);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.first(0), 0u);
  EXPECT_EQ(t.last(0), 19u);   // merged
  EXPECT_EQ(t.first(2), 30u);  // clipped: the earlier row wins the overlap
  EXPECT_EQ(t.value(2), 3u);
}

}  // namespace
}  // namespace blackout::geo
