#include "blackout/detect/ioda_csv.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "blackout/store/ioda_csv.h"

namespace blackout::detect {

Result<LabelledSeries> ParseIodaCsv(std::string_view text, std::string_view label_column,
                                    std::string_view origin) {
  const std::string file(origin);
  BLACKOUT_ASSIGN_OR_RETURN(store::IodaCsvTable table,
                            store::ParseIodaCsvTable(text, file, label_column));
  LabelledSeries out;
  out.problems = std::move(table.problems);
  // The detector's signals among the file's columns (a registry signal it does not judge is
  // ignored here).
  std::vector<std::pair<size_t, int>> columns;  // table column -> Signal
  for (size_t c = 0; c < table.signals.size(); ++c) {
    if (auto s = ParseSignal(table.signals[c])) columns.emplace_back(c, static_cast<int>(*s));
  }
  if (columns.empty()) return DataLoss(file + ": no signal column the detector judges");
  if (table.rows.empty()) return DataLoss(file + ": no usable row");
  const int64_t step = table.step;
  const UnixSeconds from = BinStart(table.rows.front().time, step);
  // Memory is bounded by the input: at most 1000 bins per row (gaps of up to 1000 steps on
  // average), and a million bins whatever the rows.
  const int64_t max_bins =
      std::max<int64_t>(1'000'000, 1000 * static_cast<int64_t>(table.rows.size()));
  int64_t span = 0;
  if (__builtin_sub_overflow(BinStart(table.rows.back().time, step), from, &span)) {
    return InvalidArgument(file + ": time span too long (line " +
                           std::to_string(table.rows.back().line) + ")");
  }
  const int64_t bins = span / step + 1;
  if (bins > max_bins) {
    return InvalidArgument(file + ": time span too long for the step (" + std::to_string(bins) +
                           " bins of " + std::to_string(step) + " s for " +
                           std::to_string(table.rows.size()) + " rows)");
  }
  EntitySeries& es = out.series;
  es.step = step;
  es.from = from;
  for (auto [c, s] : columns) es.values[s].assign(static_cast<size_t>(bins), std::nullopt);
  out.labels.assign(static_cast<size_t>(bins), std::nullopt);
  int64_t last = -1;
  for (const store::IodaCsvRow& r : table.rows) {
    int64_t i = (BinStart(r.time, step) - es.from) / step;
    if (i == last) {
      out.problems.emplace_back(
          StatusCode::kDataLoss,
          "second row in the bin of " + FormatIso8601(es.from + i * step) + "; row skipped",
          Location{file, std::nullopt, std::nullopt, r.line});
      continue;
    }
    last = i;
    for (auto [c, s] : columns) {
      if (!std::isnan(r.values[c])) es.values[s][static_cast<size_t>(i)] = r.values[c];
    }
    out.labels[static_cast<size_t>(i)] = r.label;
  }
  return out;
}

Result<LabelledSeries> ReadIodaCsv(const std::string& path, std::string_view label_column) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": read error");
  return ParseIodaCsv(ss.str(), label_column, path);
}

}  // namespace blackout::detect
