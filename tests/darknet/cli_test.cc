// The telescope through the built command: `blackout ingest darknet` on a real capture (exit codes,
// drop counts, idempotence) and `blackout run` with `sources.darknet` writing the signal and its
// ledger entry. Needs the geo datasets and BLACKOUT_DATA; fails loudly without them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::BlackoutBinary;
using testing::RunCommand;

std::string Capture(const std::string& name) {
  return testing::DataFile("darknet/stopddos/" + name).string();
}

TEST(DarknetCliTest, IngestCountsFiltersAndIsIdempotent) {
  testing::TempDir dir;
  const std::string store = "sqlite:" + (dir / "db").string();
  const std::string cmd = BlackoutBinary().string() + " --json ingest darknet --store " + store +
                          " " + Capture("pkt.TCP.synflood.spoofed.pcap") + " " +
                          Capture("amp.TCP.reflection.SYNACK.pcap");
  auto r = RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["packets"], 45841);
  EXPECT_EQ(j["counted"], 7922);
  EXPECT_EQ(j["dropped"]["ttl-200"], 37565 + 72);
  EXPECT_EQ(j["written"], 2);
  r = RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["unchanged"], 2);
  // Usage errors: a rule that does not exist, a BPF expression that does not compile.
  EXPECT_EQ(RunCommand(BlackoutBinary().string() + " ingest darknet --store " + store +
                       " --filters all,-ttl200 " + Capture("amp.TCP.reflection.SYNACK.pcap"))
                .exit_code,
            2);
  EXPECT_EQ(RunCommand(BlackoutBinary().string() + " ingest darknet --store " + store +
                       " --bpf 'tcp and (' " + Capture("amp.TCP.reflection.SYNACK.pcap"))
                .exit_code,
            2);
  // A file that is not a capture: reported, exit 1.
  testing::WriteFile(dir / "notes.txt", "not a capture\n");
  r = RunCommand(BlackoutBinary().string() + " ingest darknet --store " + store + " " +
                 (dir / "notes.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
}

TEST(DarknetCliTest, RunIngestsSourcesDarknet) {
  testing::TempDir dir;
  testing::WriteFile(dir / "run.toml", "[data]\ndir = \"" + (dir / "data").string() +
                                           "\"\n[sources]\ndarknet = [\"" +
                                           Capture("amp.TCP.reflection.SYNACK.pcap") +
                                           "\"]\n[server]\nlisten = \"127.0.0.1:0\"\n");
  auto r =
      RunCommand(BlackoutBinary().string() + " run --once --config " + (dir / "run.toml").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string store = "sqlite:" + (dir / "data" / "blackout.db").string();
  r = RunCommand(BlackoutBinary().string() + " export series --store " + store +
                 " --entity country/US --signal darknet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("country/US,darknet,1622865300,"), std::string::npos) << r.out;
  // The export says where its numbers come from: the ledger's telescope capture.
  EXPECT_NE(
      r.out.find("unique sources in network-telescope capture amp.TCP.reflection.SYNACK.pcap"),
      std::string::npos)
      << r.out;
}

// With BGP sources, `run` gives the telescope's unrouted-source rule the view's prefixes
// (docs/darknet.md): sources outside every announced prefix are dropped, so a real RIB (RIS rrc00,
// July 2002) leaves fewer unique sources than the same capture read with no routing view.
TEST(DarknetCliTest, RunDropsUnroutedSourcesWithABgpView) {
  auto run = [](bool with_bgp, std::string* log) {
    testing::TempDir dir;
    std::string config = "[data]\ndir = \"" + (dir / "data").string() +
                         "\"\n[sources]\ndarknet = [\"" +
                         Capture("amp.TCP.reflection.SYNACK.pcap") + "\"]\n";
    if (with_bgp) {
      config += "bgp = [\"" +
                testing::DataFile("mrt/bgpdump/test_data/bview.20020722.2337.gz").string() +
                "\"]\n";
    }
    testing::WriteFile(dir / "run.toml", config + "[server]\nlisten = \"127.0.0.1:0\"\n");
    auto r = RunCommand(BlackoutBinary().string() + " run --once --config " +
                        (dir / "run.toml").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    *log = r.out + r.err;
    r = RunCommand(BlackoutBinary().string() +
                   " export series --store sqlite:" + (dir / "data" / "blackout.db").string() +
                   " --entity country/US --signal darknet");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    double sum = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("country/US,darknet,", 0) != 0) continue;
      const std::string value = line.substr(line.rfind(',') + 1);
      if (!value.empty()) sum += std::stod(value);
    }
    return sum;
  };
  std::string plain_log, bgp_log;
  const double plain = run(false, &plain_log);
  const double routed = run(true, &bgp_log);
  EXPECT_GT(plain, 0) << plain_log;
  EXPECT_LT(routed, plain) << bgp_log;
  EXPECT_NE(bgp_log.find("unrouted-source rule on"), std::string::npos) << bgp_log;
  EXPECT_EQ(plain_log.find("unrouted-source rule on"), std::string::npos) << plain_log;
}

}  // namespace
}  // namespace blackout
