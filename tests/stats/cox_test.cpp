// FitCox against hand-derived partial likelihoods, exact identities and
// invariances. Agreement with R's coxph on real and simulated data (Efron,
// Breslow, strata, weights, robust and clustered variance, (start, stop]
// rows) is checked by tests/oracle/survival.
#include "cirrus/stats/cox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "cirrus/stats/log_rank.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;

constexpr double kTight = 1e-9;  // Newton-Raphson converges to eps 1e-9 on the log-likelihood

struct Toy {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<double> x;
  CoxData Data(std::size_t p = 1) const {
    CoxData d;
    d.survival = {time, event};
    d.covariates = x;
    d.covariate_count = p;
    return d;
  }
};

TEST(FitCox, MatchesTheHandDerivedMaximum) {
  // Three deaths at 1, 2, 3 with x = 0, 1, 0. The partial likelihood is
  // [1 / (2 + e^b)] [e^b / (1 + e^b)] [1 / 1]; its score vanishes where
  // e^{2b} = 2, so b = log(2) / 2. There l = -log(2 + sqrt 2) + log sqrt 2 - log(1 + sqrt 2)
  // and the information is 2 sqrt 2 / (2 + sqrt 2)^2 + sqrt 2 / (1 + sqrt 2)^2.
  const Toy toy{{1, 2, 3}, {1, 1, 1}, {0, 1, 0}};
  const auto fit = FitCox(toy.Data());
  ASSERT_THAT(fit, IsOk());
  const double r2 = std::sqrt(2.0);
  EXPECT_NEAR(*fit->terms[0].coef, std::log(2.0) / 2, 1e-6);
  EXPECT_NEAR(fit->loglik, -std::log(2 + r2) + std::log(r2) - std::log(1 + r2), kTight);
  EXPECT_NEAR(fit->loglik_null, std::log(1.0 / 3) + std::log(0.5), kTight);
  const double information = 2 * r2 / ((2 + r2) * (2 + r2)) + r2 / ((1 + r2) * (1 + r2));
  EXPECT_NEAR(*fit->terms[0].se, 1 / std::sqrt(information), 1e-6);
  EXPECT_NEAR(*fit->terms[0].hr, r2, 1e-6);
  EXPECT_TRUE(fit->diagnostics.converged);
  EXPECT_EQ(fit->means[0], 0.0);  // a 0/1 column is not centred
  EXPECT_EQ(fit->events, 3.0);
}

// A binary covariate with untied times: the score test at beta = 0 is the log-rank test.
TEST(FitCox, ScoreTestOfABinaryCovariateIsTheLogRankTest) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> exp1(1.0);
  std::bernoulli_distribution coin(0.5);
  const std::size_t n = 300;
  std::vector<double> time(n), x(n);
  std::vector<std::uint8_t> event(n);
  std::vector<int> group(n);
  for (std::size_t i = 0; i < n; ++i) {
    group[i] = coin(rng) ? 1 : 0;
    x[i] = group[i];
    time[i] = exp1(rng) * (group[i] == 1 ? 0.7 : 1.0);
    event[i] = coin(rng) || coin(rng) ? 1 : 0;
  }
  CoxData d;
  d.survival = {time, event};
  d.covariates = x;
  d.covariate_count = 1;
  const auto fit = FitCox(d);
  const auto lr = LogRankTest({time, event}, group, 2);
  ASSERT_THAT(fit, IsOk());
  ASSERT_THAT(lr, IsOk());
  EXPECT_NEAR(fit->score.statistic, lr->chisq, 1e-9 * lr->chisq);
}

TEST(FitCox, IsInvariantToTimeScalingAndCovariateShift) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  std::exponential_distribution<double> exp1(1.0);
  const std::size_t n = 200;
  std::vector<double> time(n), x(n * 2), scaled(n), shifted(n * 2);
  std::vector<std::uint8_t> event(n, 1);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = normal(rng);
    x[n + i] = normal(rng);
    time[i] = exp1(rng) * std::exp(-0.5 * x[i]);
    scaled[i] = time[i] * 30.4375;
    shifted[i] = x[i] + 100;
    shifted[n + i] = 3 * x[n + i];
  }
  CoxData a;
  a.survival = {time, event};
  a.covariates = x;
  a.covariate_count = 2;
  CoxData b = a;
  b.survival = {scaled, event};
  b.covariates = shifted;
  const auto fa = FitCox(a);
  const auto fb = FitCox(b);
  ASSERT_THAT(fa, IsOk());
  ASSERT_THAT(fb, IsOk());
  EXPECT_NEAR(*fa->terms[0].coef, *fb->terms[0].coef, 1e-7);
  EXPECT_NEAR(*fa->terms[1].coef, 3 * *fb->terms[1].coef, 1e-7);  // x tripled: coef divided by 3
  EXPECT_NEAR(fa->loglik, fb->loglik, 1e-7);
}

