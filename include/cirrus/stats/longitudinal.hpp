// cirrus/stats/longitudinal.hpp: models for a value measured repeatedly over
// time (a lab or a score), as R fits them:
//   - FitAncova: the value at one time on its baseline, the group and
//     covariates, lm(value ~ baseline + group + c1 + ...), with the adjusted
//     (least-squares) means of emmeans(fit, ~ group);
//   - FitMmrm: the mixed model for repeated measures of the change from
//     baseline, change ~ baseline + visit + group + group:visit fitted by REML
//     with an unstructured, compound-symmetry or AR(1) covariance among a
//     subject's visits (nlme::gls with corSymm + varIdent, corCompSymm,
//     corAR1), least-squares means by visit and group with Satterthwaite df
//     from the observed REML information (lmerTest, SAS DDFM=SATTERTHWAITE,
//     R's mmrm package).
//
// Groups are codes 0..group_count-1; group 0 is the reference of every
// difference. Nothing here knows what the value is (docs/numerics.md).
//
// Example:
//   AncovaData data{.outcome = week48, .baseline = week0, .group = arm, .group_count = 2};
//   auto fit = cirrus::stats::FitAncova(data);
//   // fit->differences[0]: group 1 minus group 0, adjusted for baseline
//
//   MmrmData obs{.subject = id, .visit = visit, .response = change, .baseline = base,
//                .group = arm, .visit_count = 4, .group_count = 2};
//   auto mmrm = cirrus::stats::FitMmrm(obs, {});
//   // mmrm->lsmeans, mmrm->differences, mmrm->diagnostics.converged
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/fit_diagnostics.hpp"

namespace cirrus::stats {

/// One estimated coefficient with its Wald t test.
struct RegressionTerm {
  double coef = 0;
  double se = 0;
  double t = 0;
  double p = 1;  ///< two-sided, t distribution with the residual df
};

/// A least-squares (adjusted) mean with its confidence interval.
struct AdjustedMean {
  int group = 0;
  int visit = 0;      ///< FitMmrm: the visit index; FitAncova: 0
  std::size_t n = 0;  ///< observations behind it
  double estimate = 0;
  double se = 0;
  double df = 0;
  double lower = 0;
  double upper = 0;
};

/// A group's adjusted mean minus the reference group's (group 0).
struct AdjustedDifference {
  int group = 0;
  int visit = 0;  ///< FitMmrm: the visit index; FitAncova: 0
  double estimate = 0;
  double se = 0;
  double df = 0;
  double lower = 0;
  double upper = 0;
  double t = 0;
  double p = 1;
};

/// One subject per row. Spans must outlive the call.
struct AncovaData {
  std::span<const double> outcome;   ///< the value at the analysed time
  std::span<const double> baseline;  ///< the value at baseline
  std::span<const int> group;        ///< 0..group_count-1; empty: one group
  int group_count = 1;
  /// covariate_count columns of rows, column after column (R's model frame).
  std::span<const double> covariates = {};
  std::size_t covariate_count = 0;
};

struct AncovaResult {
  std::size_t n = 0;
  double residual_df = 0;
  double sigma = 0;  ///< residual standard error
  /// (Intercept), baseline, group 1..group_count-1, then the covariates: R's order.
  std::vector<RegressionTerm> terms;
  std::vector<AdjustedMean> groups;             ///< per group, baseline and covariates at their means
  std::vector<AdjustedDifference> differences;  ///< groups 1.. minus group 0
};

/// lm(outcome ~ baseline + group + covariates) and emmeans(fit, ~ group), the
/// reference grid at the means of baseline and covariates over the rows.
/// Intervals at `level` with the residual df. Errors: kInvalidArgument for
/// spans of different lengths, a non-finite value, a group code out of range,
/// a group with no row, no residual degrees of freedom, a model column that is
/// a linear combination of the others (naming the term's index in `terms`
/// order), or a level outside (0, 1).
Result<AncovaResult> FitAncova(const AncovaData& data, double level = 0.95);

/// The covariance among a subject's visits.
enum class CovarianceStructure {
  kUnstructured,      ///< every variance and covariance free: corSymm + varIdent
  kCompoundSymmetry,  ///< one variance, one correlation: corCompSymm
  kAutoregressive,    ///< one variance, correlation rho^|j-k| over the visit index: corAR1
};

/// How the degrees of freedom of the least-squares means are computed.
enum class DegreesOfFreedom {
  kSatterthwaite,  ///< from the observed REML information (lmerTest, PROC MIXED, mmrm)
  kResidual,       ///< observations minus fixed-effect columns
};

/// One row per observation (a subject at a post-baseline visit), in any order.
struct MmrmData {
  std::span<const int> subject;      ///< 0..; one row per subject and visit
  std::span<const int> visit;        ///< 0..visit_count-1, in time order
  std::span<const double> response;  ///< the change from baseline
  std::span<const double> baseline;  ///< the subject's baseline value (the same on each of its rows)
  std::span<const int> group;        ///< 0..group_count-1, the same on each of a subject's rows
  int visit_count = 0;
  int group_count = 1;
};

struct MmrmOptions {
  CovarianceStructure covariance = CovarianceStructure::kUnstructured;
  DegreesOfFreedom df = DegreesOfFreedom::kSatterthwaite;
  double level = 0.95;
  int max_iterations = 100;
};

struct MmrmResult {
  std::size_t subjects = 0;
  std::size_t observations = 0;
  std::size_t fixed_effects = 0;  ///< columns of the design: 1 + group_count * visit_count
  /// The estimated covariance among visits, visit_count x visit_count, row after row.
  std::vector<double> covariance;
  std::size_t covariance_parameters = 0;
  double loglik_reml = 0;  ///< R's logLik(fit) for the gls fit
  double aic = 0;          ///< R's AIC(fit): -2 loglik + 2 (fixed effects + covariance parameters)
  /// By visit, then group: the mean change with baseline at its mean over the observations.
  std::vector<AdjustedMean> lsmeans;
  /// By visit, then group 1..: group minus group 0 at that visit.
  std::vector<AdjustedDifference> differences;
  FitDiagnostics diagnostics;
};

/// The mixed model for repeated measures, fitted by REML with Newton's method
/// on the covariance parameters (docs/numerics.md). A fit that does not
/// converge returns with diagnostics.converged false. Errors:
/// kInvalidArgument for spans of different lengths, a non-finite value, a
/// code out of range, a subject with two rows at one visit or two groups or
/// baselines, a group or visit with no observation (a column that cannot be
/// estimated), too few observations for the covariance, a level outside (0, 1).
Result<MmrmResult> FitMmrm(const MmrmData& data, const MmrmOptions& options);

}  // namespace cirrus::stats
