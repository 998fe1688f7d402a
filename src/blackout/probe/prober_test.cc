// The prober and the census against FakeNetwork in simulated time: rounds, Bayesian state changes,
// adaptive probing, address rotation, pacing, validation of forged and stale replies, per-entity
// counts, and the safety guard.
#include "blackout/probe/prober.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "blackout/probe/census.h"
#include "blackout/probe/fake_network.h"
#include "blackout/probe/records.h"

namespace blackout::probe {
namespace {

constexpr int64_t kS = kNanosPerSecond;
constexpr int64_t kStart = 1'700'000'000 * kS;
uint32_t A(const char* text) { return IpAddress::Parse(text)->v4(); }
uint32_t Block(int i) { return A("198.18.0.0") + (static_cast<uint32_t>(i) << 8); }

// n blocks 198.18.i.0/24 with E = octets 1..100 and availability a.
std::vector<HitlistEntry> Blocks(int n, float a = 1.0f) {
  std::vector<HitlistEntry> v;
  for (int i = 0; i < n; ++i) {
    HitlistEntry e{Block(i), a, {}};
    for (unsigned o = 1; o <= 100; ++o) e.addresses.Add(o);
    v.push_back(e);
  }
  return v;
}

ProberOptions Options() {
  ProberOptions o;
  o.vantage = "vp-test";
  o.round_ns = 60 * kS;
  o.timeout_ns = 1 * kS;
  o.rate_pps = 1000;
  return o;
}

// A world where blocks can be cut for a time interval, and some answer only partially.
struct World {
  std::map<uint32_t, std::pair<int64_t, int64_t>> cut;  // base -> [from, until)
  std::set<uint32_t> partial;                           // answer only octets with o % 10 < 3
  int64_t delay_ns = 2'000'000;
  FakeResponse operator()(uint32_t dst, int64_t now) const {
    uint32_t base = dst & ~255u;
    if (auto it = cut.find(base);
        it != cut.end() && now >= it->second.first && now < it->second.second) {
      return {false, 0};
    }
    if (partial.count(base) && (dst & 255) % 10 >= 3) return {false, 0};
    return {true, delay_ns};
  }
};

struct SimRun {
  std::vector<RoundReport> rounds;
  FakeClock clock{kStart};
  std::unique_ptr<FakeNetwork> net;
  std::unique_ptr<Prober> prober;
  ProbeTagger tagger = ProbeTagger::FromSeed(11);

