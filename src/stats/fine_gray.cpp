#include "cirrus/stats/fine_gray.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "internal/distributions.hpp"
#include "internal/linear_algebra.hpp"
#include "internal/sorted.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::FitFineGray";

// Subject kinds, as crr codes them (its fstatus).
constexpr std::uint8_t kCensored = 0;
constexpr std::uint8_t kInterest = 1;
constexpr std::uint8_t kCompeting = 2;

// ---- the data, sorted by time ----------------------------------------------------------
struct Sorted {
  std::size_t n = 0;
  std::size_t p = 0;
  std::vector<std::uint8_t> kind;          // kCensored, kInterest or kCompeting
  std::vector<double> g_minus;             // G(T-) of each subject, as crr's approx() reads it
  std::vector<double> x;                   // row after row, centred
  std::vector<std::size_t> block_start;    // distinct times: block b is [block_start[b], block_start[b + 1])
  std::vector<std::size_t> failure_block;  // the blocks with events of interest, ascending
  std::vector<double> failure_count;       // d_k, events of interest in that block
  std::vector<std::size_t> censor_count;   // censorings per block
  mutable std::vector<double> risk;        // exp(x b), scratch
};

// What one evaluation leaves per event time of interest k (for the variance).
struct FailureSums {
  std::vector<double> s0;    // weighted size of the risk set
  std::vector<double> xbar;  // k * p + j: its weighted mean of x
};

// Log partial likelihood (and score u, information imat) at beta, by the
// forward-backward scan. At the event time t_k the risk set holds everyone
// with T >= t_k (weight exp(eta)) and every competing-event subject with
// T < t_k (weight exp(eta) G(t_k-)/G(T-)). The first part is a suffix sum
// (pass 1, backward); the second is G(t_k-) times a prefix sum of
// exp(eta)/G(T-) over earlier competing events (pass 2, forward). The
// second-moment sum of the ordinary risk set is reordered: sum_k d_k R2_k / S0_k
// = sum_i exp(eta_i) x_i x_i' H(T_i) with H(t) = sum_{t_k <= t} d_k / S0_k, so
// nothing p x p is stored per event time. Breslow ties: each of the d_k events
// at t_k contributes log S0_k once.
// Sets d.risk to exp(x_i' beta) and returns the sum of x_i' beta over the
// events of interest: the first term of the log partial likelihood.
double SetRiskScores(const Sorted& d, const std::vector<double>& beta) {
  const std::size_t p = d.p;
  d.risk.resize(d.n);
  double sum = 0;
  for (std::size_t i = 0; i < d.n; ++i) {
    const double* xi = &d.x[i * p];
    double eta = 0;
    for (std::size_t j = 0; j < p; ++j) eta += beta[j] * xi[j];
    d.risk[i] = std::exp(eta);
    if (d.kind[i] == kInterest) sum += eta;
  }
  return sum;
}

