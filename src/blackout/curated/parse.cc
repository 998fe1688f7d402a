// The three list formats (curated.h): column meanings in docs/annotations.md.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

#include "blackout/base/text.h"
#include "blackout/curated/csv.h"
#include "blackout/curated/curated.h"
#include "blackout/store/types.h"

namespace blackout::curated {
namespace {

using internal::CsvReader;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string part = Trim(s.substr(start, end - start));
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

// Header cells (trimmed, lower-case) to column numbers.
using Columns = std::map<std::string, size_t>;
Columns IndexHeader(const std::vector<std::string>& header) {
  Columns c;
  for (size_t i = 0; i < header.size(); ++i) c.emplace(AsciiLower(Trim(header[i])), i);
  return c;
}

class Row {
 public:
  Row(const Columns& c, const std::vector<std::string>& f) : c_(c), f_(f) {}
  // The trimmed cell of `name` ("" when the column or the cell is missing).
  std::string operator[](std::string_view name) const {
    auto it = c_.find(std::string(name));
    return it == c_.end() || it->second >= f_.size() ? "" : Trim(f_[it->second]);
  }

 private:
  const Columns& c_;
  const std::vector<std::string>& f_;
};

Status Problem(std::string_view file, uint64_t line, const std::string& what) {
  return DataLoss(std::string(file) + ":" + std::to_string(line) + ": " + what);
}

// "2022-01-04T00:00:00.000Z" or "2022-01-04" -> that day's 00:00 UTC.
std::optional<UnixSeconds> Day(std::string_view text) {
  if (text.size() < 10) return std::nullopt;
  auto t = ParseTime(text.substr(0, 10));
  if (!t.ok()) return std::nullopt;
  return *t;
}

// "4:40:00 PM", "11:00 PM", "3:20: AM", "17:00:00 PM" (a 24-hour clock wins over its AM/PM)
// -> seconds of the day.
std::optional<int64_t> ClockTime(std::string_view text) {
  std::vector<std::string> parts = Split(text, ' ');
  if (parts.empty() || parts.size() > 2) return std::nullopt;
  const std::string ap = parts.size() == 2 ? AsciiUpper(parts[1]) : "";
  if (!ap.empty() && ap != "AM" && ap != "PM") return std::nullopt;
  std::vector<std::string> hms = Split(parts[0], ':');
  if (hms.size() < 2 || hms.size() > 3) return std::nullopt;
  int v[3] = {0, 0, 0};
  for (size_t i = 0; i < hms.size(); ++i) {
    auto [p, ec] = std::from_chars(hms[i].data(), hms[i].data() + hms[i].size(), v[i]);
    if (ec != std::errc() || p != hms[i].data() + hms[i].size()) return std::nullopt;
  }
  int h = v[0];
  if (h < 0 || h > 23 || v[1] < 0 || v[1] > 59 || v[2] < 0 || v[2] > 60) return std::nullopt;
  if (h <= 12 && !ap.empty()) {
    if (h == 0) return std::nullopt;
    h = (h % 12) + (ap == "PM" ? 12 : 0);
  }
  return int64_t{h} * 3600 + v[1] * 60 + v[2];
}

// IODA's cells (UTC): "Wednesday, March 17, 2021, 4:40:00 PM", and in some rows
// "7/28/2020  17:00:00 PM" (month/day/year).
std::optional<UnixSeconds> IodaTime(std::string_view text) {
  static constexpr const char* kMonths[] = {"january",   "february", "march",    "april",
                                            "may",       "june",     "july",     "august",
                                            "september", "october",  "november", "december"};
  int day = 0, year = 0;
  unsigned month = 0;
  std::optional<int64_t> clock;
  std::vector<std::string> parts = Split(text, ',');
  if (parts.size() == 1) {
    std::vector<std::string> dt = Split(text, ' ');
    if (dt.empty()) return std::nullopt;
    int m = 0;
    if (std::sscanf(dt[0].c_str(), "%d/%d/%d", &m, &day, &year) != 3 || m < 1 || m > 12) {
      return std::nullopt;
    }
    month = static_cast<unsigned>(m);
    const size_t at = text.find(dt[0]) + dt[0].size();
    clock = ClockTime(Trim(text.substr(at)));
  } else {
    // "Saturday June 2, 2018, 8:00 AM" (a comma missing) has three parts.
    if (parts.size() == 3) parts.insert(parts.begin(), "");
    if (parts.size() != 4) return std::nullopt;
    std::vector<std::string> md = Split(parts[0] + " " + parts[1], ' ');
    if (md.size() < 2) return std::nullopt;
    md.erase(md.begin(), md.end() - 2);
    for (unsigned m = 0; m < 12; ++m) {
      if (AsciiLower(md[0]) == kMonths[m]) month = m + 1;
    }
    if (month == 0 || std::sscanf(md[1].c_str(), "%d", &day) != 1 ||
        std::sscanf(parts[2].c_str(), "%d", &year) != 1) {
      return std::nullopt;
    }
    clock = ClockTime(parts[3]);
  }
  if (!clock || day < 1 || day > 31 || year < 1970 || year > 2200) return std::nullopt;
  return DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 + *clock;
}

std::string ShortHash(std::string_view text) { return store::ContentHash(text).substr(0, 12); }

// `s` with every byte sequence that is no UTF-8 replaced by U+FFFD, so records are valid text
// everywhere they go (JSON answers, the stored form, Markdown).
std::string ValidUtf8(const std::string& s) {
  const bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return (c & 0x80) == 0; });
  if (ascii) return s;
  const std::string quoted =
      nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

void Sanitize(CuratedOutage& o) {
  for (std::string* f : {&o.id, &o.kind, &o.cause, &o.area, &o.link, &o.description}) {
    *f = ValidUtf8(*f);
  }
}

// Gives repeated ids a suffix ("-2", "-3") in file order, so every row is kept.
void Deduplicate(std::vector<CuratedOutage>& outages) {
  std::map<std::string, int> seen;
  for (CuratedOutage& o : outages) {
    const int n = ++seen[o.id];
    if (n > 1) o.id += "-" + std::to_string(n);
  }
}

std::string KeepItOnKind(std::string_view type) {
  const std::string t = AsciiLower(type);
  const bool shut = t.find("shutdown") != std::string::npos;
  const bool thr = t.find("throttl") != std::string::npos;
  return shut && thr ? "shutdown and throttling"
         : thr       ? "throttling"
         : shut      ? "shutdown"
                     : "outage";
}

// #KeepItOn's geo_scope, as "wide" (several states or provinces), "regional" (several places in
// one), "local" (one city, county or village) or "" (docs/annotations.md).
std::string KeepItOnScope(std::string_view scope) {
  const std::string t = AsciiLower(scope);
  if (t.find("more than one state") != std::string::npos) return "wide";
  if (t.find("same state") != std::string::npos) return "regional";
  if (t.find("only affected one") != std::string::npos) return "local";
  return "";
}

void ParseKeepItOnRow(const Row& r, uint64_t line, const PlaceNames& names, std::string_view file,
                      ParsedList* out) {
  CuratedOutage o;
  o.source = "keepiton";
  o.whole_days = true;
  const std::string start = r["start_date"], end = r["end_date"], country = r["country"];
  auto from = Day(start);
  if (!from)
    return out->problems.push_back(Problem(file, line, "bad start_date \"" + start + "\""));
  o.from = *from;
  if (!end.empty()) {
    auto last = Day(end);
    if (!last) return out->problems.push_back(Problem(file, line, "bad end_date \"" + end + "\""));
    if (*last < *from) {
      return out->problems.push_back(Problem(file, line, "end_date before start_date"));
    }
    o.until = *last + 86400;  // the last day is included
  }
  for (const std::string& c : Split(country, ';')) {
    const std::string code = names.Country(c);
    if (code.empty()) {
      return out->problems.push_back(Problem(file, line, "unknown country \"" + c + "\""));
    }
    o.entities.push_back("country/" + code);
  }
  if (o.entities.empty()) return out->problems.push_back(Problem(file, line, "no country"));
  o.kind = KeepItOnKind(r["shutdown_type"]);
  o.cause = r["actual_cause"];
  o.area = r["area_name"];
  o.scope = KeepItOnScope(r["geo_scope"]);
  // "Service-based" alone; "Full network, Service-based" cut the network too.
  const std::string extent = AsciiLower(r["shutdown_extent"]);
  o.service_based = extent.find("service") != std::string::npos &&
                    extent.find("full network") == std::string::npos;
  // A shutdown inside one state or province names it: the region too, when its name (or a
  // comma-separated part of it: "Imphal, Manipur") is a subdivision of the one country.
  if (o.entities.size() == 1 && (o.scope == "regional" || o.scope == "local")) {
    const std::string cc = o.entities[0].substr(o.entities[0].find('/') + 1);
    std::vector<std::string> parts = Split(o.area, ',');
    parts.insert(parts.begin(), o.area);
    for (const std::string& part : parts) {
      const std::string region = names.Region(cc, Trim(part));
      if (!region.empty()) {
        o.entities.push_back("region/" + region);
        break;
      }
    }
  }
  o.link = r["an_link"];
  if (o.link.empty())
    o.link = Split(r["info_source_link"], ';').empty()
                 ? ""
                 : Split(Split(r["info_source_link"], ';')[0], ' ')[0];
  o.description = r["event"];
  o.id = ShortHash(country + "|" + start + "|" + o.area + "|" + r["shutdown_type"]);
  out->outages.push_back(std::move(o));
}

void ParseIodaRow(const Row& r, uint64_t line, const PlaceNames& names, std::string_view file,
                  ParsedList* out) {
  CuratedOutage o;
  o.source = "ioda-investigated";
  o.id = r["id"];
  if (o.id.empty()) return out->problems.push_back(Problem(file, line, "no ID"));
  const std::string begin = r["begin time"], end = r["end time"];
  auto from = IodaTime(begin);
  if (!from)
    return out->problems.push_back(Problem(file, line, "bad Begin time \"" + begin + "\""));
  o.from = *from;
  if (!end.empty() && end != "N/A") {
    auto until = IodaTime(end);
    if (!until) return out->problems.push_back(Problem(file, line, "bad End time \"" + end + "\""));
    if (*until < *from) {
      return out->problems.push_back(Problem(file, line, "End time before Begin time"));
    }
    o.until = *until;
  }
  const std::string country = names.Country(r["country"]);
  if (country.empty()) {
    return out->problems.push_back(Problem(file, line, "unknown country \"" + r["country"] + "\""));
  }
  // "Country", "Region (Rangpur)", "AS (2514)".
  const std::string scope = r["scope (based on granularity at which the outage appears in ioda)"];
  const size_t open = scope.find('('), close = scope.rfind(')');
  const std::string inner = open != std::string::npos && close != std::string::npos && close > open
                                ? Trim(std::string_view(scope).substr(open + 1, close - open - 1))
                                : "";
  if (scope.rfind("AS", 0) == 0) {
    uint32_t asn = 0;
    auto [p, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), asn);
    if (ec != std::errc() || p != inner.data() + inner.size() || asn == 0) {
      return out->problems.push_back(Problem(file, line, "bad AS scope \"" + scope + "\""));
    }
    o.entities.push_back("asn/" + std::to_string(asn));
  } else if (scope.rfind("Region", 0) == 0) {
    const std::string region = names.Region(country, inner);
    // A region iso-codes does not name is attached to its country; `area` keeps its name.
    o.entities.push_back(region.empty() ? "country/" + country : "region/" + region);
  } else {
    o.entities.push_back("country/" + country);
  }
  o.area = inner.empty() ? "Nationwide" : inner;
  o.kind = "outage";
  o.cause = r["cause"];
  o.link = r["grafana urls"];
  o.description = r["notes"];
  out->outages.push_back(std::move(o));
}

