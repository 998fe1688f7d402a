// Batch: the combined detector over whole entities (4 signals x 30 days of 300 s bins), reported
// per series; BM_BatchFull runs the full size (100k series = 25k entities x 4 signals)
// once. Streaming: one new bin pushed to 25k warmed-up entity detectors (100k series). The
// service's store pass: DetectInStore over every entity of an SQLite store.
// Inputs are synthetic country-like entities (detect/synthetic.h) with a few outages, recycled
// from a pool so that generation is not measured.
#include <benchmark/benchmark.h>

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "blackout/detect/detector.h"
#include "blackout/detect/store_detect.h"
#include "blackout/detect/synthetic.h"
#include "blackout/testing/testing.h"

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

// The service's pass: DetectInStore over every entity of an SQLite store (N entities x 4 signals x
// 30 days, countries with one region or ASN each as carriers), reading, detecting and writing.
void BM_DetectInStore(benchmark::State& state) {
  const auto& pool = Pool();
  const int64_t entities = state.range(0);
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "b.db").string());
  if (!st.ok()) {
    state.SkipWithError(st.status().ToString().c_str());
    return;
  }
  store::WriteBatch batch;
  for (int64_t e = 0; e < entities; ++e) {
    const EntitySeries& s = pool[static_cast<size_t>(e) % pool.size()];
    std::string entity =
        e % 2 == 0 ? "country/C" + std::to_string(e / 2) : "asn/" + std::to_string(64500 + e / 2);
    for (Signal sig : kAllSignals) {
      store::Series out;
      out.key = {entity, std::string(SignalName(sig)), ""};
      out.from = s.from;
      out.step = s.step;
      for (const auto& v : s.values[static_cast<int>(sig)]) {
        out.values.push_back(v.value_or(store::kMissing));
      }
      batch.AddSeries(out);
    }
  }
  if (!(*st)->Apply(batch).ok()) {
    state.SkipWithError("cannot write the store");
    return;
  }
  StoreDetectOptions opt;
  opt.from = 0;
  opt.until = std::numeric_limits<UnixSeconds>::max();
  opt.parents = [](std::string_view e) -> std::vector<std::string> {
    if (e.substr(0, 4) != "asn/") return {};
    return {"country/C" + std::to_string(std::stoll(std::string(e.substr(4))) - 64500)};
  };
  opt.write = state.range(1) == 1;
  size_t events = 0;
  for (auto _ : state) {
    auto rep = DetectInStore(**st, opt);
    if (!rep.ok()) {
      state.SkipWithError(rep.status().ToString().c_str());
      return;
    }
    events = rep->events.size();
  }
  state.SetItemsProcessed(state.iterations() * entities);  // entities
  state.counters["events"] = double(events);
  state.SetLabel(opt.write ? "write" : "dry run");
}
BENCHMARK(BM_DetectInStore)
    ->Args({200, 0})
    ->Args({200, 1})
    ->Iterations(2)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blackout::detect

BENCHMARK_MAIN();
