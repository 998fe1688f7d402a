// /24 and /48 block splitting and CIDR covers (declared in geodb.h).
#include <algorithm>
#include <bit>

#include "blackout/geo/geodb.h"

namespace blackout::geo {

std::vector<uint32_t> SplitToBlocks24(std::span<const Prefix> prefixes) {
  std::vector<std::pair<uint32_t, uint32_t>> spans;  // [first, last] blocks
  uint64_t total = 0;
  for (const Prefix& p : prefixes) {
    if (p.family() != Family::kIPv4) continue;
    uint32_t block = p.Masked().address().v4() >> 8;
    uint32_t count = p.length() >= 24 ? 1 : uint32_t{1} << (24 - p.length());
    spans.push_back({block, block + (count - 1)});
    total += count;
  }
  std::sort(spans.begin(), spans.end());
  std::vector<uint32_t> out;
  out.reserve(std::min<uint64_t>(total, uint64_t{1} << 24));
  int64_t next = 0;  // first block not yet emitted
  for (auto [first, last] : spans) {
    int64_t b = std::max<int64_t>(first, next);
    for (; b <= static_cast<int64_t>(last); ++b) out.push_back(static_cast<uint32_t>(b));
    next = std::max<int64_t>(next, static_cast<int64_t>(last) + 1);
  }
  return out;
}

std::vector<uint64_t> SplitToBlocks48(std::span<const Prefix> prefixes) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const Prefix& p : prefixes) {
    if (p.family() != Family::kIPv6) continue;
    uint64_t block = p.Masked().address().v6_high() >> 16;
    // Refuse absurd splits (shorter than /16 would be > 2^32 blocks): clamp to /16.
    int len = std::max<int>(p.length(), 16);
    uint64_t count = len >= 48 ? 1 : uint64_t{1} << (48 - len);
    spans.push_back({block, block + (count - 1)});
  }
  std::sort(spans.begin(), spans.end());
  std::vector<uint64_t> out;
  uint64_t next = 0;  // first block not yet emitted (blocks are < 2^48, so no overflow)
  for (auto [first, last] : spans) {
    for (uint64_t b = std::max(first, next); b <= last; ++b) out.push_back(b);
    next = std::max(next, last + 1);
  }
  return out;
}

std::vector<Prefix> RangeToPrefixes(AddressRange range, Family family) {
  std::vector<Prefix> out;
  int bits = family == Family::kIPv4 ? 32 : 64;
  uint64_t a = range.first, b = range.last;
  while (true) {
    // Largest aligned block at `a` that does not pass `b`.
    int size_log = a == 0 ? bits : std::min(std::countr_zero(a), bits);
    while (size_log > 0) {
      uint64_t span = size_log >= 64 ? ~uint64_t{0} : (uint64_t{1} << size_log) - 1;
      if (a + span >= a && a + span <= b) break;
      --size_log;
    }
    uint64_t span = size_log >= 64 ? ~uint64_t{0} : (uint64_t{1} << size_log) - 1;
    uint8_t len = static_cast<uint8_t>(bits - size_log);
    if (family == Family::kIPv4) {
      out.emplace_back(IpAddress::V4(static_cast<uint32_t>(a)), len);
    } else {
      uint8_t bytes[16] = {};
      for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(a >> (56 - 8 * i));
      out.emplace_back(IpAddress::FromBytes(Family::kIPv6, bytes), len);
    }
    if (a + span >= b) break;
    a += span + 1;
  }
  return out;
}

std::vector<Prefix> BlocksToPrefixes24(std::span<const uint32_t> blocks) {
  std::vector<Prefix> out;
  size_t i = 0;
  while (i < blocks.size()) {
    size_t j = i;
    while (j + 1 < blocks.size() && blocks[j + 1] == blocks[j] + 1) ++j;
    AddressRange r{uint64_t{blocks[i]} << 8, (uint64_t{blocks[j]} << 8) | 0xff};
    auto p = RangeToPrefixes(r, Family::kIPv4);
    out.insert(out.end(), p.begin(), p.end());
    i = j + 1;
  }
  return out;
}

}  // namespace blackout::geo
