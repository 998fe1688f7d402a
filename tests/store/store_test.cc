// The Store contract, run against every backend (SQLite and ClickHouse): series with explicit
// missing values, replacement semantics, the ingest ledger, alerts, events, state, concurrency.
#include "blackout/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "backend.h"

namespace blackout::store {
namespace {

using ::testing::ElementsAre;
using testing::TestStore;

constexpr UnixSeconds kT0 = 1641340800;  // 2022-01-05 00:00:00 UTC

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  StoreTest() : ts_(GetParam()) {}
  Store* store() { return ts_.store(); }
  void SetUp() override { ASSERT_NE(ts_.store(), nullptr); }
  ApplyOutcome MustApply(const WriteBatch& b) {
    auto r = store()->Apply(b);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ApplyOutcome::kApplied;
  }
  TestStore ts_;
};

SeriesKey Key(std::string entity, std::string signal, std::string source = "") {
  return SeriesKey{std::move(entity), std::move(signal), std::move(source)};
}

TEST_P(StoreTest, SeriesRoundTripKeepsGapsApartFromZeros) {
  Series s;
  s.key = Key("country/KZ", "bgp");
  s.from = kT0;
  s.values = {10, 0, kMissing, 12.5, kMissing, 7};
  WriteBatch b;
  b.AddSeries(s);
  MustApply(b);

  auto r = store()->ReadSeries(s.key, kT0, kT0 + 6 * 300);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->from, kT0);
  EXPECT_EQ(r->step, 300);
  ASSERT_EQ(r->values.size(), 6u);
  EXPECT_EQ(r->values[0], 10);
  EXPECT_EQ(r->values[1], 0);  // a zero stays a zero
  EXPECT_TRUE(IsMissing(r->values[2]));
  EXPECT_EQ(r->values[3], 12.5);
  EXPECT_TRUE(IsMissing(r->values[4]));
  EXPECT_EQ(r->values[5], 7);
  EXPECT_EQ(r->present(), 4u);

  // A sub-range, with `from` inside a bin: starts at that bin.
  auto part = store()->ReadSeries(s.key, kT0 + 310, kT0 + 900);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->from, kT0 + 300);
  ASSERT_EQ(part->values.size(), 2u);
  EXPECT_EQ(part->values[0], 0);
  // Unbounded: clipped to the stored bins.
  auto all = store()->ReadSeries(s.key, 0, INT64_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->from, kT0);
  EXPECT_EQ(all->values.size(), 6u);
  // Outside the stored range: empty.
  auto none = store()->ReadSeries(s.key, kT0 + 100000, kT0 + 200000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->values.empty());
  // Unknown series.
  auto missing = store()->ReadSeries(Key("country/KZ", "probe"), 0, INT64_MAX);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, RewritingABinReplacesItAndMissingOverridesAValue) {
  SeriesKey k = Key("asn/9198", "probe", "prober-1");
  WriteBatch b1;
  b1.AddPoint(k, kT0, 5);
  b1.AddPoint(k, kT0 + 300, 6);
  b1.AddPoint(k, kT0 + 610, 7);  // stored at the bin start kT0 + 600
  MustApply(b1);
  auto latest = store()->Latest(SeriesFilter{.entity = "asn/9198"});
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].time, kT0 + 600);
  EXPECT_EQ((*latest)[0].value, 7);

  WriteBatch b2;
  b2.AddPoint(k, kT0 + 300, 60);
  b2.AddPoint(k, kT0 + 600, kMissing);  // the latest bin turns out to be unmeasured
  MustApply(b2);
  auto r = store()->ReadSeries(k, kT0, kT0 + 900);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->values.size(), 3u);
  EXPECT_EQ(r->values[0], 5);
  EXPECT_EQ(r->values[1], 60);
  EXPECT_TRUE(IsMissing(r->values[2]));
  latest = store()->Latest(SeriesFilter{.entity = "asn/9198"});
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].time, kT0 + 300);
  EXPECT_EQ((*latest)[0].value, 60);
}

