// The `bgpdump -m` line formatter (format.h): each line field, the line of each record type, and
// the TextBuffer fast path that shares text between lines through its FormatCache.
#include <charconv>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "blackout/mrt/format.h"
#include "blackout/mrt/internal/names.h"
#include "blackout/mrt/internal/text_cache.h"
#include "blackout/mrt/internal/writer.h"

namespace blackout::mrt {

using internal::AppendI32;
using internal::AppendPrefix;
using internal::AppendU32;
using internal::AppendV4;
using internal::AppendV6;
using internal::Bgp4mpName;
using internal::PutCommunity;
using internal::PutDec8;
using internal::PutV4;
using internal::PutV6;
using internal::WAppendIp;
using internal::Writer;

namespace {

void WriteBgp4mpTail(const Element& e, Writer& out);
void WAppendAsPath(const Attributes& a, Writer& out);
void WAppendCommunities(const Attributes& a, Writer& out);

// ---- Fields ----

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

// ---- Lines ----

// TABLE_DUMP and TABLE_DUMP_V2 RIB entries.
void WriteRibLine(const Element& e, Writer& out) {
  const Attributes* a = e.attrs;
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
}

// "ip|as|old|new\n", the end of a state change line.
void WriteStateChange(const Element& e, Writer& out) {
  WAppendIp(e.peer_ip, out);
  out += '|';
  AppendU32(e.peer_as, out);
  out += '|';
  AppendU32(e.old_state, out);
  out += '|';
  AppendU32(e.new_state, out);
  out += '\n';
}

// The obsolete BGP record type (RFC 6396 §4.4.1).
void WriteBgpLine(const Element& e, Writer& out) {
  const Attributes* a = e.attrs;
  out += "BGP|";
  AppendU32(e.time, out);
  switch (e.type) {
    case ElementType::kStateChange:
      out += "|STATE|";
      WriteStateChange(e, out);
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

// The start of a BGP4MP announcement or withdrawal line, up to "peer_as|": the same for every
// line of one kind in a record, so it is written once per record and copied after that.
void WriteBgp4mpHead(const Element& e, bool et, Writer& out) {
  // bgpdump formats the peer of this one as IPv6.
  const bool v6_peer = e.type == ElementType::kWithdraw && e.local && e.mp && e.peer_ip.is_v4() &&
                       !e.prefix.address().is_v4();
  const int head_key = (e.type == ElementType::kWithdraw ? 1 : 0) | (e.has_path_id ? 2 : 0) |
                       (e.local ? 4 : 0) | (v6_peer ? 8 : 0) | (et ? 16 : 0);
  FormatCache* c = out.cache;
  if (c && c->head_key == head_key) {
    out.PutCached(c->head, c->head_len);
    return;
  }
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

// BGP4MP and BGP4MP_ET (RFC 6396 §4.4, §4.5): state changes, withdrawals, announcements.
void WriteBgp4mpLine(const Element& e, Writer& out) {
  const bool et = e.source == ElementSource::kBgp4mpEt;
  if (e.type == ElementType::kStateChange) {
    out += et ? "BGP4MP_ET|" : "BGP4MP|";
    AppendTime(e, et, out);
    out += "|STATE|";
    WriteStateChange(e, out);
    return;
  }
  WriteBgp4mpHead(e, et, out);
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
  const Attributes* a = e.attrs;
  FormatCache* c = out.cache;
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
}

void WAppendBgpdumpLine(const Element& e, Writer& out) {
  switch (e.source) {
    case ElementSource::kTableDump:
    case ElementSource::kTableDump2:
      WriteRibLine(e, out);
      return;
    case ElementSource::kBgp:
      WriteBgpLine(e, out);
      return;
    case ElementSource::kBgp4mp:
    case ElementSource::kBgp4mpEt:
      WriteBgp4mpLine(e, out);
      return;
  }
}

// From the AS path to the end of a BGP4MP announcement line.
void WriteBgp4mpTail(const Element& e, Writer& out) {
  const Attributes* a = e.attrs;
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

}  // namespace blackout::mrt
