// The shipped scenarios parse, follow their published timelines, and what the simulator writes is
// accepted by the probe module's strict records parser.
#include <gtest/gtest.h>

#include <algorithm>

#include "blackout/probe/records.h"
#include "blackout/sim/scenario.h"
#include "blackout/sim/simulate.h"
#include "blackout/testing/testing.h"

namespace blackout::sim {
namespace {

using testing::ReadFile;
using testing::SourceDir;
using testing::TempDir;

UnixSeconds T(const char* iso) { return *ParseTime(iso); }

const TruthEvent* Find(const Scenario& s, const std::string& id) {
  for (const auto& e : s.truth) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

size_t NetworkOf(const Scenario& s, uint32_t asn, const std::string& region) {
  for (size_t i = 0; i < s.networks.size(); ++i) {
    if (s.networks[i].asn == asn && s.networks[i].region == region) return i;
  }
  ADD_FAILURE() << "no network AS" << asn << " " << region;
  return 0;
}

TEST(KazakhstanScenarioTest, FollowsThePublishedTimeline) {
  auto s = LoadScenario(SourceDir() / "scenarios/kazakhstan-2022.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_NE(s->notice.find("SIMULATION"), std::string::npos);
  EXPECT_NE(ReadFile(SourceDir() / "scenarios/kazakhstan-2022.toml").find("THIS IS A SIMULATION"),
            std::string::npos);
  EXPECT_GE(s->networks.size(), 9u);
  // Nationwide: filtering, not withdrawal, from 5 Jan 10:30.
  const TruthEvent* national = Find(*s, "kz-national");
  ASSERT_NE(national, nullptr);
  EXPECT_EQ(national->start, T("2022-01-05T10:30:00Z"));
  EXPECT_EQ(national->end, T("2022-01-10T02:00:00Z"));  // largely restored for about 4 hours
  EXPECT_EQ(national->technique, Technique::kPacketsFiltered);
  const TruthEvent* again = Find(*s, "kz-national-again");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->start, T("2022-01-10T06:00:00Z"));
  EXPECT_EQ(again->end, T("2022-01-11T02:15:00Z"));
  // Observed truth events are scored but generate nothing.
  const TruthEvent* seen = Find(*s, "kz-mobile-seen-nationally");
  ASSERT_NE(seen, nullptr);
  EXPECT_TRUE(seen->observed);
  for (const auto& e : s->truth) EXPECT_NE(e.technique, Technique::kRoutesWithdrawn) << e.id;
  // Almaty: about 111 hours.
  const TruthEvent* almaty = Find(*s, "kz-almaty");
  ASSERT_NE(almaty, nullptr);
  EXPECT_EQ(almaty->end - almaty->start, 111 * 3600);

  size_t fixed_astana = NetworkOf(*s, 9198, "KZ-AST");
  size_t fixed_almaty = NetworkOf(*s, 9198, "KZ-ALA");
  size_t mobile = NetworkOf(*s, 21299, "KZ-AST");
  size_t dc = NetworkOf(*s, 48716, "");
  // Before: everything ordinary.
  EXPECT_EQ(NetworkLevel(*s, fixed_astana, T("2022-01-04T12:00:00Z")), 1.0);
  // Mobile dropping from 4 Jan 14:30, fixed still up.
  EXPECT_LT(NetworkLevel(*s, mobile, T("2022-01-04T15:00:00Z")), 1.0);
  EXPECT_EQ(NetworkLevel(*s, fixed_astana, T("2022-01-04T15:00:00Z")), 1.0);
  // Depth about 5% of ordinary during the shutdown.
  EXPECT_NEAR(NetworkLevel(*s, fixed_astana, T("2022-01-05T18:00:00Z")), 0.05, 1e-9);
  // Partial restorations early on 6 Jan and around noon, not in Almaty.
  EXPECT_GT(NetworkLevel(*s, fixed_astana, T("2022-01-06T01:00:00Z")), 0.3);
  EXPECT_GT(NetworkLevel(*s, fixed_astana, T("2022-01-06T12:30:00Z")), 0.3);
  EXPECT_NEAR(NetworkLevel(*s, fixed_almaty, T("2022-01-06T01:00:00Z")), 0.05, 1e-9);
  // Data centres back 7 Jan 00:00.
  EXPECT_NEAR(NetworkLevel(*s, dc, T("2022-01-06T23:00:00Z")), 0.05, 1e-9);
  EXPECT_EQ(NetworkLevel(*s, dc, T("2022-01-07T00:30:00Z")), 1.0);
  // Largely restored 10 Jan 02:00, cut again for hours, stable from 11 Jan 02:15.
  EXPECT_EQ(NetworkLevel(*s, fixed_astana, T("2022-01-10T03:00:00Z")), 1.0);
  EXPECT_NEAR(NetworkLevel(*s, fixed_astana, T("2022-01-10T13:00:00Z")), 0.7, 1e-9);  // unstable
  EXPECT_NEAR(NetworkLevel(*s, fixed_astana, T("2022-01-10T08:00:00Z")), 0.05, 1e-9);
  EXPECT_EQ(NetworkLevel(*s, fixed_astana, T("2022-01-11T03:00:00Z")), 1.0);
}

TEST(SimulatedProbeRecordsTest, ProbeModuleParsesThemStrictly) {
  auto s = LoadScenario(SourceDir() / "scenarios/kazakhstan-2022.toml");
  ASSERT_TRUE(s.ok());
  // A short window of the scenario keeps the test quick: the shutdown's first day and a half.
  s->start = T("2022-01-04T06:00:00Z");
  s->end = T("2022-01-05T18:00:00Z");
  s->max_blocks_per_network = 16;
  TempDir dir;
  auto out = Simulate(*s, dir.path());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  std::string text = ReadFile(out->probe_records);
  auto records = probe::ParseRecords(text, out->probe_records.string());
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  EXPECT_EQ(records->rounds.size(), out->probe_rounds);
  ASSERT_FALSE(records->counts.empty());
  // country/KZ: full before the mobile networks drop, about 5% after 11:15 on 5 Jan.
  uint64_t before = 0, after = 0, eligible = 0;
  for (const auto& c : records->counts) {
    if (c.entity != "country/KZ") continue;
    eligible = c.eligible;
    if (c.round + 660 <= T("2022-01-04T14:30:00Z")) before = std::max(before, c.up);
    if (c.round >= T("2022-01-05T12:00:00Z")) after = std::max(after, c.up);
  }
  EXPECT_GT(before, eligible * 8 / 10);
  EXPECT_LT(after, eligible * 15 / 100);
  EXPECT_GT(records->states.size(), 0u);
}

}  // namespace
}  // namespace blackout::sim
