#include "blackout/rislive/client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace blackout::rislive {
namespace {

TEST(ParseUrlTest, SchemesHostsPortsTargets) {
  auto u = ParseUrl("wss://ris-live.ripe.net/v1/ws/?client=blackout");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "ris-live.ripe.net");
  EXPECT_EQ(u->port, "443");
  EXPECT_EQ(u->target, "/v1/ws/?client=blackout");
  u = ParseUrl("ws://127.0.0.1:8765");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->port, "8765");
  EXPECT_EQ(u->target, "/");
  u = ParseUrl("ws://[::1]:9?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->target, "/?x=1");
  for (const char* bad : {"http://x/", "ws://", "ws://h:99999999/", "ws://[::1/", "ws://h:x/"}) {
    EXPECT_EQ(ParseUrl(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(SubscribeMessageTest, CarriesTheFiltersAndAsksForRaw) {
  Filters f;
  f.host = "rrc00";
  f.prefix = "193.0.0.0/16";
  f.type = "UPDATE";
  auto j = nlohmann::json::parse(SubscribeMessage(f));
  EXPECT_EQ(j["type"], "ris_subscribe");
  EXPECT_EQ(j["data"]["host"], "rrc00");
  EXPECT_EQ(j["data"]["prefix"], "193.0.0.0/16");
  EXPECT_EQ(j["data"]["moreSpecific"], true);
  EXPECT_EQ(j["data"]["lessSpecific"], false);
  EXPECT_EQ(j["data"]["type"], "UPDATE");
  EXPECT_FALSE(j["data"].contains("peer"));
  EXPECT_EQ(j["data"]["socketOptions"]["includeRaw"], true);
  auto all = nlohmann::json::parse(SubscribeMessage(Filters{}));
  EXPECT_FALSE(all["data"].contains("moreSpecific"));  // no prefix: everything
}

}  // namespace
}  // namespace blackout::rislive
