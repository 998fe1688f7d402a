// Glue from the prober to the rest of blackout: per-entity attribution through the geo module
// (country, region, ASN, geoasn of each /24) and writing a round's counts to the store as the
// `probe` signal, source = vantage point. Thread-safety: as GeoDb and Store.
#pragma once

#include <string_view>

#include "blackout/geo/geodb.h"
#include "blackout/probe/entities.h"
#include "blackout/probe/prober.h"
#include "blackout/store/store.h"

namespace blackout::probe {

class GeoEntityMapper : public EntityMapper {
 public:
  // `db` must outlive the mapper.
  explicit GeoEntityMapper(const geo::GeoDb& db) : db_(db) {}
  void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                 std::vector<std::vector<std::string>>& groups) const override;

 private:
  const geo::GeoDb& db_;
};

// One point per entity of `report`: series (entity, "probe", vantage), time = round start,
// value = UP /24s, step = the round length. Applied as one atomic batch.
Status WriteProbeSignal(store::Store& store, const RoundReport& report, std::string_view vantage);

}  // namespace blackout::probe