TEST(FitCox, TwoCopiesInTwoStrataDoubleTheLogLikelihood) {
  const Toy toy{{1, 2, 3, 4, 5}, {1, 0, 1, 1, 1}, {0.5, 1, 0, 2, 1.5}};
  Toy twice = toy;
  twice.time.insert(twice.time.end(), toy.time.begin(), toy.time.end());
  twice.event.insert(twice.event.end(), toy.event.begin(), toy.event.end());
  twice.x.insert(twice.x.end(), toy.x.begin(), toy.x.end());
  const std::vector<int> strata = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1};
  CoxData d = twice.Data();
  d.strata = strata;
  d.strata_count = 2;
  const auto one = FitCox(toy.Data());
  const auto both = FitCox(d);
  ASSERT_THAT(both, IsOk());
  EXPECT_NEAR(*both->terms[0].coef, *one->terms[0].coef, 1e-7);
  EXPECT_NEAR(both->loglik, 2 * one->loglik, 1e-7);
}

TEST(FitCox, BreslowEqualsEfronWithoutTies) {
  const Toy toy{{1, 2, 3, 4, 5, 6}, {1, 1, 0, 1, 1, 1}, {0.1, 1.2, 0.4, 2.0, 0.3, 1.1}};
  CoxOptions breslow;
  breslow.ties = CoxTies::kBreslow;
  const auto e = FitCox(toy.Data());
  const auto b = FitCox(toy.Data(), breslow);
  EXPECT_NEAR(*e->terms[0].coef, *b->terms[0].coef, 1e-12);
  EXPECT_NEAR(e->loglik, b->loglik, 1e-12);
}

TEST(FitCox, ReportsAnInfiniteCoefficientAsAWarningNotAnError) {
  // x = 1 for exactly those who die first: the likelihood keeps rising (monotone likelihood).
  const Toy toy{{1, 2, 3, 4, 5, 6}, {1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}};
  const auto fit = FitCox(toy.Data());
  ASSERT_THAT(fit, IsOk());
  ASSERT_FALSE(fit->diagnostics.warnings.empty());
  EXPECT_THAT(fit->diagnostics.warnings[0], HasSubstr("coefficient may be infinite"));
}

TEST(FitCox, ReportsRunningOutOfIterations) {
  const Toy toy{{1, 2, 3, 4, 5, 6}, {1, 1, 0, 1, 1, 1}, {0.1, 1.2, 0.4, 2.0, 0.3, 1.1}};
  CoxOptions options;
  options.max_iterations = 1;
  const auto fit = FitCox(toy.Data(), options);
  ASSERT_THAT(fit, IsOk());
  EXPECT_FALSE(fit->diagnostics.converged);
  EXPECT_THAT(fit->diagnostics.warnings[0], HasSubstr("Ran out of iterations"));
}

TEST(FitCox, ACollinearColumnHasNoCoefficient) {
  const std::vector<double> time = {1, 2, 3, 4, 5, 6};
  const std::vector<std::uint8_t> event = {1, 1, 0, 1, 1, 1};
  const std::vector<double> x = {0.1, 1.2, 0.4, 2.0, 0.3, 1.1, 0.2, 2.4, 0.8, 4.0, 0.6, 2.2};  // second = 2 x first
  CoxData d;
  d.survival = {time, event};
  d.covariates = x;
  d.covariate_count = 2;
  const auto fit = FitCox(d);
  ASSERT_THAT(fit, IsOk());
  EXPECT_TRUE(fit->terms[0].coef.has_value());
  EXPECT_FALSE(fit->terms[1].coef.has_value());
  EXPECT_EQ(fit->lrt.df, 1);
}

TEST(FitCox, RefusesBadInput) {
  const Toy toy{{1, 2, 3}, {1, 1, 1}, {0, 1, 0}};
  EXPECT_THAT(FitCox(toy.Data(0)), HasErrorMessage(HasSubstr("no covariates")));
  const Toy no_events{{1, 2, 3}, {0, 0, 0}, {0, 1, 0}};
  EXPECT_THAT(FitCox(no_events.Data()), HasErrorMessage(HasSubstr("no events")));
  const Toy nan{{1, 2, 3}, {1, 1, 1}, {0, std::nan(""), 0}};
  EXPECT_THAT(FitCox(nan.Data()), HasErrorMessage(HasSubstr("not finite")));
  const Toy negative{{1, -2, 3}, {1, 1, 1}, {0, 1, 0}};
  EXPECT_THAT(FitCox(negative.Data()), HasErrorMessage(HasSubstr("time[1] is -2")));
  CoxData d = toy.Data();
  const std::vector<int> strata = {0, 3, 0};
  d.strata = strata;
  d.strata_count = 2;
  EXPECT_THAT(FitCox(d), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::stats
