#include "blackout/detect/config.h"

#include <gtest/gtest.h>

#include "blackout/store/signals.h"
#include "blackout/testing/testing.h"

namespace blackout::detect {
namespace {

void ExpectSame(const DetectConfig& a, const DetectConfig& b) {
  for (Signal s : kAllSignals) {
    SCOPED_TRACE(std::string(SignalName(s)));
    const SignalConfig &x = a.of(s), &y = b.of(s);
    EXPECT_EQ(x.method, y.method);
    EXPECT_EQ(x.window_seconds, y.window_seconds);
    EXPECT_EQ(x.lookback_days, y.lookback_days);
    EXPECT_EQ(x.similar_days, y.similar_days);
    EXPECT_DOUBLE_EQ(x.warning, y.warning);
    EXPECT_DOUBLE_EQ(x.critical, y.critical);
    EXPECT_DOUBLE_EQ(x.z, y.z);
    EXPECT_DOUBLE_EQ(x.min_relative_spread, y.min_relative_spread);
    EXPECT_DOUBLE_EQ(x.floor, y.floor);
    EXPECT_EQ(x.min_history_seconds, y.min_history_seconds);
    EXPECT_EQ(x.max_inpaint_seconds, y.max_inpaint_seconds);
    EXPECT_EQ(x.counts, y.counts);
    EXPECT_EQ(x.sustain_seconds, y.sustain_seconds);
    EXPECT_EQ(x.enabled, y.enabled);
  }
  EXPECT_EQ(a.combine.min_warning_signals, b.combine.min_warning_signals);
  EXPECT_EQ(a.combine.min_event_bins, b.combine.min_event_bins);
  EXPECT_EQ(a.combine.merge_gap_bins, b.combine.merge_gap_bins);
  EXPECT_DOUBLE_EQ(a.combine.blackout_ratio, b.combine.blackout_ratio);
  EXPECT_DOUBLE_EQ(a.combine.recovery_delta, b.combine.recovery_delta);
  EXPECT_DOUBLE_EQ(a.combine.recovered_ratio, b.combine.recovered_ratio);
}

TEST(ConfigTest, ShippedFileIsTheDefault) {
  auto c = LoadConfig((testing::SourceDir() / "config" / "detect.toml").string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ExpectSame(*c, DefaultConfig());
  EXPECT_TRUE(ValidateConfig(DefaultConfig()).ok());
}

TEST(ConfigTest, OverridesOnTopOfDefaults) {
  auto c = ParseConfig(
      "[combine]\nmin_event_bins = 5\n[signal.ping-slash24]\nmethod = \"ioda-median\"\n"
      "window_hours = 48\nenabled = false\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->combine.min_event_bins, 5);
  EXPECT_EQ(c->of(Signal::kProbe).method, Method::kIodaMedian);
  EXPECT_EQ(c->of(Signal::kProbe).window_seconds, 48 * 3600);
  EXPECT_FALSE(c->of(Signal::kProbe).enabled);
  EXPECT_EQ(c->of(Signal::kBgp).window_seconds, DefaultConfig().of(Signal::kBgp).window_seconds);
}

// The detector's signals are the registry's (store/signals.h), in its order, with its names,
// aliases and planes.
TEST(ConfigTest, SignalsComeFromTheRegistry) {
  const std::vector<std::string> want = {"traffic", "darknet", "bgp", "probe"};
  for (Signal s : kAllSignals) {
    EXPECT_EQ(SignalName(s), want[static_cast<size_t>(s)]);
    const store::SignalInfo& info = store::Signals()[static_cast<size_t>(s)];
    EXPECT_EQ(ParseSignal(info.datasource), s);
    EXPECT_EQ(static_cast<int>(SignalPlane(s)), static_cast<int>(info.plane));
  }
  EXPECT_EQ(ParseSignal("gtr"), Signal::kTraffic);
  EXPECT_EQ(ParseSignal("telescope"), Signal::kDarknet);
  EXPECT_EQ(ParseSignal("PING-SLASH24"), Signal::kProbe);
  EXPECT_FALSE(ParseSignal("bgp-25").has_value());
  EXPECT_EQ(SignalPlane(Signal::kProbe), Plane::kData);
  EXPECT_EQ(SignalPlane(Signal::kBgp), Plane::kControl);
}

TEST(ConfigTest, NewNormalsAreDeclaredInTheConfig) {
  auto c = ParseConfig(
      "[[new_normal]]\nentity = \"ASN/as64500\"\nsignal = \"bgp\"\n"
      "from = \"2026-01-10T00:00:00Z\"\nnote = \"renumbered\"\n"
      "[[new_normal]]\nentity = \"country/kz\"\nfrom = 1767225600\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->new_normals.size(), 2u);
  EXPECT_EQ(c->new_normals[0].entity, "asn/64500");
  EXPECT_EQ(c->new_normals[0].signal, Signal::kBgp);
  EXPECT_EQ(c->new_normals[0].from, 1768003200);
  EXPECT_EQ(c->new_normals[0].note, "renumbered");
  EXPECT_EQ(c->new_normals[1].entity, "country/KZ");
  EXPECT_FALSE(c->new_normals[1].signal.has_value());
  for (const char* bad :
       {"[[new_normal]]\nfrom = 0\n", "[[new_normal]]\nentity = \"asn/1\"\n",
        "[[new_normal]]\nentity = \"asn/1\"\nfrom = \"yesterday\"\n",
        "[[new_normal]]\nentity = \"asn/1\"\nfrom = 0\nsignal = \"x\"\n",
        "[[new_normal]]\nentity = \"asn/1\"\nfrom = 0\nwhy = \"x\"\n", "new_normal = 3\n"}) {
    EXPECT_EQ(ParseConfig(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ConfigTest, RejectsMistakes) {
  for (const char* bad : {
           "[combine]\nmin_event_bins = 0\n",
           "[combine]\nno_such_key = 1\n",
           "[signal.bgp]\nwarning = 0.3\ncritical = 0.5\n",
           "[signal.bgp]\nmethod = \"magic\"\n",
           "[signal.nosuch]\nwarning = 0.5\n",
           "[signal.probe]\nwarning = \"high\"\n",
           "[signal.probe]\nsimilar_days = 40\nlookback_days = 28\n",
           "[other]\n",
           "this is not toml",
       }) {
    auto c = ParseConfig(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(LoadConfig("/nonexistent/detect.toml").status().code(), StatusCode::kIoError);
}

TEST(ConfigTest, SignalAndMethodNames) {
  EXPECT_EQ(ParseSignal("gtr"), Signal::kTraffic);
  EXPECT_EQ(ParseSignal("merit-nt"), Signal::kDarknet);
  EXPECT_EQ(ParseSignal("ping-slash24"), Signal::kProbe);
  EXPECT_EQ(ParseSignal("bgp"), Signal::kBgp);
  EXPECT_FALSE(ParseSignal("gtr-norm").has_value());
  // Application blocking (OONI) is in the registry but is no connectivity vote.
  EXPECT_FALSE(ParseSignal("app-blocking").has_value());
  EXPECT_FALSE(ParseSignal("ooni").has_value());
  for (Signal s : kAllSignals) EXPECT_EQ(ParseSignal(SignalName(s)), s);
  EXPECT_EQ(ParseMethod(MethodName(Method::kSeasonal)), Method::kSeasonal);
  EXPECT_EQ(ParseMethod(MethodName(Method::kIodaMedian)), Method::kIodaMedian);
  // IODA's published rule.
  EXPECT_EQ(IodaRuleConfig(Signal::kBgp).window_seconds, 86400);
  EXPECT_DOUBLE_EQ(IodaRuleConfig(Signal::kBgp).warning, 0.99);
  EXPECT_DOUBLE_EQ(IodaRuleConfig(Signal::kDarknet).critical, 0.1);
  EXPECT_EQ(IodaRuleConfig(Signal::kProbe).window_seconds, 7 * 86400);
}

// Found by hand for blackout_detect_config_fuzz (UBSan): `min_event_bins = 1e300` converted a
// double outside int's range to int (undefined behaviour); `window_hours = 1e300` became an
// unspecified llround result and was rejected as "at least 1 hour". Both are "out of range" now,
// naming the key; NaN too.
TEST(ConfigTest, FuzzHugeNumbersAreOutOfRange) {
  for (const char* text :
       {"[combine]\nmin_event_bins = 1e300\n", "[combine]\nmerge_gap_bins = -1e10\n",
        "[combine]\nmin_warning_signals = nan\n", "[signal.bgp]\nlookback_days = inf\n",
        "[signal.bgp]\nsimilar_days = 3e9\n", "[signal.bgp]\nwindow_hours = 1e300\n",
        "[signal.probe]\nmin_history_hours = -inf\n",
        "[signal.probe]\nmax_inpaint_hours = nan\n"}) {
    auto c = ParseConfig(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("out of range"), std::string::npos)
        << text << " -> " << c.status().message();
  }
  auto ok = ParseConfig("[combine]\nmin_event_bins = 4.0\n[signal.bgp]\nwindow_hours = 48\n");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->combine.min_event_bins, 4);
  EXPECT_EQ(ok->of(Signal::kBgp).window_seconds, 48 * 3600);
}

}  // namespace
}  // namespace blackout::detect
