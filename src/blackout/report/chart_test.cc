// Tests of the report's chart: the layout computed directly (panel order, sizes, the axes cropped
// to the data, no-data runs) and the rendered PNG read back with cairo's PNG reader (the event
// shading's colour against every series colour, the panels in order, the no-data band where data
// are missing and nowhere else, the x axis ending at the data).
#include "blackout/report/chart.h"

#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "blackout/report/png_test_util.h"
#include "blackout/report/report.h"

namespace blackout::report {
namespace {

using ::testing::HasSubstr;

constexpr UnixSeconds kFrom = 1641168000;  // 2022-01-03T00:00:00Z
constexpr int64_t kStep = 300;
constexpr size_t kBins = 288 * 6;  // six days of data
constexpr size_t kEventBegin = 288 * 2 + 120, kEventEnd = 288 * 4;
constexpr size_t kGapBegin = 288 * 5, kGapEnd = 288 * 5 + 48;  // four hours of missing probing

UnixSeconds BinTime(size_t i) { return kFrom + kStep * static_cast<int64_t>(i); }

store::Event Event(std::vector<std::string> signals) {
  store::Event e;
  e.id = "e";
  e.entity = "country/XC";
  e.start = BinTime(kEventBegin);
  e.end = BinTime(kEventEnd);
  e.signals = std::move(signals);
  e.technique = store::Technique::kPacketsFiltered;
  return e;
}

// Series for country/XC over six days: probe at 5% of expected during the event and missing in the
// gap, bgp steady, traffic noisy with rare spikes to 300%. Expected values are 1000 for every bin
// (band 80%..120%), so that percentages are known exactly.
struct Data {
  std::vector<store::Series> series;
  std::vector<detect::ExpectedSeries> expected;
};

Data MakeData(bool with_traffic = true) {
  Data d;
  auto add = [&](const std::string& signal, auto value) {
    store::Series s{{"country/XC", signal, ""}, kFrom, kStep, {}};
    detect::ExpectedSeries e;
    for (size_t i = 0; i < kBins; ++i) {
      s.values.push_back(value(i));
      e.expected.push_back(1000);
      e.lower.push_back(800);
      e.level.push_back(2);
    }
    d.series.push_back(std::move(s));
    d.expected.push_back(std::move(e));
  };
  // Given out of the drawing order on purpose.
  if (with_traffic) {
    add("traffic", [](size_t i) {
      const double noise = static_cast<double>((i * 7919) % 41) - 20;  // -20..20
      return i % 400 == 7 ? 3000.0 : 1000 + 10 * noise;
    });
  }
  add("bgp", [](size_t) { return 1000.0; });
  add("probe", [](size_t i) {
    if (i >= kGapBegin && i < kGapEnd) return store::kMissing;
    return i >= kEventBegin && i < kEventEnd ? 50.0 : 1000.0;
  });
  return d;
}

ReportOptions Options() {
  ReportOptions o;
  o.width = 1000;
  o.height = 600;
  return o;
}

Report Compose(UnixSeconds until, std::vector<store::Event> events, Data d,
               ReportOptions o = Options()) {
  auto r = ComposeReport("country/XC", kFrom, until, std::move(events), std::move(d.series), o,
                         std::move(d.expected));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::vector<std::string> PanelSignals(const Report& r, const ChartLayout& l) {
  std::vector<std::string> out;
  for (const ChartPanel& p : l.panels) out.push_back(r.signals[p.line].signal);
  return out;
}

// --- the layout

TEST(ChartLayout, TheEventsSignalIsOnTopThenIodasOrder) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(PanelSignals(r, l), (std::vector<std::string>{"probe", "bgp", "traffic"}));

  // Traffic named by the event: on top, the rest in IODA's order.
  r = Compose(BinTime(kBins), {Event({"traffic"})}, MakeData());
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(PanelSignals(r, l), (std::vector<std::string>{"traffic", "probe", "bgp"}));

  // Both named: active probing first, as the report's technique sentence picks it.
  r = Compose(BinTime(kBins), {Event({"traffic", "probe"})}, MakeData());
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(PanelSignals(r, l), (std::vector<std::string>{"probe", "traffic", "bgp"}));

  // No event: IODA's order.
  r = Compose(BinTime(kBins), {}, MakeData());
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(PanelSignals(r, l), (std::vector<std::string>{"probe", "bgp", "traffic"}));
}

TEST(ChartLayout, PanelsFitTheImageWithoutOverlapAtEverySize) {
  for (auto [w, h] : {std::pair{320, 240}, {1000, 500}, {1200, 600}, {2400, 1600}}) {
    Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
    ChartLayout l = LayoutChart(r, w, h);
    ASSERT_EQ(l.panels.size(), 3u);
    EXPECT_GT(l.title_y, 0);
    double last = l.title_y + 8;
    for (const ChartPanel& p : l.panels) {
      EXPECT_GT(p.header_y, last) << w << "x" << h;
      EXPECT_GT(p.top, p.header_y);
      EXPECT_GT(p.bottom, p.top);
      EXPECT_GT(p.ymax, 0);
      EXPECT_GT(p.ystep, 0);
      last = p.bottom;
    }
    EXPECT_GT(l.axis_labels_y, last);
    EXPECT_GT(l.legend_y, l.axis_labels_y + 12);
    EXPECT_GT(l.footer_y, l.legend_y + 12);
    EXPECT_LT(l.footer_y, h);
    EXPECT_LT(l.left, l.right);
    EXPECT_LE(l.right, w);
  }
  // All panels the same height.
  Report r = Compose(BinTime(kBins), {}, MakeData());
  ChartLayout l = LayoutChart(r, 1200, 600);
  EXPECT_DOUBLE_EQ(l.panels[0].bottom - l.panels[0].top, l.panels[2].bottom - l.panels[2].top);
}

TEST(ChartLayout, YAxisIsCroppedToTheDataNotToANoisyLinesSpikes) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  for (const ChartPanel& p : l.panels) {
    // Band to 120%, traffic within 80..120% apart from spikes to 300% in 0.25% of its bins.
    EXPECT_GE(p.ymax, 110) << r.signals[p.line].signal;
    EXPECT_LE(p.ymax, 150) << r.signals[p.line].signal;
    EXPECT_NEAR(std::fmod(p.ymax, p.ystep), 0, 1e-9);
    EXPECT_NEAR(std::fmod(100, p.ystep), 0, 1e-9);  // 100% is a gridline
  }
  // Values truly higher (a signal at 250% for a day) raise its axis.
  Data d = MakeData(false);
  for (size_t i = 0; i < 288; ++i) d.series[0].values[i] = 2500;
  r = Compose(BinTime(kBins), {}, std::move(d));
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(r.signals[l.panels[1].line].signal, "bgp");
  EXPECT_GE(l.panels[1].ymax, 250 * 1.05);
  EXPECT_LE(l.panels[1].ymax, 300);
}

TEST(ChartLayout, XAxisEndsAtTheLastDataOrUntilWhicheverIsEarlier) {
  // The window runs three days past the data: the axis stops at the data.
  Report r = Compose(BinTime(kBins) + 3 * 86400, {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(l.x_from, kFrom);
  EXPECT_EQ(l.x_until, BinTime(kBins));
  EXPECT_DOUBLE_EQ(l.X(BinTime(kBins)), l.right);
  // The window ends before the data: the axis stops at the window.
  r = Compose(BinTime(kBins - 288), {Event({"probe"})}, MakeData());
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(l.x_until, BinTime(kBins - 288));
  // The window starts a day before the data: the axis starts at the data.
  auto early = ComposeReport("country/XC", kFrom - 86400, BinTime(kBins), {}, MakeData().series,
                             Options(), MakeData().expected);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(LayoutChart(*early, 1000, 600).x_from, kFrom);
  // Nothing measured: the whole window, one panel per signal still.
  Data d = MakeData(false);
  for (auto& s : d.series) std::fill(s.values.begin(), s.values.end(), store::kMissing);
  r = Compose(BinTime(kBins), {}, std::move(d));
  EXPECT_FALSE(r.measured);
  l = LayoutChart(r, 1000, 600);
  EXPECT_EQ(l.x_from, kFrom);
  EXPECT_EQ(l.x_until, BinTime(kBins));
}

TEST(ChartLayout, NoDataRunsAreMissingNegativeAndUncoveredBins) {
  SignalLine s;
  s.signal = "probe";
  s.series.from = 1000;
  s.series.step = 100;
  s.series.values = {1, store::kMissing, store::kMissing, 4, -1, 6, INFINITY, 8};
  using Runs = std::vector<std::pair<UnixSeconds, UnixSeconds>>;
  EXPECT_EQ(NoDataRuns(s, 1000, 1800), (Runs{{1100, 1300}, {1400, 1500}, {1600, 1700}}));
  // Before the series starts and after it ends; runs merged where they touch.
  s.series.values[0] = store::kMissing;
  EXPECT_EQ(NoDataRuns(s, 500, 2000),
            (Runs{{500, 1300}, {1400, 1500}, {1600, 1700}, {1800, 2000}}));
  // Cut to the asked span.
  EXPECT_EQ(NoDataRuns(s, 1150, 1450), (Runs{{1150, 1300}, {1400, 1450}}));
  EXPECT_EQ(NoDataRuns(SignalLine{}, 0, 10), (Runs{{0, 10}}));
  EXPECT_TRUE(IsNoData(store::kMissing));
  EXPECT_TRUE(IsNoData(-0.5));
  EXPECT_FALSE(IsNoData(0));  // a measured zero is a value, not "no data"
}

TEST(ChartLayout, LegendsStateUnitsAndWhatThePercentageIsOf) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  std::vector<std::string> legends;
  for (const SignalLine& s : r.signals) legends.push_back(SignalLegend(s));
  EXPECT_THAT(legends, ::testing::Contains(
                           "Active probing: /24 blocks answering, % of the detector's expected "
                           "value"));
  EXPECT_THAT(legends, ::testing::Contains(HasSubstr("Web traffic: unique clients")));
  // Without expected values: the median, and it says the detector does not judge it.
  auto m =
      ComposeReport("country/XC", kFrom, BinTime(kBins), {}, MakeData(false).series, Options());
  ASSERT_TRUE(m.ok());
  EXPECT_THAT(SignalLegend(m->signals[0]),
              HasSubstr("% of its median outside events (not judged by the detector)"));
}

// --- the rendered PNG

using report::testing::Decode;
using report::testing::Image;

std::array<int, 3> Bytes(Rgb c) {
  return {static_cast<int>(std::lround(c.r * 255)), static_cast<int>(std::lround(c.g * 255)),
          static_cast<int>(std::lround(c.b * 255))};
}

// Hue in degrees (0..360).
double Hue(std::array<int, 3> c) {
  const double r = c[0], g = c[1], b = c[2];
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b});
  if (mx == mn) return 0;
  double h = mx == r   ? (g - b) / (mx - mn)
             : mx == g ? 2 + (b - r) / (mx - mn)
                       : 4 + (r - g) / (mx - mn);
  h *= 60;
  return h < 0 ? h + 360 : h;
}

