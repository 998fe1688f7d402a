#include "blackout/rislive/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "blackout/rislive/internal/raw.h"

namespace blackout::rislive {
namespace {

// The first message of morrowc-rislive/1k-msgs (rrc19, one IPv4 announcement).
constexpr std::string_view kAnnounce =
    R"({"type":"ris_message","data":{"timestamp":1558620047.08,"peer":"196.60.9.165",)"
    R"("peer_asn":"57695","id":"196.60.9.165-1558620047.08-11924763","raw":"FFFFFFFFFFFFFFFFFFF)"
    R"(FFFFFFFFFFFFF003E02000000234001010040020A02020000E15F00009312400304C43C09A5E00808E15F2EE0E)"
    R"(15F2EE118C43246","host":"rrc19","type":"UPDATE","path":[57695,37650],"community":[[57695,)"
    R"(12000],[57695,12001]],"origin":"igp","announcements":[{"next_hop":"196.60.9.165",)"
    R"("prefixes":["196.50.70.0/24"]}]}})";

// morrowc-rislive/fail-as-set: a path ending in an AS_SET, and an IPv6 MP_REACH whose link-local
// second next hop RIS Live lists as a second announcement group.
constexpr std::string_view kAsSet =
    R"({"type":"ris_message","data":{"timestamp":1573830861.72,"peer":"2001:504:1::a500:2497:1",)"
    R"("peer_asn":"2497","id":"11-2001-504-1-a500-2497-1-439516","raw":"FFFFFFFFFFFFFFFFFFFFFFFF)"
    R"(FFFFFFFF00700200000059400101024002180204000009C10000193500004911000066A901010000341CC0070)"
    R"(8000066A90A010021900E002B0002012020010504000100000000A50024970001FE8000000000000086C1C1FF)"
    R"(FE7D629800242607FFC010","host":"rrc11","type":"UPDATE","path":[2497,6453,18705,26281,[1)"
    R"(3340]],"origin":"incomplete","aggregator":"26281:10.1.0.33","announcements":[{"next_hop":)"
    R"("2001:504:1::a500:2497:1","prefixes":["2607:ffc0:1000::/36"]},{"next_hop":"fe80::86c1:c1)"
    R"(ff:fe7d:6298","prefixes":["2607:ffc0:1000::/36"]}]}})";

// 1k-msgs line 34: rrc03 peer AS20495 on a session without 4-octet ASNs (2-octet AS_PATH).
constexpr std::string_view kAs2Session =
    R"({"type":"ris_message","data":{"timestamp":1558620047.14,"peer":"80.249.208.107","peer_as)"
    R"(n":"20495","id":"80.249.208.107-1558620047.14-4099770","raw":"FFFFFFFFFFFFFFFFFFFFFFFFFF)"
    R"(FFFFFF0054020000003D4001010040020E0206500F21070D1C00AE511C316EC00706FF710A1DA9C0800E1C00)"
    R"(02011000000000000000000000FFFF50F9D06B0030200107FBFE0D","host":"rrc03","type":"UPDATE",")"
    R"(path":[20495,8455,3356,174,20764,12654],"origin":"igp","announcements":[{"next_hop":"::f)"
    R"(fff:80.249.208.107","prefixes":["2001:7fb:fe0d::/48"]}]}})";

std::vector<uint32_t> OriginsOf(const mrt::Element& e) {
  const auto& path = e.attrs->as_path;
  const auto& last = path.segments.back();
  if (last.type == mrt::SegmentType::kAsSequence) return {path.asns.back()};
  return std::vector<uint32_t>(path.asns.end() - last.count, path.asns.end());
}

TEST(ParserTest, UpdateFromRawIsTheMrtDecodersElement) {
  Parser parser;
  auto m = parser.Parse(kAnnounce);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->kind, MessageKind::kUpdate);
  EXPECT_EQ((*m)->update_source, UpdateSource::kRaw);
  EXPECT_EQ((*m)->collector, "rrc19");
  EXPECT_EQ((*m)->peer_ip.ToString(), "196.60.9.165");
  EXPECT_EQ((*m)->peer_asn, 57695u);
  EXPECT_EQ((*m)->time, 1558620047u);
  EXPECT_EQ((*m)->microseconds, 80000u);
  ASSERT_EQ((*m)->elements.size(), 1u);
  const mrt::Element& e = (*m)->elements[0];
  EXPECT_EQ(e.type, mrt::ElementType::kAnnounce);
  EXPECT_EQ(e.prefix.ToString(), "196.50.70.0/24");
  EXPECT_EQ(e.peer_ip.ToString(), "196.60.9.165");
  EXPECT_EQ(e.peer_as, 57695u);
  EXPECT_EQ(e.next_hop.ToString(), "196.60.9.165");
  EXPECT_EQ(e.time, 1558620047u);
  EXPECT_EQ(e.microseconds, 80000u);
  EXPECT_EQ(OriginsOf(e), std::vector<uint32_t>{37650});
}

