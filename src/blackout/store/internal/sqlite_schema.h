// SQLite schema, as forward migrations: migration N takes a database at version N-1 (PRAGMA
// user_version) to version N. Never edit a released migration; add one. Internal.
#pragma once

#include <string>

#include "blackout/base/status.h"

struct sqlite3;

namespace blackout::store::internal {

inline constexpr int kSchemaVersion = 4;

// REQUIRES: 1 <= version <= kSchemaVersion. The SQL of one migration (several statements).
const char* SchemaMigration(int version);

// The database's schema version (PRAGMA user_version; 0 for a new file).
Result<int> ReadSchemaVersion(sqlite3* db);

// Runs the migrations from the database's version up to `target` in one transaction; a database
// newer than kSchemaVersion is refused (NewerSchemaError). `path` names the file in errors.
Status MigrateSchema(sqlite3* db, int target, const std::string& path);

Status NewerSchemaError(const std::string& path, int version);

}  // namespace blackout::store::internal
