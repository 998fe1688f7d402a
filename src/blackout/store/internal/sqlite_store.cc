// SqliteStore (sqlite_store.h): opening the store, and the queries. Writes: sqlite_writes.cc.
#include "blackout/store/internal/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "blackout/store/internal/backends.h"
#include "blackout/store/internal/codec.h"
#include "blackout/store/internal/sqlite_db.h"
#include "blackout/store/internal/sqlite_schema.h"

namespace blackout::store::internal {
namespace {

Where SeriesWhere(const SeriesFilter& f) {
  Where w;
  if (!f.entity.empty()) w.Add("entity = ?", f.entity);
  if (!f.entity_type.empty()) w.AddEntityType("entity", f.entity_type);
  if (!f.signal.empty()) w.Add("signal = ?", f.signal);
  if (f.source) w.Add("source = ?", *f.source);
  return w;
}

}  // namespace

Status SqliteStore::Init() {
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  if (!options_.read_only) {
    // SQLite would say "unable to open database file"; say why.
    bool exists = ::access(path_.c_str(), F_OK) == 0;
    if ((exists && ::access(path_.c_str(), W_OK) != 0) || ::access(dir.c_str(), W_OK) != 0) {
      return Status(StatusCode::kPermissionDenied, "store " + path_ +
                                                       " is not writable: " + std::strerror(errno) +
                                                       " (open it read-only to read it)");
    }
  } else if (::access(dir.c_str(), W_OK) != 0 && ::access((path_ + "-shm").c_str(), F_OK) != 0) {
    // A WAL database on read-only media: nobody can be writing it, so open it immutable
    // (SQLite then needs no -shm file).
    name_ += "?immutable=1";
  }
  readers_.emplace(name_, options_.busy_timeout_ms);
  BLACKOUT_ASSIGN_OR_RETURN(writer_, OpenConnection(name_, options_.read_only, options_.create,
                                                    options_.busy_timeout_ms));
  if (!options_.read_only) {
    // WAL lets readers proceed during a write; NORMAL sync is crash-safe for process crashes
    // (kill -9) and loses at most the last commits on power loss.
    BLACKOUT_RETURN_IF_ERROR(Exec(writer_.get(), "PRAGMA journal_mode=WAL"));
    BLACKOUT_RETURN_IF_ERROR(Exec(writer_.get(), "PRAGMA synchronous=NORMAL"));
    BLACKOUT_RETURN_IF_ERROR(Exec(writer_.get(), "PRAGMA cache_size=-65536"));
    if (options_.max_page_count > 0) {
      std::string p = "PRAGMA max_page_count=" + std::to_string(options_.max_page_count);
      BLACKOUT_RETURN_IF_ERROR(Exec(writer_.get(), p.c_str()));
    }
    BLACKOUT_RETURN_IF_ERROR(MigrateSchema(writer_.get(), kSchemaVersion, path_));
  } else {
    BLACKOUT_ASSIGN_OR_RETURN(int v, ReadSchemaVersion(writer_.get()));
    if (v > kSchemaVersion) return NewerSchemaError(path_, v);
    if (v < kSchemaVersion) {
      return Status(StatusCode::kPermissionDenied,
                    path_ + " has schema version " + std::to_string(v) +
                        " but this blackout needs " + std::to_string(kSchemaVersion) +
                        "; open it writable once to migrate");
    }
  }
  return Status::Ok();
}

Result<int> SqliteStore::SchemaVersion() {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  return ReadSchemaVersion(r.db);
}

Result<Series> SqliteStore::ReadSeries(const SeriesKey& key, UnixSeconds from, UnixSeconds until) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(
      r.db, "SELECT id, step, first, last FROM series WHERE entity=? AND signal=? AND source=?"));
  q.BindStatic(1, key.entity);
  q.BindStatic(2, key.signal);
  q.BindStatic(3, key.source);
  Status st;
  if (!q.Step(&st)) {
    BLACKOUT_RETURN_IF_ERROR(st);
    return NotFound("no series " + key.ToString());
  }
  SeriesRow row{key, q.Int(0), q.Int(1), q.IsNull(2) ? 0 : q.Int(2), q.IsNull(3) ? -1 : q.Int(3)};
  return ReadRow(r.db, row, from, until);
}

Result<std::vector<Series>> SqliteStore::ReadSeriesMany(const SeriesFilter& filter,
                                                        UnixSeconds from, UnixSeconds until) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  BLACKOUT_ASSIGN_OR_RETURN(std::vector<SeriesRow> rows, ListRows(r.db, filter));
  std::vector<Series> out;
  out.reserve(rows.size());
  for (const SeriesRow& row : rows) {
    BLACKOUT_ASSIGN_OR_RETURN(Series s, ReadRow(r.db, row, from, until));
    out.push_back(std::move(s));
  }
  return out;
}

