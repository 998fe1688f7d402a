// Time helpers: Unix seconds (UTC) as the common currency, ISO 8601 parsing/formatting, and time
// bins. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout {

using UnixSeconds = int64_t;

inline constexpr int64_t kDefaultStepSeconds = 300;

// Accepts Unix seconds ("1641378600") or ISO 8601 UTC: "2022-01-05", "2022-01-05T10:30",
// "2022-01-05T10:30:00Z", "2022-01-05 10:30:00", with optional fraction and "+00:00"/"Z" offsets
// (any offset is applied).
Result<UnixSeconds> ParseTime(std::string_view text);

// "2022-01-05T10:30:00Z"
std::string FormatIso8601(UnixSeconds t);
// "2022-01-05 10:30:00" (UTC)
std::string FormatDateTime(UnixSeconds t);

// Start of the bin containing t, for bins of `step` seconds aligned to the Unix epoch.
// REQUIRES: step > 0
inline constexpr UnixSeconds BinStart(UnixSeconds t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

// Days since 1970-01-01 for a civil date, and back (proleptic Gregorian; H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d);

}  // namespace blackout
