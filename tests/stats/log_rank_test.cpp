// The log-rank and Fleming-Harrington tests of stats/log_rank.hpp on data
// small enough to work out by hand. R values quoted come from R 4.2.2,
// survival 3.5-3: survdiff(Surv(t, e) ~ g, rho = rho) on the same data.
// The large-data comparison with R lives in tests/oracle/survival.
#include "cirrus/stats/log_rank.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cirrus/stats/survival_data.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Hand formulas evaluated in double: only the order of a few roundings differs.
constexpr double kClosedForm = 1e-12;
// R values printed with 15 significant digits.
constexpr double kRPrinted = 1e-13;

using Times = std::vector<double>;
using Events = std::vector<std::uint8_t>;
using Codes = std::vector<int>;

// Two arms of three: A = 1, 3, 5+ and B = 2, 4, 6 (a "+" is a censoring).
// Pooled, the times alternate A, B, A, B, A, B, so every step is easy:
//   t  n  nA nB  d (arm)   E_A        V = d (n - d) / (n (n - 1)) nA nB / n
//   1  6  3  3   1 (A)     3/6        1 x 5 / 30 x 9/6  = 1/4
//   2  5  2  3   1 (B)     2/5        1 x 4 / 20 x 6/5  = 6/25
//   3  4  2  2   1 (A)     2/4        1 x 3 / 12 x 4/4  = 1/4
//   4  3  1  2   1 (B)     1/3        1 x 2 / 6  x 2/3  = 2/9
//   5  2  1  1   0         -          -
//   6  1  0  1   1 (B)     0          n = 1: no variance
const Times kTime = {1, 3, 5, 2, 4, 6};
const Events kEvent = {1, 1, 0, 1, 1, 1};
const Codes kArm = {0, 0, 0, 1, 1, 1};

LogRankResult RunTest(const Times& time, const Events& event, const Codes& group, int group_count,
                      const LogRankOptions& options = {}) {
  Result<LogRankResult> r = LogRankTest({time, event}, group, group_count, {}, 1, options);
  EXPECT_THAT(r, IsOk());
  return r.value_or(LogRankResult{});
}

TEST(LogRank, HandComputedTwoGroups) {
  const LogRankResult r = RunTest(kTime, kEvent, kArm, 2);
  ASSERT_THAT(r.groups, SizeIs(2));
  EXPECT_EQ(r.groups[0].n, 3u);
  EXPECT_EQ(r.groups[1].n, 3u);
  // O_A = 2 (t = 1, 3); E_A = 1/2 + 2/5 + 1/2 + 1/3 = 26/15 = 1.7333 (R exp 1.73333333333333).
  EXPECT_EQ(r.groups[0].observed, 2.0);
  EXPECT_NEAR(r.groups[0].expected, 26.0 / 15, kClosedForm);
  // O_B = 3; E_B = 5 events - E_A = 49/15 = 3.2667 (R 3.26666666666667).
  EXPECT_EQ(r.groups[1].observed, 3.0);
  EXPECT_NEAR(r.groups[1].expected, 49.0 / 15, kClosedForm);
  // V = 1/4 + 6/25 + 1/4 + 2/9 = 433/450 = 0.962222 (R var 0.962222222222222).
  ASSERT_THAT(r.variance, SizeIs(2));
  EXPECT_NEAR(r.variance[0][0], 433.0 / 450, kClosedForm);
  EXPECT_NEAR(r.variance[1][1], 433.0 / 450, kClosedForm);
  EXPECT_NEAR(r.variance[0][1], -433.0 / 450, kClosedForm);
  EXPECT_NEAR(r.variance[1][0], -433.0 / 450, kClosedForm);
  // chisq = (O_B - E_B)^2 / V = (4/15)^2 / (433/450) = 32/433 = 0.0739030 (R 0.0739030023094688).
  EXPECT_NEAR(r.chisq, 32.0 / 433, kClosedForm);
  EXPECT_EQ(r.df, 1);
  // R: pchisq(0.0739030023094688, 1, lower.tail = FALSE) = 0.785736537959913.
  EXPECT_NEAR(r.p, 0.785736537959913, kRPrinted);
}

TEST(LogRank, ObservedMinusExpectedSumsToZero) {
  const LogRankResult r = RunTest(kTime, kEvent, kArm, 2);
  double total = 0;
  for (const LogRankGroup& g : r.groups) total += g.observed - g.expected;
  EXPECT_NEAR(total, 0.0, kClosedForm);
}

