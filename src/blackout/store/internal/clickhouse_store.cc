// The ClickHouse backend, over the HTTP interface. Every table is a ReplacingMergeTree keyed by the
// row's natural key with a `version` column, and reads use FINAL (or filter deleted rows after
// FINAL), so writing a row again replaces it and re-applying a batch never counts anything twice.
// ClickHouse has no multi-statement transactions: a batch is written table by table, the ledger
// row last, so after a crash the input is not in the ledger and is applied again, replacing what
// was half-written. SQL kept to what ClickHouse 18.16 supports. See docs/store.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "blackout/store/internal/backends.h"
#include "blackout/store/internal/clickhouse_http.h"
#include "blackout/store/internal/clickhouse_records.h"
#include "blackout/store/internal/clickhouse_schema.h"
#include "blackout/store/internal/codec.h"

namespace blackout::store::internal {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string I(int64_t v) { return std::to_string(v); }

// Conditions on (entity, signal, source) columns for a SeriesFilter.
std::string SeriesConditions(const SeriesFilter& f) {
  std::string w = "1";
  if (!f.entity.empty()) w += " AND entity = " + Quote(f.entity);
  if (!f.entity_type.empty()) {
    w += " AND entity >= " + Quote(f.entity_type + "/") + " AND entity < " +
         Quote(f.entity_type + "0");
  }
  if (!f.signal.empty()) w += " AND signal = " + Quote(f.signal);
  if (f.source) w += " AND source = " + Quote(*f.source);
  return w;
}

std::string InList(const std::vector<std::string>& v) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + Quote(v[i]);
  return s + ")";
}

class ClickHouseStore final : public Store {
 public:
  ClickHouseStore(ClickHouseTarget target, OpenOptions options)
      : http_(std::move(target.bases), options.timeout_ms,
              target.cluster.empty() ? "" : std::string(kClusterSettings)),
        db_(std::move(target.db)),
        cluster_(std::move(target.cluster)),
        url_(std::move(target.url)),
        options_(options) {}

  Status Init() {
    if (options_.read_only) {
      BLACKOUT_ASSIGN_OR_RETURN(int v, ReadVersion());
      if (v == 0) return NotFound("no blackout store in ClickHouse database " + db_);
      if (v > kClickHouseSchemaVersion) return NewerSchema(v);
      return Status::Ok();
    }
    if (!cluster_.empty()) return InitCluster();
    if (options_.create) {
      BLACKOUT_RETURN_IF_ERROR(Run("CREATE DATABASE IF NOT EXISTS " + db_).status());
    }
    BLACKOUT_ASSIGN_OR_RETURN(int v, ReadVersion());
    if (v > kClickHouseSchemaVersion) return NewerSchema(v);
    if (v < 1) {
      for (const std::string& sql : V1()) BLACKOUT_RETURN_IF_ERROR(Run(sql).status());
      BLACKOUT_RETURN_IF_ERROR(SetVersion(1));
    }
    if (v < 2) BLACKOUT_RETURN_IF_ERROR(MigrateToV2());
    return Status::Ok();
  }

  std::string url() const override { return url_; }

  Result<int> SchemaVersion() override { return ReadVersion(); }

