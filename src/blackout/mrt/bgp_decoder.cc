#include "blackout/mrt/bgp_decoder.h"

#include <algorithm>
#include <cstring>

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

void AttributeDecoder::Reset(size_t record_bytes) {
  segments_.clear();
  asns_.clear();
  communities_.clear();
  large_.clear();
  clusters_.clear();
  unknown_.clear();
  // Each pool entry consumes at least this many input bytes, so these capacities cannot be
  // exceeded by one record (merged AS paths at most double the ASN count).
  const size_t n = record_bytes + 16;
  if (segments_.capacity() < n) segments_.reserve(n);
  if (asns_.capacity() < 2 * n) asns_.reserve(2 * n);
  if (communities_.capacity() < n / 4) communities_.reserve(n / 4);
  if (large_.capacity() < n / 12) large_.reserve(n / 12);
  if (clusters_.capacity() < n / 4) clusters_.reserve(n / 4);
  if (unknown_.capacity() < n / 3) unknown_.reserve(n / 3);
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

Status Malformed(const char* attr, const std::string& why) {
  return DataLoss(std::string(attr) + ": " + why);
}

}  // namespace

Status AttributeDecoder::Decode(std::span<const uint8_t> block, const AttrDecodeOptions& options,
                                Attributes* out, MpInfo* mp) {
  *out = Attributes{};
  if (mp) *mp = MpInfo{};
  // Keep the pools from moving while this block is decoded (Reset() normally did this already).
  const size_t need = block.size() + 16;
  if (asns_.capacity() - asns_.size() < 2 * need ||
      segments_.capacity() - segments_.size() < need ||
      communities_.capacity() - communities_.size() < need / 4 ||
      large_.capacity() - large_.size() < need / 12 ||
      clusters_.capacity() - clusters_.size() < need / 4 ||
      unknown_.capacity() - unknown_.size() < need / 3) {
    asns_.reserve(asns_.size() + 2 * need);
    segments_.reserve(segments_.size() + need);
    communities_.reserve(communities_.size() + need / 4);
    large_.reserve(large_.size() + need / 12);
    clusters_.reserve(clusters_.size() + need / 4);
    unknown_.reserve(unknown_.size() + need / 3);
  }
  Status first_error;
  auto note = [&](Status st) {
    if (first_error.ok()) first_error = std::move(st);
  };

  // AS_PATH and AS4_PATH positions in the pools, merged at the end.
  size_t path_seg_begin = 0, path_seg_end = 0, path_asn_begin = 0, path_asn_end = 0;
  size_t p4_seg_begin = 0, p4_seg_end = 0, p4_asn_begin = 0, p4_asn_end = 0;
  bool has_path = false, has_path4 = false, path4_error = false;
  bool has_as4_aggregator = false;
  uint32_t as4_aggregator_as = 0;
  IpAddress as4_aggregator_addr;
  size_t comm_begin = communities_.size(), large_begin = large_.size();
  size_t cluster_begin = clusters_.size(), unknown_begin = unknown_.size();
  bool has_comm = false, has_large = false, has_cluster = false;

  const uint8_t* p = block.data();
  const uint8_t* end = p + block.size();
  while (p < end) {
    if (end - p < 3) {
      note(DataLoss("attribute header truncated (" + std::to_string(end - p) + " bytes left)"));
      break;
    }
    const uint8_t flags = p[0];
    const uint8_t type = p[1];
    size_t len;
    if (flags & kAttrFlagExtendedLength) {
      if (end - p < 4) {
        note(DataLoss("attribute header truncated"));
        break;
      }
      len = Get16(p + 2);
      p += 4;
    } else {
      len = p[2];
      p += 3;
    }
    if (static_cast<size_t>(end - p) < len) {
      note(DataLoss("attribute type " + std::to_string(type) + " length " + std::to_string(len) +
                    " overruns the attribute block (" + std::to_string(end - p) + " bytes left)"));
      break;
    }
    const uint8_t* v = p;
    p += len;
    const bool seen = out->present.has(type);
    out->present.set(type);
    if (seen && type != kAttrMpReachNlri && type != kAttrMpUnreachNlri) {
      // RFC 7606 §3(g): keep the first occurrence.
      note(DataLoss("duplicate attribute type " + std::to_string(type)));
      continue;
    }
    Cursor c(v, len);
    switch (type) {
      case kAttrOrigin:
        out->origin = static_cast<Origin>(c.U8());
        if (len != 1) note(Malformed("ORIGIN", "length " + std::to_string(len)));
        break;
      case kAttrAsPath:
      case kAttrAs4Path: {
        const bool is4 = type == kAttrAs4Path;
        const int asn_len = (is4 || options.as4) ? 4 : 2;
        const size_t sb = segments_.size(), ab = asns_.size();
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
          segments_.push_back(AsPathSegment{static_cast<SegmentType>(st), 0, n});
          const uint8_t* a = v + i + 2;
          if (asn_len == 4) {
            for (int k = 0; k < n; ++k) asns_.push_back(Get32(a + 4 * k));
          } else {
            for (int k = 0; k < n; ++k) asns_.push_back(Get16(a + 2 * k));
          }
          i += 2 + size_t{n} * asn_len;
        }
        if (bad) {
          segments_.resize(sb);
          asns_.resize(ab);
          note(Malformed(is4 ? "AS4_PATH" : "AS_PATH", "bad segment at byte " + std::to_string(i)));
        }
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
        out->next_hop = IpAddress::V4(c.U32());
        if (len != 4) note(Malformed("NEXT_HOP", "length " + std::to_string(len)));
        break;
      case kAttrMed:
        out->med = c.U32();
        if (len != 4) note(Malformed("MULTI_EXIT_DISC", "length " + std::to_string(len)));
        break;
      case kAttrLocalPref:
        out->local_pref = c.U32();
        if (len != 4) note(Malformed("LOCAL_PREF", "length " + std::to_string(len)));
        break;
      case kAttrAtomicAggregate:
        out->atomic_aggregate = true;
        break;
      case kAttrAggregator:
        // Read as far as it goes (bgpdump does the same with a 4-octet AGGREGATOR in an AS2
        // context); a length mismatch is not reported because real daemons write it.
        out->has_aggregator = true;
        out->aggregator_as = options.as4 ? c.U32() : c.U16();
        out->aggregator_addr = IpAddress::V4(c.U32());
        break;
      case kAttrAs4Aggregator:
        has_as4_aggregator = true;
        as4_aggregator_as = c.U32();
        as4_aggregator_addr = IpAddress::V4(c.U32());
        if (len != 8) note(Malformed("AS4_AGGREGATOR", "length " + std::to_string(len)));
        break;
      case kAttrCommunities:
        has_comm = true;
        for (size_t i = 0; i + 4 <= len; i += 4) communities_.push_back(Get32(v + i));
        if (len % 4) note(Malformed("COMMUNITIES", "length " + std::to_string(len)));
        break;
      case kAttrLargeCommunities:
        has_large = true;
        for (size_t i = 0; i + 12 <= len; i += 12) {
          large_.push_back(LargeCommunity{Get32(v + i), Get32(v + i + 4), Get32(v + i + 8)});
        }
        if (len % 12) note(Malformed("LARGE_COMMUNITIES", "length " + std::to_string(len)));
        break;
      case kAttrOriginatorId:
        out->has_originator_id = true;
        out->originator_id = IpAddress::V4(c.U32());
        if (len != 4) note(Malformed("ORIGINATOR_ID", "length " + std::to_string(len)));
        break;
      case kAttrClusterList:
        has_cluster = true;
        for (size_t i = 0; i + 4 <= len; i += 4) clusters_.push_back(Get32(v + i));
        if (len % 4) note(Malformed("CLUSTER_LIST", "length " + std::to_string(len)));
        break;
      case kAttrMpReachNlri: {
        if (seen) {
          note(DataLoss("duplicate attribute type 14"));
          break;
        }
        out->has_mp_next_hop = true;
        size_t nh_len;
        const uint8_t* nh;
        if (len > 0 && v[0] != 0) {
          // RFC 6396 §4.3.4 abbreviated form (bgpdump recognises it by a non-zero first byte).
          out->mp_abbreviated = true;
          nh_len = v[0];
          nh = v + 1;
          if (nh_len > len - 1) {
            note(Malformed("MP_REACH_NLRI", "next hop length " + std::to_string(nh_len)));
            nh_len = len - 1;
          }
        } else {
          if (len < 5) {
            note(Malformed("MP_REACH_NLRI", "length " + std::to_string(len)));
            out->has_mp_next_hop = false;
            break;
          }
          out->mp_afi = Get16(v);
          out->mp_safi = v[2];
          nh_len = v[3];
          nh = v + 4;
          size_t pos = 4 + nh_len;
          if (pos + 1 > len) {
            note(Malformed("MP_REACH_NLRI", "next hop length " + std::to_string(nh_len)));
            nh_len = std::min(nh_len, len - 4);
            pos = len;
          } else {
            // SNPAs (RFC 2858; defunct): count, then length-prefixed entries.
            uint8_t snpas = v[pos++];
            for (; snpas > 0 && pos < len; --snpas) pos += 1 + v[pos];
            if (pos > len) {
              note(Malformed("MP_REACH_NLRI", "SNPA overruns the attribute"));
              pos = len;
            }
          }
          if (mp) {
            mp->reach.present = true;
            mp->reach.afi = out->mp_afi;
            mp->reach.safi = out->mp_safi;
            mp->reach.nlri = std::span<const uint8_t>(v + pos, len - pos);
          }
        }
        out->mp_next_hop_length = static_cast<uint8_t>(nh_len);
        uint8_t buf[16] = {};
        std::memcpy(buf, nh, std::min<size_t>(nh_len, 16));
        const bool v6 = out->mp_abbreviated ? nh_len >= 16 : out->mp_afi == kAfiIpv6;
        out->mp_next_hop = IpAddress::FromBytes(v6 ? Family::kIPv6 : Family::kIPv4, buf);
        if (v6 && nh_len >= 32) {
          out->has_mp_next_hop_local = true;
          out->mp_next_hop_local =
              IpAddress::FromBytes(Family::kIPv6, std::span<const uint8_t>(nh + 16, 16));
        }
        break;
      }
      case kAttrMpUnreachNlri:
        if (seen) {
          note(DataLoss("duplicate attribute type 15"));
          break;
        }
        if (len < 3) {
          note(Malformed("MP_UNREACH_NLRI", "length " + std::to_string(len)));
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
        unknown_.push_back(RawAttribute{flags, type, std::span<const uint8_t>(v, len)});
        break;
    }
  }

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
        segments_.push_back(AsPathSegment{s.type, 0, take});
        for (uint16_t k = 0; k < take; ++k) asns_.push_back(asns[ai + k]);
        want -= set ? 1 : take;
        ai += s.count;
      }
      for (const auto& s : segs4) segments_.push_back(s);
      for (uint32_t a : asns4) asns_.push_back(a);
      segs = std::span<const AsPathSegment>(segments_.data() + sb, segments_.size() - sb);
      asns = std::span<const uint32_t>(asns_.data() + ab, asns_.size() - ab);
    }
  }
  out->as_path.segments = segs;
  out->as_path.asns = asns;
  if (has_comm) {
    out->communities = std::span<const Community>(communities_.data() + comm_begin,
                                                  communities_.size() - comm_begin);
  }
  if (has_large) {
    out->large_communities =
        std::span<const LargeCommunity>(large_.data() + large_begin, large_.size() - large_begin);
  }
  if (has_cluster) {
    out->cluster_list = std::span<const uint32_t>(clusters_.data() + cluster_begin,
                                                  clusters_.size() - cluster_begin);
  }
  out->unknown = std::span<const RawAttribute>(unknown_.data() + unknown_begin,
                                               unknown_.size() - unknown_begin);
  return first_error;
}

