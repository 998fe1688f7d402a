// IpAddress::Parse and Prefix::Parse on any text: never crash; whatever parses prints (ToString)
// to text that parses back to the same value, and printing is stable; text with a NUL byte (C
// string functions would stop there and ignore the rest) is never accepted.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "blackout/base/ip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using blackout::IpAddress;
  using blackout::Prefix;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool nul = text.find('\0') != std::string_view::npos;
  if (auto a = IpAddress::Parse(text); a.ok()) {
    if (nul) std::abort();
    std::string printed = a->ToString();
    auto again = IpAddress::Parse(printed);
    if (!again.ok() || !(*again == *a) || again->ToString() != printed) std::abort();
  }
  if (auto p = Prefix::Parse(text); p.ok()) {
    if (nul) std::abort();
    if (p->length() > p->address().bits()) std::abort();
    std::string printed = p->ToString();
    auto again = Prefix::Parse(printed);
    if (!again.ok() || !(*again == *p) || again->ToString() != printed) std::abort();
  }
  return 0;
}
