#include "blackout/darknet/packet.h"

#include <cstring>

namespace blackout::darknet {
namespace {

// EtherTypes (IEEE 802 numbers).
constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;

// IPv6 extension headers a packet may carry before its transport (RFC 8200 section 4).
constexpr uint8_t kV6HopByHop = 0, kV6Routing = 43, kV6Fragment = 44, kV6DestOpts = 60;

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// The transport header at `p` (n bytes available), for a non-fragment or a first fragment.
void DecodeTransport(const uint8_t* p, size_t n, PacketInfo* out) {
  switch (out->protocol) {
    case kProtoTcp: {
      if (n < 20) return;  // RFC 9293 section 3.1: 20-byte minimum header
      out->sport = Be16(p);
      out->dport = Be16(p + 2);
      out->tcp_header_len = static_cast<uint8_t>((p[12] >> 4) * 4);
      out->tcp_flags = p[13];
      out->tcp_window = Be16(p + 14);
      out->transport = true;
      return;
    }
    case kProtoUdp:
      if (n < 8) return;  // RFC 768
      out->sport = Be16(p);
      out->dport = Be16(p + 2);
      out->transport = true;
      return;
    case kProtoIcmp:
    case kProtoIcmpv6:
      if (n < 4) return;  // type, code, checksum
      out->icmp_type = p[0];
      out->transport = true;
      return;
    default:
      return;
  }
}

// RFC 791 section 3.1.
Decoded DecodeIpv4(const uint8_t* p, size_t n, PacketInfo* out) {
  if (n < 20 || (p[0] >> 4) != 4) return Decoded::kTruncated;
  const size_t ihl = static_cast<size_t>(p[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > n) return Decoded::kTruncated;
  out->v6 = false;
  out->ttl = p[8];
  out->protocol = p[9];
  out->src4 = Be32(p + 12);
  out->dst4 = Be32(p + 16);
  const uint16_t frag = Be16(p + 6);
  const bool more = frag & 0x2000;
  const uint16_t offset = frag & 0x1fff;
  out->fragment = more || offset != 0;
  // The capture may hold Ethernet padding beyond the datagram: trust the total length if shorter.
  size_t total = Be16(p + 2);
  if (total >= ihl && total < n) n = total;
  if (offset == 0) DecodeTransport(p + ihl, n - ihl, out);
  return Decoded::kIp;
}

// RFC 8200 section 3, walking the extension headers of section 4.
Decoded DecodeIpv6(const uint8_t* p, size_t n, PacketInfo* out) {
  if (n < 40 || (p[0] >> 4) != 6) return Decoded::kTruncated;
  out->v6 = true;
  out->ttl = p[7];
  std::memcpy(out->src6.data(), p + 8, 16);
  std::memcpy(out->dst6.data(), p + 24, 16);
  uint8_t next = p[6];
  size_t at = 40;
  bool first_fragment = true;
  for (int hops = 0; hops < 8; ++hops) {
    if (next == kV6Fragment) {
      if (at + 8 > n) break;
      out->fragment = true;
      first_fragment = (Be16(p + at + 2) & 0xfff8) == 0;
      next = p[at];
      at += 8;
    } else if (next == kV6HopByHop || next == kV6Routing || next == kV6DestOpts) {
      if (at + 8 > n) break;
      const size_t len = (static_cast<size_t>(p[at + 1]) + 1) * 8;
      next = p[at];
      at += len;
      if (at > n) break;
    } else {
      break;
    }
  }
  out->protocol = next;
  if (at <= n && first_fragment) DecodeTransport(p + at, n - at, out);
  return Decoded::kIp;
}

Decoded DecodeByEtherType(uint16_t type, const uint8_t* p, size_t n, PacketInfo* out) {
  if (type == kEtherIpv4) return DecodeIpv4(p, n, out);
  if (type == kEtherIpv6) return DecodeIpv6(p, n, out);
  return Decoded::kNotIp;
}

Decoded DecodeRawIp(const uint8_t* p, size_t n, PacketInfo* out) {
  if (n < 1) return Decoded::kTruncated;
  if ((p[0] >> 4) == 4) return DecodeIpv4(p, n, out);
  if ((p[0] >> 4) == 6) return DecodeIpv6(p, n, out);
  return Decoded::kNotIp;
}

Decoded DecodeEthernet(const uint8_t* p, size_t n, PacketInfo* out) {
  if (n < 14) return Decoded::kTruncated;
  uint16_t type = Be16(p + 12);
  size_t at = 14;
  for (int tags = 0; tags < 2 && (type == kEtherVlan || type == kEtherQinQ); ++tags) {
    if (at + 4 > n) return Decoded::kTruncated;
    type = Be16(p + at + 2);
    at += 4;
  }
  return DecodeByEtherType(type, p + at, n - at, out);
}

// BSD loopback: a 4-byte address family (AF_INET = 2; AF_INET6 = 24, 28 or 30 by platform).
Decoded DecodeLoopback(const uint8_t* p, size_t n, bool network_order, PacketInfo* out) {
  if (n < 4) return Decoded::kTruncated;
  uint32_t family =
      network_order
          ? Be32(p)
          : (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
  if (!network_order && family > 0xffff) family = Be32(p);  // written on a big-endian host
  if (family == 2) return DecodeIpv4(p + 4, n - 4, out);
  if (family == 24 || family == 28 || family == 30) return DecodeIpv6(p + 4, n - 4, out);
  return Decoded::kNotIp;
}

}  // namespace

uint64_t PacketInfo::SourceKey() const {
  if (!v6) return src4;
  uint64_t high = 0;
  for (int i = 0; i < 8; ++i) high = high << 8 | src6[i];
  // Never equal to an IPv4 key: those fit in 32 bits.
  return (high * 0x9e3779b97f4a7c15ULL) | (uint64_t{1} << 63);
}

bool SupportedLink(int link) {
  switch (link) {
    case kLinkNull:
    case kLinkEthernet:
    case kLinkRawDlt:
    case kLinkRawDlt14:
    case kLinkRaw:
    case kLinkLoop:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

Decoded DecodePacket(int link, std::span<const uint8_t> bytes, PacketInfo* out) {
  *out = PacketInfo{};
  const uint8_t* p = bytes.data();
  const size_t n = bytes.size();
  switch (link) {
    case kLinkEthernet:
      return DecodeEthernet(p, n, out);
    case kLinkRaw:
    case kLinkRawDlt:
    case kLinkRawDlt14:
      return DecodeRawIp(p, n, out);
    case kLinkIpv4:
      return DecodeIpv4(p, n, out);
    case kLinkIpv6:
      return DecodeIpv6(p, n, out);
    case kLinkNull:
      return DecodeLoopback(p, n, false, out);
    case kLinkLoop:
      return DecodeLoopback(p, n, true, out);
    case kLinkLinuxSll:  // 16-byte header, protocol at 14
      if (n < 16) return Decoded::kTruncated;
      return DecodeByEtherType(Be16(p + 14), p + 16, n - 16, out);
    case kLinkLinuxSll2:  // 20-byte header, protocol at 0
      if (n < 20) return Decoded::kTruncated;
      return DecodeByEtherType(Be16(p), p + 20, n - 20, out);
    default:
      return Decoded::kNotIp;
  }
}

}  // namespace blackout::darknet
