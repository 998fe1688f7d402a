#include "blackout/traffic/ingest.h"

#include <gtest/gtest.h>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::traffic {
namespace {

using testing::TempDir;
using testing::WriteFile;

// 10.0.0.0/8 -> country/XA + asn/1; everything else -> country/XB.
void Table(const IpAddress& a, std::vector<std::string>* out) {
  if (a.is_v4() && (a.v4() >> 24) == 10) {
    out->push_back("country/XA");
    out->push_back("asn/1");
  } else {
    out->push_back("country/XB");
  }
}

std::string Line(const char* ip, const char* hhmmss) {
  return std::string(ip) + " - - [05/Jan/2022:" + hhmmss +
         " +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"x\"\n";
}

TEST(TrafficIngestTest, UniqueClientsPerBinWithZerosInsideTheSpan) {
  TempDir dir;
  std::string log = Line("10.0.0.1", "10:00:01") + Line("10.0.0.1", "10:00:02") +
                    Line("10.0.0.2", "10:04:59") + Line("8.8.8.8", "10:01:00") +
                    "not a log line\n" + Line("8.8.8.8", "10:16:00");
  WriteFile(dir / "access.log", log);
  TrafficSummary summary;
  auto counts = CountLog((dir / "access.log").string(), Table, {}, &summary);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  const UnixSeconds t0 = 1641376800;  // 10:00
  EXPECT_EQ(counts->first_bin, t0);
  EXPECT_EQ(counts->last_bin, t0 + 900);
  auto& xa = counts->counts["country/XA"];
  ASSERT_EQ(xa.size(), 4u);
  EXPECT_EQ(xa[t0], 2);
  EXPECT_EQ(xa[t0 + 300], 0);
  EXPECT_EQ(xa[t0 + 900], 0);
  EXPECT_EQ(counts->counts["asn/1"][t0], 2);
  EXPECT_EQ(counts->counts["country/XB"][t0 + 900], 1);
  EXPECT_EQ(summary.malformed, 1u);
  ASSERT_EQ(summary.problem_texts.size(), 1u);
  EXPECT_NE(summary.problem_texts[0].find("line 5"), std::string::npos) << summary.problem_texts[0];
  EXPECT_EQ(counts->clients, 3u);
}

TEST(TrafficIngestTest, WritesTheStoreOnceAndRecordsPartialInput) {
  TempDir dir;
  WriteFile(dir / "access.log",
            Line("10.0.0.1", "10:00:01") + "junk\n" + Line("10.0.0.3", "10:05:01"));
  auto st = store::OpenStore("sqlite:" + (dir / "db.sqlite").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  auto s = IngestLog((dir / "access.log").string(), Table, **st);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->unchanged);
  EXPECT_EQ(s->points, 4u);  // 2 entities x 2 bins
  auto series = (*st)->ReadSeries({"country/XA", "traffic", ""}, 0, INT64_MAX);
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(series->values, (std::vector<double>{1, 1}));
  auto again = IngestLog((dir / "access.log").string(), Table, **st);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->unchanged);
  auto ledger = (*st)->ListIngests({});
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->size(), 1u);
  EXPECT_EQ((*ledger)[0].state, store::IngestState::kPartial);
}

}  // namespace
}  // namespace blackout::traffic