// Radar's two CSV flattenings: "country_alpha2,country,startDate,..." (per country) and
// "Annotations id,Annotations data Source,..." (global).
void ParseRadarRow(const Row& r, uint64_t line, std::string_view file, ParsedList* out) {
  const bool global = !r["annotations id"].empty() || !r["annotations start date"].empty();
  auto col = [&](std::string_view flat, std::string_view by_country) {
    return global ? r[std::string("annotations ") + std::string(flat)] : r[by_country];
  };
  CuratedOutage o;
  o.source = "radar";
  const std::string start = col("start date", "startdate"), end = col("end date", "enddate");
  auto from = ParseTime(start);
  if (!from.ok()) {
    return out->problems.push_back(Problem(file, line, "bad start date \"" + start + "\""));
  }
  o.from = *from;
  if (!end.empty()) {
    auto until = ParseTime(end);
    if (!until.ok() || *until < *from) {
      return out->problems.push_back(Problem(file, line, "bad end date \"" + end + "\""));
    }
    o.until = *until;
  }
  for (const std::string& c : Split(col("locations", "country_alpha2"), ';')) {
    if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) ||
        !std::isalpha(static_cast<unsigned char>(c[1]))) {
      return out->problems.push_back(Problem(file, line, "bad location " + ValidUtf8(c)));
    }
    o.entities.push_back("country/" + AsciiUpper(c));
  }
  for (const std::string& a : Split(global ? r["annotations asns"] : "", ';')) {
    uint32_t asn = 0;
    auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), asn);
    if (ec != std::errc() || p != a.data() + a.size() || asn == 0) {
      return out->problems.push_back(Problem(file, line, "bad ASN " + a));
    }
    o.entities.push_back("asn/" + std::to_string(asn));
  }
  if (o.entities.empty()) return out->problems.push_back(Problem(file, line, "no location"));
  o.kind = AsciiLower(col("event type", "eventtype"));
  o.cause = col("outage.outage cause", "outage.outagecause");
  o.area = col("scope", "scope");
  o.link = col("linked url", "linkedurl");
  o.description = global ? r["annotations description"] : "";
  o.id = global ? r["annotations id"] : "";
  if (o.id.empty()) o.id = ShortHash(o.entities[0] + "|" + start + "|" + o.area);
  out->outages.push_back(std::move(o));
}