double HueDistance(double a, double b) {
  const double d = std::fabs(a - b);
  return std::min(d, 360 - d);
}

// The hatching's grey (175 where a hatch line covers the pixel): r = g = b, darker than the
// gridlines (224) and where two of them cross (197); the 100% line (153) is skipped by row.
bool IsHatch(std::array<int, 3> c) { return c[0] == c[1] && c[1] == c[2] && c[0] < 190; }

// Hatch pixels in columns [x0, x1) of a panel's plot, away from its frame and its 100% line.
int HatchPixels(const Image& img, const ChartLayout& l, const ChartPanel& p, double x0, double x1) {
  int n = 0;
  const double y100 = l.Y(p, 100);
  for (int y = static_cast<int>(p.top) + 6; y < static_cast<int>(p.bottom) - 2; ++y) {
    if (std::fabs(y - y100) < 3) continue;
    for (int x = static_cast<int>(x0); x < static_cast<int>(x1); ++x) n += IsHatch(img.Pixel(x, y));
  }
  return n;
}

int ColourPixels(const Image& img, std::array<int, 3> c, double x0, double x1, double y0,
                 double y1) {
  int n = 0;
  for (int y = static_cast<int>(y0); y < static_cast<int>(y1); ++y) {
    for (int x = static_cast<int>(x0); x < static_cast<int>(x1); ++x) {
      auto px = img.Pixel(x, y);
      n += std::abs(px[0] - c[0]) + std::abs(px[1] - c[1]) + std::abs(px[2] - c[2]) <= 6;
    }
  }
  return n;
}

