#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "blackout/notify/notice.h"
#include "blackout/notify/notifier.h"
#include "blackout/notify/receiver_testing.h"
#include "blackout/notify/subscription.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::notify {
namespace {

using testing::Answer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Receiver;

constexpr UnixSeconds kT0 = 1641340800;  // 2022-01-05

store::Event Outage(std::string entity, UnixSeconds start, std::optional<UnixSeconds> end,
                    double depth = 0.05) {
  store::Event e;
  e.entity = std::move(entity);
  e.start = start;
  e.end = end;
  e.depth = depth;
  e.score = 5000;
  e.signals = {"probe", "bgp"};
  e.phases = {{store::Phase::kNearTotalBlackout, start, start + 3600, 0.05},
              {store::Phase::kPartialRecovery, start + 3600, end, 0.6}};
  return e;
}

Subscription Sub(std::string url, std::vector<std::string> entities = {}) {
  Subscription s;
  s.id = NewSubscriptionId();
  s.url = std::move(url);
  s.secret = "0123456789abcdef-secret";
  s.entities = std::move(entities);
  return s;
}

TEST(Notices, StartPhaseChangesAndEndWithStableIds) {
  store::Event e = Outage("country/KZ", kT0, kT0 + 7200);
  auto n = NoticesOf(e);
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].id, "country/KZ@1641340800/start@1641340800");
  EXPECT_EQ(n[1].kind, NoticeKind::kPhase);
  EXPECT_EQ(n[1].phase, "partial-recovery");
  EXPECT_EQ(NoticeWhat(n[1]), "partial recovery");
  EXPECT_EQ(n[2].kind, NoticeKind::kEnd);
  store::Event app = e;
  app.signals = {"app-blocking"};
  app.phases.clear();
  auto a = NoticesOf(app);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].kind, NoticeKind::kUnblocked);
  EXPECT_EQ(NoticeWhat(a[1]), "now unblocked");
  e.end.reset();  // ongoing: no end notice, the same ids for the rest
  auto open = NoticesOf(e);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[1].id, n[1].id);
}

TEST(Subscriptions, ValidatedOnEntry) {
  Subscription s = Sub("http://127.0.0.1:1/x", {"Country/kz", "asn/AS9198"});
  s.signals = {"ping-slash24"};
  ASSERT_TRUE(Validate(s).ok());
  EXPECT_THAT(s.entities, ElementsAre("asn/9198", "country/KZ"));
  EXPECT_THAT(s.signals, ElementsAre("probe"));
  Subscription bad = s;
  bad.url = "ftp://x";
  EXPECT_FALSE(Validate(bad).ok());
  bad = s;
  bad.secret = "short";
  Status st = Validate(bad);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), ::testing::Not(HasSubstr("short")));
  bad = s;
  bad.entities = {"planet/earth"};
  EXPECT_FALSE(Validate(bad).ok());
  bad = s;
  bad.min_drop = 1.5;
  EXPECT_FALSE(Validate(bad).ok());
  bad = s;
  bad.signals = {"carrier-pigeon"};
  EXPECT_FALSE(Validate(bad).ok());
  EXPECT_THAT(SubscriptionJson(s, false), ::testing::Not(HasSubstr(s.secret)));
  auto back = SubscriptionFromJson(SubscriptionJson(s, true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->secret, s.secret);
  EXPECT_EQ(back->entities, s.entities);
}

TEST(Subscriptions, MatchByEntityRelatedSignalDepthScoreAndKind) {
  std::vector<Subscription> subs(6, Sub("http://h/"));
  subs[0].entities = {"country/KZ"};
  subs[1].entities = {"country/KZ"};
  subs[1].include_related = true;
  subs[2].entities = {};  // everything
  subs[2].kinds = {NoticeKind::kEnd};
  subs[3].entities = {"region/KZ-ALA"};
  subs[4].min_drop = 0.99;  // only near-total
  subs[5].signals = {"darknet"};
  SubscriptionIndex index(subs);
  store::Event country = Outage("country/KZ", kT0, kT0 + 60);
  store::Event region = Outage("region/KZ-ALA", kT0, std::nullopt);
  std::vector<uint32_t> m;
  index.Match(NoticesOf(country)[0], &m);
  EXPECT_THAT(m, ElementsAre(0, 1));
  index.Match(NoticesOf(country).back(), &m);  // the end
  EXPECT_THAT(m, ElementsAre(0, 1, 2));
  index.Match(NoticesOf(region)[0], &m);
  EXPECT_THAT(m, ElementsAre(1, 3));  // the country's related subscription and its own
  region.depth = 0.005;
  index.Match(NoticesOf(region)[0], &m);
  EXPECT_THAT(m, ElementsAre(1, 3, 4));
}

