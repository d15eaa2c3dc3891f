// FitFineGray against exact identities (no competing events: Cox with
// Breslow ties), a direct O(n^2) evaluation of the likelihood, invariances and
// every error path. Agreement with R's cmprsk::crr (coef, both SEs, loglik,
// tests) on pbc and simulated data up to 8000 subjects is checked by
// tests/oracle/survival/run_competing_oracle.py.
#include "cirrus/stats/fine_gray.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "cirrus/stats/cox.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;

// Both fits run to the maximum (tight gradient tolerance), so only rounding
// and the last Newton step's residual (quadratic, far below) separate them.
constexpr double kTight = 1e-9;
// Quantities that are the same formula in the same order, up to summation order.
constexpr double kRounding = 1e-11;

struct Sample {
  std::vector<double> time;
  std::vector<int> cause;
  std::vector<double> x;  // column after column
  std::size_t p = 2;
  FineGrayData Data(int of_interest = 1, int causes = 2) const {
    return {.competing = {time, cause, causes}, .cause = of_interest, .covariates = x, .covariate_count = p};
  }
};

// Exponential times for two causes and uniform censoring; `tie_unit` > 0
// rounds times up to multiples of it (heavy ties of all kinds).
Sample Simulate(std::size_t n, unsigned seed, bool competing, double tie_unit = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::bernoulli_distribution coin(0.4);
  std::exponential_distribution<double> unit;
  std::uniform_real_distribution<double> censor(0, 15);
  Sample s;
  s.x.resize(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x1 = normal(rng);
    const double x2 = coin(rng) ? 1.0 : 0.0;
    s.x[i] = x1;
    s.x[n + i] = x2;
    const double t1 = unit(rng) / (0.1 * std::exp(0.5 * x1 - 0.4 * x2));
    const double t2 = competing ? unit(rng) / 0.05 : std::numeric_limits<double>::infinity();
    double tc = censor(rng);
    double t = std::min({t1, t2, tc});
    if (tie_unit > 0) t = std::ceil(t / tie_unit) * tie_unit;
    s.time.push_back(t);
    s.cause.push_back(t1 <= t2 && t1 <= tc ? 1 : (t2 <= tc ? 2 : 0));
  }
  return s;
}

FineGrayOptions ToTheMaximum() {
  FineGrayOptions o;
  o.gradient_tolerance = 1e-13;
  o.max_iterations = 40;
  return o;
}

// The log-likelihood straight from its definition, O(n^2): G is the
// censoring Kaplan-Meier just before t; at each event time of cause 1 the
// risk set holds T >= t (weight 1) and competing events before t (weight
// G(t-)/G(T-)).
double DirectLogLikelihood(const Sample& s, const std::vector<double>& beta) {
  const std::size_t n = s.time.size();
  auto g_minus = [&](double t) {
    std::vector<double> times;
    for (std::size_t i = 0; i < n; ++i) {
      if (s.cause[i] == 0 && s.time[i] < t) times.push_back(s.time[i]);
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    double g = 1;
    for (double u : times) {
      double at_risk = 0;
      double censored = 0;
      for (std::size_t i = 0; i < n; ++i) {
        at_risk += s.time[i] >= u ? 1 : 0;
        censored += s.time[i] == u && s.cause[i] == 0 ? 1 : 0;
      }
      g *= 1 - censored / at_risk;
    }
    return g;
  };
  auto eta = [&](std::size_t i) {
    double e = 0;
    for (std::size_t j = 0; j < s.p; ++j) e += beta[j] * s.x[j * n + i];
    return e;
  };
  double loglik = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (s.cause[i] != 1) continue;
    const double t = s.time[i];
    double s0 = 0;
    for (std::size_t k = 0; k < n; ++k) {
      if (s.time[k] >= t) {
        s0 += std::exp(eta(k));
      } else if (s.cause[k] == 2) {
        s0 += std::exp(eta(k)) * g_minus(t) / g_minus(s.time[k]);
      }
    }
    loglik += eta(i) - std::log(s0);
  }
  return loglik;
}