TEST_P(StoreTest, StepIsFixedByFirstWriteAndABadBatchLeavesNothing) {
  SeriesKey k = Key("country/IQ", "darknet");
  WriteBatch b1;
  b1.AddPoint(k, kT0, 1, 60);
  MustApply(b1);
  WriteBatch b2;
  b2.AddPoint(Key("country/IQ", "bgp"), kT0, 99);  // would be fine alone
  b2.AddPoint(k, kT0, 2, 300);                     // conflicts with step 60
  auto r = store()->Apply(b2);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  // Atomic: the good half of the failed batch is not visible.
  EXPECT_EQ(store()->ReadSeries(Key("country/IQ", "bgp"), 0, INT64_MAX).status().code(),
            StatusCode::kNotFound);
  auto s = store()->ReadSeries(k, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->step, 60);
  EXPECT_THAT(s->values, ElementsAre(1));
}

TEST_P(StoreTest, InvalidKeysAreRejected) {
  for (const char* entity : {"", "KZ", "country/", "/KZ", "Country/KZ", "country/K Z"}) {
    WriteBatch b;
    b.AddPoint(Key(entity, "bgp"), kT0, 1);
    EXPECT_EQ(store()->Apply(b).status().code(), StatusCode::kInvalidArgument) << entity;
  }
  for (const char* signal : {"", "BGP", "bgp level", "bgp/1"}) {
    WriteBatch b;
    b.AddPoint(Key("country/KZ", signal), kT0, 1);
    EXPECT_EQ(store()->Apply(b).status().code(), StatusCode::kInvalidArgument) << signal;
  }
  // Arbitrary signal names in the allowed alphabet are fine (BGP levels).
  WriteBatch ok;
  ok.AddPoint(Key("country/KZ", "bgp-25"), kT0, 1);
  ok.AddPoint(Key("region/KZ-ALA", "bgp-1peer"), kT0, 1);
  EXPECT_TRUE(store()->Apply(ok).ok());
}

TEST_P(StoreTest, LedgerMakesApplyingAnInputIdempotent) {
  SeriesKey k = Key("country/KZ", "bgp", "ris-rrc04");
  auto make = [&](double v, std::string hash, IngestState state) {
    WriteBatch b;
    b.SetInput("/archive/updates.20220105.1030.gz", std::move(hash), state, "detail");
    b.AddPoint(k, kT0, v);
    b.AddPoint(k, kT0 + 300, v + 1);
    return b;
  };
  EXPECT_EQ(MustApply(make(10, "h1", IngestState::kPartial)), ApplyOutcome::kApplied);
  auto rec = store()->GetIngest("/archive/updates.20220105.1030.gz");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->content_hash, "h1");
  EXPECT_EQ(rec->state, IngestState::kPartial);
  EXPECT_EQ(rec->points, 2);
  EXPECT_EQ(rec->applications, 1);
  EXPECT_GT(rec->applied_at, 0);

  // Same input, same hash: nothing written, even if the batch carries other values.
  EXPECT_EQ(MustApply(make(99, "h1", IngestState::kPartial)), ApplyOutcome::kAlreadyApplied);
  auto s = store()->ReadSeries(k, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->values, ElementsAre(10, 11));

  // The fixed file (another hash) replaces the damaged one.
  EXPECT_EQ(MustApply(make(20, "h2", IngestState::kComplete)), ApplyOutcome::kReplaced);
  s = store()->ReadSeries(k, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->values, ElementsAre(20, 21));
  rec = store()->GetIngest("/archive/updates.20220105.1030.gz");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->content_hash, "h2");
  EXPECT_EQ(rec->state, IngestState::kComplete);
  EXPECT_EQ(rec->applications, 2);

  EXPECT_EQ(store()->GetIngest("/archive/other").status().code(), StatusCode::kNotFound);
  WriteBatch other;
  other.SetInput("/other/x", "h", IngestState::kPartial);
  MustApply(other);
  auto partial = store()->ListIngests(IngestQuery{.state = IngestState::kPartial});
  ASSERT_TRUE(partial.ok());
  ASSERT_EQ(partial->size(), 1u);
  EXPECT_EQ((*partial)[0].input, "/other/x");
  auto under = store()->ListIngests(IngestQuery{.input_prefix = "/archive/"});
  ASSERT_TRUE(under.ok());
  ASSERT_EQ(under->size(), 1u);
  EXPECT_EQ((*under)[0].content_hash, "h2");
}

