// Unit tests of the probe module's pure parts: keyed hash, safety policy, hitlist and record
// formats, ICMP codec, validation, belief, pacing, index permutation.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "blackout/probe/belief.h"
#include "blackout/probe/census.h"
#include "blackout/probe/hitlist.h"
#include "blackout/probe/icmp.h"
#include "blackout/probe/internal/siphash.h"
#include "blackout/probe/pacer.h"
#include "blackout/probe/records.h"
#include "blackout/probe/safety.h"
#include "blackout/probe/validation.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

uint32_t A(const char* text) { return IpAddress::Parse(text)->v4(); }

TEST(SipHash, ReferenceVectors) {
  // Aumasson & Bernstein's reference vectors: key 00..0f, messages 00.. of length 0 and 8.
  internal::SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  EXPECT_EQ(internal::SipHash24(key, {}), 0x726fdb47dd0e0e31ULL);
  const uint64_t eight[1] = {0x0706050403020100ULL};
  EXPECT_EQ(internal::SipHash24(key, eight), 0x93f5f5799a932462ULL);
}

TEST(Safety, BuiltinBlocksSpecialRangesUnlessAllowed) {
  SafetyPolicy p;
  for (const char* a : {"10.1.2.3", "127.0.0.1", "192.168.1.1", "198.18.5.7", "198.19.255.255",
                        "224.0.0.1", "255.255.255.255", "100.64.0.1", "192.0.2.200"}) {
    EXPECT_FALSE(p.Allowed(A(a))) << a;
    EXPECT_NE(p.WhyBlocked(A(a)), "") << a;
  }
  EXPECT_TRUE(p.Allowed(A("8.8.8.8")));
  EXPECT_TRUE(p.Allowed(A("198.20.0.1")));
  EXPECT_NE(p.WhyBlocked(A("198.18.0.1")).find("benchmarking"), std::string::npos);
  ASSERT_TRUE(p.AllowSpecial(*Prefix::Parse("198.18.0.0/15")).ok());
  EXPECT_TRUE(p.Allowed(A("198.18.5.7")));
  EXPECT_TRUE(p.Allowed(A("198.19.255.255")));
  EXPECT_FALSE(p.Allowed(A("10.1.2.3")));  // the allowlist names only what it names
}

TEST(Safety, UserBlocklistWinsOverAllowlist) {
  testing::TempDir dir;
  testing::WriteFile(dir / "block", "# comment\n198.18.7.0/24\n\n 198.18.9.128/25 # half\n");
  SafetyPolicy p;
  ASSERT_TRUE(p.AllowSpecial(*Prefix::Parse("198.18.0.0/15")).ok());
  ASSERT_TRUE(p.LoadUserBlocklist(dir / "block").ok());
  EXPECT_FALSE(p.Allowed(A("198.18.7.1")));
  EXPECT_NE(p.WhyBlocked(A("198.18.7.1")).find("line 2"), std::string::npos);
  EXPECT_TRUE(p.Allowed(A("198.18.9.127")));
  EXPECT_FALSE(p.Allowed(A("198.18.9.128")));
  EXPECT_TRUE(p.Allowed(A("198.18.8.1")));

  testing::WriteFile(dir / "bad", "1.2.3.0/24\nnot-a-prefix\n");
  Status st = SafetyPolicy().LoadUserBlocklist(dir / "bad");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.where().line, 2u);
}

TEST(Safety, NestedRangesFound) {
  Ipv4RangeSet s;
  s.Add(*Prefix::Parse("10.0.0.0/8"), "big");
  s.Add(*Prefix::Parse("10.1.0.0/16"), "mid");
  s.Add(*Prefix::Parse("10.1.2.0/24"), "small");
  s.Add(*Prefix::Parse("11.0.0.0/8"), "next");
  s.Finish();
  EXPECT_EQ(*s.Find(A("10.1.2.3")), "small");
  EXPECT_EQ(*s.Find(A("10.1.3.3")), "mid");
  EXPECT_EQ(*s.Find(A("10.200.0.1")), "big");  // after the nested ones, still inside the /8
  EXPECT_EQ(*s.Find(A("11.0.0.1")), "next");
  EXPECT_EQ(s.Find(A("9.255.255.255")), nullptr);
  EXPECT_EQ(s.Find(A("12.0.0.0")), nullptr);
}

