// The signal store: series, alerts, events and the ingest ledger behind one interface, with two
// backends chosen by URL:
//
//   sqlite:PATH                     an embedded SQLite file (default kDefaultStoreUrl)
//   clickhouse:http://HOST:PORT/DB  a ClickHouse server or cluster, over its HTTP interface
//
// Writes go through WriteBatch + Store::Apply, which is atomic (SQLite: one transaction; readers
// see all of a batch or none of it. ClickHouse: per table, ledger row last; see docs/store.md)
// and idempotent: a batch that names its input and content hash is skipped if the ledger already
// holds that input with that hash. Every stored row has a natural key (series bin; alert key;
// event id) and writes replace, so applying the same data twice never counts anything twice, even
// after a crash between data and ledger.
//
// Thread-safety: a Store is safe to use from many threads at once. Writes are serialised (one
// writer); reads run concurrently with each other and with a write, and see the last committed
// state. Several processes may open the same SQLite file (one writes at a time; a writer waits up
// to OpenOptions::busy_timeout_ms for another, then fails with kUnavailable).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/store/types.h"

namespace blackout::store {

inline constexpr std::string_view kDefaultStoreUrl = "sqlite:./blackout-data/blackout.db";

// ---------------------------------------------------------------------------------------------
// Writes

// A set of changes applied atomically by Store::Apply. Build it, then apply it; a batch may be
// applied to several stores. Not thread-safe (build it from one thread).
class WriteBatch {
 public:
  // Makes this batch "the application of input `input` with content hash `hash`". If the ledger
  // already holds `input` with the same hash, Apply writes nothing and returns kAlreadyApplied.
  // If it holds `input` with another hash (a fixed or re-published file), the batch is applied and
  // replaces the ledger entry (kReplaced). `state` kPartial records a damaged input whose sound
  // part this batch carries; a later batch for the same input with another hash replaces it.
  void SetInput(std::string input, std::string content_hash,
                IngestState state = IngestState::kComplete, std::string detail = "");

  // Points of one series. Times are stored at BinStart(time, step); writing a bin again replaces
  // its value; a kMissing value stores an explicit "missing" (replacing any earlier value).
  // A series' step is fixed by its first write; a later batch with another step fails Apply with
  // kInvalidArgument. REQUIRES: step > 0.
  void AddPoint(const SeriesKey& key, UnixSeconds time, double value,
                int64_t step = kDefaultStepSeconds);
  void AddPoints(const SeriesKey& key, std::span<const Point> points,
                 int64_t step = kDefaultStepSeconds);
  // Every bin of `series`, missing ones as explicit missing values.
  void AddSeries(const Series& series);

  void AddAlert(Alert alert);
  void AddEvent(Event event);

  // Deletes, before this batch's own writes, the alerts (resp. events) of `entity` ("" = every
  // entity) whose time (resp. start) is in [from, until). For detectors re-running a range.
  void DeleteAlerts(std::string entity, UnixSeconds from, UnixSeconds until);
  void DeleteEvents(std::string entity, UnixSeconds from, UnixSeconds until);

  // A small key/value state written with the batch (e.g. a detector's cursor, "scenario generated
  // once"); read back with Store::GetState. Keys are free text, values are opaque bytes.
  void SetState(std::string key, std::string value);

  bool empty() const;
  size_t point_count() const { return point_count_; }

  // Read by backends.
  struct SeriesWrites {
    SeriesKey key;
    int64_t step = kDefaultStepSeconds;
    std::vector<Point> points;  // times already aligned to step
  };
  struct Delete {
    std::string entity;
    UnixSeconds from = 0;
    UnixSeconds until = 0;
  };
  const std::optional<IngestRecord>& input() const { return input_; }
  const std::vector<SeriesWrites>& series() const { return series_; }
  const std::vector<Alert>& alerts() const { return alerts_; }
  const std::vector<Event>& events() const { return events_; }
  const std::vector<Delete>& alert_deletes() const { return alert_deletes_; }
  const std::vector<Delete>& event_deletes() const { return event_deletes_; }
  const std::vector<std::pair<std::string, std::string>>& state() const { return state_; }

