// The MMRM by REML (docs/numerics.md, "Mixed model for repeated measures").
//
// The model is y_i ~ N(X_i beta, Sigma[v_i, v_i]) for subject i seen at the
// visits v_i, with Sigma the visit_count x visit_count covariance. Every
// quantity REML needs is a sum over subjects of quadratic forms in the rows
// z_ij = (x_ij, y_ij). A row of this design holds only 1, the baseline, 0/1
// dummies and y_ij, so z_ij = T_j u_i with u_i = (1, b_i, y_i1, ..., y_im)
// and T_j a fixed 0/1 map that depends on the visit and the group alone.
// Subjects that share their pattern of visits and their group therefore
// enter through one small matrix, U = sum_i u_i u_i' ((m + 2) x (m + 2)),
// and an evaluation of the likelihood costs O(cells x m^2) whatever the
// number of subjects. Newton's method on the covariance parameters uses the
// analytic gradient and a Hessian from central differences of it; the same
// Hessian is the observed information behind the Satterthwaite df.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cirrus/base/text.hpp"
#include "cirrus/stats/longitudinal.hpp"
#include "internal/distributions.hpp"

namespace cirrus::stats {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr std::string_view kFunction = "stats::FitMmrm";

// A pattern of visits is a bit set; 64 visits are far more than any
// schedule of a trial, and the bound keeps the pattern key one word.
constexpr int kMaxVisits = 64;

// Central differences of the analytic gradient: the truncation error is
// O(h^2) and the rounding error O(eps / h), both near 1e-10 relative here.
constexpr double kHessianStep = 1e-5;

// Newton stops when the decrement g' H^-1 g (in units of -2 log L) is below
// this: the next step would move the log-likelihood by less than 1e-13.
constexpr double kDecrementTolerance = 1e-12;
// Below this decrement the full Newton step is taken without a line search:
// the quadratic model is then exact to far below the rounding of -2 log L.
constexpr double kQuadraticRegion = 1e-8;
// A log-scale parameter moving by more than this in one step is cut back.
constexpr double kMaxStep = 4;

Unexpected<Error> Invalid(std::string message, std::string field) {
  return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": " + std::move(message), std::move(field));
}

// ---- the covariance among visits ------------------------------------------------------

class CovarianceModel {
 public:
  CovarianceModel(CovarianceStructure structure, int visits) : structure_(structure), visits_(visits) {}

  Eigen::Index ParameterCount() const {
    if (structure_ == CovarianceStructure::kUnstructured) return visits_ * (visits_ + 1) / 2;
    return visits_ == 1 ? 1 : 2;
  }

  MatrixXd Sigma(const VectorXd& theta) const {
    const Eigen::Index v = visits_;
    switch (structure_) {
      case CovarianceStructure::kUnstructured: {
        const MatrixXd l = Factor(theta);
        return l * l.transpose();
      }
      case CovarianceStructure::kCompoundSymmetry: {
        const double variance = std::exp(theta(0));
        const double rho = v == 1 ? 0 : CompoundRho(theta(1));
        MatrixXd s = MatrixXd::Constant(v, v, variance * rho);
        s.diagonal().setConstant(variance);
        return s;
      }
      case CovarianceStructure::kAutoregressive: {
        const double variance = std::exp(theta(0));
        const double rho = v == 1 ? 0 : std::tanh(theta(1) / 2);
        MatrixXd s(v, v);
        for (Eigen::Index j = 0; j < v; ++j) {
          for (Eigen::Index k = 0; k < v; ++k) s(j, k) = variance * std::pow(rho, static_cast<double>(std::abs(j - k)));
        }
        return s;
      }
    }
    return {};
  }

