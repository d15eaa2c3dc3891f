#include "cirrus/stats/cox.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "internal/distributions.hpp"
#include "internal/linear_algebra.hpp"
#include "internal/sorted.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::FitCox";

// ---- the data, sorted by stratum and time ----------------------------------------
struct Sorted {
  std::size_t n = 0;
  std::size_t p = 0;
  std::vector<double> stop;
  std::vector<double> start;  // empty: right-censored data
  std::vector<std::uint8_t> event;
  std::vector<double> weight;
  std::vector<double> x;  // row after row (p values each), centred and scaled, in sorted order
  std::vector<std::size_t> block_start;
  std::vector<std::size_t> by_start;  // counting process: positions sorted by (stratum, start)
  std::vector<std::size_t> row;       // original row of each sorted position
  // Scratch reused by every pass (a fresh million-element vector per pass
  // costs page faults).
  mutable std::vector<double> eta;
  mutable std::vector<double> risk;
};

// Per distinct event time: what the residuals need.
struct EventTime {
  double time = 0;
  std::size_t block = 0;
  double deaths = 0;
  double death_weight = 0;
  double denom = 0;        // risk-weighted sum over the risk set, deaths included
  double e_denom = 0;      // the same over the deaths
  std::vector<double> a;   // risk-weighted sum of x over the risk set
  std::vector<double> a2;  // over the deaths
};

// One pass over the data: log partial likelihood, score u and information
// imat at beta (R's coxfit6_iter / agfit4's inner loop). Times are swept from
// the largest down, adding each row at its stop time and, for (start, stop]
// data, removing it once the sweep reaches its start.
double Evaluate(const Sorted& d, CoxTies ties, const std::vector<double>& beta, std::vector<double>& u,
                std::vector<double>& imat, std::vector<EventTime>* record) {
  const std::size_t n = d.n;
  const std::size_t p = d.p;
  std::fill(u.begin(), u.end(), 0.0);
  std::fill(imat.begin(), imat.end(), 0.0);
  // Rows are contiguous (p values each), so one pass gives eta and the risk.
  std::vector<double>& eta = d.eta;
  std::vector<double>& risk = d.risk;
  eta.resize(n);
  risk.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double* xi = &d.x[i * p];
    double e = 0;
    for (std::size_t j = 0; j < p; ++j) e += beta[j] * xi[j];
    eta[i] = e;
    risk[i] = std::exp(e) * d.weight[i];
  }

  std::vector<double> a(p), a2(p), cmat(p * p), cmat2(p * p);
  double loglik = 0;
  const bool counting = !d.start.empty();
  auto add = [&](std::size_t i, double sign, std::vector<double>& av, std::vector<double>& cm, double& den) {
    const double r = sign * risk[i];
    const double* xi = &d.x[i * p];
    den += r;
    for (std::size_t j = 0; j < p; ++j) {
      const double rx = r * xi[j];
      av[j] += rx;
      double* row = &cm[j * p];
      for (std::size_t k = 0; k <= j; ++k) row[k] += rx * xi[k];
    }
  };

  for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
    const std::size_t begin = d.block_start[b];
    const std::size_t end = d.block_start[b + 1];
    double denom = 0;
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(cmat.begin(), cmat.end(), 0.0);
    std::size_t next_removal = end;  // into by_start (positions begin..end-1 of that order)
    std::size_t person = end;
    while (person > begin) {
      const double t = d.stop[person - 1];
      if (counting) {
        while (next_removal > begin && d.start[d.by_start[next_removal - 1]] >= t) {
          add(d.by_start[next_removal - 1], -1.0, a, cmat, denom);
          --next_removal;
        }
      }
      double deaths = 0;
      double death_weight = 0;
      double denom2 = 0;
      // The deaths' sums are cleared after the time that used them (below),
      // not before every distinct time: most times in large data are
      // censorings, and the clearing was a fifth of the scan.
      while (person > begin && d.stop[person - 1] == t) {
        const std::size_t i = person - 1;
        if (d.event[i] == 0) {
          add(i, 1.0, a, cmat, denom);
        } else {
          deaths += 1;
          death_weight += d.weight[i];
          loglik += d.weight[i] * eta[i];
          const double* xi = &d.x[i * p];
          for (std::size_t j = 0; j < p; ++j) u[j] += d.weight[i] * xi[j];
          add(i, 1.0, a2, cmat2, denom2);
        }
        --person;
      }
      if (deaths == 0) continue;
      if (record != nullptr) {
        EventTime e;
        e.time = t;
        e.block = b;
        e.deaths = deaths;
        e.death_weight = death_weight;
        e.denom = denom + denom2;
        e.e_denom = denom2;
        e.a.resize(p);
        e.a2 = a2;
        for (std::size_t j = 0; j < p; ++j) e.a[j] = a[j] + a2[j];
        record->push_back(std::move(e));
      }
      if (ties == CoxTies::kBreslow || deaths == 1) {
        denom += denom2;
        loglik -= death_weight * std::log(denom);
        const double scale = death_weight / denom;
        for (std::size_t j = 0; j < p; ++j) a[j] += a2[j];
        for (std::size_t j = 0; j < p; ++j) {
          const double mean = a[j] / denom;
          u[j] -= death_weight * mean;
          for (std::size_t k = 0; k <= j; ++k) {
            cmat[j * p + k] += cmat2[j * p + k];
            imat[j * p + k] += scale * (cmat[j * p + k] - mean * a[k]);
          }
        }
      } else {
        // Efron: the tied deaths enter the sums a fraction 1/d at a time, and
        // each of the d terms carries the mean death weight (R's coxfit6).
        const double mean_weight = death_weight / deaths;
        const auto steps = static_cast<int>(deaths);
        for (int step = 0; step < steps; ++step) {
          denom += denom2 / deaths;
          loglik -= mean_weight * std::log(denom);
          for (std::size_t j = 0; j < p; ++j) {
            a[j] += a2[j] / deaths;
            const double mean = a[j] / denom;
            u[j] -= mean_weight * mean;
            for (std::size_t k = 0; k <= j; ++k) {
              cmat[j * p + k] += cmat2[j * p + k] / deaths;
              imat[j * p + k] += mean_weight * (cmat[j * p + k] - mean * a[k]) / denom;
            }
          }
        }
      }
      std::fill(a2.begin(), a2.end(), 0.0);
      std::fill(cmat2.begin(), cmat2.end(), 0.0);
    }
  }
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t k = 0; k < j; ++k) imat[k * p + j] = imat[j * p + k];
  }
  return loglik;
}

