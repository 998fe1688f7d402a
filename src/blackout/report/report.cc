// Report assembly: reads the store, lays the signals on the detector's expected values (or their
// median when the detector does not judge them), writes the statement.
#include "blackout/report/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <system_error>

#include "blackout/detect/expected.h"
#include "blackout/ooni/events.h"
#include "blackout/store/entity_ref.h"

namespace blackout::report {
namespace {

using store::Event;
using store::IsMissing;
using store::kMissing;

// Names from Debian's iso-codes, loaded once per process.
class IsoNames {
 public:
  static const IsoNames& Get(const std::filesystem::path& dir) {
    static const IsoNames* names = new IsoNames(dir);
    return *names;
  }
  std::string Find(std::string_view code) const {
    auto it = names_.find(std::string(code));
    return it == names_.end() ? "" : it->second;
  }
  // The country's top-level ISO 3166-2 subdivisions (those without a parent).
  int RegionCount(std::string_view country) const {
    auto it = regions_.find(std::string(country));
    return it == regions_.end() ? 0 : it->second;
  }

 private:
  explicit IsoNames(const std::filesystem::path& dir) {
    Load(dir / "iso_3166-1.json", "3166-1", "alpha_2");
    Load(dir / "iso_3166-2.json", "3166-2", "code");
  }
  void Load(const std::filesystem::path& file, const char* list, const char* key) {
    std::ifstream in(file);
    if (!in) return;
    auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains(list) || !j[list].is_array()) return;
    for (const auto& e : j[list]) {
      if (!e.contains(key) || !e.contains("name")) continue;
      std::string name = e.value("common_name", e["name"].get<std::string>());
      const std::string code = e[key].get<std::string>();
      names_[code] = name;
      if (std::string_view(list) == "3166-2" && !e.contains("parent") && code.size() > 3) {
        ++regions_[code.substr(0, 2)];
      }
    }
  }
  std::map<std::string, std::string> names_;
  std::map<std::string, int> regions_;  // country code -> top-level subdivisions
};

std::string CodeOf(std::string_view entity) {
  return store::EntityRef::FromCanonical(entity).code();
}

std::string NameOf(std::string_view entity, const ReportOptions& opt) {
  if (opt.name) {
    std::string n = opt.name(entity);
    if (!n.empty()) return n;
  }
  std::string_view type = store::EntityTypeOf(entity);
  if (type == "country" || type == "region") {
    std::string n = IsoNames::Get(opt.iso_dir).Find(CodeOf(entity));
    if (!n.empty()) return n;
  }
  if (type == "asn") return "AS" + CodeOf(entity);
  return CodeOf(entity);
}

// "Almaty (region/KZ-ALA)"; just the code when the name is the code.
std::string Labelled(std::string_view entity, const ReportOptions& opt) {
  std::string name = NameOf(entity, opt);
  std::string code = CodeOf(entity);
  if (store::EntityTypeOf(entity) == "asn") {
    return name == "AS" + code ? name : "AS" + code + " " + name;
  }
  return name == code ? code : name + " (" + code + ")";
}

double Median(std::vector<double> v) {
  if (v.empty()) return kMissing;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    m = (m + lower) / 2;
  }
  return m;
}

bool InEvent(UnixSeconds bin_start, int64_t step, const std::vector<Event>& events) {
  for (const auto& e : events) {
    if (bin_start + step > e.start && (!e.end || bin_start < *e.end)) return true;
  }
  return false;
}

// The lowest % of a signal over [from, until); kMissing when no bin is present.
double MinPercent(const SignalLine& s, UnixSeconds from, UnixSeconds until) {
  double lo = kMissing;
  for (size_t i = 0; i < s.percent.size(); ++i) {
    UnixSeconds t = s.series.from + s.series.step * static_cast<int64_t>(i);
    if (t + s.series.step <= from || t >= until || IsMissing(s.percent[i])) continue;
    if (IsMissing(lo) || s.percent[i] < lo) lo = s.percent[i];
  }
  return lo;
}

// One rounding everywhere (wording.h).
std::string Pct(double p) { return FormatPercent(p); }

