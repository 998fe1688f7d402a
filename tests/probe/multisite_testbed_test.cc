// Multi-site probing end to end (issue 21): three vantage points run `blackout probe run` in their
// own network namespaces against one responder (scripts/testbed/multisite.sh) and report every
// round to an observatory (`blackout run`) in a fourth namespace through its write API. During one
// run: a target network is cut (all three see it: one event), one vantage point's uplink dies (no
// target event; that vantage point is marked unhealthy and its rounds set aside), and another
// vantage point cannot reach the observatory for several rounds (its rounds arrive later: the
// series has no gap and nothing is counted twice). Needs root (namespaces, raw sockets, nftables).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "blackout/base/ip.h"
#include "blackout/probe/hitlist.h"
#include "blackout/probe/multisite.h"
#include "blackout/probe/records.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::probe {
namespace {

using testing::RunCommand;

constexpr int kRounds = 26;  // of 2 s
constexpr int kFirst = 10, kLast = 39;

std::string P(int x) { return "198.18." + std::to_string(x) + ".0/24"; }

class MultiSite : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(geteuid(), 0u) << "the testbed needs root (network namespaces, raw sockets)";
    script_ = (testing::SourceDir() / "scripts/testbed/multisite.sh").string();
    bin_ = testing::BlackoutBinary().string();
    name_ = "ms" + std::to_string(getpid() % 100000);
    RunCommand(script_ + " down " + name_ + " 3");
    auto r = RunCommand(script_ + " up " + name_ + " " + std::to_string(kFirst) + " " +
                        std::to_string(kLast) + " 3");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    up_ = true;
  }
  void TearDown() override {
    if (up_) RunCommand(script_ + " down " + name_ + " 3");
  }
  std::string In(const std::string& ns, const std::string& cmd) {
    return script_ + " exec " + name_ + " " + ns + " " + cmd;
  }
  std::string Ms(const std::string& args) { return script_ + " " + args; }

  std::string script_, bin_, name_;
  bool up_ = false;
  testing::TempDir dir_;
};

// The files of the run: hitlist, entities, token, the detector's and the observatory's configs.
void WriteInputs(const std::string& d) {
  Hitlist h;
  std::string entities;
  for (int x = kFirst; x <= kLast; ++x) {
    HitlistEntry e{IpAddress::Parse("198.18.0.0")->v4() + (uint32_t(x) << 8), 1.0f, {}};
    for (unsigned o = 1; o <= 254; ++o) e.addresses.Add(o);
    h.entries.push_back(e);
    const char* c = x < 20 ? "XA" : x < 30 ? "XB" : "XC";
    entities += P(x) + " country/" + c + " asn/645" + std::to_string(x / 10) + "0\n";
  }
  ASSERT_TRUE(WriteHitlist(d + "/hitlist", h).ok());
  testing::WriteFile(d + "/entities", entities);
  testing::WriteFile(d + "/token", "multisite-secret\n");
  // Seconds-long rounds: the detector judges from a few rounds of history (z = 0: no noise band
  // to learn first).
  testing::WriteFile(d + "/detect.toml",
                     "[combine]\nmin_event_bins = 2\n"
                     "[signal.probe]\nmethod = \"ioda-median\"\nwindow_hours = 1\n"
                     "min_history_hours = 0.001\nmax_inpaint_hours = 1\nfloor = 5\nz = 0\n");
  testing::WriteFile(d + "/obs.toml",
                     "[data]\ndir = \"" + d +
                         "/obs\"\n[scenario]\nenabled = false\n"
                         "[geo]\nenabled = false\n[detect]\nconfig = \"" +
                         d +
                         "/detect.toml\"\n"
                         "[sources]\npoll_seconds = 3600\n"
                         "[server]\nlisten = \"0.0.0.0:8080\"\ntoken = \"multisite-secret\"\n");
}

