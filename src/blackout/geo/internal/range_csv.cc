#include "blackout/geo/internal/range_csv.h"

#include <charconv>

#include "blackout/geo/entity.h"

namespace blackout::geo::internal {

bool SplitCsvLine(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '"') {
          if (i < line.size() && line[i] == '"') {
            field += '"';
            ++i;
          } else {
            closed = true;
            break;
          }
        } else {
          field += c;
        }
      }
      if (!closed) return false;
      // Text after the closing quote up to the comma is kept (lenient, like most readers).
      while (i < line.size() && line[i] != ',') field += line[i++];
    } else {
      while (i < line.size() && line[i] != ',') field += line[i++];
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // the comma
  }
  return true;
}

void AddProblem(std::vector<Status>& problems, Status problem, uint64_t& dropped) {
  if (problems.size() < kMaxProblems) {
    problems.push_back(std::move(problem));
  } else {
    ++dropped;
  }
}

RangeCsv ParseRangeCsv(std::string_view contents, const std::string& file, Family family,
                       RangeValueKind kind) {
  RangeCsv out;
  std::vector<std::string> fields;
  uint64_t dropped = 0;
  uint64_t line_no = 0;
  // The previous good row, at full precision, to detect unsorted and overlapping rows.
  bool have_prev = false;
  IpAddress prev_first, prev_last;
  auto problem = [&](std::string message) {
    ++out.bad_rows;
    Location where;
    where.file = file;
    where.line = line_no;
    AddProblem(out.problems, Status(StatusCode::kDataLoss, std::move(message), std::move(where)),
               dropped);
  };
  size_t pos = 0;
  while (pos < contents.size()) {
    size_t end = contents.find('\n', pos);
    if (end == std::string_view::npos) end = contents.size();
    std::string_view line = contents.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!SplitCsvLine(line, fields)) {
      problem("unterminated quote");
      continue;
    }
    size_t want = kind == RangeValueKind::kAsn ? 4 : 3;
    if (fields.size() < want - (kind == RangeValueKind::kAsn ? 1 : 0) || fields.size() > want) {
      problem("expected " + std::to_string(want) + " fields, found " +
              std::to_string(fields.size()));
      continue;
    }
    auto first = IpAddress::Parse(fields[0]);
    auto last = IpAddress::Parse(fields[1]);
    if (!first.ok() || !last.ok()) {
      problem("bad address in '" + std::string(line.substr(0, 120)) + "'");
      continue;
    }
    if (first->family() != family || last->family() != family) {
      problem(std::string("not an IPv") + (family == Family::kIPv4 ? "4" : "6") + " range");
      continue;
    }
    if (*last < *first) {
      problem("range ends before it starts: " + fields[0] + " > " + fields[1]);
      continue;
    }
    uint32_t value = 0;
    if (kind == RangeValueKind::kAsn) {
      const std::string& f = fields[2];
      auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
      if (ec != std::errc() || p != f.data() + f.size()) {
        problem("bad ASN '" + f + "'");
        continue;
      }
    } else {
      value = MakeCountryCode(fields[2]);
      if (!value) {
        problem("bad country code '" + fields[2] + "'");
        continue;
      }
    }
    if (have_prev) {
      if (*first < prev_first) {
        problem("unsorted: starts at " + fields[0] + ", before the previous row's start " +
                prev_first.ToString());
      } else if (*first <= prev_last) {
        problem("overlaps the previous row (" + prev_first.ToString() + "-" + prev_last.ToString() +
                ")");
      }
    }
    // Bad ordering is reported but the row is still kept; the loader sorts and clips overlaps.
    have_prev = true;
    prev_first = *first;
    prev_last = *last;
    RangeRow row;
    if (family == Family::kIPv4) {
      row.first = first->v4();
      row.last = last->v4();
    } else {
      row.first = first->v6_high();
      row.last = last->v6_high();
    }
    row.value = value;
    if (kind == RangeValueKind::kAsn && value != 0 && fields.size() == 4 && !fields[3].empty()) {
      out.names.try_emplace(value, fields[3]);
    }
    out.rows.push_back(row);
  }
  out.lines = line_no;
  if (dropped) {
    Location where;
    where.file = file;
    out.problems.emplace_back(StatusCode::kDataLoss,
                              std::to_string(dropped) + " more problems not listed", where);
  }
  return out;
}

}  // namespace blackout::geo::internal
