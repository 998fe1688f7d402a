#include "blackout/server/json_views.h"

#include <cmath>
#include <optional>
#include <string_view>

#include "blackout/report/report.h"

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
  for (const EventPhase& p : e.phases) out += (out.empty() ? "" : ", ") + p.phase;
  return out;
}

json PhasesJson(const Event& e) {
  json out = json::array();
  for (const EventPhase& p : e.phases) {
    out.push_back({{"phase", p.phase},
                   {"start", p.start},
                   {"end", p.end ? json(p.end) : json(nullptr)},
                   {"depth", NumberOrNull(p.depth)}});
  }
  return out;
}

store::Event ToStoreEvent(const Event& e) {
  store::Event x;
  x.id = e.EffectiveId();
  x.entity = e.entity_type + "/" + e.entity_code;
  x.start = e.start;
  if (e.end) x.end = e.end;
  x.depth = e.depth;
  x.score = e.score;
  x.signals = e.signals;
  if (x.signals.empty()) {
    std::string_view ds = e.datasource;
    while (!ds.empty()) {
      auto comma = ds.find(',');
      x.signals.push_back(store::CanonicalSignal(ds.substr(0, comma)));
      ds = comma == std::string_view::npos ? std::string_view() : ds.substr(comma + 1);
    }
  }
  for (const EventPhase& p : e.phases) {
    auto phase = store::ParsePhase(p.phase);
    if (!phase.ok()) continue;
    store::EventPhase q;
    q.phase = *phase;
    q.start = p.start;
    if (p.end) q.end = p.end;
    q.depth = p.depth;
    x.phases.push_back(q);
  }
  auto technique = store::ParseTechnique(e.technique.empty() ? e.method : e.technique);
  x.technique = technique.ok() ? *technique : store::Technique::kUnknown;
  x.related = e.related;
  return x;
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

json EventJson(const DataView& data, const Event& e, UnixSeconds until) {
  UnixSeconds end = e.end == 0 ? until : e.end;
  // The shared wording (report/wording.h): the same rounding and durations as the report.
  const std::string name = EntityRef(data, e.entity_type, e.entity_code)["name"];
  const store::Event se = ToStoreEvent(e);
  const std::optional<std::string> zone = report::TimeZoneOf(se.entity, name);
  return json{{"location", e.entity_type + "/" + e.entity_code},
              {"location_name", EntityRef(data, e.entity_type, e.entity_code)["name"]},
              {"entity", EntityRef(data, e.entity_type, e.entity_code)},
              {"start", e.start},
              {"duration", end - e.start},
              {"uncertainty", nullptr},
              {"status", e.end == 0 ? 1 : 0},
              {"fraction", NumberOrNull(e.depth)},
              {"score", NumberOrNull(e.score)},
              {"datasource", e.datasource},
              {"method", e.method},
              {"overlaps_with", json::array()},
              {"id", e.EffectiveId()},
              {"phases", PhasesJson(e)},
              {"technique", e.technique.empty() ? json(nullptr) : json(e.technique)},
              {"related", e.related},
              {"signals", e.signals},
              {"headline", report::Headline(se, name, zone, until)},
              {"depthText", report::DepthPhrase(e.depth)},
              {"durationText", report::FormatDuration(end - e.start)},
              {"timeZone", zone ? json(*zone) : json(nullptr)}};
}

}  // namespace blackout::server