TEST(Signature, HmacSha256OverTimestampAndBody) {
  // python3: hmac.new(b"0123456789abcdef", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
  EXPECT_EQ(SignatureHeader("0123456789abcdef", 1700000000, R"({"a":1})"),
            "t=1700000000,v1=9eb18f493f8ec135d9eb2dad817c369bb4e9cbfa818657897a7437c1cd8c3a23");
}

NotifierOptions FastOptions() {
  NotifierOptions o;
  o.max_connections = 1;
  o.connect_timeout_ms = 500;
  o.timeout_ms = 400;
  o.backoff_initial_ms = 20;
  o.backoff_max_ms = 200;
  o.base_url = "https://observatory.example";
  return o;
}

// The delivery log keeps log_retention_days: older entries go at Start, newer ones stay.
TEST(Notifier, OldDeliveryLogEntriesArePrunedAtStart) {
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  const int64_t now_s = 1'800'000'000;
  std::vector<store::Record> log = {
      {std::string(kLogKind), "old", now_s - 91 * 86400, "{}"},
      {std::string(kLogKind), "recent", now_s - 89 * 86400, "{}"},
  };
  ASSERT_TRUE((*st)->PutRecords(log).ok());
  NotifierOptions o = FastOptions();
  o.now_ms = [&] { return now_s * 1000; };
  {
    Notifier n(**st, o);
    ASSERT_TRUE(n.Start().ok());
    n.Stop();
  }
  auto left = (*st)->ListRecords(kLogKind);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().key, "recent");
  o.log_retention_days = 0;  // keep everything
  ASSERT_TRUE((*st)->PutRecords(log).ok());
  Notifier keep(**st, o);
  ASSERT_TRUE(keep.Start().ok());
  keep.Stop();
  EXPECT_EQ((*st)->ListRecords(kLogKind)->size(), 2u);
}

// The receiver fails (500), stalls (no answer), answers garbage, then recovers: one delivery,
// four attempts, the same idempotency key and a valid signature each time, delivered once.
TEST(Notifier, RetriesThroughFailureStallAndGarbageThenDelivers) {
  Receiver rx({Answer::kFail500, Answer::kStall, Answer::kGarbage});
  ASSERT_GT(rx.port(), 0);
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  Subscription s = Sub(rx.url(), {"country/KZ"});
  ASSERT_TRUE(Validate(s).ok());
  ASSERT_TRUE(SaveSubscription(**st, s).ok());
  Notifier n(**st, FastOptions());
  ASSERT_TRUE(n.Start().ok());
  n.SetProvenance([](const store::Event& e) {
    return EventProvenance{true, "SIMULATION: test. Data of " + e.entity};
  });
  std::vector<store::Event> events = {Outage("country/KZ", kT0, std::nullopt),
                                      Outage("country/UZ", kT0, std::nullopt)};
  events[0].phases.resize(1);
  events[1].phases.resize(1);
  auto pass = n.OnPass(events);
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->notices, 2u);
  EXPECT_EQ(pass->deliveries, 1u);
  // The same pass again queues nothing (seen notices).
  EXPECT_EQ(n.OnPass(events)->deliveries, 0u);
  ASSERT_TRUE(n.WaitIdle(30000));
  auto got = rx.received();
  ASSERT_EQ(got.size(), 4u);
  const std::string key = got[0].headers["x-blackout-delivery"];
  EXPECT_EQ(key, s.id + "/country/KZ@1641340800/start@1641340800");
  for (const auto& r : got) {
    EXPECT_EQ(r.headers.at("x-blackout-delivery"), key);
    const std::string sig = r.headers.at("x-blackout-signature");
    const int64_t t = std::stoll(sig.substr(2, sig.find(',') - 2));
    EXPECT_EQ(sig, SignatureHeader(s.secret, t, r.body));
    EXPECT_EQ(r.body, got[0].body);
  }
  auto body = nlohmann::json::parse(got[0].body);
  EXPECT_EQ(body["notice"]["kind"], "start");
  EXPECT_EQ(body["event"]["entity"], "country/KZ");
  // Where it was measured from; simulated data marked as such.
  EXPECT_EQ(body["provenance"]["simulation"], true);
  EXPECT_EQ(body["provenance"]["attribution"], "SIMULATION: test. Data of country/KZ");
  EXPECT_EQ(body["notice"]["what"].get<std::string>().rfind("SIMULATION: ", 0), 0u)
      << body["notice"]["what"];
  EXPECT_EQ(
      body["links"]["report"],
      "https://observatory.example/api/v2/reports/country/KZ?from=1641254400&until=1641427200");
  EXPECT_THAT(got[0].body, ::testing::Not(HasSubstr(s.secret)));
  NotifierStats stats = n.Stats();
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.attempts, 4u);
  EXPECT_EQ(stats.pending, 0u);
  auto log = (*st)->ListRecords(kLogKind);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 1u);
  EXPECT_THAT((*log)[0].value, HasSubstr("\"outcome\":\"delivered\""));
  EXPECT_THAT((*log)[0].value, HasSubstr("\"attempts\":4"));
  EXPECT_TRUE((*st)->ListRecords(kQueueKind)->empty());
}

