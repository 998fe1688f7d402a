// The write API's webhook subscriptions (token-protected, secrets never answered, validated on
// entry) and /api/v2/annotations serving curated records beside users' notes (issue 22).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "blackout/notify/subscription.h"
#include "blackout/server/api.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr const char* kSecret = "a-very-secret-webhook-key";

class NotifyApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::OpenStore("sqlite:" + (dir_ / "s.db").string());
    ASSERT_TRUE(st.ok());
    store_ = std::move(*st);
    data_.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}}});
    Actions a;
    a.add_subscription = [this](const std::string& body) {
      return notify::AddSubscriptionFromJson(*store_, body, 1700000000);
    };
    a.list_subscriptions = [this] { return notify::ListSubscriptionsJson(*store_); };
    a.remove_subscription = [this](const std::string& id) {
      return notify::RemoveSubscription(*store_, id);
    };
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.token = "tok";
    o.now = [] { return int64_t{1700000000}; };
    server_ = std::make_unique<ApiServer>(data_, o, a);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }
  httplib::Client Client(bool token = true) {
    httplib::Client c("127.0.0.1", server_->port());
    if (token) c.set_bearer_token_auth("tok");
    return c;
  }

  blackout::testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  MemoryData data_;
  std::unique_ptr<ApiServer> server_;
};

TEST_F(NotifyApiTest, SubscriptionsAddListRemoveWithTokenAndNoSecretInAnswers) {
  const std::string body = json{
      {"url", "https://hooks.example/x?key=1"},
      {"secret", kSecret},
      {"entities", {"country/kz"}},
      {"includeRelated", true},
      {"kinds", {"start", "end"}},
      {"minDrop", 0.5}}.dump();
  EXPECT_EQ(Client(false).Post("/api/v2/admin/subscriptions", body, "application/json")->status,
            401);
  EXPECT_EQ(Client(false).Get("/api/v2/admin/subscriptions")->status, 401);
  auto added = Client().Post("/api/v2/admin/subscriptions", body, "application/json");
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 201) << added->body;
  EXPECT_THAT(added->body, Not(HasSubstr(kSecret)));
  const json sub = json::parse(added->body)["data"];
  EXPECT_EQ(sub["entities"], json({"country/KZ"}));
  EXPECT_EQ(sub["secret"], "(set)");
  const std::string id = sub["id"];
  auto list = Client().Get("/api/v2/admin/subscriptions");
  ASSERT_EQ(list->status, 200);
  EXPECT_THAT(list->body, Not(HasSubstr(kSecret)));
  EXPECT_EQ(json::parse(list->body)["data"].size(), 1u);
  // Stored with the secret (for signing), shown without it.
  auto stored = notify::ListSubscriptions(*store_);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].secret, kSecret);
  EXPECT_EQ(Client(false).Delete("/api/v2/admin/subscriptions/" + id)->status, 401);
  EXPECT_EQ(Client().Delete("/api/v2/admin/subscriptions/" + id)->status, 200);
  EXPECT_EQ(Client().Delete("/api/v2/admin/subscriptions/" + id)->status, 404);
  EXPECT_EQ(json::parse(Client().Get("/api/v2/admin/subscriptions")->body)["data"].size(), 0u);
}

TEST_F(NotifyApiTest, SubscriptionsAreValidatedOnEntry) {
  for (const json& bad : {json{{"url", "ftp://x"}, {"secret", kSecret}},
                          json{{"url", "https://x"}, {"secret", "short"}},
                          json{{"url", "https://x"}, {"secret", kSecret}, {"entities", {"moon/1"}}},
                          json{{"url", "https://x"}, {"secret", kSecret}, {"kinds", {"party"}}},
                          json{{"url", "https://x"}, {"secret", kSecret}, {"minDrop", 2}},
                          json{{"url", "https://x"}, {"secret", kSecret}, {"signals", {"x"}}},
                          json{{"url", 5}, {"secret", kSecret}}, json::array()}) {
    auto r = Client().Post("/api/v2/admin/subscriptions", bad.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad.dump() << " " << r->body;
    EXPECT_THAT(r->body, Not(HasSubstr(kSecret)));
  }
  EXPECT_EQ(Client().Post("/api/v2/admin/subscriptions", "{not json", "application/json")->status,
            400);
}

TEST_F(NotifyApiTest, CuratedAnnotationsServedBesideNotesAndFiltered) {
  Annotation a;
  a.entity_type = "country";
  a.entity_code = "KZ";
  a.from = 1641254400;
  a.until = 1641254400 + 8 * 86400;
  a.text =
      "Access Now's #KeepItOn list records a shutdown in Kazakhstan from 4 to 11 January 2022.";
  a.source = "keepiton";
  a.id = "abc";
  a.kind = "shutdown";
  a.cause = "Protests";
  a.whole_days = true;
  Annotation r = a;
  r.entity_code = "KE";
  r.source = "radar";
  r.whole_days = false;
  server_->ReplaceCurated({a, r});
  auto all = json::parse(Client(false).Get("/api/v2/annotations")->body)["data"];
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["source"], "keepiton");
  EXPECT_EQ(all[0]["wholeDays"], true);
  EXPECT_EQ(all[0]["cause"], "Protests");
  auto kz = json::parse(Client(false).Get("/api/v2/annotations?entity=country/KZ")->body)["data"];
  ASSERT_EQ(kz.size(), 1u);
  auto radar = json::parse(Client(false).Get("/api/v2/annotations?source=radar")->body)["data"];
  ASSERT_EQ(radar.size(), 1u);
  EXPECT_EQ(radar[0]["entityCode"], "KE");
  auto later = Client(false).Get("/api/v2/annotations?from=2022-02-01&until=2022-03-01");
  EXPECT_EQ(json::parse(later->body)["data"].size(), 0u);
  EXPECT_EQ(Client(false).Get("/api/v2/annotations?entity=nonsense")->status, 400);
}

}  // namespace
}  // namespace blackout::server
