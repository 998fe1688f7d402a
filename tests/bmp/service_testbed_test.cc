// End to end through `blackout run`: FRR's bgpd (bmp module) and a BIRD speaker in network
// namespaces (scripts/bmp-testbed/) export to the service's BMP station (sources.bmp); a
// withdrawal at the speaker must show in the API's bgp signal (the live, provisional bin) within
// 10 s (issue 17), and the re-announcement too. Needs root, iproute2, bird2 and frr.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::RunCommand;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The latest value of asn/65001's bgp signal (blocks seen by > 50% of full-feed peer ASNs), or
// -1 when there is none yet.
double LatestBlocks(httplib::Client& c) {
  const long now = static_cast<long>(std::time(nullptr));
  auto r = c.Get("/api/v2/signals/raw/asn/65001?datasource=bgp&from=" + std::to_string(now - 3600) +
                 "&until=" + std::to_string(now + 600));
  if (!r || r->status != 200) return -1;
  auto j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j["data"].is_array() || j["data"].empty() || j["data"][0].empty()) {
    return -1;
  }
  const json& values = j["data"][0][0]["values"];
  for (auto it = values.rbegin(); it != values.rend(); ++it) {
    if (it->is_number()) return it->get<double>();
  }
  return -1;
}

template <typename F>
double SecondsUntil(F&& done, double limit, Clock::time_point start) {
  while (std::chrono::duration<double>(Clock::now() - start).count() < limit) {
    if (done()) return std::chrono::duration<double>(Clock::now() - start).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return -1;
}

TEST(BmpServiceTestbedTest, WithdrawalReachesTheApiWithin10Seconds) {
  testing::TempDir dir;
  const int bmp_port = FreePort();
  testing::WriteFile(dir / "c.toml", "[data]\ndir = \"" + (dir / "data").string() +
                                         "\"\n[scenario]\nenabled = false\n[geo]\nenabled = "
                                         "false\n[server]\nlisten = \"127.0.0.1:0\"\n[sources]\n"
                                         "poll_seconds = 3600\nbgp_full_feed_v4 = 1\nbmp = "
                                         "[\"0.0.0.0:" +
                                         std::to_string(bmp_port) + "\"]\n");
  testing::ServiceProcess service(dir, dir / "c.toml");
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);

  const std::string script =
      (testing::SourceDir() / "scripts/bmp-testbed/testbed.sh").string() + " ";
  const std::string tb = "'" + (dir / "tb").string() + "'";
  auto start = RunCommand(script + "start " + tb + " " + std::to_string(bmp_port));
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  auto set = [&](const std::string& prefixes) {
    auto r = RunCommand(script + "set " + tb + " " + prefixes);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  };
  set("198.18.0.0/22 198.18.8.0/24");
  EXPECT_GE(SecondsUntil([&] { return LatestBlocks(c) == 5; }, 30, Clock::now()), 0)
      << "announcements never reached the API: " << LatestBlocks(c) << "\n"
      << service.Log();

  auto t0 = Clock::now();
  set("198.18.0.0/22");
  const double withdraw = SecondsUntil([&] { return LatestBlocks(c) == 4; }, 10, t0);
  std::printf("withdraw at the speaker -> the API's bgp signal: %.2f s\n", withdraw);
  EXPECT_GE(withdraw, 0) << "withdrawal not in the API within 10 s: " << LatestBlocks(c);

  t0 = Clock::now();
  set("198.18.0.0/22 198.18.8.0/24");
  const double back = SecondsUntil([&] { return LatestBlocks(c) == 5; }, 10, t0);
  std::printf("re-announcement -> the API's bgp signal: %.2f s\n", back);
  EXPECT_GE(back, 0);

  auto stop = RunCommand(script + "stop " + tb);
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  auto m = c.Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("blackout_bmp_messages"), std::string::npos);
  service.Stop();
}

}  // namespace
}  // namespace blackout
