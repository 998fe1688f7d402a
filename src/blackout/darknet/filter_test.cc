#include "blackout/darknet/filter.h"

#include <gtest/gtest.h>

#include "blackout/darknet/pcap_writer.h"

namespace blackout::darknet {
namespace {

PacketInfo Decode(const PacketSpec& spec) {
  std::string raw = MakeIpv4Packet(spec);
  PacketInfo p;
  EXPECT_EQ(DecodePacket(kLinkRaw, {reinterpret_cast<const uint8_t*>(raw.data()), raw.size()}, &p),
            Decoded::kIp);
  return p;
}

PacketSpec Backscatter() {
  PacketSpec s;
  s.src = 0x88005AA5;  // 136.0.90.165
  s.dst = 0x0A0A0A0A;
  return s;
}

TEST(FilterTest, BackscatterIsKept) {
  NoiseFilter f;
  EXPECT_EQ(f.Classify(Decode(Backscatter())), Drop::kKept);
  PacketSpec rst = Backscatter();
  rst.tcp_flags = kTcpRst;
  EXPECT_EQ(f.Classify(Decode(rst)), Drop::kKept);
  PacketSpec icmp = Backscatter();
  icmp.protocol = kProtoIcmp;
  icmp.ttl = 250;  // routers answer from an initial TTL of 255: ICMP is exempt from ttl-200
  EXPECT_EQ(f.Classify(Decode(icmp)), Drop::kKept);
}

TEST(FilterTest, EachRuleDropsWhatItNames) {
  NoiseFilter f;
  auto with = [](auto change) {
    PacketSpec s = Backscatter();
    change(s);
    return s;
  };
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.src = 0xC0A80101; }))),
            Drop::kSpecialSource);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.src = 0xC6120001; }))),
            Drop::kSpecialSource);  // 198.18.0.1, benchmarking (RFC 2544)
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.dst = s.src; }))), Drop::kSameSrcDst);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.src = 0x88005A00; }))),
            Drop::kSrcLastOctet0);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.src = 0x88005AFF; }))),
            Drop::kSrcLastOctet255);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.more_fragments = true; }))),
            Drop::kFragment);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.protocol = 253; }))),
            Drop::kAbnormalProtocol);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.tcp_flags = 0; }))),
            Drop::kAbnormalTcpFlags);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.tcp_flags = kTcpSyn | kTcpFin; }))),
            Drop::kAbnormalTcpFlags);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.ttl = 200; }))), Drop::kTtl200);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.ttl = 199; }))), Drop::kKept);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) { s.sport = 0; }))), Drop::kPort0);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) {
    s.protocol = kProtoUdp;
    s.dport = 0;
  }))),
            Drop::kPort0);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) {
    s.tcp_flags = kTcpSyn;
    s.tcp_mss_option = false;
  }))),
            Drop::kSynNoOptions);
  EXPECT_EQ(f.Classify(Decode(with([](PacketSpec& s) {
    s.tcp_flags = kTcpSyn;
    s.window = 1024;
  }))),
            Drop::kWindow1024);
  // A SYN with options and an ordinary window is a scanner or a real client: kept.
  EXPECT_EQ(
      f.Classify(Decode(with([](PacketSpec& s) { s.tcp_flags = kTcpSyn | kTcpEce | kTcpCwr; }))),
      Drop::kKept);
}

TEST(FilterTest, UnroutedNeedsARoutingView) {
  const PacketInfo p = Decode(Backscatter());
  EXPECT_EQ(NoiseFilter().Classify(p), Drop::kKept);
  std::vector<Prefix> routed = {*Prefix::Parse("136.0.0.0/16"), *Prefix::Parse("2001:db8::/32")};
  RoutedSpace space = RoutedSpace::FromPrefixes(routed);
  FilterOptions o;
  o.routed = &space;
  EXPECT_EQ(NoiseFilter(o).Classify(p), Drop::kKept);
  PacketSpec other = Backscatter();
  other.src = 0x89005AA5;  // 137.0.90.165
  EXPECT_EQ(NoiseFilter(o).Classify(Decode(other)), Drop::kUnrouted);
}

TEST(FilterTest, RoutedSpaceMergesAdjacentAndNested) {
  std::vector<Prefix> v = {*Prefix::Parse("10.0.0.0/9"), *Prefix::Parse("10.128.0.0/9"),
                           *Prefix::Parse("10.1.0.0/16"), *Prefix::Parse("0.0.0.0/0")};
  EXPECT_EQ(RoutedSpace::FromPrefixes(v).ranges(), 1u);
  std::vector<Prefix> w = {*Prefix::Parse("10.0.0.0/9"), *Prefix::Parse("10.128.0.0/9")};
  EXPECT_EQ(RoutedSpace::FromPrefixes(w).ranges(), 1u);
}

TEST(FilterTest, RulesCanBeTurnedOffByName) {
  FilterOptions o;
  ASSERT_TRUE(ParseFilterRules("all,-ttl-200,-special-source", &o).ok());
  PacketSpec s = Backscatter();
  s.ttl = 240;
  EXPECT_EQ(NoiseFilter(o).Classify(Decode(s)), Drop::kKept);
  s.src = 0xC6120001;
  EXPECT_EQ(NoiseFilter(o).Classify(Decode(s)), Drop::kKept);
  ASSERT_TRUE(ParseFilterRules("none", &o).ok());
  s.sport = 0;
  EXPECT_EQ(NoiseFilter(o).Classify(Decode(s)), Drop::kKept);
  Status bad = ParseFilterRules("all,-ttl200", &o);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("ttl-200"), std::string::npos);  // names the valid ones
}

TEST(FilterTest, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < kNumDrops; ++i) names.insert(DropName(static_cast<Drop>(i)));
  EXPECT_EQ(names.size(), kNumDrops);
}

}  // namespace
}  // namespace blackout::darknet
