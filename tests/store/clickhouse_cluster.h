// Starts a replicated ClickHouse cluster on loopback for the tests and benchmarks: ZooKeeper and
// shards x replicas clickhouse-server processes, configs written by
// scripts/clickhouse-cluster/start.sh --configs-only (the same script starts the cluster by hand),
// ports chosen free, everything in a temporary directory. Nodes can be SIGKILLed and restarted.
// A missing server or ZooKeeper is a test failure, never a skip (scripts/deps/store.apt).
// Thread-safety: none; call from one thread. REQUIRES: Start() and Restart() are called from a
// thread that outlives the cluster (the servers die with the thread that forked them).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/testing/testing.h"

namespace blackout::store::testing {

class ClickHouseCluster {
 public:
  ClickHouseCluster() = default;
  ~ClickHouseCluster();
  ClickHouseCluster(const ClickHouseCluster&) = delete;
  ClickHouseCluster& operator=(const ClickHouseCluster&) = delete;

  // Writes the configs and starts ZooKeeper and every node, waiting until each answers. Returns
  // "" on success, else why not.
  std::string Start(int shards = 2, int replicas = 2);
  void Stop();

  // "s1r1", "s1r2", ... in the cluster's config order (shard by shard).
  const std::vector<std::string>& nodes() const { return nodes_; }
  const std::string& cluster() const { return cluster_; }
  int http_port(const std::string& node) const;
  // The store URL for database `db`, hosts listed starting with `first` (then config order).
  std::string Url(const std::string& db, const std::string& first = "") const;

  // SIGKILL, waiting until the process is gone.
  void Kill(const std::string& node);
  // Starts a killed node again on its ports and data; "" once it answers, else why not.
  std::string Restart(const std::string& node);
  bool running(const std::string& node) const;
  // Process ids of ZooKeeper ("zk") and the running nodes.
  const std::map<std::string, pid_t>& pids() const { return pids_; }

  // Runs `sql` on one node directly (its local tables, system tables).
  Result<std::string> Query(const std::string& node, const std::string& sql) const;
  // Waits until every replicated table of `db` on every node has fetched what its shard holds.
  Status SyncReplicas(const std::string& db) const;

  // The process-wide cluster shared by every test of one binary (started on first use).
  static ClickHouseCluster* Shared(std::string* error);

 private:
  std::string Launch(const std::string& name);  // "zk" or a node
  std::string StartOnce(int shards, int replicas);

  std::unique_ptr<blackout::testing::TempDir> dir_;
  std::map<std::string, std::string> env_;  // cluster.env
  std::vector<std::string> nodes_;
  std::string cluster_;
  std::map<std::string, pid_t> pids_;  // "zk" and the nodes
};

}  // namespace blackout::store::testing
