// Web-server access logs in the Common / Combined Log Format (Apache's %h %l %u %t "%r" %>s %b
// ["%{Referer}i" "%{User-agent}i"], nginx's "combined"): the passive `traffic` signal counts the
// distinct client addresses (%h) per bin. Only %h and %t matter for the signal; the other fields
// are checked loosely so real-world oddities (escaped quotes in the request, "-" sizes, missing
// referer/agent) do not make a line malformed. Thread-safety: pure functions; a LogReader is used
// from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "blackout/base/input.h"
#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::traffic {

struct LogLine {
  IpAddress client;
  UnixSeconds time = 0;      // UTC (the %t offset applied)
  int status = 0;            // 0 if "-"
  std::string_view request;  // inside the quotes, as written (a view into the line)
};

// Parses one line (without its newline). DataLoss with a reason for a malformed line.
Result<LogLine> ParseCombinedLine(std::string_view line);

// Reads a log (plain or compressed, see InputStream) line by line: good lines go to `on_line`,
// malformed ones to `on_problem` as a DataLoss Status whose where().line is the 1-based line number
// (the reading continues). Blank lines are skipped. Returns an error only if the stream fails
// (I/O, truncated compression), after delivering every good line before the failure.
struct LogStats {
  uint64_t lines = 0;  // non-blank lines read
  uint64_t good = 0;
  uint64_t malformed = 0;
};
Result<LogStats> ReadLog(InputStream& in, const std::function<void(const LogLine&)>& on_line,
                         const std::function<void(const Status&)>& on_problem);

}  // namespace blackout::traffic