  // dSigma / dtheta_t for every t.
  std::vector<MatrixXd> Derivatives(const VectorXd& theta) const {
    const Eigen::Index v = visits_;
    std::vector<MatrixXd> out;
    switch (structure_) {
      case CovarianceStructure::kUnstructured: {
        const MatrixXd l = Factor(theta);
        for (Eigen::Index j = 0; j < v; ++j) {
          for (Eigen::Index k = 0; k <= j; ++k) {
            // Sigma = L L': dSigma = E_jk L' + L E_kj, times L_jj on the log-diagonal.
            MatrixXd e = MatrixXd::Zero(v, v);
            e(j, k) = j == k ? l(j, j) : 1.0;
            out.push_back(e * l.transpose() + l * e.transpose());
          }
        }
        break;
      }
      case CovarianceStructure::kCompoundSymmetry: {
        out.push_back(Sigma(theta));
        if (v > 1) {
          const double variance = std::exp(theta(0));
          const double c = 1.0 / static_cast<double>(v - 1);
          const double e = std::exp(theta(1));
          const double drho = e * (1 + c) / ((e + 1) * (e + 1));
          MatrixXd d = MatrixXd::Constant(v, v, variance * drho);
          d.diagonal().setZero();
          out.push_back(d);
        }
        break;
      }
      case CovarianceStructure::kAutoregressive: {
        out.push_back(Sigma(theta));
        if (v > 1) {
          const double variance = std::exp(theta(0));
          const double rho = std::tanh(theta(1) / 2);
          const double drho = (1 - rho * rho) / 2;
          MatrixXd d = MatrixXd::Zero(v, v);
          for (Eigen::Index j = 0; j < v; ++j) {
            for (Eigen::Index k = 0; k < v; ++k) {
              const auto lag = static_cast<double>(std::abs(j - k));
              if (lag > 0) d(j, k) = variance * lag * std::pow(rho, lag - 1) * drho;
            }
          }
          out.push_back(d);
        }
        break;
      }
    }
    return out;
  }

  // Parameters whose Sigma is close to `target` (a positive-definite start).
  VectorXd Start(const MatrixXd& target) const {
    const Eigen::Index v = visits_;
    VectorXd theta(ParameterCount());
    const double variance = target.diagonal().mean();
    if (structure_ == CovarianceStructure::kUnstructured) {
      Eigen::LLT<MatrixXd> llt(target);
      MatrixXd l =
          llt.info() == Eigen::Success ? MatrixXd(llt.matrixL()) : MatrixXd(target.diagonal().cwiseSqrt().asDiagonal());
      Eigen::Index t = 0;
      for (Eigen::Index j = 0; j < v; ++j) {
        for (Eigen::Index k = 0; k <= j; ++k) theta(t++) = j == k ? std::log(l(j, j)) : l(j, k);
      }
      return theta;
    }
    theta(0) = std::log(variance);
    if (v > 1) {
      // Independence as the start: rho = 0.
      theta(1) = structure_ == CovarianceStructure::kCompoundSymmetry ? std::log(1.0 / static_cast<double>(v - 1)) : 0;
    }
    return theta;
  }

 private:
  // rho = (e^theta - c) / (e^theta + 1) spans (-1 / (V - 1), 1), the
  // correlations for which the compound-symmetry matrix is positive definite.
  double CompoundRho(double theta) const {
    const double c = 1.0 / static_cast<double>(visits_ - 1);
    const double e = std::exp(theta);
    return (e - c) / (e + 1);
  }

  // Lower-triangular L with a log-scale diagonal, row after row.
  MatrixXd Factor(const VectorXd& theta) const {
    const Eigen::Index v = visits_;
    MatrixXd l = MatrixXd::Zero(v, v);
    Eigen::Index t = 0;
    for (Eigen::Index j = 0; j < v; ++j) {
      for (Eigen::Index k = 0; k <= j; ++k) l(j, k) = j == k ? std::exp(theta(t++)) : theta(t++);
    }
    return l;
  }

  CovarianceStructure structure_;
  Eigen::Index visits_;
};

// ---- the data, grouped by pattern of visits and group -----------------------------------

// One entry of z_ij = T_j u_i: column `column` of z takes u[source].
struct Entry {
  int column = 0;
  int source = 0;
};

struct Pattern {
  std::vector<int> visits;  // in order
  double subjects = 0;
};

struct Cell {
  std::size_t pattern = 0;
  int group = 0;
  MatrixXd u;  // sum of u_i u_i'
  // rows[j]: the entries of row j's z (at most six).
  std::vector<std::vector<Entry>> rows;
};

