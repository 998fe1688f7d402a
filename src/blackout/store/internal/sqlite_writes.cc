// SqliteStore (sqlite_store.h): writes. A batch is one BEGIN IMMEDIATE ... COMMIT transaction:
// readers see all of it or none of it, and the ingest ledger is written in the same transaction.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "blackout/store/internal/codec.h"
#include "blackout/store/internal/sqlite_store.h"

namespace blackout::store::internal {

Result<ApplyOutcome> SqliteStore::Apply(const WriteBatch& batch) {
  BLACKOUT_RETURN_IF_ERROR(ValidateBatch(batch));
  BLACKOUT_RETURN_IF_ERROR(Writable());
  std::lock_guard lock(write_mu_);
  sqlite3* db = writer_.get();
  Transaction tx(db);
  BLACKOUT_RETURN_IF_ERROR(tx.Begin());
  std::vector<std::pair<SeriesKey, SeriesRef>> created;
  Result<ApplyOutcome> out = ApplyLocked(db, batch, &created);
  if (!out.ok() || *out == ApplyOutcome::kAlreadyApplied) return out;  // rolled back
  BLACKOUT_RETURN_IF_ERROR(tx.Commit());
  for (auto& [k, ref] : created) series_cache_.emplace(std::move(k), ref);
  return out;
}

Result<ApplyOutcome> SqliteStore::ApplyLocked(
    sqlite3* db, const WriteBatch& batch, std::vector<std::pair<SeriesKey, SeriesRef>>* created) {
  ApplyOutcome outcome = ApplyOutcome::kApplied;
  int64_t applications = 0;
  if (batch.input()) {
    Stmt q;
    BLACKOUT_RETURN_IF_ERROR(
        q.Prepare(db, "SELECT hash, applications FROM ingest WHERE input = ?"));
    q.BindStatic(1, batch.input()->input);
    Status st;
    if (q.Step(&st)) {
      if (q.View(0) == batch.input()->content_hash) return ApplyOutcome::kAlreadyApplied;
      outcome = ApplyOutcome::kReplaced;
      applications = q.Int(1);
    }
    BLACKOUT_RETURN_IF_ERROR(st);
  }
  BLACKOUT_RETURN_IF_ERROR(ApplyDeletes(db, batch));
  BLACKOUT_RETURN_IF_ERROR(ApplySeries(db, batch, created));
  BLACKOUT_RETURN_IF_ERROR(ApplyAlerts(db, batch));
  BLACKOUT_RETURN_IF_ERROR(ApplyEvents(db, batch));
  if (!batch.state().empty()) {
    Stmt q;
    BLACKOUT_RETURN_IF_ERROR(q.Prepare(db, "INSERT OR REPLACE INTO state(key, value) VALUES(?,?)"));
    for (const auto& [k, v] : batch.state()) {
      q.BindStatic(1, k);
      q.BindStatic(2, v);
      BLACKOUT_RETURN_IF_ERROR(q.Exec());
    }
  }
  if (batch.input()) {
    const IngestRecord& in = *batch.input();
    Stmt q;
    BLACKOUT_RETURN_IF_ERROR(
        q.Prepare(db,
                  "INSERT OR REPLACE INTO ingest(input, hash, state, detail, applied_at, points, "
                  "applications) VALUES(?,?,?,?,?,?,?)"));
    q.BindStatic(1, in.input);
    q.BindStatic(2, in.content_hash);
    q.Bind(3, static_cast<int64_t>(in.state));
    q.BindStatic(4, in.detail);
    q.Bind(5, static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()));
    q.Bind(6, static_cast<int64_t>(batch.point_count()));
    q.Bind(7, applications + 1);
    BLACKOUT_RETURN_IF_ERROR(q.Exec());
  }
  return outcome;
}

Status SqliteStore::ApplyDeletes(sqlite3* db, const WriteBatch& batch) {
  for (const auto& [deletes, sql_all, sql_one] :
       {std::tuple{&batch.alert_deletes(), "DELETE FROM alerts WHERE t >= ? AND t < ?",
                   "DELETE FROM alerts WHERE t >= ? AND t < ? AND entity = ?"},
        std::tuple{&batch.event_deletes(), "DELETE FROM events WHERE start >= ? AND start < ?",
                   "DELETE FROM events WHERE start >= ? AND start < ? AND entity = ?"}}) {
    for (const WriteBatch::Delete& d : *deletes) {
      Stmt q;
      BLACKOUT_RETURN_IF_ERROR(q.Prepare(db, d.entity.empty() ? sql_all : sql_one));
      q.Bind(1, d.from);
      q.Bind(2, d.until);
      if (!d.entity.empty()) q.BindStatic(3, d.entity);
      BLACKOUT_RETURN_IF_ERROR(q.Exec());
    }
  }
  if (!batch.event_deletes().empty()) {
    BLACKOUT_RETURN_IF_ERROR(
        Exec(db, "DELETE FROM event_related WHERE event_id NOT IN (SELECT id FROM events)"));
  }
  return Status::Ok();
}

