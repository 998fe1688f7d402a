// `blackout mrt dump` must print exactly what Debian's `bgpdump -m` prints, for every MRT file of
// the shared data (../shared/data/mrt). Where bgpdump is wrong (documented in docs/mrt.md and the
// data README) or the file is damaged, the test states what blackout prints instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

namespace fs = std::filesystem;
using testing::BlackoutBinary;
using testing::CommandResult;
using testing::DataDir;
using testing::DataFile;
using testing::RunCommand;

std::string Quote(const fs::path& p) { return "'" + p.string() + "'"; }

CommandResult Bgpdump(const fs::path& f) {
  // -v logs to stderr instead of syslog (much faster where no syslog daemon runs).
  CommandResult r = RunCommand("bgpdump -v -m " + Quote(f) + " 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << "bgpdump failed on " << f << " (is the bgpdump package installed?)";
  return r;
}

CommandResult Dump(const std::string& args) {
  return RunCommand(Quote(BlackoutBinary()) + " mrt dump " + args);
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

// Files with their own test below (bgpdump bugs, damaged data), relative to DataDir()/mrt.
const std::set<std::string>& SpecialFiles() {
  static const std::set<std::string> k = {
      "bgpdump/test_data/updates.nlri_mask_trailing_bits.gz",
      "mrtparse/samples/bird_bgp",
      "mrtparse/samples/bird6_bgp",
      "bgpkit-parser/tests/fixtures/ripe/rrc00/2000.01/bview.20000111.0032.gz",
      "bgpkit-parser/tests/fixtures/ripe/rrc00/2000.03/updates.20000325.0345.gz",
      "bgpkit-parser/tests/fixtures/ripe/rrc01/2000.11/updates.20001104.0124.gz",
      "pyasn/data/rib6.20151101.0600_firstMB.bz2",
      "pyasn/data/rib.20140523.0600_firstMB.bz2",
      "pyasn/data/rib.20080501.0644_firstMB.bz2",
      "pyasn/data/bview.20140112.1600_3samples.bz2",
      "hask-mrt/test/data/rib.bz2",
  };
  return k;
}

std::vector<std::string> AllMrtFiles() {
  std::vector<std::string> out;
  const fs::path root = DataDir() / "mrt";
  if (!fs::is_directory(root)) {
    ADD_FAILURE() << "missing " << root;
    return out;
  }
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string rel = fs::relative(e.path(), root).string();
    if (rel.find("test_expect/") != std::string::npos) continue;  // bgpdump's text output
    out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(MrtDumpTest, EveryOrdinaryFileMatchesBgpdumpByteForByte) {
  std::vector<std::string> files = AllMrtFiles();
  ASSERT_GE(files.size(), 60u);
  int compared = 0;
  for (const std::string& rel : files) {
    if (SpecialFiles().count(rel)) continue;
    const fs::path f = DataDir() / "mrt" / rel;
    CommandResult want = Bgpdump(f);
    CommandResult got = Dump(Quote(f));
    EXPECT_EQ(got.exit_code, 0) << rel << "\n" << got.err;
    EXPECT_TRUE(got.out == want.out) << rel << ": output differs from bgpdump -m ("
                                     << got.out.size() << " vs " << want.out.size() << " bytes)";
    ++compared;
  }
  EXPECT_GE(compared, 50);
}

TEST(MrtDumpTest, FullRouteViews6RibMatchesBgpdump) {
  const fs::path f = DataFile("mrt/hask-mrt/test/data/rib.bz2");
  CommandResult want = Bgpdump(f);
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(Count(got.out, "\n"), 609246u);
  EXPECT_TRUE(got.out == want.out) << "output differs from bgpdump -m";
}

// bgpdump 1.6.2 prints the NLRI's host bits (11.13.0.0/13); the prefix is 11.8.0.0/13. The same
// UPDATE ends in a truncated prefix, which blackout reports.
TEST(MrtDumpTest, NlriMaskTrailingBitsPrintsTheMaskedPrefix) {
  const fs::path f = DataFile("mrt/bgpdump/test_data/updates.nlri_mask_trailing_bits.gz");
  CommandResult want = Bgpdump(f);
  ASSERT_NE(want.out.find("|11.13.0.0/13|"), std::string::npos);
  std::string expected = want.out;
  expected.replace(expected.find("|11.13.0.0/13|"), 14, "|11.8.0.0/13|");
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.out, expected);
  EXPECT_EQ(got.exit_code, 1);
  EXPECT_NE(got.err.find("offset 0 record 1"), std::string::npos) << got.err;
  EXPECT_NE(got.err.find("truncated"), std::string::npos) << got.err;
}

// Old BIRD wrote ADD-PATH NLRI into plain MESSAGE_AS4 records; bgpdump misparses them into
// garbage prefixes. blackout reports each such record and decodes the NLRI with path ids.
TEST(MrtDumpTest, BirdAddPathNlriInPlainRecords) {
  for (const char* name : {"mrt/mrtparse/samples/bird_bgp", "mrt/mrtparse/samples/bird6_bgp"}) {
    const fs::path f = DataFile(name);
    CommandResult want = Bgpdump(f);
    CommandResult got = Dump(Quote(f));
    EXPECT_EQ(got.exit_code, 1) << name;
    EXPECT_EQ(Count(got.err, "decoded as ADD-PATH NLRI"), 6u) << got.err;
    // Everything else is what bgpdump prints, in the same order.
    std::vector<std::string> theirs = Lines(want.out);
    size_t i = 0;
    int ap = 0;
    for (const std::string& line : Lines(got.out)) {
      if (line.rfind("BGP4MP_AP|", 0) == 0) {
        ++ap;
        // BGP4MP_AP|time|A|peer|as|prefix|path_id|...: BIRD's path ids are 1 and 2.
        std::vector<std::string> f;
        std::istringstream fs_(line);
        for (std::string x; std::getline(fs_, x, '|');) f.push_back(x);
        ASSERT_GT(f.size(), 7u) << line;
        EXPECT_TRUE(f[6] == "1" || f[6] == "2") << line;
        continue;
      }
      while (i < theirs.size() && theirs[i] != line) ++i;
      EXPECT_LT(i, theirs.size()) << name << ": line not in bgpdump's output: " << line;
    }
    EXPECT_GT(ap, 0);
  }
}

// Collector-damaged: every record length is 4 bytes short. bgpdump stops after the first record;
// blackout reports each bad length and prints one element per record (2490).
TEST(MrtDumpTest, DamagedBviewShortLengths) {
  const fs::path f =
      DataFile("mrt/bgpkit-parser/tests/fixtures/ripe/rrc00/2000.01/bview.20000111.0032.gz");
  CommandResult want = Bgpdump(f);
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.exit_code, 1);
  std::vector<std::string> lines = Lines(got.out);
  ASSERT_EQ(lines.size(), 2490u);
  EXPECT_EQ(lines[0] + "\n", want.out);  // bgpdump's only line
  for (const std::string& l : lines) {
    ASSERT_EQ(l.rfind("TABLE_DUMP|", 0), 0u) << l;
    EXPECT_EQ(std::count(l.begin(), l.end(), '|'), 14) << l;
  }
  EXPECT_EQ(Count(got.err, "4 bytes after the end of record"), 2489u);
  EXPECT_NE(got.err.find("offset 7732 record 2: next MRT header found 4 bytes after the end of "
                         "record 1"),
            std::string::npos);
  EXPECT_NE(got.err.find("truncated MRT header"), std::string::npos);
  EXPECT_NE(got.err.find("problem(s)"), std::string::npos);  // the one-line summary
}

// Collector-damaged: two broken record boundaries. bgpdump prints garbage from the first broken
// record and loses the records it swallowed; blackout drops that record, resynchronises, and
// prints everything bgpdump printed except the garbage, plus the records bgpdump lost.
TEST(MrtDumpTest, DamagedUpdatesBrokenBoundaries) {
  const fs::path f =
      DataFile("mrt/bgpkit-parser/tests/fixtures/ripe/rrc00/2000.03/updates.20000325.0345.gz");
  CommandResult want = Bgpdump(f);
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.exit_code, 1);
  std::vector<std::string> theirs, ours = Lines(got.out);
  for (const std::string& l : Lines(want.out)) {
    if (l.find("|0.5.0.3|13937|") == std::string::npos) theirs.push_back(l);  // garbage record
  }
  // bgpdump read the broken record's 14556-byte "body" as one UPDATE: 2042 garbage lines, and
  // the records inside it lost; only 4 sound lines remain.
  EXPECT_EQ(Lines(want.out).size() - theirs.size(), 2042u);
  EXPECT_EQ(theirs.size(), 4u);
  // bgpdump's sound lines are all ours, in order.
  size_t i = 0;
  for (const std::string& l : ours) {
    if (i < theirs.size() && l == theirs[i]) ++i;
  }
  EXPECT_EQ(i, theirs.size());
  EXPECT_EQ(ours.size(), 5685u);
  EXPECT_NE(got.err.find("offset 188 record 5: BGP/UPDATE record with length 14556 is malformed"),
            std::string::npos)
      << got.err;
  EXPECT_NE(got.err.find("record 204: next MRT header found 14 bytes"), std::string::npos);
}

