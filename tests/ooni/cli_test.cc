// `blackout import ooni` on the real measurements and `blackout fetch ooni` against a loopback
// stand-in of the OONI API (tests/ooni/ooni_api_server.py).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

namespace fs = std::filesystem;
using blackout::testing::RunCommand;
using nlohmann::json;

std::string Blackout() { return "'" + blackout::testing::BlackoutBinary().string() + "'"; }

class ApiServer {
 public:
  ApiServer(const fs::path& dir, const fs::path& work, const std::string& extra = "") {
    auto script = blackout::testing::SourceDir() / "tests/ooni/ooni_api_server.py";
    fs::path port_file = work / "port";
    auto r = RunCommand("python3 '" + script.string() + "' --dir '" + dir.string() +
                        "' --port-file '" + port_file.string() + "' --log '" +
                        (work / "server.log").string() + "' --lifetime 120 " + extra + " >'" +
                        (work / "server.out").string() + "' 2>&1 & echo $!");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    pid_ = std::stoi(r.out);
    for (int i = 0; i < 400 && !fs::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    port_ = std::stoi(blackout::testing::ReadFile(port_file));
  }
  ~ApiServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int pid_ = -1, port_ = 0;
};

TEST(OoniCliTest, ImportsTheRealMeasurementsWithTheirVerdicts) {
  blackout::testing::TempDir dir;
  const std::string store = "sqlite:" + (dir / "s.db").string();
  const fs::path data = blackout::testing::DataFile("ooni");
  auto r = RunCommand(Blackout() + " --json import ooni '" + data.string() + "' --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["files"], 16);
  EXPECT_EQ(j["measurements"], 16);
  EXPECT_EQ(j["outcomes"]["ok"], 6);
  EXPECT_EQ(j["outcomes"]["blocked"], 7);
  EXPECT_EQ(j["outcomes"]["failed"], 1);
  EXPECT_EQ(j["outcomes"]["unknown"], 2);
  EXPECT_EQ(j["events"], 0);  // one measurement per network is never beyond chance
  EXPECT_NE(j["attribution"].get<std::string>().find("CC BY-NC-SA 4.0"), std::string::npos);
  // Again: every file is in the ledger already.
  r = RunCommand(Blackout() + " --json import ooni '" + data.string() + "' --store " + store);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["unchanged_files"], 16);

  r = RunCommand(Blackout() + " --json import ooni --list '" + data.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int lines = 0;
  for (size_t p = 0; (p = r.out.find('\n', p)) != std::string::npos; ++p) ++lines;
  EXPECT_EQ(lines, 16);
  EXPECT_NE(r.out.find(R"("field":"whatsapp_web_status")"), std::string::npos);
}

TEST(OoniCliTest, BadInputIsReportedWithFileAndLineAndSkipped) {
  blackout::testing::TempDir dir;
  blackout::testing::WriteFile(
      dir / "bad.jsonl",
      R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
      R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"telegram_tcp_blocking":true}})"
      "\n{\"test_name\":\n");
  auto r = RunCommand(Blackout() + " import ooni '" + (dir / "bad.jsonl").string() +
                      "' --store sqlite:" + (dir / "s.db").string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("bad.jsonl: line 2: JSON error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 measurements"), std::string::npos) << r.err;
  r = RunCommand(Blackout() +
                 " import ooni /nonexistent/ooni --store sqlite:" + (dir / "s.db").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(OoniCliTest, StandardInputIsImportedOncePerContent) {
  blackout::testing::TempDir dir;
  const std::string line =
      R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
      R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"telegram_tcp_blocking":true}})";
  blackout::testing::WriteFile(dir / "a.jsonl", line + "\n" + line + "\n{\"test_name\":\n");
  blackout::testing::WriteFile(dir / "b.jsonl", line + "\n");
  const std::string store = " --store sqlite:" + (dir / "s.db").string();
  auto import = [&](const std::string& file, bool gz) {
    std::string cat = gz ? "gzip -c '" : "cat '";
    return RunCommand(cat + (dir / file).string() + "' | " + Blackout() +
                      " --json import ooni - --no-events" + store);
  };
  auto r = import("a.jsonl", true);    // gzip on stdin is recognised by its magic
  ASSERT_EQ(r.exit_code, 1) << r.err;  // one damaged line: partial
  json j = json::parse(r.out);
  EXPECT_EQ(j["measurements"], 2);
  EXPECT_EQ(j["damaged"], 1);
  EXPECT_EQ(j["problems"][0]["file"], "-");
  EXPECT_EQ(j["problems"][0]["line"], 3);
  r = import("a.jsonl", true);  // the same bytes again: nothing added
  j = json::parse(r.out);
  EXPECT_EQ(j["unchanged_files"], 1) << r.out;
  r = import("b.jsonl", false);  // another stream adds its measurement
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["unchanged_files"], 0);
  // Three blocked measurements in the hour, not five: the repeated stream was not counted again.
  r = RunCommand(Blackout() +
                 " export series --entity country/KZ --signal app-blocking --source ''" + store);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("country/KZ,app-blocking,1641290400,3"), std::string::npos) << r.out;
}

TEST(OoniCliTest, FetchesFromTheApiRetriesAndImports) {
  blackout::testing::TempDir dir;
  ApiServer server(blackout::testing::DataFile("ooni/ooni-backend"), dir.path(), "--fail-first 1");
  const fs::path out = dir / "ir.jsonl";
  auto r = RunCommand(Blackout() + " --json fetch ooni --country IR --since 2020-01-01 --until " +
                      "2023-01-01 --test web_connectivity,telegram --backoff 0 --base-url " +
                      server.url() + " -o '" + out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["listed"], 2);
  EXPECT_EQ(j["fetched"], 2);
  r = RunCommand(Blackout() + " --json import ooni --list '" + out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("cc":"IR")"), std::string::npos);
  EXPECT_NE(r.out.find(R"("method":"DNS")"), std::string::npos);
  const std::string log = blackout::testing::ReadFile(dir / "server.log");
  EXPECT_NE(log.find("measurement_meta?measurement_uid=uid-bug_352&full=true -> 503"),
            std::string::npos)
      << log;
}

TEST(OoniCliTest, AMeasurementTheApiCannotGiveIsReportedAndSkipped) {
  blackout::testing::TempDir dir;
  ApiServer server(blackout::testing::DataFile("ooni/ooni-backend"), dir.path(),
                   "--missing uid-bug_352");
  auto r = RunCommand(Blackout() + " --json fetch ooni --country IR --since 2020-01-01 --until " +
                      "2023-01-01 --backoff 0 --base-url " + server.url() + " -o '" +
                      (dir / "ir.jsonl").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["fetched"], 1);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_NE(r.err.find("HTTP 404"), std::string::npos) << r.err;
  r = RunCommand(Blackout() + " fetch ooni --country IRN --since 2020-01-01 --until 2021-01-01 " +
                 "-o '" + (dir / "x.jsonl").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace blackout::ooni