  SimRun(const World& world, std::vector<HitlistEntry> blocks, ProberOptions o = Options(),
         const EntityMapper* mapper = nullptr) {
    net = std::make_unique<FakeNetwork>(clock,
                                        [&world](uint32_t d, int64_t t) { return world(d, t); });
    net->set_record(true);
    prober = std::make_unique<Prober>(o, std::move(blocks), mapper, clock, *net, tagger, kStart);
  }
  void Rounds(int n) {
    for (int i = 0; i < n; ++i) {
      auto r = prober->RunRound();
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      rounds.push_back(std::move(r).value());
    }
  }
};

TEST(Prober, StablePeriodHasNoDownBlockAndOneProbePerBlockPerRound) {
  World w;
  SimRun run(w, Blocks(50));
  run.Rounds(5);
  for (const RoundReport& r : run.rounds) {
    EXPECT_TRUE(r.changes.empty());
    EXPECT_EQ(r.up, 50u);
    EXPECT_EQ(r.down, 0u);
    EXPECT_EQ(r.sent, 50u);
    EXPECT_EQ(r.matched, 50u);
    EXPECT_EQ(r.unsent, 0u);
  }
  // Probes are spread over the round, not sent in one burst at its start.
  std::set<int64_t> seconds;
  for (int64_t t : run.net->sent_times()) seconds.insert((t - kStart) / kS % 60);
  EXPECT_GT(seconds.size(), 25u);
}

TEST(Prober, CutBlockIsDownWithinOneRoundAndUpWithinOneRoundOfReturn) {
  World w;
  const int64_t cut_at = kStart + 130 * kS, back_at = kStart + 250 * kS;
  w.cut[Block(3)] = {cut_at, back_at};
  w.cut[Block(7)] = {cut_at, back_at};
  SimRun run(w, Blocks(20));
  run.Rounds(8);
  const int64_t round = Options().round_ns;
  for (int b : {3, 7}) {
    int64_t down_at = -1, up_at = -1;
    for (const RoundReport& r : run.rounds) {
      for (const StateChange& c : r.changes) {
        if (c.base != Block(b)) continue;
        if (c.to == BlockState::kDown && down_at < 0) down_at = c.at_ns;
        if (c.to == BlockState::kUp && down_at >= 0 && up_at < 0) up_at = c.at_ns;
      }
    }
    ASSERT_GE(down_at, cut_at) << b;
    EXPECT_LE(down_at, cut_at + round + 16 * Options().timeout_ns) << b;
    ASSERT_GE(up_at, back_at) << b;
    EXPECT_LE(up_at, back_at + round + 16 * Options().timeout_ns) << b;
  }
  // No other block changed state.
  for (const RoundReport& r : run.rounds) {
    for (const StateChange& c : r.changes) EXPECT_TRUE(c.base == Block(3) || c.base == Block(7));
  }
  // The round after the cut counts them DOWN.
  EXPECT_EQ(run.rounds[3].down, 2u);
  EXPECT_EQ(run.rounds.back().up, 20u);
}

TEST(Prober, AdaptiveProbesAreBoundedAndRotateOverAddresses) {
  World w;
  w.cut[Block(0)] = {kStart, kStart + 1000 * kS};
  SimRun run(w, Blocks(1));
  run.Rounds(3);
  std::map<int64_t, int> per_round;
  std::vector<uint32_t> dsts;
  for (size_t i = 0; i < run.net->sent().size(); ++i) {
    ++per_round[(run.net->sent_times()[i] - kStart) / Options().round_ns];
    dsts.push_back(run.net->sent()[i].addr);
  }
  for (auto [r, n] : per_round) EXPECT_LE(n, 16) << "round " << r;
  EXPECT_GT(per_round[0], 1);  // adaptive probes were sent while uncertain
  EXPECT_EQ(run.rounds[0].down, 1u);
  // Consecutive probes go to distinct addresses of E(b), all inside E(b).
  std::set<uint32_t> distinct(dsts.begin(), dsts.end());
  EXPECT_EQ(distinct.size(), dsts.size());
  for (uint32_t d : dsts) {
    EXPECT_EQ(d & ~255u, Block(0));
    EXPECT_GE(d & 255, 1u);
    EXPECT_LE(d & 255, 100u);
  }
}

TEST(Prober, PartiallyResponsiveBlocksAreNeverDown) {
  World w;
  for (int i = 0; i < 10; ++i) w.partial.insert(Block(i));
  SimRun run(w, Blocks(10, 0.3f));
  run.Rounds(60);
  for (const RoundReport& r : run.rounds) {
    EXPECT_EQ(r.down, 0u) << "round " << r.index;
    for (const StateChange& c : r.changes) EXPECT_NE(c.to, BlockState::kDown);
  }
  // ... but a partial block that is really cut does go DOWN, more slowly than a fully responsive
  // one: with A = 0.3 one non-reply leaves B above 0.9, so about 7 rounds see one probe each
  // before the adaptive probes start (docs/probe.md).
  World w2 = w;
  w2.cut[Block(2)] = {kStart + 100 * kS, kStart + 100000 * kS};
  SimRun run2(w2, Blocks(10, 0.3f));
  run2.Rounds(12);
  EXPECT_EQ(run2.rounds.back().down, 1u);
  EXPECT_EQ(run2.prober->state(2), BlockState::kDown);
}

TEST(Prober, ForgedAndStaleRepliesAreRejected) {
  World w;
  w.cut[Block(0)] = {kStart, kStart + 1000 * kS};
  SimRun run(w, Blocks(1));
  // Forgeries: right address, wrong tag; and a reply made with another key.
  Echo forged = run.tagger.Make(Block(0) | 5, 1);
  forged.tag[0] ^= 0xff;
  Echo other_key = ProbeTagger::FromSeed(99).Make(Block(0) | 5, 1);
  for (int i = 0; i < 60; ++i) {
    run.net->Inject(forged, kStart + i * kS);
    run.net->Inject(other_key, kStart + i * kS + 1);
  }
  run.Rounds(1);
  EXPECT_EQ(run.rounds[0].forged, 120u);
  EXPECT_EQ(run.rounds[0].matched, 0u);
  EXPECT_EQ(run.rounds[0].down, 1u);

  // Replies slower than the timeout count as stale and the block is not credited with them.
  World slow;
  slow.delay_ns = 3 * kS;  // timeout is 1 s
  SimRun run2(slow, Blocks(3));
  run2.Rounds(3);
  uint64_t stale = 0;
  for (const RoundReport& r : run2.rounds) stale += r.stale;
  EXPECT_GT(stale, 0u);
  EXPECT_EQ(run2.rounds.back().down, 3u);
}

TEST(Prober, RespectsTheRateLimit) {
  World w;
  ProberOptions o = Options();
  o.rate_pps = 100;
  o.round_ns = 10 * kS;
  SimRun run(w, Blocks(1500), o);  // more blocks than the rate allows in a round
  run.Rounds(2);
  const auto& times = run.net->sent_times();
  // In any one-second window, at most rate + the small catch-up burst.
  size_t j = 0;
  for (size_t i = 0; i < times.size(); ++i) {
    while (times[i] - times[j] >= kS) ++j;
    ASSERT_LE(i - j + 1, 102u);
  }
  EXPECT_GT(run.rounds[0].unsent, 0u);
  EXPECT_LE(run.rounds[0].sent, 1001u);
}

class TwoCountries : public EntityMapper {
 public:
  void Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                 std::vector<std::vector<std::string>>& groups) const override {
    groups = {{"country/XA", "asn/64500"}, {"asn/64500", "country/XB"}};
    for (size_t i = 0; i < bases.size(); ++i) group[i] = ((bases[i] >> 8) & 255) < 10 ? 0 : 1;
  }
};

TEST(Prober, CountryCutShowsInPerEntityCounts) {
  World w;
  for (int i = 0; i < 10; ++i) w.cut[Block(i)] = {kStart + 125 * kS, kStart + 245 * kS};
  TwoCountries mapper;
  SimRun run(w, Blocks(30), Options(), &mapper);
  run.Rounds(6);
  auto count = [&](size_t round, const std::string& e) -> int64_t {
    for (const EntityCount& c : run.rounds[round].counts) {
      if (c.entity == e) {
        EXPECT_EQ(c.eligible, e == "country/XA" ? 10u : e == "country/XB" ? 20u : 30u);
        return static_cast<int64_t>(c.up);
      }
    }
    return -1;
  };
  EXPECT_EQ(count(0, "country/XA"), 10);
  EXPECT_EQ(count(3, "country/XA"), 0);  // cut during round 2, all DOWN by the end of round 3
  EXPECT_EQ(count(3, "country/XB"), 20);
  EXPECT_EQ(count(3, "asn/64500"), 20);
  EXPECT_EQ(count(5, "country/XA"), 10);  // back during round 4
  // The records of the run parse back with the documented reader.
  std::string text = std::string(kRecordsHeader) + "\n";
  for (const RoundReport& r : run.rounds) text += FormatRound(r, "vp-test");
  auto recs = ParseRecords(text);
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  EXPECT_EQ(recs->rounds.size(), 6u);
  EXPECT_EQ(recs->counts.size(), 18u);
}

TEST(Prober, GuardRefusesBlockedDestinations) {
  FakeClock clock(kStart);
  World w;
  FakeNetwork net(clock, [&w](uint32_t d, int64_t t) { return w(d, t); });
  net.set_record(true);
  SafetyPolicy policy;  // 198.18.0.0/15 not allowed
  GuardedPacketIo guard(net, policy);
  ProbeTagger tagger = ProbeTagger::FromSeed(1);
  Prober p(Options(), Blocks(2), nullptr, clock, guard, tagger, kStart);
  auto r = p.RunRound();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(net.sent().empty());
}

TEST(SelectBlocks, AppliesEligibilityAndPolicy) {
  Hitlist h;
  h.entries = Blocks(4);
  h.entries[1].availability = 0.05f;  // A too low
  h.entries[2].addresses = {};
  for (unsigned o = 0; o < 14; ++o) h.entries[2].addresses.Add(o);  // |E| = 14
  SafetyPolicy policy;
  ASSERT_TRUE(policy.AllowSpecial(*Prefix::Parse("198.18.0.0/15")).ok());
  ASSERT_TRUE(policy.BlockUser(*Prefix::Parse("198.18.3.0/26"), "test").ok());
  std::vector<std::string> log;
  Selection s =
      SelectBlocks(h, Eligibility{}, policy, [&](std::string_view l) { log.emplace_back(l); });
  ASSERT_EQ(s.blocks.size(), 2u);
  EXPECT_EQ(s.blocks[0].base, Block(0));
  EXPECT_EQ(s.blocks[1].base, Block(3));
  EXPECT_EQ(s.blocks[1].addresses.Count(), 37u);  // .64-.100 survive the blocked /26
  EXPECT_EQ(s.ineligible, 2u);
  EXPECT_EQ(s.partly_blocked, 1u);
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[1].rfind("SKIP\t198.18.1.0/24\tineligible", 0), 0u) << log[1];
}

