// FIB-4 (Sterling RK et al. Hepatology 2006;43:1317-1325) and APRI (Wai CT et
// al. Hepatology 2003;38:518-526) against their definitions.
#include "cirrus/scores/fibrosis.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cirrus_matchers.hpp"

namespace cirrus::scores {
namespace {

constexpr double kFormulaTolerance = 1e-12;

TEST(Fib4, WorkedExamples) {
  // 52 x 62 / (95 x sqrt 45) = 3224 / 637.28 = 5.0590
  EXPECT_THAT(ComputeFib4({52, 62, 45, 95}), IsOkAndHolds(::testing::DoubleNear(5.059005725936366, kFormulaTolerance)));
  // 60 x 40 / (200 x sqrt 25) = 2400 / 1000 = 2.4
  EXPECT_THAT(ComputeFib4({60, 40, 25, 200}), IsOkAndHolds(::testing::DoubleNear(2.4, kFormulaTolerance)));
}

TEST(Fib4, IsProportionalToAgeAndAst) {
  EXPECT_NEAR(*ComputeFib4({70, 40, 25, 200}) / *ComputeFib4({35, 40, 25, 200}), 2.0, kFormulaTolerance);
  EXPECT_NEAR(*ComputeFib4({60, 120, 25, 200}) / *ComputeFib4({60, 40, 25, 200}), 3.0, kFormulaTolerance);
}

TEST(Fib4, GuardsAgainstDivisionByZero) {
  EXPECT_THAT(ComputeFib4({60, 40, 25, 0}), HasErrorMessage(::testing::HasSubstr("platelets_10e9_l")));
  EXPECT_THAT(ComputeFib4({60, 40, 0, 200}), HasErrorMessage(::testing::HasSubstr("alt_u_l")));
  EXPECT_THAT(ComputeFib4({-1, 40, 25, 200}), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(Apri, WorkedExamples) {
  // (62 / 40) / 95 x 100 = 1.6316
  EXPECT_THAT(ComputeApri({62, 40, 95}), IsOkAndHolds(::testing::DoubleNear(1.631578947368421, kFormulaTolerance)));
  // (80 / 50) / 100 x 100 = 1.6
  EXPECT_THAT(ComputeApri({80, 50, 100}), IsOkAndHolds(::testing::DoubleNear(1.6, kFormulaTolerance)));
}

TEST(Apri, DependsOnTheLabsUpperLimitOfNormal) {
  // The same AST reads as 1.5 x ULN at one lab and 2 x ULN at another.
  EXPECT_NEAR(*ComputeApri({60, 40, 100}), 1.5, kFormulaTolerance);
  EXPECT_NEAR(*ComputeApri({60, 30, 100}), 2.0, kFormulaTolerance);
}

TEST(Apri, GuardsAgainstDivisionByZero) {
  EXPECT_THAT(ComputeApri({60, 0, 100}), HasErrorMessage(::testing::HasSubstr("ast_uln_u_l")));
  EXPECT_THAT(ComputeApri({60, 40, 0}), HasErrorMessage(::testing::HasSubstr("platelets_10e9_l")));
}

}  // namespace
}  // namespace cirrus::scores
