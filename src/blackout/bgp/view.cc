#include "blackout/bgp/view.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace blackout::bgp {
namespace {

constexpr uint64_t kAsnEntityTag = uint64_t{3} << 56;  // geo::AsnId's layout (geo/entity.h)

int BlockBits(bool v6) { return v6 ? 48 : 24; }

// Default routes and other very short prefixes say nothing about reachability of a network: they
// cover no block (they still count toward a peer's full-feed prefix count).
constexpr uint8_t kMinTreeLengthV4 = 8;
constexpr uint8_t kMinTreeLengthV6 = 16;

}  // namespace

std::string SignalName(Family family, int level) {
  static constexpr const char* kSuffix[kLevels] = {"-1peer", "-25", "", "-75", "-100"};
  return std::string(family == Family::kIPv6 ? "bgp6" : "bgp") + kSuffix[level];
}

// What one tree node last added to the totals: blocks not covered by a more specific prefix in
// the dictionary ("exclusive" blocks), attributed at `level` to `origin` and to `geo`.
struct RoutingView::Contribution {
  int8_t level = -1;  // -1: not visible; else the highest level index reached
  bool geo_valid = false;
  uint32_t origin = 0;
  uint32_t children = 0;  // direct children at the last walk (structure changes invalidate geo)
  uint64_t blocks = 0;
  std::vector<BlockGeo::Share> geo;
};

// Running per-entity totals for one family.
class RoutingView::Totals {
 public:
  void Add(int sign, int level, std::span<const uint32_t> origins, uint64_t blocks,
           std::span<const BlockGeo::Share> geo) {
    if (level < 0 || blocks == 0) return;
    int64_t n = sign * static_cast<int64_t>(blocks);
    for (int l = 0; l <= level; ++l) total[l] += n;
    for (uint32_t asn : origins) {
      auto& c = entities[kAsnEntityTag | asn];
      for (int l = 0; l <= level; ++l) c[l] += n;
    }
    for (const auto& s : geo) {
      int64_t m = sign * static_cast<int64_t>(s.blocks);
      for (uint64_t id : {s.country, s.region}) {
        if (id == 0) continue;
        auto& c = entities[id];
        for (int l = 0; l <= level; ++l) c[l] += m;
      }
    }
  }
  std::array<int64_t, kLevels> total{};
  std::unordered_map<uint64_t, std::array<int64_t, kLevels>> entities;
};

size_t RoutingView::PrefixKeyHash::operator()(const PrefixKey& k) const {
  uint64_t h = k.hi * 0x9E3779B97F4A7C15ull ^ (k.lo * 0x632BE59BD9B4E019ull + k.len_fam);
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ull;
  return static_cast<size_t>(h ^ (h >> 32));
}

RoutingView::RoutingView(ViewOptions options, const BlockGeo* geo) : options_(options), geo_(geo) {
  origin_sets_.emplace_back();
  totals_[0] = std::make_unique<Totals>();
  totals_[1] = std::make_unique<Totals>();
}

RoutingView::~RoutingView() = default;

uint32_t RoutingView::Peer(std::string_view collector, const IpAddress& ip, uint32_t asn) {
  std::string key(collector);
  key += '|';
  ip.AppendTo(key);
  key += '|';
  key += std::to_string(asn);
  auto [it, inserted] = peer_index_.try_emplace(std::move(key), peers_.size());
  if (inserted) {
    peers_.push_back({std::string(collector), ip, asn, 0, 0});
    if (peers_.size() > words_ * 64) GrowWords();
  }
  return it->second;
}

void RoutingView::GrowWords() {
  size_t words = words_ * 2;
  std::vector<uint64_t> bits(nodes_.size() * words, 0);
  for (size_t n = 0; n < nodes_.size(); ++n) {
    std::memcpy(&bits[n * words], &bits_[n * words_], words_ * sizeof(uint64_t));
  }
  bits_ = std::move(bits);
  words_ = words;
}

