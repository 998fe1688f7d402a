#include "blackout/server/api.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace blackout::server {
namespace {

using json = nlohmann::json;

constexpr UnixSeconds kFrom = 1641254400;  // 2022-01-04T00:00Z

// An event as the store holds it (end 0 = ongoing).
Event MakeEvent(std::string type, std::string code, std::string signal, UnixSeconds start,
                UnixSeconds end, double score, double depth, store::Technique technique) {
  Event e;
  e.entity = type + "/" + code;
  e.signals = {std::move(signal)};
  e.start = start;
  if (end) e.end = end;
  e.score = score;
  e.depth = depth;
  e.technique = technique;
  return e;
}

// The Kazakhstan event as the snapshot fills it from the store: phases, technique, carriers.
Event KzEvent() {
  Event e = MakeEvent("country", "KZ", "probe", kFrom + 3600, kFrom + 7200, 120, 0.05,
                      store::Technique::kPacketsFiltered);
  e.id = "country/KZ@test";
  e.related = {"region/KZ-75", "asn/9198"};
  e.phases = {{store::Phase::kNearTotalBlackout, kFrom + 3600, kFrom + 5400, 0.05},
              {store::Phase::kPartialRecovery, kFrom + 5400, kFrom + 7200, 0.5}};
  return e;
}

void Fill(MemoryData& d) {
  d.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {{"fqid", "geo.provider.AS.KZ"}}},
                     {"region", "KZ-75", "Almaty", {"country/KZ"}, {}},
                     {"asn", "9198", "Kazakhtelecom", {"country/KZ"}, {}},
                     {"country", "UZ", "Uzbekistan", {}, {}}});
  Series s{"country", "KZ", "bgp", kFrom, 300, {}};
  for (int i = 0; i < 288 * 3; ++i) s.values.push_back(i % 7 == 0 ? NAN : 1000 + i);
  d.PutSeries(s);
  s.datasource = "ping-slash24";
  d.PutSeries(s);
  d.ReplaceAlerts({{"country", "KZ", "ping-slash24", kFrom + 3600, "critical", "< 0.8", 50, 1000}});
  d.ReplaceEvents({KzEvent(),
                   MakeEvent("asn", "9198", "bgp", kFrom + 3600, kFrom + 9000, 30, 0.4,
                             store::Technique::kRoutesWithdrawn),
                   MakeEvent("country", "UZ", "bgp", kFrom + 100, kFrom + 400, 1, 0.9,
                             store::Technique::kUnknown)});
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Fill(data_);
    ServerOptions o;
    o.port = 0;
    o.token = "s3cret";
    o.threads = 4;
    o.notice = "SIMULATION: test";
    o.web_root = web_root_;
    o.now = [] { return kFrom + 86400; };
    Actions a;
    a.reingest = [this] {
      ++reingests_;
      return Status::Ok();
    };
    a.probe_upload = [this](std::string_view body) -> Result<std::string> {
      uploads_.emplace_back(body);
      if (body == "no block list") return NotFound("no block list from vp1");
      if (body != "a round") return Status(StatusCode::kDataLoss, "not a round");
      return std::string(R"({"kind":"round","vantage":"vp1","round":1700000000})");
    };
    a.probe_vantages = [] { return std::string(R"([{"vantage":"vp1","health":"unhealthy"}])"); };
    server_ = std::make_unique<ApiServer>(data_, o, a);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override { server_->Stop(); }

  json GetJson(const std::string& path, int want_status) {
    auto r = client_->Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    EXPECT_EQ(r->status, want_status) << path << "\n" << r->body;
    json j = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body;
    return j;
  }

  MemoryData data_;
  std::filesystem::path web_root_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
  int reingests_ = 0;
  std::vector<std::string> uploads_;
};

