#include "blackout/sim/telescope.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "blackout/darknet/packet.h"
#include "blackout/darknet/pcap_writer.h"
#include "blackout/sim/simulate.h"

namespace blackout::sim {
namespace {

constexpr int64_t kStep = 300;
constexpr uint32_t kTelescope = 0x2C000001;  // 44.0.0.1, the darknet's address

uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t Hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c = 0) {
  return Mix(Mix(Mix(seed ^ 0x7e1e5c09eULL) ^ a) ^ b) ^ c;
}

// The address of `pool` member `i` inside `prefixes` (IPv4; never .0 or .255).
uint32_t PoolAddress(const std::vector<Prefix>& prefixes, uint64_t h) {
  uint64_t space = 0;
  for (const Prefix& p : prefixes) {
    if (p.family() == Family::kIPv4) space += uint64_t{1} << (32 - p.length());
  }
  if (space == 0) return 0;
  uint64_t k = h % space;
  for (const Prefix& p : prefixes) {
    if (p.family() != Family::kIPv4) continue;
    const uint64_t n = uint64_t{1} << (32 - p.length());
    if (k < n) {
      uint32_t a = p.Masked().address().v4() + static_cast<uint32_t>(k);
      if ((a & 0xff) == 0 || (a & 0xff) == 255) a ^= 1;
      return a;
    }
    k -= n;
  }
  return 0;
}

// A packet from `src`: backscatter (SYN-ACK or RST) or a scanner's SYN, all of a kind the filter
// keeps; `noise` makes a spoofed SYN it drops (TTL >= 200, no options).
std::string Packet(uint32_t src, uint64_t h, bool noise) {
  darknet::PacketSpec p;
  p.src = src;
  p.dst = kTelescope;
  p.ttl = static_cast<uint8_t>(noise ? 240 + h % 10 : 40 + h % 80);
  p.sport = static_cast<uint16_t>(1024 + (h >> 8) % 60000);
  p.dport = static_cast<uint16_t>(noise ? 80 : 1024 + (h >> 24) % 60000);
  const unsigned kind = (h >> 40) % 4;
  p.tcp_flags = noise ? darknet::kTcpSyn : kind == 0 ? 0x04 : kind == 1 ? 0x02 : 0x12;
  p.tcp_mss_option = !noise;
  return darknet::MakeIpv4Packet(p);
}

}  // namespace

Status WriteTelescope(const Scenario& s, const std::filesystem::path& outdir,
                      std::filesystem::path* capture, uint64_t* packets) {
  std::error_code ec;
  std::filesystem::create_directories(outdir / "darknet", ec);
  *capture = outdir / "darknet" / "telescope.pcap.gz";
  darknet::PcapWriter w;
  *packets = 0;
  for (UnixSeconds bin = s.start / kStep * kStep; bin < s.end; bin += kStep) {
    // Background radiation follows the sources' day (UTC+6 for the scenario's region is close
    // enough to matter little): +-30% over 24 hours.
    const double day = 1 + 0.3 * std::sin(2 * M_PI * static_cast<double>(bin % 86400) / 86400.0);
    auto emit = [&](uint32_t src, uint64_t h, bool noise) {
      if (src == 0) return;
      const int n = 1 + static_cast<int>(h % 3 == 0);
      for (int k = 0; k < n; ++k) {
        w.Add(bin + static_cast<int64_t>((h >> (8 * k)) % kStep), 0, Packet(src, h >> k, noise));
        ++*packets;
      }
    };
    for (size_t n = 0; n < s.networks.size(); ++n) {
      Technique technique = Technique::kUnknown;
      double level = NetworkLevel(s, n, bin + kStep / 2, &technique);
      if (technique == Technique::kThrottling) level = 1;
      const double expected = (1.5 + 1.5 * std::min(s.networks[n].traffic_share, 2.0)) * day;
      const uint64_t active = static_cast<uint64_t>(
          std::floor(expected * level + (Mix(Hash(s.seed, n, bin)) % 1000) / 1000.0));
      for (uint64_t i = 0; i < active; ++i) {
        const uint64_t h = Hash(s.seed, n, bin, i + 1);
        // 40 x the active sources per bin: infected hosts and servers that come back.
        const uint64_t member = h % static_cast<uint64_t>(std::ceil(expected * 40));
        emit(PoolAddress(s.networks[n].prefixes, Hash(s.seed, n, member, 7)), h, false);
      }
    }
    for (uint64_t i = 0; i < 6; ++i) {  // sources from elsewhere
      const uint64_t h = Hash(s.seed, 1u << 20, bin, i);
      emit(PoolAddress(s.other_client_prefixes, Hash(s.seed, 1u << 21, h % 400)), h, false);
    }
    for (uint64_t i = 0; i < 3; ++i) {  // spoofed noise: random sources, dropped by the filter
      const uint64_t h = Hash(s.seed, 1u << 22, bin, i);
      emit(static_cast<uint32_t>(h >> 32) | 0x01000001u, h, true);
    }
  }
  BLACKOUT_ASSIGN_OR_RETURN(std::string bytes, w.Finish());
  gzFile gz = gzopen(capture->string().c_str(), "wb6");
  if (gz == nullptr) return IoError("cannot create " + capture->string());
  const bool ok = gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) ==
                  static_cast<int>(bytes.size());
  if (gzclose(gz) != Z_OK || !ok) return IoError("write failed: " + capture->string());
  return Status::Ok();
}

}  // namespace blackout::sim
