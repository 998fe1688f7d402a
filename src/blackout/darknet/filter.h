// The telescope's noise filter: which packets say nothing about the host their source address
// names, in the manner of CAIDA corsaro's "remove spoofed" family. Each packet gets one verdict:
// kept, or the first rule (in the order of the Drop enum) that rejects it, so every drop has one
// reason and the reasons' counts add up. The rules, and why each exists, are in docs/darknet.md.
// Thread-safety: a NoiseFilter is immutable after construction; Classify may run concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/darknet/packet.h"

namespace blackout::darknet {

enum class Drop : uint8_t {
  kKept = 0,
  kNotIp,             // not IPv4/IPv6 (ARP, LLDP, ...)
  kMalformed,         // IP header cut short or invalid
  kSpecialSource,     // RFC 6890 special-purpose source (private, loopback, multicast, ...)
  kSameSrcDst,        // source = destination
  kSrcLastOctet0,     // IPv4 source ending .0
  kSrcLastOctet255,   // IPv4 source ending .255
  kFragment,          // any IP fragment
  kAbnormalProtocol,  // not TCP, UDP, ICMP, ICMPv6, GRE, ESP, 6in4
  kAbnormalTcpFlags,  // a TCP flag set no stack sends (NULL, SYN+FIN, SYN+RST, XMAS, ...)
  kTtl200,            // TTL (hop limit) >= 200, ICMP excepted
  kPort0,             // TCP or UDP source or destination port 0
  kSynNoOptions,      // a TCP SYN without any option
  kWindow1024,        // a TCP SYN with window 1024 (a mass scanner's signature)
  kUnrouted,          // source outside the routed space (only with a routing view)
  kCount,
};
inline constexpr size_t kNumDrops = static_cast<size_t>(Drop::kCount);

// "kept", "not-ip", "malformed", "special-source", "same-src-dst", "src-last-octet-0", ...
std::string_view DropName(Drop d);
// The rules that are filters (every Drop but kKept, kNotIp and kMalformed, which always apply).
std::span<const Drop> FilterRules();

// The routed address space (e.g. from a BGP view): sorted disjoint ranges. IPv6 at /64.
class RoutedSpace {
 public:
  static RoutedSpace FromPrefixes(std::span<const Prefix> prefixes);
  // One prefix per line ("a.b.c.d/n" or "x::/n"); '#' comments. Bad lines are errors with line.
  static Result<RoutedSpace> Load(const std::string& path);
  bool Contains(const PacketInfo& p) const;
  size_t ranges() const { return v4_.size() + v6_.size(); }

 private:
  std::vector<std::pair<uint32_t, uint32_t>> v4_;  // inclusive
  std::vector<std::pair<uint64_t, uint64_t>> v6_;  // /64s, inclusive
};

struct FilterOptions {
  // Rules applied; all by default. kKept/kNotIp/kMalformed entries are ignored.
  std::array<bool, kNumDrops> enabled = [] {
    std::array<bool, kNumDrops> a{};
    a.fill(true);
    return a;
  }();
  const RoutedSpace* routed = nullptr;  // kUnrouted applies only when set; must outlive the filter
};

// "all", "none", or a comma-separated list of rule names each optionally prefixed by '-' to
// disable it ("all,-syn-no-options"). Unknown names are kInvalidArgument naming the valid ones.
Status ParseFilterRules(std::string_view text, FilterOptions* options);

class NoiseFilter {
 public:
  explicit NoiseFilter(FilterOptions options = {}) : options_(options) {}
  // The verdict for a decoded IP packet (never kNotIp or kMalformed: those are the decoder's).
  Drop Classify(const PacketInfo& p) const;
  const FilterOptions& options() const { return options_; }

 private:
  bool on(Drop d) const { return options_.enabled[static_cast<size_t>(d)]; }
  FilterOptions options_;
};

// Whether an IPv4 source is in an RFC 6890 special-purpose block (host order).
bool SpecialSourceV4(uint32_t a);
bool SpecialSourceV6(const std::array<uint8_t, 16>& a);

}  // namespace blackout::darknet
