// BGP benchmarks; prints figures for docs/bgp.md.
//   blackout_bgp_bench memory [PEERS] [PREFIXES]   RoutingView with PEERS full tables of PREFIXES
//                                                  IPv4 prefixes: bytes per peer-prefix, RSS,
//                                                  Compute
//   blackout_bgp_bench day [WORKDIR]               writes a full-feed RIB (rrc04's peers x 900k
//                                                  prefixes) and 288 five-minute update files
//                                                  replayed from
//                                                  $BLACKOUT_DATA/mrt/ris-rrc04-2021-01-01 with
//                                                  shifted times, then times IngestFiles over them.
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/bgp/ingest.h"
#include "blackout/bgp/view.h"
#include "blackout/mrt/reader.h"

namespace fs = std::filesystem;
using namespace blackout;
using Clock = std::chrono::steady_clock;

namespace {

// CPU seconds of this process: the machine may be shared, wall time then overstates the cost.
double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double Seconds(Clock::time_point a) {
  return std::chrono::duration<double>(Clock::now() - a).count();
}

long StatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(std::strlen(key)));
  }
  return 0;
}
long RssKb() { return StatusKb("VmRSS:"); }

// Random routable-looking IPv4 prefixes, /8 to /24, weighted like a real table (half are /24s).
std::vector<Prefix> RandomPrefixes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::set<std::pair<uint32_t, int>> seen;
  std::vector<Prefix> out;
  out.reserve(n);
  while (out.size() < n) {
    int r = static_cast<int>(rng() % 100);
    int len = r < 50 ? 24 : r < 60 ? 23 : r < 70 ? 22 : r < 80 ? 21 : r < 88 ? 20 : 16 + r % 4;
    uint32_t a = (1u + rng() % 222u) << 24 | (rng() & 0xFFFFFF);
    a &= ~((1u << (32 - len)) - 1);
    if (!seen.insert({a, len}).second) continue;
    out.emplace_back(IpAddress::V4(a), static_cast<uint8_t>(len));
  }
  return out;
}

int Memory(int peers, size_t prefixes) {
  auto table = RandomPrefixes(prefixes, 42);
  long rss0 = RssKb();
  auto t0 = Clock::now();
  double c0 = CpuSeconds();
  bgp::RoutingView view(bgp::ViewOptions{});
  std::mt19937 rng(7);
  for (int p = 0; p < peers; ++p) {
    uint32_t id = view.Peer("bench", IpAddress::V4(0xC6120000u + p), 64512 + p);
    for (const auto& pfx : table) {
      uint32_t origin = 1000 + static_cast<uint32_t>(pfx.address().v4() >> 20);
      view.Announce(id, pfx, std::span<const uint32_t>(&origin, 1));
    }
  }
  double load = CpuSeconds() - c0;
  (void)t0;
  double c1 = CpuSeconds();
  auto v = view.Compute();
  double first = CpuSeconds() - c1;
  double c2 = CpuSeconds();
  v = view.Compute();
  double again = CpuSeconds() - c2;
  long rss = RssKb() - rss0;
  double pp = static_cast<double>(peers) * static_cast<double>(prefixes);
  std::printf("memory: %d peers x %zu IPv4 prefixes = %.0f peer-prefixes\n", peers, prefixes, pp);
  std::printf("  view bytes (accounted): %.1f MiB = %.2f bytes/peer-prefix\n",
              view.MemoryBytes() / 1048576.0, view.MemoryBytes() / pp);
  std::printf("  RSS growth (view + visibility maps): %.1f MiB = %.2f bytes/peer-prefix\n",
              rss / 1024.0, rss * 1024.0 / pp);
  std::printf("  CPU: load %.2f s (%.1f M announcements/s); first Compute %.3f s, next %.3f s\n",
              load, pp / load / 1e6, first, again);
  std::printf("  visible /24s at >50%%: %llu; origin ASes: %zu\n",
              static_cast<unsigned long long>(v.total_v4[2]), v.v4.size());
  return 0;
}

// ---- full day ----

