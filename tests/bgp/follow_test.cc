// Following archives (bgp/follow.h) against loopback servers laid out like RIS and RouteViews,
// serving the real rrc04 update files of shared/data/mrt in place (symlinks in a temporary
// folder): late files, 404s for files not yet published, cut transfers, restarts, the disk budget.
#include "blackout/bgp/follow.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

#include "blackout/bgp/archive.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"
#include "server_fixture.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;
using blackout::testing::TempDir;
using testing::ArchiveServer;

const fs::path kReal = "/work/shared/data/mrt/ris-rrc04-2021-01-01";

UnixSeconds T(const char* s) { return ParseTime(s).value(); }

// The real file of rrc04 at HHMM (04:55 .. 07:00).
fs::path Real(const char* hhmm) {
  return kReal / (std::string("updates.20210101.") + hhmm + ".gz");
}

// Publishes `real` at `relative` below the served folder (a symlink: read in place).
void Publish(const fs::path& root, const std::string& relative, const fs::path& real) {
  fs::create_directories((root / relative).parent_path());
  fs::create_symlink(real, root / relative);
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// What the store holds of the bgp signal for ASes: (points, sum of values).
std::pair<size_t, double> Fingerprint(store::Store& st) {
  store::SeriesFilter f;
  f.entity_type = "asn";
  f.signal = "bgp";
  f.source = "";
  auto series = st.ReadSeriesMany(f, 0, std::numeric_limits<UnixSeconds>::max()).value();
  size_t n = 0;
  double sum = 0;
  for (const auto& s : series) {
    for (double v : s.values) {
      if (std::isnan(v)) continue;
      ++n;
      sum += v;
    }
  }
  return {n, sum};
}

struct Rig {
  TempDir tmp;
  fs::path served = tmp / "archive", cache = tmp / "cache";
  std::unique_ptr<store::Store> store;
  UnixSeconds now = 0;
  IngestOptions ingest;

  Rig() {
    fs::create_directories(served);
    store = store::OpenStore("sqlite:" + (tmp / "store.db").string()).value();
    ingest.view.full_feed_v4 = 1;  // update files alone: every peer counts
  }
  FollowOptions Options() {
    FollowOptions o;
    o.cache_dir = cache;
    o.backfill_days = 0;
    o.missing_after_s = 3600;
    o.fetch.backoff_initial_s = 0.01;
    o.fetch.max_attempts = 1;  // a cut transfer is left to the next poll
    o.now = [this] { return now; };
    return o;
  }
  bool Ingested(const std::string& key) { return store->GetIngest(key).ok(); }
  BgpPass Pass(ArchiveFollower& f) { return RunBgpPass({}, &f, ingest, nullptr, *store).value(); }
};

TEST(FollowTest, RisLateFilesNotYetPublishedCutTransfersAndRestart) {
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  const std::string d = "rrc04/2021.01/";
  // The 00:00 RIB slot holds the 04:55 file (a stand-in: the data set has update files only).
  Publish(rig.served, d + "bview.20210101.0000.gz", Real("0455"));
  Publish(rig.served, d + "updates.20210101.0455.gz", Real("0455"));
  Publish(rig.served, d + "updates.20210101.0500.gz", Real("0500"));
  ArchiveServer server(rig.served, rig.tmp.path(),
                       "--cut-at 50000 --cut-only updates.20210101.0510");
  auto src = ParseArchiveSource("ris:rrc04 base=" + server.url()).value();

  {
    ArchiveFollower follower({src}, rig.Options());
    // 05:10: the RIB and 04:55, 05:00 are there; 05:05 is due but not yet published (404).
    rig.now = T("2021-01-01T05:10:00Z");
    BgpPass p1 = rig.Pass(follower);
    EXPECT_EQ(p1.follow.fetched, 3u);
    EXPECT_EQ(p1.follow.failed, 0u) << p1.follow.problems.front();
    EXPECT_TRUE(p1.follow.problems.empty());
    // 00:00 .. 04:00 ended more than an hour ago: given up as an archive gap; 04:05 .. 05:05 wait.
    EXPECT_EQ(p1.follow.missing, 49u);
    EXPECT_EQ(p1.follow.waiting, 11u);
    EXPECT_EQ(p1.ingest.files_written, 3u);
    EXPECT_TRUE(rig.Ingested("bgp:rrc04/updates.20210101.0500.gz"));
    EXPECT_FALSE(rig.Ingested("bgp:rrc04/updates.20210101.0505.gz"));
    auto after1 = Fingerprint(*rig.store);
    EXPECT_GT(after1.first, 0u);

    // 05:20: 05:05 is published late, 05:10 appears but its transfer is cut.
    Publish(rig.served, d + "updates.20210101.0505.gz", Real("0505"));
    Publish(rig.served, d + "updates.20210101.0510.gz", Real("0510"));
    rig.now = T("2021-01-01T05:20:00Z");
    BgpPass p2 = rig.Pass(follower);
    EXPECT_EQ(p2.follow.fetched, 1u);
    EXPECT_EQ(p2.follow.failed, 1u);
    ASSERT_EQ(p2.follow.problems.size(), 1u);
    EXPECT_NE(p2.follow.problems[0].find("updates.20210101.0510.gz"), std::string::npos);
    EXPECT_NE(p2.follow.problems[0].find("resumed on the next poll"), std::string::npos);
    EXPECT_TRUE(rig.Ingested("bgp:rrc04/updates.20210101.0505.gz"));
    EXPECT_FALSE(rig.Ingested("bgp:rrc04/updates.20210101.0510.gz"));  // never half a file
    EXPECT_FALSE(fs::exists(rig.cache / d / "updates.20210101.0510.gz"));
    EXPECT_EQ(fs::file_size(rig.cache / d / "updates.20210101.0510.gz.part"), 50000u);
    EXPECT_TRUE(fs::exists(rig.cache / d / "updates.20210101.0510.gz.part.meta"));
    // `blackout ingest bgp DATA_DIR/archives` reads the cache too, never a transfer in progress.
    auto described = DescribeInputs({rig.cache.string()}).value();
    EXPECT_EQ(described.size(), 4u);
    for (const auto& f : described) EXPECT_EQ(f.path.extension(), ".gz") << f.path;
    EXPECT_EQ(p2.ingest.files_written, 1u);
    EXPECT_GT(Fingerprint(*rig.store).first, after1.first);
  }

  // A restart (a new follower over the same cache and store) resumes the cut transfer and
  // fetches nothing else again.
  std::string log_before = server.log();
  ArchiveFollower restarted({src}, rig.Options());
  BgpPass p3 = rig.Pass(restarted);
  std::string log = server.log().substr(log_before.size());
  EXPECT_EQ(p3.follow.fetched, 1u);
  EXPECT_EQ(p3.follow.resumed, 1u);
  EXPECT_EQ(Count(log, "GET /rrc04/2021.01/updates.20210101.0510.gz bytes=50000- -> 206"), 1u)
      << log;
  for (const char* f : {"bview.20210101.0000", "updates.20210101.0455", "updates.20210101.0500",
                        "updates.20210101.0505"}) {
    EXPECT_EQ(Count(log, f), 0u) << f << " fetched again:\n" << log;
  }
  EXPECT_TRUE(rig.Ingested("bgp:rrc04/updates.20210101.0510.gz"));
  EXPECT_EQ(fs::file_size(rig.cache / d / "updates.20210101.0510.gz"), fs::file_size(Real("0510")));
  auto after3 = Fingerprint(*rig.store);

  // Given-up files are not asked for again by the same follower; a pass with nothing new writes
  // nothing and changes nothing.
  log_before = server.log();
  BgpPass p4 = rig.Pass(restarted);
  log = server.log().substr(log_before.size());
  EXPECT_EQ(p4.follow.fetched, 0u);
  EXPECT_EQ(p4.ingest.files_written, 0u);
  EXPECT_EQ(Count(log, "updates.20210101.0000.gz"), 0u) << log;
  EXPECT_EQ(Count(log, "updates.20210101.0515.gz - -> 404"), 1u) << log;  // due, not yet there
  EXPECT_EQ(Fingerprint(*rig.store), after3);
  auto ledger = rig.store->ListIngests({}).value();
  EXPECT_EQ(ledger.size(), 5u);  // bview + 04:55 .. 05:10, each once
}

TEST(FollowTest, RouteViewsRootCollectorDiskBudgetKeepsTheLatestRibAndWhatFollows) {
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  const std::string d = "bgpdata/2021.01/";  // route-views2: no collector folder
  const char* real[] = {"0455", "0500", "0505", "0510", "0515", "0520", "0525", "0530", "0535"};
  // 04:00 RIB and the 15-minute update files 04:00 .. 05:00.
  Publish(rig.served, d + "RIBS/rib.20210101.0400.bz2", Real("0455"));
  const char* first[] = {"0400", "0415", "0430", "0445", "0500"};
  for (int i = 0; i < 5; ++i) {
    Publish(rig.served, d + "UPDATES/updates.20210101." + first[i] + ".bz2", Real(real[i]));
  }
  ArchiveServer server(rig.served, rig.tmp.path(), "--cut-at 30000 --cut-only 0615");
  auto src = ParseArchiveSource("routeviews:route-views2 base=" + server.url()).value();
  uint64_t first_bytes = fs::file_size(Real("0455"));
  for (int i = 0; i < 5; ++i) first_bytes += fs::file_size(Real(real[i]));
  FollowOptions o = rig.Options();
  o.disk_budget_bytes = first_bytes + 1000;  // the first RIB and its updates, not much more
  o.fetch.concurrency = 1;
  ArchiveFollower follower({src}, o);

  rig.now = T("2021-01-01T05:20:00Z");
  BgpPass p1 = rig.Pass(follower);
  EXPECT_EQ(p1.follow.fetched, 6u);
  EXPECT_EQ(p1.ingest.files_written, 6u);
  EXPECT_EQ(p1.trim.deleted, 0u);
  EXPECT_TRUE(rig.Ingested("bgp:route-views2/rib.20210101.0400.bz2"));
  EXPECT_TRUE(fs::exists(rig.cache / d / "UPDATES/updates.20210101.0500.bz2"));

  // 06:30: the 06:00 RIB and 05:15 .. 06:00 updates; 06:15 is cut (left as .part).
  Publish(rig.served, d + "RIBS/rib.20210101.0600.bz2", Real("0505"));
  const char* second[] = {"0515", "0530", "0545", "0600", "0615"};
  for (int i = 0; i < 5; ++i) {
    Publish(rig.served, d + "UPDATES/updates.20210101." + second[i] + ".bz2", Real(real[4 + i]));
  }
  rig.now = T("2021-01-01T06:40:00Z");
  bool saw_part = false;
  for (int pass = 0; pass < 12; ++pass) {
    BgpPass p = rig.Pass(follower);
    // Over the budget, fetching pauses after each file until the trim frees space (concurrency 1).
    EXPECT_LE(p.follow.fetched, 1u);
    if (p.follow.failed == 1) {  // the cut 06:15: never deleted, never ingested half
      saw_part = fs::exists(rig.cache / d / "UPDATES/updates.20210101.0615.bz2.part");
      EXPECT_TRUE(saw_part);
      EXPECT_FALSE(rig.Ingested("bgp:route-views2/updates.20210101.0615.bz2"));
    }
    if (p.follow.fetched == 0 && p.follow.failed == 0) break;
  }
  EXPECT_TRUE(saw_part);
  // Everything due arrived and was ingested once.
  for (const char* f : {"rib.20210101.0600", "updates.20210101.0515", "updates.20210101.0600",
                        "updates.20210101.0615"}) {
    EXPECT_TRUE(rig.Ingested(std::string("bgp:route-views2/") + f + ".bz2")) << f;
  }
  // The budget: what precedes the 06:00 RIB went; the RIB and what follows it stayed.
  EXPECT_LE(follower.CacheBytes(), o.disk_budget_bytes);
  EXPECT_FALSE(fs::exists(rig.cache / d / "RIBS/rib.20210101.0400.bz2"));
  EXPECT_FALSE(fs::exists(rig.cache / d / "UPDATES/updates.20210101.0400.bz2"));
  EXPECT_TRUE(fs::exists(rig.cache / d / "RIBS/rib.20210101.0600.bz2"));
  EXPECT_TRUE(fs::exists(rig.cache / d / "UPDATES/updates.20210101.0615.bz2"));
  // The deleted files are not fetched again.
  std::string log = server.log();
  EXPECT_EQ(Count(log, "GET /bgpdata/2021.01/RIBS/rib.20210101.0400.bz2"), 1u) << log;
}

TEST(FollowTest, PassWithNewFileRewritesOnlyBinsFromItOn) {
  // Bins before the earliest new file are what an earlier pass wrote; with the old files gone
  // from the inputs they must not be rewritten from a view that lacks them.
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  const std::string d = "rrc04/2021.01/";
  Publish(rig.served, d + "bview.20210101.0000.gz", Real("0455"));
  for (const char* t : {"0455", "0500", "0505"}) {
    Publish(rig.served, d + "updates.20210101." + t + ".gz", Real(t));
  }
  ArchiveServer server(rig.served, rig.tmp.path());
  auto src = ParseArchiveSource("ris:rrc04 base=" + server.url()).value();
  ArchiveFollower follower({src}, rig.Options());
  rig.now = T("2021-01-01T05:10:00Z");
  rig.Pass(follower);
  auto before = Fingerprint(*rig.store);
  Publish(rig.served, d + "updates.20210101.0510.gz", Real("0510"));
  rig.now = T("2021-01-01T05:15:00Z");
  BgpPass p = rig.Pass(follower);
  EXPECT_EQ(p.ingest.files_written, 1u);
  EXPECT_LE(p.ingest.bins, 2u);  // 05:10 (and the last bin), not 04:55 .. 05:05 again
  EXPECT_GT(Fingerprint(*rig.store).first, before.first);
}

TEST(FollowTest, RunFollowsAnArchiveAndARestartFetchesNothingAgain) {
  // `blackout run --once` on the real clock: the loopback archive publishes the real files under
  // today's names (the latest RIB slot and up to 12 update files after it).
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  const UnixSeconds now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  const UnixSeconds rib = BinStart(now, 8 * 3600);
  auto c = ParseCollector("rrc04").value();
  Publish(rig.served, ArchivePath(c, ArchiveFileKind::kRib, rib), Real("0455"));
  const char* real[] = {"0455", "0500", "0505", "0510", "0515", "0520",
                        "0525", "0530", "0535", "0540", "0545", "0550"};
  std::vector<std::string> published = {ArchivePath(c, ArchiveFileKind::kRib, rib)};
  for (int i = 0; i < 12 && rib + 300 * (i + 1) <= now - 60; ++i) {
    published.push_back(ArchivePath(c, ArchiveFileKind::kUpdates, rib + 300 * i));
    Publish(rig.served, published.back(), Real(real[i]));
  }
  ArchiveServer server(rig.served, rig.tmp.path(), "--cut-at 40000");
  fs::path data = rig.tmp / "data";
  blackout::testing::WriteFile(rig.tmp / "run.toml",
                               "[data]\ndir = \"" + data.string() +
                                   "\"\n[scenario]\nenabled = false\n[geo]\nenabled = false\n"
                                   "[server]\nlisten = \"127.0.0.1:0\"\n[sources]\nbgp = "
                                   "[\"ris:rrc04 base=" +
                                   server.url() +
                                   "\"]\nbgp_backfill_days = 0\nbgp_full_feed_v4 = 1\n");
  const std::string cmd = blackout::testing::BlackoutBinary().string() + " run --once --config '" +
                          (rig.tmp / "run.toml").string() + "'";
  // First run: every transfer is cut once (attempts resume it within the run).
  auto r = blackout::testing::RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& rel : published) {
    EXPECT_EQ(fs::file_size(data / "archives" / rel),
              fs::file_size(fs::read_symlink(rig.served / rel)))
        << rel;
  }
  auto st = store::OpenStore("sqlite:" + (data / "blackout.db").string()).value();
  EXPECT_EQ(st->ListIngests({}).value().size(), published.size());
  auto before = Fingerprint(*st);
  st.reset();
  // Second run: no file fetched again, nothing counted twice.
  r = blackout::testing::RunCommand(cmd);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string log = server.log();
  for (const auto& rel : published) {
    EXPECT_EQ(Count(log, "GET /" + rel + " - -> 200"), 1u) << rel << "\n" << log;
  }
  st = store::OpenStore("sqlite:" + (data / "blackout.db").string()).value();
  EXPECT_EQ(st->ListIngests({}).value().size(), published.size());
  EXPECT_EQ(Fingerprint(*st), before);
}

