#include "blackout/detect/store_detect.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "blackout/store/entity_ref.h"

namespace blackout::detect {

int64_t WarmupSeconds(const DetectConfig& config) {
  int64_t w = 0;
  for (Signal s : kAllSignals) {
    const SignalConfig& c = config.of(s);
    if (!c.enabled) continue;
    w = std::max(w, c.method == Method::kSeasonal ? (int64_t(c.lookback_days) + 1) * 86400
                                                  : c.window_seconds);
    w = std::max(w, c.min_history_seconds);
  }
  return w;
}

store::Alert ToStoreAlert(const Alert& a, int64_t step, const SignalConfig& config) {
  store::Alert out;
  out.entity = a.entity;
  out.signal = std::string(SignalName(a.signal));
  out.time = a.time;
  out.step = step;
  out.level = a.level == Level::kCritical ? Level::kCritical : Level::kWarning;
  out.value = a.value;
  out.expected = a.expected;
  out.method = std::string(MethodName(a.method));
  char buf[32];
  std::snprintf(buf, sizeof buf, "< %.2f",
                a.level == Level::kCritical ? config.critical : config.warning);
  out.condition = buf;
  return out;
}

store::Event ToStoreEvent(const Event& e) {
  store::Event out;
  out.entity = e.entity;
  out.start = e.start;
  out.end = e.end;
  out.depth = e.depth;
  out.score = e.score;
  for (Signal s : e.signals) out.signals.emplace_back(SignalName(s));
  for (const Phase& p : e.phases) {
    store::EventPhase ph;
    ph.phase = p.kind;
    ph.start = p.start;
    ph.end = p.end;
    ph.depth = p.depth;
    out.phases.push_back(ph);
  }
  out.technique = e.technique;
  out.related = e.carriers;
  out.method = "blackout-combined";
  // What the store's columns do not hold: when the final recovery began, and why an event ended
  // by declaration (docs/detect.md).
  nlohmann::json extra = nlohmann::json::object();
  if (e.restored) extra["restored"] = *e.restored;
  if (!e.end_reason.empty()) extra["endReason"] = e.end_reason;
  if (!extra.empty()) out.extra = extra.dump();
  return out;
}

std::vector<std::string> RegionParents(std::string_view entity) {
  auto country = store::EntityRef::FromCanonical(entity).CountryOfRegion();
  if (!country) return {};
  return {country->ToString()};
}

namespace {

// Lays the entity's signals on one grid of `step` from `from` (`bins` bins): a series of the same
// step is copied, a coarser one holds each value over the fine bins it covers.
void Fill(const store::Series& s, UnixSeconds from, int64_t step, size_t bins,
          std::vector<std::optional<double>>& out) {
  out.assign(bins, std::nullopt);
  if (s.values.empty()) return;
  const UnixSeconds until = from + static_cast<int64_t>(bins) * step;
  UnixSeconds t = std::max(from, s.from);
  if (s.step != step) t = from + (t - from + step - 1) / step * step;  // first fine bin in range
  const UnixSeconds end = std::min(until, s.until());
  if (s.step == step) {
    size_t i = static_cast<size_t>((t - s.from) / step), j = static_cast<size_t>((t - from) / step);
    for (; t < end; t += step, ++i, ++j) {
      if (!store::IsMissing(s.values[i])) out[j] = s.values[i];
    }
    return;
  }
  for (; t < end; t += step) {
    double v = s.at(t);
    if (!store::IsMissing(v)) out[static_cast<size_t>((t - from) / step)] = v;
  }
}

}  // namespace

Result<StoreDetectReport> DetectInStore(store::Store& st, const StoreDetectOptions& o) {
  if (o.from >= o.until) return InvalidArgument("detect: --from must be before --until");
  BLACKOUT_RETURN_IF_ERROR(ValidateConfig(o.config));
  StoreDetectReport report;
  const int64_t warmup = WarmupSeconds(o.config);
  const UnixSeconds read_from =
      o.from > std::numeric_limits<UnixSeconds>::min() + warmup ? o.from - warmup : o.from;
  auto parents_of = [&](std::string_view e) { return o.parents ? o.parents(e) : RegionParents(e); };

  store::SeriesFilter filter;
  filter.source = std::string();  // combined series only
  std::vector<store::Series> all;
  if (o.entity.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(all, st.ReadSeriesMany(filter, read_from, o.until));
  } else {
    // One entity, plus the entities belonging to it, so that its carriers are found.
    BLACKOUT_ASSIGN_OR_RETURN(std::vector<std::string> entities, st.ListEntities("", ""));
    for (const std::string& e : entities) {
      if (e != o.entity) {
        std::vector<std::string> ps = parents_of(e);
        if (std::find(ps.begin(), ps.end(), o.entity) == ps.end()) continue;
      }
      filter.entity = e;
      BLACKOUT_ASSIGN_OR_RETURN(std::vector<store::Series> some,
                                st.ReadSeriesMany(filter, read_from, o.until));
      for (store::Series& s : some) all.push_back(std::move(s));
    }
  }
  auto written = [&](const std::string& entity) { return o.entity.empty() || entity == o.entity; };

  // Group the four detectable signals by entity, on the entity's finest step.
  std::map<std::string, std::vector<const store::Series*>> by_entity;
  for (const store::Series& s : all) {
    if (!ParseSignal(s.key.signal) || s.values.empty() || s.step <= 0) continue;
    if (s.key.signal != SignalName(*ParseSignal(s.key.signal))) continue;  // canonical names only
    by_entity[s.key.entity].push_back(&s);
  }
  std::map<std::string, std::vector<Event>> events;
  std::map<std::string, std::vector<Alert>> alerts;
  std::map<std::string, int64_t> steps;
  for (const auto& [entity, list] : by_entity) {
    // The grid spans the entity's data within [read_from, until): detection starts where its
    // data starts, as the streaming detector did, and an open range (until far in the future)
    // costs nothing.
    int64_t step = list.front()->step;
    UnixSeconds first = list.front()->from, last = list.front()->until();
    for (const auto* s : list) {
      step = std::min(step, s->step);
      first = std::min(first, s->from);
      last = std::max(last, s->until());
    }
    EntitySeries es;
    es.entity = entity;
    es.step = step;
    es.from = BinStart(std::max(read_from, first), step);
    const UnixSeconds grid_until = std::min(o.until, last);
    if (grid_until <= es.from) continue;
    size_t bins = static_cast<size_t>((grid_until - es.from + step - 1) / step);
    for (const auto* s : list) {
      Fill(*s, es.from, step, bins, es.values[static_cast<int>(*ParseSignal(s->key.signal))]);
      if (written(entity)) ++report.series;
    }
    Detection d = DetectSeries(es, o.config);
    steps[entity] = step;
    if (!d.events.empty()) {
      auto& ev = events[entity];
      for (const Event& e : d.events) {
        if (e.end.value_or(o.until) > o.from) ev.push_back(e);
      }
    }
    if (!written(entity)) continue;
    ++report.entities;
    auto& al = alerts[entity];
    for (const Alert& a : d.alerts) {
      if (a.time >= o.from && a.time < o.until) al.push_back(a);
    }
  }

  // An entity's events list the entities belonging to it whose events overlap them.
  std::map<std::string, std::vector<Event>> children;
  for (const auto& [entity, list] : events) {
    if (list.empty()) continue;
    for (const std::string& p : parents_of(entity)) {
      auto it = events.find(p);
      if (it == events.end() || it->second.empty() || !written(p)) continue;
      auto& c = children[p];
      c.insert(c.end(), list.begin(), list.end());
    }
  }
  for (auto& [parent, kids] : children) AttachCarriers(events[parent], kids);

  store::WriteBatch batch;
  for (const auto& [entity, list] : by_entity) {
    (void)list;
    if (!written(entity)) continue;
    batch.DeleteAlerts(entity, o.from, o.until);
    batch.DeleteEvents(entity, o.from, o.until);
  }
  for (const auto& [entity, list] : alerts) {
    for (const Alert& a : list) {
      batch.AddAlert(ToStoreAlert(a, steps[entity], o.config.of(a.signal)));
      ++report.alerts;
    }
  }
  for (const auto& [entity, list] : events) {
    if (!written(entity)) continue;
    for (const Event& e : list) {
      batch.AddEvent(ToStoreEvent(e));
      report.events.push_back(e);
    }
  }
  if (o.write && !batch.empty()) {
    BLACKOUT_ASSIGN_OR_RETURN(store::ApplyOutcome outcome, st.Apply(batch));
    (void)outcome;
  }
  return report;
}

}  // namespace blackout::detect
