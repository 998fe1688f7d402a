#include "blackout/store/internal/clickhouse_records.h"

namespace blackout::store::internal {
namespace {

Status EnsureTable(HttpClient& http, const std::string& db) {
  return http
      .Run("CREATE TABLE IF NOT EXISTS " + db +
           ".records (kind String, key String, time Int64, value String, deleted UInt8, version "
           "UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY (kind, key)")
      .status();
}

Status InsertRows(HttpClient& http, const std::string& db, const RowBinary& rb) {
  BLACKOUT_RETURN_IF_ERROR(EnsureTable(http, db));
  return http
      .Run("INSERT INTO " + db +
               ".records (kind, key, time, value, deleted, version) FORMAT "
               "RowBinary",
           rb.data(), true)
      .status();
}

}  // namespace

Status ClickHousePutRecords(HttpClient& http, const std::string& db,
                            std::span<const Record> records, uint64_t version) {
  RowBinary rb;
  for (const Record& r : records) {
    if (r.kind.empty() || r.key.empty()) return InvalidArgument("a record needs a kind and a key");
    rb.Str(r.kind);
    rb.Str(r.key);
    rb.I64(r.time);
    rb.Str(r.value);
    rb.U8(0);
    rb.U64(version);
  }
  if (rb.empty()) return Status::Ok();
  return InsertRows(http, db, rb);
}

Status ClickHouseDeleteRecords(HttpClient& http, const std::string& db, std::string_view kind,
                               std::span<const std::string> keys, uint64_t version) {
  RowBinary rb;
  for (const std::string& k : keys) {
    rb.Str(kind);
    rb.Str(k);
    rb.I64(0);
    rb.Str("");
    rb.U8(1);
    rb.U64(version);
  }
  if (rb.empty()) return Status::Ok();
  return InsertRows(http, db, rb);
}

Result<std::vector<Record>> ClickHouseListRecords(HttpClient& http, const std::string& db,
                                                  std::string_view kind,
                                                  std::string_view key_prefix) {
  BLACKOUT_RETURN_IF_ERROR(EnsureTable(http, db));
  const std::string sql =
      "SELECT key, argMax(time, version), argMax(value, version), argMax(deleted, version) AS d "
      "FROM " +
      db + ".records WHERE kind = " + Quote(kind) + " AND startsWith(key, " + Quote(key_prefix) +
      ") GROUP BY key HAVING d = 0 ORDER BY key FORMAT TabSeparated";
  BLACKOUT_ASSIGN_OR_RETURN(std::string body, http.Run(sql));
  std::vector<Record> out;
  for (auto& row : ParseTsv(body)) {
    if (row.size() < 3) continue;
    out.push_back(Record{std::string(kind), std::move(row[0]), ToI64(row[1]), std::move(row[2])});
  }
  return out;
}

}  // namespace blackout::store::internal