double Evaluate(const Sorted& d, const std::vector<double>& beta, std::vector<double>& u, std::vector<double>& imat,
                FailureSums* record) {
  const std::size_t p = d.p;
  const std::vector<double>& risk = d.risk;
  double loglik = SetRiskScores(d, beta);
  const std::size_t failures = d.failure_block.size();
  // Pass 1 (backward): the ordinary risk set's R0 (and R1) at each event time.
  std::vector<double> r0(failures), r1(failures * p);
  {
    double s0 = 0;
    std::vector<double> s1(p, 0.0);
    std::size_t k = failures;
    for (std::size_t b = d.block_start.size() - 1; b-- > 0;) {
      for (std::size_t i = d.block_start[b]; i < d.block_start[b + 1]; ++i) {
        s0 += risk[i];
        const double* xi = &d.x[i * p];
        for (std::size_t j = 0; j < p; ++j) s1[j] += risk[i] * xi[j];
      }
      if (k > 0 && d.failure_block[k - 1] == b) {
        --k;
        r0[k] = s0;
        std::copy(s1.begin(), s1.end(), r1.begin() + static_cast<std::ptrdiff_t>(k * p));
      }
    }
  }
  // Pass 2 (forward): competing-event prefix sums, the event-time terms.
  std::fill(u.begin(), u.end(), 0.0);
  std::fill(imat.begin(), imat.end(), 0.0);
  if (record != nullptr) {
    record->s0.assign(failures, 0.0);
    record->xbar.assign(failures * p, 0.0);
  }
  double c0 = 0;
  std::vector<double> c1(p, 0.0), c2(p * p, 0.0);
  std::vector<double> xbar(p);
  double h = 0;  // H(t): sum over event times <= t of d_k / S0_k
  std::size_t k = 0;
  for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
    const std::size_t begin = d.block_start[b];
    if (k < failures && d.failure_block[k] == b) {
      const double g = d.g_minus[begin];  // G(t_k-), the same for the whole block
      const double deaths = d.failure_count[k];
      const double s0 = r0[k] + g * c0;
      loglik -= deaths * std::log(s0);
      for (std::size_t j = 0; j < p; ++j) {
        xbar[j] = (r1[k * p + j] + g * c1[j]) / s0;
        u[j] -= deaths * xbar[j];
      }
      const double competing_share = deaths * g / s0;
      for (std::size_t j = 0; j < p; ++j) {
        for (std::size_t l = 0; l <= j; ++l) {
          imat[j * p + l] += competing_share * c2[j * p + l] - deaths * xbar[j] * xbar[l];
        }
      }
      h += deaths / s0;
      if (record != nullptr) {
        record->s0[k] = s0;
        std::copy(xbar.begin(), xbar.end(), record->xbar.begin() + static_cast<std::ptrdiff_t>(k * p));
      }
      ++k;
    }
    for (std::size_t i = begin; i < d.block_start[b + 1]; ++i) {
      const double* xi = &d.x[i * p];
      if (d.kind[i] == kInterest) {
        for (std::size_t j = 0; j < p; ++j) u[j] += xi[j];
      }
      const double rh = risk[i] * h;
      for (std::size_t j = 0; j < p; ++j) {
        for (std::size_t l = 0; l <= j; ++l) imat[j * p + l] += rh * xi[j] * xi[l];
      }
    }
    // Competing events enter the prefix sums after their own time.
    for (std::size_t i = begin; i < d.block_start[b + 1]; ++i) {
      if (d.kind[i] != kCompeting) continue;
      const double* xi = &d.x[i * p];
      const double w = risk[i] / d.g_minus[i];
      c0 += w;
      for (std::size_t j = 0; j < p; ++j) {
        c1[j] += w * xi[j];
        for (std::size_t l = 0; l <= j; ++l) c2[j * p + l] += w * xi[j] * xi[l];
      }
    }
  }
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t l = 0; l < j; ++l) imat[l * p + j] = imat[j * p + l];
  }
  return loglik;
}

// The log-likelihood alone (crr's crrf, used by the line search): the same
// two scans without the moments.
double LogLikelihood(const Sorted& d, const std::vector<double>& beta) {
  const std::vector<double>& risk = d.risk;
  double loglik = SetRiskScores(d, beta);
  const std::size_t failures = d.failure_block.size();
  std::vector<double> r0(failures);
  double s0 = 0;
  std::size_t k = failures;
  for (std::size_t b = d.block_start.size() - 1; b-- > 0;) {
    for (std::size_t i = d.block_start[b]; i < d.block_start[b + 1]; ++i) s0 += risk[i];
    if (k > 0 && d.failure_block[k - 1] == b) r0[--k] = s0;
  }
  double c0 = 0;
  for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
    if (k < failures && d.failure_block[k] == b) {
      loglik -= d.failure_count[k] * std::log(r0[k] + d.g_minus[d.block_start[b]] * c0);
      ++k;
    }
    for (std::size_t i = d.block_start[b]; i < d.block_start[b + 1]; ++i) {
      if (d.kind[i] == kCompeting) c0 += risk[i] / d.g_minus[i];
    }
  }
  return loglik;
}