TEST(ParserTest, JsonFieldsGiveTheSameElementsAsRaw) {
  for (std::string_view text : {kAnnounce, kAsSet}) {
    Parser raw;
    Parser json(ParserOptions{.prefer_raw = false});
    auto a = raw.Parse(text);
    auto b = json.Parse(text);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ((*b)->update_source, UpdateSource::kJson);
    ASSERT_EQ((*a)->elements.size(), (*b)->elements.size()) << text;
    for (size_t i = 0; i < (*a)->elements.size(); ++i) {
      const mrt::Element& x = (*a)->elements[i];
      const mrt::Element& y = (*b)->elements[i];
      EXPECT_EQ(x.type, y.type);
      EXPECT_EQ(x.prefix, y.prefix);
      EXPECT_EQ(x.next_hop, y.next_hop);
      EXPECT_EQ(x.peer_ip, y.peer_ip);
      EXPECT_EQ(OriginsOf(x), OriginsOf(y));
      EXPECT_EQ(x.attrs->as_path.segments.size(), y.attrs->as_path.segments.size());
      EXPECT_EQ(x.attrs->origin, y.attrs->origin);
    }
  }
}

TEST(ParserTest, TwoOctetSessionRawIsReadWithTwoOctetPaths) {
  Parser parser;
  auto m = parser.Parse(kAs2Session);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->update_source, UpdateSource::kRaw);
  ASSERT_EQ((*m)->elements.size(), 1u);
  const mrt::Element& e = (*m)->elements[0];
  EXPECT_EQ(e.peer_as, 20495u);
  EXPECT_EQ(e.prefix.ToString(), "2001:7fb:fe0d::/48");
  EXPECT_EQ(e.attrs->as_path.asns.size(), 6u);
  EXPECT_EQ(OriginsOf(e), std::vector<uint32_t>{12654});
}

TEST(ParserTest, AsSetPathEndsInASetSegment) {
  Parser parser(ParserOptions{.prefer_raw = false});
  auto m = parser.Parse(kAsSet);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ((*m)->elements.size(), 1u);  // the link-local group is the same route
  const auto& path = (*m)->elements[0].attrs->as_path;
  ASSERT_EQ(path.segments.size(), 2u);
  EXPECT_EQ(path.segments[0].type, mrt::SegmentType::kAsSequence);
  EXPECT_EQ(path.segments[0].count, 4);
  EXPECT_EQ(path.segments[1].type, mrt::SegmentType::kAsSet);
  EXPECT_EQ(OriginsOf((*m)->elements[0]), std::vector<uint32_t>{13340});
  EXPECT_EQ((*m)->elements[0].prefix.ToString(), "2607:ffc0:1000::/36");
}

TEST(ParserTest, WithdrawalsWithoutRaw) {
  Parser parser;
  auto m = parser.Parse(
      R"({"type":"ris_message","data":{"timestamp":1.5,"peer":"10.0.0.1","peer_asn":64500,)"
      R"("host":"RRC21.ripe.net","type":"UPDATE","withdrawals":["192.0.2.0/24","2001:db8::/32"]}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->update_source, UpdateSource::kJson);
  EXPECT_EQ((*m)->collector, "rrc21");
  EXPECT_EQ((*m)->peer_asn, 64500u);
  ASSERT_EQ((*m)->elements.size(), 2u);
  EXPECT_EQ((*m)->elements[0].type, mrt::ElementType::kWithdraw);
  EXPECT_EQ((*m)->elements[1].prefix.ToString(), "2001:db8::/32");
  EXPECT_EQ((*m)->elements[1].microseconds, 500000u);
}

TEST(ParserTest, PeerStateIsAStateChangeElement) {
  Parser parser;
  auto m = parser.Parse(
      R"({"type": "ris_message", "data": {"timestamp": 1553625081.88, "peer": "195.66.224.59",)"
      R"( "peer_asn": "24931", "id": "x", "host": "rrc01", "type": "RIS_PEER_STATE",)"
      R"( "state": "down"}})");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->kind, MessageKind::kPeerState);
  EXPECT_FALSE((*m)->peer_up);
  ASSERT_EQ((*m)->elements.size(), 1u);
  EXPECT_EQ((*m)->elements[0].type, mrt::ElementType::kStateChange);
  EXPECT_EQ((*m)->elements[0].old_state, 6);
  EXPECT_EQ((*m)->elements[0].new_state, 1);
  EXPECT_EQ((*m)->elements[0].peer_as, 24931u);
}

