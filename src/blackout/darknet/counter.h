// TelescopeCounter: the telescope signal's state. Packets go in (decoded, filtered, attributed);
// out come, per bin and per entity (country, region, ASN, as the Attributor names them), the number
// of unique source addresses and of packets, and per filter rule the packets it dropped.
//
// Attribution goes through the same Attributor as the traffic signal (the geo module, or a table in
// tests and scenarios), called once per distinct source and cached; the cache is bounded and
// starts over when full. Unique sources are UniqueCounters (exact, then a HyperLogLog), so memory
// is bounded per entity and bin whatever the packet rate (docs/darknet.md has the arithmetic).
// Thread-safety: not thread-safe; one thread adds, or the caller locks.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/darknet/filter.h"
#include "blackout/darknet/packet.h"
#include "blackout/darknet/sketch.h"
#include "blackout/traffic/ingest.h"

namespace blackout::darknet {

using traffic::Attributor;

struct CounterOptions {
  int64_t step = kDefaultStepSeconds;
  FilterOptions filter;
  // Attribution cache entries (IPv4 sources) before it starts over; at most 32 bytes each.
  size_t cache_entries = size_t{1} << 19;
};

// Packets seen and what became of them.
struct PacketStats {
  uint64_t packets = 0;                  // every packet handed in
  std::array<uint64_t, kNumDrops> by{};  // by verdict; by[kKept] = counted
  uint64_t unattributed = 0;             // kept, but the Attributor named no entity
  uint64_t kept() const { return by[0]; }
  void Add(const PacketStats& o);
};

// One entity's numbers in one bin.
struct EntityBin {
  uint64_t sources = 0;  // unique source addresses (IPv6: /64s)
  uint64_t packets = 0;
  bool exact = true;  // false: a HyperLogLog estimate (standard error HyperLogLog::kStandardError)
};

// One bin's state for every entity, mergeable across files (see ingest.h).
struct BinState {
  std::vector<UniqueCounter> sources;  // by entity index
  std::vector<uint64_t> packets;
};

class TelescopeCounter {
 public:
  TelescopeCounter(Attributor attribute, CounterOptions options);

  // One captured packet: decodes, filters, attributes, counts. `time` in Unix seconds.
  void AddPacket(UnixSeconds time, int link, std::span<const uint8_t> bytes) {
    PacketInfo p;
    Decoded d = DecodePacket(link, bytes, &p);
    if (d != Decoded::kIp) {
      ++stats_.packets;
      ++stats_.by[static_cast<size_t>(d == Decoded::kNotIp ? Drop::kNotIp : Drop::kMalformed)];
      return;
    }
    AddDecoded(time, p);
  }
  void AddDecoded(UnixSeconds time, const PacketInfo& p);

  // Bins with data, ascending.
  std::vector<UnixSeconds> Bins() const;
  // Every entity's numbers in `bin` (entity key -> numbers); empty if the bin has no data.
  std::map<std::string, EntityBin> Counts(UnixSeconds bin) const;
  // Removes and returns a bin's state (for a live capture handing finished bins on).
  BinState TakeBin(UnixSeconds bin);
  // Unions `state` (entities named by `entities`) into `bin`.
  void MergeBin(UnixSeconds bin, const std::vector<std::string>& entities, const BinState& state);
  // A bin's state as bytes (entity keys included) and back into this counter (merged).
  std::string SerializeBin(UnixSeconds bin) const;
  Status MergeSerializedBin(UnixSeconds bin, std::string_view bytes);

  const std::vector<std::string>& entities() const { return entities_; }
  const PacketStats& stats() const { return stats_; }
  int64_t step() const { return options_.step; }
  UnixSeconds first_time() const { return first_time_; }
  UnixSeconds last_time() const { return last_time_; }
  // Heap bytes held by bins and caches (approximate, for the memory benchmark).
  size_t memory_bytes() const;

 private:
  // IPv4 source -> group, and the last bin the source was counted in (so a source's repeated
  // packets in a bin skip the unique counters). Open addressing; group_plus1 == 0 = empty. The
  // table grows by doubling up to cache_entries and starts over when full: small while few
  // sources are active, so it stays in the CPU's caches.
  struct Slot4 {
    uint32_t address = 0;
    uint32_t group_plus1 = 0;
    UnixSeconds counted_bin = -1;
  };
  // The entity indices of a source (cached); for IPv4, `*slot` is its cache slot.
  std::span<const uint32_t> Attribute(const PacketInfo& p, Slot4** slot);
  std::span<const uint32_t> Group(uint32_t g) const {
    return {group_members_.data() + group_start_[g], group_start_[g + 1] - group_start_[g]};
  }
  uint32_t EntityIndex(const std::string& key);
  uint32_t InternGroup(const std::vector<uint32_t>& members);
  BinState& BinFor(UnixSeconds bin);

  Attributor attribute_;
  CounterOptions options_;
  NoiseFilter filter_;
  PacketStats stats_;
  UnixSeconds first_time_ = 0, last_time_ = 0;

  std::vector<std::string> entities_;
  std::unordered_map<std::string, uint32_t> entity_index_;
  // Groups of entity indices (an address's entities), interned: start offsets into members.
  std::vector<uint32_t> group_members_;
  std::vector<uint32_t> group_start_{0};
  std::map<std::vector<uint32_t>, uint32_t> group_index_;
  Slot4* Find4(uint32_t address);  // the slot holding `address`, or the empty slot for it
  void Grow4();
  std::vector<Slot4> cache4_;
  size_t cache4_used_ = 0;
  std::unordered_map<uint64_t, uint32_t> cache6_;  // IPv6 /64 key -> group
  std::vector<std::string> scratch_;
  IpAddress scratch_address_;

  std::map<UnixSeconds, BinState> bins_;
  UnixSeconds last_bin_ = -1;
  BinState* last_state_ = nullptr;
};

}  // namespace blackout::darknet
