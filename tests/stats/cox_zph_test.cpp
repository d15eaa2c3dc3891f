// TestProportionalHazards: identities, invariances and error paths.
// Agreement with R's cox.zph (the Mayo model of section 5.2, Breslow, strata,
// simulated ties, transforms km and identity) is checked by
// tests/oracle/survival.
#include "cirrus/stats/cox_zph.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;

// Invariances hold exactly in exact arithmetic; the two computations round
// differently, and the fits converge to eps 1e-9 on the log-likelihood.
constexpr double kInvariant = 1e-6;

struct Simulated {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<double> x;  // column by column
  std::vector<double> weight;
  std::vector<int> strata;  // used when set
  std::vector<int> stratum_codes;
  std::size_t p = 2;

  CoxData Data() const {
    CoxData d;
    d.survival = {time, event};
    if (!weight.empty()) d.survival.weight = weight;
    d.covariates = x;
    d.covariate_count = p;
    if (!strata.empty()) {
      d.strata = strata;
      d.strata_count = 2;
    }
    return d;
  }
};

// Two covariates, the second with a hazard ratio that changes with time
// (non-proportional: x2 = 1 quarters its hazard after t = 1), times rounded to produce ties.
Simulated Simulate(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution coin(0.5);
  std::exponential_distribution<double> exp1(1.0);
  Simulated s;
  s.x.resize(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = normal(rng);
    const double x2 = coin(rng) ? 1.0 : 0.0;
    s.x[i] = x1;
    s.x[n + i] = x2;
    // x2 doubles the hazard early and halves it after t = 1.
    double t = exp1(rng) / std::exp(0.5 * x1 + 0.7 * x2);
    if (t > 1 && x2 == 1) t = 1 + (t - 1) * 4;
    const double c = 4 * exp1(rng);
    s.time.push_back(std::ceil(std::min(t, c) * 20) / 20);
    s.event.push_back(t <= c ? 1 : 0);
    s.stratum_codes.push_back(coin(rng) ? 1 : 0);
  }
  return s;
}

PhTest RunTest(const Simulated& s, CoxTies ties, PhTransform transform) {
  const CoxData data = s.Data();
  const auto fit = FitCox(data, {.ties = ties});
  EXPECT_THAT(fit, IsOk());
  const auto ph = TestProportionalHazards(data, *fit, {.transform = transform});
  EXPECT_THAT(ph, IsOk());
  return *ph;
}

void ExpectSame(const PhTest& a, const PhTest& b, double tolerance) {
  ASSERT_EQ(a.terms.size(), b.terms.size());
  for (std::size_t j = 0; j < a.terms.size(); ++j) {
    ASSERT_TRUE(a.terms[j] && b.terms[j]);
    EXPECT_NEAR(a.terms[j]->statistic, b.terms[j]->statistic, tolerance * (1 + a.terms[j]->statistic)) << j;
  }
  EXPECT_NEAR(a.global.statistic, b.global.statistic, tolerance * (1 + a.global.statistic));
}

TEST(TestProportionalHazards, GivesOneTestPerTermAndAGlobalTestOnPDf) {
  const Simulated s = Simulate(300, 1);
  for (PhTransform t : {PhTransform::kKm, PhTransform::kIdentity, PhTransform::kRank, PhTransform::kLog}) {
    const PhTest ph = RunTest(s, CoxTies::kEfron, t);
    ASSERT_EQ(ph.terms.size(), 2u);
    for (const auto& term : ph.terms) {
      ASSERT_TRUE(term.has_value());
      EXPECT_EQ(term->df, 1);
      EXPECT_GE(term->statistic, 0);
      EXPECT_GT(term->p, 0);
      EXPECT_LE(term->p, 1);
    }
    EXPECT_EQ(ph.global.df, 2);
    EXPECT_EQ(ph.transform, t);
    // The global test adds all terms at once: never below the largest single test,
    // as its chi-squared nests each one.
    EXPECT_GE(ph.global.statistic + 1e-9, std::max(ph.terms[0]->statistic, ph.terms[1]->statistic));
  }
}

TEST(TestProportionalHazards, WithOneCovariateTheGlobalTestIsTheTermTest) {
  Simulated s = Simulate(200, 2);
  s.x.resize(s.time.size());
  s.p = 1;
  const PhTest ph = RunTest(s, CoxTies::kEfron, PhTransform::kKm);
  ASSERT_TRUE(ph.terms[0]);
  EXPECT_NEAR(ph.global.statistic, ph.terms[0]->statistic, 1e-12 * (1 + ph.global.statistic));
  EXPECT_EQ(ph.global.df, 1);
}

