// The shared linear algebra against R: solve() and qr()$rank on small
// matrices written out here (the R calls beside the numbers), and the
// tolerant Cholesky's treatment of a redundant column as survival's
// cholesky2 gives it (coxph reports NA, i.e. 0 in chinv2, for such a term).
#include "internal/linear_algebra.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace cirrus::stats::internal {
namespace {

// A <- matrix(c(4, 2, 0.6, 2, 5, 1.5, 0.6, 1.5, 3), 3)
const std::vector<double> kSymmetric = {4, 2, 0.6, 2, 5, 1.5, 0.6, 1.5, 3};

TEST(TolerantCholesky, InverseAndSolveMatchRsSolve) {
  const TolerantCholesky c = FactorTolerantCholesky(kSymmetric, 3, 1e-9);
  EXPECT_EQ(c.rank, 3);
  // solve(A)
  const double inverse[] = {0.3125,
                            -0.125,
                            0,
                            -0.125,
                            0.28529411764705881,
                            -0.11764705882352938,
                            0,
                            -0.11764705882352940,
                            0.39215686274509798};
  const std::vector<double> got = InvertTolerantCholesky(c);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(got[i], inverse[i], 1e-15);
  // solve(A, c(1, 2, 3))
  std::vector<double> y = {1, 2, 3};
  SolveTolerantCholesky(c, y);
  EXPECT_NEAR(y[0], 0.0625, 1e-15);
  EXPECT_NEAR(y[1], 0.092647058823529416, 1e-15);
  EXPECT_NEAR(y[2], 0.941176470588235281, 1e-15);
}

TEST(TolerantCholesky, ARedundantColumnIsZeroedNotInverted) {
  // The third column is the sum of the first two: rank 2, and chinv2 leaves
  // row and column 3 at 0.
  const std::vector<double> m = {2, 1, 3, 1, 2, 3, 3, 3, 6};
  const TolerantCholesky c = FactorTolerantCholesky(m, 3, 1e-9);
  EXPECT_EQ(c.rank, 2);
  const std::vector<double> inverse = InvertTolerantCholesky(c);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(inverse[2 * 3 + k], 0);
    EXPECT_EQ(inverse[k * 3 + 2], 0);
  }
  // The kept 2 x 2 block is the inverse of [[2, 1], [1, 2]].
  EXPECT_NEAR(inverse[0], 2.0 / 3, 1e-15);
  EXPECT_NEAR(inverse[1], -1.0 / 3, 1e-15);
}

TEST(SolveGeneral, MatchesRsSolveWithPivoting) {
  // G <- matrix(c(0, 2, 1, 1, 1, 3, 4, -1, 2), 3, byrow = TRUE); solve(G, c(1, 0, -2))
  const std::vector<double> g = {0, 2, 1, 1, 1, 3, 4, -1, 2};
  std::vector<double> b = {1, 0, -2};
  ASSERT_TRUE(SolveGeneral(g, 3, b, 1));
  EXPECT_NEAR(b[0], -0.333333333333333370, 1e-15);
  EXPECT_NEAR(b[1], 0.533333333333333326, 1e-15);
  EXPECT_NEAR(b[2], -0.066666666666666666, 1e-15);
  // Several right-hand sides at once: A X = I gives solve(A).
  std::vector<double> identity = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  ASSERT_TRUE(SolveGeneral(kSymmetric, 3, identity, 3));
  EXPECT_NEAR(identity[4], 0.28529411764705881, 1e-15);
  EXPECT_NEAR(identity[5], -0.11764705882352938, 1e-15);
}

TEST(SolveGeneral, RefusesASingularOrNonFiniteSystem) {
  const std::vector<double> singular = {1, 2, 2, 4};
  std::vector<double> b = {1, 1};
  EXPECT_FALSE(SolveGeneral(singular, 2, b, 1));
  const std::vector<double> infinite = {1, 0, 0, 1e308 * 10};
  EXPECT_FALSE(SolveGeneral(infinite, 2, b, 1));
}

TEST(QrRank, CountsAsRsQr) {
  // X <- cbind(1, 1:4, 2 * (1:4), c(1, 0, 1, 0)); qr(X)$rank is 3 and
  // qr(X)$pivot moves column 3 (twice column 2) to the end.
  Eigen::MatrixXd x(4, 4);
  x << 1, 1, 2, 1, 1, 2, 4, 0, 1, 3, 6, 1, 1, 4, 8, 0;
  EXPECT_EQ(QrRank(x), 3);
  EXPECT_EQ(FirstDependentColumn(x), 2);
  EXPECT_EQ(FirstDependentColumn(x.leftCols(2)), 2);  // none: the number of columns
  // A zero column is dependent (measured against 1).
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(3, 2);
  z(0, 0) = 1;
  EXPECT_EQ(QrRank(z), 1);
}

}  // namespace
}  // namespace cirrus::stats::internal
