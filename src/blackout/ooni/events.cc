#include "blackout/ooni/events.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>

#include "blackout/ooni/series.h"
#include "blackout/store/store.h"

namespace blackout::ooni {
namespace {

using nlohmann::json;

void AddMethods(const std::vector<Method>& from, std::vector<Method>* to) {
  for (Method m : from) {
    if (std::find(to->begin(), to->end(), m) == to->end()) to->push_back(m);
  }
  std::sort(to->begin(), to->end());
}

int64_t Decided(const AppBin& b) { return std::max<int64_t>(0, b.measured - b.failed); }

// A list in words: "A", "A and B", "A, B and C".
std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += items[i];
  }
  return out;
}

// Every (entity, app) -> bins from the stored series.
Result<std::map<std::pair<std::string, std::string>, std::map<UnixSeconds, AppBin>>> ReadBins(
    store::Store& store, const std::vector<std::string>& entities, int64_t* step) {
  std::map<std::pair<std::string, std::string>, std::map<UnixSeconds, AppBin>> out;
  for (std::string_view signal :
       {kSignalAppMeasurements, kSignalAppBlocking, kSignalAppFailed, kSignalAppBlockedBy}) {
    store::SeriesFilter filter;
    filter.signal = std::string(signal);
    BLACKOUT_ASSIGN_OR_RETURN(auto list, store.ReadSeriesMany(filter, 0, INT64_MAX));
    for (const store::Series& s : list) {
      if (s.key.source.empty()) continue;  // the all-apps sum
      if (!entities.empty() &&
          std::find(entities.begin(), entities.end(), s.key.entity) == entities.end()) {
        continue;
      }
      std::string app = s.key.source;
      Method method = Method::kNone;
      if (signal == kSignalAppBlockedBy) {
        size_t colon = app.rfind(':');
        if (colon == std::string::npos) continue;
        method = ParseMethodKey(std::string_view(app).substr(colon + 1));
        app.resize(colon);
      }
      *step = s.step;
      auto& bins = out[{s.key.entity, app}];
      for (size_t i = 0; i < s.values.size(); ++i) {
        double v = s.values[i];
        if (store::IsMissing(v)) continue;
        UnixSeconds t = s.from + static_cast<int64_t>(i) * s.step;
        AppBin& b = bins[t];
        b.time = t;
        auto n = static_cast<int64_t>(std::llround(v));
        if (signal == kSignalAppMeasurements) b.measured = n;
        if (signal == kSignalAppBlocking) b.blocked = n;
        if (signal == kSignalAppFailed) b.failed = n;
        if (signal == kSignalAppBlockedBy && n > 0) AddMethods({method}, &b.methods);
      }
    }
  }
  return out;
}

}  // namespace

double WilsonLower(int64_t k, int64_t n, double z) {
  if (n <= 0) return 0;
  double p = static_cast<double>(k) / static_cast<double>(n);
  double nn = static_cast<double>(n);
  double z2 = z * z;
  double centre = p + z2 / (2 * nn);
  double spread = z * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return std::max(0.0, (centre - spread) / (1 + z2 / nn));
}

std::vector<AppRun> FindRuns(const std::string& app, const std::vector<AppBin>& bins, int64_t step,
                             const AppEventOptions& o) {
  std::vector<AppRun> runs;
  std::optional<AppRun> cur;
  std::deque<const AppBin*> window;
  int64_t n = 0, k = 0;
  for (const AppBin& b : bins) {
    window.push_back(&b);
    n += Decided(b);
    k += b.blocked;
    while (window.front()->time <= b.time - o.window) {
      n -= Decided(*window.front());
      k -= window.front()->blocked;
      window.pop_front();
    }
    double lower = WilsonLower(k, n, o.z);
    bool qualifies = k >= o.min_blocked && lower > o.p0;
    if (qualifies && !cur && b.blocked > 0) {
      // The run starts at the window's first blocked measurement: the evidence began there.
      AppRun r;
      r.app = app;
      for (const AppBin* w : window) {
        if (r.from == 0 && w->blocked == 0) continue;
        if (r.from == 0) r.from = w->time;
        r.blocked += w->blocked;
        r.measurements += Decided(*w);
        if (w->blocked > 0) r.until = w->time + step;
        AddMethods(w->methods, &r.methods);
      }
      r.lower_bound = lower;
      cur = r;
    } else if (cur && (qualifies || b.blocked >= Decided(b))) {
      // Still blocked, or nothing in this bin reached the application (a gap in the measurements
      // is no evidence of unblocking).
      cur->blocked += b.blocked;
      cur->measurements += Decided(b);
      if (b.blocked > 0) cur->until = b.time + step;
      cur->lower_bound = std::max(cur->lower_bound, lower);
      AddMethods(b.methods, &cur->methods);
    } else if (cur) {
      runs.push_back(*cur);  // measurements say the application is reachable again
      cur.reset();
    }
  }
  if (cur) runs.push_back(*cur);
  return runs;
}

