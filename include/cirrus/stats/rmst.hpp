// cirrus/stats/rmst.hpp: the restricted mean survival time (RMST), the area
// under the Kaplan-Meier curve from 0 to a truncation time tau, per group, and
// the difference between groups, as R computes them:
//   - per group, survival's print(survfit(...), rmean = tau) and
//     summary(fit, rmean = tau)$table (rmean, se(rmean)), which survRM2's
//     rmst1 reproduces to the last bit;
//   - the difference, survRM2::rmst2: rmst_a - rmst_b with standard error
//     sqrt(var_a + var_b), a normal confidence interval and a two-sided p;
//   - tau by default, and its upper limit, by survRM2's rule (FindRmstTauLimit).
//
// The curve is the one FitKaplanMeierByGroup fits (timefix, events before
// censorings, delayed entry, case weights); the variance is the Greenwood
// plug-in of survival:::survmean: sum over event times t_i <= tau of
// A_i^2 d_i / (n_i (n_i - d_i)), with A_i the area under the curve from t_i
// to tau, and the term 0 where n_i = d_i (docs/numerics.md).
//
// Example:
//   RmstOptions options;
//   options.tau = 3650;
//   auto rmst = cirrus::stats::ComputeRmst({time, event}, arm, 2, options);
//   // rmst->groups[0].rmst, rmst->groups[0].se; rmst->differences[0]
//   // is group 0 minus group 1, with se, lower, upper and p.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/survival_data.hpp"

namespace cirrus::stats {

/// What an explicit tau beyond the follow-up does.
enum class TauBeyondFollowUp {
  /// An error (kOutOfRange), as survRM2::rmst2: the curve of a group whose
  /// last observation is censored is not estimated past that time.
  kError,
  /// Allowed: the last value of each curve is carried forward, as survival's
  /// print(fit, rmean = tau) does for any tau.
  kCarryForward,
};

/// Where the tau that was used came from.
enum class TauSource {
  kGiven,    ///< RmstOptions::tau
  kDefault,  ///< survRM2's default: the limit of FindRmstTauLimit
};

struct RmstOptions {
  /// The truncation time, in the unit of the times (> 0). Absent: the
  /// largest tau the follow-up allows (FindRmstTauLimit), survRM2's default.
  std::optional<double> tau;
  TauBeyondFollowUp beyond_follow_up = TauBeyondFollowUp::kError;
  double level = 0.95;  ///< confidence level of every interval, in (0, 1)
};

/// The largest tau the follow-up allows, survRM2::rmst2's rule generalised to
/// any number of groups. A group's follow-up ends at its largest time; its
/// last observation is an event when every subject with that time has the
/// event (survRM2 takes the minimum status there). A curve ending in an event
/// is 0 afterwards; one ending in a censoring is not estimated past it. So
/// the limit is the smallest end of follow-up among groups whose last
/// observation is censored, or, when every group ends in an event, the
/// largest end of follow-up. Raw times are compared, before timefix.
struct RmstTauLimit {
  double tau = 0;  ///< the limit
  int group = 0;   ///< the group whose follow-up sets it
  /// True when the limiting group's last observation is an event (then
  /// every group's is).
  bool ends_in_event = false;
};

struct RmstGroup {
  std::size_t n = 0;  ///< subjects in the group
  double events = 0;  ///< weighted events in the group, at any time
  double rmst = 0;    ///< area under S from 0 to tau, in the unit of the times
  double variance = 0;
  double se = 0;     ///< sqrt(variance), R's se(rmean)
  double lower = 0;  ///< rmst - z se (survRM2)
  double upper = 0;  ///< rmst + z se
};

/// One contrast: rmst of `first` minus rmst of `second`.
struct RmstDifference {
  int first = 0;   ///< group code
  int second = 0;  ///< group code
  double difference = 0;
  double se = 0;     ///< sqrt(var_first + var_second)
  double lower = 0;  ///< difference - z se
  double upper = 0;  ///< difference + z se
  /// Two-sided 2 Phi(-|difference| / se). Absent when se = 0 and the
  /// difference is 0 (R gives NaN); 0 when se = 0 and the difference is not.
  std::optional<double> p;
};

struct RmstResult {
  double tau = 0;
  TauSource tau_source = TauSource::kGiven;
  RmstTauLimit limit;             ///< what the follow-up allows
  double level = 0.95;            ///< confidence level of the intervals
  std::vector<RmstGroup> groups;  ///< one per group code
  /// Group 0 against each other group (group 0 minus group k), in code
  /// order; empty with one group.
  std::vector<RmstDifference> differences;
};

/// RMST of every group, and group 0 against each other group. group[i] is in
/// [0, group_count) and every group has at least one subject.
/// Errors: kInvalidArgument from FitKaplanMeierByGroup (bad data, level not in
/// (0, 1)), for tau not finite or <= 0, or an empty group; kOutOfRange for a
/// tau beyond FindRmstTauLimit with TauBeyondFollowUp::kError.
///
/// Example:
///   auto r = ComputeRmst({time, event}, arm, 2, {.tau = 3650});
///   // pbc by trt: r->groups[0].rmst 2609.1947 (se 103.18760),
///   // r->differences[0].difference -49.929, p 0.738
Result<RmstResult> ComputeRmst(const SurvivalData& data, std::span<const int> group, int group_count,
                               const RmstOptions& options = {});

/// The limit of survRM2's tau rule (see RmstTauLimit). Errors: kInvalidArgument
/// for bad data or group codes, or an empty group.
Result<RmstTauLimit> FindRmstTauLimit(const SurvivalData& data, std::span<const int> group, int group_count);

/// The area and its variance for one fitted curve and any tau > 0 (the curve
/// is carried forward past its last point, as survival:::survmean does).
/// Errors: kInvalidArgument for tau not finite or <= 0, or a curve without
/// points. The interval fields use `level`.
Result<RmstGroup> RmstOfCurve(const KaplanMeierCurve& curve, double tau, double level = 0.95);

/// The difference between two groups of a result: rmst of `first` minus rmst
/// of `second`, at `level`. Errors: kInvalidArgument for a group code out of
/// range, the same group twice, or level not in (0, 1).
Result<RmstDifference> CompareRmst(const RmstResult& result, int first, int second, double level = 0.95);

}  // namespace cirrus::stats