void Put16(std::string& s, uint16_t v) {
  s.push_back(char(v >> 8));
  s.push_back(char(v));
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, uint16_t(v >> 16));
  Put16(s, uint16_t(v));
}
void Record(std::string& out, uint32_t t, uint16_t type, uint16_t sub, const std::string& body) {
  Put32(out, t);
  Put16(out, type);
  Put16(out, sub);
  Put32(out, static_cast<uint32_t>(body.size()));
  out += body;
}

bool WriteGz(const fs::path& p, const std::string& data) {
  gzFile f = gzopen(p.c_str(), "wb1");
  if (f == nullptr) return false;
  size_t off = 0;
  while (off < data.size()) {
    unsigned n = static_cast<unsigned>(std::min<size_t>(data.size() - off, 1 << 20));
    if (gzwrite(f, data.data() + off, n) != static_cast<int>(n)) {
      gzclose(f);
      return false;
    }
    off += n;
  }
  return gzclose(f) == Z_OK;
}

std::string ReadGz(const fs::path& p) {
  gzFile f = gzopen(p.c_str(), "rb");
  std::string out;
  if (f == nullptr) return out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(f);
  return out;
}

int Ingest(const fs::path& work);

int Day(const fs::path& work) {
  const char* env = std::getenv("BLACKOUT_DATA");
  fs::path data = fs::path(env ? env : BLACKOUT_DATA_DEFAULT) / "mrt/ris-rrc04-2021-01-01";
  std::vector<fs::path> src;
  for (auto& e : fs::directory_iterator(data)) src.push_back(e.path());
  std::sort(src.begin(), src.end());
  if (src.empty()) {
    std::fprintf(stderr, "no data in %s\n", data.c_str());
    return 1;
  }
  fs::path dir = work / "rrc04" / "2030.01";
  fs::create_directories(dir);
  const UnixSeconds day = ParseTime("2030-01-01").value();

  // Peers of the stream (first file), for the RIB.
  std::map<std::pair<std::string, uint32_t>, IpAddress> peers;
  {
    auto r = mrt::MrtReader::Open(src[0].string()).value();
    for (;;) {
      auto e = r->NextElement();
      if (!e.ok() || *e == nullptr) break;
      if ((*e)->peer_ip.is_v4()) peers[{(*e)->peer_ip.ToString(), (*e)->peer_as}] = (*e)->peer_ip;
    }
  }
  auto t0 = Clock::now();
  size_t present = 0;
  for (auto& e : fs::directory_iterator(dir)) present += e.is_regular_file();
  if (present == 289) {
    std::printf("day: reusing the generated files in %s\n", dir.c_str());
    return Ingest(work);
  }
  // RIB: PEER_INDEX_TABLE + one RIB_IPV4_UNICAST record per prefix with an entry for every peer.
  const size_t kPrefixes = 900000;
  auto table = RandomPrefixes(kPrefixes, 1);
  std::string rib;
  {
    std::string b;
    Put32(b, 0xC6120001u);
    Put16(b, 0);
    Put16(b, static_cast<uint16_t>(peers.size()));
    for (auto& [k, ip] : peers) {
      b.push_back(0x02);  // IPv4 address, 4-byte AS (RFC 6396 §4.3.1)
      Put32(b, ip.v4());
      Put32(b, ip.v4());
      Put32(b, k.second);
    }
    Record(rib, static_cast<uint32_t>(day), 13, 1, b);
  }
  uint32_t seq = 0;
  for (const auto& p : table) {
    std::string b;
    Put32(b, seq++);
    b.push_back(static_cast<char>(p.length()));
    for (int i = 0; i < (p.length() + 7) / 8; ++i)
      b.push_back(static_cast<char>(p.address().bytes()[i]));
    Put16(b, static_cast<uint16_t>(peers.size()));
    uint16_t idx = 0;
    for (auto& [k, ip] : peers) {
      Put16(b, idx++);
      Put32(b, static_cast<uint32_t>(day - 86400));
      std::string attrs = {0x40, 1, 1, 0};      // ORIGIN IGP
      attrs += std::string{0x40, 2, 14, 2, 3};  // AS_PATH: one AS_SEQUENCE of 3
      Put32(attrs, k.second);
      Put32(attrs, 3356);
      Put32(attrs, 1000 + (p.address().v4() >> 20));
      attrs += std::string{0x40, 3, 4};
      Put32(attrs, ip.v4());
      Put16(b, static_cast<uint16_t>(attrs.size()));
      b += attrs;
    }
    Record(rib, static_cast<uint32_t>(day), 13, 2, b);
  }
  if (!WriteGz(dir / "bview.20300101.0000.gz", rib)) return 1;
  // 288 update files: file k is source file (k mod n) with times moved to day + 300 k.
  std::vector<std::string> raw;
  std::vector<UnixSeconds> start;
  for (auto& p : src) {
    raw.push_back(ReadGz(p));
    start.push_back(ParseTime("2021-01-01T" + p.filename().string().substr(17, 2) + ":" +
                              p.filename().string().substr(19, 2) + ":00Z")
                        .value());
  }
  for (int k = 0; k < 288; ++k) {
    size_t j = static_cast<size_t>(k) % raw.size();
    std::string d = raw[j];
    int64_t shift = day + 300 * k - start[j];
    for (size_t off = 0; off + 12 <= d.size();) {
      uint32_t t = uint32_t(uint8_t(d[off])) << 24 | uint32_t(uint8_t(d[off + 1])) << 16 |
                   uint32_t(uint8_t(d[off + 2])) << 8 | uint8_t(d[off + 3]);
      uint32_t len = uint32_t(uint8_t(d[off + 8])) << 24 | uint32_t(uint8_t(d[off + 9])) << 16 |
                     uint32_t(uint8_t(d[off + 10])) << 8 | uint8_t(d[off + 11]);
      uint32_t nt = static_cast<uint32_t>(t + shift);
      d[off] = char(nt >> 24);
      d[off + 1] = char(nt >> 16);
      d[off + 2] = char(nt >> 8);
      d[off + 3] = char(nt);
      off += 12 + len;
    }
    char name[64];
    std::snprintf(name, sizeof name, "updates.20300101.%02d%02d.gz", k / 12, k % 12 * 5);
    if (!WriteGz(dir / name, d)) return 1;
  }
  std::printf("day: generated RIB (%zu peers x %zu prefixes) + 288 update files in %.1f s\n",
              peers.size(), kPrefixes, Seconds(t0));
  return Ingest(work);
}

