// Multi-site judgement: the combine over arrays (agreement, vantage points that cannot see a block,
// a vantage point that lost its own connectivity) and the observatory's judge over a real SQLite
// store (block lists, idempotent round uploads, late rounds re-judged, restart).
#include "blackout/probe/multisite.h"

#include <gtest/gtest.h>

#include <set>

#include "blackout/probe/records.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

constexpr uint8_t kUpSeen = kVpUp | kVpSeenUp;
constexpr uint8_t kDownSeen = kVpDown | kVpSeenUp;

struct Combined {
  std::vector<uint8_t> out;
  std::vector<VantageVerdict> verdicts;
};

Combined CombineAll(const std::vector<std::vector<uint8_t>>& vp,
                    const std::vector<uint16_t>& country, const CombineOptions& o = {}) {
  std::vector<std::span<const uint8_t>> spans(vp.begin(), vp.end());
  Combined c{std::vector<uint8_t>(country.size()), std::vector<VantageVerdict>(vp.size())};
  CombineBlocks(spans, country, o, c.out, c.verdicts);
  return c;
}

TEST(CombineBlocks, DownOnlyWhenTheVantagePointsThatSeeTheBlockAgree) {
  // Blocks: 0 all up; 1 all down; 2 down at one, up at two; 3 down at the two that ever saw it
  // up, while the third never saw it up; 4 watched by one vantage point only, never seen up.
  const std::vector<uint16_t> country = {1, 1, 2, 2, 3, 3, 3, 3, 3, 3};
  std::vector<std::vector<uint8_t>> vp(3, std::vector<uint8_t>(10, kUpSeen));
  for (auto& v : vp) v[1] = kDownSeen;
  vp[0][2] = kDownSeen;
  vp[0][3] = kDownSeen;
  vp[1][3] = kDownSeen;
  vp[2][3] = kVpDown;  // watched, never seen up: does not vote
  vp[0][4] = kVpDown;
  vp[1][4] = kVpUnwatched;
  vp[2][4] = kVpUnwatched;
  vp[1][5] = kVpUncertain | kVpSeenUp;
  vp[2][5] = kDownSeen;
  vp[0][5] = kDownSeen;
  Combined c = CombineAll(vp, country);
  EXPECT_EQ(c.out[0], kCombinedUp);
  EXPECT_EQ(c.out[1], kCombinedDown);
  EXPECT_EQ(c.out[2], kCombinedUp);
  EXPECT_EQ(c.out[3], kCombinedDown);
  EXPECT_EQ(c.out[4], kCombinedUnknown);
  EXPECT_EQ(c.out[5], kCombinedUncertain);
  for (const VantageVerdict& v : c.verdicts) EXPECT_TRUE(v.healthy);
  EXPECT_EQ(c.verdicts[2].seen, 8u);  // blocks 3 and 4 are not seen
}

TEST(CombineBlocks, AVantagePointThatLostItsUplinkIsSetAsideNotAWorldwideOutage) {
  const std::vector<uint16_t> country = {1, 1, 1, 2, 2, 2, 3, 3, 3, 0};
  std::vector<std::vector<uint8_t>> vp(3, std::vector<uint8_t>(10, kUpSeen));
  for (auto& b : vp[2]) b = kDownSeen;
  vp[0][0] = kDownSeen;  // a real outage of block 0, seen by the healthy two
  vp[1][0] = kDownSeen;
  Combined c = CombineAll(vp, country);
  EXPECT_TRUE(c.verdicts[0].healthy);
  EXPECT_TRUE(c.verdicts[1].healthy);
  EXPECT_FALSE(c.verdicts[2].healthy);
  EXPECT_EQ(c.verdicts[2].countries, 3u);
  EXPECT_EQ(c.verdicts[2].witnessed, 10u);
  EXPECT_EQ(c.verdicts[2].contradicted, 9u);
  EXPECT_EQ(c.out[0], kCombinedDown);
  for (size_t i = 1; i < 10; ++i) EXPECT_EQ(c.out[i], kCombinedUp) << i;

  // Alone in one country, the same loss is an outage of that country, not of the vantage point.
  Combined one_country = CombineAll(vp, std::vector<uint16_t>(10, 4));
  EXPECT_TRUE(one_country.verdicts[2].healthy);
  EXPECT_EQ(one_country.out[1], kCombinedUp);  // the others still see it up
}

TEST(CombineBlocks, WithNoWitnessAnOutageEveryoneSeesStands) {
  const std::vector<uint16_t> country = {1, 1, 2, 2, 3, 3};
  // One vantage point only.
  Combined alone = CombineAll({std::vector<uint8_t>(6, kDownSeen)}, country);
  EXPECT_TRUE(alone.verdicts[0].healthy);
  for (uint8_t s : alone.out) EXPECT_EQ(s, kCombinedDown);
  // Every vantage point loses everything: all suspected, none can be contradicted.
  Combined all =
      CombineAll(std::vector<std::vector<uint8_t>>(3, std::vector<uint8_t>(6, kDownSeen)), country);
  for (const VantageVerdict& v : all.verdicts) EXPECT_TRUE(v.healthy);
  for (uint8_t s : all.out) EXPECT_EQ(s, kCombinedDown);
}

