// The detector's expected values as the snapshot attaches them (AttachExpected) and the signals
// route serves them (?expected=true): they must equal what detect::SignalDetector, run bin by bin
// from the first stored bin, judged for the same series, at any window start and across gaps.
#include "blackout/service/snapshot.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "blackout/detect/baseline.h"
#include "blackout/detect/config.h"
#include "blackout/server/api.h"

namespace blackout::service {

using namespace server;
namespace {

using json = nlohmann::json;

constexpr UnixSeconds kFrom = 1638316800;  // 2021-12-01T00:00Z
constexpr int64_t kStep = 300;
constexpr size_t kBins = 288 * 36;
constexpr size_t kGapBegin = 288 * 15, kGapEnd = kGapBegin + 72;  // 6 h without data
constexpr size_t kOutageBegin = 288 * 30 + 100, kOutageEnd = kOutageBegin + 144;  // 12 h at 5%

// A daily cycle with deterministic noise, a gap and an outage.
double ProbeValue(size_t i) {
  if (i >= kGapBegin && i < kGapEnd) return NAN;
  double day = std::sin(2 * std::numbers::pi * static_cast<double>(i % 288) / 288.0);
  double noise = static_cast<double>((i * 2654435761u) % 1000) / 1000.0 - 0.5;
  double v = 1000 + 250 * day + 20 * noise;
  return i >= kOutageBegin && i < kOutageEnd ? 0.05 * v : v;
}

Series MakeSeries(std::string datasource, int64_t step, size_t n, double (*value)(size_t)) {
  Series s{"country", "XA", std::move(datasource), kFrom, step, {}};
  for (size_t i = 0; i < n; ++i) s.values.push_back(value(i));
  return s;
}

double BgpValue(size_t i) { return i >= kOutageBegin && i < kOutageEnd ? 300 : 2000 + (i % 5); }
double TrafficValue(size_t i) { return 400 + 100 * std::sin(static_cast<double>(i % 24) / 4); }

std::optional<double> Opt(double v) { return std::isnan(v) ? std::nullopt : std::optional(v); }

// The verdicts of a fresh detector stepped through every bin of `values` (NaN = missing) from
// `from`, one Step call per bin: the streaming path, independent of the batch one.
std::vector<detect::Verdict> StepAll(const detect::SignalConfig& config, UnixSeconds from,
                                     int64_t step, const std::vector<double>& values) {
  detect::SignalDetector d(config, step);
  std::vector<detect::Verdict> out;
  for (size_t i = 0; i < values.size(); ++i) {
    auto v = d.Step(from + static_cast<int64_t>(i) * step, Opt(values[i]));
    EXPECT_TRUE(v.ok());
    out.push_back(v.ok() ? *v : detect::Verdict{});
  }
  return out;
}

void ExpectSameAsVerdict(const Series& s, size_t i, const detect::Verdict& v) {
  ASSERT_TRUE(s.has_expected());
  if (v.expected) {
    EXPECT_EQ(s.expected[i], *v.expected) << s.datasource << " bin " << i;
    EXPECT_EQ(s.lower[i], v.lower) << s.datasource << " bin " << i;
  } else {
    EXPECT_TRUE(std::isnan(s.expected[i])) << s.datasource << " bin " << i;
    EXPECT_TRUE(std::isnan(s.lower[i])) << s.datasource << " bin " << i;
  }
  EXPECT_EQ(s.level[i], static_cast<uint8_t>(v.level)) << s.datasource << " bin " << i;
}

TEST(AttachExpectedTest, EqualsTheDetectorsVerdictsIncludingAcrossAGap) {
  const detect::DetectConfig config = detect::DefaultConfig();
  Series probe = MakeSeries("ping-slash24", kStep, kBins, ProbeValue);
  Series bgp = MakeSeries("bgp", kStep, kBins, BgpValue);
  Series other = MakeSeries("bgp-1peer", kStep, kBins, BgpValue);  // not a detector signal
  ASSERT_TRUE(AttachExpected({&probe, &bgp, &other}, config));
  EXPECT_FALSE(other.has_expected());

  auto want = StepAll(config.of(detect::Signal::kProbe), kFrom, kStep, probe.values);
  for (size_t i = 0; i < kBins; ++i) ExpectSameAsVerdict(probe, i, want[i]);
  want = StepAll(config.of(detect::Signal::kBgp), kFrom, kStep, bgp.values);
  for (size_t i = 0; i < kBins; ++i) ExpectSameAsVerdict(bgp, i, want[i]);

  // Across the gap: a detector that never saw the missing bins (Step skips them, feeding them as
  // missing itself) judges every later bin alike.
  detect::SignalDetector skipping(config.of(detect::Signal::kProbe), kStep);
  for (size_t i = 0; i < kBins; ++i) {
    if (std::isnan(probe.values[i])) continue;
    auto v = skipping.Step(kFrom + static_cast<int64_t>(i) * kStep, probe.values[i]);
    ASSERT_TRUE(v.ok());
    if (i >= kGapEnd && i < kGapEnd + 288) ExpectSameAsVerdict(probe, i, *v);
  }
  // The gap's bins have a prediction (the baseline looks past them) but no verdict.
  EXPECT_FALSE(std::isnan(probe.expected[kGapBegin + 10]));
  EXPECT_EQ(probe.level[kGapBegin + 10], 0);
  // The first bins have no history: nothing expected.
  EXPECT_TRUE(std::isnan(probe.expected[0]));
  // During the outage the expected level stays at the ordinary level (inpainting) and the bins
  // are critical.
  EXPECT_EQ(probe.level[kOutageBegin + 60], static_cast<uint8_t>(detect::Level::kCritical));
  EXPECT_GT(probe.expected[kOutageBegin + 60], 10 * probe.values[kOutageBegin + 60]);
  EXPECT_LT(probe.lower[kOutageBegin + 60], probe.expected[kOutageBegin + 60]);
}

TEST(AttachExpectedTest, CoarserSignalGetsTheMeanOfItsFineBinsAndDisabledSignalsNone) {
  detect::DetectConfig config = detect::DefaultConfig();
  config.of(detect::Signal::kDarknet).enabled = false;
  Series probe = MakeSeries("ping-slash24", kStep, kBins, ProbeValue);
  Series traffic = MakeSeries("traffic", 3600, kBins / 12, TrafficValue);
  Series darknet = MakeSeries("merit-nt", kStep, kBins, BgpValue);
  ASSERT_TRUE(AttachExpected({&traffic, &probe, &darknet}, config));
  EXPECT_FALSE(darknet.has_expected());
  ASSERT_TRUE(traffic.has_expected());

  // The detector judged traffic on the entity's 300 s grid, each hour's value held for its twelve
  // bins.
  std::vector<double> fine(kBins);
  for (size_t i = 0; i < kBins; ++i) fine[i] = traffic.values[i / 12];
  auto want = StepAll(config.of(detect::Signal::kTraffic), kFrom, kStep, fine);
  size_t judged = 0;
  for (size_t h = 0; h < traffic.values.size(); ++h) {
    double sum_e = 0, sum_l = 0;
    int n = 0;
    uint8_t level = 0;
    for (size_t k = 12 * h; k < 12 * h + 12; ++k) {
      level = std::max(level, static_cast<uint8_t>(want[k].level));
      if (!want[k].expected) continue;
      sum_e += *want[k].expected;
      sum_l += want[k].lower;
      ++n;
    }
    EXPECT_EQ(traffic.level[h], level) << h;
    if (n == 0) {
      EXPECT_TRUE(std::isnan(traffic.expected[h])) << h;
      continue;
    }
    ++judged;
    EXPECT_DOUBLE_EQ(traffic.expected[h], n == 1 ? sum_e : sum_e / n) << h;
    EXPECT_DOUBLE_EQ(traffic.lower[h], n == 1 ? sum_l : sum_l / n) << h;
  }
  EXPECT_GT(judged, traffic.values.size() / 2);
}

// Through the API: the served window starts late in the series, yet its first bins carry the
// values of the detector that ran from the first stored bin (the warm-up is the whole history).
class ExpectedApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_.ReplaceEntities({{"country", "XA", "Exampleland", {}, {}}});
    data_.ReplaceDatasources({{"ping-slash24", "Active probing", "/24s up", kStep},
                              {"bgp-1peer", "BGP (one peer)", "/24s", kStep}});
    Series probe = MakeSeries("ping-slash24", kStep, kBins, ProbeValue);
    Series other = MakeSeries("bgp-1peer", kStep, kBins, BgpValue);
    ASSERT_TRUE(AttachExpected({&probe, &other}, config_));
    data_.PutSeries(probe);
    data_.PutSeries(other);
    ServerOptions o;
    o.port = 0;
    o.threads = 2;
    o.now = [] { return kFrom + 40 * 86400; };
    server_ = std::make_unique<ApiServer>(data_, o);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  void TearDown() override { server_->Stop(); }

