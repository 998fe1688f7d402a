// ParseConfig on any TOML text: never crashes; a config is either accepted, and then it validates
// (ValidateConfig), or rejected with a message, never both.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/detect/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = blackout::detect::ParseConfig(text, "fuzz.toml");
  if (!c.ok()) {
    if (c.status().message().empty()) std::abort();
    return 0;
  }
  if (!blackout::detect::ValidateConfig(*c).ok()) std::abort();
  return 0;
}
