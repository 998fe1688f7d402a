#include "blackout/store/signals.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "blackout/store/types.h"

namespace blackout::store {
namespace {

TEST(SignalRegistryTest, NamesAreUniqueAndEveryNameFindsItsEntry) {
  std::set<std::string> seen;
  for (const SignalInfo& s : Signals()) {
    std::set<std::string> own;
    for (std::string_view n : {s.name, s.datasource, s.ioda_alias}) {
      if (n.empty()) continue;
      own.insert(std::string(n));
      EXPECT_EQ(FindSignal(n), &s) << n;
    }
    for (const std::string& n : own) {
      EXPECT_TRUE(seen.insert(n).second) << n << " names two signals";
    }
    EXPECT_FALSE(s.label.empty());
    EXPECT_FALSE(s.unit.empty());
    EXPECT_GT(s.native_step, 0);
  }
  EXPECT_EQ(FindSignal("PING-SLASH24")->name, "probe");
  EXPECT_EQ(FindSignal("bgp")->ingest, "bgp");  // served: some module ingests it
  EXPECT_EQ(FindSignal("nope"), nullptr);
  EXPECT_EQ(FindSignal(""), nullptr);
}

// The store's canonical names and IODA-shaped names are the registry's.
TEST(SignalRegistryTest, StoreNamesComeFromTheRegistry) {
  for (const SignalInfo& s : Signals()) {
    EXPECT_EQ(CanonicalSignal(s.datasource), s.name);
    EXPECT_EQ(IodaDatasource(s.name), s.datasource);
    if (!s.ioda_alias.empty()) {
      EXPECT_EQ(CanonicalSignal(s.ioda_alias), s.name);
    }
  }
  EXPECT_EQ(CanonicalSignal("bgp-25"), "bgp-25");   // BGP's visibility levels pass through
  EXPECT_EQ(IodaDatasource("traffic"), "traffic");  // web clients are not Google's gtr
}

}  // namespace
}  // namespace blackout::store