TEST(FollowTest, ErrorsNameTheUrlAndWhatHappensNext) {
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  // Nothing listens on port 1: a network error, reported with the URL, retried next poll.
  auto src = ParseArchiveSource("ris:rrc04 base=http://127.0.0.1:1").value();
  ArchiveFollower follower({src}, rig.Options());
  rig.now = T("2021-01-01T00:06:00Z");
  BgpPass p = rig.Pass(follower);
  EXPECT_EQ(p.follow.failed, 2u);  // the 00:00 RIB and the 00:00 update file
  ASSERT_FALSE(p.follow.problems.empty());
  EXPECT_NE(p.follow.problems[0].find("http://127.0.0.1:1/rrc04/2021.01/"), std::string::npos)
      << p.follow.problems[0];
  EXPECT_NE(p.follow.problems[0].find("resumed on the next poll"), std::string::npos);
  EXPECT_EQ(rig.store->ListIngests({}).value().size(), 0u);

  // A bad source in the config is a usage error naming the key and the fix.
  blackout::testing::WriteFile(rig.tmp / "bad.toml",
                               "[sources]\nbgp = [\"ris:route-views2\"]\n[data]\ndir = \"" +
                                   (rig.tmp / "d").string() + "\"\n");
  auto r = blackout::testing::RunCommand(blackout::testing::BlackoutBinary().string() +
                                         " run --once --config '" +
                                         (rig.tmp / "bad.toml").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("sources.bgp"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("routeviews:route-views2"), std::string::npos) << r.err;
  // Two sources of one collector would share ledger keys and cache files.
  blackout::testing::WriteFile(
      rig.tmp / "dup.toml",
      "[sources]\nbgp = [\"ris:rrc04\", "
      "\"https://m.example/rrc04/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz\"]\n");
  r = blackout::testing::RunCommand(blackout::testing::BlackoutBinary().string() +
                                    " run --once --config '" + (rig.tmp / "dup.toml").string() +
                                    "'");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("collector=NAME"), std::string::npos) << r.err;
}

