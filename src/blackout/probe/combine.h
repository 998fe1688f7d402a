// Multi-site judgement over arrays (Trinocular's multi-site combination: Quan, Heidemann, Pradkin,
// SIGCOMM 2013 section 3.5; Baltra and Heidemann, "Improving coverage of Internet outage detection
// with multi-site observations", 2019). One bin of several vantage points' per-block states in,
// each block's combined state and each vantage point's health out. The method and its thresholds:
// docs/probe.md, "Multi-site judgement". Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <span>

namespace blackout::probe {

// A vantage point's code for one block: a state in the low two bits, kVpSeenUp when the vantage
// point has seen the block UP at the end of some round of its current run (a vantage point that
// never saw a block up cannot see it, and does not vote on it).
inline constexpr uint8_t kVpUnwatched = 0;  // not watched, or no round from it in this bin
inline constexpr uint8_t kVpUp = 1;
inline constexpr uint8_t kVpDown = 2;
inline constexpr uint8_t kVpUncertain = 3;
inline constexpr uint8_t kVpStateMask = 3;
inline constexpr uint8_t kVpSeenUp = 4;

// The combined state of a block. kCombinedUnknown: no healthy vantage point that can see it
// reported in this bin (the caller carries the previous state forward).
inline constexpr uint8_t kCombinedUnknown = 0;
inline constexpr uint8_t kCombinedUp = 1;
inline constexpr uint8_t kCombinedDown = 2;
inline constexpr uint8_t kCombinedUncertain = 3;

struct CombineOptions {
  // A vantage point is suspected of having lost its own connectivity when at least this fraction
  // of the blocks it can see are not UP ...
  double vp_down_fraction = 0.8;
  // ... in at least this many countries ...
  unsigned vp_min_countries = 2;
  // ... and, of those blocks that an unsuspected vantage point can see, at least this fraction
  // is UP there. With no such witness nothing is set aside (an outage everyone sees stands).
  double vp_contradicted_fraction = 0.5;
};

struct VantageVerdict {
  bool healthy = true;
  uint64_t seen = 0;          // blocks it can see (watched, seen up)
  uint64_t not_up = 0;        // of those, DOWN or UNCERTAIN this bin
  uint32_t countries = 0;     // countries of the not_up blocks
  uint64_t witnessed = 0;     // not_up blocks an unsuspected vantage point can see
  uint64_t contradicted = 0;  // of those, UP at some unsuspected vantage point
};

// vp[k][i]: vantage point k's code for block i; country[i]: a small index of the block's country
// (0 = none; counted as no country); out[i]: the combined state; verdicts[k]: vantage point k's.
// A block is UP when a healthy vantage point that can see it has it UP, DOWN when every such
// vantage point has it DOWN, UNCERTAIN when they disagree otherwise, unknown when there is none.
// REQUIRES: every vp[k], country and out have the same size; verdicts.size() == vp.size();
// vp.size() <= 64.
void CombineBlocks(std::span<const std::span<const uint8_t>> vp, std::span<const uint16_t> country,
                   const CombineOptions& options, std::span<uint8_t> out,
                   std::span<VantageVerdict> verdicts);

}  // namespace blackout::probe
