// ICMP echo on the wire (RFC 792) and the IPv4 header in front of received replies (RFC 791).
// Building writes the ICMP message only (the kernel's raw socket adds the IPv4 header); parsing
// takes a whole IPv4 datagram as a raw ICMP socket delivers it. Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace blackout::probe {

// RFC 792 "Echo or Echo Reply Message": type, code, checksum, identifier, sequence number.
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr size_t kIcmpHeaderSize = 8;
inline constexpr size_t kTagSize = 8;  // our echo payload: the keyed validation tag
inline constexpr size_t kEchoSize = kIcmpHeaderSize + kTagSize;
// RFC 791 section 3.1: minimum IPv4 header (IHL = 5).
inline constexpr size_t kIpv4MinHeader = 20;
inline constexpr uint8_t kProtoIcmp = 1;

// One echo request as the prober sees it, and one echo reply: the fields validation needs.
struct Echo {
  uint32_t addr = 0;  // request: destination; reply: source (host order)
  uint16_t id = 0;
  uint16_t seq = 0;
  std::array<uint8_t, kTagSize> tag{};
  friend bool operator==(const Echo&, const Echo&) = default;
};

// RFC 1071 Internet checksum of `bytes` (odd length padded with a zero byte).
uint16_t InternetChecksum(std::span<const uint8_t> bytes);

// Writes an echo request (type 8, code 0, checksum, id, seq, tag) into out[0..kEchoSize).
// REQUIRES: out.size() >= kEchoSize.
void BuildEchoRequest(const Echo& echo, std::span<uint8_t> out);
// The same as an echo reply (type 0), for fake networks and test responders.
void BuildEchoReply(const Echo& echo, std::span<uint8_t> out);

enum class ParseResult : uint8_t {
  kOk = 0,
  kTruncated,     // shorter than its headers say, or than an echo with our tag
  kNotIpv4,       // version != 4 or bad IHL
  kNotIcmp,       // protocol != 1
  kFragment,      // a non-first fragment or more fragments follow
  kNotEchoReply,  // another ICMP type/code (unreachable, echo request seen on loopback, ...)
  kBadChecksum,
};
const char* ParseResultName(ParseResult r);

// Parses an IPv4 datagram carrying an ICMP echo reply with at least our tag as payload.
ParseResult ParseEchoReply(std::span<const uint8_t> datagram, Echo* out);

}  // namespace blackout::probe
