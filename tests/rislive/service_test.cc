// `blackout run` with sources.ris_live (docs/rislive.md): the service subscribes to a loopback RIS
// Live stand-in (ws_server.py) replaying 1k-msgs, feeds the live routing view, and the API serves
// the BGP signal of an origin AS announced in the stream, from the current (provisional) bin.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "blackout/bgp/live.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"
#include "ws_server.h"

namespace blackout::rislive {
namespace {

using json = nlohmann::json;

// Every bgp-family series of `entity` from the API in the last hour: signal name -> latest value.
std::map<std::string, double> LatestBgp(httplib::Client& c, const std::string& entity) {
  std::map<std::string, double> out;
  const long now = static_cast<long>(std::time(nullptr));
  auto r =
      c.Get("/api/v2/signals/raw/" + entity + "?datasource=bgp&from=" + std::to_string(now - 3600) +
            "&until=" + std::to_string(now + 600));
  if (!r || r->status != 200) return out;
  auto j = json::parse(r->body, nullptr, false);
  if (j.is_discarded() || !j["data"].is_array()) return out;
  for (const json& group : j["data"]) {
    for (const json& series : group) {
      const json& values = series["values"];
      for (auto it = values.rbegin(); it != values.rend(); ++it) {
        if (it->is_number()) {
          out[series.value("datasource", "") + "/" + series.value("subtype", "")] =
              it->get<double>();
          break;
        }
      }
    }
  }
  return out;
}

TEST(RisLiveServiceTest, RunFeedsTheLiveViewFromRisLive) {
  blackout::testing::TempDir dir;
  testing::WsServer server(dir, {"ris-live/morrowc-rislive/1k-msgs"}, "");
  ASSERT_GT(server.port(), 0);
  blackout::testing::WriteFile(
      dir / "c.toml",
      "[data]\ndir = \"" + (dir / "data").string() +
          "\"\n[scenario]\nenabled = false\n[geo]\nenabled = false\n[server]\nlisten = "
          "\"127.0.0.1:0\"\n[sources]\npoll_seconds = 3600\nbgp_full_feed_v4 = 1\n"
          "ris_live = { url = \"ws://127.0.0.1:" +
          std::to_string(server.port()) +
          "/v1/ws/?client=blackout-test\", filters = { host = \"rrc19\", type = \"UPDATE\", "
          "moreSpecific = false } }\n");
  blackout::testing::ServiceProcess service(dir, dir / "c.toml");
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);
  // 196.50.70.0/24, origin AS37650, is the stream's first announcement (rrc19's peer AS57695).
  std::map<std::string, double> latest;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    latest = LatestBgp(c, "asn/37650");
    if (!latest.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_FALSE(latest.empty()) << service.Log();
  // The API serves the combined `bgp` signal (> 50% of the full-feed peer ASNs: 0 here, one peer
  // of many carries the /24); the store holds every level, bgp-1peer among them.
  EXPECT_EQ(latest.size(), 1u) << json(latest).dump();
  // The subscription carried the config's filters.
  auto subs = server.subscriptions();
  ASSERT_GE(subs.size(), 1u);
  EXPECT_EQ(subs[0]["data"]["host"], "rrc19");
  EXPECT_EQ(subs[0]["data"]["type"], "UPDATE");
  EXPECT_EQ(service.Stop(), 0) << service.Log();
  auto st = store::OpenStore("sqlite:" + (dir / "data/blackout.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto one_peer = (*st)->ReadSeries({"asn/37650", "bgp-1peer", ""}, 0, INT64_MAX);
  ASSERT_TRUE(one_peer.ok()) << one_peer.status().ToString();
  ASSERT_FALSE(one_peer->values.empty());
  EXPECT_EQ(one_peer->values.back(), 1);  // one /24, seen by a peer
  // The bin is the live view's provisional one.
  auto provisional = (*st)->GetState(bgp::kLiveProvisionalKey);
  ASSERT_TRUE(provisional.ok()) << provisional.status().ToString();
  EXPECT_EQ(std::stoll(*provisional), one_peer->from + 300 * int64_t(one_peer->values.size() - 1));
}

}  // namespace
}  // namespace blackout::rislive
