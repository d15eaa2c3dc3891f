// The paired and Welch t tests and the Wilcoxon signed-rank test of
// stats/location_tests.hpp against R 4.2.2 (stats package). Each expected
// value has the R call that printed it, with options(digits = 17), beside it.
// R's sleep data: extra hours of sleep of 10 patients under drug 1 and drug 2.
#include "cirrus/stats/location_tests.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Optional;

// The same operations in the same order as R (two-pass mean and variance
// with long double sums, then double): equal to the last bit on these data,
// so the tolerance only absorbs R's 17 printed digits.
constexpr double kSameArithmetic = 1e-15;
// Quantities that go through the t or normal distribution: Boost.Math's
// cdf and quantile stand in for R's pt, qt and pnorm, which agree to about
// 1e-14 relative (R's qt stops its Newton steps at 1e-14).
constexpr double kDistribution = 1e-12;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Values = std::vector<double>;

// R: with(sleep, extra[group == 1]) and extra[group == 2].
const Values kDrug1 = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
const Values kDrug2 = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

// x[i] - y[i] in double, as R forms the differences of a paired test.
Values Differences(const Values& x, const Values& y) {
  Values d(x.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = x[i] - y[i];
  return d;
}

Values Scaled(Values values, int power_of_two) {
  for (double& v : values) v = std::ldexp(v, power_of_two);
  return values;
}

// Distinct |d| with mixed signs: k_i - 20.3 for k_i = 37 i mod 61, a
// permutation of 1..60, so no two magnitudes are equal.
// R: d <- ((1:n) * 37) %% 61 - 20.3
Values Spread(int n) {
  Values d;
  for (int i = 1; i <= n; ++i) d.push_back(static_cast<double>(i * 37 % 61) - 20.3);
  return d;
}

// ---- Paired t ---------------------------------------------------------------------------

TEST(PairedTTest, MatchesRSleepData) {
  // R: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE))
  const Result<TTestResult> r = PairedTTest(kDrug2, kDrug1);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->n, 10u);
  EXPECT_NEAR(r->estimate, 1.5800000000000001, kSameArithmetic);
  EXPECT_NEAR(r->sd, 1.2299954832798732, kSameArithmetic);  // R: sd(extra[11:20] - extra[1:10])
  EXPECT_NEAR(r->se, 0.38895872388839520, kSameArithmetic);
  EXPECT_EQ(r->df, 9);
  EXPECT_THAT(r->t, Optional(DoubleNear(4.0621276833820366, kSameArithmetic)));
  EXPECT_THAT(r->p, Optional(DoubleNear(0.0028328901973842702, kDistribution)));
  EXPECT_THAT(r->lower, Optional(DoubleNear(0.70011423672301754, kDistribution)));
  EXPECT_THAT(r->upper, Optional(DoubleNear(2.4598857632769824, kDistribution)));
}

TEST(PairedTTest, LevelSetsTheInterval) {
  // R: with(sleep, t.test(extra[group == 2], extra[group == 1], paired = TRUE, conf.level = 0.9))
  const Result<TTestResult> r = PairedTTest(kDrug2, kDrug1, 0.9);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->p, Optional(DoubleNear(0.0028328901973842702, kDistribution)));
  EXPECT_THAT(r->lower, Optional(DoubleNear(0.86699473297071650, kDistribution)));
  EXPECT_THAT(r->upper, Optional(DoubleNear(2.2930052670292835, kDistribution)));
}

TEST(PairedTTest, SwappingTheSamplesNegatesTheEstimate) {
  const Result<TTestResult> forward = PairedTTest(kDrug2, kDrug1);
  const Result<TTestResult> backward = PairedTTest(kDrug1, kDrug2);
  ASSERT_THAT(forward, IsOk());
  ASSERT_THAT(backward, IsOk());
  // Negating every difference negates each sum exactly.
  EXPECT_EQ(backward->estimate, -forward->estimate);
  EXPECT_EQ(backward->se, forward->se);
  EXPECT_EQ(*backward->t, -*forward->t);
  EXPECT_EQ(*backward->p, *forward->p);
  EXPECT_EQ(*backward->lower, -*forward->upper);
  EXPECT_EQ(*backward->upper, -*forward->lower);
}

