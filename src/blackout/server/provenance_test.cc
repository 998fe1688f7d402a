// Provenance in every answer that leaves the service (issue 16): with a simulated source the word
// SIMULATION is in the API envelope, the report's Markdown and chart (title and PNG tEXt), every
// feed item and the CSV export (comment line and file name); with real sources it is nowhere and
// the attribution lists the sources the data view records.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "blackout/report/report.h"
#include "blackout/server/api.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;
constexpr UnixSeconds kFrom = 1641254400;  // 2022-01-04T00:00Z

void Fill(MemoryData& d, report::Provenance p) {
  d.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}}});
  Series s{"country", "KZ", "bgp", kFrom, 300, {}};
  for (int i = 0; i < 288; ++i) s.values.push_back(1000);
  d.PutSeries(s);
  s.datasource = "ping-slash24";
  d.PutSeries(s);
  Event e;
  e.entity = "country/KZ";
  e.start = kFrom + 3600;
  e.end = kFrom + 7200;
  e.depth = 0.05;
  e.score = 10;
  e.technique = store::Technique::kPacketsFiltered;
  e.signals = {"probe"};
  d.ReplaceEvents({e});
  d.ReplaceProvenance(std::move(p));
}

report::Provenance Real() {
  report::Provenance p;
  p.sources = {{"bgp", "bgp", {"route-views2", "rrc04"}, 12},
               {"probe", "probe", {"vp-fra"}, 3},
               {"traffic", "traffic", {"access.log"}, 1}};
  p.geo = "IP Geolocation by DB-IP (https://db-ip.com): IP to City Lite, CC BY 4.0";
  return p;
}

report::Provenance Simulated() {
  report::Provenance p = Real();
  p.simulation = true;
  p.notice = "SIMULATION: scenario test. Synthetic data.";
  return p;
}

class ProvenanceTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    Fill(data_, GetParam() ? Simulated() : Real());
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.now = [] { return kFrom + 86400; };
    server_ = std::make_unique<ApiServer>(data_, o);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override { server_->Stop(); }
  bool simulation() const { return GetParam(); }

  // The body (and the named header) of a GET that must succeed.
  std::string Get(const std::string& path, std::string* header = nullptr,
                  const char* name = "Content-Disposition") {
    auto r = client_->Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << path << "\n" << r->body;
    if (header) *header = r->get_header_value(name);
    return r->body;
  }
  // Every output carries the mark in simulation mode and never otherwise.
  void ExpectMark(const std::string& text, const std::string& what) {
    if (simulation()) {
      EXPECT_NE(text.find("SIMULATION"), std::string::npos) << what << ":\n" << text;
    } else {
      EXPECT_EQ(text.find("SIMULATION"), std::string::npos) << what << ":\n" << text;
    }
  }

  MemoryData data_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_P(ProvenanceTest, EnvelopeAndMeta) {
  for (const char* path :
       {"/api/v2/outages/events?from=2022-01-04&until=2022-01-05", "/api/v2/meta",
        "/api/v2/entities/query", "/api/v2/outages/events?from=bad"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r);
    json j = json::parse(r->body);
    const json& p = j["metadata"]["provenance"];
    EXPECT_EQ(p["simulation"], simulation()) << path;
    ExpectMark(p.dump(), path);
    // The sources actually recorded, with their operators.
    const std::string sources = p["sources"];
    EXPECT_NE(sources.find("rrc04"), std::string::npos) << sources;
    // A simulated collector is not credited to the operator of its namesake.
    EXPECT_EQ(sources.find("rrc04 (RIPE RIS)") != std::string::npos, !simulation()) << sources;
    EXPECT_EQ(sources.find("route-views2 (RouteViews)") != std::string::npos, !simulation())
        << sources;
    EXPECT_NE(sources.find("vantage point vp-fra"), std::string::npos) << sources;
    EXPECT_NE(sources.find("DB-IP"), std::string::npos) << sources;
  }
  json meta = json::parse(Get("/api/v2/meta"));
  EXPECT_EQ(meta["data"]["simulation"], simulation());
}

TEST_P(ProvenanceTest, ReportMarkdownAndChart) {
  const std::string q = "?from=2022-01-04&until=2022-01-05";
  std::string md = Get("/api/v2/reports/country/KZ/report.md" + q);
  ExpectMark(md, "report.md");
  if (simulation()) {
    EXPECT_EQ(md.rfind("# SIMULATION: Internet connectivity in Kazakhstan", 0), 0u) << md;
  }
  EXPECT_NE(md.find("BGP routing data from"), std::string::npos);
  EXPECT_EQ(md.find("web-server log"), std::string::npos) << "no traffic series for KZ: " << md;
  std::string png = Get("/api/v2/reports/country/KZ/chart.png" + q);
  std::string text;
  for (const auto& [k, v] : report::ReadPngText(png)) text += k + "=" + v + "\n";
  EXPECT_NE(text.find("Title=" + std::string(simulation() ? "SIMULATION: " : "") +
                      "Internet connectivity in Kazakhstan"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Source="), std::string::npos) << text;
  ExpectMark(text, "chart.png tEXt");
  ExpectMark(Get("/api/v2/reports/country/KZ" + q), "report JSON");
}

TEST_P(ProvenanceTest, FeedItemsAndCsv) {
  json feed = json::parse(Get("/feeds/events.json"));
  ASSERT_EQ(feed["items"].size(), 1u);
  for (const json& item : feed["items"]) ExpectMark(item["title"].get<std::string>(), "item");
  std::string atom = Get("/feeds/events.atom");
  size_t titles = 0;
  for (size_t at = atom.find("<entry>"); at != std::string::npos;
       at = atom.find("<entry>", at + 1)) {
    ++titles;
    ExpectMark(atom.substr(atom.find("<title>", at), 40), "atom entry title");
  }
  EXPECT_EQ(titles, 1u);

  std::string disposition;
  std::string csv = Get(
      "/api/v2/signals/raw/country/KZ?from=2022-01-04&until=2022-01-05&format=csv", &disposition);
  const std::string first = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(first.rfind("# ", 0), 0u) << csv.substr(0, 300);
  ExpectMark(first, "CSV comment line");
  ExpectMark(disposition, "CSV file name");
  EXPECT_NE(disposition.find("20220104-20220105"), std::string::npos) << disposition;
}

INSTANTIATE_TEST_SUITE_P(Modes, ProvenanceTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Simulated" : "Real"; });

}  // namespace
}  // namespace blackout::server
