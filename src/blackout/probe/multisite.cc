#include "blackout/probe/multisite.h"

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "blackout/base/log.h"
#include "blackout/probe/records.h"
#include "blackout/store/types.h"

namespace blackout::probe {
namespace {

using Sparse = std::vector<std::pair<uint32_t, uint8_t>>;  // (base, code), sorted by base

// One vantage point's round, reduced to what differs from "UP and seen".
struct Snapshot {
  int64_t step = 0;
  Sparse entries;
  VantageVerdict verdict;
  size_t peers = 0;  // other vantage points with a round in the bin when it was last judged
};

struct Vantage {
  std::vector<uint32_t> bases;   // sorted
  std::vector<uint32_t> groups;  // per base: the judge's entity group
  std::vector<uint32_t> global;  // per base: index in the judge's block table
  // The current run (a prober process): states other than UP at the latest round's end, and the
  // blocks never UP at a round end since the run began.
  int64_t last_index = -1;
  UnixSeconds last_round = 0;
  std::unordered_map<uint32_t, uint8_t> not_up;
  std::unordered_set<uint32_t> unseen;
  std::map<UnixSeconds, Snapshot> bins;
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

uint8_t Code(BlockState s) {
  switch (s) {
    case BlockState::kUp:
      return kVpUp;
    case BlockState::kDown:
      return kVpDown;
    case BlockState::kUncertain:
      return kVpUncertain;
  }
  return kVpUnwatched;
}

}  // namespace

struct MultiSiteJudge::Impl {
  store::Store& store;
  JudgeOptions options;
  mutable std::mutex mu;
  std::map<std::string, Vantage, std::less<>> vantages;
  // The block table: the union of the vantage points' lists, with each block's entity group (the
  // first vantage point's, by name) and country index.
  std::vector<uint32_t> all;
  std::vector<uint32_t> block_group;
  std::vector<uint16_t> country;
  std::vector<std::vector<std::string>> groups;
  std::map<std::vector<std::string>, uint32_t> group_index;
  std::vector<uint16_t> group_country;
  std::map<std::string, uint16_t> country_index;
  // Per bin: the combined states other than UP.
  std::map<UnixSeconds, Sparse> combined;
  // Bins from here on wait to be judged again (late rounds; INT64_MAX = none).
  UnixSeconds dirty_from = INT64_MAX;
  UnixSeconds newest_bin = INT64_MIN;

  Impl(store::Store& s, JudgeOptions o) : store(s), options(o) {}

  uint32_t GroupOf(const std::vector<std::string>& entities) {
    auto [it, fresh] = group_index.try_emplace(entities, static_cast<uint32_t>(groups.size()));
    if (fresh) {
      groups.push_back(entities);
      uint16_t c = 0;
      for (const std::string& e : entities) {
        if (StartsWith(e, "country/")) {
          c = country_index.try_emplace(e, static_cast<uint16_t>(country_index.size() + 1))
                  .first->second;
          break;
        }
      }
      group_country.push_back(c);
    }
    return it->second;
  }

  void SetBlocks(const BlockList& list) {
    Vantage& v = vantages[list.vantage];
    v.bases.clear();
    v.groups.clear();
    for (const BlockRun& r : list.runs) {
      const uint32_t g = GroupOf(r.entities);
      for (uint32_t i = 0; i < r.count; ++i) {
        v.bases.push_back(r.first + (i << 8));
        v.groups.push_back(g);
      }
    }
    RebuildTable();
  }