TEST_F(MultiSite, OneEventPerTargetCutNoneForALostUplinkAndLateRoundsCountOnce) {
  const std::string d = dir_.path().string();
  WriteInputs(d);
  std::string xa;
  for (int x = 10; x <= 19; ++x) xa += " " + P(x);
  auto vantages = [&](const std::string& file) {
    return In("o", "curl -sf http://127.0.0.1:8080/api/v2/probe/vantages") + " > " + d + "/" + file;
  };
  std::ostringstream run;
  run << "set -e; " << In("o", bin_ + " run --config " + d + "/obs.toml") << " > " << d
      << "/obs.log 2>&1 & obs=$!; "
      << "for i in $(seq 150); do " << In("o", "curl -sf http://127.0.0.1:8080/healthz")
      << " >/dev/null 2>&1 && break; sleep 0.2; done; ";
  for (int k = 1; k <= 3; ++k) {
    run << In(std::to_string(k),
              bin_ + " probe run --hitlist " + d + "/hitlist --vantage vp" + std::to_string(k) +
                  " --rounds " + std::to_string(kRounds) +
                  " --round-seconds 2 --timeout-ms 200 --rate 5000 --seed " + std::to_string(k) +
                  " --records " + d + "/vp" + std::to_string(k) + ".records --entity-map " + d +
                  "/entities --allow-special 198.18.0.0/15 --report-to http://198.19.10" +
                  std::to_string(k) + ".2:8080 --token-file " + d + "/token --spool " + d +
                  "/spool" + std::to_string(k) + " --retry-max-seconds 1 --drain-seconds 30")
        << " 2> " << d << "/vp" << k << ".err & vp" << k << "=$!; ";
  }
  // ~10 s quiet (the detector's history); country/XA cut for ~9 s; vp3's uplink dead for ~8 s; vp2
  // cut off from the observatory for ~10 s (five rounds).
  run << "sleep 10; date +%s > " << d << "/cut_at; " << Ms("cut " + name_ + xa) << "; sleep 9; "
      << Ms("restore " + name_ + xa) << "; sleep 4; date +%s > " << d << "/uplink_at; "
      << Ms("uplink-down " + name_ + " 3") << "; sleep 6; " << vantages("during.json")
      << "; sleep 2; " << Ms("uplink-up " + name_ + " 3") << "; date +%s > " << d
      << "/uplink_up_at; sleep 3; " << Ms("report-down " + name_ + " 2") << "; date +%s > " << d
      << "/report_at; sleep 10; " << Ms("report-up " + name_ + " 2") << "; date +%s > " << d
      << "/report_up_at; wait $vp1; wait $vp2; wait $vp3; sleep 3; " << vantages("after.json")
      << "; kill -TERM $obs; wait $obs";
  auto r = RunCommand(run.str());
  ASSERT_EQ(r.exit_code, 0) << r.err << "\n"
                            << testing::ReadFile(dir_ / "obs.log")
                            << testing::ReadFile(dir_ / "vp2.err");

  // The vantage points: every round reported, nothing left in a spool.
  std::vector<Records> recs;
  for (int k = 1; k <= 3; ++k) {
    auto rec = ParseRecords(testing::ReadFile(dir_ / ("vp" + std::to_string(k) + ".records")));
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    ASSERT_EQ(rec->rounds.size(), size_t{kRounds});
    recs.push_back(std::move(*rec));
    auto left = RunCommand("ls " + d + "/spool" + std::to_string(k) + " | grep -c '\\.up$'");
    EXPECT_EQ(left.out, "0\n") << "vp" << k << " left rounds in its spool";
  }

  // Health: vp3 unhealthy while its uplink was dead, its rounds then set aside; all healthy now.
  auto during = nlohmann::json::parse(testing::ReadFile(dir_ / "during.json"));
  auto after = nlohmann::json::parse(testing::ReadFile(dir_ / "after.json"));
  ASSERT_EQ(during["data"].size(), 3u) << during.dump();
  EXPECT_EQ(during["data"][2]["vantage"], "vp3");
  EXPECT_EQ(during["data"][2]["health"], "unhealthy") << during.dump();
  EXPECT_EQ(during["data"][0]["health"], "healthy");
  const int64_t uplink_at = std::stoll(testing::ReadFile(dir_ / "uplink_at"));
  const int64_t uplink_up_at = std::stoll(testing::ReadFile(dir_ / "uplink_up_at"));
  ASSERT_EQ(after["data"].size(), 3u);
  for (const auto& v : after["data"]) {
    EXPECT_EQ(v["health"], "healthy") << v.dump();
    EXPECT_EQ(v["rounds"], kRounds) << v.dump();
    if (v["vantage"] != "vp3") {
      EXPECT_TRUE(v["setAside"].empty()) << v.dump();
    }
  }
  const auto& aside = after["data"][2]["setAside"];
  ASSERT_GE(aside.size(), 1u) << after.dump();
  for (const auto& a : aside) {
    EXPECT_GE(a["from"].get<int64_t>(), uplink_at - 4) << after.dump();
    EXPECT_LE(a["until"].get<int64_t>(), uplink_up_at + 6) << after.dump();
  }

  auto st = store::OpenStore("sqlite:" + d + "/obs/blackout.db");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  // One event, for the cut country (and its network); none for a lost uplink.
  auto events = [&](const std::string& entity) {
    store::EventQuery q;
    q.entities = {entity};
    auto e = (*st)->QueryEvents(q);
    return e.ok() ? e->items.size() : size_t{999};
  };
  EXPECT_EQ(events("country/XA"), 1u) << testing::ReadFile(dir_ / "obs.log");
  EXPECT_EQ(events("asn/64510"), 1u);
  EXPECT_EQ(events("country/XB"), 0u);
  EXPECT_EQ(events("country/XC"), 0u);
  auto xb = (*st)->ReadSeries({"country/XB", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(xb.ok());
  for (double v : xb->values) EXPECT_EQ(v, 10) << "a lost uplink became an outage";

  // vp2's rounds cut off from the observatory arrived later, each once, the series whole and
  // equal to what vp2 wrote locally.
  const int64_t report_at = std::stoll(testing::ReadFile(dir_ / "report_at"));
  const int64_t report_up_at = std::stoll(testing::ReadFile(dir_ / "report_up_at"));
  store::IngestQuery q;
  q.input_prefix = "probe-round:vp2:";
  auto ledger = (*st)->ListIngests(q);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), size_t{kRounds}) << testing::ReadFile(dir_ / "vp2.err");
  std::sort(ledger->begin(), ledger->end(),
            [](const auto& a, const auto& b) { return a.input < b.input; });
  int late = 0;
  for (size_t i = 0; i < ledger->size(); ++i) {
    const store::IngestRecord& rec = (*ledger)[i];
    EXPECT_EQ(rec.applications, 1) << rec.input;
    const int64_t round = recs[1].rounds[i].round;
    EXPECT_EQ(rec.input, MultiSiteJudge::RoundKey("vp2", round));
    if (round >= report_at && round + 2 <= report_up_at - 1) {
      EXPECT_GE(rec.applied_at, report_up_at - 1) << rec.input << " arrived while cut off";
      ++late;
    }
  }
  EXPECT_GE(late, 3);
  std::vector<double> local;
  for (const CountRecord& c : recs[1].counts) {
    if (c.entity == "country/XB") local.push_back(static_cast<double>(c.up));
  }
  auto vp2 = (*st)->ReadSeries({"country/XB", "probe", "vp2"}, 0, INT64_MAX);
  ASSERT_TRUE(vp2.ok());
  EXPECT_EQ(vp2->values, local);
  auto combined = (*st)->ReadSeries({"country/XA", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(combined.ok());
  for (double v : combined->values) EXPECT_FALSE(store::IsMissing(v)) << "a gap";
}

}  // namespace
}  // namespace blackout::probe
