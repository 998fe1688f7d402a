// The shared wording (issue 16): one rounding, one duration wording, depths as "fell by", local
// times from the IANA tz database as of the event's date, and the quotable headline.
#include "blackout/report/wording.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace blackout::report {
namespace {

UnixSeconds T(const char* iso) { return ParseTime(iso).value(); }

TEST(Wording, OneRounding) {
  EXPECT_EQ(FormatPercent(4.6), "4.6%");  // 4.6% and 5.5% no longer both read "5%"
  EXPECT_EQ(FormatPercent(5.5), "5.5%");
  EXPECT_EQ(FormatPercent(5.0), "5%");
  EXPECT_EQ(FormatPercent(9.96), "10%");
  EXPECT_EQ(FormatPercent(45.4), "45%");
  EXPECT_EQ(FormatPercent(0), "0%");
  EXPECT_EQ(FormatPercent(store::kMissing), "n/a");
}

TEST(Wording, DepthSaysByAndTo) {
  EXPECT_EQ(DepthPhrase(0.05), "connectivity fell by 95%, to 5% of its usual level");
  EXPECT_EQ(DepthPhrase(0.046), "connectivity fell by 95%, to 4.6% of its usual level");
  EXPECT_EQ(DepthPhrase(0.61), "connectivity fell by 39%, to 61% of its usual level");
  EXPECT_EQ(DepthPhrase(store::kMissing), "connectivity fell to an unknown level");
}

TEST(Wording, Durations) {
  EXPECT_EQ(FormatDuration(4 * 86400 + 15 * 3600 + 40 * 60), "4 days 15 hours 40 minutes");
  EXPECT_EQ(FormatDuration(59), "less than a minute");
  EXPECT_EQ(FormatDuration(3600), "1 hour");
}

// The offset in force at the event's date: Kazakhstan moved to a single UTC+5 zone on 1 March
// 2024, so January 2022 in Almaty is UTC+6.
TEST(Wording, LocalTimeFromTheTzDatabase) {
  EXPECT_EQ(TimeZoneOf("country/KZ"), "Asia/Almaty");
  EXPECT_EQ(TimeZoneOf("region/KZ-ALA", "Almaty"), "Asia/Almaty");
  EXPECT_EQ(TimeZoneOf("region/KZ-AKT", "Aktobe Region"), "Asia/Aqtobe");
  EXPECT_EQ(TimeZoneOf("asn/9198"), std::nullopt);
  EXPECT_EQ(UtcOffsetAt(T("2022-01-05T10:45:00Z"), "Asia/Almaty"), "UTC+6");
  EXPECT_EQ(UtcOffsetAt(T("2025-01-05T10:45:00Z"), "Asia/Almaty"), "UTC+5");
  EXPECT_EQ(UtcOffsetAt(T("2022-01-05T10:45:00Z"), "Asia/Kolkata"), "UTC+5:30");
  EXPECT_EQ(UtcOffsetAt(T("2022-07-05T10:45:00Z"), "America/Sao_Paulo"), "UTC-3");
  EXPECT_EQ(FormatLocalTime(T("2022-01-05T10:45:00Z"), "Asia/Almaty"), "16:45 in Almaty, UTC+6");
  EXPECT_EQ(FormatLocalTime(T("2022-01-05T20:00:00Z"), "Asia/Almaty"),
            "02:00 on 6 January in Almaty, UTC+6");
  EXPECT_EQ(FormatLocalTime(0, "Not/AZone"), "");
}

TEST(Wording, HeadlineSaysWhatWhereWhenHowDeepHowLongAndNow) {
  store::Event e;
  e.entity = "country/KZ";
  e.start = T("2022-01-05T10:45:00Z");
  e.end = T("2022-01-11T06:00:00Z");
  e.depth = 0.05;
  EXPECT_EQ(Headline(e, "Kazakhstan", TimeZoneOf(e.entity), T("2022-01-14")),
            "A nation-scale disruption of internet connectivity in Kazakhstan began on 5 January "
            "2022 at 10:45 UTC (16:45 in Almaty, UTC+6): connectivity fell by 95%, to 5% of its "
            "usual level, for 5 days 19 hours 15 minutes, until 11 January 2022 06:00 UTC; "
            "connectivity has recovered since.");
  e.end.reset();
  e.entity = "asn/9198";
  EXPECT_EQ(Headline(e, "JSC Kazakhtelecom (AS9198)", std::nullopt, T("2022-01-07T10:45:00Z")),
            "A network-level disruption of internet connectivity on the network of JSC "
            "Kazakhtelecom (AS9198) began on 5 January 2022 at 10:45 UTC: connectivity fell by "
            "95%, to 5% of its usual level, and the disruption is ongoing as of 7 January 2022 "
            "10:45 UTC (2 days so far).");
}

}  // namespace
}  // namespace blackout::report
