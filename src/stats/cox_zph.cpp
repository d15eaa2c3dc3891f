#include "cirrus/stats/cox_zph.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <string_view>

#include "internal/distributions.hpp"
#include "internal/sorted.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::TestProportionalHazards";

Unexpected<Error> Invalid(const std::string& what) {
  return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": " + what);
}

// g(t) at each sorted row, before centring (cox.zph's ttimes). `stop` and
// `start` are in sorted order, with R's timefix applied.
Result<std::vector<double>> TransformTimes(PhTransform transform, const std::vector<double>& stop,
                                           const std::vector<double>& start, const std::vector<std::uint8_t>& event) {
  const std::size_t n = stop.size();
  std::vector<double> g(n);
  switch (transform) {
    case PhTransform::kIdentity: g = stop; break;
    case PhTransform::kLog:
      for (std::size_t k = 0; k < n; ++k) {
        if (event[k] != 0 && !(stop[k] > 0)) return Invalid("the log transform needs event times > 0");
        // A censored row at t = 0 shares its time with no event: its g is never used.
        g[k] = stop[k] > 0 ? std::log(stop[k]) : 0.0;
      }
      break;
    case PhTransform::kRank: {
      // R's rank(times): ties get the mean of their ranks.
      std::vector<double> sorted = stop;
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t k = 0; k < n; ++k) {
        const auto lo = std::lower_bound(sorted.begin(), sorted.end(), stop[k]) - sorted.begin();
        const auto hi = std::upper_bound(sorted.begin(), sorted.end(), stop[k]) - sorted.begin();
        g[k] = static_cast<double>(lo + hi + 1) / 2.0;
      }
      break;
    }
    case PhTransform::kKm: {
      // 1 - S(t-), S the unweighted Kaplan-Meier of all rows pooled over
      // strata (R's survfitKM without weights); a (start, stop] row is at
      // risk at t when start < t <= stop.
      std::vector<double> stops = stop;
      std::vector<double> starts = start;
      std::sort(stops.begin(), stops.end());
      std::sort(starts.begin(), starts.end());
      std::vector<double> event_times;
      for (std::size_t k = 0; k < n; ++k) {
        if (event[k] != 0) event_times.push_back(stop[k]);
      }
      std::sort(event_times.begin(), event_times.end());
      std::vector<double> distinct;
      std::vector<double> surv_before;  // S(t-) at each distinct event time
      double surv = 1;
      for (std::size_t e = 0; e < event_times.size();) {
        const double t = event_times[e];
        std::size_t deaths = 0;
        while (e < event_times.size() && event_times[e] == t) {
          ++deaths;
          ++e;
        }
        const auto stopped_before = std::lower_bound(stops.begin(), stops.end(), t) - stops.begin();
        auto at_risk = static_cast<std::ptrdiff_t>(n) - stopped_before;
        if (!starts.empty()) at_risk -= starts.end() - std::lower_bound(starts.begin(), starts.end(), t);
        distinct.push_back(t);
        surv_before.push_back(surv);
        surv *= 1.0 - static_cast<double>(deaths) / static_cast<double>(at_risk);
      }
      // Every row gets its g, censored ones too: the sweep takes the time
      // weight from the first row of a tied group, which may be censored.
      surv_before.push_back(surv);
      for (std::size_t k = 0; k < n; ++k) {
        const auto at = std::lower_bound(distinct.begin(), distinct.end(), stop[k]) - distinct.begin();
        g[k] = 1.0 - surv_before[static_cast<std::size_t>(at)];
      }
      break;
    }
  }
  return g;
}

// Score u (2q) and information imat (2q x 2q, row-major) of (beta, gamma) at
// gamma = 0 for the model with the added terms x g(t): R's zph1 for
// right-censored rows, its zph2 for (start, stop] rows. Times are swept from
// the largest down within each stratum, as FitCox's pass.
struct ScoreAndInformation {
  std::vector<double> u;
  std::vector<double> imat;
};

