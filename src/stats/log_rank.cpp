#include "cirrus/stats/log_rank.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "internal/distributions.hpp"
#include "internal/sorted.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::LogRankTest";

}  // namespace

Result<LogRankResult> LogRankTest(const SurvivalData& data, std::span<const int> group, int group_count,
                                  std::span<const int> strata, int strata_count, const LogRankOptions& options) {
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(kFunction, data));
  const std::size_t n = data.time.size();
  if (!data.weight.empty() || !data.entry.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": case weights and delayed entry are not defined for the log-rank test");
  }
  if (group.size() != n || (!strata.empty() && strata.size() != n)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": group and strata need one code per subject");
  }
  if (group_count < 2) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": the test needs at least two groups", "group");
  }
  if (!(options.rho >= 0) || !(options.gamma >= 0) || !std::isfinite(options.rho) || !std::isfinite(options.gamma)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": rho and gamma must be finite and >= 0");
  }
  const auto k = static_cast<std::size_t>(group_count);
  for (std::size_t i = 0; i < n; ++i) {
    if (group[i] < 0 || group[i] >= group_count || (!strata.empty() && (strata[i] < 0 || strata[i] >= strata_count))) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(kFunction) + ": group or stratum code out of range at index " + std::to_string(i));
    }
  }
  // One sort by (stratum, time), with timefix. Events before censorings needs
  // no order here: all rows at a time leave the risk set together.
  const internal::SortedByTime sorted =
      internal::SortByBlockAndTime(data.time, data.event, {}, strata, strata.empty() ? 1 : strata_count, group);

  LogRankResult result;
  result.groups.resize(k);
  for (std::size_t i = 0; i < n; ++i) ++result.groups[static_cast<std::size_t>(group[i])].n;
  Eigen::MatrixXd variance = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  std::vector<double> at_risk(k);
  std::vector<double> deaths(k);
  const std::vector<double>& time = sorted.time;
  const std::vector<std::uint8_t>& event = sorted.event;
  const std::vector<int>& label = sorted.label;

  for (std::size_t b = 0; b + 1 < sorted.block_start.size(); ++b) {
    const std::size_t begin = sorted.block_start[b];
    const std::size_t stratum_end = sorted.block_start[b + 1];
    if (begin == stratum_end) continue;
    std::fill(at_risk.begin(), at_risk.end(), 0.0);
    for (std::size_t r = begin; r < stratum_end; ++r) at_risk[static_cast<std::size_t>(label[r])] += 1;
    double total = static_cast<double>(stratum_end - begin);
    double km = 1;  // pooled KM just before the current time (left-continuous)

    for (std::size_t start = begin; start < stratum_end;) {
      const double t = time[start];
      std::size_t end = start;
      std::fill(deaths.begin(), deaths.end(), 0.0);
      double d = 0;
      for (; end < stratum_end && time[end] == t; ++end) {
        if (event[end] != 0) {
          deaths[static_cast<std::size_t>(label[end])] += 1;
          d += 1;
        }
      }
      if (d > 0) {
        const double weight = std::pow(km, options.rho) * std::pow(1.0 - km, options.gamma);
        for (std::size_t g = 0; g < k; ++g) {
          result.groups[g].observed += weight * deaths[g];
          result.groups[g].expected += weight * d * at_risk[g] / total;
        }
        if (total > 1) {
          const double factor = weight * weight * d * (total - d) / (total * (total - 1));
          for (std::size_t a = 0; a < k; ++a) {
            for (std::size_t c = 0; c < k; ++c) {
              const double delta = a == c ? 1.0 : 0.0;
              variance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(c)) +=
                  factor * at_risk[a] * (delta - at_risk[c] / total);
            }
          }
        }
        km *= (total - d) / total;
      }
      // Everyone at this time leaves the risk set after it.
      for (std::size_t r = start; r < end; ++r) at_risk[static_cast<std::size_t>(label[r])] -= 1;
      total -= static_cast<double>(end - start);
      start = end;
    }
  }

  // Quadratic form on groups with E > 0, leaving out the first of them.
  std::vector<Eigen::Index> kept;
  for (std::size_t g = 0; g < k; ++g) {
    if (result.groups[g].expected > 0) kept.push_back(static_cast<Eigen::Index>(g));
  }
  result.df = static_cast<int>(kept.size()) - 1;
  if (kept.size() >= 2) {
    const auto m = static_cast<Eigen::Index>(kept.size() - 1);
    Eigen::MatrixXd v(m, m);
    Eigen::VectorXd diff(m);
    for (Eigen::Index a = 0; a < m; ++a) {
      const auto ga = static_cast<std::size_t>(kept[static_cast<std::size_t>(a + 1)]);
      diff(a) = result.groups[ga].observed - result.groups[ga].expected;
      for (Eigen::Index b = 0; b < m; ++b)
        v(a, b) = variance(kept[static_cast<std::size_t>(a + 1)], kept[static_cast<std::size_t>(b + 1)]);
    }
    const Eigen::VectorXd solved = v.fullPivLu().solve(diff);
    result.chisq = diff.dot(solved);
    result.p = internal::ChiSquaredUpperTail(result.chisq, result.df);
  } else {
    result.df = std::max(result.df, 0);
  }
  result.variance.assign(k, std::vector<double>(k));
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b)
      result.variance[a][b] = variance(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b));
  }
  return result;
}

