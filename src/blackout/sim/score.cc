#include "blackout/sim/score.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "blackout/store/entity_ref.h"

namespace blackout::sim {
namespace {

using json = nlohmann::json;

constexpr int64_t kDay = 86400;

UnixSeconds EndOf(const store::Event& e, UnixSeconds until) { return e.end.value_or(until); }

bool Overlaps(UnixSeconds a0, UnixSeconds a1, UnixSeconds b0, UnixSeconds b1) {
  return a0 < b1 && b0 < a1;
}

std::string TypeOf(const std::string& entity) { return std::string(store::EntityTypeOf(entity)); }

// The country a region belongs to by its ISO 3166-2 code ("region/KZ-ALA" -> "country/KZ").
std::string CountryOfRegion(const std::string& entity) {
  auto country = store::EntityRef::FromCanonical(entity).CountryOfRegion();
  return country ? country->ToString() : "";
}

double Ratio(int64_t num, int64_t den, double if_empty) {
  return den == 0 ? if_empty : static_cast<double>(num) / static_cast<double>(den);
}

Result<int64_t> Int(const json& j, const char* key, std::string_view where) {
  // An unsigned above INT64_MAX (18446744073709551615) would wrap to a negative time.
  if (!j.contains(key) || !j[key].is_number_integer() ||
      (j[key].is_number_unsigned() && j[key].get<uint64_t>() > uint64_t{INT64_MAX})) {
    return InvalidArgument(std::string(where) + ": \"" + key + "\" must be an integer");
  }
  return j[key].get<int64_t>();
}

Result<double> Number(const json& j, const char* key, std::string_view where) {
  if (!j.contains(key) || !j[key].is_number()) {
    return InvalidArgument(std::string(where) + ": \"" + key + "\" must be a number");
  }
  return j[key].get<double>();
}

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

json OptionalInt(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
json OptionalNumber(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? json(*v) : json(nullptr);
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

Result<Truth> ParseTruth(std::string_view json_text, std::string_view origin) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument(std::string(origin) + ": not a JSON object");
  }
  if (!j.contains("events") || !j["events"].is_array()) {
    return InvalidArgument(std::string(origin) + ": \"events\" must be an array");
  }
  Truth t;
  t.scenario = Str(j, "scenario");
  for (size_t i = 0; i < j["events"].size(); ++i) {
    const json& e = j["events"][i];
    std::string where = std::string(origin) + ": events[" + std::to_string(i) + "]";
    if (!e.is_object()) return InvalidArgument(where + " must be an object");
    TruthRecord r;
    r.id = Str(e, "id");
    if (!e.contains("entities") || !e["entities"].is_array() || e["entities"].empty()) {
      return InvalidArgument(where + ": \"entities\" must be a non-empty array");
    }
    for (const json& ent : e["entities"]) {
      if (!ent.is_string() || !store::ValidateEntity(ent.get<std::string>()).ok()) {
        return InvalidArgument(where + ": entities must be \"TYPE/CODE\" strings");
      }
      r.entities.push_back(ent.get<std::string>());
    }
    if (e.contains("exclude") && e["exclude"].is_array()) {
      for (const json& ent : e["exclude"]) {
        if (!ent.is_string() || !store::ValidateEntity(ent.get<std::string>()).ok()) {
          return InvalidArgument(where + ": exclude must hold \"TYPE/CODE\" strings");
        }
        r.exclude.push_back(ent.get<std::string>());
      }
    }
    r.observed = e.contains("observed") && e["observed"].is_boolean() && e["observed"].get<bool>();
    BLACKOUT_ASSIGN_OR_RETURN(r.start, Int(e, "start", where));
    BLACKOUT_ASSIGN_OR_RETURN(r.end, Int(e, "end", where));
    if (r.end <= r.start) return InvalidArgument(where + ": end must be after start");
    BLACKOUT_ASSIGN_OR_RETURN(r.level, Number(e, "level", where));
    r.technique = Str(e, "technique");
    if (e.contains("phases") && e["phases"].is_array()) {
      for (const json& p : e["phases"]) {
        TruthPhase ph;
        BLACKOUT_ASSIGN_OR_RETURN(ph.start, Int(p, "start", where + ".phases"));
        BLACKOUT_ASSIGN_OR_RETURN(ph.end, Int(p, "end", where + ".phases"));
        BLACKOUT_ASSIGN_OR_RETURN(ph.level, Number(p, "level", where + ".phases"));
        ph.label = Str(p, "label");
        r.phases.push_back(std::move(ph));
      }
    }
    if (r.id.empty()) r.id = "truth-" + std::to_string(i);
    t.events.push_back(std::move(r));
  }
  return t;
}

Result<Truth> LoadTruth(const std::filesystem::path& path) {
  auto read = [](const std::filesystem::path& p) -> Result<std::string> {
    std::ifstream in(p, std::ios::binary);
    if (!in) return NotFound("cannot open " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return IoError("cannot read " + p.string());
    return ss.str();
  };
  BLACKOUT_ASSIGN_OR_RETURN(std::string text, read(path));
  BLACKOUT_ASSIGN_OR_RETURN(Truth t, ParseTruth(text, path.string()));
  auto manifest = read(path.parent_path() / "manifest.json");
  if (manifest.ok()) {
    json m = json::parse(*manifest, nullptr, false);
    if (m.is_object() && m.contains("start") && m["start"].is_number_integer() &&
        m.contains("end") && m["end"].is_number_integer()) {
      t.span_from = m["start"].get<int64_t>();
      t.span_until = m["end"].get<int64_t>();
    }
  }
  return t;
}

namespace {

using ByEntity = std::map<std::string, std::vector<const store::Event*>>;

// The scored span and bin: the options', else the truth's (manifest), else the truth events'
// extent widened by a day on each side.
Score ScoreSpan(const Truth& truth, const ScoreOptions& options) {
  Score s;
  s.step = options.step > 0 ? options.step : kDefaultStepSeconds;
  s.from = options.from;
  s.until = options.until;
  if (s.from == 0 && s.until == 0) {
    if (truth.span_until > truth.span_from) {
      s.from = truth.span_from;
      s.until = truth.span_until;
    } else if (!truth.events.empty()) {
      s.from = truth.events.front().start;
      s.until = truth.events.front().end;
      for (const TruthRecord& t : truth.events) {
        s.from = std::min(s.from, t.start);
        s.until = std::max(s.until, t.end);
      }
      s.from -= kDay;
      s.until += kDay;
    }
  }
  s.from = BinStart(s.from, s.step);

  return s;
}

// Detected events per entity, restricted to the span, in time order.
ByEntity EventsByEntity(const std::vector<store::Event>& detected, const Score& s) {
  std::map<std::string, std::vector<const store::Event*>> by_entity;
  for (const store::Event& e : detected) {
    if (!Overlaps(e.start, EndOf(e, s.until), s.from, s.until)) continue;
    by_entity[e.entity].push_back(&e);
  }
  for (auto& [entity, list] : by_entity) {
    std::sort(list.begin(), list.end(),
              [](const store::Event* a, const store::Event* b) { return a->start < b->start; });
  }

  return by_entity;
}

// Which entities each truth event covers: the ones it names, their regions, the carriers the
// detector named for a named entity's overlapping detection, and the parents whose overlapping
// detection names a named entity as a carrier; an observed event only what it names; never what
// it spares.
std::vector<std::set<std::string>> Coverage(const Truth& truth, const ByEntity& by_entity,
                                            const Score& s) {
  std::vector<std::set<std::string>> covers(truth.events.size());
  for (size_t i = 0; i < truth.events.size(); ++i) {
    const TruthRecord& t = truth.events[i];
    if (t.observed) {
      covers[i].insert(t.entities.begin(), t.entities.end());
      continue;
    }
    for (const std::string& named : t.entities) {
      covers[i].insert(named);
      auto it = by_entity.find(named);
      if (it == by_entity.end()) continue;
      for (const store::Event* d : it->second) {
        if (!Overlaps(d->start, EndOf(*d, s.until), t.start, t.end)) continue;
        covers[i].insert(d->related.begin(), d->related.end());
      }
    }
    for (const auto& [entity, list] : by_entity) {
      // A parent whose overlapping drop the detector attributes to a named entity (its carrier).
      for (const store::Event* d : list) {
        if (!Overlaps(d->start, EndOf(*d, s.until), t.start, t.end)) continue;
        for (const std::string& carrier : d->related) {
          if (std::find(t.entities.begin(), t.entities.end(), carrier) != t.entities.end()) {
            covers[i].insert(entity);
          }
        }
      }
      std::string country = CountryOfRegion(entity);
      if (!country.empty() &&
          std::find(t.entities.begin(), t.entities.end(), country) != t.entities.end()) {
        covers[i].insert(entity);
      }
    }
    // What the event spares is not covered, whoever names it as a carrier (a country's event
    // lists a data-centre network whose own, shorter cut overlapped it).
    for (const std::string& spared : t.exclude) covers[i].erase(spared);
  }

  return covers;
}

}  // namespace

Score ScoreDetections(const Truth& truth, const std::vector<store::Event>& detected,
                      const ScoreOptions& options) {
  Score s = ScoreSpan(truth, options);
  const ByEntity by_entity = EventsByEntity(detected, s);
  const std::vector<std::set<std::string>> covers = Coverage(truth, by_entity, s);

  std::map<std::string, TypeScore> types;
  auto type_score = [&](const std::string& type) -> TypeScore& {
    TypeScore& ts = types[type];
    ts.entity_type = type;
    return ts;
  };

  // Per (truth event, named entity).
  for (const TruthRecord& t : truth.events) {
    for (const std::string& entity : t.entities) {
      TruthEventScore r;
      r.truth_id = t.id;
      r.entity = entity;
      r.start = t.start;
      r.end = t.end;
      r.level = t.level;
      r.technique = t.technique;
      std::vector<const store::Event*> hits;
      if (auto it = by_entity.find(entity); it != by_entity.end()) {
        for (const store::Event* d : it->second) {
          if (Overlaps(d->start, EndOf(*d, s.until), t.start, t.end)) hits.push_back(d);
        }
      }
      TypeScore& ts = type_score(TypeOf(entity));
      ++ts.truth_events;
      if (!hits.empty()) {
        r.detected = true;
        ++ts.detected_truth;
        r.onset_error_seconds = hits.front()->start - t.start;
        if (hits.back()->end) r.end_error_seconds = *hits.back()->end - t.end;
        double lowest = store::kMissing;
        const store::Event* largest = hits.front();
        int64_t largest_overlap = -1;
        for (const store::Event* d : hits) {
          r.detected_ids.push_back(d->EffectiveId());
          if (!store::IsMissing(d->depth) && (store::IsMissing(lowest) || d->depth < lowest)) {
            lowest = d->depth;
          }
          int64_t overlap = std::min(EndOf(*d, s.until), t.end) - std::max(d->start, t.start);
          if (overlap > largest_overlap) {
            largest_overlap = overlap;
            largest = d;
          }
        }
        if (!store::IsMissing(lowest)) r.depth_error = std::fabs(lowest - t.level);
        r.detected_technique = std::string(store::TechniqueName(largest->technique));
        r.technique_agrees = r.detected_technique == t.technique;
      }
      s.events.push_back(std::move(r));
    }
  }

  // Event precision: every detected event in the span.
  for (const auto& [entity, list] : by_entity) {
    TypeScore& ts = type_score(TypeOf(entity));
    for (const store::Event* d : list) {
      ++ts.detected_events;
      bool explained = false;
      for (size_t i = 0; i < truth.events.size() && !explained; ++i) {
        const TruthRecord& t = truth.events[i];
        explained =
            covers[i].count(entity) && Overlaps(d->start, EndOf(*d, s.until), t.start, t.end);
      }
      if (!explained) ++ts.false_events;
    }
  }

  // Bin level, over the entities the truth names and those with detections.
  std::set<std::string> scored;
  for (const TruthRecord& t : truth.events) scored.insert(t.entities.begin(), t.entities.end());
  for (const auto& [entity, list] : by_entity) scored.insert(entity);
  for (const std::string& entity : scored) {
    TypeScore& ts = type_score(TypeOf(entity));
    const auto it = by_entity.find(entity);
    for (UnixSeconds b = s.from; b < s.until; b += s.step) {
      const UnixSeconds e = b + s.step;
      bool truth_on = false;
      for (size_t i = 0; i < truth.events.size() && !truth_on; ++i) {
        truth_on =
            covers[i].count(entity) && Overlaps(b, e, truth.events[i].start, truth.events[i].end);
      }
      bool detected_on = false;
      if (it != by_entity.end()) {
        for (const store::Event* d : it->second) {
          if (Overlaps(b, e, d->start, EndOf(*d, s.until))) {
            detected_on = true;
            break;
          }
        }
      }
      if (truth_on && detected_on) ++ts.bins_tp;
      if (!truth_on && detected_on) ++ts.bins_fp;
      if (truth_on && !detected_on) ++ts.bins_fn;
    }
  }

  // Means and ratios.
  for (auto& [type, ts] : types) {
    double onset = 0, end = 0, depth = 0;
    int64_t n = 0, n_end = 0, n_depth = 0, agree = 0;
    for (const TruthEventScore& r : s.events) {
      if (!r.detected || TypeOf(r.entity) != type) continue;
      ++n;
      onset += std::fabs(static_cast<double>(r.onset_error_seconds)) / 60;
      if (r.end_error_seconds) {
        end += std::fabs(static_cast<double>(*r.end_error_seconds)) / 60;
        ++n_end;
      }
      if (r.depth_error) {
        depth += *r.depth_error;
        ++n_depth;
      }
      if (r.technique_agrees) ++agree;
    }
    ts.mean_abs_onset_minutes = n ? onset / static_cast<double>(n) : 0;
    ts.mean_abs_end_minutes = n_end ? end / static_cast<double>(n_end) : 0;
    ts.mean_depth_error = n_depth ? depth / static_cast<double>(n_depth) : 0;
    ts.technique_agreement = Ratio(agree, n, 0);
    ts.event_recall = Ratio(ts.detected_truth, ts.truth_events, 1);
    ts.event_precision = 1 - Ratio(ts.false_events, ts.detected_events, 0);
    ts.bin_precision = Ratio(ts.bins_tp, ts.bins_tp + ts.bins_fp, 1);
    ts.bin_recall = Ratio(ts.bins_tp, ts.bins_tp + ts.bins_fn, 1);
    ts.bin_f1 = ts.bin_precision + ts.bin_recall > 0
                    ? 2 * ts.bin_precision * ts.bin_recall / (ts.bin_precision + ts.bin_recall)
                    : 0;
  }
  for (const char* type : {"country", "region", "asn"}) {
    auto it = types.find(type);
    if (it == types.end()) continue;
    s.by_type.push_back(it->second);
    types.erase(it);
  }
  for (auto& [type, ts] : types) s.by_type.push_back(ts);
  return s;
}

std::string ScoreJson(const Score& score) {
  json events = json::array();
  for (const TruthEventScore& r : score.events) {
    events.push_back(
        {{"truth", r.truth_id},
         {"entity", r.entity},
         {"start", r.start},
         {"end", r.end},
         {"level", r.level},
         {"technique", r.technique},
         {"detected", r.detected},
         {"detectedIds", r.detected_ids},
         {"onsetErrorSeconds", r.detected ? json(r.onset_error_seconds) : json(nullptr)},
         {"onsetErrorBins", r.detected
                                ? json(static_cast<double>(r.onset_error_seconds) / score.step)
                                : json(nullptr)},
         {"endErrorSeconds", OptionalInt(r.end_error_seconds)},
         {"endErrorBins", r.end_error_seconds
                              ? json(static_cast<double>(*r.end_error_seconds) / score.step)
                              : json(nullptr)},
         {"depthError", OptionalNumber(r.depth_error)},
         {"detectedTechnique", r.detected ? json(r.detected_technique) : json(nullptr)},
         {"techniqueAgrees", r.detected ? json(r.technique_agrees) : json(nullptr)}});
  }
  json types = json::array();
  for (const TypeScore& t : score.by_type) {
    types.push_back({{"entityType", t.entity_type},
                     {"truthEvents", t.truth_events},
                     {"detectedTruthEvents", t.detected_truth},
                     {"eventRecall", t.event_recall},
                     {"detectedEvents", t.detected_events},
                     {"falseEvents", t.false_events},
                     {"eventPrecision", t.event_precision},
                     {"bins", {{"tp", t.bins_tp}, {"fp", t.bins_fp}, {"fn", t.bins_fn}}},
                     {"binPrecision", t.bin_precision},
                     {"binRecall", t.bin_recall},
                     {"binF1", t.bin_f1},
                     {"meanAbsOnsetMinutes", t.mean_abs_onset_minutes},
                     {"meanAbsEndMinutes", t.mean_abs_end_minutes},
                     {"meanDepthError", t.mean_depth_error},
                     {"techniqueAgreement", t.technique_agreement}});
  }
  return json{{"from", score.from},
              {"until", score.until},
              {"step", score.step},
              {"events", events},
              {"byEntityType", types}}
      .dump(2);
}

std::string ScoreTable(const Score& score) {
  std::string out = "Scored " + FormatIso8601(score.from) + " .. " + FormatIso8601(score.until) +
                    " in " + std::to_string(score.step) + " s bins\n\n";
  out +=
      "truth event          entity              detected  onset(min)  end(min)  depth err  "
      "technique (truth -> detected)\n";
  auto pad = [](std::string s, size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s + " ";
  };
  for (const TruthEventScore& r : score.events) {
    out += pad(r.truth_id, 20) + pad(r.entity, 19);
    if (!r.detected) {
      out += pad("no", 9) + pad("-", 11) + pad("-", 9) + pad("-", 10) + r.technique + "\n";
      continue;
    }
    out += pad("yes", 9) + pad(std::to_string(r.onset_error_seconds / 60), 11) +
           pad(r.end_error_seconds ? std::to_string(*r.end_error_seconds / 60) : "ongoing", 9) +
           pad(r.depth_error ? Fixed(*r.depth_error, 3) : "-", 10) + r.technique + " -> " +
           r.detected_technique + (r.technique_agrees ? "" : " (differs)") + "\n";
  }
  out +=
      "\ntype     truth  found  recall  detected  false  precision  bin P   bin R   bin F1  "
      "|onset| min  |end| min  depth err  technique\n";
  for (const TypeScore& t : score.by_type) {
    out += pad(t.entity_type, 8) + pad(std::to_string(t.truth_events), 6) +
           pad(std::to_string(t.detected_truth), 6) + pad(Fixed(t.event_recall, 3), 7) +
           pad(std::to_string(t.detected_events), 9) + pad(std::to_string(t.false_events), 6) +
           pad(Fixed(t.event_precision, 3), 10) + pad(Fixed(t.bin_precision, 3), 7) +
           pad(Fixed(t.bin_recall, 3), 7) + pad(Fixed(t.bin_f1, 3), 7) +
           pad(Fixed(t.mean_abs_onset_minutes, 1), 12) + pad(Fixed(t.mean_abs_end_minutes, 1), 10) +
           pad(Fixed(t.mean_depth_error, 3), 10) + Fixed(t.technique_agreement, 3) + "\n";
  }
  return out;
}

}  // namespace blackout::sim