// Human name of a signal in prose.
std::string SignalProse(std::string_view signal) {
  if (signal == "bgp") return "announced address space seen in BGP";
  if (signal == "probe") return "active probing (hosts answering pings)";
  if (signal == "darknet") return "unsolicited traffic seen by the network telescope";
  if (signal == "traffic") return "unique clients in the web-server logs ingested (not volume)";
  return std::string(signal);
}

std::string Scale(std::string_view entity) { return ScaleOf(entity); }

std::string PhaseProse(store::Phase p) {
  switch (p) {
    case store::Phase::kReducedConnectivity:
      return "Reduced connectivity";
    case store::Phase::kNearTotalBlackout:
      return "Near-total blackout";
    case store::Phase::kPartialRecovery:
      return "Partial recovery";
    case store::Phase::kTotalRecovery:
      return "Total recovery";
    case store::Phase::kNoData:
      return "No data";
  }
  return "Phase";
}

const SignalLine* FindSignal(const std::vector<SignalLine>& lines, std::string_view name) {
  for (const auto& s : lines) {
    if (s.signal == name) return &s;
  }
  return nullptr;
}

// The sentence on how the disruption was made, from the event's technique and measured depths.
std::string TechniqueSentence(const Event& e, const std::vector<SignalLine>& lines,
                              UnixSeconds until) {
  UnixSeconds end = e.end.value_or(until);
  auto depth = [&](std::string_view sig) {
    const SignalLine* s = FindSignal(lines, sig);
    return s ? MinPercent(*s, e.start, end) : kMissing;
  };
  double bgp = depth("bgp"), probe = depth("probe"), traffic = depth("traffic"),
         darknet = depth("darknet");
  // The data-plane signal that showed the event (so the sentence and the event's depth name the
  // same signal); else the one that fell furthest.
  std::string plane = "active probing";
  double plane_depth = probe;
  auto shows = [&](const char* sig) {
    return std::find(e.signals.begin(), e.signals.end(), sig) != e.signals.end();
  };
  if (shows("probe") && !IsMissing(probe)) {
    // keep probing
  } else if (shows("traffic") && !IsMissing(traffic)) {
    plane = "traffic (unique web clients)", plane_depth = traffic;
  } else if (IsMissing(plane_depth) || (!IsMissing(traffic) && traffic < plane_depth)) {
    if (!IsMissing(traffic)) plane = "traffic (unique web clients)", plane_depth = traffic;
  }
  if (IsMissing(plane_depth) && !IsMissing(darknet))
    plane = "telescope traffic", plane_depth = darknet;
  switch (e.technique) {
    case store::Technique::kPacketsFiltered:
      return std::string("BGP routes stayed announced") +
             (IsMissing(bgp) ? ""
              : bgp >= 99.5  ? " at their usual level"
                             : " (at least " + Pct(bgp) + " of their usual level)") +
             " while " + plane + " fell to " + Pct(plane_depth) +
             " of its usual level, consistent with filtering rather than route withdrawal.";
    case store::Technique::kRoutesWithdrawn:
      return "BGP routes were withdrawn: announced address space fell to " + Pct(bgp) +
             " of its usual level" +
             (IsMissing(plane_depth) ? "" : " and " + plane + " to " + Pct(plane_depth)) +
             ", consistent with route withdrawal.";
    case store::Technique::kThrottling:
      return "Traffic (unique web clients) fell to " + Pct(traffic) +
             " of its usual level while hosts stayed reachable" +
             (IsMissing(probe) ? "" : " (active probing lowest " + Pct(probe) + ")") +
             ", consistent with throttling rather than a shutdown.";
    case store::Technique::kMixed:
      return "BGP routes were withdrawn for part of the address space (announced space fell to " +
             Pct(bgp) + " of its usual level)" +
             (IsMissing(plane_depth)
                  ? ""
                  : " while " + plane + " fell further, to " + Pct(plane_depth)) +
             ": route withdrawal for part, filtering for more.";
    case store::Technique::kUnknown:
      break;
  }
  return "The measurements do not show how the disruption was made.";
}

