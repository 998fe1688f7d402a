// Reads IODA's CSV export of an entity's signals into an EntitySeries on a regular grid, with an
// optional label column for evaluation. The file is read by the store's one IODA CSV reader
// (store/ioda_csv.h: columns, timestamps, cells, labels and their problems); here its rows are laid
// on the grid of its step. A second row in one bin is skipped and reported.
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

// `label_column` = "" reads no labels. Errors: kInvalidArgument (unknown label column, a time span
// too long for the step: more than max(10^6, 1000 per row) bins, which bounds memory by the
// input), kDataLoss (no header, no timestamp column, no signal column the detector judges, no
// usable row), kIoError (unreadable file).
Result<LabelledSeries> ParseIodaCsv(std::string_view text, std::string_view label_column,
                                    std::string_view origin = "<string>");
Result<LabelledSeries> ReadIodaCsv(const std::string& path, std::string_view label_column);

}  // namespace blackout::detect
