// `blackout ingest bgp` on real data: the RIS rrc04 update stream, a full RouteViews IPv6 RIB, and
// files damaged by their collectors (docs/bgp.md says what is checked and why).
#include "blackout/bgp/ingest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>

#include "blackout/base/time.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;
using blackout::testing::DataFile;
using blackout::testing::RunCommand;
using blackout::testing::TempDir;

std::string Blackout() { return blackout::testing::BlackoutBinary().string(); }

TEST(BgpIngestTest, DescribeInputsNamesCollectorsAndOrdersRibFirst) {
  TempDir tmp;
  for (const char* rel :
       {"ris/rrc04/2021.01/updates.20210101.0800.gz", "ris/rrc04/2021.01/bview.20210101.0800.gz",
        "ris/rrc04/2021.01/updates.20210101.0755.gz",
        "rv/route-views.sydney/bgpdata/2021.01/UPDATES/updates.20210101.0745.bz2",
        "rv/bgpdata/2021.01/RIBS/rib.20210101.0600.bz2",
        "rv/bgpdata/2021.01/RIBS/rib.20210101.0600.bz2.part"}) {
    fs::create_directories((tmp / rel).parent_path());
    blackout::testing::WriteFile(tmp / rel, "x");
  }
  auto files = DescribeInputs({(tmp / "ris").string(), (tmp / "rv").string()});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 5u);  // the .part is not an input
  std::vector<std::string> got;
  for (auto& f : *files) got.push_back(f.collector + " " + f.path.filename().string());
  std::vector<std::string> want = {"route-views.sydney updates.20210101.0745.bz2",
                                   "route-views2 rib.20210101.0600.bz2",
                                   "rrc04 updates.20210101.0755.gz", "rrc04 bview.20210101.0800.gz",
                                   "rrc04 updates.20210101.0800.gz"};
  EXPECT_EQ(got, want);
  EXPECT_EQ((*files)[3].ledger_key, "bgp:rrc04/bview.20210101.0800.gz");
  EXPECT_EQ((*files)[3].time, ParseTime("2021-01-01T08:00:00Z").value());
  EXPECT_FALSE(DescribeInputs({(tmp / "nope").string()}).ok());
}

TEST(BgpIngestTest, DamagedFileIsPartialAndAFixedCopyReplacesIt) {
  TempDir tmp;
  fs::path damaged =
      DataFile("mrt/bgpkit-parser/tests/fixtures/ripe/rrc00/2000.03/updates.20000325.0345.gz");
  fs::path sound =
      DataFile("mrt/bgpkit-parser/tests/fixtures/ripe/rrc00/2000.01/updates.20000102.2014.gz");
  fs::path input = tmp / "rrc00/2000.03/updates.20000325.0345.gz";
  fs::create_directories(input.parent_path());
  fs::copy_file(damaged, input);
  std::string store_url = "sqlite:" + (tmp / "db.sqlite").string();
  std::string cmd = Blackout() + " --json ingest bgp '" + input.string() + "' --store " +
                    store_url + " --full-feed-ipv4 0 --full-feed-ipv6 0 --no-geo";
  auto r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // problems found, sound part ingested
  EXPECT_NE(r.out.find("\"partial\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("updates.20000325.0345.gz"), std::string::npos) << r.err;
  auto st = store::OpenStore(store_url).value();
  auto rec = st->GetIngest("bgp:rrc00/updates.20000325.0345.gz");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->state, store::IngestState::kPartial);
  EXPECT_FALSE(rec->detail.empty());
  auto listed = st->ListSeries({.signal = "bgp-1peer"});
  ASSERT_TRUE(listed.ok());
  EXPECT_GT(listed->size(), 10u);  // the sound records made series

  // The same damaged file again: nothing to do. A fixed copy (here: a sound file under the same
  // name) replaces the partial entry.
  r = RunCommand(cmd);
  EXPECT_NE(r.out.find("\"unchanged\":1"), std::string::npos) << r.out;
  fs::copy_file(sound, input, fs::copy_options::overwrite_existing);
  r = RunCommand(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  rec = st->GetIngest("bgp:rrc00/updates.20000325.0345.gz");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->state, store::IngestState::kComplete);
  EXPECT_EQ(rec->applications, 2);
}

TEST(BgpIngestTest, TruncatedRibGivesTheRecordsBeforeTheCut) {
  fs::path rib = DataFile("mrt/pyasn/data/rib.20140523.0600_firstMB.bz2");
  std::vector<InputFile> files = DescribeInputs({rib.string()}).value();
  IngestOptions o;
  o.view = {.full_feed_v4 = 0, .full_feed_v6 = 0};
  FileReport report;
  Visibility last;
  int bins = 0;
  IngestCallbacks cb;
  cb.on_file = [&](size_t, const FileReport& r) { report = r; };
  cb.on_bin = [&](UnixSeconds, const Visibility& v, size_t) {
    last = v;
    ++bins;
  };
  ASSERT_TRUE(IngestFiles(files, o, nullptr, cb).ok());
  EXPECT_TRUE(report.partial);
  EXPECT_GE(report.problems, 1u);
  EXPECT_GT(report.elements, 1000u);
  EXPECT_EQ(bins, 1);
  EXPECT_GT(last.total_v4[0], 100u);
}

// A cancel flag stops reading within a few thousand elements: the service sets it on SIGTERM.
TEST(BgpIngestTest, CancelStopsReadingEarly) {
  fs::path rib = DataFile("mrt/pyasn/data/rib.20140523.0600_firstMB.bz2");
  std::vector<InputFile> files = DescribeInputs({rib.string()}).value();
  IngestOptions o;
  o.view = {.full_feed_v4 = 0, .full_feed_v6 = 0};
  uint64_t elements = 0;
  int bins = 0;
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  IngestCallbacks cb;
  cb.on_file = [&](size_t, const FileReport& r) { elements = r.elements; };
  cb.on_bin = [&](UnixSeconds, const Visibility&, size_t) { ++bins; };
  // Unset, the flag changes nothing.
  ASSERT_TRUE(IngestFiles(files, o, nullptr, cb).ok());
  const uint64_t all = elements;
  ASSERT_GT(all, 10000u);
  // Set, nothing more is read and no bin is reported.
  cancel = true;
  elements = 0;
  bins = 0;
  Status st = IngestFiles(files, o, nullptr, cb);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("cancelled"), std::string::npos) << st.ToString();
  EXPECT_EQ(bins, 0);
  EXPECT_EQ(elements, 0u);  // the file was not read to its end
}

}  // namespace
}  // namespace blackout::bgp
