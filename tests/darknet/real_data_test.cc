// The telescope on real captures (BLACKOUT_DATA/darknet/stopddos, see its README): what it counts
// per country is checked against an independent count, made here from tshark's reading of the same
// file and the geo module's lookup of each address, with the noise filter's rules applied to
// tshark's fields. Fails, never skips, when the data, the geo datasets or tshark are missing.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "blackout/darknet/counter.h"
#include "blackout/darknet/ingest.h"
#include "blackout/geo/geodb.h"
#include "blackout/testing/testing.h"

namespace blackout::darknet {
namespace {

// One packet as tshark read it.
struct Row {
  double time = 0;
  std::string src;
  IpAddress src_ip, dst_ip;
  int ttl = 0, proto = 0;
  bool fragment = false;
  int flags = -1, hdr_len = 0, window = 0, sport = -1, dport = -1;
};

int Int(const std::string& s, int fallback = -1) {
  if (s.empty()) return fallback;
  return static_cast<int>(std::stol(s, nullptr, 0));
}

std::vector<Row> ReadWithTshark(const std::string& path) {
  auto r = testing::RunCommand(
      "tshark -r '" + path +
      "' -T fields -E separator=/t -e frame.time_epoch -e ip.src -e ip.dst -e ip.ttl -e ip.proto "
      "-e ip.flags.mf -e ip.frag_offset -e tcp.flags -e tcp.hdr_len -e tcp.window_size_value "
      "-e tcp.srcport -e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0) << "tshark (Debian package tshark) is needed: " << r.err;
  std::vector<Row> rows;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cell;
    std::istringstream cells(line);
    while (std::getline(cells, cell, '\t')) f.push_back(cell);
    f.resize(14);
    // An ICMP error quotes the packet it answers: tshark lists the quoted header's fields after a
    // comma. The outer header is the packet's own.
    for (std::string& x : f) x = x.substr(0, x.find(','));
    Row row;
    row.time = std::stod(f[0]);
    row.src = f[1];
    if (!f[1].empty()) row.src_ip = *IpAddress::Parse(f[1]);
    if (!f[2].empty()) row.dst_ip = *IpAddress::Parse(f[2]);
    row.ttl = Int(f[3], 0);
    row.proto = Int(f[4], 0);
    row.fragment = f[5] == "1" || f[5] == "True" || Int(f[6], 0) != 0;
    row.flags = Int(f[7]);
    row.hdr_len = Int(f[8], 0);
    row.window = Int(f[9], 0);
    row.sport = f[10].empty() ? Int(f[12]) : Int(f[10]);
    row.dport = f[11].empty() ? Int(f[13]) : Int(f[11]);
    rows.push_back(row);
  }
  return rows;
}

// The noise filter's rules (docs/darknet.md) restated over tshark's fields. IPv4 only: these
// captures hold nothing else.
bool Kept(const Row& r) {
  if (r.src.empty()) return false;
  const uint32_t s = r.src_ip.v4();
  for (const char* special :
       {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4"}) {
    if (Prefix::Parse(special)->Contains(r.src_ip)) return false;
  }
  if (r.src_ip == r.dst_ip || (s & 0xff) == 0 || (s & 0xff) == 255 || r.fragment) return false;
  const bool tcp = r.proto == 6, udp = r.proto == 17, icmp = r.proto == 1;
  if (!tcp && !udp && !icmp && r.proto != 47 && r.proto != 50 && r.proto != 41) return false;
  if (tcp && r.flags >= 0) {
    static const std::set<int> kNormal = {0x02, 0x12, 0x10, 0x04, 0x14, 0x11,
                                          0x18, 0x19, 0x30, 0x38, 0x1c};
    if (!kNormal.count(r.flags & 0x3f)) return false;
  }
  if (!icmp && r.ttl >= 200) return false;
  if ((tcp || udp) && (r.sport == 0 || r.dport == 0)) return false;
  const bool syn = tcp && (r.flags & 0x12) == 0x02;
  if (syn && r.hdr_len <= 20) return false;
  if (syn && r.window == 1024) return false;
  return true;
}

class RealCaptureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto opened = geo::GeoDb::Open();
    if (opened.ok()) db_ = std::move(opened).value().release();
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(db_, nullptr) << "geo datasets missing (run scripts/setup.sh)";
  }

