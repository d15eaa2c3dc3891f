// cirrus/stats/cox_zph.hpp: the proportional-hazards test of a Cox fit, as
// R's survival::cox.zph (survival >= 3.0) computes it.
//
// A true score test, at the fitted beta, for adding the terms x_j g(t) to the
// model: the score of the added terms and the full 2p x 2p information of
// (beta, gamma), one pass over the data as R's zph1 (right-censored rows) and
// zph2 ((start, stop] rows). g(t) is a transform of time, centred at its mean
// over the event rows: by default 1 - KM(t-) of the pooled data (R's "km").
// One test per covariate (1 df) and a global test on the p estimated terms.
// It is not the older Grambsch-Therneau approximation of survival 2.x.
//
// Example:
//   auto fit = cirrus::stats::FitCox(data, {.ties = CoxTies::kEfron});
//   auto ph = cirrus::stats::TestProportionalHazards(data, *fit);
//   // ph->terms[0].statistic, ph->terms[0].p, ph->global.statistic, ph->global.df
#pragma once

#include <optional>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/cox.hpp"

namespace cirrus::stats {

/// g(t) of cox.zph: 1 - KM(t-) of the pooled, unweighted data (R's default
/// "km"); t itself; the rank of t among all rows (ties averaged); log t.
enum class PhTransform { kKm, kIdentity, kRank, kLog };

struct PhTestOptions {
  PhTransform transform = PhTransform::kKm;
};

struct PhTest {
  /// One test per covariate, in the order of the fit's terms; absent for a
  /// covariate without a coefficient (aliased, R drops it).
  std::vector<std::optional<ChiSquaredTest>> terms;
  ChiSquaredTest global;  ///< df = the number of estimated coefficients
  PhTransform transform = PhTransform::kKm;
};

/// The score test of proportional hazards for `fit`, a fit of `data` by
/// FitCox; ties are handled as the fit handled them (fit.ties, as cox.zph
/// uses fit$method). Strata, case weights and (start, stop] rows
/// are supported as FitCox supports them.
/// Errors: kInvalidArgument for data that FitCox would reject, a fit that
/// does not match the data (number of terms), no estimated coefficient, or
/// the log transform with a time <= 0.
///
/// Example:
///   auto ph = TestProportionalHazards(data, fit, {.transform = PhTransform::kIdentity});
Result<PhTest> TestProportionalHazards(const CoxData& data, const CoxFit& fit, const PhTestOptions& options = {});

/// "km", "identity", "rank" or "log": R's name of the transform.
const char* PhTransformName(PhTransform transform);

}  // namespace cirrus::stats
