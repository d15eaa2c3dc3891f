#pragma once

// The dense linear algebra of the statistics, in one place: the small
// symmetric and general systems of the regression fits, each with the
// singularity rule of the R function the fit reproduces. Eigen does the
// decompositions where its algorithm is R's; R survival's cholesky2, whose
// tolerance-zeroed columns Cox and its R oracle depend on, is written out.
#include <Eigen/Dense>
#include <cstddef>
#include <vector>

namespace cirrus::stats::internal {

// ---- R survival's cholesky2 / chsolve2 / chinv2 ---------------------------------------
/// A symmetric p x p matrix (row-major, full) factored as F D F' with F unit
/// lower triangular. A pivot below tolerance x the largest diagonal marks its
/// column as redundant: D = 0 there, and solves and inverses give 0 for it.
struct TolerantCholesky {
  std::size_t p = 0;
  std::vector<double> m;  ///< F below the diagonal, D on it
  int rank = 0;
};

TolerantCholesky FactorTolerantCholesky(const std::vector<double>& matrix, std::size_t p, double tolerance);

/// y <- A^-1 y, 0 in the redundant columns (chsolve2).
void SolveTolerantCholesky(const TolerantCholesky& c, std::vector<double>& y);

/// A^-1, row-major, with the redundant rows and columns 0 (chinv2).
std::vector<double> InvertTolerantCholesky(const TolerantCholesky& c);

// ---- R's solve(): LU with partial pivoting ---------------------------------------------
/// Solves A X = B in place (A p x p, B p x columns, both row-major) by LU
/// with partial pivoting, LAPACK's dgesv as R's solve() calls it. Returns
/// false when a pivot is not above 1e-14 of the largest |entry| or anything
/// is not finite (R: "system is computationally singular").
bool SolveGeneral(const std::vector<double>& a, std::size_t p, std::vector<double>& rhs, std::size_t columns);

// ---- R's qr() rank ---------------------------------------------------------------------
/// The number of linearly independent columns as R's qr() (dqrdc2) counts
/// them: columns in order, each kept when its residual after the kept ones is
/// at least `tolerance` (R: 1e-7) of its own norm, a zero column measured
/// against 1.
Eigen::Index QrRank(const Eigen::MatrixXd& x, double tolerance = 1e-7);

/// The first column that QrRank would not keep (a linear combination of the
/// columns before it, the coefficient lm reports as NA), or x.cols().
Eigen::Index FirstDependentColumn(const Eigen::MatrixXd& x, double tolerance = 1e-7);

}  // namespace cirrus::stats::internal
