// The multi-site combine (probe/combine.h) for 5 million blocks x 3 vantage points, one bin, one
// core (target <= 1 s): a quiet bin (0.1% of blocks down somewhere) and a bin where one vantage
// point lost its uplink (every block down there: the suspect and witness passes run). Beside it, in
// the same run, a straightforward reference of the same rule (per block, branches, a std::set of
// countries), as a first version would be written; the two must agree. docs/probe.md has the
// figures.
#include <benchmark/benchmark.h>

#include <random>
#include <set>
#include <vector>

#include "blackout/probe/combine.h"

namespace blackout::probe {
namespace {

constexpr size_t kBlocks = 5'000'000;
constexpr size_t kVps = 3;

struct Bin {
  std::vector<std::vector<uint8_t>> vp;
  std::vector<uint16_t> country;
};

// ~250 countries in runs of /24s; `failed` vantage point (or -1) sees everything down.
const Bin& MakeBin(int failed) {
  static Bin bins[2];
  Bin& b = bins[failed < 0 ? 0 : 1];
  if (!b.vp.empty()) return b;
  std::mt19937_64 rng(7);
  b.country.resize(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) b.country[i] = static_cast<uint16_t>(1 + (i >> 14) % 250);
  b.vp.assign(kVps, std::vector<uint8_t>(kBlocks, kVpUp | kVpSeenUp));
  for (size_t k = 0; k < kVps; ++k) {
    for (size_t i = 0; i < kBlocks; ++i) {
      const uint64_t r = rng() % 1000;
      if (r == 0) b.vp[k][i] = kVpDown | kVpSeenUp;
      if (r == 1) b.vp[k][i] = kVpUncertain | kVpSeenUp;
      if (r == 2) b.vp[k][i] = kVpDown;  // never seen up there
      if (r == 3) b.vp[k][i] = kVpUnwatched;
    }
  }
  if (failed >= 0) {
    for (auto& c : b.vp[static_cast<size_t>(failed)]) c = (c & kVpSeenUp) | kVpDown;
  }
  return b;
}

void BM_Combine(benchmark::State& state) {
  const Bin& b = MakeBin(static_cast<int>(state.range(0)));
  std::vector<std::span<const uint8_t>> spans(b.vp.begin(), b.vp.end());
  std::vector<uint8_t> out(kBlocks);
  std::vector<VantageVerdict> verdicts(kVps);
  for (auto _ : state) {
    CombineBlocks(spans, b.country, {}, out, verdicts);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["healthy_vps"] = static_cast<double>(
      std::count_if(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.healthy; }));
  state.SetItemsProcessed(state.iterations() * kBlocks * kVps);
}
BENCHMARK(BM_Combine)->Arg(-1)->Arg(2)->ArgName("failed_vp")->Unit(benchmark::kMillisecond);

// The same rule, written the obvious way.
void Reference(const Bin& b, std::vector<uint8_t>& out, std::vector<bool>& healthy) {
  const CombineOptions o;
  std::vector<bool> suspect(kVps, false);
  for (size_t k = 0; k < kVps; ++k) {
    uint64_t seen = 0, bad = 0;
    std::set<uint16_t> countries;
    for (size_t i = 0; i < kBlocks; ++i) {
      const uint8_t c = b.vp[k][i];
      if ((c & kVpSeenUp) == 0) continue;
      ++seen;
      if ((c & kVpStateMask) != kVpUp) {
        ++bad;
        if (b.country[i] != 0) countries.insert(b.country[i]);
      }
    }
    suspect[k] =
        seen > 0 && bad >= o.vp_down_fraction * seen && countries.size() >= o.vp_min_countries;
  }
  for (size_t k = 0; k < kVps; ++k) {
    healthy[k] = true;
    if (!suspect[k]) continue;
    uint64_t witnessed = 0, contradicted = 0;
    for (size_t i = 0; i < kBlocks; ++i) {
      const uint8_t c = b.vp[k][i];
      if ((c & kVpSeenUp) == 0 || (c & kVpStateMask) == kVpUp) continue;
      bool w = false, up = false;
      for (size_t j = 0; j < kVps; ++j) {
        if (suspect[j] || (b.vp[j][i] & kVpSeenUp) == 0) continue;
        w = true;
        if ((b.vp[j][i] & kVpStateMask) == kVpUp) up = true;
      }
      witnessed += w;
      contradicted += up;
    }
    healthy[k] = !(witnessed > 0 && contradicted >= o.vp_contradicted_fraction * witnessed);
  }
  for (size_t i = 0; i < kBlocks; ++i) {
    bool up = false, unc = false, down = false;
    for (size_t k = 0; k < kVps; ++k) {
      const uint8_t c = b.vp[k][i];
      if (!healthy[k] || (c & kVpSeenUp) == 0) continue;
      switch (c & kVpStateMask) {
        case kVpUp:
          up = true;
          break;
        case kVpUncertain:
          unc = true;
          break;
        case kVpDown:
          down = true;
          break;
      }
    }
    out[i] = up ? kCombinedUp : unc ? kCombinedUncertain : down ? kCombinedDown : kCombinedUnknown;
  }
}

void BM_Reference(benchmark::State& state) {
  const Bin& b = MakeBin(static_cast<int>(state.range(0)));
  std::vector<uint8_t> out(kBlocks);
  std::vector<bool> healthy(kVps);
  for (auto _ : state) {
    Reference(b, out, healthy);
    benchmark::DoNotOptimize(out.data());
  }
  // The two must agree.
  std::vector<std::span<const uint8_t>> spans(b.vp.begin(), b.vp.end());
  std::vector<uint8_t> mine(kBlocks);
  std::vector<VantageVerdict> verdicts(kVps);
  CombineBlocks(spans, b.country, {}, mine, verdicts);
  if (mine != out) state.SkipWithError("reference and CombineBlocks disagree");
  state.SetItemsProcessed(state.iterations() * kBlocks * kVps);
}
BENCHMARK(BM_Reference)->Arg(-1)->Arg(2)->ArgName("failed_vp")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blackout::probe

BENCHMARK_MAIN();