TEST(LogRank, PetoPetoWeightsByPooledSurvivalJustBefore) {
  // rho = 1: weight S(t-) of the pooled KM: 1, 5/6, 4/6, 3/6 at t = 1..4 and
  // 1/2 x 2/3 = 1/3 at t = 6 (the censoring at 5 leaves S alone).
  // O_A = 1 x 1 + 2/3 x 1 = 5/3 (R obs 1.66666666666667)
  // E_A = 1 x 1/2 + 5/6 x 2/5 + 2/3 x 1/2 + 1/2 x 1/3 = 4/3 (R exp 1.33333333333333)
  // V = 1 x 1/4 + 25/36 x 6/25 + 4/9 x 1/4 + 1/4 x 2/9 = 7/12 (R var 0.583333333333333)
  // chisq = (1/3)^2 / (7/12) = 4/21 = 0.190476 (R 0.190476190476191)
  const LogRankResult r = RunTest(kTime, kEvent, kArm, 2, {1.0, 0.0});
  EXPECT_NEAR(r.groups[0].observed, 5.0 / 3, kClosedForm);
  EXPECT_NEAR(r.groups[0].expected, 4.0 / 3, kClosedForm);
  EXPECT_NEAR(r.groups[1].observed, 5.0 / 3, kClosedForm);  // 5/6 + 1/2 + 1/3
  EXPECT_NEAR(r.groups[1].expected, 2.0, kClosedForm);      // R exp 2
  EXPECT_NEAR(r.variance[0][0], 7.0 / 12, kClosedForm);
  EXPECT_NEAR(r.chisq, 4.0 / 21, kClosedForm);
  EXPECT_NEAR(r.p, 0.662520583540057, kRPrinted);  // R pchisq(4/21, 1, lower.tail = FALSE)
}

TEST(LogRank, GammaWeightsLateDifferences) {
  // G(0, 1): weight 1 - S(t-) = 0, 1/6, 1/3, 1/2 at t = 1..4 and 2/3 at t = 6.
  // O_A = 0 x 1 + 1/3 x 1 = 1/3
  // E_A = 1/6 x 2/5 + 1/3 x 1/2 + 1/2 x 1/3 = 1/15 + 1/6 + 1/6 = 2/5
  // V = 1/36 x 6/25 + 1/9 x 1/4 + 1/4 x 2/9 = 1/150 + 1/36 + 1/18 = 0.09 = 9/100
  // chisq = (1/3 - 2/5)^2 / (9/100) = (1/225) / (9/100) = 4/81 = 0.0493827
  // (survdiff has no gamma; this is the definition the oracle's fh_case uses.)
  const LogRankResult r = RunTest(kTime, kEvent, kArm, 2, {0.0, 1.0});
  EXPECT_NEAR(r.groups[0].observed, 1.0 / 3, kClosedForm);
  EXPECT_NEAR(r.groups[0].expected, 2.0 / 5, kClosedForm);
  EXPECT_NEAR(r.groups[1].observed, 4.0 / 3, kClosedForm);  // 1/6 + 1/2 + 2/3
  EXPECT_NEAR(r.variance[0][0], 9.0 / 100, kClosedForm);
  EXPECT_NEAR(r.chisq, 4.0 / 81, kClosedForm);
  EXPECT_EQ(r.df, 1);
}

TEST(LogRank, ThreeGroupsHaveTwoDegreesOfFreedom) {
  // Arms A, B as above and C = 7, 8+, 9. R: survdiff(Surv(t, e) ~ g) gives
  // obs 2 3 2, exp 1.03571428571429 1.57738095238095 4.38690476190476,
  // chisq 5.01984917436654, and pchisq(chisq, 2, lower.tail = FALSE) = 0.0812743681388192.
  const Times time = {1, 3, 5, 2, 4, 6, 7, 8, 9};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const LogRankResult r = RunTest(time, event, group, 3);
  ASSERT_THAT(r.groups, SizeIs(3));
  EXPECT_EQ(r.df, 2);
  EXPECT_EQ(r.groups[2].observed, 2.0);
  // E_A by hand: 3/9 + 2/8 + 2/7 + 1/6 = 29/28 = 1.0357 (n at t = 1, 2, 3, 4 is 9, 8, 7, 6).
  EXPECT_NEAR(r.groups[0].expected, 29.0 / 28, kClosedForm);
  EXPECT_NEAR(r.groups[1].expected, 1.57738095238095, kRPrinted);
  EXPECT_NEAR(r.groups[2].expected, 4.38690476190476, kRPrinted);
  EXPECT_NEAR(r.chisq, 5.01984917436654, 1e-12);
  EXPECT_NEAR(r.p, 0.0812743681388192, kRPrinted);
}

