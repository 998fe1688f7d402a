// Ingest from several writers into a single ClickHouse server and into the replicated cluster
// (2 shards x 2 replicas + ZooKeeper, scripts/clickhouse-cluster), side by side in one run
// (docs/scale-out.md, "Performance"). Each writer is an ingest node: its own Store, its own inputs
// (one batch = one input in the ledger), all writers started together; points/s is all points
// over the wall time from the first batch to the last writer's end; the servers' CPU seconds
// (from /proc) during the run give points per server CPU second. Both backends are started by
// this program on loopback, on the same machine.
//
//   cluster_ingest [WRITERS=4] [BATCHES=10] [SERIES=500] [BINS=100]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
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

// CPU seconds (user + system) a process has used so far; 0 if it is gone.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i) {
    if (i == 14) utime = std::atof(f.c_str());
    if (i == 15) stime = std::atof(f.c_str());
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double CpuSeconds(const std::vector<pid_t>& pids) {
  double sum = 0;
  for (pid_t p : pids) sum += CpuSeconds(p);
  return sum;
}

struct Figures {
  double points_per_s = -1;  // wall
  double server_cpu = 0;     // CPU seconds of the servers (and ZooKeeper) during the run
};

// Points/s into `url` from `writers` threads, and the CPU the `servers` spent; points_per_s -1
// on an error (printed).
Figures Ingest(const std::string& url, const std::vector<pid_t>& servers, int writers, int batches,
               int series, int bins) {
  Figures fig;
  {
    auto s = OpenStore(url);  // create the schema before the clock starts
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", url.c_str(), s.status().ToString().c_str());
      return fig;
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
  double cpu0 = CpuSeconds(servers);
  auto start = std::chrono::steady_clock::now();
  go = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fig.server_cpu = CpuSeconds(servers) - cpu0;
  if (failed == 0) fig.points_per_s = double(writers) * batches * series * bins / secs;
  return fig;
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
  // Server CPU: what the ClickHouse processes (and ZooKeeper) used during the run, a figure the
  // neighbours' load does not inflate the way it inflates wall time.
  std::printf("%-32s %12s %14s %24s\n", "store", "points/s", "server CPU s",
              "points per server CPU s");
  std::vector<pid_t> cluster_pids;
  for (const auto& [name, pid] : cluster->pids()) cluster_pids.push_back(pid);
  double points = double(writers) * batches * series * bins;
  auto print = [&](const char* name, const Figures& f) {
    std::printf("%-32s %12.0f %14.2f %24.0f\n", name, f.points_per_s, f.server_cpu,
                f.server_cpu > 0 ? points / f.server_cpu : 0.0);
    std::fflush(stdout);
  };
  // Alternated, so that load from the neighbours falls on both.
  for (int round = 0; round < 2; ++round) {
    std::string db = "bench_" + std::to_string(round);
    print("single server", Ingest("clickhouse:" + single->http_base() + "/" + db, {single->pid()},
                                  writers, batches, series, bins));
    print("cluster 2 shards x 2 replicas",
          Ingest(cluster->Url(db), cluster_pids, writers, batches, series, bins));
  }
  return 0;
}

}  // namespace
}  // namespace blackout::store

int main(int argc, char** argv) { return blackout::store::Main(argc, argv); }
