// The continuous prober: Trinocular's rounds over a set of eligible /24 blocks (docs/probe.md,
// "Model"). Each round every block gets one probe at its keyed phase inside the round, and up to
// `max_extra` adaptive probes while its belief is uncertain; the global Pacer spreads all packets.
// RunRound() runs one round in the injected clock's time and returns what the round found: state
// changes, per-entity UP counts and totals. Writing them (records file, store) is the caller's job.
// Thread-safety: a Prober is used from one thread; RequestStop() may be called from any thread
// (e.g. a signal handler's flag).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/probe/belief.h"
#include "blackout/probe/clock.h"
#include "blackout/probe/entities.h"
#include "blackout/probe/hitlist.h"
#include "blackout/probe/pacer.h"
#include "blackout/probe/packet_io.h"
#include "blackout/probe/safety.h"
#include "blackout/probe/validation.h"

namespace blackout::probe {

struct Eligibility {
  unsigned min_addresses = 15;    // |E(b)| >= this
  double min_availability = 0.1;  // A(E(b)) >= this
};

// Blocks of `hitlist` that may be watched: addresses the policy blocks are removed from E(b) first,
// then eligibility is checked. `log` receives one line per block ("PROBE ..." or "SKIP ... reason")
// when non-null: the record of what is probed and why.
struct Selection {
  std::vector<HitlistEntry> blocks;
  uint64_t ineligible = 0;
  uint64_t blocked = 0;         // blocks with every address blocked
  uint64_t partly_blocked = 0;  // blocks that lost some addresses to the policy
};
Selection SelectBlocks(const Hitlist& hitlist, const Eligibility& eligibility,
                       const SafetyPolicy& policy,
                       const std::function<void(std::string_view)>& log = nullptr);

struct ProberOptions {
  std::string vantage = "vp";
  int64_t round_ns = 660 * kNanosPerSecond;
  unsigned max_extra = 15;  // adaptive probes per block per round
  int64_t timeout_ns = 3 * kNanosPerSecond;
  double rate_pps = 10000;
  BeliefParams belief;
  // When set and true, RunRound returns kUnavailable("stopped") at its next wake-up (signals).
  const std::atomic<bool>* stop = nullptr;
};

struct StateChange {
  uint32_t base = 0;
  BlockState from = BlockState::kUp;
  BlockState to = BlockState::kUp;
  double belief = 0;
  int64_t at_ns = 0;
};

struct EntityCount {
  std::string entity;
  uint64_t up = 0;
  uint64_t eligible = 0;
};

struct RoundReport {
  int64_t index = 0;
  int64_t start_ns = 0;
  int64_t round_ns = 0;
  std::vector<StateChange> changes;  // in order of at_ns
  std::vector<EntityCount> counts;   // sorted by entity
  uint64_t eligible = 0, up = 0, down = 0, uncertain = 0;
  uint64_t sent = 0;     // probes sent this round
  uint64_t matched = 0;  // valid replies to an outstanding probe
  uint64_t forged = 0;   // replies failing validation (not ours, or spoofed)
  uint64_t stale = 0;    // valid replies to a probe that had already timed out or been answered
  uint64_t unsent = 0;   // scheduled probes the rate limit left no room for this round
};

class Prober {
 public:
  // REQUIRES: `blocks` sorted by base, unique, non-empty E(b) (use SelectBlocks). `mapper` may be
  // null (no per-entity counts). The references must outlive the Prober. Round k starts at
  // start_ns + k * options.round_ns.
  Prober(ProberOptions options, std::vector<HitlistEntry> blocks, const EntityMapper* mapper,
         Clock& clock, PacketIo& io, const ProbeTagger& tagger, int64_t start_ns);

  // Runs the next round to its end. kUnavailable("stopped") if RequestStop() interrupted it;
  // errors from the packet layer end the run.
  Result<RoundReport> RunRound();
  void RequestStop() { stop_.store(true); }

  // The bookkeeping halves of a round, exposed for the benchmark: BeginRound resets the per-round
  // counters; Summarize counts states per entity.
  void BeginRound();
  void Summarize(RoundReport& report) const;

  size_t block_count() const { return blocks_.size(); }
  BlockState state(size_t i) const { return static_cast<BlockState>(blocks_[i].state); }
  double belief(size_t i) const { return blocks_[i].belief; }
  // Heap bytes held for per-block state (the "5M blocks <= 1 GB" budget).
  size_t MemoryBytes() const;

 private:
  struct Block {
    uint32_t base;
    float availability;
    float belief;
    uint16_t serial;       // serial of the latest probe
    uint16_t probe_index;  // i of the next probe in the rotating order
    uint8_t state;
    uint8_t probes;       // probes this round
    uint8_t outstanding;  // a probe is in flight
  };
  struct Pending {
    int64_t deadline;
    uint32_t block;
    uint16_t serial;
  };

  void SendProbe(uint32_t idx, int64_t now, std::vector<Echo>& batch);
  void Resolve(uint32_t idx, bool reply, int64_t now, RoundReport& report);
  void HandleReply(const Echo& reply, int64_t now, RoundReport& report);
  uint32_t AddressOf(uint32_t idx, unsigned i) const;

  ProberOptions options_;
  std::vector<Block> blocks_;
  std::vector<OctetSet> addresses_;
  std::vector<uint32_t> group_;                        // block -> entity-set group
  std::vector<std::vector<uint32_t>> group_entities_;  // group -> indices into entities_
  std::vector<std::string> entities_;                  // sorted
  std::vector<uint32_t> order_;                        // blocks by phase
  std::vector<uint32_t> phase_us_;  // phase of order_[i], microseconds into the round
  Clock& clock_;
  PacketIo& io_;
  const ProbeTagger& tagger_;
  Pacer pacer_;
  int64_t start_ns_;
  int64_t round_index_ = 0;
  size_t next_base_ = 0;            // next entry of order_ to probe this round
  std::deque<Pending> pending_;     // in deadline order (all timeouts are equal)
  std::deque<uint32_t> followups_;  // uncertain blocks waiting for an adaptive probe
  std::atomic<bool> stop_{false};
};

}  // namespace blackout::probe