TEST_P(StoreTest, ListingSeriesEntitiesAndLatestWithFilters) {
  WriteBatch b;
  b.AddPoint(Key("country/KZ", "bgp"), kT0, 100);
  b.AddPoint(Key("country/KZ", "probe"), kT0, 50);
  b.AddPoint(Key("country/KZ", "probe"), kT0 + 300, kMissing);
  b.AddPoint(Key("country/KZ", "bgp", "ris-rrc00"), kT0, 90);
  b.AddPoint(Key("region/KZ-ALA", "probe"), kT0 + 600, 5);
  b.AddPoint(Key("asn/9198", "bgp"), kT0, kMissing);  // no value at all
  Alert a;
  a.entity = "asn/48503";
  a.signal = "bgp";
  a.time = kT0;
  a.method = "m";
  b.AddAlert(a);
  MustApply(b);

  auto series = store()->ListSeries(SeriesFilter{.entity_type = "country"});
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->size(), 3u);
  EXPECT_EQ((*series)[0].key, Key("country/KZ", "bgp"));
  EXPECT_EQ((*series)[1].key, Key("country/KZ", "bgp", "ris-rrc00"));
  EXPECT_EQ((*series)[2].key, Key("country/KZ", "probe"));
  EXPECT_EQ((*series)[2].first, kT0);
  EXPECT_EQ((*series)[2].last, kT0 + 300);

  auto combined = store()->ListSeries(SeriesFilter{.signal = "bgp", .source = ""});
  ASSERT_TRUE(combined.ok());
  ASSERT_EQ(combined->size(), 2u);  // asn/9198 and country/KZ, not the per-collector series

  auto latest = store()->Latest(SeriesFilter{});
  ASSERT_TRUE(latest.ok());
  ASSERT_EQ(latest->size(), 4u);  // asn/9198 has no value
  EXPECT_EQ((*latest)[0].key, Key("country/KZ", "bgp"));
  EXPECT_EQ((*latest)[2].key, Key("country/KZ", "probe"));
  EXPECT_EQ((*latest)[2].time, kT0);
  EXPECT_EQ((*latest)[2].value, 50);
  EXPECT_EQ((*latest)[3].key, Key("region/KZ-ALA", "probe"));

  auto entities = store()->ListEntities("", "");
  ASSERT_TRUE(entities.ok());
  EXPECT_THAT(*entities, ElementsAre("asn/48503", "asn/9198", "country/KZ", "region/KZ-ALA"));
  auto asns = store()->ListEntities("asn", "");
  ASSERT_TRUE(asns.ok());
  EXPECT_THAT(*asns, ElementsAre("asn/48503", "asn/9198"));
  auto kz = store()->ListEntities("", "kz");
  ASSERT_TRUE(kz.ok());
  EXPECT_THAT(*kz, ElementsAre("country/KZ", "region/KZ-ALA"));

  auto many = store()->ReadSeriesMany(SeriesFilter{.entity = "country/KZ"}, kT0, kT0 + 600);
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 3u);
  EXPECT_THAT((*many)[0].values, ElementsAre(100));
  EXPECT_EQ((*many)[2].values.size(), 2u);
}

Alert MakeAlert(std::string entity, std::string signal, UnixSeconds t, Level level, double value,
                double expected) {
  Alert a;
  a.entity = std::move(entity);
  a.signal = std::move(signal);
  a.time = t;
  a.level = level;
  a.value = value;
  a.expected = expected;
  a.method = "ioda-median";
  a.condition = "< 0.50";
  return a;
}

