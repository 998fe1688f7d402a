// OONI files into the store: each file's measurements become counts per (entity, app, hour)
// (series.h), added to what the store already holds for those bins, in one batch naming the file
// and its content hash in the ingest ledger (key "ooni:" + absolute path), so re-ingesting a file
// is a no-op. Several files add to the same bins (the data store splits an hour of a country's
// measurements of a test into many files), so a file's own counts are kept in the store's state
// ("ooni:cells:" + path): a file that changes (new hash) first takes its old counts back.
// Thread-safety: one call per thread; the store serialises writers, but two processes ingesting
// OONI files into one store at once may lose each other's additions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/ooni/reader.h"
#include "blackout/ooni/series.h"

namespace blackout::store {
class Store;
}

namespace blackout::ooni {

struct IngestOptions {
  int64_t step = kDefaultOoniStep;
  EntityOptions entities;
  size_t max_problems_kept = 20;
};

struct IngestSummary {
  ReadStats read;
  uint64_t points = 0;     // series points written
  bool unchanged = false;  // the ledger already held this file with this hash
  bool replaced = false;   // the file had been ingested with another hash: its old counts removed
  // Verdict tallies over the file's measurements: outcome name -> count.
  std::map<std::string, uint64_t> outcomes;
  UnixSeconds first = 0, last = 0;  // measurement times (0/0 when none)
};

// Reads a file into counts without writing anywhere.
Result<CellMap> CountFile(const std::string& path, const IngestOptions& options,
                          IngestSummary* summary);

// CountFile + one store batch (see above). Errors: I/O opening the file, store errors.
Result<IngestSummary> IngestFile(const std::string& path, store::Store& store,
                                 const IngestOptions& options = {});

}  // namespace blackout::ooni