struct Design {
  int visits = 0;
  int groups = 1;
  Eigen::Index p = 0;  // fixed effects; z has p + 1 entries, y last
  double baseline_mean = 0;
  std::size_t subjects = 0;
  std::size_t observations = 0;
  std::vector<Pattern> patterns;
  std::vector<Cell> cells;
  std::vector<std::size_t> counts;  // observations by visit * groups + group

  int VisitColumn(int v) const { return 1 + v; }       // v >= 1
  int GroupColumn(int g) const { return visits + g; }  // g >= 1
  int InteractionColumn(int g, int v) const { return visits + (groups - 1) + (g - 1) * (visits - 1) + v; }

  // The row of the fixed-effect design for (visit, group) with baseline at `b`.
  VectorXd Row(int v, int g, double b) const {
    VectorXd x = VectorXd::Unit(p, 0) + b * VectorXd::Unit(p, 1);
    if (v >= 1) x += VectorXd::Unit(p, VisitColumn(v));
    if (g >= 1) x += VectorXd::Unit(p, GroupColumn(g));
    if (v >= 1 && g >= 1) x += VectorXd::Unit(p, InteractionColumn(g, v));
    return x;
  }
};

Result<Design> BuildDesign(const MmrmData& data) {
  const std::size_t n = data.subject.size();
  if (data.visit.size() != n || data.response.size() != n || data.baseline.size() != n ||
      (!data.group.empty() && data.group.size() != n)) {
    return Invalid("subject, visit, response, baseline and group differ in length", "subject");
  }
  if (data.visit_count < 1 || data.visit_count > kMaxVisits) {
    return Invalid(
        "visit_count is " + std::to_string(data.visit_count) + ", must lie in 1.." + std::to_string(kMaxVisits),
        "visit");
  }
  if (data.group_count < 1 || (data.group.empty() && data.group_count != 1)) {
    return Invalid("group_count is " + std::to_string(data.group_count) + " without matching codes", "group");
  }
  if (n == 0) return Invalid("no observations", "subject");
  for (std::size_t i = 0; i < n; ++i) {
    if (data.subject[i] < 0)
      return Invalid("subject code " + std::to_string(data.subject[i]) + " is negative", "subject");
    if (data.visit[i] < 0 || data.visit[i] >= data.visit_count) {
      return Invalid("visit code " + std::to_string(data.visit[i]) + " is out of range", "visit");
    }
    if (!data.group.empty() && (data.group[i] < 0 || data.group[i] >= data.group_count)) {
      return Invalid("group code " + std::to_string(data.group[i]) + " is out of range", "group");
    }
    if (!std::isfinite(data.response[i]) || !std::isfinite(data.baseline[i])) {
      return Invalid("observation " + std::to_string(i) + " holds a value that is not finite", "response");
    }
  }
  auto group_of = [&](std::size_t i) { return data.group.empty() ? 0 : data.group[i]; };

  Design d;
  d.visits = data.visit_count;
  d.groups = data.group_count;
  d.p = 1 + static_cast<Eigen::Index>(d.groups) * d.visits;
  d.observations = n;
  d.counts.assign(static_cast<std::size_t>(d.visits * d.groups), 0);
  long double baseline_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    baseline_sum += data.baseline[i];
    ++d.counts[static_cast<std::size_t>(data.visit[i] * d.groups + group_of(i))];
  }
  // Centring the baseline leaves every estimate and the likelihood as they
  // are (the design changes by a unit-triangular map) and keeps X'V^-1 X
  // well conditioned when the values sit far from 0.
  d.baseline_mean = static_cast<double>(baseline_sum / static_cast<long double>(n));

  for (int v = 0; v < d.visits; ++v) {
    for (int g = 0; g < d.groups; ++g) {
      if (d.counts[static_cast<std::size_t>(v * d.groups + g)] == 0) {
        return Invalid("group " + std::to_string(g) + " has no observation at visit " + std::to_string(v) +
                           "; its mean there cannot be estimated",
                       "visit");
      }
    }
  }

  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(data.subject[a], data.visit[a]) < std::pair(data.subject[b], data.visit[b]);
  });

  std::map<std::uint64_t, std::size_t> pattern_index;
  std::map<std::pair<std::size_t, int>, std::size_t> cell_index;
  VectorXd u;
  for (std::size_t first = 0; first < n;) {
    std::size_t last = first + 1;
    while (last < n && data.subject[order[last]] == data.subject[order[first]]) ++last;
    const std::size_t head = order[first];
    std::uint64_t mask = 0;
    for (std::size_t r = first; r < last; ++r) {
      const std::size_t i = order[r];
      if (r > first && data.visit[i] == data.visit[order[r - 1]]) {
        return Invalid("subject " + std::to_string(data.subject[i]) + " has two observations at visit " +
                           std::to_string(data.visit[i]),
                       "visit");
      }
      if (group_of(i) != group_of(head)) {
        return Invalid("subject " + std::to_string(data.subject[i]) + " is in two groups", "group");
      }
      if (data.baseline[i] != data.baseline[head]) {
        return Invalid("subject " + std::to_string(data.subject[i]) + " has two baseline values", "baseline");
      }
      mask |= std::uint64_t{1} << data.visit[i];
    }
    auto [pattern, added] = pattern_index.try_emplace(mask, d.patterns.size());
    if (added) {
      Pattern p;
      for (std::size_t r = first; r < last; ++r) p.visits.push_back(data.visit[order[r]]);
      d.patterns.push_back(std::move(p));
    }
    const int group = group_of(head);
    const auto m = static_cast<Eigen::Index>(last - first);
    auto [cell, cell_added] = cell_index.try_emplace(std::pair(pattern->second, group), d.cells.size());
    if (cell_added) {
      Cell c;
      c.pattern = pattern->second;
      c.group = group;
      c.u = MatrixXd::Zero(m + 2, m + 2);
      const auto& visits = d.patterns[c.pattern].visits;
      for (Eigen::Index j = 0; j < m; ++j) {
        const int v = visits[static_cast<std::size_t>(j)];
        std::vector<Entry> row = {{0, 0}, {1, 1}};
        if (v >= 1) row.push_back({d.VisitColumn(v), 0});
        if (group >= 1) row.push_back({d.GroupColumn(group), 0});
        if (v >= 1 && group >= 1) row.push_back({d.InteractionColumn(group, v), 0});
        row.push_back({static_cast<int>(d.p), static_cast<int>(2 + j)});
        c.rows.push_back(std::move(row));
      }
      d.cells.push_back(std::move(c));
    }
    u.resize(m + 2);
    u(0) = 1;
    u(1) = data.baseline[head] - d.baseline_mean;
    for (Eigen::Index j = 0; j < m; ++j) u(2 + j) = data.response[order[first + static_cast<std::size_t>(j)]];
    d.cells[cell->second].u.selfadjointView<Eigen::Lower>().rankUpdate(u);
    d.patterns[pattern->second].subjects += 1;
    ++d.subjects;
    first = last;
  }
  for (Cell& c : d.cells) c.u = c.u.selfadjointView<Eigen::Lower>();
  return d;
}

