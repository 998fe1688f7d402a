// Glue between the detector and the store: reads the signals of each entity from the store, runs
// the combined detector over [from, until) after a warm-up stretch read from before `from` (so the
// results equal what the streaming service computed for those bins), and writes alerts and events
// back, replacing what an earlier run wrote for the same entity and range. A country's events list
// the regions whose events overlap them (region/CC-xxx belongs to country/CC).
// Thread-safety: one call at a time per Store write; the functions keep no state.
#pragma once

#include <string>
#include <vector>

#include "blackout/detect/config.h"
#include "blackout/detect/detector.h"
#include "blackout/store/store.h"

namespace blackout::detect {

struct StoreDetectOptions {
  UnixSeconds from = 0;
  UnixSeconds until = 0;
  std::string entity;  // "" = every entity with a detectable signal
  DetectConfig config = DefaultConfig();
  bool write = true;  // false: compute and report only
};

struct StoreDetectReport {
  int64_t entities = 0;
  int64_t series = 0;
  int64_t alerts = 0;
  std::vector<Event> events;     // written events, in entity then time order
  std::vector<Status> problems;  // series skipped (e.g. a step unlike the entity's others)
};

// How much history before `from` the configured baselines need.
int64_t WarmupSeconds(const DetectConfig& config);

// Errors: kInvalidArgument (from >= until), the store's errors (kUnavailable, kIoError, ...).
Result<StoreDetectReport> DetectInStore(store::Store& store, const StoreDetectOptions& options);

// Conversions to the store's types. "mixed" has no store technique of its own: it is stored as
// routes-withdrawn with {"technique":"mixed"} in `extra`.
store::Alert ToStoreAlert(const Alert& alert, int64_t step, const SignalConfig& config);
store::Event ToStoreEvent(const Event& event);

}  // namespace blackout::detect
