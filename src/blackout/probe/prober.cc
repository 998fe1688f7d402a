#include "blackout/probe/prober.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "blackout/base/ip.h"

namespace blackout::probe {
namespace {

constexpr uint64_t kDomainPhase = 0x7068617365;  // "phase"
constexpr uint64_t kDomainStart = 0x7374617274;  // "start"
constexpr uint64_t kDomainOrder = 0x6f72646572;  // "order"
constexpr size_t kSendBatch = 64;

// SplitMix64's finaliser: the cheap round function of the per-block address permutation.
inline uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A keyed pseudo-random permutation of [0, n), n <= 256: a 4-round Feistel network on the
// smallest even bit width holding n, cycle-walking back into range. Probes walk E(b) in this
// order, so consecutive probes are independent draws as Trinocular's model assumes, whatever the
// structure of the responsive addresses.
unsigned Permute(unsigned i, unsigned n, uint64_t key) {
  unsigned bits = 2;
  while ((1u << bits) < n) bits += 2;
  const unsigned half = bits / 2, mask = (1u << half) - 1;
  unsigned x = i;
  do {
    unsigned l = x >> half, r = x & mask;
    for (unsigned k = 0; k < 4; ++k) {
      unsigned f = static_cast<unsigned>(Mix(key + k * 0x9e3779b97f4a7c15ULL + r)) & mask;
      unsigned nl = r;
      r = l ^ f;
      l = nl;
    }
    x = l << half | r;
  } while (x >= n);
  return x;
}

}  // namespace

Selection SelectBlocks(const Hitlist& hitlist, const Eligibility& eligibility,
                       const SafetyPolicy& policy,
                       const std::function<void(std::string_view)>& log) {
  Selection sel;
  sel.blocks.reserve(hitlist.entries.size());
  std::string line;
  char num[32];
  for (const HitlistEntry& in : hitlist.entries) {
    HitlistEntry e = in;
    unsigned before = e.addresses.Count();
    std::string why;
    OctetSet allowed;
    for (unsigned k = 0; k < before; ++k) {
      unsigned o = in.addresses.Nth(k);
      if (policy.Allowed(in.base | o)) {
        allowed.Add(o);
      } else if (why.empty()) {
        why = policy.WhyBlocked(in.base | o);
      }
    }
    e.addresses = allowed;
    unsigned n = allowed.Count();
    line.clear();
    if (n == 0) {
      ++sel.blocked;
      if (log) {
        line = "SKIP\t";
        AppendBlock(line, e.base);
        line += "\tblocked: " + why;
        log(line);
      }
      continue;
    }
    if (n < before) ++sel.partly_blocked;
    bool eligible =
        n >= eligibility.min_addresses && e.availability >= eligibility.min_availability;
    if (!eligible) {
      ++sel.ineligible;
      if (log) {
        line = "SKIP\t";
        AppendBlock(line, e.base);
        std::snprintf(num, sizeof num, "%.4f", static_cast<double>(e.availability));
        line += "\tineligible: |E|=" + std::to_string(n) + " A=" + num;
        log(line);
      }
      continue;
    }
    if (log) {
      line = "PROBE\t";
      AppendBlock(line, e.base);
      std::snprintf(num, sizeof num, "%.4f", static_cast<double>(e.availability));
      line += "\thitlist: |E|=" + std::to_string(n) + " A=" + num;
      if (n < before)
        line += " (" + std::to_string(before - n) + " addresses blocked: " + why + ")";
      log(line);
    }
    sel.blocks.push_back(e);
  }
  return sel;
}

Prober::Prober(ProberOptions options, std::vector<HitlistEntry> blocks, const EntityMapper* mapper,
               Clock& clock, PacketIo& io, const ProbeTagger& tagger, int64_t start_ns)
    : options_(std::move(options)),
      clock_(clock),
      io_(io),
      tagger_(tagger),
      pacer_(options_.rate_pps, start_ns),
      start_ns_(start_ns) {
  const size_t n = blocks.size();
  blocks_.resize(n);
  addresses_.resize(n);
  const uint64_t round_us = static_cast<uint64_t>(options_.round_ns / 1000);
  std::vector<std::pair<uint32_t, uint32_t>> by_phase(n);
  for (size_t i = 0; i < n; ++i) {
    const HitlistEntry& e = blocks[i];
    Block& b = blocks_[i];
    b.base = e.base;
    b.availability = e.availability;
    b.belief = static_cast<float>(options_.belief.ceiling);
    b.serial = static_cast<uint16_t>(tagger_.Hash(e.base, kDomainStart) >> 16);
    b.probe_index = 0;
    b.state = static_cast<uint8_t>(BlockState::kUp);
    b.probes = 0;
    b.outstanding = 0;
    addresses_[i] = e.addresses;
    by_phase[i] = {
        static_cast<uint32_t>(tagger_.Hash(e.base, kDomainPhase) % (round_us ? round_us : 1)),
        static_cast<uint32_t>(i)};
  }
  std::sort(by_phase.begin(), by_phase.end());
  order_.resize(n);
  phase_us_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    phase_us_[i] = by_phase[i].first;
    order_[i] = by_phase[i].second;
  }

