// SipHash-2-4 (Aumasson and Bernstein, 2012) over a few 64-bit words: the keyed hash behind
// stateless reply validation. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

namespace blackout::probe::internal {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

// SipHash-2-4 of the little-endian bytes of `words`.
uint64_t SipHash24(const SipKey& key, std::span<const uint64_t> words);

}  // namespace blackout::probe::internal
