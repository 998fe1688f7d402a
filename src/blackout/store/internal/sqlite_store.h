// SqliteStore: the embedded SQLite backend of Store (store.h). One file in WAL mode: one writer
// connection (guarded by a mutex, and by SQLite's own lock across processes) and a pool of reader
// connections, so reads never wait for a write. Writes: sqlite_writes.cc; queries:
// sqlite_store.cc; SQLite plumbing: sqlite_db.h; schema and migrations: sqlite_schema.h and
// docs/store.md. Internal to the store module; OpenStore (open.cc) is the way in.
// Thread-safety: as Store (one object may be used from several threads).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "blackout/store/internal/sqlite_db.h"
#include "blackout/store/store.h"

namespace blackout::store::internal {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, OpenOptions options)
      : path_(std::move(path)), name_(FileUri(path_)), options_(options) {}

  // Opens the writer connection, migrates the schema (or checks it, read-only), starts the readers.
  Status Init();

  std::string url() const override { return "sqlite:" + path_; }
  Result<int> SchemaVersion() override;

  // sqlite_writes.cc: one BEGIN IMMEDIATE ... COMMIT transaction per batch.
  Result<ApplyOutcome> Apply(const WriteBatch& batch) override;

  // The rest: queries (sqlite_store.cc).
  Result<Series> ReadSeries(const SeriesKey& key, UnixSeconds from, UnixSeconds until) override;

  Result<std::vector<Series>> ReadSeriesMany(const SeriesFilter& filter, UnixSeconds from,
                                             UnixSeconds until) override;

  // Every series' latest value is kept in one table row, maintained on write; the whole table is
  // cached in memory and re-read only when PRAGMA data_version says another connection committed.
  Result<std::vector<LatestValue>> Latest(const SeriesFilter& filter) override;
  Result<std::shared_ptr<const std::vector<LatestValue>>> AllLatest();
  Result<std::vector<SeriesInfo>> ListSeries(const SeriesFilter& filter) override;
  Result<std::vector<std::string>> ListEntities(std::string_view entity_type,
                                                std::string_view search) override;
  Result<Page<Alert>> QueryAlerts(const AlertQuery& aq) override;
  Result<Page<Event>> QueryEvents(const EventQuery& eq) override;
  Result<Event> GetEvent(std::string_view id) override;
  Result<IngestRecord> GetIngest(std::string_view input) override;
  Result<std::vector<IngestRecord>> ListIngests(const IngestQuery& iq) override;
  Result<std::string> GetState(std::string_view key) override;
  // sqlite_records.cc (table `records`, schema version 4).
  Status PutRecords(std::span<const Record> records) override;
  Status DeleteRecords(std::string_view kind, std::span<const std::string> keys) override;
  Result<std::vector<Record>> ListRecords(std::string_view kind,
                                          std::string_view key_prefix) override;

 private:
  // kPermissionDenied when the store was opened read-only (every write checks it first).
  Status Writable() const {
    if (!options_.read_only) return Status::Ok();
    return Status(StatusCode::kPermissionDenied, "store " + url() + " was opened read-only");
  }
  struct SeriesRef {
    int64_t id = 0;
    int64_t step = 0;
  };
  struct SeriesRow {
    SeriesKey key;
    int64_t id = 0;
    int64_t step = 0;
    UnixSeconds first = 0;
    UnixSeconds last = -1;
  };

  static constexpr size_t kRowsPerInsert = 100;
  static constexpr const char* kEventColumns =
      "SELECT id, entity, start, end, depth, score, signals, phases, technique, related, method, "
      "extra";
  static constexpr const char* kIngestColumns =
      "SELECT input, hash, state, detail, applied_at, points, applications FROM ingest";

  // Reads run on pooled read-only connections (WAL: they never wait for the writer).
  using Reader = ReaderPool::Lease;
  Result<Reader> Acquire() { return readers_->Acquire(); }

  // Writes (sqlite_writes.cc).
  Result<ApplyOutcome> ApplyLocked(sqlite3* db, const WriteBatch& batch,
                                   std::vector<std::pair<SeriesKey, SeriesRef>>* created);
  Status ApplyDeletes(sqlite3* db, const WriteBatch& batch);
  Result<SeriesRef> SeriesFor(sqlite3* db, const SeriesKey& key, int64_t step,
                              std::vector<std::pair<SeriesKey, SeriesRef>>* created);
  Status ApplySeries(sqlite3* db, const WriteBatch& batch,
                     std::vector<std::pair<SeriesKey, SeriesRef>>* created);
  Status ApplyAlerts(sqlite3* db, const WriteBatch& batch);
  Status ApplyEvents(sqlite3* db, const WriteBatch& batch);

  // Query helpers (sqlite_store.cc).
  Result<std::vector<SeriesRow>> ListRows(sqlite3* db, const SeriesFilter& filter);
  Result<Series> ReadRow(sqlite3* db, const SeriesRow& row, UnixSeconds from, UnixSeconds until);

  static Where EventWhere(const EventQuery& eq);

  // Binds the time range and filters; returns the next free parameter index.
  static int BindEvent(Stmt& q, const EventQuery& eq, const Where& w);

  static Event EventFromRow(const Stmt& q);
  static IngestRecord IngestFromRow(const Stmt& q);

  std::string path_;
  std::string name_;  // what SQLite opens: a file: URI for path_
  OpenOptions options_;
  std::mutex write_mu_;
  DbPtr writer_;
  std::unordered_map<SeriesKey, SeriesRef, SeriesKeyHash> series_cache_;  // guarded by write_mu_
  std::optional<ReaderPool> readers_;                                     // set by Init()
  std::mutex latest_mu_;
  DbPtr probe_;  // guarded by latest_mu_
  int64_t latest_version_ = -1;
  std::shared_ptr<const std::vector<LatestValue>> latest_all_;
};

}  // namespace blackout::store::internal
