// Feeds arbitrary bytes to the combined-log parser, line by line and as a whole stream: it must
// never crash, and every line must be either parsed or reported with its line number.
#include <cstddef>
#include <cstdint>
#include <string>

#include "blackout/traffic/access_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)blackout::traffic::ParseCombinedLine(text);
  auto in = blackout::InputStream::FromBytes(text, "fuzz");
  uint64_t good = 0, bad = 0;
  auto stats = blackout::traffic::ReadLog(
      *in, [&](const blackout::traffic::LogLine&) { ++good; },
      [&](const blackout::Status& st) {
        if (!st.where().line) __builtin_trap();
        ++bad;
      });
  if (stats.ok() && (stats->good != good || stats->malformed != bad)) __builtin_trap();
  return 0;
}
