#include "blackout/mrt/format.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

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

namespace {

// Writes into memory reserved in advance (see LineBound), without per-append capacity checks.
struct Writer {
  char* p;
  char* start;
  FormatCache* cache = nullptr;
  char* base = nullptr;  // start of the whole output buffer (for cache offsets)
  void operator+=(char c) { *p++ = c; }
  template <size_t N>
  void operator+=(const char (&s)[N]) {  // literals: a fixed-size copy the compiler inlines
    std::memcpy(p, s, N - 1);
    p += N - 1;
  }
  void operator+=(std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  void append(const char* b, const char* e) {
    std::memcpy(p, b, static_cast<size_t>(e - b));
    p += e - b;
  }
  void append(const char* b, size_t n) {
    std::memcpy(p, b, n);
    p += n;
  }
  void append(size_t n, char c) {
    std::memset(p, c, n);
    p += n;
  }
  // Copies n bytes of cached text in 16-byte blocks, reading and writing up to 15 bytes past n:
  // REQUIRES: `s` is readable that far (the caches leave room; cached text in the output buffer
  // lies before p) and, like every write here, the room reserved for the line covers it. GCC
  // turns a small variable-size memcpy into `rep movs`, which is slow to start.
  void PutCached(const char* s, size_t n) {
    char* d = p;  // a local: stores through char* would otherwise reload p each time
    for (size_t i = 0; i < n; i += 16) std::memcpy(d + i, s + i, 16);
    p = d + n;
  }
  size_t size() const { return static_cast<size_t>(p - start); }
};

void WAppendIp(const IpAddress& ip, Writer& out);
void WriteBgp4mpTail(const Element& e, Writer& out);
void WAppendAsPath(const Attributes& a, Writer& out);
void WAppendCommunities(const Attributes& a, Writer& out);

inline void AppendU32(uint32_t v, Writer& out) { out.p = std::to_chars(out.p, out.p + 10, v).ptr; }
inline void AppendI32(int32_t v, Writer& out) { out.p = std::to_chars(out.p, out.p + 11, v).ptr; }

struct Dec8Table {
  char text[256][4];  // digits, then the length in the last byte
  constexpr Dec8Table() : text() {
    for (int v = 0; v < 256; ++v) {
      int n = 0;
      if (v >= 100) text[v][n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) text[v][n++] = static_cast<char>('0' + v / 10 % 10);
      text[v][n++] = static_cast<char>('0' + v % 10);
      text[v][3] = static_cast<char>(n);
    }
  }
};
constexpr Dec8Table kDec8;

inline char* PutDec8(char* p, uint8_t v) {
  std::memcpy(p, kDec8.text[v], 3);  // may write past the digits; the buffer has room
  return p + kDec8.text[v][3];
}

char* PutV4(char* p, const uint8_t* b) {
  p = PutDec8(p, b[0]);
  *p++ = '.';
  p = PutDec8(p, b[1]);
  *p++ = '.';
  p = PutDec8(p, b[2]);
  *p++ = '.';
  return PutDec8(p, b[3]);
}

// IPv6 as bgpdump's fmt_ipv6 writes it (not inet_ntop): "::ffff:a.b.c.d" for v4-mapped and
// "::a.b.c.d" for v4-compatible addresses; otherwise the first longest run of zero groups, even a
// single one, becomes "::".
char* PutV6(char* p, const uint8_t* b) {
  static const char kHex[] = "0123456789abcdef";
  uint16_t w[8];
  for (int i = 0; i < 8; ++i) w[i] = static_cast<uint16_t>(b[2 * i] << 8 | b[2 * i + 1]);
  if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0) {
    const uint32_t low = uint32_t{w[6]} << 16 | w[7];
    if (w[5] == 0xFFFF || (w[5] == 0 && low > 1)) {
      *p++ = ':';
      *p++ = ':';
      if (w[5] == 0xFFFF) {
        std::memcpy(p, "ffff:", 5);
        p += 5;
      }
      return PutV4(p, b + 12);
    }
  }
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (w[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && w[j] == 0) ++j;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      if (i == 0) *p++ = ':';
      *p++ = ':';
      i += best_len - 1;
      continue;
    }
    const uint16_t v = w[i];
    bool started = false;
    for (int s = 12; s >= 0; s -= 4) {
      const int d = (v >> s) & 0xF;
      if (d || started || s == 0) {
        *p++ = kHex[d];
        started = true;
      }
    }
    if (i != 7) *p++ = ':';
  }
  return p;
}

