// End-to-end on the Kazakhstan scenario: `blackout run` simulates, ingests and detects it; the
// report route's per-signal depths must be the lowest value / expected over each event's bins of
// the expected values the signals route serves (?expected=true, what the dashboard draws), and
// `blackout report` on the same store must state the same depths.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using json = nlohmann::json;
using testing::BlackoutBinary;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;

constexpr int64_t kFrom = 1641168000;   // 2022-01-03T00:00Z
constexpr int64_t kUntil = 1641600000;  // 2022-01-08T00:00Z

std::string Get(httplib::Client& c, const std::string& path) {
  auto r = c.Get(path.c_str());
  EXPECT_TRUE(r) << path;
  if (!r) return "";
  EXPECT_EQ(r->status, 200) << path << "\n" << r->body.substr(0, 300);
  return r->body;
}

// The statement's percentage format: one decimal under 10%, none above, no trailing ".0".
std::string Percent(double ratio) {
  char buf[32];
  const double p = ratio * 100;
  std::snprintf(buf, sizeof buf, p < 10 && p > 0 ? "%.1f%%" : "%.0f%%", p);
  std::string s = buf;
  if (s.size() >= 4 && s.substr(s.size() - 3) == ".0%") s.erase(s.size() - 3, 2);
  return s;
}

// The report's signal name of an API datasource.
std::string SignalOf(const std::string& datasource) {
  if (datasource == "ping-slash24") return "probe";
  if (datasource == "merit-nt") return "darknet";
  return datasource;
}

TEST(ReportApiTest, DepthsAreAgainstTheExpectedValuesTheDashboardDraws) {
  TempDir dir;
  testing::ServiceProcess service(dir, testing::KazakhstanServiceConfig(dir));
  const int port = service.WaitReady();
  ASSERT_NE(port, 0) << service.Log();
  httplib::Client c("127.0.0.1", port);
  const std::string range = "from=" + std::to_string(kFrom) + "&until=" + std::to_string(kUntil);

  json report = json::parse(Get(c, "/api/v2/reports/country/KZ?" + range), nullptr, false);
  ASSERT_TRUE(report.is_object());
  const json& events = report["data"]["events"];
  ASSERT_GE(events.size(), 1u) << report.dump().substr(0, 500);
  const std::string md = report["data"]["markdown"];
  EXPECT_NE(md.find("percentage of the detector's expected value"), std::string::npos) << md;
  EXPECT_EQ(Get(c, "/api/v2/reports/country/KZ/chart.png?" + range).substr(1, 3), "PNG");

  json signals =
      json::parse(Get(c, "/api/v2/signals/raw/country/KZ?expected=true&" + range), nullptr, false);
  ASSERT_TRUE(signals.is_object() && signals["data"].size() == 1);
  // For every event and every main signal the detector judged: the lowest value / expected over
  // the bins overlapping the event, as the table must state it.
  std::vector<std::string> rows;
  for (const json& s : signals["data"][0]) {
    const std::string signal = SignalOf(s["datasource"]);
    if (signal != "bgp" && signal != "probe" && signal != "traffic" && signal != "darknet") {
      continue;
    }
    if (!s.contains("expected") || !s["expected"].is_array()) continue;
    const int64_t from = s["from"], step = s["step"];
    for (const json& e : events) {
      // Application blocking (OONI) has its own section, not a table of connectivity depths.
      const json& names = e["signals"];
      if (std::find(names.begin(), names.end(), "app-blocking") != names.end()) continue;
      const int64_t start = e["start"], end = start + e["duration"].get<int64_t>();
      double lowest = INFINITY;
      for (size_t i = 0; i < s["values"].size(); ++i) {
        const int64_t t = from + static_cast<int64_t>(i) * step;
        if (t + step <= start || t >= end) continue;
        const json& v = s["values"][i];
        const json& x = s["expected"][i];
        if (v.is_null() || x.is_null() || x.get<double>() == 0) continue;
        lowest = std::min(lowest, v.get<double>() / x.get<double>());
      }
      if (std::isinf(lowest)) continue;
      rows.push_back("| " + signal + " | " + Percent(lowest) + " | detector's expected value |");
    }
  }
  ASSERT_GE(rows.size(), 2u);
  for (const std::string& row : rows)
    EXPECT_NE(md.find(row), std::string::npos) << row << "\n" << md;

  // `blackout report` on the same store computes the same expected values itself.
  auto cli =
      RunCommand(BlackoutBinary().string() + " report country/KZ --from " + std::to_string(kFrom) +
                 " --until " + std::to_string(kUntil) + " --out " + (dir / "cli").string() +
                 " --store sqlite:" + (dir / "data" / "blackout.db").string());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  // Named with the window's dates, as the API's download is.
  const std::string cli_md =
      ReadFile(dir / "cli" / "blackout-report-country-KZ-20220103-20220108.md");
  for (const std::string& row : rows) {
    EXPECT_NE(cli_md.find(row), std::string::npos) << row << "\n" << cli_md;
  }
}

}  // namespace
}  // namespace blackout