TEST(FitFineGray, WithoutCompetingEventsEqualsBreslowCox) {
  // With no competing event the weighted risk set is the ordinary one, so the
  // subdistribution likelihood is Cox's partial likelihood with Breslow ties.
  for (double tie_unit : {0.0, 0.5}) {
    const Sample s = Simulate(400, 7, false, tie_unit);
    std::vector<std::uint8_t> event(s.cause.begin(), s.cause.end());
    CoxData cox;
    cox.survival = {s.time, event};
    cox.covariates = s.x;
    cox.covariate_count = s.p;
    CoxOptions cox_options;
    cox_options.ties = CoxTies::kBreslow;
    const auto c = FitCox(cox, cox_options);
    const auto f = FitFineGray(s.Data(1, 1), ToTheMaximum());
    ASSERT_THAT(c, IsOk());
    ASSERT_THAT(f, IsOk());
    EXPECT_TRUE(f->diagnostics.converged);
    EXPECT_NEAR(f->loglik_null, c->loglik_null, kRounding * std::fabs(c->loglik_null));
    EXPECT_NEAR(f->loglik, c->loglik, kTight * std::fabs(c->loglik));
    EXPECT_NEAR(f->score.statistic, c->score.statistic, kRounding * c->score.statistic);
    EXPECT_NEAR(f->lrt.statistic, c->lrt.statistic, kTight * c->lrt.statistic);
    EXPECT_EQ(f->events, c->events);
    for (std::size_t j = 0; j < s.p; ++j) {
      EXPECT_NEAR(*f->terms[j].coef, *c->terms[j].coef, kTight * std::fabs(*c->terms[j].coef));
      EXPECT_NEAR(*f->terms[j].se, *c->terms[j].se, kTight * *c->terms[j].se);
    }
  }
}

TEST(FitFineGray, DefaultStoppingRuleStaysNearTheMaximum) {
  // crr's rule (gtol 1e-6) stops within about 1e-6 of the maximiser.
  const Sample s = Simulate(400, 3, true);
  const auto loose = FitFineGray(s.Data());
  const auto tight = FitFineGray(s.Data(), ToTheMaximum());
  ASSERT_THAT(loose, IsOk());
  ASSERT_THAT(tight, IsOk());
  EXPECT_TRUE(loose->diagnostics.converged);
  EXPECT_LE(loose->diagnostics.iterations, 10);
  for (std::size_t j = 0; j < s.p; ++j) {
    EXPECT_NEAR(*loose->terms[j].coef, *tight->terms[j].coef, 1e-5);
  }
}

TEST(FitFineGray, LinearScanMatchesTheDirectLikelihood) {
  // With ties of events, competing events and censorings at the same times.
  for (double tie_unit : {0.0, 0.25}) {
    const Sample s = Simulate(150, 11, true, tie_unit);
    const auto f = FitFineGray(s.Data());
    ASSERT_THAT(f, IsOk());
    const std::vector<double> beta = {*f->terms[0].coef, *f->terms[1].coef};
    EXPECT_NEAR(f->loglik, DirectLogLikelihood(s, beta), kRounding * std::fabs(f->loglik));
    EXPECT_NEAR(f->loglik_null, DirectLogLikelihood(s, {0, 0}), kRounding * std::fabs(f->loglik_null));
  }
}

TEST(FitFineGray, TheScoreVanishesAtTheMaximum) {
  // The likelihood is maximal at the fit: moving a coefficient either way lowers it.
  const Sample s = Simulate(300, 5, true, 0.5);
  const auto f = FitFineGray(s.Data(), ToTheMaximum());
  ASSERT_THAT(f, IsOk());
  const std::vector<double> beta = {*f->terms[0].coef, *f->terms[1].coef};
  for (std::size_t j = 0; j < 2; ++j) {
    for (double h : {-1e-3, 1e-3}) {
      std::vector<double> moved = beta;
      moved[j] += h;
      EXPECT_LT(DirectLogLikelihood(s, moved), f->loglik);
    }
  }
}

TEST(FitFineGray, InvariantToTimeScaleAndCovariateShift) {
  const Sample s = Simulate(500, 9, true, 0.5);
  const auto base = FitFineGray(s.Data());
  Sample scaled = s;
  for (double& t : scaled.time) t *= 30.4375;
  for (std::size_t i = 0; i < s.time.size(); ++i) scaled.x[i] += 100;  // shift x1
  const auto other = FitFineGray(scaled.Data());
  ASSERT_THAT(base, IsOk());
  ASSERT_THAT(other, IsOk());
  EXPECT_EQ(base->diagnostics.iterations, other->diagnostics.iterations);
  EXPECT_NEAR(base->loglik, other->loglik, 1e-9 * std::fabs(base->loglik));
  for (std::size_t j = 0; j < s.p; ++j) {
    EXPECT_NEAR(*base->terms[j].coef, *other->terms[j].coef, 1e-9);
    EXPECT_NEAR(*base->terms[j].robust_se, *other->terms[j].robust_se, 1e-9);
  }
}

