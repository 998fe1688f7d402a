// Tests of the report on a KZ-like shutdown written into a temporary SQLite store: probing drops to
// 5% of its level while BGP stays announced; and on a synthetic store whose depths and band are
// checked against detect::SignalDetector run independently.
#include "blackout/report/report.h"

#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <string>

#include "blackout/detect/baseline.h"
#include "blackout/detect/config.h"
#include "blackout/detect/detector.h"
#include "blackout/report/chart.h"
#include "blackout/report/png_test_util.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

UnixSeconds T(const char* iso) { return ParseTime(iso).value(); }

// Writes series for country/KZ (bgp steady, probe 5% during the event, a gap of missing bins),
// region/KZ-ALA (series only, no event) and the event.
std::unique_ptr<store::Store> MakeStore(const std::string& url) {
  auto st = store::OpenStore(url);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  store::WriteBatch b;
  const UnixSeconds start = T("2022-01-05T10:45:00Z"), end = T("2022-01-11T06:00:00Z");
  for (UnixSeconds t = T("2022-01-03T00:00:00Z"); t < T("2022-01-14T00:00:00Z"); t += 300) {
    bool in = t >= start && t < end;
    bool gap = t >= T("2022-01-12T10:00:00Z") && t < T("2022-01-12T14:00:00Z");
    b.AddPoint({"country/KZ", "bgp", ""}, t, 1000 + (t / 300) % 7);
    b.AddPoint({"country/KZ", "probe", ""}, t, gap ? store::kMissing : in ? 200 : 4000);
    b.AddPoint({"country/KZ", "bgp-25", ""}, t, 900);
    b.AddPoint({"region/KZ-ALA", "probe", ""}, t, 800);
  }
  store::Event e;
  e.id = "kz-2022";
  e.entity = "country/KZ";
  e.start = start;
  e.end = end;
  e.depth = 0.05;
  e.score = 123456;
  e.signals = {"probe"};
  e.technique = store::Technique::kPacketsFiltered;
  e.phases = {{store::Phase::kNearTotalBlackout, start, T("2022-01-10T08:00:00Z"), 0.05},
              {store::Phase::kPartialRecovery, T("2022-01-10T08:00:00Z"), end, 0.4}};
  e.related = {"region/KZ-ALA", "region/KZ-AST", "asn/9198"};
  e.method = "test";
  b.AddEvent(e);
  EXPECT_TRUE((*st)->Apply(b).ok());
  // What was ingested (the ledger; one input per batch) and the geolocation credit.
  for (const char* input : {"bgp:rrc04/updates.20220105.1000.gz",
                            "bgp:rrc04/bview.20220105.0800.gz", "probe:/data/vp-fra.records"}) {
    store::WriteBatch in;
    in.SetInput(input, "hash");
    EXPECT_TRUE((*st)->Apply(in).ok());
  }
  store::WriteBatch vp;
  vp.AddPoint({"country/KZ", "probe", "vp-fra"}, T("2022-01-03T00:00:00Z"), 4000);
  vp.SetState(std::string(kGeoStateKey),
              "IP Geolocation by DB-IP (https://db-ip.com): IP to City Lite, CC BY 4.0\n");
  EXPECT_TRUE((*st)->Apply(vp).ok());
  return std::move(st).value();
}

ReportOptions Options() {
  ReportOptions o;
  o.width = 1000;
  o.height = 500;
  o.name = [](std::string_view entity) -> std::string {
    return entity == "asn/9198" ? "JSC Kazakhtelecom" : "";
  };
  return o;
}

using report::testing::Decode;
using report::testing::Image;

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override { st_ = MakeStore(url_); }
  blackout::testing::TempDir dir_;
  std::string url_ = "sqlite:" + (dir_ / "store.db").string();
  std::unique_ptr<store::Store> st_;
};

