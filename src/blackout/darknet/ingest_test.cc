#include "blackout/darknet/ingest.h"

#include <gtest/gtest.h>

#include "blackout/darknet/pcap_writer.h"
#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::darknet {
namespace {

Attributor TestAttributor() {
  return [](const IpAddress& a, std::vector<std::string>* out) {
    if (a.is_v4() && (a.v4() >> 24) == 1) out->push_back("country/AA");
  };
}

// `n` sources 1.0.x.y (first..first+n-1), one packet each at `t`.
void AddSources(PcapWriter& w, UnixSeconds t, uint32_t first, uint32_t n) {
  PacketSpec s;
  s.dst = 0x0A0A0A0A;
  for (uint32_t i = first; i < first + n; ++i) {
    s.src = 0x01000000 | (i / 200) << 8 | (i % 200 + 1);
    w.Add(t, 0, MakeIpv4Packet(s));
  }
}

std::string WriteCapture(const std::filesystem::path& path,
                         const std::function<void(PcapWriter&)>& fill) {
  auto w = PcapWriter::Create(path.string());
  EXPECT_TRUE(w.ok());
  fill(*w);
  EXPECT_TRUE(w->Finish().ok());
  return path.string();
}

std::vector<double> Values(store::Store& st, const std::string& entity,
                           std::string_view signal = "darknet") {
  auto s = st.ReadSeries({entity, std::string(signal), ""}, 0, INT64_MAX);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  std::vector<double> out;
  if (s.ok()) {
    for (const auto& v : s->values) out.push_back(v);
  }
  return out;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto st = store::OpenStore("sqlite:" + (dir_ / "db.sqlite").string());
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(IngestTest, WritesSeriesWithZerosAndIsIdempotent) {
  std::string f = WriteCapture(dir_ / "a.pcap", [](PcapWriter& w) {
    AddSources(w, 3000, 0, 50);
    AddSources(w, 3000, 0, 50);  // the same 50 again: still 50 sources, 100 packets
    AddSources(w, 3900, 10, 7);  // two bins later; the bin between has none
  });
  auto s = IngestFile(f, TestAttributor(), *store_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->unchanged);
  EXPECT_EQ(s->stats.packets, 107u);
  EXPECT_EQ(s->bins, 4u);
  EXPECT_EQ(Values(*store_, "country/AA"), (std::vector<double>{50, 0, 0, 7}));
  EXPECT_EQ(Values(*store_, "country/AA", kPacketsSignal), (std::vector<double>{100, 0, 0, 7}));
  auto again = IngestFile(f, TestAttributor(), *store_);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->unchanged);
  auto ledger = store_->GetIngest("darknet:" + std::filesystem::absolute(f).string());
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->state, store::IngestState::kComplete);
}

// Rotation in the middle of a bin: the bin's count is the union of both files, whichever order.
TEST_F(IngestTest, BinSplitAcrossRotatedFilesIsTheUnion) {
  testing::TempDir rotated;
  WriteCapture(rotated / "cap-0001.pcap", [](PcapWriter& w) {
    AddSources(w, 600, 0, 40);
    AddSources(w, 1000, 0, 30);  // bin 900: sources 0..29
  });
  WriteCapture(rotated / "cap-0002.pcap", [](PcapWriter& w) {
    AddSources(w, 1100, 20, 30);  // bin 900: sources 20..49 -> 50 in all
    AddSources(w, 1300, 0, 5);
  });
  WriteCapture(rotated / ".partial", [](PcapWriter& w) { AddSources(w, 600, 0, 1000); });
  auto s = IngestInputs({rotated.path().string()}, TestAttributor(), *store_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->written, 2u);  // the hidden file is not a capture of the folder
  EXPECT_EQ(Values(*store_, "country/AA"), (std::vector<double>{40, 50, 5}));
  // The first file again (grown, say): its own earlier part is replaced, not added twice.
  WriteCapture(rotated / "cap-0001.pcap", [](PcapWriter& w) {
    AddSources(w, 600, 0, 40);
    AddSources(w, 1000, 0, 31);
  });
  ASSERT_TRUE(IngestInputs({rotated.path().string()}, TestAttributor(), *store_).ok());
  EXPECT_EQ(Values(*store_, "country/AA"), (std::vector<double>{40, 50, 5}));
  EXPECT_EQ(Values(*store_, "country/AA", kPacketsSignal), (std::vector<double>{40, 61, 5}));
}

TEST_F(IngestTest, TruncatedCaptureKeepsTheSoundPartAndSaysWhere) {
  std::string whole;
  {
    PcapWriter w;
    AddSources(w, 0, 0, 100);
    whole = *w.Finish();
  }
  std::string cut = whole.substr(0, whole.size() - 30);
  testing::WriteFile(dir_ / "cut.pcap", cut);
  auto s = IngestFile((dir_ / "cut.pcap").string(), TestAttributor(), *store_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->stats.packets, 99u);
  EXPECT_NE(s->problem.find("record 100: capture damaged after 99 good packets"), std::string::npos)
      << s->problem;
  EXPECT_NE(s->problem.find("truncated"), std::string::npos) << s->problem;
  EXPECT_EQ(Values(*store_, "country/AA"), (std::vector<double>{99}));
  auto ledger = store_->GetIngest("darknet:" + (dir_ / "cut.pcap").string());
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->state, store::IngestState::kPartial);
  // A record header claiming an absurd length: the packets before it are kept.
  std::string corrupt = whole;
  const size_t record = 24 + 30 * (16 + 44);  // the 31st record's header
  corrupt[record + 8] = corrupt[record + 9] = corrupt[record + 10] = '\x7f';
  testing::WriteFile(dir_ / "corrupt.pcap", corrupt);
  auto c = IngestFile((dir_ / "corrupt.pcap").string(), TestAttributor(), *store_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->stats.packets, 30u);
  EXPECT_NE(c->problem.find("not read"), std::string::npos) << c->problem;
}

TEST_F(IngestTest, NotACaptureIsAClearError) {
  testing::WriteFile(dir_ / "notes.txt", "hello, this is not a pcap file at all\n");
  auto s = IngestFile((dir_ / "notes.txt").string(), TestAttributor(), *store_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().ToString().find("notes.txt"), std::string::npos);
  auto many = IngestInputs({(dir_ / "notes.txt").string()}, TestAttributor(), *store_);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->damaged, 1u);
  EXPECT_EQ(IngestInputs({"/nonexistent/x.pcap"}, TestAttributor(), *store_).status().code(),
            StatusCode::kNotFound);
}

TEST_F(IngestTest, CompressedCaptureAndBpfFilter) {
  std::string f = WriteCapture(dir_ / "z.pcap", [](PcapWriter& w) {
    AddSources(w, 0, 0, 60);
    PacketSpec udp;
    udp.protocol = 17;
    udp.src = 0x01000501;
    w.Add(1, 0, MakeIpv4Packet(udp));
  });
  auto gz = testing::RunCommand("gzip -k " + f);
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  DarknetOptions o;
  o.bpf = "udp";
  o.source = "udp-only";
  auto s = IngestFile(f + ".gz", TestAttributor(), *store_, o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->stats.packets, 1u);
  auto series = store_->ReadSeries({"country/AA", "darknet", "udp-only"}, 0, INT64_MAX);
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->values, (std::vector<double>{1}));
  o.bpf = "not a valid ( filter";
  auto bad = IngestFile(f + ".gz", TestAttributor(), *store_, o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace blackout::darknet
