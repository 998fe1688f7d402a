// Ingesting MRT files into the BGP visibility signal (docs/bgp.md): files are grouped per collector
// and read in time order (RIB dump before the update files of the same time), the collectors'
// streams are merged by element time into one RoutingView, and at every bin boundary the view's
// Visibility is taken. IngestToStore writes the bins to a store, one batch per input file, each
// naming its file and content hash in the ledger (so a file already ingested is not written twice;
// a damaged file is recorded as partial and replaced when a fixed copy comes).
//
// Thread-safety: not thread-safe; one thread per call.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/bgp/view.h"

namespace blackout::store {
class Store;
}

namespace blackout::bgp {

// One MRT input.
struct InputFile {
  std::filesystem::path path;
  std::string collector;   // "rrc04", "route-views.sydney", or the folder name
  UnixSeconds time = 0;    // from the name (YYYYMMDD.HHMM), else the first record's time
  bool rib = false;        // bview / rib dump
  std::string ledger_key;  // "bgp:COLLECTOR/FILENAME"
};

// Expands folders (recursively; files whose names contain "updates", "bview", "rib" or end in .mrt,
// .gz, .bz2, .xz, .zst, or have no extension) and describes every file; sorted per collector by
// (time, RIB first, name). `collector` overrides the collector derived from the path when
// non-empty.
Result<std::vector<InputFile>> DescribeInputs(const std::vector<std::string>& paths,
                                              const std::string& collector = "");

// What became of one file.
struct FileReport {
  uint64_t records = 0, elements = 0, problems = 0;
  std::vector<std::string> problem_texts;  // the first few, "file: offset N record M: what"
  bool partial = false;                    // problems found, or the file could not be opened
  std::string hash;                        // content hash (hex) of the raw file bytes
};

struct IngestOptions {
  int64_t step = kDefaultStepSeconds;
  ViewOptions view;
  // Bins without any element inside a gap longer than this are not emitted (archive gaps).
  int64_t max_gap = 3600;
  // When set and it becomes true, reading stops within a few thousand elements and IngestFiles
  // returns kUnavailable "cancelled" (bins not yet reported are dropped).
  const std::atomic<bool>* cancel = nullptr;
  // When set: filled, once every file is read, with the prefixes the view then carries
  // (RoutingView::RoutedPrefixes), e.g. for the telescope's unrouted-source rule. Left untouched
  // when nothing was read (every file already in the ledger).
  std::vector<Prefix>* routed = nullptr;
};

struct IngestCallbacks {
  // A finished bin: `file` is the index of the input whose element closed it (the last input for
  // the final bin).
  std::function<void(UnixSeconds bin, const Visibility&, size_t file)> on_bin;
  // A file was read to its end. Called after the bins it closed.
  std::function<void(size_t file, const FileReport&)> on_file;
  // Progress: files finished, elements so far.
  std::function<void(size_t files_done, uint64_t elements)> on_progress;
};

// Reads every file into one RoutingView and reports bins. Problems inside files are reported per
// file (FileReport), never as an error; the Status is an error only for a failure that stops
// everything. `geo` may be nullptr (only asn/ entities then).
Status IngestFiles(const std::vector<InputFile>& files, const IngestOptions& options,
                   const BlockGeo* geo, const IngestCallbacks& callbacks);

struct IngestSummary {
  size_t files = 0, files_written = 0, files_unchanged = 0, files_partial = 0;
  uint64_t elements = 0, problems = 0, bins = 0, points = 0;
  std::vector<std::string> problem_texts;
};

// IngestFiles + writes every bin's Visibility as series (entity, SignalName(family, level), source
// "") to `store`. If every file is already in the ledger with its hash, nothing is read.
Result<IngestSummary> IngestToStore(const std::vector<InputFile>& files,
                                    const IngestOptions& options, const BlockGeo* geo,
                                    store::Store& store,
                                    const std::function<void(size_t, uint64_t)>& on_progress = {});

}  // namespace blackout::bgp
