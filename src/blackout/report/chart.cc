// The report's chart (chart.h), drawn with cairo into an ARGB image and encoded as PNG, in steps:
// layout (LayoutChart), title, each panel (header, grid, events, no-data hatching, the detector's
// band, the line), the shared time axis, the legend, the attribution footer, and the PNG with its
// tEXt metadata. Like the dashboard (web/src/chart.js), a signal the detector judges is drawn as %
// of the detector's expected value with its band: the lower edge (lower / expected) and its mirror
// (2 - lower / expected), filled in the signal's colour, translucent.
#include "blackout/report/chart.h"

#include <cairo.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/report/report.h"
#include "blackout/store/signals.h"

namespace blackout::report {
namespace {

constexpr double kFirstTop = 50;     // the first panel's plot top (title and header above)
constexpr double kHeaderH = 18;      // a panel's header line, above its plot
constexpr double kGapH = 8;          // between a plot and the next panel's header
constexpr double kBottomH = 80;      // time labels, legend and attribution under the last plot
constexpr double kTickSpacing = 34;  // least pixels between y gridlines

constexpr std::string_view kIodaOrder[] = {"probe", "bgp", "darknet", "traffic"};
constexpr std::string_view kCarriers[] = {"probe", "traffic"};

template <size_t N>
size_t RankIn(const std::string_view (&list)[N], std::string_view s) {
  return static_cast<size_t>(std::find(list, list + N, s) - list);
}

// The band of a detector-judged signal at bin i, in % of expected: [lo, hi] with hi the mirror of
// lo about 100%; false where the detector had no baseline or nothing was measured.
bool BandAt(const SignalLine& s, size_t i, double* lo, double* hi) {
  if (s.baseline != Baseline::kDetector || i >= s.expected.size() || i >= s.lower.size()) {
    return false;
  }
  if (i >= s.series.values.size() || IsNoData(s.series.values[i])) return false;
  const double e = s.expected[i], l = s.lower[i];
  if (store::IsMissing(e) || store::IsMissing(l) || e == 0) return false;
  *lo = l / e * 100;
  *hi = 200 - *lo;
  return true;
}

UnixSeconds BinTime(const SignalLine& s, size_t i) {
  return s.series.from + s.series.step * static_cast<int64_t>(i);
}

// Mean % of the baseline over the bins inside the events (+inf when none): how far it fell.
double MeanInEvents(const SignalLine& s, const std::vector<store::Event>& events) {
  double sum = 0;
  int n = 0;
  for (size_t i = 0; i < s.percent.size(); ++i) {
    const UnixSeconds t = BinTime(s, i);
    const bool in = std::any_of(events.begin(), events.end(), [&](const store::Event& e) {
      return t >= e.start && (!e.end || t < *e.end);
    });
    if (in && !store::IsMissing(s.percent[i])) {
      sum += s.percent[i];
      ++n;
    }
  }
  return n > 0 ? sum / n : INFINITY;
}

// y range of one panel: [0, ymax] with gridlines every ystep (chart.h, LayoutChart).
void PanelRange(const SignalLine* s, double plot_h, ChartPanel* p) {
  std::vector<double> xs;
  if (s != nullptr) {
    for (size_t i = 0; i < s->percent.size(); ++i) {
      if (std::isfinite(s->percent[i]) && !IsNoData(s->series.values[i])) {
        xs.push_back(s->percent[i]);
      }
    }
  }
  double top = 110;
  if (!xs.empty()) {
    const size_t k = std::min(xs.size() - 1, static_cast<size_t>(0.99 * xs.size()));
    std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(k), xs.end());
    top = std::max(top, xs[k] * 1.05);
  }
  const double mag = std::pow(10, std::floor(std::log10(top)));
  double ymax = std::ceil(top / (mag / 2) - 1e-9) * (mag / 2);
  const double max_ticks = std::max(2.0, std::floor(plot_h / kTickSpacing));
  double step = ymax;
  for (double unit = 1; unit <= ymax; unit *= 10) {
    bool found = false;
    for (double m : {1.0, 2.5, 5.0}) {
      if (unit * m >= 10 && ymax / (unit * m) <= max_ticks) {
        step = unit * m;
        found = true;
        break;
      }
    }
    if (found) break;
  }
  p->ystep = step;
  p->ymax = std::ceil(ymax / step - 1e-9) * step;
}

}  // namespace

