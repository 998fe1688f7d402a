// Series file formats: IODA's real CSV export for Iraq (Aug 2023), IODA API JSON, plain CSV;
// malformed rows reported by line; export and re-import give the same series.
#include "blackout/store/series_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "backend.h"
#include "blackout/testing/testing.h"

namespace blackout::store {
namespace {

using ::testing::HasSubstr;
using testing::TestStore;

// An independent reading of the IODA CSV: column name -> (timestamp -> cell text).
std::map<std::string, std::map<int64_t, std::string>> ReadColumns(const std::string& text) {
  std::map<std::string, std::map<int64_t, std::string>> out;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ',')) header.push_back(f);
  }
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    while (f.size() < header.size()) f.push_back("");
    int64_t t = std::stoll(f[0]);
    for (size_t i = 1; i < header.size(); ++i) out[header[i]][t] = f[i];
  }
  return out;
}

class SeriesIoTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SeriesIoTest, RealIodaCsvForIraqImportsEverySignalWithGapsKept) {
  std::string path = blackout::testing::DataFile("series/ioda-country-IQ-2023-08.csv").string();
  std::string text = blackout::testing::ReadFile(path);
  ASSERT_FALSE(text.empty());
  auto parsed = ParseSeriesFile(text, SeriesFormat::kIodaCsv, {.entity = "country/IQ"}, path);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->problems.empty()) << parsed->problems[0].ToString();
  EXPECT_EQ(parsed->rows, 2928u);
  EXPECT_EQ(parsed->series, 5u);  // gtr, gtr-norm, merit-nt, bgp, ping-slash24

  TestStore ts(GetParam());
  ASSERT_NE(ts.store(), nullptr);
  auto r = ts->Apply(parsed->batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  auto columns = ReadColumns(text);
  const std::pair<const char*, const char*> kMap[] = {{"ping-slash24", "probe"},
                                                      {"merit-nt", "darknet"},
                                                      {"bgp", "bgp"},
                                                      {"gtr", "traffic"},
                                                      {"gtr-norm", "gtr-norm"}};
  for (const auto& [column, signal] : kMap) {
    SCOPED_TRACE(column);
    auto s = ts->ReadSeries(SeriesKey{"country/IQ", signal, ""}, 0, INT64_MAX);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->step, 300);
    const auto& cells = columns.at(column);
    EXPECT_EQ(s->from, cells.begin()->first);
    EXPECT_EQ(s->values.size(), cells.size());  // the file has no missing rows
    size_t present = 0;
    for (const auto& [t, cell] : cells) {
      double v = s->at(t);
      if (cell.empty()) {
        EXPECT_TRUE(IsMissing(v)) << t;
      } else {
        ++present;
        EXPECT_DOUBLE_EQ(v, std::strtod(cell.c_str(), nullptr)) << t;
      }
    }
    EXPECT_EQ(s->present(), present);
  }
  // gtr is sparse in this file: most bins are missing, none became zero.
  auto gtr = ts->ReadSeries(SeriesKey{"country/IQ", "traffic", ""}, 0, INT64_MAX);
  ASSERT_TRUE(gtr.ok());
  EXPECT_LT(gtr->present(), gtr->values.size() / 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, SeriesIoTest, ::testing::Values("sqlite", "clickhouse"),
                         [](const auto& info) { return info.param; });

