// Detector configuration: per signal, which baseline method computes the expected value and at what
// ratios a bin is a warning or critical; per entity, how signals vote and how alerts become events.
// Defaults and their reasons are in docs/detect.md; config/detect.toml spells them out.
// Thread-safety: plain value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::detect {

// The four signals the detector knows: the signal registry's (store/signals.h), in its order; their
// names are the registry's canonical ones and ParseSignal accepts every registered name.
enum class Signal : uint8_t { kTraffic = 0, kDarknet = 1, kBgp = 2, kProbe = 3 };
inline constexpr int kNumSignals = 4;
inline constexpr std::array<Signal, kNumSignals> kAllSignals = {Signal::kTraffic, Signal::kDarknet,
                                                                Signal::kBgp, Signal::kProbe};

std::string_view SignalName(Signal s);  // "traffic", "darknet", "bgp", "probe"
// Accepts blackout's names and IODA's datasource names ("gtr", "merit-nt", "ping-slash24").
std::optional<Signal> ParseSignal(std::string_view name);

// What a signal measures, which decides what its drop alone can mean (docs/detect.md, "The vote"):
// the routes to a network (control plane), whether its address blocks answer (data plane), or how
// much its hosts and users do (activity: telescope sources, web clients), which also falls for
// reasons that are no outage (holidays, a scanner that stops).
// Same values as store::SignalPlane, whose registry entry it is read from.
enum class Plane : uint8_t { kControl = 0, kData = 1, kActivity = 2 };
Plane SignalPlane(Signal s);

enum class Method : uint8_t {
  kIodaMedian = 0,  // ratio to the median of a sliding history window, with inpainting
  kSeasonal = 1,    // median of the same time of day in the most similar past days
};
std::string_view MethodName(Method m);  // "ioda-median", "seasonal"
std::optional<Method> ParseMethod(std::string_view name);

struct SignalConfig {
  Method method = Method::kIodaMedian;
  // kIodaMedian: length of the history window.
  int64_t window_seconds = 7 * 86400;
  // kSeasonal: how many past days are candidates and how many of the closest are used.
  int lookback_days = 28;
  int similar_days = 6;
  // A bin is a warning (critical) when value / expected < warning (critical) and the drop is
  // significant (see z).
  double warning = 0.8;
  double critical = 0.5;
  // Significance: the value must also be below expected - z * spread, where spread is a running
  // robust estimate of the signal's normal deviation from its baseline, at least
  // min_relative_spread * expected. z = 0 turns the band off (IODA's rule: ratios only).
  double z = 0;
  double min_relative_spread = 0.01;
  // No judgement (and no alert) while the expected value is below this floor: too small to tell.
  double floor = 0;
  // The baseline needs this much valid history before it judges anything.
  int64_t min_history_seconds = 12 * 3600;
  // Values of an anomalous stretch are replaced by the prediction in the history (inpainting) for
  // at most this long; after that the new level is written and becomes the new normal.
  int64_t max_inpaint_seconds = 86400;
  // Whether the values are counts of independent things (telescope sources, web clients): their
  // spread is then at least the Poisson sqrt(expected). /24s visible or answering are states of a
  // fixed set of blocks, not arrivals, and their noise is learnt from the data alone.
  bool counts = false;
  // A warning held this long is an outage on this signal's word alone (0: never alone). A
  // control-plane signal's is not when a data-plane signal is judged normal in the same bin.
  int64_t sustain_seconds = 0;
  // Whether this signal takes part in the combined detector.
  bool enabled = true;
};

// An operator's statement that an entity's level changed for good at `from` (a prefix renumbered,
// an ISP closed): the signal's baseline (every signal's when `signal` is unset) starts afresh there
// and an event still open at `from` ends there, saying why. Nothing else ever ends an event whose
// signals have not come back (docs/detect.md, "Long outages and new normals").
struct NewNormal {
  std::string entity;  // canonical "TYPE/CODE"
  std::optional<Signal> signal;
  UnixSeconds from = 0;
  std::string note;
};

struct CombineConfig {
  // A bin is an outage bin when at least one signal is critical, or at least this many signals are
  // at warning or worse.
  int min_warning_signals = 2;
  // An outage becomes an event after this many outage bins (shorter stretches are dropped).
  int min_event_bins = 3;
  // Up to this many non-outage bins inside an outage do not split it.
  int merge_gap_bins = 1;
  // Phases: the entity's connectivity (median ratio across signals) at or below this is a
  // near-total blackout; a rise of recovery_delta above the lowest point so far is a partial
  // recovery.
  double blackout_ratio = 0.1;
  double recovery_delta = 0.2;
  // Total recovery: connectivity back at or above this ("returned to normal levels") and staying
  // there to the end of the event. See docs/detect.md, "Phases".
  double recovered_ratio = 0.9;
};

struct DetectConfig {
  std::array<SignalConfig, kNumSignals> signals;
  CombineConfig combine;
  std::vector<NewNormal> new_normals;  // in any order

  SignalConfig& of(Signal s) { return signals[static_cast<int>(s)]; }
  const SignalConfig& of(Signal s) const { return signals[static_cast<int>(s)]; }
};

// The combined detector's defaults (config/detect.toml holds the same values).
DetectConfig DefaultConfig();
// IODA's published rule for one signal: BGP 24 h window, 99% / 50%; active probing 7 days,
// 80% / 50%; telescope 7 days, 25% / 10%; traffic (not published) as probing. Ratios only, no band.
SignalConfig IodaRuleConfig(Signal s);

// Reads a TOML file over DefaultConfig(): tables [combine] and [signal.NAME] with the keys of the
// structs above (durations as *_hours / *_days). Unknown keys are errors (kInvalidArgument), so are
// values out of range.
Result<DetectConfig> LoadConfig(const std::string& path);
// LoadConfig, or DefaultConfig() when `path` is empty (the commands' --config option).
Result<DetectConfig> LoadConfigOrDefault(const std::string& path);
Result<DetectConfig> ParseConfig(std::string_view toml_text, std::string_view origin = "<string>");
Status ValidateConfig(const DetectConfig& config);

}  // namespace blackout::detect