// ---- the judge

constexpr UnixSeconds kStart = 1'700'000'100;  // a multiple of kStep
constexpr int64_t kStep = 20;
constexpr int kBlocks = 12;  // 198.18.10-21: XA 10-13, XB 14-17, XC 18-21

uint32_t Base(int x) { return IpAddress::Parse("198.18.0.0")->v4() + (uint32_t(x) << 8); }

std::string Country(int x) { return x < 14 ? "country/XA" : x < 18 ? "country/XB" : "country/XC"; }

std::string BlocksOf(const std::string& vantage) {
  std::vector<uint32_t> bases, group;
  std::vector<std::vector<std::string>> groups = {{"country/XA"}, {"country/XB"}, {"country/XC"}};
  for (int x = 10; x < 10 + kBlocks; ++x) {
    bases.push_back(Base(x));
    group.push_back(x < 14 ? 0 : x < 18 ? 1 : 2);
  }
  return FormatBlockList(MakeBlockList(vantage, bases, group, groups));
}

// The prober's view of one vantage point: each round's down set; records as FormatRound writes.
class FakeVantage {
 public:
  explicit FakeVantage(std::string name) : name_(std::move(name)) {}
  std::string Round(const std::set<int>& down) {
    RoundReport r;
    r.index = index_;
    r.start_ns = (kStart + index_ * kStep) * kNanosPerSecond;
    r.round_ns = kStep * kNanosPerSecond;
    for (int x = 10; x < 10 + kBlocks; ++x) {
      const bool was = down_.count(x), is = down.count(x);
      if (was != is) {
        r.changes.push_back({Base(x), is ? BlockState::kUp : BlockState::kDown,
                             is ? BlockState::kDown : BlockState::kUp, is ? 0.01 : 0.99,
                             r.start_ns + kNanosPerSecond});
      }
    }
    for (const char* c : {"country/XA", "country/XB", "country/XC"}) {
      uint64_t up = 0;
      for (int x = 10; x < 10 + kBlocks; ++x) up += Country(x) == c && !down.count(x);
      r.counts.push_back({c, up, 4});
    }
    r.eligible = kBlocks;
    r.down = down.size();
    r.up = kBlocks - r.down;
    down_ = down;
    ++index_;
    return std::string(kRecordsHeader) + "\n" + FormatRound(r, name_);
  }

 private:
  std::string name_;
  int64_t index_ = 0;
  std::set<int> down_;
};

std::vector<double> Series(store::Store& st, const std::string& entity, const std::string& src) {
  auto s = st.ReadSeries({entity, "probe", src}, 0, INT64_MAX);
  return s.ok() ? s->values : std::vector<double>{};
}

class Judge : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore("sqlite:" + (dir_ / "s.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    judge_ = std::make_unique<MultiSiteJudge>(*store_);
  }
  UploadOutcome Ingest(const std::string& body) {
    auto r = judge_->Ingest(body);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->outcome : UploadOutcome::kDuplicate;
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<MultiSiteJudge> judge_;
};

TEST_F(Judge, TargetOutageSeenByAllIsDownAndALostUplinkIsSetAside) {
  FakeVantage a("vp-a"), b("vp-b"), c("vp-c");
  for (const char* v : {"vp-a", "vp-b", "vp-c"})
    EXPECT_EQ(Ingest(BlocksOf(v)), UploadOutcome::kApplied);
  const std::set<int> xa = {10, 11, 12, 13};
  std::set<int> everything;
  for (int x = 10; x < 10 + kBlocks; ++x) everything.insert(x);
  // Rounds: 0 all up; 1-2 XA cut (all three see it); 3-4 vp-c's uplink dead; 5 all up.
  const std::vector<std::set<int>> targets = {{}, xa, xa, {}, {}, {}};
  for (size_t i = 0; i < targets.size(); ++i) {
    Ingest(a.Round(targets[i]));
    Ingest(b.Round(targets[i]));
    Ingest(c.Round(i == 3 || i == 4 ? everything : targets[i]));
  }
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 0, 0, 4, 4, 4}));
  EXPECT_EQ(Series(*store_, "country/XB", ""), (std::vector<double>{4, 4, 4, 4, 4, 4}));
  // The per-vantage series stay as each vantage point saw it.
  EXPECT_EQ(Series(*store_, "country/XB", "vp-c"), (std::vector<double>{4, 4, 4, 0, 0, 4}));
  auto health = judge_->Health();
  ASSERT_EQ(health.size(), 3u);
  EXPECT_TRUE(health[0].healthy && health[1].healthy && health[2].healthy);
  EXPECT_TRUE(health[0].set_aside.empty());
  ASSERT_EQ(health[2].set_aside.size(), 1u);
  EXPECT_EQ(health[2].set_aside[0], std::make_pair(kStart + 3 * kStep, kStart + 5 * kStep));
  EXPECT_EQ(health[2].blocks, 12u);
}