TEST(PairedTTest, ConstantDifferencesHaveNoStatistic) {
  // R: t.test(c(1, 2, 3), c(0, 1, 2), paired = TRUE) stops: "data are essentially constant".
  const Result<TTestResult> r = PairedTTest(Values{1, 2, 3}, Values{0, 1, 2});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->estimate, 1);
  EXPECT_EQ(r->sd, 0);
  EXPECT_EQ(r->se, 0);
  EXPECT_EQ(r->df, 2);
  EXPECT_EQ(r->t, std::nullopt);
  EXPECT_EQ(r->p, std::nullopt);
  EXPECT_EQ(r->lower, std::nullopt);
  EXPECT_EQ(r->upper, std::nullopt);
}

TEST(PairedTTest, NearlyConstantDifferencesHaveNoStatisticAsInR) {
  // 0.1 + 0.2 is one ulp above 0.3, so se > 0, but below 10 eps |mean|.
  // R: t.test(c(0.1 + 0.2, 0.3, 0.3), c(0, 0, 0), paired = TRUE) stops: "data are essentially constant".
  const Result<TTestResult> r = PairedTTest(Values{0.1 + 0.2, 0.3, 0.3}, Values{0, 0, 0});
  ASSERT_THAT(r, IsOk());
  EXPECT_NEAR(r->sd, 3.9252311467094379e-17, 1e-31);  // R: sd(c(0.1 + 0.2, 0.3, 0.3))
  EXPECT_GT(r->se, 0);
  EXPECT_EQ(r->t, std::nullopt);
  EXPECT_EQ(r->p, std::nullopt);
}

TEST(PairedTTest, IdenticalSamplesHaveNoStatistic) {
  // R: t.test(c(1, 2, 3), c(1, 2, 3), paired = TRUE): t, p and the interval are NaN.
  const Result<TTestResult> r = PairedTTest(Values{1, 2, 3}, Values{1, 2, 3});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->estimate, 0);
  EXPECT_EQ(r->se, 0);
  EXPECT_EQ(r->t, std::nullopt);
  EXPECT_EQ(r->p, std::nullopt);
  EXPECT_EQ(r->lower, std::nullopt);
}

// Regression-style pin of a deliberate difference from R: there x - y
// overflows to Inf (3 x 2^1022 + 2^1022 = 2^1024) and t.test fails with
// "missing value where TRUE/FALSE needed". Here the test is the one on the
// same data divided by 2^1022, scaled back.
TEST(PairedTTest, DifferencesBeyondTheDoubleRangeAreScaled) {
  const Values x = {3, -2, 0, 0.5};
  const Values y = {-1, 0, 0, 0.25};
  const Result<TTestResult> huge = PairedTTest(Scaled(x, 1022), Scaled(y, 1022), 0.5);
  // R: t.test(c(3, -2, 0, 0.5), c(-1, 0, 0, 0.25), paired = TRUE, conf.level = 0.5)
  const Result<TTestResult> plain = PairedTTest(x, y, 0.5);
  ASSERT_THAT(huge, IsOk());
  ASSERT_THAT(plain, IsOk());
  EXPECT_NEAR(plain->estimate, 0.5625, kSameArithmetic);
  EXPECT_NEAR(plain->sd, 2.5031230493125984, kSameArithmetic);
  EXPECT_THAT(plain->t, Optional(DoubleNear(0.44943855249503006, kSameArithmetic)));
  EXPECT_THAT(plain->p, Optional(DoubleNear(0.68360101814706331, kDistribution)));
  EXPECT_THAT(plain->lower, Optional(DoubleNear(-0.39480980873564897, kDistribution)));
  // Scaling by a power of two is exact, so the two agree to the last bit.
  EXPECT_EQ(huge->estimate, std::ldexp(plain->estimate, 1022));
  EXPECT_EQ(huge->sd, std::ldexp(plain->sd, 1022));
  EXPECT_EQ(huge->se, std::ldexp(plain->se, 1022));
  EXPECT_EQ(*huge->t, *plain->t);
  EXPECT_EQ(*huge->p, *plain->p);
  EXPECT_EQ(*huge->lower, std::ldexp(*plain->lower, 1022));
  EXPECT_EQ(*huge->upper, std::ldexp(*plain->upper, 1022));
}