inline void AppendV4(const uint8_t* b, Writer& out) { out.p = PutV4(out.p, b); }
inline void AppendV6(const uint8_t* b, Writer& out) { out.p = PutV6(out.p, b); }

inline void AppendPrefix(const Prefix& pfx, Writer& out) {
  const uint8_t* b = pfx.address().bytes().data();
  char* p = pfx.address().is_v4() ? PutV4(out.p, b) : PutV6(out.p, b);
  *p++ = '/';
  out.p = PutDec8(p, pfx.length());
}

void AppendOrigin(const Attributes& a, Writer& out) {
  if (a.present.has(kAttrOrigin)) {
    switch (static_cast<uint8_t>(a.origin)) {
      case 0:
        out += "IGP";
        return;
      case 1:
        out += "EGP";
        return;
      default:
        break;
    }
  }
  out += "INCOMPLETE";
}

const char* OriginName(const Attributes& a) {
  if (!a.present.has(kAttrOrigin)) return "INCOMPLETE";
  switch (static_cast<uint8_t>(a.origin)) {
    case 0:
      return "IGP";
    case 1:
      return "EGP";
    default:
      return "INCOMPLETE";
  }
}

void AppendNextHopAttr(const Attributes& a, Writer& out) {
  if (a.present.has(kAttrNextHop)) {
    AppendV4(a.next_hop.bytes().data(), out);
  } else {
    out += "255.255.255.255";
  }
}

// IPv6 text of a RIB next hop, from the cache when it was seen recently.
void AppendV6Cached(const uint8_t* b, Writer& out) {
  FormatCache* c = out.cache;
  if (c == nullptr) {
    AppendV6(b, out);
    return;
  }
  uint64_t lo, hi;
  std::memcpy(&lo, b, 8);
  std::memcpy(&hi, b + 8, 8);
  const uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull)) * 0x9E3779B97F4A7C15ull;
  FormatCache::V6& slot = c->next_hops[h >> (64 - FormatCache::kPeerBits)];
  if (slot.valid && std::memcmp(slot.bytes, b, 16) == 0) {
    out.PutCached(slot.text, slot.len);
    return;
  }
  char* begin = out.p;
  AppendV6(b, out);
  slot.valid = true;
  std::memcpy(slot.bytes, b, 16);
  slot.len = static_cast<uint8_t>(out.p - begin);
  std::memcpy(slot.text, begin, slot.len);
}

// The next hop bgpdump prints for RIB lines: the MP_REACH next hop when it filed it under IPv6
// unicast (the abbreviated form always is), else NEXT_HOP (255.255.255.255 when absent).
void AppendRibNextHop(const Attributes& a, Writer& out) {
  if (a.present.has(kAttrMpReachNlri) && a.has_mp_next_hop &&
      (a.mp_abbreviated || (a.mp_afi == 2 && a.mp_safi == 1))) {
    AppendV6Cached(a.mp_next_hop.bytes().data(), out);
    return;
  }
  AppendNextHopAttr(a, out);
}

// "comm|AG|aggregator|" — the tail every route line shares.
void AppendTail(const Attributes& a, Writer& out) {
  if (a.present.has(kAttrCommunities)) WAppendCommunities(a, out);
  out += a.present.has(kAttrAtomicAggregate) ? "|AG|" : "|NAG|";
  if (a.has_aggregator && a.aggregator_addr.v4() != 0xFFFFFFFFu) {
    AppendU32(a.aggregator_as, out);
    out += ' ';
    AppendV4(a.aggregator_addr.bytes().data(), out);
  }
  out += "|\n";
}

