// Reads each FILE through blackout::InputStream and discards the bytes: the "decompress only" cost
// of our input layer, to compare with zcat/bzcat/xzcat/zstdcat (bench/input/run.sh). Prints one
// line per file: name, compression, decompressed bytes, seconds, MB/s.
#include <chrono>
#include <cstdio>
#include <vector>

#include "blackout/base/input.h"

int main(int argc, char** argv) {
  std::vector<uint8_t> buf(1 << 20);
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto in = blackout::InputStream::Open(argv[i]);
    if (!in.ok()) {
      std::fprintf(stderr, "%s\n", in.status().ToString().c_str());
      rc = 1;
      continue;
    }
    uint64_t total = 0;
    for (;;) {
      auto n = (*in)->Read(buf.data(), buf.size());
      if (!n.ok()) {
        std::fprintf(stderr, "%s\n", n.status().ToString().c_str());
        rc = 1;
        break;
      }
      if (*n == 0) break;
      total += *n;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s %s %llu bytes %.3f s %.1f MB/s\n", argv[i],
                blackout::CompressionName((*in)->compression()),
                static_cast<unsigned long long>(total), s, total / s / 1e6);
  }
  return rc;
}
