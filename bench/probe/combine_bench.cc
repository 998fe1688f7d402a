// The multi-site combine (probe/combine.h) for 5 million blocks x 3 vantage points, one bin, one
// core (target <= 1 s): a quiet bin (0.1% of blocks down somewhere) and a bin where one vantage
// point lost its uplink (every block down there: the suspect and witness passes run). Beside it, in
// the same run, a straightforward reference of the same rule (per block, branches, a std::set of
// countries), as a first version would be written; the two must agree. And the observatory's whole
// path for one bin: MultiSiteJudge::Ingest of the three vantage points' rounds (parse, ledger and
// per-vantage points, the bin judged again at each arrival: dense arrays filled from the sparse
// rounds, combine, per-entity counts, the combined points written to SQLite). docs/probe.md has
// the figures.
#include <benchmark/benchmark.h>

#include <random>
#include <set>
#include <vector>

#include "blackout/probe/combine.h"
#include "blackout/probe/multisite.h"
#include "blackout/probe/records.h"
#include "blackout/testing/testing.h"

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

// 5M blocks from 1.0.0.0, ~250 "countries" (by /12) and ~20k "ASNs" (by /16); each round 0.1% of
// the blocks change state (DOWN, then UP again the round after).
void BM_JudgeBin(benchmark::State& state) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  if (!st.ok()) return state.SkipWithError(st.status().ToString().c_str());
  MultiSiteJudge judge(**st);
  std::vector<uint32_t> bases(kBlocks), group(kBlocks);
  std::vector<std::vector<std::string>> groups;
  for (size_t i = 0; i < kBlocks; ++i) {
    bases[i] = (1u << 24) + (static_cast<uint32_t>(i) << 8);
    group[i] = static_cast<uint32_t>(i >> 8);
    if (group[i] == groups.size()) {
      groups.push_back(
          {"country/C" + std::to_string(i >> 12), "asn/" + std::to_string(i / 256 + 1)});
    }
  }
  const std::vector<std::string> names = {"vp-1", "vp-2", "vp-3"};
  for (const std::string& v : names) {
    if (!judge.Ingest(FormatBlockList(MakeBlockList(v, bases, group, groups))).ok()) {
      return state.SkipWithError("block list");
    }
  }
  std::mt19937_64 rng(3);
  std::vector<uint32_t> down_now;
  int64_t index = 0;
  for (auto _ : state) {
    state.PauseTiming();
    RoundReport r;
    r.index = index;
    r.round_ns = 660 * kNanosPerSecond;
    r.start_ns = (1'700'000'040 + 660 * index) * kNanosPerSecond;
    std::vector<uint32_t> down_next;
    for (size_t j = 0; j < kBlocks / 1000; ++j) down_next.push_back(bases[rng() % kBlocks]);
    std::sort(down_next.begin(), down_next.end());
    down_next.erase(std::unique(down_next.begin(), down_next.end()), down_next.end());
    for (uint32_t b : down_now)
      r.changes.push_back({b, BlockState::kDown, BlockState::kUp, 0.99, r.start_ns});
    for (uint32_t b : down_next)
      r.changes.push_back({b, BlockState::kUp, BlockState::kDown, 0.01, r.start_ns});
    for (size_t g = 0; g < groups.size(); g += 64) r.counts.push_back({groups[g][1], 256, 256});
    std::sort(r.counts.begin(), r.counts.end(),
              [](auto& a, auto& b) { return a.entity < b.entity; });
    r.eligible = kBlocks;
    r.down = down_next.size();
    r.up = kBlocks - r.down;
    std::vector<std::string> bodies;
    for (const std::string& v : names)
      bodies.push_back(std::string(kRecordsHeader) + "\n" + FormatRound(r, v));
    down_now = std::move(down_next);
    ++index;
    state.ResumeTiming();
    for (const std::string& body : bodies) {
      auto res = judge.Ingest(body);
      if (!res.ok()) return state.SkipWithError(res.status().ToString().c_str());
    }
  }
  state.SetItemsProcessed(state.iterations() * kBlocks * kVps);
}
BENCHMARK(BM_JudgeBin)->Unit(benchmark::kMillisecond)->Iterations(4);

}  // namespace
}  // namespace blackout::probe

BENCHMARK_MAIN();
