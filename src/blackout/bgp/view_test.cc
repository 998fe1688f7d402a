#include "blackout/bgp/view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace blackout::bgp {
namespace {

Prefix P(const char* s) { return Prefix::Parse(s).value(); }
IpAddress A(const char* s) { return IpAddress::Parse(s).value(); }

uint64_t Level(const Visibility& v, const std::string& entity, int level) {
  auto it = v.v4.find(entity);
  return it == v.v4.end() ? 0 : it->second[level];
}

ViewOptions Small() { return ViewOptions{.full_feed_v4 = 0, .full_feed_v6 = 0}; }

TEST(RoutingViewTest, CountsBlocksByLevelAndOriginAs) {
  RoutingView view(Small());
  uint32_t a = view.Peer("c", A("198.18.0.1"), 65001);
  uint32_t b = view.Peer("c", A("198.18.0.2"), 65002);
  uint32_t c = view.Peer("c", A("198.18.0.3"), 65003);
  uint32_t o1[] = {64500};
  // 198.18.0.0/22 (4 blocks) seen by all three; 198.18.4.0/24 by one.
  for (uint32_t p : {a, b, c}) view.Announce(p, P("198.18.0.0/22"), o1);
  uint32_t o2[] = {64501};
  view.Announce(a, P("198.18.4.0/24"), o2);
  Visibility v = view.Compute();
  EXPECT_EQ(v.full_feed_asns_v4, 3);
  EXPECT_EQ(Level(v, "asn/64500", 2), 4u);  // > 50%
  EXPECT_EQ(Level(v, "asn/64500", 4), 4u);  // 100%
  EXPECT_EQ(Level(v, "asn/64501", 0), 1u);  // 1 peer
  EXPECT_EQ(Level(v, "asn/64501", 1), 1u);  // 1/3 > 25%
  EXPECT_EQ(Level(v, "asn/64501", 2), 0u);
  EXPECT_EQ(v.total_v4[0], 5u);
  EXPECT_EQ(v.total_v4[2], 4u);

  // A more specific /24 from another origin inside the /22 takes that block's attribution.
  uint32_t o3[] = {64502};
  for (uint32_t p : {a, b}) view.Announce(p, P("198.18.1.0/24"), o3);
  v = view.Compute();
  EXPECT_EQ(Level(v, "asn/64500", 4), 3u);
  EXPECT_EQ(Level(v, "asn/64502", 4), 1u);  // covered by the /22 at every peer: still 100%
  // Withdraw the /22 at two peers: its exclusive 3 blocks fall to 1 peer, the /24 stays at 2/3.
  view.Withdraw(a, P("198.18.0.0/22"));
  view.Withdraw(b, P("198.18.0.0/22"));
  v = view.Compute();
  EXPECT_EQ(Level(v, "asn/64500", 2), 0u);
  EXPECT_EQ(Level(v, "asn/64500", 1), 3u);
  EXPECT_EQ(Level(v, "asn/64502", 2), 1u);
  EXPECT_EQ(Level(v, "asn/64502", 4), 1u);  // c still has the covering /22
  // Implicit withdrawal: re-announcing does not double count.
  view.Announce(c, P("198.18.0.0/22"), o1);
  EXPECT_EQ(view.peers()[c].v4_prefixes, 1u);
  // Session down at c: its routes are gone.
  view.PeerDown(c);
  EXPECT_FALSE(view.Has(c, P("198.18.0.0/22")));
  v = view.Compute();
  EXPECT_EQ(Level(v, "asn/64500", 0), 0u);  // entity kept, at zero
  EXPECT_TRUE(v.v4.count("asn/64500"));
  // c no longer has prefixes: not a full-feed peer any more (2 ASNs left).
  EXPECT_EQ(v.full_feed_asns_v4, 2);
  EXPECT_EQ(Level(v, "asn/64502", 4), 1u);
}

TEST(RoutingViewTest, PeersOfOneAsnCountOnceAndFullFeedThreshold) {
  RoutingView view(ViewOptions{.full_feed_v4 = 2, .full_feed_v6 = 0});
  uint32_t a1 = view.Peer("c", A("198.18.0.1"), 65001);
  uint32_t a2 = view.Peer("c", A("198.18.0.2"), 65001);
  uint32_t b = view.Peer("c", A("198.18.0.3"), 65002);
  uint32_t small = view.Peer("c", A("198.18.0.4"), 65003);
  uint32_t o[] = {64500};
  for (uint32_t p : {a1, a2, b}) {
    view.Announce(p, P("198.18.8.0/24"), o);
    view.Announce(p, P("198.18.9.0/24"), o);
  }
  view.Announce(small, P("198.18.10.0/24"), o);  // 1 prefix < 2: not full feed
  Visibility v = view.Compute();
  EXPECT_EQ(v.full_feed_asns_v4, 2);
  EXPECT_EQ(Level(v, "asn/64500", 4), 2u);
  EXPECT_EQ(Level(v, "asn/64500", 0), 2u);  // the small peer's block is not counted
  view.Withdraw(a1, P("198.18.8.0/24"));    // a2 (same ASN) still has it
  v = view.Compute();
  EXPECT_EQ(Level(v, "asn/64500", 4), 2u);
}

TEST(RoutingViewTest, AddPathAsSetIpv6AndLongPrefixes) {
  RoutingView view(Small());
  uint32_t a = view.Peer("c", A("2001:db8::1"), 65001);
  uint32_t set[] = {64510, 64511};
  view.Announce(a, P("2001:db8::/47"), set);
  view.Announce(a, P("198.18.0.0/25"), set);  // longer than /24: no block
  view.Announce(a, P("0.0.0.0/0"), set);      // default route: no block
  view.Announce(a, P("::/0"), set);
  view.Announce(a, P("198.18.1.0/24"), set, true, 1);
  view.Announce(a, P("198.18.1.0/24"), set, true, 2);
  Visibility v = view.Compute();
  EXPECT_EQ(v.v6["asn/64510"][4], 2u);  // a /47 is two /48s
  EXPECT_EQ(v.v6["asn/64511"][4], 2u);
  EXPECT_EQ(v.total_v4[0], 1u);
  EXPECT_EQ(v.total_v6[0], 2u);
  EXPECT_EQ(view.peers()[a].v4_prefixes, 3u);  // still counted for the full-feed test
  view.Withdraw(a, P("198.18.1.0/24"), true, 1);
  EXPECT_TRUE(view.Has(a, P("198.18.1.0/24")));  // path 2 remains
  view.Withdraw(a, P("198.18.1.0/24"), true, 2);
  EXPECT_FALSE(view.Has(a, P("198.18.1.0/24")));
  EXPECT_EQ(SignalName(Family::kIPv4, 2), "bgp");
  EXPECT_EQ(SignalName(Family::kIPv6, 0), "bgp6-1peer");
}

// The routed space (the telescope's unrouted-source rule): every prefix some peer carries now,
// masked; a prefix every peer withdrew, or whose only peer went down, is not in it.
TEST(RoutingViewTest, RoutedPrefixesAreWhatSomePeerCarries) {
  RoutingView view;
  const uint32_t a = view.Peer("rrc00", IpAddress::Parse("192.0.2.1").value(), 64500);
  const uint32_t b = view.Peer("rrc00", IpAddress::Parse("192.0.2.2").value(), 64501);
  const std::vector<uint32_t> origin = {64510};
  view.Announce(a, P("198.18.0.0/16"), origin);
  view.Announce(b, P("198.19.7.9/24"), origin);  // host bits: reported masked
  view.Announce(a, P("2001:db8:1::/48"), origin);
  view.Announce(a, P("203.0.113.0/24"), origin);
  view.Withdraw(a, P("203.0.113.0/24"));
  std::vector<std::string> got;
  for (const Prefix& p : view.RoutedPrefixes()) got.push_back(p.ToString());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"198.18.0.0/16", "198.19.7.0/24", "2001:db8:1::/48"}));
  view.PeerDown(b);
  EXPECT_EQ(view.RoutedPrefixes().size(), 2u);
}

TEST(RoutingViewTest, ManyPeersGrowBitsets) {
  RoutingView view(Small());
  uint32_t o[] = {64500};
  for (int i = 0; i < 150; ++i) {
    uint32_t p = view.Peer("c", IpAddress::V4(0xC6120000u + i), 65000 + i);
    if (i % 2 == 0) view.Announce(p, P("198.18.0.0/24"), o);
    if (i == 0) view.Announce(p, P("198.18.1.0/24"), o);
  }
  for (int i = 0; i < 150; i += 2) EXPECT_TRUE(view.Has(i, P("198.18.0.0/24"))) << i;
  Visibility v = view.Compute();
  EXPECT_EQ(v.full_feed_asns_v4, 75);
  EXPECT_EQ(Level(v, "asn/64500", 4), 1u);
  EXPECT_EQ(Level(v, "asn/64500", 0), 2u);
}

}  // namespace
}  // namespace blackout::bgp
