#include "blackout/darknet/counter.h"

#include <algorithm>

namespace blackout::darknet {
namespace {

void PutU64(std::string& out, uint64_t v) {
  for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>(v >> (8 * b)));
}

bool GetU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = 0;
  for (int b = 0; b < 8; ++b) *v |= uint64_t{static_cast<uint8_t>((*in)[b])} << (8 * b);
  in->remove_prefix(8);
  return true;
}

}  // namespace

void PacketStats::Add(const PacketStats& o) {
  packets += o.packets;
  unattributed += o.unattributed;
  for (size_t i = 0; i < kNumDrops; ++i) by[i] += o.by[i];
}

TelescopeCounter::TelescopeCounter(Attributor attribute, CounterOptions options)
    : attribute_(std::move(attribute)), options_(options), filter_(options.filter) {
  size_t slots = 16;
  while (slots < 1024 && slots < options_.cache_entries * 2) slots *= 2;
  cache4_.resize(slots);
}

TelescopeCounter::Slot4* TelescopeCounter::Find4(uint32_t address) {
  const size_t mask = cache4_.size() - 1;
  for (size_t i = HashSource(address) & mask;; i = (i + 1) & mask) {
    Slot4& slot = cache4_[i];
    if (slot.group_plus1 == 0 || slot.address == address) return &slot;
  }
}

void TelescopeCounter::Grow4() {
  std::vector<Slot4> old;
  old.swap(cache4_);
  if (old.size() >= options_.cache_entries * 2) {
    cache4_.resize(old.size());  // full: start over at the same size
    cache4_used_ = 0;
    return;
  }
  cache4_.resize(old.size() * 2);
  for (const Slot4& slot : old) {
    if (slot.group_plus1 != 0) *Find4(slot.address) = slot;
  }
}

uint32_t TelescopeCounter::EntityIndex(const std::string& key) {
  auto [it, inserted] = entity_index_.emplace(key, static_cast<uint32_t>(entities_.size()));
  if (inserted) entities_.push_back(key);
  return it->second;
}

uint32_t TelescopeCounter::InternGroup(const std::vector<uint32_t>& members) {
  auto [it, inserted] =
      group_index_.emplace(members, static_cast<uint32_t>(group_start_.size() - 1));
  if (inserted) {
    group_members_.insert(group_members_.end(), members.begin(), members.end());
    group_start_.push_back(static_cast<uint32_t>(group_members_.size()));
  }
  return it->second;
}

std::span<const uint32_t> TelescopeCounter::Attribute(const PacketInfo& p, Slot4** slot) {
  *slot = nullptr;
  if (!p.v6) {
    Slot4* s = Find4(p.src4);
    if (s->group_plus1 != 0) {
      *slot = s;
      return Group(s->group_plus1 - 1);
    }
  } else if (auto it = cache6_.find(p.SourceKey()); it != cache6_.end()) {
    return Group(it->second);
  }
  // A source not seen before: ask the Attributor once.
  if (p.v6) {
    scratch_address_ = IpAddress::FromBytes(Family::kIPv6, p.src6);
  } else {
    scratch_address_ = IpAddress::V4(p.src4);
  }
  scratch_.clear();
  attribute_(scratch_address_, &scratch_);
  std::vector<uint32_t> members;
  members.reserve(scratch_.size());
  for (const std::string& e : scratch_) {
    uint32_t i = EntityIndex(e);
    if (std::find(members.begin(), members.end(), i) == members.end()) members.push_back(i);
  }
  const uint32_t g = InternGroup(members);
  if (p.v6) {
    if (cache6_.size() >= options_.cache_entries) cache6_.clear();
    cache6_.emplace(p.SourceKey(), g);
  } else {
    // Load factor at most 1/2.
    if ((cache4_used_ + 1) * 2 > cache4_.size()) Grow4();
    Slot4* s = Find4(p.src4);
    *s = Slot4{p.src4, g + 1, -1};
    ++cache4_used_;
    *slot = s;
  }
  return Group(g);
}

BinState& TelescopeCounter::BinFor(UnixSeconds bin) {
  last_state_ = &bins_[bin];
  last_bin_ = bin;
  return *last_state_;
}