  struct Outcome {
    PacketStats stats;
    size_t raw_sources = 0;  // distinct sources before the filter (tshark)
    size_t kept_sources = 0;
  };

  // Counts `file` and compares every (bin, country) with the independent count.
  Outcome CheckAgainstTshark(const std::string& file) {
    const std::string path = testing::DataFile("darknet/stopddos/" + file).string();
    TelescopeCounter counter(traffic::GeoAttributor(*db_), {});
    Status damage;
    EXPECT_TRUE(CountFile(path, "", counter, &damage).ok());
    EXPECT_TRUE(damage.ok()) << damage.ToString();

    std::map<std::pair<UnixSeconds, std::string>, std::set<std::string>> expected;
    std::set<std::string> raw, kept;
    std::vector<Row> rows = ReadWithTshark(path);
    for (const Row& r : rows) {
      if (!r.src.empty()) raw.insert(r.src);
      if (!Kept(r)) continue;
      kept.insert(r.src);
      geo::Attribution at = db_->Lookup(r.src_ip);
      if (!at.country) continue;
      const UnixSeconds bin = BinStart(static_cast<UnixSeconds>(r.time), 300);
      expected[{bin, geo::FormatEntity(at.country_id())}].insert(r.src);
    }
    EXPECT_EQ(counter.stats().packets, rows.size());
    EXPECT_EQ(counter.stats().kept(),
              static_cast<uint64_t>(
                  std::count_if(rows.begin(), rows.end(), [](const Row& r) { return Kept(r); })));
    std::map<std::pair<UnixSeconds, std::string>, EntityBin> got;
    for (UnixSeconds b : counter.Bins()) {
      for (const auto& [entity, n] : counter.Counts(b)) {
        if (entity.rfind("country/", 0) == 0) got[{b, entity}] = n;
      }
    }
    EXPECT_EQ(got.size(), expected.size());
    for (const auto& [key, sources] : expected) {
      auto it = got.find(key);
      if (it == got.end()) {
        ADD_FAILURE() << file << ": no count for " << key.second << " at " << key.first;
        continue;
      }
      if (it->second.exact) {
        EXPECT_EQ(it->second.sources, sources.size()) << file << " " << key.second;
      } else {
        EXPECT_NEAR(static_cast<double>(it->second.sources), sources.size(),
                    4 * HyperLogLog::kStandardError * sources.size())
            << file << " " << key.second;
      }
    }
    return {counter.stats(), raw.size(), kept.size()};
  }

  static geo::GeoDb* db_;
};
geo::GeoDb* RealCaptureTest::db_ = nullptr;

// 8,000 SYN-ACK/RST packets from real sources: backscatter is what a telescope counts. (tshark
// finds 7,055 distinct outer source addresses, the data README says 7,071; 4 packets are not IP.)
TEST_F(RealCaptureTest, ReflectionBackscatterIsCounted) {
  Outcome o = CheckAgainstTshark("amp.TCP.reflection.SYNACK.pcap");
  EXPECT_EQ(o.stats.packets, 8000u);
  EXPECT_EQ(o.raw_sources, 7055u);
  EXPECT_EQ(o.stats.by[static_cast<size_t>(Drop::kNotIp)], 4u);
  EXPECT_GT(o.kept_sources, 0.9 * o.raw_sources);
}

// 37,841 SYNs from 37,623 randomly spoofed sources: the filter must discount them.
TEST_F(RealCaptureTest, SpoofedSynFloodIsDiscounted) {
  Outcome o = CheckAgainstTshark("pkt.TCP.synflood.spoofed.pcap");
  EXPECT_EQ(o.stats.packets, 37841u);
  EXPECT_EQ(o.raw_sources, 37623u);
  EXPECT_LT(o.stats.kept(), 0.01 * o.stats.packets);
  // Every drop has one reason: TTL >= 200 comes before the SYN without options.
  EXPECT_GT(o.stats.by[static_cast<size_t>(Drop::kTtl200)], 0.9 * o.stats.packets);
}

TEST_F(RealCaptureTest, MixedSynCaptureInPcapngNamedFile) {
  Outcome o = CheckAgainstTshark("amp.TCP.syn.optionallyACK.optionallysamePort.pcapng");
  EXPECT_EQ(o.stats.packets, 896u);
  EXPECT_GT(o.stats.kept(), 0u);
  EXPECT_LT(o.stats.kept(), o.stats.packets);
}

}  // namespace
}  // namespace blackout::darknet