Rgb SignalColour(std::string_view signal, size_t index) {
  if (signal == "bgp") return {31 / 255.0, 119 / 255.0, 180 / 255.0};
  if (signal == "probe") return {214 / 255.0, 39 / 255.0, 40 / 255.0};
  if (signal == "darknet") return {44 / 255.0, 160 / 255.0, 44 / 255.0};
  if (signal == "traffic") return {148 / 255.0, 103 / 255.0, 189 / 255.0};
  static constexpr Rgb kOthers[] = {{140 / 255.0, 86 / 255.0, 75 / 255.0},
                                    {23 / 255.0, 190 / 255.0, 207 / 255.0},
                                    {227 / 255.0, 119 / 255.0, 194 / 255.0}};
  return kOthers[index % 3];
}

bool IsNoData(double value) { return !std::isfinite(value) || value < 0; }

std::vector<std::pair<UnixSeconds, UnixSeconds>> NoDataRuns(const SignalLine& s, UnixSeconds from,
                                                            UnixSeconds until) {
  std::vector<std::pair<UnixSeconds, UnixSeconds>> out;
  auto add = [&](UnixSeconds a, UnixSeconds b) {
    a = std::max(a, from);
    b = std::min(b, until);
    if (a >= b) return;
    if (!out.empty() && out.back().second >= a) {
      out.back().second = std::max(out.back().second, b);
    } else {
      out.emplace_back(a, b);
    }
  };
  const size_t n = s.series.values.size();
  if (s.series.step <= 0 || n == 0) {
    add(from, until);
    return out;
  }
  add(from, s.series.from);
  for (size_t i = 0; i < n; ++i) {
    if (IsNoData(s.series.values[i])) add(BinTime(s, i), BinTime(s, i + 1));
  }
  add(BinTime(s, n), until);
  return out;
}

std::string SignalLegend(const SignalLine& s) {
  // Names and units from the signal registry (store/signals.h).
  std::string name = s.signal, units;
  if (const store::SignalInfo* info = store::FindSignal(s.signal); info && info->name == s.signal) {
    name = info->short_label;
    units = info->measures;
  }
  return name + ": " + (units.empty() ? "" : units + ", ") +
         (s.baseline == Baseline::kDetector
              ? "% of the detector's expected value"
              : "% of its median outside events (not judged by the detector)");
}

std::vector<size_t> PanelOrder(const Report& r) {
  std::set<std::string, std::less<>> named;
  for (const store::Event& e : r.events) named.insert(e.signals.begin(), e.signals.end());
  struct Key {
    size_t group, carrier;
    double depth;
    size_t ioda, index;
    auto operator<=>(const Key&) const = default;
  };
  std::vector<std::pair<Key, size_t>> keyed;
  for (size_t k = 0; k < r.signals.size(); ++k) {
    const SignalLine& s = r.signals[k];
    keyed.push_back({named.count(s.signal) > 0
                         ? Key{0, RankIn(kCarriers, s.signal), MeanInEvents(s, r.events), 0, k}
                         : Key{1, 0, 0, RankIn(kIodaOrder, s.signal), k},
                     k});
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<size_t> out;
  for (const auto& [key, k] : keyed) out.push_back(k);
  return out;
}

double ChartLayout::X(UnixSeconds t) const {
  return left + (right - left) * static_cast<double>(t - x_from) /
                    static_cast<double>(std::max<UnixSeconds>(1, x_until - x_from));
}

double ChartLayout::Y(const ChartPanel& p, double percent) const {
  const double v = std::clamp(percent, -p.ymax, 2 * p.ymax);
  return p.bottom - (p.bottom - p.top) * v / p.ymax;
}

ChartLayout LayoutChart(const Report& r, int width, int height) {
  ChartLayout l;
  l.width = width;
  l.height = height;
  l.left = 70;
  l.right = width - 20;
  l.x_from = r.measured_from();
  l.x_until = r.measured_until();
  if (l.x_until <= l.x_from) {
    l.x_from = r.from;
    l.x_until = r.until;
  }
  l.title_y = 20;
  std::vector<size_t> order = PanelOrder(r);
  if (order.empty()) order.push_back(ChartPanel::kNoLine);
  const double n = static_cast<double>(order.size());
  const double last_bottom = height - kBottomH;
  const double plot_h = std::max(1.0, (last_bottom - kFirstTop - (n - 1) * (kHeaderH + kGapH)) / n);
  double top = kFirstTop;
  for (size_t k : order) {
    ChartPanel p;
    p.line = k;
    p.top = top;
    p.bottom = top + plot_h;
    p.header_y = top - kHeaderH / 2 - 1;
    PanelRange(k == ChartPanel::kNoLine ? nullptr : &r.signals[k], plot_h, &p);
    l.panels.push_back(p);
    top = p.bottom + kGapH + kHeaderH;
  }
  l.axis_labels_y = l.panels.back().bottom + 5;
  l.legend_y = height - 34;
  l.footer_y = height - 13;
  return l;
}

namespace {

cairo_status_t AppendPng(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void SetColour(cairo_t* cr, Rgb c, double alpha = 1) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

double TextWidth(cairo_t* cr, const std::string& s) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s.c_str(), &ext);
  return ext.x_advance;
}

// Draws `s` with its box's (anchor_x, anchor_y) fraction at (x, y).
void Text(cairo_t* cr, double x, double y, const std::string& s, double anchor_x = 0,
          double anchor_y = 0) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s.c_str(), &ext);
  cairo_move_to(cr, x - ext.width * anchor_x - ext.x_bearing,
                y - ext.height * anchor_y - ext.y_bearing);
  cairo_show_text(cr, s.c_str());
}

