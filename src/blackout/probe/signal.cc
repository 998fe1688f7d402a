#include "blackout/probe/signal.h"

#include <map>
#include <tuple>

namespace blackout::probe {

void GeoEntityMapper::Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                                std::vector<std::vector<std::string>>& groups) const {
  std::vector<uint32_t> blocks(bases.size());
  for (size_t i = 0; i < bases.size(); ++i) blocks[i] = bases[i] >> 8;
  std::vector<geo::Attribution> attr(bases.size());
  db_.AttributeBlocks24(blocks, attr);
  std::map<std::tuple<geo::CountryCode, geo::RegionCode, uint32_t>, uint32_t> index;
  for (size_t i = 0; i < bases.size(); ++i) {
    const geo::Attribution& a = attr[i];
    auto [it, fresh] = index.emplace(std::make_tuple(a.country, a.region, a.asn),
                                     static_cast<uint32_t>(groups.size()));
    if (fresh) {
      std::vector<std::string> names;
      for (geo::EntityId id : {a.country_id(), a.region_id(), a.asn_id(), a.geoasn_id()}) {
        if (id != 0) names.push_back(geo::FormatEntity(id));
      }
      groups.push_back(std::move(names));
    }
    group[i] = it->second;
  }
}

Status WriteProbeSignal(store::Store& store, const RoundReport& report, std::string_view vantage) {
  store::WriteBatch batch;
  const int64_t step = report.round_ns / kNanosPerSecond;
  const UnixSeconds t = report.start_ns / kNanosPerSecond;
  for (const EntityCount& c : report.counts) {
    batch.AddPoint({c.entity, std::string(store::kSignalProbe), std::string(vantage)}, t,
                   static_cast<double>(c.up), step);
  }
  if (batch.empty()) return Status::Ok();
  auto r = store.Apply(batch);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace blackout::probe
