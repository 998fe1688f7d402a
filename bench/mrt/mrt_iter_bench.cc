// Library iteration speed of the MRT reader, without text output (issue 2 target: >= 10 million
// elements/s on one core on the uncompressed route-views6 RIB hask-mrt/test/data/rib.bz2, 609,246
// elements). The file is decompressed into memory once, so only decoding is timed; the reader
// parses the in-memory bytes in place (InputStream::in_memory), as it would a plain file minus the
// read() copy. Also times formatting every element as a `bgpdump -m` line into memory, the other
// half of `mrt dump` (as it does: AppendBgpdumpLines per record into a TextBuffer, emptied every
// MiB where `mrt dump` writes it out).
// BLACKOUT_DATA overrides the data folder; BLACKOUT_BENCH_FILE replaces the file.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "blackout/base/input.h"
#include "blackout/mrt/format.h"
#include "blackout/mrt/reader.h"

namespace {

std::string FilePath() {
  if (const char* f = std::getenv("BLACKOUT_BENCH_FILE")) return f;
  const char* d = std::getenv("BLACKOUT_DATA");
  return std::string(d != nullptr ? d : BLACKOUT_DATA_DEFAULT) + "/mrt/hask-mrt/test/data/rib.bz2";
}

// The decompressed file, read once.
const std::string& Plain() {
  static const std::string* plain = [] {
    auto* s = new std::string;
    auto in = blackout::InputStream::Open(FilePath());
    if (!in.ok()) {
      std::fprintf(stderr, "%s\n", in.status().ToString().c_str());
      std::exit(1);
    }
    char buf[1 << 16];
    for (;;) {
      auto n = (*in)->Read(reinterpret_cast<uint8_t*>(buf), sizeof(buf));
      if (!n.ok() || *n == 0) break;
      s->append(buf, *n);
    }
    return s;
  }();
  return *plain;
}

template <bool kFormat>
void Iterate(benchmark::State& state) {
  const std::string& plain = Plain();
  uint64_t elements = 0, records = 0;
  blackout::mrt::TextBuffer text;
  for (auto _ : state) {
    state.PauseTiming();
    auto input = blackout::InputStream::FromBytes(plain, "rib");
    state.ResumeTiming();
    blackout::mrt::MrtReader reader(std::move(input));
    for (;;) {
      auto r = reader.Next();
      if (!r.ok() || *r == nullptr) break;
      ++records;
      if constexpr (kFormat) {
        blackout::mrt::AppendBgpdumpLines((*r)->elements, text);
        if (text.size() >= (1 << 20)) {
          benchmark::DoNotOptimize(text.view().data());
          text.clear();
        }
        elements += (*r)->elements.size();
      } else {
        for (const auto& e : (*r)->elements) {
          benchmark::DoNotOptimize(e.prefix);
          ++elements;
        }
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(elements));
  state.SetBytesProcessed(static_cast<int64_t>(plain.size() * state.iterations()));
  state.counters["elements_per_pass"] = static_cast<double>(elements) / state.iterations();
  state.counters["records_per_pass"] = static_cast<double>(records) / state.iterations();
}

void BM_IterateElements(benchmark::State& state) { Iterate<false>(state); }
void BM_IterateAndFormatBgpdump(benchmark::State& state) { Iterate<true>(state); }

BENCHMARK(BM_IterateElements)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_IterateAndFormatBgpdump)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