TEST(PairedTTest, RejectsSamplesOfDifferentSizes) {
  const Result<TTestResult> r = PairedTTest(Values{1, 2, 3}, Values{1, 2});
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::PairedTTest: x has 3 values and y 2")));
}

TEST(PairedTTest, RejectsFewerThanTwoPairs) {
  EXPECT_THAT(PairedTTest(Values{1}, Values{2}), HasErrorMessage(HasSubstr("1 pairs, needs at least 2")));
  EXPECT_THAT(PairedTTest(Values{}, Values{}), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(PairedTTest, RejectsNonFiniteValues) {
  const Result<TTestResult> nan = PairedTTest(Values{1, kNaN, 3}, Values{1, 2, 3});
  EXPECT_THAT(nan, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(nan, HasErrorMessage(HasSubstr("stats::PairedTTest: x[1] is")));
  EXPECT_THAT(PairedTTest(Values{1, 2, 3}, Values{1, 2, -kInf}), HasErrorMessage(HasSubstr("y[2] is -inf")));
}

TEST(PairedTTest, RejectsLevelOutsideTheUnitInterval) {
  for (const double level : {0.0, 1.0, -0.5, 1.5, kNaN}) {
    const Result<TTestResult> r = PairedTTest(kDrug2, kDrug1, level);
    EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument)) << level;
    EXPECT_THAT(r, HasErrorMessage(HasSubstr("must lie in (0, 1)"))) << level;
  }
}

// ---- Welch t ----------------------------------------------------------------------------

const Values kTreated = {19.1, 22.4, 18.3, 25.0, 21.7, 20.9, 23.3};
const Values kControl = {17.2, 18.9, 16.4, 20.1, 15.8};

TEST(WelchTTest, MatchesRWithUnequalSizes) {
  // R: x <- c(19.1, 22.4, 18.3, 25.0, 21.7, 20.9, 23.3); y <- c(17.2, 18.9, 16.4, 20.1, 15.8); t.test(x, y)
  const Result<TTestResult> r = WelchTTest(kTreated, kControl);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->n, 12u);
  EXPECT_NEAR(r->estimate, 3.8485714285714288, kSameArithmetic);  // R: mean(x) - mean(y)
  EXPECT_EQ(r->sd, 0);
  EXPECT_NEAR(r->se, 1.1898888074730596, kSameArithmetic);
  EXPECT_NEAR(r->df, 9.8961156997580240, 10 * kSameArithmetic);
  EXPECT_THAT(r->t, Optional(DoubleNear(3.2343958564872581, kSameArithmetic)));
  EXPECT_THAT(r->p, Optional(DoubleNear(0.0090731084602351849, kDistribution)));
  EXPECT_THAT(r->lower, Optional(DoubleNear(1.1935566072606409, kDistribution)));
  EXPECT_THAT(r->upper, Optional(DoubleNear(6.5035862498822175, kDistribution)));
}

TEST(WelchTTest, LevelSetsTheInterval) {
  // R: t.test(x, y, conf.level = 0.99), x and y as above
  const Result<TTestResult> r = WelchTTest(kTreated, kControl, 0.99);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->lower, Optional(DoubleNear(0.068602543189222320, kDistribution)));
  EXPECT_THAT(r->upper, Optional(DoubleNear(7.6285403139536356, kDistribution)));
}

