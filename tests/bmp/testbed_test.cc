// End to end with real BGP software: FRR's bgpd with its bmp module, and gobgpd, export their BGP
// session with a BIRD speaker (scripts/bmp-testbed/) to a Station in this process. The speaker
// announces and withdraws prefixes of 198.18.0.0/16: the station's view must follow, the withdrawal
// must reach the view (and the live bin's value) within 10 s, and the re-announcement must come
// back. Needs root, iproute2, bird2 and frr.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "blackout/bmp/station.h"
#include "blackout/testing/testing.h"

namespace blackout::bmp {
namespace {

using blackout::testing::RunCommand;
using Clock = std::chrono::steady_clock;

class Testbed {
 public:
  Testbed(std::filesystem::path dir, int port, const std::string& speaker) : dir_(std::move(dir)) {
    script_ = (blackout::testing::SourceDir() / "scripts/bmp-testbed/testbed.sh").string();
    auto r = RunCommand(script_ + " start '" + dir_.string() + "' " + std::to_string(port) + " " +
                        speaker);
    started_ = r.exit_code == 0;
    EXPECT_TRUE(started_) << r.out << r.err;
  }
  ~Testbed() { Stop(); }
  bool started() const { return started_; }
  void Set(const std::string& prefixes) {
    auto r = RunCommand(script_ + " set '" + dir_.string() + "' " + prefixes);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    auto r = RunCommand(script_ + " stop '" + dir_.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

 private:
  std::filesystem::path dir_;
  std::string script_;
  bool started_ = false, stopped_ = false;
};

// IPv4 prefixes the speaker's post-policy table holds in the view, or -1 before it appears.
int64_t SpeakerPrefixes(bgp::LiveView& live) {
  int64_t n = -1;
  live.With([&](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) {
      if (p.ip.ToString() == "198.19.8.2" && p.collector.ends_with("/post")) {
        n = static_cast<int64_t>(p.v4_prefixes);
      }
    }
  });
  return n;
}

// Seconds from `start` until `done`, or -1 after `limit` seconds.
template <typename F>
double SecondsUntil(F&& done, double limit, Clock::time_point start = Clock::now()) {
  while (std::chrono::duration<double>(Clock::now() - start).count() < limit) {
    if (done()) return std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

uint64_t Blocks(bgp::LiveView& live, const std::string& entity) {
  auto bins = live.Advance(std::time(nullptr));
  const auto& v4 = bins.back().visibility.v4;
  auto it = v4.find(entity);
  return it == v4.end() ? 0 : it->second[0];
}

// FRR's bgpd and gobgpd, each exporting its session with the BIRD speaker.
class BmpTestbedTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BmpTestbedTest, StationFollowsAnnouncementsAndWithdrawalsWithin10Seconds) {
  blackout::testing::TempDir tmp;
  bgp::LiveView live(bgp::ViewOptions{.full_feed_v4 = 1, .full_feed_v6 = 1});
  StationOptions options;
  options.listen = {"0.0.0.0:0"};
  Station station(options, &live);
  ASSERT_TRUE(station.Start().ok());
  Testbed tb(tmp / "tb", station.ports().at(0), GetParam());
  ASSERT_TRUE(tb.started());

  tb.Set("198.18.0.0/22 198.18.8.0/24");
  ASSERT_GE(SecondsUntil([&] { return SpeakerPrefixes(live) == 2; }, 30), 0)
      << "speaker's routes never reached the station; prefixes held: " << SpeakerPrefixes(live);
  EXPECT_EQ(Blocks(live, "asn/65001"), 5u);  // a /22 and a /24

  // Timed from before the speaker is told (BIRD's reconfiguration included).
  auto t0 = Clock::now();
  tb.Set("198.18.0.0/22");  // withdraw 198.18.8.0/24
  const double withdraw = SecondsUntil([&] { return SpeakerPrefixes(live) == 1; }, 10, t0);
  std::printf("%s: withdraw at the speaker -> gone from the station's view: %.3f s\n",
              GetParam().c_str(), withdraw);
  EXPECT_GE(withdraw, 0) << "withdrawal not seen within 10 s";
  EXPECT_EQ(Blocks(live, "asn/65001"), 4u);

  t0 = Clock::now();
  tb.Set("198.18.0.0/22 198.18.8.0/24");
  const double back = SecondsUntil([&] { return SpeakerPrefixes(live) == 2; }, 10, t0);
  std::printf("%s: re-announcement -> back in the view: %.3f s\n", GetParam().c_str(), back);
  EXPECT_GE(back, 0);
  EXPECT_EQ(Blocks(live, "asn/65001"), 5u);

  // The router goes away: its session ends and its peers' routes with it.
  tb.Stop();
  EXPECT_GE(SecondsUntil([&] { return SpeakerPrefixes(live) == 0; }, 10), 0);
  EXPECT_GE(station.stats().closed_disconnect, 1u);
  station.Stop();
}

INSTANTIATE_TEST_SUITE_P(Speakers, BmpTestbedTest, ::testing::Values("frr", "gobgp"));

}  // namespace
}  // namespace blackout::bmp
