#include "blackout/bgp/live.h"

#include <gtest/gtest.h>

#include <thread>

#include "blackout/store/store.h"

namespace blackout::bgp {
namespace {

Prefix P(const char* s) { return Prefix::Parse(s).value(); }
IpAddress A(const char* s) { return IpAddress::Parse(s).value(); }

ViewOptions Small() { return ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1}; }

struct Route {
  mrt::Element element;
  mrt::Attributes attrs;
  mrt::AsPathSegment segment{mrt::SegmentType::kAsSequence, 0, 2};
  uint32_t asns[2] = {65001, 0};
};

// An announcement of `prefix` by peer (ip, 65001) originated by `origin`.
std::unique_ptr<Route> Announce(const char* ip, const char* prefix, uint32_t origin) {
  auto r = std::make_unique<Route>();
  r->asns[1] = origin;
  r->attrs.as_path.segments = std::span(&r->segment, 1);
  r->attrs.as_path.asns = std::span(r->asns, 2);
  r->element.type = mrt::ElementType::kAnnounce;
  r->element.peer_ip = A(ip);
  r->element.peer_as = 65001;
  r->element.prefix = P(prefix);
  r->element.attrs = &r->attrs;
  return r;
}

uint64_t Blocks(const LiveBin& b, const std::string& entity) {
  auto it = b.visibility.v4.find(entity);
  return it == b.visibility.v4.end() ? 0 : it->second[0];
}

TEST(LiveViewTest, ClosedBinsThenProvisional) {
  LiveView live(Small(), nullptr, 300);
  auto r = Announce("192.0.2.1", "198.18.0.0/23", 64500);
  live.Apply("bmp:router", std::span(&r->element, 1));
  auto bins = live.Advance(600);
  ASSERT_EQ(bins.size(), 1u);
  EXPECT_TRUE(bins[0].provisional);
  EXPECT_EQ(bins[0].bin, 600);
  EXPECT_EQ(Blocks(bins[0], "asn/64500"), 2u);

  mrt::Element w = r->element;
  w.type = mrt::ElementType::kWithdraw;
  w.attrs = nullptr;
  live.Apply("bmp:router", std::span(&w, 1));
  bins = live.Advance(1250);  // closes 600, 900; provisional 1200
  ASSERT_EQ(bins.size(), 3u);
  EXPECT_EQ(bins[0].bin, 600);
  EXPECT_FALSE(bins[0].provisional);
  EXPECT_EQ(bins[1].bin, 900);
  EXPECT_EQ(bins[2].bin, 1200);
  EXPECT_TRUE(bins[2].provisional);
  EXPECT_EQ(Blocks(bins[2], "asn/64500"), 0u);
  // The entity stays in the map at zero, so a provisional value written earlier is replaced.
  EXPECT_EQ(bins[2].visibility.v4.count("asn/64500"), 1u);
}

TEST(LiveViewTest, RepeatedAnnouncementsCountOnceAndPeerDownWithdraws) {
  LiveView live(Small(), nullptr, 300);
  auto r = Announce("192.0.2.1", "198.18.0.0/24", 64500);
  for (int i = 0; i < 3; ++i) live.Apply("bmp:router", std::span(&r->element, 1));
  live.With([](RoutingView& v) { EXPECT_EQ(v.peers().at(0).v4_prefixes, 1u); });
  live.PeerDown("bmp:router", A("192.0.2.1"), 65001);
  live.With([](RoutingView& v) { EXPECT_EQ(v.peers().at(0).v4_prefixes, 0u); });
  EXPECT_EQ(live.stats().peer_downs, 1u);
  // Another collector's peer of the same address is another peer.
  live.Apply("bmp:other", std::span(&r->element, 1));
  EXPECT_EQ(live.stats().peers, 2u);
}

TEST(LiveViewTest, ConcurrentSourcesAndService) {
  LiveView live(Small(), nullptr, 300);
  std::vector<std::thread> sources;
  for (int t = 0; t < 4; ++t) {
    sources.emplace_back([&live, t] {
      std::string peer = "192.0.2." + std::to_string(t + 1);
      for (int i = 0; i < 200; ++i) {
        std::string prefix = "198.18." + std::to_string(i) + ".0/24";
        auto r = Announce(peer.c_str(), prefix.c_str(), 64500 + t);
        live.Apply("bmp:r", std::span(&r->element, 1));
      }
    });
  }
  for (int i = 0; i < 20; ++i) (void)live.Advance(1000 + i);
  for (auto& s : sources) s.join();
  auto bins = live.Advance(2000);
  // Each /24 is carried by all four peers (its origin is the latest announcement's).
  EXPECT_EQ(bins.back().visibility.total_v4[4], 200u);
  EXPECT_EQ(live.stats().announces, 800u);
}

TEST(LiveViewTest, AddLiveBinsMarksTheProvisionalBin) {
  LiveView live(Small(), nullptr, 300);
  auto r = Announce("192.0.2.1", "198.18.0.0/24", 64500);
  live.Apply("bmp:router", std::span(&r->element, 1));
  (void)live.Advance(0);
  auto bins = live.Advance(310);
  store::WriteBatch batch;
  AddLiveBins(bins, 300, &batch);
  EXPECT_EQ(batch.point_count(), 2u * kLevels);  // asn/64500 at two bins
  bool found = false;
  for (const auto& [k, v] : batch.state()) {
    if (k == kLiveProvisionalKey) found = v == "300";
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace blackout::bgp
