#include "blackout/mrt/bgp_decoder.h"

#include <algorithm>
#include <cstring>

#include "blackout/mrt/internal/nlri.h"
#include "blackout/mrt/internal/wire.h"

namespace blackout::mrt {

using internal::AttributePools;
using internal::Cursor;
using internal::Get16;
using internal::Get32;
using internal::Pool;

uint32_t AsPath::OriginAs() const {
  if (segments.empty() || segments.back().type != SegmentType::kAsSequence ||
      segments.back().count == 0 || asns.empty()) {
    return 0;
  }
  return asns.back();
}

AttributeDecoder::AttributeDecoder() = default;

void AttributeDecoder::Reset(size_t record_bytes) {
  pools_.Clear();
  pools_.Reserve(record_bytes + 16);
}

namespace {

constexpr uint64_t Bit(uint8_t type) { return uint64_t{1} << type; }

void ClearMpNextHop(Attributes* a) {
  a->has_mp_next_hop = false;
  a->mp_abbreviated = false;
  a->mp_afi = 0;
  a->mp_safi = 0;
  a->mp_next_hop_length = 0;
  a->mp_next_hop = IpAddress();
  a->has_mp_next_hop_local = false;
  a->mp_next_hop_local = IpAddress();
}

// Every attribute decoder writes all the fields it owns, so a reused Attributes only needs the
// fields of attributes that the previous Decode saw and this one did not (`m`) put back to their
// defaults; as_path and unknown are always rewritten. Cheaper than clearing the whole struct per
// RIB entry, and in a RIB `m` is mostly 0.
void ClearStale(Attributes* a, uint64_t m) {
  if (m & Bit(kAttrOrigin)) a->origin = Origin::kIgp;
  if (m & Bit(kAttrAsPath)) a->as_path_error = false;
  if (m & Bit(kAttrNextHop)) a->next_hop = IpAddress();
  if (m & Bit(kAttrMed)) a->med = 0;
  if (m & Bit(kAttrLocalPref)) a->local_pref = 0;
  if (m & Bit(kAttrAtomicAggregate)) a->atomic_aggregate = false;
  if (m & Bit(kAttrAggregator)) {
    a->has_aggregator = false;
    a->aggregator_as = 0;
    a->aggregator_addr = IpAddress();
  }
  if (m & Bit(kAttrCommunities)) a->communities = {};
  if (m & Bit(kAttrLargeCommunities)) a->large_communities = {};
  if (m & Bit(kAttrOriginatorId)) {
    a->has_originator_id = false;
    a->originator_id = IpAddress();
  }
  if (m & Bit(kAttrClusterList)) a->cluster_list = {};
  if (m & Bit(kAttrMpReachNlri)) ClearMpNextHop(a);
}

// ---- One decoder per attribute type code (bgpkit-parser's parser/bgp/attributes) ----
//
// Each reads the value bytes of one attribute, writes the fields it owns and returns OK or a
// kDataLoss Status saying what was malformed. They are lenient the way bgpdump is: a malformed
// attribute still writes what could be read (docs/mrt.md). They are static functions of this
// file so that GCC can inline them into the block loop (the build has no LTO), and each Status is
// tested right where it is returned (Problems::Check): an OK one then costs nothing
// (docs/mrt.md, "Code layout").

using Value = std::span<const uint8_t>;

// An OK Status built member by member. Status::Ok() returns `Status()`, which is
// value-initialised: all 120 bytes are zero-filled first (`rep stos`), 4-5 % of library iteration
// on a RIB when the decoders used it.
[[gnu::always_inline]] inline Status Ok() {
  Status s;
  return s;
}

// Error text is built out of line: the OK path of each decoder stays a few instructions.
[[gnu::cold, gnu::noinline]] Status BadLength(const char* attr, size_t len) {
  return DataLoss(std::string(attr) + ": length " + std::to_string(len));
}
[[gnu::cold, gnu::noinline]] Status BadNextHopLength(size_t nh_len) {
  return DataLoss("MP_REACH_NLRI: next hop length " + std::to_string(nh_len));
}
[[gnu::cold, gnu::noinline]] Status SnpaOverrun() {
  return DataLoss("MP_REACH_NLRI: SNPA overruns the attribute");
}

// A 4-byte field read as far as it goes (bgpdump's lenient mstream).
inline uint32_t Lenient32(Value v) {
  return v.size() >= 4 ? Get32(v.data()) : Cursor(v.data(), v.size()).U32();
}

// ORIGIN, type 1 (RFC 4271 §5.1.1).
Status DecodeOrigin(Value v, Attributes* out) {
  out->origin = static_cast<Origin>(v.empty() ? 0 : v[0]);
  if (v.size() != 1) return BadLength("ORIGIN", v.size());
  return Ok();
}

// Where one decoded AS path lies in the pools.
struct PathPos {
  size_t seg_begin = 0, seg_end = 0, asn_begin = 0, asn_end = 0;
};

[[gnu::cold, gnu::noinline]] Status BadSegment(bool as4_path, size_t at) {
  return DataLoss(std::string(as4_path ? "AS4_PATH" : "AS_PATH") + ": bad segment at byte " +
                  std::to_string(at));
}

// The segments of AS_PATH (type 2, RFC 4271 §5.1.2) or AS4_PATH (type 17, RFC 6793 §3), appended
// to the pools; `wide`: 4-octet ASNs. On a bad segment nothing is kept and *bad is set.
Status DecodePathSegments(Value v, bool wide, bool as4_path, AttributePools& pools, PathPos* pos,
                          bool* bad) {
  Pool<AsPathSegment>& segments = pools.segments;
  Pool<uint32_t>& asns = pools.asns;
  const size_t len = v.size(), asn_len = wide ? 4 : 2;
  const size_t sb = segments.size(), ab = asns.size();
  AsPathSegment* seg = segments.end();
  uint32_t* asn = asns.end();
  *bad = false;
  size_t i = 0;
  while (i < len) {
    if (len - i < 2) {
      *bad = true;
      break;
    }
    const uint8_t st = v[i], n = v[i + 1];
    if (st < 1 || st > 4 || len - i - 2 < size_t{n} * asn_len) {
      *bad = true;
      break;
    }
    *seg++ = AsPathSegment{static_cast<SegmentType>(st), 0, n};
    const uint8_t* a = v.data() + i + 2;
    if (wide) {
      for (int k = 0; k < n; ++k) asn[k] = Get32(a + 4 * k);
    } else {
      for (int k = 0; k < n; ++k) asn[k] = Get16(a + 2 * k);
    }
    asn += n;
    i += 2 + size_t{n} * asn_len;
  }
  if (*bad) {
    seg = segments.data() + sb;
    asn = asns.data() + ab;
  }
  segments.CommitTo(seg);
  asns.CommitTo(asn);
  *pos = PathPos{sb, segments.size(), ab, asns.size()};
  if (*bad) return BadSegment(as4_path, i);
  return Ok();
}

// NEXT_HOP, type 3 (RFC 4271 §5.1.3).
Status DecodeNextHop(Value v, Attributes* out) {
  if (v.size() >= 4) {
    out->next_hop.Assign(Family::kIPv4, v.data());
  } else {
    out->next_hop = IpAddress::V4(Cursor(v.data(), v.size()).U32());
  }
  if (v.size() != 4) return BadLength("NEXT_HOP", v.size());
  return Ok();
}

// MULTI_EXIT_DISC, type 4 (RFC 4271 §5.1.4).
Status DecodeMed(Value v, Attributes* out) {
  out->med = Lenient32(v);
  if (v.size() != 4) return BadLength("MULTI_EXIT_DISC", v.size());
  return Ok();
}

// LOCAL_PREF, type 5 (RFC 4271 §5.1.5).
Status DecodeLocalPref(Value v, Attributes* out) {
  out->local_pref = Lenient32(v);
  if (v.size() != 4) return BadLength("LOCAL_PREF", v.size());
  return Ok();
}

// ATOMIC_AGGREGATE, type 6 (RFC 4271 §5.1.6): its presence is the value.
Status DecodeAtomicAggregate(Attributes* out) {
  out->atomic_aggregate = true;
  return Ok();
}

// AGGREGATOR, type 7 (RFC 4271 §5.1.7; 4-octet AS per RFC 6793). Read as far as it goes (bgpdump
// does the same with a 4-octet AGGREGATOR in an AS2 context); a length mismatch is not reported
// because real daemons write it.
Status DecodeAggregator(Value v, bool as4, Attributes* out) {
  Cursor c(v.data(), v.size());
  out->has_aggregator = true;
  out->aggregator_as = as4 ? c.U32() : c.U16();
  out->aggregator_addr = IpAddress::V4(c.U32());
  return Ok();
}

// COMMUNITIES, type 8 (RFC 1997).
Status DecodeCommunities(Value v, Pool<Community>& communities) {
  Community* o = communities.end();
  for (size_t i = 0; i + 4 <= v.size(); i += 4) *o++ = Get32(v.data() + i);
  communities.CommitTo(o);
  if (v.size() % 4) return BadLength("COMMUNITIES", v.size());
  return Ok();
}

// ORIGINATOR_ID, type 9 (RFC 4456 §8).
Status DecodeOriginatorId(Value v, Attributes* out) {
  out->has_originator_id = true;
  out->originator_id = IpAddress::V4(Lenient32(v));
  if (v.size() != 4) return BadLength("ORIGINATOR_ID", v.size());
  return Ok();
}

// CLUSTER_LIST, type 10 (RFC 4456 §8).
Status DecodeClusterList(Value v, Pool<uint32_t>& clusters) {
  for (size_t i = 0; i + 4 <= v.size(); i += 4) clusters.Push(Get32(v.data() + i));
  if (v.size() % 4) return BadLength("CLUSTER_LIST", v.size());
  return Ok();
}

// The next hop of MP_REACH_NLRI (`nh_len` bytes at `nh`, IPv6 when `v6`) and, for IPv6, the
// link-local second address (RFC 2545 §3).
void AssignMpNextHop(const uint8_t* nh, size_t nh_len, bool v6, Attributes* out) {
  out->mp_next_hop_length = static_cast<uint8_t>(nh_len);
  const Family nh_family = v6 ? Family::kIPv6 : Family::kIPv4;
  if (nh_len >= 16 || (nh_family == Family::kIPv4 && nh_len >= 4)) {
    out->mp_next_hop.Assign(nh_family, nh);
  } else {
    uint8_t buf[16] = {};
    std::memcpy(buf, nh, nh_len);
    out->mp_next_hop.Assign(nh_family, buf);
  }
  out->has_mp_next_hop_local = v6 && nh_len >= 32;
  if (out->has_mp_next_hop_local) {
    out->mp_next_hop_local.Assign(Family::kIPv6, nh + 16);
  } else {
    out->mp_next_hop_local = IpAddress();
  }
}

// MP_REACH_NLRI in the abbreviated form of a TABLE_DUMP_V2 RIB entry (RFC 6396 §4.3.4: next hop
// length and next hop only; bgpdump recognises it by a non-zero first byte).
Status DecodeMpReachAbbreviated(Value v, Attributes* out) {
  const size_t wire_nh_len = v[0];
  const size_t nh_len = std::min(wire_nh_len, v.size() - 1);
  out->has_mp_next_hop = true;
  out->mp_abbreviated = true;
  out->mp_afi = 0;
  out->mp_safi = 0;
  AssignMpNextHop(v.data() + 1, nh_len, nh_len >= 16, out);
  if (nh_len != wire_nh_len) return BadNextHopLength(wire_nh_len);
  return Ok();
}

// MP_REACH_NLRI, type 14 (RFC 4760 §3): AFI, SAFI, next hop, SNPAs, NLRI. The NLRI goes to
// *reach (may be null) in wire form; the abbreviated RIB form is recognised too.
Status DecodeMpReach(Value v, Attributes* out, MpNlri* reach) {
  const size_t len = v.size();
  if (len > 0 && v[0] != 0) return DecodeMpReachAbbreviated(v, out);
  if (len < 5) {
    ClearMpNextHop(out);
    return BadLength("MP_REACH_NLRI", len);
  }
  const uint16_t afi = Get16(v.data());
  const uint8_t safi = v[2];
  const size_t wire_nh_len = v[3];
  size_t nh_len = wire_nh_len;
  size_t pos = 4 + nh_len;
  bool nh_overrun = false, snpa_overrun = false;
  if (pos + 1 > len) {
    nh_overrun = true;
    nh_len = std::min(nh_len, len - 4);
    pos = len;
  } else {
    // SNPAs (RFC 2858; defunct): count, then length-prefixed entries.
    uint8_t snpas = v[pos++];
    for (; snpas > 0 && pos < len; --snpas) pos += 1 + v[pos];
    if (pos > len) {
      snpa_overrun = true;
      pos = len;
    }
  }
  if (reach) *reach = MpNlri{true, afi, safi, v.subspan(pos)};
  out->has_mp_next_hop = true;
  out->mp_abbreviated = false;
  out->mp_afi = afi;
  out->mp_safi = safi;
  AssignMpNextHop(v.data() + 4, nh_len, afi == kAfiIpv6, out);
  if (nh_overrun) return BadNextHopLength(wire_nh_len);
  if (snpa_overrun) return SnpaOverrun();
  return Ok();
}

// MP_UNREACH_NLRI, type 15 (RFC 4760 §4): AFI, SAFI, withdrawn NLRI (to *unreach, may be null).
Status DecodeMpUnreach(Value v, MpNlri* unreach) {
  if (v.size() < 3) return BadLength("MP_UNREACH_NLRI", v.size());
  if (unreach) *unreach = MpNlri{true, Get16(v.data()), v[2], v.subspan(3)};
  return Ok();
}

// AS4_AGGREGATOR, type 18 (RFC 6793 §3): kept aside for the merge after the block.
Status DecodeAs4Aggregator(Value v, bool* has, uint32_t* as, IpAddress* addr) {
  Cursor c(v.data(), v.size());
  *has = true;
  *as = c.U32();
  *addr = IpAddress::V4(c.U32());
  if (v.size() != 8) return BadLength("AS4_AGGREGATOR", v.size());
  return Ok();
}

// LARGE_COMMUNITY, type 32 (RFC 8092 §3).
Status DecodeLargeCommunities(Value v, Pool<LargeCommunity>& large) {
  for (size_t i = 0; i + 12 <= v.size(); i += 12) {
    const uint8_t* b = v.data() + i;
    large.Push(LargeCommunity{Get32(b), Get32(b + 4), Get32(b + 8)});
  }
  if (v.size() % 12) return BadLength("LARGE_COMMUNITIES", v.size());
  return Ok();
}

// ---- The attribute block ----

// What the decoders of one block leave for the steps after it: where the AS paths lie in the
// pools, and AS4_AGGREGATOR (both merged per RFC 6793 §4.2.3).
struct BlockState {
  PathPos path, path4;
  bool has_path = false, has_path4 = false, path4_error = false;
  bool has_as4_aggregator = false;
  uint32_t as4_aggregator_as = 0;
  IpAddress as4_aggregator_addr;
};

// The first problem found in a block (the block's other attributes are still decoded).
struct Problems {
  std::string* first;
  bool ok = true;

