// The ClickHouse backend's records (Store::PutRecords): table `records` (ReplacingMergeTree by
// version, ORDER BY (kind, key)), created on first use; a delete writes a tombstone row. Reads
// take each key's newest row (argMax by version), so they never wait for a merge. Internal.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/store/internal/clickhouse_http.h"
#include "blackout/store/store.h"

namespace blackout::store::internal {

// `db` is the database name; `version` is larger than any earlier write's.
Status ClickHousePutRecords(HttpClient& http, const std::string& db,
                            std::span<const Record> records, uint64_t version);
Status ClickHouseDeleteRecords(HttpClient& http, const std::string& db, std::string_view kind,
                               std::span<const std::string> keys, uint64_t version);
Result<std::vector<Record>> ClickHouseListRecords(HttpClient& http, const std::string& db,
                                                  std::string_view kind,
                                                  std::string_view key_prefix);

}  // namespace blackout::store::internal