void AppendTime(const Element& e, bool et, Writer& out) {
  FormatCache* c = out.cache;
  if (c && c->has_time && c->time == e.time && c->time_et == et &&
      (!et || c->usec == e.microseconds)) {
    out.PutCached(c->time_text, c->time_len);
    return;
  }
  char* begin = out.p;
  AppendU32(e.time, out);
  if (et) {
    char buf[12];
    // %06ld: at least six digits, zero-padded.
    char* end = std::to_chars(buf, buf + sizeof(buf), e.microseconds).ptr;
    size_t n = static_cast<size_t>(end - buf);
    out += '.';
    if (n < 6) out.append(6 - n, '0');
    out.append(buf, n);
  }
  if (c) {
    c->has_time = true;
    c->time_et = et;
    c->time = e.time;
    c->usec = e.microseconds;
    c->time_len = static_cast<uint8_t>(out.p - begin);
    std::memcpy(c->time_text, begin, c->time_len);
  }
}

// "peer_ip|peer_as|".
void AppendPeer(const Element& e, Writer& out) {
  FormatCache* c = out.cache;
  if (c == nullptr) {
    WAppendIp(e.peer_ip, out);
    out += '|';
    AppendU32(e.peer_as, out);
    out += '|';
    return;
  }
  uint64_t lo, hi;
  std::memcpy(&lo, e.peer_ip.bytes().data(), 8);
  std::memcpy(&hi, e.peer_ip.bytes().data() + 8, 8);
  const uint64_t h = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ e.peer_as) * 0x9E3779B97F4A7C15ull;
  FormatCache::Peer& slot = c->peers[h >> (64 - FormatCache::kPeerBits)];
  if (slot.valid && slot.as == e.peer_as && slot.ip == e.peer_ip) {
    out.PutCached(slot.text, slot.len);
    return;
  }
  char* begin = out.p;
  WAppendIp(e.peer_ip, out);
  out += '|';
  AppendU32(e.peer_as, out);
  out += '|';
  slot.valid = true;
  slot.as = e.peer_as;
  slot.ip = e.peer_ip;
  slot.len = static_cast<uint8_t>(out.p - begin);
  std::memcpy(slot.text, begin, slot.len);
}

// The prefix of a RIB line (cached: consecutive RIB lines mostly share it).
void AppendRibPrefix(const Prefix& pfx, Writer& out) {
  FormatCache* c = out.cache;
  if (c && c->has_prefix && c->prefix == pfx) {
    out.PutCached(c->prefix_text, c->prefix_len);
    return;
  }
  char* begin = out.p;
  AppendPrefix(pfx, out);
  if (c) {
    c->has_prefix = true;
    c->prefix = pfx;
    c->prefix_len = static_cast<uint8_t>(out.p - begin);
    std::memcpy(c->prefix_text, begin, c->prefix_len);
  }
}

const char* Bgp4mpName(const Element& e) {
  const bool et = e.source == ElementSource::kBgp4mpEt;
  if (e.local) {
    if (et) return e.has_path_id ? "BGP4MP_ET_LOCAL_AP" : "BGP4MP_ET_LOCAL";
    return e.has_path_id ? "BGP4MP_LOCAL_AP" : "BGP4MP_LOCAL";
  }
  if (et) return e.has_path_id ? "BGP4MP_ET_AP" : "BGP4MP_ET";
  return e.has_path_id ? "BGP4MP_AP" : "BGP4MP";
}

void WAppendIp(const IpAddress& ip, Writer& out) {
  if (ip.is_v4()) {
    AppendV4(ip.bytes().data(), out);
  } else {
    AppendV6(ip.bytes().data(), out);
  }
}

char OpenChar(SegmentType t) {
  switch (t) {
    case SegmentType::kAsSet:
      return '{';
    case SegmentType::kConfedSet:
      return '[';
    case SegmentType::kConfedSequence:
      return '(';
    default:
      return ' ';
  }
}

