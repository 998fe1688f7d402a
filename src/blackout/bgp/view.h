// RoutingView: every peer's routing table at once, compactly, and the BGP visibility signal
// computed from it (docs/bgp.md).
//
// Tables: a shared dictionary gives each prefix ever seen a dense id; each prefix holds a bitset of
// the peers that currently carry it (one bit per peer, so 60 peers x 1M prefixes take ~8 MB of
// bits) and the origin AS set of its latest announcement. ADD-PATH peers keep their path ids per
// (prefix, peer) in a side table; the bit is set while at least one path is present.
//
// Signal: a /24 (IPv6 /48) block is visible to a peer when a prefix covering it (the most specific
// one the dictionary knows decides the origin AS) is in that peer's table; prefixes longer than
// /24 (/48) cover no whole block, and prefixes shorter than /8 (IPv6 /16: default routes) say
// nothing about a network's reachability: both are ignored for visibility. Per family, the
// full-feed peers are those carrying at least `full_feed_v4` IPv4 (resp. `full_feed_v6` IPv6)
// prefixes (and at least one); they are counted by peer ASN. A block is at level
//   bgp-1peer: >= 1 full-feed peer ASN sees it,   bgp-25: > 25%,   bgp: > 50%,
//   bgp-75: > 75%,                                bgp-100: all of them.
// Compute() returns, per entity (asn/N by origin AS, each member of an AS_SET; country/CC and
// region/CC-RRR through a BlockGeo), the number of blocks at or above each level. Totals are kept
// incrementally: a Compute() walks the prefix tree once (bit operations only) and re-attributes
// only the prefixes whose level or origin changed since the previous Compute().
//
// Thread-safety: not thread-safe; one thread drives a view.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/mrt/attributes.h"

namespace blackout::bgp {

inline constexpr int kLevels = 5;
// Level index -> signal name suffix: 0 "-1peer", 1 "-25", 2 "" (the main signal), 3 "-75", 4
// "-100".
std::string SignalName(Family family, int level);  // "bgp", "bgp-1peer", "bgp6-75", ...

// Geolocation of blocks, injected so the view does not depend on a geo database.
class BlockGeo {
 public:
  struct Share {
    uint64_t country = 0;  // geo::EntityId, 0 = unknown
    uint64_t region = 0;   // geo::EntityId, 0 = unknown
    uint64_t blocks = 0;
  };
  virtual ~BlockGeo() = default;
  // Appends the country/region split of blocks [first, first + count) (block = IPv4 address >> 8,
  // IPv6 address >> 80) to `out`; shares may repeat an entity.
  virtual void Attribute(Family family, uint64_t first, uint64_t count,
                         std::vector<Share>* out) const = 0;
  // "country/KZ", "region/KZ-ALA" for an id from Attribute().
  virtual std::string EntityName(uint64_t id) const = 0;
};

struct ViewOptions {
  uint64_t full_feed_v4 = 400000;
  uint64_t full_feed_v6 = 10000;
};

// Per entity, blocks at or above each level; one map per family.
struct Visibility {
  // entity ("asn/3356", "country/KZ", "region/KZ-ALA") -> counts per level.
  std::map<std::string, std::array<uint64_t, kLevels>> v4, v6;
  // Totals over all announced space, per level.
  std::array<uint64_t, kLevels> total_v4{}, total_v6{};
  int full_feed_asns_v4 = 0, full_feed_asns_v6 = 0;  // the denominators
};

struct PeerInfo {
  std::string collector;
  IpAddress ip;
  uint32_t asn = 0;
  uint64_t v4_prefixes = 0, v6_prefixes = 0;
};

// Origin AS set of a path: the last hop of a final AS_SEQUENCE, or every member of a final AS_SET
// (empty otherwise). The origins every source gives Announce (archives, BMP, RIS Live).
void PathOrigins(const mrt::AsPath& path, std::vector<uint32_t>* out);

class RoutingView {
 public:
  explicit RoutingView(ViewOptions options = {}, const BlockGeo* geo = nullptr);
  ~RoutingView();
  RoutingView(const RoutingView&) = delete;
  RoutingView& operator=(const RoutingView&) = delete;

  // The dense index of a peer (created on first use).
  uint32_t Peer(std::string_view collector, const IpAddress& ip, uint32_t asn);

