// libFuzzer target: RecordDecoder::Decode, the record decoding used by MrtReader, driven directly.
// Input: a sequence of MRT records (12-byte header: time, type, subtype, length; then the body) as
// in an MRT file; a short last body is passed as it is (the decoder must cope with any length).
// One decoder handles them all, so a PEER_INDEX_TABLE affects the RIB records after it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/mrt/reader.h"
#include "consume.h"

namespace {
uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  blackout::mrt::RecordDecoder decoder;
  std::vector<std::string> problems;
  uint64_t h = 0;
  size_t off = 0;
  while (off + 12 <= size) {
    uint32_t time = Be32(data + off);
    uint16_t type = Be16(data + off + 4), subtype = Be16(data + off + 6);
    uint32_t length = Be32(data + off + 8);
    off += 12;
    size_t n = std::min<size_t>(length, size - off);
    // A copy of exactly the body, so ASan sees any read past its end.
    std::vector<uint8_t> body(data + off, data + off + n);
    problems.clear();
    const auto& record = decoder.Decode(time, type, subtype, body, &problems);
    h += blackout::fuzz::Consume(record);
    for (const auto& p : problems) h += p.size();
    off += n;
  }
  (void)h;
  return 0;
}
