// Record parser (docs/probe.md): never crashes on any input.
#include <cstdint>
#include <string_view>

#include "blackout/probe/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = blackout::probe::ParseRecords(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  (void)r;
  return 0;
}