ScoreAndInformation Accumulate(const internal::SortedByTime& s, const std::vector<double>& start,
                               const std::vector<std::size_t>& by_start, const std::vector<double>& x, std::size_t q,
                               const std::vector<double>& risk, const std::vector<double>& weight,
                               const std::vector<double>& gt, CoxTies ties) {
  const std::size_t q2 = 2 * q;
  ScoreAndInformation r{std::vector<double>(q2, 0.0), std::vector<double>(q2 * q2, 0.0)};
  std::vector<double>& u = r.u;
  auto im = [&](std::size_t i, std::size_t j) -> double& { return r.imat[i * q2 + j]; };
  std::vector<double> a(q), a2(q), cmat(q * q), cmat2(q * q);
  const bool counting = !start.empty();
  auto add = [&](std::size_t i, double sign, std::vector<double>& av, std::vector<double>& cm, double& den) {
    const double rk = sign * risk[i];
    const double* xi = &x[i * q];
    den += rk;
    for (std::size_t j = 0; j < q; ++j) {
      av[j] += rk * xi[j];
      for (std::size_t k = 0; k <= j; ++k) cm[j * q + k] += rk * xi[j] * xi[k];
    }
  };
  // One term of the information: the weighted covariance at this step, with
  // its time weights on the three blocks.
  auto info = [&](double wt, double timewt, double denom) {
    for (std::size_t i = 0; i < q; ++i) {
      const double mean = a[i] / denom;
      u[i] -= wt * mean;
      u[i + q] -= timewt * wt * mean;
      for (std::size_t j = 0; j <= i; ++j) {
        const double temp = wt * (cmat[i * q + j] - mean * a[j]) / denom;
        im(j, i) += temp;
        im(j, i + q) += temp * timewt;
        im(j + q, i + q) += temp * timewt * timewt;
      }
    }
  };

  for (std::size_t b = 0; b + 1 < s.block_start.size(); ++b) {
    const std::size_t begin = s.block_start[b];
    const std::size_t end = s.block_start[b + 1];
    double denom = 0;
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(cmat.begin(), cmat.end(), 0.0);
    std::size_t next_removal = end;
    std::size_t person = end;
    while (person > begin) {
      const double t = s.time[person - 1];
      if (counting) {
        while (next_removal > begin && start[by_start[next_removal - 1]] >= t) {
          add(by_start[next_removal - 1], -1.0, a, cmat, denom);
          --next_removal;
        }
      }
      const double timewt = gt[person - 1];
      double deaths = 0;
      double death_weight = 0;
      double denom2 = 0;
      std::fill(a2.begin(), a2.end(), 0.0);
      std::fill(cmat2.begin(), cmat2.end(), 0.0);
      while (person > begin && s.time[person - 1] == t) {
        const std::size_t i = person - 1;
        if (s.event[i] == 0) {
          add(i, 1.0, a, cmat, denom);
        } else {
          deaths += 1;
          death_weight += weight[i];
          for (std::size_t j = 0; j < q; ++j) {
            u[j] += weight[i] * x[i * q + j];
            u[j + q] += timewt * weight[i] * x[i * q + j];
          }
          add(i, 1.0, a2, cmat2, denom2);
        }
        --person;
      }
      if (deaths == 0) continue;
      if (ties == CoxTies::kBreslow || deaths == 1) {
        denom += denom2;
        for (std::size_t j = 0; j < q; ++j) a[j] += a2[j];
        for (std::size_t j = 0; j < q * q; ++j) cmat[j] += cmat2[j];
        info(death_weight, timewt, denom);
      } else {
        // Efron: the tied deaths enter a fraction 1/d at a time, each term
        // with the mean death weight.
        const double mean_weight = death_weight / deaths;
        const auto steps = static_cast<int>(deaths);
        for (int step = 0; step < steps; ++step) {
          denom += denom2 / deaths;
          for (std::size_t j = 0; j < q; ++j) a[j] += a2[j] / deaths;
          for (std::size_t j = 0; j < q * q; ++j) cmat[j] += cmat2[j] / deaths;
          info(mean_weight, timewt, denom);
        }
      }
    }
  }
  // Fill in the symmetric parts, as zph1 does.
  for (std::size_t i = 0; i < q; ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      im(i, j) = im(j, i);
      im(i, j + q) = im(j, i + q);
      im(i + q, j + q) = im(j + q, i + q);
    }
  }
  for (std::size_t i = 0; i < q; ++i) {
    for (std::size_t j = 0; j < q; ++j) im(i + q, j) = im(j, i + q);
  }
  return r;
}