int32_t RoutingView::Find(const Prefix& p) const {
  Prefix m = p.Masked();
  PrefixKey k;
  if (m.family() == Family::kIPv4) {
    k.hi = m.address().v4();
  } else {
    k.hi = m.address().v6_high();
    k.lo = m.address().v6_low();
    k.len_fam = 0x100;
  }
  k.len_fam |= m.length();
  auto it = dict_.find(k);
  return it == dict_.end() ? -1 : static_cast<int32_t>(it->second);
}

uint32_t RoutingView::Intern(const Prefix& p) {
  Prefix m = p.Masked();
  PrefixKey k;
  Node node;
  node.len = m.length();
  if (m.family() == Family::kIPv4) {
    k.hi = m.address().v4();
    node.first = k.hi >> 8;
    node.tree = node.len >= kMinTreeLengthV4 && node.len <= 24;
  } else {
    k.hi = m.address().v6_high();
    k.lo = m.address().v6_low();
    k.len_fam = 0x100;
    node.v6 = true;
    node.first = k.hi >> 16;
    node.tree = node.len >= kMinTreeLengthV6 && node.len <= 48;
  }
  k.len_fam |= m.length();
  auto [it, inserted] = dict_.try_emplace(k, static_cast<uint32_t>(nodes_.size()));
  if (inserted) {
    nodes_.push_back(node);
    bits_.resize(bits_.size() + words_, 0);
    origin_.push_back(0);
    contrib_.emplace_back();
    if (node.tree) pending_.push_back(it->second);
  }
  return it->second;
}

uint32_t RoutingView::InternOrigins(std::span<const uint32_t> origins) {
  std::vector<uint32_t> set(origins.begin(), origins.end());
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
  auto [it, inserted] = origin_set_ids_.try_emplace(set, origin_sets_.size());
  if (inserted) origin_sets_.push_back(std::move(set));
  return it->second;
}

void RoutingView::SetBit(uint32_t node, uint32_t peer) {
  uint64_t& w = bits_[size_t(node) * words_ + peer / 64];
  uint64_t b = uint64_t{1} << (peer % 64);
  if (w & b) return;
  w |= b;
  (nodes_[node].v6 ? peers_[peer].v6_prefixes : peers_[peer].v4_prefixes)++;
}

void RoutingView::ClearBit(uint32_t node, uint32_t peer) {
  uint64_t& w = bits_[size_t(node) * words_ + peer / 64];
  uint64_t b = uint64_t{1} << (peer % 64);
  if (!(w & b)) return;
  w &= ~b;
  (nodes_[node].v6 ? peers_[peer].v6_prefixes : peers_[peer].v4_prefixes)--;
}

void RoutingView::Announce(uint32_t peer, const Prefix& prefix, std::span<const uint32_t> origins,
                           bool add_path, uint32_t path_id) {
  uint32_t node = Intern(prefix);
  if (!origins.empty()) {
    if (origins.size() == 1 && origin_[node] != 0 && origin_sets_[origin_[node]].size() == 1 &&
        origin_sets_[origin_[node]][0] == origins[0]) {
      // unchanged: the common case, no set lookup
    } else {
      origin_[node] = InternOrigins(origins);
    }
  }
  if (add_path) {
    auto& ids = add_paths_[uint64_t{node} << 24 | peer];
    if (std::find(ids.begin(), ids.end(), path_id) == ids.end()) ids.push_back(path_id);
  }
  SetBit(node, peer);
}

void RoutingView::Withdraw(uint32_t peer, const Prefix& prefix, bool add_path, uint32_t path_id) {
  int32_t node = Find(prefix);
  if (node < 0) return;
  if (add_path) {
    auto it = add_paths_.find(uint64_t(node) << 24 | peer);
    if (it == add_paths_.end()) return;
    auto& ids = it->second;
    ids.erase(std::remove(ids.begin(), ids.end(), path_id), ids.end());
    if (!ids.empty()) return;
    add_paths_.erase(it);
  }
  ClearBit(static_cast<uint32_t>(node), peer);
}

