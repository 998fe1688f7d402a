#include "blackout/curated/curated.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "blackout/curated/agreement.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::curated {
namespace {

using blackout::testing::DataFile;
using blackout::testing::ReadFile;
using ::testing::HasSubstr;

const PlaceNames& Names() {
  static const PlaceNames names = [] {
    auto n = PlaceNames::Load();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : PlaceNames();
  }();
  return names;
}

const CuratedOutage* FindOne(const ParsedList& l, std::string_view entity, UnixSeconds from) {
  for (const CuratedOutage& o : l.outages) {
    if (o.from == from &&
        std::find(o.entities.begin(), o.entities.end(), entity) != o.entities.end()) {
      return &o;
    }
  }
  return nullptr;
}

TEST(KeepItOn, RealListKeepsEveryRowWithWholeDaysAndKazakhstan2022) {
  const std::string path = DataFile("events/keepiton-stop-2016-2025.csv").string();
  ParsedList l = ParseList(ReadFile(path), ListFormat::kKeepItOn, Names(), path);
  EXPECT_EQ(l.rows, 2102u);  // the README's count, multi-line cells included
  // Three rows end before they start (India 2020-02-18 -> 02-12, Pakistan, Belarus): reported.
  ASSERT_EQ(l.problems.size(), 3u);
  for (const Status& p : l.problems) {
    EXPECT_THAT(p.message(), HasSubstr("end_date before start_date"));
  }
  EXPECT_THAT(l.problems[0].message(), HasSubstr("keepiton-stop-2016-2025.csv:866:"));
  EXPECT_EQ(l.outages.size(), 2099u);
  const CuratedOutage* kz = FindOne(l, "country/KZ", 1641254400);  // 2022-01-04
  ASSERT_NE(kz, nullptr);
  EXPECT_TRUE(kz->whole_days);
  EXPECT_EQ(kz->until, 1641254400 + 8 * 86400);  // through 11 January
  EXPECT_EQ(kz->kind, "shutdown and throttling");
  EXPECT_EQ(kz->cause, "Protests");
  EXPECT_EQ(SpanText(*kz), "from 4 to 11 January 2022");
  EXPECT_EQ(Sentence(*kz, "Kazakhstan"),
            "Access Now's #KeepItOn list records a shutdown and throttling in Kazakhstan from 4 "
            "to 11 January 2022 (cause: Protests).");
  std::set<std::string> ids;
  for (const auto& o : l.outages) EXPECT_TRUE(ids.insert(o.key()).second) << o.key();
  EXPECT_EQ(kz->scope, "wide");
  EXPECT_FALSE(kz->service_based);
  // A shutdown in one Indian state names the state (ISO 3166-2 IN-MN) beside the country.
  const CuratedOutage* manipur = FindOne(l, "region/IN-MN", 1482019200);  // 2016-12-18
  ASSERT_NE(manipur, nullptr);
  EXPECT_EQ(manipur->entities, (std::vector<std::string>{"country/IN", "region/IN-MN"}));
  EXPECT_EQ(manipur->scope, "regional");
  // "Churachandpur and Pherzawl Districts, Manipur": the state from a comma-separated part.
  EXPECT_NE(FindOne(l, "region/IN-MN", 1682553600), nullptr);  // 2023-04-27
  // Iran's 2009 Facebook blocking: services only, not the network.
  const CuratedOutage* fb = FindOne(l, "country/IR", 1243123200);  // 2009-05-24
  ASSERT_NE(fb, nullptr);
  EXPECT_TRUE(fb->service_based);
  std::map<std::string, int> scopes;
  for (const auto& o : l.outages) ++scopes[o.scope];
  EXPECT_GT(scopes["wide"], 650);  // the list's counts: 703 wide, 536 regional, 853 local
  EXPECT_GT(scopes["regional"], 500);
  EXPECT_GT(scopes["local"], 800);
}

TEST(IodaInvestigated, RealListMapsCountriesRegionsAndAsns) {
  const std::string path = DataFile("events/ioda-investigated-outages-2018-2022.csv").string();
  ParsedList l = ParseList(ReadFile(path), ListFormat::kIodaInvestigated, Names(), path);
  EXPECT_EQ(l.rows, 1704u);
  // What is reported: 76 rows ending before they begin (e.g. line 36, "Monday, May 29, 2018,
  // 11:00 PM" to "Tuesday, May 29, 2018, 9:00 AM") and one "European Union" (no country).
  EXPECT_EQ(l.outages.size() + l.problems.size(), 1704u);
  size_t backwards = 0;
  for (const Status& p : l.problems) {
    if (p.message().find("End time before Begin time") != std::string::npos) {
      ++backwards;
    } else {
      EXPECT_THAT(p.message(), HasSubstr("unknown country \"European Union\"")) << p.ToString();
    }
  }
  EXPECT_EQ(backwards, 76u);
  EXPECT_EQ(l.problems.size(), 77u);
  size_t asns = 0, regions = 0, open = 0;
  for (const auto& o : l.outages) {
    asns += o.entities[0].rfind("asn/", 0) == 0;
    regions += o.entities[0].rfind("region/", 0) == 0;
    open += !o.until.has_value();
    EXPECT_FALSE(o.whole_days);
  }
  EXPECT_EQ(asns, 73u);      // of 78 AS rows; 5 end before they begin
  EXPECT_GT(regions, 300u);  // the rest of the 710 region rows name no ISO subdivision
  EXPECT_EQ(open, 33u);      // 26 empty End cells and 7 "N/A"
  // 61AE093F: "Wednesday, March 17, 2021, 4:40:00 PM" to 5:40 PM, South Sudan.
  auto it = std::find_if(l.outages.begin(), l.outages.end(),
                         [](const auto& o) { return o.id == "61AE093F"; });
  ASSERT_NE(it, l.outages.end());
  EXPECT_EQ(it->from, 1615999200);
  EXPECT_EQ(it->until, 1616002800);
  EXPECT_EQ(SpanText(*it), "from 17 March 2021 16:40 UTC to 17 March 2021 17:40 UTC");
}

TEST(Radar, BothCsvShapesAndTheApiAnswer) {
  for (const char* f : {"annotations/cloudflare-radar/radar_outages_events_by_country_52w.csv",
                        "annotations/cloudflare-radar/radar_outages_events_global_52w.csv"}) {
    const std::string path = DataFile(f).string();
    ParsedList l = ParseList(ReadFile(path), ListFormat::kRadar, Names(), path);
    for (const Status& p : l.problems) ADD_FAILURE() << p.ToString();
    EXPECT_EQ(l.outages.size(), 5u) << f;
    const CuratedOutage* ke = FindOne(l, "country/KE", 1765296900);  // 2025-12-09 16:15
    ASSERT_NE(ke, nullptr) << f;
    EXPECT_EQ(ke->cause, "POWER_OUTAGE");
    EXPECT_EQ(ke->until, 1765296900 + 3 * 3600 + 45 * 60);
  }
  const std::string api = R"({"success":true,"result":{"annotations":[
    {"id":"1510","dataSource":"ALL","description":"Fiber cuts","scope":"Claro Dominicana",
     "startDate":"2025-12-09T16:15:00Z","endDate":"2025-12-09T19:30:00Z","locations":["DO"],
     "asns":[6400],"eventType":"OUTAGE","linkedUrl":"https://x.com/ClaroRD",
     "outage":{"outageCause":"CABLE_CUT","outageType":"NETWORK"}},
    {"id":"9","startDate":"yesterday","locations":["DO"]},
    {"id":"10","startDate":"2025-11-25T22:00:47Z","locations":["ID"]}]}})";
  ParsedList l = ParseList(api, ListFormat::kRadar, Names(), "radar.json");
  ASSERT_EQ(l.outages.size(), 2u);
  EXPECT_EQ(l.outages[0].id, "1510");
  EXPECT_EQ(l.outages[0].entities, (std::vector<std::string>{"country/DO", "asn/6400"}));
  EXPECT_EQ(l.outages[0].cause, "CABLE_CUT");
  EXPECT_FALSE(l.outages[1].until.has_value());
  EXPECT_THAT(SpanText(l.outages[1]), HasSubstr("no end recorded"));
  ASSERT_EQ(l.problems.size(), 1u);
  EXPECT_THAT(l.problems[0].message(), HasSubstr("radar.json:2: bad start date"));
}

