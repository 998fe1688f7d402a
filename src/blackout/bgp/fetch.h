// Downloads route-collector archive files over HTTP(S) with libcurl: a fixed number of parallel
// transfers, resumable (a partial download is kept as NAME.part and continued with a Range
// request), sizes verified against the server's Content-Length / Content-Range before the file is
// renamed into place, and retries with exponential backoff for transient failures (network errors,
// HTTP 5xx, 429). A 404 is reported as kNotFound and not retried (archives have gaps).
// Thread-safety: FetchFiles may be called from one thread at a time; it runs its own worker
// threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::bgp {

struct FetchOptions {
  int concurrency = 4;           // parallel transfers, >= 1
  int max_attempts = 5;          // per file, >= 1
  double backoff_initial_s = 1;  // first retry delay; doubles each attempt
  double backoff_max_s = 60;     // cap of the retry delay
  long connect_timeout_s = 30;   // NOLINT(runtime/int): libcurl takes long
  long low_speed_time_s = 60;    // abort a transfer slower than 1 byte/s for this long
  // When *stop_new becomes true no further job starts (its outcome: attempts 0, kUnavailable "not
  // started"); when *abort becomes true transfers in flight stop too (their .part is kept).
  const std::atomic<bool>* stop_new = nullptr;
  const std::atomic<bool>* abort = nullptr;
};

// One file to fetch: from `url` into `dest` (parent folders are created).
struct FetchJob {
  std::string url;
  std::filesystem::path dest;
};

struct FetchOutcome {
  FetchJob job;
  Status status;         // OK, kNotFound (404), kDataLoss (size mismatch), kUnavailable, kIoError
  bool skipped = false;  // already complete on disk with the server's size
  bool resumed = false;  // continued a .part file (the server answered 206)
  uint64_t bytes = 0;    // final size on disk
  int attempts = 0;
};

// Called after each file finishes (from a worker thread, serialised by FetchFiles).
using FetchCallback = std::function<void(const FetchOutcome&)>;

// Fetches every job; returns one outcome per job, in the jobs' order.
std::vector<FetchOutcome> FetchFiles(const std::vector<FetchJob>& jobs, const FetchOptions& options,
                                     const FetchCallback& on_done = {});

}  // namespace blackout::bgp
