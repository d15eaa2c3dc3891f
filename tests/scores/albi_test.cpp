// ALBI against Johnson PJ et al. J Clin Oncol 2015;33:550-558:
// ALBI = 0.66 log10(bilirubin umol/L) - 0.085 albumin g/L; grade 1 <= -2.60 < grade 2 <= -1.39 < grade 3.
#include "cirrus/scores/albi.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "cirrus_matchers.hpp"

namespace cirrus::scores {
namespace {

constexpr double kFormulaTolerance = 1e-12;

TEST(Albi, WorkedExamples) {
  // Bilirubin 1.0 mg/dL = 17.1 umol/L, albumin 40 g/L: 0.66 log10(17.1) - 3.4 = -2.5862
  auto r = ComputeAlbi(1.0, 4.0);
  ASSERT_THAT(r, IsOk());
  EXPECT_NEAR(r->score, -2.5862225671411787, kFormulaTolerance);
  EXPECT_EQ(r->grade, 2);
  // 0.5 mg/dL = 8.55 umol/L, 45 g/L: 0.66 log10(8.55) - 3.825 = -3.2099 (grade 1)
  r = ComputeAlbi(0.5, 4.5);
  EXPECT_NEAR(r->score, -3.2099023642794062, kFormulaTolerance);
  EXPECT_EQ(r->grade, 1);
  // 5 mg/dL = 85.5 umol/L, 25 g/L: 0.66 log10(85.5) - 2.125 = -0.8499 (grade 3)
  r = ComputeAlbi(5.0, 2.5);
  EXPECT_NEAR(r->score, -0.8499023642794061, kFormulaTolerance);
  EXPECT_EQ(r->grade, 3);
}

TEST(Albi, UsesBase10LogarithmNotNatural) {
  const double with_ln = 0.66 * std::log(17.1 * 2.0) - 0.85 * 3.0;
  EXPECT_GT(std::fabs(ComputeAlbi(2.0, 3.0)->score - with_ln), 0.5);
}

TEST(Albi, GradeCutOffsAreMinus2Point60AndMinus1Point39) {
  // At bilirubin 1.0 mg/dL, ALBI = -2.60 at albumin (0.66 log10 17.1 + 2.60) / 0.85 = 4.01621 g/dL
  // and ALBI = -1.39 at albumin (0.66 log10 17.1 + 1.39) / 0.85 = 2.59268 g/dL.
  EXPECT_EQ(ComputeAlbi(1.0, 4.0163)->grade, 1);
  EXPECT_EQ(ComputeAlbi(1.0, 4.0161)->grade, 2);
  EXPECT_EQ(ComputeAlbi(1.0, 2.5927)->grade, 2);
  EXPECT_EQ(ComputeAlbi(1.0, 2.5926)->grade, 3);
}

TEST(Albi, GradeComesFromTheUnroundedScore) {
  // Albumin 4.0161 gives ALBI -2.59991...: rounded to two decimals it would read -2.60 (grade 1), but it is grade 2.
  const auto r = ComputeAlbi(1.0, 4.0161);
  EXPECT_GT(r->score, -2.60);
  EXPECT_LT(r->score, -2.599);
  EXPECT_EQ(r->grade, 2);
}

TEST(Albi, HasNoBounds) {
  EXPECT_LT(ComputeAlbi(0.05, 7.0)->score, -5.0);
  EXPECT_GT(ComputeAlbi(70.0, 0.5)->score, 1.0);
}

TEST(Albi, RejectsBilirubinThatIsNotPositive) {
  EXPECT_THAT(ComputeAlbi(0.0, 3.0), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ComputeAlbi(1.0, -1.0), HasErrorMessage(::testing::HasSubstr("albumin_g_dl")));
}

}  // namespace
}  // namespace cirrus::scores
