// End-to-end: `blackout simulate`, `blackout run --once`, and `blackout run` serving over HTTP and
// stopping cleanly on SIGTERM, on a small scenario (geo disabled so the test needs no datasets).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using json = nlohmann::json;
using testing::BlackoutBinary;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

constexpr const char* kScenario = R"(
[scenario]
name = "tiny-service"
notice = "SIMULATION: tiny test scenario"
seed = 3
start = "2022-01-03T00:00:00Z"
end = "2022-01-05T00:00:00Z"
[bgp]
rib_interval = 86400
[[bgp.collectors]]
name = "c1"
bgp_id = "198.18.0.1"
peers = [{ asn = 64500, address = "198.18.0.2" }, { asn = 64502, address = "198.18.0.3" }]
[traffic]
clients_per_bin = 40
[names]
"country/XA" = "Exampleland"
[[network]]
asn = 64501
name = "Example Net"
country = "XA"
prefixes = ["198.18.16.0/20"]
[[network]]
asn = 64503
name = "Other Net"
country = "XA"
prefixes = ["198.19.0.0/21"]
[[truth.event]]
id = "cut"
entities = ["asn/64501"]
start = "2022-01-04T10:00:00Z"
end = "2022-01-04T16:00:00Z"
level = 0.0
technique = "routes-withdrawn"
)";

std::string Config(const TempDir& dir) {
  return "[data]\ndir = \"" + (dir / "data").string() + "\"\n[scenario]\nfile = \"" +
         (dir / "tiny.toml").string() +
         "\"\n[geo]\nenabled = false\n[server]\nlisten = \"127.0.0.1:0\"\ntoken = \"tok\"\n"
         "[sources]\npoll_seconds = 3600\n";
}

TEST(SimulateCommandTest, WritesFilesBgpdumpReads) {
  TempDir dir;
  WriteFile(dir / "tiny.toml", kScenario);
  auto r = RunCommand(BlackoutBinary().string() + " simulate " + (dir / "tiny.toml").string() +
                      " " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SIMULATION"), std::string::npos);
  auto dump =
      RunCommand("bgpdump -m " + (dir / "out/bgp/c1/bview.20220103.0000.gz").string() + " | wc -l");
  EXPECT_EQ(dump.out, "4\n");  // 2 prefixes x 2 peers
  auto truth = json::parse(ReadFile(dir / "out/truth.json"));
  EXPECT_EQ(truth["events"][0]["technique"], "routes-withdrawn");
  // Same seed, same bytes.
  r = RunCommand(BlackoutBinary().string() + " simulate " + (dir / "tiny.toml").string() + " " +
                 (dir / "again").string());
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      RunCommand("diff -r " + (dir / "out").string() + " " + (dir / "again").string()).exit_code,
      0);
  // A broken scenario is a usage error.
  WriteFile(dir / "bad.toml", "[scenario]\nname = \"x\"\n");
  r = RunCommand(BlackoutBinary().string() + " simulate " + (dir / "bad.toml").string() + " " +
                 (dir / "x").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad.toml"), std::string::npos) << r.err;
}

TEST(RunCommandTest, BadConfigIsAUsageError) {
  TempDir dir;
  WriteFile(dir / "c.toml", "[server]\nlisten = \"127.0.0.1:0\"\ntypo = 1\n");
  auto r =
      RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "c.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("server.typo"), std::string::npos) << r.err;
  // The multi-site judgement's thresholds are checked on entry.
  WriteFile(dir / "p.toml", "[probe]\nvantage_down_fraction = 1.5\n");
  r = RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "p.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("probe.vantage_down_fraction must be in (0, 1]"), std::string::npos)
      << r.err;
  WriteFile(dir / "q.toml", "[probe]\nvantage_min_countries = 0\n");
  r = RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "q.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("probe.vantage_min_countries must be 1..250"), std::string::npos) << r.err;
}

TEST(RunCommandTest, OnceIngestsTheScenarioThroughTheRealPaths) {
  TempDir dir;
  WriteFile(dir / "tiny.toml", kScenario);
  WriteFile(dir / "c.toml", Config(dir));
  auto r =
      RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "c.toml").string());
  ASSERT_LE(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("SIMULATION: tiny test scenario"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ready in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 probe files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 logs"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir / "data/blackout.db"));
  EXPECT_TRUE(std::filesystem::exists(dir / "data/scenario/tiny-service/manifest.json"));
  // A second run re-reads nothing (ledger) and does not regenerate the scenario.
  auto mtime = std::filesystem::last_write_time(dir / "data/scenario/tiny-service/truth.json");
  r = RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "c.toml").string());
  ASSERT_LE(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("0 probe files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 logs"), std::string::npos) << r.out;
  EXPECT_EQ(mtime, std::filesystem::last_write_time(dir / "data/scenario/tiny-service/truth.json"));
}

