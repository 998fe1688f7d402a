// What the prober may send packets to. A SafetyPolicy combines the built-in blocklist of IPv4
// special-purpose ranges (RFC 6890 and successors; see docs/probe.md), an explicit allowlist that
// alone can re-open such ranges (tests name 198.18.0.0/15), and a user blocklist that always wins.
// Thread-safety: immutable after set-up; const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"

namespace blackout::probe {

// A set of IPv4 addresses as sorted, disjoint, inclusive ranges, each remembering a label.
class Ipv4RangeSet {
 public:
  // REQUIRES: p is IPv4. Call Finish() after a series of Add()s, before any lookup.
  void Add(const Prefix& p, std::string label);
  void Finish();
  // The label of the range containing `addr` (host order), or nullptr.
  const std::string* Find(uint32_t addr) const;
  bool Contains(uint32_t addr) const { return Find(addr) != nullptr; }
  // True if [lo, hi] intersects the set.
  bool Intersects(uint32_t lo, uint32_t hi) const;
  size_t size() const { return ranges_.size(); }

 private:
  struct Range {
    uint32_t lo, hi;
    std::string label;
  };
  std::vector<Range> ranges_;     // sorted by lo after Finish(); nested prefixes are kept
  std::vector<uint32_t> max_hi_;  // max_hi_[i] = max(ranges_[0..i].hi), bounds the backward scan
};

// One entry of the built-in list.
struct SpecialRange {
  const char* prefix;
  const char* what;  // "private-use (RFC 1918)"
};
// The built-in special-purpose IPv4 ranges.
std::span<const SpecialRange> BuiltinSpecialRanges();

class SafetyPolicy {
 public:
  SafetyPolicy();  // built-in blocklist, empty allowlist, empty user blocklist

  // Lets addresses in `p` through the built-in blocklist. REQUIRES nothing; fails for IPv6.
  Status AllowSpecial(const Prefix& p);
  Status BlockUser(const Prefix& p, std::string why);
  // One prefix per line, '#' comments and blank lines ignored. Errors name the line.
  Status LoadUserBlocklist(const std::filesystem::path& file);

  // Empty if `addr` (host order) may be probed, else why not ("user blocklist 203.0.113.0/24 (file
  // x line 3)", "special-purpose 10.0.0.0/8 private-use (RFC 1918)").
  std::string WhyBlocked(uint32_t addr) const;
  bool Allowed(uint32_t addr) const;

 private:
  Ipv4RangeSet special_;
  Ipv4RangeSet allowed_special_;
  Ipv4RangeSet user_;
};

}  // namespace blackout::probe
