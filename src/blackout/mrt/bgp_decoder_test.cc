#include "blackout/mrt/bgp_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "blackout/mrt/format.h"

namespace blackout::mrt {
namespace {

using Bytes = std::vector<uint8_t>;

// One attribute: flags, type, value (extended length chosen when the value needs it).
Bytes Attr(uint8_t flags, uint8_t type, const Bytes& value) {
  Bytes b{flags, type};
  if (value.size() > 255 || (flags & kAttrFlagExtendedLength)) {
    b[0] |= kAttrFlagExtendedLength;
    b.push_back(static_cast<uint8_t>(value.size() >> 8));
  }
  b.push_back(static_cast<uint8_t>(value.size()));
  b.insert(b.end(), value.begin(), value.end());
  return b;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes U16(uint16_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes U32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// AS_PATH value from segments (type, asns); 2- or 4-octet ASNs.
Bytes Path(std::initializer_list<std::pair<uint8_t, std::vector<uint32_t>>> segs, bool as4) {
  Bytes b;
  for (const auto& [type, asns] : segs) {
    b.push_back(type);
    b.push_back(static_cast<uint8_t>(asns.size()));
    for (uint32_t a : asns) {
      Bytes x = as4 ? U32(a) : U16(static_cast<uint16_t>(a));
      b.insert(b.end(), x.begin(), x.end());
    }
  }
  return b;
}

struct Decoded {
  Status status;
  Attributes attrs;
  MpInfo mp;
};

class AttrTest : public ::testing::Test {
 protected:
  Decoded Decode(const Bytes& block, bool as4 = true) {
    block_ = block;
    dec_.Reset(block_.size());
    Decoded d;
    d.status = dec_.Decode(block_, AttrDecodeOptions{as4, false}, &d.attrs, &d.mp);
    return d;
  }
  std::string PathText(const Attributes& a) {
    std::string s;
    AppendAsPath(a, s);
    return s;
  }
  AttributeDecoder dec_;
  Bytes block_;
};

TEST_F(AttrTest, Origin) {
  auto d = Decode(Attr(0x40, kAttrOrigin, {2}));
  ASSERT_TRUE(d.status.ok());
  EXPECT_TRUE(d.attrs.present.has(kAttrOrigin));
  EXPECT_EQ(d.attrs.origin, Origin::kIncomplete);
}

TEST_F(AttrTest, OriginWrongLengthIsReported) {
  auto d = Decode(Attr(0x40, kAttrOrigin, {0, 0}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(d.status.message().find("ORIGIN"), std::string::npos);
}

TEST_F(AttrTest, AsPathSequenceAndSet4Octet) {
  auto d = Decode(Attr(0x40, kAttrAsPath, Path({{2, {3333, 4200000000u}}, {1, {7, 8}}}, true)));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  ASSERT_EQ(d.attrs.as_path.segments.size(), 2u);
  EXPECT_EQ(d.attrs.as_path.segments[0].type, SegmentType::kAsSequence);
  EXPECT_EQ(d.attrs.as_path.segments[1].type, SegmentType::kAsSet);
  EXPECT_EQ(d.attrs.as_path.asns.size(), 4u);
  EXPECT_EQ(PathText(d.attrs), "3333 4200000000 {7,8}");
  EXPECT_EQ(d.attrs.as_path.OriginAs(), 0u);  // ends in a set
}

TEST_F(AttrTest, AsPathConfederationSegments) {
  auto d = Decode(
      Attr(0x40, kAttrAsPath, Path({{3, {65001, 65002}}, {4, {65003, 65004}}, {2, {1, 2}}}, true)));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(PathText(d.attrs), "(65001 65002) [65003,65004] 1 2");
  EXPECT_EQ(d.attrs.as_path.OriginAs(), 2u);
}

TEST_F(AttrTest, AsPath2OctetMergedWithAs4Path) {
  // RFC 6793 §4.2.3: AS_PATH "1 2 23456 23456", AS4_PATH "196608 196609" -> "1 2 196608 196609".
  auto d = Decode(Cat({Attr(0x40, kAttrAsPath, Path({{2, {1, 2, 23456, 23456}}}, false)),
                       Attr(0xC0, kAttrAs4Path, Path({{2, {196608, 196609}}}, true))}),
                  /*as4=*/false);
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_EQ(PathText(d.attrs), "1 2 196608 196609");
  EXPECT_EQ(d.attrs.as_path.OriginAs(), 196609u);
}

TEST_F(AttrTest, As4PathLongerThanAsPathIsIgnored) {
  auto d = Decode(Cat({Attr(0x40, kAttrAsPath, Path({{2, {1, 23456}}}, false)),
                       Attr(0xC0, kAttrAs4Path, Path({{2, {5, 6, 7}}}, true))}),
                  false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(PathText(d.attrs), "1 23456");
}

TEST_F(AttrTest, As4PathIgnoredWhenAggregatorIsNotAsTrans) {
  auto d = Decode(Cat({Attr(0x40, kAttrAsPath, Path({{2, {1, 23456}}}, false)),
                       Attr(0xC0, kAttrAggregator, Cat({U16(64512), U32(0x0A000001)})),
                       Attr(0xC0, kAttrAs4Aggregator, Cat({U32(4200000000u), U32(0x0A000002)})),
                       Attr(0xC0, kAttrAs4Path, Path({{2, {196608}}}, true))}),
                  false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(PathText(d.attrs), "1 23456");
  EXPECT_EQ(d.attrs.aggregator_as, 64512u);
}

TEST_F(AttrTest, As4AggregatorReplacesAsTrans) {
  auto d = Decode(Cat({Attr(0xC0, kAttrAggregator, Cat({U16(23456), U32(0x0A000001)})),
                       Attr(0xC0, kAttrAs4Aggregator, Cat({U32(4200000000u), U32(0x0A000002)}))}),
                  false);
  ASSERT_TRUE(d.status.ok());
  ASSERT_TRUE(d.attrs.has_aggregator);
  EXPECT_EQ(d.attrs.aggregator_as, 4200000000u);
  EXPECT_EQ(d.attrs.aggregator_addr.ToString(), "10.0.0.2");
}

TEST_F(AttrTest, MalformedAsPathSegmentType) {
  auto d = Decode(Attr(0x40, kAttrAsPath, Bytes{9, 1, 0, 0, 0, 1}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(d.attrs.as_path_error);
  EXPECT_TRUE(d.attrs.as_path.empty());
  EXPECT_EQ(PathText(d.attrs), "! Error !");
}

TEST_F(AttrTest, MalformedAsPathSegmentOverrun) {
  auto d = Decode(Attr(0x40, kAttrAsPath, Bytes{2, 3, 0, 0, 0, 1}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(d.attrs.as_path_error);
}

TEST_F(AttrTest, NextHopMedLocalPrefAtomicAggregate) {
  auto d =
      Decode(Cat({Attr(0x40, kAttrNextHop, U32(0xC0000201)), Attr(0x80, kAttrMed, U32(7)),
                  Attr(0x40, kAttrLocalPref, U32(100)), Attr(0x40, kAttrAtomicAggregate, {})}));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.attrs.next_hop.ToString(), "192.0.2.1");
  EXPECT_EQ(d.attrs.med, 7u);
  EXPECT_EQ(d.attrs.local_pref, 100u);
  EXPECT_TRUE(d.attrs.atomic_aggregate);
  EXPECT_TRUE(d.attrs.present.has(kAttrAtomicAggregate));
}

TEST_F(AttrTest, NextHopWrongLength) {
  auto d = Decode(Attr(0x40, kAttrNextHop, {1, 2}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
}

TEST_F(AttrTest, Aggregator4OctetInAs2ContextReadAsFarAsItGoes) {
  // What OpenBGPD writes into TABLE_DUMP v1; bgpdump prints "0 253.232.192.168".
  auto d = Decode(Attr(0xC0, kAttrAggregator, Cat({U32(65000), U32(0xC0A8000F)})), false);
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.attrs.aggregator_as, 0u);
  EXPECT_EQ(d.attrs.aggregator_addr.ToString(), "253.232.192.168");
}

TEST_F(AttrTest, Communities) {
  auto d = Decode(Attr(0xC0, kAttrCommunities,
                       Cat({U32(0xFDE80064), U32(0xFFFFFF01), U32(0xFFFFFF02), U32(0xFFFFFF03)})));
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.attrs.communities.size(), 4u);
  EXPECT_EQ(d.attrs.communities[0], 0xFDE80064u);
  std::string s;
  AppendCommunities(d.attrs, s);
  EXPECT_EQ(s, "65000:100 no-export no-advertise local-AS");
}

TEST_F(AttrTest, CommunitiesBadLength) {
  auto d = Decode(Attr(0xC0, kAttrCommunities, {0, 1, 0, 2, 9}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(d.attrs.communities.size(), 1u);
}

TEST_F(AttrTest, LargeCommunities) {
  auto d = Decode(Attr(0xC0, kAttrLargeCommunities, Cat({U32(4200000000u), U32(1), U32(2)})));
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.attrs.large_communities.size(), 1u);
  EXPECT_EQ(d.attrs.large_communities[0].global_admin, 4200000000u);
  EXPECT_EQ(d.attrs.large_communities[0].local2, 2u);
  auto bad = Decode(Attr(0xC0, kAttrLargeCommunities, Bytes(13, 0)));
  EXPECT_EQ(bad.status.code(), StatusCode::kDataLoss);
}

TEST_F(AttrTest, OriginatorIdAndClusterList) {
  auto d = Decode(Cat({Attr(0x80, kAttrOriginatorId, U32(0x01020304)),
                       Attr(0x80, kAttrClusterList, Cat({U32(1), U32(2)}))}));
  ASSERT_TRUE(d.status.ok());
  ASSERT_TRUE(d.attrs.has_originator_id);
  EXPECT_EQ(d.attrs.originator_id.ToString(), "1.2.3.4");
  ASSERT_EQ(d.attrs.cluster_list.size(), 2u);
  EXPECT_EQ(d.attrs.cluster_list[1], 2u);
}

TEST_F(AttrTest, UnknownAttributesKeptRaw) {
  auto d = Decode(Cat({Attr(0xC0, kAttrExtCommunities, Bytes{0, 2, 0, 1, 0, 0, 0, 5}),
                       Attr(0xE0, 99, Bytes{0xAB})}));
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(d.attrs.unknown.size(), 2u);
  EXPECT_EQ(d.attrs.unknown[0].type, kAttrExtCommunities);
  EXPECT_EQ(d.attrs.unknown[0].value.size(), 8u);
  EXPECT_EQ(d.attrs.unknown[1].type, 99);
  EXPECT_EQ(d.attrs.unknown[1].flags, 0xE0);
  EXPECT_EQ(d.attrs.unknown[1].value[0], 0xAB);
}

TEST_F(AttrTest, MpReachIpv6WithLinkLocal) {
  Bytes nh(32, 0);
  nh[0] = 0x20, nh[1] = 0x01, nh[15] = 1;    // 2001::1
  nh[16] = 0xfe, nh[17] = 0x80, nh[31] = 2;  // fe80::2
  Bytes v = Cat({U16(2), {1}, {32}, nh, {0}, {32, 0x20, 0x01, 0x0d, 0xb8}});
  auto d = Decode(Attr(0x80, kAttrMpReachNlri, v));
  ASSERT_TRUE(d.status.ok()) << d.status.ToString();
  EXPECT_TRUE(d.attrs.has_mp_next_hop);
  EXPECT_EQ(d.attrs.mp_next_hop.ToString(), "2001::1");
  EXPECT_TRUE(d.attrs.has_mp_next_hop_local);
  EXPECT_EQ(d.attrs.mp_next_hop_local.ToString(), "fe80::2");
  ASSERT_TRUE(d.mp.reach.present);
  EXPECT_EQ(d.mp.reach.afi, 2);
  std::vector<NlriPrefix> pfx;
  ASSERT_TRUE(DecodeNlri(d.mp.reach.nlri, Family::kIPv6, false, &pfx).ok());
  ASSERT_EQ(pfx.size(), 1u);
  EXPECT_EQ(pfx[0].prefix.ToString(), "2001:db8::/32");
}

// Every field of two Attributes, compared one by one (spans by content).
void ExpectSameAttributes(const Attributes& x, const Attributes& y) {
  EXPECT_EQ(x.present.bits(), y.present.bits());
  EXPECT_EQ(x.origin, y.origin);
  EXPECT_EQ(x.as_path_error, y.as_path_error);
  EXPECT_EQ(x.as_path.segments.size(), y.as_path.segments.size());
  EXPECT_TRUE(std::equal(x.as_path.asns.begin(), x.as_path.asns.end(), y.as_path.asns.begin(),
                         y.as_path.asns.end()));
  EXPECT_EQ(x.next_hop, y.next_hop);
  EXPECT_EQ(x.med, y.med);
  EXPECT_EQ(x.local_pref, y.local_pref);
  EXPECT_EQ(x.atomic_aggregate, y.atomic_aggregate);
  EXPECT_EQ(x.has_aggregator, y.has_aggregator);
  EXPECT_EQ(x.aggregator_as, y.aggregator_as);
  EXPECT_EQ(x.aggregator_addr, y.aggregator_addr);
  EXPECT_TRUE(std::equal(x.communities.begin(), x.communities.end(), y.communities.begin(),
                         y.communities.end()));
  EXPECT_EQ(x.large_communities.size(), y.large_communities.size());
  EXPECT_EQ(x.has_originator_id, y.has_originator_id);
  EXPECT_EQ(x.originator_id, y.originator_id);
  EXPECT_TRUE(std::equal(x.cluster_list.begin(), x.cluster_list.end(), y.cluster_list.begin(),
                         y.cluster_list.end()));
  EXPECT_EQ(x.has_mp_next_hop, y.has_mp_next_hop);
  EXPECT_EQ(x.mp_abbreviated, y.mp_abbreviated);
  EXPECT_EQ(x.mp_afi, y.mp_afi);
  EXPECT_EQ(x.mp_safi, y.mp_safi);
  EXPECT_EQ(x.mp_next_hop_length, y.mp_next_hop_length);
  EXPECT_EQ(x.mp_next_hop, y.mp_next_hop);
  EXPECT_EQ(x.has_mp_next_hop_local, y.has_mp_next_hop_local);
  EXPECT_EQ(x.mp_next_hop_local, y.mp_next_hop_local);
  EXPECT_EQ(x.unknown.size(), y.unknown.size());
}

// Decode() only resets the fields of attributes the previous decode into the same Attributes saw
// (the RIB hot path reuses them): nothing of a full attribute set may leak into a sparse one.
TEST_F(AttrTest, ReusedAttributesKeepNothingFromThePreviousDecode) {
  Bytes nh(32, 0);
  nh[0] = 0x20, nh[1] = 0x01, nh[15] = 1;
  nh[16] = 0xfe, nh[17] = 0x80, nh[31] = 2;
  const Bytes full =
      Cat({Attr(0x40, kAttrOrigin, {1}),
           Attr(0x40, kAttrAsPath, Path({{2, {3333, 4200000000u}}, {1, {7, 8}}}, true)),
           Attr(0x40, kAttrNextHop, U32(0xC0000201)), Attr(0x80, kAttrMed, U32(7)),
           Attr(0x40, kAttrLocalPref, U32(100)), Attr(0x40, kAttrAtomicAggregate, {}),
           Attr(0xC0, kAttrAggregator, Cat({U32(65000), U32(0x0A000001)})),
           Attr(0xC0, kAttrCommunities, Cat({U32(0xFFFFFF01), U32(0x00010002)})),
           Attr(0xC0, kAttrLargeCommunities, Cat({U32(1), U32(2), U32(3)})),
           Attr(0x80, kAttrOriginatorId, U32(0x01020304)),
           Attr(0x80, kAttrClusterList, Cat({U32(1), U32(2)})),
           Attr(0x80, kAttrMpReachNlri, Cat({U16(2), {1}, {32}, nh, {0}})),
           Attr(0xC0, kAttrExtCommunities, Bytes{0, 2, 0, 1, 0, 0, 0, 5})});
  const Bytes sparse_blocks[] = {
      Attr(0x40, kAttrOrigin, {2}),
      Cat({Attr(0x40, kAttrAsPath, Path({{2, {1}}}, true)),
           Attr(0x80, kAttrMpReachNlri, Bytes{4, 10, 0, 0, 1})}),  // abbreviated, IPv4
      Bytes{},
  };
  for (const Bytes& sparse : sparse_blocks) {
    Bytes record = Cat({full, sparse});
    dec_.Reset(record.size());
    std::span<const uint8_t> all(record);
    Attributes reused;
    ASSERT_TRUE(
        dec_.Decode(all.first(full.size()), AttrDecodeOptions{true, true}, &reused, nullptr).ok());
    ASSERT_TRUE(reused.present.has(kAttrMpReachNlri));
    ASSERT_TRUE(reused.has_mp_next_hop_local);
    Status st1 =
        dec_.Decode(all.subspan(full.size()), AttrDecodeOptions{true, true}, &reused, nullptr);
    Attributes fresh;
    Status st2 =
        dec_.Decode(all.subspan(full.size()), AttrDecodeOptions{true, true}, &fresh, nullptr);
    EXPECT_EQ(st1.ok(), st2.ok());
    ExpectSameAttributes(reused, fresh);
  }
}

TEST_F(AttrTest, MpReachAbbreviatedRibForm) {
  Bytes v = {16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
  auto d = Decode(Attr(0x80, kAttrMpReachNlri, v));
  ASSERT_TRUE(d.status.ok());
  EXPECT_TRUE(d.attrs.mp_abbreviated);
  EXPECT_EQ(d.attrs.mp_next_hop.ToString(), "2001:db8::9");
  EXPECT_FALSE(d.mp.reach.present);
}

TEST_F(AttrTest, MpReachNextHopOverrun) {
  auto d = Decode(Attr(0x80, kAttrMpReachNlri, Cat({U16(2), {1}, {32}, Bytes(10, 0)})));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
}

TEST_F(AttrTest, MpUnreach) {
  auto d = Decode(Attr(0x80, kAttrMpUnreachNlri, Cat({U16(1), {1}, {24, 10, 1, 2}})));
  ASSERT_TRUE(d.status.ok());
  ASSERT_TRUE(d.mp.unreach.present);
  EXPECT_EQ(d.mp.unreach.afi, 1);
  EXPECT_EQ(d.mp.unreach.nlri.size(), 4u);
  auto bad = Decode(Attr(0x80, kAttrMpUnreachNlri, {0, 1}));
  EXPECT_EQ(bad.status.code(), StatusCode::kDataLoss);
}

TEST_F(AttrTest, AttributeOverrunningTheBlockIsReportedAndEarlierOnesKept) {
  Bytes block = Cat({Attr(0x40, kAttrOrigin, {0}), Bytes{0x40, kAttrAsPath, 50, 2, 1}});
  auto d = Decode(block);
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(d.status.message().find("overruns"), std::string::npos);
  EXPECT_TRUE(d.attrs.present.has(kAttrOrigin));
  EXPECT_FALSE(d.attrs.present.has(kAttrAsPath));
}

TEST_F(AttrTest, TruncatedAttributeHeader) {
  auto d = Decode(Bytes{0x40, 1});
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
}

TEST_F(AttrTest, DuplicateAttributeKeepsFirst) {
  auto d = Decode(Cat({Attr(0x80, kAttrMed, U32(1)), Attr(0x80, kAttrMed, U32(2))}));
  EXPECT_EQ(d.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(d.attrs.med, 1u);
}

TEST_F(AttrTest, ExtendedLengthAttribute) {
  Bytes comms;
  for (uint32_t i = 0; i < 100; ++i) {
    Bytes c = U32(i);
    comms.insert(comms.end(), c.begin(), c.end());
  }
  auto d = Decode(Attr(0xC0, kAttrCommunities, comms));
  ASSERT_TRUE(d.status.ok());
  EXPECT_EQ(d.attrs.communities.size(), 100u);
}

TEST_F(AttrTest, EmptyBlock) {
  auto d = Decode({});
  EXPECT_TRUE(d.status.ok());
  EXPECT_EQ(d.attrs.present.bits(), 0u);
}

TEST(NlriTest, Ipv4WithHostBitsIsMasked) {
  Bytes b = {13, 11, 13};  // 11.13.0.0/13 on the wire
  std::vector<NlriPrefix> out;
  ASSERT_TRUE(DecodeNlri(b, Family::kIPv4, false, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].prefix.ToString(), "11.8.0.0/13");
}

TEST(NlriTest, AddPath) {
  Bytes b = {0, 0, 0, 7, 24, 10, 0, 1, 0, 0, 0, 8, 0};
  std::vector<NlriPrefix> out;
  ASSERT_TRUE(DecodeNlri(b, Family::kIPv4, true, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].path_id, 7u);
  EXPECT_EQ(out[0].prefix.ToString(), "10.0.1.0/24");
  EXPECT_EQ(out[1].path_id, 8u);
  EXPECT_EQ(out[1].prefix.ToString(), "0.0.0.0/0");
}

TEST(NlriTest, TooLongPrefixLength) {
  std::vector<NlriPrefix> out;
  Status st = DecodeNlri(Bytes{33, 1, 2, 3, 4, 5}, Family::kIPv4, false, &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(DecodeNlri(Bytes{129}, Family::kIPv6, false, &out).ok());
}

TEST(NlriTest, TruncatedPrefixKeepsEarlierOnes) {
  std::vector<NlriPrefix> out;
  Status st = DecodeNlri(Bytes{8, 10, 24, 1}, Family::kIPv4, false, &out);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].prefix.ToString(), "10.0.0.0/8");
}

TEST(NlriTest, TruncatedPathId) {
  std::vector<NlriPrefix> out;
  EXPECT_FALSE(DecodeNlri(Bytes{0, 0, 1}, Family::kIPv4, true, &out).ok());
}

}  // namespace
}  // namespace blackout::mrt
