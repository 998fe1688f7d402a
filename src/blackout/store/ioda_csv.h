// IODA's CSV export of an entity's signals ("timestamp,gtr,merit-nt,bgp,ping-slash24,...,LABEL"),
// read once for every user: `blackout import series --format ioda-csv` (store/series_io.h) writes
// its rows as points, `blackout evaluate` (detect/ioda_csv.h) lays them on a grid with their
// labels. One reader, so both agree on every column and every error.
//
// Rules (docs/store.md, "IODA CSV"):
// - The header is the first non-empty line (a UTF-8 byte-order mark is dropped). Fields may be
//   double-quoted, with "" for a quote. Names are trimmed and matched case-insensitively.
// - The timestamp column is `timestamp` (or `time`): Unix seconds (IODA writes integers, some
//   exports "1692493200.0") or ISO 8601.
// - Signal columns: names the signal registry knows become its canonical names (store/signals.h:
//   ping-slash24 -> probe, merit-nt -> darknet, gtr -> traffic); any other valid signal name is
//   kept as it is (gtr-norm), since the store takes any signal. The first column of a signal wins.
//   datetime, date, label, repeated and invalid names are listed in `ignored`.
// - An optional label column (named by the caller) holds 1/0, true/false or empty (unlabelled).
// - Recovering: a row with the wrong number of fields, an unreadable timestamp, or a timestamp not
//   after the previous row's is skipped; a bad cell (not a number, NaN, infinite, negative) is read
//   as missing and the rest of its row kept; a bad label leaves the row unlabelled. Each problem is
//   reported as kDataLoss with the file and line. An empty cell is missing data, never zero.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::store {

struct IodaCsvRow {
  UnixSeconds time = 0;
  uint64_t line = 0;           // 1-based line in the file
  std::vector<double> values;  // one per IodaCsvTable::signals; kMissing (NaN) = no data
  std::optional<bool> label;   // nullopt: unlabelled (or no label column asked for)
};

struct IodaCsvTable {
  std::vector<std::string> signals;  // canonical signal of each value column, in file order
  std::vector<std::string> ignored;  // header names that are neither time, label nor a signal
  std::vector<IodaCsvRow> rows;      // in strictly increasing time
  std::vector<Status> problems;      // recovered problems, in file order
  size_t rows_read = 0;              // non-empty data lines, kept or skipped
  // The most common gap between consecutive rows (ties: the smallest; gaps too wide for int64 are
  // left out); kDefaultStepSeconds with fewer than two rows.
  int64_t step = kDefaultStepSeconds;
};

// A series file's timestamp: ISO 8601, Unix seconds, or Unix seconds written as "1692493200.0".
bool ParseSeriesTimestamp(std::string_view cell, UnixSeconds* t);

// `label_column` = "" reads no labels. Errors: kInvalidArgument (the label column is not in the
// header), kDataLoss (no header, no timestamp column, no signal column).
Result<IodaCsvTable> ParseIodaCsvTable(std::string_view text, std::string_view file,
                                       std::string_view label_column = "");

}  // namespace blackout::store
