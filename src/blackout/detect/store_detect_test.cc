#include "blackout/detect/store_detect.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "blackout/detect/synthetic.h"
#include "blackout/testing/testing.h"

namespace blackout::detect {
namespace {

constexpr int kTrafficIndex = static_cast<int>(Signal::kTraffic);
constexpr int kDarknetIndex = static_cast<int>(Signal::kDarknet);
constexpr int kBgpIndex = static_cast<int>(Signal::kBgp);
constexpr int kProbeIndex = static_cast<int>(Signal::kProbe);

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
  EXPECT_EQ(s.technique, store::Technique::kMixed);  // natively, no workaround in `extra`
  EXPECT_EQ(s.extra, "");
  EXPECT_EQ(s.method, "blackout-combined");
  EXPECT_EQ(s.signals, (std::vector<std::string>{"bgp", "probe"}));
  EXPECT_EQ(s.phases[0].phase, store::Phase::kNearTotalBlackout);
  EXPECT_EQ(s.phases[1].phase, store::Phase::kTotalRecovery);
  // The restoration time and a declared end go into `extra`.
  e.restored = 3400;
  e.end_reason = "new normal declared: renumbered";
  EXPECT_EQ(ToStoreEvent(e).extra,
            R"({"endReason":"new normal declared: renumbered","restored":3400})");
  Alert a{"asn/1", Signal::kDarknet, 600, Level::kCritical, 1, 10, 0.1, Method::kSeasonal};
  store::Alert sa = ToStoreAlert(a, 300, DefaultConfig().of(Signal::kDarknet));
  EXPECT_EQ(sa.signal, "darknet");
  EXPECT_EQ(sa.level, store::Level::kCritical);
  EXPECT_EQ(sa.method, "seasonal");
  EXPECT_EQ(sa.condition, "< 0.25");
  EXPECT_DOUBLE_EQ(sa.ratio(), 0.1);
}

// The service runs detection over everything stored: an open range costs no more than the data.
TEST(StoreDetectTest, OpenRangeFollowsTheData) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "b.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  SyntheticSpec spec = CountrySpec();
  spec.days = 20;
  spec.outages = {SyntheticOutage{15 * 288, 48, {0.05, 0.05, 0.05, 0.05}}};
  LabelledSeries data = Generate(spec);
  store::WriteBatch batch;
  Put(batch, data.series);
  ASSERT_TRUE((*st)->Apply(batch).ok());
  StoreDetectOptions opt;
  opt.from = 0;
  opt.until = std::numeric_limits<UnixSeconds>::max();
  auto rep = DetectInStore(**st, opt);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  Detection whole = DetectSeries(data.series, opt.config);  // what streaming computed
  EXPECT_EQ(rep->events, whole.events);
  EXPECT_EQ(rep->alerts, static_cast<int64_t>(whole.alerts.size()));
  ASSERT_EQ(rep->events.size(), 1u);
}

TEST(StoreDetectTest, DefaultParentsAreRegionToCountry) {
  EXPECT_EQ(RegionParents("region/KZ-ALA"), std::vector<std::string>{"country/KZ"});
  EXPECT_TRUE(RegionParents("region/nodash").empty());
  EXPECT_TRUE(RegionParents("asn/9198").empty());
  EXPECT_TRUE(RegionParents("country/KZ").empty());
}

