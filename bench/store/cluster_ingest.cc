// Ingest from several writers into a single ClickHouse server and into the replicated cluster
// (2 shards x 2 replicas + ZooKeeper, scripts/clickhouse-cluster), side by side in one run
// (docs/scale-out.md, "Performance"). Each writer is an ingest node: its own Store, its own inputs
// (one batch = one input in the ledger), all writers started together; points/s is all points
// over the wall time from the first batch to the last writer's end. Both backends are started by
// this program on loopback, on the same machine.
//
//   cluster_ingest [WRITERS=4] [BATCHES=10] [SERIES=500] [BINS=100]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "blackout/store/store.h"
#include "clickhouse_cluster.h"
#include "clickhouse_server.h"

namespace blackout::store {
namespace {

constexpr UnixSeconds kT0 = 1640995200;  // 2022-01-01

WriteBatch Batch(int writer, int batch, int series, int bins) {
  WriteBatch b;
  b.SetInput("bench/w" + std::to_string(writer) + "/b" + std::to_string(batch),
             std::to_string(batch));
  std::vector<Point> pts(static_cast<size_t>(bins));
  for (int s = 0; s < series; ++s) {
    for (int i = 0; i < bins; ++i) {
      int bin = batch * bins + i;
      pts[static_cast<size_t>(i)] =
          Point{kT0 + 300 * bin, static_cast<double>((s * 31 + bin) % 997)};
    }
    b.AddPoints(SeriesKey{"asn/" + std::to_string(writer * 100000 + s), "bgp", ""}, pts);
  }
  return b;
}

// Points/s into `url` from `writers` threads; -1 on an error (printed).
double Ingest(const std::string& url, int writers, int batches, int series, int bins) {
  {
    auto s = OpenStore(url);  // create the schema before the clock starts
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", url.c_str(), s.status().ToString().c_str());
      return -1;
    }
  }
  std::vector<std::vector<WriteBatch>> work(static_cast<size_t>(writers));
  for (int w = 0; w < writers; ++w) {
    for (int b = 0; b < batches; ++b) work[size_t(w)].push_back(Batch(w, b, series, bins));
  }
  std::atomic<int> ready{0}, failed{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto s = OpenStore(url);
      ++ready;
      while (!go) std::this_thread::yield();
      if (!s.ok()) {
        ++failed;
        return;
      }
      for (const WriteBatch& b : work[size_t(w)]) {
        auto r = (*s)->Apply(b);
        if (!r.ok()) {
          std::fprintf(stderr, "writer %d: %s\n", w, r.status().ToString().c_str());
          ++failed;
          return;
        }
      }
    });
  }
  while (ready < writers) std::this_thread::yield();
  auto start = std::chrono::steady_clock::now();
  go = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed > 0) return -1;
  return double(writers) * batches * series * bins / secs;
}

int Main(int argc, char** argv) {
  int writers = argc > 1 ? std::atoi(argv[1]) : 4;
  int batches = argc > 2 ? std::atoi(argv[2]) : 10;
  int series = argc > 3 ? std::atoi(argv[3]) : 500;
  int bins = argc > 4 ? std::atoi(argv[4]) : 100;
  std::string error;
  auto* single = testing::ClickHouseServer::Shared(&error);
  if (!single) {
    std::fprintf(stderr, "single server: %s\n", error.c_str());
    return 1;
  }
  auto* cluster = testing::ClickHouseCluster::Shared(&error);
  if (!cluster) {
    std::fprintf(stderr, "cluster: %s\n", error.c_str());
    return 1;
  }
  std::printf("%d writers x %d batches x %d series x %d bins = %lld points per run\n", writers,
              batches, series, bins, static_cast<long long>(writers) * batches * series * bins);
  std::printf("%-36s %14s\n", "store", "points/s");
  // Alternated, so that load from the neighbours falls on both.
  for (int round = 0; round < 2; ++round) {
    std::string db = "bench_" + std::to_string(round);
    double one =
        Ingest("clickhouse:" + single->http_base() + "/" + db, writers, batches, series, bins);
    std::printf("%-36s %14.0f\n", "single server", one);
    double many = Ingest(cluster->Url(db), writers, batches, series, bins);
    std::printf("%-36s %14.0f\n", "cluster 2 shards x 2 replicas", many);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace blackout::store

int main(int argc, char** argv) { return blackout::store::Main(argc, argv); }