// u' A^-1 u for the rows and columns `keep` of the 2q x 2q information, by
// LU with partial pivoting as R's solve().
double QuadraticForm(const std::vector<double>& imat, std::size_t q2, const std::vector<std::size_t>& keep,
                     const std::vector<double>& u) {
  const auto m = static_cast<Eigen::Index>(keep.size());
  Eigen::MatrixXd a(m, m);
  Eigen::VectorXd v(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    v(i) = u[keep[static_cast<std::size_t>(i)]];
    for (Eigen::Index j = 0; j < m; ++j) {
      a(i, j) = imat[keep[static_cast<std::size_t>(i)] * q2 + keep[static_cast<std::size_t>(j)]];
    }
  }
  const Eigen::VectorXd solved = a.partialPivLu().solve(v);
  return solved.dot(v);
}

}  // namespace

const char* PhTransformName(PhTransform transform) {
  switch (transform) {
    case PhTransform::kKm: return "km";
    case PhTransform::kIdentity: return "identity";
    case PhTransform::kRank: return "rank";
    case PhTransform::kLog: return "log";
  }
  return "km";
}

Result<PhTest> TestProportionalHazards(const CoxData& data, const CoxFit& fit, const PhTestOptions& options) {
  const SurvivalData& s = data.survival;
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(kFunction, s));
  const std::size_t n = s.time.size();
  const std::size_t p = data.covariate_count;
  if (p == 0) return Invalid("the model has no covariates");
  if (data.covariates.size() != n * p) return Invalid("covariates must hold n x p values");
  for (std::size_t i = 0; i < n * p; ++i) {
    if (!std::isfinite(data.covariates[i])) {
      return Invalid("covariate " + std::to_string(i / n) + " of row " + std::to_string(i % n) + " is not finite");
    }
  }
  if (fit.terms.size() != p) {
    return Invalid("the fit has " + std::to_string(fit.terms.size()) + " terms but the data " + std::to_string(p) +
                   " covariates");
  }
  const int strata_count = data.strata.empty() ? 1 : data.strata_count;
  if (!data.strata.empty()) {
    if (data.strata.size() != n) return Invalid("strata need one code per row");
    for (int code : data.strata) {
      if (code < 0 || code >= strata_count) return Invalid("stratum code out of range");
    }
  }
  std::vector<std::size_t> kept;  // covariates with a coefficient (R drops the NA ones)
  for (std::size_t j = 0; j < p; ++j) {
    if (fit.terms[j].coef) kept.push_back(j);
  }
  if (kept.empty()) return Invalid("the fit has no estimated coefficient");
  const std::size_t q = kept.size();

  // Sorted by (stratum, stop) with R's timefix, as FitCox sorts.
  const bool counting = !s.entry.empty();
  FixedTimes fixed;
  if (counting) {
    fixed = TimeFix(s.time, s.entry);
    for (std::size_t i = 0; i < n; ++i) {
      if (!(fixed.entry[i] < fixed.time[i])) {
        return Invalid("start and stop of row " + std::to_string(i) + " are equal after merging near-equal times");
      }
    }
  }
  const internal::SortedByTime sorted =
      internal::SortByBlockAndTime(counting ? std::span<const double>(fixed.time) : s.time, s.event, s.weight,
                                   data.strata, strata_count, {}, !counting);
  bool any_event = false;
  for (std::uint8_t e : sorted.event) any_event = any_event || e != 0;
  if (!any_event) return Invalid("there are no events");
  std::vector<double> start;
  std::vector<std::size_t> by_start;
  if (counting) {
    start.resize(n);
    for (std::size_t k = 0; k < n; ++k) start[k] = fixed.entry[sorted.order[k]];
    by_start.resize(n);
    std::iota(by_start.begin(), by_start.end(), std::size_t{0});
    for (std::size_t b = 0; b + 1 < sorted.block_start.size(); ++b) {
      std::sort(by_start.begin() + static_cast<std::ptrdiff_t>(sorted.block_start[b]),
                by_start.begin() + static_cast<std::ptrdiff_t>(sorted.block_start[b + 1]),
                [&](std::size_t x, std::size_t y) { return start[x] < start[y]; });
    }
  }
  std::vector<double> weight(n, 1.0);
  if (!s.weight.empty()) {
    for (std::size_t k = 0; k < n; ++k) weight[k] = s.weight[sorted.order[k]];
  }

  // The kept columns, re-centred at their unweighted mean for stability (as
  // zph1), row after row in sorted order; the risk score from the fitted
  // coefficients (a constant shift of eta cancels).
  std::vector<double> x(n * q);
  for (std::size_t c = 0; c < q; ++c) {
    const double* column = &data.covariates[kept[c] * n];
    const double mean = std::accumulate(column, column + n, 0.0) / static_cast<double>(n);
    for (std::size_t k = 0; k < n; ++k) x[k * q + c] = column[sorted.order[k]] - mean;
  }
  std::vector<double> risk(n);
  for (std::size_t k = 0; k < n; ++k) {
    double eta = 0;
    for (std::size_t c = 0; c < q; ++c) eta += *fit.terms[kept[c]].coef * x[k * q + c];
    risk[k] = std::exp(eta) * weight[k];
  }

  // g(t), centred at its mean over the event rows.
  CIRRUS_ASSIGN_OR_RETURN(std::vector<double> gt, TransformTimes(options.transform, sorted.time, start, sorted.event));
  double g_sum = 0;
  double g_count = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (sorted.event[k] != 0) {
      g_sum += gt[k];
      g_count += 1;
    }
  }
  const double g_mean = g_sum / g_count;
  for (double& g : gt) g -= g_mean;

  const ScoreAndInformation si = Accumulate(sorted, start, by_start, x, q, risk, weight, gt, fit.ties);
  // The score for beta is 0 at the fitted beta; R sets it so exactly.
  std::vector<double> u(2 * q, 0.0);
  for (std::size_t c = 0; c < q; ++c) u[q + c] = si.u[q + c];

  PhTest result;
  result.transform = options.transform;
  result.terms.assign(p, std::nullopt);
  std::vector<std::size_t> keep(q + 1);
  std::iota(keep.begin(), keep.begin() + static_cast<std::ptrdiff_t>(q), std::size_t{0});
  for (std::size_t c = 0; c < q; ++c) {
    keep[q] = q + c;
    const double chisq = QuadraticForm(si.imat, 2 * q, keep, u);
    result.terms[kept[c]] = ChiSquaredTest{chisq, 1, internal::ChiSquaredUpperTail(chisq, 1)};
  }
  std::vector<std::size_t> all(2 * q);
  std::iota(all.begin(), all.end(), std::size_t{0});
  const double global = QuadraticForm(si.imat, 2 * q, all, u);
  const int df = static_cast<int>(q);
  result.global = {global, df, internal::ChiSquaredUpperTail(global, df)};
  return result;
}

}  // namespace cirrus::stats
