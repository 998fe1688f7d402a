// libFuzzer target: DecodeNlri (RFC 4271 §4.3 NLRI lists, RFC 7911 §3 with path identifiers).
// Input: 1 option byte (bit0 IPv6, bit1 ADD-PATH) then the NLRI bytes. Every prefix returned must
// be a valid prefix of the family with its host bits cleared.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "blackout/mrt/bgp_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::mrt;
  if (size < 1) return 0;
  blackout::Family family = data[0] & 1 ? blackout::Family::kIPv6 : blackout::Family::kIPv4;
  bool add_path = data[0] & 2;
  std::vector<uint8_t> bytes(data + 1, data + size);
  std::vector<NlriPrefix> out;
  (void)DecodeNlri(bytes, family, add_path, &out);
  // Each prefix takes at least one byte (plus 4 for a path id) on the wire.
  if (out.size() > bytes.size()) abort();
  uint64_t h = 0;
  const int bits = family == blackout::Family::kIPv6 ? 128 : 32;
  for (const auto& p : out) {
    if (p.prefix.family() != family || p.prefix.length() > bits) abort();
    h += p.prefix.ToString().size();
  }
  (void)h;
  return 0;
}
