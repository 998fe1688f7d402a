#include "blackout/store/series_io.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "blackout/base/text.h"
#include "blackout/store/ioda_csv.h"

namespace blackout::store {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '"')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      out.push_back(Trim(line.substr(start)));
      return out;
    }
    out.push_back(Trim(line.substr(start, comma - start)));
    start = comma + 1;
  }
}

// A value cell: empty = missing; otherwise a finite number.
bool ParseValue(std::string_view cell, double* v) {
  if (cell.empty()) {
    *v = kMissing;
    return true;
  }
  std::string s(cell);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return false;
  *v = d;
  return true;
}

// What a series file may name on top of the store's rules (ValidateEntity): no ',' or '"' in an
// entity (the csv written back could not hold it), and a source of at most 64 printable ASCII
// characters without spaces, commas or quotes (it is also a JSON string: no invalid UTF-8).
Status ValidateFileKey(const SeriesKey& key) {
  if (key.entity.find_first_of(",\"") != std::string::npos) {
    return InvalidArgument("entity must not contain ',' or '\"': '" + key.entity + "'");
  }
  if (key.source.size() > 64) return InvalidArgument("source longer than 64 characters");
  for (char ch : key.source) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '"') {
      return InvalidArgument(
          "source must be printable ASCII without spaces, ',' or '\"' (as in ris-rrc04)");
    }
  }
  return Status::Ok();
}

Status Problem(const std::string& file, uint64_t line, std::string message) {
  Location where;
  where.file = file;
  where.line = line;
  return Status(StatusCode::kDataLoss, std::move(message), std::move(where));
}

Result<ParsedSeriesFile> ParseIodaCsv(std::string_view text, const ImportOptions& opt,
                                      const std::string& file) {
  if (opt.entity.empty()) {
    return InvalidArgument(
        "ioda-csv files do not name their entity: give --entity (e.g. country/IQ)");
  }
  BLACKOUT_RETURN_IF_ERROR(ValidateEntity(opt.entity));
  BLACKOUT_ASSIGN_OR_RETURN(IodaCsvTable table, ParseIodaCsvTable(text, file));
  ParsedSeriesFile out;
  out.problems = std::move(table.problems);
  out.rows = table.rows_read;
  const int64_t step = opt.step > 0 ? opt.step : table.step;
  for (size_t c = 0; c < table.signals.size(); ++c) {
    SeriesKey key{opt.entity, table.signals[c], opt.source};
    std::vector<Point> pts;
    pts.reserve(table.rows.size());
    for (const IodaCsvRow& r : table.rows) pts.push_back(Point{r.time, r.values[c]});
    if (!pts.empty()) {
      out.batch.AddPoints(key, pts, step);
      ++out.series;
    }
  }
  return out;
}

Result<ParsedSeriesFile> ParseCsv(std::string_view text, const ImportOptions& opt,
                                  const std::string& file) {
  if (!opt.entity.empty()) BLACKOUT_RETURN_IF_ERROR(ValidateEntity(opt.entity));
  ParsedSeriesFile out;
  int64_t step = opt.step > 0 ? opt.step : kDefaultStepSeconds;
  std::set<SeriesKey> seen;
  LineReader lines(text);
  std::string_view line;
  uint64_t n = 0;
  bool first = true;
  while (lines.Next(&line, &n)) {
    if (Trim(line).empty() || Trim(line).starts_with("#")) continue;
    auto f = SplitCsv(line);
    if (first) {
      first = false;
      if (!f.empty() && AsciiLower(f[0]) == "entity") continue;  // header
    }
    ++out.rows;
    if (f.size() != 4 && f.size() != 5) {
      out.problems.push_back(Problem(file, n,
                                     "expected entity,signal,timestamp,value[,source], found " +
                                         std::to_string(f.size()) + " fields"));
      continue;
    }
    SeriesKey key{opt.entity.empty() ? std::string(f[0]) : opt.entity, CanonicalSignal(f[1]),
                  f.size() == 5 ? std::string(f[4]) : opt.source};
    if (Status s = ValidateEntity(key.entity); !s.ok()) {
      out.problems.push_back(Problem(file, n, s.message()));
      continue;
    }
    if (Status s = ValidateSignal(key.signal); !s.ok()) {
      out.problems.push_back(Problem(file, n, s.message()));
      continue;
    }
    if (Status s = ValidateFileKey(key); !s.ok()) {
      out.problems.push_back(Problem(file, n, s.message()));
      continue;
    }
    UnixSeconds t;
    if (!ParseSeriesTimestamp(f[2], &t)) {
      out.problems.push_back(Problem(file, n, "bad timestamp '" + std::string(f[2]) + "'"));
      continue;
    }
    double v;
    if (!ParseValue(f[3], &v)) {
      out.problems.push_back(Problem(file, n, "bad value '" + std::string(f[3]) + "'"));
      continue;
    }
    out.batch.AddPoint(key, t, v, step);
    seen.insert(std::move(key));
  }
  out.series = seen.size();
  return out;
}