std::vector<store::Event> EventsFromRuns(const std::string& entity, std::vector<AppRun> runs,
                                         const AppEventOptions& o) {
  std::sort(runs.begin(), runs.end(),
            [](const AppRun& a, const AppRun& b) { return a.from < b.from; });
  std::vector<store::Event> out;
  size_t i = 0;
  while (i < runs.size()) {
    size_t j = i;
    UnixSeconds end = runs[i].until;
    while (j + 1 < runs.size() && runs[j + 1].from <= end + o.merge_gap) {
      ++j;
      end = std::max(end, runs[j].until);
    }
    store::Event e;
    e.entity = entity;
    e.start = runs[i].from;
    e.end = end;
    e.id = "ooni:" + entity + "@" + std::to_string(e.start);
    e.signals = {std::string(kSignalAppBlocking)};
    e.method = std::string(kEventMethod);
    json apps = json::array();
    for (size_t r = i; r <= j; ++r) {
      json methods = json::array();
      for (Method m : runs[r].methods) methods.push_back(MethodName(m));
      apps.push_back({{"app", runs[r].app},
                      {"methods", methods},
                      {"blocked", runs[r].blocked},
                      {"measurements", runs[r].measurements},
                      {"lower_bound", std::round(runs[r].lower_bound * 1000) / 1000},
                      {"from", runs[r].from},
                      {"until", runs[r].until}});
      e.score += static_cast<double>(runs[r].blocked);
    }
    e.extra =
        json{{"apps", apps}, {"p0", o.p0}, {"z", o.z}, {"attribution", kOoniAttribution}}.dump();
    out.push_back(std::move(e));
    i = j + 1;
  }
  return out;
}

Result<AppEventSummary> DetectAppBlocking(store::Store& store, const AppEventOptions& options,
                                          const std::vector<std::string>& entities) {
  int64_t step = kDefaultOoniStep;
  BLACKOUT_ASSIGN_OR_RETURN(auto bins, ReadBins(store, entities, &step));
  std::map<std::string, std::vector<AppRun>> runs;
  for (const auto& [key, by_time] : bins) {
    std::vector<AppBin> list;
    list.reserve(by_time.size());
    for (const auto& [t, b] : by_time) list.push_back(b);
    auto found = FindRuns(key.second, list, step, options);
    auto& dst = runs[key.first];
    dst.insert(dst.end(), found.begin(), found.end());
  }
  AppEventSummary summary;
  store::WriteBatch batch;
  for (auto& [entity, list] : runs) {
    ++summary.entities;
    for (store::Event& e : EventsFromRuns(entity, std::move(list), options)) {
      batch.AddEvent(std::move(e));
      ++summary.events;
    }
  }
  if (!batch.empty()) BLACKOUT_RETURN_IF_ERROR(store.Apply(batch).status());
  return summary;
}

bool IsAppBlockingEvent(const store::Event& e) { return e.method == kEventMethod; }

