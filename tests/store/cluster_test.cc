// The store on a replicated ClickHouse cluster (2 shards x 2 replicas and ZooKeeper on loopback,
// started once for the binary): the schema is replicated behind distributed tables on every node,
// the ledger holds when a batch is retried through another replica, and ingest nodes writing while
// a replica is SIGKILLed and restarted lose nothing and count nothing twice, while reads answer
// throughout (the store reads, and the snapshot the API serves). See docs/scale-out.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "blackout/server/data.h"
#include "blackout/service/snapshot.h"
#include "blackout/store/internal/clickhouse_schema.h"
#include "blackout/store/store.h"
#include "clickhouse_cluster.h"

namespace blackout::store {
namespace {

using testing::ClickHouseCluster;
using ::testing::HasSubstr;

constexpr UnixSeconds kT0 = 1641340800;  // 2022-01-05 00:00:00 UTC

std::string FreshDb() {
  static std::atomic<int> counter{0};
  return "bc_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

ClickHouseCluster* Cluster() {
  std::string error;
  ClickHouseCluster* c = ClickHouseCluster::Shared(&error);
  if (!c) ADD_FAILURE() << "the cluster tests need ZooKeeper and clickhouse-server: " << error;
  return c;
}

int64_t Count(ClickHouseCluster* c, const std::string& node, const std::string& sql) {
  auto r = c->Query(node, sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::atoll(r->c_str()) : -1;
}

TEST(ClickHouseUrl, HostsDatabaseAndCluster) {
  auto t = internal::ParseClickHouseUrl("http://a:1,b:2,c:3/obs?cluster=observatory");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_THAT(t->bases, ::testing::ElementsAre("http://a:1", "http://b:2", "http://c:3"));
  EXPECT_EQ(t->db, "obs");
  EXPECT_EQ(t->cluster, "observatory");
  EXPECT_EQ(t->url, "clickhouse:http://a:1,b:2,c:3/obs?cluster=observatory");
  auto one = internal::ParseClickHouseUrl("http://127.0.0.1:8123/blackout/");
  ASSERT_TRUE(one.ok());
  EXPECT_THAT(one->bases, ::testing::ElementsAre("http://127.0.0.1:8123"));
  EXPECT_EQ(one->cluster, "");
  EXPECT_EQ(one->url, "clickhouse:http://127.0.0.1:8123/blackout");
  for (const char* bad : {"http://a:1,,b:2/db", "http://a:1/db?shard=1", "http://a:1/db?cluster=",
                          "http://a:1/db?cluster=x;y", "http://a:1/", "http://a:1/d-b"}) {
    auto r = internal::ParseClickHouseUrl(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

// `series` entities per ingest node, spread over both shards by their hash.
WriteBatch Round(int node, int round, int series, int bins) {
  WriteBatch b;
  b.SetInput("node" + std::to_string(node) + "/round" + std::to_string(round),
             "hash-" + std::to_string(node) + "-" + std::to_string(round));
  for (int s = 0; s < series; ++s) {
    std::vector<Point> pts;
    for (int i = 0; i < bins; ++i) {
      int bin = round * bins + i;
      pts.push_back(Point{kT0 + 300 * bin, node * 1e6 + s * 1e4 + bin});
    }
    b.AddPoints(SeriesKey{"asn/" + std::to_string(64500 + node * 100 + s), "probe", ""}, pts);
  }
  return b;
}

// What the API serves is a snapshot loaded from the store (service/snapshot.h): load it and look
// at the preloaded entity's series and event as the API would. "" when right, else what is wrong.
std::string ReadLikeTheApi(Store& store) {
  server::MemoryData data;
  auto stats = service::LoadSnapshot(store, {}, &data);
  if (!stats.ok()) return "snapshot: " + stats.status().ToString();
  auto series = data.GetSeries("asn", "65410", "ping-slash24", 0, kT0 + 86400);
  if (series.size() != 1 || series[0].values.size() != 12 ||
      series[0].values[5] != 9e6 + 10 * 1e4 + 5) {
    return "snapshot: wrong series";
  }
  server::OutageQuery q;
  q.entity_type = "asn";
  q.entity_code = "65410";
  q.until = kT0 + 86400;
  if (data.Events(q).size() != 1) return "snapshot: wrong events";
  return "";
}

TEST(ClickHouseCluster, SchemaIsReplicatedOnEveryNodeAndTheLedgerHoldsThroughAnotherReplica) {
  ClickHouseCluster* c = Cluster();
  ASSERT_NE(c, nullptr);
  std::string db = FreshDb();
  auto a = OpenStore(c->Url(db, "s1r1"));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ((*a)->url(), c->Url(db, "s1r1"));
  EXPECT_EQ((*a)->SchemaVersion().value_or(0), internal::kClickHouseSchemaVersion);
  for (const std::string& n : c->nodes()) {
    for (const auto& t : internal::ClickHouseTables()) {
      auto engines =
          c->Query(n, "SELECT name, engine FROM system.tables WHERE database = '" + db +
                          "' AND name IN ('" + t.name + "', '" + t.name + "_local') ORDER BY name");
      ASSERT_TRUE(engines.ok()) << engines.status().ToString();
      std::string replicated =
          t.engine_args.empty() ? "ReplicatedMergeTree" : "ReplicatedReplacingMergeTree";
      EXPECT_EQ(*engines, t.name + "\tDistributed\n" + t.name + "_local\t" + replicated + "\n")
          << n;
    }
  }
  WriteBatch b = Round(0, 0, 20, 12);
  ASSERT_EQ((*a)->Apply(b).value_or(ApplyOutcome::kReplaced), ApplyOutcome::kApplied);
  ASSERT_EQ(c->SyncReplicas(db).ToString(), "OK");
  // Every replica of a shard holds the same rows; the shards together hold every point once.
  int64_t total = 0;
  for (const char* shard : {"s1", "s2"}) {
    std::string r1 = std::string(shard) + "r1", r2 = std::string(shard) + "r2";
    std::string sql = "SELECT count() FROM " + db + ".points_local FINAL";
    int64_t n1 = Count(c, r1, sql);
    EXPECT_EQ(n1, Count(c, r2, sql)) << shard;
    EXPECT_GT(n1, 0) << "every shard gets some of 20 entities";
    total += n1;
  }
  EXPECT_EQ(total, 20 * 12);
  // The same input retried by an ingest node that reaches the cluster through another node.
  auto other = OpenStore(c->Url(db, "s2r2"));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ((*other)->Apply(b).value_or(ApplyOutcome::kApplied), ApplyOutcome::kAlreadyApplied);
  auto s = (*other)->ReadSeries(SeriesKey{"asn/64507", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->values.size(), 12u);
  EXPECT_DOUBLE_EQ(s->values[11], 7 * 1e4 + 11);

  // A batch cut after its points (the ledger row is written last) by a node that died, then
  // retried whole through another node: applied, and every point still once.
  WriteBatch next = Round(0, 1, 20, 12);
  WriteBatch cut;
  for (const auto& w : next.series()) cut.AddPoints(w.key, w.points);
  ASSERT_TRUE((*a)->Apply(cut).ok());
  EXPECT_EQ((*other)->Apply(next).value_or(ApplyOutcome::kReplaced), ApplyOutcome::kApplied);
  EXPECT_EQ((*a)->Apply(next).value_or(ApplyOutcome::kApplied), ApplyOutcome::kAlreadyApplied);
  ASSERT_EQ(c->SyncReplicas(db).ToString(), "OK");
  for (const std::string& n : c->nodes()) {
    EXPECT_EQ(Count(c, n, "SELECT count() FROM " + db + ".points FINAL"), 20 * 24) << n;
  }
  auto rec = (*a)->GetIngest("node0/round1");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->applications, 1);
}

// Ingest nodes (threads, each with its own Store and first host) write rounds while the first
// replica of shard 1 -- the one every client reads and writes first -- is SIGKILLed and restarted.
TEST(ClickHouseCluster, IngestNodesWriteThroughAReplicaKillAndEveryPointIsThereOnce) {
  constexpr int kNodes = 3, kRounds = 36, kSeries = 6, kBins = 6;
  ClickHouseCluster* c = Cluster();
  ASSERT_NE(c, nullptr);
  const std::string victim = "s1r1";
  std::string db = FreshDb();
  // What the reader reads: written and replicated before anything dies.
  {
    auto s = OpenStore(c->Url(db));
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    WriteBatch pre = Round(9, 0, 20, 12);
    pre.SetInput("preload", "preload");
    Event e;
    e.entity = "asn/65410";
    e.start = kT0 + 3 * 300;
    e.end = kT0 + 6 * 300;
    e.depth = 0.4;
    e.method = "combined";
    e.signals = {"probe"};
    pre.AddEvent(e);
    ASSERT_TRUE((*s)->Apply(pre).ok());
    ASSERT_EQ(c->SyncReplicas(db).ToString(), "OK");
  }
  std::atomic<bool> down{false}, stop{false};
  std::atomic<int> reads_while_down{0}, writes_while_down{0}, write_errors{0};
  std::atomic<int> progress[kNodes] = {};
  std::mutex mu;
  std::vector<std::string> read_failures, write_failures;

  std::thread reader([&] {
    auto s = OpenStore(c->Url(db, victim), OpenOptions{.timeout_ms = 10000});
    if (!s.ok()) {
      std::lock_guard l(mu);
      read_failures.push_back(s.status().ToString());
      return;
    }
    while (!stop) {
      bool was_down = down;
      auto r = (*s)->ReadSeries(SeriesKey{"asn/65410", "probe", ""}, 0, INT64_MAX);
      auto l = (*s)->Latest(SeriesFilter{.entity = "asn/65403"});
      std::string why;
      if (!r.ok()) {
        why = r.status().ToString();
      } else if (r->values.size() != 12 || r->values[5] != 9e6 + 10 * 1e4 + 5) {
        why = "wrong series";
      } else if (!l.ok()) {
        why = l.status().ToString();
      } else if (l->size() != 1 || (*l)[0].value != 9e6 + 3 * 1e4 + 11) {
        why = "wrong latest";
      } else {
        why = ReadLikeTheApi(**s);
      }
      std::lock_guard lock(mu);
      if (!why.empty()) read_failures.push_back(why);
      if (why.empty() && was_down && down) ++reads_while_down;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kNodes; ++w) {
    writers.emplace_back([&, w] {
      auto s = OpenStore(c->Url(db, c->nodes()[static_cast<size_t>(w)]),
                         OpenOptions{.timeout_ms = 10000});
      if (!s.ok()) {
        std::lock_guard l(mu);
        write_failures.push_back(s.status().ToString());
        return;
      }
      for (int r = 0; r < kRounds; ++r) {
        WriteBatch b = Round(w, r, kSeries, kBins);
        // An ingest node keeps an input until the store took it (the next poll retries it).
        int attempts = 0;
        for (;;) {
          bool was_down = down;
          auto res = (*s)->Apply(b);
          if (res.ok()) {
            if (was_down && down) ++writes_while_down;
            break;
          }
          ++write_errors;
          if (++attempts == 600) {
            std::lock_guard l(mu);
            write_failures.push_back(res.status().ToString());
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ++progress[w];
      }
    });
  }
  auto min_progress = [&] {
    int m = kRounds;
    for (auto& p : progress) m = std::min(m, p.load());
    return m;
  };
  auto wait_for = [&](auto done) {
    for (int i = 0; i < 3000 && !done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
  };
  EXPECT_TRUE(wait_for([&] { return min_progress() >= kRounds / 4 || !write_failures.empty(); }));
  c->Kill(victim);
  down = true;
  int at_kill = min_progress();
  // Every node writes several rounds, and the reader reads, while the replica is dead.
  EXPECT_TRUE(wait_for([&] {
    return (min_progress() >= std::min(kRounds, at_kill + kRounds / 3) && reads_while_down >= 5) ||
           !write_failures.empty() || !read_failures.empty();
  }));
  down = false;
  std::string restarted = c->Restart(victim);
  for (auto& t : writers) t.join();
  stop = true;
  reader.join();
  ASSERT_EQ(restarted, "");
  EXPECT_THAT(read_failures, ::testing::IsEmpty());
  ASSERT_THAT(write_failures, ::testing::IsEmpty());
  EXPECT_GT(reads_while_down, 0);
  EXPECT_GT(writes_while_down, 0);
  RecordProperty("write_errors_retried", write_errors.load());
  std::printf("writes retried: %d; rounds written while down: %d; reads while down: %d\n",
              write_errors.load(), writes_while_down.load(), reads_while_down.load());

  ASSERT_EQ(c->SyncReplicas(db).ToString(), "OK");
  auto s = OpenStore(c->Url(db, victim));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (int w = 0; w < kNodes; ++w) {
    for (int k = 0; k < kSeries; ++k) {
      SeriesKey key{"asn/" + std::to_string(64500 + w * 100 + k), "probe", ""};
      auto r = (*s)->ReadSeries(key, 0, INT64_MAX);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_EQ(r->values.size(), static_cast<size_t>(kRounds * kBins)) << key.ToString();
      for (int i = 0; i < kRounds * kBins; ++i) {
        ASSERT_EQ(r->values[static_cast<size_t>(i)], w * 1e6 + k * 1e4 + i) << key.ToString();
      }
    }
  }
  auto ledger = (*s)->ListIngests(IngestQuery{.input_prefix = "node"});
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->size(), static_cast<size_t>(kNodes * kRounds));
  for (const IngestRecord& rec : *ledger) {
    EXPECT_EQ(rec.applications, 1) << rec.input;
    EXPECT_EQ(rec.points, kSeries * kBins) << rec.input;
  }
  // Each replica, the restarted one included, holds every point of its shard exactly once.
  const int64_t expected = kNodes * kRounds * kSeries * kBins + 20 * 12;
  int64_t total = 0;
  for (const char* shard : {"s1", "s2"}) {
    std::string sql = "SELECT count() FROM " + db + ".points_local FINAL";
    int64_t n1 = Count(c, std::string(shard) + "r1", sql);
    EXPECT_EQ(n1, Count(c, std::string(shard) + "r2", sql)) << shard;
    total += n1;
  }
  EXPECT_EQ(total, expected);
  EXPECT_EQ(Count(c, "s2r2",
                  "SELECT count() FROM (SELECT entity, signal, source, t FROM " + db +
                      ".points FINAL GROUP BY entity, signal, source, t HAVING "
                      "count() > 1)"),
            0);
}

}  // namespace
}  // namespace blackout::store