// The applications OONI's measurements found blocked in the window (docs/ooni.md).
std::string AppBlockingSection(const Report& r) {
  if (r.app_events.empty()) return "";
  std::string md = "## Application blocking (OONI)\n\n";
  for (const Event& a : r.app_events) {
    md += "- " + FormatLongTime(a.start) + " – " +
          (a.end ? FormatLongTime(*a.end) : std::string("ongoing")) + ": " +
          ooni::AppBlockingSentence(a) + ".\n";
  }
  return md + "\nSource: " + std::string(ooni::kOoniAttribution) +
         ". An application counts as blocked when its measurements say so beyond chance (a "
         "false-positive rate, docs/ooni.md); this is no measurement of connectivity.\n\n";
}

std::string EventSection(const Event& e, size_t index, size_t count, const Report& r,
                         const ReportOptions& opt) {
  std::string md;
  if (count > 1) md += "## Event " + std::to_string(index + 1) + "\n\n";
  UnixSeconds end = e.end.value_or(r.until);
  md += "**" + Headline(e, r.name, TimeZoneOf(r.entity, r.name), r.until) + "**\n\n";
  md += "Metrics show " + Scale(r.entity) + " to internet connectivity in " + r.name + " from " +
        FormatLongTime(e.start);
  if (e.end) {
    md += " to " + FormatLongTime(*e.end) + " (" + FormatDuration(*e.end - e.start) + ")";
  } else {
    md += ", ongoing at the end of the window (" + FormatLongTime(r.until) + ", " +
          FormatDuration(r.until - e.start) + " so far)";
  }
  md += "; " + TechniqueSentence(e, r.signals, r.until) + "\n\n";

  md += "- Start: " + FormatIso8601(e.start) + "\n";
  md += "- End: " + (e.end ? FormatIso8601(*e.end) : std::string("ongoing")) + "\n";
  md += "- Duration: " + FormatDuration(end - e.start) + (e.end ? "" : " (so far)") + "\n";
  md += "- Depth: " + DepthPhrase(e.depth) +
        " (the lowest value / expected of the signal that showed it); score " +
        std::to_string(static_cast<int64_t>(std::llround(e.score))) + "\n";
  const auto before = ooni::AppBlockingBefore(e, r.app_events);
  md += "- Technique: " + ooni::TechniqueSequence(e, before) + "\n";
  for (const store::Event* a : before) {
    md += "- Before it, from " + FormatLongTime(a->start) + ": " + ooni::AppBlockingSentence(*a) +
          " (OONI, CC BY-NC-SA 4.0)\n";
  }
  if (!e.signals.empty()) {
    md += "- Signals showing it:";
    for (size_t i = 0; i < e.signals.size(); ++i) md += (i ? ", " : " ") + e.signals[i];
    md += "\n";
  }
  md +=
      "\nDepth per signal (the lowest, over the event's bins, of the value divided by the "
      "detector's expected value for the same bin, as used for the overall depth; a signal the "
      "detector does not judge is divided by its median outside events instead, as the Baseline "
      "column says):\n\n";
  md += "| Signal | Lowest | Baseline | What it measures |\n|---|---|---|---|\n";
  for (const auto& s : r.signals) {
    md += "| " + s.signal + " | " + Pct(MinPercent(s, e.start, end)) + " | " +
          (s.baseline == Baseline::kDetector ? "detector's expected value"
                                             : "median outside events") +
          " | " + SignalProse(s.signal) + " |\n";
  }
  md += "\n";
  if (!e.phases.empty()) {
    md += "Phases:\n\n";
    for (const auto& p : e.phases) {
      md += "- " + PhaseProse(p.phase) + ": " + FormatLongTime(p.start) + " – " +
            (p.end ? FormatLongTime(*p.end) : std::string("ongoing"));
      if (!IsMissing(p.depth))
        md += " (at its lowest " + Pct(p.depth * 100) + " of the usual level)";
      md += "\n";
    }
    md += "\n";
  }
  std::vector<std::string> regions, asns, others;
  for (const auto& rel : e.related) {
    std::string_view type = store::EntityTypeOf(rel);
    if (type == "region") {
      regions.push_back(Labelled(rel, opt));
    } else if (type == "asn" || type == "geoasn") {
      asns.push_back(Labelled(rel, opt));
    } else {
      others.push_back(Labelled(rel, opt));
    }
  }
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    md += std::string(title) + ": ";
    for (size_t i = 0; i < items.size(); ++i) md += (i ? ", " : "") + items[i];
    md += ".\n\n";
  };
  list("Affected regions", regions);
  list("Affected networks (ASNs)", asns);
  list("Other related entities", others);
  return md;
}

