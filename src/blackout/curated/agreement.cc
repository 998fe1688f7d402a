#include "blackout/curated/agreement.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace blackout::curated {
namespace {

bool Covered(const CuratedOutage& o, const Coverage& coverage, std::string* entity) {
  for (const std::string& e : o.entities) {
    auto it = coverage.find(e);
    if (it != coverage.end() && o.from < it->second.second &&
        o.EffectiveUntil() > it->second.first) {
      *entity = e;
      return true;
    }
  }
  return false;
}

bool Concerns(const store::Event& ev, const CuratedOutage& o) {
  for (const std::string& e : o.entities) {
    if (ev.entity == e || std::find(ev.related.begin(), ev.related.end(), e) != ev.related.end()) {
      return true;
    }
  }
  return false;
}

bool Overlaps(const store::Event& ev, const CuratedOutage& o, UnixSeconds now,
              const AgreementOptions& opt) {
  const int64_t slack = o.whole_days ? opt.day_slack : opt.timed_slack;
  return ev.start < o.EffectiveUntil() + slack && ev.end.value_or(now) > o.from - slack;
}

}  // namespace

Agreement Compare(std::span<const CuratedOutage> outages, std::span<const store::Event> events,
                  const Coverage& coverage, UnixSeconds now, const AgreementOptions& options) {
  Agreement a;
  std::vector<bool> matched(events.size(), false);
  for (const CuratedOutage& o : outages) {
    std::string entity;
    if (!Covered(o, coverage, &entity)) {
      ++a.outside_coverage;
      continue;
    }
    Agreement::Found f{o, {}};
    for (size_t i = 0; i < events.size(); ++i) {
      if (Concerns(events[i], o) && Overlaps(events[i], o, now, options)) {
        f.event_ids.push_back(events[i].EffectiveId());
        matched[i] = true;
      }
    }
    if (f.event_ids.empty()) {
      // A local record counts only where the store measures one of its regions.
      bool region_covered = false;
      for (const std::string& e : o.entities) {
        region_covered |= e.rfind("region/", 0) == 0 && coverage.count(e) > 0;
      }
      const bool below = o.service_based || (o.scope == "local" && !region_covered);
      (below ? a.not_expected : a.missed).push_back(o);
    } else {
      a.found.push_back(std::move(f));
    }
  }
  // Events the lists could have recorded: inside the time the lists span (all their records).
  UnixSeconds first = INT64_MAX, last = INT64_MIN;
  for (const CuratedOutage& o : outages) {
    first = std::min(first, o.from);
    last = std::max(last, o.EffectiveUntil());
  }
  for (size_t i = 0; i < events.size(); ++i) {
    if (!matched[i] && events[i].start >= first && events[i].start < last) {
      a.unrecorded.push_back(events[i]);
    }
  }
  return a;
}

std::string AgreementJson(const Agreement& a) {
  using json = nlohmann::json;
  auto outage = [](const CuratedOutage& o) {
    json j = json::parse(ToJson(o));
    j["span"] = SpanText(o);
    return j;
  };
  json found = json::array(), missed = json::array(), unrecorded = json::array();
  for (const auto& f : a.found) {
    json j = outage(f.outage);
    j["events"] = f.event_ids;
    found.push_back(j);
  }
  for (const auto& o : a.missed) missed.push_back(outage(o));
  json not_expected = json::array();
  for (const auto& o : a.not_expected) not_expected.push_back(outage(o));
  for (const auto& e : a.unrecorded) {
    unrecorded.push_back({{"id", e.EffectiveId()},
                          {"entity", e.entity},
                          {"start", e.start},
                          {"end", e.end ? json(*e.end) : json(nullptr)}});
  }
  json out = {{"found", found.size()},
              {"missed", missed.size()},
              {"unrecorded", unrecorded.size()},
              {"notExpected", not_expected.size()},
              {"outsideCoverage", a.outside_coverage},
              {"recall", a.recall()},
              {"foundOutages", found},
              {"missedOutages", missed},
              {"notExpectedOutages", not_expected},
              {"unrecordedEvents", unrecorded}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string AgreementTable(const Agreement& a) {
  char head[384];
  std::snprintf(head, sizeof head,
                "curated outages where the store has data: %zu found, %zu missed (recall %.2f), "
                "%zu not to be expected from connectivity (services only, or one city); "
                "%zu detected events without a curated record; %zu curated outages outside the "
                "store's data\n",
                a.found.size(), a.missed.size(), a.recall(), a.not_expected.size(),
                a.unrecorded.size(), a.outside_coverage);
  std::string out = head;
  for (const auto& f : a.found) {
    out += "found       " + f.outage.key() + "  " + f.outage.entities[0] + "  " +
           SpanText(f.outage) + "  <- " + f.event_ids[0] +
           (f.event_ids.size() > 1 ? " (+" + std::to_string(f.event_ids.size() - 1) + ")" : "") +
           "\n";
  }
  for (const auto& o : a.missed) {
    out += "missed      " + o.key() + "  " + o.entities[0] + "  " + SpanText(o) + "\n";
  }
  for (const auto& o : a.not_expected) {
    out += "not-expected " + o.key() + "  " + o.entities[0] + "  " + SpanText(o) +
           (o.service_based ? "  (services only)" : "  (one city, county or village)") + "\n";
  }
  for (const auto& e : a.unrecorded) {
    out += "unrecorded  " + e.EffectiveId() + "  " + e.entity + "  from " + FormatIso8601(e.start) +
           "\n";
  }
  return out;
}

}  // namespace blackout::curated