TEST_P(StoreTest, AlertsFilterPageReplaceAndDelete) {
  WriteBatch b;
  for (int i = 0; i < 10; ++i) {
    b.AddAlert(MakeAlert("country/KZ", "probe", kT0 + 300 * i,
                         i % 2 ? Level::kCritical : Level::kWarning, i, 100));
    b.AddAlert(MakeAlert("asn/9198", "bgp", kT0 + 300 * i, Level::kNormal, 100, 100));
  }
  MustApply(b);

  auto all = store()->QueryAlerts(AlertQuery{});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 20);
  EXPECT_EQ(all->items.size(), 20u);
  EXPECT_EQ(all->items[0].entity, "asn/9198");  // same time: ordered by entity
  EXPECT_EQ(all->items[1].entity, "country/KZ");
  EXPECT_EQ(all->items[1].condition, "< 0.50");
  EXPECT_EQ(all->items[1].expected, 100);
  EXPECT_DOUBLE_EQ(all->items[3].ratio(), 0.01);

  auto crit = store()->QueryAlerts(AlertQuery{.min_level = Level::kCritical});
  ASSERT_TRUE(crit.ok());
  EXPECT_EQ(crit->total, 5);
  for (const Alert& a : crit->items) EXPECT_EQ(a.level, Level::kCritical);

  auto page = store()->QueryAlerts(AlertQuery{
      .entities = {"country/KZ"}, .from = kT0 + 300, .until = kT0 + 3000, .limit = 3, .offset = 2});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 9);
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].time, kT0 + 900);
  EXPECT_EQ(page->items[2].time, kT0 + 1500);

  auto by_type = store()->QueryAlerts(AlertQuery{.entity_type = "asn", .signal = "bgp"});
  ASSERT_TRUE(by_type.ok());
  EXPECT_EQ(by_type->total, 10);

  // Same key: replaced, not duplicated. Then a range delete followed by rewrites in one batch.
  WriteBatch b2;
  b2.AddAlert(MakeAlert("country/KZ", "probe", kT0, Level::kCritical, 1, 100));
  MustApply(b2);
  auto kz = store()->QueryAlerts(AlertQuery{.entities = {"country/KZ"}});
  ASSERT_TRUE(kz.ok());
  EXPECT_EQ(kz->total, 10);
  EXPECT_EQ(kz->items[0].level, Level::kCritical);
  EXPECT_EQ(kz->items[0].value, 1);

  WriteBatch b3;
  b3.DeleteAlerts("country/KZ", kT0, kT0 + 1500);
  b3.AddAlert(MakeAlert("country/KZ", "probe", kT0 + 600, Level::kWarning, 3, 100));
  MustApply(b3);
  kz = store()->QueryAlerts(AlertQuery{.entities = {"country/KZ"}});
  ASSERT_TRUE(kz.ok());
  EXPECT_EQ(kz->total, 6);  // 5 deleted, 1 rewritten
  EXPECT_EQ(kz->items[0].time, kT0 + 600);
  auto asn = store()->QueryAlerts(AlertQuery{.entities = {"asn/9198"}});
  ASSERT_TRUE(asn.ok());
  EXPECT_EQ(asn->total, 10);  // untouched
}

Event MakeEvent(std::string entity, UnixSeconds start, std::optional<UnixSeconds> end,
                double score) {
  Event e;
  e.entity = std::move(entity);
  e.start = start;
  e.end = end;
  e.depth = 0.05;
  e.score = score;
  e.signals = {"probe", "darknet"};
  e.technique = Technique::kPacketsFiltered;
  e.method = "combined";
  e.phases = {EventPhase{Phase::kReducedConnectivity, start, start + 600, 0.6},
              EventPhase{Phase::kNearTotalBlackout, start + 600, end, 0.05}};
  return e;
}

