// The telescope signal into the store: capture files (and folders of rotated captures) become the
// `darknet` series (unique sources per bin, the registry's signal) and `darknet-packets` (packets
// per bin) of every entity their sources are attributed to, one store batch per file with its
// ingest-ledger entry ("darknet:" + absolute path, content hash), so a file already ingested is
// skipped and a file that grew (a capture still being written) replaces its earlier contribution.
//
// Within the span a file covers, every bin gets a value for every entity seen in it, 0 included (a
// silent bin is a measurement). A bin split across two files (rotation mid-bin) is counted as the
// union of both: each file's first and last bins keep their sketches in the store's state
// ("darknet:bin:SOURCE:TIME") and the next file sharing the bin merges them. docs/darknet.md.
// Thread-safety: one call per thread; the Attributor must be callable from the calling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/darknet/capture.h"
#include "blackout/darknet/counter.h"

namespace blackout::store {
class Store;
class WriteBatch;
}  // namespace blackout::store

namespace blackout::darknet {

// The series the telescope writes (the first is the registry's `darknet`).
inline constexpr std::string_view kPacketsSignal = "darknet-packets";

struct DarknetOptions {
  int64_t step = kDefaultStepSeconds;
  std::string source;  // series source; "" = the combined series
  FilterOptions filter;
  std::string bpf;  // pcap-filter(7) expression applied to every file and interface ("" = none)
  size_t cache_entries = size_t{1} << 19;
  size_t max_problems_kept = 20;
};

struct FileSummary {
  std::string path;
  PacketStats stats;
  uint64_t bins = 0, points = 0;
  uint64_t sources = 0;    // unique sources over the whole file, all entities (sketch)
  bool unchanged = false;  // the ledger already held this file and hash
  std::string problem;     // the damage found ("" = none); the sound part was ingested
};

struct IngestSummary {
  std::vector<FileSummary> files;
  PacketStats stats;
  uint64_t points = 0;
  size_t written = 0, unchanged = 0, damaged = 0;
  std::vector<std::string> problem_texts;  // the first few
};

// Files named by `inputs`: a file as it is; a folder: its regular files, recursively, hidden ones
// skipped, sorted by path (rotated capture names sort by time). kNotFound for a missing input.
Result<std::vector<std::string>> ListCaptureFiles(const std::vector<std::string>& inputs);

// Reads one capture into `counter` (no store). The damage of a damaged file goes to `*damage`
// (kDataLoss with where); the return value is an error only if the file could not be read at all.
Status CountFile(const std::string& path, const std::string& bpf, TelescopeCounter& counter,
                 Status* damage);

// CountFile + one store batch for the file.
Result<FileSummary> IngestFile(const std::string& path, const Attributor& attribute,
                               store::Store& store, const DarknetOptions& options = {});

// IngestFile over ListCaptureFiles(inputs). A file that cannot be read is a problem, not an error;
// errors are the store's. `cancel`, when set and true, stops between files.
Result<IngestSummary> IngestInputs(const std::vector<std::string>& inputs,
                                   const Attributor& attribute, store::Store& store,
                                   const DarknetOptions& options = {},
                                   const std::atomic<bool>* cancel = nullptr);

// Adds the counter's `bins` as series points to `batch` (zero for entities silent in a bin).
size_t AddBinsToBatch(const TelescopeCounter& counter, const std::vector<UnixSeconds>& bins,
                      const std::string& source, store::WriteBatch& batch);

}  // namespace blackout::darknet