// ---- REML ---------------------------------------------------------------------------------

// Sum over cells of sum_jk w_P[j,k] T_j U T_k': the (p + 1) x (p + 1) matrix
// sum_i Z_i' W_P Z_i, given one weight matrix per pattern.
MatrixXd WeightedCrossProducts(const Design& d, const std::vector<MatrixXd>& weights) {
  MatrixXd q = MatrixXd::Zero(d.p + 1, d.p + 1);
  for (const Cell& c : d.cells) {
    const MatrixXd& w = weights[c.pattern];
    const auto m = static_cast<Eigen::Index>(c.rows.size());
    for (Eigen::Index j = 0; j < m; ++j) {
      for (Eigen::Index k = 0; k < m; ++k) {
        const double wjk = w(j, k);
        for (const Entry& a : c.rows[static_cast<std::size_t>(j)]) {
          for (const Entry& b : c.rows[static_cast<std::size_t>(k)])
            q(a.column, b.column) += wjk * c.u(a.source, b.source);
        }
      }
    }
  }
  return q;
}

// Per pattern, the m x m matrix [sum_i z_ij' C z_ik]_jk for a symmetric
// (p + 1) x (p + 1) matrix C.
std::vector<MatrixXd> PatternForms(const Design& d, const MatrixXd& c_matrix) {
  std::vector<MatrixXd> out;
  out.reserve(d.patterns.size());
  for (const Pattern& p : d.patterns) {
    const auto m = static_cast<Eigen::Index>(p.visits.size());
    out.push_back(MatrixXd::Zero(m, m));
  }
  for (const Cell& c : d.cells) {
    MatrixXd& form = out[c.pattern];
    const auto m = static_cast<Eigen::Index>(c.rows.size());
    for (Eigen::Index j = 0; j < m; ++j) {
      for (Eigen::Index k = 0; k < m; ++k) {
        double sum = 0;
        for (const Entry& a : c.rows[static_cast<std::size_t>(j)]) {
          for (const Entry& b : c.rows[static_cast<std::size_t>(k)])
            sum += c_matrix(a.column, b.column) * c.u(a.source, b.source);
        }
        form(j, k) += sum;
      }
    }
  }
  return out;
}

