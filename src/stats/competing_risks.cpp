#include "cirrus/stats/competing_risks.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <string>

#include "cirrus/base/check.hpp"
#include "cirrus/base/text.hpp"
#include "cirrus/stats/survival_data.hpp"
#include "internal/distributions.hpp"
#include "internal/linear_algebra.hpp"
#include "internal/sorted.hpp"

// Both estimators reproduce cmprsk 2.2-11 (Gray 1988; cmprsk's Fortran `cinc`
// and `crstm`), re-derived from the formulas below rather than translated.
// The floating-point operations are done in the order cmprsk does them: the
// variances are differences of running sums, and computing them another way
// would move cirrus away from R by R's own rounding error.
namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::FitCumulativeIncidence";

// R's qr() (LINPACK dqrdc2) treats a column as linearly dependent when its
// norm after removing the earlier columns falls below 1e-7 of its own norm.
constexpr double kQrTolerance = 1e-7;

// "stats::FitCumulativeIncidence: cause[3] is 5, must be in [0, 2]"; `range`
// is the allowed range as text.
Unexpected<Error> BadCode(std::string_view array, std::size_t index, int value, const std::string& range) {
  return Fail(ErrorCode::kInvalidArgument,
              std::string(kFunction) + ": " + std::string(array) + "[" + std::to_string(index) + "] is " +
                  std::to_string(value) + ", must be in " + range,
              std::string(array));
}

// The ties factor of the Aalen-type variance: d events among n at risk
// contribute d (n - d) / (n - 1) / n rather than d / n, i.e. 1 - (d - 1) / (n - 1).
double TiesFactor(double d, double n) { return d > 1 ? 1.0 - (d - 1.0) / (n - 1.0) : 1.0; }

// The running sums of one cause's Aalen-type variance. Each event time t_j
// (of any cause) adds terms w (a - F(t) b)^2 to Var F(t) for every t >= t_j;
// expanded, Var F(t) = sum w a^2 - 2 F(t) sum w a b + F(t)^2 sum w b^2, so
// three sums carried along the scan give the variance at every t.
struct CauseState {
  double cif = 0;
  double saa = 0;  // sum w a^2
  double sab = 0;  // sum w a b
  double sbb = 0;  // sum w b^2
  double variance = 0;

  void Add(double w, double a, double b) {
    saa += a * a * w;
    sab += b * a * w;
    sbb += b * b * w;
  }
};

// One group's curves, all causes at once, over its rows sorted by time.
// At an event time with n at risk, d events in all (d_k of cause k), and
// S- = S(t-), S+ = S(t) the all-cause Kaplan-Meier:
//   F_k += S- d_k / n                                  (Aalen-Johansen)
//   events of other causes (o = d - d_k, when S+ > 0): w = S-^2 tie(o) o / n^2,
//     a = F_k / S+, b = 1 / S+
//   events of cause k: w = S-^2 tie(d_k) d_k / n^2, b = 1 / S+ (0 if S+ = 0),
//     a = 1 + b F_k
// and Var F_k is re-evaluated where F_k jumps (cuminc reports it only there).
void ScanGroup(std::span<const double> time, std::span<const int> cause, int cause_count,
               std::span<CumulativeIncidenceCurve*> curves) {
  const auto k_count = static_cast<std::size_t>(cause_count);
  std::vector<CauseState> state(k_count + 1);
  std::vector<double> count(k_count + 1);
  const std::size_t n = time.size();
  for (CumulativeIncidenceCurve* curve : curves) {
    curve->n = n;
    if (n > 0) curve->last_time = time[n - 1];
  }
  double at_risk = static_cast<double>(n);
  double surv = 1;  // all-cause Kaplan-Meier just before the current time
  for (std::size_t start = 0; start < n;) {
    const double t = time[start];
    std::fill(count.begin(), count.end(), 0.0);
    std::size_t end = start;
    for (; end < n && time[end] == t; ++end) count[static_cast<std::size_t>(cause[end])] += 1;
    const double d = static_cast<double>(end - start) - count[0];
    if (d > 0) {
      const double surv_after = surv * (at_risk - d) / at_risk;
      for (std::size_t k = 1; k <= k_count; ++k) {
        CauseState& s = state[k];
        const double dk = count[k];
        const double others = d - dk;
        if (dk > 0) s.cif = s.cif + surv * dk / at_risk;
        if (others > 0 && surv_after > 0) {
          const double w = surv * surv * TiesFactor(others, at_risk) * others / (at_risk * at_risk);
          const double b = 1.0 / surv_after;
          s.Add(w, s.cif / surv_after, b);
        }
        if (dk > 0) {
          const double w = surv * surv * TiesFactor(dk, at_risk) * dk / (at_risk * at_risk);
          const double b = surv_after > 0 ? 1.0 / surv_after : 0.0;
          s.Add(w, 1.0 + b * s.cif, b);
          s.variance = s.saa + s.cif * s.cif * s.sbb - 2.0 * s.cif * s.sab;
          curves[k - 1]->events += static_cast<std::size_t>(dk);
        }
        curves[k - 1]->points.push_back({t, s.cif, std::sqrt(std::max(s.variance, 0.0))});
      }
      surv = surv_after;
    }
    at_risk -= static_cast<double>(end - start);
    start = end;
  }
}

