#include "blackout/rislive/internal/raw.h"

#include <array>

#include "blackout/mrt/bgp_decoder.h"

namespace blackout::rislive::internal {
namespace {

constexpr size_t kBgpHeaderLength = 19;  // RFC 4271 §4.1
constexpr uint8_t kBgpUpdate = 2;        // RFC 4271 §4.1 message type

constexpr std::array<int8_t, 256> MakeTable(bool hex) {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  if (hex) {
    for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<int8_t>(c - 'A' + 10);
  } else {
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = static_cast<int8_t>(c - 'A');
    for (int c = 'a'; c <= 'z'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 26);
    for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0' + 52);
    t['+'] = 62;
    t['/'] = 63;
  }
  return t;
}
constexpr auto kHex = MakeTable(true);
constexpr auto kBase64 = MakeTable(false);

Status DecodeHex(std::string_view text, std::vector<uint8_t>* out) {
  if (text.size() % 2 != 0) return DataLoss("raw: odd number of hex digits");
  const size_t at = out->size();
  out->resize(at + text.size() / 2);
  uint8_t* o = out->data() + at;
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = kHex[static_cast<uint8_t>(text[i])];
    const int lo = kHex[static_cast<uint8_t>(text[i + 1])];
    if ((hi | lo) < 0) return DataLoss("raw: not a hex digit at " + std::to_string(i));
    *o++ = static_cast<uint8_t>(hi << 4 | lo);
  }
  return Status::Ok();
}

Status DecodeBase64(std::string_view text, std::vector<uint8_t>* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return DataLoss("raw: base64 of impossible length");
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int v = kBase64[static_cast<uint8_t>(text[i])];
    if (v < 0) return DataLoss("raw: not a base64 character at " + std::to_string(i));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return Status::Ok();
}

void Put16(std::vector<uint8_t>* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void Put32(std::vector<uint8_t>* b, uint32_t v) {
  Put16(b, v >> 16);
  Put16(b, v & 0xFFFF);
}

}  // namespace

Status DecodeRawText(std::string_view text, std::vector<uint8_t>* out) {
  // A BGP message starts with its all-ones marker: "FFFF..." in hex, "////..." in base64.
  if (!text.empty() && text[0] == '/') return DecodeBase64(text, out);
  return DecodeHex(text, out);
}

Status DecodeRawUpdate(std::string_view raw, const IpAddress& peer, uint32_t peer_asn,
                       uint32_t time, uint32_t microseconds, std::vector<uint8_t>* body,
                       mrt::RecordDecoder* decoder, std::vector<std::string>* problems,
                       std::span<const mrt::Element>* elements) {
  // BGP4MP_ET (RFC 6396 §4.4, RFC 8050 §5): microseconds, then BGP4MP_MESSAGE_AS4 (§4.4.3):
  // peer AS, local AS, interface index, AFI, peer address, local address, BGP message.
  body->clear();
  Put32(body, microseconds);
  Put32(body, peer_asn);
  Put32(body, 0);  // local AS: not in RIS Live messages
  Put16(body, 0);  // interface index
  Put16(body, peer.is_v4() ? mrt::kAfiIpv4 : mrt::kAfiIpv6);
  const size_t n = peer.is_v4() ? 4 : 16;
  body->insert(body->end(), peer.bytes().begin(), peer.bytes().begin() + static_cast<long>(n));
  body->insert(body->end(), n, 0);  // local address
  const size_t msg_at = body->size();
  BLACKOUT_RETURN_IF_ERROR(DecodeRawText(raw, body));
  if (body->size() - msg_at < kBgpHeaderLength) return DataLoss("raw: shorter than a BGP header");
  if ((*body)[msg_at + 18] != kBgpUpdate) {
    return DataLoss("raw: BGP message type " + std::to_string((*body)[msg_at + 18]) +
                    " in an UPDATE");
  }
  problems->clear();
  const mrt::Record* rec =
      &decoder->Decode(time, mrt::kMrtBgp4mpEt, mrt::kBgp4mpMessageAs4, *body, problems);
  if (!problems->empty() && peer_asn <= UINT16_MAX) {
    // RIS forwards the message as the peer sent it: a peer without the 4-octet AS capability
    // (RFC 6793) sends 2-octet AS_PATHs. Such a peer has a 2-octet ASN; read it as BGP4MP_MESSAGE.
    std::vector<std::string> as2_problems;
    std::vector<uint8_t> as2(body->begin(), body->begin() + 4);  // microseconds
    Put16(&as2, peer_asn);
    Put16(&as2, 0);
    as2.insert(as2.end(), body->begin() + 12, body->end());
    body->swap(as2);
    rec = &decoder->Decode(time, mrt::kMrtBgp4mpEt, mrt::kBgp4mpMessage, *body, &as2_problems);
    if (as2_problems.empty()) problems->clear();
  }
  if (!problems->empty()) return DataLoss("raw: " + problems->front());
  *elements = rec->elements;
  return Status::Ok();
}

}  // namespace blackout::rislive::internal