TEST(SeriesIo, MalformedIodaCsvRowsAreReportedByLineAndTheRestKept) {
  std::string text =
      "timestamp,bgp,ping-slash24,LABEL\n"
      "1692493200,2917,581.0,0\n"
      "1692493500,2917,,0\n"       // missing probe: fine
      "1692493800,29x7,601.0,0\n"  // line 4: bad number
      "1692494100,2917\n"          // line 5: too few fields
      "not-a-time,1,2,0\n"         // line 6: bad timestamp
      "\n"
      "1692494400,2900,590,1\n";
  auto parsed = ParseSeriesFile(text, SeriesFormat::kIodaCsv, {.entity = "country/IQ"}, "f.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->problems.size(), 3u);
  EXPECT_EQ(parsed->problems[0].where().line, 4u);
  EXPECT_THAT(parsed->problems[0].ToString(), HasSubstr("f.csv"));
  EXPECT_THAT(parsed->problems[0].message(), HasSubstr("29x7"));
  EXPECT_EQ(parsed->problems[1].where().line, 5u);
  EXPECT_EQ(parsed->problems[2].where().line, 6u);
  EXPECT_EQ(parsed->rows, 6u);
  EXPECT_EQ(parsed->series, 2u);
  // 4 rows kept x 2 signals: line 4's bad bgp cell is read as missing, its probe value kept.
  EXPECT_EQ(parsed->batch.point_count(), 8u);
  // The step is inferred from the smallest gap between sound rows.
  ASSERT_EQ(parsed->batch.series().size(), 2u);
  EXPECT_EQ(parsed->batch.series()[0].step, 300);
}

TEST(SeriesIo, IodaCsvNeedsAnEntityAndATimestampColumn) {
  auto no_entity = ParseSeriesFile("timestamp,bgp\n1,2\n", SeriesFormat::kIodaCsv, {}, "f");
  EXPECT_EQ(no_entity.status().code(), StatusCode::kInvalidArgument);
  auto no_ts =
      ParseSeriesFile("when,bgp\n1,2\n", SeriesFormat::kIodaCsv, {.entity = "country/IQ"}, "f");
  EXPECT_EQ(no_ts.status().code(), StatusCode::kDataLoss);
}

TEST(SeriesIo, IodaJsonResponseWithNullsSubtypesAndABadSeries) {
  std::string text = R"({
    "type": "signals", "metadata": {"requestTime": "x", "responseTime": "y"},
    "requestParameters": {}, "error": null, "perf": null,
    "data": [[
      {"entityType": "country", "entityCode": "KZ", "entityName": "Kazakhstan",
       "entityFqid": "asia.KZ", "datasource": "ping-slash24", "subtype": "",
       "from": 1641340800, "until": 1641341700, "step": 300, "nativeStep": 300,
       "values": [10, null, 12]},
      {"entityType": "country", "entityCode": "KZ", "datasource": "gtr", "subtype": "WEB_SEARCH",
       "from": 1641340800, "until": 1641341400, "step": 600, "nativeStep": 300,
       "values": [1.5]},
      {"entityType": "country", "entityCode": "KZ", "datasource": "ping-slash24-loss",
       "subtype": "", "from": 1641340800, "until": 1641341100, "step": 300, "nativeStep": 300,
       "values": [[{"agg_values": {"loss": 1}}]]}
    ]]})";
  auto parsed = ParseSeriesFile(text, SeriesFormat::kIodaJson, {}, "r.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->problems.size(), 1u);
  EXPECT_THAT(parsed->problems[0].message(), HasSubstr("data[0][2]"));
  EXPECT_EQ(parsed->rows, 3u);
  EXPECT_EQ(parsed->series, 2u);
  const auto& s = parsed->batch.series();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].key, (SeriesKey{"country/KZ", "probe", ""}));
  ASSERT_EQ(s[0].points.size(), 3u);
  EXPECT_EQ(s[0].points[2].time, 1641340800 + 600);
  EXPECT_TRUE(IsMissing(s[0].points[1].value));
  EXPECT_EQ(s[1].key, (SeriesKey{"country/KZ", "traffic", "WEB_SEARCH"}));
  EXPECT_EQ(s[1].step, 600);

  auto broken = ParseSeriesFile("{\"data\": [[{]]}", SeriesFormat::kIodaJson, {}, "r.json");
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(broken.status().where().offset.has_value());
}

TEST(SeriesIo, PlainCsvWithHeaderSourceAndBadRows) {
  std::string text =
      "entity,signal,timestamp,value,source\n"
      "country/KZ,bgp,1641340800,100,\n"
      "country/KZ,bgp,2022-01-05T00:05:00Z,,\n"  // ISO time, missing value
      "country/KZ,BGP!,1641341400,1,\n"          // line 4: bad signal
      "KZ,bgp,1641341400,1,\n"                   // line 5: bad entity
      "asn/9198,probe,1641340800,5,prober-1\n"
      "asn/9198,probe,1641340800\n";  // line 7: too few fields
  auto parsed = ParseSeriesFile(text, SeriesFormat::kCsv, {}, "p.csv");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->problems.size(), 3u);
  EXPECT_EQ(parsed->problems[0].where().line, 4u);
  EXPECT_EQ(parsed->problems[1].where().line, 5u);
  EXPECT_EQ(parsed->problems[2].where().line, 7u);
  EXPECT_EQ(parsed->series, 2u);
  EXPECT_EQ(parsed->batch.point_count(), 3u);
  EXPECT_EQ(parsed->batch.series()[1].key.source, "prober-1");
}