TEST(TestProportionalHazards, IsInvariantToTheTimeScale) {
  // Every transform is invariant to t -> c t: km and rank exactly, identity
  // and log up to an affine change of g, which the score test absorbs.
  const Simulated s = Simulate(250, 3);
  Simulated scaled = s;
  for (double& t : scaled.time) t *= 7.5;
  for (PhTransform t : {PhTransform::kKm, PhTransform::kIdentity, PhTransform::kRank, PhTransform::kLog}) {
    ExpectSame(RunTest(s, CoxTies::kEfron, t), RunTest(scaled, CoxTies::kEfron, t), kInvariant);
    ExpectSame(RunTest(s, CoxTies::kBreslow, t), RunTest(scaled, CoxTies::kBreslow, t), kInvariant);
  }
}

TEST(TestProportionalHazards, IsInvariantToShiftingACovariate) {
  const Simulated s = Simulate(250, 4);
  Simulated shifted = s;
  for (std::size_t i = 0; i < s.time.size(); ++i) shifted.x[i] += 100;
  ExpectSame(RunTest(s, CoxTies::kEfron, PhTransform::kKm), RunTest(shifted, CoxTies::kEfron, PhTransform::kKm),
             kInvariant);
}

TEST(TestProportionalHazards, IntegerWeightsEqualRepeatedRowsUnderTheIdentityTransform) {
  // km and rank are computed from unweighted counts, as R's cox.zph does, so
  // only the identity (and log) transforms see weights as repeated rows.
  const Simulated s = Simulate(150, 5);
  const std::size_t n = s.time.size();
  Simulated weighted = s;
  Simulated repeated;
  repeated.p = 2;
  weighted.weight.assign(n, 1.0);
  std::vector<double> x1, x2;
  for (std::size_t i = 0; i < n; ++i) {
    const int copies = 1 + static_cast<int>(i % 3);
    weighted.weight[i] = copies;
    for (int c = 0; c < copies; ++c) {
      repeated.time.push_back(s.time[i]);
      repeated.event.push_back(s.event[i]);
      x1.push_back(s.x[i]);
      x2.push_back(s.x[n + i]);
    }
  }
  repeated.x = x1;
  repeated.x.insert(repeated.x.end(), x2.begin(), x2.end());
  ExpectSame(RunTest(weighted, CoxTies::kBreslow, PhTransform::kIdentity),
             RunTest(repeated, CoxTies::kBreslow, PhTransform::kIdentity), kInvariant);
}

TEST(TestProportionalHazards, StrataGiveADifferentTest) {
  const Simulated s = Simulate(300, 6);
  const PhTest pooled = RunTest(s, CoxTies::kEfron, PhTransform::kKm);
  Simulated stratified = s;
  stratified.strata = s.stratum_codes;
  const PhTest by_stratum = [&] {
    const CoxData data = stratified.Data();
    const auto fit = FitCox(data);
    EXPECT_THAT(fit, IsOk());
    return *TestProportionalHazards(data, *fit);
  }();
  EXPECT_NE(pooled.global.statistic, by_stratum.global.statistic);
  EXPECT_EQ(by_stratum.global.df, 2);
}

TEST(TestProportionalHazards, SplittingRowsIntoStartStopIntervalsChangesNothing) {
  // (start, stop] rows that cut each subject at t = 0.5 describe the same data.
  const Simulated s = Simulate(200, 7);
  const std::size_t n = s.time.size();
  std::vector<double> start, stop, x;
  std::vector<std::uint8_t> event;
  std::vector<double> x1, x2;
  for (std::size_t i = 0; i < n; ++i) {
    if (s.time[i] > 0.5) {
      start.push_back(0);
      stop.push_back(0.5);
      event.push_back(0);
      x1.push_back(s.x[i]);
      x2.push_back(s.x[n + i]);
    }
    start.push_back(s.time[i] > 0.5 ? 0.5 : 0);
    stop.push_back(s.time[i]);
    event.push_back(s.event[i]);
    x1.push_back(s.x[i]);
    x2.push_back(s.x[n + i]);
  }
  x = x1;
  x.insert(x.end(), x2.begin(), x2.end());
  CoxData split;
  split.survival = {stop, event};
  split.survival.entry = start;
  split.covariates = x;
  split.covariate_count = 2;
  const auto fit = FitCox(split);
  ASSERT_THAT(fit, IsOk());
  for (PhTransform t : {PhTransform::kKm, PhTransform::kIdentity}) {
    const auto ph = TestProportionalHazards(split, *fit, {.transform = t});
    ASSERT_THAT(ph, IsOk());
    ExpectSame(*ph, RunTest(s, CoxTies::kEfron, t), kInvariant);
  }
}

