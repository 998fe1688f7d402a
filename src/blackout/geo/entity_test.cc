#include "blackout/geo/entity.h"

#include <gtest/gtest.h>

namespace blackout::geo {
namespace {

TEST(EntityTest, RoundTripsEveryType) {
  for (const char* text : {"country/KZ", "region/KZ-ALA", "region/US-CA", "region/FR-75C",
                           "region/AT-9", "asn/9198", "asn/4294967295", "geoasn/KZ-9198"}) {
    auto id = ParseEntity(text);
    ASSERT_TRUE(id.ok()) << text << ": " << id.status().ToString();
    EXPECT_EQ(FormatEntity(*id), text);
  }
}

TEST(EntityTest, ParsingIsLenientFormattingCanonical) {
  EXPECT_EQ(FormatEntity(*ParseEntity("country/kz")), "country/KZ");
  EXPECT_EQ(FormatEntity(*ParseEntity("asn/AS9198")), "asn/9198");
  EXPECT_EQ(FormatEntity(*ParseEntity("region/kz-ala")), "region/KZ-ALA");
  EXPECT_EQ(FormatEntity(*ParseEntity("geoasn/kz-AS9198")), "geoasn/KZ-9198");
}

TEST(EntityTest, RejectsMalformed) {
  for (const char* text : {"KZ", "country/", "country/KAZ", "country/K1", "region/KZ", "region/KZ-",
                           "region/KZ-ALAX", "region/KZ_ALA", "asn/0", "asn/x", "asn/99999999999",
                           "geoasn/KZ", "geoasn/9198", "planet/EARTH"}) {
    EXPECT_FALSE(ParseEntity(text).ok()) << text;
  }
}

// Ids are a pure function of TYPE/CODE: pin the encoding so a change is a deliberate decision
// (stored series are keyed by these ids).
TEST(EntityTest, IdsAreStableAndTyped) {
  EXPECT_EQ(CountryId(MakeCountryCode("KZ")), (uint64_t{1} << 56) | ('K' << 8 | 'Z'));
  EXPECT_EQ(AsnId(9198), (uint64_t{3} << 56) | 9198);
  EXPECT_EQ(GeoAsnId(MakeCountryCode("KZ"), 9198),
            (uint64_t{4} << 56) | (uint64_t('K' << 8 | 'Z') << 32) | 9198);
  EntityId ala = *ParseEntity("region/KZ-ALA");
  EXPECT_EQ(IdType(ala), EntityType::kRegion);
  EXPECT_EQ(IdCountry(ala), MakeCountryCode("KZ"));
  EXPECT_NE(*ParseEntity("region/KZ-A"), *ParseEntity("region/KZ-A0"));
  EXPECT_EQ(RegionString(MakeRegionCode("FR-75C")), "FR-75C");
}

TEST(EntityTest, AttributionIds) {
  Attribution a{MakeCountryCode("KZ"), MakeRegionCode("KZ-ALA"), 9198};
  EXPECT_EQ(FormatEntity(a.country_id()), "country/KZ");
  EXPECT_EQ(FormatEntity(a.region_id()), "region/KZ-ALA");
  EXPECT_EQ(FormatEntity(a.asn_id()), "asn/9198");
  EXPECT_EQ(FormatEntity(a.geoasn_id()), "geoasn/KZ-9198");
  Attribution none;
  EXPECT_EQ(none.country_id(), 0u);
  EXPECT_EQ(none.geoasn_id(), 0u);
}

}  // namespace
}  // namespace blackout::geo
