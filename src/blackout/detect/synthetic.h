// Synthetic entities with known truth, for tests and benchmarks: per signal a level, a daily cycle
// and noise, plus outages (of chosen depth, length and signals), level shifts and missing data.
// Deterministic for a given seed on every platform (own Box-Muller over a fixed 64-bit generator).
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "blackout/detect/ioda_csv.h"

namespace blackout::detect {

struct SyntheticSignal {
  bool present = true;
  double level = 0;      // mean value
  double diurnal = 0;    // relative amplitude of the daily cycle (0.5: +-50%)
  double noise = 0.02;   // relative Gaussian noise
  double poisson = 0;    // adds sqrt(mean) * poisson noise (counts)
  double missing = 0;    // probability that a bin is missing
  bool integer = false;  // round to whole numbers
};

struct SyntheticOutage {
  int64_t start_bin = 0;
  int64_t bins = 0;
  // Remaining fraction of each signal during the outage (1 = unaffected).
  std::array<double, kNumSignals> remaining = {1, 1, 1, 1};
  bool labelled = true;  // part of the truth (false for level shifts one does not want counted)
};

struct SyntheticSpec {
  std::string entity = "country/ZZ";
  UnixSeconds from = 1'700'000'000 - 1'700'000'000 % 86400;
  int64_t step = kDefaultStepSeconds;
  int days = 30;
  uint64_t seed = 1;
  std::array<SyntheticSignal, kNumSignals> signals;
  std::vector<SyntheticOutage> outages;
  // Permanent change of level from `shift_bin` on (factor per signal); 0 bins = none.
  int64_t shift_bin = 0;
  std::array<double, kNumSignals> shift = {1, 1, 1, 1};
  // Bins where every signal is missing (a collection outage, not a network one).
  int64_t hole_start = 0, hole_bins = 0;
};

// A country-sized entity: traffic 1e6 +-60%, darknet 200 +-30% (counts), BGP 3000 /24s flat,
// probe 600 /24s +-10%.
SyntheticSpec CountrySpec();

// Labels are true inside labelled outages, false elsewhere.
LabelledSeries Generate(const SyntheticSpec& spec);

// A family of synthetic cases with their truth: one class of outage (or of normal behaviour) whose
// sizes, depths, durations and times are drawn from the seed, so that a method is judged on the
// class, not on one series. docs/detect.md lists them and the scores.
struct SyntheticFamily {
  std::string name;
  std::string description;
  std::function<SyntheticSpec(uint64_t seed)> make;
};
const std::vector<SyntheticFamily>& SyntheticFamilies();

}  // namespace blackout::detect