void RoutingView::PeerDown(uint32_t peer) {
  PeerInfo& p = peers_[peer];
  if (p.v4_prefixes + p.v6_prefixes == 0) return;
  for (uint32_t n = 0; n < nodes_.size(); ++n) ClearBit(n, peer);
  for (auto it = add_paths_.begin(); it != add_paths_.end();) {
    it = (it->first & 0xFFFFFF) == peer ? add_paths_.erase(it) : std::next(it);
  }
}

bool RoutingView::Has(uint32_t peer, const Prefix& prefix) const {
  int32_t node = Find(prefix);
  return node >= 0 && peer < peers_.size() && TestBit(static_cast<uint32_t>(node), peer);
}

void PathOrigins(const mrt::AsPath& path, std::vector<uint32_t>* out) {
  out->clear();
  if (path.segments.empty()) return;
  size_t start = 0;
  for (size_t i = 0; i + 1 < path.segments.size(); ++i) start += path.segments[i].count;
  const auto& last = path.segments.back();
  if (last.count == 0 || start + last.count > path.asns.size()) return;
  if (last.type == mrt::SegmentType::kAsSet) {
    out->assign(path.asns.begin() + start, path.asns.begin() + start + last.count);
  } else if (last.type == mrt::SegmentType::kAsSequence) {
    out->push_back(path.asns[start + last.count - 1]);
  }
}

std::vector<Prefix> RoutingView::RoutedPrefixes() const {
  std::vector<Prefix> out;
  for (const auto& [k, node] : dict_) {
    const uint64_t* row = &bits_[size_t(node) * words_];
    if (std::all_of(row, row + words_, [](uint64_t w) { return w == 0; })) continue;
    const uint8_t len = static_cast<uint8_t>(k.len_fam & 0xff);
    if ((k.len_fam & 0x100) == 0) {
      out.emplace_back(IpAddress::V4(static_cast<uint32_t>(k.hi)), len);
      continue;
    }
    std::array<uint8_t, 16> bytes;
    for (int i = 0; i < 8; ++i) {
      bytes[i] = static_cast<uint8_t>(k.hi >> (56 - 8 * i));
      bytes[8 + i] = static_cast<uint8_t>(k.lo >> (56 - 8 * i));
    }
    out.emplace_back(IpAddress::FromBytes(Family::kIPv6, bytes), len);
  }
  return out;
}

void RoutingView::MergePending() {
  if (pending_.empty()) return;
  auto less = [this](uint32_t a, uint32_t b) {
    const Node& x = nodes_[a];
    const Node& y = nodes_[b];
    if (x.v6 != y.v6) return !x.v6;
    if (x.first != y.first) return x.first < y.first;
    return x.len < y.len;
  };
  std::sort(pending_.begin(), pending_.end(), less);
  std::vector<uint32_t> merged;
  merged.reserve(order_.size() + pending_.size());
  std::merge(order_.begin(), order_.end(), pending_.begin(), pending_.end(),
             std::back_inserter(merged), less);
  order_ = std::move(merged);
  size_t added = pending_.size();
  pending_.clear();
  // After a large influx (a RIB dump), renumber so that ids follow the walk order: the walk then
  // reads bits, origins and contributions sequentially instead of at random.
  if (added * 8 > nodes_.size()) Renumber();
}

