// SQLite schema, as forward migrations: migration N takes a database at version N-1 (PRAGMA
// user_version) to version N. Never edit a released migration; add one. Internal.
#pragma once

namespace blackout::store::internal {

inline constexpr int kSchemaVersion = 3;

// REQUIRES: 1 <= version <= kSchemaVersion. The SQL of one migration (several statements).
const char* SchemaMigration(int version);

}  // namespace blackout::store::internal