Result<ParsedSeriesFile> ParseIodaJson(std::string_view text, const ImportOptions& opt,
                                       const std::string& file) {
  using nlohmann::json;
  if (!opt.entity.empty()) BLACKOUT_RETURN_IF_ERROR(ValidateEntity(opt.entity));
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    Location where;
    where.file = file;
    where.offset = e.byte;
    return Status(StatusCode::kDataLoss, std::string("not JSON: ") + e.what(), where);
  }
  ParsedSeriesFile out;
  // Accept the envelope, its `data`, a list of series, or one series.
  const json* data = &doc;
  if (doc.is_object() && doc.contains("data")) {
    if (doc.contains("error") && !doc["error"].is_null()) {
      const json& error = doc["error"];
      // Not dump(): it recurses, and the value may be nested arbitrarily deep.
      std::string what = error.is_string()       ? error.get<std::string>().substr(0, 200)
                         : error.is_structured() ? std::string("(an object or array)")
                                                 : error.dump();
      out.problems.push_back(Problem(file, 1, "response carries an error: " + what));
    }
    data = &doc["data"];
  }
  // Series are found in arrays nested at most kMaxDepth deep (IODA's are 2 deep: data[0][i]); a
  // deeper array is an item like any other non-series (reported), so the recursion, and the paths'
  // length, stay bounded whatever the input's nesting.
  constexpr int kMaxDepth = 8;
  std::vector<std::pair<std::string, const json*>> items;
  auto collect = [&](const json& j, const std::string& path, int depth, auto&& self) -> void {
    if (j.is_array() && depth < kMaxDepth) {
      for (size_t i = 0; i < j.size(); ++i) {
        self(j[i], path + "[" + std::to_string(i) + "]", depth + 1, self);
      }
    } else {
      items.emplace_back(path, &j);
    }
  };
  collect(*data, "data", 0, collect);
  std::set<SeriesKey> seen;
  for (const auto& [path, item] : items) {
    ++out.rows;
    auto bad = [&, p = path](std::string why) {
      Location where;
      where.file = file;
      Status s(StatusCode::kDataLoss, p + ": " + why, where);
      out.problems.push_back(s);
    };
    const json& s = *item;
    if (!s.is_object()) {
      bad("not a series object");
      continue;
    }
    auto str = [&](const char* k) {
      auto it = s.find(k);
      return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    // An integer that fits int64 (1e300 or 2^64-1 would not convert).
    auto num = [&](const char* k, int64_t* v) {
      auto it = s.find(k);
      if (it == s.end() || !it->is_number_integer()) return false;
      if (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t{INT64_MAX}) return false;
      *v = it->get<int64_t>();
      return true;
    };
    std::string entity = opt.entity;
    if (entity.empty()) entity = str("entityType") + "/" + str("entityCode");
    if (Status st = ValidateEntity(entity); !st.ok()) {
      bad(st.message());
      continue;
    }
    std::string signal = CanonicalSignal(str("datasource"));
    if (Status st = ValidateSignal(signal); !st.ok()) {
      bad(st.message());
      continue;
    }
    int64_t from = 0, step = 0;
    if (!num("from", &from)) {
      bad("no numeric 'from'");
      continue;
    }
    if (opt.step > 0) {
      step = opt.step;
    } else if (!num("step", &step) || step <= 0) {
      if (!num("nativeStep", &step) || step <= 0) {
        bad("no positive 'step'");
        continue;
      }
    }
    auto vit = s.find("values");
    if (vit == s.end() || !vit->is_array()) {
      bad("no 'values' array");
      continue;
    }
    // Every bin's time, from + i * step, must be representable (and BinStart of it too).
    constexpr int64_t kMaxAbsTime = int64_t{1} << 53;
    int64_t last = 0;
    if (from < -kMaxAbsTime || from > kMaxAbsTime ||
        __builtin_mul_overflow(static_cast<int64_t>(vit->size()), step, &last) ||
        __builtin_add_overflow(from, last, &last) || last > kMaxAbsTime) {
      bad("'from', 'step' and the number of values reach beyond +-2^53 s");
      continue;
    }
    std::vector<Point> pts;
    pts.reserve(vit->size());
    bool ok = true;
    for (size_t i = 0; i < vit->size(); ++i) {
      const json& v = (*vit)[i];
      double d;
      if (v.is_null()) {
        d = kMissing;
      } else if (v.is_number() && std::isfinite(v.get<double>())) {
        d = v.get<double>();
      } else {
        bad("values[" + std::to_string(i) +
            "] is not a number or null (nested values are not "
            "supported)");
        ok = false;
        break;
      }
      pts.push_back(Point{from + static_cast<int64_t>(i) * step, d});
    }
    if (!ok) continue;
    std::string source = str("subtype");
    if (source.empty()) source = opt.source;
    SeriesKey key{entity, signal, source};
    if (Status st = ValidateFileKey(key); !st.ok()) {
      bad(st.message());
      continue;
    }
    out.batch.AddPoints(key, pts, step);
    seen.insert(std::move(key));
  }
  out.series = seen.size();
  return out;
}

}  // namespace

