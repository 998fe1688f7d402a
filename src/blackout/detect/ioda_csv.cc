#include "blackout/detect/ioda_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace blackout::detect {

namespace {

// Splits one CSV line; double quotes group (no embedded newlines in IODA's exports).
std::vector<std::string_view> SplitCsv(std::string_view line, std::vector<std::string>& storage) {
  std::vector<std::string_view> out;
  storage.clear();
  if (line.find('"') == std::string_view::npos) {
    size_t pos = 0;
    while (true) {
      size_t c = line.find(',', pos);
      out.push_back(line.substr(pos, c == std::string_view::npos ? c : c - pos));
      if (c == std::string_view::npos) break;
      pos = c + 1;
    }
    return out;
  }
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      storage.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  storage.push_back(cur);
  for (const auto& s : storage) out.push_back(s);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

struct Row {
  UnixSeconds time;
  uint64_t line;
  std::array<std::optional<double>, kNumSignals> values;
  std::optional<bool> label;
};

}  // namespace

Result<LabelledSeries> ParseIodaCsv(std::string_view text, std::string_view label_column,
                                    std::string_view origin) {
  LabelledSeries out;
  std::string file(origin);
  auto problem = [&](uint64_t line, std::string msg) {
    Location where;
    where.file = file;
    where.line = line;
    out.problems.push_back(Status(StatusCode::kDataLoss, std::move(msg), where));
  };
  std::vector<std::string> storage;
  size_t pos = 0;
  uint64_t line_no = 0;
  auto next_line = [&](std::string_view* l) {
    if (pos >= text.size()) return false;
    size_t nl = text.find('\n', pos);
    *l = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    return true;
  };

  std::string_view header;
  if (!next_line(&header)) return InvalidArgument(file + ": empty file");
  if (header.size() >= 3 && header.substr(0, 3) == "\xEF\xBB\xBF") header.remove_prefix(3);
  auto cols = SplitCsv(header, storage);
  std::vector<std::string> names;
  for (auto c : cols) names.emplace_back(Trim(c));
  int ts_col = -1, label_col = -1;
  std::array<int, kNumSignals> sig_col;
  sig_col.fill(-1);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "timestamp" || names[i] == "time") {
      if (ts_col < 0) ts_col = static_cast<int>(i);
    } else if (!label_column.empty() && names[i] == label_column) {
      label_col = static_cast<int>(i);
    } else if (auto s = ParseSignal(names[i])) {
      int& c = sig_col[static_cast<int>(*s)];
      if (c < 0) c = static_cast<int>(i);
    }
  }
  if (ts_col < 0) return InvalidArgument(file + ": no \"timestamp\" column");
  if (!label_column.empty() && label_col < 0) {
    return InvalidArgument(file + ": no label column \"" + std::string(label_column) + "\"");
  }
  if (std::all_of(sig_col.begin(), sig_col.end(), [](int c) { return c < 0; })) {
    return InvalidArgument(file + ": no signal column (gtr, merit-nt, bgp, ping-slash24)");
  }

  std::vector<Row> rows;
  std::string_view line;
  while (next_line(&line)) {
    if (Trim(line).empty()) continue;
    auto f = SplitCsv(line, storage);
    auto cell = [&](int c) { return c >= 0 && size_t(c) < f.size() ? Trim(f[c]) : ""; };
    auto ts = ParseTime(cell(ts_col));
    if (!ts.ok()) {
      problem(line_no, "unreadable timestamp \"" + std::string(cell(ts_col)) + "\"; row skipped");
      continue;
    }
    if (!rows.empty() && *ts <= rows.back().time) {
      problem(line_no, std::string(*ts == rows.back().time ? "repeated" : "decreasing") +
                           " timestamp " + FormatIso8601(*ts) + "; row skipped");
      continue;
    }
    Row r{*ts, line_no, {}, std::nullopt};
    for (int s = 0; s < kNumSignals; ++s) {
      std::string_view c = cell(sig_col[s]);
      if (sig_col[s] < 0 || c.empty()) continue;
      auto v = ParseDouble(c);
      if (!v || !std::isfinite(*v) || *v < 0) {
        problem(line_no, "bad value \"" + std::string(c) + "\" for " +
                             std::string(SignalName(static_cast<Signal>(s))) + "; read as missing");
        continue;
      }
      r.values[s] = v;
    }
    if (label_col >= 0) {
      std::string_view c = cell(label_col);
      if (c == "1" || c == "true" || c == "True" || c == "1.0") {
        r.label = true;
      } else if (c == "0" || c == "false" || c == "False" || c == "0.0") {
        r.label = false;
      } else if (!c.empty()) {
        problem(line_no, "bad label \"" + std::string(c) + "\"; bin left unlabelled");
      }
    }
    rows.push_back(r);
  }
  if (rows.empty()) return DataLoss(file + ": no usable row");

  // The step: the most common gap between rows (ties: the smallest).
  std::map<int64_t, int64_t> gaps;
  for (size_t i = 1; i < rows.size(); ++i) {
    int64_t gap = 0;  // rows are in increasing time order, so gap > 0 unless it overflows
    if (__builtin_sub_overflow(rows[i].time, rows[i - 1].time, &gap)) {
      return InvalidArgument(file + ": time span too long (line " + std::to_string(rows[i].line) +
                             ")");
    }
    ++gaps[gap];
  }
  int64_t step = kDefaultStepSeconds;
  int64_t best = 0;
  for (auto [g, n] : gaps) {
    if (n > best) best = n, step = g;
  }
  // Memory is bounded by the input: at most 1000 bins per row (gaps of up to 1000 steps on
  // average), and a million bins whatever the rows.
  const int64_t max_bins = std::max<int64_t>(1'000'000, 1000 * static_cast<int64_t>(rows.size()));
  EntitySeries& es = out.series;
  es.step = step;
  es.from = BinStart(rows.front().time, step);
  int64_t bins = (BinStart(rows.back().time, step) - es.from) / step + 1;
  if (bins > max_bins) {
    return InvalidArgument(file + ": time span too long for the step (" + std::to_string(bins) +
                           " bins of " + std::to_string(step) + " s for " +
                           std::to_string(rows.size()) + " rows)");
  }
  for (int s = 0; s < kNumSignals; ++s) {
    if (sig_col[s] >= 0) es.values[s].assign(static_cast<size_t>(bins), std::nullopt);
  }
  out.labels.assign(static_cast<size_t>(bins), std::nullopt);
  int64_t last = -1;
  for (const Row& r : rows) {
    int64_t i = (BinStart(r.time, step) - es.from) / step;
    if (i == last) {
      problem(r.line,
              "second row in the bin of " + FormatIso8601(es.from + i * step) + "; row skipped");
      continue;
    }
    last = i;
    for (int s = 0; s < kNumSignals; ++s) {
      if (sig_col[s] >= 0) es.values[s][static_cast<size_t>(i)] = r.values[s];
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
