// AttributePools: the arrays an AttributeDecoder decodes variable-length attributes into (AS path
// segments and ASNs, communities, cluster lists, undecoded attributes). The Attributes it returns
// point into them. Room is made per record, or per block, for the most one block of n bytes can
// hold, so the pools never move while a record is decoded. Internal to the mrt module. Not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "blackout/mrt/attributes.h"
#include "blackout/mrt/internal/pool.h"

namespace blackout::mrt::internal {

struct AttributePools {
  Pool<AsPathSegment> segments;
  Pool<uint32_t> asns;
  Pool<Community> communities;
  Pool<LargeCommunity> large;
  Pool<uint32_t> clusters;
  Pool<RawAttribute> unknown;

  // Room one attribute block of `n` bytes can need: each entry consumes at least this many input
  // bytes (merged AS paths at most double the ASN count).
  static constexpr size_t SegmentRoom(size_t n) { return n; }
  static constexpr size_t AsnRoom(size_t n) { return 2 * n; }
  static constexpr size_t CommunityRoom(size_t n) { return n / 4; }
  static constexpr size_t LargeRoom(size_t n) { return n / 12; }
  static constexpr size_t ClusterRoom(size_t n) { return n / 4; }
  static constexpr size_t UnknownRoom(size_t n) { return n / 3; }

  void Clear() {
    segments.clear();
    asns.clear();
    communities.clear();
    large.clear();
    clusters.clear();
    unknown.clear();
  }
  // Makes room for `n` bytes of attribute blocks (existing entries move if a pool grows).
  void Reserve(size_t n) {
    segments.Reserve(SegmentRoom(n));
    asns.Reserve(AsnRoom(n));
    communities.Reserve(CommunityRoom(n));
    large.Reserve(LargeRoom(n));
    clusters.Reserve(ClusterRoom(n));
    unknown.Reserve(UnknownRoom(n));
  }
  bool HasRoom(size_t n) const {
    return asns.room() >= AsnRoom(n) && segments.room() >= SegmentRoom(n) &&
           communities.room() >= CommunityRoom(n) && large.room() >= LargeRoom(n) &&
           clusters.room() >= ClusterRoom(n) && unknown.room() >= UnknownRoom(n);
  }
};

}  // namespace blackout::mrt::internal
