// ParseTime on any text: never crash (no signed overflow either: UBSan); a parsed time whose year
// is 0000..9999 formats (FormatIso8601, FormatDateTime) to text that parses back to the same time.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "blackout/base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = blackout::ParseTime(text);
  if (!t.ok()) {
    if (t.status().message().empty()) std::abort();
    return 0;
  }
  // Years 0000..9999: [-62167219200, 253402300800).
  if (*t < -62167219200LL || *t >= 253402300800LL) return 0;
  for (const std::string& printed : {blackout::FormatIso8601(*t), blackout::FormatDateTime(*t)}) {
    auto again = blackout::ParseTime(printed);
    if (!again.ok() || *again != *t) std::abort();
  }
  return 0;
}