TEST_P(StoreTest, EventsRoundTripFilterSummarizeAndUpdate) {
  WriteBatch b;
  Event kz = MakeEvent("country/KZ", kT0 + 37800, kT0 + 40500, 1000);
  kz.id = "kz-2022-01-05";
  kz.related = {"region/KZ-ALA", "asn/9198"};
  kz.extra = R"({"note":"simulated"})";
  b.AddEvent(kz);
  b.AddEvent(MakeEvent("region/KZ-ALA", kT0, std::nullopt, 500));  // ongoing
  b.AddEvent(MakeEvent("country/IQ", kT0 - 86400, kT0 - 80000, 300));
  b.AddEvent(MakeEvent("country/IQ", kT0 + 3600, kT0 + 7200, 200));
  MustApply(b);

  auto got = store()->GetEvent("kz-2022-01-05");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->entity, "country/KZ");
  EXPECT_EQ(got->start, kT0 + 37800);
  EXPECT_EQ(got->end, kT0 + 40500);
  EXPECT_DOUBLE_EQ(got->depth, 0.05);
  EXPECT_DOUBLE_EQ(got->score, 1000);
  EXPECT_THAT(got->signals, ElementsAre("probe", "darknet"));
  EXPECT_THAT(got->related, ElementsAre("region/KZ-ALA", "asn/9198"));
  EXPECT_EQ(got->technique, Technique::kPacketsFiltered);
  EXPECT_EQ(got->extra, R"({"note":"simulated"})");
  ASSERT_EQ(got->phases.size(), 2u);
  EXPECT_EQ(got->phases[1].phase, Phase::kNearTotalBlackout);
  EXPECT_EQ(got->phases[1].start, kT0 + 38400);
  EXPECT_EQ(got->phases[1].end, kT0 + 40500);
  EXPECT_DOUBLE_EQ(got->phases[0].depth, 0.6);
  EXPECT_EQ(store()->GetEvent("nope").status().code(), StatusCode::kNotFound);

  // Overlap: the ongoing event and both events in range; the old IQ one is out.
  auto in_range = store()->QueryEvents(EventQuery{.from = kT0, .until = kT0 + 86400});
  ASSERT_TRUE(in_range.ok());
  EXPECT_EQ(in_range->total, 3);
  ASSERT_EQ(in_range->items.size(), 3u);
  EXPECT_EQ(in_range->items[0].entity, "region/KZ-ALA");
  EXPECT_FALSE(in_range->items[0].end.has_value());
  EXPECT_EQ(in_range->items[0].id, "region/KZ-ALA@" + std::to_string(kT0));

  auto related = store()->QueryEvents(EventQuery{.related_to = "asn/9198"});
  ASSERT_TRUE(related.ok());
  ASSERT_EQ(related->items.size(), 1u);
  EXPECT_EQ(related->items[0].id, "kz-2022-01-05");

  auto ongoing = store()->QueryEvents(EventQuery{.ongoing_only = true});
  ASSERT_TRUE(ongoing.ok());
  ASSERT_EQ(ongoing->items.size(), 1u);

  auto countries =
      store()->QueryEvents(EventQuery{.entity_type = "country", .limit = 1, .offset = 1});
  ASSERT_TRUE(countries.ok());
  EXPECT_EQ(countries->total, 3);
  ASSERT_EQ(countries->items.size(), 1u);
  EXPECT_EQ(countries->items[0].entity, "country/IQ");
  EXPECT_EQ(countries->items[0].start, kT0 + 3600);

  auto summary = store()->SummarizeEvents(EventQuery{});
  ASSERT_TRUE(summary.ok());
  ASSERT_EQ(summary->size(), 3u);
  EXPECT_EQ((*summary)[0].entity, "country/KZ");
  EXPECT_DOUBLE_EQ((*summary)[1].total_score, 500);  // country/IQ: 300 + 200
  EXPECT_EQ((*summary)[1].entity, "country/IQ");
  EXPECT_EQ((*summary)[1].events, 2);
  EXPECT_EQ((*summary)[1].first_start, kT0 - 86400);
  EXPECT_EQ((*summary)[1].last_end, kT0 + 7200);
  EXPECT_TRUE((*summary)[2].ongoing);

  // Updating an ongoing event by id: it ends; still one event. Related list replaced.
  Event closed = MakeEvent("region/KZ-ALA", kT0, kT0 + 400000, 900);
  WriteBatch b2;
  b2.AddEvent(closed);
  MustApply(b2);
  auto ala = store()->QueryEvents(EventQuery{.entities = {"region/KZ-ALA"}});
  ASSERT_TRUE(ala.ok());
  ASSERT_EQ(ala->total, 1);
  EXPECT_EQ(ala->items[0].end, kT0 + 400000);
  EXPECT_DOUBLE_EQ(ala->items[0].score, 900);

  WriteBatch b3;
  b3.DeleteEvents("country/IQ", kT0, kT0 + 86400);
  MustApply(b3);
  auto iq = store()->QueryEvents(EventQuery{.entities = {"country/IQ"}});
  ASSERT_TRUE(iq.ok());
  ASSERT_EQ(iq->total, 1);
  EXPECT_EQ(iq->items[0].start, kT0 - 86400);
}

