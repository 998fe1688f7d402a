// The probe signal's one path: rounds of the prober (against FakeNetwork in simulated time)
// written with WriteProbeSignal, as `blackout probe run --store` writes them, are what detection
// reads: DetectInStore finds the cut country's event, and the per-vantage series is kept beside
// the combined one. No network, no root: the prober's own fake network and clock.
#include <gtest/gtest.h>

#include <map>

#include "blackout/detect/store_detect.h"
#include "blackout/probe/fake_network.h"
#include "blackout/probe/prober.h"
#include "blackout/probe/signal.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

constexpr int64_t kS = kNanosPerSecond;
constexpr int64_t kStart = 1'700'006'400 * kS;  // 2023-11-15T00:00Z
constexpr int kBlocks = 60;                     // 198.18.0-59.0/24: 0-29 country/XA, rest XB
constexpr int64_t kRound = 660;

uint32_t Block(int i) { return IpAddress::Parse("198.18.0.0")->v4() + (uint32_t(i) << 8); }

class TwoCountries : public EntityMapper {
 public:
  void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                 std::vector<std::vector<std::string>>& groups) const override {
    groups = {{"country/XA"}, {"country/XB"}};
    for (size_t i = 0; i < bases.size(); ++i) {
      group[i] = ((bases[i] >> 8) & 255) < kBlocks / 2 ? 0 : 1;
    }
  }
};

TEST(ProbeDetectTest, ProberRoundsWrittenToTheStoreAreDetected) {
  // Two days of rounds; country/XA is cut from 36 h to 42 h.
  const int64_t cut_from = kStart + 36 * 3600 * kS, cut_until = kStart + 42 * 3600 * kS;
  FakeClock clock(kStart);
  FakeNetwork net(clock, [&](uint32_t dst, int64_t now) -> FakeResponse {
    const int block = static_cast<int>((dst >> 8) & 255);
    if (block < kBlocks / 2 && now >= cut_from && now < cut_until) return {false, 0};
    return {true, 2'000'000};
  });
  std::vector<HitlistEntry> blocks;
  for (int i = 0; i < kBlocks; ++i) {
    HitlistEntry e{Block(i), 1.0f, {}};
    for (unsigned o = 1; o <= 20; ++o) e.addresses.Add(o);
    blocks.push_back(e);
  }
  ProberOptions o;
  o.vantage = "vp-fake";
  o.round_ns = kRound * kS;
  o.timeout_ns = 1 * kS;
  o.rate_pps = 1000;
  TwoCountries mapper;
  ProbeTagger tagger = ProbeTagger::FromSeed(5);
  Prober prober(o, std::move(blocks), &mapper, clock, net, tagger, kStart);

  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const int rounds = static_cast<int>(48 * 3600 / kRound);
  for (int i = 0; i < rounds; ++i) {
    auto r = prober.RunRound();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(WriteProbeSignal(**st, *r, o.vantage).ok());
  }

  // Both series exist, the per-vantage one and the combined one detection reads.
  auto vantage = (*st)->ReadSeries({"country/XA", "probe", "vp-fake"}, 0, INT64_MAX);
  auto combined = (*st)->ReadSeries({"country/XA", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(vantage.ok() && combined.ok());
  EXPECT_EQ(combined->values, vantage->values);
  EXPECT_EQ(combined->step, kRound);

  detect::StoreDetectOptions d;
  d.from = 0;
  d.until = INT64_MAX;
  auto report = detect::DetectInStore(**st, d);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::map<std::string, std::vector<detect::Event>> by_entity;
  for (const detect::Event& e : report->events) by_entity[e.entity].push_back(e);
  ASSERT_EQ(by_entity["country/XA"].size(), 1u);
  const detect::Event& e = by_entity["country/XA"][0];
  // Found within a round of the cut (the prober needs a round to call blocks down), and over
  // within two rounds of the restoration.
  EXPECT_GE(e.start, cut_from / kS - kRound);
  EXPECT_LE(e.start, cut_from / kS + 2 * kRound);
  ASSERT_TRUE(e.end.has_value());
  EXPECT_LE(*e.end, cut_until / kS + 3 * kRound);
  EXPECT_LT(e.depth, 0.1);
  EXPECT_TRUE(by_entity["country/XB"].empty());  // the other country is untouched
}

// Several vantage points in one batch: the combined series holds the largest count per round.
TEST(ProbeDetectTest, CombinedSeriesTakesTheLargestCountOfTheVantagePoints) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  std::vector<ProbeCount> counts = {{"country/XA", "vp-1", 1'700'006'400, kRound, 12},
                                    {"country/XA", "vp-2", 1'700'006'400, kRound, 20},
                                    {"country/XA", "vp-1", 1'700'007'060, kRound, 19}};
  store::WriteBatch batch;
  AddProbeCounts(batch, counts);
  ASSERT_TRUE((*st)->Apply(batch).ok());
  auto c = (*st)->ReadSeries({"country/XA", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->values.size(), 2u);
  EXPECT_EQ(c->values[0], 20);
  EXPECT_EQ(c->values[1], 19);
  auto v1 = (*st)->ReadSeries({"country/XA", "probe", "vp-1"}, 0, INT64_MAX);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->values[0], 12);
}

}  // namespace
}  // namespace blackout::probe
