// The NLRI list walker behind DecodeNlri (RFC 4271 §4.3 "Network Layer Reachability Information";
// RFC 7911 §3 with path identifiers), as a template so the record decoder can build its elements
// in place. Internal to the mrt module.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/mrt/internal/wire.h"

namespace blackout::mrt::internal {

inline uint64_t Get64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}

inline void Put64(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

inline Prefix Ipv6PrefixFromWire(const uint8_t* p, int bits, size_t nbytes, size_t readable);

// The IPv4 address of a prefix of `bits` bits whose `nbytes` significant bytes start at `p`, in
// host order, every bit beyond `bits` cleared. REQUIRES: bits <= 32, nbytes = (bits + 7) / 8.
[[gnu::always_inline]] inline uint32_t V4FromWire(const uint8_t* p, int bits, size_t nbytes) {
  uint32_t v = 0;
  switch (nbytes) {
    case 4:
      v |= uint32_t{p[3]};
      [[fallthrough]];
    case 3:
      v |= uint32_t{p[2]} << 8;
      [[fallthrough]];
    case 2:
      v |= uint32_t{p[1]} << 16;
      [[fallthrough]];
    case 1:
      v |= uint32_t{p[0]} << 24;
      break;
    default:
      break;
  }
  if (bits < 32) v &= bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return v;
}

// The prefix of `bits` bits whose significant bytes start at `p` (`nbytes` = (bits + 7) / 8 of
// them are readable, `readable` bytes in all), with every bit beyond `bits` cleared.
// REQUIRES: bits <= 32 for IPv4, <= 128 for IPv6.
[[gnu::always_inline]] inline Prefix PrefixFromWire(Family family, const uint8_t* p, int bits,
                                                    size_t nbytes, size_t readable) {
  if (family == Family::kIPv4) {
    const uint32_t v = V4FromWire(p, bits, nbytes);
    return Prefix(IpAddress::V4(v), static_cast<uint8_t>(bits));
  }
  return Ipv6PrefixFromWire(p, bits, nbytes, readable);
}

inline Prefix Ipv6PrefixFromWire(const uint8_t* p, int bits, size_t nbytes, size_t readable) {
  uint8_t buf[16];
  if (readable >= 16) {
    std::memcpy(buf, p, 16);  // the bits beyond the prefix are masked off below
  } else {
    std::memset(buf, 0, 16);
    std::memcpy(buf, p, nbytes);
  }
  uint64_t hi = Get64(buf), lo = Get64(buf + 8);
  if (bits < 64) {
    hi &= bits == 0 ? 0 : ~uint64_t{0} << (64 - bits);
    lo = 0;
  } else if (bits < 128) {
    lo &= bits == 64 ? 0 : ~uint64_t{0} << (128 - bits);
  }
  Put64(buf, hi);
  Put64(buf + 8, lo);
  return Prefix(IpAddress::FromBytes(Family::kIPv6, buf), static_cast<uint8_t>(bits));
}

// A prefix still in wire form, as WalkNlri finds it.
struct PrefixOnWire {
  Family family;
  const uint8_t* p;
  int bits;
  size_t nbytes;
  size_t readable;
  Prefix Get() const { return PrefixFromWire(family, p, bits, nbytes, readable); }
  // Writes the prefix into *out in place (see Prefix::Assign).
  [[gnu::always_inline]] void AssignTo(Prefix* out) const {
    if (family == Family::kIPv4) {
      const uint32_t v = V4FromWire(p, bits, nbytes);
      const uint32_t wire = __builtin_bswap32(v);
      uint8_t b[4];
      std::memcpy(b, &wire, 4);
      out->Assign(Family::kIPv4, b, static_cast<uint8_t>(bits));
      return;
    }
    *out = Get();
  }
};

// Calls fn(const PrefixOnWire&, uint32_t path_id) for each prefix of the list, in order (the
// callee builds the Prefix where it keeps it: a Prefix built here and copied stalls on store
// forwarding). Returns kDataLoss on a prefix length beyond the family's bits or a truncated prefix
// (fn was called for every prefix before it).
template <typename Fn>
Status WalkNlri(std::span<const uint8_t> bytes, Family family, bool add_path, Fn&& fn) {
  const int max_bits = family == Family::kIPv4 ? 32 : 128;
  const uint8_t* p = bytes.data();
  const uint8_t* end = p + bytes.size();
  while (p < end) {
    uint32_t path_id = 0;
    if (add_path) {
      if (end - p < 5) return DataLoss("NLRI truncated in a path identifier");
      path_id = Get32(p);
      p += 4;
    }
    const int bits = *p++;
    if (bits > max_bits) {
      return DataLoss("NLRI prefix length " + std::to_string(bits) + " exceeds " +
                      std::to_string(max_bits));
    }
    const size_t nbytes = static_cast<size_t>(bits + 7) / 8;
    const size_t left = static_cast<size_t>(end - p);
    if (left < nbytes) {
      return DataLoss("NLRI prefix /" + std::to_string(bits) + " truncated (" +
                      std::to_string(left) + " of " + std::to_string(nbytes) + " bytes)");
    }
    fn(PrefixOnWire{family, p, bits, nbytes, left}, path_id);
    p += nbytes;
  }
  return Status::Ok();
}

}  // namespace blackout::mrt::internal
