#include "blackout/bgp/archive.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>

namespace blackout::bgp {
namespace {

constexpr int64_t kHour = 3600;

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2021.01" and "20210101.0455" parts of a name.
void DateParts(UnixSeconds t, std::string* month_dir, std::string* stamp) {
  int64_t days = BinStart(t, 86400) / 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t sec = t - days * 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld.%02u", static_cast<long long>(y), m);
  *month_dir = buf;
  std::snprintf(buf, sizeof buf, "%04lld%02u%02u.%02d%02d", static_cast<long long>(y), m, d,
                static_cast<int>(sec / 3600), static_cast<int>(sec % 3600 / 60));
  *stamp = buf;
}

}  // namespace

Result<Collector> ParseCollector(std::string_view name) {
  Collector c;
  c.name = std::string(name);
  if (name.size() == 5 && name.substr(0, 3) == "rrc" && AllDigits(name.substr(3))) {
    c.project = ArchiveProject::kRis;
    c.rib_period = 8 * kHour;
    c.updates_period = 300;
    return c;
  }
  if (name.substr(0, 11) == "route-views") {
    std::string_view rest = name.substr(11);
    bool ok = rest.empty() || AllDigits(rest) ||
              (rest.size() > 1 && rest[0] == '.' &&
               std::all_of(rest.begin() + 1, rest.end(), [](char ch) {
                 return std::islower(static_cast<unsigned char>(ch)) ||
                        std::isdigit(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.';
               }));
    if (ok) {
      c.project = ArchiveProject::kRouteViews;
      c.rib_period = 2 * kHour;
      c.updates_period = 900;
      return c;
    }
  }
  return InvalidArgument("unknown collector '" + std::string(name) +
                         "' (expected rrcNN, route-views2, route-views.NAME or route-viewsN)");
}

std::string DefaultBaseUrl(ArchiveProject project) {
  return project == ArchiveProject::kRis ? "https://data.ris.ripe.net"
                                         : "http://archive.routeviews.org";
}

std::string ArchivePath(const Collector& c, ArchiveFileKind kind, UnixSeconds time) {
  std::string month, stamp;
  DateParts(time, &month, &stamp);
  if (c.project == ArchiveProject::kRis) {
    return c.name + "/" + month + "/" + (kind == ArchiveFileKind::kRib ? "bview." : "updates.") +
           stamp + ".gz";
  }
  std::string root = c.name == "route-views2" ? "" : c.name + "/";
  return root + "bgpdata/" + month + "/" +
         (kind == ArchiveFileKind::kRib ? "RIBS/rib." : "UPDATES/updates.") + stamp + ".bz2";
}

std::vector<ArchiveFile> ListArchiveFiles(const Collector& c, std::string_view base_url,
                                          UnixSeconds from, UnixSeconds until, bool include_ribs,
                                          bool include_updates) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::vector<ArchiveFile> out;
  // Far enough from INT64_MIN that BinStart cannot overflow; no archive is older.
  from = std::max(from, std::numeric_limits<UnixSeconds>::min() / 2);
  auto add = [&](ArchiveFileKind kind, int64_t period) {
    for (UnixSeconds t = BinStart(from, period); t < until;) {
      ArchiveFile f;
      f.kind = kind;
      f.time = t;
      f.relative = ArchivePath(c, kind, t);
      f.url = base + "/" + f.relative;
      out.push_back(std::move(f));
      if (__builtin_add_overflow(t, period, &t)) break;  // the last file before INT64_MAX
    }
  };
  if (include_ribs) add(ArchiveFileKind::kRib, c.rib_period);
  if (include_updates) add(ArchiveFileKind::kUpdates, c.updates_period);
  std::stable_sort(out.begin(), out.end(), [](const ArchiveFile& a, const ArchiveFile& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.kind == ArchiveFileKind::kRib && b.kind != ArchiveFileKind::kRib;
  });
  return out;
}

}  // namespace blackout::bgp
