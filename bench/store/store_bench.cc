// Store benchmarks (figures in docs/store.md). Each backend is measured in the same run:
//   BM_BulkIngest/<backend>      points/s for 1M points (1,000 series x 1,000 bins) in one batch
//   BM_ReadSeries30d/<backend>   one entity's 30-day series (8,640 bins of 300 s)
//   BM_Latest100k/<backend>      latest value of every series, 100k series (repeated reads)
//   BM_Latest100kAfterWrite/...  the same with a write before every read (no cache can help)
// ClickHouse runs against a local server started by the bench (as in the tests).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>

#include "backend.h"
#include "blackout/store/store.h"

namespace blackout::store {
namespace {

constexpr UnixSeconds kT0 = 1640995200;  // 2022-01-01

std::unique_ptr<testing::TestStore> Fresh(const std::string& backend) {
  return std::make_unique<testing::TestStore>(backend);
}

WriteBatch MakeBatch(int series, int bins, int offset) {
  WriteBatch b;
  std::mt19937 rng(42);
  std::vector<Point> pts(static_cast<size_t>(bins));
  for (int s = 0; s < series; ++s) {
    SeriesKey k{"asn/" + std::to_string(offset + s), "bgp", ""};
    for (int i = 0; i < bins; ++i) {
      pts[static_cast<size_t>(i)] = Point{kT0 + 300 * i, static_cast<double>(rng() % 1000)};
    }
    b.AddPoints(k, pts);
  }
  return b;
}

void BM_BulkIngest(benchmark::State& state, const std::string& backend) {
  constexpr int kSeries = 1000, kBins = 1000;
  int64_t points = 0;
  int round = 0;
  auto ts = Fresh(backend);
  for (auto _ : state) {
    state.PauseTiming();
    WriteBatch b = MakeBatch(kSeries, kBins, round++ * kSeries);
    state.ResumeTiming();
    auto r = ts->store()->Apply(b);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    points += kSeries * kBins;
  }
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}

void BM_ReadSeries30d(benchmark::State& state, const std::string& backend) {
  constexpr int kBins = 8640;
  auto ts = Fresh(backend);
  // 30 days for 100 entities and 3 signals, so the read is not of a lone series.
  for (int e = 0; e < 100; e += 10) {
    WriteBatch b;
    std::vector<Point> pts(kBins);
    for (int x = e; x < e + 10; ++x) {
      for (const char* sig : {"bgp", "probe", "darknet"}) {
        for (int i = 0; i < kBins; ++i) pts[i] = Point{kT0 + 300 * i, double(i % 97)};
        b.AddPoints(SeriesKey{"country/C" + std::to_string(x), sig, ""}, pts);
      }
    }
    auto r = ts->store()->Apply(b);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  SeriesKey k{"country/C42", "probe", ""};
  for (auto _ : state) {
    auto s = ts->store()->ReadSeries(k, kT0, kT0 + 300 * kBins);
    if (!s.ok() || s->values.size() != kBins) state.SkipWithError("bad read");
    benchmark::DoNotOptimize(s);
  }
}

void BM_Latest100k(benchmark::State& state, const std::string& backend, bool cold) {
  constexpr int kSeries = 100000;
  auto ts = Fresh(backend);
  for (int chunk = 0; chunk < kSeries; chunk += 20000) {
    WriteBatch b;
    std::vector<Point> pts(4);
    for (int s = chunk; s < chunk + 20000; ++s) {
      for (int i = 0; i < 4; ++i) pts[i] = Point{kT0 + 300 * i, double(s + i)};
      b.AddPoints(SeriesKey{"asn/" + std::to_string(s), s % 2 ? "bgp" : "probe", ""}, pts);
    }
    auto r = ts->store()->Apply(b);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  int64_t bin = 10;
  if (!cold) (void)ts->store()->Latest(SeriesFilter{});  // warm
  for (auto _ : state) {
    if (cold) {
      // One new point (as streaming ingest writes) invalidates any cache before each read.
      state.PauseTiming();
      WriteBatch b;
      b.AddPoint(SeriesKey{"asn/0", "probe", ""}, kT0 + 300 * bin++, 1);
      auto r = ts->store()->Apply(b);
      if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
      state.ResumeTiming();
    }
    auto v = ts->store()->Latest(SeriesFilter{});
    if (!v.ok() || v->size() != kSeries) state.SkipWithError("bad latest");
    benchmark::DoNotOptimize(v);
  }
}

}  // namespace
}  // namespace blackout::store

int main(int argc, char** argv) {
  using namespace blackout::store;
  std::vector<std::string> backends = {"sqlite", "clickhouse"};
  for (const std::string& b : backends) {
    benchmark::RegisterBenchmark(("BM_BulkIngest/" + b).c_str(), BM_BulkIngest, b)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(3);
    benchmark::RegisterBenchmark(("BM_ReadSeries30d/" + b).c_str(), BM_ReadSeries30d, b)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Latest100k/" + b).c_str(), BM_Latest100k, b, false)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("BM_Latest100kAfterWrite/" + b).c_str(), BM_Latest100k, b, true)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