// Collector-damaged: Zebra wrote 8-byte STATE_CHANGE records (no addresses). Output as bgpdump
// (peer 0.0.0.0), each record reported.
TEST(MrtDumpTest, DamagedZebraStateChanges) {
  const fs::path f =
      DataFile("mrt/bgpkit-parser/tests/fixtures/ripe/rrc01/2000.11/updates.20001104.0124.gz");
  CommandResult want = Bgpdump(f);
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.out, want.out);
  EXPECT_EQ(got.exit_code, 1);
  EXPECT_EQ(Count(got.err, "8-byte BGP4MP STATE_CHANGE"), 42u);
}

// Cut after the first MiB of the .bz2: every record before the cut, then the error.
TEST(MrtDumpTest, TruncatedCompressedRibs) {
  for (const char* name : {"mrt/pyasn/data/rib6.20151101.0600_firstMB.bz2",
                           "mrt/pyasn/data/rib.20140523.0600_firstMB.bz2",
                           "mrt/pyasn/data/rib.20080501.0644_firstMB.bz2"}) {
    const fs::path f = DataFile(name);
    CommandResult want = Bgpdump(f);
    CommandResult got = Dump(Quote(f));
    EXPECT_EQ(got.out, want.out) << name;
    EXPECT_EQ(got.exit_code, 1) << name;
    EXPECT_NE(got.err.find("truncated"), std::string::npos) << got.err;
    EXPECT_NE(got.err.find("offset "), std::string::npos) << got.err;
  }
}