  // Each decoder's Status is tested where it is returned, so that once the decoder is inlined the
  // compiler sees an OK Status built and tested on one path and folds it away.
  [[gnu::always_inline]] void Check(const Status& st) {
    if (!st.ok()) [[unlikely]]
      Keep(st.message());
  }
  [[gnu::cold, gnu::noinline]] void Keep(const std::string& what) {
    if (ok) *first = what;
    ok = false;
  }
};

// Decodes the value `v` of one attribute by its type code; attributes this reader does not
// decode are kept raw.
void DecodeAttribute(uint8_t flags, uint8_t type, Value v, const AttrDecodeOptions& options,
                     AttributePools& pools, Attributes* out, MpInfo* mp, BlockState* block,
                     Problems* problems) {
  switch (type) {
    case kAttrOrigin:
      problems->Check(DecodeOrigin(v, out));
      return;
    case kAttrAsPath:
      block->has_path = true;
      problems->Check(
          DecodePathSegments(v, options.as4, false, pools, &block->path, &out->as_path_error));
      return;
    case kAttrNextHop:
      problems->Check(DecodeNextHop(v, out));
      return;
    case kAttrMed:
      problems->Check(DecodeMed(v, out));
      return;
    case kAttrLocalPref:
      problems->Check(DecodeLocalPref(v, out));
      return;
    case kAttrAtomicAggregate:
      problems->Check(DecodeAtomicAggregate(out));
      return;
    case kAttrAggregator:
      problems->Check(DecodeAggregator(v, options.as4, out));
      return;
    case kAttrCommunities:
      problems->Check(DecodeCommunities(v, pools.communities));
      return;
    case kAttrOriginatorId:
      problems->Check(DecodeOriginatorId(v, out));
      return;
    case kAttrClusterList:
      problems->Check(DecodeClusterList(v, pools.clusters));
      return;
    case kAttrMpReachNlri:
      problems->Check(DecodeMpReach(v, out, mp ? &mp->reach : nullptr));
      return;
    case kAttrMpUnreachNlri:
      problems->Check(DecodeMpUnreach(v, mp ? &mp->unreach : nullptr));
      return;
    case kAttrAs4Path:
      block->has_path4 = true;
      problems->Check(DecodePathSegments(v, true, true, pools, &block->path4, &block->path4_error));
      return;
    case kAttrAs4Aggregator:
      problems->Check(DecodeAs4Aggregator(v, &block->has_as4_aggregator, &block->as4_aggregator_as,
                                          &block->as4_aggregator_addr));
      return;
    case kAttrLargeCommunities:
      problems->Check(DecodeLargeCommunities(v, pools.large));
      return;
    default:
      pools.unknown.Push(RawAttribute{flags, type, v});
      return;
  }
}

// One attribute as it sits in the block (RFC 4271 §4.3): flags, type code, value.
struct WireAttribute {
  uint8_t flags;
  uint8_t type;
  Value value;
};

// Reads the attribute header at *p and advances *p past the attribute. Returns false when the
// header or the value does not fit before `end` (FramingError says why).
inline bool NextAttribute(const uint8_t** p, const uint8_t* end, WireAttribute* a) {
  const uint8_t* q = *p;
  if (end - q < 3) return false;
  a->flags = q[0];
  a->type = q[1];
  size_t len;
  if (a->flags & kAttrFlagExtendedLength) {
    if (end - q < 4) return false;
    len = Get16(q + 2);
    q += 4;
  } else {
    len = q[2];
    q += 3;
  }
  if (static_cast<size_t>(end - q) < len) return false;
  a->value = Value(q, len);
  *p = q + len;
  return true;
}

// Why NextAttribute(&p, end) failed.
[[gnu::cold, gnu::noinline]] std::string FramingError(const uint8_t* p, const uint8_t* end) {
  if (end - p < 3) return "attribute header truncated (" + std::to_string(end - p) + " bytes left)";
  const uint8_t type = p[1];
  size_t len;
  if (p[0] & kAttrFlagExtendedLength) {
    if (end - p < 4) return "attribute header truncated";
    len = Get16(p + 2);
    p += 4;
  } else {
    len = p[2];
    p += 3;
  }
  return "attribute type " + std::to_string(type) + " length " + std::to_string(len) +
         " overruns the attribute block (" + std::to_string(end - p) + " bytes left)";
}

[[gnu::cold, gnu::noinline]] std::string DuplicateError(uint8_t type) {
  return "duplicate attribute type " + std::to_string(type);
}

// bgpdump's count of an AS path: ASNs in sequences, 1 per set.
size_t PathCount(std::span<const AsPathSegment> segs) {
  size_t n = 0;
  for (const auto& s : segs) {
    n += (s.type == SegmentType::kAsSet || s.type == SegmentType::kConfedSet) ? 1 : s.count;
  }
  return n;
}

// AS_PATH merged with AS4_PATH (RFC 6793 §4.2.3): the leading (count - count4) ASes of AS_PATH,
// then AS4_PATH, appended to the pools. Returns false (nothing appended) when AS4_PATH is longer.
bool AppendMergedPath(std::span<const AsPathSegment> segs, std::span<const uint32_t> asns,
                      std::span<const AsPathSegment> segs4, std::span<const uint32_t> asns4,
                      AttributePools& pools) {
  const size_t count = PathCount(segs), count4 = PathCount(segs4);
  if (count < count4) return false;
  size_t want = count - count4;
  size_t ai = 0;
  for (const auto& s : segs) {
    if (want == 0) break;
    const bool set = s.type == SegmentType::kAsSet || s.type == SegmentType::kConfedSet;
    uint16_t take = set ? s.count : static_cast<uint16_t>(std::min<size_t>(s.count, want));
    pools.segments.Push(AsPathSegment{s.type, 0, take});
    for (uint16_t k = 0; k < take; ++k) pools.asns.Push(asns[ai + k]);
    want -= set ? 1 : take;
    ai += s.count;
  }
  for (const auto& s : segs4) pools.segments.Push(s);
  for (uint32_t a : asns4) pools.asns.Push(a);
  return true;
}

// Sets out->as_path, and the aggregator, from AS_PATH/AGGREGATOR and their AS4_ counterparts.
void MergeAs4(const AttrDecodeOptions& options, const BlockState& b, AttributePools& pools,
              Attributes* out) {
  // RFC 6793 §4.2.3: AS4_AGGREGATOR replaces an AGGREGATOR carrying AS_TRANS; if the AGGREGATOR
  // holds a real ASN, AS4_AGGREGATOR and AS4_PATH are both ignored.
  bool use_path4 =
      !options.as4 && b.has_path4 && !b.path4_error && b.has_path && !out->as_path_error;
  if (!options.as4 && out->has_aggregator && b.has_as4_aggregator) {
    if (out->aggregator_as != 23456) {
      use_path4 = false;
    } else {
      out->aggregator_as = b.as4_aggregator_as;
      out->aggregator_addr = b.as4_aggregator_addr;
    }
  }
  std::span<const AsPathSegment> segs(pools.segments.data() + b.path.seg_begin,
                                      b.path.seg_end - b.path.seg_begin);
  std::span<const uint32_t> asns(pools.asns.data() + b.path.asn_begin,
                                 b.path.asn_end - b.path.asn_begin);
  if (use_path4) {
    std::span<const AsPathSegment> segs4(pools.segments.data() + b.path4.seg_begin,
                                         b.path4.seg_end - b.path4.seg_begin);
    std::span<const uint32_t> asns4(pools.asns.data() + b.path4.asn_begin,
                                    b.path4.asn_end - b.path4.asn_begin);
    const size_t sb = pools.segments.size(), ab = pools.asns.size();
    if (AppendMergedPath(segs, asns, segs4, asns4, pools)) {
      segs = std::span<const AsPathSegment>(pools.segments.data() + sb, pools.segments.size() - sb);
      asns = std::span<const uint32_t>(pools.asns.data() + ab, pools.asns.size() - ab);
    }
  }
  out->as_path.segments = segs;
  out->as_path.asns = asns;
}

// Pool sizes when a block's decoding started: the block's entries follow.
struct PoolStarts {
  size_t communities, large, clusters, unknown;
};

// Points the list attributes of *out at the entries the block appended to the pools.
void PointAtPools(uint64_t present, const PoolStarts& s, const AttributePools& pools,
                  Attributes* out) {
  if (present & Bit(kAttrCommunities)) {
    out->communities = std::span<const Community>(pools.communities.data() + s.communities,
                                                  pools.communities.size() - s.communities);
  }
  if (present & Bit(kAttrLargeCommunities)) {
    out->large_communities =
        std::span<const LargeCommunity>(pools.large.data() + s.large, pools.large.size() - s.large);
  }
  if (present & Bit(kAttrClusterList)) {
    out->cluster_list = std::span<const uint32_t>(pools.clusters.data() + s.clusters,
                                                  pools.clusters.size() - s.clusters);
  }
  out->unknown = std::span<const RawAttribute>(pools.unknown.data() + s.unknown,
                                               pools.unknown.size() - s.unknown);
}

}  // namespace

Status AttributeDecoder::Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options,
                                Attributes* out, MpInfo* mp) {
  std::string error;
  if (Decode(block, options, out, mp, &error)) return Ok();
  return DataLoss(std::move(error));
}

