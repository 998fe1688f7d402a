#include "blackout/mrt/reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "blackout/mrt/format.h"

namespace blackout::mrt {
namespace {

using Bytes = std::vector<uint8_t>;

void Put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void Put32(Bytes& b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v >> 16));
  Put16(b, static_cast<uint16_t>(v));
}

Bytes Record(uint32_t time, uint16_t type, uint16_t subtype, const Bytes& body) {
  Bytes b;
  Put32(b, time);
  Put16(b, type);
  Put16(b, subtype);
  Put32(b, static_cast<uint32_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

// BGP4MP MESSAGE_AS4 (IPv4 peer 198.18.0.1 AS 65001) carrying an UPDATE.
Bytes UpdateRecord(uint32_t time, const Bytes& withdrawn, const Bytes& attrs, const Bytes& nlri) {
  Bytes msg;
  Put16(msg, static_cast<uint16_t>(withdrawn.size()));
  msg.insert(msg.end(), withdrawn.begin(), withdrawn.end());
  Put16(msg, static_cast<uint16_t>(attrs.size()));
  msg.insert(msg.end(), attrs.begin(), attrs.end());
  msg.insert(msg.end(), nlri.begin(), nlri.end());
  Bytes body;
  Put32(body, 65001);  // peer AS
  Put32(body, 65000);  // local AS
  Put16(body, 0);      // interface
  Put16(body, 1);      // AFI IPv4
  Put32(body, 0xC6120001);
  Put32(body, 0xC6120002);
  for (int i = 0; i < 16; ++i) body.push_back(0xFF);
  Put16(body, static_cast<uint16_t>(19 + msg.size()));
  body.push_back(2);  // UPDATE
  body.insert(body.end(), msg.begin(), msg.end());
  return Record(time, kMrtBgp4mp, kBgp4mpMessageAs4, body);
}

Bytes SimpleAttrs() {
  return {0x40, 1, 1, 0,                          // ORIGIN IGP
          0x40, 2, 6, 2,   1,  0, 0, 0xFD, 0xE9,  // AS_PATH 65001
          0x40, 3, 4, 198, 18, 0, 1};             // NEXT_HOP
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct ReadResult {
  std::vector<std::string> lines;
  std::vector<Problem> problems;
  Status status;
};

ReadResult ReadAll(const Bytes& data, ReadMode mode = ReadMode::kRecover) {
  ReadResult run;
  ReaderOptions opts;
  opts.mode = mode;
  opts.on_problem = [&run](const Problem& p) { run.problems.push_back(p); };
  MrtReader reader(InputStream::FromBytes(std::string(data.begin(), data.end()), "test.mrt"), opts);
  while (true) {
    Result<const Element*> e = reader.NextElement();
    if (!e.ok()) {
      run.status = e.status();
      break;
    }
    if (*e == nullptr) break;
    std::string s;
    AppendBgpdumpLine(**e, s);
    run.lines.push_back(s);
  }
  return run;
}

TEST(ReaderTest, DecodesAnUpdate) {
  Bytes data = UpdateRecord(100, {8, 10}, SimpleAttrs(), {24, 192, 0, 2});
  ReadResult r = ReadAll(data);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0], "BGP4MP|100|W|198.18.0.1|65001|10.0.0.0/8\n");
  EXPECT_EQ(r.lines[1],
            "BGP4MP|100|A|198.18.0.1|65001|192.0.2.0/24|65001|IGP|198.18.0.1|0|0||NAG||\n");
}

TEST(ReaderTest, EmptyInput) {
  ReadResult r = ReadAll({});
  EXPECT_TRUE(r.lines.empty());
  EXPECT_TRUE(r.problems.empty());
}

TEST(ReaderTest, TruncatedLastRecordKeepsEarlierOnes) {
  Bytes a = UpdateRecord(100, {}, SimpleAttrs(), {24, 192, 0, 2});
  Bytes b = UpdateRecord(101, {}, SimpleAttrs(), {24, 192, 0, 3});
  Bytes data = Cat({a, Bytes(b.begin(), b.begin() + 20)});
  ReadResult r = ReadAll(data);
  ASSERT_EQ(r.lines.size(), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].where.file, "test.mrt");
  EXPECT_EQ(r.problems[0].where.offset, a.size());
  EXPECT_EQ(r.problems[0].where.record, 2u);
  EXPECT_NE(r.problems[0].what.find("truncated"), std::string::npos);
}

TEST(ReaderTest, TruncatedHeaderAtEnd) {
  Bytes data = Cat({UpdateRecord(100, {}, SimpleAttrs(), {24, 192, 0, 2}), Bytes{1, 2, 3}});
  ReadResult r = ReadAll(data);
  EXPECT_EQ(r.lines.size(), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].what.find("truncated MRT header"), std::string::npos);
}

TEST(ReaderTest, GarbageBetweenRecordsIsSkipped) {
  Bytes a = UpdateRecord(100, {}, SimpleAttrs(), {24, 192, 0, 2});
  Bytes b = UpdateRecord(101, {}, SimpleAttrs(), {24, 192, 0, 3});
  Bytes c = UpdateRecord(102, {}, SimpleAttrs(), {24, 192, 0, 4});
  Bytes data = Cat({a, Bytes(37, 0xEE), b, c});
  ReadResult r = ReadAll(data);
  ASSERT_EQ(r.lines.size(), 3u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].where.offset, a.size());
  EXPECT_NE(r.problems[0].what.find("37 bytes"), std::string::npos);
}

