// Value types of the signal store: series keys and dense series with explicit missing values,
// alerts, events (with phases, signals, technique and related entities), and ingest-ledger records.
// Every module that writes or reads the store speaks these types; store.h holds the interface.
// Thread-safety: plain value types and pure functions.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::store {

// ---------------------------------------------------------------------------------------------
// Signals and entities

// Canonical signal names. Any other name is allowed too (the BGP signal stores levels such as
// "bgp-1peer", "bgp-25", "bgp-75", "bgp-100"); a signal name is [a-z0-9._-]{1,64}.
inline constexpr std::string_view kSignalBgp = "bgp";
inline constexpr std::string_view kSignalProbe = "probe";
inline constexpr std::string_view kSignalDarknet = "darknet";
inline constexpr std::string_view kSignalTraffic = "traffic";

// Maps any registered name (signals.h: datasource or IODA alias, case-insensitive) to blackout's:
// "ping-slash24" -> "probe", "merit-nt" -> "darknet", "gtr" -> "traffic"; any other name is
// returned lower-cased.
std::string CanonicalSignal(std::string_view name);
// The API's datasource of a canonical signal (signals.h): "probe" -> "ping-slash24", "darknet" ->
// "merit-nt", "traffic" stays "traffic" (web clients are not Google's gtr); other names unchanged.
std::string IodaDatasource(std::string_view signal);

// An entity is "TYPE/CODE" (country/KZ, region/KZ-ALA, asn/9198; see geo/entity.h). The store does
// not interpret codes; it checks the shape: non-empty TYPE of [a-z0-9_-], '/', non-empty CODE of
// printable ASCII without spaces, at most 128 characters.
Status ValidateEntity(std::string_view entity);
Status ValidateSignal(std::string_view signal);
// "country/KZ" -> "country" ("" if there is no '/').
std::string_view EntityTypeOf(std::string_view entity);

// ---------------------------------------------------------------------------------------------
// Series

// A missing bin. A gap is never a zero: readers get kMissing (NaN) for bins nobody measured and for
// bins written as missing. Test with IsMissing().
inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
inline bool IsMissing(double v) { return std::isnan(v); }

// Identifies one series. `source` names the collector set, vantage point or log source that
// produced it; "" means "all sources combined" (what the API shows by default).
struct SeriesKey {
  std::string entity;  // "country/KZ"
  std::string signal;  // "bgp", "probe", "darknet", "traffic", or any other valid signal name
  std::string source;  // "" or e.g. "ris-rrc04", "prober-1"

  std::string ToString() const;  // "country/KZ|bgp|" (entity|signal|source)
  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
  friend auto operator<=>(const SeriesKey& a, const SeriesKey& b) {
    return std::tie(a.entity, a.signal, a.source) <=> std::tie(b.entity, b.signal, b.source);
  }
};

struct SeriesKeyHash {
  size_t operator()(const SeriesKey& k) const;
};

// A dense run of bins with a fixed step: values[i] is the bin starting at from + i * step.
// Missing bins hold kMissing. `from` is aligned to `step` (BinStart).
struct Series {
  SeriesKey key;
  UnixSeconds from = 0;
  int64_t step = kDefaultStepSeconds;
  std::vector<double> values;

  UnixSeconds until() const { return from + step * static_cast<int64_t>(values.size()); }
  // REQUIRES: from <= t < until()
  double at(UnixSeconds t) const { return values[static_cast<size_t>((t - from) / step)]; }
  size_t present() const;  // number of non-missing bins
};

// One measured bin, for sparse writes.
struct Point {
  UnixSeconds time = 0;  // any time inside the bin; stored at BinStart(time, step)
  double value = kMissing;
};

// What the store knows about one series.
struct SeriesInfo {
  SeriesKey key;
  int64_t step = kDefaultStepSeconds;
  UnixSeconds first = 0;  // first stored bin (present or written-as-missing)
  UnixSeconds last = 0;   // last stored bin
};

// The latest non-missing value of a series.
struct LatestValue {
  SeriesKey key;
  int64_t step = kDefaultStepSeconds;
  UnixSeconds time = 0;  // bin start
  double value = kMissing;
};

// ---------------------------------------------------------------------------------------------
// Levels: the one verdict scale (the detector's, the alerts', the API's `levels`, the dashboard's)

// kNoData: nothing was measured in the bin (missing, NaN, negative or infinite value). kUnknown:
// a value, but no judgement (the baseline is still learning, or the expected value is below the
// floor). Neither is ever "normal". Ordered so that `level >= kWarning` means "alerting". The
// numbers are the API's (`levels` arrays) and the dashboard's.
enum class Level : uint8_t { kNoData = 0, kUnknown = 1, kNormal = 2, kWarning = 3, kCritical = 4 };
inline constexpr int kNumLevels = 5;
// "no-data", "unknown", "normal", "warning", "critical"
std::string_view LevelName(Level l);
std::optional<Level> ParseLevel(std::string_view name);  // case-insensitive