TEST(ChartPng, EventShadingSharesNoColourWithAnySeries) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  Image img = Decode(r.png);
  ASSERT_EQ(img.width, 1000);
  // Inside the event, just under the event bar at the top of each panel: the shading alone.
  const double x = l.X(BinTime((kEventBegin + kEventEnd) / 2));
  const std::array<int, 3> shade = img.Pixel(x, l.panels[0].top + 8);
  const std::array<int, 3> want = {
      static_cast<int>(std::lround(255 * (1 - kEventAlpha) + 255 * kEventColour.r * kEventAlpha)),
      static_cast<int>(std::lround(255 * (1 - kEventAlpha) + 255 * kEventColour.g * kEventAlpha)),
      static_cast<int>(std::lround(255 * (1 - kEventAlpha) + 255 * kEventColour.b * kEventAlpha))};
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(shade[k], want[k], 2) << k;
  for (const ChartPanel& p : l.panels) EXPECT_EQ(img.Pixel(x, p.top + 8), shade);
  // Outside the event the same spot is white.
  EXPECT_EQ(img.Pixel(l.X(BinTime(kEventBegin / 2)), l.panels[0].top + 8),
            (std::array<int, 3>{255, 255, 255}));
  // Far in hue from every series colour (and from their bands' tints, which keep the hue).
  for (const std::string signal : {"bgp", "probe", "darknet", "traffic", "other1", "other2"}) {
    for (size_t k = 0; k < 3; ++k) {
      const auto c = Bytes(SignalColour(signal, k));
      EXPECT_GT(HueDistance(Hue(shade), Hue(c)), 25) << signal << " " << k;
      EXPECT_GT(std::abs(c[0] - c[1]) + std::abs(c[1] - c[2]), 30) << "not grey: " << signal;
    }
  }
}

