// What the stores share above their backends (store.h): the one summary of events
// (SummarizeEventList, Store::SummarizeEvents) and the ledger check of a file (Store::CheckFile).
#include <algorithm>
#include <cmath>
#include <map>

#include "blackout/store/store.h"

namespace blackout::store {

std::vector<EventSummary> SummarizeEventList(std::span<const Event> events) {
  std::map<std::string, EventSummary> by_entity;
  for (const Event& e : events) {
    EventSummary& s = by_entity[e.entity];
    if (s.events == 0) {
      s.entity = e.entity;
      s.first_start = e.start;
    }
    ++s.events;
    s.total_score += e.score;
    for (const std::string& signal : e.signals) s.signal_scores[signal] += e.score;
    if (!IsMissing(e.depth) && (IsMissing(s.min_depth) || e.depth < s.min_depth)) {
      s.min_depth = e.depth;
    }
    s.first_start = std::min(s.first_start, e.start);
    if (e.end) {
      s.last_end = std::max(s.last_end, *e.end);
    } else {
      s.ongoing = true;
    }
  }
  std::vector<EventSummary> out;
  out.reserve(by_entity.size());
  for (auto& [entity, s] : by_entity) {
    if (s.ongoing) s.last_end = 0;
    out.push_back(std::move(s));
  }
  // by_entity is ordered by entity, so a stable sort keeps entity order among equal scores.
  std::stable_sort(out.begin(), out.end(), [](const EventSummary& a, const EventSummary& b) {
    return a.total_score > b.total_score;
  });
  return out;
}

Result<std::vector<EventSummary>> Store::SummarizeEvents(EventQuery q) {
  q.limit = 0;
  q.offset = 0;
  BLACKOUT_ASSIGN_OR_RETURN(Page<Event> page, QueryEvents(q));
  return SummarizeEventList(page.items);
}

Result<Store::FileCheck> Store::CheckFile(std::string_view input, const std::string& path) {
  FileCheck check;
  BLACKOUT_ASSIGN_OR_RETURN(check.hash, HashFile(path));
  auto existing = GetIngest(input);
  if (existing.ok()) {
    check.unchanged = existing->content_hash == check.hash;
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  return check;
}

}  // namespace blackout::store