TEST(ReaderTest, RecordLengthTooShortIsRepaired) {
  Bytes a = UpdateRecord(100, {}, SimpleAttrs(), {24, 192, 0, 2});
  a[11] -= 4;  // length field 4 bytes short: the NLRI would be cut
  Bytes b = UpdateRecord(101, {}, SimpleAttrs(), {24, 192, 0, 3});
  ReadResult r = ReadAll(Cat({a, b}));
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_NE(r.lines[0].find("192.0.2.0/24"), std::string::npos);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].what.find("4 bytes short"), std::string::npos);
}

TEST(ReaderTest, StrictModeStopsAtFirstProblem) {
  Bytes a = UpdateRecord(100, {}, SimpleAttrs(), {24, 192, 0, 2});
  Bytes b = UpdateRecord(101, {}, SimpleAttrs(), {24, 192, 0, 3});
  ReadResult r = ReadAll(Cat({a, Bytes(37, 0xEE), b}), ReadMode::kStrict);
  EXPECT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status.where().offset, a.size());
  EXPECT_EQ(r.status.where().record, 2u);
}

TEST(ReaderTest, AttributeOverrunReportedSoundElementsKept) {
  Bytes attrs = SimpleAttrs();
  attrs.insert(attrs.end(), {0xC0, 8, 200, 0, 1});  // COMMUNITIES claiming 200 bytes
  Bytes data = UpdateRecord(100, {}, attrs, {});
  ReadResult r = ReadAll(data);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_NE(r.problems[0].what.find("overruns"), std::string::npos);
}

TEST(ReaderTest, RibWithoutPeerIndexTable) {
  Bytes body;
  Put32(body, 0);  // sequence
  body.push_back(8);
  body.push_back(10);
  Put16(body, 1);  // one entry
  Put16(body, 0);  // peer index
  Put32(body, 5);  // originated
  Bytes attrs = SimpleAttrs();
  Put16(body, static_cast<uint16_t>(attrs.size()));
  body.insert(body.end(), attrs.begin(), attrs.end());
  Bytes rib = Record(100, kMrtTableDumpV2, kRibIpv4Unicast, body);
  ReadResult r = ReadAll(rib);
  EXPECT_TRUE(r.lines.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].what.find("PEER_INDEX_TABLE"), std::string::npos);

  // With a table in front the same record decodes.
  Bytes pit;
  Put32(pit, 0x01020304);
  Put16(pit, 0);  // no view name
  Put16(pit, 1);
  pit.push_back(0x02);  // IPv4, AS4
  Put32(pit, 0x0A000001);
  Put32(pit, 0xC6120009);
  Put32(pit, 4200000000u);
  ReadResult ok = ReadAll(Cat({Record(99, kMrtTableDumpV2, kPeerIndexTable, pit), rib}));
  EXPECT_TRUE(ok.problems.empty());
  ASSERT_EQ(ok.lines.size(), 1u);
  EXPECT_EQ(ok.lines[0],
            "TABLE_DUMP2|100|B|198.18.0.9|4200000000|10.0.0.0/8|65001|IGP|198.18.0.1|0|0||NAG||\n");
}

TEST(ReaderTest, UnsupportedRecordsAreSkippedNotProblems) {
  Bytes data = Cat({Record(100, kMrtTableDumpV2, kRibGeneric, Bytes(20, 0)),
                    Record(100, kMrtBgp4mp, kBgp4mpEntry, Bytes(20, 0))});
  ReaderOptions opts;
  MrtReader reader(InputStream::FromBytes(std::string(data.begin(), data.end())), opts);
  int skipped = 0;
  while (true) {
    auto rec = reader.Next();
    ASSERT_TRUE(rec.ok());
    if (*rec == nullptr) break;
    if ((*rec)->status == RecordStatus::kSkipped) ++skipped;
  }
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ(reader.stats().problems, 0u);
  EXPECT_EQ(reader.stats().records_skipped, 2u);
}

TEST(ReaderTest, NotMrtAtAll) {
  ReadResult r = ReadAll(Bytes(5000, 0x41));
  EXPECT_TRUE(r.lines.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].what.find("implausible MRT header"), std::string::npos);
}

TEST(ReaderTest, HugeLengthDoesNotAllocate) {
  Bytes data = Record(100, kMrtBgp4mp, kBgp4mpMessageAs4, {});
  data[8] = 0x7F;  // length ~2 GiB: implausible, never allocated
  ReadResult r = ReadAll(data);
  EXPECT_TRUE(r.lines.empty());
  EXPECT_FALSE(r.problems.empty());
}

TEST(ReaderTest, StateChangeAndEtMicroseconds) {
  Bytes body;
  Put32(body, 250000);  // microseconds
  Put16(body, 65001);
  Put16(body, 65000);
  Put16(body, 0);
  Put16(body, 1);
  Put32(body, 0xC6120001);
  Put32(body, 0xC6120002);
  Put16(body, 3);
  Put16(body, 6);
  ReadResult r = ReadAll(Record(100, kMrtBgp4mpEt, kBgp4mpStateChange, body));
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "BGP4MP_ET|100.250000|STATE|198.18.0.1|65001|3|6\n");
}

}  // namespace
}  // namespace blackout::mrt
