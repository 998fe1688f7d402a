// One captured packet decoded down to what a telescope counts: the network header (IPv4 or IPv6)
// and the first transport header (TCP, UDP, ICMP). Decoding reads the captured bytes in place and
// allocates nothing; a header cut short by the capture's snap length is reported as truncated.
// Link types (pcap LINKTYPE_* values, docs/darknet.md): Ethernet with up to two VLAN tags, raw IP,
// Linux cooked capture v1 and v2, BSD loopback (DLT_NULL, DLT_LOOP).
// Thread-safety: pure functions over value types.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace blackout::darknet {

// Link-layer types (the pcap file header's `network`, https://www.tcpdump.org/linktypes.html).
inline constexpr int kLinkNull = 0;        // BSD loopback, host-order family
inline constexpr int kLinkEthernet = 1;    // IEEE 802.3
inline constexpr int kLinkRawDlt = 12;     // DLT_RAW as some platforms write it
inline constexpr int kLinkRawDlt14 = 14;   // DLT_RAW on OpenBSD
inline constexpr int kLinkRaw = 101;       // LINKTYPE_RAW
inline constexpr int kLinkLoop = 108;      // OpenBSD loopback, network-order family
inline constexpr int kLinkLinuxSll = 113;  // Linux cooked v1
inline constexpr int kLinkIpv4 = 228;
inline constexpr int kLinkIpv6 = 229;
inline constexpr int kLinkLinuxSll2 = 276;  // Linux cooked v2

// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIpv6 = 41;  // 6in4
inline constexpr uint8_t kProtoGre = 47;
inline constexpr uint8_t kProtoEsp = 50;
inline constexpr uint8_t kProtoIcmpv6 = 58;

// TCP flag bits (RFC 9293 section 3.1, RFC 3168 for ECE/CWR).
inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;
inline constexpr uint8_t kTcpEce = 0x40;
inline constexpr uint8_t kTcpCwr = 0x80;

struct PacketInfo {
  bool v6 = false;
  // IPv4: host-order addresses. IPv6: the addresses' bytes.
  uint32_t src4 = 0, dst4 = 0;
  std::array<uint8_t, 16> src6{}, dst6{};
  uint8_t protocol = 0;           // IPv6: the upper-layer protocol after any extension headers
  uint8_t ttl = 0;                // IPv4 TTL or IPv6 hop limit
  bool fragment = false;          // MF set or a non-zero offset (IPv4); a fragment header (IPv6)
  bool transport = false;         // the transport header below was present and whole
  uint16_t sport = 0, dport = 0;  // TCP/UDP ports (0 otherwise)
  uint8_t tcp_flags = 0;
  uint8_t tcp_header_len = 0;  // bytes, 20 = no options
  uint16_t tcp_window = 0;
  uint8_t icmp_type = 0;

  uint64_t SourceKey() const;  // IPv4 address, or an IPv6 /64 marked as such (docs/darknet.md)
};

enum class Decoded : uint8_t {
  kIp,         // an IPv4 or IPv6 packet; `out` is filled
  kNotIp,      // ARP, LLDP, ...: nothing a telescope counts
  kTruncated,  // the network header (or a declared length) is cut short or invalid
};

// REQUIRES: `out` != nullptr. `link` is a LINKTYPE_* value; an unsupported one yields kNotIp.
Decoded DecodePacket(int link, std::span<const uint8_t> bytes, PacketInfo* out);

// Whether DecodePacket understands a link type.
bool SupportedLink(int link);

}  // namespace blackout::darknet
