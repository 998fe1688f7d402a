// Throws random and hostile paths, query strings, headers and bodies at every route and checks the
// server never answers 5xx, never drops the connection, and keeps answering JSON under /api.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "blackout/server/api.h"

namespace blackout::server {
namespace {

using json = nlohmann::json;

const char* kRoutes[] = {
    "/api/v2/signals/raw/country/KZ",
    "/api/v2/signals/raw/asn/9198",
    "/api/v2/signals/raw/region/KZ-75",
    "/api/v2/signals/raw/country/ZZ",
    "/api/v2/outages/alerts",
    "/api/v2/outages/events",
    "/api/v2/outages/summary",
    "/api/v2/entities/query",
    "/api/v2/entities/query/asn",
    "/api/v2/datasources",
    "/api/v2/annotations",
    "/api/v2/meta",
    "/api/v2/reports/country/KZ",
    "/api/v2/reports/country/KZ/report.md",
    "/api/v2/reports/country/KZ/chart.png",
    "/api/v2/reports/region/KZ-75/chart.png",
    "/api/v2/reports/country/ZZ",
    // IODA's clients (issue 20): the same routes under /ioda/v2, lists, aliases and maps.
    "/ioda/v2/signals/raw/country/KZ,ZZ,",
    "/ioda/v2/signals/events/region/1264191254",
    "/ioda/v2/signals/raw/geoasn/KZ-9198",
    "/ioda/v2/outages/alerts/",
    "/ioda/v2/outages/events/",
    "/ioda/v2/outages/summary/",
    "/ioda/v2/entities/query/",
    "/api/v2/topo/country",
    "/ioda/v2/topo/region",
    "/ioda/v2/topo/county",
    "/ioda/v2/nothing",
    "/feeds/events.json",
    "/feeds/events.atom",
    "/healthz",
    "/metrics",
    "/",
    "/assets/x.js",
};
const char* kParams[] = {
    "from",      "until",         "datasource",   "maxPoints", "entityType",    "entityCode",
    "relatedTo", "limit",         "page",         "search",    "format",        "width",
    "height",    "ignoreMethods", "extendWindow", "orderBy",   "includeAlerts", "overall"};
const char* kHostile[] = {
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "-9223372036854775808",
    "9223372036854775807",
    "99999999999999999999999999",
    "2022-01-05",
    "2022-13-45T25:61:61Z",
    "2022-01-05T10:30:00+99:99",
    "1641340800",
    "country/KZ",
    "country/",
    "/KZ",
    "../../etc/passwd",
    "%00",
    "%ff%fe",
    "\xc3\x28",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "csv",
    "json",
    "asn",
    "bgp",
    "ping-slash24",
    "%2e%2e%2f",
    "a%20b",
    "%",
    "%%",
    "&&&",
    "===",
    "\\x00",
    "KZ-75",
};

std::string PercentEncode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '%' || c == '&' ||
        c == '=') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}},
                           {"region", "KZ-75", "Almaty", {"country/KZ"}, {}},
                           {"asn", "9198", "Kazakhtelecom", {"country/KZ"}, {}}});
    Series s{"country", "KZ", "bgp", 1641254400, 300, {}};
    for (int i = 0; i < 288 * 9; ++i) s.values.push_back(i % 11 ? 100.0 + i : NAN);
    data_.PutSeries(s);
    Event e;
    e.entity = "country/KZ";
    e.start = 1641378600;
    e.end = 1641381300;
    e.score = 50;
    e.depth = 0.05;
    e.technique = store::Technique::kPacketsFiltered;
    e.signals = {"bgp"};
    e.related = {"region/KZ-75", "asn/9198"};
    e.phases = {{store::Phase::kNearTotalBlackout, 1641378600, 1641381300, 0.05}};
    data_.ReplaceEvents({e});
    ServerOptions o;
    o.port = 0;
    o.threads = 4;
    o.token = "t";
    server_ = std::make_unique<ApiServer>(data_, o);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  MemoryData data_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(HostileTest, RandomQueriesNeverGive5xx) {
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(5, 0);  // a hang is a failure, not a slow pass
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  std::mt19937 rng(20220105);
  auto pick = [&](auto& arr) { return arr[rng() % std::size(arr)]; };
  int answered = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string path = pick(kRoutes);
    if (rng() % 8 == 0) path += "/" + std::string(pick(kHostile));
    std::string query;
    int n = rng() % 6;
    for (int k = 0; k < n; ++k) {
      if (!query.empty()) query += '&';
      query += rng() % 10 == 0 ? std::string(pick(kHostile)) : std::string(pick(kParams));
      query += '=';
      if (rng() % 5 == 0) {
        std::string junk;
        int len = rng() % 40;
        for (int c = 0; c < len; ++c) junk += static_cast<char>(rng() % 256);
        query += PercentEncode(junk);
      } else {
        query += PercentEncode(pick(kHostile));
      }
    }
    std::string target = PercentEncode(path) + (query.empty() ? "" : "?" + query);
    httplib::Result r = rng() % 10 == 0
                            ? client.Post(target.c_str(), std::string(pick(kHostile)), "text/plain")
                            : client.Get(target.c_str());
    ASSERT_TRUE(r) << "no answer for " << target << " (" << httplib::to_string(r.error()) << ")";
    ASSERT_LT(r->status, 500) << target << "\n" << r->body;
    if (path.rfind("/api/", 0) == 0 && r->get_header_value("Content-Type") == "application/json") {
      json j = json::parse(r->body, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << target;
      ASSERT_TRUE(j.contains("error")) << target;
      if (r->status >= 400) {
        ASSERT_TRUE(j["error"].is_string()) << target;
      }
    }
    ++answered;
  }
  EXPECT_EQ(answered, 4000);
}

TEST_F(HostileTest, RawGarbageOnTheSocketDoesNotKillTheServer) {
  std::mt19937 rng(7);
  for (int i = 0; i < 50; ++i) {
    httplib::Client raw("127.0.0.1", server_->port());
    raw.set_read_timeout(2, 0);
    std::string path = "/api/v2/outages/summary?";
    for (int c = 0; c < 2000; ++c) path += static_cast<char>('a' + rng() % 26);
    auto r = raw.Get(path.c_str());
    if (r) {
      EXPECT_LT(r->status, 500);
    }
  }
  httplib::Headers huge = {{"X-Junk", std::string(64 * 1024, 'x')}};
  httplib::Client c("127.0.0.1", server_->port());
  auto r = c.Get("/healthz", huge);
  if (r) {
    EXPECT_LT(r->status, 500);
  }
  r = c.Post("/api/v2/annotations", std::string(4 << 20, '{'), "application/json");
  if (r) {
    EXPECT_LT(r->status, 500);
  }
  httplib::Client after("127.0.0.1", server_->port());
  r = after.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace blackout::server
