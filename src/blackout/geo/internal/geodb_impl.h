// GeoDb's loaded state and its binary cache (format in docs/geo.md). Internal to the geo module.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/geo/geodb.h"
#include "blackout/geo/internal/range_table.h"

namespace blackout::geo::internal {

struct GeoDbData {
  RangeTable asn4, country4, region4;  // IPv4: 32-bit addresses
  RangeTable asn6, country6, region6;  // IPv6: upper 64 bits
  std::vector<Entity> entities;        // sorted by id
  std::vector<DatasetInfo> datasets;
  std::vector<Status> problems;
  std::vector<UnmatchedRegion> unmatched;
};

// The cache file for these options and these dataset files ("" if caching is impossible). The name
// carries a hash of the package versions, file sizes and modification times, the options and the
// format version, so any change of data or code format picks a new file.
std::filesystem::path CachePath(const GeoOptions& options, const std::filesystem::path& packages);
// Fills `d` from `file`; false (with `d` cleared) if the file is missing or not a valid cache.
bool ReadCache(const std::filesystem::path& file, GeoDbData& d);
// Writes atomically (temporary file + rename).
Status WriteCache(const std::filesystem::path& file, const GeoDbData& d);

}  // namespace blackout::geo::internal

namespace blackout::geo {
struct GeoDb::Impl {
  internal::GeoDbData data;
  double load_seconds = 0;
  bool from_cache = false;
};
}  // namespace blackout::geo
