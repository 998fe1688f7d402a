// IODA's dashboard against a running `blackout run` (issue 20): the requests InetIntel/ioda-ui
// makes for its home, dashboard, country, region and ASN pages (its routes, parameters and headers,
// the CORS preflight first), replayed with only the base URL changed (to /ioda/v2), and checked
// for what the dashboard reads: the fields, their types and scales. A 10-hour total blackout of a
// country and its regions must colour IODA's maps: IODA-scaled scores above the dashboard's
// thresholds (countries 1,200; regions 5,000; ioda-ui's mapColors.js). The same suite runs on the
// SQLite and on the ClickHouse backend (a server the test starts on a free port).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <set>

#include "blackout/testing/testing.h"
#include "clickhouse_server.h"

namespace blackout {
namespace {

using json = nlohmann::json;
using testing::TempDir;
using testing::WriteFile;

// Two days of history, then Kazakhstan (and both its regions and networks) off the Internet for
// ten hours on 4 January 2022.
constexpr const char* kScenario = R"(
[scenario]
name = "ioda-client"
notice = "SIMULATION: IODA client test scenario"
seed = 5
start = "2022-01-02T00:00:00Z"
end = "2022-01-05T00:00:00Z"
[bgp]
rib_interval = 86400
[[bgp.collectors]]
name = "c1"
bgp_id = "198.18.0.1"
peers = [{ asn = 64500, address = "198.18.0.2" }, { asn = 64502, address = "198.18.0.3" }]
[traffic]
clients_per_bin = 40
[names]
"country/KZ" = "Kazakhstan"
"region/KZ-ALA" = "Almaty"
"region/KZ-AST" = "Astana"
[[network]]
asn = 64501
name = "Example Telecom"
country = "KZ"
region = "KZ-ALA"
region_name = "Almaty"
prefixes = ["198.18.16.0/20"]
[[network]]
asn = 64503
name = "Other Net"
country = "KZ"
region = "KZ-AST"
region_name = "Astana"
prefixes = ["198.19.0.0/21"]
[[truth.event]]
id = "shutdown"
entities = ["country/KZ", "region/KZ-ALA", "region/KZ-AST", "asn/64501", "asn/64503"]
start = "2022-01-04T08:00:00Z"
end = "2022-01-04T18:00:00Z"
level = 0.0
technique = "routes-withdrawn"
)";

constexpr int64_t kFrom = 1641254400;   // 2022-01-04T00:00Z
constexpr int64_t kUntil = 1641340800;  // 2022-01-05T00:00Z
constexpr const char* kOrigin = "https://ioda.example.org";

// What ioda-ui's fetchData sends with every request (ActionCommons.js), and a browser's Origin.
const httplib::Headers kHeaders = {{"x-requested-with", "XMLHttpRequest"},
                                   {"Content-Type", "application/json"},
                                   {"Accept", "application/json"},
                                   {"Accept-Encoding", "gzip"},
                                   {"Origin", kOrigin}};

std::string Window() {
  return "from=" + std::to_string(kFrom) + "&until=" + std::to_string(kUntil);
}

class IodaClient {
 public:
  explicit IodaClient(int port) : http_("127.0.0.1", port) {
    http_.set_read_timeout(30, 0);
    http_.set_decompress(true);
  }

  // The browser's preflight (the dashboard's headers are not CORS-safelisted), then the GET;
  // returns the envelope's data after checking the envelope and the CORS answer.
  json Get(const std::string& path) {
    const std::string url = "/ioda/v2" + path;
    auto pre = http_.Options(url.c_str(),
                             {{"Origin", kOrigin},
                              {"Access-Control-Request-Method", "GET"},
                              {"Access-Control-Request-Headers", "content-type,x-requested-with"}});
    EXPECT_TRUE(pre) << url;
    if (!pre) return nullptr;
    EXPECT_EQ(pre->status, 204) << url;
    const std::string allowed = pre->get_header_value("Access-Control-Allow-Headers");
    EXPECT_NE(allowed.find("x-requested-with"), std::string::npos) << url << ": " << allowed;
    EXPECT_FALSE(pre->get_header_value("Access-Control-Allow-Origin").empty()) << url;
    auto r = http_.Get(url.c_str(), kHeaders);
    EXPECT_TRUE(r) << url;
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << url << "\n" << r->body.substr(0, 400);
    EXPECT_FALSE(r->get_header_value("Access-Control-Allow-Origin").empty()) << url;
    json j = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object()) << url << "\n" << r->body.substr(0, 400);
    if (!j.is_object()) return nullptr;
    EXPECT_TRUE(j["error"].is_null()) << url;
    return j["data"];
  }