// The middle of the Fine-Gray sandwich: sum_i (eta_i + psi_i)(eta_i + psi_i)'
// (crr's crrvv, v2), in one backward and one forward scan instead of crrvv's
// triple loop. eta_i is subject i's score residual:
//   [i has the event] (x_i - xbar(T_i))
//   - r_i sum_{t_k <= T_i} d_k (x_i - xbar_k) / S0_k
//   - [i competing] r_i / G(T_i-) sum_{t_k > T_i} d_k G(t_k-) (x_i - xbar_k) / S0_k.
// psi_i accounts for estimating G: with q(u) = sum_{t_k >= u} d_k G(t_k-)
// (C1(u) - xbar_k C0(u)) / S0_k, C the prefix sums over competing events
// before u, Y(u) the number with T >= u and c(u) the censorings at u,
//   psi_i = [i censored] q(T_i) / Y(T_i) - sum_{u <= T_i} c(u) q(u) / Y(u)^2.
// Every sum over event times is a prefix or a suffix sum.
std::vector<double> SandwichMeat(const Sorted& d, const FailureSums& f) {
  const std::size_t p = d.p;
  const std::size_t failures = d.failure_block.size();
  // Suffix sums over event times k' >= k of d G / S0 and d G xbar / S0.
  std::vector<double> k0(failures + 1, 0.0), kx((failures + 1) * p, 0.0);
  for (std::size_t k = failures; k-- > 0;) {
    const double w = d.failure_count[k] * d.g_minus[d.block_start[d.failure_block[k]]] / f.s0[k];
    k0[k] = k0[k + 1] + w;
    for (std::size_t j = 0; j < p; ++j) kx[k * p + j] = kx[(k + 1) * p + j] + w * f.xbar[k * p + j];
  }
  std::vector<double> meat(p * p, 0.0);
  std::vector<double> hx(p, 0.0), c1(p, 0.0), ss2(p, 0.0), q(p, 0.0), st(p);
  double h0 = 0;
  double c0 = 0;
  std::size_t k = 0;  // first event time >= the current time
  for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
    const std::size_t begin = d.block_start[b];
    const std::size_t end = d.block_start[b + 1];
    const std::size_t at_or_after = k;
    const bool has_failure = k < failures && d.failure_block[k] == b;
    const std::size_t here = k;
    if (has_failure) {
      const double w = d.failure_count[k] / f.s0[k];
      h0 += w;
      for (std::size_t j = 0; j < p; ++j) hx[j] += w * f.xbar[k * p + j];
      ++k;
    }
    const std::size_t after = k;  // first event time > the current time
    const double at_risk = static_cast<double>(d.n - begin);
    if (d.censor_count[b] > 0) {
      for (std::size_t j = 0; j < p; ++j) {
        q[j] = c1[j] * k0[at_or_after] - c0 * kx[at_or_after * p + j];
        ss2[j] -= static_cast<double>(d.censor_count[b]) * q[j] / (at_risk * at_risk);
      }
    }
    for (std::size_t i = begin; i < end; ++i) {
      const double* xi = &d.x[i * p];
      const double r = d.risk[i];
      for (std::size_t j = 0; j < p; ++j) {
        double v = -r * (xi[j] * h0 - hx[j]);
        if (d.kind[i] == kInterest) v += xi[j] - f.xbar[here * p + j];
        if (d.kind[i] == kCompeting) v -= r / d.g_minus[i] * (xi[j] * k0[after] - kx[after * p + j]);
        v += ss2[j];
        if (d.kind[i] == kCensored) v += q[j] / at_risk;
        st[j] = v;
      }
      for (std::size_t j = 0; j < p; ++j) {
        for (std::size_t l = 0; l <= j; ++l) meat[j * p + l] += st[j] * st[l];
      }
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (d.kind[i] != kCompeting) continue;
      const double w = d.risk[i] / d.g_minus[i];
      c0 += w;
      for (std::size_t j = 0; j < p; ++j) c1[j] += w * d.x[i * p + j];
    }
  }
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t l = 0; l < j; ++l) meat[l * p + j] = meat[j * p + l];
  }
  return meat;
}

