// The `raw` field of a RIS Live UPDATE (the BGP message as sent by the peer, hex or base64)
// decoded by the MRT module's record decoder: the message is wrapped in a BGP4MP_ET
// MESSAGE_AS4 record (RFC 6396 §4.4.3, RFC 8050; RIS speaks 4-octet ASNs to every peer), so the
// elements are exactly those an archived copy of the same message gives. Internal to rislive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/mrt/element.h"
#include "blackout/mrt/reader.h"

namespace blackout::rislive::internal {

// Hex ("FFFF...", either case) or base64 ("////...", RFC 4648 §4) text to bytes, appended to
// *out. kDataLoss on any other character or an odd/misaligned length.
Status DecodeRawText(std::string_view text, std::vector<uint8_t>* out);

// Decodes `raw` (an UPDATE message with its 19-byte header) into elements that view `decoder`'s
// buffers and *body (valid until the next call). kDataLoss when the text or the message is
// malformed (the decoder's first problem) or the message is not an UPDATE.
Status DecodeRawUpdate(std::string_view raw, const IpAddress& peer, uint32_t peer_asn,
                       uint32_t time, uint32_t microseconds, std::vector<uint8_t>* body,
                       mrt::RecordDecoder* decoder, std::vector<std::string>* problems,
                       std::span<const mrt::Element>* elements);

}  // namespace blackout::rislive::internal