// "Regions: 2 of 17 regions of Kazakhstan have measurements in this window (...); the other 15
// have none, so this report says nothing about them."
std::string RegionSentence(const Report& r, const ReportOptions& opt) {
  const auto& c = *r.regions;
  const size_t n = c.measured.size();
  const size_t total = std::max(static_cast<size_t>(std::max(c.total, 0)), n);
  std::string md = "Regions measured: " + std::to_string(n) + " of " + std::to_string(total) +
                   " regions of " + r.name + (n == 1 ? " has" : " have") +
                   " measurements in this window";
  if (n > 0) {
    md += " (";
    for (size_t i = 0; i < n; ++i) md += (i ? ", " : "") + Labelled(c.measured[i], opt);
    md += ")";
  }
  if (total > n) {
    md += "; the other " + std::to_string(total - n) +
          " have none, so this report says nothing about them";
  }
  return md + ".\n\n";
}

// Says which baseline the percentages are of, naming the signals that fall back to their median.
std::string ChartCaption(const Report& r) {
  std::vector<std::string> median;
  bool any_detector = false;
  for (const auto& s : r.signals) {
    if (s.baseline == Baseline::kDetector) {
      any_detector = true;
    } else {
      median.push_back(s.signal);
    }
  }
  std::string names;
  for (size_t i = 0; i < median.size(); ++i) {
    names += (i == 0 ? "" : i + 1 == median.size() ? " and " : ", ") + median[i];
  }
  std::string c;
  if (any_detector) {
    c = "Each signal is drawn as a percentage of the detector's expected value for each bin "
        "(100% = expected level: the baseline the dashboard draws and the detector judged), with "
        "the detector's band shaded around 100% (its lower edge, expected - z x spread, and the "
        "mirror edge above)";
    if (!median.empty()) {
      c += "; the detector does not judge " + names + ", drawn instead as " +
           (median.size() == 1 ? "a percentage of its" : "percentages of their") +
           " median over the window outside the shaded events, without a band";
    }
    c += ". ";
  } else {
    c = "The detector judges none of these signals: each is drawn as a percentage of its median "
        "over the window outside the shaded events (100% = ordinary level). ";
  }
  c += "Shaded periods are the measured events; gaps are bins without measurements or without a "
       "baseline yet. Times are UTC.";
  return c;
}

// Others' records (curated lists): one sentence each, linked to the record's source.
std::string CuratedSection(const Report& r, const ReportOptions& opt) {
  if (!opt.curated || opt.curated->empty()) return "";
  std::string md = "## What others recorded\n\n";
  for (const curated::CuratedOutage& o : *opt.curated) {
    md += "- " + curated::Sentence(o, r.name);
    if (!o.link.empty() && o.link.find_first_of(" ()[]") == std::string::npos) {
      md += " [Source](" + o.link + ")";
    }
    md += "\n";
  }
  return md + "\n";
}

std::string Markdown(const Report& r, const ReportOptions& opt) {
  std::string md = "# " + r.title + "\n\n";
  if (r.provenance.simulation) {
    md += "> **" + std::string(kSimulationMark) +
          ": the data in this report are simulated, not measured.** " + r.provenance.notice +
          "\n\n";
  }
  md += "Window: " + FormatLongTime(r.from) + " – " + FormatLongTime(r.until) + "\n\n";
  if (r.events.empty() && !r.measured) {
    // No data is not "no disruption".
    md += "No measurements of " + r.name + " (" + r.entity + ") between " + FormatLongTime(r.from) +
          " and " + FormatLongTime(r.until) +
          ": the store holds no data for this period, so nothing can be said about internet "
          "connectivity in it.\n\n";
  } else if (r.events.empty()) {
    md += "No disruption to internet connectivity in " + r.name + " was measured between " +
          FormatLongTime(r.measured_from()) + " and " + FormatLongTime(r.measured_until()) +
          ": no event was detected in this window.\n\n";
  } else {
    for (size_t i = 0; i < r.events.size(); ++i) {
      md += EventSection(r.events[i], i, r.events.size(), r, opt);
    }
  }
  md += AppBlockingSection(r);
  md += CuratedSection(r, opt);
  if (r.measured && (r.first_measured > r.from || r.last_measured < r.until)) {
    md += "Measurements cover " + FormatLongTime(r.measured_from()) + " – " +
          FormatLongTime(r.measured_until()) +
          " of this window; outside that span nothing was measured.\n\n";
  }
  if (r.regions) md += RegionSentence(r, opt);
  md += "![Signals for " + r.name + "](" + r.file_stem + ".png)\n\n";
  md += "*" + r.chart_caption + "*\n\n";
  md += "---\n\n" + r.provenance.Attribution() +
        (r.provenance.simulation
             ? " This statement is generated from the simulation's events only; nothing in it "
               "was measured.\n"
             : " This statement is generated from measured events only.\n");
  return md;
}

}  // namespace

