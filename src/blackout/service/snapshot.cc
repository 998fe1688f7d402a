#include "blackout/service/snapshot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "blackout/ooni/events.h"
#include "blackout/report/provenance.h"
#include "blackout/store/entity_ref.h"
#include "blackout/store/store.h"

#ifdef BLACKOUT_HAVE_BGP
#include "blackout/bgp/live.h"
#endif

#ifdef BLACKOUT_HAVE_DETECT
#include "blackout/detect/config.h"
#include "blackout/detect/expected.h"
#endif

namespace blackout::service {

using namespace server;  // the read model the snapshot fills
namespace {

std::pair<std::string, std::string> Split(const std::string& entity) {
  store::EntityRef ref = store::EntityRef::FromCanonical(entity);
  return {ref.type(), ref.code()};
}

// The entity types the API serves; geoasn (a country-ASN pair, IODA's) when the geo data made
// its series (docs/api.md, "IODA clients").
bool IsServedType(const std::string& type) {
  return type == "country" || type == "region" || type == "asn" || type == "geoasn";
}

}  // namespace

#ifdef BLACKOUT_HAVE_DETECT
bool AttachExpected(const std::vector<Series*>& entity_series, const detect::DetectConfig& config) {
  // The detector's signal names; the inputs view the series' values (kept alive by the caller).
  std::vector<std::string> signals;
  signals.reserve(entity_series.size());
  for (const Series* s : entity_series) signals.push_back(store::CanonicalSignal(s->datasource));
  std::vector<detect::ExpectedInput> inputs;
  for (size_t k = 0; k < entity_series.size(); ++k) {
    const Series* s = entity_series[k];
    inputs.push_back({signals[k], s->from, s->step, s->values});
  }
  std::vector<detect::ExpectedSeries> out = detect::ComputeExpected(inputs, config);
  for (size_t k = 0; k < entity_series.size(); ++k) {
    if (!out[k].judged()) continue;
    entity_series[k]->expected = std::move(out[k].expected);
    entity_series[k]->lower = std::move(out[k].lower);
    entity_series[k]->level = std::move(out[k].level);
  }
  return true;
}
#else
bool AttachExpected(const std::vector<Series*>&, const detect::DetectConfig&) { return false; }
#endif

// Both from the signal registry (store/signals.h), like the store's exports.
Result<SnapshotStats> LoadSnapshot(store::Store& store, const NameLookup& names, MemoryData* data,
                                   const ParentLookup& parents,
                                   const detect::DetectConfig* detect_config,
                                   const AttrsLookup& attrs) {
  SnapshotStats stats;
  store::SeriesFilter combined;
  combined.source = std::string();
  BLACKOUT_ASSIGN_OR_RETURN(auto series, store.ReadSeriesMany(combined, 0, INT64_MAX));
  store::EventQuery eq;
  eq.limit = 0;
  BLACKOUT_ASSIGN_OR_RETURN(auto events, store.QueryEvents(eq));
  store::AlertQuery aq;
  aq.limit = 0;
  aq.min_level = store::Level::kWarning;
  BLACKOUT_ASSIGN_OR_RETURN(auto alerts, store.QueryAlerts(aq));

  // Entities: every one with a series or an event; relations from events' carriers and from the
  // code shapes (region/KZ-ALA belongs to country/KZ).
  std::map<std::string, Entity> entities;
  auto ensure = [&](const std::string& key) -> Entity* {
    auto [type, code] = Split(key);
    if (!IsServedType(type)) return nullptr;
    auto it = entities.find(key);
    if (it != entities.end()) return &it->second;
    Entity e;
    e.type = type;
    e.code = code;
    e.name = names ? names(key) : "";
    if (e.name.empty()) e.name = type == "asn" ? "AS" + code : code;
    if (attrs) e.attrs = attrs(key);
    if (parents) {
      e.related = parents(key);
    } else if ((type == "region" || type == "geoasn") && code.size() > 3 && code[2] == '-') {
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
    std::string ds = store::IodaDatasource(sig);
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
  // A live source's marks (bgp/live.h): its current, provisional bin and the latest bin a gap
  // overlapped, both of the bgp signal.
  auto live_mark = [&store](std::string_view key) -> UnixSeconds {
    auto v = store.GetState(key);
    if (!v.ok()) return 0;
    auto t = ParseTime(*v);
    return t.ok() ? *t : 0;
  };
#ifdef BLACKOUT_HAVE_BGP
  const UnixSeconds provisional = live_mark(bgp::kLiveProvisionalKey);
  const UnixSeconds gap = live_mark(bgp::kLiveGapKey);
#else
  const UnixSeconds provisional = 0, gap = 0;
  (void)live_mark;
#endif
  for (store::Series& s : series) {
    auto [type, code] = Split(s.key.entity);
    if (!IsServedType(type)) continue;
    Series out;
    out.entity_type = type;
    out.entity_code = code;
    out.datasource = store::IodaDatasource(s.key.signal);
    out.from = s.from;
    out.step = s.step;
    if (s.key.signal == store::kSignalBgp) {
      out.provisional_bin = provisional;
      out.gap_bin = gap;
    }
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
    x.datasource = store::IodaDatasource(a.signal);
    x.time = a.time;
    x.level = std::string(store::LevelName(a.level));
    x.condition = a.condition;
    x.value = a.value;
    x.history_value = a.expected;
    api_alerts.push_back(std::move(x));
  }
  stats.alerts = api_alerts.size();
  data->ReplaceAlerts(std::move(api_alerts));
  // The API serves the store's events as they are (one event model, server/data.h).
  stats.events = events.items.size();
  // A connectivity event that app blocking preceded says so (ooni/events.h; docs/ooni.md).
  ooni::JoinAppBlocking(&events.items);
  data->ReplaceEvents(std::move(events.items));
  // Where the data come from: the scenario's notice and the ingest ledger (docs/report.md).
  BLACKOUT_ASSIGN_OR_RETURN(auto provenance, report::ReadProvenance(store));
  data->ReplaceProvenance(std::move(provenance));
  return stats;
}

}  // namespace blackout::service
