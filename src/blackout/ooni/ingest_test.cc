#include "blackout/ooni/ingest.h"

#include <gtest/gtest.h>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

std::string Line(const char* test, const char* cc, const char* asn, const char* time,
                 const char* keys) {
  return std::string(R"({"test_name":")") + test + R"(","probe_cc":")" + cc + R"(","probe_asn":")" +
         asn + R"(","measurement_start_time":")" + time + R"(","test_keys":)" + keys + "}\n";
}

const char* kTelegramBlocked = R"({"telegram_tcp_blocking":true,"telegram_http_blocking":true})";
const char* kTelegramOk =
    R"({"telegram_tcp_blocking":false,"telegram_http_blocking":false,"telegram_web_status":"ok"})";
const char* kSignalDns =
    R"({"signal_backend_status":"blocked","signal_backend_failure":"dns_nxdomain_error"})";

double At(store::Store& s, const char* entity, std::string_view signal, const char* source,
          UnixSeconds t) {
  auto series = s.ReadSeries({entity, std::string(signal), source}, t, t + 3600);
  if (!series.ok() || series->values.empty()) return -1;
  return series->values[0];
}

TEST(IngestTest, UnknownCountryAndNetworkCountOnlyForWhatIsKnown) {
  Measurement m;
  m.probe_cc = "KZ";
  m.probe_asn = 9198;
  EXPECT_EQ(EntitiesOf(m, {}),
            (std::vector<std::string>{"country/KZ", "asn/9198", "geoasn/KZ-9198"}));
  m.probe_cc = "ZZ";  // OONI's unknown country
  EXPECT_EQ(EntitiesOf(m, {}), (std::vector<std::string>{"asn/9198"}));
  m.probe_cc = "KZ";
  m.probe_asn = 0;  // AS0: unknown network
  EXPECT_EQ(EntitiesOf(m, {}), (std::vector<std::string>{"country/KZ"}));
  m.probe_cc = "ZZ";
  EXPECT_TRUE(EntitiesOf(m, {}).empty());
}

TEST(IngestTest, FilesAddUpInTheSameBinsAndReingestIsANoOp) {
  testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  testing::WriteFile(dir / "a.jsonl",
                     Line("telegram", "KZ", "AS9198", "2022-01-04 10:05:00", kTelegramBlocked) +
                         Line("telegram", "KZ", "AS9198", "2022-01-04 10:50:00", kTelegramOk) +
                         Line("signal", "KZ", "AS9198", "2022-01-04 10:20:00", kSignalDns));
  testing::WriteFile(dir / "b.jsonl",
                     Line("telegram", "KZ", "AS206026", "2022-01-04 10:30:00", kTelegramBlocked));
  auto a = IngestFile((dir / "a.jsonl").string(), **store);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->read.measurements, 3u);
  EXPECT_EQ(a->outcomes["blocked"], 2u);
  auto b = IngestFile((dir / "b.jsonl").string(), **store);
  ASSERT_TRUE(b.ok());
  const UnixSeconds t = 1641290400;  // 2022-01-04 10:00 UTC
  store::Store& s = **store;
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlocking, "telegram", t), 2);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppMeasurements, "telegram", t), 3);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlocking, "", t), 3);  // telegram 2 + signal 1
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlockedBy, "signal:dns", t), 1);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlockedBy, "telegram:tcp-ip", t), 2);
  EXPECT_EQ(At(s, "asn/9198", kSignalAppBlocking, "telegram", t), 1);
  EXPECT_EQ(At(s, "geoasn/KZ-206026", kSignalAppBlocking, "telegram", t), 1);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppFailed, "telegram", t), 0);

  auto again = IngestFile((dir / "a.jsonl").string(), s);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->unchanged);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppMeasurements, "telegram", t), 3);

  // A file that changes takes its old counts back before adding its new ones.
  testing::WriteFile(dir / "a.jsonl",
                     Line("telegram", "KZ", "AS9198", "2022-01-04 10:05:00", kTelegramOk));
  auto changed = IngestFile((dir / "a.jsonl").string(), s);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->replaced);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlocking, "telegram", t), 1);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppMeasurements, "telegram", t), 2);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlocking, "signal", t), 0);
  EXPECT_EQ(At(s, "country/KZ", kSignalAppBlocking, "", t), 1);
}

TEST(IngestTest, DamagedFilesArePartialInTheLedger) {
  testing::TempDir dir;
  auto store = store::OpenStore("sqlite:" + (dir / "s.db").string());
  ASSERT_TRUE(store.ok());
  testing::WriteFile(
      dir / "d.jsonl",
      Line("telegram", "KZ", "AS9198", "2022-01-04 10:05:00", kTelegramOk) + "{\"test_name\": \n");
  auto r = IngestFile((dir / "d.jsonl").string(), **store);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->read.malformed, 1u);
  auto rec = (*store)->GetIngest("ooni:" + (dir / "d.jsonl").string());
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->state, store::IngestState::kPartial);
}

}  // namespace
}  // namespace blackout::ooni