TEST_F(ApiTest, SignalsInIodaShape) {
  json j = GetJson("/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-05", 200);
  EXPECT_EQ(j["type"], "signals");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_TRUE(j["metadata"].contains("requestTime"));
  EXPECT_EQ(j["requestParameters"]["from"], "2022-01-04");
  ASSERT_EQ(j["data"].size(), 1u);
  ASSERT_EQ(j["data"][0].size(), 2u);
  const json& s = j["data"][0][0];
  EXPECT_EQ(s["entityName"], "Kazakhstan");
  EXPECT_EQ(s["from"], kFrom);
  EXPECT_EQ(s["until"], kFrom + 86400);
  EXPECT_EQ(s["step"], 300);
  EXPECT_EQ(s["nativeStep"], 300);
  ASSERT_EQ(s["values"].size(), 288u);
  EXPECT_TRUE(s["values"][0].is_null());  // NaN = no data
  EXPECT_EQ(s["values"][1], 1001);
}

TEST_F(ApiTest, SignalsMaxPointsDownsamplesAndClamps) {
  json j = GetJson(
      "/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-05&datasource=bgp"
      "&maxPoints=24",
      200);
  ASSERT_EQ(j["data"][0].size(), 1u);
  EXPECT_EQ(j["data"][0][0]["step"], 3600);
  EXPECT_EQ(j["data"][0][0]["values"].size(), 24u);
  j = GetJson("/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-05&maxPoints=9999999",
              200);
  EXPECT_EQ(j["data"][0][0]["values"].size(), 288u);
}

TEST_F(ApiTest, BadInputIs400UnknownEntityIs404) {
  const std::string base = "/api/v2/signals/raw/country/KZ";
  EXPECT_EQ(GetJson(base + "?from=2022-01-05&until=2022-01-04", 400)["type"], "signals");
  EXPECT_NE(
      GetJson(base + "?from=2021-01-01&until=2022-01-04", 400)["error"].get<std::string>().find(
          "100 days"),
      std::string::npos);
  GetJson(base + "?from=abc", 400);
  GetJson(base + "?from=2022-01-04&until=2022-01-05&maxPoints=-1", 400);
  GetJson(base + "?from=2022-01-04&until=2022-01-05&maxPoints=ten", 400);
  GetJson(base + "?datasource=no%20such", 400);  // malformed
  // A datasource this observatory does not serve is an empty answer, as IODA gives (issue 20).
  EXPECT_TRUE(GetJson(base + "?from=2022-01-04&until=2022-01-05&datasource=ping-slash24-loss",
                      200)["data"][0]
                  .empty());
  // maxPoints=null (IODA's dashboard): every point.
  EXPECT_EQ(GetJson(base + "?from=2022-01-04&until=2022-01-05&maxPoints=null&datasource=bgp",
                    200)["data"][0][0]["values"]
                .size(),
            288u);
  // /datasources/ and /datasources/{ds}.
  EXPECT_EQ(GetJson("/api/v2/datasources/", 200)["data"].size(), DefaultDatasources().size());
  EXPECT_EQ(GetJson("/api/v2/datasources/bgp", 200)["data"]["datasource"], "bgp");
  GetJson("/api/v2/datasources/ping-slash24-loss", 404);
  GetJson("/api/v2/signals/raw/planet/KZ", 400);
  json j = GetJson("/api/v2/signals/raw/country/ZZ", 404);
  EXPECT_NE(j["error"].get<std::string>().find("country/ZZ"), std::string::npos);
  GetJson("/api/v2/outages/events?entityType=country&entityCode=ZZ", 404);
  GetJson("/api/v2/outages/summary?limit=0", 400);
  GetJson("/api/v2/outages/summary?relatedTo=KZ", 400);
  GetJson("/api/v2/no/such/thing", 404);
}

TEST_F(ApiTest, CsvExport) {
  auto r = client_->Get(
      "/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-04T01:00&datasource=bgp"
      "&format=csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  // A comment line saying where the numbers come from (here: the notice's simulation), then
  // the header.
  EXPECT_EQ(r->body.rfind("# SIMULATION: test. ", 0), 0u) << r->body.substr(0, 200);
  EXPECT_NE(r->body.find("\ntimestamp,time,entityType,entityCode,datasource,value\n"),
            std::string::npos);
  // Unix seconds and ISO 8601 side by side; the file name has the range's dates.
  EXPECT_NE(r->body.find(std::to_string(kFrom) + ",2022-01-04T00:00:00Z,country,KZ,bgp,\n"),
            std::string::npos);
  EXPECT_NE(
      r->body.find(std::to_string(kFrom + 300) + ",2022-01-04T00:05:00Z,country,KZ,bgp,1001\n"),
      std::string::npos);
  EXPECT_EQ(r->get_header_value("Content-Disposition"),
            "attachment; filename=\"SIMULATION-blackout-country-KZ-20220104-20220104.csv\"");
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 14);
}