 private:
  SeriesWrites& SeriesFor(const SeriesKey& key, int64_t step);

  std::optional<IngestRecord> input_;
  std::vector<SeriesWrites> series_;
  std::unordered_map<SeriesKey, size_t, SeriesKeyHash> series_index_;
  std::vector<Alert> alerts_;
  std::vector<Event> events_;
  std::vector<Delete> alert_deletes_;
  std::vector<Delete> event_deletes_;
  std::vector<std::pair<std::string, std::string>> state_;
  size_t point_count_ = 0;
};

enum class ApplyOutcome : uint8_t {
  kApplied = 0,         // written (a new input, or a batch without input)
  kAlreadyApplied = 1,  // the ledger holds this input with this hash: nothing written
  kReplaced = 2,        // the ledger held this input with another hash: written, entry replaced
};
std::string_view ApplyOutcomeName(ApplyOutcome o);

// ---------------------------------------------------------------------------------------------
// Queries. Time ranges are half-open [from, until) in Unix seconds.

// Selects series. Empty fields match everything.
struct SeriesFilter {
  std::string entity;                 // exact entity
  std::string entity_type;            // "country", "region", "asn", ...
  std::string signal;                 // exact signal
  std::optional<std::string> source;  // exact source ("" = combined only); nullopt = any
};

struct AlertQuery {
  std::vector<std::string> entities;  // any of these (empty = all)
  std::string entity_type;            // "" = all
  std::string signal;                 // "" = all
  std::string method;                 // "" = all
  Level min_level = Level::kNormal;
  UnixSeconds from = 0;
  UnixSeconds until = INT64_MAX;
  int64_t limit = 1000;  // <= 0: no limit
  int64_t offset = 0;
};

struct EventQuery {
  std::vector<std::string> entities;  // any of these (empty = all)
  std::string entity_type;            // "" = all
  std::string related_to;             // events whose `related` contains this entity ("" = all)
  // Events overlapping [from, until): start < until and (ongoing or end > from).
  UnixSeconds from = 0;
  UnixSeconds until = INT64_MAX;
  bool ongoing_only = false;
  int64_t limit = 1000;  // <= 0: no limit
  int64_t offset = 0;
};

template <typename T>
struct Page {
  std::vector<T> items;  // ordered by time (alerts) / start (events), then entity
  int64_t total = 0;     // matches before limit/offset
};

// Per-entity totals of the events matching a query (IODA's /outages/summary).
struct EventSummary {
  std::string entity;
  int64_t events = 0;
  double total_score = 0;
  // Per signal (canonical name): the summed scores of the events that signal showed.
  std::map<std::string, double> signal_scores;
  double min_depth = kMissing;  // the lowest known depth (kMissing when none is known)
  UnixSeconds first_start = 0;
  UnixSeconds last_end = 0;  // end of the latest-ending event; 0 if one is ongoing
  bool ongoing = false;
};

// The one summary of events, for every store and for the API's in-memory read model: per entity,
// ordered by total score (highest first), then entity.
std::vector<EventSummary> SummarizeEventList(std::span<const Event> events);

struct IngestQuery {
  std::string input_prefix;  // inputs starting with this ("" = all)
  std::optional<IngestState> state;
  int64_t limit = 0;  // <= 0: no limit
};

// A small document kept by the store (Store::PutRecords): `kind` names the collection
// ("subscription", "webhook-queue", "annotation", ...), `key` is unique within it, `time` is the
// writer's (e.g. when a queued delivery is due), `value` is opaque (JSON by convention).
struct Record {
  std::string kind;
  std::string key;
  UnixSeconds time = 0;
  std::string value;
};

// ---------------------------------------------------------------------------------------------
// The store

struct OpenOptions {
  bool read_only = false;      // fail writes with kPermissionDenied; never creates anything
  bool create = true;          // create the database (and SQLite's parent directory) if missing
  int busy_timeout_ms = 5000;  // how long a writer waits for another writer (SQLite)
  int timeout_ms = 30000;      // per request (ClickHouse)
  // SQLite only: cap the file at this many pages (0 = SQLite's default). For tests of a full disk.
  int64_t max_page_count = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // "sqlite:/abs/path.db" or "clickhouse:http://127.0.0.1:8123/blackout"
  virtual std::string url() const = 0;
  // The schema version the database is at (after migrations at open).
  virtual Result<int> SchemaVersion() = 0;

