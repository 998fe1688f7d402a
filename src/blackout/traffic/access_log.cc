#include "blackout/traffic/access_log.h"

#include <array>
#include <cstring>
#include <vector>

namespace blackout::traffic {
namespace {

Status Malformed(const std::string& why) { return DataLoss("malformed log line: " + why); }

bool Digits(std::string_view s, size_t n, int* out) {
  if (s.size() < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// "10/Oct/2000:13:55:36 -0700"
Result<UnixSeconds> ParseLogTime(std::string_view t) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' ||
      t[17] != ':' || t[20] != ' ' || (t[21] != '+' && t[21] != '-')) {
    return Malformed("time is not dd/Mon/yyyy:hh:mm:ss +zzzz");
  }
  int day, year, hh, mm, ss, oh, om;
  if (!Digits(t.substr(0), 2, &day) || !Digits(t.substr(7), 4, &year) ||
      !Digits(t.substr(12), 2, &hh) || !Digits(t.substr(15), 2, &mm) ||
      !Digits(t.substr(18), 2, &ss) || !Digits(t.substr(22), 2, &oh) ||
      !Digits(t.substr(24), 2, &om)) {
    return Malformed("time has a non-digit");
  }
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (t.substr(3, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0) return Malformed("unknown month '" + std::string(t.substr(3, 3)) + "'");
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day < 1 || day > kDays[month - 1] || hh > 23 || mm > 59 || ss > 60 || oh > 14 || om > 59 ||
      year < 1970) {
    return Malformed("time out of range");
  }
  int64_t secs =
      DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 + hh * 3600 + mm * 60 + ss;
  int64_t offset = (oh * 60 + om) * 60;
  return t[21] == '+' ? secs - offset : secs + offset;
}

}  // namespace

Result<LogLine> ParseCombinedLine(std::string_view line) {
  LogLine out;
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0) return Malformed("no client address");
  std::string_view host = line.substr(0, sp);
  if (host.size() > 45) return Malformed("client address too long");
  auto addr = IpAddress::Parse(host);
  if (!addr.ok()) return Malformed("client '" + std::string(host) + "' is not an IP address");
  out.client = *addr;
  size_t open = line.find('[', sp);
  size_t close = open == std::string_view::npos ? open : line.find(']', open);
  if (close == std::string_view::npos) return Malformed("no [time]");
  BLACKOUT_ASSIGN_OR_RETURN(out.time, ParseLogTime(line.substr(open + 1, close - open - 1)));
  std::string_view rest = line.substr(close + 1);
  if (rest.size() < 2 || rest[0] != ' ' || rest[1] != '"') return Malformed("no \"request\"");
  // The request ends at the first quote not escaped by a backslash.
  size_t i = 2;
  for (; i < rest.size(); ++i) {
    if (rest[i] == '\\') {
      ++i;
    } else if (rest[i] == '"') {
      break;
    }
  }
  if (i >= rest.size()) return Malformed("unterminated \"request\"");
  out.request = rest.substr(2, i - 2);
  rest = rest.substr(i + 1);
  if (rest.size() < 4 || rest[0] != ' ') return Malformed("no status");
  if (rest.substr(1, 1) == "-") {
    out.status = 0;
  } else if (!Digits(rest.substr(1), 3, &out.status) || (rest.size() > 4 && rest[4] != ' ')) {
    return Malformed("status is not three digits");
  }
  return out;
}

Result<LogStats> ReadLog(InputStream& in, const std::function<void(const LogLine&)>& on_line,
                         const std::function<void(const Status&)>& on_problem) {
  LogStats stats;
  std::string pending;
  std::vector<uint8_t> buf(1 << 16);
  uint64_t line_no = 0;
  constexpr size_t kMaxLine = 64 * 1024;
  bool skipping_long = false;
  auto handle = [&](std::string_view line) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    ++stats.lines;
    auto parsed = ParseCombinedLine(line);
    if (parsed.ok()) {
      ++stats.good;
      on_line(*parsed);
    } else {
      ++stats.malformed;
      Location where;
      where.file = in.name();
      where.line = line_no;
      on_problem(parsed.status().WithLocation(where));
    }
  };
  while (true) {
    auto n = in.Read(buf.data(), buf.size());
    if (!n.ok()) {
      if (!pending.empty() && !skipping_long) handle(pending);
      return n.status();
    }
    if (*n == 0) break;
    std::string_view chunk(reinterpret_cast<const char*>(buf.data()), *n);
    while (!chunk.empty()) {
      size_t nl = chunk.find('\n');
      if (nl == std::string_view::npos) {
        if (!skipping_long) pending.append(chunk);
        if (pending.size() > kMaxLine) {
          skipping_long = true;
          pending.clear();
        }
        break;
      }
      if (skipping_long) {
        ++line_no;
        ++stats.lines;
        ++stats.malformed;
        Location where;
        where.file = in.name();
        where.line = line_no;
        on_problem(Malformed("line longer than 64 KiB").WithLocation(where));
        skipping_long = false;
      } else if (pending.empty()) {
        handle(chunk.substr(0, nl));
      } else {
        pending.append(chunk.substr(0, nl));
        handle(pending);
        pending.clear();
      }
      chunk.remove_prefix(nl + 1);
    }
  }
  if (!pending.empty() && !skipping_long) handle(pending);
  return stats;
}

}  // namespace blackout::traffic