TEST(LogRank, GroupWithNoSubjectsIsDroppedFromDegreesOfFreedom) {
  // Codes 0 and 2 of 3: group 1 is empty, so E_1 = 0 and df = 3 - 1 - 1 = 1;
  // the statistic is that of the two non-empty groups.
  const Codes skip_one = {0, 0, 0, 2, 2, 2};
  const LogRankResult r = RunTest(kTime, kEvent, skip_one, 3);
  ASSERT_THAT(r.groups, SizeIs(3));
  EXPECT_EQ(r.groups[1].n, 0u);
  EXPECT_EQ(r.groups[1].expected, 0.0);
  EXPECT_EQ(r.df, 1);
  EXPECT_NEAR(r.chisq, 32.0 / 433, kClosedForm);
}

TEST(LogRank, GroupWithZeroExpectedIsDroppedFromDegreesOfFreedom) {
  // Group 2 has one subject censored at 0.5, before any event: it is never
  // at risk at an event, so E = 0 and it leaves the test (R: df = sum(exp > 0) - 1 = 1).
  const Times time = {1, 3, 5, 2, 4, 6, 0.5};
  const Events event = {1, 1, 0, 1, 1, 1, 0};
  const Codes group = {0, 0, 0, 1, 1, 1, 2};
  const LogRankResult r = RunTest(time, event, group, 3);
  EXPECT_EQ(r.groups[2].n, 1u);
  EXPECT_EQ(r.groups[2].expected, 0.0);
  EXPECT_EQ(r.df, 1);
  EXPECT_NEAR(r.chisq, 32.0 / 433, kClosedForm);
}

TEST(LogRank, NoEventsGiveZeroStatistic) {
  const Events none = {0, 0, 0, 0, 0, 0};
  const LogRankResult r = RunTest(kTime, none, kArm, 2);
  EXPECT_EQ(r.chisq, 0.0);
  EXPECT_EQ(r.df, 0);
  EXPECT_EQ(r.p, 1.0);
}

TEST(LogRank, StrataSumObservedExpectedAndVariance) {
  // Stratum 0: the worked example. Stratum 1: A = 2, 4+, 6 and B = 1, 3, 5.
  // R: survdiff(Surv(t, e) ~ g + strata(s)): obs A 2 + 2, exp A 1.7333 + 3.1,
  // var 0.962222 + 0.99 = 1.95222222222222, chisq 0.355719977233922.
  const Times time = {1, 3, 5, 2, 4, 6, 2, 4, 6, 1, 3, 5};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1};
  const Codes strata = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const Result<LogRankResult> r = LogRankTest({time, event}, group, 2, strata, 2);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->groups[0].observed, 4.0);
  EXPECT_EQ(r->groups[1].observed, 6.0);
  // Stratum 1, E_A: t = 1 (6 at risk, 3 A) 3/6, t = 2: 3/5, t = 3: 2/4, t = 5: 1/2, t = 6: 1/1
  // = 0.5 + 0.6 + 0.5 + 0.5 + 1 = 3.1.
  EXPECT_NEAR(r->groups[0].expected, 26.0 / 15 + 3.1, kClosedForm);
  EXPECT_NEAR(r->variance[0][0], 1.95222222222222, kRPrinted);
  EXPECT_NEAR(r->chisq, 0.355719977233922, kRPrinted);
  EXPECT_EQ(r->df, 1);

  // The same sums from the two strata tested one at a time.
  const Times t0(time.begin(), time.begin() + 6);
  const Times t1(time.begin() + 6, time.end());
  const Events e0(event.begin(), event.begin() + 6);
  const Events e1(event.begin() + 6, event.end());
  const LogRankResult s0 = RunTest(t0, e0, kArm, 2);
  const LogRankResult s1 = RunTest(t1, e1, kArm, 2);
  EXPECT_NEAR(r->groups[1].expected, s0.groups[1].expected + s1.groups[1].expected, kClosedForm);
  EXPECT_NEAR(r->variance[1][1], s0.variance[1][1] + s1.variance[1][1], kClosedForm);
  const double diff = r->groups[1].observed - r->groups[1].expected;
  EXPECT_NEAR(r->chisq, diff * diff / r->variance[1][1], kClosedForm);
}