bool AttributeDecoder::Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options,
                              Attributes* out, MpInfo* mp, std::string* error) {
  const uint64_t previous = out->present.bits();
  if (mp) *mp = MpInfo{};
  // Keep the pools from moving while this block is decoded (Reset() normally did this already).
  if (const size_t need = block.size() + 16; !pools_.HasRoom(need)) pools_.Reserve(need);
  const PoolStarts starts{pools_.communities.size(), pools_.large.size(), pools_.clusters.size(),
                          pools_.unknown.size()};
  Problems problems{error};
  BlockState state;
  uint64_t present = 0;
  const uint8_t* p = block.data();
  const uint8_t* const end = p + block.size();
  WireAttribute a;
  while (p < end) {
    if (!NextAttribute(&p, end, &a)) {
      problems.Keep(FramingError(p, end));
      break;
    }
    const uint64_t bit = a.type < 64 ? Bit(a.type) : 0;
    if (present & bit) {
      // RFC 7606 §3(g): keep the first occurrence.
      problems.Keep(DuplicateError(a.type));
      continue;
    }
    present |= bit;
    DecodeAttribute(a.flags, a.type, a.value, options, pools_, out, mp, &state, &problems);
  }
  out->present = AttrMask(present);
  if (const uint64_t stale = previous & ~present; stale != 0) ClearStale(out, stale);
  MergeAs4(options, state, pools_, out);
  PointAtPools(present, starts, pools_, out);
  return problems.ok;
}

Status DecodeNlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                  std::vector<NlriPrefix>* out) {
  return internal::WalkNlri(bytes, family, add_path,
                            [out](const internal::PrefixOnWire& w, uint32_t id) {
                              out->push_back(NlriPrefix{w.Get(), id});
                            });
}

}  // namespace blackout::mrt
