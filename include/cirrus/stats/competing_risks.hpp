// cirrus/stats/competing_risks.hpp: competing risks as R's cmprsk::cuminc
// computes them: the cumulative incidence function (Aalen-Johansen) of each
// cause in each group with its Aalen-type (delta-method) variance, values at
// chosen times (cmprsk::timepoints), and Gray's K-sample test of the
// subdistribution hazards, optionally stratified.
//
// Conventions (docs/numerics.md): near-equal times are merged as R's timefix
// does, unless options.ties says kExact (cuminc itself compares times
// exactly; the two differ only for times within 1.5e-8 relative of each
// other); at a tied time events come before censorings. Cost: one sort by
// time plus linear scans.
//
// Example:
//   std::vector<double> time = {1, 2, 2, 3, 4, 5, 6};
//   std::vector<int> cause = {1, 2, 1, 0, 1, 2, 0};  // 0 = censored
//   std::vector<int> arm(7, 0);
//   auto fit = cirrus::stats::FitCumulativeIncidence({time, cause, 2}, arm, 1);
//   // fit->curves[0]: cause 1, group 0; points at 1, 2, 4, 5 with
//   // cif 1/7, 2/7, 10/21, 10/21 (cuminc's estimates)
//   auto at = cirrus::stats::CumulativeIncidenceAt(fit->curves[0], 3.0);  // cif 2/7
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::stats {

/// Right-censored data with the cause of each event. Subject i is followed
/// to time[i]; cause[i] is 0 when it was censored there, else the cause of
/// its event, in 1..cause_count. The arrays are borrowed for the call.
struct CompetingRisksData {
  std::span<const double> time;  ///< event or censoring time, finite and >= 0
  std::span<const int> cause;    ///< 0 = censored, 1..cause_count = the cause
  int cause_count = 1;           ///< number of causes, >= 1
};

/// Which times are one tie.
enum class TimeTies {
  /// Times whose sorted gap is at most sqrt(DBL_EPSILON), absolutely or
  /// relative to the mean time, are merged, as R's survival does (timefix;
  /// see TimeFix). The cirrus default, shared with every survival method.
  kMergeNearEqual,
  /// Only equal doubles tie, as cmprsk::cuminc compares them. On continuous
  /// times of 10^6 subjects about 0.5% of the gaps fall below timefix's
  /// tolerance, so the two differ there (by about 1e-8 relative in Gray's
  /// statistic); on times in whole days they agree.
  kExact,
};

struct CompetingRisksOptions {
  /// Gray's weight (1 - F(t-))^rho on the score (cuminc's rho; 0 gives the
  /// test of Gray 1988 as cuminc runs it by default).
  double rho = 0;
  TimeTies ties = TimeTies::kMergeNearEqual;
};

/// One step of a cumulative incidence curve.
struct CumulativeIncidencePoint {
  double time = 0;
  double cif = 0;  ///< F(time), right-continuous
  /// Standard error of F(time): the square root of cuminc's variance. Like
  /// cuminc, it is updated only where F jumps (events of this cause) and
  /// carried unchanged over the events of other causes; a variance that
  /// rounds below 0 is reported as 0.
  double std_err = 0;
};

/// The cumulative incidence of one cause in one group. Its points are the
/// group's distinct event times of any cause, so that the curves of all
/// causes of a group share one time grid (and, with the group's Kaplan-Meier
/// of all-cause survival, sum to 1 at every point). cuminc returns the same
/// step function as corner points: (0, 0), then (t, F(t-)) and (t, F(t)) at
/// each event time t of this cause, then (last follow-up, F); a cirrus point
/// at t equals cuminc's second corner at t, and a point at an event time of
/// another cause repeats the values of the point before it.
struct CumulativeIncidenceCurve {
  int cause = 1;           ///< 1..cause_count
  int group = 0;           ///< 0..group_count - 1
  std::size_t n = 0;       ///< subjects in the group
  std::size_t events = 0;  ///< events of this cause in the group
  /// The group's largest time (event or censoring); absent for an empty group.
  /// cuminc's curve ends there, and values past it are NA.
  std::optional<double> last_time;
  std::vector<CumulativeIncidencePoint> points;
};

/// Gray's test for one cause: do the groups' subdistribution hazards differ?
struct GrayTest {
  int cause = 1;
  /// s' V^-1 s over the first df groups' scores; absent where cuminc reports
  /// -1: when V is singular (a QR rank below df at tolerance 1e-7, R's qr).
  std::optional<double> stat;
  int df = 0;               ///< non-empty groups - 1
  std::optional<double> p;  ///< P(chi-squared(df) > stat); absent with stat
};

struct CompetingRisksResult {
  /// One curve per cause and group, cause-major: cause 1 in groups 0, 1, ...,
  /// then cause 2, ... (cuminc's order). An empty group has an empty curve.
  std::vector<CumulativeIncidenceCurve> curves;
  /// One test per cause when two or more groups have subjects; else empty.
  std::vector<GrayTest> gray;
};

/// Fits every cause's cumulative incidence in every group and runs Gray's
/// test of each cause across the groups, summing scores and variances over
/// strata (cmprsk::cuminc(time, cause, group, strata, rho)).
/// group[i] is in [0, group_count); strata is empty (one stratum) or
/// strata[i] is in [0, strata_count); strata affect only the test.
///
/// Errors: kInvalidArgument naming the function, array and index, e.g.
/// "stats::FitCumulativeIncidence: time[17] is -2, must be >= 0", for arrays
/// of different lengths, a time that is negative or not finite, a cause or
/// code out of range, cause_count, group_count or strata_count below 1 (or
/// their product too large for the sort's labels), or a rho that is not finite.
///
/// Example:
///   auto fit = FitCumulativeIncidence({time, cause, 2}, arm, 2);
///   for (const GrayTest& t : fit->gray) use(t.cause, t.stat, t.df, t.p);
Result<CompetingRisksResult> FitCumulativeIncidence(const CompetingRisksData& data, std::span<const int> group,
                                                    int group_count, std::span<const int> strata = {},
                                                    int strata_count = 1, const CompetingRisksOptions& options = {});

/// The curve read at `time`, as cmprsk::timepoints: the values of the last
/// point at or before `time` (0 and 0 before the first); absent (cuminc's NA)
/// for a negative time, a time past the group's last follow-up time, or an
/// empty group.
struct CumulativeIncidenceAtTime {
  double time = 0;
  std::optional<double> cif;
  std::optional<double> std_err;
};
CumulativeIncidenceAtTime CumulativeIncidenceAt(const CumulativeIncidenceCurve& curve, double time);

}  // namespace cirrus::stats
