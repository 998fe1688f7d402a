// Shared wording of events, and local times through the IANA tz database (date/tz.h).

#include "blackout/report/wording.h"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "blackout/ooni/events.h"
#include "blackout/store/entity_ref.h"

namespace blackout::report {
namespace {

const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const date::time_zone* FindZone(std::string_view zone) {
  if (zone.empty()) return nullptr;
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    return nullptr;  // unknown name, or no tz database installed
  }
}

// "Asia/Almaty" -> "Almaty", "America/Argentina/Buenos_Aires" -> "Buenos Aires".
std::string CityOf(std::string_view zone) {
  auto slash = zone.rfind('/');
  std::string city(slash == std::string_view::npos ? zone : zone.substr(slash + 1));
  std::replace(city.begin(), city.end(), '_', ' ');
  return city;
}

}  // namespace

std::string FormatPercent(double pct) {
  if (store::IsMissing(pct) || !std::isfinite(pct)) return "n/a";
  char buf[32];
  // One decimal below 10% (the difference between 4.6% and 5.5% matters there), whole above.
  const double rounded1 = std::round(pct * 10) / 10;
  if (std::fabs(rounded1) < 10) {
    std::snprintf(buf, sizeof buf, "%.1f", rounded1);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", std::round(pct));
  }
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s + "%";
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 60) return "less than a minute";
  int64_t d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  std::string out;
  auto part = [&](int64_t n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += " ";
    out += std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  part(d, "day");
  part(h, "hour");
  part(m, "minute");
  return out;
}

std::string FormatLongTime(UnixSeconds t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t y = 0;
  unsigned m = 1, d = 1;
  CivilFromDays(days, &y, &m, &d);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u %s %lld %02lld:%02lld UTC", d, kMonths[m - 1],
                static_cast<long long>(y), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs % 3600 / 60));
  return buf;
}

std::string DepthPhrase(double depth) {
  if (store::IsMissing(depth) || !std::isfinite(depth)) {
    return "connectivity fell to an unknown level";
  }
  const double level = std::clamp(depth, 0.0, 10.0) * 100;
  if (level >= 100) {
    return "connectivity stayed at " + FormatPercent(level) + " of its usual level";
  }
  return "connectivity fell by " + FormatPercent(100 - level) + ", to " + FormatPercent(level) +
         " of its usual level";
}

namespace {

struct ZoneRow {
  std::string country, zone;
  std::vector<std::string> names;  // lower-cased city and comment names
};

// zone.tab's rows, read once per path.
const std::vector<ZoneRow>& ZoneRows(const std::string& zone_tab) {
  static std::mutex mu;
  static std::map<std::string, std::vector<ZoneRow>>* cache =
      new std::map<std::string, std::vector<ZoneRow>>();
  std::lock_guard lock(mu);
  auto it = cache->find(zone_tab);
  if (it != cache->end()) return it->second;
  std::vector<ZoneRow> rows;
  std::ifstream in(zone_tab);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 3) continue;
    ZoneRow r{cols[0], cols[2], {Lower(CityOf(cols[2]))}};
    if (cols.size() > 3) {
      std::stringstream cs(cols[3]);
      while (std::getline(cs, col, '/')) r.names.push_back(Lower(col));
    }
    rows.push_back(std::move(r));
  }
  return cache->emplace(zone_tab, std::move(rows)).first->second;
}

}  // namespace

std::optional<std::string> TimeZoneOf(std::string_view entity, std::string_view region_name,
                                      const std::string& zone_tab) {
  const std::string_view type = store::EntityTypeOf(entity);
  if (type != "country" && type != "region") return std::nullopt;
  const std::string code = store::EntityRef::FromCanonical(entity).code();
  if (code.size() < 2) return std::nullopt;
  const std::string country(code.substr(0, 2));
  const std::string region = Lower(region_name);
  std::string first;
  for (const ZoneRow& r : ZoneRows(zone_tab)) {
    if (r.country != country) continue;
    if (first.empty()) first = r.zone;
    if (type != "region" || region.empty()) break;
    // The zone's city and the comment's names ("Aqtobe/Aktobe", "West Kazakhstan").
    for (const std::string& n : r.names) {
      if (n.size() >= 4 && region.find(n) != std::string::npos) return r.zone;
    }
  }
  if (first.empty()) return std::nullopt;
  return first;
}