TEST(MalformedRows, ReportedWithFileAndLineAndTheRestKept) {
  const std::string text =
      "start_date,country,end_date,shutdown_type,area_name\n"
      "2022-01-04T00:00:00.000Z,Kazakhstan,2022-01-11T00:00:00.000Z,Shutdown,\"Almaty,\n"
      "and Nur-Sultan\"\n"
      "not-a-date,Kazakhstan,,Shutdown,x\n"
      "2022-01-04T00:00:00.000Z,Atlantis,,Shutdown,x\n"
      "2022-01-05T00:00:00.000Z,Kazakhstan,2022-01-01T00:00:00.000Z,Shutdown,x\n"
      "2022-02-01T00:00:00.000Z,Kazakhstan,2022-02-01T00:00:00.000Z,Throttle,x\n";
  ParsedList l = ParseList(text, ListFormat::kKeepItOn, Names(), "list.csv");
  ASSERT_EQ(l.outages.size(), 2u);
  EXPECT_EQ(l.outages[0].area, "Almaty,\nand Nur-Sultan");
  EXPECT_EQ(SpanText(l.outages[1]), "on 1 February 2022");
  ASSERT_EQ(l.problems.size(), 3u);
  EXPECT_THAT(l.problems[0].message(), HasSubstr("list.csv:4: bad start_date"));
  EXPECT_THAT(l.problems[1].message(), HasSubstr("list.csv:5: unknown country \"Atlantis\""));
  EXPECT_THAT(l.problems[2].message(), HasSubstr("list.csv:6: end_date before start_date"));
  ParsedList wrong = ParseList(text, ListFormat::kIodaInvestigated, Names(), "list.csv");
  EXPECT_TRUE(wrong.outages.empty());
  ASSERT_EQ(wrong.problems.size(), 1u);
  EXPECT_THAT(wrong.problems[0].message(), HasSubstr("not a ioda-investigated list"));
  ParsedList open =
      ParseList("start_date,country\n\"2022-01-04", ListFormat::kKeepItOn, Names(), "cut.csv");
  ASSERT_FALSE(open.problems.empty());
  EXPECT_THAT(open.problems[0].message(), HasSubstr("cut.csv:2: quoted field never closed"));
}