// Gray's test for one cause in one stratum (Gray 1988, section 2; the
// variance as cmprsk's `crst` estimates it). Rows are sorted by time; code =
// status * groups + compact group, status 0 = censored, 1 = this cause, 2 =
// another cause, so that counting a row is one increment without a branch
// (the statuses of neighbouring rows are random). Adds this stratum's scores (first m = groups - 1 groups) to `score`
// and its variance (lower triangle) to `variance`.
//
// Notation at an event time, group g with n_g at risk, S_g(t-) its all-cause
// Kaplan-Meier and F_g(t-) its cumulative incidence of the cause:
//   R_g = n_g / S_g(t-) (the subdistribution risk set, up to a common factor),
//   R = sum R_g; F(t) = F(t-) + d1 / R, the pooled estimate under H0;
//   weight W = (1 - F(t-))^rho;
//   score_g += W (d1_g - d1 R_g (1 - F_g(t-)) / sum_h R_h (1 - F_h(t-)));
//   a_gh = W R_g (delta_gh - R_h / R), c_gh += a_gh d1 / (R (1 - F(t-))).
// The variance adds, per group k at risk, the martingale terms of its events
// of the cause (with the ties factor on the pooled scale) and of its events of
// other causes, through running sums combined with the final c at the end.
class GrayStratum {
 public:
  GrayStratum(std::size_t groups, double rho)
      : g_(groups),
        m_(groups - 1),
        rho_(rho),
        at_risk_(groups),
        surv_before_(groups),
        surv_after_(groups),
        cif_before_(groups),
        cif_after_(groups),
        v3_(groups),
        v2_(m_ * groups),
        a_(groups * groups),
        c_(groups * groups),
        counts_(3 * groups) {}

  void Run(std::span<const double> time, std::span<const int> code, std::vector<double>& score,
           std::vector<double>& variance) {
    std::fill(at_risk_.begin(), at_risk_.end(), 0.0);
    for (int c : code) at_risk_[static_cast<std::size_t>(c) % g_] += 1;
    std::fill(surv_before_.begin(), surv_before_.end(), 1.0);
    std::fill(surv_after_.begin(), surv_after_.end(), 1.0);
    std::fill(cif_before_.begin(), cif_before_.end(), 0.0);
    std::fill(cif_after_.begin(), cif_after_.end(), 0.0);
    std::fill(v3_.begin(), v3_.end(), 0.0);
    std::fill(v2_.begin(), v2_.end(), 0.0);
    std::fill(c_.begin(), c_.end(), 0.0);
    std::vector<double> s(m_, 0.0);
    std::vector<double> v(m_ * m_, 0.0);
    std::fill(counts_.begin(), counts_.end(), 0.0);
    double pooled_before = 0;
    const std::size_t n = time.size();
    for (std::size_t start = 0; start < n;) {
      const double t = time[start];
      std::size_t end = start;
      for (; end < n && time[end] == t; ++end) counts_[static_cast<std::size_t>(code[end])] += 1;
      double nd1 = 0;
      double nd2 = 0;
      for (std::size_t g = 0; g < g_; ++g) {
        nd1 += D1(g);
        nd2 += D2(g);
      }
      // A time with censorings only changes nothing but the risk sets.
      if (nd1 > 0 || nd2 > 0) {
        pooled_before = EventTime(nd1, nd2, pooled_before, s, v);
        cif_before_ = cif_after_;
        surv_before_ = surv_after_;
      }
      for (std::size_t g = 0; g < g_; ++g) at_risk_[g] -= counts_[g] + D1(g) + D2(g);
      std::fill(counts_.begin(), counts_.end(), 0.0);
      start = end;
    }
    for (std::size_t i = 0; i < m_; ++i) {
      for (std::size_t j = 0; j <= i; ++j) {
        double vij = v[i * m_ + j];
        for (std::size_t k = 0; k < g_; ++k) {
          vij = vij + C(i, k) * C(j, k) * v3_[k];
          vij = vij + C(i, k) * V2(j, k);
          vij = vij + C(j, k) * V2(i, k);
        }
        variance[i * m_ + j] += vij;
      }
      score[i] += s[i];
    }
  }

