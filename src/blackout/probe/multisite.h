// The observatory's side of multi-site probing (docs/probe.md, "Reporting to the observatory" and
// "Multi-site judgement"). Vantage points upload their block list once and then each round's
// records; MultiSiteJudge stores every upload idempotently (the store's ingest ledger, keyed by
// vantage and round), writes the per-vantage `probe` series, and, per bin, combines the vantage
// points' per-block states with CombineBlocks into the combined series (source "") that detection
// and the API read. A round that arrives late (a vantage point that was cut off from the
// observatory and sends its spool) re-judges its bin and every later one (Flush).
// Thread-safety: every public method is safe to call from several threads (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/probe/combine.h"
#include "blackout/store/store.h"

namespace blackout::probe {

struct JudgeOptions {
  CombineOptions combine;
  // Bins kept in memory per vantage point for re-judging late rounds (a week of 660 s rounds).
  int64_t keep_bins = 1000;
};

enum class UploadOutcome : uint8_t { kApplied = 0, kDuplicate = 1 };

struct UploadResult {
  UploadOutcome outcome = UploadOutcome::kApplied;
  std::string vantage;
  std::string kind;       // "blocks" or "round"
  UnixSeconds round = 0;  // rounds only
};

struct VantageHealth {
  std::string vantage;
  // The verdict of its latest bin judged beside other vantage points (else of its latest bin).
  bool healthy = true;
  uint64_t blocks = 0;  // blocks in its list
  uint64_t rounds = 0;  // rounds held (in memory)
  int64_t step = 0;
  UnixSeconds first_round = 0, last_round = 0;
  VantageVerdict last;  // that bin's verdict
  // Bins whose rounds were set aside, as [from, until) ranges.
  std::vector<std::pair<UnixSeconds, UnixSeconds>> set_aside;
};

class MultiSiteJudge {
 public:
  // `store` must outlive the judge.
  explicit MultiSiteJudge(store::Store& store, JudgeOptions options = {});
  ~MultiSiteJudge();

  // Replays the uploads the store holds (after a restart) and re-judges their bins.
  Status Restore();

  // One upload: a block list (kBlocksHeader) or exactly one round of one vantage point's records
  // (kRecordsHeader). A round whose vantage point has sent no block list: kNotFound. Malformed:
  // kDataLoss. An upload the ledger already holds with the same bytes: kDuplicate, nothing
  // written or counted again.
  Result<UploadResult> Ingest(std::string_view body);

  // Judges the bins that late rounds changed and writes their combined points. Ingest does it
  // with each live round (a round of the newest bin); a backlog sent after an outage waits for
  // the next live round or for Flush (the service flushes before each pass's detection and
  // before answering the vantage points' health).
  Status Flush();

  std::vector<VantageHealth> Health() const;

  // Ledger / state keys of the uploads.
  static std::string BlocksKey(std::string_view vantage);
  static std::string RoundKey(std::string_view vantage, UnixSeconds round);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace blackout::probe
