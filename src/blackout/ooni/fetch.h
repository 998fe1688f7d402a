// Gets OONI measurements from the OONI API over HTTP(S) with libcurl: lists a country's
// measurements in a time range (GET /api/v1/measurements?probe_cc=&since=&until=&test_name=,
// paged with limit/offset), then fetches each one with its raw data (GET
// /api/v1/measurement_meta?measurement_uid=UID&full=true) and writes the answers, one per line,
// to a JSON Lines file that `blackout import ooni` reads (reader.h: raw_measurement inside).
// Transient failures (network errors, HTTP 5xx, 429) are retried with backoff; a measurement that
// still fails is reported and skipped. OONI's data are CC BY-NC-SA 4.0 (attribute "OONI").
// Thread-safety: one call per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::ooni {

inline constexpr std::string_view kOoniApiUrl = "https://api.ooni.io";

struct FetchOptions {
  std::string base_url = std::string(kOoniApiUrl);
  std::string country;               // "KZ"
  UnixSeconds since = 0, until = 0;  // [since, until)
  std::vector<std::string> tests;    // OONI test names; empty = every test blackout reads
  int page_size = 500;
  uint64_t max_measurements = 200000;  // stop listing after this many
  int max_attempts = 4;
  double backoff_initial_s = 1;
  long timeout_s = 60;  // NOLINT(runtime/int): libcurl takes long
};

struct FetchSummary {
  uint64_t listed = 0, fetched = 0, failed = 0;
  std::vector<Status> problems;  // the first 20
};

// The tests fetched when FetchOptions::tests is empty.
std::vector<std::string> DefaultFetchTests();

// Lists and fetches (see above) into `output` (created or truncated). Errors: kInvalidArgument
// for bad options, kUnavailable when listing fails after the retries, kIoError writing.
Result<FetchSummary> FetchMeasurements(const FetchOptions& options, const std::string& output);

}  // namespace blackout::ooni
