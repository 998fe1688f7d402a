// libFuzzer target: InputStream::FromBytes over arbitrary bytes (magic detection and the gzip,
// bzip2, xz and zstd decoders, including multi-member input and truncation). Every byte read must
// be addressable; the stream must end (0) or fail (error), never loop.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "blackout/base/input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = blackout::InputStream::FromBytes(std::string(reinterpret_cast<const char*>(data), size),
                                             "fuzz");
  // Odd read sizes cross codec buffer boundaries in varied places.
  std::vector<uint8_t> buf(4093);
  uint64_t total = 0;
  uint8_t sum = 0;
  for (;;) {
    auto n = in->Read(buf.data(), buf.size());
    if (!n.ok() || *n == 0) break;
    for (size_t i = 0; i < *n; i += 512) sum ^= buf[i];
    total += *n;
    // Bound work per input: decompression bombs are not a bug of ours.
    if (total > (64u << 20)) break;
  }
  (void)sum;
  (void)in->compression();
  return 0;
}
