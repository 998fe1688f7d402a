#include "blackout/server/ioda.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "blackout/geo/continents.h"
#include "blackout/geo/entity.h"
#include "blackout/server/json_views.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/types.h"

namespace blackout::server {

using json = nlohmann::json;

bool IsIodaRequest(const httplib::Request& req) { return req.path.rfind("/ioda/", 0) == 0; }

std::string RegionAlias(std::string_view iso) {
  const geo::RegionCode r = geo::MakeRegionCode(iso);
  return r ? std::to_string(r) : std::string();
}

std::optional<std::string> RegionFromAlias(std::string_view text) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  const std::string iso = geo::RegionString(v);
  // Only the numbers MakeRegionCode makes: the round trip must give the same number back.
  if (iso.empty() || geo::MakeRegionCode(iso) != v) return std::nullopt;
  return iso;
}

std::string CanonicalCode(std::string_view type, std::string_view code) {
  if (type == "region") {
    if (auto iso = RegionFromAlias(code)) return *iso;
  }
  return std::string(code);
}

std::string ClientCode(bool ioda, std::string_view type, std::string_view code) {
  if (ioda && type == "region") {
    std::string alias = RegionAlias(code);
    if (!alias.empty()) return alias;
  }
  return std::string(code);
}

std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (comma > start) out.emplace_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

namespace {

// The country an entity lies in: its own code, a region's or geoasn's prefix, else the first
// country it is related to (an ASN's main country).
std::string CountryOf(const Entity& e) {
  if (e.type == "country") return e.code;
  if ((e.type == "region" || e.type == "geoasn") && e.code.size() > 3 && e.code[2] == '-') {
    return e.code.substr(0, 2);
  }
  for (const std::string& r : e.related) {
    const store::EntityRef ref = store::EntityRef::FromCanonical(r);
    if (ref.type() == "country") return std::string(ref.code());
  }
  return "";
}

// IODA's geographic path of a country: geo.<provider>.<continent>.<country>.
std::string GeoPath(const std::string& country) {
  std::string continent(geo::ContinentOf(country));
  if (continent.empty()) continent = "??";
  return "geo.blackout." + continent + "." + country;
}

}  // namespace

json IodaAttrs(const DataView& data, const Entity& e) {
  json attrs = json::object();
  for (const auto& [k, v] : e.attrs) attrs[k] = v;
  const std::string country = CountryOf(e);
  std::string fqid;
  if (e.type == "country") {
    fqid = GeoPath(e.code);
  } else if (e.type == "region") {
    fqid = GeoPath(country) + "." + RegionAlias(e.code);
  } else if (e.type == "asn") {
    fqid = "asn." + e.code;
    attrs["org"] = e.name;
  } else if (e.type == "geoasn") {
    const std::string asn = e.code.size() > 3 ? e.code.substr(3) : e.code;
    fqid = GeoPath(country) + ".asn." + asn;
    attrs["org"] = e.name;
  }
  if (!attrs.contains("fqid")) attrs["fqid"] = fqid;
  if (!country.empty()) {
    attrs["country_code"] = country;
    auto c = data.FindEntity("country", country);
    attrs["country_name"] = c ? c->name : country;
  }
  if (!attrs.contains("ip_count")) attrs["ip_count"] = nullptr;
  if (e.type == "region") attrs["iso_3166_2"] = e.code;
  return attrs;
}

json ClientEntityJson(const DataView& data, const Entity& e, bool ioda) {
  return {{"code", ClientCode(ioda, e.type, e.code)},
          {"name", e.name},
          {"type", e.type},
          {"attrs", IodaAttrs(data, e)}};
}

json ClientEntityRef(const DataView& data, const std::string& type, const std::string& code,
                     bool ioda) {
  auto e = data.FindEntity(type, code);
  if (e) return ClientEntityJson(data, *e, ioda);
  Entity unknown;
  unknown.type = type;
  unknown.code = code;
  unknown.name = code;
  return ClientEntityJson(data, unknown, ioda);
}

std::string IodaMethod(std::string_view datasource) {
  return datasource == "bgp" ? "median" : "seasonal";
}