Result<AppBlocking> ReadAppBlocking(const store::Event& e) {
  json j = json::parse(e.extra, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("apps") || !j["apps"].is_array()) {
    return DataLoss("event " + e.EffectiveId() + ": no application list in its extra");
  }
  AppBlocking out;
  for (const json& a : j["apps"]) {
    if (!a.is_object()) continue;
    AppBlocking::App app;
    app.app = a.value("app", "");
    if (a.contains("methods") && a["methods"].is_array()) {
      for (const json& m : a["methods"]) {
        if (m.is_string()) app.methods.push_back(m.get<std::string>());
      }
    }
    app.blocked = a.value("blocked", int64_t{0});
    app.measurements = a.value("measurements", int64_t{0});
    app.lower_bound = a.value("lower_bound", 0.0);
    app.from = a.value("from", int64_t{0});
    app.until = a.value("until", int64_t{0});
    out.apps.push_back(std::move(app));
  }
  return out;
}

std::vector<const store::Event*> AppBlockingBefore(const store::Event& outage,
                                                   const std::vector<store::Event>& events,
                                                   int64_t lead) {
  std::vector<const store::Event*> out;
  if (IsAppBlockingEvent(outage)) return out;
  for (const store::Event& e : events) {
    if (!IsAppBlockingEvent(e) || e.entity != outage.entity) continue;
    if (e.start > outage.start) continue;
    if (e.end && *e.end < outage.start - lead) continue;
    out.push_back(&e);
  }
  std::sort(out.begin(), out.end(),
            [](const store::Event* a, const store::Event* b) { return a->start < b->start; });
  return out;
}

std::string TechniqueSequence(const store::Event& outage,
                              const std::vector<const store::Event*>& before) {
  std::string technique(store::TechniqueName(outage.technique));
  if (before.empty()) return technique;
  return "app-blocking, then " + technique;
}

void JoinAppBlocking(std::vector<store::Event>* events, int64_t lead) {
  std::map<std::string, std::vector<store::Event>> apps_of;  // entity -> its app-blocking events
  for (const store::Event& e : *events) {
    if (IsAppBlockingEvent(e)) apps_of[e.entity].push_back(e);
  }
  if (apps_of.empty()) return;
  for (store::Event& e : *events) {
    if (IsAppBlockingEvent(e)) continue;
    auto it = apps_of.find(e.entity);
    if (it == apps_of.end()) continue;
    const auto before = AppBlockingBefore(e, it->second, lead);
    if (before.empty()) continue;
    json extra = e.extra.empty() ? json::object() : json::parse(e.extra, nullptr, false);
    if (!extra.is_object()) extra = json::object();
    extra["techniqueSequence"] = TechniqueSequence(e, before);
    json ids = json::array();
    for (const store::Event* b : before) ids.push_back(b->EffectiveId());
    extra["precededBy"] = std::move(ids);
    e.extra = extra.dump();
  }
}

std::string AppLabel(std::string_view app) {
  if (app == "telegram") return "Telegram";
  if (app == "signal") return "Signal";
  if (app == "whatsapp") return "WhatsApp";
  if (app == "facebook-messenger") return "Facebook Messenger";
  if (app == "web") return "web sites";
  if (app == "tor") return "Tor";
  if (app == "tor-snowflake") return "Tor (Snowflake)";
  if (app == "psiphon") return "Psiphon";
  if (app == "riseupvpn") return "RiseupVPN";
  return std::string(app);
}

std::string AppBlockingSentence(const store::Event& e) {
  auto info = ReadAppBlocking(e);
  if (!info.ok() || info->apps.empty()) return "";
  std::vector<std::string> names, methods;
  int64_t blocked = 0, measured = 0;
  for (const AppBlocking::App& a : info->apps) {
    // An app blocked, let through, then blocked again within one event is one app.
    if (std::find(names.begin(), names.end(), AppLabel(a.app)) == names.end()) {
      names.push_back(AppLabel(a.app));
    }
    for (const std::string& m : a.methods) {
      if (m != "unspecified" && std::find(methods.begin(), methods.end(), m) == methods.end()) {
        methods.push_back(m);
      }
    }
    blocked += a.blocked;
    measured += a.measurements;
  }
  std::string out = Join(names) + (names.size() == 1 ? " was" : " were") + " found blocked";
  if (!methods.empty()) out += " (" + Join(methods) + ")";
  out += " by " + std::to_string(blocked) + " of " + std::to_string(measured) +
         " OONI Probe measurements";
  return out;
}

}  // namespace blackout::ooni
