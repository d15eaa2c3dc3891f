// cirrus/stats/cox.hpp: the Cox proportional-hazards model as R's
// survival::coxph fits it.
//
// Efron (default) or Breslow ties; strata; case weights; delayed entry and
// time-varying covariates through counting-process (start, stop] rows; the
// robust sandwich variance, with clusters; likelihood-ratio, Wald and score
// tests; hazard ratios with confidence limits. Newton-Raphson follows R's
// coxfit6 exactly: centred covariates (0/1 and -1/0/1 columns left alone),
// convergence on the relative change of the log-likelihood, R's step halving,
// and non-convergence or an infinite coefficient reported as diagnostics on a
// successful fit, never hidden and never an error.
//
// Example:
//   std::vector<double> x = ...;   // n x p, column by column
//   CoxData data{.survival = {time, event}, .covariates = x, .covariate_count = 2};
//   auto fit = cirrus::stats::FitCox(data);
//   // fit->terms[0].coef, fit->terms[0].hr, fit->lrt.p, fit->diagnostics.converged
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/fit_diagnostics.hpp"
#include "cirrus/stats/survival_data.hpp"

namespace cirrus::stats {

enum class CoxTies { kEfron, kBreslow };

/// When the robust (sandwich) variance is used, as R decides it: with
/// kAutomatic, when clusters are given or any weight is not an integer.
enum class RobustVariance { kAutomatic, kAlways, kNever };

struct CoxOptions {
  CoxTies ties = CoxTies::kEfron;
  RobustVariance robust = RobustVariance::kAutomatic;
  int max_iterations = 20;  ///< R's iter.max
  double epsilon = 1e-9;    ///< R's eps: relative change of the log-likelihood
  double cholesky_tolerance = std::pow(2.220446049250313e-16, 0.75);  ///< R's toler.chol
  double infinite_tolerance = std::sqrt(1e-9);                        ///< R's toler.inf
  double level = 0.95;                                                ///< confidence level of the hazard-ratio limits
};

struct CoxData {
  /// time is the stop time; entry, when given, the start of a (start, stop]
  /// row (delayed entry or one interval of a time-varying covariate).
  SurvivalData survival;
  /// Covariates column by column: covariates[j * n + i] is covariate j of row i.
  std::span<const double> covariates;
  std::size_t covariate_count = 0;
  std::span<const int> strata = {};  ///< empty, or codes in [0, strata_count)
  int strata_count = 1;
  std::span<const int> cluster = {};  ///< empty, or a cluster code per row (robust variance)
};

struct CoxTerm {
  std::optional<double> coef;       ///< absent when the column is collinear with others (R's NA)
  std::optional<double> se;         ///< model-based standard error
  std::optional<double> robust_se;  ///< present when the robust variance is used
  std::optional<double> hr;         ///< exp(coef)
  std::optional<double> lower;      ///< hazard-ratio limits, from the robust SE when it is used
  std::optional<double> upper;
  std::optional<double> z;
  std::optional<double> p;
};

struct ChiSquaredTest {
  double statistic = 0;
  int df = 0;
  double p = 1;
};

struct CoxFit {
  std::size_t n = 0;
  double events = 0;  ///< number of events (not weighted), as R's nevent
  double loglik_null = 0;
  double loglik = 0;
  ChiSquaredTest lrt;
  ChiSquaredTest wald;   ///< uses the robust variance when it is used
  ChiSquaredTest score;  ///< at beta = 0
  std::vector<CoxTerm> terms;
  std::vector<double> means;                  ///< centring values (0 for 0/1 and -1/0/1 columns), as R's fit$means
  std::vector<std::vector<double>> variance;  ///< model-based, p x p
  std::vector<std::vector<double>> robust_variance;  ///< p x p, empty when not used
  bool robust = false;
  CoxTies ties = CoxTies::kEfron;  ///< the method the fit used (the PH test must use the same)
  FitDiagnostics diagnostics;
};

/// Errors: kInvalidArgument for invalid survival data (CheckSurvivalData),
/// covariates that are not finite or not n x p, strata or cluster codes out
/// of range, no covariates, or no events.
Result<CoxFit> FitCox(const CoxData& data, const CoxOptions& options = {});

}  // namespace cirrus::stats
