#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "blackout/detect/synthetic.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::BlackoutBinary;
using testing::RunCommand;

std::string Iraq() { return testing::DataFile("series/ioda-country-IQ-2023-08.csv").string(); }

TEST(EvaluateCliTest, IraqJsonShape) {
  auto r = RunCommand(BlackoutBinary().string() + " --json evaluate --series " + Iraq() +
                      " --format ioda-csv --labels LABEL");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 3u);
  EXPECT_EQ(j["wholeEvents"].size(), 3u);
  const auto& c = j["combined"];
  EXPECT_EQ(c.size(), 4u);
  EXPECT_GE(c["f1"].get<double>(), 0.97);
  EXPECT_GE(c["precision"].get<double>(), 0.9);
  EXPECT_GE(c["recall"].get<double>(), 0.9);
  EXPECT_LE(c["onset_latency_bins"].get<double>(), 2.0);
  bool baseline = false;
  for (const auto& m : j["methods"]) {
    EXPECT_EQ(m.size(), 5u);
    if (m["method"] == "ioda-rule:critical" && m["signal"] == "probe") {
      baseline = true;
      EXPECT_NEAR(m["f1"].get<double>(), 0.99, 0.01);
    }
  }
  EXPECT_TRUE(baseline);
}

// Every real labelled series here: the combined detector's bin F1 is at least min(0.97, IODA's
// rule at its best on any signal or vote + 0.05), printed side by side.
TEST(EvaluateCliTest, EveryRealSeriesHoldsTheGapOverIodasRule) {
  for (const char* name :
       {"series/ioda-country-IQ-2023-08.csv", "series/ioda-country-IR-2019-11.csv"}) {
    auto r = RunCommand(BlackoutBinary().string() + " --json evaluate --series " +
                        testing::DataFile(name).string() + " --labels LABEL");
    ASSERT_EQ(r.exit_code, 0) << name << r.err;
    auto j = nlohmann::json::parse(r.out);
    double best = 0;
    for (const auto& m : j["methods"]) {
      if (m["method"].get<std::string>().rfind("ioda-rule:", 0) == 0) {
        best = std::max(best, m["f1"].get<double>());
      }
    }
    EXPECT_GT(best, 0.5) << name;
    EXPECT_GE(j["combined"]["f1"].get<double>(), std::min(0.97, best + 0.05))
        << name << ": IODA's rule at its best " << best;
  }
}

TEST(EvaluateCliTest, FamiliesTableAndJson) {
  const std::string b = BlackoutBinary().string();
  auto r = RunCommand(b + " --json evaluate --families --seeds 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), detect::SyntheticFamilies().size());
  for (const auto& f : j) {
    EXPECT_EQ(f["cases"].size(), 2u);
    EXPECT_EQ(f["falseEvents"].get<int>(), 0) << f["family"];
  }
  auto t = RunCommand(b + " evaluate --families --seeds 1");
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("multi-week"), std::string::npos);
  EXPECT_EQ(RunCommand(b + " evaluate --families --seeds 0").exit_code, 2);
  EXPECT_EQ(RunCommand(b + " evaluate --families --series " + Iraq() + " --labels LABEL").exit_code,
            2);
}

TEST(EvaluateCliTest, TableAndOneSignal) {
  auto r = RunCommand(BlackoutBinary().string() + " evaluate --series " + Iraq() +
                      " --labels LABEL --signal ping-slash24");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("combined"), std::string::npos);
  EXPECT_NE(r.out.find("ioda-rule:critical"), std::string::npos);
  EXPECT_EQ(r.out.find(" bgp "), std::string::npos) << r.out;
}

TEST(EvaluateCliTest, ErrorsAndExitCodes) {
  const std::string b = BlackoutBinary().string();
  EXPECT_EQ(RunCommand(b + " evaluate --series " + Iraq()).exit_code, 2);  // --labels missing
  EXPECT_EQ(RunCommand(b + " evaluate --series " + Iraq() + " --labels NOPE").exit_code, 2);
  EXPECT_EQ(RunCommand(b + " evaluate --series " + Iraq() + " --labels LABEL --signal x").exit_code,
            2);
  EXPECT_EQ(RunCommand(b + " evaluate --series " + Iraq() + " --labels LABEL --format y").exit_code,
            2);
  EXPECT_EQ(RunCommand(b + " evaluate --series /nonexistent.csv --labels LABEL").exit_code, 3);
  // A damaged file: the sound part is scored, problems reported, exit 1.
  testing::TempDir dir;
  testing::WriteFile(dir / "bad.csv",
                     "timestamp,bgp,ping-slash24,LABEL\n600,10,20,0\n300,1,1,0\n900,x,21,0\n"
                     "1200,10,20,1\n");
  auto r = RunCommand(b + " evaluate --series " + (dir / "bad.csv").string() + " --labels LABEL");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("decreasing"), std::string::npos) << r.err;
}

