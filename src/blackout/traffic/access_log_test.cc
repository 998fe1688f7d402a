#include "blackout/traffic/access_log.h"

#include <gtest/gtest.h>

#include <set>

#include "blackout/testing/testing.h"

namespace blackout::traffic {
namespace {

TEST(ParseCombinedLineTest, ParsesTheRealFormat) {
  auto l = ParseCombinedLine(
      R"(83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 203023 "http://x/" "Mozilla/5.0")");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->client.ToString(), "83.149.9.216");
  EXPECT_EQ(l->time, 1431857103);
  EXPECT_EQ(l->status, 200);
  EXPECT_EQ(l->request, "GET /a.png HTTP/1.1");
}

TEST(ParseCombinedLineTest, CommonFormatOffsetsIpv6AndEscapes) {
  auto l = ParseCombinedLine(
      R"(2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /x\"y HTTP/1.0" 404 -)");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->time, 971211336);  // 20:55:36 UTC
  EXPECT_EQ(l->status, 404);
  EXPECT_FALSE(l->client.is_v4());
  EXPECT_TRUE(ParseCombinedLine(R"(1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "-" - -)").ok());
}

TEST(ParseCombinedLineTest, RejectsMalformedLinesWithAReason) {
  const char* bad[] = {
      "",
      "garbage",
      R"(999.1.1.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0" 200 1)",
      R"(1.2.3.4 - - [10/Foo/2000:13:55:36 +0000] "GET / HTTP/1.0" 200 1)",
      R"(1.2.3.4 - - [32/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0" 200 1)",
      R"(1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.0" 200 1)",
      R"(1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0 200 1)",
      R"(1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.0" 2x0 1)",
      R"(1.2.3.4 - - 10/Oct/2000:13:55:36 +0000 "GET / HTTP/1.0" 200 1)",
  };
  for (const char* line : bad) {
    auto l = ParseCombinedLine(line);
    EXPECT_FALSE(l.ok()) << line;
    EXPECT_EQ(l.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(l.status().message().find("malformed"), std::string::npos);
  }
}

TEST(ReadLogTest, RealApacheLogReadsWhole) {
  auto in = InputStream::Open(testing::DataFile("logs/apache-access-2015-05.log").string());
  ASSERT_TRUE(in.ok());
  std::set<std::string> clients;
  UnixSeconds first = 0, last = 0;
  auto stats = ReadLog(
      **in,
      [&](const LogLine& l) {
        clients.insert(l.client.ToString());
        if (!first) first = l.time;
        last = l.time;
      },
      [](const Status& st) { ADD_FAILURE() << st.ToString(); });
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lines, 10000u);
  EXPECT_EQ(stats->good, 10000u);
  EXPECT_EQ(clients.size(), 1753u);  // as the data README says
  EXPECT_EQ(FormatIso8601(first).substr(0, 10), "2015-05-17");
  EXPECT_EQ(FormatIso8601(last).substr(0, 10), "2015-05-20");
}

TEST(ReadLogTest, ReportsMalformedLinesByNumberAndKeepsTheRest) {
  std::string text =
      "1.2.3.4 - - [10/Oct/2000:13:55:36 +0000] \"GET / HTTP/1.0\" 200 1\r\n"
      "broken line\n"
      "\n"
      "5.6.7.8 - - [10/Oct/2000:13:56:36 +0000] \"GET / HTTP/1.0\" 200 1\n" +
      std::string(70000, 'x') + "\n" + "9.9.9.9 - - [10/Oct/2000:13:57:36 +0000] \"GET /\" 200 1";
  auto in = InputStream::FromBytes(text, "t.log");
  std::vector<std::string> good;
  std::vector<uint64_t> bad_lines;
  auto stats = ReadLog(
      *in, [&](const LogLine& l) { good.push_back(l.client.ToString()); },
      [&](const Status& st) {
        bad_lines.push_back(st.where().line.value_or(0));
        EXPECT_EQ(st.where().file, "t.log");
      });
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(good, (std::vector<std::string>{"1.2.3.4", "5.6.7.8", "9.9.9.9"}));
  EXPECT_EQ(bad_lines, (std::vector<uint64_t>{2, 5}));
  EXPECT_EQ(stats->malformed, 2u);
  EXPECT_EQ(stats->lines, 5u);
}

}  // namespace
}  // namespace blackout::traffic
