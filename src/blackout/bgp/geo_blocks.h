// BlockGeo over the geo module's GeoDb: IPv4 blocks are attributed one /24 at a time (GeoDb's
// majority rule per /24); IPv6 ranges are split into aligned CIDR prefixes, each attributed as a
// whole by GeoDb::LookupPrefix (a /32 holds 65,536 /48s, too many to look up one by one).
// Thread-safety: const methods only, as GeoDb.
#pragma once

#include "blackout/bgp/view.h"
#include "blackout/geo/geodb.h"

namespace blackout::bgp {

class GeoDbBlocks : public BlockGeo {
 public:
  explicit GeoDbBlocks(const geo::GeoDb& db) : db_(db) {}
  void Attribute(Family family, uint64_t first, uint64_t count,
                 std::vector<Share>* out) const override;
  std::string EntityName(uint64_t id) const override;

 private:
  const geo::GeoDb& db_;
};

}  // namespace blackout::bgp
