// Counting distinct sources in bounded memory. A UniqueCounter keeps the exact set of 64-bit source
// hashes while it is small and turns into a HyperLogLog (Flajolet et al. 2007, with the linear
// counting of small ranges) above kExactLimit, so a country's count is exact at the rates most
// telescopes see and costs at most 16 KiB at any rate. Both forms merge (union), which is what
// joins a bin split across two capture files. Why blackout has its own sketch rather than a
// library: docs/darknet.md. Thread-safety: value types; not safe for concurrent mutation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout::darknet {

// A 64-bit mix (splitmix64's finaliser) of a source key: the HyperLogLog needs uniform bits.
inline uint64_t HashSource(uint64_t key) {
  key += 0x9e3779b97f4a7c15ULL;
  key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
  key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
  return key ^ (key >> 31);
}

class HyperLogLog {
 public:
  static constexpr int kPrecision = 14;  // 2^14 one-byte registers
  static constexpr size_t kRegisters = size_t{1} << kPrecision;
  // The standard error of the estimate, 1.04 / sqrt(registers): 0.81%.
  static constexpr double kStandardError = 0.0081;

  HyperLogLog();
  void Add(uint64_t hash) {
    const size_t index = hash >> (64 - kPrecision);
    const uint64_t rest = hash << kPrecision | (uint64_t{1} << (kPrecision - 1));
    const uint8_t rank = static_cast<uint8_t>(__builtin_clzll(rest) + 1);
    if (rank > registers_[index]) registers_[index] = rank;
  }
  void Merge(const HyperLogLog& other);
  double Estimate() const;
  const uint8_t* registers() const { return registers_.get(); }
  uint8_t* mutable_registers() { return registers_.get(); }

 private:
  std::unique_ptr<uint8_t[]> registers_;
};

class UniqueCounter {
 public:
  // The exact set holds at most this many hashes (a 2048-slot table, 16 KiB, the size of the
  // HyperLogLog it becomes).
  static constexpr uint32_t kExactLimit = 1536;

  UniqueCounter() = default;
  UniqueCounter(UniqueCounter&&) = default;
  UniqueCounter& operator=(UniqueCounter&&) = default;
  UniqueCounter(const UniqueCounter& other);
  UniqueCounter& operator=(const UniqueCounter& other);

  void Add(uint64_t hash);
  void Merge(const UniqueCounter& other);
  // The exact count, or the HyperLogLog's estimate rounded.
  uint64_t Count() const;
  bool exact() const { return hll_ == nullptr; }
  bool empty() const { return size_ == 0 && hll_ == nullptr; }
  size_t memory_bytes() const;

  // A compact binary form (the exact hashes, or the registers) and back. Parse errors are
  // kDataLoss naming what was wrong.
  void AppendTo(std::string& out) const;
  static Result<UniqueCounter> Parse(std::string_view* in);

 private:
  void Insert(uint64_t hash);          // into the exact table; REQUIRES room
  bool Contains(uint64_t hash) const;  // in the exact table
  void Grow();
  void Promote();  // exact -> HyperLogLog

  std::unique_ptr<uint64_t[]> table_;  // open addressing, 0 = empty slot
  uint32_t capacity_ = 0, size_ = 0;
  bool has_zero_ = false;  // the hash 0, which cannot sit in the table
  std::unique_ptr<HyperLogLog> hll_;
};

}  // namespace blackout::darknet
