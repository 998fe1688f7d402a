// Differential libFuzzer target: ooni::GzipFile (ISA-L) against zlib over the same bytes. When
// zlib reads every gzip member to a clean end, GzipFile must give the same bytes and end cleanly;
// when zlib finds damage, GzipFile must not end cleanly with more bytes than zlib gave. Either way
// it must end (0 or an error), never loop. The input is handed over as a memfd (GzipFile reads
// paths).
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "blackout/ooni/gunzip.h"

namespace {

constexpr size_t kMaxOut = 16u << 20;  // decompression bombs are not a bug of ours

// zlib's reading: (bytes, clean end).
std::pair<std::string, bool> Zlib(const uint8_t* data, size_t size) {
  std::string out;
  size_t pos = 0;
  if (size == 0) return {out, true};
  while (pos < size) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) std::abort();
    z.next_in = const_cast<Bytef*>(data + pos);
    z.avail_in = static_cast<uInt>(size - pos);
    int rc = Z_OK;
    char buf[1 << 14];
    while (rc == Z_OK && out.size() < kMaxOut) {
      z.next_out = reinterpret_cast<Bytef*>(buf);
      z.avail_out = sizeof buf;
      rc = inflate(&z, Z_NO_FLUSH);
      out.append(buf, sizeof buf - z.avail_out);
      if (rc == Z_BUF_ERROR && z.avail_in > 0 && z.avail_out == 0) rc = Z_OK;
    }
    pos = size - z.avail_in;
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return {out, false};
    if (pos < size && data[pos] != 0x1f) return {out, false};
  }
  return {out, true};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = memfd_create("gz", 0);
  if (fd < 0) return 0;
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  auto file = blackout::ooni::GzipFile::Open("/proc/self/fd/" + std::to_string(fd));
  if (!file.ok()) std::abort();
  std::string out;
  bool clean = false;
  char buf[4093];  // odd: crosses inflate's internal buffers in varied places
  for (int guard = 0; guard < (1 << 20); ++guard) {
    auto n = (*file)->Read(reinterpret_cast<uint8_t*>(buf), sizeof buf);
    if (!n.ok()) break;
    if (*n == 0) {
      clean = true;
      break;
    }
    out.append(buf, *n);
    if (out.size() > kMaxOut) break;
  }
  close(fd);
  if (out.size() > kMaxOut) return 0;
  auto [ref, ref_clean] = Zlib(data, size);
  if (ref.size() >= kMaxOut) return 0;
  if (ref_clean && (!clean || out != ref)) std::abort();
  if (!ref_clean && clean && out.size() > ref.size()) std::abort();
  return 0;
}
