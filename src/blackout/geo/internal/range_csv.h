// Parser for the ip-location-db range CSVs ("first,last,value[,name]", inclusive address ranges,
// RFC 4180 quoting). Recovering: a bad row becomes a Status with file and line and is skipped.
// Internal to the geo module. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"

namespace blackout::geo::internal {

// One range. IPv4: the 32-bit addresses; IPv6: the upper 64 bits (the range is widened to whole
// /64s). `value` is an ASN or a packed CountryCode.
struct RangeRow {
  uint64_t first = 0;
  uint64_t last = 0;
  uint32_t value = 0;
};

enum class RangeValueKind { kAsn, kCountry };

struct RangeCsv {
  std::vector<RangeRow> rows;                       // in file order, valid rows only
  std::unordered_map<uint32_t, std::string> names;  // ASN -> organisation (kAsn only)
  std::vector<Status> problems;                     // at most kMaxProblems, then a summary
  uint64_t lines = 0;
  uint64_t bad_rows = 0;
};

inline constexpr size_t kMaxProblems = 200;

// Splits one CSV line into `fields`. Returns false on an unterminated quote.
bool SplitCsvLine(std::string_view line, std::vector<std::string>& fields);

// Parses a whole file's contents; `file` names it in problems.
RangeCsv ParseRangeCsv(std::string_view contents, const std::string& file, Family family,
                       RangeValueKind kind);

// Appends `problem` unless `problems` already holds kMaxProblems (then counts it in `dropped`).
void AddProblem(std::vector<Status>& problems, Status problem, uint64_t& dropped);

}  // namespace blackout::geo::internal
