// `blackout ris-live`: --replay of the recorded streams (lines, JSON objects, exit codes, problems
// on stderr) and a live subscription to the loopback stand-in (filters, --count).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "blackout/testing/testing.h"
#include "ws_server.h"

namespace blackout::rislive {
namespace {

using blackout::testing::BlackoutBinary;
using blackout::testing::DataFile;
using blackout::testing::RunCommand;

size_t Lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(RisLiveCliTest, ReplayPrintsEveryElement) {
  auto r = RunCommand(BlackoutBinary().string() + " ris-live --replay '" +
                      DataFile("ris-live/morrowc-rislive/1k-msgs").string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out), 3181u);
  EXPECT_EQ(r.out.rfind("BGP4MP_ET|1558620047.080000|A|196.60.9.165|57695|196.50.70.0/24|", 0), 0u)
      << r.out.substr(0, 200);
  EXPECT_NE(r.err.find("1000 messages, 3181 elements, 0 malformed"), std::string::npos) << r.err;
}

TEST(RisLiveCliTest, ReplayJsonAndProblems) {
  auto r = RunCommand(BlackoutBinary().string() + " --json ris-live --replay '" +
                      DataFile("ris-live/libbgpstream/ris-live-stream.json").string() + "'");
  EXPECT_EQ(r.exit_code, 1) << r.err;  // a malformed line and a server error were seen
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j["collector"] == "rrc00" || j["collector"] == "rrc01") << line;
    ++n;
  }
  EXPECT_EQ(n, 2);  // the UPDATE's announcement and the peer going down
  EXPECT_NE(r.err.find("this is a test error message"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("message 7: invalid JSON"), std::string::npos) << r.err;
}

TEST(RisLiveCliTest, LiveSubscriptionWithFilters) {
  blackout::testing::TempDir dir;
  testing::WsServer server(dir, {"ris-live/morrowc-rislive/20-msg"}, "");
  ASSERT_GT(server.port(), 0);
  auto r = RunCommand(BlackoutBinary().string() +
                      " ris-live --url ws://127.0.0.1:" + std::to_string(server.port()) +
                      "/v1/ws/ --host rrc21 --prefix 0.0.0.0/0 --no-more-specific --type UPDATE "
                      "--count 20 --seconds 60");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(Lines(r.out), 20u);
  auto subs = server.subscriptions();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0]["data"]["host"], "rrc21");
  EXPECT_EQ(subs[0]["data"]["prefix"], "0.0.0.0/0");
  EXPECT_EQ(subs[0]["data"]["moreSpecific"], false);
  EXPECT_EQ(subs[0]["data"]["type"], "UPDATE");
}

}  // namespace
}  // namespace blackout::rislive