char CloseChar(SegmentType t) {
  switch (t) {
    case SegmentType::kAsSet:
      return '}';
    case SegmentType::kConfedSet:
      return ']';
    case SegmentType::kConfedSequence:
      return ')';
    default:
      return ' ';
  }
}

// bgpdump's rendering, including where it puts spaces around empty segments and its cut at about
// 7900 characters (checked per ASN only when kMayCut: when the path could get that long).
template <bool kMayCut>
void WriteAsPath(const Attributes& a, Writer& out) {
  const size_t start = out.size();
  SegmentType prev = SegmentType::kAsSequence;
  bool space = false;
  const uint32_t* asn = a.as_path.asns.data();
  for (const AsPathSegment& s : a.as_path.segments) {
    if (prev != SegmentType::kAsSequence) out += CloseChar(prev);
    if (space) out += ' ';
    if (s.type != SegmentType::kAsSequence) out += OpenChar(s.type);
    const char sep =
        (s.type == SegmentType::kAsSet || s.type == SegmentType::kConfedSet) ? ',' : ' ';
    space = s.count > 0;
    for (uint16_t i = 0; i < s.count; ++i) {
      if (i > 0) out += sep;
      AppendU32(asn[i], out);
      if (kMayCut && out.size() - start > 8000 - 100) {
        out += "...";
        return;
      }
    }
    asn += s.count;
    prev = s.type;
  }
  if (!a.as_path.segments.empty() && prev != SegmentType::kAsSequence) out += CloseChar(prev);
}

void WAppendAsPath(const Attributes& a, Writer& out) {
  if (!a.present.has(kAttrAsPath)) return;
  if (a.as_path_error) {
    out += "! Error !";
    return;
  }
  // Each ASN takes at most 11 characters with its separator, each segment 3 more.
  if (11 * a.as_path.asns.size() + 3 * a.as_path.segments.size() <= 8000 - 100) {
    WriteAsPath<false>(a, out);
  } else {
    WriteAsPath<true>(a, out);
  }
}

// "00" to "99", as 16-bit words in memory order.
struct Pairs {
  uint16_t pair[100];
  constexpr Pairs() : pair() {
    for (int v = 0; v < 100; ++v)
      pair[v] = static_cast<uint16_t>(('0' + v / 10) | ('0' + v % 10) << 8);
  }
};
constexpr Pairs kPairs;

// The decimal digits of v < 65536 without branches (community halves take 1 to 5 digits at random,
// which a branchy formatter mispredicts): the five digits with leading zeros are built in one
// word, the zeros shifted out, and 8 bytes stored. REQUIRES: 8 writable bytes at p.
inline char* PutDec16(char* p, uint32_t v) {
  const uint32_t r = v % 10000;
  uint64_t w = uint64_t{'0' + v / 10000} | uint64_t{kPairs.pair[r / 100]} << 8 |
               uint64_t{kPairs.pair[r % 100]} << 24;
  const unsigned n = 1 + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000);
  w >>= 8 * (5 - n);
  std::memcpy(p, &w, 8);
  return p + n;
}

// "a:b", written at p; returns the end. REQUIRES: 16 writable bytes at p.
inline char* PutCommunity(char* p, Community c) {
  p = PutDec16(p, c >> 16);
  *p++ = ':';
  return PutDec16(p, c & 0xFFFF);
}

void WAppendCommunities(const Attributes& a, Writer& out) {
  char* p = out.p;  // a local: stores through char* would otherwise reload out.p each time
  FormatCache* cache = out.cache;
  bool first = true;
  for (Community c : a.communities) {
    if (!first) *p++ = ' ';
    first = false;
    if (c - 0xFFFFFF01u < 3u) [[unlikely]] {
      static constexpr std::string_view kWellKnown[] = {"no-export", "no-advertise", "local-AS"};
      const std::string_view name = kWellKnown[c - 0xFFFFFF01u];
      std::memcpy(p, name.data(), name.size());
      p += name.size();
      continue;
    }
    if (!cache) {
      p = PutCommunity(p, c);
      continue;
    }
    FormatCache::CommunityText& t =
        cache->communities[(c * 0x9E3779B1u) >> (32 - FormatCache::kCommunityBits)];
    if (t.value == c) {
      std::memcpy(p, t.text, sizeof(t.text));  // a fixed size: two moves, not a call
      p += t.len;
    } else {
      char* const start = p;
      p = PutCommunity(p, c);
      t.value = c;
      t.len = static_cast<uint8_t>(p - start);
      std::memcpy(t.text, start, sizeof(t.text));  // bytes past len are never used
    }
  }
  out.p = p;
}

