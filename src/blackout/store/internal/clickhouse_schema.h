// The ClickHouse backend's tables, declared once for both layouts, and how a store URL names a
// single server or a replicated cluster (docs/store.md, docs/scale-out.md). Internal.
//
// Single server: each table is a ReplacingMergeTree(version) named as below. Cluster: each table
// is a ReplicatedReplacingMergeTree `<name>_local` on every node (ZooKeeper path per shard and
// database, replica name from the server's {shard}/{replica} macros) behind a Distributed table
// `<name>` sharded by the table's shard key, all created ON CLUSTER; blackout reads and writes the
// Distributed tables only, so every query is the same in both layouts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::store::internal {

// The current schema version of the ClickHouse layout (the single-server migrations in
// clickhouse_store.cc reach it; a cluster is created at it).
constexpr int kClickHouseSchemaVersion = 2;

struct ClickHouseTable {
  std::string name;
  std::string columns;       // "(a String, b Int64, ...)" at the current version
  std::string engine_args;   // ReplacingMergeTree's arguments ("version"), "" for MergeTree
  std::string partition_by;  // "" for none
  std::string order_by;
  // Rows of one key must land on one shard: FINAL deduplicates within a shard only.
  std::string shard_key;
};

// Every table at the current schema version.
const std::vector<ClickHouseTable>& ClickHouseTables();

// Columns `series` had at schema version 1 (version 2 added last_t, last_v, has_last).
std::string_view SeriesColumnsV1();

// "clickhouse:http://HOST:PORT[,HOST:PORT...]/DB[?cluster=NAME]" without the "clickhouse:" prefix.
struct ClickHouseTarget {
  std::vector<std::string> bases;  // "http://HOST:PORT", in the order given
  std::string db;
  std::string cluster;  // "" for a single server (or several copies of one, tried in turn)
  std::string url;      // the store URL, "clickhouse:..."
};
Result<ClickHouseTarget> ParseClickHouseUrl(const std::string& http_url);

// Settings sent with every statement to a cluster: inserts return once every shard has its rows
// (not queued on the node that took them), and every client reads and writes the first live
// replica of each shard in config order, so a writer reads what it wrote while that replica lives;
// a replica more than 2 s behind its shard (one restarted and still fetching) is skipped by reads.
inline constexpr std::string_view kClusterSettings =
    "insert_distributed_sync=1&load_balancing=in_order&prefer_localhost_replica=0&"
    "max_replica_delay_for_distributed_queries=2";

// CREATE statements (IF NOT EXISTS, ON CLUSTER) for the database and every table of a cluster.
std::vector<std::string> ClusterSchema(const std::string& db, const std::string& cluster);

}  // namespace blackout::store::internal
