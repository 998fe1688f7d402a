// Validation of the API's query parameters. Every function returns InvalidArgument with a message
// fit for a 400 answer; nothing here throws. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::server {

inline constexpr int64_t kMaxRangeSeconds = 100 * 86400;  // the API refuses longer ranges
inline constexpr int64_t kDefaultRangeSeconds = 86400;
inline constexpr int64_t kMaxPoints = 10000;  // maxPoints above this is clamped
inline constexpr int64_t kMaxLimit = 1000;    // limit above this is clamped

struct TimeRange {
  UnixSeconds from = 0;
  UnixSeconds until = 0;
};

// from/until as Unix seconds or ISO 8601. Missing until = `now`; missing from = until - 1 day.
// Errors: unparsable, from >= until, longer than 100 days, outside years 1970..2100.
Result<TimeRange> ParseRange(const std::optional<std::string>& from,
                             const std::optional<std::string>& until, UnixSeconds now);

// A decimal integer >= min; values above `max` are clamped to max (not an error).
// Missing -> `fallback`.
Result<int64_t> ParseInt(std::string_view name, const std::optional<std::string>& text,
                         int64_t fallback, int64_t min, int64_t max);

// Entity types the API knows: country, region, asn, geoasn (a country-ASN pair, "KZ-9198").
bool IsEntityType(std::string_view type);
// Codes: 1..64 characters of [A-Za-z0-9._-].
bool IsEntityCode(std::string_view code);
// "TYPE/CODE" with a known type and a well-formed code, e.g. "country/KZ".
bool IsEntityRef(std::string_view ref);
// A datasource name: 1..32 of [a-z0-9-].
bool IsDatasourceName(std::string_view name);

}  // namespace blackout::server
