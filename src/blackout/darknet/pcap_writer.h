// Writing captures: a classic pcap file (LINKTYPE_RAW, microsecond timestamps; the format is in
// docs/darknet.md) and the IPv4 packets a telescope receives, built field by field. For the
// simulator's telescope capture, the benchmarks' inputs, the fuzzer's corpus and the tests.
// Thread-safety: a PcapWriter is used by one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::darknet {

// What a packet built by MakeIpv4Packet carries.
struct PacketSpec {
  uint32_t src = 0, dst = 0;  // host order
  uint8_t protocol = 6;       // TCP
  uint8_t ttl = 64;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in 8-byte units
  uint16_t sport = 40000, dport = 80;
  uint8_t tcp_flags = 0x12;  // SYN+ACK: backscatter
  uint16_t window = 29200;
  bool tcp_mss_option = true;  // a 4-byte MSS option (data offset 6)
  uint8_t icmp_type = 0;
};

// The IPv4 datagram (no link header), with a valid header checksum.
std::string MakeIpv4Packet(const PacketSpec& spec);

// The 24-byte pcap global header followed by records.
class PcapWriter {
 public:
  static constexpr uint32_t kLinkRaw = 101;
  // Writes to memory; Finish() returns the bytes.
  PcapWriter();
  // Writes to `path` (created or truncated).
  static Result<PcapWriter> Create(const std::string& path);
  PcapWriter(PcapWriter&& other) noexcept;
  PcapWriter& operator=(PcapWriter&&) = delete;
  ~PcapWriter();

  void Add(UnixSeconds time, uint32_t micros, const std::string& packet);
  // Closes the file (kIoError on a failed write) or returns the buffered bytes.
  Result<std::string> Finish();

 private:
  void Put(const void* data, size_t n);
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace blackout::darknet