TEST(TestProportionalHazards, LeavesOutACovariateWithoutACoefficient) {
  Simulated s = Simulate(200, 8);
  const std::size_t n = s.time.size();
  s.x.resize(3 * n);
  for (std::size_t i = 0; i < n; ++i) s.x[2 * n + i] = 2 * s.x[i];  // collinear with the first
  s.p = 3;
  const CoxData data = s.Data();
  const auto fit = FitCox(data);
  ASSERT_THAT(fit, IsOk());
  ASSERT_FALSE(fit->terms[2].coef.has_value());
  const auto ph = TestProportionalHazards(data, *fit);
  ASSERT_THAT(ph, IsOk());
  EXPECT_FALSE(ph->terms[2].has_value());
  EXPECT_EQ(ph->global.df, 2);
}

TEST(TestProportionalHazards, RejectsAFitOfOtherData) {
  const Simulated s = Simulate(50, 9);
  const auto fit = FitCox(s.Data());
  ASSERT_THAT(fit, IsOk());
  Simulated one = s;
  one.x.resize(s.time.size());
  one.p = 1;
  const auto ph = TestProportionalHazards(one.Data(), *fit);
  EXPECT_THAT(ph, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ph.error().message, HasSubstr("the fit has 2 terms but the data 1 covariates"));
}

TEST(TestProportionalHazards, RejectsInvalidInput) {
  const Simulated s = Simulate(50, 10);
  const auto fit = FitCox(s.Data());
  ASSERT_THAT(fit, IsOk());
  {
    CoxData d = s.Data();
    d.covariate_count = 0;
    d.covariates = {};
    EXPECT_THAT(TestProportionalHazards(d, *fit), HasErrorCode(ErrorCode::kInvalidArgument));
  }
  {
    Simulated bad = s;
    bad.x[3] = std::nan("");
    const auto ph = TestProportionalHazards(bad.Data(), *fit);
    EXPECT_THAT(ph, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(ph.error().message, HasSubstr("not finite"));
  }
  {
    Simulated bad = s;
    bad.time[0] = -1;
    EXPECT_THAT(TestProportionalHazards(bad.Data(), *fit), HasErrorCode(ErrorCode::kInvalidArgument));
  }
  {
    Simulated bad = s;
    bad.strata.assign(s.time.size(), 0);
    bad.strata[4] = 5;
    const auto ph = TestProportionalHazards(bad.Data(), *fit);
    EXPECT_THAT(ph, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(ph.error().message, HasSubstr("stratum code out of range"));
  }
  {
    Simulated none = s;
    none.event.assign(s.time.size(), 0);
    const auto ph = TestProportionalHazards(none.Data(), *fit);
    EXPECT_THAT(ph, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(ph.error().message, HasSubstr("no events"));
  }
  {
    Simulated zero = s;
    std::size_t first_event = 0;
    while (zero.event[first_event] == 0) ++first_event;
    zero.time[first_event] = 0;
    const auto ph = TestProportionalHazards(zero.Data(), *fit, {.transform = PhTransform::kLog});
    EXPECT_THAT(ph, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(ph.error().message, HasSubstr("log transform"));
  }
  {
    CoxFit empty = *fit;
    for (CoxTerm& t : empty.terms) t.coef.reset();
    EXPECT_THAT(TestProportionalHazards(s.Data(), empty), HasErrorCode(ErrorCode::kInvalidArgument));
  }
}

TEST(PhTransformName, NamesAsR) {
  EXPECT_STREQ(PhTransformName(PhTransform::kKm), "km");
  EXPECT_STREQ(PhTransformName(PhTransform::kIdentity), "identity");
  EXPECT_STREQ(PhTransformName(PhTransform::kRank), "rank");
  EXPECT_STREQ(PhTransformName(PhTransform::kLog), "log");
}

}  // namespace
}  // namespace cirrus::stats