// A country's events list its regions and ASNs (given by the parents callback) whose events
// overlap them, also when only the country is asked for; unrelated entities are not listed.
TEST(StoreDetectTest, CarriersIncludeAsnsFromTheParentsCallback) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "b.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const SyntheticOutage out{20 * 288 + 24, 60, {0.05, 0.05, 0.05, 0.05}};
  store::WriteBatch batch;
  uint64_t seed = 1;
  for (std::string entity : {"country/KZ", "asn/9198", "asn/64500", "region/KZ-ALA", "asn/1"}) {
    SyntheticSpec spec = CountrySpec();
    spec.entity = entity;
    spec.seed = seed++;
    spec.days = 25;
    if (entity != "asn/64500") spec.outages = {out};  // asn/64500: KZ's, but no outage
    Put(batch, Generate(spec).series);
  }
  ASSERT_TRUE((*st)->Apply(batch).ok());
  StoreDetectOptions opt;
  opt.from = CountrySpec().from + 15 * 86400;
  opt.until = CountrySpec().from + 25 * 86400;
  int calls = 0;
  opt.parents = [&calls](std::string_view e) -> std::vector<std::string> {
    ++calls;
    if (e == "asn/9198" || e == "asn/64500" || e == "region/KZ-ALA") return {"country/KZ"};
    return {};  // asn/1 belongs elsewhere
  };
  auto rep = DetectInStore(**st, opt);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->entities, 5);
  EXPECT_GT(calls, 0);
  const Event* kz = nullptr;
  for (const Event& e : rep->events) {
    if (e.entity == "country/KZ") kz = &e;
  }
  ASSERT_NE(kz, nullptr);
  EXPECT_EQ(kz->carriers, (std::vector<std::string>{"asn/9198", "region/KZ-ALA"}));
  store::EventQuery q;
  q.entities = {"country/KZ"};
  auto stored = (*st)->QueryEvents(q);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->items.size(), 1u);
  EXPECT_EQ(stored->items[0].related, kz->carriers);

  // Only the country: its children are still read to find the carriers, but not written.
  ASSERT_TRUE((*st)
                  ->Apply([] {
                    store::WriteBatch b;
                    b.DeleteEvents("asn/9198", 0, INT64_MAX);
                    return b;
                  }())
                  .ok());
  opt.entity = "country/KZ";
  auto one = DetectInStore(**st, opt);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->entities, 1);
  ASSERT_EQ(one->events.size(), 1u);
  EXPECT_EQ(one->events[0].carriers, kz->carriers);
  store::EventQuery asn;
  asn.entities = {"asn/9198"};
  EXPECT_TRUE((*st)->QueryEvents(asn)->items.empty());  // not rewritten by a country-only run
}

// Signals with a coarser step than the entity's finest are used, each value holding for the fine
// bins it covers: an outage seen only by an hourly probe series beside 5-minute BGP is found, and
// the result equals the batch detector on the series expanded by hand.
TEST(StoreDetectTest, CoarseSignalsHoldOverTheFineBinsTheyCover) {
  testing::TempDir dir;
  auto st = store::OpenStore("sqlite:" + (dir / "b.db").string());
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  SyntheticSpec spec = CountrySpec();
  spec.entity = "country/ZZ";
  spec.days = 25;
  spec.signals[kTrafficIndex].present = false;
  spec.signals[kDarknetIndex].present = false;
  LabelledSeries fine = Generate(spec);
  // Hourly probe values (a 3600 s series): the 20th day from 04:00 to 09:00 at 5%.
  store::Series probe;
  probe.key = {spec.entity, "probe", ""};
  probe.from = spec.from;
  probe.step = 3600;
  for (int h = 0; h < spec.days * 24; ++h) {
    double v = 600 * (1 + 0.1 * std::sin(2 * 3.14159265 * (h % 24) / 24.0));
    if (h >= 20 * 24 + 4 && h < 20 * 24 + 9) v = 30;
    probe.values.push_back(v);
  }
  store::WriteBatch batch;
  EntitySeries bgp_only = fine.series;
  bgp_only.values[kProbeIndex].clear();
  Put(batch, bgp_only);
  batch.AddSeries(probe);
  ASSERT_TRUE((*st)->Apply(batch).ok());

  StoreDetectOptions opt;
  opt.from = spec.from + 15 * 86400;
  opt.until = spec.from + 25 * 86400;
  auto rep = DetectInStore(**st, opt);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE(rep->problems.empty());
  EXPECT_EQ(rep->series, 2);  // the hourly series is not skipped
  ASSERT_EQ(rep->events.size(), 1u);
  const Event& e = rep->events[0];
  EXPECT_EQ(e.start, spec.from + (20 * 24 + 4) * 3600);
  EXPECT_EQ(*e.end, spec.from + (20 * 24 + 9) * 3600);
  EXPECT_EQ(e.signals, std::vector<Signal>{Signal::kProbe});

  // By hand: each hourly value over its twelve 5-minute bins, detected from the same warm-up.
  EntitySeries expanded = bgp_only;
  auto& p = expanded.values[kProbeIndex];
  p.assign(expanded.values[kBgpIndex].size(), std::nullopt);
  for (size_t i = 0; i < p.size(); ++i) p[i] = probe.values[i / 12];
  // The store's grid starts where the data starts (here before from - warm-up is reached).
  ASSERT_LE(opt.from - WarmupSeconds(opt.config), spec.from);
  const EntitySeries& window = expanded;
  Detection d = DetectSeries(window, opt.config);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0], e);
}

}  // namespace
}  // namespace blackout::detect
