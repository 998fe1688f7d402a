// The combined detector of one entity: its signals are judged bin by bin (SignalDetector), the
// verdicts vote on whether the bin is an outage, and outage bins become events with a start, an end
// (or "ongoing"), depth, duration, IODA-style score, the signals that show it, phases and the
// technique. Streaming (Push one bin at a time, as the service does) and batch (DetectSeries over a
// whole series) run the same code and give identical alerts and events.
// Thread-safety: an EntityDetector is used from one thread at a time; distinct ones are
// independent.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/detect/baseline.h"
#include "blackout/detect/config.h"
#include "blackout/store/types.h"

namespace blackout::detect {

// One alerting bin of one signal (levels warning and critical only).
struct Alert {
  std::string entity;
  Signal signal = Signal::kProbe;
  UnixSeconds time = 0;  // bin start
  Level level = Level::kWarning;
  double value = 0;
  double expected = 0;
  double ratio = 0;
  Method method = Method::kIodaMedian;
};

// The phase and technique vocabularies are the store's, one for the whole project (store/types.h):
// reduced-connectivity, near-total-blackout, partial-recovery, total-recovery; unknown,
// routes-withdrawn, packets-filtered, throttling, mixed.
using PhaseKind = store::Phase;
using store::PhaseName;

struct Phase {
  PhaseKind kind = PhaseKind::kReducedConnectivity;
  UnixSeconds start = 0;
  std::optional<UnixSeconds> end;  // nullopt: the event is ongoing and still in this phase
  double depth = 1;                // lowest connectivity within the phase
  friend bool operator==(const Phase&, const Phase&) = default;
};

using Technique = store::Technique;
using store::TechniqueName;

struct Event {
  std::string entity;
  UnixSeconds start = 0;           // first outage bin
  std::optional<UnixSeconds> end;  // end of the last outage bin (exclusive); nullopt = ongoing
  UnixSeconds last_bin = 0;        // start of the last outage bin seen
  int64_t step = kDefaultStepSeconds;
  // Lowest connectivity: the median across judged signals of min(1, value / expected), in [0, 1].
  double depth = 1;
  // IODA's score: the largest, across signals, of sum((expected - value) / expected * minutes).
  double score = 0;
  std::vector<Signal> signals;  // signals with a warning or critical bin in the event
  // In time order. Total recovery is the closing stretch with connectivity back at or above
  // recovered_ratio while some signal still alerts, ending with the event; an instant at the
  // event's end when connectivity came back only then. An ended event always closes with it.
  std::vector<Phase> phases;
  Technique technique = Technique::kUnknown;
  std::vector<std::string> carriers;  // child entities (regions, ASNs) that carry it
  // When the final recovery began: the first bin of the rise that ends in total recovery (the
  // bin total recovery begins when connectivity came back at once). Set once total recovery has
  // begun. [start, restored) is the disruption proper, what a shutdown's reported span covers;
  // [restored, end) is its partial-recovery phase, connectivity on its way back.
  std::optional<UnixSeconds> restored;
  // Why it ended when not by every signal coming back: an operator's new normal ("new normal
  // declared: NOTE"); empty otherwise.
  std::string end_reason;

  int64_t duration_seconds() const { return end.value_or(last_bin + step) - start; }
  friend bool operator==(const Event&, const Event&) = default;
};

// Receives results as they are decided (streaming). Events are reported when confirmed (after
// min_event_bins), again whenever they grow, and when they end; the last report of an event
// (matched on entity + start) is its current state.
struct DetectSink {
  std::function<void(const Alert&)> on_alert;
  std::function<void(const Event&)> on_event;
  // Every bin's verdicts, before the vote (index = Signal; a disabled signal's is kNoData).
  std::function<void(UnixSeconds, const std::array<const Verdict*, kNumSignals>&)> on_verdicts;
};

struct Detection {
  std::vector<Alert> alerts;  // in time order, then signal order within a bin
  std::vector<Event> events;
};

// Every verdict of every signal, bin by bin (DetectSeries' optional trace): what the API serves as
// expected values, bands and levels, so that they are exactly what the vote saw.
using VerdictTrace = std::array<std::vector<Verdict>, kNumSignals>;

struct EntitySeries;

class EntityDetector {
 public:
  EntityDetector(std::string entity, const DetectConfig& config, int64_t step);