 private:
  double& A(std::size_t i, std::size_t j) { return a_[i * g_ + j]; }
  double& C(std::size_t i, std::size_t j) { return c_[i * g_ + j]; }
  double& V2(std::size_t i, std::size_t k) { return v2_[i * g_ + k]; }
  [[nodiscard]] double D1(std::size_t g) const { return counts_[g_ + g]; }      // events of the cause
  [[nodiscard]] double D2(std::size_t g) const { return counts_[2 * g_ + g]; }  // events of other causes

  // One event time; returns the pooled F(t).
  double EventTime(double nd1, double nd2, double pooled_before, std::vector<double>& s, std::vector<double>& v) {
    double r_total = 0;  // sum R_g
    double q_total = 0;  // sum R_g (1 - F_g(t-))
    for (std::size_t g = 0; g < g_; ++g) {
      const double n = at_risk_[g];
      if (n <= 0) continue;
      surv_after_[g] = surv_before_[g] * (n - (D1(g) + D2(g))) / n;
      cif_after_[g] = cif_before_[g] + surv_before_[g] * D1(g) / n;
      r_total = r_total + n / surv_before_[g];
      q_total = q_total + n * (1.0 - cif_before_[g]) / surv_before_[g];
    }
    const double pooled = pooled_before + nd1 / r_total;
    // pow(x, 0) is 1 for every x; skipping the call saves a third of the scan at rho = 0.
    const double weight = rho_ == 0 ? 1.0 : std::pow(1.0 - pooled_before, rho_);
    const double c_scale = r_total * (1.0 - pooled_before);
    for (std::size_t i = 0; i < g_; ++i) {
      for (std::size_t j = i; j < g_; ++j) A(i, j) = 0;
      if (at_risk_[i] <= 0) continue;
      const double ri = at_risk_[i] / surv_before_[i];
      A(i, i) = weight * ri * (1.0 - ri / r_total);
      C(i, i) = C(i, i) + A(i, i) * nd1 / c_scale;
      for (std::size_t j = i + 1; j < g_; ++j) {
        if (at_risk_[j] <= 0) continue;
        A(i, j) = -(weight * ri * at_risk_[j] / (surv_before_[j] * r_total));
        C(i, j) = C(i, j) + A(i, j) * nd1 / c_scale;
      }
    }
    for (std::size_t i = 1; i < g_; ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        A(i, j) = A(j, i);
        C(i, j) = C(j, i);
      }
    }
    for (std::size_t i = 0; i < m_; ++i) {
      if (at_risk_[i] <= 0) continue;
      s[i] = s[i] + weight * (D1(i) - nd1 * at_risk_[i] * (1.0 - cif_before_[i]) / (surv_before_[i] * q_total));
    }
    if (nd1 > 0) {
      for (std::size_t k = 0; k < g_; ++k) {
        const double n = at_risk_[k];
        if (n <= 0) continue;
        const double t4 = surv_after_[k] > 0 ? 1.0 - (1.0 - pooled) / surv_after_[k] : 1.0;
        const double ties = nd1 > 1 ? 1.0 - (nd1 - 1.0) / (r_total * surv_before_[k] - 1.0) : 1.0;
        const double t3 = ties * surv_before_[k] * nd1 / (r_total * n);
        v3_[k] = v3_[k] + t4 * t4 * t3;
        for (std::size_t i = 0; i < m_; ++i) {
          const double t1 = A(i, k) - t4 * C(i, k);
          V2(i, k) = V2(i, k) + t1 * t4 * t3;
          for (std::size_t j = 0; j <= i; ++j) {
            const double t2 = A(j, k) - t4 * C(j, k);
            v[i * m_ + j] = v[i * m_ + j] + t1 * t2 * t3;
          }
        }
      }
    }
    if (nd2 > 0) {
      for (std::size_t k = 0; k < g_; ++k) {
        if (surv_after_[k] <= 0 || D2(k) <= 0) continue;
        const double n = at_risk_[k];
        const double t4 = (1.0 - pooled) / surv_after_[k];
        const double t3 = TiesFactor(D2(k), n) * (surv_before_[k] * surv_before_[k] * D2(k)) / (n * n);
        v3_[k] = v3_[k] + t4 * t4 * t3;
        for (std::size_t i = 0; i < m_; ++i) {
          const double t1 = t4 * C(i, k);
          V2(i, k) = V2(i, k) - t1 * t4 * t3;
          for (std::size_t j = 0; j <= i; ++j) {
            const double t2 = t4 * C(j, k);
            v[i * m_ + j] = v[i * m_ + j] + t1 * t2 * t3;
          }
        }
      }
    }
    return pooled;
  }

  std::size_t g_;
  std::size_t m_;
  double rho_;
  std::vector<double> at_risk_;
  std::vector<double> surv_before_, surv_after_;
  std::vector<double> cif_before_, cif_after_;
  std::vector<double> v3_, v2_;
  std::vector<double> a_, c_;
  std::vector<double> counts_;  // [status][group] at the current time
};

}  // namespace