TEST(WelchTTest, OneConstantSampleLeavesTheOthersDf) {
  // R: t.test(c(1, 2, 3, 4), c(5, 5, 5))
  const Result<TTestResult> r = WelchTTest(Values{1, 2, 3, 4}, Values{5, 5, 5});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->estimate, -2.5);
  EXPECT_NEAR(r->se, 0.64549722436790280, kSameArithmetic);
  EXPECT_NEAR(r->df, 3, kSameArithmetic);
  EXPECT_THAT(r->t, Optional(DoubleNear(-3.8729833462074170, kSameArithmetic)));
  EXPECT_THAT(r->p, Optional(DoubleNear(0.030466291662170977, kDistribution)));
  EXPECT_THAT(r->lower, Optional(DoubleNear(-4.5542602567605206, kDistribution)));
  EXPECT_THAT(r->upper, Optional(DoubleNear(-0.44573974323947924, kDistribution)));
}

TEST(WelchTTest, BothSamplesConstantHaveNoStatistic) {
  // R: t.test(c(2, 2), c(3, 3)) stops: "data are essentially constant".
  const Result<TTestResult> r = WelchTTest(Values{2, 2}, Values{3, 3});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->estimate, -1);
  EXPECT_EQ(r->se, 0);
  EXPECT_EQ(r->df, 0);  // undefined: 0 / 0 in R's formula
  EXPECT_EQ(r->t, std::nullopt);
  EXPECT_EQ(r->p, std::nullopt);
  EXPECT_EQ(r->lower, std::nullopt);
  EXPECT_EQ(r->upper, std::nullopt);
}

// Deliberate differences from R, which loses the test at these scales: at
// 2^300, stderr^4 overflows and df and p are NaN (R: t.test(c(1, 2, 4) *
// 2^300, c(2, 3, 7, 1) * 2^300)); at 2^-600 the variance underflows to 0
// and R stops, "data are essentially constant". Scaled data give the same
// test here, to the last bit.
TEST(WelchTTest, DataFarFromOneGiveTheSameTest) {
  const Values x = {1, 2, 4};
  const Values y = {2, 3, 7, 1};
  // R: t.test(c(1, 2, 4), c(2, 3, 7, 1))
  const Result<TTestResult> plain = WelchTTest(x, y);
  ASSERT_THAT(plain, IsOk());
  EXPECT_NEAR(plain->df, 4.8376331712387248, 10 * kSameArithmetic);
  EXPECT_THAT(plain->t, Optional(DoubleNear(-0.57894736842105243, kSameArithmetic)));
  EXPECT_THAT(plain->p, Optional(DoubleNear(0.58853118346717648, kDistribution)));
  for (const int power : {300, -600}) {
    const Result<TTestResult> scaled = WelchTTest(Scaled(x, power), Scaled(y, power));
    ASSERT_THAT(scaled, IsOk()) << power;
    EXPECT_EQ(scaled->estimate, std::ldexp(plain->estimate, power)) << power;
    EXPECT_EQ(scaled->se, std::ldexp(plain->se, power)) << power;
    EXPECT_EQ(scaled->df, plain->df) << power;
    EXPECT_EQ(scaled->t, plain->t) << power;
    EXPECT_EQ(scaled->p, plain->p) << power;
    EXPECT_EQ(*scaled->lower, std::ldexp(*plain->lower, power)) << power;
  }
}

TEST(WelchTTest, RejectsSamplesWithFewerThanTwoValues) {
  const Result<TTestResult> x = WelchTTest(Values{1}, Values{1, 2});
  EXPECT_THAT(x, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(x, HasErrorMessage(HasSubstr("stats::WelchTTest: x has 1 values, needs at least 2")));
  EXPECT_THAT(WelchTTest(Values{1, 2}, Values{}), HasErrorMessage(HasSubstr("y has 0 values")));
}

TEST(WelchTTest, RejectsNonFiniteValues) {
  EXPECT_THAT(WelchTTest(Values{1, kInf}, Values{1, 2}), HasErrorMessage(HasSubstr("x[1] is inf, must be finite")));
  const Result<TTestResult> y = WelchTTest(Values{1, 2}, Values{kNaN, 2});
  EXPECT_THAT(y, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(y, HasErrorMessage(HasSubstr("y[0] is")));
}

TEST(WelchTTest, RejectsLevelOutsideTheUnitInterval) {
  for (const double level : {0.0, 1.0, 2.0, kNaN}) {
    const Result<TTestResult> r = WelchTTest(kTreated, kControl, level);
    EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument)) << level;
    EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::WelchTTest: level is"))) << level;
  }
}

