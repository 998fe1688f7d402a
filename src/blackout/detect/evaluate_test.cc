// Validation on real data: IODA's signals for Iraq, August 2023 (exam-time shutdowns), labelled.
#include "blackout/detect/evaluate.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blackout/testing/testing.h"

namespace blackout::detect {
namespace {

const MethodRow& Row(const Evaluation& e, const std::string& method, const std::string& signal) {
  for (const MethodRow& m : e.methods) {
    if (m.method == method && m.signal == signal) return m;
  }
  static MethodRow none;
  ADD_FAILURE() << "no row " << method << " / " << signal;
  return none;
}

class IraqTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = ReadIodaCsv(testing::DataFile("series/ioda-country-IQ-2023-08.csv").string(), "LABEL");
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    data_ = new LabelledSeries(std::move(*d));
    eval_ = new Evaluation(Evaluate(*data_, DefaultConfig()));
  }
  static void TearDownTestSuite() {
    delete eval_;
    delete data_;
  }
  static LabelledSeries* data_;
  static Evaluation* eval_;
};
LabelledSeries* IraqTest::data_ = nullptr;
Evaluation* IraqTest::eval_ = nullptr;

TEST_F(IraqTest, ReadsTheFile) {
  const EntitySeries& s = data_->series;
  EXPECT_EQ(s.step, 300);
  EXPECT_EQ(s.bins(), 2928u);
  EXPECT_EQ(s.from, 1692493200);
  EXPECT_TRUE(data_->problems.empty());
  int64_t outage = 0, traffic = 0;
  for (auto l : data_->labels) outage += l.value_or(false);
  for (auto v : s.values[static_cast<int>(Signal::kTraffic)]) traffic += v.has_value();
  EXPECT_EQ(outage, 383);
  EXPECT_EQ(traffic, 2928 - 2440);  // empty cells stay missing
}

// IODA's rule, applied simply, reproduces the published figures quoted in the issue: F1 0.99 with
// active probing at its critical level, 0.90 when all signals vote at warning level, and BGP alone
// at its critical level finds 13% of outage bins.
TEST_F(IraqTest, IodaRuleReproducesPublishedFigures) {
  EXPECT_NEAR(Row(*eval_, "ioda-rule:critical", "probe").scores.f1, 0.99, 0.01);
  EXPECT_NEAR(Row(*eval_, "ioda-rule:any-warning", "all").scores.f1, 0.90, 0.015);
  EXPECT_NEAR(Row(*eval_, "ioda-rule:critical", "bgp").scores.recall, 0.13, 0.01);
}

TEST_F(IraqTest, CombinedDetectorMeetsTheAim) {
  const Scores& c = eval_->combined;
  EXPECT_GE(c.f1, 0.97);
  EXPECT_GE(c.f1, Row(*eval_, "ioda-rule:any-warning", "all").scores.f1);
  EXPECT_EQ(c.found_events, 8);
  EXPECT_EQ(c.labelled_events, 8);
  ASSERT_TRUE(c.max_onset_latency_bins.has_value());
  EXPECT_LE(*c.max_onset_latency_bins, 2);
  EXPECT_EQ(c.false_events, 0);  // quiet in the long unlabelled stretches
  ASSERT_EQ(eval_->events.size(), 8u);
  for (const Event& e : eval_->events) {
    EXPECT_TRUE(e.end.has_value());
    EXPECT_LT(e.depth, 0.5);
    EXPECT_GT(e.score, 0);
    EXPECT_EQ(e.phases.back().kind, PhaseKind::kTotalRecovery);
    // Routes withdrawn on the first day (BGP fell with the data plane), filtering on top of a
    // partial withdrawal afterwards.
    EXPECT_TRUE(e.technique == Technique::kRoutesWithdrawn || e.technique == Technique::kMixed);
  }
  EXPECT_EQ(eval_->events[0].technique, Technique::kRoutesWithdrawn);
  EXPECT_EQ(eval_->events[1].technique, Technique::kMixed);
}

TEST_F(IraqTest, SingleSignalAndJson) {
  Evaluation probe = Evaluate(*data_, DefaultConfig(), Signal::kProbe);
  for (const MethodRow& m : probe.methods) EXPECT_EQ(m.signal, "probe");
  EXPECT_GE(probe.combined.f1, 0.9);
  auto j = nlohmann::json::parse(EvaluationJson(*eval_));
  ASSERT_TRUE(j.contains("combined"));
  for (const char* k : {"precision", "recall", "f1", "onset_latency_bins"}) {
    EXPECT_TRUE(j["combined"].contains(k)) << k;
  }
  ASSERT_TRUE(j["methods"].is_array());
  ASSERT_FALSE(j["methods"].empty());
  for (const auto& m : j["methods"]) {
    for (const char* k : {"method", "signal", "precision", "recall", "f1"}) {
      EXPECT_TRUE(m.contains(k)) << k;
    }
  }
}

TEST(ScoreTest, CountsBinsEventsAndLatency) {
  std::vector<std::optional<bool>> labels = {false, true, true,  true,         false, false,
                                             true,  true, false, std::nullopt, false};
  std::vector<bool> pred = {false, false, true, true, true, false, false, false, false, true, true};
  Scores s = Score(pred, labels);
  EXPECT_EQ(s.tp, 2);
  EXPECT_EQ(s.fp, 2);  // bins 4 and 10; bin 9 is unlabelled
  EXPECT_EQ(s.fn, 3);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_DOUBLE_EQ(s.recall, 0.4);
  EXPECT_EQ(s.labelled_events, 2);
  EXPECT_EQ(s.found_events, 1);
  EXPECT_DOUBLE_EQ(*s.onset_latency_bins, 1.0);
  EXPECT_EQ(s.false_events, 1);  // bins 9-10 touch no outage
}

}  // namespace
}  // namespace blackout::detect