Result<SeriesFormat> ParseSeriesFormat(std::string_view name) {
  if (name == "ioda-csv") return SeriesFormat::kIodaCsv;
  if (name == "ioda-json") return SeriesFormat::kIodaJson;
  if (name == "csv") return SeriesFormat::kCsv;
  return InvalidArgument("unknown series format '" + std::string(name) +
                         "' (want ioda-csv, ioda-json or csv)");
}

Result<ParsedSeriesFile> ParseSeriesFile(std::string_view contents, SeriesFormat format,
                                         const ImportOptions& options, const std::string& file) {
  if (options.step < 0) return InvalidArgument("step must be positive");
  BLACKOUT_RETURN_IF_ERROR(ValidateFileKey(SeriesKey{options.entity, "", options.source}));
  switch (format) {
    case SeriesFormat::kIodaCsv:
      return ParseIodaCsv(contents, options, file);
    case SeriesFormat::kIodaJson:
      return ParseIodaJson(contents, options, file);
    case SeriesFormat::kCsv:
      return ParseCsv(contents, options, file);
  }
  return InvalidArgument("unknown format");
}

namespace {

void WriteNumber(std::ostream& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.write(buf, r.ptr - buf);
}

}  // namespace

void WriteSeriesCsv(const std::vector<Series>& series, std::ostream& out) {
  bool with_source = std::any_of(series.begin(), series.end(),
                                 [](const Series& s) { return !s.key.source.empty(); });
  out << "entity,signal,timestamp,value" << (with_source ? ",source" : "") << "\n";
  for (const Series& s : series) {
    for (size_t i = 0; i < s.values.size(); ++i) {
      out << s.key.entity << ',' << s.key.signal << ',' << s.from + static_cast<int64_t>(i) * s.step
          << ',';
      if (!IsMissing(s.values[i])) WriteNumber(out, s.values[i]);
      if (with_source) out << ',' << s.key.source;
      out << '\n';
    }
  }
}

void WriteSeriesJson(const std::vector<Series>& series, std::ostream& out) {
  using nlohmann::json;
  json list = json::array();
  for (const Series& s : series) {
    std::string_view type = EntityTypeOf(s.key.entity);
    std::string code = s.key.entity.substr(type.size() + 1);
    json values = json::array();
    for (double v : s.values) values.push_back(IsMissing(v) ? json(nullptr) : json(v));
    list.push_back(json{{"entityType", type},
                        {"entityCode", code},
                        {"entityName", code},
                        {"datasource", IodaDatasource(s.key.signal)},
                        {"subtype", s.key.source},
                        {"from", s.from},
                        {"until", s.until()},
                        {"step", s.step},
                        {"nativeStep", s.step},
                        {"values", std::move(values)}});
  }
  json doc{{"type", "signals"}, {"error", nullptr}, {"data", json::array({std::move(list)})}};
  out << doc.dump() << "\n";
}

}  // namespace blackout::store