Status DecodeNlri(std::span<const uint8_t> bytes, Family family, bool add_path,
                  std::vector<NlriPrefix>* out) {
  const int max_bits = family == Family::kIPv4 ? 32 : 128;
  const uint8_t* p = bytes.data();
  const uint8_t* end = p + bytes.size();
  while (p < end) {
    uint32_t path_id = 0;
    if (add_path) {
      if (end - p < 5) return DataLoss("NLRI truncated in a path identifier");
      path_id = Get32(p);
      p += 4;
    }
    const int bits = *p++;
    if (bits > max_bits) {
      return DataLoss("NLRI prefix length " + std::to_string(bits) + " exceeds " +
                      std::to_string(max_bits));
    }
    const int nbytes = (bits + 7) / 8;
    if (end - p < nbytes) {
      return DataLoss("NLRI prefix /" + std::to_string(bits) + " truncated (" +
                      std::to_string(end - p) + " of " + std::to_string(nbytes) + " bytes)");
    }
    uint8_t buf[16] = {};
    std::memcpy(buf, p, nbytes);
    p += nbytes;
    if (bits % 8) buf[nbytes - 1] &= static_cast<uint8_t>(0xFF << (8 - bits % 8));
    out->push_back(
        NlriPrefix{Prefix(IpAddress::FromBytes(family, buf), static_cast<uint8_t>(bits)), path_id});
  }
  return Status::Ok();
}

}  // namespace blackout::mrt
