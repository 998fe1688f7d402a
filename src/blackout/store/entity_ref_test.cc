#include "blackout/store/entity_ref.h"

#include <gtest/gtest.h>

#include <set>

namespace blackout::store {
namespace {

TEST(EntityRefTest, ParseFoldsCaseTheWayEachTypeIsWritten) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {{"country/kz", "country/KZ"},         {"COUNTRY/Kz", "country/KZ"},
               {"region/kz-ala", "region/KZ-ALA"},   {"asn/9198", "asn/9198"},
               {"ASN/as9198", "asn/9198"},           {"asn/AS9198", "asn/9198"},
               {"geoasn/kz-9198", "geoasn/KZ-9198"}, {"custom/MiXed", "custom/MiXed"}};
  for (const Case& c : cases) {
    auto r = EntityRef::Parse(c.in);
    ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
    EXPECT_EQ(r->ToString(), c.out) << c.in;
  }
}

TEST(EntityRefTest, ParseRejectsWhatTheStoreCannotHoldAndSaysTheForm) {
  for (const char* bad : {"KZ", "", "/KZ", "country/", "country/K Z", "coun try/KZ"}) {
    auto r = EntityRef::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(EntityRef::Parse("KZ").status().message().find("TYPE/CODE"), std::string::npos);
}

TEST(EntityRefTest, FromCanonicalSplitsWithoutFolding) {
  EntityRef r = EntityRef::FromCanonical("region/KZ-ALA");
  EXPECT_EQ(r.type(), "region");
  EXPECT_EQ(r.code(), "KZ-ALA");
  EXPECT_EQ(EntityRef::FromCanonical("asn/x/y").code(), "x/y");
  EXPECT_EQ(EntityRef::FromCanonical("nothing").type(), "");
  EXPECT_EQ(EntityRef::FromCanonical("nothing").code(), "nothing");
}

TEST(EntityRefTest, CountryOfRegionAndOrdering) {
  EXPECT_EQ(EntityRef::FromCanonical("region/KZ-ALA").CountryOfRegion()->ToString(), "country/KZ");
  EXPECT_FALSE(EntityRef::FromCanonical("region/-X").CountryOfRegion());
  EXPECT_FALSE(EntityRef::FromCanonical("country/KZ").CountryOfRegion());
  std::set<EntityRef> s{EntityRef("country", "KZ"), EntityRef("asn", "9198"),
                        EntityRef("country", "KZ")};
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.begin()->type(), "asn");
}

}  // namespace
}  // namespace blackout::store