std::string CompactDate(UnixSeconds t) {
  const std::string iso = FormatIso8601(t);  // "2022-01-03T00:00:00Z"
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

std::string FileStem(std::string_view entity, UnixSeconds from, UnixSeconds until) {
  std::string e(entity);
  std::replace(e.begin(), e.end(), '/', '-');
  return "blackout-report-" + e + "-" + CompactDate(from) + "-" + CompactDate(until);
}

nlohmann::json EventJson(const Event& e, std::string_view name, UnixSeconds as_of) {
  using nlohmann::json;
  json phases = json::array();
  for (const auto& p : e.phases) {
    phases.push_back({{"phase", store::PhaseName(p.phase)},
                      {"start", p.start},
                      {"end", p.end ? json(*p.end) : json()},
                      {"depth", IsMissing(p.depth) ? json() : json(p.depth)}});
  }
  return {{"id", e.EffectiveId()},
          {"entity", e.entity},
          {"start", e.start},
          {"startIso", FormatIso8601(e.start)},
          {"end", e.end ? json(*e.end) : json()},
          {"endIso", e.end ? json(FormatIso8601(*e.end)) : json()},
          {"depth", IsMissing(e.depth) ? json() : json(e.depth)},
          {"score", e.score},
          {"signals", e.signals},
          {"phases", phases},
          {"technique", store::TechniqueName(e.technique)},
          {"related", e.related},
          {"method", e.method},
          {"depthText", DepthPhrase(e.depth)},
          {"durationText", FormatDuration(e.duration(as_of))},
          {"timeZone", TimeZoneOf(e.entity, name).value_or("")},
          {"headline", Headline(e, name.empty() ? std::string_view(e.entity) : name,
                                TimeZoneOf(e.entity, name), as_of)}};
}

Result<Report> ComposeReport(std::string_view entity, UnixSeconds from, UnixSeconds until,
                             std::vector<store::Event> events, std::vector<store::Series> series,
                             const ReportOptions& opt,
                             std::vector<detect::ExpectedSeries> expected) {
  BLACKOUT_RETURN_IF_ERROR(store::ValidateEntity(entity));
  if (from >= until) return InvalidArgument("--from must be before --until");
  if (opt.width < 320 || opt.width > 8000 || opt.height < 240 || opt.height > 8000) {
    return InvalidArgument("chart size " + std::to_string(opt.width) + " x " +
                           std::to_string(opt.height) +
                           " out of range: width 320-8000, height 240-8000 pixels");
  }
  Report r;
  r.entity = std::string(entity);
  r.name = NameOf(entity, opt);
  r.from = from;
  r.until = until;
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.start < b.start; });
  r.events = std::move(events);
  // Application blocking is no connectivity event (docs/ooni.md): kept apart.
  auto apps = std::stable_partition(r.events.begin(), r.events.end(),
                                    [](const Event& e) { return !ooni::IsAppBlockingEvent(e); });
  r.app_events.assign(std::make_move_iterator(apps), std::make_move_iterator(r.events.end()));
  r.events.erase(apps, r.events.end());
  // The canonical signals when present (BGP levels such as "bgp-25" would crowd the chart).
  static const std::set<std::string> kCanonical = {"bgp", "probe", "darknet", "traffic"};
  bool any_canonical = std::any_of(series.begin(), series.end(), [](const store::Series& s) {
    return kCanonical.count(s.key.signal) > 0;
  });
  if (!expected.empty() && expected.size() != series.size()) {
    return InvalidArgument("expected values must be given for every series or none");
  }
  for (size_t k = 0; k < series.size(); ++k) {
    store::Series& s = series[k];
    if (any_canonical && !kCanonical.count(s.key.signal)) continue;
    if (s.values.empty() || s.step <= 0) continue;
    const bool judged = !expected.empty() && expected[k].judged();
    if (judged && (expected[k].expected.size() != s.values.size() ||
                   expected[k].lower.size() != s.values.size())) {
      return InvalidArgument("expected values of " + s.key.signal + " do not match its bins");
    }
    // The bins starting in [from, until).
    const UnixSeconds s_until = s.from + s.step * static_cast<int64_t>(s.values.size());
    UnixSeconds first = std::max(from, s.from);
    first = s.from + (first - s.from + s.step - 1) / s.step * s.step;
    const UnixSeconds last = std::min(until, s_until);
    if (last <= first) continue;
    const auto begin = static_cast<std::ptrdiff_t>((first - s.from) / s.step);
    const auto end = std::min(static_cast<std::ptrdiff_t>((last - s.from + s.step - 1) / s.step),
                              static_cast<std::ptrdiff_t>(s.values.size()));
    SignalLine line;
    line.signal = s.key.signal;
    line.series.key = s.key;
    line.series.from = first;
    line.series.step = s.step;
    line.series.values.assign(s.values.begin() + begin, s.values.begin() + end);
    const std::vector<double>& values = line.series.values;
    line.percent.resize(values.size(), kMissing);
    if (judged) {
      line.baseline = Baseline::kDetector;
      line.expected.assign(expected[k].expected.begin() + begin,
                           expected[k].expected.begin() + end);
      line.lower.assign(expected[k].lower.begin() + begin, expected[k].lower.begin() + end);
      for (size_t i = 0; i < values.size(); ++i) {
        const double e = line.expected[i];
        if (!IsMissing(values[i]) && !IsMissing(e) && e != 0) {
          line.percent[i] = values[i] / e * 100;
        }
      }
    } else {
      std::vector<double> outside;
      for (size_t i = 0; i < values.size(); ++i) {
        UnixSeconds t = first + s.step * static_cast<int64_t>(i);
        if (!IsMissing(values[i]) && !InEvent(t, s.step, r.events)) outside.push_back(values[i]);
      }
      double med = Median(outside);
      line.reference = IsMissing(med) ? 0 : med;
      if (line.reference > 0) {
        for (size_t i = 0; i < values.size(); ++i) {
          if (!IsMissing(values[i])) line.percent[i] = values[i] / line.reference * 100;
        }
      }
    }
    r.signals.push_back(std::move(line));
  }
  {
    std::vector<std::string> signals;
    for (const store::Series& s : series) signals.push_back(s.key.signal);
    for (const Event& e : r.events)
      signals.insert(signals.end(), e.signals.begin(), e.signals.end());
    r.provenance = opt.provenance ? opt.provenance->ForSignals(signals) : Provenance{};
  }
  for (const SignalLine& line : r.signals) {
    for (size_t i = 0; i < line.series.values.size(); ++i) {
      if (IsMissing(line.series.values[i])) continue;
      const UnixSeconds t = line.series.from + line.series.step * static_cast<int64_t>(i);
      const UnixSeconds t_end = std::min(t + line.series.step, until);
      r.first_measured = r.measured ? std::min(r.first_measured, t) : t;
      r.last_measured = r.measured ? std::max(r.last_measured, t_end) : t_end;
      r.measured = true;
    }
  }
  if (store::EntityTypeOf(entity) == "country" && opt.regions) {
    r.regions = opt.regions;
    if (r.regions->total <= 0)
      r.regions->total = IsoNames::Get(opt.iso_dir).RegionCount(CodeOf(entity));
    std::sort(r.regions->measured.begin(), r.regions->measured.end());
  }
  r.file_stem = FileStem(entity, from, until);
  r.title = std::string(r.provenance.simulation ? "SIMULATION: " : "") +
            "Internet connectivity in " + r.name + " (" + r.entity + ")";
  r.chart_caption = ChartCaption(r);
  r.markdown = Markdown(r, opt);
  BLACKOUT_ASSIGN_OR_RETURN(r.png, RenderChart(r, opt.width, opt.height));
  return r;
}