void WAppendBgpdumpLine(const Element& e, Writer& out) {
  const Attributes* a = e.attrs;
  switch (e.source) {
    case ElementSource::kTableDump:
    case ElementSource::kTableDump2: {
      if (e.source == ElementSource::kTableDump) {
        out += "TABLE_DUMP|";
      } else {
        out += e.has_path_id ? "TABLE_DUMP2_AP|" : "TABLE_DUMP2|";
      }
      AppendTime(e, false, out);
      out += "|B|";
      AppendPeer(e, out);
      AppendRibPrefix(e.prefix, out);
      out += '|';
      if (e.has_path_id) {
        AppendU32(e.path_id, out);
        out += '|';
      }
      WAppendAsPath(*a, out);
      out += '|';
      AppendOrigin(*a, out);
      out += '|';
      AppendRibNextHop(*a, out);
      out += '|';
      AppendU32(a->present.has(kAttrLocalPref) ? a->local_pref : 0, out);
      out += '|';
      AppendU32(a->present.has(kAttrMed) ? a->med : 0, out);
      out += '|';
      AppendTail(*a, out);
      return;
    }
    case ElementSource::kBgp: {
      out += "BGP|";
      AppendU32(e.time, out);
      switch (e.type) {
        case ElementType::kStateChange:
          out += "|STATE|";
          WAppendIp(e.peer_ip, out);
          out += '|';
          AppendU32(e.peer_as, out);
          out += '|';
          AppendU32(e.old_state, out);
          out += '|';
          AppendU32(e.new_state, out);
          out += '\n';
          return;
        case ElementType::kWithdraw:
          out += "|W|";
          WAppendIp(e.peer_ip, out);
          out += '|';
          AppendU32(e.peer_as, out);
          out += '|';
          // bgpdump prints the peer address in place of the prefix's (two inet_ntoa() calls
          // sharing one static buffer in one printf); the length is right.
          WAppendIp(e.peer_ip, out);
          out += '/';
          AppendU32(e.prefix.length(), out);
          out += '\n';
          return;
        default:
          out += "|A|";
          WAppendIp(e.peer_ip, out);
          out += '|';
          AppendU32(e.peer_as, out);
          out += '|';
          AppendPrefix(e.prefix, out);
          out += '|';
          WAppendAsPath(*a, out);
          out += '|';
          AppendOrigin(*a, out);
          out += '|';
          AppendNextHopAttr(*a, out);
          out += '|';
          AppendU32(a->present.has(kAttrLocalPref) ? a->local_pref : 0, out);
          out += '|';
          AppendU32(a->present.has(kAttrMed) ? a->med : 0, out);
          // bgpdump omits the separator before the communities of type-5 lines.
          if (a->present.has(kAttrCommunities)) {
            WAppendCommunities(*a, out);
            out += a->present.has(kAttrAtomicAggregate) ? "|AG|" : "|NAG|";
          } else {
            out += a->present.has(kAttrAtomicAggregate) ? "|AG|" : "|NAG|";
          }
          if (a->has_aggregator && a->aggregator_addr.v4() != 0xFFFFFFFFu) {
            AppendU32(a->aggregator_as, out);
            out += ' ';
            AppendV4(a->aggregator_addr.bytes().data(), out);
          }
          out += "|\n";
          return;
      }
    }
    case ElementSource::kBgp4mp:
    case ElementSource::kBgp4mpEt: {
      const bool et = e.source == ElementSource::kBgp4mpEt;
      if (e.type == ElementType::kStateChange) {
        out += et ? "BGP4MP_ET|" : "BGP4MP|";
        AppendTime(e, et, out);
        out += "|STATE|";
        WAppendIp(e.peer_ip, out);
        out += '|';
        AppendU32(e.peer_as, out);
        out += '|';
        AppendU32(e.old_state, out);
        out += '|';
        AppendU32(e.new_state, out);
        out += '\n';
        return;
      }
      // bgpdump formats the peer of this one as IPv6.
      const bool v6_peer = e.type == ElementType::kWithdraw && e.local && e.mp &&
                           e.peer_ip.is_v4() && !e.prefix.address().is_v4();
      const int head_key = (e.type == ElementType::kWithdraw ? 1 : 0) | (e.has_path_id ? 2 : 0) |
                           (e.local ? 4 : 0) | (v6_peer ? 8 : 0) | (et ? 16 : 0);
      FormatCache* c = out.cache;
      if (c && c->head_key == head_key) {
        out.PutCached(c->head, c->head_len);
      } else {  // once per record
        char* begin = out.p;
        out += Bgp4mpName(e);
        out += '|';
        AppendTime(e, et, out);
        out += e.type == ElementType::kWithdraw ? "|W|" : "|A|";
        if (v6_peer) {
          AppendV6(e.peer_ip.bytes().data(), out);
          out += '|';
          AppendU32(e.peer_as, out);
          out += '|';
        } else {
          AppendPeer(e, out);
        }
        if (c) {
          c->head_key = head_key;
          c->head_len = static_cast<uint8_t>(out.p - begin);
          std::memcpy(c->head, begin, c->head_len);
        }
      }
      // Per element: the prefix (and path id), then the cached tail. The cursor is kept in a
      // local here: stores through the Writer's char* make the compiler reload it after each one.
      char* q = out.p;
      const uint8_t* b = e.prefix.address().bytes().data();
      q = e.prefix.address().is_v4() ? PutV4(q, b) : PutV6(q, b);
      *q++ = '/';
      q = PutDec8(q, e.prefix.length());
      if (e.type == ElementType::kWithdraw) {
        if (e.has_path_id) {
          *q++ = '|';
          q = std::to_chars(q, q + 10, e.path_id).ptr;
        }
        *q++ = '\n';
        out.p = q;
        return;
      }
      *q++ = '|';
      if (e.has_path_id) {
        q = std::to_chars(q, q + 10, e.path_id).ptr;
        *q++ = '|';
      }
      out.p = q;
      const int kind = (e.mp ? 2 : 0) | (e.prefix.address().is_v4() ? 1 : 0);
      if (c && c->tail_attrs == a && c->tail_kind == kind) {
        out.PutCached(out.base + c->tail_off, c->tail_len);
        return;
      }
      char* tail = out.p;
      WriteBgp4mpTail(e, out);
      if (c) {
        c->tail_attrs = a;
        c->tail_kind = kind;
        c->tail_off = static_cast<size_t>(tail - out.base);
        c->tail_len = static_cast<size_t>(out.p - tail);
      }
      return;
    }
  }
}