// Sets the font size to `size`, or smaller (not under 6) so that `s` fits in `max_width`.
void FitFont(cairo_t* cr, const std::string& s, double max_width, double size) {
  cairo_set_font_size(cr, size);
  const double w = TextWidth(cr, s);
  if (w > max_width && w > 0) cairo_set_font_size(cr, std::max(6.0, size * max_width / w));
}

std::string DayLabel(UnixSeconds t, bool with_time) {
  static const char* const kMon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t y = 0;
  unsigned m = 1, d = 1;
  CivilFromDays(days, &y, &m, &d);
  char buf[48];
  if (with_time) {
    std::snprintf(buf, sizeof buf, "%u %s %02lld:%02lld", d, kMon[m - 1],
                  static_cast<long long>(secs / 3600), static_cast<long long>(secs % 3600 / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%u %s %lld", d, kMon[m - 1], static_cast<long long>(y));
  }
  return buf;
}

// The time ticks: days (hours for spans of two days or less), at most one per ~80 px and 12.
struct Ticks {
  std::vector<UnixSeconds> at;
  bool with_time = false;
};

Ticks TimeTicks(const ChartLayout& l) {
  const double span = static_cast<double>(l.x_until - l.x_from);
  const double most = std::clamp(std::floor((l.right - l.left) / 80), 2.0, 12.0);
  int64_t tick = span <= 2 * 86400 ? 3600 : 86400;
  while (span / static_cast<double>(tick) > most) tick *= 2;
  Ticks out;
  out.with_time = tick < 86400;
  UnixSeconds t = BinStart(l.x_from, tick);
  if (t < l.x_from) t += tick;
  for (; t <= l.x_until; t += tick) out.at.push_back(t);
  return out;
}

// An 8 x 8 tile of grey diagonals, repeated: the "no data" hatching.
cairo_pattern_t* NewHatch() {
  cairo_surface_t* tile = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 8, 8);
  cairo_t* t = cairo_create(tile);
  SetColour(t, kNoDataColour, kNoDataAlpha);
  cairo_set_line_width(t, 1.5);
  cairo_move_to(t, 0, 8);
  cairo_line_to(t, 8, 0);
  cairo_move_to(t, -2, 2);
  cairo_line_to(t, 2, -2);
  cairo_move_to(t, 6, 10);
  cairo_line_to(t, 10, 6);
  cairo_stroke(t);
  cairo_destroy(t);
  cairo_pattern_t* p = cairo_pattern_create_for_surface(tile);
  cairo_surface_destroy(tile);
  cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
  return p;
}

// White, then the hatching, over a rectangle.
void FillNoData(cairo_t* cr, double x, double y, double w, double h) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
  cairo_pattern_t* hatch = NewHatch();
  cairo_set_source(cr, hatch);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill(cr);
  cairo_pattern_destroy(hatch);
}

