// IP addresses and prefixes, IPv4 and IPv6, as small value types. Addresses are stored in network
// byte order in 16 bytes (IPv4 uses the first 4). Formatting matches inet_ntop(3), which is what
// bgpdump prints. Thread-safety: value types.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "blackout/base/status.h"

namespace blackout {

enum class Family : uint8_t { kIPv4 = 4, kIPv6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order) {
    IpAddress a;
    a.family_ = Family::kIPv4;
    a.bytes_[0] = host_order >> 24;
    a.bytes_[1] = host_order >> 16;
    a.bytes_[2] = host_order >> 8;
    a.bytes_[3] = host_order;
    return a;
  }
  // REQUIRES: bytes.size() == 4 (IPv4) or 16 (IPv6).
  static IpAddress FromBytes(Family f, std::span<const uint8_t> bytes) {
    IpAddress a;
    a.family_ = f;
    std::memcpy(a.bytes_.data(), bytes.data(), f == Family::kIPv4 ? 4 : 16);
    return a;
  }
  static Result<IpAddress> Parse(std::string_view text);
  // Overwrites this address in place with the first 4 (IPv4) or 16 (IPv6) bytes at `bytes`. For
  // parsers' hot loops: building a temporary address and copying it into place stalls on store
  // forwarding.
  void Assign(Family f, const uint8_t* bytes) {
    family_ = f;
    if (f == Family::kIPv4) {
      std::memcpy(bytes_.data(), bytes, 4);
      std::memset(bytes_.data() + 4, 0, 12);
    } else {
      std::memcpy(bytes_.data(), bytes, 16);
    }
  }

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIPv4; }
  int bits() const { return is_v4() ? 32 : 128; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  uint32_t v4() const {  // host order; REQUIRES: is_v4()
    return uint32_t(bytes_[0]) << 24 | uint32_t(bytes_[1]) << 16 | uint32_t(bytes_[2]) << 8 |
           bytes_[3];
  }
  // Upper 64 bits of an IPv6 address, host order.
  uint64_t v6_high() const {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | bytes_[i];
    return v;
  }
  uint64_t v6_low() const {
    uint64_t v = 0;
    for (int i = 8; i < 16; ++i) v = v << 8 | bytes_[i];
    return v;
  }
  std::string ToString() const;
  // Appends the text form to `out` without allocating a temporary.
  void AppendTo(std::string& out) const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kIPv4;
  std::array<uint8_t, 16> bytes_{};
};

class Prefix {
 public:
  Prefix() = default;
  // Host bits of `addr` beyond `length` are kept as given (bgpdump prints them; see docs/mrt.md);
  // use Masked() for the canonical network.
  Prefix(IpAddress addr, uint8_t length) : addr_(addr), length_(length) {}
  static Result<Prefix> Parse(std::string_view text);  // "a.b.c.d/n", "x::/n", or a bare address

  const IpAddress& address() const { return addr_; }
  uint8_t length() const { return length_; }
  Family family() const { return addr_.family(); }
  Prefix Masked() const;
  // Overwrites this prefix in place (see IpAddress::Assign).
  void Assign(Family f, const uint8_t* bytes, uint8_t length) {
    addr_.Assign(f, bytes);
    length_ = length;
  }
  bool Contains(const IpAddress& a) const;
  bool Contains(const Prefix& p) const { return p.length_ >= length_ && Contains(p.addr_); }
  std::string ToString() const;
  void AppendTo(std::string& out) const;

  friend auto operator<=>(const Prefix&, const Prefix&) = default;
  friend bool operator==(const Prefix&, const Prefix&) = default;

 private:
  IpAddress addr_;
  uint8_t length_ = 0;
};

}  // namespace blackout
