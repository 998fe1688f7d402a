// Byte input with transparent decompression. An InputStream reads a file, stdin ("-") or a memory
// buffer and decompresses it on the fly; the format (plain, gzip, bzip2, xz, zstd) is chosen by the
// magic bytes at the start of the data, never by the file name. Multi-member gzip and multi-stream
// bzip2/xz/zstd (as RouteViews and RIPE RIS publish) are read to the end.
//
// For compressed files and for stdin, decompression runs on its own thread feeding a bounded
// queue of chunks, so it overlaps with parsing; memory use is bounded (a few MiB plus the codec's
// window) whatever the file size. Uncompressed regular files have nothing to overlap: Read() reads
// them straight into the caller's buffer on the caller's thread (one copy, no thread). A truncated
// or corrupt compressed stream yields every good byte first, then a kDataLoss Status saying what
// and where.
//
// Thread-safety: an InputStream has one consumer thread; distinct streams are independent.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "blackout/base/status.h"

namespace blackout {

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

// "none", "gzip", "bzip2", "xz", "zstd".
const char* CompressionName(Compression c);

// The compression of data starting with `head` (a few bytes suffice: 6 recognise every format).
// Anything unrecognised, including an empty or too-short head, is kNone.
Compression DetectCompression(std::span<const uint8_t> head);

class InputStream {
 public:
  virtual ~InputStream() = default;

  // Opens `path` ("-" = stdin) and starts the decompression thread. Reads the first bytes at once
  // to detect the compression, so compression() is known on return. Errors: kNotFound when the file
  // does not exist, kIoError otherwise.
  static Result<std::unique_ptr<InputStream>> Open(const std::string& path);

  // A stream over `bytes` (decompressed on the caller's thread if compressed). Never fails here;
  // decoding errors surface from Read().
  static std::unique_ptr<InputStream> FromBytes(std::string bytes, std::string name = "<memory>");

  // Reads up to n bytes into buf. Returns the count read (may be less than n even mid-stream); 0
  // means clean end of stream (or n == 0). A truncated or corrupt compressed stream yields all the
  // good bytes first, then an error Status (kDataLoss, e.g. "gzip stream truncated after N
  // compressed bytes (M bytes decompressed)"), with where().offset the decompressed byte offset.
  // I/O errors: kIoError. Once an error is returned, every later call returns it again.
  virtual Result<size_t> Read(uint8_t* buf, size_t n) = 0;

  // Zero-copy access: for a stream made by FromBytes() over uncompressed bytes, all of the stream's
  // bytes (from its start, whatever Read() has returned), valid for the stream's lifetime; empty
  // for every other stream. A consumer may parse these in place instead of calling Read().
  virtual std::span<const uint8_t> in_memory() const { return {}; }

  virtual Compression compression() const = 0;
  virtual const std::string& name() const = 0;
  // Compressed (underlying) bytes consumed so far, for progress. Safe to call from the consumer.
  virtual uint64_t raw_bytes_read() const = 0;
  // Size of the underlying file if known (regular files, memory), else 0.
  virtual uint64_t raw_size() const = 0;
};

}  // namespace blackout
