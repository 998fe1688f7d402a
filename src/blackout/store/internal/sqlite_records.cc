// SqliteStore's records (Store::PutRecords): one table keyed by (kind, key), schema version 4.
#include "blackout/store/internal/sqlite_db.h"
#include "blackout/store/internal/sqlite_store.h"

namespace blackout::store::internal {

namespace {

Status CheckRecord(const Record& r) {
  if (r.kind.empty() || r.key.empty()) return InvalidArgument("a record needs a kind and a key");
  return Status::Ok();
}

}  // namespace

Status SqliteStore::PutRecords(std::span<const Record> records) {
  BLACKOUT_RETURN_IF_ERROR(Writable());
  for (const Record& r : records) BLACKOUT_RETURN_IF_ERROR(CheckRecord(r));
  std::lock_guard lock(write_mu_);
  sqlite3* db = writer_.get();
  Transaction tx(db);
  BLACKOUT_RETURN_IF_ERROR(tx.Begin());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(
      q.Prepare(db, "INSERT OR REPLACE INTO records(kind, key, time, value) VALUES(?,?,?,?)"));
  for (const Record& r : records) {
    q.BindStatic(1, r.kind);
    q.BindStatic(2, r.key);
    q.Bind(3, static_cast<int64_t>(r.time));
    q.BindStatic(4, r.value);
    BLACKOUT_RETURN_IF_ERROR(q.Exec());
  }
  return tx.Commit();
}

Status SqliteStore::DeleteRecords(std::string_view kind, std::span<const std::string> keys) {
  BLACKOUT_RETURN_IF_ERROR(Writable());
  std::lock_guard lock(write_mu_);
  sqlite3* db = writer_.get();
  Transaction tx(db);
  BLACKOUT_RETURN_IF_ERROR(tx.Begin());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(db, "DELETE FROM records WHERE kind = ? AND key = ?"));
  for (const std::string& k : keys) {
    q.BindStatic(1, kind);
    q.BindStatic(2, k);
    BLACKOUT_RETURN_IF_ERROR(q.Exec());
  }
  return tx.Commit();
}

Result<std::vector<Record>> SqliteStore::ListRecords(std::string_view kind,
                                                     std::string_view key_prefix) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Stmt q;
  // substr() rather than LIKE: keys may hold '%' and '_'.
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db,
                                     "SELECT key, time, value FROM records WHERE kind = ? AND "
                                     "substr(key, 1, length(?2)) = ?2 ORDER BY key"));
  q.BindStatic(1, kind);
  q.BindStatic(2, key_prefix);
  std::vector<Record> out;
  Status st;
  while (q.Step(&st)) {
    out.push_back(Record{std::string(kind), q.Text(0), q.Int(1), q.Text(2)});
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  return out;
}

}  // namespace blackout::store::internal
