#include "blackout/bgp/archive.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

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

namespace {

// Files of both kinds in [from, until), RIB first at equal times; `name(kind, t, &file)` fills
// `relative` and `url`.
template <typename Name>
std::vector<ArchiveFile> ListFiles(int64_t rib_period, int64_t updates_period, UnixSeconds from,
                                   UnixSeconds until, bool include_ribs, bool include_updates,
                                   const Name& name) {
  std::vector<ArchiveFile> out;
  // Far enough from INT64_MIN that BinStart cannot overflow; no archive is older.
  from = std::max(from, std::numeric_limits<UnixSeconds>::min() / 2);
  auto add = [&](ArchiveFileKind kind, int64_t period) {
    if (period <= 0) return;
    for (UnixSeconds t = BinStart(from, period); t < until;) {
      ArchiveFile f;
      f.kind = kind;
      f.time = t;
      name(kind, t, &f);
      out.push_back(std::move(f));
      if (__builtin_add_overflow(t, period, &t)) break;  // the last file before INT64_MAX
    }
  };
  if (include_ribs) add(ArchiveFileKind::kRib, rib_period);
  if (include_updates) add(ArchiveFileKind::kUpdates, updates_period);
  std::stable_sort(out.begin(), out.end(), [](const ArchiveFile& a, const ArchiveFile& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.kind == ArchiveFileKind::kRib && b.kind != ArchiveFileKind::kRib;
  });
  return out;
}

std::string TrimSlashes(std::string_view base_url) {
  std::string base(base_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

bool SafeSegment(std::string_view s) {
  return !s.empty() && s != "." && s != ".." && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

constexpr char kOpen = '{';  // named once: brace-counting tools (the lint) misread '{' in code
constexpr std::string_view kPlaceholders[] = {"{YYYYMMDD}", "{HHMM}", "{YYYY}", "{MM}",
                                              "{DD}",       "{HH}",   "{mm}"};

// The collector name of a template: the folder above the first folder with a placeholder
// ("rrc00" in .../rrc00/{YYYY}.{MM}/...), skipping RouteViews' "bgpdata"; "route-views2" for a
// RouteViews-style template at the archive root.
std::string TemplateCollector(std::string_view url) {
  std::vector<std::string> parts;
  size_t scheme = url.find("://");
  std::string_view path = url.substr(scheme == std::string_view::npos ? 0 : scheme + 3);
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].find(kOpen) == std::string::npos) continue;
    size_t j = i - 1;
    if (parts[j] == "bgpdata") return j >= 2 ? parts[j - 1] : "route-views2";
    return j >= 1 ? parts[j] : "";
  }
  return "";
}

// The templates of a project's layout below `base`: ArchivePath with placeholders for the time.
void SetProjectTemplates(const Collector& c, std::string_view base, ArchiveSource* s) {
  std::string root = TrimSlashes(base) + "/";
  if (c.project == ArchiveProject::kRis) {
    s->updates_url = root + c.name + "/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz";
    s->rib_url = root + c.name + "/{YYYY}.{MM}/bview.{YYYYMMDD}.{HHMM}.gz";
  } else {
    std::string dir =
        root + (c.name == "route-views2" ? "" : c.name + "/") + "bgpdata/{YYYY}.{MM}/";
    s->updates_url = dir + "UPDATES/updates.{YYYYMMDD}.{HHMM}.bz2";
    s->rib_url = dir + "RIBS/rib.{YYYYMMDD}.{HHMM}.bz2";
  }
}

Status ApplyOption(ArchiveSource& s, std::string_view opt) {
  size_t eq = opt.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgument("archive source '" + s.spec + "': option '" + std::string(opt) +
                           "' is not KEY=VALUE");
  }
  std::string key(opt.substr(0, eq)), value(opt.substr(eq + 1));
  auto number = [&](int64_t lo, int64_t hi) -> Result<int64_t> {
    char* end = nullptr;
    long long v = std::strtoll(value.c_str(), &end, 10);  // NOLINT(runtime/int)
    if (value.empty() || *end != '\0' || v < lo || v > hi) {
      return InvalidArgument("archive source '" + s.spec + "': " + key + " must be " +
                             std::to_string(lo) + ".." + std::to_string(hi));
    }
    return static_cast<int64_t>(v);
  };
  bool is_template = !s.archive;
  if (key == "backfill_days") {
    BLACKOUT_ASSIGN_OR_RETURN(int64_t d, number(0, 366));
    s.backfill_days = static_cast<int>(d);
  } else if (key == "base" && !is_template) {
    if (!IsArchiveSpec(value) || value.rfind("http", 0) != 0) {
      return InvalidArgument("archive source '" + s.spec + "': base must be an http(s) URL");
    }
    SetProjectTemplates(*s.archive, value, &s);
  } else if (key == "rib" && is_template) {
    s.rib_url = value;
  } else if (key == "period" && is_template) {
    BLACKOUT_ASSIGN_OR_RETURN(s.updates_period, number(60, 86400));
  } else if (key == "rib_period" && is_template) {
    BLACKOUT_ASSIGN_OR_RETURN(s.rib_period, number(60, 7 * 86400));
  } else if (key == "collector" && is_template) {
    if (!SafeSegment(value)) {
      return InvalidArgument("archive source '" + s.spec + "': collector '" + value +
                             "' must be letters, digits, '-', '_' or '.'");
    }
    s.collector = value;
  } else {
    return InvalidArgument("archive source '" + s.spec + "': unknown option '" + key + "'" +
                           (is_template ? " (rib, period, rib_period, collector, backfill_days)"
                                        : " (base, backfill_days)"));
  }
  return Status::Ok();
}