TEST_F(Judge, LateRoundsAreJudgedAgainAndResendsCountOnce) {
  FakeVantage a("vp-a"), b("vp-b");
  Ingest(BlocksOf("vp-a"));
  Ingest(BlocksOf("vp-b"));
  // vp-b is cut off from the observatory for rounds 1-3; they arrive after vp-a's round 4.
  const std::set<int> block12 = {12};
  std::vector<std::string> b_rounds;
  for (int i = 0; i < 5; ++i) {
    // Block 12 is down for vp-a only (a path problem of vp-a): vp-b sees it up.
    Ingest(a.Round(i >= 1 ? block12 : std::set<int>{}));
    b_rounds.push_back(b.Round({}));
    if (i == 0) Ingest(b_rounds[0]);
  }
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 3, 3, 3, 3}));
  for (int i = 1; i < 4; ++i) EXPECT_EQ(Ingest(b_rounds[i]), UploadOutcome::kApplied);
  // Late rounds wait to be judged (a backlog is judged once, not once per round) until a round of
  // the newest bin arrives, or Flush.
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 3, 3, 3, 3}));
  EXPECT_EQ(Ingest(b_rounds[4]), UploadOutcome::kApplied);
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 4, 4, 4, 4}));
  ASSERT_TRUE(judge_->Flush().ok());
  EXPECT_EQ(Series(*store_, "country/XA", "vp-b"), (std::vector<double>{4, 4, 4, 4, 4}));
  // A resend (the vantage point crashed before removing what was acknowledged).
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Ingest(b_rounds[i]), UploadOutcome::kDuplicate);
  EXPECT_EQ(Ingest(BlocksOf("vp-b")), UploadOutcome::kDuplicate);
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 4, 4, 4, 4}));
  store::IngestQuery q;
  q.input_prefix = "probe-round:vp-b:";
  auto ledger = store_->ListIngests(q);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->size(), 5u);

  // A restarted observatory replays what the store holds and judges the same.
  MultiSiteJudge again(*store_);
  ASSERT_TRUE(again.Restore().ok());
  auto h = again.Health();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].rounds, 5u);
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 4, 4, 4, 4}));
  auto dup = again.Ingest(b_rounds[4]);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, UploadOutcome::kDuplicate);
}

TEST_F(Judge, RefusesRoundsWithoutABlockListAndMalformedBodies) {
  FakeVantage a("vp-a");
  auto r = judge_->Ingest(a.Round({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  Ingest(BlocksOf("vp-a"));
  const std::string two = a.Round({}) + a.Round({}).substr(kRecordsHeader.size() + 1);
  auto bad = judge_->Ingest(two);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
  auto garbage = judge_->Ingest("hello\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), StatusCode::kDataLoss);
  auto truncated = judge_->Ingest(a.Round({}).substr(0, 60));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kDataLoss);
}

TEST_F(Judge, ANewBlockListReplacesTheOldOne) {
  FakeVantage a("vp-a");
  Ingest(BlocksOf("vp-a"));
  Ingest(a.Round({}));
  Ingest(a.Round({20, 21}));  // two XC blocks down
  // The vantage point restarts with a list without XC (blocks 18-21): held rounds naming blocks
  // the new list lacks are judged without them.
  std::vector<uint32_t> bases, group;
  for (int x = 10; x < 18; ++x) {
    bases.push_back(Base(x));
    group.push_back(x < 14 ? 0 : 1);
  }
  EXPECT_EQ(Ingest(FormatBlockList(
                MakeBlockList("vp-a", bases, group, {{"country/XA"}, {"country/XB"}}))),
            UploadOutcome::kApplied);
  FakeVantage restarted("vp-a");
  for (int i = 0; i < 2; ++i) restarted.Round({});  // rounds 0-1 were sent by the first list
  Ingest(restarted.Round({10}));
  EXPECT_EQ(Series(*store_, "country/XA", ""), (std::vector<double>{4, 4, 3}));
  EXPECT_EQ(Series(*store_, "country/XB", ""), (std::vector<double>{4, 4, 4}));
  auto h = judge_->Health();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].blocks, 8u);
}

TEST(BlockList, RoundTripsAndRejectsOverlaps) {
  const std::string text = BlocksOf("vp-a");
  auto list = ParseBlockList(text);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->runs.size(), 3u);
  EXPECT_EQ(list->runs[1].first, Base(14));
  EXPECT_EQ(list->runs[1].count, 4u);
  EXPECT_EQ(FormatBlockList(*list), text);
  std::string overlap = std::string(kBlocksHeader) +
                        "\nBLOCKS\tv\t198.18.1.0/24\t3\t-\nBLOCKS\tv\t198.18.2.0/24\t1\t-\n";
  auto o = ParseBlockList(overlap);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().where().line, 3u);
  auto past = ParseBlockList(std::string(kBlocksHeader) + "\nBLOCKS\tv\t255.255.255.0/24\t2\t-\n");
  EXPECT_FALSE(past.ok());
}

}  // namespace
}  // namespace blackout::probe
