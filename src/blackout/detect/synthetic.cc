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

namespace {

constexpr int kT = static_cast<int>(Signal::kTraffic);
constexpr int kD = static_cast<int>(Signal::kDarknet);
constexpr int kB = static_cast<int>(Signal::kBgp);
constexpr int kP = static_cast<int>(Signal::kProbe);

// Draws from [lo, hi) for one family's seed; `salt` keeps the draws of one case independent.
double Draw(uint64_t seed, uint64_t salt, double lo, double hi) {
  Rng r(seed * 7919 + salt);
  return lo + (hi - lo) * r.Uniform();
}

int64_t BinOf(const SyntheticSpec& s, double day) {
  return static_cast<int64_t>(day * 86400) / s.step;
}

SyntheticOutage Cut(const SyntheticSpec& s, double start_day, double hours,
                    std::array<double, kNumSignals> remaining) {
  SyntheticOutage o;
  o.start_bin = BinOf(s, start_day);
  o.bins = static_cast<int64_t>(hours * 3600) / s.step;
  o.remaining = remaining;
  return o;
}

// A small network: tens of probed /24s (states of a fixed set of blocks: a little noise), tens of
// routed /24s, a noisy handful of telescope sources, no web clients.
SyntheticSpec SmallEntity(uint64_t seed) {
  SyntheticSpec s;
  s.entity = "asn/64500";
  s.seed = seed;
  s.signals[kT].present = false;
  s.signals[kD] = {true, Draw(seed, 1, 3, 8), 0.4, 0.3, 1, 0.01, true};
  s.signals[kB] = {true, std::round(Draw(seed, 2, 30, 90)), 0, 0, 0, 0, true};
  s.signals[kP] = {true, std::round(Draw(seed, 3, 20, 60)), 0.15, 0.06, 0.3, 0.01, true};
  return s;
}

std::vector<SyntheticFamily> MakeFamilies() {
  std::vector<SyntheticFamily> f;
  f.push_back({"small-partial",
               "small network (20-60 probed /24s, 30-90 routed), one day of history, probing "
               "halved for 1-2 days while 3-6 /24s are withdrawn for exactly that span",
               [](uint64_t seed) {
                 SyntheticSpec s = SmallEntity(seed);
                 s.days = 6;
                 const double bgp = s.signals[kB].level;
                 const double lost = std::round(Draw(seed, 4, 3, 6.99));
                 s.outages = {Cut(s, Draw(seed, 5, 1.05, 1.6), Draw(seed, 6, 24, 48),
                                  {1, 0.6, 1 - lost / bgp, Draw(seed, 7, 0.4, 0.6)})};
                 return s;
               }});
  f.push_back({"small-quiet", "the same small networks with no outage (false events only)",
               [](uint64_t seed) {
                 SyntheticSpec s = SmallEntity(seed);
                 s.days = 20;
                 return s;
               }});
  f.push_back({"country-partial",
               "country, mobile networks filtered: probing at 55-70% and traffic at 40-60% for "
               "12-24 h, routes kept",
               [](uint64_t seed) {
                 SyntheticSpec s = CountrySpec();
                 s.seed = seed;
                 s.days = 20;
                 s.outages = {Cut(s, Draw(seed, 8, 10, 14), Draw(seed, 9, 12, 24),
                                  {Draw(seed, 10, 0.4, 0.6), 0.8, 1, Draw(seed, 11, 0.55, 0.7)})};
                 return s;
               }});
  f.push_back({"multi-week",
               "country shut down for 19-40 days at 3-10% after 7 days of history, routes "
               "partly withdrawn",
               [](uint64_t seed) {
                 SyntheticSpec s = CountrySpec();
                 s.seed = seed;
                 const double days = Draw(seed, 12, 19, 40);
                 s.days = 7 + static_cast<int>(days) + 3;
                 const double level = Draw(seed, 13, 0.03, 0.1);
                 s.outages = {Cut(s, Draw(seed, 14, 7, 7.9), days * 24,
                                  {level, level * 2, Draw(seed, 15, 0.4, 0.9), level})};
                 return s;
               }});
  f.push_back({"short-history",
               "country with 1.5-2.5 days of history, then a nationwide shutdown of 2-6 days "
               "(Iran, November 2019)",
               [](uint64_t seed) {
                 SyntheticSpec s = CountrySpec();
                 s.seed = seed;
                 s.days = 10;
                 s.outages = {Cut(s, Draw(seed, 16, 1.5, 2.5), Draw(seed, 17, 48, 144),
                                  {0.1, 0.2, Draw(seed, 18, 0.5, 0.7), 0.05})};
                 return s;
               }});
  f.push_back({"gap-inside",
               "country shut down for 1-2 days with a 3-12 h collection hole (every signal "
               "missing) inside the outage",
               [](uint64_t seed) {
                 SyntheticSpec s = CountrySpec();
                 s.seed = seed;
                 s.days = 16;
                 const double start = Draw(seed, 19, 10, 11);
                 const double hours = Draw(seed, 20, 24, 48);
                 s.outages = {Cut(s, start, hours, {0.05, 0.1, 1, 0.05})};
                 s.hole_start = BinOf(s, start + Draw(seed, 21, 0.2, 0.5) * hours / 24);
                 s.hole_bins = static_cast<int64_t>(Draw(seed, 22, 3, 12) * 3600) / s.step;
                 return s;
               }});
  return f;
}

}  // namespace

const std::vector<SyntheticFamily>& SyntheticFamilies() {
  static const std::vector<SyntheticFamily> families = MakeFamilies();
  return families;
}

}  // namespace blackout::detect
