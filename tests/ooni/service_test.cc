// `sources.ooni` in `blackout run`: OONI files are ingested in the pass, ledger-tracked (a second
// pass writes nothing), and the app-blocking events follow detection.
#include "blackout/service/service.h"

#include <gtest/gtest.h>

#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

TEST(OoniServiceTest, SourcesOoniAreIngestedOncePerFile) {
  blackout::testing::TempDir dir;
  const std::string toml = "[data]\ndir = \"" + (dir / "data").string() +
                           "\"\n[geo]\nenabled = false\n[sources]\nooni = [\"" +
                           blackout::testing::DataFile("ooni").string() + "\"]\n";
  auto config = service::ParseServiceConfig(toml, "test.toml");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->simulate);  // a real source: no scenario
  ASSERT_EQ(config->ooni.size(), 1u);
  service::Service s(*config);
  ASSERT_TRUE(s.Prepare().ok());
  auto pass = s.IngestPass();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->ooni_files, 16u);
  EXPECT_EQ(pass->ooni_measurements, 16u);
  auto again = s.IngestPass();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ooni_files, 0u);
  EXPECT_FALSE(service::ParseServiceConfig("[sources]\nooni = 3\n", "bad.toml").ok());
}

}  // namespace
}  // namespace blackout::ooni