// From the AS path to the end of a BGP4MP announcement line.
void WriteBgp4mpTail(const Element& e, Writer& out) {
  const Attributes* a = e.attrs;
  {
    {
      WAppendAsPath(*a, out);
      out += '|';
      AppendOrigin(*a, out);
      out += '|';
      const uint32_t lp = a->present.has(kAttrLocalPref) ? a->local_pref : 0;
      const uint32_t med = a->present.has(kAttrMed) ? a->med : 0;
      if (!e.mp) {
        AppendNextHopAttr(*a, out);
        out += '|';
        AppendU32(lp, out);
        out += '|';
        AppendU32(med, out);
      } else if (e.prefix.address().is_v4()) {
        AppendV4(a->mp_next_hop.bytes().data(), out);
        out += '|';
        AppendI32(static_cast<int32_t>(lp), out);  // bgpdump prints these with %d
        out += '|';
        AppendI32(static_cast<int32_t>(med), out);
      } else {
        AppendV6(a->mp_next_hop.bytes().data(), out);
        out += '|';
        AppendU32(lp, out);
        out += '|';
        AppendU32(med, out);
      }
      out += '|';
      AppendTail(*a, out);
      return;
    }
  }
}

// Upper bound of the bytes one bgpdump line of `e` can take.
size_t LineBound(const Element& e) {
  size_t n = 400 + 64;  // fixed fields, and the slack Writer::PutCached may write past the end
  if (e.attrs) {
    // ASNs are cut after ~7900 characters; empty segments still print their delimiters.
    const size_t asns = 12 * e.attrs->as_path.asns.size();
    n += (asns < 8200 ? asns : 8200) + 3 * e.attrs->as_path.segments.size();
    n += 24 * e.attrs->communities.size();
  }
  return n;
}

}  // namespace