// A cluster's ingest node (`[detect] enabled = false`) ingests and leaves detection to another
// node: no entity judged, no event written; a detecting run over the same store then finds the
// scenario's cut (docs/scale-out.md).
TEST(RunCommandTest, AnIngestNodeLeavesDetectionToTheDetectingNode) {
  TempDir dir;
  WriteFile(dir / "tiny.toml", kScenario);
  WriteFile(dir / "ingest.toml", Config(dir) +
                                     "[detect]\nenabled = false\n[probe]\nvantage_down_fraction "
                                     "= 0.9\nvantage_min_countries = 3\n"
                                     "vantage_contradicted_fraction = 1\n");
  WriteFile(dir / "detect.toml", Config(dir) + "[detect]\nenabled = true\n");
  auto r = RunCommand(BlackoutBinary().string() + " --json run --once --config " +
                      (dir / "ingest.toml").string());
  ASSERT_LE(r.exit_code, 1) << r.err;
  auto pass_line = [](const std::string& out) {
    const size_t at = out.rfind("{\"bgp_files\"");
    return json::parse(out.substr(at, out.find('\n', at) - at));
  };
  json pass = pass_line(r.out);
  EXPECT_GT(pass["probe_points"].get<int>(), 0);
  EXPECT_EQ(pass["entities"], 0);
  EXPECT_EQ(pass["events"], 0);
  r = RunCommand(BlackoutBinary().string() + " --json run --once --config " +
                 (dir / "detect.toml").string());
  ASSERT_LE(r.exit_code, 1) << r.err;
  pass = pass_line(r.out);
  EXPECT_EQ(pass["probe_points"], 0);  // nothing ingested twice
  EXPECT_GT(pass["entities"].get<int>(), 0);
  EXPECT_GE(pass["events"].get<int>(), 1);
  WriteFile(dir / "bad.toml", "[detect]\nenabled = \"no\"\n");
  r = RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "bad.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("detect.enabled must be true or false"), std::string::npos) << r.err;
}

// The scenario simulated, ingested and detected through the real paths (`run --once`), then scored
// with `evaluate --truth`. The bounds are what the detector achieves on this scenario (onset 5
// minutes, end exact, bin F1 0.99 at the time of writing) with a margin.
TEST(EvaluateCommandTest, ScoresTheDetectedEventsAgainstTheTruth) {
  TempDir dir;
  WriteFile(dir / "tiny.toml", kScenario);
  WriteFile(dir / "c.toml", Config(dir));
  const std::string b = BlackoutBinary().string();
  auto r = RunCommand(b + " run --once --config " + (dir / "c.toml").string());
  ASSERT_LE(r.exit_code, 1) << r.err;
  const std::string truth = (dir / "data/scenario/tiny-service/truth.json").string();
  const std::string store = "sqlite:" + (dir / "data/blackout.db").string();
  r = RunCommand(b + " --json evaluate --truth " + truth + " --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["from"], 1641168000);  // the scenario's span, from manifest.json
  EXPECT_EQ(j["until"], 1641340800);
  ASSERT_EQ(j["events"].size(), 1u);
  const json& cut = j["events"][0];
  EXPECT_EQ(cut["truth"], "cut");
  EXPECT_EQ(cut["entity"], "asn/64501");
  ASSERT_EQ(cut["detected"], true) << r.out;
  EXPECT_LE(std::abs(cut["onsetErrorSeconds"].get<int64_t>()), 30 * 60) << r.out;
  ASSERT_TRUE(cut["endErrorSeconds"].is_number()) << r.out;
  EXPECT_LE(std::abs(cut["endErrorSeconds"].get<int64_t>()), 60 * 60) << r.out;
  EXPECT_LE(cut["depthError"].get<double>(), 0.2) << r.out;
  bool saw_asn = false;
  for (const json& t : j["byEntityType"]) {
    // The country's drop is carried by the cut network: not a false event.
    EXPECT_EQ(t["falseEvents"], 0) << t.dump();
    if (t["entityType"] != "asn") continue;
    saw_asn = true;
    EXPECT_EQ(t["eventRecall"], 1);
    EXPECT_GE(t["binF1"].get<double>(), 0.9) << t.dump();
  }
  EXPECT_TRUE(saw_asn);
  // The table names the truth event.
  r = RunCommand(b + " evaluate --truth " + truth + " --store " + store +
                 " --from 2022-01-04T00:00:00Z --until 2022-01-05T00:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("cut"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2022-01-04T00:00:00Z"), std::string::npos) << r.out;
  // Usage errors: both modes or neither; half a span; missing files are failures.
  EXPECT_EQ(RunCommand(b + " evaluate --store " + store).exit_code, 2);
  EXPECT_EQ(RunCommand(b + " evaluate --truth " + truth + " --series x.csv --labels L").exit_code,
            2);
  EXPECT_EQ(RunCommand(b + " evaluate --truth " + truth + " --from 2022-01-04").exit_code, 2);
  EXPECT_EQ(RunCommand(b + " evaluate --truth /nonexistent/truth.json --store " + store).exit_code,
            3);
  WriteFile(dir / "bad.json", "{\"events\": 3}");
  EXPECT_EQ(RunCommand(b + " evaluate --truth " + (dir / "bad.json").string() + " --store " + store)
                .exit_code,
            1);
}

