#include "blackout/server/data.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>

#include "blackout/store/entity_ref.h"
#include "blackout/store/signals.h"

namespace blackout::server {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ContainsCaseless(std::string_view haystack, const std::string& needle_lower) {
  if (needle_lower.empty()) return true;
  return Lower(haystack).find(needle_lower) != std::string::npos;
}

}  // namespace

std::vector<Datasource> DefaultDatasources() {
  // The signal registry's (store/signals.h), those that some module ingests.
  std::vector<Datasource> out;
  for (const store::SignalInfo& s : store::Signals()) {
    if (s.ingest.empty()) continue;
    out.push_back(
        {std::string(s.datasource), std::string(s.label), std::string(s.unit), s.native_step});
  }
  return out;
}

MemoryData::MemoryData() : datasources_(DefaultDatasources()) {}

void MemoryData::ReplaceEntities(std::vector<Entity> entities) {
  std::map<std::string, Entity, std::less<>> m;
  for (auto& e : entities) {
    std::string key = e.Key();
    m.emplace(std::move(key), std::move(e));
  }
  std::unique_lock lock(mu_);
  entities_ = std::move(m);
  ++generation_;
}

void MemoryData::ReplaceDatasources(std::vector<Datasource> datasources) {
  std::unique_lock lock(mu_);
  datasources_ = std::move(datasources);
  ++generation_;
}

void MemoryData::PutSeries(Series series) {
  std::string key = series.entity_type + "/" + series.entity_code;
  if (!series.has_expected()) {
    series.expected.clear();
    series.lower.clear();
    series.level.clear();
  }
  std::unique_lock lock(mu_);
  auto& list = series_[key];
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const Series& s) { return s.datasource == series.datasource; });
  if (it != list.end()) {
    *it = std::move(series);
  } else {
    list.push_back(std::move(series));
  }
  ++generation_;
}

void MemoryData::ReplaceAlerts(std::vector<Alert> alerts) {
  std::sort(alerts.begin(), alerts.end(),
            [](const Alert& a, const Alert& b) { return a.time < b.time; });
  std::unique_lock lock(mu_);
  alerts_ = std::move(alerts);
  ++generation_;
}

void MemoryData::ReplaceEvents(std::vector<Event> events) {
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.start < b.start; });
  std::unique_lock lock(mu_);
  events_ = std::move(events);
  ++generation_;
}

void MemoryData::ReplaceProvenance(report::Provenance provenance) {
  std::unique_lock lock(mu_);
  provenance_ = std::move(provenance);
  ++generation_;
}

report::Provenance MemoryData::Provenance() const {
  std::shared_lock lock(mu_);
  return provenance_;
}

std::vector<Datasource> MemoryData::Datasources() const {
  std::shared_lock lock(mu_);
  return datasources_;
}

std::optional<Entity> MemoryData::FindEntity(std::string_view type, std::string_view code) const {
  std::string key = std::string(type) + "/" + std::string(code);
  std::shared_lock lock(mu_);
  auto it = entities_.find(key);
  if (it == entities_.end()) return std::nullopt;
  return it->second;
}

std::vector<Entity> MemoryData::SearchEntities(std::string_view search, std::string_view type,
                                               std::string_view related_to, std::string_view code,
                                               size_t limit) const {
  std::string needle = Lower(search);
  std::vector<Entity> out;
  std::shared_lock lock(mu_);
  for (const auto& [key, e] : entities_) {
    if (out.size() >= limit) break;
    if (!type.empty() && e.type != type) continue;
    if (!code.empty() && e.code != code) continue;
    if (!related_to.empty() && key != related_to &&
        std::find(e.related.begin(), e.related.end(), related_to) == e.related.end()) {
      continue;
    }
    if (!ContainsCaseless(e.code, needle) && !ContainsCaseless(e.name, needle)) continue;
    out.push_back(e);
  }
  return out;
}

std::vector<Series> MemoryData::GetSeries(std::string_view type, std::string_view code,
                                          std::string_view datasource, UnixSeconds from,
                                          UnixSeconds until) const {
  std::string key = std::string(type) + "/" + std::string(code);
  std::vector<Series> out;
  std::shared_lock lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) return out;
  for (const Series& s : it->second) {
    if (!datasource.empty() && s.datasource != datasource) continue;
    Series cut;
    cut.entity_type = s.entity_type;
    cut.entity_code = s.entity_code;
    cut.datasource = s.datasource;
    cut.step = s.step;
    cut.provisional_bin = s.provisional_bin;
    cut.gap_bin = s.gap_bin;
    UnixSeconds first = std::max(from, s.from);
    first = s.from + (first - s.from + s.step - 1) / s.step * s.step;
    cut.from = first;
    UnixSeconds last = std::min(until, s.until());
    if (last > first) {
      size_t begin = static_cast<size_t>((first - s.from) / s.step);
      size_t end = static_cast<size_t>((last - s.from + s.step - 1) / s.step);
      end = std::min(end, s.values.size());
      cut.values.assign(s.values.begin() + begin, s.values.begin() + end);
      if (s.has_expected()) {
        cut.expected.assign(s.expected.begin() + begin, s.expected.begin() + end);
        cut.lower.assign(s.lower.begin() + begin, s.lower.begin() + end);
        cut.level.assign(s.level.begin() + begin, s.level.begin() + end);
      }
    }
    out.push_back(std::move(cut));
  }
  return out;
}

bool MemoryData::Matches(const OutageQuery& q, const std::string& type,
                         const std::string& code) const {
  if (q.entity_type && *q.entity_type != type) return false;
  if (q.entity_code && *q.entity_code != code) return false;
  if (q.related_to) {
    std::string key = type + "/" + code;
    if (key == *q.related_to) return true;
    auto it = entities_.find(key);
    if (it == entities_.end()) return false;
    const auto& rel = it->second.related;
    if (std::find(rel.begin(), rel.end(), *q.related_to) == rel.end()) return false;
  }
  return true;
}

std::vector<Alert> MemoryData::Alerts(const OutageQuery& q) const {
  std::vector<Alert> out;
  std::shared_lock lock(mu_);
  auto it = std::lower_bound(alerts_.begin(), alerts_.end(), q.from,
                             [](const Alert& a, UnixSeconds t) { return a.time < t; });
  for (; it != alerts_.end() && it->time < q.until; ++it) {
    if (q.datasource && it->datasource != *q.datasource) continue;
    if (!Matches(q, it->entity_type, it->entity_code)) continue;
    out.push_back(*it);
  }
  return out;
}

std::vector<Event> MemoryData::Events(const OutageQuery& q) const {
  std::vector<Event> out;
  std::shared_lock lock(mu_);
  for (const Event& e : events_) {
    if (e.start >= q.until) break;
    UnixSeconds end = e.end.value_or(q.until);
    if (end <= q.from) continue;
    if (q.datasource && std::none_of(e.signals.begin(), e.signals.end(), [&](const std::string& s) {
          return store::IodaDatasource(s) == *q.datasource;
        })) {
      continue;
    }
    const store::EntityRef ref = store::EntityRef::FromCanonical(e.entity);
    if (!Matches(q, ref.type(), ref.code())) continue;
    out.push_back(e);
  }
  return out;
}

std::string EventDatasources(const Event& e) {
  std::string out;
  for (const std::string& signal : e.signals) {
    out += (out.empty() ? "" : ",") + store::IodaDatasource(signal);
  }
  return out;
}

uint64_t MemoryData::Generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

}  // namespace blackout::server
