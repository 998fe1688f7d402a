// The element model: what one MRT record means, one route event per Element (a RIB entry, an
// announcement, a withdrawal or a peer state change), the unit that `bgpdump -m` prints one line
// for. Elements and Records are views valid until the reader that produced them decodes its next
// record; copy what you keep. See docs/mrt.md for the mapping from MRT record types to elements.
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/mrt/attributes.h"

namespace blackout::mrt {

// MRT record types (RFC 6396 §4, RFC 8050 §3, deprecated types from RFC 6396 Appendix B).
enum MrtType : uint16_t {
  kMrtBgp = 5,  // deprecated BGP (Appendix B.2.5)
  kMrtTableDump = 12,
  kMrtTableDumpV2 = 13,
  kMrtBgp4mp = 16,
  kMrtBgp4mpEt = 17,
};

// TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 8050 §4).
enum TableDumpV2Subtype : uint16_t {
  kPeerIndexTable = 1,
  kRibIpv4Unicast = 2,
  kRibIpv4Multicast = 3,
  kRibIpv6Unicast = 4,
  kRibIpv6Multicast = 5,
  kRibGeneric = 6,
  kRibIpv4UnicastAddPath = 8,
  kRibIpv4MulticastAddPath = 9,
  kRibIpv6UnicastAddPath = 10,
  kRibIpv6MulticastAddPath = 11,
  kRibGenericAddPath = 12,
};

// BGP4MP / BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §5).
enum Bgp4mpSubtype : uint16_t {
  kBgp4mpStateChange = 0,
  kBgp4mpMessage = 1,
  kBgp4mpEntry = 2,  // deprecated (Appendix B.2.3)
  kBgp4mpSnapshot = 3,
  kBgp4mpMessageAs4 = 4,
  kBgp4mpStateChangeAs4 = 5,
  kBgp4mpMessageLocal = 6,
  kBgp4mpMessageAs4Local = 7,
  kBgp4mpMessageAddPath = 8,
  kBgp4mpMessageAs4AddPath = 9,
  kBgp4mpMessageLocalAddPath = 10,
  kBgp4mpMessageAs4LocalAddPath = 11,
};

// Deprecated BGP (type 5) subtypes (RFC 6396 Appendix B.2.5).
enum BgpSubtype : uint16_t {
  kBgpNull = 0,
  kBgpUpdate = 1,
  kBgpPrefUpdate = 2,
  kBgpStateChange = 3,
  kBgpSync = 4,
  kBgpOpen = 5,
  kBgpNotify = 6,
  kBgpKeepalive = 7,
};

enum class ElementType : uint8_t {
  kRibEntry,     // "B": a route in a RIB dump
  kAnnounce,     // "A"
  kWithdraw,     // "W"
  kStateChange,  // "STATE": BGP FSM transition (RFC 4271 §8.2.2 state numbers)
};

// Which bgpdump line family an element belongs to: the first field of `bgpdump -m`.
enum class ElementSource : uint8_t {
  kTableDump,   // TABLE_DUMP
  kTableDump2,  // TABLE_DUMP2 (and TABLE_DUMP2_AP when has_path_id)
  kBgp4mp,      // BGP4MP[_LOCAL][_AP]
  kBgp4mpEt,    // BGP4MP_ET[_LOCAL][_AP]
  kBgp,         // deprecated BGP type 5
};

struct Element {
  ElementType type = ElementType::kAnnounce;
  ElementSource source = ElementSource::kBgp4mp;
  bool has_path_id = false;  // ADD-PATH (RFC 7911) record
  bool local = false;        // BGP4MP *_LOCAL: message sent by the collector
  bool mp = false;           // prefix came from MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760)
  uint8_t old_state = 0;     // kStateChange only
  uint8_t new_state = 0;
  uint32_t time = 0;          // seconds since the epoch (the MRT header timestamp)
  uint32_t microseconds = 0;  // BGP4MP_ET only
  uint32_t path_id = 0;
  uint32_t peer_as = 0;
  IpAddress peer_ip;
  Prefix prefix;  // not set for kStateChange; host bits beyond the length are cleared
  // Next hop of this route: the MP_REACH next hop for MP routes, else NEXT_HOP (if any).
  IpAddress next_hop;
  // Attributes of kRibEntry / kAnnounce elements; nullptr otherwise.
  const Attributes* attrs = nullptr;
  // For TABLE_DUMP / TABLE_DUMP_V2: the route's originated time; 0 otherwise.
  uint32_t originated_time = 0;
};

// One peer of a TABLE_DUMP_V2 PEER_INDEX_TABLE (RFC 6396 §4.3.1).
struct Peer {
  uint32_t bgp_id = 0;  // host order
  IpAddress ip;
  uint32_t as = 0;
};

struct PeerIndexTable {
  uint32_t collector_bgp_id = 0;
  std::string view_name;
  std::vector<Peer> peers;
};

// What became of a record.
enum class RecordStatus : uint8_t {
  kDecoded,    // elements (possibly none, e.g. a KEEPALIVE) decoded
  kSkipped,    // a type or subtype this reader does not turn into elements (counted, not a problem)
  kMalformed,  // a problem was found; sound elements before it are still in `elements`
};

struct Record {
  uint64_t number = 0;  // 1-based index in the input
  uint64_t offset = 0;  // byte offset of the MRT header in the decompressed stream
  uint32_t time = 0;
  uint32_t microseconds = 0;  // BGP4MP_ET
  uint16_t type = 0;
  uint16_t subtype = 0;
  uint32_t length = 0;            // body length from the MRT header
  std::span<const uint8_t> body;  // the body (after the ET microsecond field for _ET records)
  RecordStatus status = RecordStatus::kDecoded;
  std::span<const Element> elements;
  // For PEER_INDEX_TABLE records, the table just read; otherwise the table in force (or nullptr).
  const PeerIndexTable* peer_index = nullptr;
};

// Names for messages and stats: "TABLE_DUMP_V2", "RIB_IPV4_UNICAST", ...; "UNKNOWN(n)" otherwise.
std::string MrtTypeName(uint16_t type);
std::string MrtSubtypeName(uint16_t type, uint16_t subtype);

}  // namespace blackout::mrt