// A label on a white box, centred at (x, y).
void BoxedLabel(cairo_t* cr, double x, double y, const std::string& s) {
  const double w = TextWidth(cr, s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x - w / 2 - 4, y - 8, w + 8, 16);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  Text(cr, x, y, s, 0.5, 0.5);
}

void DrawTitle(cairo_t* cr, const Report& r, const ChartLayout& l) {
  const std::string title =
      r.title + ", " + DayLabel(r.from, false) + " – " + DayLabel(r.until, false) + " UTC";
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  FitFont(cr, title, l.width - 20, 17);
  if (r.provenance.simulation) {
    cairo_set_source_rgb(cr, 0.75, 0.0, 0.0);
  } else {
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  }
  Text(cr, l.width / 2.0, l.title_y, title, 0.5, 0.5);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
}

// The panel's legend line: the signal's colour and what it shows, in its units.
void DrawPanelHeader(cairo_t* cr, const Report& r, const ChartLayout& l, const ChartPanel& p) {
  if (p.line == ChartPanel::kNoLine) return;
  const SignalLine& s = r.signals[p.line];
  SetColour(cr, SignalColour(s.signal, p.line));
  cairo_set_line_width(cr, 3);
  cairo_move_to(cr, l.left, p.header_y);
  cairo_line_to(cr, l.left + 18, p.header_y);
  cairo_stroke(cr);
  std::string text = SignalLegend(s);
  const double room = l.right - l.left - 24;
  cairo_set_font_size(cr, 8);
  if (TextWidth(cr, text) > room) {  // too narrow for the units: the name and the baseline
    text = text.substr(0, text.find(':')) +
           (s.baseline == Baseline::kDetector ? ", % of expected" : ", % of median");
  }
  FitFont(cr, text, room, 12.5);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Text(cr, l.left + 24, p.header_y, text, 0, 0.5);
}

// y gridlines with their labels (100% darker), and the time ticks' vertical lines.
void DrawGrid(cairo_t* cr, const ChartLayout& l, const ChartPanel& p, const Ticks& ticks) {
  cairo_set_line_width(cr, 1);
  cairo_set_font_size(cr, 11);
  for (double v = 0; v <= p.ymax + 1e-9; v += p.ystep) {
    const double y = std::round(l.Y(p, v)) + 0.5;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.12);
    cairo_move_to(cr, l.left, y);
    cairo_line_to(cr, l.right, y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    Text(cr, l.left - 6, y, std::to_string(static_cast<int>(v)) + "%", 1, 0.5);
  }
  if (p.ymax >= 100) {
    const double y = std::round(l.Y(p, 100)) + 0.5;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.4);
    cairo_move_to(cr, l.left, y);
    cairo_line_to(cr, l.right, y);
    cairo_stroke(cr);
  }
  cairo_set_source_rgba(cr, 0, 0, 0, 0.12);
  for (UnixSeconds t : ticks.at) {
    const double x = std::round(l.X(t)) + 0.5;
    cairo_move_to(cr, x, p.top);
    cairo_line_to(cr, x, p.bottom);
    cairo_stroke(cr);
  }
}

// Events: amber over the plot's height, a darker bar along its top.
void DrawEvents(cairo_t* cr, const Report& r, const ChartLayout& l, const ChartPanel& p) {
  for (const store::Event& e : r.events) {
    const double x0 = l.X(std::max(e.start, l.x_from));
    const double x1 = l.X(std::min(e.end.value_or(l.x_until), l.x_until));
    if (x1 <= x0) continue;
    SetColour(cr, kEventColour, kEventAlpha);
    cairo_rectangle(cr, x0, p.top, std::max(x1 - x0, 1.0), p.bottom - p.top);
    cairo_fill(cr);
    if (p.bottom - p.top > 16) {
      SetColour(cr, kEventBarColour);
      cairo_rectangle(cr, x0, p.top, std::max(x1 - x0, 1.0), 4);
      cairo_fill(cr);
    }
  }
}

