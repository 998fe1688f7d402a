// bmp_bench: the BMP side of bench/bmp/run.sh.
//   bmp_bench streams OUTDIR REPEAT FILES...  writes each router's stream, REPEAT times over, to
//       OUTDIR/NN.bmp (what run.sh sends to pmbmpd) and our per-peer counts to stdout (TSV:
//       router, rib, peer, v4, v6; peers holding routes only)
//   bmp_bench decode REPEAT FILES...          Route Monitoring decoding from memory: messages/s of
//       the decoder alone, and of whole sessions into a LiveView (both on one core)
//   bmp_bench memory PEERS PREFIXES           PEERS synthesised full tables of PREFIXES IPv4
//       prefixes each, sent as BMP Route Monitoring through a Session: the view's bytes per
//       peer-prefix
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "blackout/bmp/replay.h"

namespace blackout::bmp {
namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Splits a stream into its messages.
std::vector<std::span<const uint8_t>> Messages(const std::vector<uint8_t>& bytes) {
  std::vector<std::span<const uint8_t>> out;
  size_t at = 0;
  while (at + kCommonHeaderBytes <= bytes.size()) {
    auto len = FrameLength(std::span<const uint8_t>(bytes).subspan(at));
    if (!len.ok() || at + *len > bytes.size()) break;
    out.emplace_back(bytes.data() + at, *len);
    at += *len;
  }
  return out;
}

// The peer tables of `view` holding routes: router, rib, peer, v4, v6.
void PrintPeers(bgp::LiveView& live) {
  live.With([](bgp::RoutingView& v) {
    for (const auto& p : v.peers()) {
      if (p.v4_prefixes + p.v6_prefixes == 0) continue;
      std::printf("%s\t%s\t%s\t%llu\t%llu\n", p.collector.c_str(), p.ip.ToString().c_str(),
                  std::to_string(p.asn).c_str(), static_cast<unsigned long long>(p.v4_prefixes),
                  static_cast<unsigned long long>(p.v6_prefixes));
    }
  });
}

int Streams(const std::string& dir, int repeat, const std::vector<std::string>& files) {
  auto streams = LoadStreams(files);
  if (!streams.ok()) {
    std::fprintf(stderr, "%s\n", streams.status().ToString().c_str());
    return 1;
  }
  for (size_t i = 0; i < streams->size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/%02zu.bmp", i);
    std::ofstream out(dir + name, std::ios::binary);
    for (int r = 0; r < repeat; ++r) {
      const auto& b = (*streams)[i].bytes;
      out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
  }
  bgp::LiveView live;
  auto sessions = ReplayStreams(*streams, &live, nullptr);
  PrintPeers(live);
  return 0;
}

int Decode(int repeat, const std::vector<std::string>& files) {
  auto streams = LoadStreams(files);
  if (!streams.ok()) {
    std::fprintf(stderr, "%s\n", streams.status().ToString().c_str());
    return 1;
  }
  std::vector<std::span<const uint8_t>> rm;
  uint64_t bytes = 0;
  for (const auto& s : *streams) {
    for (auto m : Messages(s.bytes)) {
      if (static_cast<MessageType>(m[5]) != MessageType::kRouteMonitoring) continue;
      rm.push_back(m);
      bytes += m.size();
    }
  }
  Decoder decoder;
  Message msg;
  uint64_t routes = 0;
  double cpu = CpuSeconds();
  for (int r = 0; r < repeat; ++r) {
    for (auto m : rm) {
      (void)decoder.Decode(m, &msg, nullptr);
      routes += msg.elements.size();
    }
  }
  cpu = CpuSeconds() - cpu;
  const double n = static_cast<double>(rm.size()) * repeat;
  std::printf("decode\t%.0f messages\t%.3f s\t%.0f messages/s\t%.0f routes/s\t%.1f MB/s\n", n, cpu,
              n / cpu, static_cast<double>(routes) / cpu,
              static_cast<double>(bytes) * repeat / cpu / 1e6);
  // Whole sessions (framing, decoding, peer identity, the view's tables) over the full streams.
  uint64_t messages = 0;
  cpu = CpuSeconds();
  for (int r = 0; r < repeat; ++r) {
    bgp::LiveView live;
    auto sessions = ReplayStreams(*streams, &live, nullptr);
    for (const auto& s : sessions) messages += s->stats().by_type[0];
  }
  cpu = CpuSeconds() - cpu;
  std::printf("session\t%llu messages\t%.3f s\t%.0f messages/s\n",
              static_cast<unsigned long long>(messages), cpu, static_cast<double>(messages) / cpu);
  return 0;
}

void Put32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// A Route Monitoring message from peer `peer` announcing `count` /24s from `first` (path: the
// peer's AS, then an origin AS per /16).
std::vector<uint8_t> Announcement(uint32_t peer, uint32_t first, uint32_t count) {
  std::vector<uint8_t> b = {kBmpVersion, 0, 0, 0, 0, 0, 0, kPeerFlagL};
  b.resize(b.size() + 8 + 12, 0);
  Put32(b, 0x0A000000 + peer);  // peer address 10.0.0.x
  Put32(b, 64512 + peer);
  Put32(b, 0x0A000000 + peer);
  Put32(b, 1700000000);
  Put32(b, 0);
  std::vector<uint8_t> u(16, 0xFF);
  u.insert(u.end(), {0, 0, 2, 0, 0});
  std::vector<uint8_t> attrs = {0x40, 1, 1, 0, 0x40, 2, 10, 2, 2};
  Put32(attrs, 64512 + peer);
  Put32(attrs, 65000 + (first >> 16 & 0xFFF));
  attrs.insert(attrs.end(), {0x40, 3, 4, 10, 0, 0, static_cast<uint8_t>(peer)});
  u.push_back(static_cast<uint8_t>(attrs.size() >> 8));
  u.push_back(static_cast<uint8_t>(attrs.size()));
  u.insert(u.end(), attrs.begin(), attrs.end());
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t p = first + (i << 8);
    u.insert(u.end(), {24, static_cast<uint8_t>(p >> 24), static_cast<uint8_t>(p >> 16),
                       static_cast<uint8_t>(p >> 8)});
  }
  u[16] = static_cast<uint8_t>(u.size() >> 8);
  u[17] = static_cast<uint8_t>(u.size());
  b.insert(b.end(), u.begin(), u.end());
  const uint32_t n = static_cast<uint32_t>(b.size());
  for (int i = 0; i < 4; ++i) b[1 + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  return b;
}

int Memory(uint32_t peers, uint32_t prefixes) {
  bgp::LiveView live;
  std::vector<std::unique_ptr<Session>> sessions;
  const double cpu = CpuSeconds();
  constexpr uint32_t kPerUpdate = 500;  // ~2 KB UPDATEs, as routers pack them
  for (uint32_t r = 0; r < peers; ++r) {
    // One router per 4 peers; every peer carries the same table, from 1.0.0.0 on.
    if (r % 4 == 0)
      sessions.push_back(std::make_unique<Session>("router" + std::to_string(r), &live));
    for (uint32_t i = 0; i < prefixes; i += kPerUpdate) {
      auto m = Announcement(r, 0x01000000 + (i << 8), std::min(kPerUpdate, prefixes - i));
      if (!sessions.back()->Feed(m).ok()) return 1;
    }
  }
  const double seconds = CpuSeconds() - cpu;
  const bgp::LiveStats s = live.stats();
  const double pp = static_cast<double>(peers) * prefixes;
  std::printf(
      "memory\t%u peers x %u prefixes\t%zu bytes\t%.3f bytes/peer-prefix\t%.1f s\t%.0f "
      "routes/s\n",
      peers, prefixes, s.memory_bytes, static_cast<double>(s.memory_bytes) / pp, seconds,
      pp / seconds);
  return 0;
}

}  // namespace
}  // namespace blackout::bmp

int main(int argc, char** argv) {
  using namespace blackout::bmp;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 4 && args[0] == "streams") {
    return Streams(args[1], std::atoi(args[2].c_str()), {args.begin() + 3, args.end()});
  }
  if (args.size() >= 3 && args[0] == "decode") {
    return Decode(std::atoi(args[1].c_str()), {args.begin() + 2, args.end()});
  }
  if (args.size() == 3 && args[0] == "memory") {
    return Memory(static_cast<uint32_t>(std::atoi(args[1].c_str())),
                  static_cast<uint32_t>(std::atoi(args[2].c_str())));
  }
  std::fprintf(stderr,
               "usage: bmp_bench streams OUTDIR REPEAT FILES... | decode REPEAT FILES... | memory "
               "PEERS PREFIXES\n");
  return 2;
}