TEST_F(ReportTest, StatementStatesTheMeasuredFacts) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  const std::string& md = r->markdown;
  EXPECT_THAT(md, HasSubstr("Metrics show a nation-scale disruption to internet connectivity in "
                            "Kazakhstan from 5 January 2022 10:45 UTC to 11 January 2022 06:00 "
                            "UTC (5 days 19 hours 15 minutes)"));
  // The quotable headline, with local time as of the event's date (Almaty was UTC+6 in 2022).
  EXPECT_THAT(md, HasSubstr("**A nation-scale disruption of internet connectivity in Kazakhstan "
                            "began on 5 January 2022 at 10:45 UTC (16:45 in Almaty, UTC+6): "
                            "connectivity fell by 95%, to 5% of its usual level, for 5 days 19 "
                            "hours 15 minutes, until 11 January 2022 06:00 UTC; connectivity has "
                            "recovered since.**"));
  EXPECT_THAT(md, HasSubstr("- Depth: connectivity fell by 95%, to 5% of its usual level"));
  EXPECT_THAT(md, HasSubstr("BGP routes stayed announced at their usual level"));
  EXPECT_THAT(md, HasSubstr("active probing fell to 5% of its usual level, consistent with "
                            "filtering rather than route withdrawal"));
  EXPECT_THAT(md, HasSubstr("| probe | 5% | detector's expected value |"));
  EXPECT_THAT(md, HasSubstr("| bgp | 100% | detector's expected value |"));
  EXPECT_THAT(md, Not(HasSubstr("bgp-25")));  // canonical signals only
  EXPECT_THAT(md, HasSubstr("- Start: 2022-01-05T10:45:00Z"));
  EXPECT_THAT(md, HasSubstr("- End: 2022-01-11T06:00:00Z"));
  EXPECT_THAT(md, HasSubstr("Near-total blackout: 5 January 2022 10:45 UTC – 10 January 2022 "
                            "08:00 UTC (at its lowest 5% of the usual level)"));
  EXPECT_THAT(md, HasSubstr("Partial recovery: 10 January 2022 08:00 UTC – 11 January 2022 06:00"));
  EXPECT_THAT(md, HasSubstr("Affected regions: Almaty (KZ-ALA), Nur-Sultan (KZ-AST)."));
  EXPECT_THAT(md, HasSubstr("Affected networks (ASNs): AS9198 JSC Kazakhtelecom."));
  // The sources actually ingested (the ledger), not a fixed list.
  EXPECT_THAT(md, HasSubstr("BGP routing data from route collector rrc04 (RIPE RIS) (2 files)"));
  EXPECT_THAT(md, HasSubstr("active probing by blackout's prober from vantage point vp-fra"));
  EXPECT_THAT(md, Not(HasSubstr("RouteViews")));
  EXPECT_THAT(md, HasSubstr("DB-IP (https://db-ip.com): IP to City Lite, CC BY 4.0"));
  EXPECT_THAT(md, Not(HasSubstr("SIMULATION")));
  EXPECT_THAT(md, HasSubstr("This statement is generated from measured events only."));
  // The caption says how signals are normalised.
  EXPECT_THAT(md, HasSubstr("percentage of the detector's expected value"));
  EXPECT_THAT(r->chart_caption, Not(HasSubstr("median")));
}

// A store the service filled from its scenario: its notice marks everything derived from it.
TEST_F(ReportTest, SimulatedDataAreMarkedEverywhere) {
  auto real = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_THAT(real->markdown, Not(HasSubstr("SIMULATION")));
  std::string real_text;
  for (const auto& [k, v] : ReadPngText(real->png)) real_text += k + "=" + v + "\n";
  EXPECT_THAT(real_text, HasSubstr("Title=Internet connectivity in Kazakhstan (country/KZ)"));
  EXPECT_THAT(real_text, HasSubstr("Source=Sources: BGP routing data from route collector rrc04"));
  EXPECT_THAT(real_text, Not(HasSubstr("SIMULATION")));

  store::WriteBatch b;
  b.SetState(std::string(kNoticeStateKey), "SIMULATION: scenario test. Nothing was measured.");
  ASSERT_TRUE(st_->Apply(b).ok());
  auto sim = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(sim.ok());
  EXPECT_TRUE(sim->provenance.simulation);
  EXPECT_EQ(sim->markdown.rfind("# SIMULATION: Internet connectivity in Kazakhstan", 0), 0u)
      << sim->markdown;
  EXPECT_THAT(sim->markdown, HasSubstr("> **SIMULATION: the data in this report are simulated"));
  EXPECT_THAT(sim->markdown, HasSubstr("simulated route collector rrc04 (2 files)"));
  EXPECT_THAT(sim->markdown, Not(HasSubstr("RIPE RIS")));  // not credited to its namesake
  EXPECT_THAT(sim->markdown, Not(HasSubstr("measured events only")));
  std::string text;
  for (const auto& [k, v] : ReadPngText(sim->png)) text += k + "=" + v + "\n";
  EXPECT_THAT(text, HasSubstr("Title=SIMULATION: Internet connectivity in Kazakhstan"));
  EXPECT_THAT(text, HasSubstr("Warning=SIMULATION: synthetic data"));
  // The PNG with its text chunks still decodes (chunk lengths and CRCs are right).
  Image img = Decode(sim->png);
  EXPECT_EQ(img.width, 1000);
}

