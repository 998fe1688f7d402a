// Big-endian readers for wire formats. Internal to the mrt module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace blackout::mrt::internal {

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Get32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

// A lenient reader over a byte range: reading past the end yields zero bytes and sets overrun()
// (the behaviour of bgpdump's mstream, which the dump format depends on).
class Cursor {
 public:
  Cursor(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  size_t left() const { return static_cast<size_t>(end_ - p_); }
  bool overrun() const { return overrun_; }
  const uint8_t* pos() const { return p_; }
  uint8_t U8() {
    if (p_ >= end_) {
      overrun_ = true;
      return 0;
    }
    return *p_++;
  }
  uint16_t U16() {
    if (left() < 2) return static_cast<uint16_t>(Slow(2));
    uint16_t v = Get16(p_);
    p_ += 2;
    return v;
  }
  uint32_t U32() {
    if (left() < 4) return static_cast<uint32_t>(Slow(4));
    uint32_t v = Get32(p_);
    p_ += 4;
    return v;
  }
  // Copies n bytes into out (zero-filling past the end).
  void Bytes(uint8_t* out, size_t n) {
    size_t k = n < left() ? n : left();
    std::memcpy(out, p_, k);
    std::memset(out + k, 0, n - k);
    p_ += k;
    if (k < n) overrun_ = true;
  }
  void Skip(size_t n) {
    if (n > left()) {
      overrun_ = true;
      n = left();
    }
    p_ += n;
  }

 private:
  uint64_t Slow(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | U8();
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool overrun_ = false;
};

}  // namespace blackout::mrt::internal
