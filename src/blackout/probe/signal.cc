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

void AddProbeCounts(store::WriteBatch& batch, std::span<const ProbeCount> counts) {
  // Combined: the largest count per (entity, round), with its step.
  std::map<std::pair<std::string, UnixSeconds>, std::pair<double, int64_t>> combined;
  for (const ProbeCount& c : counts) {
    batch.AddPoint({c.entity, std::string(store::kSignalProbe), c.vantage}, c.round, c.up, c.step);
    auto [it, fresh] = combined.try_emplace({c.entity, c.round}, c.up, c.step);
    if (!fresh && c.up > it->second.first) it->second = {c.up, c.step};
  }
  for (const auto& [key, value] : combined) {
    batch.AddPoint({key.first, std::string(store::kSignalProbe), ""}, key.second, value.first,
                   value.second);
  }
}

Status WriteProbeSignal(store::Store& store, const RoundReport& report, std::string_view vantage) {
  std::vector<ProbeCount> counts;
  counts.reserve(report.counts.size());
  for (const EntityCount& c : report.counts) {
    counts.push_back({c.entity, std::string(vantage), report.start_ns / kNanosPerSecond,
                      report.round_ns / kNanosPerSecond, static_cast<double>(c.up)});
  }
  store::WriteBatch batch;
  AddProbeCounts(batch, counts);
  if (batch.empty()) return Status::Ok();
  auto r = store.Apply(batch);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace blackout::probe