TEST(Hitlist, RoundTripAndOctets) {
  Hitlist h;
  HitlistEntry a{A("198.18.5.0"), 0.3047f, {}};
  for (unsigned o = 0; o < 256; ++o) a.addresses.Add(o);
  HitlistEntry b{A("198.18.9.0"), 1.0f, {}};
  for (unsigned o : {1u, 2u, 3u, 7u, 10u, 11u, 255u}) b.addresses.Add(o);
  h.entries = {a, b};
  std::string text = FormatHitlist(h);
  EXPECT_NE(text.find("198.18.5.0/24\t0.3047\t0-255\n"), std::string::npos);
  EXPECT_NE(text.find("198.18.9.0/24\t1.0000\t1-3,7,10-11,255\n"), std::string::npos);
  auto back = ParseHitlist(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->entries.size(), 2u);
  EXPECT_EQ(back->entries[0].addresses, a.addresses);
  EXPECT_EQ(back->entries[1].addresses, b.addresses);
  EXPECT_NEAR(back->entries[0].availability, 0.3047, 1e-6);
  EXPECT_EQ(b.addresses.Count(), 7u);
  EXPECT_EQ(b.addresses.Nth(0), 1u);
  EXPECT_EQ(b.addresses.Nth(3), 7u);
  EXPECT_EQ(b.addresses.Nth(6), 255u);
}

TEST(Hitlist, RejectsMalformedLinesWithTheirNumber) {
  const std::string h = std::string(kHitlistHeader) + "\n";
  struct Case {
    std::string text;
    uint64_t line;
  };
  for (const Case& c : std::vector<Case>{
           {"nope\n", 1},
           {h + "198.18.5.1/24\t1\t1\n", 2},                       // host bits
           {h + "198.18.5.0/24\t1.5\t1\n", 2},                     // A > 1
           {h + "198.18.5.0/24\t1\t3,2\n", 2},                     // not ascending
           {h + "198.18.5.0/24\t1\t1-256\n", 2},                   // octet out of range
           {h + "198.18.5.0/24\t1\t\n", 2},                        // empty E
           {h + "198.18.5.0/24\t1\t1,\n", 2},                      // trailing comma
           {h + "198.18.6.0/24\t1\t1\n198.18.5.0/24\t1\t1\n", 3},  // unsorted
           {h + "198.18.5.0/24 1 1\n", 2},                         // spaces, not TABs
       }) {
    auto r = ParseHitlist(c.text, "x");
    EXPECT_FALSE(r.ok()) << c.text;
    if (!r.ok()) {
      EXPECT_EQ(r.status().where().line, c.line) << c.text;
    }
  }
}