  // Applies `batch` atomically (see WriteBatch). Errors: kUnavailable (locked / unreachable),
  // kIoError (disk full, I/O), kPermissionDenied (read-only), kInvalidArgument (bad key, step
  // mismatch). After an error nothing of the batch is visible.
  virtual Result<ApplyOutcome> Apply(const WriteBatch& batch) = 0;

  // --- series
  // Bins of one series in [BinStart(from), until) clipped to the stored bins [first, last], dense;
  // missing bins are kMissing (so from/until may be 0/INT64_MAX for "everything"). The result's
  // `from` says where it starts; `values` is empty when nothing is stored in the range. A series
  // that does not exist gives kNotFound.
  virtual Result<Series> ReadSeries(const SeriesKey& key, UnixSeconds from, UnixSeconds until) = 0;
  // Every series matching `filter`, each over [from, until) as above, ordered by key.
  virtual Result<std::vector<Series>> ReadSeriesMany(const SeriesFilter& filter, UnixSeconds from,
                                                     UnixSeconds until) = 0;
  // The latest non-missing value of every series matching `filter` (series with no value are
  // left out), ordered by key.
  virtual Result<std::vector<LatestValue>> Latest(const SeriesFilter& filter) = 0;
  virtual Result<std::vector<SeriesInfo>> ListSeries(const SeriesFilter& filter) = 0;
  // Distinct entities having any series, alert or event; `entity_type` and a case-insensitive
  // `search` substring filter them ("" = all). Sorted.
  virtual Result<std::vector<std::string>> ListEntities(std::string_view entity_type,
                                                        std::string_view search) = 0;

  // --- alerts and events
  virtual Result<Page<Alert>> QueryAlerts(const AlertQuery& q) = 0;
  virtual Result<Page<Event>> QueryEvents(const EventQuery& q) = 0;
  // kNotFound if absent.
  virtual Result<Event> GetEvent(std::string_view id) = 0;
  // Every event matching `q` (limit/offset ignored) through SummarizeEventList.
  Result<std::vector<EventSummary>> SummarizeEvents(EventQuery q);

  // --- ledger and state
  // The ledger entry for `input`, or kNotFound.
  virtual Result<IngestRecord> GetIngest(std::string_view input) = 0;
  // The ledger's question before a file is ingested under `input`: its content hash (to record with
  // the batch), and whether the ledger already holds `input` with that hash (nothing to do then).
  // Errors: the file's (HashFile) and the store's other than kNotFound.
  struct FileCheck {
    std::string hash;
    bool unchanged = false;
  };
  Result<FileCheck> CheckFile(std::string_view input, const std::string& path);
  virtual Result<std::vector<IngestRecord>> ListIngests(const IngestQuery& q) = 0;
  // The value set by WriteBatch::SetState, or kNotFound.
  virtual Result<std::string> GetState(std::string_view key) = 0;

  // --- records: small keyed documents beside the data (webhook subscriptions and their delivery
  // queue, curated annotations; records.h). Unique on (kind, key): putting a record again
  // replaces it. Each call is atomic on SQLite; on ClickHouse per row (docs/store.md).
  virtual Status PutRecords(std::span<const Record> records) = 0;
  virtual Status DeleteRecords(std::string_view kind, std::span<const std::string> keys) = 0;
  // The records of `kind` whose key starts with `key_prefix`, ordered by key.
  virtual Result<std::vector<Record>> ListRecords(std::string_view kind,
                                                  std::string_view key_prefix = "") = 0;
};

// Opens (creating and migrating if needed) the store named by `url`. Errors: kInvalidArgument for
// a malformed URL, kUnavailable when the server is unreachable or the file locked, kIoError /
// kPermissionDenied for file problems, kDataLoss for a database written by a newer blackout.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, const OpenOptions& options = {});

}  // namespace blackout::store