// While a receiver stalls, passes go on queueing (matching never waits for the network).
TEST(Notifier, AStalledReceiverNeverHoldsUpAPass) {
  Receiver rx({Answer::kStall});
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  Subscription s = Sub(rx.url());
  ASSERT_TRUE(SaveSubscription(**st, s).ok());
  NotifierOptions o = FastOptions();
  o.timeout_ms = 60000;  // the stall lasts until Stop()
  Notifier n(**st, o);
  ASSERT_TRUE(n.Start().ok());
  std::vector<store::Event> events = {Outage("country/KZ", kT0, std::nullopt)};
  events[0].phases.resize(1);
  ASSERT_EQ(n.OnPass(events)->deliveries, 1u);
  while (rx.received().empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // The first delivery is stuck in the receiver; a second pass queues its own at once.
  events.push_back(Outage("country/UZ", kT0 + 60, std::nullopt));
  events[1].phases.resize(1);
  auto second = n.OnPass(events);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->deliveries, 1u);
  EXPECT_EQ(n.Stats().pending, 2u);
}

// `run` restarted mid-way: deliveries queued while the receiver was down survive in the store
// and are delivered by the next process, each once.
TEST(Notifier, RestartLosesNoPendingDelivery) {
  blackout::testing::TempDir dir;
  const std::string url = "sqlite:" + (dir / "s.db").string();
  int port = 0;
  {
    Receiver probe({});  // find a free port, then leave it closed: connections are refused
    port = probe.port();
  }
  const std::string hook = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  std::vector<store::Event> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(Outage("country/KZ", kT0 + i * 86400, kT0 + i * 86400 + 7200));
  }
  std::string sub_id;
  {
    auto st = store::OpenStore(url);
    ASSERT_TRUE(st.ok());
    Subscription s = Sub(hook, {"country/KZ"});
    sub_id = s.id;
    ASSERT_TRUE(SaveSubscription(**st, s).ok());
    NotifierOptions o = FastOptions();
    o.max_connections = 3;
    o.backoff_initial_ms = 100000;  // no retry within this process
    Notifier n(**st, o);
    ASSERT_TRUE(n.Start().ok());
    auto pass = n.OnPass(events);
    ASSERT_TRUE(pass.ok());
    EXPECT_EQ(pass->deliveries, 15u);  // 5 events x (start, phase, end)
    // Wait until every first attempt failed (refused), then "crash" (stop without delivering).
    for (int i = 0; i < 2000 && n.Stats().attempts < 15; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(n.Stats().attempts, 15u);
    EXPECT_EQ(n.Stats().delivered, 0u);
  }
  Receiver rx({}, port);
  ASSERT_EQ(rx.port(), port);
  auto st = store::OpenStore(url);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ((*st)->ListRecords(kQueueKind)->size(), 15u);
  NotifierOptions o = FastOptions();
  // The backoff saved with each delivery is honoured: tell the clock it has passed.
  o.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() +
           200000;
  };
  Notifier n(**st, o);
  ASSERT_TRUE(n.Start().ok());
  // The next pass sees the same events: nothing queued twice.
  EXPECT_EQ(n.OnPass(events)->deliveries, 0u);
  ASSERT_TRUE(n.WaitIdle(30000));
  auto got = rx.received();
  std::set<std::string> keys;
  for (const auto& r : got) keys.insert(r.headers.at("x-blackout-delivery"));
  EXPECT_EQ(got.size(), 15u);
  EXPECT_EQ(keys.size(), 15u);
  EXPECT_TRUE((*st)->ListRecords(kQueueKind)->empty());
  EXPECT_EQ((*st)->ListRecords(kLogKind)->size(), 15u);
}

TEST(Notifier, GivesUpAfterMaxAttemptsAndRecordsTheFailure) {
  Receiver rx({Answer::kFail500, Answer::kFail500, Answer::kFail500});
  blackout::testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(SaveSubscription(**st, Sub(rx.url())).ok());
  NotifierOptions o = FastOptions();
  o.max_attempts = 3;
  Notifier n(**st, o);
  ASSERT_TRUE(n.Start().ok());
  std::vector<store::Event> events = {Outage("asn/9198", kT0, std::nullopt)};
  events[0].phases.resize(1);
  ASSERT_EQ(n.OnPass(events)->deliveries, 1u);
  ASSERT_TRUE(n.WaitIdle(30000));
  EXPECT_EQ(rx.received().size(), 3u);
  EXPECT_EQ(n.Stats().failed, 1u);
  auto log = (*st)->ListRecords(kLogKind);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_THAT((*log)[0].value, HasSubstr("\"outcome\":\"failed\""));
  EXPECT_THAT((*log)[0].value, HasSubstr("HTTP 500"));
}

}  // namespace
}  // namespace blackout::notify