// Score residuals (R's coxscore2 for right-censored rows, agscore for
// (start, stop]), in O((n + events) p) with running sums over event times:
// row k loses score_k (x_k H - G) accumulated over the event times at which
// it is at risk, and gains (x_k - mean) at its own death (Efron: averaged
// over the d fractional terms, with its own weight reduced in them).
std::vector<double> ScoreResiduals(const Sorted& d, CoxTies ties, const std::vector<double>& beta,
                                   const std::vector<EventTime>& events) {
  const std::size_t n = d.n;
  const std::size_t p = d.p;
  std::vector<double> score(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double eta = 0;
    for (std::size_t j = 0; j < p; ++j) eta += beta[j] * d.x[i * p + j];
    score[i] = std::exp(eta);
  }
  // Events were recorded from the largest time down, block by block.
  std::vector<const EventTime*> ordered;
  ordered.reserve(events.size());
  for (const EventTime& e : events) ordered.push_back(&e);
  std::sort(ordered.begin(), ordered.end(), [](const EventTime* x, const EventTime* y) {
    return x->block != y->block ? x->block < y->block : x->time < y->time;
  });
  // Per event time: the cumulative H and G up to and including it, and the
  // Efron terms its own deaths need.
  const std::size_t m = ordered.size();
  std::vector<double> cum_h(m), cum_g(m * p);
  std::vector<double> own_mean(m * p), own_h(m), own_hm(m * p);
  double h = 0;
  std::vector<double> g(p, 0.0);
  std::size_t current_block = std::numeric_limits<std::size_t>::max();
  for (std::size_t e = 0; e < m; ++e) {
    const EventTime& ev = *ordered[e];
    if (ev.block != current_block) {
      h = 0;
      std::fill(g.begin(), g.end(), 0.0);
      current_block = ev.block;
    }
    const bool efron = ties == CoxTies::kEfron && ev.deaths > 1;
    const auto steps = efron ? static_cast<int>(ev.deaths) : 1;
    for (std::size_t j = 0; j < p; ++j) own_mean[e * p + j] = own_hm[e * p + j] = 0;
    own_h[e] = 0;
    for (int step = 0; step < steps; ++step) {
      const double down = efron ? step / ev.deaths : 0.0;
      const double denom = ev.denom - down * ev.e_denom;
      const double hazard = (efron ? ev.death_weight / ev.deaths : ev.death_weight) / denom;
      h += hazard;
      own_h[e] += down * hazard;
      for (std::size_t j = 0; j < p; ++j) {
        const double mean = (ev.a[j] - down * ev.a2[j]) / denom;
        g[j] += hazard * mean;
        own_mean[e * p + j] += mean / steps;
        own_hm[e * p + j] += down * hazard * mean;
      }
    }
    cum_h[e] = h;
    for (std::size_t j = 0; j < p; ++j) cum_g[e * p + j] = g[j];
  }
  // For each row: the last event time of its block at or before t.
  auto last_at_or_before = [&](std::size_t block, double t) -> std::ptrdiff_t {
    const auto first = std::lower_bound(ordered.begin(), ordered.end(), block,
                                        [](const EventTime* x, std::size_t b) { return x->block < b; });
    const auto past = std::upper_bound(first, ordered.end(), std::make_pair(block, t),
                                       [](const std::pair<std::size_t, double>& key, const EventTime* x) {
                                         return key.first != x->block ? key.first < x->block : key.second < x->time;
                                       });
    return past == first ? -1 : (past - ordered.begin()) - 1;
  };
  std::vector<double> resid(n * p, 0.0);
  for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
    for (std::size_t k = d.block_start[b]; k < d.block_start[b + 1]; ++k) {
      const std::ptrdiff_t upto = last_at_or_before(b, d.stop[k]);
      const std::ptrdiff_t before = d.start.empty() ? -1 : last_at_or_before(b, d.start[k]);
      double hk = 0;
      for (std::size_t j = 0; j < p; ++j) {
        double gk = 0;
        if (upto >= 0) {
          hk = cum_h[static_cast<std::size_t>(upto)];
          gk = cum_g[static_cast<std::size_t>(upto) * p + j];
        }
        if (before >= 0) {
          hk -= cum_h[static_cast<std::size_t>(before)];
          gk -= cum_g[static_cast<std::size_t>(before) * p + j];
        }
        const double xk = d.x[k * p + j];
        double r = -score[k] * (xk * hk - gk);
        if (d.event[k] != 0 && upto >= 0) {
          const auto e = static_cast<std::size_t>(upto);
          r += xk - own_mean[e * p + j];
          r += score[k] * (xk * own_h[e] - own_hm[e * p + j]);
        }
        resid[j * n + k] = r;
      }
    }
  }
  return resid;
}

}  // namespace