// The detector's view of a series' bins: either empty (not judged) or each exactly as long as the
// series' values. expected[i]: the value the detector expected (NaN: no baseline yet); lower[i]:
// the lower edge of its band, expected - z * spread (NaN with expected); level[i]: its verdict,
// a Level's number.
struct ExpectedSeries {
  std::vector<double> expected;
  std::vector<double> lower;
  std::vector<uint8_t> level;

  bool judged() const { return !expected.empty(); }
};

// ---------------------------------------------------------------------------------------------
// Alerts and events (written by detect, read by the API)

// One bin judged against its baseline. Unique on (entity, signal, source, method, time): writing an
// alert with the same key replaces the earlier one.
struct Alert {
  std::string entity;
  std::string signal;
  std::string source;    // "" = combined series
  UnixSeconds time = 0;  // bin start
  int64_t step = kDefaultStepSeconds;
  Level level = Level::kNormal;  // kNormal, kWarning or kCritical
  double value = kMissing;
  double expected = kMissing;  // the baseline ("historyValue" in IODA)
  std::string method;          // "ioda-median", "seasonal", ...
  std::string condition;       // free text, e.g. "< 0.50" (IODA's "condition")
  std::string extra;           // free-form JSON object for fields not modelled here ("" = none)

  // value / expected, or kMissing when either is missing or expected is 0.
  double ratio() const;
};

// Phases of an event, in the vocabulary analysts use.
enum class Phase : uint8_t {
  kReducedConnectivity = 0,
  kNearTotalBlackout = 1,
  kPartialRecovery = 2,
  kTotalRecovery = 3,
  kNoData = 4,  // the signals that carried the event went silent: its state is unknown there
};
// "reduced-connectivity", "near-total-blackout", "partial-recovery", "total-recovery", "no-data"
std::string_view PhaseName(Phase phase);
Result<Phase> ParsePhase(std::string_view name);

struct EventPhase {
  Phase phase = Phase::kReducedConnectivity;
  UnixSeconds start = 0;
  std::optional<UnixSeconds> end;  // nullopt: still in this phase
  double depth = kMissing;         // lowest ratio within the phase
};

// How the disruption was made, when the signals allow saying so.
enum class Technique : uint8_t {
  kUnknown = 0,
  kRoutesWithdrawn = 1,  // BGP drops with the data plane
  kPacketsFiltered = 2,  // data-plane signals drop while BGP stays
  kThrottling = 3,       // traffic down, reachability up
  kMixed = 4,            // routes withdrawn for part, packets filtered for more
};
// "unknown", "routes-withdrawn", "packets-filtered", "throttling", "mixed"
std::string_view TechniqueName(Technique t);
Result<Technique> ParseTechnique(std::string_view name);

// A disruption of one entity, merged across signals. Unique on `id`: writing an event with an
// existing id replaces it (that is how an ongoing event is updated as bins arrive).
struct Event {
  std::string id;  // chosen by the writer and stable; "" = derived as "ENTITY@START"
  std::string entity;
  UnixSeconds start = 0;
  std::optional<UnixSeconds> end;  // nullopt: ongoing
  double depth = kMissing;         // lowest ratio value/expected (0 = total, 1 = none)
  double score = 0;                // IODA-style area: sum of (expected - value)/expected * minutes
  std::vector<std::string> signals;  // signals that show it, e.g. {"probe", "bgp"}
  std::vector<EventPhase> phases;    // in time order
  Technique technique = Technique::kUnknown;
  std::vector<std::string> related;  // entities that carry it (a country's regions and ASNs)
  std::string method;                // detector that produced it
  std::string extra;                 // free-form JSON object ("" = none)

  // end - start in seconds; for ongoing events, `now` - start.
  int64_t duration(UnixSeconds now) const { return end.value_or(now) - start; }
  std::string EffectiveId() const;  // id, or "ENTITY@START" when id is empty
};

// ---------------------------------------------------------------------------------------------
// Ingest ledger

enum class IngestState : uint8_t {
  kComplete = 0,  // the input was applied in full
  kPartial = 1,   // damaged input: its sound part was applied; a later version may replace it
};
std::string_view IngestStateName(IngestState s);  // "complete", "partial"

// One input (a file, a URL, or a named batch) that was applied to the store.
struct IngestRecord {
  std::string input;         // unique name of the input, e.g. an absolute path or URL
  std::string content_hash;  // hash of its bytes (see ContentHash / HashFile)
  IngestState state = IngestState::kComplete;
  std::string detail;  // free text: e.g. "3 damaged records (first at offset 1234)"
  // Filled in by the store on reads:
  UnixSeconds applied_at = 0;  // wall-clock time of the last application
  int64_t points = 0;          // points written by the last application
  int64_t applications = 0;    // how many times it was (re)applied with a new hash
};

// Non-cryptographic 128-bit content hash as 32 lower-case hex digits; identical across machines
// and runs. Good for "is this the same file", not against an adversary.
std::string ContentHash(std::string_view bytes);
Result<std::string> HashFile(const std::string& path);

}  // namespace blackout::store
