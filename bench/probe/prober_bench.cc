// The prober's own costs, without the kernel: memory for 5 million blocks, one round's bookkeeping
// (reset + per-entity counts) for 5 million blocks, and the CPU per probe of a whole simulated
// round (scheduling, tagging, validation, Bayes update) against FakeNetwork. docs/probe.md has the
// figures.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <memory>

#include "blackout/probe/fake_network.h"
#include "blackout/probe/prober.h"

namespace blackout::probe {
namespace {

constexpr int64_t kStart = 1'700'000'000LL * kNanosPerSecond;

std::vector<HitlistEntry> ManyBlocks(size_t n) {
  std::vector<HitlistEntry> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i].base = (1u << 24) + (static_cast<uint32_t>(i) << 8);
    v[i].availability = 0.8f;
    for (unsigned o = 1; o <= 100; ++o) v[i].addresses.Add(o);
  }
  return v;
}

// ~250 "countries" (by /12) and ~20k "ASNs" (by /16), like the real attribution's shape.
class SyntheticEntities : public EntityMapper {
 public:
  void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                 std::vector<std::vector<std::string>>& groups) const override {
    std::vector<int64_t> index(1 << 16, -1);
    for (size_t i = 0; i < bases.size(); ++i) {
      uint32_t k = bases[i] >> 16;
      if (index[k] < 0) {
        index[k] = static_cast<int64_t>(groups.size());
        groups.push_back({"country/C" + std::to_string(k >> 4), "asn/" + std::to_string(k + 1)});
      }
      group[i] = static_cast<uint32_t>(index[k]);
    }
  }
};

struct World {
  FakeClock clock{kStart};
  FakeNetwork net{clock, [](uint32_t dst, int64_t) {
                    return FakeResponse{(dst & 7) != 0, 5'000'000};  // 7/8 of addresses answer
                  }};
  ProbeTagger tagger = ProbeTagger::FromSeed(1);
  SyntheticEntities entities;
  std::unique_ptr<Prober> prober;
  explicit World(size_t n, double rate) {
    ProberOptions o;
    o.rate_pps = rate;
    prober = std::make_unique<Prober>(o, ManyBlocks(n), &entities, clock, net, tagger, kStart);
  }
};

void BM_RoundBookkeeping(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  World w(n, 10000);
  for (auto _ : state) {
    RoundReport r;
    w.prober->BeginRound();
    w.prober->Summarize(r);
    benchmark::DoNotOptimize(r.up);
  }
  state.counters["blocks"] = static_cast<double>(n);
  state.counters["state_MB"] = static_cast<double>(w.prober->MemoryBytes()) / 1e6;
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  state.counters["peak_rss_MB"] = static_cast<double>(ru.ru_maxrss) / 1e3;
}
BENCHMARK(BM_RoundBookkeeping)->Arg(5'000'000)->Unit(benchmark::kMillisecond)->Iterations(5);

// A whole 660 s round of n blocks in simulated time: every probe's scheduling, tagging, fake
// delivery, validation and Bayes update. items/s = probes per CPU second.
void BM_SimulatedRound(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  World w(n, 1e7);
  uint64_t sent = 0;
  for (auto _ : state) {
    auto r = w.prober->RunRound();
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    sent += r->sent;
  }
  state.SetItemsProcessed(static_cast<int64_t>(sent));
}
BENCHMARK(BM_SimulatedRound)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_ValidateReply(benchmark::State& state) {
  ProbeTagger t = ProbeTagger::FromSeed(2);
  std::vector<Echo> replies;
  for (uint32_t i = 0; i < 4096; ++i) replies.push_back(t.Make((1u << 24) + i * 97, i & 0xff));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.Validate(replies[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateReply);

}  // namespace
}  // namespace blackout::probe

BENCHMARK_MAIN();
