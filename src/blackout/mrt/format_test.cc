#include "blackout/mrt/format.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

namespace blackout::mrt {
namespace {

std::string Ip(const char* text) {
  std::string s;
  AppendIp(IpAddress::Parse(text).value(), s);
  return s;
}

TEST(FormatIpTest, Ipv4) {
  EXPECT_EQ(Ip("0.0.0.0"), "0.0.0.0");
  EXPECT_EQ(Ip("255.255.255.255"), "255.255.255.255");
  EXPECT_EQ(Ip("10.20.30.4"), "10.20.30.4");
}

TEST(FormatIpTest, Ipv6LikeBgpdump) {
  // bgpdump's own fmt_ipv6: the first longest zero run, even a single group, becomes "::".
  EXPECT_EQ(Ip("2001:7f8:30:0:2:1:0:8447"), "2001:7f8:30::2:1:0:8447");
  EXPECT_EQ(Ip("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(Ip("fe80::"), "fe80::");
  EXPECT_EQ(Ip("::"), "::");
  EXPECT_EQ(Ip("::1"), "::1");
  EXPECT_EQ(Ip("::ffff:192.168.2.1"), "::ffff:192.168.2.1");
  EXPECT_EQ(Ip("::192.168.1.2"), "::192.168.1.2");
  EXPECT_EQ(Ip("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
  EXPECT_EQ(Ip("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
  EXPECT_EQ(Ip("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
}

Attributes BasicAttrs() {
  Attributes a;
  a.present.set(kAttrOrigin);
  a.present.set(kAttrNextHop);
  a.origin = Origin::kIgp;
  a.next_hop = IpAddress::Parse("192.0.2.1").value();
  return a;
}

// A BGP4MP announcement of 10.0.0.0/8 from peer 198.18.0.1.
Element Announce(const Attributes& a, uint32_t time, uint32_t peer_as) {
  Element e;
  e.type = ElementType::kAnnounce;
  e.source = ElementSource::kBgp4mp;
  e.time = time;
  e.peer_ip = IpAddress::Parse("198.18.0.1").value();
  e.peer_as = peer_as;
  e.prefix = Prefix::Parse("10.0.0.0/8").value();
  e.attrs = &a;
  return e;
}

TEST(FormatLineTest, Bgp4mpAnnounceWithoutOptionalAttributes) {
  Attributes a = BasicAttrs();
  Element e = Announce(a, 1000, 65000);
  std::string s;
  AppendBgpdumpLine(e, s);
  EXPECT_EQ(s, "BGP4MP|1000|A|198.18.0.1|65000|10.0.0.0/8||IGP|192.0.2.1|0|0||NAG||\n");
}

TEST(FormatLineTest, MissingOriginAndNextHop) {
  Attributes a;  // nothing present
  Element e;
  e.type = ElementType::kRibEntry;
  e.source = ElementSource::kTableDump2;
  e.time = 5;
  e.peer_ip = IpAddress::Parse("198.18.0.1").value();
  e.prefix = Prefix::Parse("10.0.0.0/8").value();
  e.attrs = &a;
  std::string s;
  AppendBgpdumpLine(e, s);
  EXPECT_EQ(s, "TABLE_DUMP2|5|B|198.18.0.1|0|10.0.0.0/8||INCOMPLETE|255.255.255.255|0|0||NAG||\n");
}

TEST(FormatLineTest, EtWithdrawAddPathLocal) {
  Element e;
  e.type = ElementType::kWithdraw;
  e.source = ElementSource::kBgp4mpEt;
  e.local = true;
  e.has_path_id = true;
  e.path_id = 9;
  e.time = 7;
  e.microseconds = 42;
  e.peer_ip = IpAddress::Parse("2001:db8::1").value();
  e.peer_as = 1;
  e.prefix = Prefix::Parse("2001:db8:1::/48").value();
  std::string s;
  AppendBgpdumpLine(e, s);
  EXPECT_EQ(s, "BGP4MP_ET_LOCAL_AP|7.000042|W|2001:db8::1|1|2001:db8:1::/48|9\n");
}

TEST(FormatLineTest, StateChange) {
  Element e;
  e.type = ElementType::kStateChange;
  e.source = ElementSource::kBgp4mp;
  e.time = 3;
  e.peer_ip = IpAddress::Parse("198.18.0.2").value();
  e.peer_as = 2;
  e.old_state = 1;
  e.new_state = 2;
  std::string s;
  AppendBgpdumpLine(e, s);
  EXPECT_EQ(s, "BGP4MP|3|STATE|198.18.0.2|2|1|2\n");
}

TEST(FormatLineTest, CommunitiesAtomicAggregateAggregator) {
  Attributes a = BasicAttrs();
  Community c[] = {0x00010002u, 0xFFFFFF01u};
  a.present.set(kAttrCommunities);
  a.communities = c;
  a.present.set(kAttrAtomicAggregate);
  a.atomic_aggregate = true;
  a.has_aggregator = true;
  a.aggregator_as = 7;
  a.aggregator_addr = IpAddress::Parse("10.0.0.1").value();
  a.present.set(kAttrMed);
  a.med = 5;
  Element e;
  e.type = ElementType::kAnnounce;
  e.source = ElementSource::kBgp;
  e.time = 1;
  e.peer_ip = IpAddress::Parse("198.18.0.1").value();
  e.peer_as = 3;
  e.prefix = Prefix::Parse("10.0.0.0/8").value();
  e.attrs = &a;
  std::string s;
  AppendBgpdumpLine(e, s);
  // Type-5 lines run the communities into the MED (as bgpdump does).
  EXPECT_EQ(s, "BGP|1|A|198.18.0.1|3|10.0.0.0/8||IGP|192.0.2.1|0|51:2 no-export|AG|7 10.0.0.1|\n");
  e.source = ElementSource::kBgp4mp;
  s.clear();
  AppendBgpdumpLine(e, s);
  EXPECT_EQ(s,
            "BGP4MP|1|A|198.18.0.1|3|10.0.0.0/8||IGP|192.0.2.1|0|5|1:2 no-export|AG|7 10.0.0.1|\n");
}

TEST(FormatLineTest, AsPathCutLikeBgpdump) {
  std::vector<uint32_t> asns(2000, 4200000000u);
  AsPathSegment seg{SegmentType::kAsSequence, 0, 2000};
  Attributes a;
  a.present.set(kAttrAsPath);
  a.as_path.segments = std::span<const AsPathSegment>(&seg, 1);
  a.as_path.asns = asns;
  std::string s;
  AppendAsPath(a, s);
  ASSERT_GT(s.size(), 7900u);
  EXPECT_LT(s.size(), 8000u);
  EXPECT_EQ(s.substr(s.size() - 3), "...");
}

TEST(FormatLineTest, ManyEmptySegmentsFitTheLineBuffer) {
  std::vector<AsPathSegment> segs(20000, AsPathSegment{SegmentType::kAsSet, 0, 0});
  Attributes a;
  a.present.set(kAttrAsPath);
  a.as_path.segments = segs;
  Element e;
  e.type = ElementType::kAnnounce;
  e.source = ElementSource::kBgp4mp;
  e.peer_ip = IpAddress::Parse("198.18.0.1").value();
  e.prefix = Prefix::Parse("10.0.0.0/8").value();
  e.attrs = &a;
  TextBuffer buf;
  AppendBgpdumpLines(std::span<const Element>(&e, 1), buf);
  std::string path;
  AppendAsPath(a, path);
  EXPECT_EQ(path.size(), 20000u * 2);  // "{}{}...{}": bgpdump puts no space after an empty set
  EXPECT_NE(buf.view().find(path), std::string::npos);
}

// TextBuffer keeps the text of recent times, peers and prefixes from record to record: lines must
// come out exactly as from a fresh buffer, whatever was formatted before (same time with and
// without microseconds, peers colliding in the cache, same address with another AS, ...).
TEST(FormatLineTest, CachedTextMatchesFreshFormatting) {
  std::vector<Attributes> attrs(300, BasicAttrs());
  std::vector<Element> elements;
  for (int i = 0; i < 300; ++i) {
    Attributes& a = attrs[static_cast<size_t>(i)];
    if (i % 2 == 0) {  // RIB lines print this one (as IPv6 text)
      a.present.set(kAttrMpReachNlri);
      a.has_mp_next_hop = true;
      a.mp_abbreviated = true;
      a.mp_next_hop = i % 4 ? IpAddress::Parse("2001:db8::" + std::to_string(i % 70)).value()
                            : IpAddress::V4(0x0A000000u + static_cast<uint32_t>(i % 9));
    }
    Element e;
    e.type = i % 3 == 0 ? ElementType::kRibEntry : ElementType::kAnnounce;
    e.source = i % 3 == 0   ? (i % 2 ? ElementSource::kTableDump : ElementSource::kTableDump2)
               : i % 3 == 1 ? ElementSource::kBgp4mpEt
                            : ElementSource::kBgp4mp;
    e.time = 1000 + (i / 3) % 2;  // neighbours share it, e.g. an ET line with 0 us, then a BGP4MP
    e.microseconds = i % 5 == 0 ? 0 : 42;
    e.peer_ip = i % 7 == 0 ? IpAddress::Parse("2001:db8::" + std::to_string(i % 50)).value()
                           : IpAddress::V4(0xC6120000u + static_cast<uint32_t>(i % 97));
    e.peer_as = 65000 + static_cast<uint32_t>(i % 4);
    e.prefix = Prefix::Parse(i % 4 ? "10.0.0.0/8" : "2001:db8::/32").value();
    e.attrs = &a;
    elements.push_back(e);
  }
  TextBuffer shared;
  std::string expected;
  for (const Element& e : elements) {
    AppendBgpdumpLines(std::span<const Element>(&e, 1), shared);  // one record per element
    TextBuffer fresh;
    AppendBgpdumpLine(e, fresh);
    expected += fresh.view();
  }
  EXPECT_EQ(shared.view(), expected);
  EXPECT_NE(expected.find("BGP4MP_ET|1001.000000|A|"), std::string::npos);  // element 10
  EXPECT_NE(expected.find("BGP4MP|1001|A|"), std::string::npos);            // element 11
  EXPECT_NE(expected.find("TABLE_DUMP2|1000|B|"), std::string::npos);
}

// Communities are written digit-block-wise and their text is cached by value across records:
// every value, of every digit count, colliding in the cache or not, comes out as "high:low".
TEST(FormatLineTest, CommunitiesOfEveryLengthThroughTheCache) {
  std::mt19937 rng(7);
  std::vector<std::vector<Community>> sets;
  const std::vector<Community> edges = {0x00000000u, 0xFFFFFFFFu, 0x0009000Au, 0x00630064u,
                                        0x03E703E8u, 0x270F2710u, 0xFFFF0000u, 0xFFFFFF02u,
                                        0x0000FFFFu, 0xFFFFFF00u, 0xFFFFFF04u};
  sets.push_back(edges);
  for (int i = 0; i < 400; ++i) {
    std::vector<Community> set;
    for (int k = 0; k < 1 + i % 30; ++k) {
      // Half from a small pool (cache hits), half anywhere (misses and collisions).
      set.push_back(k % 2 ? rng() : 0x0D1C0000u + rng() % 64);
    }
    sets.push_back(set);
  }
  auto text = [](Community c) {
    if (c == 0xFFFFFF01u) return std::string("no-export");
    if (c == 0xFFFFFF02u) return std::string("no-advertise");
    if (c == 0xFFFFFF03u) return std::string("local-AS");
    return std::to_string(c >> 16) + ":" + std::to_string(c & 0xFFFF);
  };
  TextBuffer buf;
  std::string expected;
  std::vector<Attributes> attrs(sets.size(), BasicAttrs());
  for (size_t i = 0; i < sets.size(); ++i) {
    Attributes& a = attrs[i];
    a.present.set(kAttrCommunities);
    a.communities = sets[i];
    Element e = Announce(a, 1, 3);
    AppendBgpdumpLines(std::span<const Element>(&e, 1), buf);  // one record each
    std::string line;
    for (size_t k = 0; k < sets[i].size(); ++k) line += (k ? " " : "") + text(sets[i][k]);
    expected += "BGP4MP|1|A|198.18.0.1|3|10.0.0.0/8||IGP|192.0.2.1|0|0|" + line + "|NAG||\n";
  }
  EXPECT_EQ(buf.view(), expected);
  EXPECT_NE(expected.find("0:0 65535:65535 9:10 99:100 999:1000 9999:10000 65535:0 no-advertise "
                          "0:65535 65535:65280 65535:65284"),
            std::string::npos);
}

TEST(FormatJsonTest, Announce) {
  Attributes a = BasicAttrs();
  Element e;
  e.type = ElementType::kAnnounce;
  e.source = ElementSource::kBgp4mp;
  e.time = 1000;
  e.peer_ip = IpAddress::Parse("198.18.0.1").value();
  e.peer_as = 65000;
  e.prefix = Prefix::Parse("10.0.0.0/8").value();
  e.next_hop = a.next_hop;
  e.attrs = &a;
  std::string s;
  AppendJson(e, s);
  EXPECT_EQ(s,
            "{\"type\":\"A\",\"source\":\"BGP4MP\",\"time\":1000,\"peer_ip\":\"198.18.0.1\","
            "\"peer_as\":65000,\"prefix\":\"10.0.0.0/8\",\"as_path\":\"\",\"origin\":\"IGP\","
            "\"next_hop\":\"192.0.2.1\",\"communities\":[],\"atomic_aggregate\":false}");
}

}  // namespace
}  // namespace blackout::mrt