  // Entity groups: blocks sharing the same entity set share a group, so a round's per-entity
  // count is one increment per block plus one pass over the groups.
  group_.assign(n, 0);
  if (mapper != nullptr && n > 0) {
    std::vector<uint32_t> bases(n);
    for (size_t i = 0; i < n; ++i) bases[i] = blocks_[i].base;
    std::vector<std::vector<std::string>> groups;
    mapper->Attribute(bases, group_, groups);
    std::map<std::string, uint32_t> entity_index;
    for (const auto& list : groups) {
      for (const auto& e : list) entity_index.emplace(e, 0);
    }
    for (auto& [name, idx] : entity_index) {
      idx = static_cast<uint32_t>(entities_.size());
      entities_.push_back(name);
    }
    for (const auto& list : groups) {
      std::vector<uint32_t> ids;
      for (const auto& e : list) ids.push_back(entity_index[e]);
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      group_entities_.push_back(std::move(ids));
    }
  } else {
    group_entities_.push_back({});
  }
}

size_t Prober::MemoryBytes() const {
  size_t groups = 0;
  for (const auto& g : group_entities_) groups += g.capacity() * sizeof(uint32_t) + sizeof g;
  return blocks_.capacity() * sizeof(Block) + addresses_.capacity() * sizeof(OctetSet) +
         group_.capacity() * sizeof(uint32_t) + order_.capacity() * sizeof(uint32_t) +
         phase_us_.capacity() * sizeof(uint32_t) + groups + pending_.size() * sizeof(Pending) +
         followups_.size() * sizeof(uint32_t);
}

uint32_t Prober::AddressOf(uint32_t idx, unsigned i) const {
  const Block& b = blocks_[idx];
  unsigned n = addresses_[idx].Count();
  unsigned k = Permute(i % n, n, tagger_.Hash(b.base, kDomainOrder));
  return b.base | addresses_[idx].Nth(k);
}

void Prober::BeginRound() {
  for (Block& b : blocks_) b.probes = 0;
  next_base_ = 0;
}

void Prober::SendProbe(uint32_t idx, int64_t now, std::vector<Echo>& batch) {
  Block& b = blocks_[idx];
  ++b.serial;
  b.outstanding = 1;
  if (b.probes < 255) ++b.probes;
  uint32_t dst = AddressOf(idx, b.probe_index++);
  batch.push_back(tagger_.Make(dst, b.serial));
  pending_.push_back({now + options_.timeout_ns, idx, b.serial});
}

void Prober::Resolve(uint32_t idx, bool reply, int64_t now, RoundReport& report) {
  Block& b = blocks_[idx];
  b.outstanding = 0;
  double belief = UpdateBelief(b.belief, b.availability, reply, options_.belief);
  b.belief = static_cast<float>(belief);
  auto before = static_cast<BlockState>(b.state);
  BlockState after = Classify(belief, options_.belief);
  if (after != before) {
    b.state = static_cast<uint8_t>(after);
    report.changes.push_back({b.base, before, after, belief, now});
  }
  if (after == BlockState::kUncertain && b.probes < 1 + options_.max_extra) {
    followups_.push_back(idx);
  }
}

void Prober::HandleReply(const Echo& reply, int64_t now, RoundReport& report) {
  auto serial = tagger_.Validate(reply);
  if (!serial) {
    ++report.forged;
    return;
  }
  uint32_t base = reply.addr & ~uint32_t{255};
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), base,
                             [](const Block& b, uint32_t v) { return b.base < v; });
  if (it == blocks_.end() || it->base != base) {
    ++report.forged;  // validated, but not a block we watch: a reply from a previous run's key
    return;
  }
  if (!it->outstanding || it->serial != *serial) {
    ++report.stale;
    return;
  }
  ++report.matched;
  Resolve(static_cast<uint32_t>(it - blocks_.begin()), true, now, report);
}

