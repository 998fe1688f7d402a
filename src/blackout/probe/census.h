// `probe census`: one ICMP echo to every address of the targets, in a keyed random permutation
// (ZMap-like: a Feistel network over the index space with cycle-walking, so no address list is
// built and consecutive probes land far apart), to find each /24's ever-responsive addresses E(b).
// With a previous hitlist it refreshes A(E(b)) (docs/probe.md, "Hitlist format").
// Thread-safety: one census per thread; the references must outlive the call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/probe/clock.h"
#include "blackout/probe/hitlist.h"
#include "blackout/probe/packet_io.h"
#include "blackout/probe/safety.h"
#include "blackout/probe/validation.h"

namespace blackout::probe {

// A keyed bijection on [0, n): a balanced Feistel network on the next even bit width, walking
// cycles until the value falls back inside [0, n).
class IndexPermutation {
 public:
  IndexPermutation(uint64_t n, const ProbeTagger& tagger);
  // REQUIRES: i < n.
  uint64_t operator()(uint64_t i) const;

 private:
  uint64_t n_;
  unsigned half_bits_;
  uint64_t half_mask_;
  const ProbeTagger& tagger_;
};

struct CensusOptions {
  double rate_pps = 10000;
  int64_t timeout_ns = 3 * 1'000'000'000LL;
};

struct CensusResult {
  Hitlist hitlist;
  uint64_t targets = 0;                        // addresses in the targets
  uint64_t probed = 0;                         // probes sent
  uint64_t blocked = 0;                        // addresses skipped by the safety policy
  uint64_t replies = 0;                        // valid replies (distinct addresses)
  uint64_t forged = 0;                         // replies failing validation
  std::map<std::string, uint64_t> blocked_by;  // reason (WhyBlocked) -> addresses skipped
};

// REQUIRES: targets are IPv4. `previous` may be null (a fresh census). `log` gets what is probed
// and why (one line per target prefix, one per blocked range met).
Result<CensusResult> RunCensus(const std::vector<Prefix>& targets, const SafetyPolicy& policy,
                               const Hitlist* previous, const CensusOptions& options, Clock& clock,
                               PacketIo& io, const ProbeTagger& tagger,
                               const std::function<void(std::string_view)>& log = nullptr);

}  // namespace blackout::probe
