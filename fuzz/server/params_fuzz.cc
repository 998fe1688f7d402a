// The API's query parameter checks on any text. Input: 1 option byte (bit0 from given, bit1 until
// given, bit2 the integer given), then lines "from\nuntil\ninteger\nname".
// Checks: an accepted range has from < until, at most kMaxRangeSeconds long, and given bounds lie
// in 1970..2100; an accepted integer lies in [min, max] (or is the fallback when absent); every
// rejection carries a message; IsEntityCode / IsDatasourceName accept only what they promise.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "../lines.h"
#include "blackout/server/params.h"

using blackout::fuzz::NextLine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::server;
  if (size == 0) return 0;
  uint8_t o = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<std::string> from, until, integer;
  std::string_view l1 = NextLine(&text), l2 = NextLine(&text), l3 = NextLine(&text);
  std::string_view name = NextLine(&text);
  if (o & 1) from = std::string(l1);
  if (o & 2) until = std::string(l2);
  if (o & 4) integer = std::string(l3);

  constexpr blackout::UnixSeconds kNow = 1700000000;
  auto r = ParseRange(from, until, kNow);
  if (r.ok()) {
    if (!(r->from < r->until) || r->until - r->from > kMaxRangeSeconds) std::abort();
    if (from && (r->from < 0 || r->from > 4102444800)) std::abort();
    if (until && (r->until < 0 || r->until > 4102444800)) std::abort();
    if (!until && r->until != kNow) std::abort();
  } else if (r.status().message().empty()) {
    std::abort();
  }

  auto n = ParseInt("limit", integer, 100, 1, kMaxLimit);
  if (n.ok()) {
    if (!integer && *n != 100) std::abort();
    if (*n < 1 || *n > kMaxLimit) std::abort();
  } else if (n.status().message().empty() || !integer) {
    std::abort();
  }

  if (IsEntityCode(name)) {
    if (name.empty() || name.size() > 64) std::abort();
    for (char c : name) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
      if (!ok) std::abort();
    }
  }
  if (IsDatasourceName(name)) {
    if (name.empty() || name.size() > 32) std::abort();
    for (char c : name) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) std::abort();
    }
  }
  (void)IsEntityType(name);
  return 0;
}
