#include "blackout/server/data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "blackout/store/signals.h"
#include "blackout/store/types.h"
#include "blackout/testing/testing.h"

namespace blackout::server {
namespace {

// One vocabulary (issue 15): the API's datasources, the names the API and the exports give each
// signal, and the dashboard's labels are the signal registry's and agree.
TEST(RegistryAgreementTest, ApiExportAndDashboardNamesComeFromTheRegistry) {
  const std::string chart_js = testing::ReadFile(testing::SourceDir() / "web" / "src" / "chart.js");
  std::vector<std::string> served;
  for (const Datasource& d : DefaultDatasources()) served.push_back(d.name);
  for (const store::SignalInfo& s : store::Signals()) {
    const std::string ds(s.datasource);
    SCOPED_TRACE(ds);
    // The API's datasource list holds every ingested signal, with the registry's words.
    const bool listed = std::find(served.begin(), served.end(), ds) != served.end();
    EXPECT_EQ(listed, !s.ingest.empty());
    for (const Datasource& d : DefaultDatasources()) {
      if (d.name != ds) continue;
      EXPECT_EQ(d.description, s.label);
      EXPECT_EQ(d.units, s.unit);
      EXPECT_EQ(d.native_step, s.native_step);
    }
    // The snapshot (API series) and the exports name a signal alike, and read it back.
    EXPECT_EQ(store::IodaDatasource(s.name), ds);
    EXPECT_EQ(store::IodaDatasource(s.name), ds);
    EXPECT_EQ(store::CanonicalSignal(ds), s.name);
    // The dashboard's stand-in labels (before /datasources arrives) are the registry's.
    const std::string key = ds.find('-') != std::string::npos ? "'" + ds + "'" : ds;
    const std::string entry = key + ": {short: '" + std::string(s.short_label) + "', name: '" +
                              std::string(s.label) + "', units: '" + std::string(s.unit) + "'}";
    EXPECT_NE(chart_js.find(entry), std::string::npos) << "web/src/chart.js lacks " << entry;
  }
}

TEST(MemoryDataTest, SeriesAreCutToTheRangeOnBinBoundaries) {
  MemoryData d;
  Series s{"country", "KZ", "bgp", 1000 * 300, 300, {}};
  for (int i = 0; i < 100; ++i) s.values.push_back(i);
  d.PutSeries(s);
  auto got = d.GetSeries("country", "KZ", "bgp", 1010 * 300 + 1, 1020 * 300);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from, 1011 * 300);
  ASSERT_EQ(got[0].values.size(), 9u);
  EXPECT_EQ(got[0].values.front(), 11);
  EXPECT_EQ(got[0].values.back(), 19);
  EXPECT_TRUE(d.GetSeries("country", "KZ", "bgp", 0, 1000).at(0).values.empty());
  EXPECT_TRUE(d.GetSeries("country", "KZ", "traffic", 0, 1e9).empty());
  EXPECT_TRUE(d.GetSeries("country", "UZ", "", 0, 1e9).empty());
}

TEST(MemoryDataTest, PutSeriesReplacesAndBumpsGeneration) {
  MemoryData d;
  uint64_t g = d.Generation();
  d.PutSeries({"asn", "9198", "bgp", 0, 300, {1, 2}});
  d.PutSeries({"asn", "9198", "bgp", 0, 300, {3}});
  EXPECT_GT(d.Generation(), g);
  auto got = d.GetSeries("asn", "9198", "", 0, 10000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].values, std::vector<double>{3});
}

TEST(MemoryDataTest, EventsOverlapAndRelatedFilters) {
  MemoryData d;
  d.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}},
                     {"asn", "9198", "Kazakhtelecom", {"country/KZ"}, {}},
                     {"country", "UZ", "Uzbekistan", {}, {}}});
  auto event = [](std::string entity, std::string signal, UnixSeconds start,
                  std::optional<UnixSeconds> end) {
    Event e;
    e.entity = std::move(entity);
    e.signals = {std::move(signal)};
    e.start = start;
    e.end = end;
    return e;
  };
  d.ReplaceEvents({event("asn/9198", "bgp", 100, 200),
                   event("country/KZ", "probe", 150, std::nullopt),
                   event("country/UZ", "bgp", 10, 20)});
  OutageQuery q;
  q.from = 0;
  q.until = 1000;
  EXPECT_EQ(d.Events(q).size(), 3u);
  q.related_to = "country/KZ";
  EXPECT_EQ(d.Events(q).size(), 2u);
  q.from = 250;  // the ongoing KZ event still overlaps
  auto e = d.Events(q);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].entity, "country/KZ");
  q = {};
  q.from = 0;
  q.until = 1000;
  q.datasource = "bgp";
  EXPECT_EQ(d.Events(q).size(), 2u);
  q.datasource = "ping-slash24";  // the API's name of the probe signal
  EXPECT_EQ(d.Events(q).size(), 1u);
  q.datasource = "ping";  // a datasource is matched whole, not as a substring
  EXPECT_EQ(d.Events(q).size(), 0u);
  EXPECT_EQ(d.SearchEntities("kaz", "", "", "", 10).size(), 2u);
  EXPECT_EQ(d.SearchEntities("", "asn", "", "", 10).size(), 1u);
  EXPECT_EQ(d.SearchEntities("", "", "country/KZ", "", 10).size(), 2u);
}

}  // namespace
}  // namespace blackout::server
