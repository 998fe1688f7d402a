// DetectInStore against both store backends (SQLite, and a ClickHouse server the store tests'
// harness starts on loopback): every technique, "mixed" included, round-trips natively, and the
// events the detector writes read back as computed (technique, carriers, phases, method).
#include <gtest/gtest.h>

#include "backend.h"
#include "blackout/detect/store_detect.h"
#include "blackout/detect/synthetic.h"

namespace blackout::detect {
namespace {

class DetectStoreBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  DetectStoreBackendTest() : ts_(GetParam()) {}
  void SetUp() override { ASSERT_NE(ts_.store(), nullptr); }
  store::testing::TestStore ts_;
};

TEST_P(DetectStoreBackendTest, EveryTechniqueRoundTrips) {
  store::WriteBatch b;
  const std::vector<store::Technique> all = {
      store::Technique::kUnknown, store::Technique::kRoutesWithdrawn,
      store::Technique::kPacketsFiltered, store::Technique::kThrottling, store::Technique::kMixed};
  for (size_t i = 0; i < all.size(); ++i) {
    store::Event e;
    e.id = "t" + std::to_string(i);
    e.entity = "country/ZZ";
    e.start = 1'700'000'000 + static_cast<int64_t>(i) * 3600;
    e.end = e.start + 600;
    e.depth = 0.5;
    e.technique = all[i];
    e.method = "blackout-combined";
    b.AddEvent(e);
  }
  ASSERT_TRUE(ts_->Apply(b).ok());
  for (size_t i = 0; i < all.size(); ++i) {
    auto got = ts_->GetEvent("t" + std::to_string(i));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->technique, all[i]) << store::TechniqueName(all[i]);
    EXPECT_EQ(got->extra, "");
  }
  EXPECT_EQ(store::TechniqueName(store::Technique::kMixed), "mixed");
  EXPECT_EQ(*store::ParseTechnique("mixed"), store::Technique::kMixed);
}

TEST_P(DetectStoreBackendTest, DetectedEventsReadBackAsComputed) {
  const SyntheticOutage partial{20 * 288 + 24, 48, {0.6, 0.6, 0.85, 0.6}};  // BGP and more
  store::WriteBatch batch;
  uint64_t seed = 3;
  for (std::string entity : {"country/ZZ", "asn/64500"}) {
    SyntheticSpec spec = CountrySpec();
    spec.entity = entity;
    spec.seed = seed++;
    spec.days = 24;
    spec.outages = {partial};
    LabelledSeries data = Generate(spec);
    for (Signal s : kAllSignals) {
      store::Series out;
      out.key = {entity, std::string(SignalName(s)), ""};
      out.from = data.series.from;
      out.step = data.series.step;
      for (const auto& v : data.series.values[static_cast<int>(s)]) {
        out.values.push_back(v.value_or(store::kMissing));
      }
      batch.AddSeries(out);
    }
  }
  ASSERT_TRUE(ts_->Apply(batch).ok());
  StoreDetectOptions opt;
  opt.from = CountrySpec().from + 15 * 86400;
  opt.until = CountrySpec().from + 24 * 86400;
  opt.parents = [](std::string_view e) -> std::vector<std::string> {
    if (e == "asn/64500") return {"country/ZZ"};
    return {};
  };
  auto rep = DetectInStore(*ts_.store(), opt);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  const Event* computed = nullptr;
  for (const Event& e : rep->events) {
    if (e.entity == "country/ZZ") computed = &e;
  }
  ASSERT_NE(computed, nullptr);
  EXPECT_EQ(computed->technique, Technique::kMixed);
  store::EventQuery q;
  q.entities = {"country/ZZ"};
  auto got = ts_->QueryEvents(q);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->items.size(), 1u);
  const store::Event& e = got->items[0];
  const store::Event want = ToStoreEvent(*computed);
  EXPECT_EQ(e.technique, store::Technique::kMixed);
  EXPECT_EQ(e.method, "blackout-combined");
  EXPECT_EQ(e.related, std::vector<std::string>{"asn/64500"});
  EXPECT_EQ(e.start, want.start);
  EXPECT_EQ(e.end, want.end);
  EXPECT_EQ(e.signals, want.signals);
  ASSERT_EQ(e.phases.size(), want.phases.size());
  for (size_t i = 0; i < e.phases.size(); ++i) {
    EXPECT_EQ(e.phases[i].phase, want.phases[i].phase) << i;
    EXPECT_EQ(e.phases[i].start, want.phases[i].start) << i;
    EXPECT_EQ(e.phases[i].end, want.phases[i].end) << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DetectStoreBackendTest,
                         ::testing::Values("sqlite", "clickhouse"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace blackout::detect
