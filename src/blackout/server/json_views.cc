#include "blackout/server/json_views.h"

#include <cmath>
#include <optional>
#include <string_view>

#include "blackout/report/report.h"
#include "blackout/store/entity_ref.h"

namespace blackout::server {

using json = nlohmann::json;

json EntityJson(const Entity& e) {
  json attrs = json::object();
  for (const auto& [k, v] : e.attrs) attrs[k] = v;
  return {{"code", e.code}, {"name", e.name}, {"type", e.type}, {"attrs", attrs}};
}

json EntityRef(const DataView& data, const std::string& type, const std::string& code) {
  auto e = data.FindEntity(type, code);
  if (e) return EntityJson(*e);
  return {{"code", code}, {"name", code}, {"type", type}, {"attrs", json::object()}};
}

json NumberOrNull(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// "near-total-blackout, partial-recovery"
std::string PhaseList(const Event& e) {
  std::string out;
  for (const EventPhase& p : e.phases) {
    out += (out.empty() ? "" : ", ") + std::string(store::PhaseName(p.phase));
  }
  return out;
}

json PhasesJson(const Event& e) {
  json out = json::array();
  for (const EventPhase& p : e.phases) {
    out.push_back({{"phase", store::PhaseName(p.phase)},
                   {"start", p.start},
                   {"end", p.end ? json(*p.end) : json(nullptr)},
                   {"depth", NumberOrNull(p.depth)}});
  }
  return out;
}

store::Series ToStoreSeries(const Series& s) {
  store::Series x;
  x.key.entity = s.entity_type + "/" + s.entity_code;
  x.key.signal = store::CanonicalSignal(s.datasource);
  x.from = s.from;
  x.step = s.step;
  x.values = s.values;
  return x;
}

namespace {

// The event's extra as a JSON object (an empty one when it has none or it is not JSON), parsed
// once per rendering.
json ParseExtra(const Event& e) {
  if (e.extra.empty()) return json::object();
  json extra = json::parse(e.extra, nullptr, false);
  return extra.is_object() ? extra : json::object();
}

// One key of the event's extra, or `fallback` when it has none.
json ExtraField(const json& extra, const char* key, json fallback) {
  return extra.contains(key) ? extra[key] : fallback;
}

// Application blocking (OONI, ooni/events.h): the applications an event names, from its extra
// ({"apps": [{app, methods, blocked, measurements, from, until, ...}], "attribution": ...}); an
// empty list for connectivity events.
json Applications(const json& extra, json* attribution) {
  json out = json::array();
  if (!extra.contains("apps") || !extra["apps"].is_array()) return out;
  for (const json& a : extra["apps"]) {
    if (!a.is_object() || !a.contains("app")) continue;
    json row = json::object();
    for (const char* key : {"app", "methods", "blocked", "measurements", "from", "until"}) {
      if (a.contains(key)) row[key] = a[key];
    }
    out.push_back(std::move(row));
  }
  if (extra.contains("attribution") && extra["attribution"].is_string()) {
    *attribution = extra["attribution"];
  }
  return out;
}

}  // namespace

json EventJson(const DataView& data, const Event& e, UnixSeconds until) {
  const UnixSeconds end = e.end.value_or(until);
  const store::EntityRef where = store::EntityRef::FromCanonical(e.entity);
  const json entity = EntityRef(data, where.type(), where.code());
  // The shared wording (report/wording.h): the same rounding and durations as the report.
  const std::string name = entity["name"];
  const std::optional<std::string> zone = report::TimeZoneOf(e.entity, name);
  const bool known = e.technique != store::Technique::kUnknown;
  const json extra = ParseExtra(e);
  json attribution = nullptr;
  json applications = Applications(extra, &attribution);
  return json{{"location", e.entity},
              {"location_name", name},
              {"entity", entity},
              {"start", e.start},
              {"duration", end - e.start},
              {"uncertainty", nullptr},
              {"status", e.end ? 0 : 1},
              {"fraction", NumberOrNull(e.depth)},
              {"score", NumberOrNull(e.score)},
              {"datasource", EventDatasources(e)},
              // IODA's method field names how the disruption was made, when known.
              {"method", known ? std::string(store::TechniqueName(e.technique)) : ""},
              {"overlaps_with", json::array()},
              {"id", e.EffectiveId()},
              {"phases", PhasesJson(e)},
              {"technique", store::TechniqueName(e.technique)},
              // App blocking that preceded it (ooni::JoinAppBlocking, in the snapshot).
              {"techniqueSequence", ExtraField(extra, "techniqueSequence",
                                               std::string(store::TechniqueName(e.technique)))},
              {"precededBy", ExtraField(extra, "precededBy", json::array())},
              {"related", e.related},
              {"signals", e.signals},
              {"applications", std::move(applications)},
              {"attribution", std::move(attribution)},
              {"headline", report::Headline(e, name, zone, until)},
              {"depthText", report::DepthPhrase(e.depth)},
              {"durationText", report::FormatDuration(end - e.start)},
              {"timeZone", zone ? json(*zone) : json(nullptr)}};
}

}  // namespace blackout::server
