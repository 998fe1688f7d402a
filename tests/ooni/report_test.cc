// The report states application blocking apart from connectivity, and names it in the technique
// of the outage it preceded (docs/ooni.md, "Joining connectivity events").
#include "blackout/report/report.h"

#include <gtest/gtest.h>

#include "blackout/ooni/events.h"
#include "blackout/report/wording.h"

namespace blackout::ooni {
namespace {

TEST(OoniReportTest, AppBlockingThenTheOutage) {
  const UnixSeconds t0 = 1641254400;  // 2022-01-04 00:00 UTC
  AppRun telegram{"telegram", t0, t0 + 30 * 3600, 9, 10, 0.6, {Method::kTcpIp}};
  AppRun whatsapp{"whatsapp", t0 + 3600, t0 + 30 * 3600, 6, 6, 0.6, {Method::kTcpIp}};
  std::vector<store::Event> events = EventsFromRuns("country/KZ", {telegram, whatsapp}, {});
  store::Event outage;
  outage.entity = "country/KZ";
  outage.start = t0 + 34 * 3600 + 1800;  // 5 January 10:30
  outage.end = t0 + 6 * 86400;
  outage.depth = 0.05;
  outage.technique = store::Technique::kPacketsFiltered;
  outage.signals = {"probe"};
  events.push_back(outage);
  auto r = report::ComposeReport("country/KZ", t0 - 86400, t0 + 8 * 86400, events, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->app_events.size(), 1u);
  const std::string& md = r->markdown;
  EXPECT_NE(md.find("- Technique: app-blocking, then packets-filtered"), std::string::npos) << md;
  EXPECT_NE(md.find("Telegram and WhatsApp were found blocked (TCP/IP) by 15 of 16 OONI Probe "
                    "measurements"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("## Application blocking (OONI)"), std::string::npos);
  EXPECT_NE(md.find("CC BY-NC-SA 4.0"), std::string::npos);
  // The headline the API, feeds and report give an app-blocking event speaks of applications.
  EXPECT_EQ(report::Headline(r->app_events[0], "Kazakhstan", std::nullopt, t0),
            "Telegram and WhatsApp were found blocked (TCP/IP) by 15 of 16 OONI Probe "
            "measurements in Kazakhstan from 4 January 2022 00:00 UTC to 5 January 2022 06:00 UTC "
            "(OONI data, CC BY-NC-SA 4.0).");
}

}  // namespace
}  // namespace blackout::ooni
