// In-silico trials: reproducible however the trials are split across threads
// and processes, nominal type I error under the null, the exact binomial
// interval, and the sample-size search. Power against rpact and the analytic
// weighted log-rank is the oracle test tests/oracle/sim/run_power_oracle.py.
#include "cirrus/sim/power.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace cirrus::sim {
namespace {

TrialDesign Design(int patients) {
  TrialDesign design = DefaultTrialDesign();
  design.cohort.patients = patients;
  return design;
}

TrialRange Range(std::uint64_t seed, std::int64_t begin, std::int64_t end, int threads, bool null_effect = false) {
  TrialRange range;
  range.seed = seed;
  range.begin = begin;
  range.end = end;
  range.threads = threads;
  range.null_effect = null_effect;
  return range;
}

void ExpectSame(const std::vector<TrialOutcome>& a, const std::vector<TrialOutcome>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    ASSERT_EQ(a[t].events, b[t].events) << "trial " << t;
    ASSERT_EQ(a[t].analyses.size(), b[t].analyses.size());
    for (std::size_t k = 0; k < a[t].analyses.size(); ++k) {
      EXPECT_EQ(a[t].analyses[k].p, b[t].analyses[k].p) << "trial " << t << " analysis " << k;
      EXPECT_EQ(a[t].analyses[k].estimate, b[t].analyses[k].estimate);
    }
  }
}

TEST(PowerTest, SameResultsWhateverTheThreadsAndTheSplit) {
  const TrialDesign design = Design(120);
  auto whole = SimulateTrials(design, Range(77, 0, 60, 1));
  auto threaded = SimulateTrials(design, Range(77, 0, 60, 3));
  auto first = SimulateTrials(design, Range(77, 0, 25, 2));
  auto second = SimulateTrials(design, Range(77, 25, 60, 1));
  ASSERT_TRUE(whole && threaded && first && second);
  ExpectSame(*whole, *threaded);
  std::vector<TrialOutcome> joined = *first;
  joined.insert(joined.end(), second->begin(), second->end());
  ExpectSame(*whole, joined);
}

TEST(PowerTest, AnalysesAreNamedInOrder) {
  const TrialDesign design = Design(50);
  EXPECT_THAT(AnalysisNames(design.analysis),
              testing::ElementsAre("logrank", "fh(0,1)", "landmark-logrank", "landmark-cox", "rmst", "cox",
                                   "lab:albumin", "lab:bilirubin", "lab:cholinesterase"));
  auto outcomes = SimulateTrials(design, Range(1, 0, 3, 1));
  ASSERT_TRUE(outcomes.has_value());
  for (const auto& t : *outcomes) EXPECT_EQ(t.analyses.size(), 9U);
}

// Under the null every analysis rejects about alpha of the trials: 1000
// trials, within four binomial standard errors of 0.05.
TEST(PowerTest, TypeOneErrorIsNominalUnderTheNull) {
  const TrialDesign design = Design(219);
  auto outcomes = SimulateTrials(design, Range(2026, 0, 1000, 0, /*null_effect=*/true));
  ASSERT_TRUE(outcomes.has_value());
  const PowerReport report = SummarisePower(design, *outcomes, {});
  const double tolerance = 4 * std::sqrt(0.05 * 0.95 / 1000);
  for (const auto& a : report.analyses) {
    EXPECT_NEAR(a.power, 0.05, tolerance) << a.name;
    EXPECT_EQ(a.not_computed, 0) << a.name;
  }
}

// The lab-mediated effect raises albumin by about 3.5 g/L at its peak: the
// 48-week ANCOVA sees it, and sees it at its simulated size.
TEST(PowerTest, LabMediatedEffectShowsInTheLabEndpoint) {
  TrialDesign design = Design(219);
  design.cohort.model.therapy.form = EffectForm::kLabMediated;
  auto outcomes = SimulateTrials(design, Range(8, 0, 300, 0));
  ASSERT_TRUE(outcomes.has_value());
  const PowerReport report = SummarisePower(design, *outcomes, {});
  const AnalysisPower& albumin = report.analyses[6];
  ASSERT_EQ(albumin.name, "lab:albumin");
  EXPECT_GT(albumin.power, 0.5);
  // The mean pulse at 48 weeks: infusions at 0, 4, 8 weeks, peak at 20
  // weeks after each, half-life 9 months.
  const TherapyEffect& e = design.cohort.model.therapy;
  double pulse = 0;
  for (double week : {0.0, 4.0, 8.0}) pulse += std::exp2(-((48 - week) / 52 - e.peak_years) / e.half_life_years);
  const double expected = e.albumin_peak_g_l * pulse / 3;
  EXPECT_NEAR(albumin.mean_estimate, expected, 0.3);
}

TEST(PowerTest, ClopperPearsonIntervalAsBinomTest) {
  // R: binom.test(5, 100)$conf.int = 0.01643187 0.11283491
  std::vector<TrialOutcome> outcomes(100);
  for (std::size_t t = 0; t < 100; ++t) {
    outcomes[t].analyses.resize(9);
    outcomes[t].analyses[0].rejected = t < 5;
  }
  const PowerReport report = SummarisePower(Design(50), outcomes, {});
  EXPECT_DOUBLE_EQ(report.analyses[0].power, 0.05);
  EXPECT_NEAR(report.analyses[0].lower, 0.01643187, 1e-8);
  EXPECT_NEAR(report.analyses[0].upper, 0.11283491, 1e-8);
  EXPECT_EQ(report.analyses[1].lower, 0);  // no rejection: the lower limit is 0
}

TEST(PowerTest, SampleSizeSearchFindsTheSmallestSizeReachingTheTarget) {
  TrialDesign design = Design(100);
  design.cohort.model.therapy.hazard_ratio_early = 0.4;  // a large effect keeps the search short
  design.cohort.model.therapy.hazard_ratio_late = 0.4;
  SampleSizeOptions options;
  options.analysis = "logrank";
  options.target = 0.8;
  options.trials = 100;
  options.seed = 3;
  options.min_patients = 20;
  options.max_patients = 400;
  options.threads = 0;
  auto result = SearchSampleSize(design, options);
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(result->reached);
  bool checked_below = false;
  for (const auto& point : result->evaluated) {
    if (point.patients >= result->patients) {
      EXPECT_GE(point.power, 0.8) << point.patients;
    }
    if (point.patients == result->patients - 1) {
      EXPECT_LT(point.power, 0.8);
      checked_below = true;
    }
  }
  EXPECT_TRUE(checked_below || result->patients == options.min_patients);
  options.analysis = "no-such-test";
  EXPECT_FALSE(SearchSampleSize(design, options).has_value());
}

}  // namespace
}  // namespace cirrus::sim
