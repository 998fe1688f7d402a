// Hitlist parser: never crashes; whatever parses formats back to text that parses to the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/probe/hitlist.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto h = blackout::probe::ParseHitlist(text, "fuzz");
  if (!h.ok()) return 0;
  auto again = blackout::probe::ParseHitlist(blackout::probe::FormatHitlist(*h), "again");
  if (!again.ok() || again->entries.size() != h->entries.size()) std::abort();
  for (size_t i = 0; i < h->entries.size(); ++i) {
    if (!(again->entries[i].addresses == h->entries[i].addresses)) std::abort();
  }
  return 0;
}
