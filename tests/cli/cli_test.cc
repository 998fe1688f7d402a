#include <gtest/gtest.h>

#include <filesystem>
#include <string>

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

}  // namespace
}  // namespace blackout
