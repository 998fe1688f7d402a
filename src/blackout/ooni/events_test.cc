#include "blackout/ooni/events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/ooni/ingest.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

constexpr UnixSeconds kT0 = 1641254400;  // 2022-01-04 00:00 UTC
constexpr int64_t kH = 3600;

AppBin Bin(int hour, int64_t measured, int64_t blocked, int64_t failed = 0) {
  AppBin b;
  b.time = kT0 + hour * kH;
  b.measured = measured;
  b.blocked = blocked;
  b.failed = failed;
  if (blocked > 0) b.methods = {Method::kTcpIp};
  return b;
}

TEST(EventsTest, WilsonLowerBound) {
  EXPECT_EQ(WilsonLower(0, 0, 1.645), 0);
  EXPECT_NEAR(WilsonLower(1, 1, 1.645), 1 / (1 + 1.645 * 1.645), 1e-9);
  EXPECT_NEAR(WilsonLower(3, 3, 1.645), 0.526, 0.001);
  EXPECT_NEAR(WilsonLower(50, 100, 1.96), 0.404, 0.001);
  EXPECT_LT(WilsonLower(1, 10, 1.645), 0.2);  // one blocked in ten: chance
}

TEST(EventsTest, OneBlockedAmongManyIsChanceAFewInARowAreNot) {
  AppEventOptions o;
  EXPECT_TRUE(FindRuns("telegram", {Bin(0, 4, 0), Bin(1, 5, 1), Bin(2, 4, 0)}, kH, o).empty());
  EXPECT_TRUE(FindRuns("telegram", {Bin(0, 1, 1)}, kH, o).empty());  // K >= 2
  // Two failed measurements say nothing either way.
  EXPECT_TRUE(FindRuns("telegram", {Bin(0, 2, 0, 2), Bin(1, 1, 1)}, kH, o).empty());
  auto runs = FindRuns("telegram", {Bin(0, 3, 0), Bin(5, 2, 2), Bin(6, 1, 1), Bin(7, 2, 2)}, kH, o);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].from, kT0 + 5 * kH);
  EXPECT_EQ(runs[0].until, kT0 + 8 * kH);
  EXPECT_EQ(runs[0].blocked, 5);
  EXPECT_EQ(runs[0].measurements, 5);
  EXPECT_GT(runs[0].lower_bound, 0.2);
  ASSERT_EQ(runs[0].methods.size(), 1u);
}

// A gap in the measurements (the blackout: probes cannot upload) does not end a run; measurements
// that reach the application again do.
TEST(EventsTest, GapsKeepARunOpenReachableMeasurementsEndIt) {
  AppEventOptions o;
  std::vector<AppBin> bins = {Bin(0, 2, 2),  Bin(1, 2, 2),  Bin(30, 1, 1), Bin(60, 3, 0),
                              Bin(61, 3, 0), Bin(62, 3, 0), Bin(90, 2, 0)};
  auto runs = FindRuns("whatsapp", bins, kH, o);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].from, kT0);
  EXPECT_EQ(runs[0].until, kT0 + 31 * kH);
}

TEST(EventsTest, OverlappingAppsMakeOneEventThatNamesThemAndTheirMethods) {
  AppEventOptions o;
  AppRun a{"telegram", kT0, kT0 + 10 * kH, 6, 6, 0.6, {Method::kTcpIp}};
  AppRun b{"whatsapp", kT0 + 5 * kH, kT0 + 20 * kH, 4, 5, 0.4, {Method::kTcpIp, Method::kHttp}};
  AppRun far{"signal", kT0 + 10 * 86400, kT0 + 10 * 86400 + kH, 2, 2, 0.3, {Method::kTls}};
  AppRun again{"telegram", kT0 + 12 * kH, kT0 + 14 * kH, 2, 2, 0.3, {Method::kTcpIp}};
  auto events = EventsFromRuns("country/KZ", {b, far, a, again}, o);
  ASSERT_EQ(events.size(), 2u);
  const store::Event& e = events[0];
  EXPECT_EQ(e.id, "ooni:country/KZ@" + std::to_string(kT0));
  EXPECT_EQ(e.start, kT0);
  EXPECT_EQ(*e.end, kT0 + 20 * kH);
  EXPECT_TRUE(IsAppBlockingEvent(e));
  EXPECT_EQ(AppBlockingSentence(e),
            "Telegram and WhatsApp were found blocked (TCP/IP and HTTP) by 12 of 13 OONI Probe "
            "measurements");
  auto info = ReadAppBlocking(e);
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->apps.size(), 3u);  // telegram's two runs are kept apart in extra
  EXPECT_EQ(info->apps[1].methods, (std::vector<std::string>{"TCP/IP", "HTTP"}));
}

