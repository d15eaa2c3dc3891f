#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/text.hpp"
#include "cirrus/stats/longitudinal.hpp"
#include "internal/distributions.hpp"
#include "internal/linear_algebra.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::FitAncova";

// R's lm (dqrdc2) declares a column redundant when its remaining norm falls
// below 1e-7 of its original norm.
constexpr double kRankTolerance = 1e-7;

Status Validate(const AncovaData& data, double level) {
  const std::size_t n = data.outcome.size();
  auto fail = [](std::string message, std::string field) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": " + std::move(message), std::move(field));
  };
  if (data.baseline.size() != n) return fail("outcome and baseline differ in length", "baseline");
  if (!data.group.empty() && data.group.size() != n) return fail("outcome and group differ in length", "group");
  if (data.covariates.size() != n * data.covariate_count) {
    return fail("covariates must hold rows x covariate_count values", "covariates");
  }
  if (data.group_count < 1 || (data.group.empty() && data.group_count != 1)) {
    return fail("group_count is " + std::to_string(data.group_count) + " without matching codes", "group");
  }
  if (!(level > 0 && level < 1)) return fail("level is " + ShortestText(level) + ", must lie in (0, 1)", "level");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(data.outcome[i]) || !std::isfinite(data.baseline[i])) {
      return fail("row " + std::to_string(i) + " holds a value that is not finite", "outcome");
    }
  }
  for (const double c : data.covariates) {
    if (!std::isfinite(c)) return fail("a covariate value is not finite", "covariates");
  }
  std::vector<std::size_t> counts(static_cast<std::size_t>(data.group_count), data.group.empty() ? n : 0);
  for (const int g : data.group) {
    if (g < 0 || g >= data.group_count) return fail("group code " + std::to_string(g) + " is out of range", "group");
    ++counts[static_cast<std::size_t>(g)];
  }
  for (std::size_t g = 0; g < counts.size(); ++g) {
    if (counts[g] == 0) return fail("group " + std::to_string(g) + " has no row", "group");
  }
  const std::size_t p = 2 + static_cast<std::size_t>(data.group_count - 1) + data.covariate_count;
  if (n <= p) {
    return fail(std::to_string(n) + " rows leave no residual degree of freedom for " + std::to_string(p) + " terms",
                "outcome");
  }
  return {};
}

}  // namespace

Result<AncovaResult> FitAncova(const AncovaData& data, double level) {
  CIRRUS_RETURN_IF_ERROR(Validate(data, level));
  const auto n = static_cast<Eigen::Index>(data.outcome.size());
  const auto groups = static_cast<Eigen::Index>(data.group_count);
  const auto covariates = static_cast<Eigen::Index>(data.covariate_count);
  const Eigen::Index p = 2 + (groups - 1) + covariates;

  // R's model matrix: (Intercept), baseline, group dummies, covariates.
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, p);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto row = static_cast<std::size_t>(i);
    y(i) = data.outcome[row];
    x(i, 0) = 1;
    x(i, 1) = data.baseline[row];
    if (!data.group.empty() && data.group[row] > 0) x(i, 1 + data.group[row]) = 1;
    for (Eigen::Index c = 0; c < covariates; ++c) {
      x(i, 1 + groups + c) = data.covariates[static_cast<std::size_t>(c * n + i)];
    }
  }

  const Eigen::Index dependent = internal::FirstDependentColumn(x, kRankTolerance);
  if (dependent < p) {
    const auto column = static_cast<std::size_t>(dependent);
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": term " + std::to_string(column) +
                    " is a linear combination of the terms before it and cannot be estimated",
                std::to_string(column));
  }
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  const Eigen::VectorXd beta = qr.solve(y);
  const double rss = (y - x * beta).squaredNorm();
  const double residual_df = static_cast<double>(n - p);
  const double sigma2 = rss / residual_df;

  // (X'X)^-1 = P R^-1 R^-T P' from the factor, never from X'X itself.
  const Eigen::MatrixXd r = qr.matrixR().topLeftCorner(p, p).triangularView<Eigen::Upper>();
  const Eigen::MatrixXd r_inverse = r.triangularView<Eigen::Upper>().solve(Eigen::MatrixXd::Identity(p, p));
  const Eigen::MatrixXd unpermuted = qr.colsPermutation() * r_inverse;
  const Eigen::MatrixXd covariance = sigma2 * (unpermuted * unpermuted.transpose());

  AncovaResult out;
  out.n = static_cast<std::size_t>(n);
  out.residual_df = residual_df;
  out.sigma = std::sqrt(sigma2);
  const double q = internal::StudentTQuantile(1 - (1 - level) / 2, residual_df);
  for (Eigen::Index j = 0; j < p; ++j) {
    RegressionTerm term;
    term.coef = beta(j);
    term.se = std::sqrt(covariance(j, j));
    term.t = term.coef / term.se;
    term.p = internal::StudentTTwoSided(term.t, residual_df);
    out.terms.push_back(term);
  }

  // emmeans' reference grid: every numeric column at its mean over the rows.
  const Eigen::RowVectorXd means = x.colwise().mean();
  std::vector<std::size_t> counts(static_cast<std::size_t>(groups), data.group.empty() ? out.n : 0);
  for (const int g : data.group) ++counts[static_cast<std::size_t>(g)];
  for (Eigen::Index g = 0; g < groups; ++g) {
    Eigen::RowVectorXd l = means;
    for (Eigen::Index h = 1; h < groups; ++h) l(1 + h) = h == g ? 1 : 0;
    AdjustedMean mean;
    mean.group = static_cast<int>(g);
    mean.n = counts[static_cast<std::size_t>(g)];
    mean.estimate = l.dot(beta);
    mean.se = std::sqrt(l * covariance * l.transpose());
    mean.df = residual_df;
    mean.lower = mean.estimate - q * mean.se;
    mean.upper = mean.estimate + q * mean.se;
    out.groups.push_back(mean);
  }
  // Without an interaction, a group's difference from the reference is its coefficient.
  for (Eigen::Index g = 1; g < groups; ++g) {
    const RegressionTerm& term = out.terms[static_cast<std::size_t>(1 + g)];
    AdjustedDifference difference;
    difference.group = static_cast<int>(g);
    difference.estimate = term.coef;
    difference.se = term.se;
    difference.df = residual_df;
    difference.lower = term.coef - q * term.se;
    difference.upper = term.coef + q * term.se;
    difference.t = term.t;
    difference.p = term.p;
    out.differences.push_back(difference);
  }
  return out;
}

}  // namespace cirrus::stats