  Result<ApplyOutcome> Apply(const WriteBatch& batch) override {
    BLACKOUT_RETURN_IF_ERROR(ValidateBatch(batch));
    if (options_.read_only) {
      return Status(StatusCode::kPermissionDenied, "store " + url() + " was opened read-only");
    }
    std::lock_guard lock(write_mu_);
    ApplyOutcome outcome = ApplyOutcome::kApplied;
    int64_t applications = 0;
    if (batch.input()) {
      BLACKOUT_ASSIGN_OR_RETURN(Rows r,
                                Select("SELECT hash, applications FROM " + T("ingest") +
                                       " FINAL WHERE input = " + Quote(batch.input()->input)));
      if (!r.empty()) {
        if (r[0][0] == batch.input()->content_hash) return ApplyOutcome::kAlreadyApplied;
        outcome = ApplyOutcome::kReplaced;
        applications = ToI64(r[0][1]);
      }
    }
    // Check steps before writing anything, so a rejected batch leaves nothing behind.
    std::vector<const WriteBatch::SeriesWrites*> new_series;
    std::map<SeriesKey, Known> known;
    BLACKOUT_RETURN_IF_ERROR(CheckSteps(batch, &new_series, &known));

    // Deletes use `version`, writes `version + 1`, latest values `version + 2`.
    uint64_t version = NextVersion();
    BLACKOUT_RETURN_IF_ERROR(ApplyDeletes(batch, version));
    if (!new_series.empty()) {
      RowBinary rb;
      for (const auto* w : new_series) {
        rb.Str(w->key.entity);
        rb.Str(w->key.signal);
        rb.Str(w->key.source);
        rb.I64(w->step);
        rb.U64(version + 1);
        rb.I64(0);
        rb.F64(0);
        rb.U8(0);
      }
      BLACKOUT_RETURN_IF_ERROR(Insert("series", rb, kSeriesColumns));
    }
    if (batch.point_count() > 0) {
      RowBinary rb;
      rb.reserve(batch.point_count() * 48);
      for (const auto& w : batch.series()) {
        for (const Point& p : w.points) {
          rb.Str(w.key.entity);
          rb.Str(w.key.signal);
          rb.Str(w.key.source);
          rb.I64(p.time);
          rb.F64(p.value);
          rb.U64(version + 1);
        }
      }
      BLACKOUT_RETURN_IF_ERROR(Insert("points", rb));
      BLACKOUT_RETURN_IF_ERROR(UpdateLatest(batch, known, version + 2));
    }
    if (!batch.alerts().empty()) {
      RowBinary rb;
      for (const Alert& a : batch.alerts()) {
        rb.Str(a.entity);
        rb.Str(a.signal);
        rb.Str(a.source);
        rb.Str(a.method);
        rb.I64(a.time);
        rb.I64(a.step);
        rb.U8(static_cast<uint8_t>(AlertLevelCode(a.level)));
        rb.F64(a.value);
        rb.F64(a.expected);
        rb.Str(a.condition);
        rb.Str(a.extra);
        rb.U8(0);
        rb.U64(version + 1);
      }
      BLACKOUT_RETURN_IF_ERROR(Insert("alerts", rb));
    }
    if (!batch.events().empty()) {
      RowBinary rb;
      for (const Event& e : batch.events()) {
        rb.Str(e.EffectiveId());
        rb.Str(e.entity);
        rb.I64(e.start);
        rb.I64(e.end.value_or(0));
        rb.U8(e.end ? 1 : 0);
        rb.F64(e.depth);
        rb.F64(e.score);
        rb.Str(EncodeStrings(e.signals));
        rb.Str(EncodePhases(e.phases));
        rb.Str(TechniqueName(e.technique));
        rb.Str(EncodeStrings(e.related));
        rb.Str(e.method);
        rb.Str(e.extra);
        rb.U8(0);
        rb.U64(version + 1);
      }
      BLACKOUT_RETURN_IF_ERROR(Insert("events", rb));
    }
    if (!batch.state().empty()) {
      RowBinary rb;
      for (const auto& [k, v] : batch.state()) {
        rb.Str(k);
        rb.Str(v);
        rb.U64(version + 1);
      }
      BLACKOUT_RETURN_IF_ERROR(Insert("state", rb));
    }
    if (batch.input()) {
      const IngestRecord& in = *batch.input();
      RowBinary rb;
      rb.Str(in.input);
      rb.Str(in.content_hash);
      rb.U8(static_cast<uint8_t>(in.state));
      rb.Str(in.detail);
      rb.I64(NowSeconds());
      rb.I64(static_cast<int64_t>(batch.point_count()));
      rb.I64(applications + 1);
      rb.U64(version + 1);
      BLACKOUT_RETURN_IF_ERROR(Insert("ingest", rb));
    }
    return outcome;
  }