TextBuffer::TextBuffer() : cache_(std::make_unique<FormatCache>()) {}
TextBuffer::~TextBuffer() = default;

void TextBuffer::Grow(size_t need) {
  size_t cap = cap_ ? cap_ : 1 << 16;
  while (cap - size_ < need) cap *= 2;
  auto fresh = std::make_unique_for_overwrite<char[]>(cap);
  if (size_) std::memcpy(fresh.get(), buf_.get(), size_);
  buf_ = std::move(fresh);
  cap_ = cap;
}

void AppendBgpdumpLine(const Element& e, TextBuffer& out) {
  AppendBgpdumpLines(std::span<const Element>(&e, 1), out);
}

void AppendBgpdumpLines(std::span<const Element> elements, TextBuffer& out) {
  FormatCache* cache = out.cache_.get();
  cache->StartRecord();
  for (const Element& e : elements) {
    const size_t bound = LineBound(e);
    if (out.cap_ - out.size_ < bound) out.Grow(bound);
    Writer w{out.buf_.get() + out.size_, out.buf_.get() + out.size_, cache, out.buf_.get()};
    WAppendBgpdumpLine(e, w);
    out.size_ += w.size();
  }
}

void AppendBgpdumpLine(const Element& e, std::string& out) {
  const size_t old = out.size();
  out.resize(old + LineBound(e));
  Writer w{out.data() + old, out.data() + old};
  WAppendBgpdumpLine(e, w);
  out.resize(old + w.size());
}

void AppendIp(const IpAddress& ip, std::string& out) {
  char buf[64];
  Writer w{buf, buf};
  WAppendIp(ip, w);
  out.append(buf, w.size());
}

void AppendAsPath(const Attributes& a, std::string& out) {
  std::string buf(12 * a.as_path.asns.size() + 3 * a.as_path.segments.size() + 64, '\0');
  Writer w{buf.data(), buf.data()};
  WAppendAsPath(a, w);
  out.append(buf.data(), w.size());
}

void AppendCommunities(const Attributes& a, std::string& out) {
  std::string buf(24 * a.communities.size() + 8, '\0');
  Writer w{buf.data(), buf.data()};
  WAppendCommunities(a, w);
  out.append(buf.data(), w.size());
}

