// cirrus/stats/kaplan_meier.hpp: the Kaplan-Meier estimator as R's
// survival::survfit computes it, with Greenwood variance, confidence
// intervals (log, log-log, plain), the median with its interval, delayed entry
// and case weights.
//
// Conventions (docs/numerics.md): ties in time are merged as R's timefix does;
// at a tied time events come before censorings; a subject with delayed entry
// is at risk on (entry, time]. The curve has one point per distinct time with
// an event or a censoring.
//
// Example:
//   std::vector<double> time = {5, 8, 8, 12};
//   std::vector<std::uint8_t> event = {1, 0, 1, 1};
//   auto km = cirrus::stats::FitKaplanMeier({time, event});
//   // km->points[0]: time 5, n_risk 4, n_event 1, survival 0.75
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/survival_data.hpp"

namespace cirrus::stats {

/// How confidence limits for S(t) are formed (R's conf.type).
enum class ConfidenceType {
  kLog,     ///< exp(log S +- z se(log S)), upper capped at 1 (R's default)
  kLogLog,  ///< exp(-exp(log(-log S) -+ z se(log S) / log S))
  kPlain,   ///< S +- z se(S), clipped to [0, 1]
};

/// Which variance the standard errors and limits use.
enum class KaplanMeierVariance {
  /// As R's survfit: the infinitesimal jackknife when any case weight is not
  /// an integer, Greenwood otherwise.
  kAutomatic,
  kGreenwood,
  /// The infinitesimal-jackknife (robust) variance, sum over subjects of
  /// (w_i dS(t)/dw_i)^2 (R's survfit(robust = TRUE)).
  kInfinitesimalJackknife,
};

struct KaplanMeierOptions {
  ConfidenceType confidence = ConfidenceType::kLog;
  double level = 0.95;  ///< confidence level of the limits and of the median's interval
  KaplanMeierVariance variance = KaplanMeierVariance::kAutomatic;
};

struct KaplanMeierPoint {
  double time = 0;
  double n_risk = 0;    ///< weighted number at risk just before `time`
  double n_event = 0;   ///< weighted events at `time`
  double n_censor = 0;  ///< weighted censorings at `time`
  double survival = 1;  ///< S(time), right-continuous
  /// Standard error of S (Greenwood: S * sqrt(sum d / (n (n - d)))), as
  /// summary.survfit prints it. Greenwood's is not finite once the curve
  /// reaches 0; the jackknife's is 0 there, as R's.
  double std_err = 0;
  double std_err_log = 0;       ///< standard error of log S (std_err / S), what the limits use
  std::optional<double> lower;  ///< absent where R gives NA (S = 0; log-log also at S = 1)
  std::optional<double> upper;
};

struct KaplanMeierCurve {
  std::size_t n = 0;       ///< number of subjects (rows)
  bool jackknife = false;  ///< the standard errors are the infinitesimal jackknife's
  double events = 0;       ///< weighted number of events
  std::vector<KaplanMeierPoint> points;
  /// First time with S <= 0.5; if S is exactly 0.5 on a flat step, the
  /// midpoint of that step (R's rule). Absent when S never reaches 0.5.
  std::optional<double> median;
  std::optional<double> median_lower;  ///< the same rule applied to the lower limits
  std::optional<double> median_upper;  ///< and to the upper limits
};

/// Fits one curve. Errors: kInvalidArgument from CheckSurvivalData, or when a
/// delayed entry equals its time after tie merging, or level is not in (0, 1).
Result<KaplanMeierCurve> FitKaplanMeier(const SurvivalData& data, const KaplanMeierOptions& options = {});

/// Fits one curve per group; group[i] is in [0, group_count). A group with
/// no subjects gets an empty curve. Errors: as FitKaplanMeier, and a group
/// code out of range.
Result<std::vector<KaplanMeierCurve>> FitKaplanMeierByGroup(const SurvivalData& data, std::span<const int> group,
                                                            int group_count, const KaplanMeierOptions& options = {});

/// The curve read at `time`, as summary(fit, times = time, extend = TRUE):
/// S and its limits from the last point at or before `time` (1 before the
/// first), n_risk the number at risk at the first point at or after `time`
/// (0 past the last point).
struct SurvivalAtTime {
  double time = 0;
  double n_risk = 0;
  double survival = 1;
  double std_err = 0;
  std::optional<double> lower;
  std::optional<double> upper;
};
SurvivalAtTime SurvivalAt(const KaplanMeierCurve& curve, double time);

}  // namespace cirrus::stats