int Ingest(const fs::path& work) {
  auto files = bgp::DescribeInputs({work.string()}).value();
  bgp::IngestOptions o;  // 300 s bins, 400k full-feed threshold
  uint64_t bins = 0, elements = 0, problems = 0;
  bgp::IngestCallbacks cb;
  cb.on_bin = [&](UnixSeconds, const bgp::Visibility&, size_t) { ++bins; };
  cb.on_file = [&](size_t, const bgp::FileReport& r) {
    elements += r.elements;
    problems += r.problems;
  };
  auto t1 = Clock::now();
  double c1 = CpuSeconds();
  Status s = bgp::IngestFiles(files, o, nullptr, cb);
  double secs = Seconds(t1);
  double cpu = CpuSeconds() - c1;
  std::printf(
      "day: %zu files, %llu elements, %llu bins, %llu problems: %.1f s wall, %.1f s CPU on one "
      "core (%.2f M elements per CPU-s), peak RSS %ld MiB, status %s\n",
      files.size(), (unsigned long long)elements, (unsigned long long)bins,
      (unsigned long long)problems, secs, cpu, elements / cpu / 1e6, StatusKb("VmHWM:") / 1024,
      s.ok() ? "ok" : s.ToString().c_str());
  return s.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string what = argc > 1 ? argv[1] : "memory";
  if (what == "memory") {
    int peers = argc > 2 ? std::atoi(argv[2]) : 60;
    size_t prefixes = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000000;
    return Memory(peers, prefixes);
  }
  if (what == "day") {
    fs::path work = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / "blackout-bgp-day";
    return Day(work);
  }
  std::fprintf(stderr, "usage: blackout_bgp_bench memory [PEERS] [PREFIXES] | day [WORKDIR]\n");
  return 2;
}