// No data over everything else in the plot (an event around it included), labelled where wide
// enough.
void DrawNoData(cairo_t* cr, const Report& r, const ChartLayout& l, const ChartPanel& p) {
  std::vector<std::pair<UnixSeconds, UnixSeconds>> runs;
  if (p.line == ChartPanel::kNoLine) {
    runs.emplace_back(l.x_from, l.x_until);
  } else {
    runs = NoDataRuns(r.signals[p.line], l.x_from, l.x_until);
  }
  cairo_set_font_size(cr, 11);
  const double mid = (p.top + p.bottom) / 2;
  for (const auto& [a, b] : runs) {
    const double x0 = l.X(a), x1 = l.X(b);
    FillNoData(cr, x0, p.top, std::max(x1 - x0, 1.0), p.bottom - p.top);
    if (x1 - x0 >= TextWidth(cr, "no data") + 12 && p.bottom - p.top >= 18) {
      BoxedLabel(cr, (x0 + x1) / 2, mid, "no data");
    }
  }
}

// The detector's band: each run of bins with a baseline is one filled polygon (the mirror edge left
// to right, then the lower edge back), each bin a flat step over its width.
void DrawBand(cairo_t* cr, const SignalLine& s, size_t index, const ChartLayout& l,
              const ChartPanel& p) {
  if (s.baseline != Baseline::kDetector) return;
  SetColour(cr, SignalColour(s.signal, index), kBandAlpha);
  const size_t n = s.expected.size();
  double lo = 0, hi = 0;
  for (size_t i = 0; i < n;) {
    if (!BandAt(s, i, &lo, &hi)) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && BandAt(s, j, &lo, &hi)) ++j;
    for (size_t b = i; b < j; ++b) {
      BandAt(s, b, &lo, &hi);
      if (b == i) {
        cairo_move_to(cr, l.X(BinTime(s, b)), l.Y(p, hi));
      } else {
        cairo_line_to(cr, l.X(BinTime(s, b)), l.Y(p, hi));
      }
      cairo_line_to(cr, l.X(BinTime(s, b + 1)), l.Y(p, hi));
    }
    for (size_t b = j; b-- > i;) {
      BandAt(s, b, &lo, &hi);
      cairo_line_to(cr, l.X(BinTime(s, b + 1)), l.Y(p, lo));
      cairo_line_to(cr, l.X(BinTime(s, b)), l.Y(p, lo));
    }
    cairo_close_path(cr);
    cairo_fill(cr);
    i = j;
  }
}

// The signal's line through its bins' middles; a bin without a value or baseline breaks it.
void DrawLine(cairo_t* cr, const SignalLine& s, size_t index, const ChartLayout& l,
              const ChartPanel& p) {
  cairo_set_line_width(cr, 1.6);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  SetColour(cr, SignalColour(s.signal, index));
  bool pen = false;
  for (size_t i = 0; i < s.percent.size(); ++i) {
    const double v = s.percent[i];
    if (store::IsMissing(v) || IsNoData(s.series.values[i])) {
      pen = false;
      continue;
    }
    const double x = l.X(BinTime(s, i) + s.series.step / 2);
    if (!pen) {
      cairo_move_to(cr, x, l.Y(p, v));
      pen = true;
    } else {
      cairo_line_to(cr, x, l.Y(p, v));
    }
  }
  cairo_stroke(cr);
}

void DrawPanel(cairo_t* cr, const Report& r, const ChartLayout& l, const ChartPanel& p,
               const Ticks& ticks) {
  DrawPanelHeader(cr, r, l, p);
  DrawGrid(cr, l, p, ticks);
  cairo_save(cr);
  cairo_rectangle(cr, l.left, p.top, l.right - l.left, p.bottom - p.top);
  cairo_clip(cr);
  DrawEvents(cr, r, l, p);
  DrawNoData(cr, r, l, p);
  if (p.line != ChartPanel::kNoLine) {
    DrawBand(cr, r.signals[p.line], p.line, l, p);
    DrawLine(cr, r.signals[p.line], p.line, l, p);
  }
  cairo_restore(cr);
  cairo_set_line_width(cr, 1);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_rectangle(cr, l.left + 0.5, p.top + 0.5, l.right - l.left - 1, p.bottom - p.top - 1);
  cairo_stroke(cr);
}

