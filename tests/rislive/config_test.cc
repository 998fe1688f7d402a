// sources.ris_live in the service's config (docs/config.md, docs/rislive.md).
#include <gtest/gtest.h>

#include <string>

#include "blackout/service/service.h"

namespace blackout::service {
namespace {

TEST(RisLiveConfigTest, UrlAndFilters) {
  auto c = ParseServiceConfig(
      "[sources]\nris_live = { url = \"wss://ris-live.ripe.net/v1/ws/?client=x\", filters = { "
      "host = \"rrc00\", prefix = \"193.0.0.0/16\", moreSpecific = false, type = \"UPDATE\" } }\n",
      "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ris_live_url, "wss://ris-live.ripe.net/v1/ws/?client=x");
  EXPECT_EQ(c->ris_live_filters.at("host"), "rrc00");
  EXPECT_EQ(c->ris_live_filters.at("prefix"), "193.0.0.0/16");
  EXPECT_EQ(c->ris_live_filters.at("moreSpecific"), "false");
  EXPECT_EQ(c->ris_live_filters.at("type"), "UPDATE");
  EXPECT_FALSE(c->simulate);  // a live source is a source: no scenario by default
}

TEST(RisLiveConfigTest, DefaultUrl) {
  auto c = ParseServiceConfig("[sources]\nris_live = {}\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->ris_live_url, "wss://ris-live.ripe.net/v1/ws/?client=blackout");
  EXPECT_TRUE(c->ris_live_filters.empty());
}

TEST(RisLiveConfigTest, MistakesAreErrors) {
  const char* bad[][2] = {
      {"ris_live = \"wss://x/\"", "must be a table"},
      {"ris_live = { url = \"https://x/\" }", "ws:// or wss://"},
      {"ris_live = { uri = \"wss://x/\" }", "unknown key sources.ris_live.uri"},
      {"ris_live = { filters = { hots = \"rrc00\" } }", "sources.ris_live.filters.hots"},
      {"ris_live = { filters = { moreSpecific = \"yes\" } }", "true or false"},
      {"ris_live = { filters = { host = 0 } }", "must be a string"},
  };
  for (const auto& [text, why] : bad) {
    auto c = ParseServiceConfig(std::string("[sources]\n") + text + "\n", "t.toml");
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_NE(c.status().message().find(why), std::string::npos)
        << text << " -> " << c.status().message();
  }
}

}  // namespace
}  // namespace blackout::service
