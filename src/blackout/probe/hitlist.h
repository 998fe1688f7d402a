// The hitlist: per IPv4 /24 block, its ever-responsive addresses E(b) and their availability
// A(E(b)). Written by `probe census`, read by `probe run`. The text format is specified in
// docs/probe.md ("Hitlist format"); ParseHitlist accepts exactly that and reports the line of any
// deviation. Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::probe {

// A set of last octets (0..255) as a 256-bit map.
struct OctetSet {
  std::array<uint64_t, 4> words{};

  void Add(unsigned octet) { words[octet >> 6] |= uint64_t{1} << (octet & 63); }
  bool Has(unsigned octet) const { return words[octet >> 6] >> (octet & 63) & 1; }
  unsigned Count() const {
    return std::popcount(words[0]) + std::popcount(words[1]) + std::popcount(words[2]) +
           std::popcount(words[3]);
  }
  // The k-th smallest member. REQUIRES: k < Count().
  unsigned Nth(unsigned k) const;
  OctetSet& operator|=(const OctetSet& o) {
    for (int i = 0; i < 4; ++i) words[i] |= o.words[i];
    return *this;
  }
  friend OctetSet operator&(const OctetSet& a, const OctetSet& b) {
    OctetSet r;
    for (int i = 0; i < 4; ++i) r.words[i] = a.words[i] & b.words[i];
    return r;
  }
  friend bool operator==(const OctetSet&, const OctetSet&) = default;
};

struct HitlistEntry {
  uint32_t base = 0;          // the block's first address, host order (last octet 0)
  float availability = 0.0f;  // A(E(b)) in [0, 1]
  OctetSet addresses;         // E(b)
};

struct Hitlist {
  std::vector<HitlistEntry> entries;  // sorted by base, unique
};

inline constexpr std::string_view kHitlistHeader = "#blackout-hitlist v1";

// Parses the text format; `name` is used in error locations. Strict: the first problem fails.
Result<Hitlist> ParseHitlist(std::string_view text, std::string_view name = "");
Result<Hitlist> ReadHitlist(const std::filesystem::path& file);
std::string FormatHitlist(const Hitlist& hitlist);
Status WriteHitlist(const std::filesystem::path& file, const Hitlist& hitlist);

// "198.18.5.0/24"
std::string FormatBlock(uint32_t base);
void AppendBlock(std::string& out, uint32_t base);
// "1-3,7,10-40"
std::string FormatOctets(const OctetSet& set);

}  // namespace blackout::probe