std::string UtcOffsetAt(UnixSeconds t, std::string_view zone) {
  const date::time_zone* z = FindZone(zone);
  if (!z) return "";
  const auto info = z->get_info(date::sys_seconds{std::chrono::seconds{t}});
  const int64_t off = info.offset.count();
  const int64_t a = off < 0 ? -off : off;
  std::string out = "UTC" + std::string(off < 0 ? "-" : "+") + std::to_string(a / 3600);
  if (a % 3600) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ":%02lld", static_cast<long long>(a % 3600 / 60));
    out += buf;
  }
  return out;
}

std::string FormatLocalTime(UnixSeconds t, std::string_view zone) {
  const date::time_zone* z = FindZone(zone);
  if (!z) return "";
  const auto info = z->get_info(date::sys_seconds{std::chrono::seconds{t}});
  const UnixSeconds local = t + info.offset.count();
  const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int64_t secs = local - days * 86400;
  int64_t y = 0;
  unsigned m = 1, d = 1;
  CivilFromDays(days, &y, &m, &d);
  // The date too when the local day differs from UTC's.
  const int64_t utc_days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  char buf[96];
  if (days != utc_days) {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld on %u %s", static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs % 3600 / 60), d, kMonths[m - 1]);
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs % 3600 / 60));
  }
  return std::string(buf) + " in " + CityOf(zone) + ", " + UtcOffsetAt(t, zone);
}

std::string ScaleOf(std::string_view entity) {
  std::string_view type = store::EntityTypeOf(entity);
  if (type == "country") return "a nation-scale disruption";
  if (type == "region") return "a regional disruption";
  if (type == "asn" || type == "geoasn") return "a network-level disruption";
  return "a disruption";
}

std::string Headline(const store::Event& e, std::string_view name, std::optional<std::string> zone,
                     UnixSeconds as_of) {
  if (ooni::IsAppBlockingEvent(e) ||
      std::find(e.signals.begin(), e.signals.end(), "app-blocking") != e.signals.end()) {
    // Application blocking (OONI, docs/ooni.md) is no connectivity disruption: its own words.
    std::string what = ooni::AppBlockingSentence(e);
    if (what.empty()) what = "Applications were found blocked by OONI Probe measurements";
    return what + (store::EntityTypeOf(e.entity) == "country" ? " in " : " on the network of ") +
           std::string(name) + " from " + FormatLongTime(e.start) +
           (e.end ? " to " + FormatLongTime(*e.end) : std::string(", ongoing")) +
           " (OONI data, CC BY-NC-SA 4.0).";
  }
  std::string when = FormatLongTime(e.start);           // "5 January 2022 10:45 UTC"
  const auto space = when.rfind(' ', when.size() - 5);  // before "HH:MM UTC"
  std::string out = ScaleOf(e.entity);
  out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  const std::string_view type = store::EntityTypeOf(e.entity);
  out += std::string(" of internet connectivity ") +
         (type == "asn" || type == "geoasn" ? "on the network of " : "in ") + std::string(name) +
         " began on " + when.substr(0, space) + " at " + when.substr(space + 1);
  const std::string local = zone ? FormatLocalTime(e.start, *zone) : std::string();
  if (!local.empty()) out += " (" + local + ")";
  out += ": " + DepthPhrase(e.depth);
  if (e.end) {
    out += ", for " + FormatDuration(*e.end - e.start) + ", until " + FormatLongTime(*e.end) +
           "; connectivity has recovered since.";
  } else {
    out += ", and the disruption is ongoing as of " + FormatLongTime(as_of) + " (" +
           FormatDuration(std::max<int64_t>(0, as_of - e.start)) + " so far).";
  }
  return out;
}

}  // namespace blackout::report
