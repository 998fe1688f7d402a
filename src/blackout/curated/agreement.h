// Agreement between the detector and curated lists (`blackout evaluate --annotations`): for the
// entities and spans where the store has data, which curated outages the detector found (an event
// of the entity, or one that lists it as related, overlaps the outage), which it missed, and which
// detected events no curated record overlaps. docs/annotations.md says how to read the figures:
// the lists record shutdowns the observatory's signals may not see (an app block, a single city),
// so "missed" is an upper bound on misses, and "unrecorded" counts events, not false alarms.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "blackout/curated/curated.h"
#include "blackout/store/types.h"

namespace blackout::curated {

struct AgreementOptions {
  // Slack either side of a whole-day record (its dates are local, not UTC), seconds.
  int64_t day_slack = 86400;
  // Slack either side of a timed record, seconds.
  int64_t timed_slack = 3600;
};

// Where the store has data: per entity, [first, until) of its series.
using Coverage = std::map<std::string, std::pair<UnixSeconds, UnixSeconds>, std::less<>>;

struct Agreement {
  struct Found {
    CuratedOutage outage;
    std::vector<std::string> event_ids;
  };
  std::vector<Found> found;
  std::vector<CuratedOutage> missed;
  // Not found, and not to be expected from connectivity signals at the record's entities: the list
  // says only services were cut (app blocking; the caller leaves those events out), or it reached
  // one city, county or village and the store holds none of its regions. Not in recall.
  std::vector<CuratedOutage> not_expected;
  std::vector<store::Event> unrecorded;  // starting within the lists' span, overlapping no record
  size_t outside_coverage = 0;           // curated outages where the store has no data
  double recall() const {                // found / (found + missed); 0 when none is covered
    const size_t n = found.size() + missed.size();
    return n ? static_cast<double>(found.size()) / static_cast<double>(n) : 0;
  }
};

// `events`: the detector's connectivity events (app blocking left out by the caller); `now` ends
// ongoing events.
Agreement Compare(std::span<const CuratedOutage> outages, std::span<const store::Event> events,
                  const Coverage& coverage, UnixSeconds now, const AgreementOptions& options = {});

std::string AgreementJson(const Agreement& a);
std::string AgreementTable(const Agreement& a);

}  // namespace blackout::curated
