// gzip files (RFC 1952) decompressed with Intel's ISA-L inflate, streamed: a .jsonl.gz of OONI
// measurements is read in bounded memory at about twice libdeflate's rate and five times zlib's
// (gunzip is most of an import's time: bench/ooni). Every member of a multi-member file is read in
// turn; each member's CRC-32 and length are checked.
// Thread-safety: one object per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "blackout/base/status.h"

namespace blackout::ooni {

class GzipFile {
 public:
  // Errors: kNotFound / kIoError opening `path`.
  static Result<std::unique_ptr<GzipFile>> Open(const std::string& path);
  ~GzipFile();
  GzipFile(const GzipFile&) = delete;
  GzipFile& operator=(const GzipFile&) = delete;

  // Fills out[0..n) as far as it can; 0 at the clean end of the file. Damage (a corrupt or
  // truncated stream, a bad checksum, garbage after a member) is returned as kDataLoss naming the
  // compressed byte where it was found, after the good bytes before it have been returned; it
  // stays returned on later calls.
  Result<size_t> Read(uint8_t* out, size_t n);

 private:
  struct State;
  explicit GzipFile(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

// True if the file at `path` starts with the gzip magic (1f 8b).
bool LooksGzipped(const std::string& path);

}  // namespace blackout::ooni
