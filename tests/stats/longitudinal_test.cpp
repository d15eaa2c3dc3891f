// ANCOVA and MMRM against R (lm + emmeans, nlme::gls fitted with tight
// tolerances) on small data written out here; the R calls are beside the
// numbers. The oracle in tests/oracle/longitudinal runs the CLI on public
// data sets against R; these tests pin the library's own contract.
#include "cirrus/stats/longitudinal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace cirrus::stats {
namespace {

// y <- c(5.1, 6.3, 4.8, 7.2, 6.9, 5.5, 8.1, 7.7, 6.0, 9.2, 7.4, 8.8)
// b <- c(4.0, 5.2, 4.1, 5.9, 5.0, 4.4, 6.1, 5.8, 4.9, 6.6, 5.1, 6.0)
// g <- factor(rep(c("A", "B"), each = 6))
// c1 <- c(61, 55, 47, 70, 52, 66, 58, 49, 63, 71, 45, 54)
const std::vector<double> kY = {5.1, 6.3, 4.8, 7.2, 6.9, 5.5, 8.1, 7.7, 6.0, 9.2, 7.4, 8.8};
const std::vector<double> kB = {4.0, 5.2, 4.1, 5.9, 5.0, 4.4, 6.1, 5.8, 4.9, 6.6, 5.1, 6.0};
const std::vector<int> kG = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
const std::vector<double> kC1 = {61, 55, 47, 70, 52, 66, 58, 49, 63, 71, 45, 54};

void ExpectNear(double actual, double expected, double relative = 1e-10) {
  EXPECT_NEAR(actual, expected, relative * std::max(1.0, std::fabs(expected)));
}

TEST(FitAncova, MatchesLmAndEmmeans) {
  AncovaData data{
      .outcome = kY, .baseline = kB, .group = kG, .group_count = 2, .covariates = kC1, .covariate_count = 1};
  auto fit = FitAncova(data);
  ASSERT_TRUE(fit.has_value()) << fit.error().message;
  // summary(lm(y ~ b + g + c1))$coefficients
  const double coef[] = {-0.237117836792368891, 1.505581021505346229, 0.389024810269371413, -0.016629373772930795};
  const double se[] = {1.138680225958060843, 0.228021362466452299, 0.353033816299434422, 0.017238091420688877};
  const double p[] = {0.84024607010123775197, 0.00016889178226542182, 0.30252936853677814266, 0.36295273122260096610};
  ASSERT_EQ(fit->terms.size(), 4u);
  for (std::size_t j = 0; j < 4; ++j) {
    ExpectNear(fit->terms[j].coef, coef[j]);
    ExpectNear(fit->terms[j].se, se[j]);
    ExpectNear(fit->terms[j].p, p[j], 1e-9);
  }
  EXPECT_EQ(fit->n, 12u);
  EXPECT_EQ(fit->residual_df, 8);
  ExpectNear(fit->sigma, 0.44937288756354676);
  // summary(emmeans(fit, ~ g)): emmean, SE, lower.CL, upper.CL
  ASSERT_EQ(fit->groups.size(), 2u);
  ExpectNear(fit->groups[0].estimate, 6.72215426153198);
  ExpectNear(fit->groups[1].estimate, 7.11117907180135);
  ExpectNear(fit->groups[0].se, 0.219057568238356);
  ExpectNear(fit->groups[0].lower, 6.21700660332656);
  ExpectNear(fit->groups[1].upper, 7.61632673000677);
  EXPECT_EQ(fit->groups[1].n, 6u);
  ASSERT_EQ(fit->differences.size(), 1u);
  ExpectNear(fit->differences[0].estimate, coef[2]);
  ExpectNear(fit->differences[0].p, p[2], 1e-9);
}

TEST(FitAncova, NamesTheTermThatCannotBeEstimated) {
  const std::vector<double> constant(kY.size(), 3.0);
  AncovaData data{.outcome = kY, .baseline = constant, .group = kG, .group_count = 2};
  auto fit = FitAncova(data);
  ASSERT_FALSE(fit.has_value());
  EXPECT_EQ(fit.error().field, "1");  // baseline, a copy of the intercept
}

TEST(FitAncova, RefusesAGroupWithoutRowsAndTooFewRows) {
  AncovaData data{.outcome = kY, .baseline = kB, .group = kG, .group_count = 3};
  EXPECT_FALSE(FitAncova(data).has_value());
  const std::vector<double> y = {1, 2, 3};
  const std::vector<double> b = {1, 3, 2};
  const std::vector<int> g = {0, 1, 1};
  AncovaData small{.outcome = y, .baseline = b, .group = g, .group_count = 2};
  EXPECT_FALSE(FitAncova(small).has_value());
}

// Eight subjects, three visits, two arms, two values missing:
// d <- data.frame(s = rep(1:8, each = 3), k = rep(1:3, 8), g = factor(rep(c("A", "B"), each = 12)),
//   b = rep(c(30, 34, 28, 31, 33, 29, 35, 32), each = 3),
//   ch = c(1.0, 2.1, 2.9, 0.5, 1.2, 2.6, 1.4, 1.9, NA, 0.2, 1.7, 2.2,
//          2.3, 3.9, 5.1, 1.8, NA, 4.4, 2.9, 4.2, 5.9, 1.5, 3.1, 4.0))
struct Observations {
  std::vector<int> subject, visit, group;
  std::vector<double> response, baseline;
};

Observations SmallTrial() {
  const double change[] = {1.0, 2.1, 2.9, 0.5, 1.2, 2.6, 1.4, 1.9, NAN, 0.2, 1.7, 2.2,
                           2.3, 3.9, 5.1, 1.8, NAN, 4.4, 2.9, 4.2, 5.9, 1.5, 3.1, 4.0};
  const double base[] = {30, 34, 28, 31, 33, 29, 35, 32};
  Observations o;
  for (int s = 0; s < 8; ++s) {
    for (int k = 0; k < 3; ++k) {
      const double c = change[s * 3 + k];
      if (std::isnan(c)) continue;
      o.subject.push_back(s);
      o.visit.push_back(k);
      o.group.push_back(s < 4 ? 0 : 1);
      o.response.push_back(c);
      o.baseline.push_back(base[s]);
    }
  }
  return o;
}

MmrmData DataOf(const Observations& o, int visits) {
  return {.subject = o.subject,
          .visit = o.visit,
          .response = o.response,
          .baseline = o.baseline,
          .group = o.group,
          .visit_count = visits,
          .group_count = 2};
}

TEST(FitMmrm, UnstructuredMatchesGls) {
  const Observations o = SmallTrial();
  MmrmOptions options;
  options.df = DegreesOfFreedom::kResidual;
  auto fit = FitMmrm(DataOf(o, 3), options);
  ASSERT_TRUE(fit.has_value()) << fit.error().message;
  ASSERT_TRUE(fit->diagnostics.converged);
  EXPECT_EQ(fit->subjects, 8u);
  EXPECT_EQ(fit->observations, 22u);
  EXPECT_EQ(fit->fixed_effects, 7u);
  EXPECT_EQ(fit->covariance_parameters, 6u);
  // gls(ch ~ b + v * g, correlation = corSymm(form = ~ k | s), weights = varIdent(form = ~ 1 | v),
  //     method = "REML", control = glsControl(tolerance = 1e-12, msTol = 1e-14, msMaxIter = 1000))
  ExpectNear(fit->loglik_reml, -7.73781577617, 1e-9);
  ExpectNear(fit->aic, -2 * -7.73781577617 + 2 * 13, 1e-9);
  // summary(emmeans(f, ~ g | v)): A1, B1, A2, B2, A3, B3
  const double estimate[] = {0.6897263477, 2.164794371, 1.639726348, 3.736080985, 2.719222245, 4.889794371};
  const double se[] = {0.3277957127, 0.3227454362, 0.25804828, 0.2684096156, 0.4053161942, 0.3977521952};
  ASSERT_EQ(fit->lsmeans.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    ExpectNear(fit->lsmeans[i].estimate, estimate[i], 1e-6);
    ExpectNear(fit->lsmeans[i].se, se[i], 1e-6);
    EXPECT_EQ(fit->lsmeans[i].df, 22 - 7);
  }
  ASSERT_EQ(fit->differences.size(), 3u);
  ExpectNear(fit->differences[2].estimate, estimate[5] - estimate[4], 1e-6);
}

// With one visit the MMRM is the ANCOVA of the change: the same means, and
// the Satterthwaite df of a single variance is exactly N - p.
TEST(FitMmrm, OneVisitIsTheAncovaOfTheChange) {
  const Observations all = SmallTrial();
  Observations o;
  for (std::size_t i = 0; i < all.subject.size(); ++i) {
    if (all.visit[i] != 2) continue;
    o.subject.push_back(all.subject[i]);
    o.visit.push_back(0);
    o.group.push_back(all.group[i]);
    o.response.push_back(all.response[i]);
    o.baseline.push_back(all.baseline[i]);
  }
  for (CovarianceStructure structure : {CovarianceStructure::kUnstructured, CovarianceStructure::kCompoundSymmetry,
                                        CovarianceStructure::kAutoregressive}) {
    MmrmOptions options;
    options.covariance = structure;
    auto mmrm = FitMmrm(DataOf(o, 1), options);
    ASSERT_TRUE(mmrm.has_value()) << mmrm.error().message;
    ASSERT_TRUE(mmrm->diagnostics.converged);
    EXPECT_EQ(mmrm->covariance_parameters, 1u);
    auto ancova = FitAncova({.outcome = o.response, .baseline = o.baseline, .group = o.group, .group_count = 2});
    ASSERT_TRUE(ancova.has_value());
    for (std::size_t g = 0; g < 2; ++g) {
      ExpectNear(mmrm->lsmeans[g].estimate, ancova->groups[g].estimate, 1e-9);
      ExpectNear(mmrm->lsmeans[g].se, ancova->groups[g].se, 1e-6);
      ExpectNear(mmrm->lsmeans[g].df, ancova->residual_df, 1e-6);
    }
    ExpectNear(mmrm->covariance[0], ancova->sigma * ancova->sigma, 1e-8);
  }
}

// Compound symmetry and AR(1) nest in the unstructured model: their REML
// optimum cannot lie above it, and both converge on the small trial.
TEST(FitMmrm, StructuredCovariancesFitBelowUnstructured) {
  const Observations o = SmallTrial();
  auto un = FitMmrm(DataOf(o, 3), {});
  ASSERT_TRUE(un.has_value());
  for (CovarianceStructure structure : {CovarianceStructure::kCompoundSymmetry, CovarianceStructure::kAutoregressive}) {
    MmrmOptions options;
    options.covariance = structure;
    auto fit = FitMmrm(DataOf(o, 3), options);
    ASSERT_TRUE(fit.has_value()) << fit.error().message;
    EXPECT_TRUE(fit->diagnostics.converged);
    EXPECT_EQ(fit->covariance_parameters, 2u);
    EXPECT_LE(fit->loglik_reml, un->loglik_reml + 1e-9);
    // One variance on the diagonal.
    EXPECT_NEAR(fit->covariance[0], fit->covariance[4], 1e-12);
    EXPECT_NEAR(fit->covariance[4], fit->covariance[8], 1e-12);
  }
}

TEST(FitMmrm, RefusesRepeatedVisitsAndEmptyCells) {
  Observations o = SmallTrial();
  o.visit[1] = 0;  // subject 0 seen twice at visit 0
  EXPECT_FALSE(FitMmrm(DataOf(o, 3), {}).has_value());

  Observations b = SmallTrial();
  std::vector<int> subject, visit, group;
  std::vector<double> response, baseline;
  for (std::size_t i = 0; i < b.subject.size(); ++i) {
    if (b.group[i] == 1 && b.visit[i] == 2) continue;  // arm B never seen at visit 3
    subject.push_back(b.subject[i]);
    visit.push_back(b.visit[i]);
    group.push_back(b.group[i]);
    response.push_back(b.response[i]);
    baseline.push_back(b.baseline[i]);
  }
  const MmrmData data{.subject = subject,
                      .visit = visit,
                      .response = response,
                      .baseline = baseline,
                      .group = group,
                      .visit_count = 3,
                      .group_count = 2};
  auto fit = FitMmrm(data, {});
  ASSERT_FALSE(fit.has_value());
  EXPECT_NE(fit.error().message.find("no observation at visit 2"), std::string::npos) << fit.error().message;
}

}  // namespace
}  // namespace cirrus::stats