// RIB records without a PEER_INDEX_TABLE: nothing to attribute them to (bgpdump prints nothing
// either); each is reported.
TEST(MrtDumpTest, RibWithoutPeerIndexTable) {
  const fs::path f = DataFile("mrt/pyasn/data/bview.20140112.1600_3samples.bz2");
  CommandResult got = Dump(Quote(f));
  EXPECT_EQ(got.out, Bgpdump(f).out);
  EXPECT_EQ(got.out, "");
  EXPECT_EQ(got.exit_code, 1);
  EXPECT_EQ(Count(got.err, "without a PEER_INDEX_TABLE"), 3u) << got.err;
  EXPECT_NE(got.err.find("record 1"), std::string::npos);
}

TEST(MrtDumpTest, CompressionByContentAndStdin) {
  testing::TempDir tmp;
  const fs::path src = DataFile("mrt/bgpdump/test_data/updates.20160811.1600.gz");
  const fs::path renamed = tmp / "no_extension.mrt";
  fs::copy_file(src, renamed);
  CommandResult want = Bgpdump(src);
  EXPECT_EQ(Dump(Quote(renamed)).out, want.out);
  CommandResult piped =
      RunCommand("cat " + Quote(src) + " | " + Quote(BlackoutBinary()) + " mrt dump -");
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.out, want.out);
}

TEST(MrtDumpTest, SeveralFilesConcatenate) {
  const fs::path a = DataFile("mrt/mrtparse/samples/quagga_rib");
  const fs::path b = DataFile("mrt/mrtparse/samples/openbgpd_bgp");
  CommandResult got = Dump(Quote(a) + " " + Quote(b));
  EXPECT_EQ(got.exit_code, 0);
  EXPECT_EQ(got.out, Bgpdump(a).out + Bgpdump(b).out);
}

TEST(MrtDumpTest, Json) {
  const fs::path f = DataFile("mrt/mrtparse/samples/quagga_rib");
  CommandResult got = Dump("--json " + Quote(f));
  EXPECT_EQ(got.exit_code, 0);
  std::vector<std::string> lines = Lines(got.out);
  ASSERT_EQ(lines.size(), Lines(Bgpdump(f).out).size());
  EXPECT_EQ(lines[0].rfind("{\"type\":\"B\",\"source\":\"TABLE_DUMP2\",\"time\":1486802400,", 0),
            0u)
      << lines[0];
  EXPECT_NE(lines[0].find("\"prefix\":\"172.17.0.0/24\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"as_path\":\"4200000000 4200000000 4200000000 64512 64512 64512\""),
            std::string::npos);
  for (const std::string& l : lines) EXPECT_EQ(l.back(), '}');
}

TEST(MrtDumpTest, MissingFileAndUsage) {
  CommandResult missing = Dump("/nonexistent/file.mrt");
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("/nonexistent/file.mrt"), std::string::npos);
  EXPECT_EQ(Dump("").exit_code, 2);
}

TEST(MrtStatsTest, CountsRecordsElementsPeersPrefixes) {
  const fs::path f = DataFile("mrt/bgpdump/test_data/bview.20020722.2337.gz");
  CommandResult got = RunCommand(Quote(BlackoutBinary()) + " mrt stats --json " + Quote(f));
  EXPECT_EQ(got.exit_code, 0) << got.err;
  // The data README: TABLE_DUMP v1 RIB, 115,521 entries, 36 peers.
  EXPECT_NE(got.out.find("\"elements\":115521"), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("\"peers\":36"), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("\"B\":115521"), std::string::npos) << got.out;
  EXPECT_NE(got.out.find("\"problems\":0"), std::string::npos) << got.out;

  CommandResult rib =
      RunCommand(Quote(BlackoutBinary()) + " mrt stats " +
                 Quote(DataFile("mrt/pyasn/data/bview.20140112.1600_3samples.bz2")));
  EXPECT_EQ(rib.exit_code, 1);
  EXPECT_NE(rib.out.find("problems         3"), std::string::npos) << rib.out;
}

}  // namespace
}  // namespace blackout
