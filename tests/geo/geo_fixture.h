// Builds hand-made dataset folders laid out like geo-data/ (node_modules/@ip-location-db/...), for
// tests of bad input and of the attribution rules on ranges we control.
#pragma once

#include <filesystem>
#include <string>

#include "blackout/testing/testing.h"

namespace blackout::geo::testing {

inline std::filesystem::path Packages(const std::filesystem::path& dir) {
  return dir / "node_modules" / "@ip-location-db";
}

// Writes asn-ipv4.csv / dbip-country-ipv4.csv (and empty IPv6 files) with the given contents.
inline void WriteDataset(const std::filesystem::path& dir, const std::string& asn_csv,
                         const std::string& country_csv) {
  namespace fs = std::filesystem;
  auto p = Packages(dir);
  for (const char* pkg : {"asn", "dbip-country", "dbip-city-mmdb"}) {
    fs::create_directories(p / pkg);
    blackout::testing::WriteFile(
        p / pkg / "package.json",
        std::string("{\"name\":\"@ip-location-db/") + pkg + "\",\"version\":\"2.3.2026010100\"}");
  }
  blackout::testing::WriteFile(p / "asn" / "asn-ipv4.csv", asn_csv);
  blackout::testing::WriteFile(p / "asn" / "asn-ipv6.csv", "");
  blackout::testing::WriteFile(p / "dbip-country" / "dbip-country-ipv4.csv", country_csv);
  blackout::testing::WriteFile(p / "dbip-country" / "dbip-country-ipv6.csv", "");
}

}  // namespace blackout::geo::testing