// Every series' latest value is kept in one table row, maintained on write; the whole table is
// cached in memory and re-read only when PRAGMA data_version says another connection committed.
Result<std::vector<LatestValue>> SqliteStore::Latest(const SeriesFilter& filter) {
  BLACKOUT_ASSIGN_OR_RETURN(std::shared_ptr<const std::vector<LatestValue>> all, AllLatest());
  std::vector<LatestValue> out;
  bool everything = filter.entity.empty() && filter.entity_type.empty() && filter.signal.empty() &&
                    !filter.source;
  if (everything) {
    out = *all;
    return out;
  }
  for (const LatestValue& v : *all) {
    if (!filter.entity.empty() && v.key.entity != filter.entity) continue;
    if (!filter.entity_type.empty() && EntityTypeOf(v.key.entity) != filter.entity_type) continue;
    if (!filter.signal.empty() && v.key.signal != filter.signal) continue;
    if (filter.source && v.key.source != *filter.source) continue;
    out.push_back(v);
  }
  return out;
}

Result<std::shared_ptr<const std::vector<LatestValue>>> SqliteStore::AllLatest() {
  std::lock_guard lock(latest_mu_);
  if (!probe_) {
    BLACKOUT_ASSIGN_OR_RETURN(
        probe_, OpenConnection(name_, /*read_only=*/true, false, options_.busy_timeout_ms));
  }
  int64_t version = -1;
  {
    Stmt v;
    BLACKOUT_RETURN_IF_ERROR(v.Prepare(probe_.get(), "PRAGMA data_version"));
    Status st;
    if (v.Step(&st)) version = v.Int(0);
    BLACKOUT_RETURN_IF_ERROR(st);
  }
  if (latest_all_ && version == latest_version_) return latest_all_;
  // Read on the probe connection itself so the snapshot matches the version just read (a commit
  // landing in between makes the next call re-read).
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(
      q.Prepare(probe_.get(),
                "SELECT entity, signal, source, step, last_time, last_value FROM series "
                "WHERE last_time IS NOT NULL ORDER BY entity, signal, source"));
  auto out = std::make_shared<std::vector<LatestValue>>();
  if (latest_all_) out->reserve(latest_all_->size() + latest_all_->size() / 8);
  Status st;
  while (q.Step(&st)) {
    LatestValue& v = out->emplace_back();
    v.key.entity.assign(q.View(0));
    v.key.signal.assign(q.View(1));
    v.key.source.assign(q.View(2));
    v.step = q.Int(3);
    v.time = q.Int(4);
    v.value = q.Real(5);
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  latest_all_ = std::move(out);
  latest_version_ = version;
  return latest_all_;
}

Result<std::vector<SeriesInfo>> SqliteStore::ListSeries(const SeriesFilter& filter) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  BLACKOUT_ASSIGN_OR_RETURN(std::vector<SeriesRow> rows, ListRows(r.db, filter));
  std::vector<SeriesInfo> out;
  out.reserve(rows.size());
  for (SeriesRow& row : rows) {
    if (row.last < row.first) continue;  // created, but every point rolled back
    out.push_back(SeriesInfo{std::move(row.key), row.step, row.first, row.last});
  }
  return out;
}

