#include "blackout/store/internal/sqlite_schema.h"

#include "blackout/store/internal/sqlite_db.h"

namespace blackout::store::internal {
namespace {

// Version 1: series, points, alerts, events, ledger, state.
constexpr const char* kV1 = R"sql(
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL, signal TEXT NOT NULL, source TEXT NOT NULL,
  step INTEGER NOT NULL,
  first INTEGER, last INTEGER,         -- stored bin range
  last_time INTEGER, last_value REAL,  -- latest non-missing value
  UNIQUE(entity, signal, source));
CREATE TABLE points(
  series INTEGER NOT NULL, t INTEGER NOT NULL, v REAL,  -- NULL: written as missing
  PRIMARY KEY(series, t)) WITHOUT ROWID;
CREATE TABLE alerts(
  entity TEXT NOT NULL, signal TEXT NOT NULL, source TEXT NOT NULL, method TEXT NOT NULL,
  t INTEGER NOT NULL, step INTEGER NOT NULL, level INTEGER NOT NULL,
  value REAL, expected REAL, condition TEXT NOT NULL, extra TEXT NOT NULL,
  PRIMARY KEY(entity, signal, source, method, t)) WITHOUT ROWID;
CREATE INDEX alerts_by_time ON alerts(t);
CREATE TABLE events(
  id TEXT PRIMARY KEY, entity TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER,
  depth REAL, score REAL, signals TEXT NOT NULL, phases TEXT NOT NULL, technique TEXT NOT NULL,
  related TEXT NOT NULL, method TEXT NOT NULL, extra TEXT NOT NULL);
CREATE INDEX events_by_entity ON events(entity, start);
CREATE INDEX events_by_start ON events(start);
CREATE TABLE ingest(
  input TEXT PRIMARY KEY, hash TEXT NOT NULL, state INTEGER NOT NULL, detail TEXT NOT NULL,
  applied_at INTEGER NOT NULL, points INTEGER NOT NULL, applications INTEGER NOT NULL);
CREATE TABLE state(key TEXT PRIMARY KEY, value BLOB);
)sql";

// Version 2: an index of events by related entity (for ?relatedTo=), filled from events.related.
constexpr const char* kV2 = R"sql(
CREATE TABLE event_related(
  entity TEXT NOT NULL, event_id TEXT NOT NULL,
  PRIMARY KEY(entity, event_id)) WITHOUT ROWID;
INSERT OR IGNORE INTO event_related(entity, event_id)
  SELECT j.value, e.id FROM events e, json_each(e.related) j WHERE j.type = 'text';
)sql";

// Version 3: a covering index in key order for Latest(): reading every series' latest value is an
// index-only scan instead of 100k random row lookups.
constexpr const char* kV3 = R"sql(
CREATE INDEX series_latest ON series(entity, signal, source, step, last_time, last_value);
)sql";

// Version 4: small keyed documents (Store::PutRecords): webhook subscriptions, their delivery
// queue and log, curated annotations.
constexpr const char* kV4 = R"sql(
CREATE TABLE records(
  kind TEXT NOT NULL, key TEXT NOT NULL, time INTEGER NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(kind, key)) WITHOUT ROWID;
)sql";

}  // namespace

const char* SchemaMigration(int version) {
  switch (version) {
    case 1:
      return kV1;
    case 2:
      return kV2;
    case 3:
      return kV3;
    case 4:
      return kV4;
    default:
      return "SELECT 1";
  }
}

Result<int> ReadSchemaVersion(sqlite3* db) {
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(db, "PRAGMA user_version"));
  Status st;
  int v = 0;
  if (q.Step(&st)) v = static_cast<int>(q.Int(0));
  BLACKOUT_RETURN_IF_ERROR(st);
  return v;
}

Status NewerSchemaError(const std::string& path, int version) {
  return DataLoss(path + " has schema version " + std::to_string(version) +
                  ", newer than this blackout understands (" + std::to_string(kSchemaVersion) +
                  "); upgrade blackout");
}

Status MigrateSchema(sqlite3* db, int target, const std::string& path) {
  Transaction tx(db);
  BLACKOUT_RETURN_IF_ERROR(tx.Begin());
  BLACKOUT_ASSIGN_OR_RETURN(int v, ReadSchemaVersion(db));
  if (v > kSchemaVersion) return NewerSchemaError(path, v);
  for (int next = v + 1; next <= target; ++next) {
    BLACKOUT_RETURN_IF_ERROR(Exec(db, SchemaMigration(next)));
    std::string set = "PRAGMA user_version=" + std::to_string(next);
    BLACKOUT_RETURN_IF_ERROR(Exec(db, set.c_str()));
  }
  return tx.Commit();
}

}  // namespace blackout::store::internal