// Found by blackout_curated_list_fuzz: a cell with bytes that are no UTF-8 made the stored form's
// JSON serialisation throw (terminating `blackout import annotations`); they are now replaced.
TEST(Records, InvalidUtf8InACellIsStoredNotFatal) {
  const std::string text =
      "start_date,country,end_date,shutdown_type,area_name,actual_cause\n"
      "2022-01-04T00:00:00.000Z,Kazakhstan,,Shutdown,Alm\xb0"
      "aty,Prot\xff"
      "ests\n";
  ParsedList l = ParseList(text, ListFormat::kKeepItOn, Names(), "bad-utf8.csv");
  ASSERT_EQ(l.outages.size(), 1u);
  auto back = FromJson(ToJson(l.outages[0]));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->area,
            "Alm\xef\xbf\xbd"
            "aty");  // U+FFFD
  EXPECT_EQ(back->from, l.outages[0].from);
}

// Found by blackout_curated_list_fuzz: Radar's location took any two bytes as a country code,
// making entities that were no text ("country/\xff\xfe"); a location is two letters.
TEST(Radar, ALocationIsTwoLetters) {
  const std::string text =
      "country_alpha2,country,startDate,endDate,scope\n"
      "\xff\xfe,X,2025-12-09 16:15:00+00:00,,x\n"
      "K1,X,2025-12-09 16:15:00+00:00,,x\n"
      "ke,KEN,2025-12-09 16:15:00+00:00,,x\n";
  ParsedList l = ParseList(text, ListFormat::kRadar, Names(), "radar.csv");
  ASSERT_EQ(l.outages.size(), 1u);
  EXPECT_EQ(l.outages[0].entities, (std::vector<std::string>{"country/KE"}));
  ASSERT_EQ(l.problems.size(), 2u);
  EXPECT_THAT(l.problems[0].message(), HasSubstr("radar.csv:2: bad location"));
  EXPECT_THAT(l.problems[1].message(), HasSubstr("radar.csv:3: bad location K1"));
}

TEST(Records, RoundTripThroughTheStore) {
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  CuratedOutage o{.source = "keepiton",
                  .id = "abc",
                  .entities = {"country/KZ"},
                  .from = 100,
                  .until = 86500,
                  .whole_days = true,
                  .kind = "shutdown",
                  .cause = "Protests"};
  CuratedOutage p{.source = "radar", .id = "1", .entities = {"asn/6400"}, .from = 5};
  ASSERT_TRUE(SaveOutages(**st, std::vector<CuratedOutage>{o, p}).ok());
  auto back = LoadOutages(**st);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].key(), "keepiton:abc");
  EXPECT_EQ((*back)[0].until, 86500);
  EXPECT_TRUE((*back)[0].whole_days);
  EXPECT_FALSE((*back)[1].until.has_value());
  std::vector<std::string> kz = {"country/KZ"};
  EXPECT_EQ(Select(*back, kz, 0, 1000).size(), 1u);
  EXPECT_EQ(Select(*back, kz, 86500, 90000).size(), 0u);
  EXPECT_FALSE(FromJson("{\"source\":1}").ok());
}