Result<std::vector<std::string>> SqliteStore::ListEntities(std::string_view entity_type,
                                                           std::string_view search) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  std::string sql =
      "SELECT entity FROM series UNION SELECT entity FROM alerts UNION SELECT entity FROM "
      "events ORDER BY 1";
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db, sql));
  std::string needle(search);
  std::transform(needle.begin(), needle.end(), needle.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> out;
  Status st;
  while (q.Step(&st)) {
    std::string e = q.Text(0);
    if (!entity_type.empty() && EntityTypeOf(e) != entity_type) continue;
    if (!needle.empty()) {
      std::string lower = e;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (lower.find(needle) == std::string::npos) continue;
    }
    out.push_back(std::move(e));
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  return out;
}

Result<Page<Alert>> SqliteStore::QueryAlerts(const AlertQuery& aq) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Where w;
  std::string sql = " FROM alerts WHERE t >= ? AND t < ? AND level >= ?";
  if (!aq.entities.empty()) {
    w.sql += " AND entity IN (";
    for (size_t i = 0; i < aq.entities.size(); ++i) {
      w.sql += i ? ",?" : "?";
      w.args.push_back(aq.entities[i]);
    }
    w.sql += ")";
  }
  if (!aq.entity_type.empty()) w.AddEntityType("entity", aq.entity_type);
  if (!aq.signal.empty()) w.Add("signal = ?", aq.signal);
  if (!aq.method.empty()) w.Add("method = ?", aq.method);
  sql += w.sql;
  auto bind = [&](Stmt& q) {
    q.Bind(1, aq.from);
    q.Bind(2, aq.until);
    q.Bind(3, AlertLevelCode(aq.min_level));
    q.BindAllStatic(4, w.args);
  };
  Page<Alert> page;
  {
    Stmt c;
    BLACKOUT_RETURN_IF_ERROR(c.Prepare(r.db, "SELECT count(*)" + sql));
    bind(c);
    Status st;
    if (c.Step(&st)) page.total = c.Int(0);
    BLACKOUT_RETURN_IF_ERROR(st);
  }
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(
      q.Prepare(r.db,
                "SELECT entity, signal, source, method, t, step, level, value, expected, "
                "condition, extra" +
                    sql + " ORDER BY t, entity, signal, source, method LIMIT ? OFFSET ?"));
  bind(q);
  int n = static_cast<int>(w.args.size()) + 4;
  q.Bind(n, aq.limit > 0 ? aq.limit : int64_t{-1});
  q.Bind(n + 1, std::max<int64_t>(aq.offset, 0));
  Status st;
  while (q.Step(&st)) {
    Alert& a = page.items.emplace_back();
    a.entity = q.Text(0);
    a.signal = q.Text(1);
    a.source = q.Text(2);
    a.method = q.Text(3);
    a.time = q.Int(4);
    a.step = q.Int(5);
    a.level = AlertLevelFromCode(q.Int(6));
    a.value = q.Real(7);
    a.expected = q.Real(8);
    a.condition = q.Text(9);
    a.extra = q.Text(10);
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  return page;
}

Result<Page<Event>> SqliteStore::QueryEvents(const EventQuery& eq) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Where w = EventWhere(eq);
  Page<Event> page;
  {
    Stmt c;
    BLACKOUT_RETURN_IF_ERROR(c.Prepare(r.db, "SELECT count(*) FROM events e" + w.sql));
    BindEvent(c, eq, w);
    Status st;
    if (c.Step(&st)) page.total = c.Int(0);
    BLACKOUT_RETURN_IF_ERROR(st);
  }
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db, std::string(kEventColumns) + " FROM events e" + w.sql +
                                               " ORDER BY start, entity, id LIMIT ? OFFSET ?"));
  int n = BindEvent(q, eq, w);
  q.Bind(n, eq.limit > 0 ? eq.limit : int64_t{-1});
  q.Bind(n + 1, std::max<int64_t>(eq.offset, 0));
  Status st;
  while (q.Step(&st)) page.items.push_back(EventFromRow(q));
  BLACKOUT_RETURN_IF_ERROR(st);
  return page;
}

Result<Event> SqliteStore::GetEvent(std::string_view id) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(
      q.Prepare(r.db, std::string(kEventColumns) + " FROM events e WHERE id = ?"));
  q.BindStatic(1, id);
  Status st;
  if (q.Step(&st)) return EventFromRow(q);
  BLACKOUT_RETURN_IF_ERROR(st);
  return NotFound("no event '" + std::string(id) + "'");
}

Result<IngestRecord> SqliteStore::GetIngest(std::string_view input) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db, std::string(kIngestColumns) + " WHERE input = ?"));
  q.BindStatic(1, input);
  Status st;
  if (q.Step(&st)) return IngestFromRow(q);
  BLACKOUT_RETURN_IF_ERROR(st);
  return NotFound("input '" + std::string(input) + "' is not in the ledger");
}

Result<std::vector<IngestRecord>> SqliteStore::ListIngests(const IngestQuery& iq) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  std::string sql = std::string(kIngestColumns) + " WHERE substr(input, 1, ?) = ?";
  if (iq.state) sql += " AND state = ?";
  sql += " ORDER BY input LIMIT ?";
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db, sql));
  q.Bind(1, static_cast<int64_t>(iq.input_prefix.size()));
  q.BindStatic(2, iq.input_prefix);
  int n = 3;
  if (iq.state) q.Bind(n++, static_cast<int64_t>(*iq.state));
  q.Bind(n, iq.limit > 0 ? iq.limit : int64_t{-1});
  std::vector<IngestRecord> out;
  Status st;
  while (q.Step(&st)) out.push_back(IngestFromRow(q));
  BLACKOUT_RETURN_IF_ERROR(st);
  return out;
}

Result<std::string> SqliteStore::GetState(std::string_view key) {
  BLACKOUT_ASSIGN_OR_RETURN(Reader r, Acquire());
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(r.db, "SELECT value FROM state WHERE key = ?"));
  q.BindStatic(1, key);
  Status st;
  if (q.Step(&st)) return q.Text(0);
  BLACKOUT_RETURN_IF_ERROR(st);
  return NotFound("no state '" + std::string(key) + "'");
}

