// Glue between the detector and the store, the one used by `blackout detect` and the service:
// reads the signals of each entity from the store, runs the combined detector over [from, until)
// after a warm-up stretch read from before `from` (so the results equal what the streaming
// detector computed for those bins), and writes alerts and events back, replacing what an earlier
// run wrote for the same entity and range. An entity's events list, as carriers, the entities
// belonging to it (its regions and ASNs, as StoreDetectOptions::parents says) whose events overlap
// them.
//
// Signals of one entity may have different steps: detection runs on the entity's finest step and
// a coarser signal's value holds for every fine bin it covers (a 3600 s value counts for the twelve
// 300 s bins of its hour), as the service and the dashboard read them; docs/detect.md says why.
// Thread-safety: one call at a time per Store write; the functions keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>
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
  // The entities an entity belongs to ("asn/9198" -> {"country/KZ"}, "region/KZ-ALA" ->
  // {"country/KZ"}): their events list this entity's overlapping events as carriers. Unset: a
  // region belongs to its country (region/CC-xxx -> country/CC), nothing else belongs anywhere.
  // Called once per entity with events.
  std::function<std::vector<std::string>(std::string_view entity)> parents;
};

// The default rule of StoreDetectOptions::parents: {"country/CC"} for "region/CC-xxx", else {}.
std::vector<std::string> RegionParents(std::string_view entity);

struct StoreDetectReport {
  int64_t entities = 0;
  int64_t series = 0;
  int64_t alerts = 0;
  std::vector<Event> events;     // written events, in entity then time order
  std::vector<Status> problems;  // series skipped (none today; kept for input problems)
};

// How much history before `from` the configured baselines need.
int64_t WarmupSeconds(const DetectConfig& config);

// Errors: kInvalidArgument (from >= until), the store's errors (kUnavailable, kIoError, ...).
Result<StoreDetectReport> DetectInStore(store::Store& store, const StoreDetectOptions& options);

// Conversions to the store's types, the only ones (the service writes through them too): the
// technique maps one to one ("mixed" included), carriers become `related`, the method is
// "blackout-combined".
store::Alert ToStoreAlert(const Alert& alert, int64_t step, const SignalConfig& config);
store::Event ToStoreEvent(const Event& event);

}  // namespace blackout::detect
