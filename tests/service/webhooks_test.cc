// Webhooks through `blackout run` (issue 22): the service queues a delivery per subscription and
// notice after its pass and delivers it from its own threads; a run stopped while the receiver is
// down leaves the queue in the store and the next run delivers every delivery, each once. No
// scenario: the store is filled by the test (events of entities without series, which detection
// leaves alone), so each run is ready in about a second. Also: the write API's subscriptions and
// the curated annotations the service loads from the store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "blackout/curated/curated.h"
#include "blackout/notify/notifier.h"
#include "blackout/notify/receiver_testing.h"
#include "blackout/notify/subscription.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
using notify::testing::Answer;
using notify::testing::Receiver;

constexpr const char* kSecret = "service-test-webhook-secret";

void FillStore(const std::string& url, const std::string& hook) {
  auto st = store::OpenStore(url);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  store::WriteBatch b;
  store::Event kz;
  kz.id = "country/KZ@1641379500";
  kz.entity = "country/KZ";
  kz.start = 1641379500;
  kz.end = 1641805200;
  kz.depth = 0.03;
  kz.signals = {"probe", "bgp"};
  kz.phases = {{store::Phase::kNearTotalBlackout, kz.start, 1641790000, 0.03},
               {store::Phase::kPartialRecovery, 1641790000, kz.end, 0.5}};
  b.AddEvent(kz);
  store::Event app;
  app.id = "ooni:asn/9198@1641168000";
  app.entity = "asn/9198";
  app.start = 1641168000;
  app.end = 1641250800;
  app.signals = {"app-blocking"};
  app.method = "ooni-wilson";
  b.AddEvent(app);
  ASSERT_TRUE((*st)->Apply(b).ok());
  notify::Subscription s;
  s.id = notify::NewSubscriptionId();
  s.url = hook;
  s.secret = kSecret;
  s.entities = {"country/KZ"};
  s.include_related = true;  // without geo data an ASN has no parent: asn/9198 is not under KZ
  ASSERT_TRUE(notify::Validate(s).ok());
  ASSERT_TRUE(notify::SaveSubscription(**st, s).ok());
  notify::Subscription all = s;  // every entity: the app-blocking event's notices too
  all.id = notify::NewSubscriptionId();
  all.entities.clear();
  all.include_related = false;
  all.kinds = {notify::NoticeKind::kUnblocked};
  ASSERT_TRUE(notify::SaveSubscription(**st, all).ok());
  curated::CuratedOutage kio{.source = "keepiton",
                             .id = "kz",
                             .entities = {"country/KZ"},
                             .from = 1641254400,
                             .until = 1641945600,
                             .whole_days = true,
                             .kind = "shutdown",
                             .cause = "Protests"};
  ASSERT_TRUE(curated::SaveOutages(**st, std::vector<curated::CuratedOutage>{kio}).ok());
}

std::filesystem::path Config(const testing::TempDir& dir) {
  const auto path = dir / "c.toml";
  testing::WriteFile(path, "[data]\ndir = \"" + (dir / "data").string() +
                               "\"\n[scenario]\nenabled = false\n[geo]\nenabled = false\n"
                               "[server]\nlisten = \"127.0.0.1:0\"\ntoken = \"tok\"\n"
                               "[sources]\npoll_seconds = 3600\n");
  return path;
}

TEST(ServiceWebhooks, ARestartWhileTheReceiverIsDownLosesNoDelivery) {
  testing::TempDir dir;
  const std::string url = "sqlite:" + (dir / "data" / "blackout.db").string();
  int port = 0;
  {
    Receiver probe({});  // a free port, closed again: connections to it are refused
    port = probe.port();
  }
  const std::string hook = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  FillStore(url, hook);
  // 3 notices of the KZ event (start, partial recovery, end) for the KZ subscription, and the
  // app-blocking event's "now unblocked" for the other.
  const size_t expected = 4;
  {
    testing::ServiceProcess run(dir, Config(dir));
    const int api = run.WaitReady();
    ASSERT_NE(api, 0) << run.Log();
    httplib::Client c("127.0.0.1", api);
    c.set_bearer_token_auth("tok");
    auto subs = c.Get("/api/v2/admin/subscriptions");
    ASSERT_TRUE(subs);
    EXPECT_EQ(subs->status, 200);
    EXPECT_THAT(subs->body, Not(HasSubstr(kSecret)));
    auto notes = c.Get("/api/v2/annotations?source=keepiton");
    ASSERT_TRUE(notes);
    EXPECT_THAT(notes->body,
                HasSubstr("records a shutdown in Kazakhstan from 4 to 11 January 2022"))
        << notes->body;
    // The pass queued the deliveries; the receiver refuses them. Stop mid-way.
    auto st = store::OpenStore(url);
    ASSERT_TRUE(st.ok());
    size_t queued = 0;
    for (int i = 0; i < 200 && queued < expected; ++i) {
      queued = (*st)->ListRecords(notify::kQueueKind).value_or({}).size();
      if (queued < expected) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(queued, expected) << run.Log();
    EXPECT_EQ(run.Stop(), 0);
    EXPECT_THAT(run.Log(), Not(HasSubstr(kSecret)));
  }
  Receiver rx({Answer::kFail500}, port);
  ASSERT_EQ(rx.port(), port);
  testing::ServiceProcess again(dir, Config(dir));
  ASSERT_NE(again.WaitReady(), 0) << again.Log();
  std::set<std::string> delivered;
  for (int i = 0; i < 600 && delivered.size() < expected; ++i) {
    delivered.clear();
    auto got = rx.received();
    auto answers = rx.answered();
    for (size_t k = 0; k < got.size(); ++k) {
      if (answers[k] == Answer::kOk) delivered.insert(got[k].headers["x-blackout-delivery"]);
    }
    if (delivered.size() < expected) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(delivered.size(), expected) << again.Log();
  size_t ok_answers = 0;
  for (Answer a : rx.answered()) ok_answers += a == Answer::kOk;
  EXPECT_EQ(ok_answers, expected);  // each delivered once
  for (const auto& r : rx.received()) {
    const std::string sig = r.headers.at("x-blackout-signature");
    const int64_t t = std::stoll(sig.substr(2, sig.find(',') - 2));
    EXPECT_EQ(sig, notify::SignatureHeader(kSecret, t, r.body));
    // Every payload says what it was measured from.
    const nlohmann::json body = nlohmann::json::parse(r.body);
    ASSERT_TRUE(body.contains("provenance")) << r.body;
    EXPECT_TRUE(body["provenance"]["simulation"].is_boolean());
    EXPECT_FALSE(body["provenance"]["attribution"].get<std::string>().empty()) << r.body;
    EXPECT_NE(body["provenance"]["attribution"], "provenance unknown");
  }
  EXPECT_TRUE(std::any_of(delivered.begin(), delivered.end(), [](const std::string& k) {
    return k.find("/unblocked@1641250800") != std::string::npos;
  }));
  EXPECT_EQ(again.Stop(), 0);
  auto st = store::OpenStore(url);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE((*st)->ListRecords(notify::kQueueKind)->empty());
  EXPECT_EQ((*st)->ListRecords(notify::kLogKind)->size(), expected);
}

}  // namespace
}  // namespace blackout