Result<Sorted> Prepare(const FineGrayData& data) {
  const CompetingRisksData& cr = data.competing;
  const std::size_t n = cr.time.size();
  const std::size_t p = data.covariate_count;
  const std::string fn(kFunction);
  if (cr.cause.size() != n) return Fail(ErrorCode::kInvalidArgument, fn + ": time and cause differ in length");
  if (n == 0) return Fail(ErrorCode::kInvalidArgument, fn + ": there are no subjects");
  if (cr.cause_count < 1) return Fail(ErrorCode::kInvalidArgument, fn + ": cause_count must be >= 1");
  if (data.cause < 1 || data.cause > cr.cause_count) {
    return Fail(ErrorCode::kInvalidArgument,
                fn + ": cause " + std::to_string(data.cause) + " is not in 1.." + std::to_string(cr.cause_count));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(cr.time[i]) || cr.time[i] < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  fn + ": time[" + std::to_string(i) + "] is " + std::to_string(cr.time[i]) + ", must be >= 0");
    }
    if (cr.cause[i] < 0 || cr.cause[i] > cr.cause_count) {
      return Fail(ErrorCode::kInvalidArgument, fn + ": cause[" + std::to_string(i) + "] is " +
                                                   std::to_string(cr.cause[i]) + ", must be in 0.." +
                                                   std::to_string(cr.cause_count));
    }
  }
  if (p == 0) return Fail(ErrorCode::kInvalidArgument, fn + ": the model has no covariates");
  if (data.covariates.size() != n * p) {
    return Fail(ErrorCode::kInvalidArgument, fn + ": covariates must hold n x p values");
  }
  for (std::size_t i = 0; i < n * p; ++i) {
    if (!std::isfinite(data.covariates[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  fn + ": covariate " + std::to_string(i / n) + " of row " + std::to_string(i % n) + " is not finite");
    }
  }

  std::vector<std::uint8_t> kind_in(n);
  for (std::size_t i = 0; i < n; ++i) {
    kind_in[i] = cr.cause[i] == 0 ? kCensored : (cr.cause[i] == data.cause ? kInterest : kCompeting);
  }
  // crr compares times exactly: no timefix.
  const internal::SortedByTime sorted = internal::SortByBlockAndTime(cr.time, kind_in, {}, {}, 1, {}, false);
  Sorted d;
  d.n = n;
  d.p = p;
  d.kind = sorted.event;
  d.g_minus.resize(n);
  // The censoring Kaplan-Meier (survfit(Surv(ftime, cenind)): an event at t is
  // still at risk of censoring at t), read just before each time, as crr's
  // approx(..., ftime * (1 - 100 eps)); at time 0 that read includes the
  // censorings at 0 (the grid point 0 itself).
  double g = 1;
  for (std::size_t i = 0; i < n;) {
    std::size_t end = i;
    std::size_t censored = 0;
    double failures = 0;
    while (end < n && sorted.time[end] == sorted.time[i]) {
      censored += d.kind[end] == kCensored ? 1U : 0U;
      failures += d.kind[end] == kInterest ? 1.0 : 0.0;
      ++end;
    }
    const double before = g;
    if (censored > 0) g *= 1 - static_cast<double>(censored) / static_cast<double>(n - i);
    const double read = sorted.time[i] == 0 ? g : before;
    for (std::size_t k = i; k < end; ++k) d.g_minus[k] = read;
    if (failures > 0) {
      d.failure_block.push_back(d.block_start.size());
      d.failure_count.push_back(failures);
    }
    d.block_start.push_back(i);
    d.censor_count.push_back(censored);
    i = end;
  }
  d.block_start.push_back(n);
  if (d.failure_block.empty()) {
    return Fail(ErrorCode::kInvalidArgument, fn + ": there are no events of cause " + std::to_string(data.cause));
  }
  // Centre each column at its mean: the likelihood, score, information and
  // sandwich do not change (a common factor exp(-b'c) cancels in every ratio),
  // but exp() stays in range and the moments lose fewer digits.
  std::vector<double> mean(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += data.covariates[j * n + i];
    mean[j] = s / static_cast<double>(n);
  }
  d.x.resize(n * p);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = sorted.order[k];
    for (std::size_t j = 0; j < p; ++j) d.x[k * p + j] = data.covariates[j * n + i] - mean[j];
  }
  return d;
}

}  // namespace

