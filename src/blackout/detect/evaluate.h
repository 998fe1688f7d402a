// Scores detectors against labelled bins: bin-level precision, recall and F1, event-level recall
// (labelled outages with at least one detected bin) and onset latency (bins from a labelled onset
// to the first detected bin within that outage). Rows for IODA's published rule per signal and
// level (the baseline), the per-signal baselines of the combined detector, and the combined
// detector itself. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "blackout/detect/config.h"
#include "blackout/detect/ioda_csv.h"

namespace blackout::detect {

struct Scores {
  int64_t tp = 0, fp = 0, fn = 0;
  double precision = 0, recall = 0, f1 = 0;
  int64_t labelled_events = 0, found_events = 0;
  double event_recall = 0;
  // Mean and largest latency over found events; nullopt when none was found.
  std::optional<double> onset_latency_bins;
  std::optional<int64_t> max_onset_latency_bins;
  // Detected stretches (runs of predicted bins) that touch no labelled outage bin.
  int64_t false_events = 0;
};

// Unlabelled bins are left out. REQUIRES: predicted.size() == labels.size()
Scores Score(const std::vector<bool>& predicted, const std::vector<std::optional<bool>>& labels);

struct MethodRow {
  std::string method;  // "ioda-rule:critical", "seasonal:warning", "ioda-rule:any-warning", ...
  std::string signal;  // "probe", ... or "all" for a vote across signals
  Scores scores;
};

struct Evaluation {
  // The combined detector's disruptions proper: each event from its start to when its final
  // recovery began (Event::restored), which is what an outage's labels mark. whole_events: the
  // same events to their end, the final partial-recovery phase included.
  Scores combined;
  Scores whole_events;
  std::vector<MethodRow> methods;
  std::vector<Event> events;  // the combined detector's events
};

// `only`: restrict every row and the combined detector to one signal.
Evaluation Evaluate(const LabelledSeries& data, const DetectConfig& config,
                    std::optional<Signal> only = std::nullopt);

// Per-bin levels of one signal under one configuration (kUnknown where it cannot judge).
std::vector<Level> JudgeSeries(const std::vector<std::optional<double>>& values, UnixSeconds from,
                               int64_t step, const SignalConfig& config);

// The bins covered by `events` on the grid [from, from + bins * step): each from its start to
// when its final recovery began (`to_restoration`), or to its end.
std::vector<bool> EventBins(const std::vector<Event>& events, UnixSeconds from, int64_t step,
                            size_t bins, bool to_restoration = true);

// IODA's rule at its best on this series: the row of "ioda-rule:*" with the highest F1.
const MethodRow* BestIodaRule(const Evaluation& e);

// One synthetic family (synthetic.h) over seeds 1..seeds: per seed the combined detector's scores
// and IODA's rule at its best on that case.
struct FamilyEvaluation {
  std::string family;
  std::string description;
  struct Case {
    uint64_t seed = 0;
    Scores combined;
    std::string best_ioda;  // "ioda-rule:critical/probe"; "" when the case has no outage
    Scores ioda;
  };
  std::vector<Case> cases;
  double mean_combined_f1 = 0, mean_ioda_f1 = 0;  // over cases with an outage
  int64_t false_events = 0;                       // the combined detector's, summed
  int64_t ioda_false_events = 0;                  // the best IODA row's, summed
};
FamilyEvaluation EvaluateFamily(const struct SyntheticFamily& family, const DetectConfig& config,
                                int seeds);
std::string FamiliesTable(const std::vector<FamilyEvaluation>& families);
std::string FamiliesJson(const std::vector<FamilyEvaluation>& families);

// {"combined": {"precision","recall","f1","onset_latency_bins"},
//  "methods": [{"method","signal","precision","recall","f1"}, ...]}
std::string EvaluationJson(const Evaluation& e);
// A human-readable table.
std::string EvaluationTable(const Evaluation& e);

}  // namespace blackout::detect