Result<SqliteStore::SeriesRef> SqliteStore::SeriesFor(
    sqlite3* db, const SeriesKey& key, int64_t step,
    std::vector<std::pair<SeriesKey, SeriesRef>>* created) {
  SeriesRef ref;
  if (auto it = series_cache_.find(key); it != series_cache_.end()) {
    ref = it->second;
  } else {
    Stmt q;
    BLACKOUT_RETURN_IF_ERROR(
        q.Prepare(db, "SELECT id, step FROM series WHERE entity=? AND signal=? AND source=?"));
    q.BindStatic(1, key.entity);
    q.BindStatic(2, key.signal);
    q.BindStatic(3, key.source);
    Status st;
    if (q.Step(&st)) {
      ref = SeriesRef{q.Int(0), q.Int(1)};
    } else {
      BLACKOUT_RETURN_IF_ERROR(st);
      Stmt ins;
      BLACKOUT_RETURN_IF_ERROR(
          ins.Prepare(db, "INSERT INTO series(entity, signal, source, step) VALUES(?,?,?,?)"));
      ins.BindStatic(1, key.entity);
      ins.BindStatic(2, key.signal);
      ins.BindStatic(3, key.source);
      ins.Bind(4, step);
      BLACKOUT_RETURN_IF_ERROR(ins.Exec());
      ref = SeriesRef{sqlite3_last_insert_rowid(db), step};
    }
    // Series rows are never deleted, so a committed id stays valid for every process; only
    // cache after commit (the caller merges `created`).
    created->emplace_back(key, ref);
  }
  if (ref.step != step) {
    return InvalidArgument("series " + key.ToString() + " has step " + std::to_string(ref.step) +
                           " s; cannot write points with step " + std::to_string(step) + " s");
  }
  return ref;
}

Status SqliteStore::ApplySeries(sqlite3* db, const WriteBatch& batch,
                                std::vector<std::pair<SeriesKey, SeriesRef>>* created) {
  if (batch.series().empty()) return Status::Ok();
  Stmt ins, bounds, latest, read_last;
  BLACKOUT_RETURN_IF_ERROR(
      ins.Prepare(db, "INSERT OR REPLACE INTO points(series, t, v) VALUES(?,?,?)"));
  BLACKOUT_RETURN_IF_ERROR(bounds.Prepare(
      db,
      "UPDATE series SET first = min(coalesce(first, ?1), ?1), last = max(coalesce(last, ?2), "
      "?2) WHERE id = ?3"));
  BLACKOUT_RETURN_IF_ERROR(read_last.Prepare(db, "SELECT last_time FROM series WHERE id = ?"));
  BLACKOUT_RETURN_IF_ERROR(latest.Prepare(
      db,
      "UPDATE series SET (last_time, last_value) = (SELECT t, v FROM points WHERE series = ?1 "
      "AND v IS NOT NULL ORDER BY t DESC LIMIT 1) WHERE id = ?1"));
  // Many rows per statement: the per-statement overhead dominates single-row inserts.
  std::string multi = "INSERT OR REPLACE INTO points(series, t, v) VALUES(?,?,?)";
  for (size_t i = 1; i < kRowsPerInsert; ++i) multi += ",(?,?,?)";
  Stmt ins_many;
  BLACKOUT_RETURN_IF_ERROR(ins_many.Prepare(db, multi));
  for (const WriteBatch::SeriesWrites& w : batch.series()) {
    if (w.points.empty()) continue;
    BLACKOUT_ASSIGN_OR_RETURN(SeriesRef ref, SeriesFor(db, w.key, w.step, created));
    UnixSeconds lo = INT64_MAX, hi = INT64_MIN;
    for (const Point& p : w.points) {
      lo = std::min(lo, p.time);
      hi = std::max(hi, p.time);
    }
    size_t n = w.points.size(), i = 0;
    // Rows of one statement go in order, so a later write of the same bin wins as it should.
    for (; i + kRowsPerInsert <= n; i += kRowsPerInsert) {
      for (size_t j = 0; j < kRowsPerInsert; ++j) {
        const Point& p = w.points[i + j];
        int base = static_cast<int>(3 * j);
        ins_many.Bind(base + 1, ref.id);
        ins_many.Bind(base + 2, p.time);
        ins_many.Bind(base + 3, p.value);
      }
      BLACKOUT_RETURN_IF_ERROR(ins_many.Exec());
    }
    for (; i < n; ++i) {
      const Point& p = w.points[i];
      ins.Bind(1, ref.id);
      ins.Bind(2, p.time);
      ins.Bind(3, p.value);
      BLACKOUT_RETURN_IF_ERROR(ins.Exec());
    }
    bounds.Bind(1, lo);
    bounds.Bind(2, hi);
    bounds.Bind(3, ref.id);
    BLACKOUT_RETURN_IF_ERROR(bounds.Exec());
    // Only writes at or after the current latest value can change it.
    read_last.Bind(1, ref.id);
    Status st;
    bool recompute = true;
    if (read_last.Step(&st) && !read_last.IsNull(0)) recompute = hi >= read_last.Int(0);
    read_last.Reset();
    BLACKOUT_RETURN_IF_ERROR(st);
    if (recompute) {
      latest.Bind(1, ref.id);
      BLACKOUT_RETURN_IF_ERROR(latest.Exec());
    }
  }
  return Status::Ok();
}