TEST(ChartPng, PanelsAreDrawnInOrderEachWithItsSignalsColour) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  Image img = Decode(r.png);
  ASSERT_EQ(PanelSignals(r, l), (std::vector<std::string>{"probe", "bgp", "traffic"}));
  for (const ChartPanel& p : l.panels) {
    const std::string& signal = r.signals[p.line].signal;
    const auto colour = Bytes(SignalColour(signal, p.line));
    // The header's key line.
    EXPECT_EQ(img.Pixel(l.left + 9, p.header_y), colour) << signal;
    // The line is in its own panel and in no other.
    for (const ChartPanel& q : l.panels) {
      const int n = ColourPixels(img, colour, l.left + 2, l.right - 2, q.top + 2, q.bottom - 2);
      if (&q == &p) {
        EXPECT_GT(n, 500) << signal;
      } else {
        EXPECT_EQ(n, 0) << signal << " in " << r.signals[q.line].signal << "'s panel";
      }
    }
  }
  // Probing's line is at 5% during the event, near its panel's bottom, and at 100% before it.
  const ChartPanel& probe = l.panels[0];
  const auto red = Bytes(SignalColour("probe", 0));
  const double xe = l.X(BinTime(kEventBegin + 100));
  EXPECT_GT(ColourPixels(img, red, xe - 3, xe + 3, probe.bottom - 12, probe.bottom), 0);
  const double xb = l.X(BinTime(100));
  EXPECT_GT(ColourPixels(img, red, xb - 3, xb + 3, l.Y(probe, 100) - 3, l.Y(probe, 100) + 3), 0);
}

