// Stateless reply validation in the manner of ZMap: every field of a probe that the target echoes
// back is derived from a per-run secret key and the destination, so a reply can be checked from
// its own bytes without remembering the probe. Identifier = 16 bits of H(key, dst); sequence =
// serial xor 16 other bits of H(key, dst); payload = H(key, dst, serial). An off-path sender who
// does not know the key cannot forge a reply that passes. The serial (per-block probe counter) lets
// the prober tell a late reply to an older probe from the current one. Thread-safety: immutable.
#pragma once

#include <cstdint>
#include <optional>

#include "blackout/probe/icmp.h"
#include "blackout/probe/internal/siphash.h"

namespace blackout::probe {

class ProbeTagger {
 public:
  explicit ProbeTagger(internal::SipKey key) : key_(key) {}
  // A key from the kernel's random source (getrandom(2)).
  static ProbeTagger Random();
  // A fixed key derived from `seed`, for tests and reproducible runs.
  static ProbeTagger FromSeed(uint64_t seed);

  Echo Make(uint32_t dst, uint16_t serial) const;
  // The serial of the probe `reply` answers, or nullopt if the reply is not one of ours.
  std::optional<uint16_t> Validate(const Echo& reply) const;
  // A keyed 64-bit hash of `x`, for the prober's other keyed choices (phases, address order).
  uint64_t Hash(uint64_t x, uint64_t domain) const;

 private:
  internal::SipKey key_;
};

}  // namespace blackout::probe