namespace {

inline void AppendU32(uint32_t v, std::string& out) {
  char buf[12];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

void JsonString(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

const char* SourceName(const Element& e) {
  switch (e.source) {
    case ElementSource::kTableDump:
      return "TABLE_DUMP";
    case ElementSource::kTableDump2:
      return e.has_path_id ? "TABLE_DUMP2_AP" : "TABLE_DUMP2";
    case ElementSource::kBgp:
      return "BGP";
    default:
      return Bgp4mpName(e);
  }
}

const char* TypeCode(ElementType t) {
  switch (t) {
    case ElementType::kRibEntry:
      return "B";
    case ElementType::kAnnounce:
      return "A";
    case ElementType::kWithdraw:
      return "W";
    case ElementType::kStateChange:
      return "STATE";
  }
  return "?";
}

}  // namespace

void AppendJson(const Element& e, std::string& out) {
  const auto ip = [&out](const IpAddress& a) { a.AppendTo(out); };
  out += "{\"type\":\"";
  out += TypeCode(e.type);
  out += "\",\"source\":\"";
  out += SourceName(e);
  out += "\",\"time\":";
  AppendU32(e.time, out);
  if (e.source == ElementSource::kBgp4mpEt) {
    out += ",\"microseconds\":";
    AppendU32(e.microseconds, out);
  }
  out += ",\"peer_ip\":\"";
  ip(e.peer_ip);
  out += "\",\"peer_as\":";
  AppendU32(e.peer_as, out);
  if (e.type == ElementType::kStateChange) {
    out += ",\"old_state\":";
    AppendU32(e.old_state, out);
    out += ",\"new_state\":";
    AppendU32(e.new_state, out);
    out += '}';
    return;
  }
  out += ",\"prefix\":\"";
  e.prefix.AppendTo(out);
  out += '"';
  if (e.has_path_id) {
    out += ",\"path_id\":";
    AppendU32(e.path_id, out);
  }
  const Attributes* a = e.attrs;
  if (a == nullptr) {
    out += '}';
    return;
  }
  if (e.originated_time) {
    out += ",\"originated\":";
    AppendU32(e.originated_time, out);
  }
  out += ",\"as_path\":";
  std::string path;
  AppendAsPath(*a, path);
  JsonString(path, out);
  out += ",\"origin\":\"";
  out += OriginName(*a);
  out += "\",\"next_hop\":\"";
  ip(e.next_hop);
  out += '"';
  if (a->present.has(kAttrLocalPref)) {
    out += ",\"local_pref\":";
    AppendU32(a->local_pref, out);
  }
  if (a->present.has(kAttrMed)) {
    out += ",\"med\":";
    AppendU32(a->med, out);
  }
  out += ",\"communities\":[";
  for (size_t i = 0; i < a->communities.size(); ++i) {
    if (i) out += ',';
    out += '"';
    AppendU32(a->communities[i] >> 16, out);
    out += ':';
    AppendU32(a->communities[i] & 0xFFFF, out);
    out += '"';
  }
  out += ']';
  if (!a->large_communities.empty()) {
    out += ",\"large_communities\":[";
    for (size_t i = 0; i < a->large_communities.size(); ++i) {
      const LargeCommunity& l = a->large_communities[i];
      if (i) out += ',';
      out += '"';
      AppendU32(l.global_admin, out);
      out += ':';
      AppendU32(l.local1, out);
      out += ':';
      AppendU32(l.local2, out);
      out += '"';
    }
    out += ']';
  }
  out += ",\"atomic_aggregate\":";
  out += a->atomic_aggregate ? "true" : "false";
  if (a->has_aggregator) {
    out += ",\"aggregator\":{\"as\":";
    AppendU32(a->aggregator_as, out);
    out += ",\"address\":\"";
    ip(a->aggregator_addr);
    out += "\"}";
  }
  if (a->has_originator_id) {
    out += ",\"originator_id\":\"";
    ip(a->originator_id);
    out += '"';
  }
  if (!a->cluster_list.empty()) {
    out += ",\"cluster_list\":[";
    for (size_t i = 0; i < a->cluster_list.size(); ++i) {
      if (i) out += ',';
      out += '"';
      ip(IpAddress::V4(a->cluster_list[i]));
      out += '"';
    }
    out += ']';
  }
  if (!a->unknown.empty()) {
    out += ",\"unknown_attributes\":[";
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < a->unknown.size(); ++i) {
      const RawAttribute& r = a->unknown[i];
      if (i) out += ',';
      out += "{\"type\":";
      AppendU32(r.type, out);
      out += ",\"flags\":";
      AppendU32(r.flags, out);
      out += ",\"value\":\"";
      for (uint8_t b : r.value) {
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
      out += "\"}";
    }
    out += ']';
  }
  out += '}';
}

}  // namespace blackout::mrt