TEST(Census, FindsResponsiveAddressesAndNeverProbesBlockedOnes) {
  FakeClock clock(kStart);
  // .0-.49 of every block answer; 198.18.2.0/24 is dark.
  FakeNetwork net(clock, [](uint32_t d, int64_t) {
    bool up = (d & 255) < 50 && (d & ~255u) != A("198.18.2.0");
    return FakeResponse{up, 1'000'000};
  });
  net.set_record(true);
  SafetyPolicy policy;
  ASSERT_TRUE(policy.AllowSpecial(*Prefix::Parse("198.18.0.0/15")).ok());
  ASSERT_TRUE(policy.BlockUser(*Prefix::Parse("198.18.1.0/26"), "test").ok());
  GuardedPacketIo guard(net, policy);
  ProbeTagger tagger = ProbeTagger::FromSeed(5);
  CensusOptions opt;
  opt.rate_pps = 5000;
  std::vector<Prefix> targets = {*Prefix::Parse("198.18.0.0/22"), *Prefix::Parse("198.18.0.0/24")};
  auto r = RunCensus(targets, policy, nullptr, opt, clock, guard, tagger);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->targets, 1024u);
  EXPECT_EQ(r->blocked, 64u);
  EXPECT_EQ(r->probed, 960u);
  EXPECT_EQ(net.sent().size(), 960u);
  std::set<uint32_t> sent;
  for (const Echo& e : net.sent()) {
    EXPECT_TRUE(policy.Allowed(e.addr));
    sent.insert(e.addr);
  }
  EXPECT_EQ(sent.size(), 960u);  // each address once
  // 198.18.1.0/24's responders are all in the blocked /26; 198.18.2.0/24 is dark.
  ASSERT_EQ(r->hitlist.entries.size(), 2u);
  EXPECT_EQ(r->hitlist.entries[0].base, Block(0));
  EXPECT_EQ(r->hitlist.entries[0].addresses.Count(), 50u);
  EXPECT_EQ(r->hitlist.entries[0].availability, 1.0f);
  EXPECT_EQ(r->hitlist.entries[1].base, Block(3));

  // A refresh: the old E(b) of block 0 was .0-.99, now only .0-.49 answer: A = 0.5; block 2 was
  // in the old hitlist and is dark now: A = 0, E kept; a block outside the targets is untouched.
  Hitlist old;
  old.entries = Blocks(3);
  old.entries[0].addresses = {};
  for (unsigned o = 0; o < 100; ++o) old.entries[0].addresses.Add(o);
  old.entries.push_back({A("198.18.100.0"), 0.7f, old.entries[1].addresses});
  auto r2 = RunCensus(targets, policy, &old, opt, clock, guard, tagger);
  ASSERT_TRUE(r2.ok());
  ASSERT_EQ(r2->hitlist.entries.size(), 5u);
  EXPECT_EQ(r2->hitlist.entries[0].addresses.Count(), 100u);
  EXPECT_FLOAT_EQ(r2->hitlist.entries[0].availability, 0.5f);
  EXPECT_EQ(r2->hitlist.entries[2].base, Block(2));
  EXPECT_FLOAT_EQ(r2->hitlist.entries[2].availability, 0.0f);
  EXPECT_EQ(r2->hitlist.entries[4].base, A("198.18.100.0"));
  EXPECT_FLOAT_EQ(r2->hitlist.entries[4].availability, 0.7f);
}

}  // namespace
}  // namespace blackout::probe
