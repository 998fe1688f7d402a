#include "blackout/server/snapshot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "blackout/store/store.h"

#ifdef BLACKOUT_HAVE_DETECT
#include "blackout/detect/baseline.h"
#include "blackout/detect/config.h"
#endif

namespace blackout::server {
namespace {

std::pair<std::string, std::string> Split(const std::string& entity) {
  auto slash = entity.find('/');
  if (slash == std::string::npos) return {"", entity};
  return {entity.substr(0, slash), entity.substr(slash + 1)};
}

}  // namespace

#ifdef BLACKOUT_HAVE_DETECT
bool AttachExpected(const std::vector<Series*>& entity_series, const detect::DetectConfig& config) {
  // The detectable series, on the entity's finest step from the start of its data: the grid
  // DetectInStore builds for the service's detection (from = 0, until = open).
  std::vector<std::pair<Series*, detect::Signal>> judged;
  std::vector<Series*> detectable;
  int64_t step = 0;
  UnixSeconds first = 0, last = 0;
  for (Series* s : entity_series) {
    const std::string signal = SignalForDatasource(s->datasource);
    auto sig = detect::ParseSignal(signal);
    if (!sig || signal != detect::SignalName(*sig) || s->values.empty() || s->step <= 0) continue;
    if (detectable.empty()) {
      step = s->step;
      first = s->from;
      last = s->until();
    }
    step = std::min(step, s->step);
    first = std::min(first, s->from);
    last = std::max(last, s->until());
    detectable.push_back(s);
    if (config.of(*sig).enabled) judged.emplace_back(s, *sig);
  }
  if (judged.empty()) return true;
  const UnixSeconds from = BinStart(first, step);
  if (last <= from) return true;
  const size_t bins = static_cast<size_t>((last - from + step - 1) / step);
  std::vector<std::optional<double>> values(bins);
  std::vector<detect::Verdict> verdicts(bins);
  for (auto [s, sig] : judged) {
    // The fine bins this series covers, as DetectInStore's Fill lays them out.
    std::fill(values.begin(), values.end(), std::nullopt);
    UnixSeconds t = std::max(from, s->from);
    if (s->step != step) t = from + (t - from + step - 1) / step * step;
    for (const UnixSeconds end = std::min(last, s->until()); t < end; t += step) {
      double v = s->values[static_cast<size_t>((t - s->from) / s->step)];
      if (!store::IsMissing(v)) values[static_cast<size_t>((t - from) / step)] = v;
    }
    detect::SignalDetector detector(config.of(sig), step);
    detector.StepMany(from, values, verdicts.data());
    const size_t n = s->values.size();
    s->expected.assign(n, NAN);
    s->lower.assign(n, NAN);
    s->level.assign(n, 0);
    // Served bin i covers [s->from + i * s->step, + s->step): the fine bins starting in it.
    for (size_t i = 0; i < n; ++i) {
      const UnixSeconds b0 = s->from + static_cast<int64_t>(i) * s->step;
      UnixSeconds f = std::max(from, b0);
      f = from + (f - from + step - 1) / step * step;
      double sum_e = 0, sum_l = 0;
      int count = 0;
      uint8_t level = 0;
      for (; f < b0 + s->step && f < last; f += step) {
        const detect::Verdict& v = verdicts[static_cast<size_t>((f - from) / step)];
        level = std::max(level, static_cast<uint8_t>(v.level));
        if (!v.expected) continue;
        sum_e += *v.expected;
        sum_l += v.lower;
        ++count;
      }
      if (count == 1) {
        s->expected[i] = sum_e;
        s->lower[i] = sum_l;
      } else if (count > 1) {
        s->expected[i] = sum_e / count;
        s->lower[i] = sum_l / count;
      }
      s->level[i] = level;
    }
  }
  return true;
}
#else
bool AttachExpected(const std::vector<Series*>&, const detect::DetectConfig&) { return false; }
#endif

std::string DatasourceForSignal(const std::string& signal) {
  if (signal == "probe") return "ping-slash24";
  if (signal == "darknet") return "merit-nt";
  return signal;
}

std::string SignalForDatasource(const std::string& datasource) {
  if (datasource == "ping-slash24") return "probe";
  if (datasource == "merit-nt") return "darknet";
  return datasource;
}

Result<SnapshotStats> LoadSnapshot(store::Store& store, const NameLookup& names, MemoryData* data,
                                   const ParentLookup& parents,
                                   const detect::DetectConfig* detect_config) {
  SnapshotStats stats;
  store::SeriesFilter combined;
  combined.source = std::string();
  BLACKOUT_ASSIGN_OR_RETURN(auto series, store.ReadSeriesMany(combined, 0, INT64_MAX));
  store::EventQuery eq;
  eq.limit = 0;
  BLACKOUT_ASSIGN_OR_RETURN(auto events, store.QueryEvents(eq));
  store::AlertQuery aq;
  aq.limit = 0;
  aq.min_level = store::AlertLevel::kWarning;
  BLACKOUT_ASSIGN_OR_RETURN(auto alerts, store.QueryAlerts(aq));

  // Entities: every one with a series or an event; relations from events' carriers and from the
  // code shapes (region/KZ-ALA belongs to country/KZ).
  std::map<std::string, Entity> entities;
  auto ensure = [&](const std::string& key) -> Entity* {
    auto [type, code] = Split(key);
    if (type != "country" && type != "region" && type != "asn") return nullptr;
    auto it = entities.find(key);
    if (it != entities.end()) return &it->second;
    Entity e;
    e.type = type;
    e.code = code;
    e.name = names ? names(key) : "";
    if (e.name.empty()) e.name = type == "asn" ? "AS" + code : code;
    if (parents) {
      e.related = parents(key);
    } else if (type == "region" && code.size() > 3 && code[2] == '-') {
      e.related.push_back("country/" + code.substr(0, 2));
    }
    return &entities.emplace(key, std::move(e)).first->second;
  };
  std::set<std::string> signals;
  for (const store::Series& s : series) {
    if (!ensure(s.key.entity)) continue;
    signals.insert(s.key.signal);
  }
  for (const store::Event& e : events.items) {
    if (!ensure(e.entity)) continue;
    for (const std::string& carrier : e.related) {
      Entity* child = ensure(carrier);
      if (child && std::find(child->related.begin(), child->related.end(), e.entity) ==
                       child->related.end()) {
        child->related.push_back(e.entity);
      }
    }
  }
  std::vector<Entity> list;
  for (auto& [k, e] : entities) list.push_back(e);
  stats.entities = list.size();

  std::vector<Datasource> datasources;
  auto defaults = DefaultDatasources();
  for (const std::string& sig : signals) {
    std::string ds = DatasourceForSignal(sig);
    auto it = std::find_if(defaults.begin(), defaults.end(),
                           [&](const Datasource& d) { return d.name == ds; });
    datasources.push_back(it != defaults.end() ? *it : Datasource{ds, ds, "", 300});
  }
  if (datasources.empty()) datasources = defaults;

  data->ReplaceEntities(std::move(list));
  data->ReplaceDatasources(std::move(datasources));
  // Grouped by entity (the store returns an entity's series together, but not necessarily in
  // entity order), so that each entity's expected values are computed on its own grid.
  std::map<std::string, std::vector<Series>> by_entity;
  for (store::Series& s : series) {
    auto [type, code] = Split(s.key.entity);
    if (type != "country" && type != "region" && type != "asn") continue;
    Series out;
    out.entity_type = type;
    out.entity_code = code;
    out.datasource = DatasourceForSignal(s.key.signal);
    out.from = s.from;
    out.step = s.step;
    out.values = std::move(s.values);
    by_entity[s.key.entity].push_back(std::move(out));
  }
  for (auto& [entity, list] : by_entity) {
    if (detect_config) {
      std::vector<Series*> ptrs;
      for (Series& s : list) ptrs.push_back(&s);
      AttachExpected(ptrs, *detect_config);
    }
    for (Series& s : list) {
      data->PutSeries(std::move(s));
      ++stats.series;
    }
  }
  std::vector<Alert> api_alerts;
  for (const store::Alert& a : alerts.items) {
    auto [type, code] = Split(a.entity);
    Alert x;
    x.entity_type = type;
    x.entity_code = code;
    x.datasource = DatasourceForSignal(a.signal);
    x.time = a.time;
    x.level = std::string(store::AlertLevelName(a.level));
    x.condition = a.condition;
    x.value = a.value;
    x.history_value = a.expected;
    api_alerts.push_back(std::move(x));
  }
  stats.alerts = api_alerts.size();
  data->ReplaceAlerts(std::move(api_alerts));
  std::vector<Event> api_events;
  for (const store::Event& e : events.items) {
    auto [type, code] = Split(e.entity);
    Event x;
    x.entity_type = type;
    x.entity_code = code;
    std::string ds;
    for (const std::string& sig : e.signals) {
      if (!ds.empty()) ds += ",";
      ds += DatasourceForSignal(sig);
    }
    x.datasource = ds;
    x.start = e.start;
    x.end = e.end.value_or(0);
    x.score = e.score;
    x.depth = e.depth;  // NaN when the detector could not say (served as null)
    x.method = e.technique == store::Technique::kUnknown
                   ? std::string()
                   : std::string(store::TechniqueName(e.technique));
    x.id = e.EffectiveId();
    x.technique = std::string(store::TechniqueName(e.technique));
    x.related = e.related;
    x.signals = e.signals;
    for (const store::EventPhase& p : e.phases) {
      x.phases.push_back(
          {std::string(store::PhaseName(p.phase)), p.start, p.end.value_or(0), p.depth});
    }
    api_events.push_back(std::move(x));
  }
  stats.events = api_events.size();
  data->ReplaceEvents(std::move(api_events));
  return stats;
}

}  // namespace blackout::server
