// The prober's output records, version 1: STATE, COUNT and ROUND lines, TAB-separated. The format
// is specified in docs/probe.md ("Record format"); the scenario simulator writes the same lines.
// FormatRound writes one round; ParseRecords reads a whole file strictly (the first deviation
// fails, naming its line) and drops the records of a trailing round that has no ROUND line.
// The block list (kBlocksHeader) is what a vantage point reports once before its rounds.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"
#include "blackout/probe/belief.h"
#include "blackout/probe/prober.h"

namespace blackout::probe {

inline constexpr std::string_view kRecordsHeader = "#blackout-probe-records v1";

// The records of one round, in the documented order (STATE by at then block, COUNT by entity,
// ROUND). REQUIRES: vantage is 1-64 chars of [A-Za-z0-9._-] (ValidateVantage).
std::string FormatRound(const RoundReport& report, std::string_view vantage);
Status ValidateVantage(std::string_view vantage);

struct StateRecord {
  UnixSeconds round = 0;
  std::string vantage;
  uint32_t base = 0;
  BlockState from = BlockState::kUp;
  BlockState to = BlockState::kUp;
  double belief = 0;
  UnixSeconds at = 0;
};
struct CountRecord {
  UnixSeconds round = 0;
  std::string vantage;
  std::string entity;
  uint64_t up = 0;
  uint64_t eligible = 0;
};
struct RoundRecord {
  UnixSeconds round = 0;
  std::string vantage;
  uint64_t index = 0, seconds = 0, eligible = 0, up = 0, down = 0, uncertain = 0, sent = 0,
           matched = 0;
};
struct Records {
  std::vector<StateRecord> states;
  std::vector<CountRecord> counts;
  std::vector<RoundRecord> rounds;
};

Result<Records> ParseRecords(std::string_view text, std::string_view name = "");

}  // namespace blackout::probe

namespace blackout::probe {

// The block list a vantage point reports to the observatory before its rounds (docs/probe.md,
// "Reporting to the observatory"): which /24s it watches and the entities each counts for, as runs
// of consecutive /24s sharing one entity set.
inline constexpr std::string_view kBlocksHeader = "#blackout-probe-blocks v1";

struct BlockRun {
  uint32_t first = 0;                 // base of the first /24 (host order)
  uint32_t count = 0;                 // consecutive /24s, >= 1
  std::vector<std::string> entities;  // may be empty
};
struct BlockList {
  std::string vantage;
  std::vector<BlockRun> runs;  // sorted by first, not overlapping
};

// REQUIRES: `bases` sorted and unique, group.size() == bases.size(), group[i] < groups.size().
BlockList MakeBlockList(std::string_view vantage, std::span<const uint32_t> bases,
                        std::span<const uint32_t> group,
                        const std::vector<std::vector<std::string>>& groups);
std::string FormatBlockList(const BlockList& list);
// Strict, like ParseRecords: header, then BLOCKS lines of one vantage, sorted, not overlapping.
Result<BlockList> ParseBlockList(std::string_view text, std::string_view name = "");

}  // namespace blackout::probe
