// The writer's output must be read by Debian's bgpdump exactly as intended.
#include "blackout/sim/mrt_writer.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "blackout/testing/testing.h"

namespace blackout::sim {
namespace {

using testing::RunCommand;
using testing::TempDir;

IpAddress V4(const char* s) { return *IpAddress::Parse(s); }
Prefix P(const char* s) { return *Prefix::Parse(s); }

TEST(MrtWriterTest, RibDumpReadsBackWithBgpdump) {
  TempDir dir;
  auto w = MrtWriter::Create(dir / "bview.gz");
  ASSERT_TRUE(w.ok());
  std::vector<MrtPeer> peers = {{3356, V4("198.18.1.11"), V4("198.18.1.11")},
                                {4200000001u, V4("198.18.1.12"), V4("198.18.1.12")}};
  ASSERT_TRUE((*w)->PeerIndexTable(1641340800, V4("198.18.1.1"), "sim", peers).ok());
  std::vector<RibEntry> entries = {{0, 1641000000, {3356, 1299, 9198}, V4("198.18.1.11")},
                                   {1, 1641000000, {4200000001u, 9198}, V4("198.18.1.12")}};
  ASSERT_TRUE((*w)->RibIpv4(1641340800, 0, P("2.72.0.0/13"), entries).ok());
  ASSERT_TRUE((*w)->RibIpv4(1641340800, 1, P("92.46.128.0/17"), entries).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = RunCommand("bgpdump -m " + (dir / "bview.gz").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "TABLE_DUMP2|1641340800|B|198.18.1.11|3356|2.72.0.0/13|3356 1299 9198|IGP|198.18.1.11"
            "|0|0||NAG||\n"
            "TABLE_DUMP2|1641340800|B|198.18.1.12|4200000001|2.72.0.0/13|4200000001 9198|IGP|"
            "198.18.1.12|0|0||NAG||\n"
            "TABLE_DUMP2|1641340800|B|198.18.1.11|3356|92.46.128.0/17|3356 1299 9198|IGP|"
            "198.18.1.11|0|0||NAG||\n"
            "TABLE_DUMP2|1641340800|B|198.18.1.12|4200000001|92.46.128.0/17|4200000001 9198|IGP|"
            "198.18.1.12|0|0||NAG||\n");
}

TEST(MrtWriterTest, UpdatesReadBackWithBgpdumpAndSplitAt4096Bytes) {
  TempDir dir;
  auto w = MrtWriter::Create(dir / "updates.gz");
  ASSERT_TRUE(w.ok());
  MrtPeer peer{3356, V4("198.18.1.11"), V4("198.18.1.11")};
  std::vector<uint32_t> path = {3356, 9198};
  std::vector<Prefix> ann = {P("2.72.0.0/13"), P("95.56.0.0/14")};
  ASSERT_TRUE(
      (*w)->UpdateAs4(1641378600, peer, 12654, V4("198.18.1.1"), {}, ann, path, V4("198.18.1.11"))
          .ok());
  std::vector<Prefix> wd = {P("95.56.0.0/14")};
  ASSERT_TRUE((*w)->UpdateAs4(1641378660, peer, 12654, V4("198.18.1.1"), wd, {}, {}, {}).ok());
  // 2,000 withdrawn /24s need 8,000 bytes: at least two messages.
  std::vector<Prefix> many;
  for (uint32_t i = 0; i < 2000; ++i)
    many.push_back(Prefix(IpAddress::V4(0x02480000 + (i << 8)), 24));
  ASSERT_TRUE((*w)->UpdateAs4(1641378700, peer, 12654, V4("198.18.1.1"), many, {}, {}, {}).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto r = RunCommand("bgpdump -m " + (dir / "updates.gz").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(
                "BGP4MP|1641378600|A|198.18.1.11|3356|2.72.0.0/13|3356 9198|IGP|198.18.1.11|0|0||"
                "NAG||\n"
                "BGP4MP|1641378600|A|198.18.1.11|3356|95.56.0.0/14|3356 9198|IGP|198.18.1.11|0|0||"
                "NAG||\n"
                "BGP4MP|1641378660|W|198.18.1.11|3356|95.56.0.0/14\n",
                0),
            0u)
      << r.out.substr(0, 600);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3 + 2000);
  EXPECT_NE(r.out.find("|W|198.18.1.11|3356|2.79.207.0/24\n"), std::string::npos);
  // Walk the records: every one is BGP4MP MESSAGE_AS4 and no BGP message exceeds 4096 bytes.
  gzFile f = gzopen((dir / "updates.gz").c_str(), "rb");
  ASSERT_NE(f, nullptr);
  int records = 0;
  unsigned char h[kMrtHeaderSize];
  while (gzread(f, h, kMrtHeaderSize) == static_cast<int>(kMrtHeaderSize)) {
    EXPECT_EQ(h[4] << 8 | h[5], kMrtBgp4mp);
    EXPECT_EQ(h[6] << 8 | h[7], kMessageAs4);
    uint32_t len = uint32_t{h[8]} << 24 | h[9] << 16 | h[10] << 8 | h[11];
    EXPECT_LE(len, 20 + kBgpMaxMessage);
    std::string body(len, '\0');
    ASSERT_EQ(gzread(f, body.data(), len), static_cast<int>(len));
    ++records;
  }
  gzclose(f);
  EXPECT_GE(records, 4);
}

}  // namespace
}  // namespace blackout::sim