TEST(Icmp, BuildAndParseEcho) {
  Echo e{A("198.18.5.7"), 0xbeef, 0x1234, {1, 2, 3, 4, 5, 6, 7, 8}};
  uint8_t req[kEchoSize];
  BuildEchoRequest(e, req);
  EXPECT_EQ(req[0], kIcmpEchoRequest);
  EXPECT_EQ(InternetChecksum(req), 0);  // a correct checksum sums to zero

  // A reply as a raw socket delivers it: IPv4 header + ICMP.
  uint8_t d[kIpv4MinHeader + kEchoSize] = {0x45, 0, 0,   sizeof d, 0, 0, 0x40, 0,  64,  kProtoIcmp,
                                           0,    0, 198, 18,       5, 7, 198,  19, 255, 1};
  BuildEchoReply(e, std::span<uint8_t>(d + kIpv4MinHeader, kEchoSize));
  Echo got;
  ASSERT_EQ(ParseEchoReply(d, &got), ParseResult::kOk);
  EXPECT_EQ(got, e);

  EXPECT_EQ(ParseEchoReply(std::span<const uint8_t>(d, 30), &got), ParseResult::kTruncated);
  uint8_t bad[sizeof d];
  std::copy(d, d + sizeof d, bad);
  bad[kIpv4MinHeader + 10] ^= 1;
  EXPECT_EQ(ParseEchoReply(bad, &got), ParseResult::kBadChecksum);
  std::copy(d, d + sizeof d, bad);
  bad[kIpv4MinHeader] = kIcmpEchoRequest;
  EXPECT_EQ(ParseEchoReply(bad, &got), ParseResult::kNotEchoReply);
  std::copy(d, d + sizeof d, bad);
  bad[9] = 17;
  EXPECT_EQ(ParseEchoReply(bad, &got), ParseResult::kNotIcmp);
  std::copy(d, d + sizeof d, bad);
  bad[6] = 0x20;  // more fragments
  EXPECT_EQ(ParseEchoReply(bad, &got), ParseResult::kFragment);
}

TEST(Validation, AcceptsOwnRepliesAndRejectsForgeries) {
  ProbeTagger t = ProbeTagger::FromSeed(7);
  Echo e = t.Make(A("198.18.5.7"), 41);
  auto s = t.Validate(e);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(*s, 41);
  // Same fields from another source address: the hash of the source does not match.
  Echo moved = e;
  moved.addr = A("198.18.5.8");
  EXPECT_FALSE(t.Validate(moved).has_value());
  Echo bad_tag = e;
  bad_tag.tag[3] ^= 0x10;
  EXPECT_FALSE(t.Validate(bad_tag).has_value());
  // A different serial with the old tag (a guessed sequence number) is rejected.
  Echo bad_seq = e;
  bad_seq.seq ^= 1;
  EXPECT_FALSE(t.Validate(bad_seq).has_value());
  // Another key (another run) does not accept it.
  EXPECT_FALSE(ProbeTagger::FromSeed(8).Validate(e).has_value());
  // Identifiers differ across destinations (no constant id to spoof).
  std::set<uint16_t> ids;
  for (uint32_t i = 0; i < 64; ++i) ids.insert(t.Make(A("198.18.0.0") + i, 0).id);
  EXPECT_GT(ids.size(), 60u);
}

TEST(Belief, BayesUpdateAndCaps) {
  BeliefParams p;
  // One reply from a down block with A = 0.99: odds 0.0101 * 990 = 10 -> 0.909 -> UP.
  double b = UpdateBelief(0.01, 0.99, true, p);
  EXPECT_NEAR(b, 0.0099 / (0.0099 + 0.001 * 0.99), 1e-9);
  EXPECT_EQ(Classify(b, p), BlockState::kUp);
  // Caps.
  EXPECT_EQ(UpdateBelief(0.99, 0.99, true, p), 0.99);
  EXPECT_EQ(UpdateBelief(0.01, 0.99, false, p), 0.01);
  // A = 1 is clamped to 0.99: one non-reply does not make the block DOWN at once.
  b = UpdateBelief(0.99, 1.0, false, p);
  EXPECT_EQ(Classify(b, p), BlockState::kUncertain);
  // A = 0.3 needs many non-replies in a row to reach DOWN from UP.
  b = 0.99;
  int n = 0;
  while (Classify(b, p) != BlockState::kDown) {
    b = UpdateBelief(b, 0.3, false, p);
    ++n;
  }
  EXPECT_GE(n, 15);
  EXPECT_EQ(BlockStateName(BlockState::kUncertain), "UNCERTAIN");
}

