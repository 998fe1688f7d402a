// `blackout import series` / `blackout export series` end to end: the real IODA CSV for Iraq,
// exit codes (0 ok, 1 malformed rows, 2 usage), line numbers on stderr, export round trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/store/store.h"
#include "blackout/testing/testing.h"

namespace blackout::store {
namespace {

using blackout::testing::BlackoutBinary;
using blackout::testing::RunCommand;
using blackout::testing::TempDir;
using ::testing::HasSubstr;

std::string Blackout(const std::string& args) { return BlackoutBinary().string() + " " + args; }

TEST(StoreCli, ImportsIodaCsvOnceAndExportsItBack) {
  TempDir dir;
  std::string url = "sqlite:" + (dir / "s" / "b.db").string();
  std::string file = blackout::testing::DataFile("series/ioda-country-IQ-2023-08.csv").string();
  auto r = RunCommand(Blackout("--json import series '" + file +
                               "' --format ioda-csv --entity country/IQ --store '" + url + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "applied");
  EXPECT_EQ(j["rows"], 2928);
  EXPECT_EQ(j["series"], 5);
  EXPECT_EQ(j["points"], 5 * 2928);

  auto again = RunCommand(Blackout(
      "import series '" + file + "' --format ioda-csv --entity country/IQ --store '" + url + "'"));
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("already imported"));

  // Export the probe signal (asked for by its IODA name) and import the CSV into a fresh store.
  auto out =
      RunCommand(Blackout("export series --entity country/IQ --signal ping-slash24 "
                          "--from 2023-08-20T00:00:00Z --until 2023-08-31 --format csv "
                          "-o '" +
                          (dir / "probe.csv").string() + "' --store '" + url + "'"));
  ASSERT_EQ(out.exit_code, 0) << out.err;
  std::string csv = blackout::testing::ReadFile(dir / "probe.csv");
  EXPECT_THAT(csv, HasSubstr("entity,signal,timestamp,value\ncountry/IQ,probe,1692493200,581\n"));
  // Provenance on the first lines: the imported file; real data carry no simulation mark.
  EXPECT_THAT(csv, ::testing::StartsWith("# Sources: "));
  EXPECT_THAT(csv, HasSubstr("ioda-country-IQ-2023-08.csv"));
  EXPECT_THAT(csv, ::testing::Not(HasSubstr("SIMULATION")));
  std::string url2 = "sqlite:" + (dir / "t" / "b.db").string();
  auto back = RunCommand(Blackout("import series '" + (dir / "probe.csv").string() +
                                  "' --format csv --store '" + url2 + "'"));
  ASSERT_EQ(back.exit_code, 0) << back.err;
  auto a = OpenStore(url, {.read_only = true});
  auto b = OpenStore(url2, {.read_only = true});
  ASSERT_TRUE(a.ok() && b.ok());
  auto sa = (*a)->ReadSeries({"country/IQ", "probe", ""}, 0, INT64_MAX);
  auto sb = (*b)->ReadSeries({"country/IQ", "probe", ""}, 0, INT64_MAX);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(sa->from, sb->from);
  ASSERT_EQ(sa->values.size(), sb->values.size());
  for (size_t i = 0; i < sa->values.size(); ++i) {
    if (IsMissing(sa->values[i])) {
      EXPECT_TRUE(IsMissing(sb->values[i])) << i;
    } else {
      EXPECT_EQ(sa->values[i], sb->values[i]) << i;
    }
  }

  // A store whose data a simulation made: the export says so on its first line.
  {
    auto w = OpenStore(url);
    ASSERT_TRUE(w.ok());
    WriteBatch batch;
    batch.SetState("service:notice", "SIMULATION: scenario test; nothing here was measured.");
    ASSERT_TRUE((*w)->Apply(batch).ok());
  }
  auto sim =
      RunCommand(Blackout("export series --entity country/IQ --signal bgp --from "
                          "1692493200 --until 1692494100 --store '" +
                          url + "'"));
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  EXPECT_THAT(sim.out, ::testing::StartsWith("# SIMULATION: scenario test"));

  auto json =
      RunCommand(Blackout("export series --entity country/IQ --signal bgp --from "
                          "1692493200 --until 1692494100 --format json --store '" +
                          url + "'"));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  const auto& s = doc["data"][0][0];
  EXPECT_EQ(s["entityType"], "country");
  EXPECT_EQ(s["entityCode"], "IQ");
  EXPECT_EQ(s["datasource"], "bgp");
  EXPECT_EQ(s["step"], 300);
  EXPECT_EQ(s["values"].size(), 3u);
}

TEST(StoreCli, MalformedRowsAreReportedWithLineNumbersAndExitOne) {
  TempDir dir;
  std::string url = "sqlite:" + (dir / "b.db").string();
  blackout::testing::WriteFile(dir / "x.csv",
                               "entity,signal,timestamp,value\n"
                               "country/KZ,bgp,1641340800,100\n"
                               "country/KZ,bgp,1641341100,oops\n"
                               "country/KZ,bgp,1641341400,102\n");
  auto r = RunCommand(
      Blackout("import series '" + (dir / "x.csv").string() + "' --store '" + url + "'"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("line 3"));
  EXPECT_THAT(r.err, HasSubstr("oops"));
  auto st = OpenStore(url);
  ASSERT_TRUE(st.ok());
  auto s = (*st)->ReadSeries({"country/KZ", "bgp", ""}, 0, INT64_MAX);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->values.size(), 3u);
  EXPECT_EQ(s->values[0], 100);
  EXPECT_TRUE(IsMissing(s->values[1]));  // the bad row is left out, not zero
  EXPECT_EQ(s->values[2], 102);
  auto rec = (*st)->GetIngest("import:" + (dir / "x.csv").string());
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->state, IngestState::kPartial);
}

TEST(StoreCli, UsageErrorsExitTwo) {
  TempDir dir;
  blackout::testing::WriteFile(dir / "x.csv", "timestamp,bgp\n1641340800,1\n");
  std::string url = "sqlite:" + (dir / "b.db").string();
  auto no_entity = RunCommand(Blackout("import series '" + (dir / "x.csv").string() +
                                       "' --format ioda-csv --store '" + url + "'"));
  EXPECT_EQ(no_entity.exit_code, 2);
  EXPECT_THAT(no_entity.err, HasSubstr("--entity"));
  auto bad_format = RunCommand(Blackout("import series '" + (dir / "x.csv").string() +
                                        "' --format xml --store '" + url + "'"));
  EXPECT_EQ(bad_format.exit_code, 2);
  auto bad_url = RunCommand(Blackout("import series '" + (dir / "x.csv").string() +
                                     "' --format ioda-csv --entity country/KZ --store mysql:x"));
  EXPECT_EQ(bad_url.exit_code, 2);
  auto reversed =
      RunCommand(Blackout("export series --entity country/KZ --from 2022-01-05 "
                          "--until 2022-01-04 --store '" +
                          url + "'"));
  EXPECT_EQ(reversed.exit_code, 2);
}

}  // namespace
}  // namespace blackout::store
