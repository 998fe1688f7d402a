// The signal on real collector data (what is checked and why: docs/bgp.md, "Real data").
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "blackout/base/time.h"
#include "blackout/bgp/geo_blocks.h"
#include "blackout/bgp/ingest.h"
#include "blackout/geo/geodb.h"
#include "blackout/testing/testing.h"

namespace blackout::bgp {
namespace {

using blackout::testing::DataFile;
using Bins = std::vector<std::pair<UnixSeconds, Visibility>>;

Bins Ingest(const std::vector<InputFile>& files, const IngestOptions& o, const BlockGeo* geo,
            uint64_t* problems) {
  Bins bins;
  IngestCallbacks cb;
  cb.on_bin = [&](UnixSeconds t, const Visibility& v, size_t) { bins.emplace_back(t, v); };
  cb.on_file = [&](size_t, const FileReport& r) { *problems += r.problems; };
  Status s = IngestFiles(files, o, geo, cb);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return bins;
}

void ExpectLevelsOrdered(const Bins& bins) {
  for (const auto& [t, v] : bins) {
    for (const auto* m : {&v.v4, &v.v6}) {
      for (const auto& [entity, c] : *m) {
        for (int l = 1; l < kLevels; ++l) {
          ASSERT_LE(c[l], c[l - 1]) << entity << " level " << l << " at " << FormatIso8601(t);
        }
      }
    }
  }
}

double Get(const std::map<std::string, std::array<uint64_t, kLevels>>& m, const std::string& e,
           int level) {
  auto it = m.find(e);
  return it == m.end() ? 0 : static_cast<double>(it->second[level]);
}

// How many of the `n` largest `prefix` entities (at the last bin, by `level`) stay within
// `tolerance` (max/min) over bins[from..].
int StableAmongTop(const Bins& bins, size_t from, bool v6, const std::string& prefix, int level,
                   int n, double tolerance) {
  const auto& last = v6 ? bins.back().second.v6 : bins.back().second.v4;
  std::vector<std::pair<double, std::string>> top;
  for (const auto& [e, c] : last) {
    if (e.rfind(prefix, 0) == 0) top.emplace_back(static_cast<double>(c[level]), e);
  }
  std::sort(top.rbegin(), top.rend());
  int stable = 0;
  for (int i = 0; i < n && i < static_cast<int>(top.size()); ++i) {
    double lo = 1e18, hi = 0;
    for (size_t b = from; b < bins.size(); ++b) {
      double x = Get(v6 ? bins[b].second.v6 : bins[b].second.v4, top[i].second, level);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (lo > 0 && hi / lo <= tolerance) ++stable;
  }
  return stable;
}

TEST(BgpRealDataTest, Rrc04UpdateStreamByOriginAsAndCountry) {
  auto files = DescribeInputs({DataFile("mrt/ris-rrc04-2021-01-01").string()});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 26u);
  EXPECT_EQ((*files)[0].collector, "ris-rrc04-2021-01-01");
  auto db = geo::GeoDb::Open();
  ASSERT_TRUE(db.ok()) << "geolocation data is needed: " << db.status().ToString();
  GeoDbBlocks geo(**db);
  IngestOptions o;
  o.view = {.full_feed_v4 = 0, .full_feed_v6 = 0};  // an update stream: no peer has a full table
  uint64_t problems = 0;
  Bins bins = Ingest(*files, o, &geo, &problems);
  EXPECT_EQ(problems, 0u);
  // One bin per five minutes, 04:55 .. 07:00 (the files are consecutive).
  ASSERT_EQ(bins.size(), 26u);
  EXPECT_EQ(bins.front().first, ParseTime("2021-01-01T04:55:00Z").value());
  for (size_t i = 1; i < bins.size(); ++i) EXPECT_EQ(bins[i].first - bins[i - 1].first, 300);
  ExpectLevelsOrdered(bins);

  const Visibility& end = bins.back().second;
  EXPECT_GE(end.full_feed_asns_v4, 5);  // rrc04's IPv4 peers holding routes, by ASN
  // Geolocated blocks: every country's count fits in the total, regions in their country, and
  // most announced blocks have a country.
  double countries = 0;
  int n_countries = 0;
  for (const auto& [e, c] : end.v4) {
    if (e.rfind("country/", 0) == 0) {
      countries += static_cast<double>(c[0]);
      ++n_countries;
    }
    if (e.rfind("region/", 0) == 0) {
      std::string cc = "country/" + e.substr(7, 2);
      EXPECT_LE(static_cast<double>(c[0]), Get(end.v4, cc, 0)) << e;
    }
  }
  EXPECT_LE(countries, static_cast<double>(end.total_v4[0]));
  EXPECT_GE(countries, 0.9 * static_cast<double>(end.total_v4[0]));
  EXPECT_GT(n_countries, 50);
  EXPECT_LT(end.total_v4[0], uint64_t{1} << 24);
  // Quiet last hour: the 20 largest origin ASes keep their blocks (max/min <= 1.02).
  EXPECT_GE(StableAmongTop(bins, bins.size() - 12, false, "asn/", 0, 20, 1.02), 16);
}

TEST(BgpRealDataTest, RouteViews6FullRibThenUpdatesIsStable) {
  auto files = DescribeInputs({DataFile("mrt/hask-mrt/test/data/rib.bz2").string(),
                               DataFile("mrt/hask-mrt/test/data/update.bz2").string()},
                              "route-views6");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_TRUE((*files)[0].rib);
  IngestOptions o;  // the default thresholds: 10,000 IPv6 prefixes make a full feed
  uint64_t problems = 0;
  Bins bins = Ingest(*files, o, nullptr, &problems);
  EXPECT_EQ(problems, 0u);
  // The RIB (2015-09-22 12:00) and, 17 days later, 15 minutes of updates (12:30 .. 12:45): the
  // gap is not filled.
  ASSERT_EQ(bins.size(), 5u);
  EXPECT_EQ(bins[0].first, ParseTime("2015-09-22T12:00:00Z").value());
  EXPECT_EQ(bins[1].first, ParseTime("2015-10-09T12:30:00Z").value());
  ExpectLevelsOrdered(bins);
  const Visibility& rib = bins[0].second;
  EXPECT_GE(rib.full_feed_asns_v6, 10);
  EXPECT_GT(rib.total_v6[2], 0u);
  EXPECT_GT(rib.v6.size(), 5000u);  // origin ASes of a full IPv6 table in 2015
  // Updates change a few prefixes: the >50% total moves by less than 1% from bin to bin, and by
  // less than 5% from the 17-day-old RIB; the 20 largest origin ASes stay within 2%.
  for (size_t i = 2; i < bins.size(); ++i) {
    double a = static_cast<double>(bins[i - 1].second.total_v6[2]);
    double b = static_cast<double>(bins[i].second.total_v6[2]);
    EXPECT_LT(std::abs(b - a) / a, 0.01) << i;
  }
  double r =
      static_cast<double>(bins.back().second.total_v6[2]) / static_cast<double>(rib.total_v6[2]);
  EXPECT_GT(r, 0.95);
  EXPECT_LT(r, 1.05);
  EXPECT_GE(StableAmongTop(bins, 1, true, "asn/", 2, 20, 1.02), 18);
}

}  // namespace
}  // namespace blackout::bgp
