#include "blackout/probe/icmp.h"

#include <cstring>

namespace blackout::probe {

uint16_t InternetChecksum(std::span<const uint8_t> bytes) {
  uint32_t sum = 0;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += uint32_t(bytes[i]) << 8 | bytes[i + 1];
  if (i < bytes.size()) sum += uint32_t(bytes[i]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

namespace {

void Build(uint8_t type, const Echo& e, std::span<uint8_t> out) {
  out[0] = type;
  out[1] = 0;
  out[2] = out[3] = 0;
  out[4] = e.id >> 8;
  out[5] = e.id & 255;
  out[6] = e.seq >> 8;
  out[7] = e.seq & 255;
  std::memcpy(out.data() + kIcmpHeaderSize, e.tag.data(), kTagSize);
  uint16_t c = InternetChecksum(out.first(kEchoSize));
  out[2] = c >> 8;
  out[3] = c & 255;
}

}  // namespace

void BuildEchoRequest(const Echo& echo, std::span<uint8_t> out) {
  Build(kIcmpEchoRequest, echo, out);
}
void BuildEchoReply(const Echo& echo, std::span<uint8_t> out) { Build(kIcmpEchoReply, echo, out); }

const char* ParseResultName(ParseResult r) {
  switch (r) {
    case ParseResult::kOk:
      return "ok";
    case ParseResult::kTruncated:
      return "truncated";
    case ParseResult::kNotIpv4:
      return "not-ipv4";
    case ParseResult::kNotIcmp:
      return "not-icmp";
    case ParseResult::kFragment:
      return "fragment";
    case ParseResult::kNotEchoReply:
      return "not-echo-reply";
    case ParseResult::kBadChecksum:
      return "bad-checksum";
  }
  return "?";
}

ParseResult ParseEchoReply(std::span<const uint8_t> d, Echo* out) {
  if (d.size() < kIpv4MinHeader) return ParseResult::kTruncated;
  if ((d[0] >> 4) != 4) return ParseResult::kNotIpv4;
  size_t ihl = size_t(d[0] & 15) * 4;
  if (ihl < kIpv4MinHeader) return ParseResult::kNotIpv4;
  size_t total = size_t(d[2]) << 8 | d[3];
  if (total < ihl || d.size() < total || d.size() < ihl) return ParseResult::kTruncated;
  if (d[9] != kProtoIcmp) return ParseResult::kNotIcmp;
  uint16_t frag = uint16_t(d[6]) << 8 | d[7];
  if (frag & 0x3fff) return ParseResult::kFragment;  // MF set or offset != 0
  std::span<const uint8_t> icmp = d.subspan(ihl, total - ihl);
  if (icmp.size() < kEchoSize) return ParseResult::kTruncated;
  if (icmp[0] != kIcmpEchoReply || icmp[1] != 0) return ParseResult::kNotEchoReply;
  if (InternetChecksum(icmp) != 0) return ParseResult::kBadChecksum;
  out->addr = uint32_t(d[12]) << 24 | uint32_t(d[13]) << 16 | uint32_t(d[14]) << 8 | d[15];
  out->id = uint16_t(icmp[4]) << 8 | icmp[5];
  out->seq = uint16_t(icmp[6]) << 8 | icmp[7];
  std::memcpy(out->tag.data(), icmp.data() + kIcmpHeaderSize, kTagSize);
  return ParseResult::kOk;
}

}  // namespace blackout::probe
