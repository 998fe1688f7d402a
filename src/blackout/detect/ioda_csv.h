// Reads IODA's CSV export of an entity's signals ("timestamp,gtr,merit-nt,bgp,ping-slash24,...")
// into an EntitySeries on a regular grid, with an optional label column for evaluation.
//
// Columns are matched by name: timestamp (Unix seconds or ISO 8601), and the signals gtr ->
// traffic, merit-nt -> darknet, bgp -> bgp, ping-slash24 -> probe (blackout's own names are
// accepted too); other columns are ignored. The step is the most common gap between consecutive
// timestamps. Empty cells are missing data, never zero. Recovering reader: bad cells (not a number,
// NaN, infinite, negative) become missing, and rows whose timestamp is unreadable, repeated or
// earlier than the previous row are skipped; each problem is reported with its line number.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/detect/detector.h"

namespace blackout::detect {

struct LabelledSeries {
  EntitySeries series;
  // labels[i] for bin i: true = outage, false = normal, nullopt = unlabelled (left out of scores).
  std::vector<std::optional<bool>> labels;
  std::vector<Status> problems;  // recovered problems, in file order
};

// `label_column` = "" reads no labels. Errors: kInvalidArgument (no timestamp column, unknown label
// column, no signal column, a time span too long for the step: more than max(10^6, 1000 per row)
// bins, which bounds memory by the input), kDataLoss (no usable row), kIoError (unreadable file).
Result<LabelledSeries> ParseIodaCsv(std::string_view text, std::string_view label_column,
                                    std::string_view origin = "<string>");
Result<LabelledSeries> ReadIodaCsv(const std::string& path, std::string_view label_column);

}  // namespace blackout::detect
