#include <utility>

#include "blackout/store/store.h"

namespace blackout::store {

void WriteBatch::SetInput(std::string input, std::string content_hash, IngestState state,
                          std::string detail) {
  IngestRecord r;
  r.input = std::move(input);
  r.content_hash = std::move(content_hash);
  r.state = state;
  r.detail = std::move(detail);
  input_ = std::move(r);
}

WriteBatch::SeriesWrites& WriteBatch::SeriesFor(const SeriesKey& key, int64_t step) {
  auto it = series_index_.find(key);
  if (it != series_index_.end()) {
    SeriesWrites& w = series_[it->second];
    // A step conflict inside one batch is reported by Apply (the later step wins here).
    w.step = step;
    return w;
  }
  series_index_.emplace(key, series_.size());
  series_.push_back(SeriesWrites{key, step, {}});
  return series_.back();
}

void WriteBatch::AddPoint(const SeriesKey& key, UnixSeconds time, double value, int64_t step) {
  SeriesWrites& w = SeriesFor(key, step);
  w.points.push_back(Point{BinStart(time, step), value});
  ++point_count_;
}

void WriteBatch::AddPoints(const SeriesKey& key, std::span<const Point> points, int64_t step) {
  SeriesWrites& w = SeriesFor(key, step);
  w.points.reserve(w.points.size() + points.size());
  for (const Point& p : points) w.points.push_back(Point{BinStart(p.time, step), p.value});
  point_count_ += points.size();
}

void WriteBatch::AddSeries(const Series& series) {
  SeriesWrites& w = SeriesFor(series.key, series.step);
  w.points.reserve(w.points.size() + series.values.size());
  UnixSeconds t = BinStart(series.from, series.step);
  for (double v : series.values) {
    w.points.push_back(Point{t, v});
    t += series.step;
  }
  point_count_ += series.values.size();
}

void WriteBatch::AddAlert(Alert alert) {
  alert.time = BinStart(alert.time, alert.step > 0 ? alert.step : kDefaultStepSeconds);
  alerts_.push_back(std::move(alert));
}

void WriteBatch::AddEvent(Event event) { events_.push_back(std::move(event)); }

void WriteBatch::DeleteAlerts(std::string entity, UnixSeconds from, UnixSeconds until) {
  alert_deletes_.push_back(Delete{std::move(entity), from, until});
}

void WriteBatch::DeleteEvents(std::string entity, UnixSeconds from, UnixSeconds until) {
  event_deletes_.push_back(Delete{std::move(entity), from, until});
}

void WriteBatch::SetState(std::string key, std::string value) {
  state_.emplace_back(std::move(key), std::move(value));
}

bool WriteBatch::empty() const {
  return !input_ && series_.empty() && alerts_.empty() && events_.empty() &&
         alert_deletes_.empty() && event_deletes_.empty() && state_.empty();
}

std::string_view ApplyOutcomeName(ApplyOutcome o) {
  switch (o) {
    case ApplyOutcome::kApplied:
      return "applied";
    case ApplyOutcome::kAlreadyApplied:
      return "already-applied";
    case ApplyOutcome::kReplaced:
      return "replaced";
  }
  return "applied";
}

}  // namespace blackout::store