Result<RoundReport> Prober::RunRound() {
  RoundReport report;
  report.index = round_index_;
  report.start_ns = start_ns_ + round_index_ * options_.round_ns;
  report.round_ns = options_.round_ns;
  const int64_t round_start = report.start_ns;
  const int64_t round_end = round_start + options_.round_ns;
  BeginRound();
  std::vector<Echo> batch;
  std::vector<Echo> replies;
  batch.reserve(kSendBatch);
  for (;;) {
    if (stop_.load(std::memory_order_relaxed) ||
        (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed))) {
      return Unavailable("stopped");
    }
    int64_t now = clock_.Now();
    if (now >= round_end) break;

    while (!pending_.empty() && pending_.front().deadline <= now) {
      Pending p = pending_.front();
      pending_.pop_front();
      Block& b = blocks_[p.block];
      if (b.outstanding && b.serial == p.serial) Resolve(p.block, false, now, report);
    }

    // Small slices, with the socket drained between them, so replies never overflow its buffer.
    uint64_t allowance = std::min<uint64_t>(pacer_.Allowance(now), 4 * kSendBatch);
    uint64_t used = 0;
    while (used < allowance) {
      if (!followups_.empty()) {
        uint32_t idx = followups_.front();
        followups_.pop_front();
        if (blocks_[idx].outstanding) continue;
        SendProbe(idx, now, batch);
      } else if (next_base_ < order_.size() &&
                 round_start + int64_t{phase_us_[next_base_]} * 1000 <= now) {
        uint32_t idx = order_[next_base_++];
        if (blocks_[idx].outstanding) continue;  // still waiting on an adaptive probe
        SendProbe(idx, now, batch);
      } else {
        break;
      }
      ++used;
      if (batch.size() == kSendBatch) {
        BLACKOUT_RETURN_IF_ERROR(io_.Send(batch));
        batch.clear();
      }
    }
    if (!batch.empty()) {
      BLACKOUT_RETURN_IF_ERROR(io_.Send(batch));
      batch.clear();
    }
    pacer_.Consume(used);
    report.sent += used;

    // Sleep until the next thing to do: a timeout, the next packet slot if work is waiting, the
    // next phase, or the end of the round.
    int64_t wake = round_end;
    if (!pending_.empty()) wake = std::min(wake, pending_.front().deadline);
    bool work = !followups_.empty() || (next_base_ < order_.size() &&
                                        round_start + int64_t{phase_us_[next_base_]} * 1000 <= now);
    if (work) {
      wake = std::min(wake, std::max(now, pacer_.NextNs()));
    } else if (next_base_ < order_.size()) {
      wake = std::min(wake, round_start + int64_t{phase_us_[next_base_]} * 1000);
    }
    replies.clear();
    BLACKOUT_RETURN_IF_ERROR(io_.Receive(wake, replies));
    if (!replies.empty()) {
      int64_t t = clock_.Now();
      for (const Echo& r : replies) HandleReply(r, t, report);
    }
  }
  report.unsent = order_.size() - next_base_;
  Summarize(report);
  ++round_index_;
  return report;
}

void Prober::Summarize(RoundReport& report) const {
  std::vector<uint64_t> group_up(group_entities_.size(), 0), group_all(group_entities_.size(), 0);
  uint64_t by_state[3] = {0, 0, 0};
  for (size_t i = 0; i < blocks_.size(); ++i) {
    uint8_t s = blocks_[i].state;
    ++by_state[s];
    ++group_all[group_[i]];
    group_up[group_[i]] += s == static_cast<uint8_t>(BlockState::kUp);
  }
  report.eligible = blocks_.size();
  report.up = by_state[0];
  report.down = by_state[1];
  report.uncertain = by_state[2];
  std::vector<EntityCount> counts(entities_.size());
  for (size_t e = 0; e < entities_.size(); ++e) counts[e].entity = entities_[e];
  for (size_t g = 0; g < group_entities_.size(); ++g) {
    for (uint32_t e : group_entities_[g]) {
      counts[e].up += group_up[g];
      counts[e].eligible += group_all[g];
    }
  }
  // Entities a mapper named but no watched block belongs to get no line (docs/probe.md).
  std::erase_if(counts, [](const EntityCount& c) { return c.eligible == 0; });
  report.counts = std::move(counts);
}

}  // namespace blackout::probe