// ---- Wilcoxon signed rank ---------------------------------------------------------------

TEST(WilcoxonSignedRank, ExactForASmallSample) {
  // |d| ranks 3, 1, 5, 4, 2; V = 3 + 5 + 4 + 2 = 14; P(V >= 14) = P(V <= 1) = 2 / 32.
  // R: wilcox.test(c(1.5, -0.25, 3, 2, 0.5))
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{1.5, -0.25, 3, 2, 0.5});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 14);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.125, kSameArithmetic)));
  EXPECT_EQ(r->method, SignedRankMethod::kExact);

  // R: wilcox.test(c(0.8, -1.3, 2.1, 0.4, -0.2, 1.7, 3.5, -0.9, 1.1, 2.6))
  const Result<SignedRankResult> ten = WilcoxonSignedRank(Values{0.8, -1.3, 2.1, 0.4, -0.2, 1.7, 3.5, -0.9, 1.1, 2.6});
  ASSERT_THAT(ten, IsOk());
  EXPECT_EQ(ten->v, 44);
  EXPECT_THAT(ten->p, Optional(DoubleNear(0.10546875, kSameArithmetic)));
  EXPECT_EQ(ten->method, SignedRankMethod::kExact);
}

TEST(WilcoxonSignedRank, ExactProbabilitiesUseRsPowerOfTwo) {
  // R's psignrank multiplies the counts by exp(-n log 2), which is not
  // exactly 2^-6: 2 x 1/64 comes out as 0.031250000000000014.
  // R: wilcox.test(c(1, 2, 3, 4, 5, 6))
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{1, 2, 3, 4, 5, 6});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 21);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.031250000000000014, kSameArithmetic)));
}

TEST(WilcoxonSignedRank, ExactPIsAtMostOne) {
  // V = 3 = n(n+1)/4: 2 P(V <= 3) = 2 x 5/8 > 1. R: wilcox.test(c(-1, -2, 3))
  EXPECT_THAT(WilcoxonSignedRank(Values{-1, -2, 3}),
              IsOkAndHolds(::testing::Field(&SignedRankResult::p, Optional(1.0))));
  // R: wilcox.test(2) (V = 1) and wilcox.test(-2) (V = 0): p = 1
  const Result<SignedRankResult> one = WilcoxonSignedRank(Values{2});
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(one->v, 1);
  EXPECT_THAT(one->p, Optional(1.0));
  EXPECT_THAT(WilcoxonSignedRank(Values{-2}), IsOkAndHolds(::testing::Field(&SignedRankResult::p, Optional(1.0))));
}

TEST(WilcoxonSignedRank, ExactUpToFortyNineDifferences) {
  // R: d <- ((1:49) * 37) %% 61 - 20.3; wilcox.test(d)
  const Result<SignedRankResult> r = WilcoxonSignedRank(Spread(49));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->method, SignedRankMethod::kExact);
  EXPECT_EQ(r->v, 944);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.00071848113092798382, kSameArithmetic)));
}

TEST(WilcoxonSignedRank, NormalFromFiftyDifferences) {
  // R: d <- ((1:50) * 37) %% 61 - 20.3; wilcox.test(d)
  const Result<SignedRankResult> fifty = WilcoxonSignedRank(Spread(50));
  ASSERT_THAT(fifty, IsOk());
  EXPECT_EQ(fifty->method, SignedRankMethod::kNormalCorrected);
  EXPECT_EQ(fifty->v, 976);
  EXPECT_THAT(fifty->p, Optional(DoubleNear(0.0011031415432613148, kDistribution)));
  // R: d <- ((1:60) * 37) %% 61 - 20.3; wilcox.test(d)
  const Result<SignedRankResult> sixty = WilcoxonSignedRank(Spread(60));
  ASSERT_THAT(sixty, IsOk());
  EXPECT_EQ(sixty->method, SignedRankMethod::kNormalCorrected);
  EXPECT_EQ(sixty->v, 1430);
  EXPECT_THAT(sixty->p, Optional(DoubleNear(0.00015214329261552928, kDistribution)));
}