Status CheckTemplate(const std::string& spec, const std::string& t) {
  if (t.rfind("http://", 0) != 0 && t.rfind("https://", 0) != 0) {
    return InvalidArgument("archive source '" + spec + "': '" + t + "' is not an http(s) URL");
  }
  bool any = false;
  for (size_t p = t.find(kOpen); p != std::string::npos; p = t.find(kOpen, p + 1)) {
    bool known = false;
    for (auto ph : kPlaceholders) known |= t.compare(p, ph.size(), ph) == 0;
    if (!known) {
      return InvalidArgument("archive source '" + spec + "': unknown placeholder at '" +
                             t.substr(p, 12) + "' (use {YYYY} {MM} {DD} {HH} {mm} {YYYYMMDD} " +
                             "{HHMM})");
    }
    any = true;
  }
  // Files are told apart by name (the ledger key is COLLECTOR/NAME): the name needs the full time.
  std::string name = t.substr(t.rfind('/') + 1);
  auto has = [&](std::string_view ph) { return name.find(ph) != std::string::npos; };
  bool date = has("{YYYYMMDD}") || (has("{YYYY}") && has("{MM}") && has("{DD}"));
  bool time = has("{HHMM}") || (has("{HH}") && has("{mm}"));
  if (!any || !date || !time) {
    return InvalidArgument("archive source '" + spec + "': the file name in '" + t +
                           "' must hold the date and time ({YYYYMMDD} and {HHMM})");
  }
  return Status::Ok();
}

}  // namespace

std::vector<ArchiveFile> ListArchiveFiles(const Collector& c, std::string_view base_url,
                                          UnixSeconds from, UnixSeconds until, bool include_ribs,
                                          bool include_updates) {
  std::string base = TrimSlashes(base_url);
  return ListFiles(c.rib_period, c.updates_period, from, until, include_ribs, include_updates,
                   [&](ArchiveFileKind kind, UnixSeconds t, ArchiveFile* f) {
                     f->relative = ArchivePath(c, kind, t);
                     f->url = base + "/" + f->relative;
                   });
}

bool IsArchiveSpec(std::string_view spec) {
  for (std::string_view p : {"ris:", "routeviews:", "http://", "https://"}) {
    if (spec.substr(0, p.size()) == p) return true;
  }
  return false;
}

std::string ExpandTemplate(std::string_view tmpl, UnixSeconds time) {
  int64_t days = BinStart(time, 86400) / 86400;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t sec = time - days * 86400;
  auto two = [](long long v) {  // NOLINT(runtime/int)
    char b[24];
    std::snprintf(b, sizeof b, "%02lld", v);
    return std::string(b);
  };
  std::string yyyy = two(y), mm = two(m), dd = two(d), hh = two(sec / 3600),
              mi = two(sec % 3600 / 60);
  if (yyyy.size() < 4) yyyy = std::string(4 - yyyy.size(), '0') + yyyy;
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    std::string_view rest = tmpl.substr(i);
    std::string_view hit;
    for (auto ph : kPlaceholders) {
      if (rest.substr(0, ph.size()) == ph) hit = ph;
    }
    if (hit.empty()) {
      out += tmpl[i++];
      continue;
    }
    if (hit == "{YYYYMMDD}") out += yyyy + mm + dd;
    if (hit == "{HHMM}") out += hh + mi;
    if (hit == "{YYYY}") out += yyyy;
    if (hit == "{MM}") out += mm;
    if (hit == "{DD}") out += dd;
    if (hit == "{HH}") out += hh;
    if (hit == "{mm}") out += mi;
    i += hit.size();
  }
  return out;
}