TEST_F(ApiTest, OutagesSummaryEventsAlerts) {
  json j = GetJson("/api/v2/outages/summary?from=2022-01-04&until=2022-01-05", 200);
  ASSERT_EQ(j["data"].size(), 3u);
  EXPECT_EQ(j["data"][0]["entity"]["code"], "KZ");
  EXPECT_EQ(j["data"][0]["scores"]["overall"], 120);
  EXPECT_EQ(j["data"][0]["event_cnt"], 1);
  j = GetJson("/api/v2/outages/summary?from=2022-01-04&until=2022-01-05&relatedTo=country/KZ", 200);
  EXPECT_EQ(j["data"].size(), 2u);
  j = GetJson("/api/v2/outages/summary?from=2022-01-04&until=2022-01-05&limit=1&page=1", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["entity"]["code"], "9198");
  j = GetJson("/api/v2/outages/events?from=2022-01-04&until=2022-01-05&entityType=asn", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["location"], "asn/9198");
  EXPECT_EQ(j["data"][0]["duration"], 5400);
  EXPECT_EQ(j["data"][0]["method"], "routes-withdrawn");
  j = GetJson("/api/v2/outages/alerts?from=2022-01-04&until=2022-01-05", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["level"], "critical");
  EXPECT_EQ(j["data"][0]["historyValue"], 1000);
  // Outside the range: nothing.
  j = GetJson("/api/v2/outages/events?from=2022-02-04&until=2022-02-05", 200);
  EXPECT_TRUE(j["data"].empty());
}

TEST_F(ApiTest, EventsCarryIdPhasesTechniqueAndRelated) {
  json j = GetJson(
      "/api/v2/outages/events?from=2022-01-04&until=2022-01-05&entityType=country&entityCode=KZ",
      200);
  ASSERT_EQ(j["data"].size(), 1u);
  const json& e = j["data"][0];
  // IODA's fields stay.
  EXPECT_EQ(e["location"], "country/KZ");
  EXPECT_EQ(e["start"], kFrom + 3600);
  EXPECT_EQ(e["duration"], 3600);
  EXPECT_EQ(e["fraction"], 0.05);
  EXPECT_EQ(e["score"], 120);
  EXPECT_EQ(e["datasource"], "ping-slash24");
  // blackout's additions.
  EXPECT_EQ(e["id"], "country/KZ@test");
  EXPECT_EQ(e["technique"], "packets-filtered");
  EXPECT_EQ(e["related"], json({"region/KZ-75", "asn/9198"}));
  EXPECT_EQ(e["signals"], json({"probe"}));
  ASSERT_EQ(e["phases"].size(), 2u);
  EXPECT_EQ(e["phases"][0]["phase"], "near-total-blackout");
  EXPECT_EQ(e["phases"][0]["start"], kFrom + 3600);
  EXPECT_EQ(e["phases"][0]["end"], kFrom + 5400);
  EXPECT_EQ(e["phases"][0]["depth"], 0.05);
  EXPECT_EQ(e["phases"][1]["phase"], "partial-recovery");
  // The shared wording (report/wording.h): local time from the tz database as of the date.
  EXPECT_EQ(e["headline"],
            "A nation-scale disruption of internet connectivity in Kazakhstan began on 4 January "
            "2022 at 01:00 UTC (07:00 in Almaty, UTC+6): connectivity fell by 95%, to 5% of its "
            "usual level, for 1 hour, until 4 January 2022 02:00 UTC; connectivity has recovered "
            "since.");
  EXPECT_EQ(e["depthText"], "connectivity fell by 95%, to 5% of its usual level");
  EXPECT_EQ(e["durationText"], "1 hour");
  EXPECT_EQ(e["timeZone"], "Asia/Almaty");
  // An event without them: derived id, technique unknown (as the detector writes it), empty lists.
  j = GetJson(
      "/api/v2/outages/events?from=2022-01-04&until=2022-01-05&entityType=country"
      "&entityCode=UZ",
      200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["id"], "country/UZ@" + std::to_string(kFrom + 100));
  EXPECT_EQ(j["data"][0]["technique"], "unknown");
  EXPECT_TRUE(j["data"][0]["phases"].empty());
  // The feeds carry them too.
  json feed = GetJson("/feeds/events.json", 200);
  bool found = false;
  for (const json& item : feed["items"]) {
    if (item["_blackout"]["location"] != "country/KZ") continue;
    found = true;
    EXPECT_EQ(item["_blackout"]["technique"], "packets-filtered");
    EXPECT_EQ(item["_blackout"]["phases"].size(), 2u);
    EXPECT_EQ(item["_blackout"]["related"].size(), 2u);
  }
  EXPECT_TRUE(found);
  auto r = client_->Get("/feeds/events.atom");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("Technique: packets-filtered. Phases: near-total-blackout, "
                         "partial-recovery."),
            std::string::npos)
      << r->body;
}

