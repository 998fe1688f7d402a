// ParseServiceConfig on any TOML text: never crashes; an accepted config keeps its documented
// ranges (port 0..65535, threads 1..256, poll_seconds 1..86400, bgp_full_feed_v4 -1 or >= 1) and a
// rejected one carries a message.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "blackout/service/service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = blackout::service::ParseServiceConfig(text, "fuzz.toml");
  if (!c.ok()) {
    if (c.status().message().empty()) std::abort();
    return 0;
  }
  if (c->port < 0 || c->port > 65535 || c->threads < 1 || c->threads > 256) std::abort();
  if (c->poll_seconds < 1 || c->poll_seconds > 86400) std::abort();
  if (c->bgp_full_feed_v4 != -1 && c->bgp_full_feed_v4 < 1) std::abort();
  return 0;
}
