// The feeds read by a real parser (Debian's python3-feedparser, tests/server/feed_check.py): Atom
// well-formed with <author>, absolute links to the dashboard's entity page and an <updated> that
// is the newest entry's; JSON Feed 1.1 with absolute URLs pointing at the dashboard; readable
// titles without internal names; SIMULATION in every title exactly when the data are simulated.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "blackout/server/api.h"
#include "blackout/testing/testing.h"

namespace blackout::server {
namespace {

constexpr UnixSeconds kFrom = 1641254400;  // 2022-01-04T00:00Z

// An event as the store holds it (end 0 = ongoing).
Event MakeEvent(std::string entity, std::vector<std::string> signals, UnixSeconds start,
                UnixSeconds end, double depth) {
  Event e;
  e.entity = std::move(entity);
  e.signals = std::move(signals);
  e.start = start;
  if (end) e.end = end;
  e.depth = depth;
  e.score = 10;
  return e;
}

class FeedsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    data_.ReplaceEntities({{"country", "KZ", "Kazakhstan", {}, {}},
                           {"asn", "9198", "JSC Kazakhtelecom", {"country/KZ"}, {}}});
    Event kz = MakeEvent("country/KZ", {"probe", "traffic"}, kFrom + 3600, kFrom + 7200, 0.05);
    kz.technique = store::Technique::kPacketsFiltered;
    // The latest phase starts after the newest event's start: <updated> must follow it.
    kz.phases = {{store::Phase::kNearTotalBlackout, kFrom + 3600, kFrom + 5400, 0.05},
                 {store::Phase::kPartialRecovery, kFrom + 5400, kFrom + 7200, 0.5}};
    Event as = MakeEvent("asn/9198", {"bgp"}, kFrom + 4000, 0, 0.4);  // ongoing
    // Application blocking (OONI) that ended: "now unblocked" in the per-entity feeds.
    Event app =
        MakeEvent("asn/9198", {"app-blocking"}, kFrom - 86400, kFrom - 3600, store::kMissing);
    app.id = "ooni:asn/9198@1641168000";
    app.method = "ooni-wilson";
    app.extra = R"({"apps":[{"app":"telegram","methods":["DNS"],"blocked":9,"measurements":10,)"
                R"("lower_bound":0.6,"from":1641168000,"until":1641250800}]})";
    data_.ReplaceEvents({app, kz, as});
    report::Provenance p;
    p.simulation = GetParam();
    p.notice = GetParam() ? "SIMULATION: test & <scenario>" : "";
    p.sources = {{"probe", "probe", {"vp-1"}, 1}};
    data_.ReplaceProvenance(p);
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.now = [] { return kFrom + 86400; };
    server_ = std::make_unique<ApiServer>(data_, o);
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override { server_->Stop(); }

  // Fetches `path`, writes it to a file and runs the checker on it.
  void Check(const std::string& path, const char* kind) {
    httplib::Client c("127.0.0.1", server_->port());
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    // Absolute links use the Host the client asked with.
    EXPECT_NE(r->body.find("http://127.0.0.1:" + std::to_string(server_->port()) + "/?entity="),
              std::string::npos)
        << r->body;
    const auto file = dir_ / (std::string("feed.") + kind);
    blackout::testing::WriteFile(file, r->body);
    auto run = blackout::testing::RunCommand(
        "/usr/bin/python3 " +
        (blackout::testing::SourceDir() / "tests/server/feed_check.py").string() + " " + kind +
        " " + file.string() + (GetParam() ? " sim" : " real"));
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err << "\n" << r->body;
  }