void TelescopeCounter::AddDecoded(UnixSeconds time, const PacketInfo& p) {
  ++stats_.packets;
  const Drop d = filter_.Classify(p);
  ++stats_.by[static_cast<size_t>(d)];
  if (d != Drop::kKept) return;
  if (first_time_ == 0 || time < first_time_) first_time_ = time;
  if (time > last_time_) last_time_ = time;
  Slot4* slot = nullptr;
  std::span<const uint32_t> group = Attribute(p, &slot);
  if (group.empty()) {
    ++stats_.unattributed;
    return;
  }
  const UnixSeconds bin = BinStart(time, options_.step);
  BinState& b = bin == last_bin_ ? *last_state_ : BinFor(bin);
  if (b.sources.size() < entities_.size()) {
    b.sources.resize(entities_.size());
    b.packets.resize(entities_.size());
  }
  // A source already counted in this bin adds packets only. (A bin taken by TakeBin and started
  // afresh forgets nothing here: adding a source twice to a counter changes nothing.)
  if (slot != nullptr && slot->counted_bin == bin) {
    for (uint32_t e : group) ++b.packets[e];
    return;
  }
  if (slot != nullptr) slot->counted_bin = bin;
  const uint64_t h = HashSource(p.SourceKey());
  for (uint32_t e : group) {
    b.sources[e].Add(h);
    ++b.packets[e];
  }
}

std::vector<UnixSeconds> TelescopeCounter::Bins() const {
  std::vector<UnixSeconds> out;
  out.reserve(bins_.size());
  for (const auto& [bin, state] : bins_) out.push_back(bin);
  return out;
}

std::map<std::string, EntityBin> TelescopeCounter::Counts(UnixSeconds bin) const {
  std::map<std::string, EntityBin> out;
  auto it = bins_.find(bin);
  if (it == bins_.end()) return out;
  const BinState& b = it->second;
  for (size_t e = 0; e < b.sources.size(); ++e) {
    if (b.sources[e].empty()) continue;
    out[entities_[e]] = EntityBin{b.sources[e].Count(), b.packets[e], b.sources[e].exact()};
  }
  return out;
}

BinState TelescopeCounter::TakeBin(UnixSeconds bin) {
  BinState out;
  auto it = bins_.find(bin);
  if (it == bins_.end()) return out;
  out = std::move(it->second);
  bins_.erase(it);
  for (Slot4& slot : cache4_) {  // a later packet for this bin starts it afresh
    if (slot.counted_bin == bin) slot.counted_bin = -1;
  }
  if (bin == last_bin_) {
    last_bin_ = -1;
    last_state_ = nullptr;
  }
  return out;
}

void TelescopeCounter::MergeBin(UnixSeconds bin, const std::vector<std::string>& entities,
                                const BinState& state) {
  BinState& b = BinFor(bin);
  for (size_t i = 0; i < state.sources.size() && i < entities.size(); ++i) {
    if (state.sources[i].empty()) continue;
    const uint32_t e = EntityIndex(entities[i]);
    if (b.sources.size() <= e) {
      b.sources.resize(entities_.size());
      b.packets.resize(entities_.size());
    }
    b.sources[e].Merge(state.sources[i]);
    b.packets[e] += i < state.packets.size() ? state.packets[i] : 0;
  }
}

// Form: u64 entity count, then per entity: u64 key length, key, u64 packets, the counter.
std::string TelescopeCounter::SerializeBin(UnixSeconds bin) const {
  std::string out;
  auto it = bins_.find(bin);
  if (it == bins_.end()) {
    PutU64(out, 0);
    return out;
  }
  const BinState& b = it->second;
  uint64_t n = 0;
  for (const UniqueCounter& c : b.sources) n += !c.empty();
  PutU64(out, n);
  for (size_t e = 0; e < b.sources.size(); ++e) {
    if (b.sources[e].empty()) continue;
    PutU64(out, entities_[e].size());
    out += entities_[e];
    PutU64(out, b.packets[e]);
    b.sources[e].AppendTo(out);
  }
  return out;
}

Status TelescopeCounter::MergeSerializedBin(UnixSeconds bin, std::string_view in) {
  uint64_t n = 0;
  if (!GetU64(&in, &n)) return DataLoss("bin state: no entity count");
  std::vector<std::string> names;
  BinState state;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0, packets = 0;
    if (!GetU64(&in, &len) || len > in.size()) return DataLoss("bin state: bad entity key");
    names.emplace_back(in.substr(0, len));
    in.remove_prefix(len);
    if (!GetU64(&in, &packets)) return DataLoss("bin state: no packet count");
    BLACKOUT_ASSIGN_OR_RETURN(UniqueCounter c, UniqueCounter::Parse(&in));
    state.sources.push_back(std::move(c));
    state.packets.push_back(packets);
  }
  MergeBin(bin, names, state);
  return Status::Ok();
}

size_t TelescopeCounter::memory_bytes() const {
  size_t n = cache4_.capacity() * sizeof(Slot4) + cache6_.size() * 32 +
             group_members_.capacity() * 4 + group_start_.capacity() * 4;
  for (const auto& [bin, b] : bins_) {
    n += 64 + b.packets.capacity() * sizeof(uint64_t);
    for (const UniqueCounter& c : b.sources) n += c.memory_bytes();
    n += (b.sources.capacity() - b.sources.size()) * sizeof(UniqueCounter);
  }
  for (const std::string& e : entities_) n += e.capacity() + 64;
  return n;
}

}  // namespace blackout::darknet
