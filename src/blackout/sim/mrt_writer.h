// Writes MRT files (RFC 6396) that bgpdump and blackout's reader read: TABLE_DUMP_V2
// PEER_INDEX_TABLE + RIB_IPV4_UNICAST for RIB dumps, and BGP4MP MESSAGE_AS4 records carrying BGP
// UPDATE messages (RFC 4271 §4.3) for update files. Attributes written: ORIGIN, AS_PATH (4-byte
// ASNs, as both record types require), NEXT_HOP. Output is gzip-compressed when the path ends in
// ".gz". Thread-safety: one writer per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "blackout/base/ip.h"
#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::sim {

inline constexpr uint16_t kMrtTableDumpV2 = 13;  // RFC 6396 §4.3
inline constexpr uint16_t kMrtBgp4mp = 16;       // RFC 6396 §4.4
inline constexpr uint16_t kPeerIndexTable = 1;   // RFC 6396 §4.3.1
inline constexpr uint16_t kRibIpv4Unicast = 2;   // RFC 6396 §4.3.2
inline constexpr uint16_t kMessageAs4 = 4;       // RFC 6396 §4.4.3
inline constexpr size_t kMrtHeaderSize = 12;     // RFC 6396 §2
inline constexpr size_t kBgpMaxMessage = 4096;   // RFC 4271 §4

struct MrtPeer {
  uint32_t asn = 0;
  IpAddress address;  // IPv4
  IpAddress bgp_id;   // IPv4
};

struct RibEntry {
  uint16_t peer_index = 0;  // into the PEER_INDEX_TABLE
  UnixSeconds originated = 0;
  std::vector<uint32_t> as_path;
  IpAddress next_hop;
};

class MrtWriter {
 public:
  // Creates (truncates) `path`. IoError if it cannot be opened.
  static Result<std::unique_ptr<MrtWriter>> Create(const std::filesystem::path& path);
  ~MrtWriter();

  Status PeerIndexTable(UnixSeconds time, const IpAddress& collector_id, const std::string& view,
                        std::span<const MrtPeer> peers);
  // REQUIRES: prefix is IPv4.
  Status RibIpv4(UnixSeconds time, uint32_t sequence, const Prefix& prefix,
                 std::span<const RibEntry> entries);
  // One UPDATE per call, split into several messages (same time) if it exceeds 4096 bytes.
  // `announced` need as_path and next_hop; either list may be empty.
  Status UpdateAs4(UnixSeconds time, const MrtPeer& peer, uint32_t local_asn,
                   const IpAddress& local_address, std::span<const Prefix> withdrawn,
                   std::span<const Prefix> announced, std::span<const uint32_t> as_path,
                   const IpAddress& next_hop);
  // Flushes and closes; errors from the compressor surface here.
  Status Close();

 private:
  struct Impl;
  explicit MrtWriter(std::unique_ptr<Impl> impl);
  Status Record(UnixSeconds time, uint16_t type, uint16_t subtype, const std::string& body);
  std::unique_ptr<Impl> impl_;
};

}  // namespace blackout::sim