void Embed(const Design& d, std::size_t pattern, const MatrixXd& block, MatrixXd& into) {
  const auto& visits = d.patterns[pattern].visits;
  for (std::size_t j = 0; j < visits.size(); ++j) {
    for (std::size_t k = 0; k < visits.size(); ++k) {
      into(visits[j], visits[k]) += block(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k));
    }
  }
}

struct Evaluation {
  bool valid = false;
  double criterion = 0;  // -2 REML log-likelihood without the (N - p) log 2 pi term
  VectorXd beta;
  MatrixXd beta_covariance;        // (X' V^-1 X)^-1
  std::vector<MatrixXd> inverses;  // Sigma_P^-1 per pattern
  VectorXd gradient;
};

class Reml {
 public:
  Reml(const Design& design, const CovarianceModel& model) : d_(design), model_(model) {}

  Evaluation Evaluate(const VectorXd& theta, bool with_gradient) const {
    Evaluation e;
    const MatrixXd sigma = model_.Sigma(theta);
    if (!sigma.allFinite()) return e;
    double log_det = 0;
    e.inverses.reserve(d_.patterns.size());
    for (const Pattern& p : d_.patterns) {
      const auto m = static_cast<Eigen::Index>(p.visits.size());
      MatrixXd block(m, m);
      for (Eigen::Index j = 0; j < m; ++j) {
        for (Eigen::Index k = 0; k < m; ++k)
          block(j, k) = sigma(p.visits[static_cast<std::size_t>(j)], p.visits[static_cast<std::size_t>(k)]);
      }
      Eigen::LLT<MatrixXd> llt(block);
      if (llt.info() != Eigen::Success) return e;
      const double diagonal_log = llt.matrixLLT().diagonal().array().log().sum();
      if (!std::isfinite(diagonal_log)) return e;
      log_det += p.subjects * 2 * diagonal_log;
      e.inverses.push_back(llt.solve(MatrixXd::Identity(m, m)));
    }
    const MatrixXd q = WeightedCrossProducts(d_, e.inverses);
    const Eigen::Index p = d_.p;
    Eigen::LLT<MatrixXd> information(q.topLeftCorner(p, p));
    if (information.info() != Eigen::Success) return e;
    e.beta = information.solve(q.col(p).head(p));
    const double rss = q(p, p) - q.col(p).head(p).dot(e.beta);
    e.criterion = log_det + 2 * information.matrixLLT().diagonal().array().log().sum() + rss;
    if (!std::isfinite(e.criterion)) return e;
    e.beta_covariance = information.solve(MatrixXd::Identity(p, p));
    e.valid = true;
    if (!with_gradient) return e;

    // df/dtheta = <D, dSigma/dtheta>, D = sum_P embed(n_P A_P - A_P G_P A_P),
    // G_P[j,k] = sum_i z_ij' C z_ik, C = [[ (X'V^-1X)^-1, 0 ], [0, 0]] + zhat zhat'.
    MatrixXd c = MatrixXd::Zero(p + 1, p + 1);
    c.topLeftCorner(p, p) = e.beta_covariance;
    VectorXd zhat(p + 1);
    zhat.head(p) = e.beta;
    zhat(p) = -1;
    c += zhat * zhat.transpose();
    const std::vector<MatrixXd> forms = PatternForms(d_, c);
    MatrixXd dmatrix = MatrixXd::Zero(d_.visits, d_.visits);
    for (std::size_t i = 0; i < d_.patterns.size(); ++i) {
      const MatrixXd& a = e.inverses[i];
      Embed(d_, i, d_.patterns[i].subjects * a - a * forms[i] * a, dmatrix);
    }
    const std::vector<MatrixXd> derivatives = model_.Derivatives(theta);
    e.gradient.resize(static_cast<Eigen::Index>(derivatives.size()));
    for (std::size_t t = 0; t < derivatives.size(); ++t) {
      e.gradient(static_cast<Eigen::Index>(t)) = derivatives[t].cwiseProduct(dmatrix).sum();
    }
    return e;
  }

