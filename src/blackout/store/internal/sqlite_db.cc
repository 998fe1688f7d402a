#include "blackout/store/internal/sqlite_db.h"

#include <cstdio>

namespace blackout::store::internal {

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status(StatusCode::kUnavailable,
                    msg + " (another process holds the database; try again later)");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status(StatusCode::kPermissionDenied, msg);
    case SQLITE_FULL:
      return Status(StatusCode::kIoError, msg + " (disk or database size limit full)");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
      return Status(StatusCode::kIoError, msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status(StatusCode::kDataLoss, msg);
    default:
      return Status(StatusCode::kInternal, msg);
  }
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string m = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Status s = SqliteError(db, rc, sql);
    return Status(s.code(), std::string(sql).substr(0, 60) + ": " + m);
  }
  return Status::Ok();
}

Result<DbPtr> OpenConnection(const std::string& path, bool read_only, bool create,
                             int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (create) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) return SqliteError(raw, rc, "cannot open " + path);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      DbPtr db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  BLACKOUT_ASSIGN_OR_RETURN(DbPtr db,
                            OpenConnection(name_, /*read_only=*/true, false, busy_timeout_ms_));
  (void)Exec(db.get(), "PRAGMA mmap_size=268435456");
  (void)Exec(db.get(), "PRAGMA cache_size=-16384");
  return Lease(this, std::move(db));
}

void ReaderPool::Release(DbPtr db) {
  std::lock_guard lock(mu_);
  if (idle_.size() < 16) idle_.push_back(std::move(db));
}

std::string FileUri(const std::string& path) {
  std::string out = "file:";
  for (char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace blackout::store::internal