Result<CoxFit> FitFineGray(const FineGrayData& data, const FineGrayOptions& options) {
  CIRRUS_ASSIGN_OR_RETURN(const Sorted d, Prepare(data));
  const std::size_t p = d.p;
  const std::string fn(kFunction);
  const auto singular = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                fn + ": the information matrix is singular (are some covariates collinear?)");
  };

  // Newton-Raphson as crr runs it, on f = -loglik: convergence is tested
  // before each step; the step is halved (at most 20 times) until
  // f(b + s) <= f(b) + 1e-4 s'(-u) (Armijo).
  std::vector<double> b(p, 0.0), u(p), imat(p * p), u0, imat0;
  double loglik = 0;
  bool converged = false;
  int iterations = 0;
  std::string warning;
  for (int ll = 0;; ++ll) {
    loglik = Evaluate(d, b, u, imat, nullptr);
    if (ll == 0) {
      u0 = u;
      imat0 = imat;
    }
    iterations = ll;
    double largest = 0;
    for (std::size_t j = 0; j < p; ++j) largest = std::max(largest, std::fabs(u[j]) * std::max(std::fabs(b[j]), 1.0));
    if (largest < std::max(std::fabs(loglik), 1.0) * options.gradient_tolerance) {
      converged = true;
      break;
    }
    if (ll >= options.max_iterations) {
      warning = "Ran out of iterations and did not converge";
      break;
    }
    std::vector<double> step = u;
    if (!internal::SolveGeneral(imat, p, step, 1)) return singular();
    double slope = 0;  // s'(-u)
    for (std::size_t j = 0; j < p; ++j) slope -= step[j] * u[j];
    std::vector<double> trial(p);
    auto try_step = [&] {
      for (std::size_t j = 0; j < p; ++j) trial[j] = b[j] + step[j];
      return -LogLikelihood(d, trial);
    };
    double f_new = try_step();
    int halvings = 0;
    bool failed = false;
    while (!(f_new <= -loglik + 1e-4 * slope)) {
      ++halvings;
      for (double& s : step) s *= 0.5;
      f_new = try_step();
      if (halvings > 20) {
        failed = true;
        break;
      }
    }
    if (failed) {
      warning = "The step halving failed to decrease -loglik; did not converge";
      break;
    }
    b = trial;
  }

  CoxFit fit;
  fit.n = d.n;
  for (double c : d.failure_count) fit.events += c;
  fit.diagnostics.converged = converged;
  fit.diagnostics.iterations = iterations;
  if (!warning.empty()) fit.diagnostics.warnings.push_back(warning);
  fit.loglik = loglik;
  fit.loglik_null = LogLikelihood(d, std::vector<double>(p, 0.0));
  fit.robust = true;
  fit.means.assign(p, 0.0);

  // Variance at the final b (imat, u and the scratch risk are at b).
  FailureSums sums;
  Evaluate(d, b, u, imat, &sums);
  std::vector<double> inverse(p * p, 0.0);
  for (std::size_t j = 0; j < p; ++j) inverse[j * p + j] = 1;
  if (!internal::SolveGeneral(imat, p, inverse, p)) return singular();
  const std::vector<double> meat = SandwichMeat(d, sums);
  std::vector<double> half(p * p, 0.0), sandwich(p * p, 0.0);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t l = 0; l < p; ++l) half[i * p + j] += inverse[i * p + l] * meat[l * p + j];
    }
  }
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t l = 0; l < p; ++l) sandwich[i * p + j] += half[i * p + l] * inverse[j * p + l];
    }
  }

  // Tests: crr's summary gives the likelihood ratio; Wald with the sandwich
  // (b' var^-1 b) and the score test at b = 0 complete the set.
  const int df = static_cast<int>(p);
  const double lr = 2 * (fit.loglik - fit.loglik_null);
  fit.lrt = {lr, df, internal::ChiSquaredUpperTail(lr, df)};
  {
    std::vector<double> solved = b;
    if (internal::SolveGeneral(sandwich, p, solved, 1)) {
      double wald = 0;
      for (std::size_t j = 0; j < p; ++j) wald += b[j] * solved[j];
      fit.wald = {wald, df, internal::ChiSquaredUpperTail(wald, df)};
    } else {
      fit.diagnostics.warnings.push_back("The sandwich variance is singular: no Wald test");
      fit.wald = {0, 0, 1};
    }
    std::vector<double> score_solved = u0;
    if (!internal::SolveGeneral(imat0, p, score_solved, 1)) return singular();
    double score = 0;
    for (std::size_t j = 0; j < p; ++j) score += u0[j] * score_solved[j];
    fit.score = {score, df, internal::ChiSquaredUpperTail(score, df)};
  }

  const double z_level = internal::NormalQuantile(1 - (1 - options.level) / 2);
  fit.variance.assign(p, std::vector<double>(p));
  fit.robust_variance.assign(p, std::vector<double>(p));
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t l = 0; l < p; ++l) {
      fit.variance[j][l] = inverse[j * p + l];
      fit.robust_variance[j][l] = sandwich[j * p + l];
    }
    CoxTerm term;
    term.coef = b[j];
    term.se = std::sqrt(inverse[j * p + j]);
    term.robust_se = std::sqrt(sandwich[j * p + j]);
    term.hr = std::exp(b[j]);
    term.lower = std::exp(b[j] - z_level * *term.robust_se);
    term.upper = std::exp(b[j] + z_level * *term.robust_se);
    term.z = b[j] / *term.robust_se;
    term.p = internal::NormalTwoSided(*term.z);
    fit.terms.push_back(term);
  }
  return fit;
}

}  // namespace cirrus::stats
