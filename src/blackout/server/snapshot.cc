#include "blackout/server/snapshot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "blackout/store/store.h"

namespace blackout::server {
namespace {

std::pair<std::string, std::string> Split(const std::string& entity) {
  auto slash = entity.find('/');
  if (slash == std::string::npos) return {"", entity};
  return {entity.substr(0, slash), entity.substr(slash + 1)};
}

}  // namespace

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
                                   const ParentLookup& parents) {
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
    data->PutSeries(std::move(out));
    ++stats.series;
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
