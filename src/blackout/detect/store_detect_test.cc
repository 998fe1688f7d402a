#include "blackout/detect/store_detect.h"

#include <gtest/gtest.h>

#include "blackout/detect/synthetic.h"
#include "blackout/testing/testing.h"

namespace blackout::detect {
namespace {

void Put(store::WriteBatch& batch, const EntitySeries& es) {
  for (Signal s : kAllSignals) {
    const auto& v = es.values[static_cast<int>(s)];
    if (v.empty()) continue;
    store::Series out;
    out.key = {es.entity, std::string(SignalName(s)), ""};
    out.from = es.from;
    out.step = es.step;
    for (const auto& x : v) out.values.push_back(x.value_or(store::kMissing));
    batch.AddSeries(out);
  }
}

TEST(StoreDetectTest, DetectsWritesAndReplaces) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "b.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();

  SyntheticSpec country = CountrySpec();
  country.entity = "country/ZZ";
  country.outages = {SyntheticOutage{20 * 288 + 24, 60, {0.05, 0.05, 0.05, 0.05}}};
  SyntheticSpec region = CountrySpec();
  region.entity = "region/ZZ-01";
  region.seed = 7;
  region.outages = {SyntheticOutage{20 * 288 + 20, 70, {0.05, 0.05, 0.05, 0.05}}};
  SyntheticSpec other = CountrySpec();
  other.entity = "region/YY-01";
  other.seed = 9;
  other.outages = region.outages;
  LabelledSeries c = Generate(country), r = Generate(region), o = Generate(other);
  store::WriteBatch batch;
  Put(batch, c.series);
  Put(batch, r.series);
  Put(batch, o.series);
  ASSERT_TRUE((*st)->Apply(batch).ok());

  StoreDetectOptions opt;
  opt.from = country.from + 15 * 86400;
  opt.until = country.from + 30 * 86400;
  auto rep = DetectInStore(**st, opt);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->entities, 3);
  EXPECT_EQ(rep->series, 12);
  EXPECT_TRUE(rep->problems.empty());
  ASSERT_EQ(rep->events.size(), 3u);
  EXPECT_GT(rep->alerts, 0);

  // Same events as the batch detector over the whole series (the warm-up makes them equal).
  Detection whole = DetectSeries(c.series, DefaultConfig());
  ASSERT_EQ(whole.events.size(), 1u);

  store::EventQuery q;
  q.entities = {"country/ZZ"};
  auto events = (*st)->QueryEvents(q);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->items.size(), 1u);
  const store::Event& e = events->items[0];
  EXPECT_EQ(e.start, whole.events[0].start);
  EXPECT_EQ(e.end, whole.events[0].end);
  EXPECT_EQ(e.related, std::vector<std::string>{"region/ZZ-01"});  // not region/YY-01
  EXPECT_EQ(e.technique, store::Technique::kRoutesWithdrawn);
  EXPECT_EQ(e.phases.back().phase, store::Phase::kTotalRecovery);
  EXPECT_EQ(e.signals.size(), 4u);

  // Running again replaces rather than duplicates; a dry run writes nothing.
  ASSERT_TRUE(DetectInStore(**st, opt).ok());
  store::EventQuery all;
  EXPECT_EQ((*st)->QueryEvents(all)->items.size(), 3u);
  store::AlertQuery aq;
  aq.limit = 0;
  auto alerts = (*st)->QueryAlerts(aq);
  ASSERT_TRUE(alerts.ok());
  EXPECT_EQ(alerts->total, rep->alerts);

  opt.entity = "region/YY-01";
  opt.write = false;
  auto one = DetectInStore(**st, opt);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->entities, 1);
  EXPECT_EQ(one->events.size(), 1u);

  opt.from = opt.until;
  EXPECT_EQ(DetectInStore(**st, opt).status().code(), StatusCode::kInvalidArgument);
}

TEST(StoreDetectTest, Conversions) {
  Event e;
  e.entity = "country/ZZ";
  e.start = 1000;
  e.end = 4000;
  e.technique = Technique::kMixed;
  e.signals = {Signal::kBgp, Signal::kProbe};
  e.phases = {Phase{PhaseKind::kNearTotalBlackout, 1000, 4000, 0.05},
              Phase{PhaseKind::kTotalRecovery, 4000, 4000, 1}};
  store::Event s = ToStoreEvent(e);
  EXPECT_EQ(s.technique, store::Technique::kRoutesWithdrawn);
  EXPECT_EQ(s.extra, R"({"technique":"mixed"})");
  EXPECT_EQ(s.signals, (std::vector<std::string>{"bgp", "probe"}));
  EXPECT_EQ(s.phases[0].phase, store::Phase::kNearTotalBlackout);
  EXPECT_EQ(s.phases[1].phase, store::Phase::kTotalRecovery);
  Alert a{"asn/1", Signal::kDarknet, 600, Level::kCritical, 1, 10, 0.1, Method::kSeasonal};
  store::Alert sa = ToStoreAlert(a, 300, DefaultConfig().of(Signal::kDarknet));
  EXPECT_EQ(sa.signal, "darknet");
  EXPECT_EQ(sa.level, store::AlertLevel::kCritical);
  EXPECT_EQ(sa.method, "seasonal");
  EXPECT_EQ(sa.condition, "< 0.25");
  EXPECT_DOUBLE_EQ(sa.ratio(), 0.1);
}

}  // namespace
}  // namespace blackout::detect