TEST(EventsTest, TheTechniqueReadsAppBlockingThenTheOutagesOwn) {
  store::Event app;
  app.entity = "country/KZ";
  app.start = kT0;
  app.end = kT0 + 30 * kH;
  app.method = std::string(kEventMethod);
  store::Event other = app;
  other.entity = "country/UZ";
  store::Event outage;
  outage.entity = "country/KZ";
  outage.start = kT0 + 34 * kH;
  outage.technique = store::Technique::kPacketsFiltered;
  std::vector<store::Event> all = {other, app, outage};
  auto before = AppBlockingBefore(outage, all);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]->entity, "country/KZ");
  EXPECT_EQ(TechniqueSequence(outage, before), "app-blocking, then packets-filtered");
  outage.start = kT0 + 30 * kH + 4 * 86400;  // long after: unrelated
  EXPECT_TRUE(AppBlockingBefore(outage, all).empty());
  EXPECT_EQ(TechniqueSequence(outage, {}), "packets-filtered");
}

TEST(EventsTest, JoinAppBlockingMarksOnlyTheOutagesItPreceded) {
  store::Event app;
  app.entity = "country/KZ";
  app.start = kT0;
  app.end = kT0 + 30 * kH;
  app.method = std::string(kEventMethod);
  app.id = "ooni:country/KZ@1";
  store::Event outage;
  outage.entity = "country/KZ";
  outage.start = kT0 + 34 * kH;
  outage.technique = store::Technique::kPacketsFiltered;
  outage.extra = R"({"endReason":"recovered"})";
  store::Event elsewhere = outage;
  elsewhere.entity = "country/UZ";
  elsewhere.extra.clear();
  store::Event long_after = outage;
  long_after.start = app.end.value() + 4 * 86400;
  std::vector<store::Event> all = {outage, app, elsewhere, long_after};
  JoinAppBlocking(&all);
  const nlohmann::json j = nlohmann::json::parse(all[0].extra);
  EXPECT_EQ(j["techniqueSequence"], "app-blocking, then packets-filtered");
  EXPECT_EQ(j["precededBy"], nlohmann::json::array({"ooni:country/KZ@1"}));
  EXPECT_EQ(j["endReason"], "recovered");  // other keys kept
  EXPECT_EQ(all[1].extra, app.extra);      // the app-blocking event itself untouched
  EXPECT_TRUE(all[2].extra.empty());       // another country's outage
  EXPECT_EQ(all[3].extra, outage.extra);   // too long after
}

TEST(EventsTest, FromFilesToStoredEvents) {
  testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  std::string lines;
  for (int h = 0; h < 6; ++h) {
    std::string time = "2022-01-04 0" + std::to_string(h) + ":10:00";
    lines += R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS206026",)"
             R"("measurement_start_time":")" +
             time + R"(","test_keys":{"telegram_tcp_blocking":true}})" + "\n";
    lines += R"({"test_name":"signal","probe_cc":"KZ","probe_asn":"AS9198",)"
             R"("measurement_start_time":")" +
             time + R"(","test_keys":{"signal_backend_status":"ok"}})" + "\n";
  }
  testing::WriteFile(dir / "kz.jsonl", lines);
  ASSERT_TRUE(IngestFile((dir / "kz.jsonl").string(), **store).ok());
  auto summary = DetectAppBlocking(**store);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->events, 3u);  // country/KZ, asn/206026, geoasn/KZ-206026
  store::EventQuery q;
  q.entities = {"asn/9198"};
  auto none = (*store)->QueryEvents(q);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
  auto kz = (*store)->GetEvent("ooni:country/KZ@" + std::to_string(kT0));
  ASSERT_TRUE(kz.ok()) << kz.status().ToString();
  EXPECT_EQ(AppBlockingSentence(*kz),
            "Telegram was found blocked (TCP/IP) by 6 of 6 OONI Probe measurements");
}

}  // namespace
}  // namespace blackout::ooni