  void RebuildTable() {
    all.clear();
    for (const auto& [name, v] : vantages) all.insert(all.end(), v.bases.begin(), v.bases.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    block_group.assign(all.size(), UINT32_MAX);
    for (auto& [name, v] : vantages) {
      v.global.resize(v.bases.size());
      for (size_t j = 0; j < v.bases.size(); ++j) {
        const size_t i = std::lower_bound(all.begin(), all.end(), v.bases[j]) - all.begin();
        v.global[j] = static_cast<uint32_t>(i);
        if (block_group[i] == UINT32_MAX) block_group[i] = v.groups[j];
      }
    }
    country.resize(all.size());
    for (size_t i = 0; i < all.size(); ++i) country[i] = group_country[block_group[i]];
  }

  // The round's state changes into the vantage point's run; returns its bin.
  UnixSeconds ApplyRound(Vantage& v, const Records& records) {
    const RoundRecord& r = records.rounds.front();
    if (static_cast<int64_t>(r.index) <= v.last_index) {  // a new prober run: all blocks UP again
      v.not_up.clear();
      v.unseen.clear();
      v.last_index = -1;
    }
    for (const StateRecord& s : records.states) {
      if (!std::binary_search(v.bases.begin(), v.bases.end(), s.base)) continue;
      if (s.to == BlockState::kUp) {
        v.not_up.erase(s.base);
      } else {
        v.not_up[s.base] = Code(s.to);
      }
    }
    if (v.last_index < 0) {
      for (const auto& [base, code] : v.not_up) v.unseen.insert(base);
    } else {
      std::erase_if(v.unseen, [&](uint32_t b) { return !v.not_up.count(b); });
    }
    v.last_index = static_cast<int64_t>(r.index);
    v.last_round = r.round;
    const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(r.seconds));
    Snapshot snap;
    snap.step = step;
    for (const auto& [base, code] : v.not_up) {
      snap.entries.push_back(
          {base, static_cast<uint8_t>(code | (v.unseen.count(base) ? 0 : kVpSeenUp))});
    }
    std::sort(snap.entries.begin(), snap.entries.end());
    const UnixSeconds bin = BinStart(r.round, step);
    v.bins[bin] = std::move(snap);
    const UnixSeconds keep_from = bin - options.keep_bins * step;
    while (!v.bins.empty() && v.bins.begin()->first < keep_from) v.bins.erase(v.bins.begin());
    while (!combined.empty() && combined.begin()->first < keep_from)
      combined.erase(combined.begin());
    return bin;
  }

  Status Recompute(UnixSeconds from_bin);
};

// Judges every held bin from `from_bin` on, in order (unknown blocks carry the previous bin's
// combined state forward), and writes the combined series of those bins as one batch.
Status MultiSiteJudge::Impl::Recompute(UnixSeconds from_bin) {
  std::map<UnixSeconds, int64_t> bins;  // bin -> step
  for (const auto& [name, v] : vantages) {
    for (auto it = v.bins.lower_bound(from_bin); it != v.bins.end(); ++it) {
      bins.emplace(it->first, it->second.step);
    }
  }
  if (bins.empty() || all.empty()) return Status::Ok();
  const size_t n = all.size();
  std::vector<uint8_t> prev(n, kCombinedUp), out(n);
  if (auto it = combined.lower_bound(from_bin); it != combined.begin()) {
    for (const auto& [base, state] : std::prev(it)->second) {
      const size_t i = std::lower_bound(all.begin(), all.end(), base) - all.begin();
      if (i < n && all[i] == base) prev[i] = state;
    }
  }
  std::vector<std::string> entities;  // every entity, once
  std::vector<std::vector<uint32_t>> group_entities(groups.size());
  {
    std::map<std::string, uint32_t> idx;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (const std::string& e : groups[g]) {
        auto [it, fresh] = idx.try_emplace(e, static_cast<uint32_t>(entities.size()));
        if (fresh) entities.push_back(e);
        group_entities[g].push_back(it->second);
      }
    }
  }
  store::WriteBatch batch;
  std::vector<std::vector<uint8_t>> codes;
  std::vector<Vantage*> present;
  std::vector<std::span<const uint8_t>> spans;
  std::vector<VantageVerdict> verdicts;
  std::vector<uint64_t> group_up(groups.size()), group_all(groups.size());
  for (const auto& [bin, step] : bins) {
    present.clear();
    for (auto& [name, v] : vantages) {
      if (v.bins.count(bin)) present.push_back(&v);
    }
    codes.resize(present.size());
    spans.clear();
    for (size_t k = 0; k < present.size(); ++k) {
      const Vantage& v = *present[k];
      codes[k].assign(n, kVpUnwatched);
      for (uint32_t i : v.global) codes[k][i] = kVpUp | kVpSeenUp;
      for (const auto& [base, code] : v.bins.at(bin).entries) {
        const size_t j = std::lower_bound(v.bases.begin(), v.bases.end(), base) - v.bases.begin();
        // A block the vantage point's newer list no longer holds is left out.
        if (j < v.bases.size() && v.bases[j] == base) codes[k][v.global[j]] = code;
      }
      spans.emplace_back(codes[k]);
    }
    verdicts.assign(present.size(), {});
    CombineBlocks(spans, country, options.combine, out, verdicts);
    Sparse& sparse = combined[bin];
    sparse.clear();
    std::fill(group_up.begin(), group_up.end(), 0);
    std::fill(group_all.begin(), group_all.end(), 0);
    for (size_t i = 0; i < n; ++i) {
      if (out[i] == kCombinedUnknown) out[i] = prev[i];
      if (out[i] != kCombinedUp) sparse.push_back({all[i], out[i]});
      group_up[block_group[i]] += out[i] == kCombinedUp;
      ++group_all[block_group[i]];
    }
    prev.swap(out);
    for (size_t k = 0; k < present.size(); ++k) {
      Snapshot& snap = present[k]->bins.at(bin);
      snap.verdict = verdicts[k];
      snap.peers = present.size() - 1;
    }
    std::vector<double> up(entities.size(), 0);
    std::vector<bool> has(entities.size(), false);
    for (size_t g = 0; g < groups.size(); ++g) {
      if (group_all[g] == 0) continue;
      for (uint32_t e : group_entities[g]) {
        up[e] += static_cast<double>(group_up[g]);
        has[e] = true;
      }
    }
    for (size_t e = 0; e < entities.size(); ++e) {
      if (has[e])
        batch.AddPoint({entities[e], std::string(store::kSignalProbe), ""}, bin, up[e], step);
    }
  }
  if (batch.empty()) return Status::Ok();
  return store.Apply(batch).status();
}

MultiSiteJudge::MultiSiteJudge(store::Store& store, JudgeOptions options)
    : impl_(std::make_unique<Impl>(store, options)) {}
MultiSiteJudge::~MultiSiteJudge() = default;

std::string MultiSiteJudge::BlocksKey(std::string_view vantage) {
  return "probe-blocks:" + std::string(vantage);
}

std::string MultiSiteJudge::RoundKey(std::string_view vantage, UnixSeconds round) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%012lld", static_cast<long long>(round));
  return "probe-round:" + std::string(vantage) + ":" + buf;
}

