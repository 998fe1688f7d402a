// `blackout probe census` and `blackout probe run` in a network-namespace testbed
// (scripts/testbed/netns.sh): a vantage namespace and a responder namespace answering for
// 198.18.10.0/24 .. 198.18.49.0/24 over a veth pair. Blocks are cut and restored mid-run, some
// answer only ~30% of their addresses, a whole "country" is cut at once, and a tcpdump capture in
// the responder proves that blocklisted addresses never receive a packet. Only 198.18.0.0/15 is
// used; the vantage namespace has no route anywhere else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <set>
#include <sstream>

#include "blackout/base/ip.h"
#include "blackout/probe/hitlist.h"
#include "blackout/probe/records.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

using testing::RunCommand;

constexpr int64_t kRoundS = 3;
constexpr int64_t kTimeoutMs = 250;
constexpr int64_t kMaxExtra = 15;
// A cut block's first probe comes within a round; its adaptive probes within (1+15) timeouts.
constexpr int64_t kDetectBoundS = kRoundS + (1 + kMaxExtra) * kTimeoutMs / 1000 + 2;

uint32_t Block(int x) {
  return IpAddress::Parse("198.18.0.0")->v4() + (static_cast<uint32_t>(x) << 8);
}
std::string P(int x) { return "198.18." + std::to_string(x) + ".0/24"; }

class Testbed : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the testbed needs root (network namespaces, raw sockets)";
    script_ = (testing::SourceDir() / "scripts/testbed/netns.sh").string();
    bin_ = testing::BlackoutBinary().string();
    name_ = "bp" + std::to_string(getpid() % 100000);
    Sh(script_ + " down " + name_);
    auto r = Sh(script_ + " up " + name_ + " 10 49");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    up_ = true;
  }
  void TearDown() override {
    if (up_) Sh(script_ + " down " + name_);
  }
  testing::CommandResult Sh(const std::string& cmd) { return RunCommand(cmd); }
  std::string V(const std::string& cmd) { return script_ + " vexec " + name_ + " " + cmd; }

  std::string script_, bin_, name_;
  bool up_ = false;
  testing::TempDir dir_;
};