TEST(FollowTest, StartsAtTheLatestPublishedRibAndTakesTheNewOneLate) {
  if (!fs::exists(kReal)) GTEST_SKIP() << "no real MRT data at " << kReal;
  Rig rig;
  const std::string d = "rrc04/2021.01/";
  Publish(rig.served, d + "bview.20210101.0000.gz", Real("0455"));
  Publish(rig.served, d + "updates.20210101.0800.gz", Real("0500"));
  ArchiveServer server(rig.served, rig.tmp.path());
  auto src = ParseArchiveSource("ris:rrc04 base=" + server.url()).value();
  ArchiveFollower follower({src}, rig.Options());  // backfill 0: the latest RIB
  // 08:10: the 08:00 RIB is not published yet, so the latest RIB is 00:00's.
  rig.now = T("2021-01-01T08:10:00Z");
  BgpPass p1 = rig.Pass(follower);
  EXPECT_EQ(p1.follow.fetched, 2u);  // 08:00's update file, then (same poll) the 00:00 RIB
  EXPECT_TRUE(rig.Ingested("bgp:rrc04/bview.20210101.0000.gz"));
  EXPECT_TRUE(rig.Ingested("bgp:rrc04/updates.20210101.0800.gz"));
  EXPECT_EQ(rig.Pass(follower).follow.fetched, 0u);
  // The 08:00 RIB arrives late: fetched and ingested, and the bins are taken from it on.
  Publish(rig.served, d + "bview.20210101.0800.gz", Real("0505"));
  BgpPass p3 = rig.Pass(follower);
  EXPECT_EQ(p3.follow.fetched, 1u);
  EXPECT_TRUE(rig.Ingested("bgp:rrc04/bview.20210101.0800.gz"));
  EXPECT_EQ(p3.ingest.files_written, 1u);

  // A source's backfill_days=1 starts at the RIB at or before a day earlier.
  auto day = ParseArchiveSource("ris:rrc04 backfill_days=1 base=" + server.url()).value();
  TempDir other;
  FollowOptions o = rig.Options();
  o.cache_dir = other / "cache";
  ArchiveFollower back({day}, o);
  rig.now = T("2021-01-02T05:10:00Z");
  std::string before = server.log();
  FollowReport r = back.Poll([](const std::string&) { return false; });
  std::string log = server.log().substr(before.size());
  EXPECT_EQ(Count(log, "GET /rrc04/2021.01/bview.20210101.0000.gz - -> 200"), 1u) << log;
  EXPECT_EQ(Count(log, "bview.20201231"), 0u) << log;
  EXPECT_GE(r.fetched, 3u);
}

}  // namespace
}  // namespace blackout::bgp