  // One round trip once the step is known: the stored range and the bins come back together.
  Result<Series> ReadSeries(const SeriesKey& key, UnixSeconds from, UnixSeconds until) override {
    BLACKOUT_ASSIGN_OR_RETURN(int64_t step, StepOf(key));
    std::string where = "entity = " + Quote(key.entity) + " AND signal = " + Quote(key.signal) +
                        " AND source = " + Quote(key.source);
    bool bounded_below = from > INT64_MIN + step;
    UnixSeconds lo_req = bounded_below ? BinStart(from, step) : 0;
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT 0 AS k, min(t) AS a, max(t) AS b, toFloat64(count()) AS x FROM " +
                          T("points") + " WHERE " + where + " UNION ALL SELECT 1, t, t, v FROM " +
                          T("points") + " FINAL WHERE " + where +
                          (bounded_below ? " AND t >= " + I(lo_req) : std::string()) + " AND t < " +
                          I(until)));
    Series s;
    s.key = key;
    s.step = step;
    s.from = lo_req;
    UnixSeconds first = 0, last = -1;
    bool any = false;
    for (const auto& r : rows) {
      if (r[0] == "0" && ToF64(r[3]) > 0) {
        first = ToI64(r[1]);
        last = ToI64(r[2]);
        any = true;
      }
    }
    if (!any) return s;
    UnixSeconds lo = bounded_below ? std::max(lo_req, first) : first;
    UnixSeconds hi = std::min(until, last + step);
    s.from = lo;
    if (hi <= lo) return s;
    s.values.assign(static_cast<size_t>((hi - lo + step - 1) / step), kMissing);
    for (const auto& r : rows) {
      if (r[0] != "1") continue;
      UnixSeconds t = ToI64(r[1]);
      if (t < lo || t >= hi) continue;
      s.values[static_cast<size_t>((t - lo) / step)] = ToF64(r[3]);
    }
    return s;
  }

  // A series' step never changes once written, so it is cached; kNotFound if no such series.
  Result<int64_t> StepOf(const SeriesKey& key) {
    {
      std::lock_guard lock(step_mu_);
      if (auto it = step_cache_.find(key); it != step_cache_.end()) return it->second;
    }
    SeriesFilter f{.entity = key.entity, .signal = key.signal, .source = key.source};
    BLACKOUT_ASSIGN_OR_RETURN(auto steps, Steps(f));
    auto it = steps.find(key);
    if (it == steps.end()) return NotFound("no series " + key.ToString());
    std::lock_guard lock(step_mu_);
    step_cache_[key] = it->second;
    return it->second;
  }

  Result<std::vector<Series>> ReadSeriesMany(const SeriesFilter& filter, UnixSeconds from,
                                             UnixSeconds until) override {
    BLACKOUT_ASSIGN_OR_RETURN(std::vector<SeriesInfo> infos, ListSeries(filter));
    std::vector<Series> out;
    for (const SeriesInfo& info : infos) {
      BLACKOUT_ASSIGN_OR_RETURN(Series s, ReadInfo(info, from, until));
      out.push_back(std::move(s));
    }
    return out;
  }

  Result<std::vector<LatestValue>> Latest(const SeriesFilter& filter) override {
    // has_last is not part of the key: filter after FINAL picked each series' last row.
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows,
        Select("SELECT entity, signal, source, step, last_t, last_v FROM (SELECT * FROM " +
               T("series") + " FINAL WHERE " + SeriesConditions(filter) +
               ") WHERE has_last = 1 ORDER BY entity, signal, source"));
    std::vector<LatestValue> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
      LatestValue v;
      v.key = SeriesKey{std::move(r[0]), std::move(r[1]), std::move(r[2])};
      v.step = ToI64(r[3]);
      v.time = ToI64(r[4]);
      v.value = ToF64(r[5]);
      out.push_back(std::move(v));
    }
    return out;
  }

  Result<std::vector<SeriesInfo>> ListSeries(const SeriesFilter& filter) override {
    BLACKOUT_ASSIGN_OR_RETURN(auto steps, Steps(filter));
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT entity, signal, source, min(t), max(t) FROM " + T("points") +
                          " WHERE " + SeriesConditions(filter) +
                          " GROUP BY entity, signal, source ORDER BY entity, signal, source"));
    std::vector<SeriesInfo> out;
    for (auto& r : rows) {
      SeriesInfo info;
      info.key = SeriesKey{std::move(r[0]), std::move(r[1]), std::move(r[2])};
      auto it = steps.find(info.key);
      if (it == steps.end()) continue;  // points of a series row not written yet (crash window)
      info.step = it->second;
      info.first = ToI64(r[3]);
      info.last = ToI64(r[4]);
      out.push_back(std::move(info));
    }
    return out;
  }

  Result<std::vector<std::string>> ListEntities(std::string_view entity_type,
                                                std::string_view search) override {
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows,
        Select("SELECT DISTINCT entity FROM (SELECT entity FROM " + T("series") +
               " UNION ALL SELECT entity FROM (SELECT entity, deleted FROM " + T("alerts") +
               " FINAL) WHERE deleted = 0 UNION ALL SELECT entity FROM (SELECT entity, deleted "
               "FROM " +
               T("events") + " FINAL) WHERE deleted = 0) ORDER BY entity"));
    std::string needle(search);
    std::transform(needle.begin(), needle.end(), needle.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::vector<std::string> out;
    for (auto& r : rows) {
      if (!entity_type.empty() && EntityTypeOf(r[0]) != entity_type) continue;
      if (!needle.empty()) {
        std::string lower = r[0];
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower.find(needle) == std::string::npos) continue;
      }
      out.push_back(std::move(r[0]));
    }
    return out;
  }

  Result<Page<Alert>> QueryAlerts(const AlertQuery& q) override {
    std::string inner = "SELECT * FROM " + T("alerts") + " FINAL WHERE t >= " + I(q.from) +
                        " AND t < " + I(q.until);
    if (!q.entities.empty()) inner += " AND entity IN " + InList(q.entities);
    if (!q.entity_type.empty()) {
      inner += " AND entity >= " + Quote(q.entity_type + "/") + " AND entity < " +
               Quote(q.entity_type + "0");
    }
    if (!q.signal.empty()) inner += " AND signal = " + Quote(q.signal);
    if (!q.method.empty()) inner += " AND method = " + Quote(q.method);
    std::string where = ") WHERE deleted = 0 AND level >= " + I(AlertLevelCode(q.min_level));
    Page<Alert> page;
    BLACKOUT_ASSIGN_OR_RETURN(Rows c, Select("SELECT count() FROM (" + inner + where));
    page.total = c.empty() ? 0 : ToI64(c[0][0]);
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT entity, signal, source, method, t, step, level, value, expected, "
                          "condition, extra FROM (" +
                          inner + where + " ORDER BY t, entity, signal, source, method" +
                          Limit(q.limit, q.offset)));
    for (auto& r : rows) {
      Alert& a = page.items.emplace_back();
      a.entity = std::move(r[0]);
      a.signal = std::move(r[1]);
      a.source = std::move(r[2]);
      a.method = std::move(r[3]);
      a.time = ToI64(r[4]);
      a.step = ToI64(r[5]);
      a.level = AlertLevelFromCode(ToI64(r[6]));
      a.value = ToF64(r[7]);
      a.expected = ToF64(r[8]);
      a.condition = std::move(r[9]);
      a.extra = std::move(r[10]);
    }
    return page;
  }

  Result<Page<Event>> QueryEvents(const EventQuery& q) override {
    std::string from = EventFrom(q);
    Page<Event> page;
    BLACKOUT_ASSIGN_OR_RETURN(Rows c, Select("SELECT count()" + from));
    page.total = c.empty() ? 0 : ToI64(c[0][0]);
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select(std::string(kEventColumns) + from + " ORDER BY ev_start, entity, id" +
                          Limit(q.limit, q.offset)));
    for (auto& r : rows) page.items.push_back(EventFromRow(r));
    return page;
  }

  Result<Event> GetEvent(std::string_view id) override {
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select(std::string(kEventColumns) + " FROM (SELECT * FROM " + T("events") +
                          " FINAL WHERE id = " + Quote(id) + ") WHERE deleted = 0"));
    if (rows.empty()) return NotFound("no event '" + std::string(id) + "'");
    return EventFromRow(rows[0]);
  }

  Result<IngestRecord> GetIngest(std::string_view input) override {
    BLACKOUT_ASSIGN_OR_RETURN(Rows rows, Select(IngestSelect() + " WHERE input = " + Quote(input)));
    if (rows.empty()) return NotFound("input '" + std::string(input) + "' is not in the ledger");
    return IngestFromRow(rows[0]);
  }

  Result<std::vector<IngestRecord>> ListIngests(const IngestQuery& q) override {
    std::string sql = IngestSelect() + " WHERE startsWith(input, " + Quote(q.input_prefix) + ")";
    if (q.state) sql += " AND state = " + I(static_cast<int>(*q.state));
    sql += " ORDER BY input" + Limit(q.limit, 0);
    BLACKOUT_ASSIGN_OR_RETURN(Rows rows, Select(sql));
    std::vector<IngestRecord> out;
    for (auto& r : rows) out.push_back(IngestFromRow(r));
    return out;
  }

  // Records: clickhouse_records.cc.
  Status PutRecords(std::span<const Record> records) override {
    if (options_.read_only) return Status(StatusCode::kPermissionDenied, "read-only store");
    std::lock_guard lock(write_mu_);
    return ClickHousePutRecords(http_, db_, records, NextVersion());
  }
  Status DeleteRecords(std::string_view kind, std::span<const std::string> keys) override {
    if (options_.read_only) return Status(StatusCode::kPermissionDenied, "read-only store");
    std::lock_guard lock(write_mu_);
    return ClickHouseDeleteRecords(http_, db_, kind, keys, NextVersion());
  }
  Result<std::vector<Record>> ListRecords(std::string_view kind,
                                          std::string_view key_prefix) override {
    return ClickHouseListRecords(http_, db_, kind, key_prefix);
  }

  Result<std::string> GetState(std::string_view key) override {
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT value FROM " + T("state") + " FINAL WHERE key = " + Quote(key)));
    if (rows.empty()) return NotFound("no state '" + std::string(key) + "'");
    return rows[0][0];
  }

 private:
  static constexpr const char* kEventColumns =
      "SELECT id, entity, ev_start, ev_end, has_end, depth, score, signals, phases, technique, "
      "related, method, extra";

  std::string T(std::string_view table) const { return db_ + "." + std::string(table); }

  static int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // Versions grow across processes (wall clock in ns) and within one (never repeat).
  uint64_t NextVersion() {
    uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    uint64_t v = std::max(now, last_version_ + 2);
    last_version_ = v;
    return v;
  }

  static std::string Limit(int64_t limit, int64_t offset) {
    if (limit <= 0 && offset <= 0) return "";
    int64_t n = limit > 0 ? limit : INT64_MAX / 2;
    return " LIMIT " + I(std::max<int64_t>(offset, 0)) + ", " + I(n);
  }

  Result<std::string> Run(const std::string& sql) { return http_.Run(sql); }
  Result<Rows> Select(const std::string& sql) {
    BLACKOUT_ASSIGN_OR_RETURN(std::string body, http_.Run(sql + " FORMAT TabSeparated"));
    return ParseTsv(body);
  }
  static constexpr const char* kSeriesColumns =
      "(entity, signal, source, step, version, last_t, last_v, has_last)";
  Status Insert(std::string_view table, const RowBinary& rb, std::string_view columns = "") {
    std::string cols = columns.empty() ? "" : " " + std::string(columns);
    return http_.Run("INSERT INTO " + T(table) + cols + " FORMAT RowBinary", rb.data(), true)
        .status();
  }

  Status NewerSchema(int v) const {
    return DataLoss("ClickHouse database " + db_ + " has schema version " + std::to_string(v) +
                    ", newer than this blackout understands (" +
                    std::to_string(kClickHouseSchemaVersion) + "); upgrade blackout");
  }

  Result<int> ReadVersion() {
    auto rows = Select("SELECT max(version) FROM " + T("schema_version"));
    if (!rows.ok()) {
      if (rows.status().code() == StatusCode::kNotFound) return 0;  // no database or table yet
      return rows.status();
    }
    return rows->empty() ? 0 : static_cast<int>(ToI64((*rows)[0][0]));
  }

  std::vector<std::string> V1() const {
    std::vector<std::string> out;
    for (const ClickHouseTable& t : ClickHouseTables()) {
      std::string engine =
          t.engine_args.empty() ? "MergeTree()" : "ReplacingMergeTree(" + t.engine_args + ")";
      out.push_back("CREATE TABLE IF NOT EXISTS " + T(t.name) + " " +
                    (t.name == "series" ? std::string(SeriesColumnsV1()) : t.columns) +
                    " ENGINE = " + engine +
                    (t.partition_by.empty() ? "" : " PARTITION BY " + t.partition_by) +
                    " ORDER BY " + t.order_by);
    }
    return out;
  }

  // A cluster is created at the current version, ON CLUSTER (clickhouse_schema.h); an existing
  // one is only checked. Opened by several ingest nodes at once, the IF NOT EXISTS statements
  // are no-ops after the first.
  Status InitCluster() {
    BLACKOUT_ASSIGN_OR_RETURN(int v, ReadVersion());
    if (v > kClickHouseSchemaVersion) return NewerSchema(v);
    if (v == kClickHouseSchemaVersion) return Status::Ok();
    if (v > 0) {
      return Status(StatusCode::kUnimplemented,
                    "ClickHouse cluster database " + db_ + " has schema version " +
                        std::to_string(v) + "; a cluster's schema is created at version " +
                        std::to_string(kClickHouseSchemaVersion) +
                        " and not migrated: export and re-import it (docs/scale-out.md)");
    }
    if (!options_.create) return NotFound("no blackout store in ClickHouse database " + db_);
    for (const std::string& sql : ClusterSchema(db_, cluster_)) {
      BLACKOUT_RETURN_IF_ERROR(Run(sql).status());
    }
    return SetVersion(kClickHouseSchemaVersion);
  }

  // Steps of the series matching `filter`.
  Result<std::map<SeriesKey, int64_t>> Steps(const SeriesFilter& filter) {
    BLACKOUT_ASSIGN_OR_RETURN(Rows rows,
                              Select("SELECT entity, signal, source, step FROM " + T("series") +
                                     " FINAL WHERE " + SeriesConditions(filter)));
    std::map<SeriesKey, int64_t> out;
    for (auto& r : rows) {
      out[SeriesKey{std::move(r[0]), std::move(r[1]), std::move(r[2])}] = ToI64(r[3]);
    }
    return out;
  }

  struct Known {
    int64_t step = 0;
    std::optional<UnixSeconds> last_t;  // current latest non-missing bin
  };
  Status CheckSteps(const WriteBatch& batch,
                    std::vector<const WriteBatch::SeriesWrites*>* new_series,
                    std::map<SeriesKey, Known>* known) {
    if (batch.series().empty()) return Status::Ok();
    std::string keys;
    for (const auto& w : batch.series()) {
      if (!keys.empty()) keys += ",";
      keys +=
          "(" + Quote(w.key.entity) + "," + Quote(w.key.signal) + "," + Quote(w.key.source) + ")";
    }
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT entity, signal, source, step, last_t, has_last FROM " +
                          T("series") + " FINAL WHERE (entity, signal, source) IN (" + keys + ")"));
    for (auto& r : rows) {
      Known k;
      k.step = ToI64(r[3]);
      if (ToI64(r[5]) != 0) k.last_t = ToI64(r[4]);
      (*known)[SeriesKey{std::move(r[0]), std::move(r[1]), std::move(r[2])}] = k;
    }
    for (const auto& w : batch.series()) {
      auto it = known->find(w.key);
      if (it == known->end()) {
        if (!w.points.empty()) new_series->push_back(&w);
      } else if (it->second.step != w.step) {
        return InvalidArgument(
            "series " + w.key.ToString() + " has step " + std::to_string(it->second.step) +
            " s; cannot write points with step " + std::to_string(w.step) + " s");
      }
    }
    return Status::Ok();
  }

  // The latest non-missing bin of each written series after the batch, where it changes. Only
  // bins at or after the current latest matter; a batch that turns the current latest bin into
  // "missing" (and writes nothing later) needs a look at the stored points.
  Status UpdateLatest(const WriteBatch& batch, const std::map<SeriesKey, Known>& known,
                      uint64_t version) {
    RowBinary rb;
    for (const auto& w : batch.series()) {
      if (w.points.empty()) continue;
      auto it = known.find(w.key);
      std::optional<UnixSeconds> cur = it == known.end() ? std::nullopt : it->second.last_t;
      // Final value of each bin at or after `cur` (a later write of a bin in the batch wins).
      std::map<UnixSeconds, double> tail;
      for (const Point& p : w.points) {
        if (!cur || p.time >= *cur) tail[p.time] = p.value;
      }
      std::optional<std::pair<UnixSeconds, double>> latest;
      for (auto r = tail.rbegin(); r != tail.rend(); ++r) {
        if (!IsMissing(r->second)) {
          latest = *r;
          break;
        }
      }
      bool recompute = !latest && cur && tail.count(*cur) && IsMissing(tail[*cur]);
      if (!latest && !recompute) continue;
      if (recompute) {
        BLACKOUT_ASSIGN_OR_RETURN(
            Rows rows, Select("SELECT t, v FROM (SELECT t, v FROM " + T("points") +
                              " FINAL WHERE entity = " + Quote(w.key.entity) + " AND signal = " +
                              Quote(w.key.signal) + " AND source = " + Quote(w.key.source) +
                              ") WHERE NOT isNaN(v) ORDER BY t DESC LIMIT 1"));
        if (!rows.empty()) latest = std::make_pair(ToI64(rows[0][0]), ToF64(rows[0][1]));
      }
      rb.Str(w.key.entity);
      rb.Str(w.key.signal);
      rb.Str(w.key.source);
      rb.I64(w.step);
      rb.U64(version);
      rb.I64(latest ? latest->first : 0);
      rb.F64(latest ? latest->second : 0);
      rb.U8(latest ? 1 : 0);
    }
    if (rb.empty()) return Status::Ok();
    return Insert("series", rb, kSeriesColumns);
  }

  Status SetVersion(int v) {
    return Run("INSERT INTO " + T("schema_version") + " VALUES (" + I(v) + ", " + I(NowSeconds()) +
               ")")
        .status();
  }

  // Version 2: each series row carries its latest non-missing value (maintained on write), so
  // Latest() reads the series table instead of every point. Back-filled from the points.
  Status MigrateToV2() {
    // 18.16 has no ADD COLUMN IF NOT EXISTS: add what a crash half-way may have left out.
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows cols, Select("SELECT name FROM system.columns WHERE database = " + Quote(db_) +
                          " AND table = 'series'"));
    std::set<std::string> have;
    for (auto& r : cols) have.insert(r[0]);
    for (const auto& [name, type] : {std::pair{"last_t", "Int64"}, std::pair{"last_v", "Float64"},
                                     std::pair{"has_last", "UInt8"}}) {
      if (have.count(name)) continue;
      BLACKOUT_RETURN_IF_ERROR(
          Run("ALTER TABLE " + T("series") + " ADD COLUMN " + name + " " + type + " DEFAULT 0")
              .status());
    }
    BLACKOUT_ASSIGN_OR_RETURN(auto steps, Steps(SeriesFilter{}));
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows,
        Select("SELECT entity, signal, source, max(t), argMax(v, t) FROM (SELECT "
               "entity, signal, source, t, v FROM " +
               T("points") + " FINAL) WHERE NOT isNaN(v) GROUP BY entity, signal, source"));
    if (!rows.empty()) {
      uint64_t version = NextVersion();
      RowBinary rb;
      for (auto& r : rows) {
        auto it = steps.find(SeriesKey{r[0], r[1], r[2]});
        if (it == steps.end()) continue;
        rb.Str(r[0]);
        rb.Str(r[1]);
        rb.Str(r[2]);
        rb.I64(it->second);
        rb.U64(version);
        rb.I64(ToI64(r[3]));
        rb.F64(ToF64(r[4]));
        rb.U8(1);
      }
      if (!rb.empty()) BLACKOUT_RETURN_IF_ERROR(Insert("series", rb, kSeriesColumns));
    }
    return SetVersion(2);
  }

  Status ApplyDeletes(const WriteBatch& batch, uint64_t version) {
    // Tombstones: the current rows again with deleted = 1 and a newer version.
    for (const auto& d : batch.alert_deletes()) {
      std::string where = "t >= " + I(d.from) + " AND t < " + I(d.until);
      if (!d.entity.empty()) where += " AND entity = " + Quote(d.entity);
      BLACKOUT_RETURN_IF_ERROR(
          Run("INSERT INTO " + T("alerts") +
              " SELECT entity, signal, source, method, t, step, level, value, expected, "
              "condition, extra, 1, " +
              std::to_string(version) + " FROM (SELECT * FROM " + T("alerts") + " FINAL WHERE " +
              where + ") WHERE deleted = 0")
              .status());
    }
    for (const auto& d : batch.event_deletes()) {
      std::string where =
          "deleted = 0 AND ev_start >= " + I(d.from) + " AND ev_start < " + I(d.until);
      if (!d.entity.empty()) where += " AND entity = " + Quote(d.entity);
      BLACKOUT_RETURN_IF_ERROR(
          Run("INSERT INTO " + T("events") +
              " SELECT id, entity, ev_start, ev_end, has_end, depth, score, signals, phases, "
              "technique, related, method, extra, 1, " +
              std::to_string(version) + " FROM (SELECT * FROM " + T("events") + " FINAL) WHERE " +
              where)
              .status());
    }
    return Status::Ok();
  }

  Result<Series> ReadInfo(const SeriesInfo& info, UnixSeconds from, UnixSeconds until) {
    Series s;
    s.key = info.key;
    s.step = info.step;
    UnixSeconds lo = std::max(
        from <= INT64_MIN + info.step ? info.first : BinStart(from, info.step), info.first);
    UnixSeconds hi = std::min(until, info.last + info.step);
    s.from = lo;
    if (hi <= lo) return s;
    s.values.assign(static_cast<size_t>((hi - lo + info.step - 1) / info.step), kMissing);
    BLACKOUT_ASSIGN_OR_RETURN(
        Rows rows, Select("SELECT t, v FROM " + T("points") + " FINAL WHERE entity = " +
                          Quote(info.key.entity) + " AND signal = " + Quote(info.key.signal) +
                          " AND source = " + Quote(info.key.source) + " AND t >= " + I(lo) +
                          " AND t < " + I(hi) + " ORDER BY t"));
    for (const auto& r : rows) {
      size_t i = static_cast<size_t>((ToI64(r[0]) - lo) / info.step);
      if (i < s.values.size()) s.values[i] = ToF64(r[1]);
    }
    return s;
  }

  // " FROM (...) WHERE ..." selecting live events matching `q`.
  std::string EventFrom(const EventQuery& q) const {
    std::string w = " FROM (SELECT * FROM " + T("events") +
                    " FINAL) WHERE deleted = 0 AND ev_start < " + I(q.until) +
                    " AND (has_end = 0 OR ev_end > " + I(q.from) + ")";
    if (!q.entities.empty()) w += " AND entity IN " + InList(q.entities);
    if (!q.entity_type.empty()) {
      w += " AND entity >= " + Quote(q.entity_type + "/") + " AND entity < " +
           Quote(q.entity_type + "0");
    }
    if (!q.related_to.empty()) {
      // `related` is a JSON array of strings; match one element exactly, quotes included.
      w += " AND position(related, " + Quote(nlohmann::json(q.related_to).dump()) + ") > 0";
    }
    if (q.ongoing_only) w += " AND has_end = 0";
    return w;
  }

  static Event EventFromRow(std::vector<std::string>& r) {
    Event e;
    e.id = std::move(r[0]);
    e.entity = std::move(r[1]);
    e.start = ToI64(r[2]);
    if (ToI64(r[4]) != 0) e.end = ToI64(r[3]);
    e.depth = ToF64(r[5]);
    e.score = ToF64(r[6]);
    e.signals = DecodeStrings(r[7]);
    e.phases = DecodePhases(r[8]);
    e.technique = ParseTechnique(r[9]).value_or(Technique::kUnknown);
    e.related = DecodeStrings(r[10]);
    e.method = std::move(r[11]);
    e.extra = std::move(r[12]);
    return e;
  }

  // FINAL picks the last version of each input; the non-key filter (state) must apply after.
  std::string IngestSelect() const {
    return "SELECT input, hash, state, detail, applied_at, points, applications FROM (SELECT * "
           "FROM " +
           T("ingest") + " FINAL)";
  }

  static IngestRecord IngestFromRow(std::vector<std::string>& r) {
    IngestRecord rec;
    rec.input = std::move(r[0]);
    rec.content_hash = std::move(r[1]);
    rec.state = ToI64(r[2]) == 1 ? IngestState::kPartial : IngestState::kComplete;
    rec.detail = std::move(r[3]);
    rec.applied_at = ToI64(r[4]);
    rec.points = ToI64(r[5]);
    rec.applications = ToI64(r[6]);
    return rec;
  }

  HttpClient http_;
  std::string db_;
  std::string cluster_;  // "" for a single server
  std::string url_;
  OpenOptions options_;
  std::mutex write_mu_;
  uint64_t last_version_ = 0;  // guarded by write_mu_
  std::mutex step_mu_;
  std::map<SeriesKey, int64_t> step_cache_;  // guarded by step_mu_
};

}  // namespace

Result<std::unique_ptr<Store>> OpenClickHouse(const std::string& http_url,
                                              const OpenOptions& options) {
  BLACKOUT_ASSIGN_OR_RETURN(ClickHouseTarget target, ParseClickHouseUrl(http_url));
  auto store = std::make_unique<ClickHouseStore>(std::move(target), options);
  BLACKOUT_RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace blackout::store::internal
