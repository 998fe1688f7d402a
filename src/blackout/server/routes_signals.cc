// GET /api/v2/signals/raw/TYPE/CODE: an entity's signal series, downsampled to maxPoints, as the
// IODA JSON shape or as CSV, with the detector's expected values when asked (docs/api.md).
#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "blackout/report/report.h"
#include "blackout/server/ioda.h"
#include "blackout/server/params.h"
#include "blackout/server/routes.h"
#include "blackout/store/signals.h"

namespace blackout::server {
namespace {

// The mean of the finite values of v[i, i + n), NaN if none.
double MeanOf(const std::vector<double>& v, size_t i, size_t n) {
  double sum = 0;
  int count = 0;
  for (size_t j = i; j < std::min(v.size(), i + n); ++j) {
    if (std::isfinite(v[j])) {
      sum += v[j];
      ++count;
    }
  }
  return count ? sum / count : NAN;
}

// Merges `factor` bins into one: values, expected and lower by their mean, level by the worst.
Series Downsample(const Series& s, int64_t max_points) {
  if (static_cast<int64_t>(s.values.size()) <= max_points) return s;
  const size_t factor =
      static_cast<size_t>((static_cast<int64_t>(s.values.size()) + max_points - 1) / max_points);
  const bool expected = s.has_expected();
  Series out;
  out.entity_type = s.entity_type;
  out.entity_code = s.entity_code;
  out.datasource = s.datasource;
  out.from = s.from;
  out.step = s.step * static_cast<int64_t>(factor);
  for (size_t i = 0; i < s.values.size(); i += factor) {
    out.values.push_back(MeanOf(s.values, i, factor));
    if (!expected) continue;
    out.expected.push_back(MeanOf(s.expected, i, factor));
    out.lower.push_back(MeanOf(s.lower, i, factor));
    out.level.push_back(*std::max_element(
        s.level.begin() + static_cast<ptrdiff_t>(i),
        s.level.begin() + static_cast<ptrdiff_t>(std::min(s.level.size(), i + factor))));
  }
  return out;
}

// Appends `v` as a JSON number (shortest round-trip form) or null when not finite.
void AppendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

void AppendArray(std::string& out, const std::vector<double>& v) {
  out.reserve(out.size() + v.size() * 8 + 2);
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    AppendNumber(out, v[i]);
  }
  out += ']';
}

// Series::level's numbers by name (store::LevelName's).
std::string_view detect_level_name(uint8_t level) {
  return level < store::kNumLevels ? store::LevelName(static_cast<store::Level>(level))
                                   : std::string_view("unknown");
}

// `expected=true|false|1|0` (missing: false).
std::optional<bool> ParseFlag(const std::optional<std::string>& text) {
  if (!text || text->empty() || *text == "false" || *text == "0") return false;
  if (*text == "true" || *text == "1") return true;
  return std::nullopt;
}

// What one signals request asks for, validated.
struct SignalsQuery {
  std::string type, code, datasource;
  TimeRange range;
  int64_t max_points = 0;
  bool with_expected = false;
  bool ioda = false;  // under /ioda/v2: region codes as their numeric aliases
  // Every input of the answer but the data: the render cache's key.
  std::string Key(const std::string& format) const {
    return "signals\n" + type + "/" + code + "\n" + datasource + "\n" + std::to_string(range.from) +
           "\n" + std::to_string(range.until) + "\n" + std::to_string(max_points) + "\n" + format +
           (with_expected ? "\ne" : "\n") + (ioda ? "i" : "");
  }
};

std::string RenderCsv(const RouteContext& ctx, const SignalsQuery& q) {
  const std::string& type = q.type;
  const std::string& code = q.code;
  const bool with_expected = q.with_expected;
  auto series = ctx.data.GetSeries(type, code, q.datasource, q.range.from, q.range.until);
  // A comment line first: where the numbers come from, SIMULATION when simulated.
  std::vector<std::string> signals;
  for (const Series& x : series) signals.push_back(store::CanonicalSignal(x.datasource));
  std::string out = "# " + ctx.provenance()->ForSignals(signals).Attribution() + "\n";
  // Unix seconds and ISO 8601 UTC side by side: spreadsheets read the one, scripts the other.
  out += "timestamp,time,entityType,entityCode,datasource,value";
  out += with_expected ? ",expected,lower,level\n" : "\n";
  auto number = [&out](double v) {
    if (!std::isfinite(v)) return;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    out += buf;
  };
  for (const Series& raw : series) {
    Series s = Downsample(raw, q.max_points);
    for (size_t i = 0; i < s.values.size(); ++i) {
      const UnixSeconds t = s.from + s.step * static_cast<int64_t>(i);
      out += std::to_string(t) + "," + FormatIso8601(t) + "," + type + "," + code + "," +
             s.datasource + ",";
      number(s.values[i]);
      if (with_expected) {
        out += ',';
        if (s.has_expected()) {
          number(s.expected[i]);
          out += ',';
          number(s.lower[i]);
          out += ',';
          out += detect_level_name(s.level[i]);
        } else {
          out += ",,";
        }
      }
      out += "\n";
    }
  }
  return out;
}

// What a value of the series counts, from the signal registry (for the telescope, that its counts
// above 1,536 are HyperLogLog estimates and their error); "" for a signal the registry lacks.
std::string Measures(const std::string& datasource) {
  const store::SignalInfo* info = store::FindSignal(datasource);
  return info ? std::string(info->measures) : std::string();
}

// A live source's mark (Series::provisional_bin, gap_bin) when it falls in the answered bins: the
// start of the (downsampled) bin holding it; null otherwise.
std::string LiveMark(UnixSeconds bin, const Series& s) {
  if (bin <= 0 || bin < s.from || bin >= s.until() || s.step <= 0) return "null";
  return std::to_string(s.from + (bin - s.from) / s.step * s.step);
}

// Rendered by hand: a 30-day series has ~10^4 values per signal, and building a json tree for
// them costs more than the rest of the request.
// One entity's series as the inner array of IODA's [[...], [...]] (one per entity asked for).
std::string RenderJson(const RouteContext& ctx, const SignalsQuery& q, const Entity& entity) {
  const std::string& type = q.type;
  const std::string code = ClientCode(q.ioda, type, q.code);
  auto series = ctx.data.GetSeries(type, q.code, q.datasource, q.range.from, q.range.until);
  const std::string fqid = IodaAttrs(ctx.data, entity)["fqid"];
  std::string out = "[";
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& raw = series[k];
    Series s = Downsample(raw, q.max_points);
    if (k) out += ",";
    out += "{\"entityType\":" + Dump(type) + ",\"entityCode\":" + Dump(code) +
           ",\"entityName\":" + Dump(entity.name) + ",\"entityFqid\":" + Dump(fqid) +
           ",\"datasource\":" + Dump(s.datasource) +
           ",\"subtype\":\"\",\"measures\":" + Dump(Measures(s.datasource)) +
           ",\"from\":" + std::to_string(s.from) +
           ",\"until\":" + std::to_string(s.from + s.step * static_cast<int64_t>(s.values.size())) +
           ",\"step\":" + std::to_string(s.step) + ",\"nativeStep\":" + std::to_string(raw.step) +
           ",\"provisionalFrom\":" + LiveMark(raw.provisional_bin, s) +
           ",\"liveGapBin\":" + LiveMark(raw.gap_bin, s) + ",\"values\":";
    AppendArray(out, s.values);
    if (q.with_expected) {
      // null: the detector does not judge this signal (the client draws its own baseline).
      if (s.has_expected()) {
        out += ",\"expected\":";
        AppendArray(out, s.expected);
        out += ",\"lower\":";
        AppendArray(out, s.lower);
        out += ",\"levels\":[";
        for (size_t i = 0; i < s.level.size(); ++i) {
          if (i) out += ',';
          out += static_cast<char>('0' + std::min<uint8_t>(s.level[i], 9));
        }
        out += ']';
      } else {
        out += ",\"expected\":null,\"lower\":null,\"levels\":null";
      }
    }
    out += "}";
  }
  out += "]";
  return out;
}

