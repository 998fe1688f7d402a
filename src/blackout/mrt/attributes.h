// BGP path attributes of one route, as pure data (RFC 4271 §4.3, §5). An Attributes value is a
// view: its spans point into buffers owned by the MrtReader (or the AttributeDecoder) that produced
// it and stay valid until that reader decodes its next record. Copy what you keep. The wire format
// and the decoding rules (AS4_PATH merging, bgpdump compatibility) are described in docs/mrt.md.
// Thread-safety: plain data; safe to read from several threads while nobody decodes into the owner.
#pragma once

#include <cstdint>
#include <span>

#include "blackout/base/ip.h"

namespace blackout::mrt {

// Path attribute type codes (IANA "BGP Path Attributes" registry).
enum AttrType : uint8_t {
  kAttrOrigin = 1,             // RFC 4271 §5.1.1
  kAttrAsPath = 2,             // RFC 4271 §5.1.2
  kAttrNextHop = 3,            // RFC 4271 §5.1.3
  kAttrMed = 4,                // RFC 4271 §5.1.4 MULTI_EXIT_DISC
  kAttrLocalPref = 5,          // RFC 4271 §5.1.5
  kAttrAtomicAggregate = 6,    // RFC 4271 §5.1.6
  kAttrAggregator = 7,         // RFC 4271 §5.1.7 (2- or 4-octet AS, RFC 6793)
  kAttrCommunities = 8,        // RFC 1997
  kAttrOriginatorId = 9,       // RFC 4456 §8
  kAttrClusterList = 10,       // RFC 4456 §8
  kAttrMpReachNlri = 14,       // RFC 4760 §3
  kAttrMpUnreachNlri = 15,     // RFC 4760 §4
  kAttrExtCommunities = 16,    // RFC 4360 (kept raw)
  kAttrAs4Path = 17,           // RFC 6793 §3
  kAttrAs4Aggregator = 18,     // RFC 6793 §3
  kAttrLargeCommunities = 32,  // RFC 8092
};

// Attribute flag bits (RFC 4271 §4.3).
inline constexpr uint8_t kAttrFlagOptional = 0x80;
inline constexpr uint8_t kAttrFlagTransitive = 0x40;
inline constexpr uint8_t kAttrFlagPartial = 0x20;
inline constexpr uint8_t kAttrFlagExtendedLength = 0x10;

enum class Origin : uint8_t { kIgp = 0, kEgp = 1, kIncomplete = 2 };

// AS_PATH segment types (RFC 4271 §4.3; confederations RFC 5065 §3).
enum class SegmentType : uint8_t {
  kAsSet = 1,
  kAsSequence = 2,
  kConfedSequence = 3,
  kConfedSet = 4,
};

struct AsPathSegment {
  SegmentType type;
  uint8_t reserved = 0;
  uint16_t count;  // number of ASNs in this segment
};
static_assert(sizeof(AsPathSegment) == 4);

// An AS path: segments in order, their ASNs (4-octet, already merged with AS4_PATH per RFC 6793
// §4.2.3) stored flat. Segment i owns asns[sum(count of segments < i) ...].
struct AsPath {
  std::span<const AsPathSegment> segments;
  std::span<const uint32_t> asns;

  bool empty() const { return segments.empty(); }
  // The last ASN of the last AS_SEQUENCE segment, or 0 if the path does not end in a sequence.
  uint32_t OriginAs() const;
};

// A standard community (RFC 1997) as the 32-bit value: high 16 bits ASN, low 16 bits value.
using Community = uint32_t;

struct LargeCommunity {  // RFC 8092 §3
  uint32_t global_admin;
  uint32_t local1;
  uint32_t local2;
};

// An attribute kept as raw bytes (every type this reader does not decode, e.g. extended
// communities).
struct RawAttribute {
  uint8_t flags;
  uint8_t type;
  std::span<const uint8_t> value;  // the attribute value, without flags/type/length
};

// Which attributes were present, by type code (bit n = type n, for n < 64).
class AttrMask {
 public:
  AttrMask() = default;
  explicit AttrMask(uint64_t bits) : bits_(bits) {}
  bool has(uint8_t type) const { return type < 64 && (bits_ >> type & 1); }
  void set(uint8_t type) {
    if (type < 64) bits_ |= uint64_t{1} << type;
  }
  uint64_t bits() const { return bits_; }

 private:
  uint64_t bits_ = 0;
};

struct Attributes {
  AttrMask present;  // attributes seen on the wire (decoded or raw)
  Origin origin = Origin::kIgp;
  // AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3) when both are present and the path is 2-octet.
  AsPath as_path;
  // AS_PATH present but malformed (bad segment type or length): as_path is empty. bgpdump prints
  // "! Error !" for it.
  bool as_path_error = false;
  // NEXT_HOP (IPv4) if present; for MP_REACH routes the element carries the MP next hop.
  IpAddress next_hop;
  uint32_t med = 0;         // valid if present.has(kAttrMed)
  uint32_t local_pref = 0;  // valid if present.has(kAttrLocalPref)
  bool atomic_aggregate = false;
  // AGGREGATOR, replaced by AS4_AGGREGATOR when the former carries AS_TRANS (RFC 6793 §4.2.3).
  bool has_aggregator = false;
  uint32_t aggregator_as = 0;
  IpAddress aggregator_addr;
  std::span<const Community> communities;
  std::span<const LargeCommunity> large_communities;
  bool has_originator_id = false;
  IpAddress originator_id;
  std::span<const uint32_t> cluster_list;  // host order IPv4 cluster ids
  // MP_REACH_NLRI next hop (RFC 4760 §3) and, for IPv6, the optional link-local second address.
  bool has_mp_next_hop = false;
  // MP_REACH in the abbreviated form of RFC 6396 §4.3.4 (next hop length and next hop only).
  bool mp_abbreviated = false;
  uint16_t mp_afi = 0;  // AFI/SAFI of the MP_REACH (0 for the abbreviated form)
  uint8_t mp_safi = 0;
  uint8_t mp_next_hop_length = 0;
  IpAddress mp_next_hop;
  bool has_mp_next_hop_local = false;
  IpAddress mp_next_hop_local;
  // Everything not decoded above, in wire order.
  std::span<const RawAttribute> unknown;
};

}  // namespace blackout::mrt