void RoutingView::Renumber() {
  const size_t n = nodes_.size();
  std::vector<uint32_t> new_id(n, UINT32_MAX);
  uint32_t next = 0;
  for (uint32_t id : order_) new_id[id] = next++;
  for (uint32_t id = 0; id < n; ++id) {
    if (new_id[id] == UINT32_MAX) new_id[id] = next++;
  }
  std::vector<Node> nodes(n);
  std::vector<uint64_t> bits(bits_.size());
  std::vector<uint32_t> origin(n);
  std::vector<Contribution> contrib(n);
  for (uint32_t id = 0; id < n; ++id) {
    uint32_t to = new_id[id];
    nodes[to] = nodes_[id];
    std::memcpy(&bits[size_t(to) * words_], &bits_[size_t(id) * words_], words_ * 8);
    origin[to] = origin_[id];
    contrib[to] = std::move(contrib_[id]);
  }
  nodes_ = std::move(nodes);
  bits_ = std::move(bits);
  origin_ = std::move(origin);
  contrib_ = std::move(contrib);
  for (auto& [key, id] : dict_) id = new_id[id];
  std::unordered_map<uint64_t, std::vector<uint32_t>> add_paths;
  for (auto& [key, ids] : add_paths_) {
    add_paths.emplace(uint64_t{new_id[key >> 24]} << 24 | (key & 0xFFFFFF), std::move(ids));
  }
  add_paths_ = std::move(add_paths);
  for (auto& id : order_) id = new_id[id];
}

