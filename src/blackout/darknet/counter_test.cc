#include "blackout/darknet/counter.h"

#include <gtest/gtest.h>

#include "blackout/darknet/pcap_writer.h"

namespace blackout::darknet {
namespace {

// 1.x.x.x is country/AA (asn/1), 2.x.x.x country/BB (asn/2); nothing else is attributed.
Attributor TestAttributor(int* calls = nullptr) {
  return [calls](const IpAddress& a, std::vector<std::string>* out) {
    if (calls) ++*calls;
    if (!a.is_v4()) return;
    if ((a.v4() >> 24) == 1) {
      out->push_back("country/AA");
      out->push_back("asn/1");
    } else if ((a.v4() >> 24) == 2) {
      out->push_back("country/BB");
      out->push_back("asn/2");
    }
  };
}

void Add(TelescopeCounter& c, UnixSeconds t, const PacketSpec& s) {
  std::string raw = MakeIpv4Packet(s);
  c.AddPacket(t, kLinkRaw, {reinterpret_cast<const uint8_t*>(raw.data()), raw.size()});
}

TEST(CounterTest, UniqueSourcesAndPacketsPerBinAndEntity) {
  int calls = 0;
  TelescopeCounter c(TestAttributor(&calls), {});
  PacketSpec s;
  s.dst = 0x0A0A0A0A;
  for (uint32_t i = 1; i <= 10; ++i) {  // 10 sources in AA, 3 packets each, bin 0
    s.src = 0x01000000 | i;
    for (int k = 0; k < 3; ++k) Add(c, 100 + k, s);
  }
  s.src = 0x02000001;
  Add(c, 400, s);  // BB, bin 300
  s.src = 0x03000001;
  Add(c, 401, s);  // unattributed
  s.src = 0x01000000;
  Add(c, 402, s);        // dropped: .0
  EXPECT_EQ(calls, 12);  // once per distinct kept source
  EXPECT_EQ(c.Bins(), (std::vector<UnixSeconds>{0, 300}));
  auto b0 = c.Counts(0);
  ASSERT_EQ(b0.size(), 2u);
  EXPECT_EQ(b0["country/AA"].sources, 10u);
  EXPECT_EQ(b0["country/AA"].packets, 30u);
  EXPECT_EQ(b0["asn/1"].sources, 10u);
  EXPECT_TRUE(b0["asn/1"].exact);
  auto b1 = c.Counts(300);
  EXPECT_EQ(b1["country/BB"].sources, 1u);
  EXPECT_EQ(b1.count("country/AA"), 0u);
  EXPECT_EQ(c.stats().packets, 33u);
  EXPECT_EQ(c.stats().kept(), 32u);
  EXPECT_EQ(c.stats().unattributed, 1u);
  EXPECT_EQ(c.stats().by[static_cast<size_t>(Drop::kSrcLastOctet0)], 1u);
}

TEST(CounterTest, CacheStartsOverWhenFullAndStaysRight) {
  int calls = 0;
  CounterOptions o;
  o.cache_entries = 16;
  TelescopeCounter c(TestAttributor(&calls), o);
  PacketSpec s;
  for (int round = 0; round < 2; ++round) {
    for (uint32_t i = 1; i <= 100; ++i) {
      s.src = 0x01000000 | i << 8 | 1;
      Add(c, 10, s);
    }
  }
  EXPECT_GT(calls, 100);  // the second round could not all come from the cache
  EXPECT_EQ(c.Counts(0)["country/AA"].sources, 100u);
  EXPECT_EQ(c.Counts(0)["country/AA"].packets, 200u);
}

TEST(CounterTest, NonIpAndMalformedAreCounted) {
  TelescopeCounter c(TestAttributor(), {});
  std::string arp(12, '\0');
  arp += std::string("\x08\x06", 2) + std::string(28, '\0');
  c.AddPacket(1, kLinkEthernet, {reinterpret_cast<const uint8_t*>(arp.data()), arp.size()});
  c.AddPacket(1, kLinkRaw, {reinterpret_cast<const uint8_t*>("\x45\x00"), 2});
  EXPECT_EQ(c.stats().by[static_cast<size_t>(Drop::kNotIp)], 1u);
  EXPECT_EQ(c.stats().by[static_cast<size_t>(Drop::kMalformed)], 1u);
  EXPECT_TRUE(c.Bins().empty());
}

TEST(CounterTest, SerialisedBinMergesAsUnion) {
  TelescopeCounter a(TestAttributor(), {}), b(TestAttributor(), {});
  PacketSpec s;
  for (uint32_t i = 1; i <= 20; ++i) {
    s.src = 0x01000000 | i;
    Add(a, 5, s);
  }
  for (uint32_t i = 11; i <= 30; ++i) {
    s.src = 0x01000000 | i;
    Add(b, 6, s);
  }
  s.src = 0x02000005;
  Add(b, 7, s);
  ASSERT_TRUE(a.MergeSerializedBin(0, b.SerializeBin(0)).ok());
  auto m = a.Counts(0);
  EXPECT_EQ(m["country/AA"].sources, 30u);
  EXPECT_EQ(m["country/AA"].packets, 40u);
  EXPECT_EQ(m["country/BB"].sources, 1u);
  EXPECT_EQ(a.MergeSerializedBin(0, "\x05").code(), StatusCode::kDataLoss);
}

TEST(CounterTest, TakeBinForgetsIt) {
  TelescopeCounter c(TestAttributor(), {});
  PacketSpec s;
  s.src = 0x01000009;
  Add(c, 1, s);
  Add(c, 301, s);
  BinState taken = c.TakeBin(0);
  EXPECT_FALSE(taken.sources.empty());
  EXPECT_EQ(c.Bins(), (std::vector<UnixSeconds>{300}));
  Add(c, 2, s);  // a late packet for the taken bin starts it afresh
  EXPECT_EQ(c.Counts(0)["country/AA"].packets, 1u);
}

}  // namespace
}  // namespace blackout::darknet
