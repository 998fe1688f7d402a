#include "blackout/mrt/bgp_decoder.h"

#include <algorithm>
#include <cstring>

#include "blackout/mrt/internal/nlri.h"
#include "blackout/mrt/internal/wire.h"

namespace blackout::mrt {

using internal::Cursor;
using internal::Get16;
using internal::Get32;

uint32_t AsPath::OriginAs() const {
  if (segments.empty() || segments.back().type != SegmentType::kAsSequence ||
      segments.back().count == 0 || asns.empty()) {
    return 0;
  }
  return asns.back();
}

AttributeDecoder::AttributeDecoder() = default;

namespace {

// Pool room one attribute block of `n` bytes can need: each entry consumes at least this many
// input bytes (merged AS paths at most double the ASN count).
constexpr size_t SegmentRoom(size_t n) { return n; }
constexpr size_t AsnRoom(size_t n) { return 2 * n; }
constexpr size_t CommunityRoom(size_t n) { return n / 4; }
constexpr size_t LargeRoom(size_t n) { return n / 12; }
constexpr size_t ClusterRoom(size_t n) { return n / 4; }
constexpr size_t UnknownRoom(size_t n) { return n / 3; }

}  // namespace

void AttributeDecoder::Reset(size_t record_bytes) {
  segments_.clear();
  asns_.clear();
  communities_.clear();
  large_.clear();
  clusters_.clear();
  unknown_.clear();
  const size_t n = record_bytes + 16;
  segments_.Reserve(SegmentRoom(n));
  asns_.Reserve(AsnRoom(n));
  communities_.Reserve(CommunityRoom(n));
  large_.Reserve(LargeRoom(n));
  clusters_.Reserve(ClusterRoom(n));
  unknown_.Reserve(UnknownRoom(n));
}

namespace {

// bgpdump's count of an AS path: ASNs in sequences, 1 per set.
size_t PathCount(std::span<const AsPathSegment> segs) {
  size_t n = 0;
  for (const auto& s : segs) {
    n += (s.type == SegmentType::kAsSet || s.type == SegmentType::kConfedSet) ? 1 : s.count;
  }
  return n;
}

std::string Malformed(const char* attr, size_t len) {
  return std::string(attr) + ": length " + std::to_string(len);
}

constexpr uint64_t Bit(uint8_t type) { return uint64_t{1} << type; }

// Every attribute case of Decode writes all the fields it owns, so a reused Attributes only needs
// the fields of attributes that the previous Decode saw and this one did not (`m`) put back to
// their defaults; as_path and unknown are always rewritten. Cheaper than clearing the whole struct
// per RIB entry, and in a RIB `m` is mostly 0.
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
  if (m & Bit(kAttrMpReachNlri)) {
    a->has_mp_next_hop = false;
    a->mp_abbreviated = false;
    a->mp_afi = 0;
    a->mp_safi = 0;
    a->mp_next_hop_length = 0;
    a->mp_next_hop = IpAddress();
    a->has_mp_next_hop_local = false;
    a->mp_next_hop_local = IpAddress();
  }
}

}  // namespace

Status AttributeDecoder::Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options,
                                Attributes* out, MpInfo* mp) {
  std::string error;
  if (Decode(block, options, out, mp, &error)) return Status::Ok();
  return DataLoss(std::move(error));
}

