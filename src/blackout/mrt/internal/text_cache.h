// FormatCache: text that consecutive `bgpdump -m` lines share, kept by a TextBuffer so that lines
// repeating a time, peer, prefix, next hop, community or BGP4MP line head copy it instead of
// formatting it again (docs/mrt.md). Pure data: the bgpdump formatter (format_bgpdump.cc) fills
// and reads it. Internal to the mrt module. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "blackout/base/ip.h"
#include "blackout/mrt/attributes.h"

namespace blackout::mrt {

// Text shared between lines. The time, peer and prefix entries hold copies of their text and stay
// valid from record to record; the head and the tail are valid within one record only (the tail
// is found by its offset in the output buffer).
struct FormatCache {
  // The time field: "sec", or "sec.usec" (six digits at least) for BGP4MP_ET.
  bool has_time = false;
  bool time_et = false;
  uint32_t time = 0, usec = 0;
  uint8_t time_len = 0;
  char time_text[32];  // at most 21 characters, and room for Writer::PutCached
  // "peer_ip|peer_as|" of recently seen peers, direct-mapped by a hash of both.
  struct Peer {
    bool valid = false;
    uint8_t len = 0;
    uint32_t as = 0;
    IpAddress ip;
    char text[64];
  };
  static constexpr int kPeerBits = 6;
  Peer peers[1 << kPeerBits];
  // IPv6 text of recently seen RIB next hops (a RIB's peers use a handful), same scheme.
  struct V6 {
    bool valid = false;
    uint8_t len = 0;
    uint8_t bytes[16];
    char text[48];  // at most 39 characters, and room for Writer::PutCached
  };
  V6 next_hops[1 << kPeerBits];
  // The last RIB prefix ("addr/len"): every entry of a TABLE_DUMP_V2 record has the same one, and
  // a TABLE_DUMP (v1) file repeats it in consecutive records.
  bool has_prefix = false;
  Prefix prefix;
  uint8_t prefix_len = 0;
  char prefix_text[48];

  // Text of recently seen standard communities ("65000:123"), direct-mapped by value: a
  // collector's peers tag routes with a few hundred values, each formatted once here instead of in
  // every UPDATE that carries it. `value` starts as a well-known community, which is never cached.
  struct CommunityText {
    uint32_t value = 0xFFFFFF01u;
    uint8_t len = 0;
    char text[11];  // at most "65535:65535"
  };
  static_assert(sizeof(CommunityText) == 16);
  static constexpr int kCommunityBits = 11;
  CommunityText communities[1 << kCommunityBits];

  // Per record. BGP4MP lines: the start of the line up to "peer_as|" (time and peer are the
  // record's), for lines of kind `head_key`.
  int head_key = -1;
  uint8_t head_len = 0;
  char head[128];
  // BGP4MP announcements: the text from the AS path on, shared by the elements of one UPDATE.
  const Attributes* tail_attrs = nullptr;
  int tail_kind = -1;
  size_t tail_off = 0, tail_len = 0;

  void StartRecord() {
    head_key = -1;
    tail_attrs = nullptr;
    tail_kind = -1;
  }
};

}  // namespace blackout::mrt
