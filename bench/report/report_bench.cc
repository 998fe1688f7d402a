// One country-like entity (bgp, probe, darknet, traffic at 300 s, state.range(0) days, a 6-hour
// outage near the end) in an SQLite store. BM_ComputeExpected: the detector over the whole
// history (what the report, the snapshot and the dashboard's expected values cost per entity).
// BM_BuildReport: a 7-day window's report read from the store, expected values computed, chart
// drawn (1200 x 600). BM_ComposeMedianOnly: the same window rendered without expected values (the
// report's cost before it used the detector's baseline).
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "blackout/detect/expected.h"
#include "blackout/report/report.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::report {
namespace {

constexpr UnixSeconds kFrom = 1638316800;  // 2021-12-01T00:00Z
constexpr int64_t kStep = 300;

std::vector<store::Series> Make(int days) {
  const size_t n = static_cast<size_t>(days) * 288;
  const size_t begin = n - 288 * 2, end = begin + 72;
  std::vector<store::Series> out;
  const char* const names[] = {"bgp", "probe", "darknet", "traffic"};
  for (int k = 0; k < 4; ++k) {
    store::Series s{{"country/XB", names[k], ""}, kFrom, kStep, {}};
    for (size_t i = 0; i < n; ++i) {
      double day = std::sin(2 * M_PI * static_cast<double>(i % 288) / 288.0);
      double noise = static_cast<double>((i * 2654435761u + k) % 1000) / 1000.0 - 0.5;
      double v = k == 0 ? 2000 + 5 * noise : 1000 + 250 * day + 40 * noise;
      s.values.push_back(i >= begin && i < end ? 0.1 * v : v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

void BM_ComputeExpected(benchmark::State& state) {
  const auto series = Make(static_cast<int>(state.range(0)));
  std::vector<detect::ExpectedInput> in;
  for (const auto& s : series) in.push_back({s.key.signal, s.from, s.step, s.values});
  const detect::DetectConfig config = detect::DefaultConfig();
  for (auto _ : state) benchmark::DoNotOptimize(detect::ComputeExpected(in, config));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(series.size()) *
                          static_cast<int64_t>(series[0].values.size()));
}
BENCHMARK(BM_ComputeExpected)->Arg(30)->Arg(90)->Unit(benchmark::kMillisecond);

struct Fixture {
  explicit Fixture(int days) : series(Make(days)) {
    st = std::move(store::OpenStore("sqlite:" + (dir / "b.db").string())).value();
    store::WriteBatch b;
    for (const auto& s : series) b.AddSeries(s);
    store::Event e;
    e.id = "xb";
    e.entity = "country/XB";
    e.start = until() - 2 * 86400;
    e.end = e.start + 6 * 3600;
    e.depth = 0.1;
    e.signals = {"probe"};
    b.AddEvent(e);
    (void)st->Apply(b);
    event = e;
  }
  UnixSeconds until() const {
    return kFrom + kStep * static_cast<int64_t>(series[0].values.size());
  }
  blackout::testing::TempDir dir;
  std::vector<store::Series> series;
  std::unique_ptr<store::Store> st;
  store::Event event;
};

void BM_BuildReport(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto r = BuildReport(*f.st, "country/XB", f.until() - 7 * 86400, f.until());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_BuildReport)->Arg(30)->Arg(90)->Unit(benchmark::kMillisecond);

void BM_ComposeMedianOnly(benchmark::State& state) {
  Fixture f(30);
  for (auto _ : state) {
    auto r = ComposeReport("country/XB", f.until() - 7 * 86400, f.until(), {f.event}, f.series);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ComposeMedianOnly)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace blackout::report

BENCHMARK_MAIN();