TEST_F(Testbed, DetectsCutsCountriesAndNeverProbesBlocklisted) {
  const std::string d = dir_.path().string();
  testing::WriteFile(dir_ / "blocklist", "# never probe these\n198.18.45.0/24\n198.18.46.128/25\n");
  std::string entity_map;
  for (int x = 10; x <= 19; ++x) entity_map += P(x) + " country/XA asn/64500\n";
  for (int x = 20; x <= 49; ++x) entity_map += P(x) + " country/XB asn/64501\n";
  testing::WriteFile(dir_ / "entities", entity_map);
  const std::string safety = " --allow-special 198.18.0.0/15 --blocklist " + d + "/blocklist";

  auto cap = Sh(script_ + " capture " + name_ + " " + d + "/cap.pcap");
  ASSERT_EQ(cap.exit_code, 0) << cap.err;
  const std::string cap_pid = cap.out.substr(0, cap.out.find('\n'));

  // Census with everything up, then a refresh while 198.18.30-34 answer only ~30%.
  auto c1 =
      Sh(V(bin_ +
           // Overlapping targets (198.18.40.0/21 is inside the /19) are probed once.
           " probe census --targets 198.18.10.0/23,198.18.12.0/23,198.18.14.0/23,"
           "198.18.16.0/20,198.18.32.0/19,198.18.40.0/21 --out " +
           d + "/hit1 --rate 20000 --timeout-ms 500 --seed 7 --probe-log " + d + "/plog" + safety));
  ASSERT_EQ(c1.exit_code, 0) << c1.err;
  auto h1 = ReadHitlist(dir_ / "hit1");
  ASSERT_TRUE(h1.ok()) << h1.status().ToString();
  ASSERT_EQ(h1->entries.size(), 39u) << c1.out;  // 198.18.10-49 but the blocklisted 45
  for (const HitlistEntry& e : h1->entries) {
    EXPECT_NE(e.base, Block(45));
    EXPECT_EQ(e.addresses.Count(), e.base == Block(46) ? 128u : 256u) << FormatBlock(e.base);
  }
  auto p = Sh(script_ + " partial " + name_ + " 0.3 " + P(30) + " " + P(31) + " " + P(32) + " " +
              P(33) + " " + P(34));
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto c2 = Sh(V(bin_ +
                 " probe census --targets 198.18.10.0/24,198.18.12.0/22,198.18.16.0/20,"
                 "198.18.32.0/19 --refresh " +
                 d + "/hit1 --out " + d + "/hit2 --rate 20000 --timeout-ms 500" + safety));
  ASSERT_EQ(c2.exit_code, 0) << c2.err;
  auto h2 = ReadHitlist(dir_ / "hit2");
  ASSERT_TRUE(h2.ok());
  for (const HitlistEntry& e : h2->entries) {
    int x = static_cast<int>((e.base >> 8) & 255);
    if (x >= 30 && x <= 34) {
      EXPECT_NEAR(e.availability, 0.3, 0.02) << x;
    } else {
      EXPECT_EQ(e.availability, 1.0f) << x;
    }
  }

  // The run: cut 198.18.21-22 and the whole of country/XA (10-19) at ~7 s, restore at ~19 s.
  std::string cut = P(21) + " " + P(22);
  for (int x = 10; x <= 19; ++x) cut += " " + P(x);
  std::ostringstream run;
  run << "set -e; "
      << V(bin_ + " probe run --hitlist " + d + "/hit2 --vantage vp-test --rounds 12" +
           " --seed 7 --round-seconds " + std::to_string(kRoundS) + " --timeout-ms " +
           std::to_string(kTimeoutMs) + " --rate 5000 --records " + d + "/records --entity-map " +
           d + "/entities --probe-log " + d + "/plog" + safety)
      << " & pid=$!; sleep 7; date +%s > " << d << "/cut_at; " << script_ << " cut " << name_ << " "
      << cut << "; sleep 12; " << script_ << " restore " << name_ << " " << cut << "; date +%s > "
      << d << "/restore_at; wait $pid";
  auto r = Sh(run.str());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Sh("kill -INT " + cap_pid + "; sleep 0.5");

  const int64_t cut_at = std::stoll(testing::ReadFile(dir_ / "cut_at"));
  const int64_t restore_at = std::stoll(testing::ReadFile(dir_ / "restore_at"));
  auto recs = ParseRecords(testing::ReadFile(dir_ / "records"), "records");
  ASSERT_TRUE(recs.ok()) << recs.status().ToString();
  ASSERT_EQ(recs->rounds.size(), 12u);
  EXPECT_EQ(recs->rounds[0].eligible, 39u);
  std::set<int> cut_blocks = {21, 22};
  for (int x = 10; x <= 19; ++x) cut_blocks.insert(x);

  // Stable period and partial blocks: no block that was not cut ever goes DOWN; nothing at all
  // changes before the cut.
  std::map<int, int64_t> down_at, up_at;
  for (const StateRecord& s : recs->states) {
    int x = static_cast<int>((s.base >> 8) & 255);
    EXPECT_GE(s.at, cut_at) << "state change before any cut: " << FormatBlock(s.base);
    if (!cut_blocks.count(x)) {
      EXPECT_NE(s.to, BlockState::kDown) << FormatBlock(s.base) << " was never cut";
      continue;
    }
    if (s.to == BlockState::kDown && !down_at.count(x)) down_at[x] = s.at;
    if (s.to == BlockState::kUp && down_at.count(x) && !up_at.count(x)) up_at[x] = s.at;
  }
  for (int x : cut_blocks) {
    ASSERT_TRUE(down_at.count(x)) << P(x) << " never DOWN";
    EXPECT_LE(down_at[x], cut_at + kDetectBoundS) << P(x);
    ASSERT_TRUE(up_at.count(x)) << P(x) << " never UP again";
    EXPECT_LE(up_at[x], restore_at + kDetectBoundS) << P(x);
  }

  // The country's signal: all 10 UP before, 0 during the cut, 10 after; XB loses only its 2.
  std::map<std::string, std::vector<uint64_t>> series;
  for (const CountRecord& c : recs->counts) series[c.entity].push_back(c.up);
  ASSERT_EQ(series["country/XA"].size(), 12u);
  EXPECT_EQ(series["country/XA"].front(), 10u);
  EXPECT_EQ(*std::min_element(series["country/XA"].begin(), series["country/XA"].end()), 0u);
  EXPECT_EQ(series["country/XA"].back(), 10u);
  EXPECT_EQ(*std::min_element(series["country/XB"].begin(), series["country/XB"].end()),
            series["country/XB"].front() - 2);
  EXPECT_EQ(series["asn/64500"], series["country/XA"]);

  // The capture: probes reached the responder, none to a blocklisted address.
  auto dump = Sh("tcpdump -n -r " + d + "/cap.pcap 'icmp[icmptype] == icmp-echo' 2>/dev/null");
  ASSERT_EQ(dump.exit_code, 0);
  std::istringstream lines(dump.out);
  uint64_t requests = 0;
  for (std::string line; std::getline(lines, line);) {
    auto gt = line.find(" > ");
    ASSERT_NE(gt, std::string::npos) << line;
    std::string dst = line.substr(gt + 3, line.find(':', gt) - gt - 3);
    auto a = IpAddress::Parse(dst);
    ASSERT_TRUE(a.ok()) << line;
    uint32_t v = a->v4();
    EXPECT_FALSE((v >> 8) == (Block(45) >> 8)) << line;
    EXPECT_FALSE((v >> 7) == ((Block(46) | 128) >> 7)) << line;
    EXPECT_EQ(v >> 17, Block(0) >> 17) << "outside 198.18.0.0/15: " << line;
    ++requests;
  }
  EXPECT_GT(requests, 10000u);
  // The probe log says what was probed and why.
  std::string plog = testing::ReadFile(dir_ / "plog");
  EXPECT_NE(plog.find("PROBE\t198.18.10.0/24\thitlist: |E|=256 A=1.0000"), std::string::npos);
  EXPECT_NE(plog.find("user blocklist 198.18.45.0/24"), std::string::npos);
}

TEST_F(Testbed, ClearErrorsWithoutCapabilityOrAllowlist) {
  const std::string d = dir_.path().string();
  auto r = Sh(V("setpriv --bounding-set=-net_raw " + bin_ +
                " probe census --targets 198.18.10.0/24 --allow-special 198.18.0.0/15 --out " + d +
                "/h"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("CAP_NET_RAW"), std::string::npos) << r.err;

  // Without --allow-special, 198.18.0.0/15 is a special-purpose range: nothing is sent.
  auto n = Sh(V(bin_ + " probe census --targets 198.18.10.0/24 --out " + d + "/h"));
  EXPECT_EQ(n.exit_code, 2);
  EXPECT_NE(n.err.find("benchmarking (RFC 2544)"), std::string::npos) << n.err;
}

}  // namespace
}  // namespace blackout::probe
