// `sources.ooni` in `blackout run`: OONI files are ingested in the pass, ledger-tracked (a second
// pass writes nothing), and the app-blocking events follow detection.
#include "blackout/service/service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/ooni/events.h"
#include "blackout/server/json_views.h"
#include "blackout/service/snapshot.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

TEST(OoniServiceTest, SourcesOoniAreIngestedOncePerFile) {
  blackout::testing::TempDir dir;
  const std::string toml = "[data]\ndir = \"" + (dir / "data").string() +
                           "\"\n[geo]\nenabled = false\n[sources]\nooni = [\"" +
                           blackout::testing::DataFile("ooni").string() + "\"]\n";
  auto config = service::ParseServiceConfig(toml, "test.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->simulate);  // a real source: no scenario
  ASSERT_EQ(config->ooni.size(), 1u);
  service::Service s(*config);
  ASSERT_TRUE(s.Prepare().ok());
  auto pass = s.IngestPass();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->ooni_files, 16u);
  EXPECT_EQ(pass->ooni_measurements, 16u);
  auto again = s.IngestPass();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ooni_files, 0u);
  EXPECT_FALSE(service::ParseServiceConfig("[sources]\nooni = 3\n", "bad.toml").ok());
}

// The API's event objects carry the join: an outage that app blocking preceded reads
// "app-blocking, then packets-filtered" with the app-blocking event's id (docs/ooni.md).
TEST(OoniServiceTest, TheApiEventNamesTheAppBlockingBeforeIt) {
  blackout::testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  const UnixSeconds t0 = 1641254400;  // 2022-01-04 00:00 UTC
  AppRun telegram{"telegram", t0, t0 + 30 * 3600, 9, 10, 0.6, {Method::kTcpIp}};
  std::vector<store::Event> events = EventsFromRuns("country/KZ", {telegram}, {});
  ASSERT_EQ(events.size(), 1u);
  store::Event outage;
  outage.entity = "country/KZ";
  outage.start = t0 + 34 * 3600;
  outage.end = t0 + 6 * 86400;
  outage.depth = 0.05;
  outage.method = "combined";
  outage.technique = store::Technique::kPacketsFiltered;
  outage.signals = {"probe"};
  store::WriteBatch batch;
  batch.AddEvent(events[0]);
  batch.AddEvent(outage);
  ASSERT_TRUE((*store)->Apply(batch).ok());
  server::MemoryData data;
  auto stats = service::LoadSnapshot(**store, {}, &data);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  server::OutageQuery q;
  q.entity_type = "country";
  q.entity_code = "KZ";
  q.until = t0 + 10 * 86400;
  int outages = 0;
  for (const server::Event& e : data.Events(q)) {
    const nlohmann::json j = server::EventJson(data, e, q.until);
    if (IsAppBlockingEvent(e)) {
      EXPECT_EQ(j["techniqueSequence"], "unknown") << j.dump();
      EXPECT_TRUE(j["precededBy"].empty());
      continue;
    }
    ++outages;
    EXPECT_EQ(j["technique"], "packets-filtered");
    EXPECT_EQ(j["techniqueSequence"], "app-blocking, then packets-filtered") << j.dump();
    EXPECT_EQ(j["precededBy"], nlohmann::json::array({events[0].EffectiveId()}));
  }
  EXPECT_EQ(outages, 1);
}

}  // namespace
}  // namespace blackout::ooni
