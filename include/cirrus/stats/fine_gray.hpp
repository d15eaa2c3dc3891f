// cirrus/stats/fine_gray.hpp: Fine-Gray regression of the subdistribution
// hazard of one cause among competing risks, as R's cmprsk::crr fits it.
//
// The censoring distribution G is the Kaplan-Meier of the censorings, read
// just before each time (crr's G(t-)); a subject with a competing event stays
// in the risk set of a later event time t with weight G(t-)/G(T-); tied
// events use Breslow's likelihood; Newton steps with crr's backtracking and
// crr's convergence rule; the variance is the sandwich of Fine & Gray (1999,
// JASA 94:496), including the term for the estimation of G. The risk sets are
// never enumerated: one backward and one forward scan over the subjects sorted
// by time (Kawaguchi et al. 2021, fastcmprsk) give the log-likelihood, score,
// information and the sandwich in O(n p^2) after one sort.
//
// Example:
//   std::vector<double> time = {1, 2, 3, 4, 5, 6};
//   std::vector<int> cause = {1, 2, 0, 1, 1, 0};  // 0 = censored
//   std::vector<double> x = {0.5, 1.2, -0.3, 0.8, -1.1, 0.1};  // one covariate
//   auto fit = cirrus::stats::FitFineGray({.competing = {time, cause, 2}, .cause = 1,
//                                          .covariates = x, .covariate_count = 1});
//   // fit->terms[0].coef, fit->terms[0].robust_se (crr's sqrt(diag(var))), fit->loglik
#pragma once

#include <cstddef>
#include <span>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/competing_risks.hpp"
#include "cirrus/stats/cox.hpp"

namespace cirrus::stats {

struct FineGrayData {
  /// Times and causes (0 = censored). Times are compared exactly, as crr does.
  CompetingRisksData competing;
  int cause = 1;  ///< the cause of interest, in 1..competing.cause_count; other causes compete
  /// Covariates column by column: covariates[j * n + i] is covariate j of subject i.
  std::span<const double> covariates;
  std::size_t covariate_count = 0;
};

struct FineGrayOptions {
  int max_iterations = 10;           ///< crr's maxiter
  double gradient_tolerance = 1e-6;  ///< crr's gtol: converged when max|score| max(|b|, 1) < max(|loglik|, 1) gtol
  double level = 0.95;               ///< confidence level of the hazard-ratio limits
};

/// Fits the Fine-Gray model. The result is a CoxFit: per term `coef`, `se`
/// (model-based, sqrt of crr's invinf), `robust_se` (the Fine-Gray sandwich,
/// sqrt of crr's var; `robust` is always true, and `hr` limits, `z` and `p`
/// use it, as summary.crr), `loglik` and `loglik_null` (crr's, at b and 0),
/// `lrt` (summary.crr's logtest), `wald` (b' var^-1 b), `score` (at b = 0,
/// u' I^-1 u), and crr's iteration count and convergence flag. `means` are
/// all 0 (crr does not centre; the scans centre internally, which changes
/// nothing but rounding). `events` counts events of the cause of interest.
/// Errors: kInvalidArgument for invalid times or causes (negative or not
/// finite times, causes outside 0..cause_count, a cause of interest out of
/// range), covariates that are not finite or not n x p, no covariates, no
/// event of the cause of interest, or a singular information matrix
/// (collinear covariates; crr's solve() fails there).
Result<CoxFit> FitFineGray(const FineGrayData& data, const FineGrayOptions& options = {});

}  // namespace cirrus::stats
