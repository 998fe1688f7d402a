// Where a store's numbers come from, as data: whether they are simulated (the service's scenario
// notice, saved in the store's state), which sources were ingested (the ingest ledger: BGP
// collectors, prober record files, web-server logs, imported series files; the probing vantage
// points from the series' sources) and which geolocation datasets attributed them. Every output
// that leaves the observatory (report.md, chart.png, feeds, CSV exports, the API envelope) states
// it, and a simulated source marks all of them with the word SIMULATION (docs/report.md,
// "Provenance").
// Thread-safety: value types and pure functions; ReadProvenance reads the (thread-safe) store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::store {
class Store;
}

namespace blackout::report {

// The word every output derived from simulated data carries.
inline constexpr std::string_view kSimulationMark = "SIMULATION";
// Store state keys the service writes (server/service.cc): the scenario's notice ("SIMULATION:
// ..."; absent for real sources) and the geolocation datasets' attribution lines.
inline constexpr std::string_view kNoticeStateKey = "service:notice";
inline constexpr std::string_view kGeoStateKey = "service:geo";

// One kind of source that was ingested.
struct SourceUse {
  std::string signal;  // the store signal it feeds: "bgp", "probe", "traffic", "darknet", ""
  std::string kind;    // "bgp", "probe", "traffic", "darknet", "import" (the ledger's prefix)
  std::vector<std::string> names;  // collectors, vantage points, log files, imported files
  int64_t inputs = 0;              // files applied (ingest ledger entries)
};

struct Provenance {
  bool simulation = false;
  std::string notice;  // the scenario's notice ("" for real sources)
  std::vector<SourceUse> sources;
  std::string geo;  // geolocation attribution lines ("" = none recorded)

  // The sources that feed an entity measured by `signals` (store names: bgp, probe, ...); imported
  // series are kept (the ledger does not say which signal they fed).
  Provenance ForSignals(const std::vector<std::string>& signals) const;
  // One paragraph naming every source with its operator and licence where known, e.g. "BGP
  // routing data from route collectors rrc04 (RIPE RIS) and route-views2 (RouteViews), 289
  // files; ...". Starts with "SIMULATION: <notice>. " when simulated.
  std::string Attribution() const;
  // One line for a chart: "Data: ..." (shorter than Attribution, no file counts).
  std::string ShortAttribution() const;
  // "SIMULATION" when simulated, else "".
  std::string Mark() const { return simulation ? std::string(kSimulationMark) : std::string(); }
};

// True when a notice marks simulated data (the rule /api/v2/meta has always used).
bool IsSimulationNotice(std::string_view notice);

// Reads the notice and geo state and the ingest ledger; the probing vantage points come from the
// probe series' sources. Errors: store errors (a missing state key is not one).
Result<Provenance> ReadProvenance(store::Store& store);

}  // namespace blackout::report
