#include "blackout/probe/census.h"

#include <algorithm>
#include <bit>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "blackout/probe/pacer.h"

namespace blackout::probe {
namespace {
constexpr unsigned kRounds = 4;
constexpr uint64_t kDomainFeistel = 0x6665697374656cULL;  // "feistel"
constexpr size_t kBatch = 64;

struct Range {
  uint64_t lo, hi;  // inclusive, host order
};
}  // namespace

IndexPermutation::IndexPermutation(uint64_t n, const ProbeTagger& tagger) : n_(n), tagger_(tagger) {
  unsigned bits = n <= 1 ? 2 : std::bit_width(n - 1);
  if (bits % 2) ++bits;
  if (bits < 2) bits = 2;
  half_bits_ = bits / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
}

uint64_t IndexPermutation::operator()(uint64_t i) const {
  uint64_t x = i;
  do {
    uint64_t l = x >> half_bits_, r = x & half_mask_;
    for (unsigned k = 0; k < kRounds; ++k) {
      uint64_t f = tagger_.Hash(r, kDomainFeistel + k) & half_mask_;
      uint64_t nl = r;
      r = l ^ f;
      l = nl;
    }
    x = l << half_bits_ | r;
  } while (x >= n_);
  return x;
}

Result<CensusResult> RunCensus(const std::vector<Prefix>& targets, const SafetyPolicy& policy,
                               const Hitlist* previous, const CensusOptions& options, Clock& clock,
                               PacketIo& io, const ProbeTagger& tagger,
                               const std::function<void(std::string_view)>& log) {
  CensusResult result;
  std::vector<Range> ranges;
  for (const Prefix& p : targets) {
    if (!p.address().is_v4())
      return InvalidArgument("census targets must be IPv4: " + p.ToString());
    Prefix m = p.Masked();
    uint64_t lo = m.address().v4();
    uint64_t size = uint64_t{1} << (32 - m.length());
    ranges.push_back({lo, lo + size - 1});
    if (log) log("TARGET\t" + m.ToString() + "\t" + std::to_string(size) + " addresses");
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.lo < b.lo; });
  std::vector<Range> merged;
  for (const Range& r : ranges) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  std::vector<uint64_t> offsets;  // index of each merged range's first address
  uint64_t total = 0;
  for (const Range& r : merged) {
    offsets.push_back(total);
    total += r.hi - r.lo + 1;
  }
  result.targets = total;

  std::unordered_map<uint32_t, OctetSet> responders;
  std::unordered_set<uint32_t> scanned_blocks;
  std::map<std::string, uint64_t>& blocked_by = result.blocked_by;
  Pacer pacer(options.rate_pps, clock.Now());
  IndexPermutation perm(total, tagger);
  std::vector<Echo> batch, replies;
  auto handle = [&](const std::vector<Echo>& rs) {
    for (const Echo& r : rs) {
      auto serial = tagger.Validate(r);
      if (!serial || *serial != 0) {
        ++result.forged;
        continue;
      }
      OctetSet& set = responders[r.addr & ~uint32_t{255}];
      if (!set.Has(r.addr & 255)) {
        set.Add(r.addr & 255);
        ++result.replies;
      }
    }
  };
  uint64_t i = 0;
  int64_t last_send = clock.Now();
  while (i < total) {
    int64_t now = clock.Now();
    // Small slices, with the socket drained between them, so replies never overflow its buffer.
    uint64_t allow = std::min<uint64_t>(pacer.Allowance(now), 4 * kBatch);
    uint64_t used = 0;
    while (used < allow && i < total) {
      uint64_t idx = perm(i++);
      size_t k = std::upper_bound(offsets.begin(), offsets.end(), idx) - offsets.begin() - 1;
      auto addr = static_cast<uint32_t>(merged[k].lo + (idx - offsets[k]));
      if (!policy.Allowed(addr)) {
        ++result.blocked;
        ++blocked_by[policy.WhyBlocked(addr)];
        continue;
      }
      scanned_blocks.insert(addr & ~uint32_t{255});
      batch.push_back(tagger.Make(addr, 0));
      ++used;
      if (batch.size() == kBatch) {
        BLACKOUT_RETURN_IF_ERROR(io.Send(batch));
        batch.clear();
      }
    }
    if (!batch.empty()) {
      BLACKOUT_RETURN_IF_ERROR(io.Send(batch));
      batch.clear();
    }
    pacer.Consume(used);
    result.probed += used;
    if (used) last_send = now;
    replies.clear();
    BLACKOUT_RETURN_IF_ERROR(io.Receive(i < total ? pacer.NextNs() : now, replies));
    handle(replies);
  }
  const int64_t end = last_send + options.timeout_ns;
  while (clock.Now() < end) {
    replies.clear();
    BLACKOUT_RETURN_IF_ERROR(io.Receive(end, replies));
    handle(replies);
  }
  if (log) {
    for (const auto& [why, n] : blocked_by)
      log("SKIP\t" + std::to_string(n) + " addresses\t" + why);
  }

  // Merge with the previous hitlist: E grows, A = this scan's responders / |E| for scanned blocks.
  std::map<uint32_t, HitlistEntry> out;
  if (previous != nullptr) {
    for (const HitlistEntry& e : previous->entries) out[e.base] = e;
  }
  for (auto& [base, e] : out) {
    if (!scanned_blocks.count(base)) continue;  // outside this census: keep as it was
    auto it = responders.find(base);
    OctetSet r = it == responders.end() ? OctetSet{} : it->second;
    e.addresses |= r;
    e.availability =
        static_cast<float>(static_cast<double>((r & e.addresses).Count()) / e.addresses.Count());
  }
  for (const auto& [base, set] : responders) {
    if (out.count(base)) continue;
    out[base] = HitlistEntry{base, 1.0f, set};
  }
  for (auto& [base, e] : out) result.hitlist.entries.push_back(e);
  return result;
}

}  // namespace blackout::probe
