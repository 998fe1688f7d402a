// Wire decoding of BGP UPDATE pieces (RFC 4271 §4.3): path attribute blocks and NLRI lists. Used by
// the MRT record decoder for TABLE_DUMP/TABLE_DUMP_V2 entries and BGP4MP/BGP messages; public so
// tests and fuzzers can drive each decoder with hand-built bytes.
//
// An AttributeDecoder owns the pools the decoded Attributes point into; decoding again invalidates
// what it decoded before unless Reset() is skipped (pools only grow within one record: call Reset()
// once per record, then decode any number of attribute blocks, then FinishRecord() to fix up the
// spans). Thread-safety: one thread per decoder.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/mrt/attributes.h"

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

  // Starts a new record: forgets every pool entry (invalidates earlier Attributes).
  void Reset();

  // Decodes one path attribute block into *out (overwritten) and *mp. Returns OK, or a kDataLoss
  // Status saying which attribute was malformed and why; attributes before it are kept in *out.
  // The spans in *out are valid after FinishRecord() (the pools may move while decoding).
  Status Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options, Attributes* out,
                MpInfo* mp);

  // Points the spans of every Attributes decoded since Reset() into the (now stable) pools.
  // `attrs` are those objects, in any order.
  void FinishRecord(std::span<Attributes> attrs);
  // Same for a single Attributes (convenience for tests).
  void Finish(Attributes* attrs) { FinishRecord(std::span<Attributes>(attrs, 1)); }

 private:
  struct Slots;  // per-Attributes offsets into the pools
  std::vector<AsPathSegment> segments_;
  std::vector<uint32_t> asns_;
  std::vector<Community> communities_;
  std::vector<LargeCommunity> large_;
  std::vector<uint32_t> clusters_;
  std::vector<RawAttribute> unknown_;
  // Scratch for AS4_PATH merging.
  std::vector<AsPathSegment> seg4_;
  std::vector<uint32_t> asn4_;
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

}  // namespace blackout::mrt
