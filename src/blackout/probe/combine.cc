#include "blackout/probe/combine.h"

#include <algorithm>
#include <vector>

namespace blackout::probe {
namespace {

bool Sees(uint8_t code) { return (code & kVpSeenUp) != 0 && (code & kVpStateMask) != 0; }

}  // namespace

void CombineBlocks(std::span<const std::span<const uint8_t>> vp, std::span<const uint16_t> country,
                   const CombineOptions& options, std::span<uint8_t> out,
                   std::span<VantageVerdict> verdicts) {
  const size_t n = out.size();
  const size_t k_count = vp.size();
  // 1. Each vantage point alone: how much of what it can see is not up, in how many countries.
  std::vector<uint8_t> marks;
  uint64_t suspects = 0;  // bit k: vantage point k is suspected
  for (size_t k = 0; k < k_count; ++k) {
    VantageVerdict& v = verdicts[k];
    v = {};
    const uint8_t* c = vp[k].data();
    uint64_t seen = 0, not_up = 0;
    uint16_t max_country = 0;
    for (size_t i = 0; i < n; ++i) {
      const bool sees = Sees(c[i]);
      seen += sees;
      const bool bad = sees && (c[i] & kVpStateMask) != kVpUp;
      not_up += bad;
      max_country = bad ? std::max(max_country, country[i]) : max_country;
    }
    v.seen = seen;
    v.not_up = not_up;
    if (seen == 0 || static_cast<double>(not_up) < options.vp_down_fraction * seen) continue;
    marks.assign(size_t{max_country} + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      if (Sees(c[i]) && (c[i] & kVpStateMask) != kVpUp) marks[country[i]] = 1;
    }
    for (size_t x = 1; x < marks.size(); ++x) v.countries += marks[x];
    if (v.countries >= options.vp_min_countries) suspects |= uint64_t{1} << k;
  }
  // 2. A suspect is unhealthy when unsuspected vantage points see up what it calls down.
  for (size_t k = 0; k < k_count && suspects != 0; ++k) {
    if (!(suspects >> k & 1)) continue;
    VantageVerdict& v = verdicts[k];
    const uint8_t* c = vp[k].data();
    for (size_t i = 0; i < n; ++i) {
      if (!Sees(c[i]) || (c[i] & kVpStateMask) == kVpUp) continue;
      bool witnessed = false, up = false;
      for (size_t j = 0; j < k_count; ++j) {
        if (suspects >> j & 1) continue;
        const uint8_t o = vp[j][i];
        witnessed |= Sees(o);
        up |= Sees(o) && (o & kVpStateMask) == kVpUp;
      }
      v.witnessed += witnessed;
      v.contradicted += up;
    }
    v.healthy = !(v.witnessed > 0 && static_cast<double>(v.contradicted) >=
                                         options.vp_contradicted_fraction * v.witnessed);
  }
  // 3. Per block, over the healthy vantage points that can see it.
  std::vector<const uint8_t*> healthy;
  for (size_t k = 0; k < k_count; ++k) {
    if (verdicts[k].healthy) healthy.push_back(vp[k].data());
  }
  const size_t h = healthy.size();
  for (size_t i = 0; i < n; ++i) {
    uint8_t any_up = 0, any_down = 0, any_uncertain = 0;
    for (size_t k = 0; k < h; ++k) {
      const uint8_t c = healthy[k][i];
      const uint8_t s = c & kVpStateMask;
      const uint8_t counted = (c >> 2) & 1;  // kVpSeenUp
      any_up |= counted & (s == kVpUp);
      any_down |= counted & (s == kVpDown);
      any_uncertain |= counted & (s == kVpUncertain);
    }
    out[i] = any_up          ? kCombinedUp
             : any_uncertain ? kCombinedUncertain
             : any_down      ? kCombinedDown
                             : kCombinedUnknown;
  }
}

}  // namespace blackout::probe
