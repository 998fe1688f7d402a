// Where OONI measurements come from: files and folders as the probes upload them and as OONI's
// public data store keeps them. A `.json` / `.json.gz` file holds one JSON document (a raw
// measurement, possibly pretty-printed, or the API's measurement_meta answer); any other file
// (`.jsonl`, `.jsonl.gz`, stdin "-") holds one measurement per line. Folders are walked
// recursively in name order, so the data store's raw/YYYYMMDD/HH/CC/TESTNAME/*.jsonl.gz layout is
// read in time order. Damaged records are reported with file and line and skipped (the recovering
// reader: STYLE.md); a truncated compressed stream yields its good lines first.
// Thread-safety: one call per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/ooni/measurement.h"

namespace blackout::ooni {

struct ReadStats {
  uint64_t files = 0;
  uint64_t records = 0;          // non-empty lines (documents)
  uint64_t measurements = 0;     // decoded, with a verdict
  uint64_t malformed = 0;        // reported and skipped (JSON, types, sizes)
  uint64_t unknown_tests = 0;    // reported and skipped: a test no rule knows
  uint64_t bytes = 0;            // decompressed bytes read
  std::vector<Status> problems;  // the first max_problems_kept, with file and line
  size_t max_problems_kept = 20;

  void Report(Status st);
};

using MeasurementSink = std::function<void(const Measurement&)>;

// Reads one file (see above). Errors: kNotFound / kIoError opening it; damaged content is
// counted and reported in `stats`, not returned.
Status ReadMeasurements(const std::string& path, const MeasurementSink& sink, ReadStats* stats);

// Reads measurements from memory as JSON Lines (`name` names it in problems).
void ReadJsonLines(std::string_view bytes, const std::string& name, const MeasurementSink& sink,
                   ReadStats* stats);

// The measurement files named by `paths` (files as given; folders walked recursively for *.json,
// *.jsonl, *.json.gz, *.jsonl.gz), sorted within each folder. Errors: kNotFound.
Result<std::vector<std::string>> ListMeasurementFiles(const std::vector<std::string>& paths);

}  // namespace blackout::ooni
