// The report's chart (docs/report.md, "chart.png"), drawn as the dashboard draws it
// (web/src/chart.js) and IODA draws its signals: one panel per signal, the signal that carries the
// events on top, each panel's y axis cropped to its data, the x axis to the measured span of the
// window, events shaded amber (a colour no signal uses), and bins where nothing was measured
// hatched grey and labelled "no data", never drawn as a value. RenderChart (report.h) draws it in
// named steps; LayoutChart computes where everything goes and is exposed so that tests can check
// the geometry without reading pixels.
// Thread-safety: pure functions of their inputs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/report/report.h"

namespace blackout::report {

struct Rgb {
  double r, g, b;
};

// The dashboard's series colours (web/src/chart.js COLORS, d3's category10): bgp blue, probe red,
// darknet green, traffic purple; other signals cycle through brown, cyan and pink. None is amber
// (events) or grey (no data).
Rgb SignalColour(std::string_view signal, size_t index);
// Detected events: amber fill (the dashboard's EVENT_FILL) with a darker bar along the top.
inline constexpr Rgb kEventColour = {1.0, 176 / 255.0, 0.0};
inline constexpr double kEventAlpha = 0.3;
inline constexpr Rgb kEventBarColour = {199 / 255.0, 120 / 255.0, 0.0};
// No data: grey diagonal hatching on white (the dashboard's NO_DATA_LINE).
inline constexpr Rgb kNoDataColour = {110 / 255.0, 110 / 255.0, 110 / 255.0};
inline constexpr double kNoDataAlpha = 0.55;
// A signal's band (the detector's expected value ± its margin) is its colour at this opacity.
inline constexpr double kBandAlpha = 0.15;

// True when nothing was measured in a bin: no value (NaN), a negative or an infinite one; the
// bins the detector judges level 0, "no data" (detect/baseline.h, Level::kNoData).
bool IsNoData(double value);

// The stretches of [from, until) where `line` has no measurement: its no-data bins and the parts
// of [from, until) its series does not cover, merged, in time order.
std::vector<std::pair<UnixSeconds, UnixSeconds>> NoDataRuns(const SignalLine& line,
                                                            UnixSeconds from, UnixSeconds until);

// A panel's legend: the signal's name, what it counts and what its percentages are of, e.g.
// "Active probing: /24 blocks answering, % of the detector's expected value".
std::string SignalLegend(const SignalLine& line);

// The panels' order, as indices into report.signals: first the signals the events name (active
// probing, then traffic, then the one that fell furthest: lowest mean % during the events), then
// the others in IODA's order (probe, bgp, darknet, traffic), then any other signal as given.
// The same rule as the dashboard's (web/src/chart.js, orderRows).
std::vector<size_t> PanelOrder(const Report& report);

// One panel: a header line (its legend) above a plot area with its own y axis.
struct ChartPanel {
  static constexpr size_t kNoLine = static_cast<size_t>(-1);
  size_t line = kNoLine;       // index into Report::signals; kNoLine: the report has no signal
  double header_y = 0;         // the vertical middle of the header line
  double top = 0, bottom = 0;  // the plot area, in pixels (top < bottom)
  double ymax = 0;             // the y axis runs from 0 to ymax (% of the baseline)
  double ystep = 0;            // gridlines every ystep %
};

struct ChartLayout {
  int width = 0, height = 0;
  double left = 0, right = 0;  // the plot areas' horizontal extent, shared by all panels
  // The drawn time span: the measured part of the report's window (Report::measured_from() to
  // measured_until(): from the first bin with a value to the end of the last one, or `until` if
  // earlier); the whole window when nothing was measured.
  UnixSeconds x_from = 0, x_until = 0;
  double title_y = 0;                 // vertical middle of the title
  std::vector<ChartPanel> panels;     // top to bottom, in PanelOrder; at least one
  double axis_labels_y = 0;           // top of the time labels under the last panel
  double legend_y = 0, footer_y = 0;  // vertical middles of the legend and attribution lines

  double X(UnixSeconds t) const;
  // The y pixel of `percent` in `panel` (values above ymax land above the plot, where the panel's
  // clip cuts them).
  double Y(const ChartPanel& panel, double percent) const;
};

// Where everything goes. Each panel's y axis: from 0 to the 99th percentile of its drawn values,
// x 1.05 and at least 110% (so that 100% sits below the top), rounded up to a grid step; a noisy
// line's rare spikes above that, and a wide band's upper edge, are cut at the panel's top.
// REQUIRES: the chart size RenderChart accepts (width >= 320, height >= 240).
ChartLayout LayoutChart(const Report& report, int width, int height);

}  // namespace blackout::report
