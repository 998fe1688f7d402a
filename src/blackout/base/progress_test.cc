#include "blackout/base/progress.h"

#include <gtest/gtest.h>

namespace blackout {
namespace {

TEST(ProgressTest, RendersBarRateAndEta) {
  Progress p("ingest", 10, "files", /*enabled=*/false);
  p.Update(5, 1000000);
  std::string line = p.Render(10.0);
  EXPECT_NE(line.find("[############............] 5/10 files"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0m10s"), std::string::npos) << line;
  EXPECT_NE(line.find("100.0k/s"), std::string::npos) << line;
}

TEST(ProgressTest, UnknownTotalHasNoEta) {
  Progress p("dump", 0, "records", false);
  p.Update(42);
  EXPECT_EQ(p.Render(1.0), "dump 42 records");
}

}  // namespace
}  // namespace blackout