TEST(FitFineGray, RowOrderDoesNotMatter) {
  const Sample s = Simulate(300, 13, true, 1.0);
  Sample reversed = s;
  const std::size_t n = s.time.size();
  for (std::size_t i = 0; i < n; ++i) {
    reversed.time[i] = s.time[n - 1 - i];
    reversed.cause[i] = s.cause[n - 1 - i];
    for (std::size_t j = 0; j < s.p; ++j) reversed.x[j * n + i] = s.x[j * n + n - 1 - i];
  }
  const auto a = FitFineGray(s.Data());
  const auto b = FitFineGray(reversed.Data());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  for (std::size_t j = 0; j < s.p; ++j) {
    EXPECT_NEAR(*a->terms[j].coef, *b->terms[j].coef, 1e-12);
    EXPECT_NEAR(*a->terms[j].robust_se, *b->terms[j].robust_se, 1e-12);
  }
}

TEST(FitFineGray, SandwichDiffersFromTheModelVarianceWithCompetingEvents) {
  const Sample s = Simulate(2000, 17, true);
  const auto f = FitFineGray(s.Data());
  ASSERT_THAT(f, IsOk());
  EXPECT_TRUE(f->robust);
  for (const CoxTerm& t : f->terms) {
    EXPECT_GT(*t.robust_se, 0);
    EXPECT_NE(*t.robust_se, *t.se);
    EXPECT_NEAR(*t.robust_se / *t.se, 1.0, 0.5);  // same order: both estimate the SE of a consistent fit
    EXPECT_NEAR(*t.z, *t.coef / *t.robust_se, 1e-15);
    EXPECT_LT(*t.lower, *t.hr);
    EXPECT_GT(*t.upper, *t.hr);
  }
  EXPECT_EQ(f->lrt.df, 2);
  EXPECT_GT(f->lrt.statistic, 0);
}

TEST(FitFineGray, ReportsRunningOutOfIterations) {
  const Sample s = Simulate(300, 19, true);
  FineGrayOptions o;
  o.max_iterations = 1;
  const auto f = FitFineGray(s.Data(), o);
  ASSERT_THAT(f, IsOk());
  EXPECT_FALSE(f->diagnostics.converged);
  EXPECT_EQ(f->diagnostics.iterations, 1);
  EXPECT_THAT(f->diagnostics.warnings, ::testing::ElementsAre(HasSubstr("did not converge")));
}

TEST(FitFineGray, RejectsInvalidInput) {
  const Sample good = Simulate(50, 23, true);
  auto expect_error = [](const FineGrayData& d, const char* text) {
    EXPECT_THAT(FitFineGray(d), HasErrorCode(ErrorCode::kInvalidArgument)) << text;
    EXPECT_THAT(FitFineGray(d), HasErrorMessage(HasSubstr(text)));
  };
  {
    FineGrayData d = good.Data();
    d.competing.cause = std::span<const int>(good.cause).first(10);
    expect_error(d, "differ in length");
  }
  {
    Sample s = good;
    s.time[4] = -1;
    expect_error(s.Data(), "time[4]");
  }
  {
    Sample s = good;
    s.time[2] = std::numeric_limits<double>::quiet_NaN();
    expect_error(s.Data(), "time[2]");
  }
  {
    Sample s = good;
    s.cause[3] = 3;
    expect_error(s.Data(), "cause[3]");
  }
  expect_error(good.Data(3), "cause 3 is not in 1..2");
  expect_error(good.Data(0), "cause 0 is not in 1..2");
  {
    FineGrayData d = good.Data();
    d.covariate_count = 0;
    d.covariates = {};
    expect_error(d, "no covariates");
  }
  {
    FineGrayData d = good.Data();
    d.covariate_count = 3;
    expect_error(d, "n x p");
  }
  {
    Sample s = good;
    s.x[60] = std::numeric_limits<double>::infinity();
    expect_error(s.Data(), "not finite");
  }
  {
    Sample s = good;
    for (int& c : s.cause) c = c == 1 ? 0 : c;
    expect_error(s.Data(), "no events of cause 1");
  }
  {
    Sample s = good;
    for (std::size_t i = 0; i < 50; ++i) s.x[50 + i] = 2 * s.x[i];  // collinear
    expect_error(s.Data(), "singular");
  }
  {
    FineGrayData d;
    d.covariate_count = 1;
    expect_error(d, "no subjects");
  }
}

}  // namespace
}  // namespace cirrus::stats