  // Central differences of the gradient, symmetrised; empty when a
  // neighbouring point leaves the parameter space.
  MatrixXd Hessian(const VectorXd& theta) const {
    const Eigen::Index k = theta.size();
    MatrixXd h(k, k);
    for (Eigen::Index t = 0; t < k; ++t) {
      VectorXd up = theta;
      VectorXd down = theta;
      const double step = kHessianStep * std::max(1.0, std::fabs(theta(t)));
      up(t) += step;
      down(t) -= step;
      const Evaluation a = Evaluate(up, true);
      const Evaluation b = Evaluate(down, true);
      if (!a.valid || !b.valid) return {};
      h.col(t) = (a.gradient - b.gradient) / (2 * step);
    }
    return (h + h.transpose()) / 2;
  }

 private:
  const Design& d_;
  const CovarianceModel& model_;
};

// The start: residuals of ordinary least squares, their covariance over the
// subjects seen at both visits; a variance that comes out 0 (a visit whose
// few observations the fixed effects fit exactly) takes the average.
MatrixXd StartingCovariance(const Design& d) {
  std::vector<MatrixXd> identity;
  for (const Pattern& p : d.patterns) {
    const auto m = static_cast<Eigen::Index>(p.visits.size());
    identity.push_back(MatrixXd::Identity(m, m));
  }
  const MatrixXd q = WeightedCrossProducts(d, identity);
  const Eigen::Index p = d.p;
  VectorXd zhat(p + 1);
  zhat.head(p) = q.topLeftCorner(p, p).ldlt().solve(q.col(p).head(p));
  zhat(p) = -1;
  const std::vector<MatrixXd> residual = PatternForms(d, zhat * zhat.transpose());
  MatrixXd sum = MatrixXd::Zero(d.visits, d.visits);
  MatrixXd count = MatrixXd::Zero(d.visits, d.visits);
  for (std::size_t i = 0; i < d.patterns.size(); ++i) {
    Embed(d, i, residual[i], sum);
    const auto m = static_cast<Eigen::Index>(d.patterns[i].visits.size());
    Embed(d, i, MatrixXd::Constant(m, m, d.patterns[i].subjects), count);
  }
  MatrixXd s = (count.array() > 0).select(sum.array() / count.array().max(1.0), 0.0);
  double average = 0;
  for (Eigen::Index j = 0; j < d.visits; ++j) average += s(j, j);
  average /= static_cast<double>(d.visits);
  if (!(average > 0)) average = 1;
  for (Eigen::Index j = 0; j < d.visits; ++j) {
    if (!(s(j, j) > 1e-8 * average)) s(j, j) = average;
  }
  if (Eigen::LLT<MatrixXd>(s).info() != Eigen::Success) s = MatrixXd(s.diagonal().asDiagonal());
  return s;
}