Result<CoxFit> FitCox(const CoxData& data, const CoxOptions& options) {
  const SurvivalData& s = data.survival;
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(kFunction, s));
  const std::size_t n = s.time.size();
  const std::size_t p = data.covariate_count;
  if (p == 0) return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": the model has no covariates");
  if (data.covariates.size() != n * p) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": covariates must hold n x p values");
  }
  for (std::size_t i = 0; i < n * p; ++i) {
    if (!std::isfinite(data.covariates[i])) {
      return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": covariate " + std::to_string(i / n) +
                                                   " of row " + std::to_string(i % n) + " is not finite");
    }
  }
  const int strata_count = data.strata.empty() ? 1 : data.strata_count;
  if (!data.strata.empty()) {
    if (data.strata.size() != n) return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": strata length");
    for (int code : data.strata) {
      if (code < 0 || code >= strata_count) {
        return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": stratum code out of range");
      }
    }
  }
  if (!data.cluster.empty() && data.cluster.size() != n) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": cluster needs one code per row");
  }

  // Sort by (stratum, stop), with R's timefix over start and stop together.
  const bool counting = !s.entry.empty();
  FixedTimes fixed;
  if (counting) {
    fixed = TimeFix(s.time, s.entry);
    for (std::size_t i = 0; i < n; ++i) {
      if (!(fixed.entry[i] < fixed.time[i])) {
        return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": start and stop of row " +
                                                     std::to_string(i) + " are equal after merging near-equal times");
      }
    }
  }
  internal::SortedByTime sorted =
      internal::SortByBlockAndTime(counting ? std::span<const double>(fixed.time) : s.time, s.event, s.weight,
                                   data.strata, strata_count, {}, !counting);
  Sorted d;
  d.n = n;
  d.p = p;
  d.stop = std::move(sorted.time);
  d.event = std::move(sorted.event);
  d.block_start = std::move(sorted.block_start);
  d.row = std::move(sorted.order);
  d.weight.resize(n);
  for (std::size_t k = 0; k < n; ++k) d.weight[k] = s.weight.empty() ? 1.0 : s.weight[d.row[k]];
  double events = 0;  // a count, as R's nevent, whatever the weights
  for (std::size_t k = 0; k < n; ++k) events += d.event[k] != 0 ? 1.0 : 0.0;
  if (events == 0) return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": there are no events");
  if (counting) {
    d.start.resize(n);
    for (std::size_t k = 0; k < n; ++k) d.start[k] = fixed.entry[d.row[k]];
    d.by_start.resize(n);
    std::iota(d.by_start.begin(), d.by_start.end(), std::size_t{0});
    for (std::size_t b = 0; b + 1 < d.block_start.size(); ++b) {
      std::sort(d.by_start.begin() + static_cast<std::ptrdiff_t>(d.block_start[b]),
                d.by_start.begin() + static_cast<std::ptrdiff_t>(d.block_start[b + 1]),
                [&](std::size_t x, std::size_t y) { return d.start[x] < d.start[y]; });
    }
  }

  // Centre and scale each column as coxfit6 does, except 0/1 and -1/0/1
  // columns (R's nocenter), whose mean is reported as 0. The statistics are
  // taken in input order; then one pass in input order writes each row's p
  // values, already centred and scaled, to its sorted position (a read that
  // streams and one contiguous write per row).
  std::vector<double> weight_in_order(n, 1.0);
  if (!s.weight.empty()) weight_in_order.assign(s.weight.begin(), s.weight.end());
  double total_weight = 0;
  for (double w : weight_in_order) total_weight += w;
  std::vector<double> means(p, 0.0), scale(p, 1.0);
  for (std::size_t j = 0; j < p; ++j) {
    const double* column = &data.covariates[j * n];
    const bool indicator = std::all_of(column, column + n, [](double v) { return v == 0 || v == 1 || v == -1; });
    if (indicator) continue;
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += weight_in_order[i] * column[i];
    mean /= total_weight;
    double spread = 0;
    for (std::size_t i = 0; i < n; ++i) spread += weight_in_order[i] * std::fabs(column[i] - mean);
    means[j] = mean;
    scale[j] = spread > 0 ? total_weight / spread : 1.0;
  }
  std::vector<std::size_t> position(n);
  for (std::size_t k = 0; k < n; ++k) position[d.row[k]] = k;
  d.x.resize(n * p);
  for (std::size_t i = 0; i < n; ++i) {
    double* out = &d.x[position[i] * p];
    for (std::size_t j = 0; j < p; ++j) out[j] = (data.covariates[j * n + i] - means[j]) * scale[j];
  }

  // Newton-Raphson exactly as coxfit6.
  std::vector<double> beta(p, 0.0), new_beta(p), u(p), imat(p * p), step(p);
  CoxFit fit;
  fit.ties = options.ties;
  fit.n = n;
  fit.events = events;
  const double loglik0 = Evaluate(d, options.ties, beta, u, imat, nullptr);
  internal::TolerantCholesky chol = internal::FactorTolerantCholesky(imat, p, options.cholesky_tolerance);
  step = u;
  internal::SolveTolerantCholesky(chol, step);
  double score_test = 0;
  for (std::size_t j = 0; j < p; ++j) score_test += u[j] * step[j];
  double best = loglik0;
  for (std::size_t j = 0; j < p; ++j) new_beta[j] = beta[j] + step[j];
  int halving = 0;
  bool converged = false;
  int iteration = 1;
  double final_loglik = loglik0;
  for (; iteration <= options.max_iterations; ++iteration) {
    const double loglik = Evaluate(d, options.ties, new_beta, u, imat, nullptr);
    chol = internal::FactorTolerantCholesky(imat, p, options.cholesky_tolerance);
    bool finite = std::isfinite(loglik);
    for (double v : u) finite = finite && std::isfinite(v);
    for (double v : imat) finite = finite && std::isfinite(v);
    if (finite && std::fabs(1 - best / loglik) <= options.epsilon) {
      converged = true;
      final_loglik = loglik;
      beta = new_beta;
      break;
    }
    if (!finite || loglik < best) {
      ++halving;  // R's step halving: move back towards the last good beta
      for (std::size_t j = 0; j < p; ++j) new_beta[j] = (new_beta[j] + halving * beta[j]) / (halving + 1.0);
    } else {
      halving = 0;
      best = loglik;
      step = u;
      internal::SolveTolerantCholesky(chol, step);
      for (std::size_t j = 0; j < p; ++j) {
        beta[j] = new_beta[j];
        new_beta[j] += step[j];
      }
    }
  }
  if (!converged) {
    // Ran out of iterations: the last good beta, with its information.
    iteration = options.max_iterations;
    final_loglik = Evaluate(d, options.ties, beta, u, imat, nullptr);
    chol = internal::FactorTolerantCholesky(imat, p, options.cholesky_tolerance);
    fit.diagnostics.warnings.push_back("Ran out of iterations and did not converge");
  }
  fit.diagnostics.converged = converged;
  fit.diagnostics.iterations = iteration;

  // Back to the original scale.
  const std::vector<double> scaled_inverse = internal::InvertTolerantCholesky(chol);
  std::vector<double> variance(p * p);
  std::vector<double> coef(p);
  for (std::size_t j = 0; j < p; ++j) {
    coef[j] = beta[j] * scale[j];
    u[j] /= scale[j];
    for (std::size_t k = 0; k < p; ++k) variance[j * p + k] = scaled_inverse[j * p + k] * scale[j] * scale[k];
  }
  std::vector<bool> aliased(p, false);
  for (std::size_t j = 0; j < p; ++j) aliased[j] = variance[j * p + j] == 0;

  // R's check for an infinite coefficient: the score times the variance is
  // still large relative to the coefficient after the log-likelihood settled.
  if (converged && options.max_iterations > 1) {
    std::string which;
    for (std::size_t j = 0; j < p; ++j) {
      double inf = 0;
      for (std::size_t k = 0; k < p; ++k) inf += u[k] * variance[k * p + j];
      inf = std::fabs(inf);
      if (inf > options.epsilon && inf > options.infinite_tolerance * std::fabs(coef[j])) {
        which += (which.empty() ? "" : ",") + std::to_string(j + 1);
      }
    }
    if (!which.empty()) {
      fit.diagnostics.warnings.push_back("Loglik converged before variable " + which +
                                         "; coefficient may be infinite.");
    }
  }

  // Robust variance: weighted dfbeta residuals, summed within clusters.
  bool non_integer_weight = false;
  for (double w : d.weight) non_integer_weight = non_integer_weight || w != std::floor(w);
  fit.robust = options.robust == RobustVariance::kAlways ||
               (options.robust == RobustVariance::kAutomatic && (!data.cluster.empty() || non_integer_weight));
  std::vector<double> robust;
  if (fit.robust) {
    std::vector<EventTime> event_times;
    std::vector<double> scratch_u(p), scratch_i(p * p);
    Evaluate(d, options.ties, beta, scratch_u, scratch_i, &event_times);
    const std::vector<double> resid = ScoreResiduals(d, options.ties, beta, event_times);
    // dfbeta = resid (scaled scale) x scaled inverse; per row, weighted.
    std::vector<std::size_t> cluster_of(n);
    std::size_t clusters = 0;
    if (data.cluster.empty()) {
      std::iota(cluster_of.begin(), cluster_of.end(), std::size_t{0});
      clusters = n;
    } else {
      std::vector<int> codes(data.cluster.begin(), data.cluster.end());
      std::sort(codes.begin(), codes.end());
      codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
      clusters = codes.size();
      for (std::size_t k = 0; k < n; ++k) {
        cluster_of[k] = static_cast<std::size_t>(std::lower_bound(codes.begin(), codes.end(), data.cluster[d.row[k]]) -
                                                 codes.begin());
      }
    }
    std::vector<double> sums(clusters * p, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t j = 0; j < p; ++j) {
        double dfbeta = 0;
        for (std::size_t l = 0; l < p; ++l) dfbeta += resid[l * n + k] * scaled_inverse[l * p + j];
        sums[cluster_of[k] * p + j] += d.weight[k] * dfbeta * scale[j];
      }
    }
    robust.assign(p * p, 0.0);
    for (std::size_t c = 0; c < clusters; ++c) {
      for (std::size_t j = 0; j < p; ++j) {
        for (std::size_t k = 0; k < p; ++k) robust[j * p + k] += sums[c * p + j] * sums[c * p + k];
      }
    }
  }

  // Tests.
  fit.loglik_null = loglik0;
  fit.loglik = final_loglik;
  int rank = 0;
  for (std::size_t j = 0; j < p; ++j) rank += aliased[j] ? 0 : 1;
  fit.lrt = {2 * (final_loglik - loglik0), rank, internal::ChiSquaredUpperTail(2 * (final_loglik - loglik0), rank)};
  fit.score = {score_test, rank, internal::ChiSquaredUpperTail(score_test, rank)};
  {
    // Wald: coef' V^-1 coef over the non-aliased terms, V robust when used.
    const std::vector<double>& v = fit.robust ? robust : variance;
    std::vector<std::size_t> keep;
    for (std::size_t j = 0; j < p; ++j) {
      if (!aliased[j]) keep.push_back(j);
    }
    std::vector<double> sub(keep.size() * keep.size());
    std::vector<double> b(keep.size());
    for (std::size_t a = 0; a < keep.size(); ++a) {
      b[a] = coef[keep[a]];
      for (std::size_t c = 0; c < keep.size(); ++c) sub[a * keep.size() + c] = v[keep[a] * p + keep[c]];
    }
    const internal::TolerantCholesky vc =
        internal::FactorTolerantCholesky(sub, keep.size(), options.cholesky_tolerance);
    std::vector<double> solved = b;
    internal::SolveTolerantCholesky(vc, solved);
    double wald = 0;
    for (std::size_t a = 0; a < keep.size(); ++a) wald += b[a] * solved[a];
    fit.wald = {wald, vc.rank, internal::ChiSquaredUpperTail(wald, vc.rank)};
  }

  const double z_level = internal::NormalQuantile(1 - (1 - options.level) / 2);
  fit.means = means;
  fit.variance.assign(p, std::vector<double>(p));
  if (fit.robust) fit.robust_variance.assign(p, std::vector<double>(p));
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t k = 0; k < p; ++k) {
      fit.variance[j][k] = variance[j * p + k];
      if (fit.robust) fit.robust_variance[j][k] = robust[j * p + k];
    }
    CoxTerm term;
    if (!aliased[j]) {
      term.coef = coef[j];
      term.se = std::sqrt(variance[j * p + j]);
      if (fit.robust) term.robust_se = std::sqrt(robust[j * p + j]);
      const double se = fit.robust ? *term.robust_se : *term.se;
      term.hr = std::exp(coef[j]);
      term.lower = std::exp(coef[j] - z_level * se);
      term.upper = std::exp(coef[j] + z_level * se);
      term.z = coef[j] / se;
      term.p = internal::NormalTwoSided(*term.z);
    }
    fit.terms.push_back(term);
  }
  return fit;
}

}  // namespace cirrus::stats