Result<ArchiveSource> ParseArchiveSource(std::string_view spec) {
  ArchiveSource s;
  s.spec = std::string(spec);
  std::vector<std::string> words;
  for (size_t i = 0; i < spec.size();) {
    if (std::isspace(static_cast<unsigned char>(spec[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < spec.size() && !std::isspace(static_cast<unsigned char>(spec[j]))) ++j;
    words.emplace_back(spec.substr(i, j - i));
    i = j;
  }
  if (words.empty()) return InvalidArgument("empty archive source");
  const std::string& head = words[0];
  if (head.rfind("ris:", 0) == 0 || head.rfind("routeviews:", 0) == 0) {
    bool ris = head[1] == 'i';
    BLACKOUT_ASSIGN_OR_RETURN(Collector c, ParseCollector(head.substr(ris ? 4 : 11)));
    if ((c.project == ArchiveProject::kRis) != ris) {
      return InvalidArgument("archive source '" + s.spec + "': " + c.name + " is a " +
                             (ris ? "RouteViews" : "RIS") + " collector (write " +
                             (ris ? "routeviews:" : "ris:") + c.name + ")");
    }
    s.collector = c.name;
    s.updates_period = c.updates_period;
    s.rib_period = c.rib_period;
    SetProjectTemplates(c, DefaultBaseUrl(c.project), &s);
    s.archive = std::move(c);
  } else if (head.rfind("http://", 0) == 0 || head.rfind("https://", 0) == 0) {
    s.updates_url = head;
    std::string name = head.substr(head.rfind('/') + 1);
    if (name.rfind("updates.", 0) == 0) {
      size_t at = head.rfind("/UPDATES/updates.");
      if (at != std::string::npos) {
        s.rib_url = head.substr(0, at) + "/RIBS/rib." + head.substr(at + 17);
        s.updates_period = 900;
        s.rib_period = 7200;
      } else {
        s.rib_url = head.substr(0, head.size() - name.size()) + "bview." + name.substr(8);
        s.rib_period = 8 * kHour;
      }
    }
    s.collector = TemplateCollector(head);
  } else {
    return InvalidArgument("archive source '" + s.spec +
                           "': expected ris:rrcNN, routeviews:NAME or an http(s) URL template");
  }
  for (size_t i = 1; i < words.size(); ++i) BLACKOUT_RETURN_IF_ERROR(ApplyOption(s, words[i]));
  if (!s.archive) {
    BLACKOUT_RETURN_IF_ERROR(CheckTemplate(s.spec, s.updates_url));
    if (!s.rib_url.empty()) BLACKOUT_RETURN_IF_ERROR(CheckTemplate(s.spec, s.rib_url));
    if (s.rib_url.empty()) s.rib_period = 0;
    if (!s.rib_url.empty() && s.rib_period <= 0) s.rib_period = 8 * kHour;
    if (!SafeSegment(s.collector)) {
      return InvalidArgument("archive source '" + s.spec +
                             "': cannot tell the collector from the URL; add collector=NAME");
    }
  }
  return s;
}

std::vector<ArchiveFile> ListSourceFiles(const ArchiveSource& s, UnixSeconds from,
                                         UnixSeconds until, bool include_ribs,
                                         bool include_updates) {
  return ListFiles(
      s.rib_url.empty() ? 0 : s.rib_period, s.updates_period, from, until, include_ribs,
      include_updates, [&](ArchiveFileKind kind, UnixSeconds t, ArchiveFile* f) {
        f->url = ExpandTemplate(kind == ArchiveFileKind::kRib ? s.rib_url : s.updates_url, t);
        if (s.archive) {
          f->relative = ArchivePath(*s.archive, kind, t);
        } else {
          std::string month = ExpandTemplate("{YYYY}.{MM}", t);
          f->relative = s.collector + "/" + month + "/" + f->url.substr(f->url.rfind('/') + 1);
        }
      });
}

}  // namespace blackout::bgp
