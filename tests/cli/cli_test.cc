#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::BlackoutBinary;
using testing::RunCommand;
using testing::TempDir;

// Reads the ELF dynamic section's DT_NEEDED entries the cheap way: `blackout` is a static PIE, so
// the dynamic loader has nothing to load for it (docs/cli.md). Counts "NEEDED" in readelf's
// output; -1 when readelf fails.
int NeededLibraries(const std::filesystem::path& binary) {
  auto r = RunCommand("readelf -d " + binary.string());
  if (r.exit_code != 0) return -1;
  int n = 0;
  for (size_t at = r.out.find("(NEEDED)"); at != std::string::npos;
       at = r.out.find("(NEEDED)", at + 1)) {
    ++n;
  }
  return n;
}

TEST(CliTest, VersionAndHelp) {
  auto r = RunCommand(BlackoutBinary().string() + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("blackout "), std::string::npos) << r.out;
  r = RunCommand(BlackoutBinary().string() + " --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos) << r.out;
}

TEST(CliTest, UsageErrorsExitWith2) {
  auto r = RunCommand(BlackoutBinary().string() + " --no-such-flag");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = RunCommand(BlackoutBinary().string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

// `blackout` runs `mrt` itself and hands every other command to blackout-full: the top-level help
// lists every command, and a command's exit code and output come back through the hand-over.
TEST(CliTest, OtherCommandsRunInBlackoutFull) {
  auto r = RunCommand(BlackoutBinary().string() + " --help");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* command : {"mrt", "geo", "import", "ingest", "detect", "serve", "report"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + command + " "), std::string::npos) << command;
  }
  r = RunCommand(BlackoutBinary().string() + " -q report --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: blackout report"), std::string::npos) << r.out;
  r = RunCommand(BlackoutBinary().string() + " detect --no-such-flag");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = RunCommand(BlackoutBinary().string() + " no-such-command");
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(CliTest, BlackoutIsStaticAndFullIsBesideIt) {
  const std::filesystem::path full = BlackoutBinary().parent_path() / "blackout-full";
  ASSERT_TRUE(std::filesystem::exists(full));
  EXPECT_EQ(NeededLibraries(BlackoutBinary()), 0);
  EXPECT_GT(NeededLibraries(full), 10);  // libcurl, cairo, SQLite, ...
}

// Without blackout-full, `mrt` still works and any other command fails with exit code 3 and a
// message naming what is missing.
TEST(CliTest, MrtRunsWithoutBlackoutFull) {
  TempDir dir;
  const std::filesystem::path alone = dir / "blackout";
  std::filesystem::copy_file(BlackoutBinary(), alone);
  std::filesystem::permissions(alone, std::filesystem::perms::owner_all);
  // An MRT file of one BGP4MP STATE_CHANGE record (RFC 6396 §4.4.1): peer AS 64500, local AS
  // 64501, interface 0, AFI 1, 192.0.2.1 -> 192.0.2.2, state 1 -> 6.
  const unsigned char record[] = {0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x14, 0xfb, 0xf4, 0xfb, 0xf5, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00,
                                  0x02, 0x01, 0xc0, 0x00, 0x02, 0x02, 0x00, 0x01, 0x00, 0x06};
  testing::WriteFile(dir / "one.mrt",
                     std::string(reinterpret_cast<const char*>(record), sizeof(record)));
  auto r = RunCommand(alone.string() + " mrt dump " + (dir / "one.mrt").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "BGP4MP|1610612736|STATE|192.0.2.1|64500|1|6\n");
  r = RunCommand(alone.string() + " serve");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("blackout-full not found"), std::string::npos) << r.err;
}

