#include "blackout/store/ioda_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "blackout/base/text.h"
#include "blackout/store/signals.h"
#include "blackout/store/types.h"

namespace blackout::store {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits one CSV line into trimmed fields; double quotes group and "" is a quote (IODA's exports
// have no embedded newlines). `storage` keeps unquoted copies alive while the views are used.
std::vector<std::string_view> SplitCsv(std::string_view line, std::vector<std::string>& storage) {
  std::vector<std::string_view> out;
  storage.clear();
  if (line.find('"') == std::string_view::npos) {
    size_t pos = 0;
    while (true) {
      size_t c = line.find(',', pos);
      out.push_back(Trim(line.substr(pos, c == std::string_view::npos ? c : c - pos)));
      if (c == std::string_view::npos) return out;
      pos = c + 1;
    }
  }
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cur += '"';
      ++i;
    } else if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      storage.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  storage.push_back(std::move(cur));
  for (const auto& s : storage) out.push_back(Trim(s));
  return out;
}

}  // namespace

bool ParseSeriesTimestamp(std::string_view cell, UnixSeconds* t) {
  if (cell.empty()) return false;
  if (auto r = ParseTime(cell); r.ok()) {
    *t = *r;
    return true;
  }
  // Some exports write "1692493200.0".
  double d = 0;
  auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), d);
  if (ec != std::errc() || p != cell.data() + cell.size() || !std::isfinite(d) ||
      d != std::floor(d) || std::fabs(d) > 1e15) {
    return false;
  }
  *t = static_cast<UnixSeconds>(d);
  return true;
}

namespace {

// A measured value: a finite, non-negative number.
bool ParseValue(std::string_view cell, double* v) {
  auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), *v);
  return ec == std::errc() && p == cell.data() + cell.size() && std::isfinite(*v) && *v >= 0;
}

// A label cell: true = outage, false = normal, *label untouched when empty; false = unreadable.
bool ParseLabel(std::string_view cell, std::optional<bool>* label) {
  const std::string c = AsciiLower(cell);
  if (c == "1" || c == "1.0" || c == "true") {
    *label = true;
  } else if (c == "0" || c == "0.0" || c == "false") {
    *label = false;
  } else if (!c.empty()) {
    return false;
  }
  return true;
}

// The signal a column holds: the registry's canonical name for a name it knows, the column's own
// name for another valid signal name (gtr-norm: kept, the store takes any), "" for the columns of
// IODA's exports that are not measurements (datetime, date, label) and invalid names.
std::string ColumnSignal(const std::string& lower) {
  if (const SignalInfo* s = FindSignal(lower)) return std::string(s->name);
  if (lower == "datetime" || lower == "date" || lower == "label" || lower == "timestamp" ||
      lower == "time" || !ValidateSignal(lower).ok()) {
    return "";
  }
  return lower;
}

struct Header {
  size_t fields = 0;
  int time = -1, label = -1;
  std::vector<size_t> signal_columns;  // parallel to IodaCsvTable::signals
};

Result<Header> ReadHeader(std::string_view line, uint64_t n, std::string_view file,
                          std::string_view label_column, IodaCsvTable& out) {
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
  std::vector<std::string> storage;
  auto names = SplitCsv(line, storage);
  Header h;
  h.fields = names.size();
  const std::string want_label = AsciiLower(label_column);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string lower = AsciiLower(names[i]);
    const std::string signal = ColumnSignal(lower);
    if ((lower == "timestamp" || lower == "time") && h.time < 0) {
      h.time = static_cast<int>(i);
    } else if (!want_label.empty() && lower == want_label && h.label < 0) {
      h.label = static_cast<int>(i);
    } else if (!signal.empty() &&
               std::find(out.signals.begin(), out.signals.end(), signal) == out.signals.end()) {
      out.signals.push_back(signal);
      h.signal_columns.push_back(i);
    } else {
      out.ignored.emplace_back(names[i]);
    }
  }
  const std::string where = std::string(file) + ":" + std::to_string(n) + ": ";
  if (h.time < 0) return DataLoss(where + "no 'timestamp' column in the header");
  if (!want_label.empty() && h.label < 0) {
    return InvalidArgument(where + "no label column '" + std::string(label_column) + "'");
  }
  if (h.signal_columns.empty()) {
    return DataLoss(where +
                    "no signal column (gtr, merit-nt, bgp, ping-slash24 or blackout's "
                    "own names)");
  }
  return h;
}

int64_t MostCommonGap(const std::vector<IodaCsvRow>& rows) {
  std::map<int64_t, int64_t> gaps;
  for (size_t i = 1; i < rows.size(); ++i) {
    int64_t gap = 0;
    if (!__builtin_sub_overflow(rows[i].time, rows[i - 1].time, &gap)) ++gaps[gap];
  }
  int64_t step = kDefaultStepSeconds, best = 0;
  for (auto [gap, count] : gaps) {
    if (count > best) best = count, step = gap;
  }
  return step;
}

}  // namespace

Result<IodaCsvTable> ParseIodaCsvTable(std::string_view text, std::string_view file,
                                       std::string_view label_column) {
  IodaCsvTable out;
  auto problem = [&](uint64_t line, std::string message) {
    out.problems.emplace_back(StatusCode::kDataLoss, std::move(message),
                              Location{std::string(file), std::nullopt, std::nullopt, line});
  };
  LineReader lines(text);
  std::string_view line;
  uint64_t n = 0;
  while (lines.Next(&line, &n) && Trim(line).empty()) {
  }
  if (Trim(line).empty()) return DataLoss(std::string(file) + ": no header line (empty file)");
  BLACKOUT_ASSIGN_OR_RETURN(Header h, ReadHeader(line, n, file, label_column, out));
  std::vector<std::string> storage;
  while (lines.Next(&line, &n)) {
    if (Trim(line).empty()) continue;
    ++out.rows_read;
    auto f = SplitCsv(line, storage);
    if (f.size() != h.fields) {
      problem(n, "expected " + std::to_string(h.fields) + " fields, found " +
                     std::to_string(f.size()) + "; row skipped");
      continue;
    }
    IodaCsvRow row;
    row.line = n;
    std::string_view ts = f[static_cast<size_t>(h.time)];
    if (!ParseSeriesTimestamp(ts, &row.time)) {
      problem(n, "unreadable timestamp '" + std::string(ts) + "'; row skipped");
      continue;
    }
    if (!out.rows.empty() && row.time <= out.rows.back().time) {
      problem(n, std::string(row.time == out.rows.back().time ? "repeated" : "decreasing") +
                     " timestamp " + FormatIso8601(row.time) + "; row skipped");
      continue;
    }
    row.values.assign(out.signals.size(), kMissing);
    for (size_t s = 0; s < out.signals.size(); ++s) {
      std::string_view cell = f[h.signal_columns[s]];
      if (cell.empty()) continue;
      if (!ParseValue(cell, &row.values[s])) {
        row.values[s] = kMissing;
        problem(n, "bad " + out.signals[s] + " value '" + std::string(cell) + "'; read as missing");
      }
    }
    if (h.label >= 0) {
      std::string_view cell = f[static_cast<size_t>(h.label)];
      if (!ParseLabel(cell, &row.label)) {
        problem(n, "bad label '" + std::string(cell) + "'; row left unlabelled");
      }
    }
    out.rows.push_back(std::move(row));
  }
  out.step = MostCommonGap(out.rows);
  return out;
}

}  // namespace blackout::store
