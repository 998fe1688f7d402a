#include "blackout/sim/scenario.h"

#include <gtest/gtest.h>

namespace blackout::sim {
namespace {

constexpr const char* kSmall = R"(
[scenario]
name = "tiny"
seed = 7
start = "2022-01-05T00:00:00Z"
end = 2022-01-05T06:00:00Z
[[bgp.collectors]]
name = "c1"
bgp_id = "198.18.0.1"
peers = [{ asn = 64500, address = "198.18.0.2" }]
[[network]]
asn = 64501
name = "Example"
country = "XA"
region = "XA-01"
prefixes = ["198.18.4.0/22"]
[[truth.event]]
id = "cut"
entities = ["region/XA-01"]
start = "2022-01-05T02:00:00Z"
end = "2022-01-05T04:00:00Z"
level = 0.1
technique = "routes-withdrawn"
  [[truth.event.phase]]
  start = "2022-01-05T03:00:00Z"
  end = "2022-01-05T03:30:00Z"
  level = 0.5
)";

TEST(ScenarioTest, ParsesEveryPart) {
  auto s = ParseScenario(kSmall, "tiny.toml");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "tiny");
  EXPECT_EQ(s->start, 1641340800);
  EXPECT_EQ(s->end, 1641340800 + 6 * 3600);  // TOML date-time form
  EXPECT_NE(s->notice.find("SIMULATION"), std::string::npos);
  ASSERT_EQ(s->collectors.size(), 1u);
  EXPECT_EQ(s->collectors[0].peers[0].asn, 64500u);
  ASSERT_EQ(s->networks.size(), 1u);
  EXPECT_EQ(s->networks[0].prefixes[0].ToString(), "198.18.4.0/22");
  EXPECT_EQ(s->Entities(), (std::vector<std::string>{"asn/64501", "country/XA", "region/XA-01"}));
  ASSERT_EQ(s->truth.size(), 1u);
  const TruthEvent& e = s->truth[0];
  EXPECT_EQ(e.technique, Technique::kRoutesWithdrawn);
  EXPECT_TRUE(e.Covers(s->networks[0]));
  EXPECT_DOUBLE_EQ(e.LevelAt(1641340800 + 2 * 3600), 0.1);
  EXPECT_DOUBLE_EQ(e.LevelAt(1641340800 + 3 * 3600 + 60), 0.5);
}

TEST(ScenarioTest, RejectsBadScenariosWithAMessage) {
  std::string s = kSmall;
  auto bad = [&](std::string from, std::string to) {
    std::string t = s;
    t.replace(t.find(from), from.size(), to);
    auto r = ParseScenario(t, "x.toml");
    EXPECT_FALSE(r.ok()) << to;
    return r.status().message();
  };
  EXPECT_NE(bad("technique = \"routes-withdrawn\"", "technique = \"magic\"").find("technique"),
            std::string::npos);
  bad("level = 0.1", "level = 1.5");
  bad("\"198.18.4.0/22\"", "\"not-a-prefix\"");
  bad("end = 2022-01-05T06:00:00Z", "end = 2022-01-04T06:00:00Z");
  bad("name = \"tiny\"", "name = ");
  EXPECT_NE(
      bad("  end = \"2022-01-05T03:30:00Z\"", "  end = \"2022-01-05T05:30:00Z\"").find("inside"),
      std::string::npos);
}

// Found by blackout_sim_scenario_fuzz's checks, with inputs made by hand from kSmall: a truth event
// or phase `level = nan` was accepted (NaN fails both `< 0` and `> 1`), and a start of -2^63 + 1
// made end - start overflow (UBSan). The simulation's numbers are checked too: NaN, negative or
// absurd rates and shares are rejected with a message naming the key.
TEST(ScenarioTest, FuzzNanLevelsOverflowAndBadRatesAreRejected) {
  auto rejected = [](std::string from, std::string to) {
    std::string t = kSmall;
    t.replace(t.find(from), from.size(), to);
    auto r = ParseScenario(t, "x.toml");
    EXPECT_FALSE(r.ok()) << to;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_NE(rejected("level = 0.1", "level = nan").find("level"), std::string::npos);
  EXPECT_NE(rejected("level = 0.5", "level = nan").find("level"), std::string::npos);
  EXPECT_NE(
      rejected("start = \"2022-01-05T00:00:00Z\"", "start = -9223372036854775807").find("100 days"),
      std::string::npos);
  std::string traffic = "prefixes = [\"198.18.4.0/22\"]";
  EXPECT_NE(rejected(traffic, traffic + "\ntraffic_share = nan").find("traffic_share"),
            std::string::npos);
  EXPECT_NE(rejected(traffic, traffic + "\ntraffic_share = -1").find("traffic_share"),
            std::string::npos);
  EXPECT_NE(rejected("[[bgp.collectors]]", "[bgp]\nchurn = 2\n[[bgp.collectors]]").find("churn"),
            std::string::npos);
  for (const char* table :
       {"[probe]\nnoise = nan", "[traffic]\nclients_per_bin = -1",
        "[traffic]\nclients_per_bin = inf", "[traffic]\nother_clients_per_bin = 1e300",
        "[traffic]\ndiurnal_amplitude = nan", "[traffic]\nutc_offset_hours = 4294967302"}) {
    std::string t = kSmall;
    t += table;
    t += "\n";
    auto r = ParseScenario(t, "x.toml");
    ASSERT_FALSE(r.ok()) << table;
    std::string key(table);
    key = key.substr(key.find('\n') + 1);
    key = key.substr(0, key.find(' '));
    EXPECT_NE(r.status().message().find(key), std::string::npos) << r.status().message();
  }
  std::string fine = kSmall;
  fine += "[traffic]\nclients_per_bin = 0\nutc_offset_hours = -5\ndiurnal_amplitude = 1\n";
  auto r = ParseScenario(fine, "x.toml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->utc_offset_hours, -5);
}

}  // namespace
}  // namespace blackout::sim