TEST(Agreement, FoundMissedUnrecordedAndOutsideCoverage) {
  const UnixSeconds d = 86400, t0 = 1641254400;
  CuratedOutage kz{.source = "keepiton",
                   .id = "kz",
                   .entities = {"country/KZ"},
                   .from = t0,
                   .until = t0 + 8 * d,
                   .whole_days = true};
  CuratedOutage ala{.source = "ioda-investigated",
                    .id = "a",
                    .entities = {"region/KZ-ALA"},
                    .from = t0 + 20 * d,
                    .until = t0 + 20 * d + 3600};
  CuratedOutage far{.source = "radar", .id = "r", .entities = {"country/KE"}, .from = t0};
  store::Event hit{.id = "e1",
                   .entity = "country/KZ",
                   .start = t0 + d + 37800,
                   .end = t0 + 6 * d,
                   .related = {"region/KZ-ALA"}};
  store::Event extra{.id = "e2", .entity = "asn/9198", .start = t0 + 10 * d, .end = t0 + 11 * d};
  store::Event later{.id = "e3", .entity = "country/KZ", .start = t0 + 90 * d};
  Coverage cov = {{"country/KZ", {t0 - 30 * d, t0 + 60 * d}},
                  {"region/KZ-ALA", {t0 - 30 * d, t0 + 60 * d}}};
  std::vector<CuratedOutage> outages = {kz, ala, far};
  std::vector<store::Event> events = {hit, extra, later};
  Agreement a = Compare(outages, events, cov, t0 + 100 * d);
  ASSERT_EQ(a.found.size(), 1u);
  EXPECT_EQ(a.found[0].outage.id, "kz");
  EXPECT_EQ(a.found[0].event_ids, (std::vector<std::string>{"e1"}));
  ASSERT_EQ(a.missed.size(), 1u);
  EXPECT_EQ(a.missed[0].id, "a");
  ASSERT_EQ(a.unrecorded.size(), 1u);  // e3 starts after the lists' span
  EXPECT_EQ(a.unrecorded[0].id, "e2");
  EXPECT_EQ(a.outside_coverage, 1u);
  EXPECT_DOUBLE_EQ(a.recall(), 0.5);
  EXPECT_THAT(AgreementJson(a), HasSubstr("\"found\":1"));
  EXPECT_THAT(AgreementTable(a), HasSubstr("1 found, 1 missed"));
  // Records connectivity could not be expected to show are set apart, not missed: services only,
  // or one city where the store measures none of its regions.
  CuratedOutage apps{.source = "keepiton",
                     .id = "fb",
                     .entities = {"country/KZ"},
                     .from = t0 + 30 * d,
                     .until = t0 + 31 * d,
                     .whole_days = true,
                     .service_based = true};
  CuratedOutage town = apps;
  town.id = "town";
  town.service_based = false;
  town.scope = "local";
  CuratedOutage almaty = town;  // local, but in a region the store measures: expected
  almaty.id = "almaty";
  almaty.entities = {"country/KZ", "region/KZ-ALA"};
  outages = {kz, ala, far, apps, town, almaty};
  a = Compare(outages, events, cov, t0 + 100 * d);
  EXPECT_EQ(a.found.size(), 1u);
  ASSERT_EQ(a.not_expected.size(), 2u);
  EXPECT_EQ(a.not_expected[0].id, "fb");
  EXPECT_EQ(a.not_expected[1].id, "town");
  ASSERT_EQ(a.missed.size(), 2u);
  EXPECT_EQ(a.missed[1].id, "almaty");
  EXPECT_DOUBLE_EQ(a.recall(), 1.0 / 3.0);
  EXPECT_THAT(AgreementJson(a), HasSubstr("\"notExpected\":2"));
  EXPECT_THAT(AgreementTable(a), HasSubstr("not-expected keepiton:fb"));
}

}  // namespace
}  // namespace blackout::curated