TEST(WilcoxonSignedRank, TiesUseTheNormalApproximation) {
  // |d| = 1, 1, 2, 2, 3, 4, 5: ranks 1.5, 1.5, 3.5, 3.5, 5, 6, 7; V = 1.5 + 3.5 + 3.5 + 5 + 7 = 20.5.
  // R: wilcox.test(c(1, -1, 2, 2, 3, -4, 5))
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{1, -1, 2, 2, 3, -4, 5});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 20.5);
  EXPECT_EQ(r->method, SignedRankMethod::kNormalCorrected);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.30876031352753258, kDistribution)));
}

TEST(WilcoxonSignedRank, TiesAreEqualDoublesWithoutTolerance) {
  // 0.1 + 0.2 and 0.3 differ in the last bit: no tie, so exact.
  // R: wilcox.test(c(0.1 + 0.2, 0.3, -1)) is the "exact test"
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{0.1 + 0.2, 0.3, -1});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->method, SignedRankMethod::kExact);
  EXPECT_EQ(r->v, 3);
  EXPECT_THAT(r->p, Optional(1.0));
}

TEST(WilcoxonSignedRank, ZerosAreDroppedAndForceTheNormalApproximation) {
  // The zero is dropped; |d| = 1.5, 0.5, 2, 3 rank 2, 1, 3, 4; V = 2 + 3 + 4 = 9.
  // R: wilcox.test(c(0, 1.5, -0.5, 2, 3))
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{0, 1.5, -0.5, 2, 3});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 9);
  EXPECT_EQ(r->method, SignedRankMethod::kNormalCorrected);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.20124262095772402, kDistribution)));

  // 49 non-zero differences would be exact; the zero makes it normal.
  // R: wilcox.test(c(((1:49) * 37) %% 61 - 20.3, 0))
  Values with_zero = Spread(49);
  with_zero.push_back(0);
  const Result<SignedRankResult> z = WilcoxonSignedRank(with_zero);
  ASSERT_THAT(z, IsOk());
  EXPECT_EQ(z->v, 944);
  EXPECT_EQ(z->method, SignedRankMethod::kNormalCorrected);
  EXPECT_THAT(z->p, Optional(DoubleNear(0.00099281646099427801, kDistribution)));
}

TEST(WilcoxonSignedRank, MatchesRSleepData) {
  // The differences hold a zero (-0.1 - -0.1) and a tie (1.1 - -0.2 and
  // 0.1 - -1.2 are the same double, 1.3000000000000000444).
  // R: with(sleep, wilcox.test(extra[group == 2], extra[group == 1], paired = TRUE))
  const Result<SignedRankResult> r = WilcoxonSignedRank(Differences(kDrug2, kDrug1));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 45);
  EXPECT_EQ(r->method, SignedRankMethod::kNormalCorrected);
  EXPECT_THAT(r->p, Optional(DoubleNear(0.0090906980159250559, kDistribution)));
}

TEST(WilcoxonSignedRank, AllZeroDifferencesHaveNoP) {
  // R: wilcox.test(c(0, 0, 0)): V = 0, p NaN
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{0, -0.0, 0});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->v, 0);
  EXPECT_EQ(r->p, std::nullopt);
  EXPECT_EQ(r->method, SignedRankMethod::kNormalCorrected);
}

TEST(WilcoxonSignedRank, RejectsAnEmptyInput) {
  const Result<SignedRankResult> r = WilcoxonSignedRank(Values{});
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::WilcoxonSignedRank: no differences")));
}

TEST(WilcoxonSignedRank, RejectsNonFiniteValues) {
  for (const double bad : {kNaN, kInf, -kInf}) {
    const Result<SignedRankResult> r = WilcoxonSignedRank(Values{1, bad});
    EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument)) << bad;
    EXPECT_THAT(r, HasErrorMessage(HasSubstr("differences[1] is"))) << bad;
  }
}

}  // namespace
}  // namespace cirrus::stats
