// End-to-end on the Kazakhstan scenario: `blackout run` simulates, ingests and detects it, and the
// signals route then serves the detector's expected values (?expected=true). They must be the ones
// the detector judged with (each stored alert's expected value and level), and during the national
// outage the expected level must stay near the ordinary level (inpainting) while the values drop.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using json = nlohmann::json;
using testing::TempDir;

constexpr int64_t kJan3 = 1641168000;  // 2022-01-03T00:00Z
constexpr int64_t kDay = 86400;

json GetData(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  EXPECT_TRUE(r) << path;
  if (!r) return {};
  EXPECT_EQ(r->status, 200) << path << "\n" << r->body.substr(0, 300);
  json j = json::parse(r->body, nullptr, false);
  return j.is_discarded() ? json() : j["data"];
}

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// detect::Level's numbers as the API serves them: 0 no data, 1 unknown, 2 normal, 3 warning,
// 4 critical.
constexpr int kNormal = 2, kCritical = 4;
int LevelNumber(const std::string& level) {
  return level == "critical" ? 4 : level == "warning" ? 3 : level == "normal" ? 2 : 1;
}

TEST(KazakhstanExpectedTest, ServesWhatTheDetectorJudgedAndInpaintsTheOutage) {
  TempDir dir;
  testing::ServiceProcess service(dir, testing::KazakhstanServiceConfig(dir));
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);
  const std::string range =
      "&from=" + std::to_string(kJan3) + "&until=" + std::to_string(kJan3 + 5 * kDay);
  json data = GetData(c, "/api/v2/signals/raw/country/KZ?expected=true" + range);
  ASSERT_TRUE(data.is_array() && data.size() == 1) << data.dump().substr(0, 300);
  std::map<std::string, json> by_ds;
  for (const json& s : data[0]) by_ds[s["datasource"]] = s;
  ASSERT_TRUE(by_ds.count("traffic") && by_ds.count("ping-slash24"));

  // Traffic is on the detector's grid (300 s): every stored alert's expected value and level is
  // the served one, to the bit.
  const json& traffic = by_ds["traffic"];
  ASSERT_EQ(traffic["step"], 300);
  ASSERT_EQ(traffic["expected"].size(), traffic["values"].size());
  json alerts = GetData(c,
                        "/api/v2/outages/alerts?entityType=country&entityCode=KZ"
                        "&datasource=traffic&limit=1000" +
                            range);
  ASSERT_GT(alerts.size(), 50u);
  const int64_t tfrom = traffic["from"];
  for (const json& a : alerts) {
    const size_t i = static_cast<size_t>((a["time"].get<int64_t>() - tfrom) / 300);
    ASSERT_LT(i, traffic["expected"].size());
    EXPECT_EQ(traffic["expected"][i].get<double>(), a["historyValue"].get<double>()) << a.dump();
    EXPECT_EQ(traffic["levels"][i].get<int>(), LevelNumber(a["level"])) << a.dump();
    // Below the warning ratio (0.7); below the band too, or in a run that is significant as a
    // whole (the run test, docs/detect.md), so not always below this bin's band edge.
    EXPECT_LT(traffic["values"][i].get<double>(), 0.7 * traffic["expected"][i].get<double>())
        << a.dump();
  }

  // Probing (660 s rounds, coarser than the grid): each alert's bin is served at least as bad.
  const json& probe = by_ds["ping-slash24"];
  const int64_t pfrom = probe["from"], pstep = probe["step"];
  alerts = GetData(c,
                   "/api/v2/outages/alerts?entityType=country&entityCode=KZ"
                   "&datasource=ping-slash24&limit=1000" +
                       range);
  ASSERT_GT(alerts.size(), 100u);
  for (const json& a : alerts) {
    const size_t i = static_cast<size_t>((a["time"].get<int64_t>() - pfrom) / pstep);
    ASSERT_LT(i, probe["levels"].size());
    EXPECT_GE(probe["levels"][i].get<int>(), LevelNumber(a["level"])) << a.dump();
  }

  // The national outage (mobile networks from 4 Jan 14:30, nearly everything from 5 Jan 10:30):
  // from 5 Jan 12:00 to 7 Jan 00:00 the probed /24s are a fraction of the ordinary level while the
  // expected level stays at it.
  std::vector<double> before;
  for (size_t i = 0; i < probe["values"].size(); ++i) {
    const int64_t t = pfrom + static_cast<int64_t>(i) * pstep;
    if (t >= kJan3 && t < kJan3 + kDay + 14 * 3600 && !probe["values"][i].is_null()) {
      before.push_back(probe["values"][i]);
    }
  }
  const double ordinary = Median(before);
  ASSERT_GT(ordinary, 100) << "probed /24s up before the outage";
  size_t outage_bins = 0, critical = 0;
  for (size_t i = 0; i < probe["values"].size(); ++i) {
    const int64_t t = pfrom + static_cast<int64_t>(i) * pstep;
    if (t < kJan3 + 2 * kDay + 12 * 3600 || t >= kJan3 + 4 * kDay) continue;
    ++outage_bins;
    ASSERT_FALSE(probe["expected"][i].is_null()) << t;
    const double expected = probe["expected"][i];
    EXPECT_GT(expected, 0.85 * ordinary) << t;
    EXPECT_LT(expected, 1.15 * ordinary) << t;
    if (!probe["values"][i].is_null()) {
      EXPECT_LT(probe["values"][i].get<double>(), 0.3 * expected) << t;
    }
    critical += probe["levels"][i] == kCritical;
  }
  EXPECT_GT(outage_bins, 150u);
  EXPECT_GT(critical, outage_bins * 9 / 10);
}

// Every event the scenario produces, for every entity: its total recovery begins at a bin where
// every judged signal of the entity is back inside its band (served level normal, or no judgement),
// and the bins before it inside the event are never all normal (recovery not announced early).
TEST(KazakhstanExpectedTest, TotalRecoveryBeginsWhereEverySignalIsBack) {
  TempDir dir;
  testing::ServiceProcess service(dir, testing::KazakhstanServiceConfig(dir));
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);
  json events = GetData(c, "/api/v2/outages/events?from=1640908800&until=1641945600&limit=1000");
  ASSERT_TRUE(events.is_array());
  ASSERT_GE(events.size(), 10u) << events.dump().substr(0, 300);
  size_t checked = 0;
  for (const json& e : events) {
    const std::string entity = e["location"];
    for (const json& p : e["phases"]) {
      if (p["phase"] != "total-recovery") continue;
      const int64_t t = p["start"];
      const std::string slash = entity.substr(0, entity.find('/'));
      const std::string code = entity.substr(entity.find('/') + 1);
      json data = GetData(c, "/api/v2/signals/raw/" + slash + "/" + code + "?expected=true&from=" +
                                 std::to_string(t - 3600) + "&until=" + std::to_string(t + 3600));
      ASSERT_TRUE(data.is_array() && data.size() == 1) << entity;
      for (const json& s : data[0]) {
        if (s["levels"].is_null()) continue;  // not judged by the detector
        const int64_t from = s["from"], step = s["step"];
        const size_t i = static_cast<size_t>((t - from) / step);
        ASSERT_LT(i, s["levels"].size()) << entity;
        EXPECT_LE(s["levels"][i].get<int>(), kNormal)
            << entity << " " << s["datasource"] << " at total recovery " << t;
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u);
}

}  // namespace
}  // namespace blackout
