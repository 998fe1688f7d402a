#include "blackout/bgp/geo_blocks.h"

#include <algorithm>
#include <bit>

namespace blackout::bgp {

void GeoDbBlocks::Attribute(Family family, uint64_t first, uint64_t count,
                            std::vector<Share>* out) const {
  auto push = [out](const geo::Attribution& a, uint64_t n) {
    uint64_t c = a.country_id(), r = a.region_id();
    if (!out->empty() && out->back().country == c && out->back().region == r) {
      out->back().blocks += n;
    } else {
      out->push_back({c, r, n});
    }
  };
  if (family == Family::kIPv4) {
    constexpr uint64_t kChunk = 1 << 16;
    std::vector<uint32_t> blocks;
    std::vector<geo::Attribution> attrs;
    for (uint64_t s = first; s < first + count; s += kChunk) {
      uint64_t n = std::min(kChunk, first + count - s);
      blocks.resize(n);
      attrs.resize(n);
      for (uint64_t i = 0; i < n; ++i) blocks[i] = static_cast<uint32_t>(s + i);
      db_.AttributeBlocks24(blocks, attrs);
      for (const auto& a : attrs) push(a, 1);
    }
    return;
  }
  // IPv6: aligned power-of-two runs of /48s.
  uint64_t s = first, end = first + count;
  while (s < end) {
    int align = s == 0 ? 48 : std::countr_zero(s);
    int fit = 63 - std::countl_zero(end - s);
    int k = std::min({align, fit, 48});
    uint64_t n = uint64_t{1} << k;
    std::array<uint8_t, 16> bytes{};
    uint64_t hi = s << 16;
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    Prefix p(IpAddress::FromBytes(Family::kIPv6, bytes), static_cast<uint8_t>(48 - k));
    push(db_.LookupPrefix(p), n);
    s += n;
  }
}

std::string GeoDbBlocks::EntityName(uint64_t id) const { return geo::FormatEntity(id); }

}  // namespace blackout::bgp
