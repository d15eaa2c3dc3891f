#include "internal/linear_algebra.hpp"

#include <algorithm>
#include <cmath>

namespace cirrus::stats::internal {

TolerantCholesky FactorTolerantCholesky(const std::vector<double>& matrix, std::size_t p, double tolerance) {
  TolerantCholesky c{p, matrix, 0};
  auto at = [&](std::size_t i, std::size_t j) -> double& { return c.m[i * p + j]; };
  double largest = 0;
  for (std::size_t i = 0; i < p; ++i) largest = std::max(largest, at(i, i));
  if (largest == 0) {
    for (std::size_t i = 0; i < p; ++i) at(i, i) = 0;
    return c;
  }
  const double eps = largest * tolerance;
  for (std::size_t i = 0; i < p; ++i) {
    const double pivot = at(i, i);
    if (!std::isfinite(pivot) || pivot < eps) {
      at(i, i) = 0;
      continue;
    }
    ++c.rank;
    for (std::size_t j = i + 1; j < p; ++j) {
      const double temp = at(j, i) / pivot;
      at(j, i) = temp;
      at(j, j) -= temp * temp * pivot;
      for (std::size_t k = j + 1; k < p; ++k) at(k, j) -= temp * at(k, i);
    }
  }
  return c;
}

void SolveTolerantCholesky(const TolerantCholesky& c, std::vector<double>& y) {
  const std::size_t p = c.p;
  auto at = [&](std::size_t i, std::size_t j) { return c.m[i * p + j]; };
  for (std::size_t i = 0; i < p; ++i) {
    double temp = y[i];
    for (std::size_t j = 0; j < i; ++j) temp -= y[j] * at(i, j);
    y[i] = temp;
  }
  for (std::size_t i = p; i-- > 0;) {
    if (at(i, i) == 0) {
      y[i] = 0;
      continue;
    }
    double temp = y[i] / at(i, i);
    for (std::size_t j = i + 1; j < p; ++j) temp -= y[j] * at(j, i);
    y[i] = temp;
  }
}

std::vector<double> InvertTolerantCholesky(const TolerantCholesky& c) {
  const std::size_t p = c.p;
  std::vector<double> inverse(p * p, 0.0);
  std::vector<double> column(p);
  for (std::size_t j = 0; j < p; ++j) {
    std::fill(column.begin(), column.end(), 0.0);
    column[j] = 1;
    SolveTolerantCholesky(c, column);
    for (std::size_t i = 0; i < p; ++i) inverse[i * p + j] = column[i];
  }
  for (std::size_t i = 0; i < p; ++i) {
    if (c.m[i * p + i] == 0) {
      for (std::size_t j = 0; j < p; ++j) inverse[i * p + j] = inverse[j * p + i] = 0;
    }
  }
  return inverse;
}

bool SolveGeneral(const std::vector<double>& a, std::size_t p, std::vector<double>& rhs, std::size_t columns) {
  const auto n = static_cast<Eigen::Index>(p);
  const auto k = static_cast<Eigen::Index>(columns);
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> matrix(a.data(), n, n);
  const double largest = matrix.cwiseAbs().maxCoeff();
  if (!(largest > 0) || !std::isfinite(largest)) return false;
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(matrix);
  // The pivots are U's diagonal; R's solve() refuses when one vanishes
  // relative to the matrix (its rcond check, here on the pivots).
  const double tiny = largest * 1e-14;
  if (!(lu.matrixLU().diagonal().cwiseAbs().minCoeff() > tiny)) return false;
  Eigen::Map<RowMajor> b(rhs.data(), n, k);
  const RowMajor solved = lu.solve(Eigen::MatrixXd(b));
  if (!solved.allFinite()) return false;
  b = solved;
  return true;
}

namespace {

// Which columns dqrdc2 keeps: in order, each when its residual after the kept
// ones (modified Gram-Schmidt; in exact arithmetic the column norms dqrdc2
// updates are these residuals) is at least `tolerance` of its own norm.
std::vector<bool> KeptColumns(const Eigen::MatrixXd& x, double tolerance) {
  std::vector<bool> kept;
  std::vector<Eigen::VectorXd> basis;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    Eigen::VectorXd r = x.col(j);
    double norm = r.norm();
    if (norm == 0) norm = 1;  // dqrdc2: a zero column is measured against 1
    for (const Eigen::VectorXd& q : basis) r -= q.dot(r) * q;
    const double residual = r.norm();
    kept.push_back(residual >= tolerance * norm);
    if (kept.back()) basis.push_back(r / residual);
  }
  return kept;
}

}  // namespace

Eigen::Index QrRank(const Eigen::MatrixXd& x, double tolerance) {
  const std::vector<bool> kept = KeptColumns(x, tolerance);
  return static_cast<Eigen::Index>(std::count(kept.begin(), kept.end(), true));
}

Eigen::Index FirstDependentColumn(const Eigen::MatrixXd& x, double tolerance) {
  const std::vector<bool> kept = KeptColumns(x, tolerance);
  return static_cast<Eigen::Index>(std::find(kept.begin(), kept.end(), false) - kept.begin());
}

}  // namespace cirrus::stats::internal
