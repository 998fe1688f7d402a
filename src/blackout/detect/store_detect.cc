#include "blackout/detect/store_detect.h"

#include <algorithm>
#include <cstdio>
#include <map>

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
  out.level =
      a.level == Level::kCritical ? store::AlertLevel::kCritical : store::AlertLevel::kWarning;
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
    ph.phase = static_cast<store::Phase>(static_cast<int>(p.kind));
    ph.start = p.start;
    ph.end = p.end;
    ph.depth = p.depth;
    out.phases.push_back(ph);
  }
  switch (e.technique) {
    case Technique::kUnknown:
      out.technique = store::Technique::kUnknown;
      break;
    case Technique::kRoutesWithdrawn:
      out.technique = store::Technique::kRoutesWithdrawn;
      break;
    case Technique::kPacketsFiltered:
      out.technique = store::Technique::kPacketsFiltered;
      break;
    case Technique::kThrottling:
      out.technique = store::Technique::kThrottling;
      break;
    case Technique::kMixed:
      out.technique = store::Technique::kRoutesWithdrawn;
      out.extra = R"({"technique":"mixed"})";
      break;
  }
  out.related = e.carriers;
  out.method = "combined";
  return out;
}

namespace {

// "region/KZ-ALA" -> "country/KZ"; "" when not a region of a country.
std::string CountryOfRegion(const std::string& entity) {
  if (store::EntityTypeOf(entity) != "region") return "";
  std::string code = entity.substr(entity.find('/') + 1);
  size_t dash = code.find('-');
  if (dash == std::string::npos || dash == 0) return "";
  return "country/" + code.substr(0, dash);
}

}  // namespace

Result<StoreDetectReport> DetectInStore(store::Store& st, const StoreDetectOptions& o) {
  if (o.from >= o.until) return InvalidArgument("detect: --from must be before --until");
  BLACKOUT_RETURN_IF_ERROR(ValidateConfig(o.config));
  StoreDetectReport report;
  const UnixSeconds read_from = o.from - WarmupSeconds(o.config);

  store::SeriesFilter filter;
  filter.entity = o.entity;
  filter.source = std::string();  // combined series only
  BLACKOUT_ASSIGN_OR_RETURN(std::vector<store::Series> all,
                            st.ReadSeriesMany(filter, read_from, o.until));

  // Group the four detectable signals by entity, on one step per entity (the finest present).
  std::map<std::string, std::vector<const store::Series*>> by_entity;
  for (const store::Series& s : all) {
    if (!ParseSignal(s.key.signal) || s.values.empty()) continue;
    if (s.key.signal != SignalName(*ParseSignal(s.key.signal))) continue;  // canonical names only
    by_entity[s.key.entity].push_back(&s);
  }
  std::map<std::string, std::vector<Event>> events;
  std::map<std::string, std::vector<Alert>> alerts;
  std::map<std::string, int64_t> steps;
  for (const auto& [entity, list] : by_entity) {
    int64_t step = list.front()->step;
    for (const auto* s : list) step = std::min(step, s->step);
    EntitySeries es;
    es.entity = entity;
    es.step = step;
    es.from = BinStart(read_from, step);
    size_t bins = static_cast<size_t>((o.until - es.from + step - 1) / step);
    for (const auto* s : list) {
      if (s->step != step) {
        report.problems.push_back(InvalidArgument(
            s->key.ToString() + ": step " + std::to_string(s->step) + " s differs from " +
            std::to_string(step) + " s of the entity's other signals; skipped"));
        continue;
      }
      auto& v = es.values[static_cast<int>(*ParseSignal(s->key.signal))];
      v.assign(bins, std::nullopt);
      for (size_t i = 0; i < s->values.size(); ++i) {
        int64_t j = (s->from - es.from) / step + static_cast<int64_t>(i);
        if (j >= 0 && static_cast<size_t>(j) < bins && !store::IsMissing(s->values[i])) {
          v[static_cast<size_t>(j)] = s->values[i];
        }
      }
      ++report.series;
    }
    ++report.entities;
    Detection d = DetectSeries(es, o.config);
    for (const Alert& a : d.alerts) {
      if (a.time >= o.from && a.time < o.until) alerts[entity].push_back(a);
    }
    for (const Event& e : d.events) {
      if (e.end.value_or(o.until) > o.from) events[entity].push_back(e);
    }
    steps[entity] = step;
  }

  // A country's events list the regions that carry them.
  for (auto& [entity, list] : events) {
    if (store::EntityTypeOf(entity) != "country") continue;
    std::vector<Event> children;
    for (const auto& [child, cl] : events) {
      if (CountryOfRegion(child) == entity) children.insert(children.end(), cl.begin(), cl.end());
    }
    AttachCarriers(list, children);
  }

  store::WriteBatch batch;
  for (const auto& [entity, list] : by_entity) {
    (void)list;
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