// Writes the combined series of every signal of `data` for `entity` into the store at `url`.
void WriteSeries(const std::string& url, const std::string& entity,
                 const detect::LabelledSeries& data) {
  auto st = store::OpenStore(url);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::WriteBatch batch;
  for (detect::Signal s : detect::kAllSignals) {
    store::Series out;
    out.key = {entity, std::string(detect::SignalName(s)), ""};
    out.from = data.series.from;
    out.step = data.series.step;
    for (const auto& v : data.series.values[static_cast<int>(s)]) {
      out.values.push_back(v.value_or(store::kMissing));
    }
    batch.AddSeries(out);
  }
  ASSERT_TRUE((*st)->Apply(batch).ok());
}

TEST(DetectCliTest, WritesEventsToTheStore) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + (dir / "b.db").string();
  detect::SyntheticSpec spec = detect::CountrySpec();
  spec.entity = "country/ZZ";
  spec.days = 20;
  spec.outages = {detect::SyntheticOutage{15 * 288, 48, {0.05, 0.05, 0.05, 0.05}}};
  ASSERT_NO_FATAL_FAILURE(WriteSeries(url, spec.entity, detect::Generate(spec)));
  const std::string b = BlackoutBinary().string();
  const std::string range = " --from " + std::to_string(spec.from + 10 * 86400) + " --until " +
                            std::to_string(spec.from + 20 * 86400);
  auto r = RunCommand(b + " --json detect" + range + " --store " + url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["events"].size(), 1u);
  EXPECT_EQ(j["events"][0]["entity"], "country/ZZ");
  EXPECT_EQ(j["events"][0]["start"].get<int64_t>(), spec.from + 15 * 86400);
  EXPECT_EQ(j["events"][0]["technique"], "routes-withdrawn");
  {
    auto st = store::OpenStore(url);
    ASSERT_TRUE(st.ok());
    auto ev = (*st)->QueryEvents(store::EventQuery{});
    ASSERT_TRUE(ev.ok());
    EXPECT_EQ(ev->items.size(), 1u);
  }
  r = RunCommand(b + " detect --entity country/NONE" + range + " --store " + url);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 entities"), std::string::npos) << r.out;
  EXPECT_EQ(RunCommand(b + " detect --from yesterday --until 2 --store " + url).exit_code, 2);
  EXPECT_EQ(RunCommand(b + " detect" + range + " --store bogus:x").exit_code, 2);
}

// With the geo datasets, `detect` lists a country's ASNs among the carriers of its events (each
// ASN under its main country: AS9198 is Kazakhtelecom, KZ); without them (--no-geo), only regions.
TEST(DetectCliTest, CountryEventsListTheirAsnsWithGeo) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + (dir / "c.db").string();
  detect::SyntheticSpec spec = detect::CountrySpec();
  spec.days = 20;
  spec.outages = {detect::SyntheticOutage{15 * 288, 48, {0.05, 0.05, 0.05, 0.05}}};
  for (const char* entity : {"country/KZ", "asn/9198", "region/KZ-ALA"}) {
    spec.entity = entity;
    ASSERT_NO_FATAL_FAILURE(WriteSeries(url, entity, detect::Generate(spec)));
  }
  const std::string b = BlackoutBinary().string();
  const std::string range = " --from " + std::to_string(spec.from + 10 * 86400) + " --until " +
                            std::to_string(spec.from + 20 * 86400);
  auto related_of_country = [&](const std::string& extra) {
    auto r = RunCommand(b + " --json detect" + range + " --store " + url + extra);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    for (const auto& e : j["events"]) {
      if (e["entity"] == "country/KZ") return e["related"].get<std::vector<std::string>>();
    }
    ADD_FAILURE() << "no country/KZ event: " << r.out;
    return std::vector<std::string>{};
  };
  EXPECT_EQ(related_of_country(""), (std::vector<std::string>{"asn/9198", "region/KZ-ALA"}));
  EXPECT_EQ(related_of_country(" --no-geo"), (std::vector<std::string>{"region/KZ-ALA"}));
}

}  // namespace
}  // namespace blackout