TEST_P(StoreTest, StateAndSchemaVersion) {
  EXPECT_EQ(store()->GetState("detect.cursor").status().code(), StatusCode::kNotFound);
  WriteBatch b;
  b.SetState("detect.cursor", "1641340800");
  b.SetState("binary", std::string("a\tb\nc\\d'e", 9));
  MustApply(b);
  auto v = store()->GetState("detect.cursor");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, "1641340800");
  auto bin = store()->GetState("binary");
  ASSERT_TRUE(bin.ok());
  EXPECT_EQ(*bin, std::string("a\tb\nc\\d'e", 9));
  WriteBatch b2;
  b2.SetState("detect.cursor", "1641341100");
  MustApply(b2);
  EXPECT_EQ(store()->GetState("detect.cursor").value_or(""), "1641341100");
  auto version = store()->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_GE(*version, 1);
  // Reopening an existing store keeps the data and the version.
  auto again = ts_.Reopen();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->SchemaVersion().value_or(-1), *version);
  EXPECT_EQ((*again)->GetState("detect.cursor").value_or(""), "1641341100");
}

TEST_P(StoreTest, ReadersSeeWholeBatchesWhileAWriterWrites) {
  // Each batch adds 50 points to one series; a reader must never see a count that is not a
  // multiple of 50 (a half-applied batch).
  constexpr int kBatches = 20, kPerBatch = 50;
  SeriesKey k = Key("country/KZ", "probe");
  auto reader_store = ts_.Reopen();
  ASSERT_TRUE(reader_store.ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (!done) {
      auto s = (*reader_store)->ReadSeries(k, 0, INT64_MAX);
      if (s.ok()) {
        if (s->present() % kPerBatch != 0) ++torn;
        ++reads;
      }
    }
  });
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch b;
    for (int j = 0; j < kPerBatch; ++j) b.AddPoint(k, kT0 + 300 * (i * kPerBatch + j), j);
    MustApply(b);
  }
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  auto s = store()->ReadSeries(k, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->present(), static_cast<size_t>(kBatches * kPerBatch));
}

// Records (issue 22: subscriptions, the webhook queue, annotations): put replaces, list by kind
// and key prefix in key order, delete removes; another handle sees the same.
TEST_P(StoreTest, RecordsReplaceListByPrefixAndDelete) {
  std::vector<Record> recs = {{"subscription", "s2", 10, "{\"b\":1}"},
                              {"subscription", "s1", 11, "{\"a\":1}"},
                              {"webhook-queue", "s1/x", 12, "q%_"}};
  ASSERT_TRUE(store()->PutRecords(recs).ok());
  Record again{"subscription", "s1", 20, "{\"a\":2}"};
  ASSERT_TRUE(store()->PutRecords(std::span<const Record>(&again, 1)).ok());
  auto subs = store()->ListRecords("subscription");
  ASSERT_TRUE(subs.ok()) << subs.status().ToString();
  ASSERT_EQ(subs->size(), 2u);
  EXPECT_EQ((*subs)[0].key, "s1");
  EXPECT_EQ((*subs)[0].time, 20);
  EXPECT_EQ((*subs)[0].value, "{\"a\":2}");
  EXPECT_EQ((*subs)[1].key, "s2");
  auto prefixed = store()->ListRecords("subscription", "s2");
  ASSERT_TRUE(prefixed.ok());
  EXPECT_EQ(prefixed->size(), 1u);
  std::vector<std::string> gone = {"s2"};
  ASSERT_TRUE(store()->DeleteRecords("subscription", gone).ok());
  auto reopened = ts_.Reopen();
  ASSERT_TRUE(reopened.ok());
  auto left = (*reopened)->ListRecords("subscription");
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].key, "s1");
  auto queue = (*reopened)->ListRecords("webhook-queue");
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].value, "q%_");
  Record bad{"", "k", 0, ""};
  EXPECT_FALSE(store()->PutRecords(std::span<const Record>(&bad, 1)).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values("sqlite", "clickhouse", "clickhouse_cluster"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace blackout::store