Status SqliteStore::ApplyAlerts(sqlite3* db, const WriteBatch& batch) {
  if (batch.alerts().empty()) return Status::Ok();
  Stmt q;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(
      db,
      "INSERT OR REPLACE INTO alerts(entity, signal, source, method, t, step, level, value, "
      "expected, condition, extra) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  for (const Alert& a : batch.alerts()) {
    q.BindStatic(1, a.entity);
    q.BindStatic(2, a.signal);
    q.BindStatic(3, a.source);
    q.BindStatic(4, a.method);
    q.Bind(5, a.time);
    q.Bind(6, a.step);
    q.Bind(7, AlertLevelCode(a.level));
    q.Bind(8, a.value);
    q.Bind(9, a.expected);
    q.BindStatic(10, a.condition);
    q.BindStatic(11, a.extra);
    BLACKOUT_RETURN_IF_ERROR(q.Exec());
  }
  return Status::Ok();
}

Status SqliteStore::ApplyEvents(sqlite3* db, const WriteBatch& batch) {
  if (batch.events().empty()) return Status::Ok();
  Stmt q, del_rel, ins_rel;
  BLACKOUT_RETURN_IF_ERROR(q.Prepare(
      db,
      "INSERT OR REPLACE INTO events(id, entity, start, end, depth, score, signals, phases, "
      "technique, related, method, extra) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
  BLACKOUT_RETURN_IF_ERROR(del_rel.Prepare(db, "DELETE FROM event_related WHERE event_id = ?"));
  BLACKOUT_RETURN_IF_ERROR(
      ins_rel.Prepare(db, "INSERT OR IGNORE INTO event_related(entity, event_id) VALUES(?,?)"));
  for (const Event& e : batch.events()) {
    std::string id = e.EffectiveId();
    q.Bind(1, std::string_view(id));
    q.BindStatic(2, e.entity);
    q.Bind(3, e.start);
    if (e.end) {
      q.Bind(4, *e.end);
    } else {
      q.BindNull(4);
    }
    q.Bind(5, e.depth);
    q.Bind(6, e.score);
    q.Bind(7, std::string_view(EncodeStrings(e.signals)));
    q.Bind(8, std::string_view(EncodePhases(e.phases)));
    q.Bind(9, TechniqueName(e.technique));
    q.Bind(10, std::string_view(EncodeStrings(e.related)));
    q.BindStatic(11, e.method);
    q.BindStatic(12, e.extra);
    BLACKOUT_RETURN_IF_ERROR(q.Exec());
    del_rel.Bind(1, std::string_view(id));
    BLACKOUT_RETURN_IF_ERROR(del_rel.Exec());
    for (const std::string& rel : e.related) {
      ins_rel.BindStatic(1, rel);
      ins_rel.Bind(2, std::string_view(id));
      BLACKOUT_RETURN_IF_ERROR(ins_rel.Exec());
    }
  }
  return Status::Ok();
}

}  // namespace blackout::store::internal
