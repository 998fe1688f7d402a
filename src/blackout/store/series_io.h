// Reading and writing series files: the formats of `blackout import series` and
// `blackout export series` (docs/store.md):
//
//   ioda-csv   IODA's CSV export: a `timestamp` column (Unix seconds) and one column per signal
//              (IODA names mapped: ping-slash24 -> probe, merit-nt -> darknet, gtr -> traffic);
//              datetime/date/time/label columns are not signals; empty cell = missing.
//              The file does not name its entity: ImportOptions::entity must.
//   ioda-json  IODA API /v2/signals/raw responses: {"data": [[{entityType, entityCode, datasource,
//              subtype, from, until, step, nativeStep, values: [number|null, ...]}, ...]]}.
//   csv        entity,signal,timestamp,value[,source] (an optional header line naming the columns);
//              empty value = missing.
//
// Parsing recovers: a malformed row (or series) is reported with its line number (byte offset and
// path for JSON) and left out; the rest is kept. What is kept can be written back: entities have
// no ',' or '"', sources are at most 64 printable ASCII characters without spaces, ',' or '"', and
// every JSON bin time (from + i * step, integers) lies within +-2^53 s. Thread-safety: pure
// functions.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/store/store.h"

namespace blackout::store {

enum class SeriesFormat { kIodaCsv, kIodaJson, kCsv };
Result<SeriesFormat> ParseSeriesFormat(std::string_view name);  // "ioda-csv", "ioda-json", "csv"

struct ImportOptions {
  std::string entity;  // required for ioda-csv; for the others it overrides the file's entity
  int64_t step = 0;    // 0: from the file (ioda-json), inferred (ioda-csv), or 300 s (csv)
  std::string source;  // source of the series written ("" = combined); csv's column wins
};

struct ParsedSeriesFile {
  WriteBatch batch;              // every sound row, as points (missing cells as explicit missing)
  std::vector<Status> problems;  // kDataLoss with Location{file, line} (or offset) per bad row
  size_t rows = 0;               // data rows (or JSON series) read, sound or not
  size_t series = 0;             // distinct series written
};

// Parses `contents` (named `file` in problem reports). Errors (as opposed to problems): a missing
// --entity for ioda-csv or a bad option (kInvalidArgument); a file with no usable header or JSON
// that does not parse at all (kDataLoss).
Result<ParsedSeriesFile> ParseSeriesFile(std::string_view contents, SeriesFormat format,
                                         const ImportOptions& options, const std::string& file);

// csv: entity,signal,timestamp,value — plus a source column when any series has a source.
// Missing bins are written with an empty value; the output re-imports to the same series.
void WriteSeriesCsv(const std::vector<Series>& series, std::ostream& out);
// IODA-shaped: {"type":"signals","error":null,"data":[[{entityType, entityCode, entityName,
// datasource (IODA name), subtype (= source), from, until, step, nativeStep, values}]]}, missing
// bins as null.
void WriteSeriesJson(const std::vector<Series>& series, std::ostream& out);

}  // namespace blackout::store
