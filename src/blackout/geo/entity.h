// Entities blackout reports on, and their stable identifiers. An entity is written TYPE/CODE:
//
//   country/KZ        ISO 3166-1 alpha-2 country
//   region/KZ-ALA     ISO 3166-2 subdivision (country code, '-', 1 to 3 letters or digits)
//   asn/9198          autonomous system
//   geoasn/KZ-9198    the part of an AS inside one country (IODA's "geoasn")
//
// An EntityId is computed from TYPE/CODE alone (never from load order), so ids are identical across
// runs, machines and data updates, and can be turned back into TYPE/CODE without any table. The
// compact codes (CountryCode, RegionCode) are what the bulk /24 attribution returns; they convert
// to ids and text without a table too. See docs/geo.md. Thread-safety: value types and pure
// functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout::geo {

enum class EntityType : uint8_t { kCountry = 1, kRegion = 2, kAsn = 3, kGeoAsn = 4 };

// "country", "region", "asn", "geoasn".
std::string_view EntityTypeName(EntityType type);
Result<EntityType> ParseEntityType(std::string_view name);

// Two upper-case ASCII letters packed as ('K' << 8 | 'Z'); 0 means unknown.
using CountryCode = uint16_t;
// A subdivision: country code in the high 16 bits, the part after '-' (1-3 of [A-Z0-9]) encoded
// base 37 in the low 16 bits; 0 means unknown.
using RegionCode = uint32_t;

// REQUIRES nothing; returns 0 if `text` is not two ASCII letters (case-insensitive).
CountryCode MakeCountryCode(std::string_view text);
// "KZ-ALA" -> code; 0 if malformed.
RegionCode MakeRegionCode(std::string_view text);
inline CountryCode RegionCountry(RegionCode r) { return static_cast<CountryCode>(r >> 16); }
std::string CountryString(CountryCode c);  // "KZ" ("" for 0)
std::string RegionString(RegionCode r);    // "KZ-ALA" ("" for 0)

// 64-bit stable id: type in bits 56..63, the code packed below (country: 16 bits; region: 32 bits;
// asn: 32 bits; geoasn: country << 32 | asn). 0 is never a valid id.
using EntityId = uint64_t;

constexpr EntityType IdType(EntityId id) { return static_cast<EntityType>(id >> 56); }
constexpr EntityId CountryId(CountryCode c) { return c ? (EntityId{1} << 56 | c) : 0; }
constexpr EntityId RegionId(RegionCode r) { return r ? (EntityId{2} << 56 | r) : 0; }
constexpr EntityId AsnId(uint32_t asn) { return asn ? (EntityId{3} << 56 | asn) : 0; }
constexpr EntityId GeoAsnId(CountryCode c, uint32_t asn) {
  return c && asn ? (EntityId{4} << 56 | EntityId{c} << 32 | asn) : 0;
}
// Accessors; REQUIRE the id to be of the matching type.
constexpr CountryCode IdCountry(EntityId id) {  // country, region or geoasn
  switch (IdType(id)) {
    case EntityType::kCountry:
      return static_cast<CountryCode>(id);
    case EntityType::kRegion:
      return static_cast<CountryCode>(id >> 16);
    case EntityType::kGeoAsn:
      return static_cast<CountryCode>(id >> 32);
    default:
      return 0;
  }
}
constexpr RegionCode IdRegion(EntityId id) { return static_cast<RegionCode>(id); }
constexpr uint32_t IdAsn(EntityId id) { return static_cast<uint32_t>(id); }  // asn or geoasn

// "country/KZ", "region/KZ-ALA", "asn/9198", "geoasn/KZ-9198". Parsing is case-insensitive for
// the letters and accepts "AS9198" as an ASN code; formatting is canonical (upper case).
Result<EntityId> ParseEntity(std::string_view text);
std::string FormatEntity(EntityId id);
// The CODE part alone ("KZ-ALA").
std::string EntityCode(EntityId id);

// What the attribution of one address or block yields. A field is 0 when the data has nothing.
// 12 bytes, so 14 million /24s fit in 170 MB.
struct Attribution {
  CountryCode country = 0;
  RegionCode region = 0;
  uint32_t asn = 0;

  EntityId country_id() const { return CountryId(country); }
  EntityId region_id() const { return RegionId(region); }
  EntityId asn_id() const { return AsnId(asn); }
  EntityId geoasn_id() const { return GeoAsnId(country, asn); }
  friend bool operator==(const Attribution&, const Attribution&) = default;
};

}  // namespace blackout::geo
