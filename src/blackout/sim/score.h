// Scores detected events against a scenario's truth (the truth.json `blackout simulate` writes):
// per truth event whether it was detected and how well (onset, end, depth, technique), and per
// entity type event recall and precision and bin-level precision, recall and F1. Used by
// `blackout evaluate --truth`; the JSON shape is documented in docs/scenario.md.
// Thread-safety: pure functions of their inputs (LoadTruth reads files).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/store/types.h"

namespace blackout::sim {

// One truth event as truth.json holds it.
struct TruthPhase {
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  double level = 0;
  std::string label;
};

struct TruthRecord {
  std::string id;
  std::vector<std::string> entities;  // the entities the event names ("country/KZ", "asn/21299")
  std::vector<std::string> exclude;   // networks it spares: never covered, even as carriers
  // Truth only, the effect of other events on an aggregate: covers what it names and nothing else.
  bool observed = false;
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  double level = 0;       // fraction of ordinary during the event (outside phases)
  std::string technique;  // "routes-withdrawn", "packets-filtered", "throttling"
  std::vector<TruthPhase> phases;
};

struct Truth {
  std::string scenario;
  std::vector<TruthRecord> events;
  // The scenario's span, from the manifest.json beside truth.json (0 when unknown).
  UnixSeconds span_from = 0;
  UnixSeconds span_until = 0;
};

// Parses truth.json text. Errors: kInvalidArgument naming `origin` and what is wrong.
Result<Truth> ParseTruth(std::string_view json_text, std::string_view origin);
// Reads `path` and, when present, manifest.json in the same folder (for the span). Errors:
// kNotFound / kIoError for the file, kInvalidArgument for its content.
Result<Truth> LoadTruth(const std::filesystem::path& path);

struct ScoreOptions {
  // The span scored at bin level, [from, until). 0 = the truth's span, else the truth events'
  // extent widened by one day on each side.
  UnixSeconds from = 0;
  UnixSeconds until = 0;
  int64_t step = kDefaultStepSeconds;  // bin width for bin-level scores
};

// How one (truth event, named entity) pair was detected.
struct TruthEventScore {
  std::string truth_id;
  std::string entity;
  UnixSeconds start = 0;
  UnixSeconds end = 0;
  double level = 0;
  std::string technique;
  bool detected = false;
  // The rest is set when detected. Errors are detected minus truth (positive = late / long).
  std::vector<std::string> detected_ids;     // every detected event of the entity overlapping it
  int64_t onset_error_seconds = 0;           // first overlapping detection's start - truth start
  std::optional<int64_t> end_error_seconds;  // last one's end - truth end; nullopt if ongoing
  std::optional<double> depth_error;         // |lowest detected depth - level|; nullopt unknown
  std::string detected_technique;  // of the overlapping detection with the largest overlap
  bool technique_agrees = false;
};

// Totals for one entity type ("country", "region", "asn").
struct TypeScore {
  std::string entity_type;
  int64_t truth_events = 0;     // (truth event, entity) pairs of this type
  int64_t detected_truth = 0;   // of which detected
  int64_t detected_events = 0;  // detected events of this type overlapping the span
  int64_t false_events = 0;     // of which overlapping no truth event of their entity
  int64_t bins_tp = 0, bins_fp = 0, bins_fn = 0;
  double event_recall = 0;     // detected_truth / truth_events (1 when there are none)
  double event_precision = 0;  // 1 - false_events / detected_events (1 when there are none)
  double bin_precision = 0, bin_recall = 0, bin_f1 = 0;
  double mean_abs_onset_minutes = 0;  // over detected truth events (0 when none)
  double mean_abs_end_minutes = 0;    // over detected truth events with an end
  double mean_depth_error = 0;        // over detected truth events with a depth
  double technique_agreement = 0;     // agreeing / detected truth events (0 when none)
};

struct Score {
  UnixSeconds from = 0, until = 0;
  int64_t step = kDefaultStepSeconds;
  std::vector<TruthEventScore> events;  // truth order, then entity order
  std::vector<TypeScore> by_type;       // country, region, asn, then others, when present
};

// Scores `detected` (the store's events) against `truth`. A truth event counts for each entity it
// names. A detected event is true when it overlaps a truth event naming its entity, or naming an
// entity it belongs to: a region belongs to its country (region/KZ-ALA -> country/KZ), and any
// entity listed in the `related` of a detected event of a named entity that overlaps the truth
// event carries it (the detector found the country's drop on that ASN); and a detected event
// whose own `related` names an entity of an overlapping truth event is true too, and its entity
// covered by that truth event (a country's drop carried by a cut ASN: a partial effect the truth
// does not name). Bins of an entity are
// truth positive while a truth event covering it (as above) runs; detected positive while one of
// its detected events runs. Entities scored at bin level: those the truth names and those with
// detected events. REQUIRES options.step > 0.
Score ScoreDetections(const Truth& truth, const std::vector<store::Event>& detected,
                      const ScoreOptions& options = {});

// The score as JSON (docs/scenario.md) and as a plain-text table.
std::string ScoreJson(const Score& score);
std::string ScoreTable(const Score& score);

}  // namespace blackout::sim