  // Feeds the bin starting at `t` with one value per signal (index = Signal; nullopt = no data).
  // Errors (kInvalidArgument, nothing changed): `t` not after the previous bin.
  Status Push(UnixSeconds t, const std::array<std::optional<double>, kNumSignals>& values,
              const DetectSink* sink = nullptr);

  // Events so far: every ended event and the ongoing one (end = nullopt), in time order.
  std::vector<Event> Events() const;
  // Whether bin `t` was an outage bin (for evaluation): call after Push of that bin.
  const std::string& entity() const { return entity_; }
  int64_t step() const { return step_; }

 private:
  // What one bin of the current event was: an outage bin by the vote; recovering (the vote no
  // longer says outage but some judged signal is still below its band); silent (no signal that
  // showed the event has a judgement: the state is unknown); or, trailing, back (all normal).
  enum class BinState : uint8_t { kOutage, kRecovering, kSilent, kBack };
  struct BinRecord {
    UnixSeconds time;
    BinState state;
    std::array<std::optional<double>, kNumSignals> ratio;
    std::array<Level, kNumSignals> level;
  };
  Event Build(bool ended) const;
  // Where the final recovery began among the event's bins [0, n) (Build; docs/detect.md).
  size_t RestorationOnset(const std::vector<double>& conn, const std::vector<bool>& fresh,
                          size_t n) const;
  // The vote and the event logic for bin `b`, given each signal's verdict on it (a disabled
  // signal's is kNoData). Shared by Push and the batch path (DetectSeries), so both decide alike.
  // Ends by telling the signal detectors whether the bin is inside an open event (Hold/Release).
  void Decide(UnixSeconds b, const std::array<const Verdict*, kNumSignals>& verdicts,
              const DetectSink* sink);
  // Applies the operator's new normals that take effect at or before bin `b`.
  void ApplyNewNormals(UnixSeconds b, const DetectSink* sink);
  void CloseCurrent(const DetectSink* sink, std::optional<UnixSeconds> cut = std::nullopt,
                    std::string reason = "");
  friend Detection DetectSeries(const EntitySeries& series, const DetectConfig& config,
                                VerdictTrace* trace);

  std::string entity_;
  DetectConfig config_;
  int64_t step_;
  std::vector<SignalDetector> signals_;
  std::optional<UnixSeconds> next_;
  // The current candidate or confirmed event: its bins from the first outage bin on.
  std::vector<BinRecord> current_;
  int outage_bins_ = 0;  // outage bins in current_
  int gap_ = 0;          // trailing kBack bins (all signals normal) since the last other bin
  bool confirmed_ = false;
  std::array<bool, kNumSignals> shows_{};  // signals that alerted in current_
  std::vector<Event> closed_;
  // The last few bins (for a sustained warning that starts an event where its run began).
  std::vector<BinRecord> recent_;
  size_t recent_head_ = 0;
  std::array<int64_t, kNumSignals> sustain_bins_{};  // per signal, 0 = never alone
  std::array<int64_t, kNumSignals> warn_run_{};      // consecutive bins at warning or worse
  std::array<UnixSeconds, kNumSignals> warn_start_{};
  std::vector<NewNormal> new_normals_;  // this entity's, by time
  size_t next_new_normal_ = 0;
};

// A whole entity, all signals on one grid: values[s][i] is the bin from + i * step of signal s;
// an empty vector means the entity has no such signal.
struct EntitySeries {
  std::string entity;
  UnixSeconds from = 0;
  int64_t step = kDefaultStepSeconds;
  std::array<std::vector<std::optional<double>>, kNumSignals> values;
  size_t bins() const;
};

// Batch: the same as pushing every bin of `series` to an EntityDetector (and identical to it), but
// faster: each signal predicts its expected values a stretch at a time (Baseline::Predict). With
// `trace`, every signal's verdict on every bin is kept there (empty vectors for signals that are
// disabled or absent).
Detection DetectSeries(const EntitySeries& series, const DetectConfig& config,
                       VerdictTrace* trace = nullptr);

// Fills parent.carriers with the entities of `children` events that overlap it in time, sorted and
// without duplicates. Ongoing events extend to +infinity.
void AttachCarriers(std::vector<Event>& parents, const std::vector<Event>& children);

}  // namespace blackout::detect