// A live source's marks (docs/api.md): the provisional bin and a gap's bin, as the start of the
// answered bin that holds them, null where the series has none or they fall outside the answer.
TEST_F(ApiTest, LiveMarksAreStatedPerSeries) {
  Series s{"country", "KZ", "bgp", kFrom, 300, std::vector<double>(12, 100.0)};
  s.provisional_bin = kFrom + 11 * 300;
  s.gap_bin = kFrom + 3 * 300;
  data_.PutSeries(s);
  json j = GetJson("/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                       "&until=" + std::to_string(kFrom + 3600) + "&datasource=bgp",
                   200);
  ASSERT_EQ(j["data"][0].size(), 1u);
  EXPECT_EQ(j["data"][0][0]["provisionalFrom"], kFrom + 11 * 300);
  EXPECT_EQ(j["data"][0][0]["liveGapBin"], kFrom + 3 * 300);
  // Downsampled to 2 points of 30 minutes: the marks name the bins that hold them.
  j = GetJson("/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                  "&until=" + std::to_string(kFrom + 3600) + "&datasource=bgp&maxPoints=2",
              200);
  EXPECT_EQ(j["data"][0][0]["provisionalFrom"], kFrom + 1800);
  EXPECT_EQ(j["data"][0][0]["liveGapBin"], kFrom);
  // Outside the answered window: null.
  j = GetJson("/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                  "&until=" + std::to_string(kFrom + 900) + "&datasource=bgp",
              200);
  EXPECT_TRUE(j["data"][0][0]["provisionalFrom"].is_null());
  EXPECT_TRUE(j["data"][0][0]["liveGapBin"].is_null());
}

// CORS (issue 20): IODA's dashboard preflights every call (x-requested-with, Content-Type:
// application/json); reads are open to any origin by default, writes never to another origin.
TEST_F(ApiTest, ReadsAreOpenAcrossOriginsWritesAreNot) {
  httplib::Client c("127.0.0.1", server_->port());
  httplib::Headers origin = {{"Origin", "https://ioda.example.org"}};
  auto r = c.Get("/api/v2/outages/events?from=2022-01-04&until=2022-01-05", origin);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  httplib::Headers preflight = {
      {"Origin", "https://ioda.example.org"},
      {"Access-Control-Request-Method", "GET"},
      {"Access-Control-Request-Headers", "x-requested-with,content-type"}};
  r = c.Options("/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-05", preflight);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Headers").find("x-requested-with"),
            std::string::npos);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Methods").find("GET"), std::string::npos);
  // A write's preflight is refused: the browser sends nothing.
  preflight = {{"Origin", "https://ioda.example.org"}, {"Access-Control-Request-Method", "POST"}};
  for (const char* path : {"/api/v2/admin/reingest", "/api/v2/annotations"}) {
    r = c.Options(path, preflight);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << path;
  }
  r = c.Post("/api/v2/admin/reingest", origin, "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
}