// Time labels under the last panel (a label that would be cut at the image's edge, or would
// overlap the previous one, is left out), and under them the zone and, when the axis is cropped to
// the measured span, the window's parts where nothing was measured.
void DrawTimeAxis(cairo_t* cr, const Report& r, const ChartLayout& l, const Ticks& ticks) {
  cairo_set_font_size(cr, 11.5);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  double last_end = -1e9;
  for (UnixSeconds t : ticks.at) {
    const double x = std::round(l.X(t)) + 0.5;
    std::string label = DayLabel(t, ticks.with_time);
    if (!ticks.with_time) label = label.substr(0, label.rfind(' '));
    const double w = TextWidth(cr, label);
    if (x + w / 2 > l.width - 2 || x - w / 2 < last_end + 6) continue;
    Text(cr, x, l.axis_labels_y, label, 0.5, 0);
    last_end = x + w / 2;
  }
  std::string note = "Times in UTC";
  auto when = [](UnixSeconds t) {
    return DayLabel(t, false) +
           (t % 86400 != 0 ? DayLabel(t, true).substr(DayLabel(t, true).rfind(' ')) : "");
  };
  if (l.x_from > r.from)
    note += "; nothing measured from " + when(r.from) + " to " + when(l.x_from);
  if (l.x_until < r.until) {
    note += std::string(l.x_from > r.from ? ", nor" : "; nothing measured") + " from " +
            when(l.x_until) + " to the window's end, " + when(r.until);
  }
  FitFont(cr, note, l.right - l.left, 11);
  Text(cr, l.right, l.axis_labels_y + 15, note, 1, 0);
}

// An empty chart must not read as "nothing happened".
void DrawNoMeasurements(cairo_t* cr, const ChartLayout& l) {
  cairo_set_font_size(cr, 18);
  const double mid = (l.panels.front().top + l.panels.back().bottom) / 2;
  const std::string s = "No measurements in this window";
  const double w = TextWidth(cr, s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, (l.left + l.right) / 2 - w / 2 - 8, mid - 14, w + 16, 28);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  Text(cr, (l.left + l.right) / 2, mid, s, 0.5, 0.5);
}

// One key: a swatch drawn by `swatch` at (x, y - 7, 22, 14), then its text; returns the next x.
template <typename F>
double Key(cairo_t* cr, double x, double y, const std::string& text, F swatch) {
  swatch(x, y - 7);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Text(cr, x + 28, y, text, 0, 0.5);
  return x + 28 + TextWidth(cr, text) + 22;
}

// The marks' key: events, no data, the band; what 100% is.
void DrawLegend(cairo_t* cr, const Report& r, const ChartLayout& l) {
  const bool any_detector =
      std::any_of(r.signals.begin(), r.signals.end(),
                  [](const SignalLine& s) { return s.baseline == Baseline::kDetector; });
  const std::string events = !r.measured        ? ""
                             : r.events.empty() ? "no disruption detected in the measured span"
                                                : "detected disruption";
  const std::string band = any_detector ? "band: the detector's expected value ± its margin" : "";
  // Each key is its text plus 50 px (swatch and spacing).
  const std::string all = events + "no data (nothing measured)" + band + "100% = usual level";
  const double keys = (events.empty() ? 0 : 50) + 50 + (band.empty() ? 0 : 50);
  FitFont(cr, all, std::max(40.0, l.right - l.left - keys), 12);
  double x = l.left, y = l.legend_y;
  if (!events.empty()) {
    x = Key(cr, x, y, events, [&](double sx, double sy) {
      SetColour(cr, kEventColour, r.events.empty() ? 0 : kEventAlpha);
      cairo_rectangle(cr, sx, sy, 22, 14);
      cairo_fill(cr);
    });
  }
  x = Key(cr, x, y, "no data (nothing measured)",
          [&](double sx, double sy) { FillNoData(cr, sx, sy, 22, 14); });
  if (!band.empty()) {
    x = Key(cr, x, y, band, [&](double sx, double sy) {
      cairo_set_source_rgba(cr, 0.4, 0.4, 0.4, 0.25);
      cairo_rectangle(cr, sx, sy, 22, 14);
      cairo_fill(cr);
    });
  }
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Text(cr, x, y, "100% = usual level", 0, 0.5);
}