TEST(ParserTest, ErrorAndControlMessages) {
  Parser parser;
  auto m =
      parser.Parse(R"({"type":"ris_error","data":{"message":"this is a test error message"}})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->kind, MessageKind::kError);
  EXPECT_EQ((*m)->error, "this is a test error message");
  m = parser.Parse(R"({"type":"pong","data":null})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ((*m)->kind, MessageKind::kControl);
  EXPECT_EQ((*m)->type, "pong");
}

TEST(ParserTest, MalformedMessagesSayWhy) {
  Parser parser;
  struct Case {
    std::string_view text, why;
  } cases[] = {
      {R"({"type": "ris_message", "data": {"timestamp": 1, "type": "KEEPALIVE")", "invalid JSON"},
      {R"([1,2])", "not an object"},
      {R"({"data":{}})", "without a type"},
      {R"({"type":"ris_message","data":{"type":"BOGUS"}})", "unknown ris_message type"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4","peer_asn":"1","type":"UPDATE"}})",
       "without host"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"x","peer_asn":"1","host":"r","type":"UPDATE"}})",
       "not an IP address"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4","peer_asn":"99999999999","host":"r","type":"UPDATE"}})",
       "not an ASN"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4","peer_asn":"1","host":"r","type":"UPDATE","raw":"FFZ"}})",
       "odd number"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4","peer_asn":"1","host":"r","type":"UPDATE","raw":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"}})",
       "BGP message type 4"},
      {R"({"type":"ris_message","data":{"timestamp":1,"peer":"1.2.3.4","peer_asn":"1","host":"r","type":"UPDATE","raw":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00FF02"}})",
       "raw: "},
      {R"({"type":"ris_error","data":{}} x)", "invalid JSON"},
  };
  for (const Case& c : cases) {
    auto m = parser.Parse(c.text);
    ASSERT_FALSE(m.ok()) << c.text;
    EXPECT_EQ(m.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(m.status().message().find(c.why), std::string::npos)
        << c.text << " -> " << m.status().message();
  }
}

TEST(ParserTest, RawInBase64) {
  std::vector<uint8_t> hex, b64;
  ASSERT_TRUE(internal::DecodeRawText("FFFFFFFF0013FF", &hex).ok());
  ASSERT_TRUE(internal::DecodeRawText("/////wAT/w==", &b64).ok());
  EXPECT_EQ(hex, b64);
  std::vector<uint8_t> bad;
  EXPECT_FALSE(internal::DecodeRawText("////*", &bad).ok());
}

TEST(ParserTest, ParseLinesReportsAndSkips) {
  std::string text = std::string(kAnnounce) + "\n\n{\"type\":\n" + std::string(kAsSet);
  Parser parser;
  std::vector<uint64_t> lines;
  std::vector<LineProblem> problems;
  LineStats s = ParseLines(
      parser, text, [&](uint64_t line, const Message&) { lines.push_back(line); },
      [&](const LineProblem& p) { problems.push_back(p); });
  EXPECT_EQ(s.lines, 4u);
  EXPECT_EQ(s.messages, 2u);
  EXPECT_EQ(s.elements, 2u);
  EXPECT_EQ(lines, (std::vector<uint64_t>{1, 4}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 3u);
  EXPECT_EQ(problems[0].ToString().rfind("line 3: invalid JSON", 0), 0u);
}

TEST(CollectorNameTest, ArchiveNames) {
  EXPECT_EQ(CollectorName("rrc00"), "rrc00");
  EXPECT_EQ(CollectorName("rrc21.ripe.net"), "rrc21");
  EXPECT_EQ(CollectorName("RRC03.RIPE.NET"), "rrc03");
  EXPECT_EQ(CollectorName(".ripe.net"), ".ripe.net");
}

}  // namespace
}  // namespace blackout::rislive
