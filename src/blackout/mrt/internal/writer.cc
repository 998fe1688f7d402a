#include "blackout/mrt/internal/writer.h"

#include <memory>

#include "blackout/mrt/format.h"
#include "blackout/mrt/internal/text_cache.h"

namespace blackout::mrt {
namespace internal {

char* PutV4(char* p, const uint8_t* b) {
  p = PutDec8(p, b[0]);
  *p++ = '.';
  p = PutDec8(p, b[1]);
  *p++ = '.';
  p = PutDec8(p, b[2]);
  *p++ = '.';
  return PutDec8(p, b[3]);
}

char* PutV6(char* p, const uint8_t* b) {
  static const char kHex[] = "0123456789abcdef";
  uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0) {
    const uint32_t low = uint32_t{w[6]} << 16 | w[7];
    if (w[5] == 0xFFFF || (w[5] == 0 && low > 1)) {
      *p++ = ':';
      *p++ = ':';
      if (w[5] == 0xFFFF) {
        std::memcpy(p, "ffff:", 5);
        p += 5;
      }
      return PutV4(p, b + 12);
    }
  }
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      if (i == 0) *p++ = ':';
      *p++ = ':';
      i += best_len - 1;
      continue;
    }
    const uint16_t v = w[i];
    bool started = false;
    for (int s = 12; s >= 0; s -= 4) {
      const int d = (v >> s) & 0xF;
      if (d || started || s == 0) {
        *p++ = kHex[d];
        started = true;
      }
    }
    if (i != 7) *p++ = ':';
  }
  return p;
}

}  // namespace internal

TextBuffer::TextBuffer() : cache_(std::make_unique<FormatCache>()) {}
TextBuffer::~TextBuffer() = default;

void TextBuffer::Grow(size_t need) {
  size_t cap = cap_ ? cap_ : 1 << 16;
  while (cap - size_ < need) cap *= 2;
  auto fresh = std::make_unique_for_overwrite<char[]>(cap);
  if (size_) std::memcpy(fresh.get(), buf_.get(), size_);
  buf_ = std::move(fresh);
  cap_ = cap;
}

}  // namespace blackout::mrt
