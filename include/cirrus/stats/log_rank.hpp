// cirrus/stats/log_rank.hpp: the log-rank test and the Fleming-Harrington
// G(rho, gamma) family, stratified, with pairwise comparisons.
//
// As R's survival::survdiff for gamma = 0 (rho = 0 log-rank, rho = 1 Peto-
// Peto): at each distinct event time within a stratum, the weight is
// S(t-)^rho (1 - S(t-))^gamma, with S the pooled, unweighted,
// left-continuous Kaplan-Meier of the stratum; observed, expected and the
// hypergeometric variance are summed over strata; chi-squared is
// (O - E)' V^-1 (O - E) on the groups with E > 0, leaving out the first.
// gamma > 0 weights late differences: G(0, 1) is the test for a delayed
// treatment effect.
//
// Example:
//   auto test = cirrus::stats::LogRankTest({time, event}, arm, 2);
//   // test->chisq, test->df == 1, test->p
#pragma once

#include <span>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/stats/survival_data.hpp"

namespace cirrus::stats {

struct LogRankOptions {
  double rho = 0;    ///< weight exponent on S(t-)
  double gamma = 0;  ///< weight exponent on 1 - S(t-)
};

struct LogRankGroup {
  std::size_t n = 0;    ///< subjects in the group
  double observed = 0;  ///< weighted observed events (R's obs)
  double expected = 0;  ///< weighted expected events (R's exp)
};

struct LogRankResult {
  double chisq = 0;
  int df = 0;
  double p = 1;
  std::vector<LogRankGroup> groups;
  std::vector<std::vector<double>> variance;  ///< group_count x group_count (R's var)
};

/// group[i] in [0, group_count); strata empty, or strata[i] in [0, strata_count).
/// Case weights and delayed entry are refused, as survdiff refuses them.
/// Errors: kInvalidArgument for bad data, fewer than two groups, weights or entry.
Result<LogRankResult> LogRankTest(const SurvivalData& data, std::span<const int> group, int group_count,
                                  std::span<const int> strata = {}, int strata_count = 1,
                                  const LogRankOptions& options = {});

/// One comparison of two groups out of several.
struct PairwiseComparison {
  int first = 0;   ///< group code
  int second = 0;  ///< group code
  double chisq = 0;
  double p = 1;
  double p_holm = 1;  ///< Holm-adjusted over all pairs
};

/// Every pair of non-empty groups, each tested on its own two groups' data
/// (as survdiff on the subset), with Holm's step-down adjustment.
Result<std::vector<PairwiseComparison>> PairwiseLogRank(const SurvivalData& data, std::span<const int> group,
                                                        int group_count, std::span<const int> strata = {},
                                                        int strata_count = 1, const LogRankOptions& options = {});

}  // namespace cirrus::stats
