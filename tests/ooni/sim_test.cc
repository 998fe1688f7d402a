// The Kazakhstan scenario's OONI measurements: messaging apps blocked on mobile networks from
// 2-4 January, before the cuts; measurements scarce during the blackout (docs/ooni.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/ooni/events.h"
#include "blackout/ooni/ingest.h"
#include "blackout/sim/ooni.h"
#include "blackout/sim/scenario.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

TEST(OoniSimTest, MessagingAppsBlockedOnMobileNetworksBeforeTheBlackout) {
  blackout::testing::TempDir dir;
  auto scenario =
      sim::LoadScenario(blackout::testing::SourceDir() / "scenarios" / "kazakhstan-2022.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  auto out = sim::WriteOoni(*scenario, dir.path());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_GT(out->measurements, 1000u);
  EXPECT_GT(out->lost, 0u);
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  auto files = ListMeasurementFiles({(dir / "ooni").string()});
  ASSERT_TRUE(files.ok());
  EXPECT_NE(files->front().find("/raw/20211231/00/KZ/"), std::string::npos) << files->front();
  uint64_t measurements = 0;
  for (const std::string& f : *files) {
    auto r = IngestFile(f, **store);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->read.malformed + r->read.unknown_tests, 0u) << f;
    measurements += r->read.measurements;
  }
  EXPECT_EQ(measurements, out->measurements);
  ASSERT_TRUE(DetectAppBlocking(**store).ok());

  store::EventQuery q;
  q.entities = {"country/KZ"};
  auto kz = (*store)->QueryEvents(q);
  ASSERT_TRUE(kz.ok());
  ASSERT_GE(kz->items.size(), 1u);
  const store::Event& e = kz->items.front();
  EXPECT_GE(e.start, *ParseTime("2022-01-02T12:00:00Z"));
  EXPECT_LT(e.start, *ParseTime("2022-01-04T14:30:00Z"));  // before the mobile cut
  const std::string sentence = AppBlockingSentence(e);
  for (const char* app : {"Telegram", "WhatsApp", "Signal"}) {
    EXPECT_NE(sentence.find(app), std::string::npos) << sentence;
  }
  EXPECT_EQ(sentence.find("Facebook"), std::string::npos) << sentence;
  // A mobile operator has the event, the fixed incumbent does not.
  q.entities = {"asn/21299"};
  EXPECT_FALSE((*store)->QueryEvents(q)->items.empty());
  q.entities = {"asn/9198"};
  EXPECT_TRUE((*store)->QueryEvents(q)->items.empty());
}

}  // namespace
}  // namespace blackout::ooni
