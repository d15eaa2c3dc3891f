// cirrus/stats/location_tests.hpp: tests of a shift in location between two
// measurements of the same subjects (paired t, Wilcoxon signed rank) and
// between two independent samples (Welch's t), as R's stats package computes
// them with its defaults and a two-sided alternative:
//   - PairedTTest:        t.test(x, y, paired = TRUE, conf.level = level)
//   - WelchTTest:         t.test(x, y, conf.level = level)
//   - WilcoxonSignedRank: wilcox.test(x, y, paired = TRUE) on d = x - y
//
// The arithmetic follows R's: the mean and variance in two passes with long
// double sums (R's mean() and var()), the interval as (t -+ q) se, and R's
// rule for data that are "essentially constant". The exact signed-rank
// distribution is counted here, as R's psignrank does.
//
// Example:
//   auto t = cirrus::stats::PairedTTest(after, before);
//   // t->estimate, t->lower, t->upper, t->p
//   std::vector<double> d(after.size());
//   for (std::size_t i = 0; i < d.size(); ++i) d[i] = after[i] - before[i];
//   auto w = cirrus::stats::WilcoxonSignedRank(d);
//   // w->v, w->p, w->method
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "cirrus/base/result.hpp"

namespace cirrus::stats {

/// A t test: estimate (mean difference), its confidence interval, the statistic, df and two-sided p.
///
/// t, p, lower and upper are absent together when se is 0 or, by R's rule,
/// negligible: se < 10 eps max(|mean|) over the means involved (R stops with
/// "data are essentially constant"; where every mean is 0 too, R's answers
/// are NaN).
struct TTestResult {
  std::size_t n = 0;            ///< pairs (paired) or total subjects (Welch)
  double estimate = 0;          ///< paired: mean of x - y; Welch: mean(x) - mean(y)
  double sd = 0;                ///< paired: SD of the differences; Welch: 0 (unused)
  double se = 0;                ///< standard error of the estimate
  double df = 0;                ///< n - 1 (paired) or Welch-Satterthwaite; Welch: 0 when both samples are constant
  std::optional<double> t;      ///< absent when se == 0 (R: "data are essentially constant")
  std::optional<double> p;      ///< two-sided
  std::optional<double> lower;  ///< confidence interval at `level`
  std::optional<double> upper;
};

/// R's t.test(x, y, paired = TRUE, conf.level = level): a one-sample t test
/// on the differences x[i] - y[i] (computed as doubles, as R does).
/// Errors: kInvalidArgument when sizes differ, fewer than 2 pairs, a
/// non-finite value, level not in (0,1).
///
/// Example:
///   // R's sleep data: extra under drug 2 against drug 1, same patients.
///   auto t = PairedTTest(drug2, drug1);
///   // t->estimate 1.58, t->t 4.0621, t->df 9, t->p 0.002833,
///   // t->lower 0.7001, t->upper 2.4599
Result<TTestResult> PairedTTest(std::span<const double> x, std::span<const double> y, double level = 0.95);

/// R's t.test(x, y) (Welch): unequal variances, Welch-Satterthwaite df.
/// Errors: kInvalidArgument when a sample has fewer than 2 values, non-finite
/// values, bad level.
///
/// Example:
///   auto t = WelchTTest(treated, control);
///   // t->estimate = mean(treated) - mean(control), t->df, t->p
Result<TTestResult> WelchTTest(std::span<const double> x, std::span<const double> y, double level = 0.95);

/// How the p of a signed-rank test was computed.
enum class SignedRankMethod {
  kExact,            ///< the exact null distribution of V
  kNormalCorrected,  ///< normal approximation, continuity and tie corrections
};

struct SignedRankResult {
  double v = 0;             ///< R's V: sum of the ranks of the positive differences (zeros removed)
  std::optional<double> p;  ///< two-sided; absent when nothing is left after removing zeros (R gives NA)
  SignedRankMethod method = SignedRankMethod::kExact;
};

/// R's wilcox.test(x, y, paired = TRUE) on the differences d = x - y, with
/// its defaults. Zeros are dropped before ranking; the n that remain are
/// ranked by |d|, tied values (equal as doubles, no tolerance) sharing their
/// mean rank. When n < 50 and there are no ties and no zeros, p is exact:
/// min(1, 2 P(V <= v)) or min(1, 2 P(V >= v)), whichever side v is on.
/// Otherwise the normal approximation: z = (v - n(n+1)/4 - sign * 0.5) /
/// sigma, sigma^2 = n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over the tie sizes t,
/// p = 2 P(Z > |z|).
/// Errors: kInvalidArgument for an empty input or a non-finite value.
///
/// Example:
///   const std::vector<double> d = {1.5, -0.25, 3, 2, 0.5};
///   auto w = WilcoxonSignedRank(d);
///   // w->v 14, w->p 0.125 (2 x 2/32), w->method kExact
Result<SignedRankResult> WilcoxonSignedRank(std::span<const double> differences);

}  // namespace cirrus::stats
