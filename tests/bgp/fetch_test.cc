// `blackout fetch bgp` against a loopback server laid out like the RIS and RouteViews archives.
#include "blackout/bgp/fetch.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "blackout/bgp/archive.h"
#include "blackout/testing/testing.h"
#include "server_fixture.h"

namespace blackout::bgp {
namespace {

namespace fs = std::filesystem;
using blackout::testing::ReadFile;
using blackout::testing::RunCommand;
using blackout::testing::TempDir;
using blackout::testing::WriteFile;
using testing::ArchiveServer;

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// Lays out the archive files of [from, until) for the collector under `root`, skipping `skip`.
std::vector<std::string> MakeArchive(const fs::path& root, const std::string& collector,
                                     const char* from, const char* until,
                                     const std::string& skip = "") {
  auto c = ParseCollector(collector).value();
  std::vector<std::string> made;
  unsigned seed = 1;
  for (auto& f :
       ListArchiveFiles(c, "", ParseTime(from).value(), ParseTime(until).value(), true, true)) {
    if (f.relative == skip) continue;
    fs::create_directories((root / f.relative).parent_path());
    WriteFile(root / f.relative, RandomBytes(20000 + 997 * seed, seed));
    ++seed;
    made.push_back(f.relative);
  }
  return made;
}

TEST(FetchBgpTest, DownloadsBothLayoutsResumesAfterCutsAndRetries503) {
  TempDir tmp;
  fs::path archive = tmp / "archive", out = tmp / "out";
  auto ris = MakeArchive(archive, "rrc00", "2021-01-01T07:50:00Z", "2021-01-01T08:10:00Z");
  auto rv =
      MakeArchive(archive, "route-views.sydney", "2021-01-01T07:50:00Z", "2021-01-01T08:10:00Z");
  ASSERT_EQ(ris.size(), 6u);  // bview 00:00 and 08:00, updates 07:50..08:05
  ASSERT_EQ(rv.size(), 4u);   // rib 06:00 and 08:00, updates 07:45 and 08:00
  // Every file: first GET is a 503, the next one is cut after 5000 bytes, the third resumes.
  ArchiveServer server(archive, tmp.path(), "--fail-first 1 --cut-at 5000");
  auto r =
      RunCommand(blackout::testing::BlackoutBinary().string() +
                 " --json fetch bgp --collector rrc00 --collector route-views.sydney"
                 " --from 2021-01-01T07:50:00Z --until 2021-01-01T08:10:00Z --dir '" +
                 out.string() + "' --base-url " + server.url() + " --backoff 0.01 --concurrency 3");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& rel : ris) {
    EXPECT_EQ(ReadFile(out / rel), ReadFile(archive / rel)) << rel;
    EXPECT_FALSE(fs::exists(out / (rel + ".part"))) << rel;
  }
  for (const auto& rel : rv) EXPECT_EQ(ReadFile(out / rel), ReadFile(archive / rel)) << rel;
  std::string log = server.log();
  EXPECT_EQ(Count(log, "-> 503"), ris.size() + rv.size()) << log;
  EXPECT_EQ(Count(log, "bytes=5000- -> 206"), ris.size() + rv.size()) << log;
  EXPECT_NE(r.out.find("\"resumed\""), std::string::npos) << r.out;

  // A second run finds everything present (HEAD only) and sends no GET.
  size_t gets_before = Count(server.log(), "GET ");
  r = RunCommand(blackout::testing::BlackoutBinary().string() +
                 " --json fetch bgp --collector rrc00 --from 2021-01-01T07:50:00Z"
                 " --until 2021-01-01T08:10:00Z --dir '" +
                 out.string() + "' --base-url " + server.url());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"present\":6"), std::string::npos) << r.out;
  EXPECT_EQ(Count(server.log(), "GET "), gets_before);
}

TEST(FetchBgpTest, MissingFileIsReportedAndExitCodeIsOne) {
  TempDir tmp;
  fs::path archive = tmp / "archive", out = tmp / "out";
  MakeArchive(archive, "route-views2", "2021-01-01T00:00:00Z", "2021-01-01T00:30:00Z",
              "bgpdata/2021.01/UPDATES/updates.20210101.0015.bz2");
  ArchiveServer server(archive, tmp.path());
  auto r = RunCommand(blackout::testing::BlackoutBinary().string() +
                      " fetch bgp --collector route-views2 --from 2021-01-01T00:00:00Z"
                      " --until 2021-01-01T00:30:00Z --dir '" +
                      out.string() + "' --base-url " + server.url() + " --backoff 0.01");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("updates.20210101.0015.bz2"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out / "bgpdata/2021.01/RIBS/rib.20210101.0000.bz2"));
  EXPECT_TRUE(fs::exists(out / "bgpdata/2021.01/UPDATES/updates.20210101.0000.bz2"));
  // 404 is not retried.
  EXPECT_EQ(Count(server.log(), "GET /bgpdata/2021.01/UPDATES/updates.20210101.0015.bz2"), 1u);
}

