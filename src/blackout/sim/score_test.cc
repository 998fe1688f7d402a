#include "blackout/sim/score.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/testing/testing.h"

namespace blackout::sim {
namespace {

using json = nlohmann::json;

constexpr UnixSeconds kT0 = 1641340800;  // 2022-01-05T00:00Z
constexpr int64_t kHour = 3600;

TruthRecord Truth1(std::string id, std::string entity, UnixSeconds start, UnixSeconds end,
                   double level, std::string technique) {
  TruthRecord r;
  r.id = std::move(id);
  r.entities = {std::move(entity)};
  r.start = start;
  r.end = end;
  r.level = level;
  r.technique = std::move(technique);
  return r;
}

store::Event Detected(std::string entity, UnixSeconds start, std::optional<UnixSeconds> end,
                      double depth, store::Technique technique) {
  store::Event e;
  e.entity = std::move(entity);
  e.start = start;
  e.end = end;
  e.depth = depth;
  e.technique = technique;
  return e;
}

Truth TwoEvents() {
  Truth t;
  t.scenario = "unit";
  t.span_from = kT0;
  t.span_until = kT0 + 24 * kHour;
  t.events.push_back(Truth1("national", "country/KZ", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                            "packets-filtered"));
  t.events.push_back(
      Truth1("mobile", "asn/21299", kT0 + 2 * kHour, kT0 + 4 * kHour, 0.0, "routes-withdrawn"));
  return t;
}

TEST(ScoreTest, PerfectDetection) {
  Truth t = TwoEvents();
  std::vector<store::Event> d = {Detected("country/KZ", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                                          store::Technique::kPacketsFiltered),
                                 Detected("asn/21299", kT0 + 2 * kHour, kT0 + 4 * kHour, 0.0,
                                          store::Technique::kRoutesWithdrawn)};
  Score s = ScoreDetections(t, d);
  EXPECT_EQ(s.from, kT0);
  EXPECT_EQ(s.until, kT0 + 24 * kHour);
  ASSERT_EQ(s.events.size(), 2u);
  for (const auto& e : s.events) {
    EXPECT_TRUE(e.detected) << e.truth_id;
    EXPECT_EQ(e.onset_error_seconds, 0);
    ASSERT_TRUE(e.end_error_seconds);
    EXPECT_EQ(*e.end_error_seconds, 0);
    ASSERT_TRUE(e.depth_error);
    EXPECT_NEAR(*e.depth_error, 0, 1e-12);
    EXPECT_TRUE(e.technique_agrees);
  }
  ASSERT_EQ(s.by_type.size(), 2u);
  EXPECT_EQ(s.by_type[0].entity_type, "country");
  EXPECT_EQ(s.by_type[1].entity_type, "asn");
  for (const auto& ty : s.by_type) {
    EXPECT_EQ(ty.event_recall, 1);
    EXPECT_EQ(ty.event_precision, 1);
    EXPECT_EQ(ty.bins_fp, 0);
    EXPECT_EQ(ty.bins_fn, 0);
    EXPECT_EQ(ty.bin_f1, 1);
    EXPECT_EQ(ty.technique_agreement, 1);
  }
  EXPECT_EQ(s.by_type[0].bins_tp, 48);  // 4 h of 5-minute bins
}

TEST(ScoreTest, LateShallowWrongTechniqueAndMissed) {
  Truth t = TwoEvents();
  // The national cut found 30 minutes late, ending 1 h early, at 20% instead of 5%, as withdrawal;
  // the mobile cut missed.
  std::vector<store::Event> d = {Detected("country/KZ", kT0 + 10 * kHour + 1800, kT0 + 13 * kHour,
                                          0.2, store::Technique::kRoutesWithdrawn)};
  Score s = ScoreDetections(t, d);
  ASSERT_EQ(s.events.size(), 2u);
  const TruthEventScore& kz = s.events[0];
  EXPECT_TRUE(kz.detected);
  EXPECT_EQ(kz.onset_error_seconds, 1800);
  EXPECT_EQ(*kz.end_error_seconds, -kHour);
  EXPECT_NEAR(*kz.depth_error, 0.15, 1e-12);
  EXPECT_EQ(kz.detected_technique, "routes-withdrawn");
  EXPECT_FALSE(kz.technique_agrees);
  EXPECT_FALSE(s.events[1].detected);
  const TypeScore& country = s.by_type[0];
  EXPECT_EQ(country.bins_tp, 30);  // 10:30 .. 13:00
  EXPECT_EQ(country.bins_fn, 18);  // 10:00 .. 10:30 and 13:00 .. 14:00
  EXPECT_EQ(country.bins_fp, 0);
  EXPECT_DOUBLE_EQ(country.bin_recall, 30.0 / 48);
  EXPECT_DOUBLE_EQ(country.mean_abs_onset_minutes, 30);
  EXPECT_DOUBLE_EQ(country.mean_abs_end_minutes, 60);
  EXPECT_EQ(country.technique_agreement, 0);
  const TypeScore& asn = s.by_type[1];
  EXPECT_EQ(asn.truth_events, 1);
  EXPECT_EQ(asn.detected_truth, 0);
  EXPECT_EQ(asn.event_recall, 0);
  EXPECT_EQ(asn.bins_fn, 24);
  EXPECT_EQ(asn.bin_recall, 0);
  EXPECT_EQ(asn.bin_f1, 0);
}

TEST(ScoreTest, FalseEventsAndFragmentedDetections) {
  Truth t = TwoEvents();
  std::vector<store::Event> d = {
      // Two fragments of the national cut; the second still ongoing.
      Detected("country/KZ", kT0 + 10 * kHour, kT0 + 11 * kHour, 0.1,
               store::Technique::kPacketsFiltered),
      Detected("country/KZ", kT0 + 12 * kHour, std::nullopt, 0.04,
               store::Technique::kPacketsFiltered),
      // A false alarm on the country well before.
      Detected("country/KZ", kT0 + 1 * kHour, kT0 + 1 * kHour + 600, 0.7,
               store::Technique::kUnknown),
      // An unrelated country: false.
      Detected("country/UZ", kT0 + 10 * kHour, kT0 + 11 * kHour, 0.5, store::Technique::kUnknown),
  };
  Score s = ScoreDetections(t, d);
  const TruthEventScore& kz = s.events[0];
  EXPECT_TRUE(kz.detected);
  EXPECT_EQ(kz.detected_ids.size(), 2u);
  EXPECT_EQ(kz.onset_error_seconds, 0);
  EXPECT_FALSE(kz.end_error_seconds);  // the last fragment is ongoing
  EXPECT_NEAR(*kz.depth_error, 0.01, 1e-12);
  const TypeScore& country = s.by_type[0];
  EXPECT_EQ(country.detected_events, 4);
  EXPECT_EQ(country.false_events, 2);
  EXPECT_DOUBLE_EQ(country.event_precision, 0.5);
  // FP bins: 10:00-14:00+ ongoing to the span's end for KZ after 14:00 (10 h = 120 bins), the
  // false alarm (2 bins), UZ (12 bins); FN: the 11:00-12:00 gap (12 bins).
  EXPECT_EQ(country.bins_fn, 12);
  EXPECT_EQ(country.bins_fp, 120 + 2 + 12);
  EXPECT_EQ(country.bins_tp, 36);
}

TEST(ScoreTest, RegionsAndCarriersOfANamedEntityAreNotFalse) {
  Truth t = TwoEvents();
  store::Event country = Detected("country/KZ", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                                  store::Technique::kPacketsFiltered);
  country.related = {"asn/9198"};
  std::vector<store::Event> d = {country,
                                 Detected("region/KZ-ALA", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                                          store::Technique::kPacketsFiltered),
                                 Detected("asn/9198", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                                          store::Technique::kPacketsFiltered),
                                 // Not a carrier: false.
                                 Detected("asn/64500", kT0 + 10 * kHour, kT0 + 14 * kHour, 0.05,
                                          store::Technique::kPacketsFiltered)};
  // A country whose drop is carried by the cut mobile network (named by the truth): not false.
  store::Event partial =
      Detected("country/UZ", kT0 + 2 * kHour, kT0 + 4 * kHour, 0.6, store::Technique::kUnknown);
  partial.related = {"asn/21299"};
  d.push_back(partial);
  // The same outside the mobile cut: false.
  partial.start = kT0 + 20 * kHour;
  partial.end = kT0 + 21 * kHour;
  d.push_back(partial);
  Score s = ScoreDetections(t, d);
  ASSERT_EQ(s.by_type.size(), 3u);
  EXPECT_EQ(s.by_type[0].detected_events, 3);
  EXPECT_EQ(s.by_type[0].false_events, 1);
  const TypeScore& region = s.by_type[1];
  EXPECT_EQ(region.entity_type, "region");
  EXPECT_EQ(region.truth_events, 0);
  EXPECT_EQ(region.event_recall, 1);
  EXPECT_EQ(region.false_events, 0);
  EXPECT_EQ(region.bin_f1, 1);
  const TypeScore& asn = s.by_type[2];
  EXPECT_EQ(asn.detected_events, 2);
  EXPECT_EQ(asn.false_events, 1);
}

// A network the truth event spares (`exclude`) is not covered by it even when the country's
// detection names it as a carrier: its bins after its own, shorter cut are not truth.
TEST(ScoreTest, ExcludedNetworksAreNeverCoveredThroughCarriers) {
  Truth t;
  t.span_from = kT0;
  t.span_until = kT0 + 24 * kHour;
  t.events.push_back(Truth1("national", "country/KZ", kT0 + 2 * kHour, kT0 + 20 * kHour, 0.05,
                            "packets-filtered"));
  t.events.back().exclude = {"asn/48716"};
  t.events.push_back(
      Truth1("dc", "asn/48716", kT0 + 2 * kHour, kT0 + 8 * kHour, 0.05, "packets-filtered"));
  store::Event country = Detected("country/KZ", kT0 + 2 * kHour, kT0 + 20 * kHour, 0.05,
                                  store::Technique::kPacketsFiltered);
  country.related = {"asn/48716"};
  std::vector<store::Event> d = {country, Detected("asn/48716", kT0 + 2 * kHour, kT0 + 8 * kHour,
                                                   0.05, store::Technique::kPacketsFiltered)};
  Score s = ScoreDetections(t, d);
  const TypeScore& asn = s.by_type.back();
  ASSERT_EQ(asn.entity_type, "asn");
  EXPECT_EQ(asn.bins_fn, 0);  // 8:00-20:00 is not truth for the data centres
  EXPECT_EQ(asn.bin_f1, 1);
  // Without the exclusion, the national event would cover it through the carrier.
  t.events[0].exclude.clear();
  EXPECT_EQ(ScoreDetections(t, d).by_type.back().bins_fn, 12 * 12);
}

TEST(ScoreTest, SpanWithoutManifestWidensTheTruthByADay) {
  Truth t = TwoEvents();
  t.span_from = t.span_until = 0;
  Score s = ScoreDetections(t, {});
  EXPECT_EQ(s.from, kT0 + 2 * kHour - 86400);
  EXPECT_EQ(s.until, kT0 + 14 * kHour + 86400);
  ScoreOptions o;
  o.from = kT0;
  o.until = kT0 + kHour;
  o.step = 600;
  s = ScoreDetections(t, {}, o);
  EXPECT_EQ(s.from, kT0);
  EXPECT_EQ(s.step, 600);
  EXPECT_EQ(s.by_type[0].bins_fn, 0);  // the span holds no truth bin
}

TEST(ScoreTest, ParsesTruthAsSimulateWritesIt) {
  const char* text = R"({
    "scenario": "tiny", "simulation": true, "notice": "SIMULATION",
    "events": [{"id": "cut", "entities": ["asn/64501"], "exclude": [],
                "start": 1641290400, "end": 1641312000,
                "start_iso": "2022-01-04T10:00:00Z", "end_iso": "2022-01-04T16:00:00Z",
                "level": 0.0, "technique": "routes-withdrawn",
                "phases": [{"start": 1641297600, "end": 1641301200, "level": 0.5,
                            "label": "partial"}],
                "description": ""}]})";
  auto t = ParseTruth(text, "truth.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->scenario, "tiny");
  ASSERT_EQ(t->events.size(), 1u);
  EXPECT_EQ(t->events[0].entities, std::vector<std::string>{"asn/64501"});
  EXPECT_EQ(t->events[0].end, 1641312000);
  EXPECT_EQ(t->events[0].technique, "routes-withdrawn");
  ASSERT_EQ(t->events[0].phases.size(), 1u);
  EXPECT_EQ(t->events[0].phases[0].level, 0.5);

  for (const char* bad : {"[]", "{}", R"({"events": [{"entities": []}]})",
                          R"({"events": [{"entities": ["asn/1"], "start": "x"}]})",
                          R"({"events": [{"entities": ["asn/1"], "start": 5, "end": 4,
                                          "level": 0}]})",
                          "not json"}) {
    auto r = ParseTruth(bad, "t.json");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("t.json"), std::string::npos);
  }
}