TEST_F(ReportTest, OngoingEventAndOtherTechniques) {
  // A window ending inside the event: the event is reported, its end is what was measured.
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-04"), T("2022-01-07"), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->markdown, HasSubstr("from 5 January 2022 10:45 UTC to 11 January 2022"));

  store::WriteBatch b;
  store::Event e;
  e.id = "ala";
  e.entity = "region/KZ-ALA";
  e.start = T("2022-01-06T00:00:00Z");
  e.technique = store::Technique::kRoutesWithdrawn;
  b.AddEvent(e);
  ASSERT_TRUE(st_->Apply(b).ok());
  auto a = BuildReport(*st_, "region/KZ-ALA", T("2022-01-03"), T("2022-01-08"), Options());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->markdown, HasSubstr("a regional disruption to internet connectivity in Almaty"));
  EXPECT_THAT(a->markdown, HasSubstr("ongoing at the end of the window (8 January 2022 00:00 UTC, "
                                     "2 days so far)"));
  EXPECT_THAT(a->markdown, HasSubstr("- End: ongoing"));
  EXPECT_THAT(a->markdown, HasSubstr("consistent with route withdrawal"));
}

TEST_F(ReportTest, NoEventInWindowIsSaidPlainly) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-12"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->events.empty());
  EXPECT_THAT(r->markdown, HasSubstr("No disruption to internet connectivity in Kazakhstan was "
                                     "measured between 12 January 2022 00:00 UTC and 14 January "
                                     "2022 00:00 UTC"));
  EXPECT_THAT(r->markdown, Not(HasSubstr("Metrics show")));
  Image img = Decode(r->png);
  EXPECT_EQ(img.width, 1000);
}

// Others' records beside the measured events (issue 22): the curated list's sentence, whole days
// as whole days, linked; none outside the window.
TEST_F(ReportTest, CuratedRecordsAreStatedBesideTheEvents) {
  curated::CuratedOutage kio{.source = "keepiton",
                             .id = "kz2022",
                             .entities = {"country/KZ"},
                             .from = T("2022-01-04"),
                             .until = T("2022-01-12"),
                             .whole_days = true,
                             .kind = "shutdown",
                             .cause = "Protests",
                             .link = "https://www.accessnow.org/kazakhstan"};
  curated::CuratedOutage later = kio;
  later.id = "later";
  later.from = T("2022-10-19");
  later.until = T("2022-10-20");
  ASSERT_TRUE(curated::SaveOutages(*st_, std::vector<curated::CuratedOutage>{kio, later}).ok());
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(r->markdown,
              HasSubstr("## What others recorded\n\n- Access Now's #KeepItOn list records a "
                        "shutdown in Kazakhstan from 4 to 11 January 2022 (cause: Protests). "
                        "[Source](https://www.accessnow.org/kazakhstan)\n"));
  EXPECT_THAT(r->markdown, Not(HasSubstr("October")));
  auto none = BuildReport(*st_, "country/KZ", T("2022-02-01"), T("2022-02-05"), Options());
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->markdown, Not(HasSubstr("What others recorded")));
}

// No data is never "no disruption" (issue 16): a window without measurements says so, a window
// partly measured says which part, and regions without data are counted as unmeasured.
TEST_F(ReportTest, NoMeasurementsIsNotNoDisruption) {
  auto r = BuildReport(*st_, "country/KZ", T("2023-01-02"), T("2023-01-05"), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->measured);
  EXPECT_THAT(r->markdown, HasSubstr("No measurements of Kazakhstan (country/KZ) between 2 January "
                                     "2023 00:00 UTC and 5 January 2023 00:00 UTC"));
  EXPECT_THAT(r->markdown, Not(HasSubstr("No disruption")));
  EXPECT_THAT(r->markdown, HasSubstr("Regions measured: 0 of 17 regions of Kazakhstan have "
                                     "measurements in this window; the other 17 have none"));

  auto part = BuildReport(*st_, "country/KZ", T("2022-01-12"), T("2022-01-20"), Options());
  ASSERT_TRUE(part.ok());
  EXPECT_THAT(part->markdown, HasSubstr("No disruption to internet connectivity in Kazakhstan was "
                                        "measured between 12 January 2022 00:00 UTC and 14 "
                                        "January 2022 00:00 UTC"));
  EXPECT_THAT(part->markdown, HasSubstr("Measurements cover 12 January 2022 00:00 UTC – 14 January "
                                        "2022 00:00 UTC of this window; outside that span nothing "
                                        "was measured."));
  EXPECT_THAT(part->markdown, HasSubstr("Regions measured: 1 of 17 regions of Kazakhstan has "
                                        "measurements in this window (Almaty (KZ-ALA)); the other "
                                        "16 have none, so this report says nothing about them."));

  auto cli = blackout::testing::RunCommand(
      blackout::testing::BlackoutBinary().string() +
      " report country/KZ --from 2023-01-02 --until 2023-01-05 --out " + (dir_ / "none").string() +
      " --store " + url_);
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("no measurements of Kazakhstan (country/KZ) between "
                                 "2023-01-02T00:00:00Z and 2023-01-05T00:00:00Z"));
  EXPECT_THAT(cli.out, Not(HasSubstr("0 event(s)")));
}

