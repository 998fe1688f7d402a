#include "blackout/base/input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <thread>

#include "blackout/testing/testing.h"

namespace blackout {
namespace {

using testing::RunCommand;
using testing::TempDir;

// Compressible but not trivial bytes: text-like lines with random numbers, spanning several of the
// stream's internal chunks.
std::string Payload(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(size + 64);
  while (s.size() < size) {
    s += "TABLE_DUMP2|" + std::to_string(rng() % 2000000000) + "|B|198.18." +
         std::to_string(rng() % 256) + ".1|" + std::to_string(rng() % 65536) + "\n";
  }
  s.resize(size);
  return s;
}

// Reads the whole stream with reads of `step` bytes; returns the bytes and the final status.
std::pair<std::string, Status> ReadAll(InputStream& in, size_t step = 65536) {
  std::string out;
  std::vector<uint8_t> buf(step);
  for (;;) {
    Result<size_t> n = in.Read(buf.data(), buf.size());
    if (!n.ok()) return {out, n.status()};
    if (*n == 0) return {out, Status::Ok()};
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

struct Codec {
  Compression compression;
  const char* command;  // compresses stdin to stdout
  const char* ext;
};
const Codec kCodecs[] = {
    {Compression::kGzip, "gzip -c", "gz"},
    {Compression::kBzip2, "bzip2 -c", "bz2"},
    {Compression::kXz, "xz -c", "xz"},
    {Compression::kZstd, "zstd -q -c", "zst"},
};

// Writes `payload` to dir/name and compresses it with `codec`, returning the compressed path.
std::filesystem::path Compress(const TempDir& dir, const std::string& name,
                               const std::string& payload, const Codec& codec) {
  std::filesystem::path plain = dir / name;
  testing::WriteFile(plain, payload);
  std::filesystem::path out = dir / (name + "." + codec.ext);
  auto r = RunCommand(std::string(codec.command) + " < '" + plain.string() + "' > '" +
                      out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

TEST(InputTest, DetectsCompressionByMagic) {
  auto detect = [](std::initializer_list<uint8_t> b) {
    std::vector<uint8_t> v(b);
    return DetectCompression(v);
  };
  EXPECT_EQ(detect({0x1f, 0x8b, 0x08, 0x00}), Compression::kGzip);
  EXPECT_EQ(detect({'B', 'Z', 'h', '9', '1', 'A'}), Compression::kBzip2);
  EXPECT_EQ(detect({'B', 'Z', 'h', '0'}), Compression::kNone);
  EXPECT_EQ(detect({0xfd, '7', 'z', 'X', 'Z', 0x00}), Compression::kXz);
  EXPECT_EQ(detect({0xfd, '7', 'z', 'X', 'Z'}), Compression::kNone);
  EXPECT_EQ(detect({0x28, 0xb5, 0x2f, 0xfd}), Compression::kZstd);
  EXPECT_EQ(detect({0x50, 0x2a, 0x4d, 0x18}), Compression::kZstd);  // skippable frame
  // An MRT header (timestamp, type 13 TABLE_DUMP_V2) is plain.
  EXPECT_EQ(detect({0x53, 0x6a, 0x3f, 0x40, 0x00, 0x0d, 0x00, 0x01}), Compression::kNone);
  EXPECT_EQ(detect({}), Compression::kNone);
  EXPECT_STREQ(CompressionName(Compression::kZstd), "zstd");
  EXPECT_STREQ(CompressionName(Compression::kNone), "none");
}

TEST(InputTest, RoundTripsEveryFormatFromFileAndMemory) {
  TempDir dir;
  std::string payload = Payload(3 << 20, 1);
  for (const Codec& codec : kCodecs) {
    SCOPED_TRACE(codec.ext);
    auto path = Compress(dir, "p", payload, codec);
    auto in = InputStream::Open(path.string());
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    EXPECT_EQ((*in)->compression(), codec.compression);
    EXPECT_EQ((*in)->name(), path.string());
    auto [got, st] = ReadAll(**in);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(got == payload) << got.size() << " vs " << payload.size();
    EXPECT_EQ((*in)->raw_size(), std::filesystem::file_size(path));
    EXPECT_EQ((*in)->raw_bytes_read(), (*in)->raw_size());
    // End of stream is sticky.
    uint8_t b;
    auto again = (*in)->Read(&b, 1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, 0u);

    auto mem = InputStream::FromBytes(testing::ReadFile(path), "mem");
    EXPECT_EQ(mem->compression(), codec.compression);
    auto [got2, st2] = ReadAll(*mem, 4093);
    EXPECT_TRUE(st2.ok()) << st2.ToString();
    EXPECT_TRUE(got2 == payload);
  }
}

TEST(InputTest, PlainAndEmptyAndMissingFiles) {
  TempDir dir;
  std::string payload = Payload(2500000, 2);
  testing::WriteFile(dir / "plain", payload);
  testing::WriteFile(dir / "empty", "");
  auto in = InputStream::Open((dir / "plain").string());
  ASSERT_TRUE(in.ok());
  EXPECT_EQ((*in)->compression(), Compression::kNone);
  auto [got, st] = ReadAll(**in, 7);  // tiny reads cross chunk borders
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(got == payload);

  auto empty = InputStream::Open((dir / "empty").string());
  ASSERT_TRUE(empty.ok());
  auto [e, est] = ReadAll(**empty);
  EXPECT_TRUE(est.ok());
  EXPECT_EQ(e, "");

  auto missing = InputStream::Open((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().where().file, (dir / "nope").string());

  auto mem = InputStream::FromBytes("abc");
  EXPECT_EQ(mem->name(), "<memory>");
  EXPECT_EQ(ReadAll(*mem).first, "abc");
}

// Plain regular files are read on the caller's thread, first from the block read to detect the
// format, then straight into the caller's buffer; uncompressed memory is offered in place.
TEST(InputTest, PlainFileBigReadsAndInMemoryView) {
  TempDir dir;
  std::string payload = Payload(3000000, 3);
  testing::WriteFile(dir / "plain", payload);
  auto in = InputStream::Open((dir / "plain").string());
  ASSERT_TRUE(in.ok());
  EXPECT_TRUE((*in)->in_memory().empty());
  std::string got;
  std::vector<uint8_t> buf(1 << 20);
  Result<size_t> first = (*in)->Read(buf.data(), 10);  // inside the detection block
  ASSERT_TRUE(first.ok());
  got.append(reinterpret_cast<const char*>(buf.data()), *first);
  auto [rest, st] = ReadAll(**in, 1 << 20);
  EXPECT_TRUE(st.ok());
  got += rest;
  EXPECT_TRUE(got == payload) << got.size();
  EXPECT_EQ((*in)->raw_bytes_read(), payload.size());

  auto mem = InputStream::FromBytes(payload, "mem");
  std::span<const uint8_t> view = mem->in_memory();
  ASSERT_EQ(view.size(), payload.size());
  EXPECT_EQ(std::memcmp(view.data(), payload.data(), payload.size()), 0);
  EXPECT_TRUE(ReadAll(*mem).first == payload);  // Read() still gives the same bytes
  EXPECT_EQ(mem->in_memory().data(), view.data());

  auto gz = Compress(dir, "z", payload, kCodecs[0]);
  EXPECT_TRUE(InputStream::FromBytes(testing::ReadFile(gz))->in_memory().empty());
  EXPECT_TRUE(InputStream::FromBytes("")->in_memory().empty());
}

TEST(InputTest, ConcatenatedMembersAndStreamsAreReadToTheEnd) {
  TempDir dir;
  std::string a = Payload(1500000, 3), b = Payload(700000, 4);
  for (const Codec& codec : kCodecs) {
    SCOPED_TRACE(codec.ext);
    auto pa = Compress(dir, "a", a, codec);
    auto pb = Compress(dir, "b", b, codec);
    std::string both = testing::ReadFile(pa) + testing::ReadFile(pb);
    testing::WriteFile(dir / "both", both);
    auto in = InputStream::Open((dir / "both").string());
    ASSERT_TRUE(in.ok());
    auto [got, st] = ReadAll(**in);
    EXPECT_TRUE(st.ok()) << st.ToString();
    EXPECT_TRUE(got == a + b) << got.size();
  }
}

TEST(InputTest, TruncatedStreamsGiveGoodBytesThenDataLoss) {
  TempDir dir;
  std::string payload = Payload(4 << 20, 5);
  for (const Codec& codec : kCodecs) {
    SCOPED_TRACE(codec.ext);
    std::string full = testing::ReadFile(Compress(dir, "t", payload, codec));
    for (size_t cut : {full.size() / 2, full.size() - 1}) {
      SCOPED_TRACE(cut);
      testing::WriteFile(dir / "cut", full.substr(0, cut));
      auto in = InputStream::Open((dir / "cut").string());
      ASSERT_TRUE(in.ok());
      auto [got, st] = ReadAll(**in);
      EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
      EXPECT_NE(st.message().find(std::string(CompressionName(codec.compression)) + " stream"),
                std::string::npos)
          << st.message();
      EXPECT_EQ(st.where().file, (dir / "cut").string());
      EXPECT_EQ(st.where().offset, got.size());
      EXPECT_LE(got.size(), payload.size());
      EXPECT_TRUE(payload.compare(0, got.size(), got) == 0) << "output is not a prefix";
      if (cut == full.size() / 2) {
        // Streaming codecs deliver what precedes the cut (xz/zstd/gzip: nearly half; bzip2: whole
        // 900k blocks before it).
        EXPECT_GT(got.size(), payload.size() / 5);
        EXPECT_NE(st.message().find("truncated"), std::string::npos) << st.message();
      }
      // The error is sticky.
      uint8_t byte;
      auto again = (*in)->Read(&byte, 1);
      EXPECT_EQ(again.status().code(), StatusCode::kDataLoss);
    }
  }
}

TEST(InputTest, CorruptStreamsGiveGoodBytesThenDataLoss) {
  TempDir dir;
  std::string payload = Payload(3 << 20, 6);
  for (const Codec& codec : kCodecs) {
    SCOPED_TRACE(codec.ext);
    std::string data = testing::ReadFile(Compress(dir, "c", payload, codec));
    for (size_t i = data.size() / 2; i < data.size() / 2 + 64; ++i) data[i] ^= 0x5a;
    auto in = InputStream::FromBytes(data, "corrupt");
    auto [got, st] = ReadAll(*in);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
    // Codecs may emit a little damaged output before noticing (gzip checks its CRC at the end), so
    // only the part before the damage must match.
    size_t safe = std::min(got.size(), payload.size() / 5);
    EXPECT_TRUE(payload.compare(0, safe, got, 0, safe) == 0);
  }
}

TEST(InputTest, TrailingGarbageIsDataLoss) {
  TempDir dir;
  std::string payload = Payload(100000, 7);
  for (const Codec& codec : kCodecs) {
    SCOPED_TRACE(codec.ext);
    std::string data = testing::ReadFile(Compress(dir, "g", payload, codec)) + "garbage!";
    auto in = InputStream::FromBytes(data);
    auto [got, st] = ReadAll(*in);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
    EXPECT_TRUE(got == payload);
  }
}

// The RouteViews RIBs in pyasn/data were cut after the first MiB of the .bz2: we must deliver
// exactly what the reference decompressor recovers, then report the truncation.
TEST(InputTest, RealTruncatedBzip2Files) {
  for (const char* name : {"mrt/pyasn/data/rib.20080501.0644_firstMB.bz2",
                           "mrt/pyasn/data/rib.20140523.0600_firstMB.bz2",
                           "mrt/pyasn/data/rib6.20151101.0600_firstMB.bz2"}) {
    SCOPED_TRACE(name);
    auto path = testing::DataFile(name);
    auto in = InputStream::Open(path.string());
    ASSERT_TRUE(in.ok()) << in.status().ToString();
    EXPECT_EQ((*in)->compression(), Compression::kBzip2);
    auto [got, st] = ReadAll(**in);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
    EXPECT_NE(st.message().find("bzip2 stream truncated"), std::string::npos) << st.message();
    auto ref = RunCommand("bzcat '" + path.string() + "' 2>/dev/null");
    EXPECT_NE(ref.exit_code, 0);  // bzcat also sees the truncation
    EXPECT_GT(ref.out.size(), 1000000u);
    EXPECT_GE(got.size(), ref.out.size());
    EXPECT_LT(got.size(), ref.out.size() + 5000);
    EXPECT_TRUE(got.compare(0, ref.out.size(), ref.out) == 0);
  }
}

TEST(InputTest, ReadsStdin) {
  TempDir dir;
  std::string payload = Payload(2 << 20, 8);
  std::string gz = testing::ReadFile(Compress(dir, "s", payload, kCodecs[0]));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_GE(dup2(fds[0], STDIN_FILENO), 0);
  close(fds[0]);
  std::thread writer([&] {
    size_t off = 0;
    while (off < gz.size()) {
      ssize_t k = write(fds[1], gz.data() + off, std::min<size_t>(4096, gz.size() - off));
      if (k <= 0) break;
      off += static_cast<size_t>(k);
    }
    close(fds[1]);
  });
  auto in = InputStream::Open("-");
  ASSERT_TRUE(in.ok());
  EXPECT_EQ((*in)->compression(), Compression::kGzip);
  EXPECT_EQ((*in)->raw_size(), 0u);
  auto [got, st] = ReadAll(**in);
  writer.join();
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(got == payload);
}

TEST(InputTest, ClosingEarlyDoesNotHang) {
  TempDir dir;
  std::string payload = Payload(8 << 20, 9);
  auto path = Compress(dir, "e", payload, kCodecs[3]);
  for (int i = 0; i < 3; ++i) {
    auto in = InputStream::Open(path.string());
    ASSERT_TRUE(in.ok());
    uint8_t buf[100];
    auto n = (*in)->Read(buf, sizeof(buf));
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), *n), payload.substr(0, *n));
  }  // destructors stop the decoder thread with its queue full
}

}  // namespace
}  // namespace blackout