Status MultiSiteJudge::Restore() {
  std::lock_guard lock(impl_->mu);
  store::IngestQuery q;
  q.input_prefix = "probe-blocks:";
  BLACKOUT_ASSIGN_OR_RETURN(auto lists, impl_->store.ListIngests(q));
  // An upload that cannot be read back is reported and skipped: the observatory still starts.
  auto skip = [](const store::IngestRecord& rec, const Status& st) {
    log::Warn("probe judge: stored upload ", rec.input, " not replayed: ", st.ToString());
  };
  for (const store::IngestRecord& rec : lists) {
    auto body = impl_->store.GetState(rec.input);
    auto list = body.ok() ? ParseBlockList(*body, rec.input) : Result<BlockList>(body.status());
    if (!list.ok()) {
      skip(rec, list.status());
      continue;
    }
    impl_->SetBlocks(*list);
  }
  q.input_prefix = "probe-round:";
  BLACKOUT_ASSIGN_OR_RETURN(auto rounds, impl_->store.ListIngests(q));
  std::sort(rounds.begin(), rounds.end(),
            [](const auto& a, const auto& b) { return a.input < b.input; });
  UnixSeconds from = INT64_MAX;
  for (const store::IngestRecord& rec : rounds) {
    auto body = impl_->store.GetState(rec.input);
    auto parsed = body.ok() ? ParseRecords(*body, rec.input) : Result<Records>(body.status());
    if (!parsed.ok()) {
      skip(rec, parsed.status());
      continue;
    }
    const Records& records = *parsed;
    if (records.rounds.size() != 1) continue;
    auto v = impl_->vantages.find(records.rounds[0].vantage);
    if (v == impl_->vantages.end()) continue;
    const UnixSeconds bin = impl_->ApplyRound(v->second, records);
    from = std::min(from, bin);
    impl_->newest_bin = std::max(impl_->newest_bin, bin);
  }
  if (from != INT64_MAX) BLACKOUT_RETURN_IF_ERROR(impl_->Recompute(from));
  return Status::Ok();
}