TEST(LogRank, StrataUseTheirOwnPooledSurvivalForWeights) {
  // With rho = 1 each stratum's weights come from its own KM: the stratified
  // O and E are the sums of the per-stratum ones.
  const Times time = {1, 3, 5, 2, 4, 6, 2, 4, 6, 1, 3, 5};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1};
  const Codes strata = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const Result<LogRankResult> r = LogRankTest({time, event}, group, 2, strata, 2, {1.0, 0.0});
  ASSERT_THAT(r, IsOk());
  const LogRankResult s0 =
      RunTest(Times(time.begin(), time.begin() + 6), Events(event.begin(), event.begin() + 6), kArm, 2, {1.0, 0.0});
  const LogRankResult s1 =
      RunTest(Times(time.begin() + 6, time.end()), Events(event.begin() + 6, event.end()), kArm, 2, {1.0, 0.0});
  EXPECT_NEAR(r->groups[0].observed, s0.groups[0].observed + s1.groups[0].observed, kClosedForm);
  EXPECT_NEAR(r->groups[0].expected, s0.groups[0].expected + s1.groups[0].expected, kClosedForm);
  EXPECT_NEAR(r->variance[0][0], s0.variance[0][0] + s1.variance[0][0], kClosedForm);
}

TEST(LogRank, NearEqualTimesAreOneTie) {
  // The two arms' events at 100/365.25 and the next double are one tied time
  // (R's timefix), so the test equals the one with exactly equal times.
  const double years = 100 / 365.25;
  const Times exact = {years, 1, 2, years, 1.5, 3};
  const Times near = {years, 1, 2, std::nextafter(years, 1.0), 1.5, 3};
  const Events event = {1, 1, 1, 1, 0, 1};
  const LogRankResult a = RunTest(exact, event, kArm, 2);
  const LogRankResult b = RunTest(near, event, kArm, 2);
  EXPECT_EQ(a.groups[0].expected, b.groups[0].expected);
  EXPECT_EQ(a.chisq, b.chisq);
}

// ---- Errors --------------------------------------------------------------------------

TEST(LogRank, RefusesWeights) {
  const Times weight(kTime.size(), 1.0);
  const Result<LogRankResult> r = LogRankTest({kTime, kEvent, {}, weight}, kArm, 2);
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::LogRankTest: case weights and delayed entry are not defined")));
}

TEST(LogRank, RefusesDelayedEntry) {
  const Times entry(kTime.size(), 0.0);
  const Result<LogRankResult> r = LogRankTest({kTime, kEvent, entry}, kArm, 2);
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("delayed entry")));
}

TEST(LogRank, RefusesFewerThanTwoGroups) {
  const Codes one(kTime.size(), 0);
  const Result<LogRankResult> r = LogRankTest({kTime, kEvent}, one, 1);
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage("stats::LogRankTest: the test needs at least two groups"));
  EXPECT_EQ(r.error().field, "group");
}

TEST(LogRank, RefusesCodesOutOfRange) {
  const Codes bad_group = {0, 0, 0, 1, 1, 2};
  EXPECT_THAT(LogRankTest({kTime, kEvent}, bad_group, 2),
              HasErrorMessage("stats::LogRankTest: group or stratum code out of range at index 5"));
  const Codes bad_strata = {0, 0, -1, 0, 0, 0};
  EXPECT_THAT(LogRankTest({kTime, kEvent}, kArm, 2, bad_strata, 1),
              HasErrorMessage(HasSubstr("out of range at index 2")));
}

