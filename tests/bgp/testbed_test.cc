// End to end with real BGP software: BIRD 2 daemons in network namespaces (scripts/bgp-testbed/),
// a collector writing MRT, two peers announcing and withdrawing prefixes of 198.18.0.0/16. blackout
// ingests the MRT file the collector wrote and must find exactly the withdrawn /24s gone in the
// bins after the withdrawal and back after the re-announcement. Needs root, iproute2 and bird2.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "blackout/base/time.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;
using blackout::testing::RunCommand;

constexpr int64_t kStep = 10;

class Testbed {
 public:
  explicit Testbed(fs::path dir) : dir_(std::move(dir)) {
    script_ = (blackout::testing::SourceDir() / "scripts/bgp-testbed/testbed.sh").string();
    auto r = RunCommand(script_ + " start '" + dir_.string() + "'");
    started_ = r.exit_code == 0;
    EXPECT_TRUE(started_) << r.out << r.err;
  }
  ~Testbed() { Stop(); }
  bool started() const { return started_; }
  void Set(const std::string& peer, const std::string& prefixes) {
    auto r = RunCommand(script_ + " set '" + dir_.string() + "' " + peer + " " + prefixes);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    auto r = RunCommand(script_ + " stop '" + dir_.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }

 private:
  fs::path dir_;
  std::string script_;
  bool started_ = false, stopped_ = false;
};

// Sleeps until `offset` seconds into the bin after the current one; returns that time.
UnixSeconds NextBinPlus(int64_t offset) {
  UnixSeconds now = std::time(nullptr);
  UnixSeconds target = BinStart(now, kStep) + kStep + offset;
  std::this_thread::sleep_until(std::chrono::system_clock::from_time_t(target));
  return target;
}

TEST(BgpTestbedTest, WithdrawnBlocksAreGoneInTheirBinsAndBackAfterReannouncement) {
  blackout::testing::TempDir tmp;
  // p1 (AS65001) originates 198.18.0.0/22 (4 blocks) and 198.18.8.0/24; p2 (AS65002) originates
  // 198.18.16.0/23 (2 blocks) and 198.18.20.0/24. Each peer also passes the other's routes on, so
  // the collector sees every prefix from both peers.
  UnixSeconds t0, t1, t2;
  {
    Testbed tb(tmp / "tb");
    ASSERT_TRUE(tb.started());
    tb.Set("p1", "198.18.0.0/22 198.18.8.0/24");
    tb.Set("p2", "198.18.16.0/23 198.18.20.0/24");
    t0 = NextBinPlus(2);  // everything announced for two bins
    t1 = NextBinPlus(kStep + 2);
    tb.Set("p1", "198.18.0.0/22");   // withdraw 198.18.8.0/24
    tb.Set("p2", "198.18.16.0/23");  // withdraw 198.18.20.0/24
    t2 = NextBinPlus(kStep + 2);
    tb.Set("p1", "198.18.0.0/22 198.18.8.0/24");
    tb.Set("p2", "198.18.16.0/23 198.18.20.0/24");
    NextBinPlus(kStep + 2);
    tb.Stop();
  }
  fs::path mrt = tmp / "tb/updates.mrt";
  ASSERT_TRUE(fs::exists(mrt));
  std::string store_url = "sqlite:" + (tmp / "db.sqlite").string();
  std::string cmd = blackout::testing::BlackoutBinary().string() + " --json ingest bgp '" +
                    mrt.string() + "' --store " + store_url +
                    " --step 10 --full-feed-ipv4 0 --full-feed-ipv6 0 --no-geo --collector testbed";
  auto r = RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"written\":1"), std::string::npos) << r.out;

  auto st = store::OpenStore(store_url).value();
  auto series = [&](const std::string& entity, const std::string& signal) {
    auto s = st->ReadSeries({entity, signal, ""}, 0, INT64_MAX);
    EXPECT_TRUE(s.ok()) << entity << " " << signal << ": " << s.status().ToString();
    return s.ok() ? *s : store::Series();
  };
  UnixSeconds b0 = BinStart(t0, kStep), b1 = BinStart(t1, kStep), b2 = BinStart(t2, kStep);
  for (const char* signal : {"bgp", "bgp-1peer", "bgp-100"}) {
    store::Series a = series("asn/65001", signal);
    store::Series b = series("asn/65002", signal);
    ASSERT_LE(a.from, b0) << signal;
    ASSERT_GE(a.until(), b2 + 2 * kStep) << signal;
    for (UnixSeconds t = b0; t < b2 + 2 * kStep; t += kStep) {
      bool withdrawn = t >= b1 && t < b2;
      SCOPED_TRACE(std::string(signal) + " bin " + FormatIso8601(t));
      EXPECT_EQ(a.at(t), withdrawn ? 4 : 5);  // 198.18.8.0/24 gone, the /22's four blocks stay
      EXPECT_EQ(b.at(t), withdrawn ? 2 : 3);  // 198.18.20.0/24 gone, the /23's two stay
    }
  }
  // Ingesting the same file again writes nothing.
  r = RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"unchanged\":1"), std::string::npos) << r.out;
  auto ledger = st->GetIngest("bgp:testbed/updates.mrt");
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  EXPECT_EQ(ledger->state, store::IngestState::kComplete);
}

}  // namespace
}  // namespace blackout::bgp
