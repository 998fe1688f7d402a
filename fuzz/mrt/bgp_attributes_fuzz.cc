// libFuzzer target: AttributeDecoder::Decode (BGP path attributes, RFC 4271 §4.3 and extensions)
// and DecodeNlri on the MP_REACH/MP_UNREACH NLRI it finds. Input: 1 option byte (bit0 as4, bit1
// rib_entry, bit2 ADD-PATH for the MP NLRI) then the attribute block.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "blackout/mrt/bgp_decoder.h"
#include "consume.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blackout::mrt;
  if (size < 1) return 0;
  AttrDecodeOptions options;
  options.as4 = data[0] & 1;
  options.rib_entry = data[0] & 2;
  bool add_path = data[0] & 4;
  // A copy of exactly the block, so ASan sees any read past its end.
  std::vector<uint8_t> block(data + 1, data + size);
  AttributeDecoder decoder;
  decoder.Reset(block.size());
  Attributes attrs;
  MpInfo mp;
  blackout::Status st = decoder.Decode(block, options, &attrs, &mp);
  uint64_t h = blackout::fuzz::Consume(attrs) + st.message().size();
  std::vector<NlriPrefix> prefixes;
  for (const MpNlri* n : {&mp.reach, &mp.unreach}) {
    if (!n->present) continue;
    blackout::Family f = n->afi == kAfiIpv6 ? blackout::Family::kIPv6 : blackout::Family::kIPv4;
    (void)DecodeNlri(n->nlri, f, add_path, &prefixes);
  }
  for (const auto& p : prefixes) h += p.prefix.ToString().size() + p.path_id;
  (void)h;
  return 0;
}