// /signals/raw/TYPE/CODES and /signals/events/TYPE/CODES (the same series: blackout has no
// separate event-time signals). CODES may list entities ("KZ,UA"), each answered as one inner
// array; a region by its ISO code or its numeric alias.
void ServeSignals(const RouteContext& ctx, const httplib::Request& req, httplib::Response& res) {
  SignalsQuery q;
  q.ioda = IsIodaRequest(req);
  q.type = req.matches[2];
  const std::string& type = q.type;
  if (!IsEntityType(type)) {
    return SendError(req, res, 400, "signals", "entityType must be country, region, asn or geoasn");
  }
  std::vector<std::string> codes;
  for (const std::string& c : SplitList(std::string(req.matches[3]))) {
    if (!IsEntityCode(c)) return SendError(req, res, 400, "signals", "entityCode is malformed");
    codes.push_back(CanonicalCode(type, c));
  }
  if (codes.empty() || codes.size() > 100) {
    return SendError(req, res, 400, "signals", "entityCode is malformed");
  }
  auto range = ParseRange(Param(req, "from"), Param(req, "until"), ctx.options.now());
  if (!range.ok()) return SendError(req, res, 400, "signals", range.status().message());
  // IODA's dashboard sends maxPoints=null when it wants every point.
  std::optional<std::string> max_param = Param(req, "maxPoints");
  if (max_param && (*max_param == "null" || max_param->empty())) max_param.reset();
  auto max_points = ParseInt("maxPoints", max_param, kMaxPoints, 1, kMaxPoints);
  if (!max_points.ok()) return SendError(req, res, 400, "signals", max_points.status().message());
  q.datasource = Param(req, "datasource").value_or("");
  // A well-formed datasource this observatory does not serve (IODA's ping-slash24-loss,
  // upstream-delay-*, ...) is an empty answer, as IODA gives for a datasource without data; a
  // malformed name is an error.
  if (!q.datasource.empty() && !IsDatasourceName(q.datasource)) {
    return SendError(req, res, 400, "signals", "datasource is malformed");
  }
  std::vector<Entity> entities;
  for (const std::string& code : codes) {
    if (auto e = ctx.data.FindEntity(type, code)) entities.push_back(std::move(*e));
  }
  // One unknown entity is a 404 in blackout's API; IODA answers an empty list, and lists skip
  // the unknown ones in both.
  if (entities.empty() && codes.size() == 1 && !q.ioda) {
    return SendError(req, res, 404, "signals", "unknown entity " + type + "/" + codes[0]);
  }
  std::string format = Param(req, "format").value_or("json");
  if (format != "json" && format != "csv") {
    return SendError(req, res, 400, "signals", "format must be json or csv");
  }
  const std::optional<bool> with_expected = ParseFlag(Param(req, "expected"));
  if (!with_expected) return SendError(req, res, 400, "signals", "expected must be true or false");
  q.range = *range;
  q.max_points = *max_points;
  q.with_expected = *with_expected;
  // The answer depends only on the query and the data: cached per data generation.
  if (format == "csv") {
    if (entities.size() != 1) {
      return SendError(req, res, 400, "signals", "format=csv takes one known entity");
    }
    q.code = entities[0].code;
    const std::string& code = q.code;
    std::string csv = ctx.cache.Get(q.Key(format), [&] { return RenderCsv(ctx, q); });
    res.set_header("Content-Disposition",
                   "attachment; filename=\"" +
                       std::string(ctx.provenance()->simulation ? "SIMULATION-" : "") +
                       "blackout-" + type + "-" + code + "-" + report::CompactDate(range->from) +
                       "-" + report::CompactDate(range->until) + ".csv\"");
    SetBody(req, res, csv, "text/csv; charset=utf-8");
    return;
  }
  std::string list = "[";
  for (const Entity& e : entities) {
    q.code = e.code;
    if (list.size() > 1) list += ",";
    list += ctx.cache.Get(q.Key(format), [&] { return RenderJson(ctx, q, e); });
  }
  list += "]";
  SetBody(req, res, Envelope("signals", req, list, ""), "application/json");
}

}  // namespace

void RegisterSignalRoutes(httplib::Server& http, const RouteContext& ctx) {
  http.Get(
      R"(/(?:api|ioda)/v2/signals/(raw|events)/([^/]+)/([^/]+?)/?)",
      [ctx](const httplib::Request& req, httplib::Response& res) { ServeSignals(ctx, req, res); });
}

}  // namespace blackout::server
