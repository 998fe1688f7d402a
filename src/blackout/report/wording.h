// The words and numbers blackout publishes about an event, defined once: the report, the feeds, the
// API's event objects and `blackout report` all format percentages, durations, depths, times and
// the one-sentence headline through these functions, so they cannot round or phrase differently.
// Local times come from the IANA time zone database as installed by Debian's tzdata, through Howard
// Hinnant's date library (libhowardhinnant-date-dev): the offset is the one in force at the event's
// date (Almaty was UTC+6 in January 2022 and is UTC+5 since March 2024).
// Thread-safety: pure functions; the time zone database is loaded once, thread-safely.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "blackout/base/time.h"
#include "blackout/store/types.h"

namespace blackout::report {

// A percentage with the one rounding used everywhere: whole percent from 10% up, one decimal
// below (4.6%, 5.5%, 0.3%); "0%" and "n/a" for a missing value. `pct` is in percent (5.5 = 5.5%).
std::string FormatPercent(double pct);
// "5 days 19 hours 15 minutes"; seconds are dropped; "less than a minute" below 60 s.
std::string FormatDuration(int64_t seconds);
// "5 January 2022 10:45 UTC"
std::string FormatLongTime(UnixSeconds t);
// A depth (lowest value / expected, 0.05 = 5%) as words: "connectivity fell by 95%, to 5% of its
// usual level"; "connectivity fell to an unknown level" when missing.
std::string DepthPhrase(double depth);

// The IANA zone an entity's local time is given in: a country's first zone in the tz database's
// zone.tab ("most of Kazakhstan": Asia/Almaty); a region's zone when zone.tab names it in a
// zone's comment or city (KZ-AKT Aktobe: Asia/Aqtobe), else its country's; ASNs have none
// (std::nullopt), and neither does an unknown country. `region_name` helps the match.
std::optional<std::string> TimeZoneOf(std::string_view entity, std::string_view region_name = "",
                                      const std::string& zone_tab = "/usr/share/zoneinfo/zone.tab");
// "16:45 in Almaty, UTC+6" (with the date when it differs from UTC's: "02:00 on 6 January in
// Almaty, UTC+6") for t in `zone`, or "" when the zone is unknown to the database.
std::string FormatLocalTime(UnixSeconds t, std::string_view zone);
// The zone's offset from UTC at t, as "UTC+6", "UTC+5:30", "UTC-3" ("" when unknown).
std::string UtcOffsetAt(UnixSeconds t, std::string_view zone);

// One quotable sentence: what (scale of the disruption), where (name), when (UTC, and local time
// in `zone` when given), how deep, how long, and the state now: "A nation-scale disruption of
// internet connectivity in Kazakhstan began on 5 January 2022 at 10:45 UTC (16:45 in Almaty,
// UTC+6): connectivity fell by 95%, to 5% of its usual level, for 5 days 19 hours 15 minutes,
// until 11 January 2022 06:00 UTC; connectivity has recovered since." An ongoing event says
// "and is ongoing as of <as_of> (N so far)".
std::string Headline(const store::Event& event, std::string_view name,
                     std::optional<std::string> zone, UnixSeconds as_of);

// "a nation-scale disruption" (country), "a regional disruption", "a network-level disruption".
std::string ScaleOf(std::string_view entity);

}  // namespace blackout::report
