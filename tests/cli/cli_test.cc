#include <gtest/gtest.h>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::BlackoutBinary;
using testing::RunCommand;

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

}  // namespace
}  // namespace blackout