TEST(SeriesIo, ExportedCsvAndJsonReimportToTheSameSeries) {
  Series a{SeriesKey{"country/KZ", "probe", ""}, 1641340800, 300, {1, kMissing, 0.25, 3}};
  Series b{SeriesKey{"region/KZ-ALA", "bgp-25", "ris"}, 1641340800, 60, {kMissing, 7}};
  for (SeriesFormat f : {SeriesFormat::kCsv, SeriesFormat::kIodaJson}) {
    std::ostringstream out;
    if (f == SeriesFormat::kCsv) {
      WriteSeriesCsv({a, b}, out);
    } else {
      WriteSeriesJson({a, b}, out);
    }
    TestStore ts("sqlite");
    // csv carries no step: give the one of each series by importing them separately.
    if (f == SeriesFormat::kCsv) {
      std::string text = out.str();
      auto pa = ParseSeriesFile(text, f, {.entity = "", .step = 300}, "x");
      ASSERT_TRUE(pa.ok());
      WriteBatch only_a;
      for (const auto& w : pa->batch.series()) {
        if (w.key == a.key) only_a.AddPoints(w.key, w.points, 300);
      }
      ASSERT_TRUE(ts->Apply(only_a).ok());
      auto pb = ParseSeriesFile(text, f, {.step = 60}, "x");
      ASSERT_TRUE(pb.ok());
      WriteBatch only_b;
      for (const auto& w : pb->batch.series()) {
        if (w.key == b.key) only_b.AddPoints(w.key, w.points, 60);
      }
      ASSERT_TRUE(ts->Apply(only_b).ok());
    } else {
      auto p = ParseSeriesFile(out.str(), f, {}, "x");
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      EXPECT_TRUE(p->problems.empty());
      ASSERT_TRUE(ts->Apply(p->batch).ok());
    }
    for (const Series& want : {a, b}) {
      auto got = ts->ReadSeries(want.key, 0, INT64_MAX);
      ASSERT_TRUE(got.ok()) << want.key.ToString();
      EXPECT_EQ(got->from, want.from);  // a leading missing bin is stored as explicit missing
      EXPECT_EQ(got->step, want.step);
      auto full = ts->ReadSeries(want.key, want.from, want.until());
      ASSERT_TRUE(full.ok());
      ASSERT_EQ(full->values.size(), want.values.size());
      for (size_t i = 0; i < want.values.size(); ++i) {
        if (IsMissing(want.values[i])) {
          EXPECT_TRUE(IsMissing(full->values[i]));
        } else {
          EXPECT_EQ(full->values[i], want.values[i]);
        }
      }
    }
  }
}

// Found by blackout_store_series_io_fuzz: a csv source cell with bytes that are not UTF-8 was
// imported, and `export --format ioda-json` then threw (nlohmann rejects invalid UTF-8) and the
// process aborted. Sources are now checked on import, and so are entities and sources that the
// csv written back could not hold (a ',' or '"' in them).
TEST(SeriesIo, FuzzSourceAndEntityMustBeWritableBack) {
  std::string text =
      "entity,signal,timestamp,value,source\n"
      "country/IQ,traffic,11692552900,4.8,r\x80\xff\n"  // line 2: not ASCII
      "country/IQ,traffic,11692553200,4.9,ris rrc04\n"  // line 3: space
      "country/IQ,traffic,11692553500,5.0,ris-rrc04\n";
  auto parsed = ParseSeriesFile(text, SeriesFormat::kCsv, {}, "f.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->problems.size(), 2u);
  EXPECT_EQ(parsed->problems[0].where().line, 2u);
  EXPECT_EQ(parsed->problems[1].where().line, 3u);
  ASSERT_EQ(parsed->batch.series().size(), 1u);
  EXPECT_EQ(parsed->batch.series()[0].key.source, "ris-rrc04");

  std::string json = R"([
    {"entityType": "country", "entityCode": "A,B", "datasource": "bgp", "from": 0, "step": 300,
     "values": [1]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "bgp", "subtype": "a\"b",
     "from": 0, "step": 300, "values": [1]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "bgp", "subtype": "x\u00e9",
     "from": 0, "step": 300, "values": [1]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "bgp", "from": 0, "step": 300,
     "values": [1]}])";
  auto pj = ParseSeriesFile(json, SeriesFormat::kIodaJson, {}, "r.json");
  ASSERT_TRUE(pj.ok()) << pj.status().ToString();
  EXPECT_EQ(pj->problems.size(), 3u);
  ASSERT_EQ(pj->batch.series().size(), 1u);
  std::ostringstream out;
  Series s{pj->batch.series()[0].key, 0, 300, {1.0}};
  WriteSeriesJson({s}, out);  // does not throw
  EXPECT_THAT(out.str(), HasSubstr("\"entityCode\":\"IQ\""));

  auto bad_option = ParseSeriesFile("timestamp,bgp\n1,2\n", SeriesFormat::kIodaCsv,
                                    {.entity = "country/IQ", .source = "r\xff"}, "f.csv");
  EXPECT_EQ(bad_option.status().code(), StatusCode::kInvalidArgument);
}

