// Iterates every element of each FILE (any compression) through MrtReader, without output: the
// "parse compressed input" side of bench/mrt/run.sh, to compare with zcat/bzcat alone. Prints one
// line per file: name, compression, records, elements, problems, wall seconds, elements/s, then the
// CPU seconds of the parsing (main) thread and of the whole process (main + decompression thread).
// On a loaded machine the wall time is noise; with a free core each, the wall time is close to
// max(parse thread, decompression thread).
#include <time.h>

#include <chrono>
#include <cstdio>

namespace {
double CpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

#include "blackout/mrt/reader.h"

int main(int argc, char** argv) {
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto start = std::chrono::steady_clock::now();
    const double thread0 = CpuSeconds(CLOCK_THREAD_CPUTIME_ID);
    const double process0 = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
    auto reader = blackout::mrt::MrtReader::Open(argv[i]);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      rc = 2;
      continue;
    }
    uint64_t elements = 0;
    for (;;) {
      auto r = (*reader)->Next();
      if (!r.ok() || *r == nullptr) break;
      elements += (*r)->elements.size();
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double parse_cpu = CpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0;
    const auto st = (*reader)->stats();
    const blackout::Compression compression = (*reader)->input().compression();
    reader->reset();  // joins the decompression thread, so its CPU time is counted
    const double total_cpu = CpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0;
    std::printf(
        "%s %s records %llu elements %llu problems %llu %.3f s %.0f elements/s parse_cpu %.3f "
        "total_cpu %.3f\n",
        argv[i], blackout::CompressionName(compression),
        static_cast<unsigned long long>(st.records), static_cast<unsigned long long>(elements),
        static_cast<unsigned long long>(st.problems), s, elements / s, parse_cpu, total_cpu);
    if (st.problems > 0) rc = 1;
  }
  return rc;
}