// Where the numbers come from (SIMULATION first when simulated).
void DrawFooter(cairo_t* cr, const Report& r, const ChartLayout& l) {
  const std::string s = r.provenance.ShortAttribution();
  FitFont(cr, s, l.width - l.left - 10, 11);
  if (r.provenance.simulation) {
    cairo_set_source_rgb(cr, 0.6, 0.0, 0.0);
  } else {
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  }
  Text(cr, l.left, l.footer_y, s, 0, 0.5);
}

Result<std::string> EncodePng(cairo_surface_t* surface, const Report& r) {
  cairo_surface_flush(surface);
  std::string png;
  if (cairo_surface_write_to_png_stream(surface, AppendPng, &png) != CAIRO_STATUS_SUCCESS) {
    return Internal("cannot encode the chart as PNG");
  }
  return AddPngText(std::move(png), ChartMetadata(r));
}

}  // namespace

Result<std::string> RenderChart(const Report& r, int width, int height) {
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height), cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return Internal("cannot create a cairo surface");
  }
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> ctx(cairo_create(surface.get()),
                                                         cairo_destroy);
  cairo_t* cr = ctx.get();
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  const ChartLayout layout = LayoutChart(r, width, height);
  const Ticks ticks = TimeTicks(layout);
  DrawTitle(cr, r, layout);
  for (const ChartPanel& p : layout.panels) DrawPanel(cr, r, layout, p, ticks);
  DrawTimeAxis(cr, r, layout, ticks);
  if (!r.measured) DrawNoMeasurements(cr, layout);
  DrawLegend(cr, r, layout);
  DrawFooter(cr, r, layout);
  return EncodePng(surface.get(), r);
}

std::vector<std::pair<std::string, std::string>> ChartMetadata(const Report& r) {
  std::vector<std::pair<std::string, std::string>> out = {
      {"Title", r.title + ", " + FormatIso8601(r.from) + " - " + FormatIso8601(r.until)},
      {"Source", r.provenance.Attribution()},
      {"Software", "blackout"}};
  if (r.provenance.simulation) {
    out.push_back(
        {"Warning", "SIMULATION: synthetic data, not measurements. " + r.provenance.notice});
  }
  return out;
}

namespace {

void PutBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(v >> shift & 0xff);
}

uint32_t GetBe32(std::string_view s, size_t pos) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(s[pos + i]);
  return v;
}

// tEXt is Latin-1 without NUL in the keyword; keep printable ASCII and turn the rest into '?'
// ("–" and other UTF-8 would otherwise be mis-read as Latin-1).
std::string Latin1Safe(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += ' ';
    } else if (c >= 0xc0) {
      out += '-';  // one character for each UTF-8 sequence
    }
  }
  return out;
}

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

}  // namespace

std::string AddPngText(std::string png,
                       const std::vector<std::pair<std::string, std::string>>& text) {
  // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC).
  const size_t after_ihdr = 8 + 25;
  if (png.size() < after_ihdr || png.compare(0, 8, kPngSignature) != 0) return png;
  std::string chunks;
  for (const auto& [key, value] : text) {
    std::string body = "tEXt" + Latin1Safe(key).substr(0, 79) + '\0' + Latin1Safe(value);
    PutBe32(chunks, static_cast<uint32_t>(body.size() - 4));
    chunks += body;
    PutBe32(chunks, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                                static_cast<uInt>(body.size()))));
  }
  png.insert(after_ihdr, chunks);
  return png;
}

std::vector<std::pair<std::string, std::string>> ReadPngText(std::string_view png) {
  std::vector<std::pair<std::string, std::string>> out;
  if (png.size() < 8 || png.substr(0, 8) != kPngSignature) return out;
  size_t pos = 8;
  while (pos + 12 <= png.size()) {
    const uint32_t len = GetBe32(png, pos);
    if (len > png.size() - pos - 12) break;
    std::string_view type = png.substr(pos + 4, 4);
    std::string_view data = png.substr(pos + 8, len);
    if (type == "tEXt") {
      auto nul = data.find('\0');
      if (nul != std::string_view::npos) {
        out.emplace_back(std::string(data.substr(0, nul)), std::string(data.substr(nul + 1)));
      }
    }
    if (type == "IEND") break;
    pos += 12 + len;
  }
  return out;
}

}  // namespace blackout::report
