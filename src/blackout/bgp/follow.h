// Following route-collector archives (docs/archives.md, "Following archives"): the archive sources
// of `sources.bgp` (ris:rrcNN, routeviews:NAME, URL templates) are polled by `blackout run`; each
// poll fetches the files that became due since the last one into a local cache folder, once each
// (the store's ingest ledger says what is done; a file in the cache is complete, a transfer in
// progress is NAME.part), hands the ingest the latest RIB and the files after it, and deletes
// files no longer needed to stay within a disk budget. FetchArchive is also what
// `blackout fetch bgp` runs.
//
// Thread-safety: an ArchiveFollower is driven from one thread; FetchArchive runs its own workers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/bgp/archive.h"
#include "blackout/bgp/fetch.h"
#include "blackout/bgp/ingest.h"

namespace blackout::store {
class Store;
}

namespace blackout::bgp {

// The files of `sources` in [from, until) (kinds as selected), fetched into `dir` with the archive
// layout below it (ArchiveFile::relative). `want`, when set, filters the files first.
struct ArchiveFetchRequest {
  std::vector<ArchiveSource> sources;
  UnixSeconds from = 0, until = 0;
  bool ribs = true, updates = true;
  std::filesystem::path dir;
  std::function<bool(const ArchiveSource&, const ArchiveFile&)> want;
};

struct ArchiveFetch {
  size_t source = 0;  // index into the request's sources
  ArchiveFile file;
  FetchOutcome outcome;
};

// Lists and fetches; one result per file, in (time, RIB first) order per source.
std::vector<ArchiveFetch> FetchArchive(const ArchiveFetchRequest& request,
                                       const FetchOptions& options,
                                       const FetchCallback& on_done = {});

// Whether the store's ingest ledger holds an input key ("bgp:COLLECTOR/NAME").
using LedgerLookup = std::function<bool(const std::string& ledger_key)>;
LedgerLookup StoreLedger(store::Store& store);

struct FollowOptions {
  std::filesystem::path cache_dir;  // the archive layout is kept below it
  int backfill_days = 1;            // a source's backfill_days= overrides it
  uint64_t disk_budget_bytes = 10'000'000'000ull;
  // A file still answering 404 this long after its period ended is given up as missing (archives
  // have gaps); before that a 404 means "not yet published" and it is asked for again next poll.
  int64_t missing_after_s = 6 * 3600;
  FetchOptions fetch;
  std::function<UnixSeconds()> now;  // empty = the system clock
};

struct FollowReport {
  size_t fetched = 0, resumed = 0;  // files completed this poll (resumed: continued a .part)
  size_t waiting = 0;               // 404, not yet published: asked again next poll
  size_t missing = 0;               // given up this poll (404 past missing_after_s)
  size_t failed = 0;                // other errors, retried next poll
  uint64_t bytes = 0;
  bool budget_paused = false;         // no new transfers: the cache is at its budget
  std::vector<std::string> problems;  // one line per failure: which URL, what happens next
};

struct TrimReport {
  size_t deleted = 0;
  uint64_t freed = 0, held = 0;  // bytes deleted, bytes the cache holds afterwards
  std::string problem;           // set when the budget cannot be met
};

class ArchiveFollower {
 public:
  // REQUIRES: sources parsed by ParseArchiveSource.
  ArchiveFollower(std::vector<ArchiveSource> sources, FollowOptions options);

  // Fetches every due file of every source not yet in the cache nor in the ledger, oldest first,
  // until the cache reaches its budget. A file is due once its period has ended.
  FollowReport Poll(const LedgerLookup& ingested);

  // `others` (the other BGP inputs, as DescribeInputs gives them) plus the cached files the ingest
  // needs: nothing if no input is new; else, per source, its latest cached RIB at or before the
  // earliest new input and every cached file after it (the routing view's state is rebuilt from
  // that RIB). Sorted as DescribeInputs sorts.
  std::vector<InputFile> Inputs(const std::vector<InputFile>& others,
                                const LedgerLookup& ingested) const;

  // Deletes ingested files, oldest first, while the cache exceeds its budget; never a file not yet
  // ingested, nor a collector's latest ingested RIB or anything after it.
  TrimReport Trim(const LedgerLookup& ingested) const;

  // Bytes under the cache folder (complete files and .part files).
  uint64_t CacheBytes() const;

  const std::vector<ArchiveSource>& sources() const { return sources_; }

 private:
  UnixSeconds Now() const;
  // Sets each source's window start; returns which sources got theirs this time.
  std::vector<bool> SetWindows(UnixSeconds now);
  // Fetches the due files of each source i in [start_[i], until[i]); tallies into `report`.
  std::vector<ArchiveFetch> FetchDue(UnixSeconds now, const std::vector<UnixSeconds>& until,
                                     uint64_t used, const LedgerLookup& ingested,
                                     FollowReport* report);
  // Moves a start back to the RIB before it when its RIB is missing; whether any moved.
  bool MoveStarts(const std::vector<ArchiveFetch>& results, const std::vector<bool>& fresh);
  // Complete cached files of every source (from the window start on), as ingest inputs.
  std::vector<InputFile> Cached() const;

  std::vector<ArchiveSource> sources_;
  FollowOptions options_;
  std::vector<UnixSeconds> start_;    // per source: the first RIB time followed; 0 = not chosen
  std::vector<int> moves_;            // per source: times the start moved back to an older RIB
  std::set<std::string> given_up_;    // URLs given up as missing
  std::map<std::string, int> waits_;  // URL -> 404s so far (for the log)
};

// One pass over the BGP sources as `blackout run` makes it: the follower (may be nullptr) polls its
// archives, the ingest reads `local` (DescribeInputs of the files and folders) with the cached
// files it needs into `store`, then the cache is trimmed to its budget.
struct BgpPass {
  FollowReport follow;
  IngestSummary ingest;
  TrimReport trim;
};
Result<BgpPass> RunBgpPass(const std::vector<InputFile>& local, ArchiveFollower* follower,
                           const IngestOptions& options, const BlockGeo* geo, store::Store& store);

}  // namespace blackout::bgp