void RoutingView::ComputeFamily(bool v6, Visibility* out) {
  const size_t W = words_;
  // Full-feed peers of this family, grouped by ASN.
  std::vector<uint64_t> singles(W, 0);
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_asn;
  for (uint32_t i = 0; i < peers_.size(); ++i) {
    const PeerInfo& p = peers_[i];
    uint64_t have = v6 ? p.v6_prefixes : p.v4_prefixes;
    uint64_t need = v6 ? options_.full_feed_v6 : options_.full_feed_v4;
    if (have > 0 && have >= need) by_asn[p.asn].push_back(i);
  }
  std::vector<std::vector<uint64_t>> groups;  // masks of ASNs with several full-feed peers
  for (auto& [asn, members] : by_asn) {
    if (members.size() == 1) {
      singles[members[0] / 64] |= uint64_t{1} << (members[0] % 64);
    } else {
      std::vector<uint64_t> m(W, 0);
      for (uint32_t i : members) m[i / 64] |= uint64_t{1} << (i % 64);
      groups.push_back(std::move(m));
    }
  }
  const int64_t N = static_cast<int64_t>(by_asn.size());
  (v6 ? out->full_feed_asns_v6 : out->full_feed_asns_v4) = static_cast<int>(N);
  auto level_of = [&](const uint64_t* eff) -> int8_t {
    int64_t c = 0;
    for (size_t w = 0; w < W; ++w) c += std::popcount(eff[w] & singles[w]);
    for (const auto& g : groups) {
      for (size_t w = 0; w < W; ++w) {
        if (eff[w] & g[w]) {
          ++c;
          break;
        }
      }
    }
    if (c == 0) return -1;
    int8_t l = 0;
    if (c * 4 > N) l = 1;
    if (c * 2 > N) l = 2;
    if (c * 4 > 3 * N) l = 3;
    if (c == N) l = 4;
    return l;
  };

  Totals& totals = *totals_[v6 ? 1 : 0];
  const int B = BlockBits(v6);

  // Frames are reused by depth (their gap vectors keep their capacity): no allocation per prefix.
  std::vector<Frame>& stack = frames_;
  if (stack.size() < static_cast<size_t>(B + 2)) stack.resize(B + 2);
  size_t depth = 0;
  std::vector<uint64_t>& eff_stack = eff_scratch_;
  eff_stack.assign((B + 2) * W, 0);

  auto finish = [&](Frame& f) {
    if (f.cursor < f.end) f.gaps.emplace_back(f.cursor, f.end - f.cursor);
    uint64_t blocks = 0;
    for (auto& g : f.gaps) blocks += g.second;
    Contribution& c = contrib_[f.node];
    bool structure = !c.geo_valid || c.children != f.children || c.blocks != blocks;
    if (!structure && c.level == f.level && c.origin == f.origin) return;
    totals.Add(-1, c.level, origin_sets_[c.origin], c.blocks, c.geo);
    if (structure) {
      c.geo.clear();
      if (geo_ != nullptr) {
        for (auto& g : f.gaps) {
          geo_->Attribute(v6 ? Family::kIPv6 : Family::kIPv4, g.first, g.second, &c.geo);
        }
      }
      c.geo_valid = true;
      c.children = f.children;
      c.blocks = blocks;
    }
    c.level = f.level;
    c.origin = f.origin;
    totals.Add(+1, c.level, origin_sets_[c.origin], c.blocks, c.geo);
  };

  for (uint32_t id : order_) {
    const Node& n = nodes_[id];
    if (n.v6 != v6 || !n.tree) continue;
    uint64_t end = n.first + (uint64_t{1} << (B - n.len));
    while (depth > 0 && n.first >= stack[depth - 1].end) finish(stack[--depth]);
    Frame& f = stack[depth];
    f.node = id;
    f.end = end;
    f.cursor = n.first;
    f.children = 0;
    f.gaps.clear();
    const uint64_t* own = &bits_[size_t(id) * W];
    bool any = false;
    for (size_t w = 0; w < W; ++w) any |= own[w] != 0;
    uint64_t* eff = &eff_stack[depth * W];
    if (depth > 0) {
      Frame& parent = stack[depth - 1];
      ++parent.children;
      if (parent.cursor < n.first) parent.gaps.emplace_back(parent.cursor, n.first - parent.cursor);
      parent.cursor = std::max(parent.cursor, end);
      const uint64_t* up = eff - W;
      for (size_t w = 0; w < W; ++w) eff[w] = own[w] | up[w];
      f.origin = any && origin_[id] != 0 ? origin_[id] : parent.origin;
    } else {
      for (size_t w = 0; w < W; ++w) eff[w] = own[w];
      f.origin = origin_[id];
    }
    f.level = level_of(eff);
    ++depth;
  }
  while (depth > 0) finish(stack[--depth]);

  auto& dest = v6 ? out->v6 : out->v4;
  for (const auto& [id, counts] : totals.entities) {
    std::string name = (id >> 56) == 3   ? "asn/" + std::to_string(static_cast<uint32_t>(id))
                       : geo_ != nullptr ? geo_->EntityName(id)
                                         : std::string();
    if (name.empty()) continue;
    auto& d = dest[name];
    for (int l = 0; l < kLevels; ++l) d[l] = static_cast<uint64_t>(std::max<int64_t>(0, counts[l]));
  }
  auto& tot = v6 ? out->total_v6 : out->total_v4;
  for (int l = 0; l < kLevels; ++l)
    tot[l] = static_cast<uint64_t>(std::max<int64_t>(0, totals.total[l]));
}

Visibility RoutingView::Compute() {
  MergePending();
  Visibility out;
  ComputeFamily(false, &out);
  ComputeFamily(true, &out);
  return out;
}

size_t RoutingView::MemoryBytes() const {
  size_t b = nodes_.capacity() * sizeof(Node) + bits_.capacity() * 8 + origin_.capacity() * 4 +
             order_.capacity() * 4 + pending_.capacity() * 4;
  // unordered_map: node (key + value + next pointer + cached hash) plus the bucket array.
  b += dict_.size() * (sizeof(PrefixKey) + 4 + 16) + dict_.bucket_count() * sizeof(void*);
  b += contrib_.capacity() * sizeof(Contribution);
  for (const auto& c : contrib_) b += c.geo.capacity() * sizeof(BlockGeo::Share);
  for (const auto& [k, v] : add_paths_) b += 48 + v.capacity() * 4;
  for (const auto& s : origin_sets_) b += sizeof(s) + s.capacity() * 4 + 48;
  return b;
}

}  // namespace blackout::bgp
