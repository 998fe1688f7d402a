#include "blackout/detect/synthetic.h"

#include <cmath>
#include <numbers>

namespace blackout::detect {

namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {}
  uint64_t Next() {  // splitmix64
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return double(Next() >> 11) * 0x1.0p-53; }
  double Normal() {
    double u = Uniform(), v = Uniform();
    return std::sqrt(-2.0 * std::log(u + 1e-300)) * std::cos(2 * std::numbers::pi * v);
  }

 private:
  uint64_t s_;
};

}  // namespace

SyntheticSpec CountrySpec() {
  SyntheticSpec s;
  auto& t = s.signals[static_cast<int>(Signal::kTraffic)];
  t = {true, 1e6, 0.6, 0.05, 0, 0, false};
  auto& d = s.signals[static_cast<int>(Signal::kDarknet)];
  d = {true, 200, 0.3, 0.02, 1, 0, true};
  auto& b = s.signals[static_cast<int>(Signal::kBgp)];
  b = {true, 3000, 0, 0.001, 0, 0, true};
  auto& p = s.signals[static_cast<int>(Signal::kProbe)];
  p = {true, 600, 0.1, 0.02, 0, 0, true};
  return s;
}

LabelledSeries Generate(const SyntheticSpec& spec) {
  LabelledSeries out;
  EntitySeries& es = out.series;
  es.entity = spec.entity;
  es.from = spec.from;
  es.step = spec.step;
  const int64_t bins = int64_t(spec.days) * 86400 / spec.step;
  out.labels.assign(static_cast<size_t>(bins), false);
  for (const auto& o : spec.outages) {
    if (!o.labelled) continue;
    for (int64_t i = o.start_bin; i < o.start_bin + o.bins && i < bins; ++i) {
      if (i >= 0) out.labels[static_cast<size_t>(i)] = true;
    }
  }
  for (int s = 0; s < kNumSignals; ++s) {
    const SyntheticSignal& sig = spec.signals[s];
    if (!sig.present) continue;
    Rng rng(spec.seed * 131 + static_cast<uint64_t>(s));
    auto& v = es.values[s];
    v.assign(static_cast<size_t>(bins), std::nullopt);
    for (int64_t i = 0; i < bins; ++i) {
      UnixSeconds t = spec.from + i * spec.step;
      double phase = 2 * std::numbers::pi * double(t % 86400) / 86400.0;
      double mean = sig.level * (1 + sig.diurnal * std::sin(phase));
      if (spec.shift_bin > 0 && i >= spec.shift_bin) mean *= spec.shift[s];
      for (const auto& o : spec.outages) {
        if (i >= o.start_bin && i < o.start_bin + o.bins) mean *= o.remaining[s];
      }
      double x = mean + sig.noise * mean * rng.Normal() +
                 sig.poisson * std::sqrt(std::max(mean, 0.0)) * rng.Normal();
      x = std::max(0.0, x);
      if (sig.integer) x = std::round(x);
      bool missing = rng.Uniform() < sig.missing || (spec.hole_bins > 0 && i >= spec.hole_start &&
                                                     i < spec.hole_start + spec.hole_bins);
      if (!missing) v[static_cast<size_t>(i)] = x;
    }
  }
  return out;
}

}  // namespace blackout::detect