// Found with hand-made inputs for blackout_store_series_io_fuzz (UBSan): an ioda-json `from` of
// 1e300 was converted to int64 (undefined), and from + i * step overflowed near INT64_MAX. Both
// series are now reported and left out; the sound series beside them is kept.
TEST(SeriesIo, FuzzJsonTimesOutOfRangeAreProblems) {
  std::string json = R"([
    {"entityType": "country", "entityCode": "IQ", "datasource": "bgp", "from": 1e300,
     "step": 300, "values": [1]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "probe",
     "from": 9223372036854775000, "step": 300, "values": [1, 2, 3, 4, 5]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "darknet",
     "from": 0, "step": 18446744073709551615, "values": [1]},
    {"entityType": "country", "entityCode": "IQ", "datasource": "gtr", "from": 600, "step": 300,
     "values": [1, 2]}])";
  auto p = ParseSeriesFile(json, SeriesFormat::kIodaJson, {}, "r.json");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->problems.size(), 3u);
  EXPECT_THAT(p->problems[0].message(), HasSubstr("data[0]"));
  EXPECT_THAT(p->problems[1].message(), HasSubstr("data[1]"));
  EXPECT_THAT(p->problems[2].message(), HasSubstr("data[2]"));
  ASSERT_EQ(p->batch.series().size(), 1u);
  EXPECT_EQ(p->batch.series()[0].key.signal, "traffic");
  EXPECT_EQ(p->batch.series()[0].points.size(), 2u);
}

// The ioda-csv step inference took the gap between a year-0000 row and a row at INT64_MAX
// (overflow); such a gap is now skipped and the step comes from the other rows.
TEST(SeriesIo, FuzzIodaCsvGapOverflow) {
  auto p = ParseSeriesFile(
      "timestamp,bgp\n0000-01-01,1\n0000-01-01T00:05,2\n"
      "9223372036854775807,3\n",
      SeriesFormat::kIodaCsv, {.entity = "country/IQ"}, "f.csv");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->batch.series().size(), 1u);
  EXPECT_EQ(p->batch.series()[0].step, 300);
}

// Found with a hand-made input for blackout_store_series_io_fuzz (ASan: stack-overflow): 16,000
// nested '[' made the search for series objects recurse once per level, building a path string
// per level (quadratic memory). Arrays deeper than 8 are now reported as non-series items; an
// error value nested as deep is not dumped (dump() recurses too).
TEST(SeriesIo, FuzzDeeplyNestedJsonIsBounded) {
  constexpr int kDepth = 100000;
  std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  auto p = ParseSeriesFile(deep, SeriesFormat::kIodaJson, {}, "deep.json");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->series, 0u);
  ASSERT_EQ(p->problems.size(), 1u);
  EXPECT_THAT(p->problems[0].message(),
              HasSubstr("data[0][0][0][0][0][0][0][0]: not a series object"));

  auto with_error = ParseSeriesFile("{\"error\": " + deep + ", \"data\": []}",
                                    SeriesFormat::kIodaJson, {}, "deep.json");
  ASSERT_TRUE(with_error.ok()) << with_error.status().ToString();
  ASSERT_EQ(with_error->problems.size(), 1u);
  EXPECT_THAT(with_error->problems[0].message(), HasSubstr("(an object or array)"));
}

}  // namespace
}  // namespace blackout::store
