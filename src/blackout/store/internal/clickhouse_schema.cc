#include "blackout/store/internal/clickhouse_schema.h"

#include <cctype>

namespace blackout::store::internal {

const std::vector<ClickHouseTable>& ClickHouseTables() {
  static const std::vector<ClickHouseTable> tables = {
      {"schema_version", "(version UInt32, applied Int64)", "", "", "version", "rand()"},
      {"series",
       "(entity String, signal String, source String, step Int64, version UInt64, last_t Int64 "
       "DEFAULT 0, last_v Float64 DEFAULT 0, has_last UInt8 DEFAULT 0)",
       "version", "", "(entity, signal, source)", "cityHash64(entity)"},
      // Partitions of 30 days keep parts small and let old months be dropped whole.
      {"points",
       "(entity String, signal String, source String, t Int64, v Float64, version UInt64)",
       "version", "intDiv(t, 2592000)", "(entity, signal, source, t)", "cityHash64(entity)"},
      {"alerts",
       "(entity String, signal String, source String, method String, t Int64, step Int64, level "
       "UInt8, value Float64, expected Float64, condition String, extra String, deleted UInt8, "
       "version UInt64)",
       "version", "", "(entity, signal, source, method, t)", "cityHash64(entity)"},
      {"events",
       "(id String, entity String, ev_start Int64, ev_end Int64, has_end UInt8, depth Float64, "
       "score Float64, signals String, phases String, technique String, related String, method "
       "String, extra String, deleted UInt8, version UInt64)",
       "version", "", "id", "cityHash64(id)"},
      {"ingest",
       "(input String, hash String, state UInt8, detail String, applied_at Int64, points Int64, "
       "applications Int64, version UInt64)",
       "version", "", "input", "cityHash64(input)"},
      {"state", "(key String, value String, version UInt64)", "version", "", "key",
       "cityHash64(key)"},
      // Small keyed documents (clickhouse_records.cc creates it on first use on one server;
      // listed here so that a cluster has it replicated from the start).
      {"records",
       "(kind String, key String, time Int64, value String, deleted UInt8, version UInt64)",
       "version", "", "(kind, key)", "cityHash64(key)"},
  };
  return tables;
}

std::string_view SeriesColumnsV1() {
  return "(entity String, signal String, source String, step Int64, version UInt64)";
}

Result<ClickHouseTarget> ParseClickHouseUrl(const std::string& http_url) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument(
        "ClickHouse store URL must be clickhouse:http://HOST:PORT[,HOST:PORT...]/"
        "DB[?cluster=NAME], got '" +
        http_url + "'" + (why.empty() ? "" : ": " + why));
  };
  size_t scheme = http_url.find("://");
  if (scheme == std::string::npos) return bad("");
  size_t slash = http_url.find('/', scheme + 3);
  if (slash == std::string::npos || slash + 1 >= http_url.size()) return bad("");
  ClickHouseTarget t;
  std::string hosts = http_url.substr(scheme + 3, slash - scheme - 3);
  std::string rest = http_url.substr(slash + 1);
  size_t q = rest.find('?');
  t.db = rest.substr(0, q);
  while (!t.db.empty() && t.db.back() == '/') t.db.pop_back();
  if (t.db.empty()) return InvalidArgument("ClickHouse store URL needs a database name");
  for (char c : t.db) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      return InvalidArgument("ClickHouse database name must be [A-Za-z0-9_]: '" + t.db + "'");
    }
  }
  if (q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    if (!query.starts_with("cluster=") || query.find('&') != std::string::npos) {
      return bad("the only option is cluster=NAME");
    }
    t.cluster = query.substr(8);
    if (t.cluster.empty()) return bad("empty cluster name");
    for (char c : t.cluster) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
        return bad("cluster name must be [A-Za-z0-9_-]");
      }
    }
  }
  std::string prefix = http_url.substr(0, scheme + 3);
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    std::string h =
        hosts.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (h.empty()) return bad("empty host");
    t.bases.push_back(prefix + h);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  t.url = "clickhouse:" + prefix + hosts + "/" + t.db;
  if (!t.cluster.empty()) t.url += "?cluster=" + t.cluster;
  return t;
}

std::vector<std::string> ClusterSchema(const std::string& db, const std::string& cluster) {
  std::vector<std::string> out = {"CREATE DATABASE IF NOT EXISTS " + db + " ON CLUSTER " + cluster};
  for (const ClickHouseTable& t : ClickHouseTables()) {
    std::string local = db + "." + t.name + "_local";
    // One ZooKeeper path per shard, database and table: several blackout databases (and the
    // tests' many) share a cluster without sharing replication logs.
    std::string zk = "'/clickhouse/tables/{shard}/" + db + "/" + t.name + "', '{replica}'";
    std::string engine = t.engine_args.empty()
                             ? "ReplicatedMergeTree(" + zk + ")"
                             : "ReplicatedReplacingMergeTree(" + zk + ", " + t.engine_args + ")";
    out.push_back("CREATE TABLE IF NOT EXISTS " + local + " ON CLUSTER " + cluster + " " +
                  t.columns + " ENGINE = " + engine +
                  (t.partition_by.empty() ? "" : " PARTITION BY " + t.partition_by) + " ORDER BY " +
                  t.order_by);
    out.push_back("CREATE TABLE IF NOT EXISTS " + db + "." + t.name + " ON CLUSTER " + cluster +
                  " AS " + local + " ENGINE = Distributed(" + cluster + ", " + db + ", " + t.name +
                  "_local, " + t.shard_key + ")");
  }
  return out;
}

}  // namespace blackout::store::internal
