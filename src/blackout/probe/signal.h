// Glue from the prober to the rest of blackout: per-entity attribution through the geo module
// (country, region, ASN, geoasn of each /24) and writing a round's counts to the store as the
// `probe` signal, source = vantage point. Thread-safety: as GeoDb and Store.
#pragma once

#include <span>
#include <string>
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

// One entity's UP /24s in one round of one vantage point.
struct ProbeCount {
  std::string entity;
  std::string vantage;
  UnixSeconds round = 0;  // round start
  int64_t step = 0;       // round length, seconds
  double up = 0;
};

// The one way probe counts become series, for the prober (`probe run --store`), the service's
// ingest of probe record files and anything else: each count is a point of (entity, "probe",
// vantage), and of the combined series (entity, "probe", "") that detection, the API and the
// dashboard read. With several vantage points in one batch, the combined value of an entity's
// round is the largest of their counts (a block answering any vantage point is up; the largest
// count is the closest lower bound of that union that counts alone give).
void AddProbeCounts(store::WriteBatch& batch, std::span<const ProbeCount> counts);

// AddProbeCounts for every entity of `report` (time = round start, step = the round length),
// applied as one atomic batch.
Status WriteProbeSignal(store::Store& store, const RoundReport& report, std::string_view vantage);

}  // namespace blackout::probe