Result<CompetingRisksResult> FitCumulativeIncidence(const CompetingRisksData& data, std::span<const int> group,
                                                    int group_count, std::span<const int> strata, int strata_count,
                                                    const CompetingRisksOptions& options) {
  const std::size_t n = data.time.size();
  if (data.cause.size() != n || group.size() != n || (!strata.empty() && strata.size() != n)) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": time, cause, group and strata must have the same length");
  }
  if (data.cause_count < 1 || group_count < 1 || strata_count < 1) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": cause_count, group_count and strata_count must be >= 1");
  }
  // Each row's stratum, group and cause travel through the sort as one int.
  const auto labels = static_cast<std::int64_t>(strata_count) * group_count * (data.cause_count + 1);
  if (labels > INT_MAX) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": strata_count x group_count x (cause_count + 1) must be below 2^31");
  }
  if (!std::isfinite(options.rho)) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": rho is " + ShortestText(options.rho) + ", must be finite", "rho");
  }
  std::vector<std::uint8_t> any_event(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (data.cause[i] < 0 || data.cause[i] > data.cause_count) {
      return BadCode("cause", i, data.cause[i], "[0, " + std::to_string(data.cause_count) + "]");
    }
    if (group[i] < 0 || group[i] >= group_count)
      return BadCode("group", i, group[i], "[0, " + std::to_string(group_count) + ")");
    if (!strata.empty() && (strata[i] < 0 || strata[i] >= strata_count)) {
      return BadCode("strata", i, strata[i], "[0, " + std::to_string(strata_count) + ")");
    }
    any_event[i] = data.cause[i] != 0 ? 1 : 0;
  }
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(kFunction, {data.time, any_event}));

  const int cause_base = data.cause_count + 1;
  std::vector<int> label(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int stratum = strata.empty() ? 0 : strata[i];
    label[i] = (stratum * group_count + group[i]) * cause_base + data.cause[i];
  }
  // One sort by time (with timefix) of the pooled rows; then two stable
  // counting sorts lay them out by group (the curves) and by stratum (the test).
  const internal::SortedByTime sorted =
      internal::SortByBlockAndTime(data.time, any_event, {}, {}, 1, label, options.ties == TimeTies::kMergeNearEqual);
  const auto groups = static_cast<std::size_t>(group_count);
  const auto causes = static_cast<std::size_t>(data.cause_count);

  std::vector<std::size_t> group_start(groups + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++group_start[static_cast<std::size_t>(group[i]) + 1];
  for (std::size_t g = 1; g <= groups; ++g) group_start[g] += group_start[g - 1];
  std::vector<double> by_group_time(n);
  std::vector<int> by_group_cause(n);
  std::vector<std::size_t> group_events(groups, 0);  // a bound on the points of each curve
  {
    std::vector<std::size_t> cursor(group_start.begin(), group_start.end() - 1);
    for (std::size_t r = 0; r < n; ++r) {
      const int code = sorted.label[r];
      const auto g = static_cast<std::size_t>((code / cause_base) % group_count);
      const std::size_t at = cursor[g]++;
      by_group_time[at] = sorted.time[r];
      by_group_cause[at] = code % cause_base;
      if (code % cause_base != 0) ++group_events[g];
    }
  }

  CompetingRisksResult result;
  result.curves.resize(causes * groups);
  for (std::size_t k = 0; k < causes; ++k) {
    for (std::size_t g = 0; g < groups; ++g) {
      result.curves[k * groups + g].cause = static_cast<int>(k) + 1;
      result.curves[k * groups + g].group = static_cast<int>(g);
    }
  }
  std::vector<CumulativeIncidenceCurve*> of_group(causes);
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t k = 0; k < causes; ++k) {
      of_group[k] = &result.curves[k * groups + g];
      of_group[k]->points.reserve(group_events[g]);
    }
    const std::size_t begin = group_start[g];
    const std::size_t count = group_start[g + 1] - begin;
    ScanGroup(std::span<const double>(by_group_time).subspan(begin, count),
              std::span<const int>(by_group_cause).subspan(begin, count), data.cause_count, of_group);
  }

  // Gray's test compares the groups that have subjects (cuminc drops empty
  // factor levels); their compact index keeps the code order.
  std::vector<int> compact(groups, -1);
  std::size_t present = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    if (group_start[g + 1] > group_start[g]) compact[g] = static_cast<int>(present++);
  }
  if (present < 2) return result;
  const std::size_t m = present - 1;

  // Stratum layout: rows by stratum, by time within (with one stratum, the
  // sorted order itself), each row's compact group and cause.
  const auto strata_n = static_cast<std::size_t>(strata.empty() ? 1 : strata_count);
  const bool one_stratum = strata_n == 1;
  std::vector<std::size_t> stratum_start(strata_n + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++stratum_start[static_cast<std::size_t>(strata.empty() ? 0 : strata[i]) + 1];
  for (std::size_t b = 1; b <= strata_n; ++b) stratum_start[b] += stratum_start[b - 1];
  std::vector<double> by_stratum_time(one_stratum ? 0 : n);
  std::vector<int> by_stratum_group(n);
  std::vector<int> by_stratum_cause(n);
  {
    std::vector<std::size_t> cursor(stratum_start.begin(), stratum_start.end() - 1);
    for (std::size_t r = 0; r < n; ++r) {
      const int code = sorted.label[r];
      const auto stratum = static_cast<std::size_t>(code / cause_base / group_count);
      const std::size_t at = one_stratum ? r : cursor[stratum]++;
      if (!one_stratum) by_stratum_time[at] = sorted.time[r];
      by_stratum_group[at] = compact[static_cast<std::size_t>((code / cause_base) % group_count)];
      by_stratum_cause[at] = code % cause_base;
    }
  }
  const std::span<const double> stratum_time(one_stratum ? sorted.time : by_stratum_time);

  GrayStratum stratum_test(present, options.rho);
  std::vector<int> status(n);
  for (int cause = 1; cause <= data.cause_count; ++cause) {
    for (std::size_t r = 0; r < n; ++r) {
      const int c = by_stratum_cause[r];
      status[r] = (c == 0 ? 0 : (c == cause ? 1 : 2)) * static_cast<int>(present) + by_stratum_group[r];
    }
    std::vector<double> score(m, 0.0);
    std::vector<double> lower(m * m, 0.0);
    for (std::size_t b = 0; b < strata_n; ++b) {
      const std::size_t begin = stratum_start[b];
      const std::size_t count = stratum_start[b + 1] - begin;
      if (count == 0) continue;
      stratum_test.Run(stratum_time.subspan(begin, count), std::span<const int>(status).subspan(begin, count), score,
                       lower);
    }
    const auto dim = static_cast<Eigen::Index>(m);
    Eigen::MatrixXd v(dim, dim);
    Eigen::VectorXd s(dim);
    for (Eigen::Index i = 0; i < dim; ++i) {
      s(i) = score[static_cast<std::size_t>(i)];
      for (Eigen::Index j = 0; j <= i; ++j) {
        v(i, j) = lower[static_cast<std::size_t>(i) * m + static_cast<std::size_t>(j)];
        v(j, i) = v(i, j);
      }
    }
    GrayTest test;
    test.cause = cause;
    test.df = static_cast<int>(m);
    if (internal::QrRank(v, kQrTolerance) == dim) {
      const Eigen::VectorXd solved = v.colPivHouseholderQr().solve(s);
      test.stat = s.dot(solved);
      test.p = internal::ChiSquaredUpperTail(*test.stat, static_cast<double>(m));
    }
    result.gray.push_back(test);
  }
  return result;
}

CumulativeIncidenceAtTime CumulativeIncidenceAt(const CumulativeIncidenceCurve& curve, double time) {
  CumulativeIncidenceAtTime at;
  at.time = time;
  if (!curve.last_time || !(time >= 0) || time > *curve.last_time) return at;
  const auto& pts = curve.points;
  const auto after = std::upper_bound(pts.begin(), pts.end(), time,
                                      [](double t, const CumulativeIncidencePoint& p) { return t < p.time; });
  at.cif = 0.0;
  at.std_err = 0.0;
  if (after != pts.begin()) {
    at.cif = (after - 1)->cif;
    at.std_err = (after - 1)->std_err;
  }
  return at;
}

}  // namespace cirrus::stats