TEST(FetchBgpTest, LibraryVerifiesSizeAndRetriesPersistentCuts) {
  TempDir tmp;
  fs::path archive = tmp / "archive";
  fs::create_directories(archive / "d");
  WriteFile(archive / "d/f", RandomBytes(50000, 7));
  ArchiveServer server(archive, tmp.path(), "--cut-at 1000");
  FetchOptions o;
  o.backoff_initial_s = 0.01;
  o.max_attempts = 1;  // the only attempt is cut: the size check must catch it
  std::vector<FetchJob> jobs = {{server.url() + "/d/f", tmp / "got/f"}};
  auto out = FetchFiles(jobs, o);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].status.ok());
  EXPECT_FALSE(fs::exists(tmp / "got/f"));
  EXPECT_EQ(fs::file_size(tmp / "got/f.part"), 1000u);
  o.max_attempts = 3;  // the .part is resumed
  out = FetchFiles(jobs, o);
  ASSERT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  EXPECT_TRUE(out[0].resumed);
  EXPECT_EQ(ReadFile(tmp / "got/f"), ReadFile(archive / "d/f"));
}

// A file that changed on the server between a cut transfer and its resumption: with an ETag the
// If-Range brings the whole new file (200); without one, the resumed 206's total differs from the
// size recorded with the part, so the part is discarded and the file fetched again whole.
void ChangedBetweenCutAndResume(const std::string& server_flags, const std::string& resumed_as) {
  TempDir tmp;
  fs::path archive = tmp / "archive";
  fs::create_directories(archive / "d");
  WriteFile(archive / "d/f", RandomBytes(50000, 7));
  ArchiveServer server(archive, tmp.path(), "--cut-at 1000 " + server_flags);
  FetchOptions o;
  o.backoff_initial_s = 0.01;
  o.max_attempts = 1;
  std::vector<FetchJob> jobs = {{server.url() + "/d/f", tmp / "got/f"}};
  auto out = FetchFiles(jobs, o);
  ASSERT_FALSE(out[0].status.ok());
  ASSERT_EQ(fs::file_size(tmp / "got/f.part"), 1000u);
  fs::remove(archive / "d/f");
  WriteFile(archive / "d/f", RandomBytes(60000, 8));  // a different file, another size
  o.max_attempts = 3;
  out = FetchFiles(jobs, o);
  ASSERT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  EXPECT_EQ(ReadFile(tmp / "got/f"), ReadFile(archive / "d/f"));
  EXPECT_FALSE(fs::exists(tmp / "got/f.part"));
  EXPECT_FALSE(fs::exists(tmp / "got/f.part.meta"));
  EXPECT_EQ(Count(server.log(), "GET /d/f bytes=1000- -> " + resumed_as), 1u) << server.log();
}

TEST(FetchBgpTest, ChangedFileWithETagIsFetchedWholeByIfRange) {
  ChangedBetweenCutAndResume("", "200");
}

TEST(FetchBgpTest, ChangedFileWithoutETagIsRejectedBySizeAndFetchedAgain) {
  ChangedBetweenCutAndResume("--no-etag", "206");
}

TEST(FetchBgpTest, SourceTemplateAndRouteViewsRootLayout) {
  // --source with a URL template and with routeviews:route-views2 (no collector folder).
  TempDir tmp;
  fs::path archive = tmp / "archive", out = tmp / "out";
  auto rv = MakeArchive(archive, "route-views2", "2021-01-01T00:00:00Z", "2021-01-01T00:30:00Z");
  fs::create_directories(archive / "mirror/x1/2021.01");
  WriteFile(archive / "mirror/x1/2021.01/updates.20210101.0000.gz", RandomBytes(3000, 3));
  WriteFile(archive / "mirror/x1/2021.01/updates.20210101.0005.gz", RandomBytes(3000, 4));
  ArchiveServer server(archive, tmp.path());
  auto r = RunCommand(blackout::testing::BlackoutBinary().string() +
                      " --json fetch bgp --source 'routeviews:route-views2 base=" + server.url() +
                      "' --source '" + server.url() +
                      "/mirror/x1/{YYYY}.{MM}/updates.{YYYYMMDD}.{HHMM}.gz rib=" + server.url() +
                      "/none/{YYYYMMDD}.{HHMM}' --no-ribs --from 2021-01-01T00:00:00Z"
                      " --until 2021-01-01T00:10:00Z --dir '" +
                      out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(out / "bgpdata/2021.01/UPDATES/updates.20210101.0000.bz2"));
  EXPECT_EQ(ReadFile(out / "x1/2021.01/updates.20210101.0005.gz"),
            ReadFile(archive / "mirror/x1/2021.01/updates.20210101.0005.gz"));
  EXPECT_NE(r.out.find("\"fetched\":3"), std::string::npos) << r.out;
  // A bad template is a usage error naming what is wrong.
  r = RunCommand(blackout::testing::BlackoutBinary().string() +
                 " fetch bgp --source 'https://x/{YYYY}/updates.gz' --from 2021-01-01T00:00:00Z"
                 " --until 2021-01-01T00:10:00Z --dir '" +
                 out.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("{YYYYMMDD}"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace blackout::bgp