Result<UploadResult> MultiSiteJudge::Ingest(std::string_view body) {
  UploadResult result;
  const std::string hash = store::ContentHash(body);
  std::lock_guard lock(impl_->mu);
  if (StartsWith(body, kBlocksHeader)) {
    BLACKOUT_ASSIGN_OR_RETURN(BlockList list, ParseBlockList(body, "upload"));
    result.kind = "blocks";
    result.vantage = list.vantage;
    const std::string key = BlocksKey(list.vantage);
    store::WriteBatch batch;
    batch.SetInput(key, hash);
    batch.SetState(key, std::string(body));
    BLACKOUT_ASSIGN_OR_RETURN(store::ApplyOutcome outcome, impl_->store.Apply(batch));
    if (outcome == store::ApplyOutcome::kAlreadyApplied && impl_->vantages.count(list.vantage)) {
      result.outcome = UploadOutcome::kDuplicate;
      return result;
    }
    impl_->SetBlocks(list);
    const Vantage& v = impl_->vantages[list.vantage];
    if (!v.bins.empty()) BLACKOUT_RETURN_IF_ERROR(impl_->Recompute(v.bins.begin()->first));
    return result;
  }
  if (!StartsWith(body, kRecordsHeader)) {
    return Status(StatusCode::kDataLoss, "upload: neither a probe block list nor probe records");
  }
  BLACKOUT_ASSIGN_OR_RETURN(Records records, ParseRecords(body, "upload"));
  if (records.rounds.size() != 1) {
    return Status(StatusCode::kDataLoss, "upload: exactly one complete round expected, got " +
                                             std::to_string(records.rounds.size()));
  }
  const RoundRecord& r = records.rounds.front();
  result.kind = "round";
  result.vantage = r.vantage;
  result.round = r.round;
  auto v = impl_->vantages.find(r.vantage);
  if (v == impl_->vantages.end()) {
    return NotFound("upload: no block list from vantage point " + r.vantage + " (send it first)");
  }
  const std::string key = RoundKey(r.vantage, r.round);
  const int64_t step = std::max<int64_t>(1, static_cast<int64_t>(r.seconds));
  store::WriteBatch batch;
  batch.SetInput(key, hash);
  for (const CountRecord& c : records.counts) {
    batch.AddPoint({c.entity, std::string(store::kSignalProbe), c.vantage}, c.round,
                   static_cast<double>(c.up), step);
  }
  batch.SetState(key, std::string(body));
  BLACKOUT_ASSIGN_OR_RETURN(store::ApplyOutcome outcome, impl_->store.Apply(batch));
  if (outcome == store::ApplyOutcome::kAlreadyApplied) {
    result.outcome = UploadOutcome::kDuplicate;
    return result;
  }
  if (outcome == store::ApplyOutcome::kReplaced ||
      (v->second.last_index >= 0 && r.round <= v->second.last_round && r.index != 0)) {
    // Another version of a round already judged: the per-vantage points are replaced; the run's
    // block states cannot be rewound, so the judgement keeps the first version.
    log::Warn("probe upload: round ", r.round, " of ", r.vantage, " replaced; judgement kept");
    return result;
  }
  const UnixSeconds bin = impl_->ApplyRound(v->second, records);
  impl_->dirty_from = std::min(impl_->dirty_from, bin);
  if (bin >= impl_->newest_bin) {
    // A live round: its bin now, with whatever late rounds are waiting. A late round (a vantage
    // point sending its spool) waits for the next live round or Flush, so a backlog of N rounds
    // costs N bins judged, not N^2/2.
    impl_->newest_bin = bin;
    BLACKOUT_RETURN_IF_ERROR(impl_->Recompute(impl_->dirty_from));
    impl_->dirty_from = INT64_MAX;
  }
  return result;
}

Status MultiSiteJudge::Flush() {
  std::lock_guard lock(impl_->mu);
  if (impl_->dirty_from == INT64_MAX) return Status::Ok();
  BLACKOUT_RETURN_IF_ERROR(impl_->Recompute(impl_->dirty_from));
  impl_->dirty_from = INT64_MAX;
  return Status::Ok();
}

std::vector<VantageHealth> MultiSiteJudge::Health() const {
  std::lock_guard lock(impl_->mu);
  std::vector<VantageHealth> out;
  for (const auto& [name, v] : impl_->vantages) {
    VantageHealth h;
    h.vantage = name;
    h.blocks = v.bases.size();
    h.rounds = v.bins.size();
    if (!v.bins.empty()) {
      h.first_round = v.bins.begin()->first;
      h.last_round = v.bins.rbegin()->first;
      h.step = v.bins.rbegin()->second.step;
      // The latest bin judged beside other vantage points: a round that arrived before the
      // others' rounds of its bin had no witness yet.
      auto latest = v.bins.rbegin();
      for (auto it = v.bins.rbegin(); it != v.bins.rend(); ++it) {
        if (it->second.peers > 0) {
          latest = it;
          break;
        }
      }
      h.last = latest->second.verdict;
      h.healthy = h.last.healthy;
    }
    for (const auto& [bin, snap] : v.bins) {
      if (snap.verdict.healthy) continue;
      if (!h.set_aside.empty() && h.set_aside.back().second == bin) {
        h.set_aside.back().second = bin + snap.step;
      } else {
        h.set_aside.push_back({bin, bin + snap.step});
      }
    }
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace blackout::probe
