// The passive `traffic` signal: distinct client addresses per bin per entity, from web-server
// access logs. Each client address is attributed to entities (country, region, ASN) by an
// Attributor (the geo module in production, a table in tests); every bin between a log's first and
// last line gets a value for every entity seen in the log, 0 included (a silent bin inside the
// covered span is a measurement, not a gap). Written as series (entity, "traffic", source) in one
// batch naming the log and its content hash in the ingest ledger, so re-ingesting the same file is
// a no-op. Thread-safety: one call per thread; the Attributor must be callable concurrently if the
// caller shares it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::geo {
class GeoDb;
}
namespace blackout::store {
class Store;
}

namespace blackout::traffic {

// Appends the entities ("country/KZ", "region/KZ-ALA", "asn/9198") of an address to `out`.
using Attributor = std::function<void(const IpAddress&, std::vector<std::string>* out)>;

// Attribution through the geo datasets (country, region, ASN where known).
Attributor GeoAttributor(const geo::GeoDb& db);

struct TrafficOptions {
  int64_t step = kDefaultStepSeconds;
  std::string source;  // series source; "" = the combined series
  size_t max_problems_kept = 20;
};

struct TrafficSummary {
  uint64_t lines = 0, good = 0, malformed = 0;
  uint64_t clients = 0;                    // distinct addresses in the whole log
  uint64_t points = 0;                     // series points written
  bool unchanged = false;                  // the ledger already held this file and hash
  std::vector<std::string> problem_texts;  // "file: line N: DATA_LOSS: ..." (the first few)
  UnixSeconds first_bin = 0, last_bin = 0;
};

// Unique clients per (entity, bin) of one log: entity -> bin start -> count.
struct TrafficCounts {
  std::map<std::string, std::map<UnixSeconds, int64_t>> counts;
  UnixSeconds first_bin = 0, last_bin = 0;  // 0/0 when the log had no good line
  uint64_t clients = 0;
};

// Reads and counts without writing anywhere.
Result<TrafficCounts> CountLog(const std::string& path, const Attributor& attribute,
                               const TrafficOptions& options, TrafficSummary* summary);

// CountLog + one store batch (ledger key "traffic:" + path).
Result<TrafficSummary> IngestLog(const std::string& path, const Attributor& attribute,
                                 store::Store& store, const TrafficOptions& options = {});

}  // namespace blackout::traffic
