// Reads OONI measurement files as `blackout import ooni` does (ReadMeasurements: gunzip, split
// lines, decode, verdict) without a store, and prints measurements per second of wall time and of
// CPU time (the gunzip runs on InputStream's own thread). With --memory, the files are
// decompressed first and only the decoding is timed (ReadJsonLines on one thread).
// Usage: ooni_read [--memory] FILE...
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "blackout/base/input.h"
#include "blackout/ooni/reader.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string Slurp(const std::string& path) {
  auto in = blackout::InputStream::Open(path);
  std::string out;
  if (!in.ok()) return out;
  uint8_t buf[1 << 16];
  for (;;) {
    auto n = (*in)->Read(buf, sizeof buf);
    if (!n.ok() || *n == 0) break;
    out.append(reinterpret_cast<const char*>(buf), *n);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool memory = argc > 1 && std::strcmp(argv[1], "--memory") == 0;
  blackout::ooni::ReadStats stats;
  uint64_t blocked = 0;
  auto sink = [&](const blackout::ooni::Measurement& m) {
    blocked += m.verdict.outcome == blackout::ooni::Outcome::kBlocked;
  };
  std::vector<std::string> bytes;
  for (int i = memory ? 2 : 1; memory && i < argc; ++i) bytes.push_back(Slurp(argv[i]));
  double cpu0 = CpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = memory ? 2 : 1; i < argc; ++i) {
    if (memory) {
      blackout::ooni::ReadJsonLines(bytes[static_cast<size_t>(i - 2)], argv[i], sink, &stats);
      stats.bytes += bytes[static_cast<size_t>(i - 2)].size();
    } else if (auto st = blackout::ooni::ReadMeasurements(argv[i], sink, &stats); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.ToString().c_str());
      return 1;
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = CpuSeconds() - cpu0;
  std::printf(
      "%s: %llu measurements (%llu blocked, %llu damaged), %.1f MB JSON; wall %.3f s = %.0f "
      "measurements/s (%.0f MB/s); cpu %.3f s = %.0f measurements/s per core\n",
      memory ? "decode only" : "import read", static_cast<unsigned long long>(stats.measurements),
      static_cast<unsigned long long>(blocked), static_cast<unsigned long long>(stats.malformed),
      static_cast<double>(stats.bytes) / 1e6, wall, static_cast<double>(stats.measurements) / wall,
      static_cast<double>(stats.bytes) / 1e6 / wall, cpu,
      static_cast<double>(stats.measurements) / cpu);
  return 0;
}