Result<std::vector<SqliteStore::SeriesRow>> SqliteStore::ListRows(sqlite3* db,
                                                                  const SeriesFilter& filter) {
  Where w = SeriesWhere(filter);
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(
      db,
      "SELECT entity, signal, source, id, step, first, last FROM series WHERE first IS NOT "
      "NULL" +
          w.sql + " ORDER BY entity, signal, source"));
  q.BindAllStatic(1, w.args);
  std::vector<SeriesRow> out;
  Status st;
  while (q.Step(&st)) {
    out.push_back(SeriesRow{SeriesKey{q.Text(0), q.Text(1), q.Text(2)}, q.Int(3), q.Int(4),
                            q.Int(5), q.Int(6)});
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  return out;
}

Result<Series> SqliteStore::ReadRow(sqlite3* db, const SeriesRow& row, UnixSeconds from,
                                    UnixSeconds until) {
  Series s;
  s.key = row.key;
  s.step = row.step;
  UnixSeconds lo =
      std::max(from <= INT64_MIN + row.step ? row.first : BinStart(from, row.step), row.first);
  UnixSeconds hi = std::min(until, row.last + row.step);  // exclusive
  s.from = lo;
  if (row.last < row.first || hi <= lo) return s;
  s.values.assign(static_cast<size_t>((hi - lo + row.step - 1) / row.step), kMissing);
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(
      q.Prepare(db, "SELECT t, v FROM points WHERE series = ? AND t >= ? AND t < ? ORDER BY t"));
  q.Bind(1, row.id);
  q.Bind(2, lo);
  q.Bind(3, hi);
  Status st;
  while (q.Step(&st)) {
    if (q.IsNull(1)) continue;
    size_t i = static_cast<size_t>((q.Int(0) - lo) / row.step);
    if (i < s.values.size()) s.values[i] = q.Real(1);
  }
  BLACKOUT_RETURN_IF_ERROR(st);
  return s;
}

Where SqliteStore::EventWhere(const EventQuery& eq) {
  Where w;
  w.sql = " WHERE start < ? AND (end IS NULL OR end > ?)";
  if (!eq.entities.empty()) {
    w.sql += " AND entity IN (";
    for (size_t i = 0; i < eq.entities.size(); ++i) {
      w.sql += i ? ",?" : "?";
      w.args.push_back(eq.entities[i]);
    }
    w.sql += ")";
  }
  if (!eq.entity_type.empty()) w.AddEntityType("entity", eq.entity_type);
  if (!eq.related_to.empty()) {
    w.Add("id IN (SELECT event_id FROM event_related WHERE entity = ?)", eq.related_to);
  }
  if (eq.ongoing_only) w.sql += " AND end IS NULL";
  return w;
}

// Binds the time range and filters; returns the next free parameter index.
int SqliteStore::BindEvent(Stmt& q, const EventQuery& eq, const Where& w) {
  q.Bind(1, eq.until);
  q.Bind(2, eq.from);
  q.BindAllStatic(3, w.args);
  return static_cast<int>(w.args.size()) + 3;
}

Event SqliteStore::EventFromRow(const Stmt& q) {
  Event e;
  e.id = q.Text(0);
  e.entity = q.Text(1);
  e.start = q.Int(2);
  if (!q.IsNull(3)) e.end = q.Int(3);
  e.depth = q.Real(4);
  e.score = q.IsNull(5) ? 0 : q.Real(5);
  e.signals = DecodeStrings(q.View(6));
  e.phases = DecodePhases(q.View(7));
  e.technique = ParseTechnique(q.View(8)).value_or(Technique::kUnknown);
  e.related = DecodeStrings(q.View(9));
  e.method = q.Text(10);
  e.extra = q.Text(11);
  return e;
}

IngestRecord SqliteStore::IngestFromRow(const Stmt& q) {
  IngestRecord r;
  r.input = q.Text(0);
  r.content_hash = q.Text(1);
  r.state = q.Int(2) == 1 ? IngestState::kPartial : IngestState::kComplete;
  r.detail = q.Text(3);
  r.applied_at = q.Int(4);
  r.points = q.Int(5);
  r.applications = q.Int(6);
  return r;
}

Result<std::unique_ptr<Store>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(path);
  if (!options.read_only && options.create && p.has_parent_path() &&
      !fs::exists(p.parent_path(), ec)) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) return IoError("cannot create " + p.parent_path().string() + ": " + ec.message());
  }
  if ((options.read_only || !options.create) && !fs::exists(p, ec)) {
    return NotFound("no store at " + path);
  }
  std::string abs = fs::absolute(p, ec).lexically_normal().string();
  if (ec) abs = path;
  auto store = std::make_unique<SqliteStore>(abs, options);
  BLACKOUT_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace blackout::store::internal