  json Get(const std::string& path) {
    auto r = client_->Get(path.c_str());
    EXPECT_TRUE(r) << path;
    if (!r) return {};
    EXPECT_EQ(r->status, 200) << path << "\n" << r->body.substr(0, 300);
    return json::parse(r->body, nullptr, false);
  }

  detect::DetectConfig config_ = detect::DefaultConfig();
  MemoryData data_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ExpectedApiTest, ServedWindowEqualsTheDetectorFromTheFirstBin) {
  std::vector<double> values;
  for (size_t i = 0; i < kBins; ++i) values.push_back(ProbeValue(i));
  auto want = StepAll(config_.of(detect::Signal::kProbe), kFrom, kStep, values);

  const size_t first = 288 * 29;  // the day before the outage, to two days after
  const UnixSeconds from = kFrom + static_cast<int64_t>(first) * kStep;
  json j = Get("/api/v2/signals/raw/country/XA?datasource=ping-slash24&expected=true&from=" +
               std::to_string(from) + "&until=" + std::to_string(from + 3 * 86400));
  const json& s = j["data"][0][0];
  ASSERT_EQ(s["from"], from);
  ASSERT_EQ(s["values"].size(), 864u);
  ASSERT_EQ(s["expected"].size(), 864u);
  ASSERT_EQ(s["lower"].size(), 864u);
  ASSERT_EQ(s["levels"].size(), 864u);
  size_t critical = 0;
  for (size_t i = 0; i < 864; ++i) {
    const detect::Verdict& v = want[first + i];
    ASSERT_TRUE(v.expected) << i;
    EXPECT_EQ(s["expected"][i].get<double>(), *v.expected) << i;
    EXPECT_EQ(s["lower"][i].get<double>(), v.lower) << i;
    EXPECT_EQ(s["levels"][i].get<int>(), static_cast<int>(v.level)) << i;
    critical += v.level == detect::Level::kCritical;
  }
  EXPECT_GT(critical, 100u);

  // Without the parameter the answer keeps IODA's fields only; a signal the detector does not
  // judge answers null, so that clients fall back to their own baseline.
  j = Get("/api/v2/signals/raw/country/XA?datasource=ping-slash24&from=" + std::to_string(from) +
          "&until=" + std::to_string(from + 86400));
  EXPECT_FALSE(j["data"][0][0].contains("expected"));
  j = Get("/api/v2/signals/raw/country/XA?datasource=bgp-1peer&expected=1&from=" +
          std::to_string(from) + "&until=" + std::to_string(from + 86400));
  EXPECT_TRUE(j["data"][0][0]["expected"].is_null());
  EXPECT_TRUE(j["data"][0][0]["levels"].is_null());
  auto r = client_->Get("/api/v2/signals/raw/country/XA?expected=maybe");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ExpectedApiTest, DownsampledAndCsvAnswersCarryThemToo) {
  const size_t first = 288 * 30;
  const UnixSeconds from = kFrom + static_cast<int64_t>(first) * kStep;
  const std::string range =
      "&from=" + std::to_string(from) + "&until=" + std::to_string(from + 86400);
  json j = Get("/api/v2/signals/raw/country/XA?datasource=ping-slash24&expected=true&maxPoints=24" +
               range);
  const json& s = j["data"][0][0];
  ASSERT_EQ(s["step"], 3600);
  ASSERT_EQ(s["expected"].size(), 24u);
  auto full = data_.GetSeries("country", "XA", "ping-slash24", from, from + 86400);
  ASSERT_EQ(full.size(), 1u);
  for (size_t h = 0; h < 24; ++h) {
    double sum = 0;
    uint8_t level = 0;
    for (size_t k = 12 * h; k < 12 * h + 12; ++k) {
      sum += full[0].expected[k];
      level = std::max(level, full[0].level[k]);
    }
    EXPECT_DOUBLE_EQ(s["expected"][h].get<double>(), sum / 12) << h;
    EXPECT_EQ(s["levels"][h].get<int>(), level) << h;
  }
  auto r = client_->Get(
      ("/api/v2/signals/raw/country/XA?datasource=ping-slash24&expected=true&format=csv" + range)
          .c_str());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->body.rfind("# ", 0), 0u);  // provenance comment line
  EXPECT_NE(r->body.find(
                "\ntimestamp,time,entityType,entityCode,datasource,value,expected,lower,level\n"),
            std::string::npos);
  EXPECT_NE(r->body.find(",critical\n"), std::string::npos);
  EXPECT_EQ(std::count(r->body.begin(), r->body.end(), '\n'), 290);
}

// Signals answers are cached per data generation: new data (a new snapshot) is served at once.
TEST_F(ExpectedApiTest, CachedAnswersFollowTheData) {
  const std::string path = "/api/v2/signals/raw/country/XA?datasource=ping-slash24&expected=true" +
                           std::string("&from=") + std::to_string(kFrom + 20 * 86400) +
                           "&until=" + std::to_string(kFrom + 21 * 86400);
  json before = Get(path);
  EXPECT_EQ(Get(path), before);
  Series probe = MakeSeries("ping-slash24", kStep, kBins, ProbeValue);
  for (double& v : probe.values) v *= 2;
  ASSERT_TRUE(AttachExpected({&probe}, config_));
  data_.PutSeries(probe);
  json after = Get(path);
  const json& a = after["data"][0][0];
  const json& b = before["data"][0][0];
  EXPECT_EQ(a["values"][10].get<double>(), 2 * b["values"][10].get<double>());
  EXPECT_NE(a["expected"][10], b["expected"][10]);
  EXPECT_EQ(a["expected"][10].get<double>(), probe.expected[288 * 20 + 10]);
}

}  // namespace
}  // namespace blackout::service
