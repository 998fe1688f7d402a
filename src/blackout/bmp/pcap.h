// TCP streams out of packet captures (libpcap), for replaying recorded BMP sessions into the
// parser and the station. One direction per stream: the bytes a router sent. Thread-safety:
// plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "blackout/base/status.h"

namespace blackout::bmp {

struct TcpStream {
  std::string source, destination;  // "ADDRESS:PORT" ("[v6]:PORT" for IPv6)
  std::string source_address;       // the sender's address alone
  std::vector<uint8_t> bytes;       // the payload in sequence order
  uint64_t segments = 0;
  uint64_t gaps = 0;      // holes in the sequence space (bytes missing from the capture)
  uint64_t overlaps = 0;  // segments carrying bytes already seen (retransmissions)
  double first_time = 0;  // capture time of the first segment, seconds
};

// Reassembles every TCP connection with payload in the capture (Ethernet with or without VLAN
// tags, raw IP, Linux cooked or BSD loopback), in the order their first packets appear. Payload on
// a SYN is placed at the SYN's own sequence number, not one after it: captures re-segmented by
// traffic replayers (pmacct's test data) put the first bytes there, and the next segment follows
// them. A SYN on a connection already seen starts a new stream.
Result<std::vector<TcpStream>> ReadTcpStreams(const std::string& path);

}  // namespace blackout::bmp