 private:
  httplib::Client http_;
};

// An entity as the dashboard reads it (code, name, type, attrs.fqid split on '.').
void ExpectEntity(const json& e, const std::string& type) {
  ASSERT_TRUE(e.is_object()) << e.dump();
  EXPECT_EQ(e["type"], type) << e.dump();
  ASSERT_TRUE(e["code"].is_string() && e["name"].is_string()) << e.dump();
  const std::string code = e["code"];
  // The dashboard takes a code with '-' for a country-ASN pair: never for a region.
  if (type != "geoasn") {
    EXPECT_EQ(code.find('-'), std::string::npos) << e.dump();
  }
  ASSERT_TRUE(e["attrs"].is_object() && e["attrs"]["fqid"].is_string()) << e.dump();
  const std::string fqid = e["attrs"]["fqid"];
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t dot = fqid.find('.', start);
    parts.push_back(fqid.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (type == "asn") {
    EXPECT_EQ(fqid, "asn." + code);
    EXPECT_TRUE(e["attrs"]["org"].is_string()) << e.dump();
  } else if (type == "region") {
    ASSERT_GE(parts.size(), 5u) << fqid;
    EXPECT_EQ(parts[3], "KZ") << fqid;  // the region page's country: fqid.split(".")[3]
    EXPECT_EQ(parts[4], code) << fqid;
  } else if (type == "country") {
    ASSERT_EQ(parts.size(), 4u) << fqid;
    EXPECT_EQ(parts[2], "AS") << fqid;
    EXPECT_EQ(parts[3], code) << fqid;
  }
  EXPECT_TRUE(e["attrs"].contains("ip_count")) << e.dump();
}

// A /signals/raw answer: [[{datasource, from, until, step, values}]] per entity.
void ExpectSignals(const json& data, size_t entities) {
  ASSERT_TRUE(data.is_array()) << data.dump().substr(0, 300);
  ASSERT_EQ(data.size(), entities) << data.dump().substr(0, 300);
  for (const json& per_entity : data) {
    ASSERT_TRUE(per_entity.is_array() && !per_entity.empty()) << data.dump().substr(0, 300);
    for (const json& s : per_entity) {
      EXPECT_TRUE(s["datasource"].is_string());
      EXPECT_TRUE(s["from"].is_number_integer() && s["until"].is_number_integer());
      ASSERT_TRUE(s["step"].is_number_integer() && s["values"].is_array());
      EXPECT_EQ(s["values"].size(),
                static_cast<size_t>((s["until"].get<int64_t>() - s["from"].get<int64_t>()) /
                                    s["step"].get<int64_t>()));
      EXPECT_TRUE(s["entityFqid"].is_string());
    }
  }
}

// A summary row: {scores: {overall, "<datasource>.<method>"...}, event_cnt, entity}.
double SummaryScore(const json& data, const std::string& code) {
  for (const json& row : data) {
    EXPECT_TRUE(row["scores"]["overall"].is_number()) << row.dump();
    EXPECT_TRUE(row["event_cnt"].is_number_integer()) << row.dump();
    for (const auto& [key, v] : row["scores"].items()) {
      EXPECT_TRUE(key == "overall" || key.find('.') != std::string::npos) << key;
      EXPECT_TRUE(v.is_number()) << key;
    }
    if (row["entity"]["code"] == code) return row["scores"]["overall"];
  }
  ADD_FAILURE() << code << " not in " << data.dump().substr(0, 400);
  return 0;
}

std::string Config(const TempDir& dir, const std::string& store_url) {
  return "[data]\ndir = \"" + (dir / "data").string() + "\"\n" +
         (store_url.empty() ? "" : "[store]\nurl = \"" + store_url + "\"\n") +
         "[scenario]\nfile = \"" + (dir / "ioda.toml").string() +
         "\"\n[geo]\nenabled = false\n[server]\nlisten = \"127.0.0.1:0\"\n"
         "[sources]\npoll_seconds = 3600\n";
}

void ReplayDashboard(const std::string& store_url) {
  TempDir dir;
  WriteFile(dir / "ioda.toml", kScenario);
  WriteFile(dir / "c.toml", Config(dir, store_url));
  testing::ServiceProcess service(dir, dir / "c.toml");
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  IodaClient c(port);
  const std::string w = Window();

  // Home page: the world map, coloured by the countries' summary; the search box.
  json topo = c.Get("/topo/country");
  ASSERT_TRUE(topo.is_object());
  const json& countries = topo["topology"]["objects"]["ne_10m_admin_0.countries"]["geometries"];
  ASSERT_GT(countries.size(), 150u);
  bool kz_shape = false;
  for (const json& g : countries) kz_shape |= g["properties"]["usercode"] == "KZ";
  EXPECT_TRUE(kz_shape);
  json summary = c.Get("/outages/summary/?" + w + "&entityType=country");
  EXPECT_GT(SummaryScore(summary, "KZ"), 1200.0);  // coloured on IODA's country scale
  json found = c.Get("/entities/query?limit=15&search=kaz");
  ASSERT_TRUE(found.is_array() && !found.empty());
  ExpectEntity(found[0], "country");

  // Dashboard page: summaries per type, the events table and the stacked horizon's events.
  json regions_summary = c.Get("/outages/summary/?" + w + "&entityType=region&limit=300&page=0");
  ASSERT_FALSE(regions_summary.empty());
  for (const json& row : regions_summary) ExpectEntity(row["entity"], "region");
  json asn_summary = c.Get("/outages/summary/?" + w + "&entityType=asn");
  ASSERT_FALSE(asn_summary.empty());
  json events = c.Get("/outages/events/?" + w +
                      "&entityType=country&format=codf&includeAlerts=false&limit=300&page=0"
                      "&orderBy=score/desc");
  ASSERT_FALSE(events.empty());
  for (const json& e : events) {
    EXPECT_TRUE(e["location"].is_string() && e["start"].is_number_integer());
    EXPECT_TRUE(e["duration"].is_number_integer() && e["score"].is_number());
    EXPECT_TRUE(e["location_name"].is_string());
  }
  json overall = c.Get("/outages/events/?" + w +
                       "&entityType=country&entityCode=KZ&includeAlerts=true&format=ioda&overall");
  ASSERT_FALSE(overall.empty());
  EXPECT_TRUE(overall[0]["from"].is_number_integer() && overall[0]["until"].is_number_integer());
  EXPECT_TRUE(overall[0]["alerts"].is_array());
  ExpectEntity(overall[0]["entity"], "country");

  // Country page.
  json kz = c.Get("/entities/query?entityType=country&entityCode=KZ");
  ASSERT_EQ(kz.size(), 1u);
  ExpectEntity(kz[0], "country");
  ExpectSignals(c.Get("/signals/raw/country/KZ?" + w + "&maxPoints=null"), 1);
  ExpectSignals(c.Get("/signals/raw/country/KZ?" + w + "&maxPoints=1000&datasource=ping-slash24"),
                1);
  json alerts = c.Get("/outages/alerts/?" + w + "&entityType=country&entityCode=KZ");
  ASSERT_GE(alerts.size(), 2u);
  std::set<std::string> levels;
  for (const json& a : alerts) {
    levels.insert(a["level"].get<std::string>());
    EXPECT_TRUE(a["time"].is_number_integer() && a["historyValue"].is_number());
    EXPECT_EQ(a["method"].get<std::string>().empty(), false);
  }
  EXPECT_TRUE(levels.count("normal")) << alerts.dump().substr(0, 400);  // level changes
  json related = c.Get("/entities/query?entityType=region&relatedTo=country/KZ");
  ASSERT_EQ(related.size(), 2u) << related.dump();
  for (const json& e : related) ExpectEntity(e, "region");
  json region_map = c.Get("/outages/summary/?" + w +
                          "&entityType=region&relatedTo=country/KZ&includeMetadata=true");
  ASSERT_EQ(region_map.size(), 2u) << region_map.dump().substr(0, 400);
  json region_topo = c.Get("/topo/region");
  std::set<std::string> region_ids;
  for (const json& g : region_topo["topology"]["objects"]["ne_10m_admin_1.regions"]["geometries"]) {
    region_ids.insert(g["properties"]["id"].get<std::string>());
  }
  for (const json& row : region_map) {
    const std::string code = row["entity"]["code"];
    EXPECT_TRUE(region_ids.count(code)) << code << " has no shape on the region map";
    EXPECT_GT(SummaryScore(region_map, code), 5000.0);  // coloured on IODA's region scale
  }
  ExpectSignals(c.Get("/signals/raw/asn/64501,64503?" + w + "&maxPoints=null"), 2);
  // A datasource IODA has and blackout does not: an empty series list for the entity.
  const json loss = c.Get("/signals/raw/country/KZ?" + w + "&datasource=ping-slash24-loss");
  EXPECT_EQ(loss, json::parse("[[]]")) << loss.dump();

  // Region page (Almaty, by the code the dashboard got above).
  std::string almaty;
  for (const json& e : related) {
    if (e["name"] == "Almaty") almaty = e["code"];
  }
  ASSERT_FALSE(almaty.empty());
  json region = c.Get("/entities/query?entityType=region&entityCode=" + almaty);
  ASSERT_EQ(region.size(), 1u);
  ExpectEntity(region[0], "region");
  ExpectSignals(c.Get("/signals/raw/region/" + almaty + "?" + w + "&maxPoints=null"), 1);
  ExpectSignals(c.Get("/signals/events/region/" + almaty + "?" + w), 1);
  EXPECT_FALSE(c.Get("/outages/alerts/?" + w + "&entityType=region&entityCode=" + almaty).empty());
  EXPECT_FALSE(c.Get("/outages/events/?" + w + "&entityType=region&entityCode=" + almaty +
                     "&includeAlerts=true&format=codf&limit=300&page=0")
                   .empty());
  json region_asns = c.Get("/entities/query?entityType=asn&relatedTo=region/" + almaty);
  EXPECT_EQ(region_asns.size(), 1u) << region_asns.dump();

  // ASN page.
  json asn = c.Get("/entities/query?entityType=asn&entityCode=64501");
  ASSERT_EQ(asn.size(), 1u);
  ExpectEntity(asn[0], "asn");
  ExpectSignals(c.Get("/signals/raw/asn/64501?" + w + "&maxPoints=null"), 1);
  EXPECT_FALSE(c.Get("/outages/summary/?" + w + "&entityType=asn&entityCode=64501").empty());
  // A country-ASN pair the data has no series for, and an unknown entity: empty lists, as IODA.
  EXPECT_TRUE(c.Get("/signals/raw/geoasn/KZ-64501?" + w).empty());
  EXPECT_TRUE(c.Get("/entities/query?entityType=asn&entityCode=99999").empty());
  EXPECT_TRUE(c.Get("/outages/events/?" + w + "&entityType=asn&entityCode=99999").empty());

  // blackout's own API keeps ISO 3166-2 codes, and takes the alias too.
  httplib::Client own("127.0.0.1", port);
  auto r = own.Get("/api/v2/entities/query?entityType=region&relatedTo=country/KZ");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("\"KZ-ALA\""), std::string::npos);
  r = own.Get(("/api/v2/signals/raw/region/" + almaty + "?" + w).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->body.find("\"entityCode\":\"KZ-ALA\""), std::string::npos);
}

TEST(IodaClientTest, DashboardPagesOnSqlite) { ReplayDashboard(""); }

TEST(IodaClientTest, DashboardPagesOnClickHouse) {
  std::string error;
  store::testing::ClickHouseServer* server = store::testing::ClickHouseServer::Shared(&error);
  ASSERT_NE(server, nullptr) << error;
  ReplayDashboard("clickhouse:" + server->http_base() + "/ioda_client_" +
                  std::to_string(::getpid()));
}

}  // namespace
}  // namespace blackout
