// ParseScenario on any TOML text: never crashes (UBSan included); an accepted scenario meets the
// contract of docs/scenario.md: start < end at most 100 days apart, at least one collector with
// peers and one network with IPv4 /8../24 prefixes, and truth events with entities, start < end,
// level in [0, 1] (NaN is not in it) and phases inside the event with a level in [0, 1].
// Rejections carry a message.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/sim/scenario.h"

namespace {
bool InUnit(double v) { return v >= 0 && v <= 1; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::sim;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = ParseScenario(text, "fuzz.toml");
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  const Scenario& s = *r;
  if (s.name.empty() || !(s.start < s.end) || s.end - s.start > 100 * 86400) std::abort();
  if (s.collectors.empty() || s.networks.empty()) std::abort();
  for (const auto& c : s.collectors) {
    if (c.peers.empty() || !c.bgp_id.is_v4()) std::abort();
  }
  for (const auto& n : s.networks) {
    if (n.prefixes.empty()) std::abort();
    for (const auto& p : n.prefixes) {
      if (!p.address().is_v4() || p.length() < 8 || p.length() > 24) std::abort();
    }
  }
  for (const TruthEvent& e : s.truth) {
    if (e.entities.empty() || !(e.start < e.end) || !InUnit(e.level)) std::abort();
    for (const Phase& p : e.phases) {
      if (!(p.start < p.end) || p.start < e.start || p.end > e.end || !InUnit(p.level)) {
        std::abort();
      }
    }
    if (!InUnit(e.LevelAt(e.start)) || !InUnit(e.LevelAt(e.end - 1))) std::abort();
    for (const Network& n : s.networks) (void)e.Covers(n);
  }
  for (const auto& entity : s.Entities()) (void)s.EntityName(entity);
  return 0;
}