  MemoryData data_;
  std::unique_ptr<ApiServer> server_;
  blackout::testing::TempDir dir_;
};

TEST_P(FeedsTest, AtomIsValidForFeedparser) { Check("/feeds/events.atom", "atom"); }
TEST_P(FeedsTest, JsonFeedIsValidJsonFeed11) { Check("/feeds/events.json", "json"); }

TEST_P(FeedsTest, TitlesAreReadable) {
  httplib::Client c("127.0.0.1", server_->port());
  auto r = c.Get("/feeds/events.atom");
  ASSERT_TRUE(r);
  const std::string prefix = GetParam() ? "SIMULATION: " : "";
  EXPECT_NE(r->body.find("<title>" + prefix +
                         "Internet disruption in Kazakhstan (country/KZ) on 4 January 2022: "
                         "connectivity fell by 95%, to 5% of its usual level (active probing, "
                         "web clients)</title>"),
            std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find("Internet disruption in the network of JSC Kazakhtelecom (AS9198)"),
            std::string::npos);
  // The newest change: the KZ event's end (02:00), after the ASN event's start (01:06:40).
  EXPECT_NE(
      r->body.find("<generator>blackout</generator>\n<updated>2022-01-04T02:00:00Z</updated>"),
      std::string::npos)
      << r->body;
}

// Per-entity feeds (issue 22): one entry per change, valid for the same parser.
TEST_P(FeedsTest, EntityAtomIsValidForFeedparser) { Check("/feeds/country/KZ.atom", "atom"); }
TEST_P(FeedsTest, EntityJsonFeedIsValidJsonFeed11) { Check("/feeds/country/KZ.json", "json"); }
TEST_P(FeedsTest, EntityWithRelatedIsValid) {
  Check("/feeds/country/KZ.atom?include=related", "atom");
  Check("/feeds/country/KZ.json?include=related", "json");
}

TEST_P(FeedsTest, EntityFeedHasStartPhaseAndEndEntriesWithStableIds) {
  httplib::Client c("127.0.0.1", server_->port());
  auto r = c.Get("/feeds/country/KZ.json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto feed = nlohmann::json::parse(r->body);
  ASSERT_EQ(feed["items"].size(), 3u) << r->body;
  // Newest first: the end, the partial recovery, the start.
  EXPECT_EQ(feed["items"][0]["id"], "blackout:notice:country/KZ@1641258000/end@1641261600");
  EXPECT_EQ(feed["items"][1]["_blackout"]["phase"], "partial-recovery");
  EXPECT_EQ(feed["items"][1]["date_modified"], "2022-01-04T01:30:00Z");
  EXPECT_EQ(feed["items"][2]["_blackout"]["notice"], "start");
  const std::string prefix = GetParam() ? "SIMULATION: " : "";
  EXPECT_EQ(feed["items"][1]["title"],
            prefix +
                "Partial recovery in Kazakhstan (country/KZ) at 4 January 2022 01:30 UTC "
                "(active probing, web clients)");
  EXPECT_EQ(feed["feed_url"],
            "http://127.0.0.1:" + std::to_string(server_->port()) + "/feeds/country/KZ.json");
  // Stable: the same ids on every read.
  auto again = nlohmann::json::parse(c.Get("/feeds/country/KZ.json")->body);
  EXPECT_EQ(again["items"], feed["items"]);
  // With everything under it: the ASN's start, its app blocking found and "now unblocked".
  auto rel = nlohmann::json::parse(c.Get("/feeds/country/KZ.json?include=related")->body);
  ASSERT_EQ(rel["items"].size(), 6u) << rel.dump();
  bool unblocked = false;
  for (const auto& i : rel["items"]) {
    if (i["_blackout"]["notice"] == "unblocked") {
      unblocked = true;
      EXPECT_EQ(i["title"], prefix +
                                "Now unblocked in the network of JSC Kazakhtelecom (AS9198) at 3 "
                                "January 2022 23:00 UTC (app-blocking)");
      EXPECT_NE(i["content_text"].get<std::string>().find("Telegram"), std::string::npos);
    }
  }
  EXPECT_TRUE(unblocked);
  auto atom = c.Get("/feeds/asn/9198.atom");
  ASSERT_TRUE(atom);
  EXPECT_NE(atom->body.find("<category term=\"unblocked\"/>"), std::string::npos) << atom->body;
  EXPECT_EQ(c.Get("/feeds/country/ZZ.atom")->status, 404);
  EXPECT_EQ(c.Get("/feeds/country/KZ.atom?include=everything")->status, 400);
}

INSTANTIATE_TEST_SUITE_P(Modes, FeedsTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Simulated" : "Real"; });

}  // namespace
}  // namespace blackout::server