// The installed layout (`cmake --install`): bin/blackout finds ../libexec/blackout/blackout-full.
TEST(CliTest, FindsBlackoutFullInLibexec) {
  TempDir dir;
  std::filesystem::create_directories(dir / "bin");
  std::filesystem::create_directories(dir / "libexec/blackout");
  const std::filesystem::path bin = dir / "bin/blackout";
  std::filesystem::copy_file(BlackoutBinary(), bin);  // a copy: /proc/self/exe resolves links
  std::filesystem::create_symlink(BlackoutBinary().parent_path() / "blackout-full",
                                  dir / "libexec/blackout/blackout-full");
  auto r = RunCommand(bin.string() + " report --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Usage: blackout report"), std::string::npos) << r.out;
}

// A CLI that helps (issue 16): typos and names answered with what was meant, ranges stated, and
// commands that read a store never create one.
std::string Cmd(const std::string& args) { return BlackoutBinary().string() + " " + args; }

TEST(CliHelpTest, SubcommandTyposAreSuggested) {
  auto r = RunCommand(Cmd("reprot country/KZ"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'reprot'; did you mean `blackout report`?"),
            std::string::npos)
      << r.err;
  r = RunCommand(Cmd("--json detcet"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean `blackout detect`?"), std::string::npos) << r.err;
  r = RunCommand(Cmd("geo lokup 2.132.0.1"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean `blackout geo lookup`?"), std::string::npos) << r.err;
  r = RunCommand(Cmd("zzzzzzzz"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the commands are:"), std::string::npos) << r.err;
}

TEST(CliHelpTest, EntityNamesAndCodesAreAnswered) {
  TempDir dir;
  const std::string store = " --store sqlite:" + (dir / "none.db").string();
  const std::string window = " --from 2022-01-03 --until 2022-01-14";
  for (const auto& [arg, want] : std::vector<std::pair<std::string, std::string>>{
           {"Kazakhstan", "unknown entity 'Kazakhstan': did you mean country/KZ?"},
           {"kazakhstan", "did you mean country/KZ?"},
           {"KZ", "did you mean country/KZ?"},
           {"Kazakstan", "did you mean country/KZ?"},  // a near miss of the name
           {"AS9198", "did you mean asn/9198?"},
           {"Almaty", "did you mean region/KZ-ALA?"},
           {"cuntry/KZ", "unknown entity type 'cuntry': did you mean country/KZ?"}}) {
    auto r = RunCommand(Cmd("report " + arg + window + store));
    EXPECT_EQ(r.exit_code, 2) << arg << ": " << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << arg << ": " << r.err;
  }
  auto r =
      RunCommand(Cmd("detect --from 2022-01-03 --until 2022-01-14 --entity Kazakhstan" + store));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("did you mean country/KZ?"), std::string::npos) << r.err;
}

TEST(CliHelpTest, RangeErrorsStateTheRange) {
  auto r = RunCommand(Cmd("report country/KZ --from 2022-01-03 --until 2022-01-14 --width 100"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("320"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("8000"), std::string::npos) << r.err;
  r = RunCommand(Cmd("report country/KZ --from 2022-01-03 --until 2022-01-14 --height 9000"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("240"), std::string::npos) << r.err;
}

// Opening a missing SQLite store fails with what to do, and creates nothing.
TEST(CliHelpTest, ReadingCommandsNeverCreateAStore) {
  TempDir dir;
  const auto db = dir / "absent" / "blackout.db";
  const std::string store = " --store sqlite:" + db.string();
  for (const std::string& args :
       {"report country/kz --from 2022-01-03 --until 2022-01-14 --out " + (dir / "out").string(),
        std::string("detect --from 2022-01-03 --until 2022-01-14"),
        std::string("export series --entity asn/AS9198"),
        std::string("serve --listen 127.0.0.1:0")}) {
    auto r = RunCommand(Cmd(args + store));
    EXPECT_EQ(r.exit_code, 3) << args << ": " << r.err;
    EXPECT_NE(r.err.find("no store at " + db.string()), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("blackout run"), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("--store"), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(r.err.find("report: report:"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(db)) << args;
    EXPECT_FALSE(std::filesystem::exists(dir / "absent")) << args;
  }
}

}  // namespace
}  // namespace blackout
