#include "blackout/bmp/decoder.h"

#include <gtest/gtest.h>

#include "blackout/bmp/session.h"

namespace blackout::bmp {
namespace {

void Put16(std::vector<uint8_t>& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void Put32(std::vector<uint8_t>& b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v >> 16));
  Put16(b, static_cast<uint16_t>(v));
}

// Common header + per-peer header (IPv4 peer 192.0.2.1 AS 65001, post-policy when `post`).
std::vector<uint8_t> Start(MessageType type, bool post) {
  std::vector<uint8_t> b = {kBmpVersion, 0, 0, 0, 0, static_cast<uint8_t>(type)};
  b.push_back(0);                               // global instance peer
  b.push_back(post ? kPeerFlagL : 0);           // flags
  for (int i = 0; i < 8; ++i) b.push_back(0);   // distinguisher
  for (int i = 0; i < 12; ++i) b.push_back(0);  // address (IPv4 in the last 4 bytes)
  for (uint8_t x : {192, 0, 2, 1}) b.push_back(x);
  Put32(b, 65001);
  Put32(b, 0x0A000001);
  Put32(b, 1700000000);
  Put32(b, 0);
  return b;
}

void Finish(std::vector<uint8_t>& b) {
  const uint32_t n = static_cast<uint32_t>(b.size());
  b[1] = static_cast<uint8_t>(n >> 24);
  b[2] = static_cast<uint8_t>(n >> 16);
  b[3] = static_cast<uint8_t>(n >> 8);
  b[4] = static_cast<uint8_t>(n);
}

// An UPDATE withdrawing 198.18.9.0/24 and announcing 198.18.0.0/24 with path 65001 64500.
std::vector<uint8_t> RouteMonitoring(bool post) {
  std::vector<uint8_t> b = Start(MessageType::kRouteMonitoring, post);
  std::vector<uint8_t> u(16, 0xFF);
  Put16(u, 0);
  u.push_back(2);  // UPDATE
  Put16(u, 4);
  for (uint8_t x : {24, 198, 18, 9}) u.push_back(x);
  std::vector<uint8_t> attrs = {0x40, 1, 1,  0,      // ORIGIN IGP
                                0x40, 2, 10, 2, 2};  // AS_PATH: one AS_SEQUENCE of 2
  Put32(attrs, 65001);
  Put32(attrs, 64500);
  for (uint8_t x : {0x40, 3, 4, 192, 0, 2, 1}) attrs.push_back(x);  // NEXT_HOP
  Put16(u, static_cast<uint16_t>(attrs.size()));
  u.insert(u.end(), attrs.begin(), attrs.end());
  for (uint8_t x : {24, 198, 18, 0}) u.push_back(x);
  u[16] = static_cast<uint8_t>(u.size() >> 8);
  u[17] = static_cast<uint8_t>(u.size());
  b.insert(b.end(), u.begin(), u.end());
  Finish(b);
  return b;
}

TEST(BmpDecoderTest, RouteMonitoringGivesMrtElements) {
  Decoder d;
  Message m;
  std::vector<std::string> problems;
  auto bytes = RouteMonitoring(true);
  ASSERT_TRUE(d.Decode(bytes, &m, &problems)) << problems.front();
  EXPECT_EQ(m.type, MessageType::kRouteMonitoring);
  EXPECT_EQ(m.peer.rib(), Rib::kPostPolicy);
  EXPECT_EQ(m.peer.address.ToString(), "192.0.2.1");
  ASSERT_EQ(m.elements.size(), 2u);
  EXPECT_EQ(m.elements[0].type, mrt::ElementType::kWithdraw);
  EXPECT_EQ(m.elements[0].prefix.ToString(), "198.18.9.0/24");
  EXPECT_EQ(m.elements[1].type, mrt::ElementType::kAnnounce);
  EXPECT_EQ(m.elements[1].prefix.ToString(), "198.18.0.0/24");
  EXPECT_EQ(m.elements[1].attrs->as_path.OriginAs(), 64500u);
  EXPECT_EQ(m.elements[1].peer_as, 65001u);
  EXPECT_EQ(m.elements[1].time, 1700000000u);
  EXPECT_EQ(PeerTable(m.peer), "post");
}

// FRR 8.0 (pmacct's 205 capture) sends Loc-RIB routes with 2-octet AS_PATHs although Loc-RIB
// paths are 4-octet (RFC 9069): decoded as 2-octet, origin kept, the problem reported.
TEST(BmpDecoderTest, Frr80LocRibTwoOctetAsPathUnderFourOctetFlag) {
  std::vector<uint8_t> b = Start(MessageType::kRouteMonitoring, false);
  b[6] = static_cast<uint8_t>(PeerType::kLocRib);
  std::vector<uint8_t> u(16, 0xFF);
  Put16(u, 0);
  u.push_back(2);
  Put16(u, 0);                                                            // no withdrawals
  const std::vector<uint8_t> attrs = {0x40, 1, 1, 0,                      // ORIGIN
                                      0x50, 2, 0, 4,   2, 1, 0xFD, 0xE8,  // AS_PATH 65000, 2-octet
                                      0x40, 3, 4, 192, 0, 2, 1};
  Put16(u, static_cast<uint16_t>(attrs.size()));
  u.insert(u.end(), attrs.begin(), attrs.end());
  for (uint8_t x : {24, 198, 18, 0}) u.push_back(x);
  u[16] = static_cast<uint8_t>(u.size() >> 8);
  u[17] = static_cast<uint8_t>(u.size());
  b.insert(b.end(), u.begin(), u.end());
  Finish(b);
  Decoder d;
  Message m;
  std::vector<std::string> problems;
  EXPECT_FALSE(d.Decode(b, &m, &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("2-octet"), std::string::npos) << problems[0];
  ASSERT_EQ(m.elements.size(), 1u);
  EXPECT_EQ(m.elements[0].attrs->as_path.OriginAs(), 65000u);
}

TEST(BmpDecoderTest, FramingRejectsWhatCannotBeBmp) {
  const uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' '};
  EXPECT_EQ(FrameLength(http).status().code(), StatusCode::kDataLoss);
  const uint8_t huge[] = {3, 0x7F, 0, 0, 0, 0};
  EXPECT_EQ(FrameLength(huge).status().code(), StatusCode::kDataLoss);
  const uint8_t type9[] = {3, 0, 0, 0, 6, 9};
  EXPECT_EQ(FrameLength(type9).status().code(), StatusCode::kDataLoss);
  const uint8_t ok[] = {3, 0, 0, 0, 6, 4};
  EXPECT_EQ(FrameLength(ok).value(), 6u);
}

TEST(BmpDecoderTest, TruncatedPerPeerHeaderIsAProblemNotACrash) {
  Decoder d;
  Message m;
  std::vector<std::string> problems;
  std::vector<uint8_t> b = {3, 0, 0, 0, 10, 0, 1, 2, 3, 4};
  EXPECT_FALSE(d.Decode(b, &m, &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("per-peer header"), std::string::npos);
}

TEST(BmpSessionTest, PeerDownWithdrawsAndPreAndPostAreDistinctPeers) {
  bgp::LiveView live;
  Session s("192.0.2.254", &live);
  auto pre = RouteMonitoring(false), post = RouteMonitoring(true);
  // Fed byte by byte: framing across reads.
  for (uint8_t byte : pre) ASSERT_TRUE(s.Feed(std::span(&byte, 1)).ok());
  ASSERT_TRUE(s.Feed(post).ok());
  ASSERT_TRUE(s.Feed(post).ok());  // the same route again counts once
  auto held = [&live] {
    std::vector<uint64_t> out;
    live.With([&](bgp::RoutingView& v) {
      for (const auto& p : v.peers()) out.push_back(p.v4_prefixes);
    });
    return out;
  };
  EXPECT_EQ(held(), (std::vector<uint64_t>{1, 1}));
  std::vector<uint8_t> down = Start(MessageType::kPeerDown, true);
  down.push_back(4);  // remote closed, no data
  Finish(down);
  ASSERT_TRUE(s.Feed(down).ok());
  EXPECT_EQ(held(), (std::vector<uint64_t>{1, 0}));  // only the post-policy table went down
  s.Close();
  EXPECT_EQ(held(), (std::vector<uint64_t>{0, 0}));
}

std::vector<uint8_t> Initiation(const std::string& sys_name) {
  std::vector<uint8_t> b = {kBmpVersion, 0, 0,
                            0,           0, static_cast<uint8_t>(MessageType::kInitiation)};
  Put16(b, kInfoSysName);
  Put16(b, static_cast<uint16_t>(sys_name.size()));
  b.insert(b.end(), sys_name.begin(), sys_name.end());
  Finish(b);
  return b;
}

// The peer identity rule (docs/bmp.md): a router is its sysName, so the same router reconnecting
// from another address finds its peers again and counts nothing twice; another router's table of
// the same neighbour is another peer.
TEST(BmpSessionTest, RouterIsItsSysNameAcrossAddresses) {
  bgp::LiveView live;
  const auto route = RouteMonitoring(true);
  {
    Session first("192.0.2.254", &live);
    ASSERT_TRUE(first.Feed(Initiation("edge-1")).ok());
    ASSERT_TRUE(first.Feed(route).ok());
    EXPECT_EQ(first.router(), "edge-1");
    Session again("2001:db8::254", &live);  // the same router, reconnected elsewhere
    ASSERT_TRUE(again.Feed(Initiation("edge-1")).ok());
    ASSERT_TRUE(again.Feed(route).ok());
    Session other("198.51.100.1", &live);
    ASSERT_TRUE(other.Feed(Initiation("edge-2")).ok());
    ASSERT_TRUE(other.Feed(route).ok());
    live.With([](bgp::RoutingView& v) {
      ASSERT_EQ(v.peers().size(), 2u);
      EXPECT_EQ(v.peers()[0].collector, "bmp:edge-1/post");
      EXPECT_EQ(v.peers()[0].v4_prefixes, 1u);
      EXPECT_EQ(v.peers()[1].collector, "bmp:edge-2/post");
    });
  }
  // Every session closed: nothing held.
  live.With([](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) EXPECT_EQ(p.v4_prefixes, 0u) << p.collector;
  });
}

}  // namespace
}  // namespace blackout::bmp
