// BMP (BGP Monitoring Protocol, RFC 7854; Loc-RIB RFC 9069) messages as plain data: what one
// message says once its wire form is decoded (decoder.h). Views point into the decoder that made
// them and stay valid until its next Decode. docs/bmp.md describes how each message is handled.
// Thread-safety: plain data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/mrt/element.h"

namespace blackout::bmp {

inline constexpr uint8_t kBmpVersion = 3;            // RFC 7854 §4.1
inline constexpr size_t kCommonHeaderBytes = 6;      // RFC 7854 §4.1: version 1, length 4, type 1
inline constexpr size_t kPerPeerHeaderBytes = 42;    // RFC 7854 §4.2
inline constexpr size_t kPeerUpFixedBytes = 20;      // RFC 7854 §4.10: local address, two ports
inline constexpr size_t kMaxMessageBytes = 1 << 20;  // no BMP message is larger (a guard, §4.1)

// Message types (RFC 7854 §4.1).
enum class MessageType : uint8_t {
  kRouteMonitoring = 0,   // §4.6
  kStatisticsReport = 1,  // §4.8
  kPeerDown = 2,          // §4.9
  kPeerUp = 3,            // §4.10
  kInitiation = 4,        // §4.3
  kTermination = 5,       // §4.5
  kRouteMirroring = 6,    // §4.7
};

// Peer types (RFC 7854 §4.2; Loc-RIB RFC 9069 §4.1).
enum class PeerType : uint8_t { kGlobal = 0, kRd = 1, kLocal = 2, kLocRib = 3 };

// Peer flags (RFC 7854 §4.2; O flag RFC 8671 §4; F flag RFC 9069 §4.2 for Loc-RIB).
inline constexpr uint8_t kPeerFlagV = 0x80;    // IPv6 peer address
inline constexpr uint8_t kPeerFlagL = 0x40;    // post-policy Adj-RIB-In
inline constexpr uint8_t kPeerFlagA = 0x20;    // legacy 2-octet AS_PATH
inline constexpr uint8_t kPeerFlagO = 0x10;    // Adj-RIB-Out
inline constexpr uint8_t kLocRibFlagF = 0x80;  // Loc-RIB filtered

// Which table a monitored peer's routes come from: part of the peer's identity (docs/bmp.md).
enum class Rib : uint8_t { kPrePolicy, kPostPolicy, kLocRib, kAdjRibOutPre, kAdjRibOutPost };
const char* RibName(Rib rib);  // "pre", "post", "loc-rib", "out-pre", "out-post"

struct PerPeerHeader {  // RFC 7854 §4.2
  uint8_t type = 0;     // PeerType value (others are kept and reported)
  uint8_t flags = 0;
  uint64_t distinguisher = 0;  // route distinguisher (RD instance) or 0
  IpAddress address;           // 0.0.0.0 / :: for Loc-RIB
  uint32_t as = 0;
  uint32_t bgp_id = 0;
  uint32_t seconds = 0, microseconds = 0;

  Rib rib() const;
  // AS_PATH carries 4-octet ASNs (the A flag is clear; Loc-RIB paths are always 4-octet).
  bool as4() const;
};

// Peer Down reasons (RFC 7854 §4.9; 6 is RFC 9069 §5.4).
enum class DownReason : uint8_t {
  kLocalNotification = 1,
  kLocalNoNotification = 2,
  kRemoteNotification = 3,
  kRemoteNoData = 4,
  kPeerDeconfigured = 5,
  kLocalSystemClosed = 6,
};

// Information TLV types of Initiation (RFC 7854 §4.4) and Termination (§4.5).
inline constexpr uint16_t kInfoString = 0;
inline constexpr uint16_t kInfoSysDescr = 1;
inline constexpr uint16_t kInfoSysName = 2;
inline constexpr uint16_t kInfoVrfTableName = 3;  // RFC 9069 §5.1
inline constexpr uint16_t kTermReason = 1;

struct Statistic {  // RFC 7854 §4.8: counters (4 bytes) and gauges (8 bytes)
  uint16_t type = 0;
  uint64_t value = 0;
};

struct Message {
  MessageType type = MessageType::kInitiation;
  uint32_t length = 0;
  bool has_peer = false;  // Route Monitoring, Statistics, Peer Up/Down, Route Mirroring
  PerPeerHeader peer;
  // Route Monitoring: one element per prefix of the UPDATE (peer fields from the per-peer header,
  // time from its timestamp). A Peer Down carries none (the station drops the peer's routes).
  std::span<const mrt::Element> elements;
  // Peer Up (§4.10): ADD-PATH receive negotiated per family (RFC 7911 §4; from both OPENs).
  bool add_path_v4 = false, add_path_v6 = false;
  uint16_t local_port = 0, remote_port = 0;
  IpAddress local_address;
  // Peer Down (§4.9).
  uint8_t down_reason = 0;
  // Initiation / Termination (§4.3-4.5): sysName, sysDescr, free strings; Termination reason.
  std::string sys_name, sys_descr, text;
  uint16_t term_reason = 0;
  // Statistics Report (§4.8).
  std::span<const Statistic> stats;
};

}  // namespace blackout::bmp