bool AttributeDecoder::Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options,
                              Attributes* out, MpInfo* mp, std::string* error) {
  const uint64_t previous = out->present.bits();
  if (mp) *mp = MpInfo{};
  // Keep the pools from moving while this block is decoded (Reset() normally did this already).
  const size_t need = block.size() + 16;
  if (asns_.room() < AsnRoom(need) || segments_.room() < SegmentRoom(need) ||
      communities_.room() < CommunityRoom(need) || large_.room() < LargeRoom(need) ||
      clusters_.room() < ClusterRoom(need) || unknown_.room() < UnknownRoom(need)) {
    asns_.Reserve(AsnRoom(need));
    segments_.Reserve(SegmentRoom(need));
    communities_.Reserve(CommunityRoom(need));
    large_.Reserve(LargeRoom(need));
    clusters_.Reserve(ClusterRoom(need));
    unknown_.Reserve(UnknownRoom(need));
  }
  bool ok = true;
  auto note = [&](std::string what) {
    if (ok) {
      *error = std::move(what);
      ok = false;
    }
  };

  // AS_PATH and AS4_PATH positions in the pools, merged at the end.
  size_t path_seg_begin = 0, path_seg_end = 0, path_asn_begin = 0, path_asn_end = 0;
  size_t p4_seg_begin = 0, p4_seg_end = 0, p4_asn_begin = 0, p4_asn_end = 0;
  bool has_path = false, has_path4 = false, path4_error = false;
  bool has_as4_aggregator = false;
  uint32_t as4_aggregator_as = 0;
  IpAddress as4_aggregator_addr;
  const size_t comm_begin = communities_.size(), large_begin = large_.size();
  const size_t cluster_begin = clusters_.size(), unknown_begin = unknown_.size();
  uint64_t present = 0;

  const uint8_t* p = block.data();
  const uint8_t* end = p + block.size();
  while (p < end) {
    if (end - p < 3) {
      note("attribute header truncated (" + std::to_string(end - p) + " bytes left)");
      break;
    }
    const uint8_t flags = p[0];
    const uint8_t type = p[1];
    size_t len;
    if (flags & kAttrFlagExtendedLength) {
      if (end - p < 4) {
        note("attribute header truncated");
        break;
      }
      len = Get16(p + 2);
      p += 4;
    } else {
      len = p[2];
      p += 3;
    }
    if (static_cast<size_t>(end - p) < len) {
      note("attribute type " + std::to_string(type) + " length " + std::to_string(len) +
           " overruns the attribute block (" + std::to_string(end - p) + " bytes left)");
      break;
    }
    const uint8_t* v = p;
    p += len;
    const uint64_t bit = type < 64 ? Bit(type) : 0;
    const bool seen = (present & bit) != 0;
    present |= bit;
    if (seen && type != kAttrMpReachNlri && type != kAttrMpUnreachNlri) {
      // RFC 7606 §3(g): keep the first occurrence.
      note("duplicate attribute type " + std::to_string(type));
      continue;
    }
    switch (type) {
      case kAttrOrigin:
        out->origin = static_cast<Origin>(len > 0 ? v[0] : 0);
        if (len != 1) note(Malformed("ORIGIN", len));
        break;
      case kAttrAsPath:
      case kAttrAs4Path: {
        const bool is4 = type == kAttrAs4Path;
        const bool wide = is4 || options.as4;
        const size_t asn_len = wide ? 4 : 2;
        const size_t sb = segments_.size(), ab = asns_.size();
        AsPathSegment* seg = segments_.end();
        uint32_t* asn = asns_.end();
        bool bad = false;
        size_t i = 0;
        while (i < len) {
          if (len - i < 2) {
            bad = true;
            break;
          }
          const uint8_t st = v[i], n = v[i + 1];
          if (st < 1 || st > 4 || len - i - 2 < size_t{n} * asn_len) {
            bad = true;
            break;
          }
          *seg++ = AsPathSegment{static_cast<SegmentType>(st), 0, n};
          const uint8_t* a = v + i + 2;
          if (wide) {
            for (int k = 0; k < n; ++k) asn[k] = Get32(a + 4 * k);
          } else {
            for (int k = 0; k < n; ++k) asn[k] = Get16(a + 2 * k);
          }
          asn += n;
          i += 2 + size_t{n} * asn_len;
        }
        if (bad) {
          note(std::string(is4 ? "AS4_PATH" : "AS_PATH") + ": bad segment at byte " +
               std::to_string(i));
          seg = segments_.data() + sb;
          asn = asns_.data() + ab;
        }
        segments_.CommitTo(seg);
        asns_.CommitTo(asn);
        if (is4) {
          has_path4 = true;
          path4_error = bad;
          p4_seg_begin = sb, p4_seg_end = segments_.size();
          p4_asn_begin = ab, p4_asn_end = asns_.size();
        } else {
          has_path = true;
          out->as_path_error = bad;
          path_seg_begin = sb, path_seg_end = segments_.size();
          path_asn_begin = ab, path_asn_end = asns_.size();
        }
        break;
      }
      case kAttrNextHop:
        if (len >= 4) {
          out->next_hop.Assign(Family::kIPv4, v);
        } else {
          out->next_hop = IpAddress::V4(Cursor(v, len).U32());
        }
        if (len != 4) note(Malformed("NEXT_HOP", len));
        break;
      case kAttrMed:
        out->med = len >= 4 ? Get32(v) : Cursor(v, len).U32();
        if (len != 4) note(Malformed("MULTI_EXIT_DISC", len));
        break;
      case kAttrLocalPref:
        out->local_pref = len >= 4 ? Get32(v) : Cursor(v, len).U32();
        if (len != 4) note(Malformed("LOCAL_PREF", len));
        break;
      case kAttrAtomicAggregate:
        out->atomic_aggregate = true;
        break;
      case kAttrAggregator: {
        // Read as far as it goes (bgpdump does the same with a 4-octet AGGREGATOR in an AS2
        // context); a length mismatch is not reported because real daemons write it.
        Cursor c(v, len);
        out->has_aggregator = true;
        out->aggregator_as = options.as4 ? c.U32() : c.U16();
        out->aggregator_addr = IpAddress::V4(c.U32());
        break;
      }
      case kAttrAs4Aggregator: {
        Cursor c(v, len);
        has_as4_aggregator = true;
        as4_aggregator_as = c.U32();
        as4_aggregator_addr = IpAddress::V4(c.U32());
        if (len != 8) note(Malformed("AS4_AGGREGATOR", len));
        break;
      }
      case kAttrCommunities: {
        Community* o = communities_.end();
        for (size_t i = 0; i + 4 <= len; i += 4) *o++ = Get32(v + i);
        communities_.CommitTo(o);
        if (len % 4) note(Malformed("COMMUNITIES", len));
        break;
      }
      case kAttrLargeCommunities:
        for (size_t i = 0; i + 12 <= len; i += 12) {
          large_.Push(LargeCommunity{Get32(v + i), Get32(v + i + 4), Get32(v + i + 8)});
        }
        if (len % 12) note(Malformed("LARGE_COMMUNITIES", len));
        break;
      case kAttrOriginatorId:
        out->has_originator_id = true;
        out->originator_id = IpAddress::V4(len >= 4 ? Get32(v) : Cursor(v, len).U32());
        if (len != 4) note(Malformed("ORIGINATOR_ID", len));
        break;
      case kAttrClusterList:
        for (size_t i = 0; i + 4 <= len; i += 4) clusters_.Push(Get32(v + i));
        if (len % 4) note(Malformed("CLUSTER_LIST", len));
        break;
      case kAttrMpReachNlri: {
        if (seen) {
          note("duplicate attribute type 14");
          break;
        }
        size_t nh_len;
        const uint8_t* nh;
        bool abbreviated = false;
        uint16_t afi = 0;
        uint8_t safi = 0;
        if (len > 0 && v[0] != 0) {
          // RFC 6396 §4.3.4 abbreviated form (bgpdump recognises it by a non-zero first byte).
          abbreviated = true;
          nh_len = v[0];
          nh = v + 1;
          if (nh_len > len - 1) {
            note("MP_REACH_NLRI: next hop length " + std::to_string(nh_len));
            nh_len = len - 1;
          }
        } else {
          if (len < 5) {
            note(Malformed("MP_REACH_NLRI", len));
            out->has_mp_next_hop = false;
            out->mp_abbreviated = false;
            out->mp_afi = 0;
            out->mp_safi = 0;
            out->mp_next_hop_length = 0;
            out->mp_next_hop = IpAddress();
            out->has_mp_next_hop_local = false;
            out->mp_next_hop_local = IpAddress();
            break;
          }
          afi = Get16(v);
          safi = v[2];
          nh_len = v[3];
          nh = v + 4;
          size_t pos = 4 + nh_len;
          if (pos + 1 > len) {
            note("MP_REACH_NLRI: next hop length " + std::to_string(nh_len));
            nh_len = std::min(nh_len, len - 4);
            pos = len;
          } else {
            // SNPAs (RFC 2858; defunct): count, then length-prefixed entries.
            uint8_t snpas = v[pos++];
            for (; snpas > 0 && pos < len; --snpas) pos += 1 + v[pos];
            if (pos > len) {
              note("MP_REACH_NLRI: SNPA overruns the attribute");
              pos = len;
            }
          }
          if (mp) {
            mp->reach.present = true;
            mp->reach.afi = afi;
            mp->reach.safi = safi;
            mp->reach.nlri = std::span<const uint8_t>(v + pos, len - pos);
          }
        }
        out->has_mp_next_hop = true;
        out->mp_abbreviated = abbreviated;
        out->mp_afi = afi;
        out->mp_safi = safi;
        out->mp_next_hop_length = static_cast<uint8_t>(nh_len);
        const bool v6 = abbreviated ? nh_len >= 16 : afi == kAfiIpv6;
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
        break;
      }
      case kAttrMpUnreachNlri:
        if (seen) {
          note("duplicate attribute type 15");
          break;
        }
        if (len < 3) {
          note(Malformed("MP_UNREACH_NLRI", len));
          break;
        }
        if (mp) {
          mp->unreach.present = true;
          mp->unreach.afi = Get16(v);
          mp->unreach.safi = v[2];
          mp->unreach.nlri = std::span<const uint8_t>(v + 3, len - 3);
        }
        break;
      default:
        unknown_.Push(RawAttribute{flags, type, std::span<const uint8_t>(v, len)});
        break;
    }
  }
  out->present = AttrMask(present);
  if (const uint64_t stale = previous & ~present; stale != 0) ClearStale(out, stale);

  // RFC 6793 §4.2.3: AS4_AGGREGATOR replaces an AGGREGATOR carrying AS_TRANS; if the AGGREGATOR
  // holds a real ASN, AS4_AGGREGATOR and AS4_PATH are both ignored.
  bool use_path4 = !options.as4 && has_path4 && !path4_error && has_path && !out->as_path_error;
  if (!options.as4 && out->has_aggregator && has_as4_aggregator) {
    if (out->aggregator_as != 23456) {
      use_path4 = false;
    } else {
      out->aggregator_as = as4_aggregator_as;
      out->aggregator_addr = as4_aggregator_addr;
    }
  }
  std::span<const AsPathSegment> segs(segments_.data() + path_seg_begin,
                                      path_seg_end - path_seg_begin);
  std::span<const uint32_t> asns(asns_.data() + path_asn_begin, path_asn_end - path_asn_begin);
  if (use_path4) {
    std::span<const AsPathSegment> segs4(segments_.data() + p4_seg_begin,
                                         p4_seg_end - p4_seg_begin);
    std::span<const uint32_t> asns4(asns_.data() + p4_asn_begin, p4_asn_end - p4_asn_begin);
    const size_t count = PathCount(segs), count4 = PathCount(segs4);
    if (count >= count4) {
      // Keep the leading (count - count4) ASes of AS_PATH, then append AS4_PATH.
      size_t want = count - count4;
      const size_t sb = segments_.size(), ab = asns_.size();
      size_t ai = 0;
      for (const auto& s : segs) {
        if (want == 0) break;
        const bool set = s.type == SegmentType::kAsSet || s.type == SegmentType::kConfedSet;
        uint16_t take = set ? s.count : static_cast<uint16_t>(std::min<size_t>(s.count, want));
        segments_.Push(AsPathSegment{s.type, 0, take});
        for (uint16_t k = 0; k < take; ++k) asns_.Push(asns[ai + k]);
        want -= set ? 1 : take;
        ai += s.count;
      }
      for (const auto& s : segs4) segments_.Push(s);
      for (uint32_t a : asns4) asns_.Push(a);
      segs = std::span<const AsPathSegment>(segments_.data() + sb, segments_.size() - sb);
      asns = std::span<const uint32_t>(asns_.data() + ab, asns_.size() - ab);
    }
  }
  out->as_path.segments = segs;
  out->as_path.asns = asns;
  if (present & Bit(kAttrCommunities)) {
    out->communities = std::span<const Community>(communities_.data() + comm_begin,
                                                  communities_.size() - comm_begin);
  }
  if (present & Bit(kAttrLargeCommunities)) {
    out->large_communities =
        std::span<const LargeCommunity>(large_.data() + large_begin, large_.size() - large_begin);
  }
  if (present & Bit(kAttrClusterList)) {
    out->cluster_list = std::span<const uint32_t>(clusters_.data() + cluster_begin,
                                                  clusters_.size() - cluster_begin);
  }
  out->unknown = std::span<const RawAttribute>(unknown_.data() + unknown_begin,
                                               unknown_.size() - unknown_begin);
  return ok;
}

Status DecodeNlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                  std::vector<NlriPrefix>* out) {
  return internal::WalkNlri(bytes, family, add_path,
                            [out](const internal::PrefixOnWire& w, uint32_t id) {
                              out->push_back(NlriPrefix{w.Get(), id});
                            });
}

}  // namespace blackout::mrt