TEST_F(ReportTest, ErrorsForUnknownEntityAndBadArguments) {
  auto r = BuildReport(*st_, "country/XX", T("2022-01-03"), T("2022-01-14"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  r = BuildReport(*st_, "country/KZ", T("2022-01-14"), T("2022-01-03"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = BuildReport(*st_, "not an entity", T("2022-01-03"), T("2022-01-14"));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  ReportOptions tiny;
  tiny.width = 10;
  r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), tiny);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReportTest, ChartIsAPngOfTheRequestedSizeWithTheEventShaded) {
  auto r = BuildReport(*st_, "country/KZ", T("2022-01-03"), T("2022-01-14"), Options());
  ASSERT_TRUE(r.ok());
  ASSERT_GT(r->png.size(), 8u);
  EXPECT_EQ(r->png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  Image img = Decode(r->png);
  EXPECT_EQ(img.width, 1000);
  EXPECT_EQ(img.height, 500);
  // Plot area: left 70, right width-20, top 50. Just under the top edge no line is drawn (the
  // y axis goes to 120%), so inside the event the pixel is the shading, outside it is white.
  auto x_of = [&](const char* iso) {
    double f = static_cast<double>(T(iso) - T("2022-01-03")) /
               static_cast<double>(T("2022-01-14") - T("2022-01-03"));
    return static_cast<int>(70 + (1000 - 20 - 70) * f);
  };
  auto in = img.Pixel(x_of("2022-01-08T08:00:00Z"), 58);
  EXPECT_GT(in[0], in[1] + 20) << in[0] << "," << in[1] << "," << in[2];  // reddish
  EXPECT_LT(in[1], 245);
  auto out = img.Pixel(x_of("2022-01-04T08:00:00Z"), 58);
  EXPECT_EQ(out, (std::array<int, 3>{255, 255, 255}));
  auto after = img.Pixel(x_of("2022-01-13T08:00:00Z"), 58);
  EXPECT_EQ(after, (std::array<int, 3>{255, 255, 255}));
  Status s = WriteReport(*r, dir_ / "out");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(r->file_stem, "blackout-report-country-KZ-20220103-20220114");
  EXPECT_TRUE(blackout::testing::ReadFile(dir_ / "out" / (r->file_stem + ".png")) == r->png);
  EXPECT_TRUE(blackout::testing::ReadFile(dir_ / "out" / (r->file_stem + ".md")) == r->markdown);
}

TEST(ComposeReport, WorksWithoutAStore) {
  store::Series probe{{"asn/9198", "probe", ""}, T("2022-01-05T00:00:00Z"), 3600, {}};
  for (int i = 0; i < 48; ++i) probe.values.push_back(i >= 20 && i < 30 ? 10 : 100);
  store::Event e;
  e.entity = "asn/9198";
  e.start = T("2022-01-05T20:00:00Z");
  e.end = T("2022-01-06T06:00:00Z");
  e.technique = store::Technique::kPacketsFiltered;
  auto r = ComposeReport("asn/9198", T("2022-01-05"), T("2022-01-07"), {e}, {probe}, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->name, "JSC Kazakhtelecom");
  EXPECT_THAT(r->markdown, HasSubstr("a network-level disruption to internet connectivity in JSC "
                                     "Kazakhtelecom from 5 January 2022 20:00 UTC to 6 January "
                                     "2022 06:00 UTC (10 hours)"));
  // No expected values given: the median outside events, and the caption and table say so.
  EXPECT_THAT(r->markdown, HasSubstr("active probing fell to 10% of its usual level"));
  EXPECT_THAT(r->markdown, HasSubstr("| probe | 10% | median outside events |"));
  EXPECT_THAT(r->chart_caption, HasSubstr("The detector judges none of these signals"));
  EXPECT_THAT(r->chart_caption, HasSubstr("median"));
  EXPECT_EQ(Decode(r->png).height, 500);
  // Expected values of the wrong length are refused.
  detect::ExpectedSeries bad{{1, 2}, {1, 2}, {1, 1}};
  auto b =
      ComposeReport("asn/9198", T("2022-01-05"), T("2022-01-07"), {e}, {probe}, Options(), {bad});
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
}

TEST(ReportFormat, TimesAndDurations) {
  EXPECT_EQ(FormatLongTime(T("2022-01-05T10:45:00Z")), "5 January 2022 10:45 UTC");
  EXPECT_EQ(FormatDuration(59), "less than a minute");
  EXPECT_EQ(FormatDuration(3600), "1 hour");
  EXPECT_EQ(FormatDuration(2 * 86400 + 60 * 5), "2 days 5 minutes");
}

// --- the detector's baseline, checked against detect::SignalDetector run independently

constexpr int64_t kStep = 300;
constexpr size_t kBins = 288 * 10;
const UnixSeconds kFrom = 1638316800;                                       // 2021-12-01T00:00Z
constexpr size_t kEventBegin = 288 * 7 + 40, kEventEnd = kEventBegin + 72;  // 6 hours

// A daily cycle with deterministic noise; 7% of it during the event, 40% in its last hour.
double ProbeValue(size_t i) {
  double day = std::sin(2 * std::numbers::pi * static_cast<double>(i % 288) / 288.0);
  double noise = static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5;
  double v = 1000 + 250 * day + 20 * noise;
  if (i >= kEventBegin && i < kEventEnd) return (i + 12 >= kEventEnd ? 0.4 : 0.07) * v;
  return v;
}
// Steady with a small wobble; 85% during the event.
double BgpValue(size_t i) {
  double v = 2000 + static_cast<double>(i % 5);
  return i >= kEventBegin && i < kEventEnd ? 0.85 * v : v;
}

UnixSeconds BinTime(size_t i) { return kFrom + static_cast<int64_t>(i) * kStep; }

std::vector<double> Values(double (*f)(size_t)) {
  std::vector<double> v;
  for (size_t i = 0; i < kBins; ++i) v.push_back(f(i));
  return v;
}

// The verdicts of a fresh entity detector pushed every bin of both signals, one Push per bin (the
// streaming path; a signal's baseline is held while the entity's event is open, so the signals
// are judged together).
detect::VerdictTrace StepAll(const std::vector<double>& probe, const std::vector<double>& bgp) {
  detect::EntityDetector d("country/XB", detect::DefaultConfig(), kStep);
  detect::VerdictTrace out;
  detect::DetectSink sink;
  sink.on_verdicts = [&](UnixSeconds,
                         const std::array<const detect::Verdict*, detect::kNumSignals>& v) {
    for (int s = 0; s < detect::kNumSignals; ++s) out[s].push_back(*v[s]);
  };
  for (size_t i = 0; i < probe.size(); ++i) {
    std::array<std::optional<double>, detect::kNumSignals> v;
    v[static_cast<int>(detect::Signal::kProbe)] = probe[i];
    v[static_cast<int>(detect::Signal::kBgp)] = bgp[i];
    EXPECT_TRUE(d.Push(BinTime(i), v, &sink).ok());
  }
  return out;
}

// The lowest value / expected over the event's bins, from independent verdicts.
double LowestRatio(const std::vector<double>& values, const std::vector<detect::Verdict>& v) {
  double lo = INFINITY;
  for (size_t i = kEventBegin; i < kEventEnd; ++i) {
    EXPECT_TRUE(v[i].expected.has_value()) << i;
    if (v[i].expected) lo = std::min(lo, values[i] / *v[i].expected);
  }
  return lo;
}

// The statement's percentage format: one decimal under 10%, none above, no trailing ".0".
std::string Percent(double ratio) {
  char buf[32];
  double p = ratio * 100;
  std::snprintf(buf, sizeof buf, p < 10 && p > 0 ? "%.1f%%" : "%.0f%%", p);
  std::string s = buf;
  if (s.size() >= 4 && s.substr(s.size() - 3) == ".0%") s.erase(s.size() - 3, 2);
  return s;
}

class DetectorBaselineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::OpenStore("sqlite:" + (dir_ / "store.db").string());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    st_ = std::move(st).value();
    probe_ = Values(ProbeValue);
    bgp_ = Values(BgpValue);
    store::WriteBatch b;
    b.AddSeries({{"country/XB", "probe", ""}, kFrom, kStep, probe_});
    b.AddSeries({{"country/XB", "bgp", ""}, kFrom, kStep, bgp_});
    // The event as the detector would state it: its depth is the lowest value / expected.
    const detect::VerdictTrace trace = StepAll(probe_, bgp_);
    probe_depth_ = LowestRatio(probe_, trace[static_cast<int>(detect::Signal::kProbe)]);
    bgp_depth_ = LowestRatio(bgp_, trace[static_cast<int>(detect::Signal::kBgp)]);
    store::Event e;
    e.id = "xb";
    e.entity = "country/XB";
    e.start = BinTime(kEventBegin);
    e.end = BinTime(kEventEnd);
    e.depth = std::min(probe_depth_, bgp_depth_);
    e.score = 100;
    e.signals = {"probe"};
    e.technique = store::Technique::kPacketsFiltered;
    b.AddEvent(e);
    ASSERT_TRUE(st_->Apply(b).ok());
  }
  blackout::testing::TempDir dir_;
  std::unique_ptr<store::Store> st_;
  std::vector<double> probe_, bgp_;
  double probe_depth_ = 0, bgp_depth_ = 0;
};

const SignalLine* Line(const Report& r, const std::string& signal) {
  for (const auto& s : r.signals) {
    if (s.signal == signal) return &s;
  }
  return nullptr;
}

TEST_F(DetectorBaselineTest, DepthsAreValueOverTheDetectorsExpectedValue) {
  // A window starting after the event's warm-up: the expected values still come from the
  // detector run from the first stored bin.
  auto r = BuildReport(*st_, "country/XB", BinTime(288 * 6), BinTime(kBins), Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_LT(probe_depth_, 0.08);
  EXPECT_GT(probe_depth_, 0.06);
  EXPECT_GT(bgp_depth_, 0.8);
  const std::string& md = r->markdown;
  EXPECT_THAT(md,
              HasSubstr("| probe | " + Percent(probe_depth_) + " | detector's expected value |"));
  EXPECT_THAT(md, HasSubstr("| bgp | " + Percent(bgp_depth_) + " | detector's expected value |"));
  // Consistent with the event's own depth.
  EXPECT_THAT(md, HasSubstr("- Depth: " + DepthPhrase(std::min(probe_depth_, bgp_depth_))));
  EXPECT_THAT(md, HasSubstr("active probing fell to " + Percent(probe_depth_)));
  EXPECT_THAT(md, HasSubstr("divided by the detector's expected value for the same bin"));

  // Every drawn bin is value / expected of the independent run.
  auto want = StepAll(probe_, bgp_)[static_cast<int>(detect::Signal::kProbe)];
  const SignalLine* p = Line(*r, "probe");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->baseline, Baseline::kDetector);
  ASSERT_EQ(p->series.from, BinTime(288 * 6));
  ASSERT_EQ(p->percent.size(), kBins - 288 * 6);
  for (size_t i = 0; i < p->percent.size(); ++i) {
    const auto& v = want[288 * 6 + i];
    ASSERT_TRUE(v.expected.has_value());
    EXPECT_NEAR(p->expected[i], *v.expected, 1e-9 * *v.expected) << i;
    EXPECT_NEAR(p->lower[i], v.lower, 1e-9 * *v.expected) << i;
    EXPECT_NEAR(p->percent[i], probe_[288 * 6 + i] / *v.expected * 100, 1e-9) << i;
  }
  // The caption and the chart name the baseline.
  EXPECT_THAT(r->chart_caption, HasSubstr("percentage of the detector's expected value"));
  EXPECT_THAT(r->chart_caption, HasSubstr("band"));
  EXPECT_THAT(md, HasSubstr(r->chart_caption));
  EXPECT_THAT(md, HasSubstr("Sources: none recorded"));  // this store has no ledger
}

TEST_F(DetectorBaselineTest, ASignalTheDetectorDoesNotJudgeFallsBackToItsMedian) {
  ReportOptions o = Options();
  o.detect.of(detect::Signal::kBgp).enabled = false;
  auto r = BuildReport(*st_, "country/XB", BinTime(0), BinTime(kBins), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SignalLine* b = Line(*r, "bgp");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->baseline, Baseline::kMedian);
  EXPECT_TRUE(b->expected.empty());
  EXPECT_GT(b->reference, 2000);
  EXPECT_LT(b->reference, 2005);
  EXPECT_EQ(Line(*r, "probe")->baseline, Baseline::kDetector);
  EXPECT_THAT(r->markdown, HasSubstr("| bgp | 85% | median outside events |"));
  EXPECT_THAT(r->markdown,
              HasSubstr("| probe | " + Percent(probe_depth_) + " | detector's expected value |"));
  EXPECT_THAT(r->chart_caption, HasSubstr("the detector does not judge bgp, drawn instead as a "
                                          "percentage of its median"));
}

TEST_F(DetectorBaselineTest, ChartDrawsTheDetectorsBandAroundExpected) {
  // A wide band (at least 10% of expected, times z = 3: from 70% to its mirror at 130%) so that
  // pixels inside and outside it can be told apart from the lines.
  ReportOptions o = Options();
  o.detect.of(detect::Signal::kProbe).min_relative_spread = 0.1;
  o.detect.of(detect::Signal::kBgp).enabled = false;
  const UnixSeconds from = BinTime(0), until = BinTime(kBins);
  auto r = BuildReport(*st_, "country/XB", from, until, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const SignalLine* p = Line(*r, "probe");
  ASSERT_NE(p, nullptr);
  // Day 5, noon: a bin with a baseline, outside the event.
  const size_t bin = 288 * 5 + 144;
  ASSERT_FALSE(std::isnan(p->expected[bin]));
  const double lo = p->lower[bin] / p->expected[bin] * 100;
  EXPECT_NEAR(lo, 70, 1.0);

  // The chart's geometry (chart.h, LayoutChart): probe's panel on top (the event's signal), its
  // y axis from 0 to ymax.
  const ChartLayout layout = LayoutChart(*r, 1000, 500);
  const ChartPanel& panel = layout.panels.front();
  ASSERT_EQ(r->signals[panel.line].signal, "probe");
  auto y_of = [&](double pct) { return static_cast<int>(layout.Y(panel, pct)); };
  const int x = static_cast<int>(layout.X(BinTime(bin)));
  // Between 100% and the mirror edge (200 - lo): the band, tinted with probe's colour. Above the
  // mirror edge: white. The value line is near 100%.
  Image img = Decode(r->png);
  const double hi = 200 - lo;
  ASSERT_LT(hi + 4, panel.ymax);
  const Rgb red = SignalColour("probe", 0);
  auto tint = [](double c) {
    return static_cast<int>(std::lround(255 * (1 - kBandAlpha) + 255 * c * kBandAlpha));
  };
  const std::array<int, 3> band = {tint(red.r), tint(red.g), tint(red.b)};
  auto near = [](std::array<int, 3> a, std::array<int, 3> b) {
    return std::abs(a[0] - b[0]) <= 2 && std::abs(a[1] - b[1]) <= 2 && std::abs(a[2] - b[2]) <= 2;
  };
  auto inside = img.Pixel(x, y_of((100 + hi) / 2 + 3));
  EXPECT_TRUE(near(inside, band)) << inside[0] << "," << inside[1] << "," << inside[2];
  auto below = img.Pixel(x, y_of((lo + 100) / 2 - 3));
  EXPECT_EQ(below, inside);
  auto above = img.Pixel(x, y_of(hi + 4));
  EXPECT_EQ(above, (std::array<int, 3>{255, 255, 255}));
  // Before the detector has a baseline (the first hours) there is no band.
  const int x_early = static_cast<int>(layout.X(BinTime(6)));
  ASSERT_TRUE(std::isnan(p->expected[6]));
  EXPECT_EQ(img.Pixel(x_early, y_of((100 + hi) / 2 + 3)), (std::array<int, 3>{255, 255, 255}));

  // The median fallback draws no band: pixels of the band's tint are only the line's edges.
  auto tinted = [&](const Image& im) {
    size_t n = 0;
    for (int py = static_cast<int>(panel.top); py < static_cast<int>(panel.bottom); ++py) {
      for (int px = static_cast<int>(layout.left); px < static_cast<int>(layout.right); ++px) {
        n += near(im.Pixel(px, py), band);
      }
    }
    return n;
  };
  o.detect.of(detect::Signal::kProbe).enabled = false;
  auto m = BuildReport(*st_, "country/XB", from, until, o);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Line(*m, "probe")->baseline, Baseline::kMedian);
  const size_t band_pixels = tinted(img), flat_pixels = tinted(Decode(m->png));
  EXPECT_GT(band_pixels, 10 * flat_pixels + 10000) << band_pixels << " vs " << flat_pixels;
}

// --- the `blackout report` command

std::string Cli(const std::string& args) {
  return blackout::testing::BlackoutBinary().string() + " " + args;
}

TEST_F(ReportTest, CliWritesFilesAndJsonAndUsesExitCodes) {
  std::string out = (dir_ / "cli").string();
  auto ok =
      blackout::testing::RunCommand(Cli("report country/KZ --from 2022-01-03 --until "
                                        "1642118400 --out " +
                                        out + " --store " + url_));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // Dated names (the API's downloads have the same), and the Markdown links the PNG by its name.
  const std::string stem = "blackout-report-country-KZ-20220103-20220114";
  const std::string md = blackout::testing::ReadFile(dir_ / "cli" / (stem + ".md"));
  EXPECT_THAT(md, HasSubstr("in Kazakhstan from 5 January 2022 10:45 UTC"));
  EXPECT_THAT(md, HasSubstr("](" + stem + ".png)"));
  EXPECT_EQ(blackout::testing::ReadFile(dir_ / "cli" / (stem + ".png")).substr(1, 3), "PNG");

  auto js =
      blackout::testing::RunCommand(Cli("--json report country/KZ --from 2022-01-03 "
                                        "--until 2022-01-14 --out " +
                                        out + " --store " + url_));
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto j = nlohmann::json::parse(js.out);
  EXPECT_THAT(j["markdown"].get<std::string>(), HasSubstr("Metrics show"));
  EXPECT_EQ(j["chart"], (dir_ / "cli" / (stem + ".png")).string());
  ASSERT_EQ(j["events"].size(), 1u);
  EXPECT_EQ(j["events"][0]["startIso"], "2022-01-05T10:45:00Z");
  EXPECT_EQ(j["events"][0]["technique"], "packets-filtered");
  EXPECT_THAT(j["events"][0]["headline"].get<std::string>(),
              HasSubstr("in Kazakhstan began on 5 January 2022 at 10:45 UTC (16:45 in Almaty, "
                        "UTC+6)"));

  auto none = blackout::testing::RunCommand(Cli(
      "report country/XX --from 2022-01-03 --until 2022-01-14 --out " + out + " --store " + url_));
  EXPECT_EQ(none.exit_code, 1) << none.err;
  EXPECT_EQ(none.err.find("report: report:"), std::string::npos) << none.err;
  EXPECT_THAT(none.err, HasSubstr("blackout report: the store has no series and no events for "
                                  "country/XX; did you mean country/KZ?"));
  auto far =
      blackout::testing::RunCommand(Cli("report asn/4242424242 --from 2022-01-03 --until "
                                        "2022-01-14 --out " +
                                        out + " --store " + url_));
  EXPECT_EQ(far.exit_code, 1) << far.err;
  EXPECT_THAT(far.err, HasSubstr("no series and no events for asn/4242424242; `blackout run` "
                                 "fills a store"));
  // Codes are case-insensitive; a near code the store holds is suggested.
  auto lower = blackout::testing::RunCommand(Cli(
      "report country/kz --from 2022-01-03 --until 2022-01-14 --out " + out + " --store " + url_));
  EXPECT_EQ(lower.exit_code, 0) << lower.err;
  EXPECT_THAT(lower.out, HasSubstr("event(s) for country/KZ (Kazakhstan)"));
  auto near =
      blackout::testing::RunCommand(Cli("report region/kz-alx --from 2022-01-03 --until "
                                        "2022-01-14 --out " +
                                        out + " --store " + url_));
  EXPECT_EQ(near.exit_code, 1) << near.err;
  EXPECT_THAT(near.err, HasSubstr("did you mean region/KZ-ALA?"));
  auto bad_time = blackout::testing::RunCommand(
      Cli("report country/KZ --from yesterday --until 2022-01-14 --store " + url_));
  EXPECT_EQ(bad_time.exit_code, 2);
  auto reversed = blackout::testing::RunCommand(
      Cli("report country/KZ --from 2022-01-14 --until 2022-01-03 --store " + url_));
  EXPECT_EQ(reversed.exit_code, 2);
  auto bad_entity = blackout::testing::RunCommand(
      Cli("report KZ --from 2022-01-03 --until 2022-01-14 --store " + url_));
  EXPECT_EQ(bad_entity.exit_code, 2);
  auto missing = blackout::testing::RunCommand(Cli("report country/KZ --until 2022-01-14"));
  EXPECT_EQ(missing.exit_code, 2);
  auto no_store = blackout::testing::RunCommand(
      Cli("report country/KZ --from 2022-01-03 --until 2022-01-14 --store sqlite:" +
          (dir_ / "absent" / "none.db").string()));
  EXPECT_EQ(no_store.exit_code, 3) << no_store.err;
}

// --config: the detector configuration the chart and depths are measured against (the service's
// detect_config, to match the dashboard). A signal it turns off is drawn against its median.
TEST_F(ReportTest, CliTakesTheDetectorConfig) {
  const std::string args = "--json report country/KZ --from 2022-01-03 --until 2022-01-14 --out " +
                           (dir_ / "cli").string() + " --store " + url_;
  auto by_default = blackout::testing::RunCommand(Cli(args));
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_THAT(nlohmann::json::parse(by_default.out)["markdown"].get<std::string>(),
              Not(HasSubstr("| bgp | 100% | median outside events |")));
  blackout::testing::WriteFile(dir_ / "detect.toml", "[signal.bgp]\nenabled = false\n");
  auto no_bgp =
      blackout::testing::RunCommand(Cli(args + " --config " + (dir_ / "detect.toml").string()));
  ASSERT_EQ(no_bgp.exit_code, 0) << no_bgp.err;
  EXPECT_THAT(nlohmann::json::parse(no_bgp.out)["markdown"].get<std::string>(),
              HasSubstr("| bgp | 100% | median outside events |"));
  blackout::testing::WriteFile(dir_ / "bad.toml", "[signal.bgp]\nwarning = \"high\"\n");
  auto bad = blackout::testing::RunCommand(Cli(args + " --config " + (dir_ / "bad.toml").string()));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  auto absent =
      blackout::testing::RunCommand(Cli(args + " --config " + (dir_ / "absent.toml").string()));
  EXPECT_NE(absent.exit_code, 0);
  EXPECT_THAT(absent.err, HasSubstr("absent.toml"));
}

}  // namespace
}  // namespace blackout::report
