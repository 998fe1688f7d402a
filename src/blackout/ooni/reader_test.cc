#include "blackout/ooni/reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>

#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

namespace fs = std::filesystem;

// The 16 real measurements as JSON Lines (one object per line).
std::string RealJsonLines() {
  std::string out;
  for (const char* dir : {"ooni/ooni-backend", "ooni/ooni-probe-cli"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(testing::DataFile(dir))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::string s = testing::ReadFile(f);
      for (char& c : s) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      out += s + "\n";
    }
  }
  return out;
}

void WriteGzip(const fs::path& path, const std::string& data) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())),
            static_cast<int>(data.size()));
  gzclose(f);
}

TEST(ReaderTest, ReadsTheDataStoreLayoutInTimeOrder) {
  testing::TempDir dir;
  std::string lines = RealJsonLines();
  fs::path hour = dir / "raw/20220104/10/IT/signal";
  fs::create_directories(hour);
  WriteGzip(hour / "2022010410_IT_signal.n1.0.jsonl.gz", lines);
  fs::create_directories(dir / "raw/20220104/09/IT/signal");
  testing::WriteFile(dir / "raw/20220104/09/IT/signal/a.jsonl", lines);
  testing::WriteFile(dir / "raw/20220104/09/IT/signal/notes.txt", "not a measurement");
  auto files = ListMeasurementFiles({(dir / "raw").string()});
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_NE((*files)[0].find("/09/"), std::string::npos);
  ReadStats stats;
  std::vector<Measurement> seen;
  for (const std::string& f : *files) {
    ASSERT_TRUE(ReadMeasurements(
                    f, [&](const Measurement& m) { seen.push_back(m); }, &stats)
                    .ok());
  }
  EXPECT_EQ(stats.files, 2u);
  EXPECT_EQ(stats.measurements, 32u);
  EXPECT_EQ(stats.malformed, 0u);
  EXPECT_TRUE(stats.problems.empty());
  EXPECT_EQ(seen[1].test_name, "web_connectivity");
}

TEST(ReaderTest, ReportsBadLinesWithFileAndLineAndGoesOn) {
  testing::TempDir dir;
  const std::string good =
      R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
      R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"telegram_tcp_blocking":true}})";
  std::string text = good + "\n" + good.substr(0, 40) + "\n\n" +
                     R"({"test_name":"dash","probe_cc":"KZ","probe_asn":"AS1",)"
                     R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{}})" +
                     "\n" + good + "\r\n" + good;  // CRLF, and no newline at the end
  fs::path file = dir / "m.jsonl";
  testing::WriteFile(file, text);
  ReadStats stats;
  int n = 0;
  ASSERT_TRUE(ReadMeasurements(
                  file.string(), [&](const Measurement&) { ++n; }, &stats)
                  .ok());
  EXPECT_EQ(n, 3);
  EXPECT_EQ(stats.malformed, 1u);
  EXPECT_EQ(stats.unknown_tests, 1u);
  ASSERT_EQ(stats.problems.size(), 2u);
  EXPECT_EQ(stats.problems[0].where().file, file.string());
  EXPECT_EQ(stats.problems[0].where().line, 2u);
  EXPECT_EQ(stats.problems[1].where().line, 4u);
  EXPECT_NE(stats.problems[1].ToString().find("unknown test 'dash'"), std::string::npos);
}

TEST(ReaderTest, ATruncatedGzipYieldsItsGoodLinesThenAProblem) {
  testing::TempDir dir;
  std::string lines = RealJsonLines();
  fs::path whole = dir / "w.jsonl.gz";
  WriteGzip(whole, lines + lines);
  std::string bytes = testing::ReadFile(whole);
  fs::path cut = dir / "cut.jsonl.gz";
  testing::WriteFile(cut, bytes.substr(0, bytes.size() * 3 / 4));
  ReadStats stats;
  int n = 0;
  ASSERT_TRUE(ReadMeasurements(
                  cut.string(), [&](const Measurement&) { ++n; }, &stats)
                  .ok());
  EXPECT_GT(n, 10);
  EXPECT_LT(n, 32);
  EXPECT_GE(stats.malformed, 1u);
  ASSERT_FALSE(stats.problems.empty());
  EXPECT_EQ(stats.problems.back().where().file, cut.string());
}

TEST(ReaderTest, MissingInputsAreNotFound) {
  EXPECT_EQ(ListMeasurementFiles({"/nonexistent/ooni"}).status().code(), StatusCode::kNotFound);
  ReadStats stats;
  EXPECT_FALSE(ReadMeasurements(
                   "/nonexistent/x.jsonl", [](const Measurement&) {}, &stats)
                   .ok());
}

}  // namespace
}  // namespace blackout::ooni
