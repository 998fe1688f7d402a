// Wire decoding of BGP UPDATE pieces (RFC 4271 §4.3): path attribute blocks and NLRI lists. Used by
// the MRT record decoder for TABLE_DUMP/TABLE_DUMP_V2 entries and BGP4MP/BGP messages; public so
// tests and fuzzers can drive each decoder with hand-built bytes.
//
// An AttributeDecoder owns the pools the decoded Attributes point into. Call Reset(n) once per
// record (n = the record's byte count), then decode any number of attribute blocks taken from those
// n bytes: the pools are sized so that they never move within a record, so every Attributes decoded
// since the last Reset() stays valid until the next one. Thread-safety: one thread per decoder.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/mrt/attributes.h"
#include "blackout/mrt/element.h"
#include "blackout/mrt/internal/attribute_pools.h"

namespace blackout::mrt {

// Address family identifiers (RFC 4760 §3 / IANA) and SAFIs.
inline constexpr uint16_t kAfiIpv4 = 1;
inline constexpr uint16_t kAfiIpv6 = 2;
inline constexpr uint8_t kSafiUnicast = 1;
inline constexpr uint8_t kSafiMulticast = 2;
inline constexpr uint8_t kSafiUnicastMulticast = 3;  // obsolete, still found in old dumps

struct AttrDecodeOptions {
  bool as4 = false;  // AS_PATH/AGGREGATOR carry 4-octet ASNs (RFC 6793 "NEW" speaker)
  // MP_REACH_NLRI in a TABLE_DUMP_V2 RIB entry: only next hop length and next hop (RFC 6396
  // §4.3.4). Full-form attributes written by some daemons are recognised too.
  bool rib_entry = false;
};

// The NLRI carried by MP_REACH_NLRI / MP_UNREACH_NLRI, still in wire form (decode with
// DecodeNlri). Views into the attribute bytes.
struct MpNlri {
  bool present = false;
  uint16_t afi = 0;
  uint8_t safi = 0;
  std::span<const uint8_t> nlri;
};

struct MpInfo {
  MpNlri reach;
  MpNlri unreach;
};

class AttributeDecoder {
 public:
  AttributeDecoder();

  // Starts a new record of at most `record_bytes` bytes: forgets every pool entry (invalidates
  // earlier Attributes) and makes room so the pools cannot move while this record is decoded.
  void Reset(size_t record_bytes);

  // Decodes one path attribute block into *out (overwritten) and *mp (may be null). Returns OK, or
  // a kDataLoss Status saying which attribute was malformed and why. Decoding is lenient where
  // bgpdump is (e.g. an AGGREGATOR of unexpected length is read as far as it goes) and every
  // attribute before and after a malformed one is still decoded when the block's framing allows it.
  // REQUIRES: the block lies within the bytes announced to Reset(); *out is default-constructed
  // or was last written by Decode (only the fields its `present` mask names are cleared).
  Status Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options, Attributes* out,
                MpInfo* mp);
  // The same, for hot loops (one call per RIB entry): returns false on a problem and puts the
  // text Decode's Status would carry into *error (untouched when true).
  bool Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options, Attributes* out,
              MpInfo* mp, std::string* error);

 private:
  internal::AttributePools pools_;
};

// One prefix from an NLRI list.
struct NlriPrefix {
  Prefix prefix;  // host bits cleared
  uint32_t path_id = 0;
};

// Decodes an NLRI list (RFC 4271 §4.3 "Network Layer Reachability Information"; RFC 7911 §3 with
// path identifiers). Appends to *out; returns kDataLoss on a prefix length beyond the family's
// bits or a truncated prefix (the prefixes before it are kept).
Status DecodeNlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                  std::vector<NlriPrefix>* out);

// Decodes whole BGP messages (RFC 4271 §4.1 header included) that do not come in MRT records,
// e.g. the UPDATEs of BMP Route Monitoring messages (RFC 7854 §4.6): UPDATEs become the same
// elements the MRT record decoder makes of a BGP4MP message, with the same code. Elements and
// their Attributes stay valid until the next Decode. Thread-safety: one thread per decoder.
class UpdateDecoder {
 public:
  UpdateDecoder();
  ~UpdateDecoder();
  UpdateDecoder(const UpdateDecoder&) = delete;
  UpdateDecoder& operator=(const UpdateDecoder&) = delete;

  // Decodes `message` (marker, length, type, body). For an UPDATE, appends to *out (cleared first)
  // one element per prefix, each a copy of `proto` (peer fields, time, source) with its type,
  // prefix, path id, next hop and attributes set. Other message types yield no elements. Problems
  // are appended to *problems (may be null); the result is false when any was found (the sound
  // elements are still in *out). `as4`: AS_PATH with 4-octet ASNs; `add_path`: NLRI with path
  // identifiers (RFC 7911).
  bool Decode(std::span<const uint8_t> message, bool as4, bool add_path, const Element& proto,
              std::vector<Element>* out, std::vector<std::string>* problems);

 private:
  AttributeDecoder attr_dec_;
  Attributes attrs_;
  std::string error_;
};

// BGP message types (RFC 4271 §4.1, RFC 2918 §3).
inline constexpr uint8_t kBgpOpenMessage = 1;
inline constexpr uint8_t kBgpUpdateMessage = 2;
inline constexpr uint8_t kBgpNotificationMessage = 3;
inline constexpr uint8_t kBgpKeepaliveMessage = 4;
inline constexpr uint8_t kBgpRouteRefreshMessage = 5;
inline constexpr size_t kBgpHeaderBytes = 19;  // marker 16, length 2, type 1

}  // namespace blackout::mrt
