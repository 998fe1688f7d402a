#include "blackout/sim/simulate.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blackout/testing/testing.h"

namespace blackout::sim {
namespace {

using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;

constexpr UnixSeconds kStart = 1641340800;  // 2022-01-05

Scenario Tiny(Technique technique) {
  Scenario s;
  s.name = "tiny";
  s.notice = "SIMULATION";
  s.seed = 11;
  s.start = kStart;
  s.end = kStart + 6 * 3600;
  s.rib_interval = 3 * 3600;
  s.churn = 0.05;
  s.collectors.push_back(
      {"c1",
       *IpAddress::Parse("198.18.0.1"),
       {{64500, *IpAddress::Parse("198.18.0.2")}, {64502, *IpAddress::Parse("198.18.0.3")}}});
  s.transit = {64510};
  Network a{64501, "Alpha", "XA", "XA-01", "One", "fixed", {}, 1};
  for (int i = 0; i < 8; ++i)
    a.prefixes.push_back(Prefix(IpAddress::V4(0xC6120000 + (i << 10)), 22));
  Network b{64503, "Beta", "XA", "", "", "mobile", {*Prefix::Parse("198.19.0.0/20")}, 1};
  s.networks = {a, b};
  s.clients_per_bin = 40;
  s.max_blocks_per_network = 64;
  TruthEvent e;
  e.id = "cut";
  e.entities = {"asn/64501"};
  e.start = kStart + 2 * 3600;
  e.end = kStart + 4 * 3600;
  e.level = 0.0;
  e.technique = technique;
  s.truth = {e};
  return s;
}

// COUNT values per entity per round, from the records file.
std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> Counts(const std::string& text) {
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("COUNT\t", 0) != 0) continue;
    std::vector<std::string> f;
    std::istringstream ls(line);
    std::string x;
    while (std::getline(ls, x, '\t')) f.push_back(x);
    EXPECT_EQ(f.size(), 6u) << line;
    out[f[3]].push_back({std::stoll(f[1]), std::stoll(f[4])});
  }
  return out;
}

TEST(SimulateTest, DeterministicForASeed) {
  TempDir a, b;
  Scenario s = Tiny(Technique::kPacketsFiltered);
  ASSERT_TRUE(Simulate(s, a.path()).ok());
  ASSERT_TRUE(Simulate(s, b.path()).ok());
  auto diff = RunCommand("diff -r " + a.path().string() + " " + b.path().string());
  EXPECT_EQ(diff.exit_code, 0) << diff.out;
  s.seed = 12;
  TempDir c;
  ASSERT_TRUE(Simulate(s, c.path()).ok());
  EXPECT_NE(ReadFile(a / "logs/access.log"), ReadFile(c / "logs/access.log"));
}

TEST(SimulateTest, FilteringKeepsRoutesButDarkensProbesAndClients) {
  TempDir dir;
  auto out = Simulate(Tiny(Technique::kPacketsFiltered), dir.path());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->update_files.size(), 72u);
  EXPECT_EQ(out->rib_files.size(), 2u);
  // BGP: no withdrawals at all (only churn re-announcements).
  auto r = RunCommand("bgpdump -m " + dir.path().string() + "/bgp/c1/updates.*.gz | grep -c '|W|'");
  EXPECT_EQ(r.out, "0\n");
  r = RunCommand("bgpdump -m " + out->rib_files[0].string() + " | wc -l");
  EXPECT_EQ(r.out, "18\n");  // 9 prefixes x 2 peers
  // Probing: Alpha's blocks go dark during the event, Beta's stay.
  std::string rec = ReadFile(out->probe_records);
  ASSERT_EQ(rec.rfind("#blackout-probe-records v1\n", 0), 0u);
  auto counts = Counts(rec);
  ASSERT_TRUE(counts.count("asn/64501"));
  for (auto [t, up] : counts["asn/64501"]) {
    if (t >= kStart + 2 * 3600 + 660 && t + 660 <= kStart + 4 * 3600) {
      EXPECT_EQ(up, 0) << t;
    }
    if (t + 660 <= kStart + 2 * 3600) {
      EXPECT_GE(up, 31) << t;  // 32 /24s, one may be missed
    }
  }
  for (auto [t, up] : counts["asn/64503"]) EXPECT_GE(up, 14) << t;
  // Access log: combined format, no Alpha clients during the event.
  std::string log = ReadFile(out->access_log);
  EXPECT_GT(out->log_lines, 1000u);
  EXPECT_NE(log.find(" - - [05/Jan/2022:"), std::string::npos);
  EXPECT_NE(log.find("\"GET "), std::string::npos);
  std::istringstream in(log);
  std::string line;
  int alpha_during = 0, alpha_before = 0;
  while (std::getline(in, line)) {
    bool alpha = line.rfind("198.18.", 0) == 0 && std::stoi(line.substr(7)) < 32;
    int hour = std::stoi(line.substr(line.find("/2022:") + 6, 2));
    if (alpha && hour >= 2 && hour < 4) ++alpha_during;
    if (alpha && hour < 2) ++alpha_before;
  }
  EXPECT_EQ(alpha_during, 0);
  EXPECT_GT(alpha_before, 50);
}

TEST(SimulateTest, WithdrawalShowsInBgp) {
  TempDir dir;
  auto out = Simulate(Tiny(Technique::kRoutesWithdrawn), dir.path());
  ASSERT_TRUE(out.ok());
  auto r = RunCommand("bgpdump -m " + dir.path().string() +
                      "/bgp/c1/updates.20220105.0200.gz | grep -c '|W|'");
  EXPECT_EQ(r.out, "16\n");  // 8 prefixes x 2 peers
  r = RunCommand("bgpdump -m " + dir.path().string() +
                 "/bgp/c1/updates.20220105.0400.gz | grep -c '|A|.*64501|IGP'");
  EXPECT_GE(std::stoi(r.out), 16);
  // The 03:00 RIB dump is taken during the event: only Beta's prefix is in it.
  r = RunCommand("bgpdump -m " + out->rib_files[1].string() + " | cut -d'|' -f6 | sort -u");
  EXPECT_EQ(r.out, "198.19.0.0/20\n");
}

TEST(SimulateTest, LevelsComposeAsTheLowestEvent) {
  Scenario s = Tiny(Technique::kPacketsFiltered);
  TruthEvent wide;
  wide.entities = {"country/XA"};
  wide.start = kStart + 3600;
  wide.end = kStart + 5 * 3600;
  wide.level = 0.5;
  wide.technique = Technique::kThrottling;
  s.truth.push_back(wide);
  Technique t = Technique::kRoutesWithdrawn;
  EXPECT_DOUBLE_EQ(NetworkLevel(s, 0, kStart), 1.0);
  EXPECT_DOUBLE_EQ(NetworkLevel(s, 0, kStart + 3600, &t), 0.5);
  EXPECT_EQ(t, Technique::kThrottling);
  EXPECT_DOUBLE_EQ(NetworkLevel(s, 0, kStart + 2 * 3600, &t), 0.0);
  EXPECT_EQ(t, Technique::kPacketsFiltered);
  EXPECT_DOUBLE_EQ(NetworkLevel(s, 1, kStart + 2 * 3600), 0.5);
  auto truth = nlohmann::json::parse(TruthJson(s));
  EXPECT_EQ(truth["events"].size(), 2u);
  EXPECT_EQ(truth["simulation"], true);
}

}  // namespace
}  // namespace blackout::sim
