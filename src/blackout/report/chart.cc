// The report's chart, drawn with cairo into an ARGB image and encoded as PNG. Like the dashboard
// (web/src/chart.js), a signal the detector judges is drawn as % of the detector's expected value
// with its band: the lower edge (lower / expected) and its mirror (2 - lower / expected), filled
// in the signal's colour, translucent.
#include <cairo.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/report/report.h"

namespace blackout::report {
namespace {

struct Rgb {
  double r, g, b;
};

// Colours per signal (colour-blind-safe palette); unknown signals cycle through the rest.
Rgb SignalColour(const std::string& signal, size_t index) {
  if (signal == "bgp") return {0.0, 0.447, 0.698};
  if (signal == "probe") return {0.835, 0.369, 0.0};
  if (signal == "darknet") return {0.0, 0.620, 0.451};
  if (signal == "traffic") return {0.800, 0.475, 0.655};
  static const Rgb kOthers[] = {{0.337, 0.706, 0.914}, {0.902, 0.624, 0.0}, {0.3, 0.3, 0.3}};
  return kOthers[index % 3];
}

cairo_status_t AppendPng(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Text(cairo_t* cr, double x, double y, const std::string& s, double anchor_x = 0,
          double anchor_y = 0) {
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s.c_str(), &ext);
  cairo_move_to(cr, x - ext.width * anchor_x - ext.x_bearing,
                y - ext.height * anchor_y - ext.y_bearing);
  cairo_show_text(cr, s.c_str());
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
  const double W = width, H = height;
  const double left = 70, right = W - 20, top = 50, legend_h = 54, bottom = H - 40 - legend_h;

  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  // Title.
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_set_font_size(cr, 17);
  if (r.provenance.simulation) cairo_set_source_rgb(cr, 0.75, 0.0, 0.0);
  Text(cr, W / 2, 24,
       r.title + ", " + DayLabel(r.from, false) + " – " + DayLabel(r.until, false) + " UTC", 0.5,
       0.5);

  // The band of a detector-judged signal at bin i, in % of expected: [lo, hi] with hi the mirror
  // of lo about 100%; false where the detector had no baseline.
  auto band = [](const SignalLine& s, size_t i, double* lo, double* hi) {
    if (s.baseline != Baseline::kDetector || i >= s.expected.size()) return false;
    const double e = s.expected[i], l = s.lower[i];
    if (store::IsMissing(e) || store::IsMissing(l) || e == 0) return false;
    *lo = l / e * 100;
    *hi = 200 - *lo;
    return true;
  };
  // Y range: 0 .. max(120, highest value or band edge) capped at 300%.
  double ymax = 120;
  for (const auto& s : r.signals) {
    for (size_t i = 0; i < s.percent.size(); ++i) {
      double v = s.percent[i], lo = 0, hi = 0;
      if (!store::IsMissing(v)) ymax = std::max(ymax, std::min(v * 1.05, 300.0));
      if (band(s, i, &lo, &hi)) ymax = std::max(ymax, std::min(hi * 1.05, 300.0));
    }
  }
  double ystep = ymax <= 150 ? 20 : 50;
  ymax = std::ceil(ymax / ystep) * ystep;
  const double span = static_cast<double>(r.until - r.from);
  auto X = [&](UnixSeconds t) {
    return left + (right - left) * static_cast<double>(t - r.from) / span;
  };
  auto Y = [&](double pct) { return bottom - (bottom - top) * std::min(pct, ymax) / ymax; };

  // Shaded events.
  for (const auto& e : r.events) {
    double x0 = X(std::max(e.start, r.from));
    double x1 = X(std::min(e.end.value_or(r.until), r.until));
    cairo_set_source_rgba(cr, 0.90, 0.20, 0.20, 0.18);
    cairo_rectangle(cr, x0, top, std::max(x1 - x0, 1.0), bottom - top);
    cairo_fill(cr);
  }

  // Grid and Y labels.
  cairo_set_font_size(cr, 12);
  cairo_set_line_width(cr, 1);
  for (double v = 0; v <= ymax + 1e-9; v += ystep) {
    double y = std::round(Y(v)) + 0.5;
    cairo_set_source_rgba(cr, 0, 0, 0, v == 100 ? 0.35 : 0.12);
    cairo_move_to(cr, left, y);
    cairo_line_to(cr, right, y);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    Text(cr, left - 6, y, std::to_string(static_cast<int>(v)) + "%", 1, 0.5);
  }
  cairo_save(cr);
  cairo_translate(cr, 16, (top + bottom) / 2);
  cairo_rotate(cr, -M_PI / 2);
  bool any_detector = false, any_median = false;
  for (const auto& s : r.signals) {
    (s.baseline == Baseline::kDetector ? any_detector : any_median) = true;
  }
  Text(cr, 0, 0,
       any_detector ? (any_median ? "% of detector's expected value (or median)"
                                  : "% of detector's expected value")
                    : "% of median outside events",
       0.5, 0.5);
  cairo_restore(cr);

  // X ticks: days (or hours for windows of two days or less), at most ~12 labels.
  int64_t tick = span <= 2 * 86400 ? 3600 : 86400;
  while (span / static_cast<double>(tick) > 12) tick *= 2;
  bool with_time = tick < 86400;
  UnixSeconds first = BinStart(r.from, tick);
  if (first < r.from) first += tick;
  for (UnixSeconds t = first; t <= r.until; t += tick) {
    double x = std::round(X(t)) + 0.5;
    cairo_set_source_rgba(cr, 0, 0, 0, 0.12);
    cairo_move_to(cr, x, top);
    cairo_line_to(cr, x, bottom + 4);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    std::string label = DayLabel(t, with_time);
    if (!with_time) label = label.substr(0, label.rfind(' '));
    cairo_text_extents_t ext;
    cairo_text_extents(cr, label.c_str(), &ext);
    // A label that would be cut at the image's edge is left out (the tick line stays).
    if (x + ext.width / 2 <= W - 2) Text(cr, x, bottom + 8, label, 0.5, 0);
  }
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  Text(cr, right, bottom + 26, "UTC", 1, 0);

  // Axes box.
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_rectangle(cr, left + 0.5, top + 0.5, right - left - 1, bottom - top - 1);
  cairo_stroke(cr);

  cairo_save(cr);
  cairo_rectangle(cr, left, top, right - left, bottom - top);
  cairo_clip(cr);
  // Bands first, under every line: each run of bins with a baseline is one filled polygon (the
  // mirror edge left to right, then the lower edge back), each bin a flat step over its width.
  for (size_t k = 0; k < r.signals.size(); ++k) {
    const auto& s = r.signals[k];
    if (s.baseline != Baseline::kDetector) continue;
    Rgb c = SignalColour(s.signal, k);
    cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.22);
    const size_t n = s.expected.size();
    size_t i = 0;
    while (i < n) {
      double lo = 0, hi = 0;
      if (!band(s, i, &lo, &hi)) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < n && band(s, j, &lo, &hi)) ++j;
      auto x0 = [&](size_t b) {
        return X(s.series.from + s.series.step * static_cast<int64_t>(b));
      };
      for (size_t b = i; b < j; ++b) {
        band(s, b, &lo, &hi);
        if (b == i) {
          cairo_move_to(cr, x0(b), Y(hi));
        } else {
          cairo_line_to(cr, x0(b), Y(hi));
        }
        cairo_line_to(cr, x0(b + 1), Y(hi));
      }
      for (size_t b = j; b-- > i;) {
        band(s, b, &lo, &hi);
        cairo_line_to(cr, x0(b + 1), Y(lo));
        cairo_line_to(cr, x0(b), Y(lo));
      }
      cairo_close_path(cr);
      cairo_fill(cr);
      i = j;
    }
  }
  // Signal lines; missing bins break the line.
  cairo_set_line_width(cr, 1.8);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (size_t k = 0; k < r.signals.size(); ++k) {
    const auto& s = r.signals[k];
    Rgb c = SignalColour(s.signal, k);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    bool pen = false;
    for (size_t i = 0; i < s.percent.size(); ++i) {
      double v = s.percent[i];
      if (store::IsMissing(v)) {
        pen = false;
        continue;
      }
      UnixSeconds t = s.series.from + s.series.step * static_cast<int64_t>(i) + s.series.step / 2;
      if (!pen) {
        cairo_move_to(cr, X(t), Y(v));
        pen = true;
      } else {
        cairo_line_to(cr, X(t), Y(v));
      }
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);

  if (!r.measured) {
    // An empty chart must not read as "nothing happened".
    cairo_set_font_size(cr, 20);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    Text(cr, (left + right) / 2, (top + bottom) / 2, "No measurements in this window", 0.5, 0.5);
  }
  // Legend below the axis labels.
  cairo_set_font_size(cr, 13);
  double lx = left, ly = H - legend_h + 6;
  for (size_t k = 0; k < r.signals.size(); ++k) {
    Rgb c = SignalColour(r.signals[k].signal, k);
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
    cairo_set_line_width(cr, 3);
    cairo_move_to(cr, lx, ly + 8);
    cairo_line_to(cr, lx + 24, ly + 8);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    // The legend says which baseline the % is of, as the dashboard's does.
    std::string label = r.signals[k].signal + (r.signals[k].baseline == Baseline::kDetector
                                                   ? " (detector's expected)"
                                                   : " (median, not judged by the detector)");
    Text(cr, lx + 30, ly + 8, label, 0, 0.5);
    cairo_text_extents_t ext;
    cairo_text_extents(cr, label.c_str(), &ext);
    lx += 30 + ext.x_advance + 24;
  }
  cairo_set_source_rgba(cr, 0.90, 0.20, 0.20, 0.18);
  cairo_rectangle(cr, lx, ly, 24, 16);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  Text(cr, lx + 30, ly + 8,
       !r.measured        ? "no measurements in this window"
       : r.events.empty() ? "no event measured"
                          : "measured event",
       0, 0.5);
  cairo_set_font_size(cr, 11);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  Text(cr, left, ly + 30,
       std::string(any_detector ? "Band: the detector's expected value ± its significance margin."
                                : "Signals as % of their median outside events.") +
           " " + r.provenance.ShortAttribution(),
       0, 0.5);

  cairo_surface_flush(surface.get());
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), AppendPng, &png) != CAIRO_STATUS_SUCCESS) {
    return Internal("cannot encode the chart as PNG");
  }
  return AddPngText(std::move(png), ChartMetadata(r));
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