// A list of origins: only those are echoed (with Vary: Origin); an empty list turns CORS off.
TEST(ApiCorsTest, ListedOriginsOnlyAndOff) {
  MemoryData data;
  Fill(data);
  for (const bool listed : {true, false}) {
    ServerOptions o;
    o.port = 0;
    o.cors_origins =
        listed ? std::vector<std::string>{"https://a.example"} : std::vector<std::string>{};
    ApiServer server(data, o);
    ASSERT_TRUE(server.Start().ok());
    httplib::Client c("127.0.0.1", server.port());
    auto r = c.Get("/api/v2/datasources", {{"Origin", "https://a.example"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"),
              listed ? "https://a.example" : "");
    r = c.Get("/api/v2/datasources", {{"Origin", "https://b.example"}});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
    r = c.Options("/api/v2/datasources",
                  {{"Origin", "https://b.example"}, {"Access-Control-Request-Method", "GET"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
    server.Stop();
  }
}

TEST_F(ApiTest, UnknownDepthIsNullNotZero) {
  Event e = MakeEvent("country", "UZ", "bgp", kFrom + 100, kFrom + 400, 1, NAN,
                      store::Technique::kUnknown);
  data_.ReplaceEvents({e});
  json j = GetJson("/api/v2/outages/events?from=2022-01-04&until=2022-01-05", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_TRUE(j["data"][0]["fraction"].is_null());
  json feed = GetJson("/feeds/events.json", 200);
  ASSERT_EQ(feed["items"].size(), 1u);
  std::string title = feed["items"][0]["title"];
  EXPECT_EQ(title.find("nan"), std::string::npos) << title;
  EXPECT_EQ(title.find("0%"), std::string::npos) << title;
  j = GetJson("/api/v2/reports/country/UZ?from=2022-01-04&until=2022-01-05", 200);
  EXPECT_EQ(j["data"]["events"].size(), 1u);
}

// Regression: entityCode was applied after `limit`, so a filtered query could miss its entity.
TEST_F(ApiTest, EntitiesQueryFiltersBeforeLimit) {
  // By key, asn/9198 and country/KZ come before country/UZ.
  json j = GetJson("/api/v2/entities/query?entityCode=UZ&limit=1", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["name"], "Uzbekistan");
  j = GetJson("/api/v2/entities/query?relatedTo=country/KZ&entityCode=KZ-75&limit=1", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["code"], "KZ-75");
  j = GetJson("/api/v2/entities/query?relatedTo=country/KZ&limit=2", 200);
  EXPECT_EQ(j["data"].size(), 2u);
  j = GetJson("/api/v2/entities/query?entityCode=UZ&entityType=asn", 200);
  EXPECT_TRUE(j["data"].empty());
}

TEST_F(ApiTest, ReportJsonMarkdownAndChart) {
  const std::string q = "?from=2022-01-04&until=2022-01-05";
  json j = GetJson("/api/v2/reports/country/KZ" + q, 200);
  EXPECT_EQ(j["type"], "report");
  EXPECT_TRUE(j["error"].is_null());
  const json& d = j["data"];
  EXPECT_EQ(d["entity"], "country/KZ");
  EXPECT_EQ(d["name"], "Kazakhstan");
  EXPECT_EQ(d["from"], kFrom);
  EXPECT_EQ(d["until"], kFrom + 86400);
  const std::string range =
      "?from=" + std::to_string(kFrom) + "&until=" + std::to_string(kFrom + 86400);
  EXPECT_EQ(d["chart"], "/api/v2/reports/country/KZ/chart.png" + range);
  EXPECT_EQ(d["markdownUrl"], "/api/v2/reports/country/KZ/report.md" + range);
  ASSERT_EQ(d["events"].size(), 1u);
  EXPECT_EQ(d["events"][0]["location"], "country/KZ");
  EXPECT_EQ(d["events"][0]["phases"].size(), 2u);
  const std::string md = d["markdown"];
  EXPECT_NE(md.find("Kazakhstan"), std::string::npos);
  EXPECT_NE(md.find("Almaty"), std::string::npos) << md;  // an affected region, named

  auto r = client_->Get(d["markdownUrl"].get<std::string>());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/markdown; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Content-Disposition"),
            "attachment; filename=\"blackout-report-country-KZ-20220104-20220105.md\"");
  EXPECT_EQ(r->body, md);
  // The Markdown links the chart by the name the chart downloads under.
  EXPECT_NE(md.find("](blackout-report-country-KZ-20220104-20220105.png)"), std::string::npos);

  auto png_size = [](const std::string& png) {
    auto be32 = [&](size_t at) {
      return (static_cast<uint32_t>(static_cast<unsigned char>(png[at])) << 24) |
             (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 1])) << 16) |
             (static_cast<uint32_t>(static_cast<unsigned char>(png[at + 2])) << 8) |
             static_cast<uint32_t>(static_cast<unsigned char>(png[at + 3]));
    };
    return png.size() < 24 ? std::pair<uint32_t, uint32_t>{0, 0}
                           : std::pair<uint32_t, uint32_t>{be32(16), be32(20)};
  };
  r = client_->Get(d["chart"].get<std::string>());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(r->get_header_value("Content-Disposition"),
            "attachment; filename=\"blackout-report-country-KZ-20220104-20220105.png\"");
  EXPECT_EQ(r->body.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(png_size(r->body), (std::pair<uint32_t, uint32_t>{1200, 600}));
  // Sizes are clamped to what the API renders.
  r = client_->Get("/api/v2/reports/country/KZ/chart.png" + q + "&width=10&height=99999999");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(png_size(r->body), (std::pair<uint32_t, uint32_t>{320, 2000}));
}

// A range without data says so; a country's regions without data are counted as unmeasured.
TEST_F(ApiTest, ReportWithoutMeasurementsSaysSo) {
  json j = GetJson("/api/v2/reports/country/KZ?from=2022-02-01&until=2022-02-03", 200);
  const std::string md = j["data"]["markdown"];
  EXPECT_NE(md.find("No measurements of Kazakhstan (country/KZ) between 1 February 2022 00:00 UTC "
                    "and 3 February 2022 00:00 UTC"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("No disruption"), std::string::npos) << md;
  // KZ-75 is known but has no series: 0 of the 17 ISO 3166-2 regions are measured.
  EXPECT_NE(md.find("Regions measured: 0 of 17 regions of Kazakhstan"), std::string::npos) << md;
}

TEST_F(ApiTest, ReportBadInputIs400UnknownEntityIs404) {
  for (const std::string suffix : {"", "/report.md", "/chart.png"}) {
    SCOPED_TRACE(suffix);
    json j =
        GetJson("/api/v2/reports/country/ZZ" + suffix + "?from=2022-01-04&until=2022-01-05", 404);
    EXPECT_EQ(j["type"], "report");
    EXPECT_NE(j["error"].get<std::string>().find("country/ZZ"), std::string::npos);
    const std::string kz = "/api/v2/reports/country/KZ" + suffix;
    GetJson(kz + "?from=2022-01-05&until=2022-01-04", 400);
    j = GetJson(kz + "?from=2021-01-01&until=2022-01-04", 400);
    EXPECT_NE(j["error"].get<std::string>().find("100 days"), std::string::npos);
    GetJson(kz + "?from=abc", 400);
    GetJson(kz + "?from=2022-01-04&until=2022-01-05&width=wide", 400);
    GetJson(kz + "?from=2022-01-04&until=2022-01-05&height=-5", 400);
    GetJson("/api/v2/reports/planet/KZ" + suffix, 400);
  }
  GetJson("/api/v2/reports/country/KZ/other.txt", 404);
}

TEST_F(ApiTest, ReportFollowsTheData) {
  const std::string path = "/api/v2/reports/country/KZ?from=2022-01-04&until=2022-01-05";
  json first = GetJson(path, 200);
  EXPECT_EQ(GetJson(path, 200)["data"], first["data"]);  // served again (from the cache)
  data_.ReplaceEvents({});
  json after = GetJson(path, 200);
  EXPECT_TRUE(after["data"]["events"].empty());
  EXPECT_NE(after["data"]["markdown"], first["data"]["markdown"]);
}

TEST_F(ApiTest, EntitiesAndDatasources) {
  json j = GetJson("/api/v2/entities/query?search=almaty", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["code"], "KZ-75");
  j = GetJson("/api/v2/entities/query?relatedTo=country/KZ&entityType=asn", 200);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["name"], "Kazakhtelecom");
  j = GetJson("/api/v2/datasources", 200);
  EXPECT_EQ(j["data"].size(), DefaultDatasources().size());  // the registry's ingested signals
  j = GetJson("/api/v2/meta", 200);
  EXPECT_EQ(j["data"]["simulation"], true);
}

TEST_F(ApiTest, StateChangesNeedTheToken) {
  const std::string body =
      R"({"entityType":"country","entityCode":"KZ","from":"2022-01-05","until":"2022-01-06",)"
      R"("text":"nationwide shutdown"})";
  auto r = client_->Post("/api/v2/annotations", body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(json::parse(r->body)["error"], "a valid bearer token is required");
  httplib::Headers wrong = {{"Authorization", "Bearer s3cre"}};
  r = client_->Post("/api/v2/annotations", wrong, body, "application/json");
  EXPECT_EQ(r->status, 401);
  r = client_->Post("/api/v2/admin/reingest", wrong, "", "application/json");
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(reingests_, 0);
  EXPECT_TRUE(server_->Annotations().empty());

  httplib::Headers good = {{"Authorization", "Bearer s3cret"}};
  r = client_->Post("/api/v2/annotations", good, body, "application/json");
  EXPECT_EQ(r->status, 201) << r->body;
  ASSERT_EQ(server_->Annotations().size(), 1u);
  EXPECT_EQ(server_->Annotations()[0].text, "nationwide shutdown");
  r = client_->Post("/api/v2/annotations", good, "{not json", "application/json");
  EXPECT_EQ(r->status, 400);
  r = client_->Post("/api/v2/admin/reingest", good, "", "application/json");
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(reingests_, 1);
  json j = GetJson("/api/v2/annotations", 200);
  EXPECT_EQ(j["data"].size(), 1u);
}

// The vantage points' write route (issue 21): the token first, then the service's answer; the
// health list is open.
TEST_F(ApiTest, ProbeUploadsNeedTheTokenAndMapTheServicesAnswers) {
  auto r = client_->Post("/api/v2/admin/probe/upload", "a round", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(uploads_.empty());
  httplib::Headers good = {{"Authorization", "Bearer s3cret"}};
  r = client_->Post("/api/v2/admin/probe/upload", good, "a round", "text/plain");
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["data"]["round"], 1700000000);
  r = client_->Post("/api/v2/admin/probe/upload", good, "no block list", "text/plain");
  EXPECT_EQ(r->status, 409) << r->body;
  r = client_->Post("/api/v2/admin/probe/upload", good, "garbage", "text/plain");
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_EQ(uploads_.size(), 3u);
  json v = GetJson("/api/v2/probe/vantages", 200);
  EXPECT_EQ(v["data"][0]["health"], "unhealthy");
}

TEST_F(ApiTest, HealthMetricsFeeds) {
  auto r = client_->Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  GetJson("/api/v2/outages/summary?from=2022-01-04&until=2022-01-05", 200);
  // httplib records a request's metrics after its response has been sent, so the count may land a
  // moment after the client has its answer: ask again for up to 2 s.
  const std::string counted = "blackout_http_requests_total{route=\"summary\",code=\"200\"} 1";
  for (int i = 0; i < 100; ++i) {
    r = client_->Get("/metrics");
    ASSERT_TRUE(r);
    if (r->body.find(counted) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(r->body.find(counted), std::string::npos) << r->body;
  EXPECT_NE(r->body.find("blackout_http_request_duration_seconds_bucket{route=\"summary\""),
            std::string::npos);
  server_->metrics().SetGauge("blackout_ingest_lag_seconds", "Ingest lag.", 12);
  r = client_->Get("/metrics");
  EXPECT_NE(r->body.find("blackout_ingest_lag_seconds 12\n"), std::string::npos);
  json feed = GetJson("/feeds/events.json", 200);
  EXPECT_EQ(feed["items"].size(), 3u);
  EXPECT_NE(feed["items"][0]["title"].get<std::string>().find("Kazakhtelecom"), std::string::npos);
  r = client_->Get("/feeds/events.atom");
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n') > 3, true);
  EXPECT_NE(r->body.find("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">"),
            std::string::npos);
}

TEST_F(ApiTest, WithoutADashboardServesAPlainPage) {
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("npm run build"), std::string::npos);
  EXPECT_NE(r->body.find("SIMULATION: test"), std::string::npos);
}

// A script big enough to be worth compressing (the server leaves bodies under 1 KB alone).
std::string AppJs() {
  std::string js;
  for (int i = 0; i < 200; ++i) js += "console.log(" + std::to_string(i) + ");\n";
  return js;
}

class DashboardTest : public ApiTest {
 protected:
  void SetUp() override {
    web_root_ =
        std::filesystem::temp_directory_path() / ("blackout-web-" + std::to_string(::getpid()));
    std::filesystem::create_directories(web_root_ / "assets");
    std::ofstream(web_root_ / "index.html") << "<html>app</html>";
    std::ofstream(web_root_ / "assets" / "app-3f9a1c2b.js") << AppJs();
    ApiTest::SetUp();
  }
  void TearDown() override {
    ApiTest::TearDown();
    std::filesystem::remove_all(web_root_);
  }
};

TEST_F(DashboardTest, ServesHashedAssetsGzippedAndTheAppShell) {
  httplib::Headers gzip = {{"Accept-Encoding", "gzip"}};
  client_->set_decompress(false);
  auto r = client_->Get("/assets/app-3f9a1c2b.js", gzip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(r->body.substr(0, 2), "\x1f\x8b");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  client_->set_decompress(true);
  r = client_->Get("/assets/app-3f9a1c2b.js", gzip);
  EXPECT_EQ(r->body, AppJs());
  // Clients that take brotli only, or nothing, get the file as is (never a second encoding).
  client_->set_decompress(false);
  r = client_->Get("/assets/app-3f9a1c2b.js", {{"Accept-Encoding", "gzip;q=0, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(r->body, AppJs());
  r = client_->Get("/assets/app-3f9a1c2b.js");
  EXPECT_EQ(r->body, AppJs());
  client_->set_decompress(true);
  r = client_->Get("/region/KZ-75");  // client-side route: the app shell
  EXPECT_EQ(r->body, "<html>app</html>");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  r = client_->Get("/assets/missing-00000000.js");
  EXPECT_EQ(r->status, 404);
  r = client_->Get("/../../etc/passwd");
  EXPECT_NE(r->body.find("root:"), 0u);
  r = client_->Get("/%2e%2e/%2e%2e/etc/passwd");
  EXPECT_EQ(r->body.find("root:"), std::string::npos);
}

TEST_F(DashboardTest, ChangedFilesAreServedFresh) {
  client_->set_decompress(true);
  httplib::Headers gzip = {{"Accept-Encoding", "gzip"}};
  auto r = client_->Get("/index.html", gzip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "<html>app</html>");
  std::string bigger = "<html>" + AppJs() + "</html>";
  std::ofstream(web_root_ / "index.html") << bigger;
  r = client_->Get("/index.html", gzip);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(r->body, bigger);
}

// API answers of some size are gzipped by the server itself when the client accepts gzip (also
// when it prefers brotli), and decode to exactly the identity answer.
TEST_F(ApiTest, LargeAnswersAreGzippedOnce) {
  const std::string path = "/api/v2/signals/raw/country/KZ?from=" + std::to_string(kFrom) +
                           "&until=" + std::to_string(kFrom + 3 * 86400);
  client_->set_decompress(false);
  auto plain = client_->Get(path.c_str());
  ASSERT_TRUE(plain);
  ASSERT_EQ(plain->status, 200);
  ASSERT_GT(plain->body.size(), 1024u);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  auto gz = client_->Get(path.c_str(), {{"Accept-Encoding", "br, gzip, deflate"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gz->body.substr(0, 2), "\x1f\x8b");
  EXPECT_LT(gz->body.size(), plain->body.size());
  client_->set_decompress(true);
  auto decoded = client_->Get(path.c_str(), {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(decoded);
  // The envelope carries request times, so compare the data part only.
  json a = json::parse(plain->body), b = json::parse(decoded->body);
  EXPECT_EQ(a["data"], b["data"]);
}

}  // namespace
}  // namespace blackout::server
