#include "blackout/ooni/gunzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace blackout::ooni {
namespace {

namespace fs = std::filesystem;

// One gzip member of `data`, made by zlib (the reference writer).
std::string Member(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Text that compresses like JSON lines but is not one repeated block.
std::string Text(size_t lines, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  for (size_t i = 0; i < lines; ++i) {
    s += R"({"test_name":"telegram","probe_cc":"KZ","n":)" + std::to_string(rng() % 100000) +
         R"(,"test_keys":{"telegram_tcp_blocking":false}})" + "\n";
  }
  return s;
}

class GunzipTest : public ::testing::Test {
 protected:
  fs::path Write(const std::string& name, const std::string& bytes) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // Everything Read gives, and the status that ended it (OK at a clean end).
  std::pair<std::string, Status> ReadAll(const fs::path& p, size_t chunk = 4096) {
    auto f = GzipFile::Open(p.string());
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    std::string out;
    std::string buf(chunk, '\0');
    for (;;) {
      auto n = (*f)->Read(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
      if (!n.ok()) return {out, n.status()};
      if (*n == 0) return {out, Status::Ok()};
      out.append(buf.data(), *n);
    }
  }
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("blackout-gunzip-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(GunzipTest, ReadsWhatZlibWroteInAnyChunkSize) {
  const std::string text = Text(20000, 1);  // ~1.8 MB: more than one input block
  fs::path p = Write("a.gz", Member(text));
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20, size_t{8} << 20}) {
    if (chunk == 1 || chunk == 7) {
      // Small chunks over a smaller text (byte-at-a-time over 1.8 MB is slow, not wrong).
      const std::string small = Text(300, 2);
      auto [out, st] = ReadAll(Write("s.gz", Member(small)), chunk);
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(out, small) << "chunk " << chunk;
      continue;
    }
    auto [out, st] = ReadAll(p, chunk);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(out, text) << "chunk " << chunk;
  }
}

TEST_F(GunzipTest, ReadsEveryMemberInTurn) {
  const std::string a = Text(1000, 3), b = Text(5, 4), c = Text(3000, 5);
  auto [out, st] = ReadAll(Write("m.gz", Member(a) + Member(b) + Member("") + Member(c)));
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out, a + b + c);
}

TEST_F(GunzipTest, ATruncatedFileGivesItsGoodBytesThenSaysWhere) {
  const std::string text = Text(20000, 6);
  std::string gz = Member(text);
  gz.resize(gz.size() / 2);
  auto [out, st] = ReadAll(Write("t.gz", gz));
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.ToString();
  EXPECT_GT(out.size(), text.size() / 4);
  EXPECT_EQ(out, text.substr(0, out.size()));  // what came out is the start of the text
}

TEST_F(GunzipTest, ABadChecksumIsDamageNotData) {
  const std::string text = Text(100, 7);
  std::string gz = Member(text);
  gz[gz.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
  auto [out, st] = ReadAll(Write("c.gz", gz));
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("CRC-32"), std::string::npos) << st.ToString();
}

TEST_F(GunzipTest, GarbageAfterAMemberIsReportedAfterTheMembersBytes) {
  const std::string text = Text(100, 8);
  auto [out, st] = ReadAll(Write("g.gz", Member(text) + "not gzip"));
  EXPECT_EQ(out, text);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("garbage"), std::string::npos) << st.ToString();
}

TEST_F(GunzipTest, CorruptDeflateDataIsReportedAndStaysReported) {
  const std::string text = Text(5000, 9);
  std::string gz = Member(text);
  for (size_t i = 40; i < 200; ++i) gz[i] = static_cast<char>(0xff);
  auto f = GzipFile::Open(Write("x.gz", gz).string());
  ASSERT_TRUE(f.ok());
  std::string buf(1 << 16, '\0');
  Status first;
  for (int i = 0; i < 1000 && first.ok(); ++i) {
    auto n = (*f)->Read(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
    if (!n.ok()) first = n.status();
    ASSERT_TRUE(!n.ok() || *n > 0) << "a corrupt stream must not end cleanly";
  }
  EXPECT_EQ(first.code(), StatusCode::kDataLoss);
  auto again = (*f)->Read(reinterpret_cast<uint8_t*>(buf.data()), buf.size());
  EXPECT_FALSE(again.ok());
}

TEST_F(GunzipTest, AnEmptyFileIsEmptyAndAMissingOneNotFound) {
  auto [out, st] = ReadAll(Write("e.gz", ""));
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(GzipFile::Open((dir_ / "none.gz").string()).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(LooksGzipped(Write("y.gz", Member("x")).string()));
  EXPECT_FALSE(LooksGzipped(Write("n.jsonl", "{}").string()));
}

}  // namespace
}  // namespace blackout::ooni
