// SQLite plumbing for the store's SQLite backend (sqlite_store.cc holds the schema's queries):
// error codes mapped to Status, a prepared statement with typed binding and column access,
// one-shot execution, connections, transactions, a pool of reader connections, and WHERE clauses
// built with their bindings. No table or column names here.
// Thread-safety: a connection and its statements are used by one thread at a time; ReaderPool is
// thread-safe.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/store/types.h"

namespace blackout::store::internal {

// A Status for SQLite result code `rc` (extended codes allowed) of operation `what`.
Status SqliteError(sqlite3* db, int rc, std::string_view what);

// A prepared statement (SQLITE_PREPARE_PERSISTENT); Exec() resets it for reuse.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(s_); }

  Status Prepare(sqlite3* db, std::string_view sql) {
    db_ = db;
    sqlite3_finalize(s_);
    s_ = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &s_, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db, rc, "prepare");
    return Status::Ok();
  }
  void Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void Bind(int i, double v) {
    if (IsMissing(v)) {
      sqlite3_bind_null(s_, i);
    } else {
      sqlite3_bind_double(s_, i, v);
    }
  }
  void Bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void BindStatic(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void BindNull(int i) { sqlite3_bind_null(s_, i); }
  // Binds args[k] to parameter first + k (SQLITE_STATIC: `args` must outlive the statement's use).
  void BindAllStatic(int first, const std::vector<std::string>& args) {
    for (size_t k = 0; k < args.size(); ++k) BindStatic(first + static_cast<int>(k), args[k]);
  }
  // true: a row is available; false: done. Errors in *st.
  bool Step(Status* st) {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) *st = SqliteError(db_, rc, "step");
    return false;
  }
  Status Exec() {
    Status st;
    while (Step(&st)) {
    }
    sqlite3_reset(s_);
    return st;
  }
  int64_t Int(int c) const { return sqlite3_column_int64(s_, c); }
  bool IsNull(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  double Real(int c) const { return IsNull(c) ? kMissing : sqlite3_column_double(s_, c); }
  std::string Text(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  std::string_view View(int c) const {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string_view(reinterpret_cast<const char*>(t),
                                static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

// Runs one or more statements without results.
Status Exec(sqlite3* db, const char* sql);

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;

// Opens `path` (a file: URI is accepted) with extended result codes and a busy timeout.
Result<DbPtr> OpenConnection(const std::string& path, bool read_only, bool create,
                             int busy_timeout_ms);

// "file:" URI for a path (SQLITE_OPEN_URI), so options such as immutable=1 can be added.
std::string FileUri(const std::string& path);

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_) (void)Exec(db_, "ROLLBACK");
  }
  Status Begin() {
    BLACKOUT_RETURN_IF_ERROR(Exec(db_, "BEGIN IMMEDIATE"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    BLACKOUT_RETURN_IF_ERROR(Exec(db_, "COMMIT"));
    open_ = false;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

// Read-only connections to one database, kept for reuse (at most 16 idle), so that reads never
// wait for the writer (WAL mode) nor for each other.
class ReaderPool {
 public:
  ReaderPool(std::string name, int busy_timeout_ms)
      : name_(std::move(name)), busy_timeout_ms_(busy_timeout_ms) {}

  // A connection borrowed from the pool; returned on destruction.
  class Lease {
   public:
    Lease(ReaderPool* pool, DbPtr db) : pool_(pool), owned_(std::move(db)), db(owned_.get()) {}
    Lease(Lease&& o) noexcept : pool_(o.pool_), owned_(std::move(o.owned_)), db(o.db) {
      o.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ && owned_) pool_->Release(std::move(owned_));
    }

   private:
    ReaderPool* pool_;
    DbPtr owned_;

   public:
    sqlite3* db;
  };

  // An idle connection, or a new one (memory-mapped reads, 16 MiB page cache).
  Result<Lease> Acquire();

 private:
  void Release(DbPtr db);

  const std::string name_;
  const int busy_timeout_ms_;
  std::mutex mu_;
  std::vector<DbPtr> idle_;  // guarded by mu_
};

// A WHERE clause built piece by piece: " AND ..." clauses and the text bound to their "?"s.
struct Where {
  std::string sql;
  std::vector<std::string> args;
  void Add(std::string clause, std::string arg) {
    sql += " AND " + clause;
    args.push_back(std::move(arg));
  }
  // entity LIKE 'type/%' without LIKE, so the index on entity is used.
  void AddEntityType(const std::string& column, const std::string& type) {
    sql += " AND " + column + " >= ? AND " + column + " < ?";
    args.push_back(type + "/");
    args.push_back(type + "0");  // '0' follows '/'
  }
};

}  // namespace blackout::store::internal