TEST(ChartPng, NoDataIsAHatchedBandWhereDataAreMissingAndNowhereElse) {
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  Image img = Decode(r.png);
  const ChartPanel& probe = l.panels[0];
  const double g0 = l.X(BinTime(kGapBegin)), g1 = l.X(BinTime(kGapEnd));
  // The gap is hatched over its whole width (some pixels per column), and labelled.
  EXPECT_GT(HatchPixels(img, l, probe, g0 + 1, g1 - 1), 300);
  EXPECT_EQ(
      ColourPixels(img, Bytes(SignalColour("probe", 0)), g0 + 2, g1 - 2, probe.top, probe.bottom),
      0);  // never drawn as a value (no line at 0)
  // No hatching elsewhere in the probe panel, nor at the gap's time in the panels that have data.
  EXPECT_EQ(HatchPixels(img, l, probe, l.left + 2, g0 - 2), 0);
  EXPECT_EQ(HatchPixels(img, l, probe, g1 + 2, l.right - 2), 0);
  for (size_t k = 1; k < l.panels.size(); ++k) {
    EXPECT_EQ(HatchPixels(img, l, l.panels[k], l.left + 2, l.right - 2), 0) << k;
  }

  // A signal whose series ends a day early: hatched from there to the axis' end.
  Data d = MakeData();
  d.series[1].values.resize(kBins - 288);  // bgp
  d.expected[1].expected.resize(kBins - 288);
  d.expected[1].lower.resize(kBins - 288);
  d.expected[1].level.resize(kBins - 288);
  r = Compose(BinTime(kBins), {Event({"probe"})}, std::move(d));
  l = LayoutChart(r, 1000, 600);
  img = Decode(r.png);
  ASSERT_EQ(r.signals[l.panels[1].line].signal, "bgp");
  const double cut = l.X(BinTime(kBins - 288));
  EXPECT_GT(HatchPixels(img, l, l.panels[1], cut + 1, l.right - 2), 1000);
  EXPECT_EQ(HatchPixels(img, l, l.panels[1], l.left + 2, cut - 2), 0);
}

TEST(ChartPng, TheXAxisEndsAtTheData) {
  // Three days of window after the data: not drawn.
  Report r = Compose(BinTime(kBins) + 3 * 86400, {Event({"probe"})}, MakeData());
  ChartLayout l = LayoutChart(r, 1000, 600);
  Image img = Decode(r.png);
  for (const ChartPanel& p : l.panels) {
    const auto colour = Bytes(SignalColour(r.signals[p.line].signal, p.line));
    // The line reaches the right edge of the plot, and no empty (hatched) stretch precedes it.
    EXPECT_GT(ColourPixels(img, colour, l.right - 12, l.right - 2, p.top, p.bottom), 0)
        << r.signals[p.line].signal;
    EXPECT_EQ(HatchPixels(img, l, p, l.X(BinTime(kGapEnd)) + 2, l.right - 2), 0);
  }
  // A window of which only part was measured: nothing hatched at all, all of it is data.
  EXPECT_EQ(HatchPixels(img, l, l.panels[1], l.left + 2, l.right - 2), 0);
}

TEST(ChartPng, NothingMeasuredIsHatchedAndSaysSo) {
  Data d = MakeData(false);
  for (auto& s : d.series) std::fill(s.values.begin(), s.values.end(), store::kMissing);
  Report r = Compose(BinTime(kBins), {}, std::move(d));
  ChartLayout l = LayoutChart(r, 1000, 600);
  Image img = Decode(r.png);
  for (const ChartPanel& p : l.panels) {
    EXPECT_GT(HatchPixels(img, l, p, l.left + 2, l.left + 200), 1000);
    EXPECT_GT(HatchPixels(img, l, p, l.right - 200, l.right - 2), 1000);
  }
}

TEST(ChartPng, SimulationTitleIsRedAndTheMetadataStay) {
  ReportOptions o = Options();
  Provenance prov;
  prov.simulation = true;
  prov.notice = "SIMULATION: scenario test.";
  o.provenance = prov;
  Report r = Compose(BinTime(kBins), {Event({"probe"})}, MakeData(), o);
  EXPECT_EQ(r.title.rfind("SIMULATION: ", 0), 0u);
  Image img = Decode(r.png);
  const int dark_red = ColourPixels(img, {191, 0, 0}, 0, img.width, 5, 36);
  EXPECT_GT(dark_red, 50);
  std::string text;
  for (const auto& [k, v] : ReadPngText(r.png)) text += k + "=" + v + "\n";
  EXPECT_THAT(text, HasSubstr("Title=SIMULATION: Internet connectivity in"));
  EXPECT_THAT(text, HasSubstr("Warning=SIMULATION: synthetic data"));
}

}  // namespace
}  // namespace blackout::report
