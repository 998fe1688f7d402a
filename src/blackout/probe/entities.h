// Which entities (country/KZ, region/KZ-ALA, asn/9198, ...) each /24 counts for in the `probe`
// signal. The prober asks once, at start-up, in bulk. GeoEntityMapper (geo_entities.h) answers
// from the geo module; StaticEntityMap from a small text file, for testbeds whose 198.18.0.0/15
// blocks no geolocation dataset knows. Thread-safety: const methods are safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"

namespace blackout::probe {

class EntityMapper {
 public:
  virtual ~EntityMapper() = default;
  // Blocks with the same entities share a group, so 5 million blocks cost 4 bytes each:
  // group[i] = index into `groups` of the entities of the /24 starting at bases[i] (host order);
  // a group may be empty (no entity). REQUIRES: group.size() == bases.size(); groups empty.
  virtual void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                         std::vector<std::vector<std::string>>& groups) const = 0;
};

// Lines "PREFIX<spaces or TAB>ENTITY [ENTITY...]", '#' comments. A block takes the entities of the
// most specific prefix containing it. Entities must look like TYPE/CODE.
class StaticEntityMap : public EntityMapper {
 public:
  static Result<StaticEntityMap> Load(const std::filesystem::path& file);
  Status Add(const Prefix& prefix, std::vector<std::string> entities);
  void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                 std::vector<std::vector<std::string>>& groups) const override;

 private:
  struct Entry {
    Prefix prefix;
    std::vector<std::string> entities;
  };
  std::vector<Entry> entries_;  // most specific first
};

}  // namespace blackout::probe