void ParseCsv(std::string_view text, ListFormat format, const PlaceNames& names,
              std::string_view file, ParsedList* out) {
  CsvReader csv(text);
  std::vector<std::string> fields;
  uint64_t line = 0;
  if (!csv.Next(&fields, &line)) {
    out->problems.push_back(Problem(file, 1, "empty file (no header)"));
    return;
  }
  const Columns cols = IndexHeader(fields);
  const char* needed = format == ListFormat::kKeepItOn           ? "start_date"
                       : format == ListFormat::kIodaInvestigated ? "begin time"
                       : cols.count("annotations start date")    ? "annotations start date"
                                                                 : "startdate";
  if (!cols.count(needed)) {
    out->problems.push_back(Problem(file, line,
                                    std::string("header has no \"") + needed + "\" column (not a " +
                                        std::string(ListFormatName(format)) + " list?)"));
    return;
  }
  while (csv.Next(&fields, &line)) {
    ++out->rows;
    if (csv.unterminated()) {
      out->problems.push_back(Problem(file, line, "quoted field never closed"));
      break;
    }
    const Row r(cols, fields);
    switch (format) {
      case ListFormat::kKeepItOn:
        ParseKeepItOnRow(r, line, names, file, out);
        break;
      case ListFormat::kIodaInvestigated:
        ParseIodaRow(r, line, names, file, out);
        break;
      case ListFormat::kRadar:
        ParseRadarRow(r, line, file, out);
        break;
    }
  }
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  const auto& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

// Radar's API answer: {"success":true,"result":{"annotations":[...]}} (or the result alone).
void ParseRadarJson(const nlohmann::json& doc, std::string_view file, ParsedList* out) {
  const nlohmann::json* list = nullptr;
  if (doc.is_object() && doc.contains("result") && doc["result"].is_object() &&
      doc["result"].contains("annotations")) {
    list = &doc["result"]["annotations"];
  } else if (doc.is_object() && doc.contains("annotations")) {
    list = &doc["annotations"];
  }
  if (!list || !list->is_array()) {
    out->problems.push_back(Problem(file, 1, "no annotations array (result.annotations)"));
    return;
  }
  for (size_t i = 0; i < list->size(); ++i) {
    ++out->rows;
    const nlohmann::json& a = (*list)[i];
    if (!a.is_object()) {
      out->problems.push_back(Problem(file, i + 1, "annotation is not an object"));
      continue;
    }
    Columns cols;
    std::vector<std::string> cells;
    auto add = [&](const std::string& name, std::string value) {
      cols.emplace(name, cells.size());
      cells.push_back(std::move(value));
    };
    add("annotations id", JsonString(a, "id"));
    add("annotations start date", JsonString(a, "startDate"));
    add("annotations end date", JsonString(a, "endDate"));
    add("annotations scope", JsonString(a, "scope"));
    add("annotations description", JsonString(a, "description"));
    add("annotations linked url", JsonString(a, "linkedUrl"));
    add("annotations event type", JsonString(a, "eventType"));
    std::string locs, asns;
    if (a.contains("locations") && a["locations"].is_array()) {
      for (const auto& l : a["locations"]) {
        if (l.is_string()) locs += (locs.empty() ? "" : ";") + l.get<std::string>();
      }
    }
    if (a.contains("asns") && a["asns"].is_array()) {
      for (const auto& n : a["asns"]) {
        if (n.is_number_integer() || n.is_string()) {
          asns += (asns.empty() ? "" : ";") +
                  (n.is_string() ? n.get<std::string>() : std::to_string(n.get<int64_t>()));
        }
      }
    }
    add("annotations locations", locs);
    add("annotations asns", asns);
    const nlohmann::json outage =
        a.contains("outage") && a["outage"].is_object() ? a["outage"] : nlohmann::json::object();
    add("annotations outage.outage cause", JsonString(outage, "outageCause"));
    // JSON has no lines: a problem names the annotation's position (1-based) instead.
    ParseRadarRow(Row(cols, cells), static_cast<uint64_t>(i + 1), file, out);
  }
}

}  // namespace

std::string_view ListFormatName(ListFormat f) {
  switch (f) {
    case ListFormat::kKeepItOn:
      return "keepiton";
    case ListFormat::kIodaInvestigated:
      return "ioda-investigated";
    case ListFormat::kRadar:
      return "radar";
  }
  return "?";
}

Result<ListFormat> ParseListFormat(std::string_view name) {
  for (ListFormat f : {ListFormat::kKeepItOn, ListFormat::kIodaInvestigated, ListFormat::kRadar}) {
    if (name == ListFormatName(f)) return f;
  }
  return InvalidArgument("unknown list format \"" + std::string(name) +
                         "\" (keepiton, ioda-investigated or radar)");
}

ParsedList ParseList(std::string_view text, ListFormat format, const PlaceNames& names,
                     std::string_view file) {
  ParsedList out;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (format == ListFormat::kRadar && first != std::string_view::npos && text[first] == '{') {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
      out.problems.push_back(Problem(file, 1, "not JSON"));
    } else {
      ParseRadarJson(doc, file, &out);
    }
  } else {
    ParseCsv(text, format, names, file, &out);
  }
  for (CuratedOutage& o : out.outages) Sanitize(o);
  Deduplicate(out.outages);
  return out;
}

}  // namespace blackout::curated
