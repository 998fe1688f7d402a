// MrtReader: streams MRT records (RFC 6396, RFC 8050) from an InputStream and decodes each into
// Elements (see element.h). Memory is bounded by the largest record: one record buffer and a few
// per-record pools are reused for the whole file, nothing is allocated per element.
//
// Two modes:
//  - kStrict: the first problem ends iteration; Next() returns it as an error Status whose
//    Location names the file, byte offset and record number.
//  - kRecover: each problem is reported to the problem sink (and counted), the sound elements of
//    the damaged record are still returned, and reading resumes at the next plausible MRT header.
// Records this reader does not turn into elements (RIB_GENERIC, BGP4MP_ENTRY, ...) come back with
// RecordStatus::kSkipped; they are not problems.
//
// Thread-safety: not thread-safe; one consumer thread. The InputStream may decompress on its own
// thread (see base/input.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/input.h"
#include "blackout/base/status.h"
#include "blackout/mrt/element.h"

namespace blackout::mrt {

enum class ReadMode : uint8_t { kStrict, kRecover };

// A problem found in the input: where (file, byte offset, 1-based record number) and what.
struct Problem {
  Location where;
  std::string what;
  std::string ToString() const;  // "file: offset N record M: what"
};

struct ReaderOptions {
  ReadMode mode = ReadMode::kRecover;
  // Records whose header claims more than this many body bytes are treated as corrupt (the largest
  // real records are a few hundred KiB). Bounds memory on garbage input.
  uint32_t max_record_length = 16u << 20;
  // Called once per problem in kRecover mode (also in kStrict, for the fatal one). May be empty.
  std::function<void(const Problem&)> on_problem;
};

// Counters kept while reading.
struct ReaderStats {
  uint64_t records = 0;          // records read (including skipped and malformed)
  uint64_t records_skipped = 0;  // RecordStatus::kSkipped
  uint64_t problems = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;  // decompressed bytes consumed
};

class MrtReader {
 public:
  explicit MrtReader(std::unique_ptr<InputStream> input, ReaderOptions options = {});
  ~MrtReader();
  MrtReader(const MrtReader&) = delete;
  MrtReader& operator=(const MrtReader&) = delete;

  // Opens `path` ("-" = stdin) through InputStream::Open (any supported compression).
  static Result<std::unique_ptr<MrtReader>> Open(const std::string& path,
                                                 ReaderOptions options = {});

  // The next record, or nullptr at the end of the input. The pointer (and everything it views)
  // is valid until the next call. In kStrict mode a problem is returned as an error Status and
  // every later call returns it again. In kRecover mode this never returns an error: problems go to
  // options.on_problem and iteration continues (a record with problems has status kMalformed).
  Result<const Record*> Next();

  // Convenience over Next(): the next element of any record, or nullptr at the end.
  Result<const Element*> NextElement();

  const std::string& name() const;
  const ReaderStats& stats() const { return stats_; }
  // Every problem reported so far (kept for summaries; bounded to the first 1000).
  const std::vector<Problem>& problems() const { return problems_; }
  // The PEER_INDEX_TABLE in force, or nullptr if none was read yet.
  const PeerIndexTable* peer_index() const;
  // The underlying stream (compression, raw bytes read for progress).
  const InputStream& input() const { return *input_; }

 private:
  class Impl;
  std::unique_ptr<InputStream> input_;
  ReaderOptions options_;
  ReaderStats stats_;
  std::vector<Problem> problems_;
  std::unique_ptr<Impl> impl_;
  // Element iteration state for NextElement().
  const Record* current_ = nullptr;
  size_t next_element_ = 0;
};

// Decodes one MRT record given its header fields and body, for fuzzing and tests: the same code
// path Next() uses, without an InputStream. `peer_index` is the table in force (may be updated by a
// PEER_INDEX_TABLE record). Elements point into `body` and into `scratch`.
class RecordDecoder {
 public:
  RecordDecoder();
  ~RecordDecoder();
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  // Decodes one record. `body` must stay alive while the result is used. Problems found are
  // returned in `problems` (empty if the record is sound).
  const Record& Decode(uint32_t time, uint16_t type, uint16_t subtype,
                       std::span<const uint8_t> body, std::vector<std::string>* problems);
  const PeerIndexTable* peer_index() const;

 private:
  friend class MrtReader;
  class State;
  std::unique_ptr<State> state_;
};

}  // namespace blackout::mrt