Result<std::vector<PairwiseComparison>> PairwiseLogRank(const SurvivalData& data, std::span<const int> group,
                                                        int group_count, std::span<const int> strata, int strata_count,
                                                        const LogRankOptions& options) {
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData("stats::PairwiseLogRank", data));
  // Each pair is tested on (time, event) alone, so weights or entry would be dropped silently.
  if (!data.weight.empty() || !data.entry.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "stats::PairwiseLogRank: case weights and delayed entry are not defined for the log-rank test");
  }
  if (group.size() != data.time.size()) {
    return Fail(ErrorCode::kInvalidArgument, "stats::PairwiseLogRank: group needs one code per subject");
  }
  if (group_count < 2) {
    return Fail(ErrorCode::kInvalidArgument, "stats::PairwiseLogRank: the test needs at least two groups", "group");
  }
  std::vector<std::size_t> sizes(static_cast<std::size_t>(group_count));
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] < 0 || group[i] >= group_count) {
      return Fail(ErrorCode::kInvalidArgument,
                  "stats::PairwiseLogRank: group code out of range at index " + std::to_string(i), "group");
    }
    ++sizes[static_cast<std::size_t>(group[i])];
  }
  std::vector<PairwiseComparison> pairs;
  for (int a = 0; a < group_count; ++a) {
    for (int b = a + 1; b < group_count; ++b) {
      if (sizes[static_cast<std::size_t>(a)] == 0 || sizes[static_cast<std::size_t>(b)] == 0) continue;
      std::vector<double> time;
      std::vector<std::uint8_t> event;
      std::vector<int> sub_group;
      std::vector<int> sub_strata;
      for (std::size_t i = 0; i < group.size(); ++i) {
        if (group[i] != a && group[i] != b) continue;
        time.push_back(data.time[i]);
        event.push_back(data.event[i]);
        sub_group.push_back(group[i] == a ? 0 : 1);
        if (!strata.empty()) sub_strata.push_back(strata[i]);
      }
      CIRRUS_ASSIGN_OR_RETURN(const LogRankResult r,
                              LogRankTest({time, event}, sub_group, 2, sub_strata, strata_count, options));
      pairs.push_back(PairwiseComparison{a, b, r.chisq, r.p, r.p});
    }
  }
  // Holm: sort p ascending, multiply the i-th smallest by (m - i), keep monotone.
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return pairs[x].p < pairs[y].p; });
  double running = 0;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const double adjusted = std::min(1.0, static_cast<double>(order.size() - rank) * pairs[order[rank]].p);
    running = std::max(running, adjusted);
    pairs[order[rank]].p_holm = running;
  }
  return pairs;
}

}  // namespace cirrus::stats