TEST(Pacer, NeverExceedsRate) {
  Pacer p(1000, 0);  // one packet per ms
  uint64_t total = 0;
  for (int64_t t = 0; t < 1'000'000'000; t += 3'700'000) {  // wake every 3.7 ms
    uint64_t n = p.Allowance(t);
    p.Consume(n);
    total += n;
    EXPECT_LE(total, static_cast<uint64_t>(t / 1'000'000) + 1);
  }
  EXPECT_GE(total, 990u);
  // A long stall forfeits its credit: the burst after it is at most max_lag worth.
  EXPECT_LE(p.Allowance(10'000'000'000), 11u);
}

TEST(IndexPermutation, IsABijection) {
  ProbeTagger t = ProbeTagger::FromSeed(3);
  for (uint64_t n : {1ull, 2ull, 3ull, 255ull, 256ull, 1000ull, 4096ull}) {
    IndexPermutation perm(n, t);
    std::vector<bool> seen(n, false);
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t x = perm(i);
      ASSERT_LT(x, n);
      EXPECT_FALSE(seen[x]) << n;
      seen[x] = true;
    }
  }
  // Consecutive indexes are scattered, not sequential.
  IndexPermutation perm(65536, t);
  int adjacent = 0;
  for (uint64_t i = 0; i + 1 < 1000; ++i) adjacent += perm(i + 1) == perm(i) + 1;
  EXPECT_LT(adjacent, 5);
}

TEST(Records, FormatParseRoundTrip) {
  RoundReport r;
  r.index = 1;
  r.start_ns = 1700000020LL * 1'000'000'000;
  r.round_ns = 20LL * 1'000'000'000;
  r.changes = {{A("198.18.2.0"), BlockState::kUp, BlockState::kUncertain, 0.0902,
                1700000031LL * 1'000'000'000},
               {A("198.18.2.0"), BlockState::kUncertain, BlockState::kDown, 0.01,
                1700000032LL * 1'000'000'000}};
  r.counts = {{"country/XA", 2, 3}};
  r.eligible = 3;
  r.up = 2;
  r.down = 1;
  r.sent = 5;
  r.matched = 2;
  std::string text = std::string(kRecordsHeader) + "\n" + FormatRound(r, "vp1");
  EXPECT_EQ(text,
            "#blackout-probe-records v1\n"
            "STATE\t1700000020\tvp1\t198.18.2.0/24\tUP\tUNCERTAIN\t0.0902\t1700000031\n"
            "STATE\t1700000020\tvp1\t198.18.2.0/24\tUNCERTAIN\tDOWN\t0.0100\t1700000032\n"
            "COUNT\t1700000020\tvp1\tcountry/XA\t2\t3\n"
            "ROUND\t1700000020\tvp1\t1\t20\t3\t2\t1\t0\t5\t2\n");
  auto recs = ParseRecords(text);
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->states.size(), 2u);
  EXPECT_EQ(recs->states[1].to, BlockState::kDown);
  EXPECT_EQ(recs->states[1].at, 1700000032);
  ASSERT_EQ(recs->counts.size(), 1u);
  EXPECT_EQ(recs->counts[0].up, 2u);
  ASSERT_EQ(recs->rounds.size(), 1u);

  // A round cut short (no ROUND line) is dropped.
  auto cut =
      ParseRecords(text + "STATE\t1700000040\tvp1\t198.18.2.0/24\tDOWN\tUP\t0.9090\t1700000041\n");
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->states.size(), 2u);
  // Malformed lines fail with their number.
  auto bad = ParseRecords(text + "ROUND\t1700000040\tvp1\t2\t20\t3\t3\t1\t0\t5\t2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where().line, 6u);
  EXPECT_FALSE(ParseRecords(text + "COUNT\t1\tvp 1\tcountry/XA\t1\t1\n").ok());
  EXPECT_FALSE(
      ParseRecords("#blackout-probe-records v1\nSTATE\t1\tv\t1.2.3.0/24\tUP\tDOWN\t0.05\t1\n")
          .ok());
  EXPECT_FALSE(ValidateVantage("a b").ok());
  EXPECT_TRUE(ValidateVantage("vp-fra1.x_y").ok());
}

}  // namespace
}  // namespace blackout::probe