// The Newton step for a Hessian made positive definite by taking the
// absolute value of its eigenvalues, floored relative to the largest.
VectorXd NewtonStep(const MatrixXd& hessian, const VectorXd& gradient) {
  const Eigen::SelfAdjointEigenSolver<MatrixXd> eigen(hessian);
  VectorXd values = eigen.eigenvalues().cwiseAbs();
  const double floor = std::max(values.maxCoeff() * 1e-10, std::numeric_limits<double>::min());
  values = values.cwiseMax(floor);
  return -(eigen.eigenvectors() * (eigen.eigenvectors().transpose() * gradient).cwiseQuotient(values));
}

}  // namespace

Result<MmrmResult> FitMmrm(const MmrmData& data, const MmrmOptions& options) {
  if (!(options.level > 0 && options.level < 1)) {
    return Invalid("level is " + ShortestText(options.level) + ", must lie in (0, 1)", "level");
  }
  if (options.max_iterations < 1) return Invalid("max_iterations must be at least 1", "max_iterations");
  CIRRUS_ASSIGN_OR_RETURN(const Design design, BuildDesign(data));
  const CovarianceModel model(options.covariance, design.visits);
  const Eigen::Index parameters = model.ParameterCount();
  const auto observations = static_cast<Eigen::Index>(design.observations);
  if (observations - design.p < 1) {
    return Invalid(std::to_string(observations) + " observations leave no degree of freedom for " +
                       std::to_string(design.p) + " fixed effects",
                   "response");
  }
  {
    // The fixed effects must be estimable before any covariance is tried.
    std::vector<MatrixXd> identity;
    for (const Pattern& p : design.patterns) {
      const auto m = static_cast<Eigen::Index>(p.visits.size());
      identity.push_back(MatrixXd::Identity(m, m));
    }
    const MatrixXd q = WeightedCrossProducts(design, identity);
    Eigen::ColPivHouseholderQR<MatrixXd> qr(q.topLeftCorner(design.p, design.p));
    qr.setThreshold(1e-10);
    if (qr.rank() < design.p) {
      return Invalid("the baseline values are a linear combination of the visits and groups (all equal?)", "baseline");
    }
  }

  const Reml reml(design, model);
  MmrmResult out;
  out.subjects = design.subjects;
  out.observations = design.observations;
  out.fixed_effects = static_cast<std::size_t>(design.p);
  out.covariance_parameters = static_cast<std::size_t>(parameters);

  VectorXd theta = model.Start(StartingCovariance(design));
  Evaluation current = reml.Evaluate(theta, true);
  if (!current.valid) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": the REML criterion cannot be evaluated at the starting covariance",
                "response");
  }
  MatrixXd hessian;
  FitDiagnostics& diagnostics = out.diagnostics;
  for (;;) {
    hessian = reml.Hessian(theta);
    if (hessian.size() == 0) {
      diagnostics.warnings.push_back("the covariance reached the edge of its parameter space");
      break;
    }
    VectorXd step = NewtonStep(hessian, current.gradient);
    const double decrement = -current.gradient.dot(step);
    if (decrement < kDecrementTolerance) {
      diagnostics.converged = true;
      break;
    }
    if (diagnostics.iterations >= options.max_iterations) {
      diagnostics.warnings.push_back("ran out of iterations (" + std::to_string(options.max_iterations) + ")");
      break;
    }
    ++diagnostics.iterations;
    const double longest = step.cwiseAbs().maxCoeff();
    if (longest > kMaxStep) step *= kMaxStep / longest;
    double scale = 1;
    bool moved = false;
    for (int halving = 0; halving < 50; ++halving, scale /= 2) {
      const VectorXd trial = theta + scale * step;
      Evaluation next = reml.Evaluate(trial, true);
      if (!next.valid) continue;
      const bool quadratic = decrement < kQuadraticRegion && halving == 0;
      if (quadratic || next.criterion <= current.criterion - 1e-4 * scale * decrement) {
        theta = trial;
        current = std::move(next);
        moved = true;
        break;
      }
    }
    if (!moved) {
      diagnostics.warnings.push_back("the line search found no better point");
      break;
    }
  }

  // Observed information: positive definite at a maximum of the likelihood.
  Eigen::LLT<MatrixXd> information(hessian);
  if (diagnostics.converged && information.info() != Eigen::Success) {
    diagnostics.converged = false;
    diagnostics.warnings.push_back("the REML information is not positive definite: the optimum is not a maximum");
  }

  const MatrixXd sigma = model.Sigma(theta);
  out.covariance.assign(sigma.data(), sigma.data() + sigma.size());  // symmetric: order does not matter
  const double n_minus_p = static_cast<double>(observations - design.p);
  out.loglik_reml = -0.5 * (n_minus_p * std::log(2 * std::numbers::pi) + current.criterion);
  out.aic = -2 * out.loglik_reml + 2 * static_cast<double>(design.p + parameters);

  // Satterthwaite: for the contrast l, v = l' C l with C = (X'V^-1X)^-1 and
  // dv/dtheta_t = <dSigma_t, E>, E = sum_P embed(A_P U_P A_P), U_P[j,k] =
  // sum_i (x_ij' C l)(x_ik' C l); df = 2 v^2 / (g' W g), W = 2 H^-1 the
  // covariance of theta from the observed information (H of -2 log L).
  const std::vector<MatrixXd> derivatives = model.Derivatives(theta);
  const bool satterthwaite = options.df == DegreesOfFreedom::kSatterthwaite;
  auto inference = [&](const VectorXd& l) {
    const double variance = l.dot(current.beta_covariance * l);
    double df = n_minus_p;
    if (satterthwaite) {
      VectorXd u = VectorXd::Zero(design.p + 1);
      u.head(design.p) = current.beta_covariance * l;
      const std::vector<MatrixXd> forms = PatternForms(design, u * u.transpose());
      MatrixXd e = MatrixXd::Zero(design.visits, design.visits);
      for (std::size_t i = 0; i < design.patterns.size(); ++i) {
        const MatrixXd& a = current.inverses[i];
        Embed(design, i, a * forms[i] * a, e);
      }
      VectorXd g(parameters);
      for (Eigen::Index t = 0; t < parameters; ++t)
        g(t) = derivatives[static_cast<std::size_t>(t)].cwiseProduct(e).sum();
      df = information.info() == Eigen::Success ? variance * variance / g.dot(information.solve(g))
                                                : std::numeric_limits<double>::quiet_NaN();
    }
    return std::pair(variance, df);
  };
  const double alpha = 1 - options.level;
  // The centred baseline sits at its mean: 0 in the design.
  for (int v = 0; v < design.visits; ++v) {
    for (int g = 0; g < design.groups; ++g) {
      const VectorXd l = design.Row(v, g, 0);
      const auto [variance, df] = inference(l);
      AdjustedMean mean;
      mean.group = g;
      mean.visit = v;
      mean.n = design.counts[static_cast<std::size_t>(v * design.groups + g)];
      mean.estimate = l.dot(current.beta);
      mean.se = std::sqrt(variance);
      mean.df = df;
      const double q = internal::StudentTQuantile(1 - alpha / 2, df);
      mean.lower = mean.estimate - q * mean.se;
      mean.upper = mean.estimate + q * mean.se;
      out.lsmeans.push_back(mean);
    }
    for (int g = 1; g < design.groups; ++g) {
      const VectorXd l = design.Row(v, g, 0) - design.Row(v, 0, 0);
      const auto [variance, df] = inference(l);
      AdjustedDifference difference;
      difference.group = g;
      difference.visit = v;
      difference.estimate = l.dot(current.beta);
      difference.se = std::sqrt(variance);
      difference.df = df;
      const double q = internal::StudentTQuantile(1 - alpha / 2, df);
      difference.lower = difference.estimate - q * difference.se;
      difference.upper = difference.estimate + q * difference.se;
      difference.t = difference.estimate / difference.se;
      difference.p = internal::StudentTTwoSided(difference.t, df);
      out.differences.push_back(difference);
    }
  }
  return out;
}

}  // namespace cirrus::stats
