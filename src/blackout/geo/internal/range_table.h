// A sorted table of disjoint inclusive address ranges, each with a 32-bit value (ASN, CountryCode
// or RegionCode), with exact point lookup and "which value covers most of [first, last]". A 16-bit
// bucket index over the top key bits narrows every binary search to a few entries. Internal to the
// geo module. Thread-safety: immutable after Build(); const methods may run concurrently.
#pragma once

#include <cstdint>
#include <vector>

#include "blackout/geo/internal/range_csv.h"

namespace blackout::geo::internal {

class RangeTable {
 public:
  // Sorts `rows` by start (stable), clips each row to start after the previous one's end (the
  // earlier row wins an overlap), drops rows with value 0 and merges adjacent equal rows.
  // `key_bits` is 32 (IPv4) or 64 (IPv6 upper halves). Returns the number of rows clipped.
  uint64_t Build(std::vector<RangeRow> rows, int key_bits);

  size_t size() const { return first_.size(); }
  uint64_t first(size_t i) const { return first_[i]; }
  uint64_t last(size_t i) const { return last_[i]; }
  uint32_t value(size_t i) const { return value_[i]; }
  int key_bits() const { return key_bits_; }

  // Value covering `a`, or 0.
  uint32_t Find(uint64_t a) const;
  // Index of the first range whose last >= a (size() if none).
  size_t Seek(uint64_t a) const;
  // The value covering most of [first, last] starting the scan at range `i` (from Seek(first) or
  // a sweep cursor): ties go to the value met first; 0 only if gaps cover more than any value.
  uint32_t Majority(uint64_t first, uint64_t last, size_t i) const;
  // Sweep helper: advances cursor `i` to the first range with last >= a (a few steps, then a
  // search for long jumps, so sparse input and chunked calls stay cheap).
  // REQUIRES a >= the previous a.
  void Advance(size_t& i, uint64_t a) const {
    for (int k = 0; k < 8; ++k) {
      if (i >= first_.size() || last_[i] >= a) return;
      ++i;
    }
    size_t j = Seek(a);
    if (j > i) i = j;
  }
  // Total addresses (IPv4) or /64s (IPv6) per value, added to `out[value]`.
  template <typename Map>
  void SumByValue(Map& out) const {
    for (size_t i = 0; i < first_.size(); ++i) out[value_[i]] += last_[i] - first_[i] + 1;
  }

  void Clear();
  // Takes already sorted, disjoint columns (as written by the cache) and rebuilds the index.
  // Returns false if they are not sorted and disjoint.
  bool Assign(std::vector<uint64_t> first, std::vector<uint64_t> last, std::vector<uint32_t> value,
              int key_bits);
  const std::vector<uint64_t>& firsts() const { return first_; }
  const std::vector<uint64_t>& lasts() const { return last_; }
  const std::vector<uint32_t>& values() const { return value_; }

 private:
  void Index();

  int key_bits_ = 32;
  int shift_ = 16;
  std::vector<uint64_t> first_, last_;
  std::vector<uint32_t> value_;
  std::vector<uint32_t> bucket_;  // 65537 entries: first index whose first_ >> shift_ >= bucket
};

}  // namespace blackout::geo::internal