Result<Report> BuildReport(store::Store& st, std::string_view entity, UnixSeconds from,
                           UnixSeconds until, const ReportOptions& opt) {
  BLACKOUT_RETURN_IF_ERROR(store::ValidateEntity(entity));
  if (from >= until) return InvalidArgument("--from must be before --until");
  store::EventQuery q;
  q.entities = {std::string(entity)};
  q.from = from;
  q.until = until;
  q.limit = 0;
  BLACKOUT_ASSIGN_OR_RETURN(auto page, st.QueryEvents(q));

  store::SeriesFilter f;
  f.entity = std::string(entity);
  f.source = "";
  BLACKOUT_ASSIGN_OR_RETURN(auto infos, st.ListSeries(f));
  if (infos.empty() && page.items.empty()) {
    // Any event at all (outside the window) still makes the entity known.
    store::EventQuery any;
    any.entities = {std::string(entity)};
    any.limit = 1;
    BLACKOUT_ASSIGN_OR_RETURN(auto all, st.QueryEvents(any));
    if (all.total == 0) {
      return NotFound("the store has no series and no events for " + std::string(entity));
    }
  }
  // The whole stored history: the detector's expected values depend on everything before the
  // window (DetectInStore runs from the entity's first stored bin). Every signal of the entity
  // goes in, since together they set the detection grid.
  BLACKOUT_ASSIGN_OR_RETURN(auto series, st.ReadSeriesMany(f, 0, INT64_MAX));
  ReportOptions with_provenance = opt;
  if (!with_provenance.curated) {
    BLACKOUT_ASSIGN_OR_RETURN(auto all, curated::LoadOutages(st));
    const std::vector<std::string> entities = {std::string(entity)};
    with_provenance.curated = curated::Select(all, entities, from, until);
  }
  if (!with_provenance.provenance) {
    BLACKOUT_ASSIGN_OR_RETURN(with_provenance.provenance, ReadProvenance(st));
  }
  if (store::EntityTypeOf(entity) == "country" && !with_provenance.regions) {
    // The country's regions with a value in the window (ISO 3166-2 codes start with the country's).
    RegionCoverage cov;
    store::SeriesFilter rf;
    rf.entity_type = "region";
    rf.source = "";
    BLACKOUT_ASSIGN_OR_RETURN(auto region_series, st.ListSeries(rf));
    const std::string prefix = "region/" + CodeOf(entity) + "-";
    std::set<std::string> measured;
    for (const store::SeriesInfo& info : region_series) {
      if (info.key.entity.rfind(prefix, 0) != 0 || measured.count(info.key.entity)) continue;
      if (info.last < from || info.first >= until) continue;
      BLACKOUT_ASSIGN_OR_RETURN(auto rs, st.ReadSeries(info.key, from, until));
      if (std::any_of(rs.values.begin(), rs.values.end(), [](double v) { return !IsMissing(v); })) {
        measured.insert(info.key.entity);
      }
    }
    cov.measured.assign(measured.begin(), measured.end());
    with_provenance.regions = std::move(cov);
  }
  std::vector<detect::ExpectedInput> inputs;
  for (const store::Series& s : series) inputs.push_back({s.key.signal, s.from, s.step, s.values});
  std::vector<detect::ExpectedSeries> expected =
      detect::ComputeExpected(inputs, opt.detect, entity);
  return ComposeReport(entity, from, until, std::move(page.items), std::move(series),
                       with_provenance, std::move(expected));
}

Status WriteReport(const Report& report, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create " + dir.string() + ": " + ec.message());
  auto write = [](const std::filesystem::path& p, const std::string& bytes) -> Status {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return IoError("cannot write " + p.string());
    return Status::Ok();
  };
  BLACKOUT_RETURN_IF_ERROR(write(dir / (report.file_stem + ".md"), report.markdown));
  return write(dir / (report.file_stem + ".png"), report.png);
}

}  // namespace blackout::report