TEST(LogRank, RefusesCodesOfWrongLength) {
  const Codes short_group = {0, 1};
  EXPECT_THAT(LogRankTest({kTime, kEvent}, short_group, 2),
              HasErrorMessage("stats::LogRankTest: group and strata need one code per subject"));
  const Codes short_strata = {0, 0};
  EXPECT_THAT(LogRankTest({kTime, kEvent}, kArm, 2, short_strata, 1), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(LogRank, RefusesNegativeOrNonFiniteWeightExponents) {
  for (const LogRankOptions options :
       {LogRankOptions{-1, 0}, LogRankOptions{0, -0.5}, LogRankOptions{std::numeric_limits<double>::infinity(), 0},
        LogRankOptions{0, std::numeric_limits<double>::quiet_NaN()}}) {
    EXPECT_THAT(LogRankTest({kTime, kEvent}, kArm, 2, {}, 1, options),
                HasErrorMessage("stats::LogRankTest: rho and gamma must be finite and >= 0"));
  }
}

TEST(LogRank, ValidatesItsInputNamingTheFunction) {
  const Events bad = {1, 1, 0, 2, 1, 1};
  EXPECT_THAT(LogRankTest({kTime, bad}, kArm, 2), HasErrorMessage("stats::LogRankTest: event[3] is 2, must be 0 or 1"));
}

// ---- Pairwise comparisons ---------------------------------------------------------------

TEST(PairwiseLogRank, HolmAdjustmentOnThreeGroups) {
  // The three arms of ThreeGroupsHaveTwoDegreesOfFreedom. R, survdiff on each pair's subset:
  //   A vs B: chisq 0.0739030023094688, p 0.785736537959913
  //   A vs C: chisq 2.46938775510204,   p 0.116083133738655
  //   B vs C: chisq 5.05166051660517,   p 0.0246023499536417
  // Holm, by hand: sort p ascending and multiply by 3, 2, 1, keeping the running maximum:
  //   B vs C: min(1, 3 x 0.0246023) = 0.0738070; A vs C: max(0.0738, 2 x 0.116083) = 0.232166;
  //   A vs B: max(0.232, 1 x 0.785737) = 0.785737.
  // R: p.adjust(c(0.785736537959913, 0.116083133738655, 0.0246023499536417), "holm")
  //   = 0.7857365379599128 0.2321662674773096 0.0738070498609252.
  const Times time = {1, 3, 5, 2, 4, 6, 7, 8, 9};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const Result<std::vector<PairwiseComparison>> pairs = PairwiseLogRank({time, event}, group, 3);
  ASSERT_THAT(pairs, IsOk());
  ASSERT_THAT(*pairs, SizeIs(3));
  const PairwiseComparison& ab = (*pairs)[0];
  const PairwiseComparison& ac = (*pairs)[1];
  const PairwiseComparison& bc = (*pairs)[2];
  EXPECT_EQ(ab.first, 0);
  EXPECT_EQ(ab.second, 1);
  EXPECT_EQ(ac.first, 0);
  EXPECT_EQ(ac.second, 2);
  EXPECT_EQ(bc.first, 1);
  EXPECT_EQ(bc.second, 2);
  EXPECT_NEAR(ab.chisq, 32.0 / 433, kClosedForm);  // the worked two-arm example
  EXPECT_NEAR(ac.chisq, 2.46938775510204, kRPrinted);
  EXPECT_NEAR(bc.chisq, 5.05166051660517, kRPrinted);
  EXPECT_NEAR(ab.p, 0.785736537959913, kRPrinted);
  EXPECT_NEAR(ac.p, 0.116083133738655, kRPrinted);
  EXPECT_NEAR(bc.p, 0.0246023499536417, kRPrinted);
  // Holm from the raw p values: the smallest (B vs C) times 3, the next times 2, the largest times 1.
  EXPECT_NEAR(bc.p_holm, std::min(1.0, 3 * bc.p), kClosedForm);
  EXPECT_NEAR(ac.p_holm, std::max(bc.p_holm, std::min(1.0, 2 * ac.p)), kClosedForm);
  EXPECT_NEAR(ab.p_holm, std::max(ac.p_holm, std::min(1.0, ab.p)), kClosedForm);
  EXPECT_NEAR(bc.p_holm, 0.0738070498609252, kRPrinted);
  EXPECT_NEAR(ac.p_holm, 0.2321662674773096, kRPrinted);
  EXPECT_NEAR(ab.p_holm, 0.7857365379599128, kRPrinted);
}

TEST(PairwiseLogRank, EachPairMatchesTheTestOnItsSubset) {
  const Times time = {1, 3, 5, 2, 4, 6, 7, 8, 9};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const Result<std::vector<PairwiseComparison>> pairs = PairwiseLogRank({time, event}, group, 3, {}, 1, {1.0, 0.0});
  ASSERT_THAT(pairs, IsOk());
  // B vs C alone, with rho = 1.
  const LogRankResult bc = RunTest({2, 4, 6, 7, 8, 9}, {1, 1, 1, 1, 0, 1}, {0, 0, 0, 1, 1, 1}, 2, {1.0, 0.0});
  EXPECT_NEAR((*pairs)[2].chisq, bc.chisq, kClosedForm);
  EXPECT_NEAR((*pairs)[2].p, bc.p, kClosedForm);
}

TEST(PairwiseLogRank, HolmIsCappedAtOne) {
  // Two arms that barely differ: p near 1, and 1 pair x p is still <= 1; with
  // three pairs the smallest is multiplied by 3, which must not exceed 1.
  const Times time = {1, 2, 3, 1, 2, 3, 1, 2, 3};
  const Events event = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const Result<std::vector<PairwiseComparison>> pairs = PairwiseLogRank({time, event}, group, 3);
  ASSERT_THAT(pairs, IsOk());
  for (const PairwiseComparison& p : *pairs) {
    EXPECT_LE(p.p_holm, 1.0);
    EXPECT_GE(p.p_holm, p.p);
  }
}

TEST(PairwiseLogRank, SkipsEmptyGroups) {
  // Group 1 of 3 is empty: only the pair (0, 2) is tested, and Holm over one pair is the raw p.
  const Codes skip_one = {0, 0, 0, 2, 2, 2};
  const Result<std::vector<PairwiseComparison>> pairs = PairwiseLogRank({kTime, kEvent}, skip_one, 3);
  ASSERT_THAT(pairs, IsOk());
  ASSERT_THAT(*pairs, SizeIs(1));
  EXPECT_EQ((*pairs)[0].first, 0);
  EXPECT_EQ((*pairs)[0].second, 2);
  EXPECT_NEAR((*pairs)[0].chisq, 32.0 / 433, kClosedForm);
  EXPECT_EQ((*pairs)[0].p_holm, (*pairs)[0].p);
}

TEST(PairwiseLogRank, KeepsStrataWithinEachPair) {
  const Times time = {1, 3, 5, 2, 4, 6, 2, 4, 6, 1, 3, 5};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1};
  const Codes group = {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1};
  const Codes strata = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const Result<std::vector<PairwiseComparison>> pairs = PairwiseLogRank({time, event}, group, 2, strata, 2);
  ASSERT_THAT(pairs, IsOk());
  ASSERT_THAT(*pairs, SizeIs(1));
  EXPECT_NEAR((*pairs)[0].chisq, 0.355719977233922, kRPrinted);  // the stratified R value above
}

TEST(PairwiseLogRank, RefusesWeightsAndDelayedEntry) {
  // Regression: the pairs were tested on (time, event) alone, so weights and
  // entry were silently dropped and an unweighted answer came back.
  const Times weight(kTime.size(), 2.0);
  EXPECT_THAT(PairwiseLogRank({kTime, kEvent, {}, weight}, kArm, 2),
              HasErrorMessage(HasSubstr("case weights and delayed entry are not defined")));
  const Times entry(kTime.size(), 0.0);
  EXPECT_THAT(PairwiseLogRank({kTime, kEvent, entry}, kArm, 2), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(PairwiseLogRank, RefusesGroupOfWrongLengthAndBadData) {
  const Codes short_group = {0, 1};
  EXPECT_THAT(PairwiseLogRank({kTime, kEvent}, short_group, 2),
              HasErrorMessage("stats::PairwiseLogRank: group needs one code per subject"));
  const Times negative = {1, 3, -5, 2, 4, 6};
  EXPECT_THAT(PairwiseLogRank({negative, kEvent}, kArm, 2),
              HasErrorMessage("stats::PairwiseLogRank: time[2] is -5, must be >= 0"));
}

TEST(PairwiseLogRank, RefusesOneGroupAndCodesOutOfRange) {
  // Regression: one group returned an empty list and out-of-range codes were ignored.
  const Codes one(kTime.size(), 0);
  EXPECT_THAT(PairwiseLogRank({kTime, kEvent}, one, 1), HasErrorMessage(HasSubstr("at least two groups")));
  Codes bad(kTime.size(), 0);
  bad[1] = 5;
  EXPECT_THAT(PairwiseLogRank({kTime, kEvent}, bad, 2), HasErrorMessage(HasSubstr("out of range at index 1")));
}

}  // namespace
}  // namespace cirrus::stats