TEST(RunCommandTest, ServesTheApiAndStopsCleanlyOnSigterm) {
  TempDir dir;
  WriteFile(dir / "tiny.toml", kScenario);
  WriteFile(dir / "c.toml", Config(dir));
  testing::ServiceProcess service(dir, dir / "c.toml");
  const int port = service.WaitReady();  // bounded: a hang fails the test instead of blocking CI
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/api/v2/signals/raw/country/XA?from=2022-01-03&until=2022-01-05&datasource=traffic");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto j = json::parse(r->body);
  ASSERT_EQ(j["data"][0].size(), 1u) << r->body.substr(0, 500);
  EXPECT_EQ(j["data"][0][0]["entityName"], "Exampleland");
  EXPECT_EQ(j["data"][0][0]["values"].size(), 576u);
  r = c.Get(
      "/api/v2/signals/raw/asn/64501?from=2022-01-03&until=2022-01-05&datasource=ping-slash24");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get("/api/v2/outages/summary?from=2022-01-03&until=2022-01-05");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/api/v2/meta");
  EXPECT_NE(r->body.find("SIMULATION"), std::string::npos);
  // Events carry the detector's phases, and the country's names the network that carried it.
  r = c.Get(
      "/api/v2/outages/events?from=2022-01-03&until=2022-01-05&entityType=country"
      "&entityCode=XA");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  j = json::parse(r->body);
  ASSERT_FALSE(j["data"].empty()) << r->body;
  EXPECT_FALSE(j["data"][0]["phases"].empty()) << r->body;
  EXPECT_EQ(j["data"][0]["related"], json({"asn/64501"})) << r->body;
  // Networks belong to their country (the scenario's network table; geo is off here).
  r = c.Get("/api/v2/entities/query?entityType=asn&relatedTo=country/XA");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  j = json::parse(r->body);
  std::vector<std::string> codes;
  for (const auto& e : j["data"]) codes.push_back(e["code"]);
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<std::string>{"64501", "64503"})) << r->body;
  // The report of that window, and its chart.
  r = c.Get("/api/v2/reports/country/XA?from=2022-01-03&until=2022-01-05");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  j = json::parse(r->body);
  EXPECT_NE(j["data"]["markdown"].get<std::string>().find("Exampleland"), std::string::npos);
  r = c.Get(j["data"]["chart"].get<std::string>());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.substr(0, 4), "\x89PNG");
  r = c.Post("/api/v2/admin/reingest", "", "application/json");
  EXPECT_EQ(r->status, 401);
  r = c.Get("/metrics");
  EXPECT_NE(r->body.find("blackout_ingest_passes_total"), std::string::npos);

  const int status = service.Stop();
  ASSERT_NE(status, -1) << "did not stop within 30 s of SIGTERM";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFile(dir / "stderr");
  EXPECT_NE(ReadFile(dir / "stdout").find("stopped"), std::string::npos);
}

}  // namespace
}  // namespace blackout