  // A route from `peer`: replaces that peer's route (or, with `add_path`, that path) for `prefix`.
  // `origins`: the origin AS set (last AS_SEQUENCE hop, or every member of a final AS_SET); empty
  // keeps the prefix's previous origin. REQUIRES: peer was returned by Peer().
  void Announce(uint32_t peer, const Prefix& prefix, std::span<const uint32_t> origins,
                bool add_path = false, uint32_t path_id = 0);
  void Withdraw(uint32_t peer, const Prefix& prefix, bool add_path = false, uint32_t path_id = 0);
  // The peer's session went down: all its routes are gone.
  void PeerDown(uint32_t peer);

  // The signal for the current tables (see the header comment).
  Visibility Compute();

  const std::vector<PeerInfo>& peers() const { return peers_; }
  size_t prefix_count() const { return nodes_.size(); }
  // Bytes held by the tables (dictionary, bitsets, side tables, tree), for benchmarks.
  size_t MemoryBytes() const;
  // Whether `peer` currently carries `prefix` (any path).
  bool Has(uint32_t peer, const Prefix& prefix) const;
  // Every prefix some peer carries now (masked), in no particular order: the routed address space,
  // e.g. for a telescope's unrouted-source rule (darknet/filter.h).
  std::vector<Prefix> RoutedPrefixes() const;

 private:
  struct Node {
    uint64_t first = 0;  // first block (address >> 8 or >> 80); for long prefixes, the block
    uint8_t len = 0;     // prefix length
    bool v6 = false;
    bool tree = false;  // length <= 24 (IPv4) / 48 (IPv6): takes part in visibility
  };
  struct PrefixKey {
    uint64_t hi = 0, lo = 0;  // IPv4: hi = address; IPv6: the two halves
    uint16_t len_fam = 0;
    friend bool operator==(const PrefixKey&, const PrefixKey&) = default;
  };
  struct PrefixKeyHash {
    size_t operator()(const PrefixKey& k) const;
  };
  struct Contribution;  // per tree node: what it last added to the totals
  // One prefix on the tree walk's stack.
  struct Frame {
    uint32_t node = 0;
    uint64_t end = 0;     // one past the last block
    uint64_t cursor = 0;  // first block not yet known to be covered by a child
    uint32_t origin = 0;
    int8_t level = -1;
    uint32_t children = 0;
    std::vector<std::pair<uint64_t, uint64_t>> gaps;  // exclusive [first, first + count)
  };
  class Totals;

  int32_t Find(const Prefix& p) const;
  uint32_t Intern(const Prefix& p);
  uint32_t InternOrigins(std::span<const uint32_t> origins);
  bool TestBit(uint32_t node, uint32_t peer) const {
    return bits_[size_t(node) * words_ + peer / 64] >> (peer % 64) & 1;
  }
  void SetBit(uint32_t node, uint32_t peer);
  void ClearBit(uint32_t node, uint32_t peer);
  void GrowWords();
  void MergePending();
  void Renumber();
  void ComputeFamily(bool v6, Visibility* out);

  ViewOptions options_;
  const BlockGeo* geo_;
  std::vector<PeerInfo> peers_;
  std::unordered_map<std::string, uint32_t> peer_index_;
  std::vector<Node> nodes_;
  std::unordered_map<PrefixKey, uint32_t, PrefixKeyHash> dict_;
  size_t words_ = 1;                                // 64-bit words per prefix bitset
  std::vector<uint64_t> bits_;                      // nodes_.size() * words_
  std::vector<uint32_t> origin_;                    // per node: origin set id (0 = unknown)
  std::vector<std::vector<uint32_t>> origin_sets_;  // id -> sorted ASNs; [0] = {}
  std::map<std::vector<uint32_t>, uint32_t> origin_set_ids_;
  // ADD-PATH: (node << 24 | peer) -> path ids present.
  std::unordered_map<uint64_t, std::vector<uint32_t>> add_paths_;
  // Tree nodes in (family, first block, length) order, and new ones not merged in yet.
  std::vector<uint32_t> order_, pending_;
  std::vector<Contribution> contrib_;  // per node
  std::unique_ptr<Totals> totals_[2];
  std::vector<Frame> frames_;          // walk scratch, reused
  std::vector<uint64_t> eff_scratch_;  // effective peer sets by depth
};

}  // namespace blackout::bgp
