// Batch: the combined detector over whole entities (4 signals x 30 days of 300 s bins), reported
// per series; BM_BatchFull runs the full size (100k series = 25k entities x 4 signals)
// once. Streaming: one new bin pushed to 25k warmed-up entity detectors (100k series).
// Inputs are synthetic country-like entities (detect/synthetic.h) with a few outages, recycled
// from a pool so that generation is not measured.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "blackout/detect/detector.h"
#include "blackout/detect/synthetic.h"

namespace blackout::detect {
namespace {

constexpr int kPool = 8;

const std::vector<EntitySeries>& Pool() {
  static const auto* pool = [] {
    auto* p = new std::vector<EntitySeries>;
    for (int i = 0; i < kPool; ++i) {
      SyntheticSpec spec = CountrySpec();
      spec.seed = static_cast<uint64_t>(i + 1);
      spec.days = 30;
      for (auto& s : spec.signals) s.missing = 0.01;
      spec.outages = {SyntheticOutage{(10 + i) * 288 + 30, 48, {0.1, 0.1, 0.5, 0.1}}};
      p->push_back(Generate(spec).series);
    }
    return p;
  }();
  return *pool;
}

void BM_BatchEntity(benchmark::State& state) {
  const auto& pool = Pool();
  DetectConfig config = DefaultConfig();
  size_t i = 0, events = 0;
  for (auto _ : state) {
    Detection d = DetectSeries(pool[i++ % pool.size()], config);
    events += d.events.size();
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * kNumSignals);  // series
  state.counters["bins_per_series"] = double(pool[0].bins());
  state.counters["events"] = double(events) / double(state.iterations());
}
BENCHMARK(BM_BatchEntity)->Unit(benchmark::kMillisecond);

// Each method alone on one series of 30 days, to see where the time goes.
void BM_BatchSignal(benchmark::State& state) {
  const auto& series = Pool()[0];
  Signal s = static_cast<Signal>(state.range(0));
  SignalConfig c = DefaultConfig().of(s);
  if (state.range(1) == 1) c = IodaRuleConfig(s);
  const auto& v = series.values[static_cast<int>(s)];
  for (auto _ : state) {
    SignalDetector d(c, series.step);
    for (size_t i = 0; i < v.size(); ++i) {
      auto r = d.Step(series.from + static_cast<int64_t>(i) * series.step, v[i]);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(v.size()));  // bins
  state.SetLabel(std::string(SignalName(s)) + (state.range(1) ? " ioda-rule" : " default"));
}
BENCHMARK(BM_BatchSignal)
    ->Args({static_cast<int>(Signal::kBgp), 0})
    ->Args({static_cast<int>(Signal::kProbe), 0})
    ->Args({static_cast<int>(Signal::kProbe), 1})
    ->Unit(benchmark::kMillisecond);

// The size: 100k series x 30 days, one core.
void BM_BatchFull(benchmark::State& state) {
  const auto& pool = Pool();
  DetectConfig config = DefaultConfig();
  const int64_t entities = state.range(0);
  for (auto _ : state) {
    size_t events = 0;
    for (int64_t e = 0; e < entities; ++e) {
      events += DetectSeries(pool[static_cast<size_t>(e) % pool.size()], config).events.size();
    }
    benchmark::DoNotOptimize(events);
  }
  state.SetItemsProcessed(state.iterations() * entities * kNumSignals);
  state.counters["series"] = double(entities * kNumSignals);
}
BENCHMARK(BM_BatchFull)->Arg(25000)->Iterations(1)->Unit(benchmark::kSecond);

// Streaming: 25k entities (100k series) warmed up with two days of bins; each iteration pushes
// one new bin to every one of them.
void BM_StreamOneBin(benchmark::State& state) {
  const auto& pool = Pool();
  const int64_t entities = state.range(0);
  DetectConfig config = DefaultConfig();
  std::vector<std::unique_ptr<EntityDetector>> dets;
  dets.reserve(static_cast<size_t>(entities));
  const size_t warm = 2 * 288;
  std::array<std::optional<double>, kNumSignals> v;
  for (int64_t e = 0; e < entities; ++e) {
    const EntitySeries& s = pool[static_cast<size_t>(e) % pool.size()];
    dets.push_back(std::make_unique<EntityDetector>(s.entity, config, s.step));
    for (size_t i = 0; i < warm; ++i) {
      for (int k = 0; k < kNumSignals; ++k) v[k] = s.values[k][i];
      (void)dets.back()->Push(s.from + static_cast<int64_t>(i) * s.step, v);
    }
  }
  size_t bin = warm;
  for (auto _ : state) {
    for (int64_t e = 0; e < entities; ++e) {
      const EntitySeries& s = pool[static_cast<size_t>(e) % pool.size()];
      size_t i = bin % s.bins();
      for (int k = 0; k < kNumSignals; ++k) v[k] = s.values[k][i];
      Status st =
          dets[static_cast<size_t>(e)]->Push(s.from + static_cast<int64_t>(bin) * s.step, v);
      benchmark::DoNotOptimize(st);
    }
    ++bin;
  }
  state.SetItemsProcessed(state.iterations() * entities * kNumSignals);
  state.counters["series"] = double(entities * kNumSignals);
}
BENCHMARK(BM_StreamOneBin)->Arg(25000)->Iterations(20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blackout::detect

BENCHMARK_MAIN();