TEST(ScoreTest, LoadTruthReadsTheSpanFromTheManifest) {
  testing::TempDir dir;
  testing::WriteFile(dir / "truth.json",
                     R"({"events": [{"id": "a", "entities": ["country/XA"], "start": 1000,
                                     "end": 2000, "level": 0}]})");
  testing::WriteFile(dir / "manifest.json", R"({"start": 600, "end": 3000})");
  auto t = LoadTruth(dir / "truth.json");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->span_from, 600);
  EXPECT_EQ(t->span_until, 3000);
  EXPECT_EQ(LoadTruth(dir / "missing.json").status().code(), StatusCode::kNotFound);
}

TEST(ScoreTest, JsonAndTableCarryTheFigures) {
  Truth t = TwoEvents();
  std::vector<store::Event> d = {Detected("country/KZ", kT0 + 10 * kHour + 1800, kT0 + 13 * kHour,
                                          0.2, store::Technique::kRoutesWithdrawn)};
  Score s = ScoreDetections(t, d);
  json j = json::parse(ScoreJson(s));
  EXPECT_EQ(j["step"], 300);
  ASSERT_EQ(j["events"].size(), 2u);
  EXPECT_EQ(j["events"][0]["onsetErrorSeconds"], 1800);
  EXPECT_EQ(j["events"][0]["onsetErrorBins"], 6);
  EXPECT_EQ(j["events"][0]["endErrorBins"], -12);
  EXPECT_TRUE(j["events"][1]["endErrorBins"].is_null());
  EXPECT_EQ(j["events"][0]["techniqueAgrees"], false);
  EXPECT_TRUE(j["events"][1]["onsetErrorSeconds"].is_null());
  EXPECT_EQ(j["byEntityType"][0]["entityType"], "country");
  EXPECT_EQ(j["byEntityType"][0]["bins"]["tp"], 30);
  EXPECT_DOUBLE_EQ(j["byEntityType"][1]["eventRecall"].get<double>(), 0);
  std::string table = ScoreTable(s);
  EXPECT_NE(table.find("national"), std::string::npos);
  EXPECT_NE(table.find("packets-filtered -> routes-withdrawn (differs)"), std::string::npos)
      << table;
}

// Found while writing blackout_sim_truth_fuzz's checks (by reading ParseTruth): a "start" of
// 18446744073709551615 is a JSON integer that nlohmann stores unsigned; get<int64_t> wrapped it to
// -1, so the event was accepted as starting one second before 1970. It is now "not an integer".
TEST(ScoreTest, FuzzUnsignedTimesAboveInt64AreRejected) {
  auto r = ParseTruth(R"({"events": [{"entities": ["country/KZ"], "start": 18446744073709551615,
                                      "end": 1641340800, "level": 0.1}]})",
                      "t.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("\"start\" must be an integer"), std::string::npos)
      << r.status().message();
  auto ok = ParseTruth(R"({"events": [{"entities": ["country/KZ"], "start": 9223372036854775806,
                                       "end": 9223372036854775807, "level": 0.1}]})",
                       "t.json");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->events[0].end, INT64_MAX);
}

}  // namespace
}  // namespace blackout::sim
