// The telescope's throughput and memory (bench/darknet/run.sh runs it beside tshark):
//   darknet_bench make FILE PACKETS SOURCES [SEED]  writes a telescope-like capture: PACKETS
//       packets (backscatter SYN-ACKs, RSTs, scanners' SYNs with options, some noise the filter
//       drops) from SOURCES distinct random unicast sources, over one hour;
//   darknet_bench count FILE    reads and attributes it (geo datasets) and prints packets/s of the
//       read-filter-attribute-count loop alone, its counter memory and the process's peak RSS;
//   darknet_bench memory N      N distinct sources in one bin, attributed by geo: counter memory.
#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "blackout/darknet/counter.h"
#include "blackout/darknet/ingest.h"
#include "blackout/darknet/pcap_writer.h"
#include "blackout/geo/geodb.h"

namespace {

using namespace blackout;
using namespace blackout::darknet;

uint32_t RandomSource(std::mt19937_64& rng) {
  while (true) {
    uint32_t a = static_cast<uint32_t>(rng());
    if (!SpecialSourceV4(a) && (a & 0xff) != 0 && (a & 0xff) != 255) return a;
  }
}

int Make(const std::string& path, uint64_t packets, uint64_t sources, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint32_t> src(sources);
  for (auto& s : src) s = RandomSource(rng);
  auto w = PcapWriter::Create(path);
  if (!w.ok()) {
    std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
    return 1;
  }
  const UnixSeconds start = 1700000000;
  PacketSpec spec;
  spec.dst = 0x2C000001;  // 44.0.0.1: a telescope's block
  for (uint64_t i = 0; i < packets; ++i) {
    // Zipf-like activity: a few sources send most packets, every source sends at least one.
    const uint64_t r = rng();
    spec.src = i < sources ? src[i] : src[(r % sources) * (r >> 60) / 16];
    const unsigned kind = static_cast<unsigned>(r >> 32) % 20;
    spec.tcp_flags = kind < 10 ? 0x12 : kind < 14 ? 0x04 : 0x02;  // SYN-ACK, RST, SYN
    spec.tcp_mss_option = kind != 19;                             // 1 in 20: SYN without options
    spec.ttl = kind == 18 ? 240 : static_cast<uint8_t>(40 + (r & 63));
    spec.sport = static_cast<uint16_t>(1024 + (r >> 16) % 60000);
    spec.dport = kind < 14 ? static_cast<uint16_t>(1024 + (r >> 8) % 60000) : 23;
    w->Add(start + static_cast<UnixSeconds>(i * 3600 / packets), static_cast<uint32_t>(i % 1000000),
           MakeIpv4Packet(spec));
  }
  auto done = w->Finish();
  if (!done.ok()) {
    std::fprintf(stderr, "%s\n", done.status().ToString().c_str());
    return 1;
  }
  return 0;
}

// CPU seconds of this thread: the machine may be shared, wall time would measure the others.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

int Count(const std::string& path) {
  auto db = geo::GeoDb::Open();
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
    return 1;
  }
  const long rss_geo = PeakRssMiB();
  TelescopeCounter counter(traffic::GeoAttributor(**db), {});
  Status damage;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = ThreadCpuSeconds();
  Status st = CountFile(path, "", counter, &damage);
  const double cpu = ThreadCpuSeconds() - c0;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st.ok() || !damage.ok()) {
    std::fprintf(stderr, "%s\n", (st.ok() ? damage : st).ToString().c_str());
    return 1;
  }
  const uint64_t n = counter.stats().packets;
  std::printf(
      "packets %llu counted %llu in %.3f s of CPU (%.3f s wall): %.2f M packets/s on one core; "
      "counter memory %.1f MiB; peak RSS %ld MiB (geo datasets %ld MiB)\n",
      static_cast<unsigned long long>(n), static_cast<unsigned long long>(counter.stats().kept()),
      cpu, s, n / cpu / 1e6, counter.memory_bytes() / 1048576.0, PeakRssMiB(), rss_geo);
  return 0;
}

int Memory(uint64_t n) {
  auto db = geo::GeoDb::Open();
  if (!db.ok()) return 1;
  TelescopeCounter counter(traffic::GeoAttributor(**db), {});
  std::mt19937_64 rng(7);
  PacketInfo p;
  p.protocol = kProtoTcp;
  p.ttl = 50;
  p.transport = true;
  p.tcp_flags = kTcpSyn | kTcpAck;
  p.tcp_header_len = 24;
  p.sport = 80;
  p.dport = 4000;
  p.dst4 = 0x2C000001;
  for (uint64_t i = 0; i < n; ++i) {
    p.src4 = RandomSource(rng);
    counter.AddDecoded(1700000000, p);
  }
  size_t countries = 0, regions = 0, asns = 0;
  for (const auto& [e, c] : counter.Counts(counter.Bins().front())) {
    countries += e.rfind("country/", 0) == 0;
    regions += e.rfind("region/", 0) == 0;
    asns += e.rfind("asn/", 0) == 0;
  }
  std::printf(
      "%llu distinct sources in one bin: %zu countries, %zu regions, %zu ASNs; counter memory "
      "%.1f MiB (attribution cache included)\n",
      static_cast<unsigned long long>(n), countries, regions, asns,
      counter.memory_bytes() / 1048576.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "make" && argc >= 5) {
    return Make(argv[2], std::strtoull(argv[3], nullptr, 10), std::strtoull(argv[4], nullptr, 10),
                argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 1);
  }
  if (mode == "count" && argc == 3) return Count(argv[2]);
  if (mode == "memory" && argc == 3) return Memory(std::strtoull(argv[2], nullptr, 10));
  std::fprintf(stderr,
               "usage: darknet_bench make FILE PACKETS SOURCES [SEED] | count FILE | memory N\n");
  return 2;
}
