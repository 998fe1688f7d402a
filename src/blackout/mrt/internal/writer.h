// Writer: the cursor both text formatters of the mrt module write through, into memory reserved
// in advance (no per-append capacity check), and the number and address writers it uses. Text
// forms are bgpdump's (docs/mrt.md). Internal to the mrt module. Not thread-safe.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "blackout/base/ip.h"
#include "blackout/mrt/attributes.h"

namespace blackout::mrt {

struct FormatCache;  // internal/text_cache.h

namespace internal {

// Writes into memory reserved in advance (see LineBound), without per-append capacity checks.
struct Writer {
  char* p;
  char* start;
  FormatCache* cache = nullptr;
  char* base = nullptr;  // start of the whole output buffer (for cache offsets)
  void operator+=(char c) { *p++ = c; }
  template <size_t N>
  void operator+=(const char (&s)[N]) {  // literals: a fixed-size copy the compiler inlines
    std::memcpy(p, s, N - 1);
    p += N - 1;
  }
  void operator+=(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void append(const char* b, const char* e) {
    std::memcpy(p, b, static_cast<size_t>(e - b));
    p += e - b;
  }
  void append(const char* b, size_t n) {
    std::memcpy(p, b, n);
    p += n;
  }
  void append(size_t n, char c) {
    std::memset(p, c, n);
    p += n;
  }
  // Copies n bytes of cached text in 16-byte blocks, reading and writing up to 15 bytes past n:
  // REQUIRES: `s` is readable that far (the caches leave room; cached text in the output buffer
  // lies before p) and, like every write here, the room reserved for the line covers it. GCC
  // turns a small variable-size memcpy into `rep movs`, which is slow to start.
  void PutCached(const char* s, size_t n) {
    char* d = p;  // a local: stores through char* would otherwise reload p each time
    for (size_t i = 0; i < n; i += 16) std::memcpy(d + i, s + i, 16);
    p = d + n;
  }
  size_t size() const { return static_cast<size_t>(p - start); }
};

inline void AppendU32(uint32_t v, Writer& out) { out.p = std::to_chars(out.p, out.p + 10, v).ptr; }
inline void AppendI32(int32_t v, Writer& out) { out.p = std::to_chars(out.p, out.p + 11, v).ptr; }

struct Dec8Table {
  char text[256][4];  // digits, then the length in the last byte
  constexpr Dec8Table() : text() {
    for (int v = 0; v < 256; ++v) {
      int n = 0;
      if (v >= 100) text[v][n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) text[v][n++] = static_cast<char>('0' + v / 10 % 10);
      text[v][n++] = static_cast<char>('0' + v % 10);
      text[v][3] = static_cast<char>(n);
    }
  }
};
inline constexpr Dec8Table kDec8;

inline char* PutDec8(char* p, uint8_t v) {
  std::memcpy(p, kDec8.text[v], 3);  // may write past the digits; the buffer has room
  return p + kDec8.text[v][3];
}

// The dotted quad of the 4 bytes at b, written at p; returns the end. REQUIRES: 16 writable bytes.
char* PutV4(char* p, const uint8_t* b);
// IPv6 as bgpdump's fmt_ipv6 writes it (not inet_ntop): "::ffff:a.b.c.d" for v4-mapped and
// "::a.b.c.d" for v4-compatible addresses; otherwise the first longest run of zero groups, even a
// single one, becomes "::". REQUIRES: 48 writable bytes at p.
char* PutV6(char* p, const uint8_t* b);

inline void AppendV4(const uint8_t* b, Writer& out) { out.p = PutV4(out.p, b); }
inline void AppendV6(const uint8_t* b, Writer& out) { out.p = PutV6(out.p, b); }

inline void AppendPrefix(const Prefix& pfx, Writer& out) {
  const uint8_t* b = pfx.address().bytes().data();
  char* p = pfx.address().is_v4() ? PutV4(out.p, b) : PutV6(out.p, b);
  *p++ = '/';
  out.p = PutDec8(p, pfx.length());
}

inline void WAppendIp(const IpAddress& ip, Writer& out) {
  if (ip.is_v4()) {
    AppendV4(ip.bytes().data(), out);
  } else {
    AppendV6(ip.bytes().data(), out);
  }
}

// "00" to "99", as 16-bit words in memory order.
struct Pairs {
  uint16_t pair[100];
  constexpr Pairs() : pair() {
    for (int v = 0; v < 100; ++v)
      pair[v] = static_cast<uint16_t>(('0' + v / 10) | ('0' + v % 10) << 8);
  }
};
inline constexpr Pairs kPairs;

// The decimal digits of v < 65536 without branches (community halves take 1 to 5 digits at random,
// which a branchy formatter mispredicts): the five digits with leading zeros are built in one
// word, the zeros shifted out, and 8 bytes stored. REQUIRES: 8 writable bytes at p.
inline char* PutDec16(char* p, uint32_t v) {
  const uint32_t r = v % 10000;
  uint64_t w = uint64_t{'0' + v / 10000} | uint64_t{kPairs.pair[r / 100]} << 8 |
               uint64_t{kPairs.pair[r % 100]} << 24;
  const unsigned n = 1 + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000);
  w >>= 8 * (5 - n);
  std::memcpy(p, &w, 8);
  return p + n;
}

// "a:b", written at p; returns the end. REQUIRES: 16 writable bytes at p.
inline char* PutCommunity(char* p, Community c) {
  p = PutDec16(p, c >> 16);
  *p++ = ':';
  return PutDec16(p, c & 0xFFFF);
}

}  // namespace internal
}  // namespace blackout::mrt