double IodaScore(const Event& e) { return std::isfinite(e.score) ? 100.0 * e.score : 0.0; }

json IodaSourceScores(const Event& e, const std::vector<Alert>& alerts,
                      const std::vector<Datasource>& datasources) {
  // Each datasource's bin: the detector judges on the entity's finest grid, so a coarse signal's
  // alerts (probing's 660 s rounds) come every grid bin; the closest spacing of its alerts is the
  // bin they stand for, the native step when there is only one.
  std::map<std::string, int64_t> bin;
  std::map<std::string, UnixSeconds> last;
  for (const Alert& a : alerts) {
    auto it = last.find(a.datasource);
    if (it != last.end() && a.time > it->second) {
      const int64_t gap = a.time - it->second;
      auto b = bin.find(a.datasource);
      if (b == bin.end() || gap < b->second) bin[a.datasource] = gap;
    }
    last[a.datasource] = a.time;
  }
  json out = json::object();
  for (const Alert& a : alerts) {
    int64_t step = kDefaultStepSeconds;
    for (const Datasource& d : datasources) {
      if (d.name == a.datasource && d.native_step > 0) step = d.native_step;
    }
    if (auto b = bin.find(a.datasource); b != bin.end()) step = std::min(step, b->second);
    const double top = std::max(a.history_value, a.value);
    if (!std::isfinite(top) || top <= 0 || !std::isfinite(a.value)) continue;
    const double drop = std::max(0.0, (a.history_value - a.value) / top) * 100.0;
    const std::string key = a.datasource + "." + IodaMethod(a.datasource);
    out[key] = out.value(key, 0.0) + drop * static_cast<double>(step) / 60.0;
  }
  const double score = IodaScore(e);
  for (const std::string& signal : e.signals) {
    const std::string ds = store::IodaDatasource(signal);
    const std::string key = ds + "." + IodaMethod(ds);
    if (!out.contains(key)) out[key] = score;
  }
  if (out.empty()) out["overall"] = score;
  return out;
}

double IodaOverallScore(const json& source_scores) {
  double product = 1;
  for (const auto& [k, v] : source_scores.items()) product *= v.get<double>();
  return product;
}

double IodaOverallScore(const Event& e) { return IodaOverallScore(IodaSourceScores(e)); }

std::vector<Alert> LevelChanges(const std::vector<Alert>& bad, UnixSeconds until,
                                const std::vector<Datasource>& datasources,
                                const FirstValue& first_value) {
  auto step_of = [&](const std::string& ds) -> int64_t {
    for (const Datasource& d : datasources) {
      if (d.name == ds && d.native_step > 0) return d.native_step;
    }
    return kDefaultStepSeconds;
  };
  // Per series, in time order (the input's order within each series is kept).
  std::map<std::string, std::vector<const Alert*>> series;
  for (const Alert& a : bad) {
    series[a.entity_type + "/" + a.entity_code + "\n" + a.datasource].push_back(&a);
  }
  std::vector<Alert> out;
  // The recovery after `last` (a bad bin), measured before `next` (the next bad bin or the end).
  auto recover = [&](const Alert& last, UnixSeconds from, UnixSeconds next) {
    if (from >= next || !first_value) return;
    auto found = first_value(last, from, next);
    if (!found) return;  // no data after the bad run: not a recovery
    Alert normal = last;
    normal.time = found->first;
    normal.level = "normal";
    normal.condition = "recovered";
    normal.value = found->second;
    out.push_back(std::move(normal));
  };
  for (const auto& [key, list] : series) {
    const int64_t step = step_of(list.front()->datasource);
    const Alert* prev = nullptr;
    for (const Alert* a : list) {
      const bool contiguous = prev && a->time - prev->time <= step;
      if (prev && !contiguous) recover(*prev, prev->time + step, a->time);
      if (!contiguous || a->level != prev->level) out.push_back(*a);
      prev = a;
    }
    if (prev) recover(*prev, prev->time + step, until);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Alert& a, const Alert& b) { return a.time < b.time; });
  return out;
}

}  // namespace blackout::server
