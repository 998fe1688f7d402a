// Decoding of BMP v3 messages (RFC 7854, RFC 9069 Loc-RIB) from one session's byte stream. The
// BGP UPDATEs of Route Monitoring messages go through the MRT module's decoders
// (mrt::UpdateDecoder), so a BMP route is the same mrt::Element an MRT file gives.
//
// A Decoder belongs to one session: it remembers, per monitored peer, what the Peer Up's OPEN
// messages negotiated (ADD-PATH, RFC 7911) and applies it to that peer's Route Monitoring
// messages, as an MRT decoder remembers its PEER_INDEX_TABLE. Thread-safety: one thread per
// decoder. Message views stay valid until the next Decode.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "blackout/base/status.h"
#include "blackout/bmp/message.h"
#include "blackout/mrt/bgp_decoder.h"

namespace blackout::bmp {

// The length of the message whose common header starts `head` (at least kCommonHeaderBytes), or
// kDataLoss when the bytes cannot be BMP v3 (version other than 3, length below the header or
// above kMaxMessageBytes, unknown type): the stream is then lost, there is no way to resync.
Result<uint32_t> FrameLength(std::span<const uint8_t> head);

// A key naming a monitored peer within one session: peer type, distinguisher, address, AS and
// the RIB (pre/post-policy, Loc-RIB, Adj-RIB-Out). "rd=65000:1/pre" style, see docs/bmp.md.
std::string PeerTable(const PerPeerHeader& peer);
// The route distinguisher as text (RFC 4364 §4.2 types 0, 1 and 2; raw hex otherwise).
std::string FormatDistinguisher(uint64_t rd);

class Decoder {
 public:
  Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes one whole message (as framed by FrameLength) into *out. Returns false when a problem
  // was found, each appended to *problems (may be null): the message is then decoded as far as
  // its framing allows (sound elements are kept). Route Mirroring is recognised and not decoded.
  bool Decode(std::span<const uint8_t> message, Message* out, std::vector<std::string>* problems);

 private:
  bool PerPeer(std::span<const uint8_t> body, Message* out);
  void RouteMonitoring(std::span<const uint8_t> rest, Message* out);
  void PeerUp(std::span<const uint8_t> rest, Message* out);
  void Statistics(std::span<const uint8_t> rest, Message* out);
  void InfoTlvs(std::span<const uint8_t> rest, Message* out);
  void Problem(std::string what);

  mrt::UpdateDecoder updates_;
  std::vector<mrt::Element> elements_;
  std::vector<Statistic> stats_;
  std::vector<std::string>* problems_ = nullptr;
  bool ok_ = true;
  // Peers whose Peer Up negotiated ADD-PATH: PeerKey -> bit 0 IPv4, bit 1 IPv6.
  std::unordered_map<std::string, uint8_t> add_path_;
  std::string key_;  // scratch
};

}  // namespace blackout::bmp
