#include "blackout/base/ip.h"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(IpTest, ParseAndFormatV4) {
  auto a = IpAddress::Parse("198.18.3.4");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->v4(), 0xC6120304u);
  EXPECT_EQ(a->ToString(), "198.18.3.4");
  EXPECT_EQ(IpAddress::V4(0x0A000001).ToString(), "10.0.0.1");
  EXPECT_FALSE(IpAddress::Parse("256.1.1.1").ok());
  EXPECT_FALSE(IpAddress::Parse("").ok());
  EXPECT_FALSE(IpAddress::Parse("1.2.3").ok());
}

TEST(IpTest, ParseAndFormatV6LikeInetNtop) {
  auto a = IpAddress::Parse("2001:DB8:0:0:1::1");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->is_v4());
  EXPECT_EQ(a->ToString(), "2001:db8::1:0:0:1");
  EXPECT_EQ(IpAddress::Parse("::ffff:1.2.3.4")->ToString(), "::ffff:1.2.3.4");
  EXPECT_EQ(a->v6_high(), 0x20010db800000000ull);
}

// Found by blackout_base_ip_fuzz: "fe80::1\0\0\0:2:6:4:5" parsed as fe80::1, because inet_pton
// stops at the first NUL. Text with a NUL byte is not an address, wherever the NUL is.
TEST(IpTest, FuzzNulByteIsNotIgnored) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(IpAddress::Parse("fe80::1\0\0\0:2:6:4:5"sv).ok());
  EXPECT_FALSE(IpAddress::Parse("198.18.0.1\0junk"sv).ok());
  EXPECT_FALSE(IpAddress::Parse("\0"sv).ok());
  EXPECT_FALSE(Prefix::Parse("198.18.0.0\0/15"sv).ok());
  EXPECT_FALSE(Prefix::Parse("198.18.0.0/15\0"sv).ok());
  EXPECT_TRUE(IpAddress::Parse("fe80::1"sv).ok());
}

TEST(IpTest, Prefixes) {
  auto p = Prefix::Parse("198.18.0.0/15");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->length(), 15);
  EXPECT_TRUE(p->Contains(*IpAddress::Parse("198.19.255.255")));
  EXPECT_FALSE(p->Contains(*IpAddress::Parse("198.20.0.0")));
  EXPECT_FALSE(p->Contains(*IpAddress::Parse("::1")));
  EXPECT_TRUE(p->Contains(*Prefix::Parse("198.18.7.0/24")));
  EXPECT_FALSE(p->Contains(*Prefix::Parse("198.0.0.0/8")));
  EXPECT_EQ(Prefix::Parse("11.13.0.0/13")->Masked().ToString(), "11.8.0.0/13");
  EXPECT_EQ(Prefix::Parse("2001:db8::ff/64")->Masked().ToString(), "2001:db8::/64");
  EXPECT_EQ(Prefix::Parse("1.2.3.4")->length(), 32);
  EXPECT_FALSE(Prefix::Parse("1.2.3.4/33").ok());
  EXPECT_FALSE(Prefix::Parse("1.2.3.4/").ok());
  EXPECT_FALSE(Prefix::Parse("1.2.3.4/2x").ok());
  EXPECT_EQ(Prefix::Parse("0.0.0.0/0")->Masked().ToString(), "0.0.0.0/0");
}

}  // namespace
}  // namespace blackout
