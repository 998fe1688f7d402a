// Debian's iso-codes (ISO 3166-1 countries, ISO 3166-2 subdivisions) and the mapping of DB-IP's
// free-text region names to ISO 3166-2 codes: normalised-name match within the country, then a
// small alias table (region_aliases.cc, documented in docs/geo.md). Internal to the geo module.
// Thread-safety: immutable after construction.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/geo/entity.h"

namespace blackout::geo::internal {

struct IsoCodes {
  std::unordered_map<CountryCode, std::string> countries;  // alpha-2 -> common name
  std::unordered_map<RegionCode, std::string> regions;     // ISO 3166-2 -> name
  std::string version;                                     // iso-codes package version
  std::vector<std::string> files;
};

// Reads iso_3166-1.json and iso_3166-2.json from `dir` (/usr/share/iso-codes/json).
Result<IsoCodes> LoadIsoCodes(const std::filesystem::path& dir);

// ASCII-folded, lower-case, letters and digits only: "Nur-Sultan" -> "nursultan",
// "Mangghystaū oblysy" -> "mangghystauoblysy".
std::string NormalizeName(std::string_view name);

struct RegionAlias {
  const char* country;  // "KZ"
  const char* name;     // DB-IP's spelling
  const char* code;     // ISO 3166-2, "KZ-AST"
};
// The alias table (region_aliases.cc).
std::span<const RegionAlias> RegionAliases();

// Changes whenever the matching rules or the alias table change: part of the cache key.
std::string MatcherFingerprint();

class RegionMatcher {
 public:
  explicit RegionMatcher(const IsoCodes& iso);
  // The subdivision `name` denotes in `country`, or 0.
  RegionCode Match(CountryCode country, std::string_view name) const;

 private:
  // (country, normalised name) -> code; 0 marks an ambiguous key.
  std::unordered_map<std::string, RegionCode> exact_, core_;
  // Per country, every subdivision's core name, for the prefix / edit-distance fallback.
  std::unordered_map<CountryCode, std::vector<std::pair<std::string, RegionCode>>> cores_;
};

}  // namespace blackout::geo::internal
