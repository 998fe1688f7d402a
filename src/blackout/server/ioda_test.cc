#include "blackout/server/ioda.h"

#include <gtest/gtest.h>

namespace blackout::server {
namespace {

TEST(IodaTest, RegionAliasRoundTripsAndIsANumber) {
  for (const char* iso : {"KZ-ALA", "KZ-AST", "FR-75", "US-CA", "GB-ENG", "KZ-1"}) {
    const std::string alias = RegionAlias(iso);
    ASSERT_FALSE(alias.empty()) << iso;
    EXPECT_EQ(alias.find_first_not_of("0123456789"), std::string::npos) << alias;
    EXPECT_EQ(RegionFromAlias(alias), std::optional<std::string>(iso));
    EXPECT_EQ(CanonicalCode("region", alias), iso);
    EXPECT_EQ(ClientCode(true, "region", iso), alias);
    EXPECT_EQ(ClientCode(false, "region", iso), iso);  // blackout's own API keeps ISO codes
  }
  // Stable: computed from the code alone.
  EXPECT_EQ(RegionAlias("KZ-ALA"), "1264191254");
  EXPECT_EQ(RegionAlias("KZ"), "");
  // Numbers that no ISO code packs to, and non-numbers, are not aliases.
  EXPECT_FALSE(RegionFromAlias("1226"));
  EXPECT_FALSE(RegionFromAlias("12x"));
  EXPECT_FALSE(RegionFromAlias(""));
  EXPECT_EQ(CanonicalCode("region", "KZ-ALA"), "KZ-ALA");
  EXPECT_EQ(CanonicalCode("asn", "1264191254"), "1264191254");
}

TEST(IodaTest, SplitListDropsEmptyParts) {
  EXPECT_EQ(SplitList("KZ,UA"), (std::vector<std::string>{"KZ", "UA"}));
  EXPECT_EQ(SplitList(",KZ,,"), (std::vector<std::string>{"KZ"}));
  EXPECT_TRUE(SplitList("").empty());
}

TEST(IodaTest, AttrsCarryIodasFqidAndCountry) {
  MemoryData data;
  data.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}},
                        {"region", "KZ-ALA", "Almaty", {"country/KZ"}, {}},
                        {"asn", "9198", "JSC Kazakhtelecom", {"country/KZ"}, {}},
                        {"geoasn", "KZ-9198", "JSC Kazakhtelecom (KZ)", {"country/KZ"}, {}}});
  auto attrs = [&](const char* type, const char* code) {
    return IodaAttrs(data, *data.FindEntity(type, code));
  };
  EXPECT_EQ(attrs("country", "KZ")["fqid"], "geo.blackout.AS.KZ");
  EXPECT_EQ(attrs("region", "KZ-ALA")["fqid"], "geo.blackout.AS.KZ.1264191254");
  EXPECT_EQ(attrs("region", "KZ-ALA")["country_name"], "Kazakhstan");
  EXPECT_EQ(attrs("asn", "9198")["fqid"], "asn.9198");
  EXPECT_EQ(attrs("asn", "9198")["org"], "JSC Kazakhtelecom");
  EXPECT_EQ(attrs("asn", "9198")["country_code"], "KZ");
  EXPECT_EQ(attrs("geoasn", "KZ-9198")["fqid"], "geo.blackout.AS.KZ.asn.9198");
  EXPECT_TRUE(attrs("asn", "9198")["ip_count"].is_null());
}

TEST(IodaTest, ScoresAreIodasScale) {
  Event e;
  e.entity = "country/KZ";
  e.score = 600;  // a 10-hour total drop: fraction 1 x 600 minutes
  e.signals = {"probe", "bgp"};
  EXPECT_DOUBLE_EQ(IodaScore(e), 60000);  // percent x minutes
  const nlohmann::json per = IodaSourceScores(e);
  EXPECT_DOUBLE_EQ(per["ping-slash24.seasonal"].get<double>(), 60000);
  EXPECT_DOUBLE_EQ(per["bgp.median"].get<double>(), 60000);
  EXPECT_DOUBLE_EQ(IodaOverallScore(e), 60000.0 * 60000.0);  // product over datasources
}

Alert Bad(UnixSeconds t, const char* level, const char* ds = "bgp");

TEST(IodaTest, SourceScoresFromTheBadBinsAsIodaSumsThem) {
  Event e;
  e.entity = "country/KZ";
  e.score = 600;
  e.signals = {"probe", "bgp"};
  // Two 300 s bgp bins at 90% down (value 1 of 10): 2 x 90 x 5 minutes; probing has no alerts.
  const std::vector<Datasource> ds = {{"bgp", "BGP", "", 300}};
  const nlohmann::json per = IodaSourceScores(e, {Bad(0, "critical"), Bad(300, "critical")}, ds);
  EXPECT_DOUBLE_EQ(per["bgp.median"].get<double>(), 900);
  EXPECT_DOUBLE_EQ(per["ping-slash24.seasonal"].get<double>(), 60000);  // IodaScore(e)
  EXPECT_DOUBLE_EQ(IodaOverallScore(per), 900.0 * 60000.0);
}

Alert Bad(UnixSeconds t, const char* level, const char* ds) {
  Alert a;
  a.entity_type = "country";
  a.entity_code = "KZ";
  a.datasource = ds;
  a.time = t;
  a.level = level;
  a.value = 1;
  a.history_value = 10;
  return a;
}

TEST(IodaTest, AlertsBecomeLevelChangesWithNormal) {
  const std::vector<Datasource> ds = {{"bgp", "BGP", "", 300}};
  // The series has a value at every bin but [900, 1500): no data right after the first run.
  auto measured = [](const Alert&, UnixSeconds from,
                     UnixSeconds until) -> std::optional<std::pair<UnixSeconds, double>> {
    for (UnixSeconds t = from; t < until; t += 300) {
      if (t < 900 || t >= 1500) return std::make_pair(t, 42.0);
    }
    return std::nullopt;
  };
  // warning, critical x2, a gap, then warning x1; the last run ends before `until`.
  const std::vector<Alert> bad = {Bad(0, "warning"), Bad(300, "critical"), Bad(600, "critical"),
                                  Bad(3000, "warning")};
  const std::vector<Alert> out = LevelChanges(bad, 10000, ds, measured);
  std::vector<std::pair<UnixSeconds, std::string>> got;
  for (const Alert& a : out) got.emplace_back(a.time, a.level);
  // The first recovery is where data come back (1500), not the bin after the run (900).
  EXPECT_EQ(got, (std::vector<std::pair<UnixSeconds, std::string>>{{0, "warning"},
                                                                   {300, "critical"},
                                                                   {1500, "normal"},
                                                                   {3000, "warning"},
                                                                   {3300, "normal"}}));
  EXPECT_EQ(out[2].value, 42.0);  // the measured value it came back with
  // Still bad at the end of the window: no recovery invented.
  EXPECT_EQ(LevelChanges({Bad(0, "critical")}, 300, ds, measured).size(), 1u);
  // The data stop after the bad run: no data is never "normal".
  auto none = [](const Alert&, UnixSeconds, UnixSeconds) {
    return std::optional<std::pair<UnixSeconds, double>>();
  };
  const std::vector<Alert> silent = LevelChanges(bad, 10000, ds, none);
  for (const Alert& a : silent) EXPECT_NE(a.level, "normal") << a.time;
  EXPECT_EQ(silent.size(), 3u);
}

}  // namespace
}  // namespace blackout::server
