// The read model the HTTP API serves: entities, signal series, alerts and events, behind a small
// interface (DataView) so the API does not depend on how they are stored. MemoryData is the
// in-process implementation `blackout run` fills from the store after each ingest/detection pass;
// tests fill it directly. Thread-safety: DataView implementations must allow concurrent readers;
// MemoryData guards its state with a shared mutex and replaces it atomically (Replace*), so readers
// never see half an update.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/report/provenance.h"
#include "blackout/store/types.h"

namespace blackout::server {

// An entity as IODA names it: type is "country", "region" or "asn"; code "KZ", "KZ-75", "9198".
struct Entity {
  std::string type;
  std::string code;
  std::string name;
  // Entities this one belongs to or overlaps ("country/KZ" for a region or an ASN).
  std::vector<std::string> related;
  // Free-form attributes (IODA's `attrs`), e.g. {"fqid", "geo.provider.AS.KZ"}.
  std::map<std::string, std::string> attrs;

  std::string Key() const { return type + "/" + code; }
};

// A signal on a regular grid: values[i] is the bin starting at from + i * step. NaN = no data.
struct Series {
  std::string entity_type;
  std::string entity_code;
  std::string datasource;  // "bgp", "ping-slash24", "traffic"
  UnixSeconds from = 0;
  int64_t step = kDefaultStepSeconds;
  std::vector<double> values;
  // The detector's view of the same bins (docs/api.md, "Expected values"): either empty (the
  // detector does not judge this signal, or nothing computed them) or exactly values.size() long.
  // expected[i]: the value the detector expected for bin i (NaN: no baseline yet); lower[i]: the
  // lower edge of its band, expected - z * spread (NaN with expected); level[i]: its verdict,
  // store::Level's numbers (0 no data, 1 unknown, 2 normal, 3 warning, 4 critical).
  std::vector<double> expected;
  std::vector<double> lower;
  std::vector<uint8_t> level;
  // Live sources (BMP, RIS Live): the bin starting here is the current one, still filling, and its
  // value provisional (0 = none in this series); the latest bin a live source's gap overlapped,
  // when its peers' state may lag (0 = none).
  UnixSeconds provisional_bin = 0;
  UnixSeconds gap_bin = 0;

  bool has_expected() const {
    return !values.empty() && expected.size() == values.size() && lower.size() == values.size() &&
           level.size() == values.size();
  }
  UnixSeconds until() const { return from + step * static_cast<int64_t>(values.size()); }
};

struct Datasource {
  std::string name;         // "bgp"
  std::string description;  // "BGP (visible /24 networks)"
  std::string units;        // "Visible /24s"
  int64_t native_step = kDefaultStepSeconds;
};

// A detector's verdict on one bin of one signal (IODA's alert shape).
struct Alert {
  std::string entity_type;
  std::string entity_code;
  std::string datasource;
  UnixSeconds time = 0;
  std::string level;      // "normal", "warning", "critical"
  std::string condition;  // "< 0.8 * baseline"
  double value = 0;
  double history_value = 0;  // the baseline the value was compared with
};

// A disruption, as the detector wrote it to the store: one event model from the detector to the
// API (store/types.h). The API's IODA fields are derived from it when rendered (json_views.h).
using Event = store::Event;
using EventPhase = store::EventPhase;

// IODA's `datasource` of an event: its signals' datasources, comma-separated ("bgp,ping-slash24").
std::string EventDatasources(const Event& e);

// Filters shared by alert/event/summary queries. Unset fields match everything.
struct OutageQuery {
  std::optional<std::string> entity_type;
  std::optional<std::string> entity_code;
  std::optional<std::string> related_to;  // "country/KZ": entities related to it (and itself)
  std::optional<std::string> datasource;
  UnixSeconds from = 0;
  UnixSeconds until = 0;
};

class DataView {
 public:
  virtual ~DataView() = default;

  virtual std::vector<Datasource> Datasources() const = 0;
  virtual std::optional<Entity> FindEntity(std::string_view type, std::string_view code) const = 0;
  // Entities whose code or name contains `search` (case-insensitive; empty matches all), of
  // `type` if given, related to `related_to` if given, with exactly `code` if given. Every filter
  // applies before the cut to the first `limit` (by "type/code").
  virtual std::vector<Entity> SearchEntities(std::string_view search, std::string_view type,
                                             std::string_view related_to, std::string_view code,
                                             size_t limit) const = 0;
  // The series of one entity and datasource cut to [from, until); empty values if none.
  virtual std::vector<Series> GetSeries(std::string_view type, std::string_view code,
                                        std::string_view datasource, UnixSeconds from,
                                        UnixSeconds until) const = 0;
  virtual std::vector<Alert> Alerts(const OutageQuery& q) const = 0;
  // Events overlapping [from, until).
  virtual std::vector<Event> Events(const OutageQuery& q) const = 0;
  // Increases whenever the data changes; lets the API cache rendered answers.
  virtual uint64_t Generation() const = 0;
  // Where the data come from (simulated or not, the sources ingested); empty when unknown.
  virtual report::Provenance Provenance() const { return {}; }
};

class MemoryData : public DataView {
 public:
  MemoryData();

  // Each replaces one part of the state atomically and bumps the generation.
  void ReplaceEntities(std::vector<Entity> entities);
  void ReplaceDatasources(std::vector<Datasource> datasources);
  void PutSeries(Series series);  // replaces the series of the same entity and datasource
  void ReplaceAlerts(std::vector<Alert> alerts);
  void ReplaceEvents(std::vector<Event> events);
  void ReplaceProvenance(report::Provenance provenance);

  std::vector<Datasource> Datasources() const override;
  std::optional<Entity> FindEntity(std::string_view type, std::string_view code) const override;
  std::vector<Entity> SearchEntities(std::string_view search, std::string_view type,
                                     std::string_view related_to, std::string_view code,
                                     size_t limit) const override;
  std::vector<Series> GetSeries(std::string_view type, std::string_view code,
                                std::string_view datasource, UnixSeconds from,
                                UnixSeconds until) const override;
  std::vector<Alert> Alerts(const OutageQuery& q) const override;
  std::vector<Event> Events(const OutageQuery& q) const override;
  uint64_t Generation() const override;
  report::Provenance Provenance() const override;

 private:
  bool Matches(const OutageQuery& q, const std::string& type, const std::string& code) const;

  mutable std::shared_mutex mu_;
  uint64_t generation_ = 1;
  std::vector<Datasource> datasources_;
  std::map<std::string, Entity, std::less<>> entities_;             // key "type/code"
  std::map<std::string, std::vector<Series>, std::less<>> series_;  // key "type/code"
  std::vector<Alert> alerts_;                                       // sorted by time
  std::vector<Event> events_;                                       // sorted by start
  report::Provenance provenance_;
};

// The datasources blackout produces, with IODA's names where IODA has one.
std::vector<Datasource> DefaultDatasources();

}  // namespace blackout::server
