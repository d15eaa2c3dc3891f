// Cumulative incidence and Gray's test of stats/competing_risks.hpp on data
// small enough to work out by hand. R values quoted come from R 4.2.2 with
// cmprsk 2.2-11: cuminc(t, cause, group, strata, rho) on the same data.
// The large-data comparison with R lives in tests/oracle/survival
// (run_competing_oracle.py); properties on random data in
// competing_risks_properties_test.cpp.
#include "cirrus/stats/competing_risks.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Hand formulas evaluated in double: only the order of a few roundings differs.
constexpr double kClosedForm = 1e-14;
// R values printed with 17 significant digits; cirrus evaluates the same
// formulas in another order, so a few ulps per step apart.
constexpr double kRPrinted = 1e-12;

using Times = std::vector<double>;
using Codes = std::vector<int>;

// One group of seven: 1 (cause 1), 2 (cause 2), 2 (cause 1), 3+, 4 (cause 1),
// 5 (cause 2), 6+ ("+" = censored). At each event time, with n at risk and
// S- and S+ the all-cause Kaplan-Meier before and after:
//   t  n  d (causes)  S-    S+     F1            F2
//   1  7  1 (1)       1     6/7    1/7           0
//   2  6  2 (1, 2)    6/7   4/7    2/7           1/7
//   4  3  1 (1)       4/7   8/21   10/21         1/7
//   5  2  1 (2)       8/21  4/21   10/21         1/7 + 8/21 x 1/2 = 1/3
const Times kTime = {1, 2, 2, 3, 4, 5, 6};
const Codes kCause = {1, 2, 1, 0, 1, 2, 0};
const Codes kOneGroup(7, 0);

CompetingRisksResult Fit(const Times& time, const Codes& cause, int cause_count, const Codes& group, int group_count,
                         const Codes& strata = {}, int strata_count = 1, const CompetingRisksOptions& options = {}) {
  Result<CompetingRisksResult> r =
      FitCumulativeIncidence({time, cause, cause_count}, group, group_count, strata, strata_count, options);
  EXPECT_THAT(r, IsOk());
  return r.value_or(CompetingRisksResult{});
}

TEST(CumulativeIncidence, HandComputedEstimates) {
  const CompetingRisksResult r = Fit(kTime, kCause, 2, kOneGroup, 1);
  ASSERT_THAT(r.curves, SizeIs(2));
  const CumulativeIncidenceCurve& c1 = r.curves[0];
  const CumulativeIncidenceCurve& c2 = r.curves[1];
  EXPECT_EQ(c1.cause, 1);
  EXPECT_EQ(c2.cause, 2);
  EXPECT_EQ(c1.n, 7u);
  EXPECT_EQ(c1.events, 3u);
  EXPECT_EQ(c2.events, 2u);
  ASSERT_TRUE(c1.last_time.has_value());
  EXPECT_EQ(*c1.last_time, 6.0);
  // One point per event time of any cause (not at 3 or 6, censorings only).
  ASSERT_THAT(c1.points, SizeIs(4));
  ASSERT_THAT(c2.points, SizeIs(4));
  const std::vector<double> times = {1, 2, 4, 5};
  const std::vector<double> f1 = {1.0 / 7, 2.0 / 7, 10.0 / 21, 10.0 / 21};
  const std::vector<double> f2 = {0, 1.0 / 7, 1.0 / 7, 1.0 / 3};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(c1.points[i].time, times[i]);
    EXPECT_EQ(c2.points[i].time, times[i]);
    EXPECT_NEAR(c1.points[i].cif, f1[i], kClosedForm) << "time " << times[i];
    EXPECT_NEAR(c2.points[i].cif, f2[i], kClosedForm) << "time " << times[i];
  }
}

// Var F(t) = sum over event times t_j <= t of w_j (a_j - F(t) b_j)^2 with
//   events of the cause:  w = S-^2 d_k / n^2 (x the ties factor), b = 1/S+, a = 1 + F(t_j)/S+
//   other causes:         w = S-^2 d_o / n^2 (x the ties factor), b = 1/S+, a = F(t_j)/S+
// Cause 1: at 1, w = 1/49, a = b = 7/6: Var F1(1) = 1/49 (7/6 - 1/7 x 7/6)^2 = 1/49.
// At 2 add the cause-2 term (1/49)(1/2 - 2/7 x 7/4)^2 = 0 and the cause-1 term
// (1/49)(3/2 - 1/2)^2; the first term becomes (1/49)(5/6)^2: 25/1764 + 36/1764 = 61/1764.
// At 4 (w = 16/441, a = 9/4, b = 21/8), with F = 10/21: 121/15876 + 1/441 + 4/441
// + 16/441 = 877/15876 (R: 0.020408163, 0.034580499, 0.055240615).
TEST(CumulativeIncidence, HandComputedAalenVariance) {
  const CompetingRisksResult r = Fit(kTime, kCause, 2, kOneGroup, 1);
  const auto& p1 = r.curves[0].points;
  EXPECT_NEAR(p1[0].std_err, std::sqrt(1.0 / 49), kClosedForm);
  EXPECT_NEAR(p1[1].std_err, std::sqrt(61.0 / 1764), kClosedForm);
  EXPECT_NEAR(p1[2].std_err, std::sqrt(877.0 / 15876), kClosedForm);
  // At 5 only cause 2 has an event: cuminc carries cause 1's variance unchanged.
  EXPECT_EQ(p1[3].std_err, p1[2].std_err);
  // Cause 2 at 2, F = 1/7: (1/49)[(0 - 1/7 x 7/6)^2 + (1/4 - 1/7 x 7/4)^2 + (5/4 - 1/4)^2] = 37/1764.
  const auto& p2 = r.curves[1].points;
  EXPECT_EQ(p2[0].std_err, 0.0);
  EXPECT_NEAR(p2[1].std_err, std::sqrt(37.0 / 1764), kClosedForm);
  // R: var 0.059775760 at 5 (cuminc(t, cause)$`1 2`$var).
  EXPECT_NEAR(p2[3].std_err * p2[3].std_err, 0.0597757616, 1e-9);
}

// Two of five fail of cause 1 at once: F = 2/5, S+ = 3/5. The ties factor
// 1 - (d - 1)/(n - 1) = 3/4 gives w = 3/4 x 2/25 = 3/50, and a - F b =
// 5/3 - 2/3 = 1: Var = 3/50 (R: cuminc(c(1, 1, 2, 3, 4), c(1, 1, 0, 0, 0))
// var 0.06; without the factor it would be 0.08).
TEST(CumulativeIncidence, TiedEventsUseTheTiesFactor) {
  const CompetingRisksResult r = Fit({1, 1, 2, 3, 4}, {1, 1, 0, 0, 0}, 1, Codes(5, 0), 1);
  ASSERT_THAT(r.curves[0].points, SizeIs(1));
  EXPECT_NEAR(r.curves[0].points[0].cif, 0.4, kClosedForm);
  EXPECT_NEAR(r.curves[0].points[0].std_err, std::sqrt(3.0 / 50), kClosedForm);
}

// Times that differ in the last bits are one tie, as survival's timefix makes
// them (cuminc compares exactly; docs/numerics.md).
TEST(CumulativeIncidence, NearEqualTimesAreOneTie) {
  const double t = 1.0 / 365.25;
  const CompetingRisksResult r =
      Fit({t, std::nextafter(t, 1.0), 2 * t, 3 * t, 4 * t}, {1, 1, 0, 0, 0}, 1, Codes(5, 0), 1);
  ASSERT_THAT(r.curves[0].points, SizeIs(1));
  EXPECT_EQ(r.curves[0].points[0].time, t);
  EXPECT_NEAR(r.curves[0].points[0].std_err, std::sqrt(3.0 / 50), kClosedForm);
}

// TimeTies::kExact compares times as cuminc does: two steps of 1/5, with
// variances 0.04 and 0.0625 (R: cuminc(c(1, 1 + 1e-13, 2, 3, 4), c(1, 1, 0, 0, 0))).
TEST(CumulativeIncidence, ExactTiesKeepNearEqualTimesApart) {
  CompetingRisksOptions options;
  options.ties = TimeTies::kExact;
  const CompetingRisksResult r = Fit({1, 1 + 1e-13, 2, 3, 4}, {1, 1, 0, 0, 0}, 1, Codes(5, 0), 1, {}, 1, options);
  ASSERT_THAT(r.curves[0].points, SizeIs(2));
  EXPECT_NEAR(r.curves[0].points[0].cif, 0.2, kClosedForm);
  EXPECT_NEAR(r.curves[0].points[0].std_err, 0.2, kClosedForm);
  EXPECT_NEAR(r.curves[0].points[1].cif, 0.4, kClosedForm);
  EXPECT_NEAR(r.curves[0].points[1].std_err, 0.25, kClosedForm);
}

// Everyone fails, so S reaches 0: the last terms use b = 0 and the ties factor
// 1 - (n - 1)/(n - 1) = 0, and F of both causes sums to 1.
TEST(CumulativeIncidence, CurvesReachOneWithoutCensoring) {
  const CompetingRisksResult r = Fit({1, 2, 3, 3}, {1, 2, 1, 2}, 2, Codes(4, 0), 1);
  ASSERT_THAT(r.curves, SizeIs(2));
  const double f1 = r.curves[0].points.back().cif;
  const double f2 = r.curves[1].points.back().cif;
  EXPECT_NEAR(f1 + f2, 1.0, kClosedForm);
  EXPECT_NEAR(f1, 0.5, kClosedForm);  // 1/4 + 1/2 x 1/2
  EXPECT_TRUE(std::isfinite(r.curves[0].points.back().std_err));
}

TEST(CumulativeIncidence, AtTimeReadsTheStepFunctionLikeTimepoints) {
  const CompetingRisksResult r = Fit(kTime, kCause, 2, kOneGroup, 1);
  const CumulativeIncidenceCurve& c1 = r.curves[0];
  const CumulativeIncidenceAtTime before = CumulativeIncidenceAt(c1, 0.5);
  ASSERT_TRUE(before.cif.has_value());
  EXPECT_EQ(*before.cif, 0.0);
  EXPECT_EQ(*before.std_err, 0.0);
  const CumulativeIncidenceAtTime between = CumulativeIncidenceAt(c1, 3.0);
  EXPECT_NEAR(*between.cif, 2.0 / 7, kClosedForm);
  EXPECT_EQ(*between.std_err, c1.points[1].std_err);
  const CumulativeIncidenceAtTime on_step = CumulativeIncidenceAt(c1, 4.0);
  EXPECT_NEAR(*on_step.cif, 10.0 / 21, kClosedForm);
  // The last follow-up time (a censoring) still has a value; past it cuminc gives NA.
  const CumulativeIncidenceAtTime last = CumulativeIncidenceAt(c1, 6.0);
  EXPECT_NEAR(*last.cif, 10.0 / 21, kClosedForm);
  EXPECT_FALSE(CumulativeIncidenceAt(c1, 6.5).cif.has_value());
  EXPECT_FALSE(CumulativeIncidenceAt(c1, 6.5).std_err.has_value());
  EXPECT_FALSE(CumulativeIncidenceAt(c1, -1.0).cif.has_value());
  EXPECT_EQ(CumulativeIncidenceAt(c1, 6.5).time, 6.5);
}

// Two groups of seven (a: kTime, kCause; b: 1, 3, 3, 4+, 6, 7, 8+ with causes
// 2, 1, 1, -, 1, 2, -).
const Times kTwoTime = {1, 2, 2, 3, 4, 5, 6, 1, 3, 3, 4, 6, 7, 8};
const Codes kTwoCause = {1, 2, 1, 0, 1, 2, 0, 2, 1, 1, 0, 1, 2, 0};
const Codes kTwoGroup = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};

TEST(GrayTest, MatchesCuminc) {
  const CompetingRisksResult r = Fit(kTwoTime, kTwoCause, 2, kTwoGroup, 2);
  ASSERT_THAT(r.curves, SizeIs(4));  // cause 1 in a, b; cause 2 in a, b
  EXPECT_EQ(r.curves[1].cause, 1);
  EXPECT_EQ(r.curves[1].group, 1);
  ASSERT_THAT(r.gray, SizeIs(2));
  EXPECT_EQ(r.gray[0].cause, 1);
  EXPECT_EQ(r.gray[0].df, 1);
  ASSERT_TRUE(r.gray[0].stat.has_value());
  // R: cuminc(t, cause, g)$Tests; p as pchisq(stat, 1, lower.tail = FALSE).
  EXPECT_NEAR(*r.gray[0].stat, 0.082920376280357741, kRPrinted);
  EXPECT_NEAR(*r.gray[0].p, 0.77337813567694424, kRPrinted);
  EXPECT_NEAR(*r.gray[1].stat, 0.277915443559147601, kRPrinted);
  EXPECT_NEAR(*r.gray[1].p, 0.59807077510850259, kRPrinted);
}

TEST(GrayTest, StrataAndRhoMatchCuminc) {
  const Codes strata = {0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  CompetingRisksOptions options;
  options.rho = 1;
  const CompetingRisksResult r = Fit(kTwoTime, kTwoCause, 2, kTwoGroup, 2, strata, 2, options);
  ASSERT_THAT(r.gray, SizeIs(2));
  // R: cuminc(t, cause, g, strata, rho = 1)$Tests.
  EXPECT_NEAR(*r.gray[0].stat, 0.32009979906866898, kRPrinted);
  EXPECT_NEAR(*r.gray[0].p, 0.57154767554615682, kRPrinted);
  EXPECT_NEAR(*r.gray[1].stat, 0.49635298598515770, kRPrinted);
  EXPECT_NEAR(*r.gray[1].p, 0.48110698670383201, kRPrinted);
}

TEST(GrayTest, ThreeGroupsHaveTwoDegreesOfFreedom) {
  const Codes group = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1};
  const CompetingRisksResult r = Fit(kTwoTime, kTwoCause, 2, group, 3);
  ASSERT_THAT(r.gray, SizeIs(2));
  EXPECT_EQ(r.gray[0].df, 2);
  EXPECT_NEAR(*r.gray[0].stat, 1.98058830850024670, kRPrinted);
  EXPECT_NEAR(*r.gray[0].p, 0.37146740623321539, kRPrinted);
  EXPECT_NEAR(*r.gray[1].stat, 0.59383031765716843, kRPrinted);
  EXPECT_NEAR(*r.gray[1].p, 0.74310705576066216, kRPrinted);
}

TEST(GrayTest, OneGroupHasNoTest) {
  const CompetingRisksResult r = Fit(kTime, kCause, 2, kOneGroup, 1);
  EXPECT_THAT(r.gray, IsEmpty());
}

// An empty group gets an empty curve and is left out of the test, as cuminc
// drops unused factor levels: three codes, two of them used, 1 df.
TEST(GrayTest, EmptyGroupIsLeftOut) {
  Codes group = kTwoGroup;
  for (int& g : group) g = g == 1 ? 2 : 0;
  const CompetingRisksResult r = Fit(kTwoTime, kTwoCause, 2, group, 3);
  ASSERT_THAT(r.curves, SizeIs(6));
  EXPECT_THAT(r.curves[1].points, IsEmpty());
  EXPECT_EQ(r.curves[1].n, 0u);
  EXPECT_FALSE(r.curves[1].last_time.has_value());
  EXPECT_FALSE(CumulativeIncidenceAt(r.curves[1], 1.0).cif.has_value());
  ASSERT_THAT(r.gray, SizeIs(2));
  EXPECT_EQ(r.gray[0].df, 1);
  EXPECT_NEAR(*r.gray[0].stat, 0.082920376280357741, kRPrinted);
}

// A cause without events has a variance matrix of zeros: cuminc reports -1,
// cirrus no statistic (a statistical outcome, not an error).
TEST(GrayTest, CauseWithoutEventsHasNoStatistic) {
  const CompetingRisksResult r = Fit(kTwoTime, kTwoCause, 3, kTwoGroup, 2);
  ASSERT_THAT(r.gray, SizeIs(3));
  EXPECT_TRUE(r.gray[0].stat.has_value());
  EXPECT_FALSE(r.gray[2].stat.has_value());
  EXPECT_FALSE(r.gray[2].p.has_value());
  EXPECT_EQ(r.gray[2].df, 1);
  for (const CumulativeIncidencePoint& p : r.curves[4].points) EXPECT_EQ(p.cif, 0.0);
}

// ---- Error paths: every invalid input is named with its index ------------------

Error FitError(const Times& time, const Codes& cause, int cause_count, const Codes& group, int group_count,
               const Codes& strata = {}, int strata_count = 1, const CompetingRisksOptions& options = {}) {
  Result<CompetingRisksResult> r =
      FitCumulativeIncidence({time, cause, cause_count}, group, group_count, strata, strata_count, options);
  EXPECT_FALSE(r.has_value());
  return r ? Error{} : r.error();
}

TEST(CumulativeIncidenceErrors, NegativeTimeIsNamed) {
  const Error e = FitError({1, -2, 3}, {1, 0, 1}, 1, {0, 0, 0}, 1);
  EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(e.message, HasSubstr("stats::FitCumulativeIncidence: time[1] is -2, must be >= 0"));
}

TEST(CumulativeIncidenceErrors, TimeThatIsNotFinite) {
  const Error e = FitError({1, std::numeric_limits<double>::quiet_NaN()}, {1, 0}, 1, {0, 0}, 1);
  EXPECT_THAT(e.message, HasSubstr("time[1]"));
}

TEST(CumulativeIncidenceErrors, CauseOutOfRange) {
  EXPECT_THAT(FitError({1, 2}, {1, 3}, 2, {0, 0}, 1).message,
              HasSubstr("stats::FitCumulativeIncidence: cause[1] is 3, must be in [0, 2]"));
  EXPECT_THAT(FitError({1, 2}, {-1, 1}, 2, {0, 0}, 1).message, HasSubstr("cause[0] is -1"));
}

TEST(CumulativeIncidenceErrors, GroupAndStratumOutOfRange) {
  EXPECT_THAT(FitError({1, 2}, {1, 0}, 1, {0, 2}, 2).message, HasSubstr("group[1] is 2, must be in [0, 2)"));
  EXPECT_THAT(FitError({1, 2}, {1, 0}, 1, {0, 1}, 2, {0, 5}, 2).message,
              HasSubstr("strata[1] is 5, must be in [0, 2)"));
}

TEST(CumulativeIncidenceErrors, LengthsMustAgree) {
  EXPECT_THAT(FitError({1, 2}, {1}, 1, {0, 0}, 1).message, HasSubstr("must have the same length"));
  EXPECT_THAT(FitError({1, 2}, {1, 0}, 1, {0}, 1).message, HasSubstr("must have the same length"));
  EXPECT_THAT(FitError({1, 2}, {1, 0}, 1, {0, 0}, 1, {0}, 1).message, HasSubstr("must have the same length"));
}

TEST(CumulativeIncidenceErrors, CountsMustBePositive) {
  EXPECT_THAT(FitError({1}, {0}, 0, {0}, 1).message, HasSubstr("must be >= 1"));
  EXPECT_THAT(FitError({1}, {0}, 1, {0}, 0).message, HasSubstr("must be >= 1"));
  EXPECT_THAT(FitError({1}, {0}, 1, {0}, 1, {0}, 0).message, HasSubstr("must be >= 1"));
}

TEST(CumulativeIncidenceErrors, TooManyLabelsForTheSort) {
  EXPECT_THAT(FitError({1}, {0}, 2000, {0}, 2000, {0}, 2000).message, HasSubstr("must be below 2^31"));
}

TEST(CumulativeIncidenceErrors, RhoMustBeFinite) {
  CompetingRisksOptions options;
  options.rho = std::numeric_limits<double>::infinity();
  const Error e = FitError({1, 2}, {1, 0}, 1, {0, 1}, 2, {}, 1, options);
  EXPECT_THAT(e.message, HasSubstr("rho is inf, must be finite"));
  EXPECT_EQ(e.field, "rho");
}

TEST(CumulativeIncidence, NoSubjectsGiveEmptyCurves) {
  const CompetingRisksResult r = Fit({}, {}, 1, {}, 1);
  ASSERT_THAT(r.curves, SizeIs(1));
  EXPECT_THAT(r.curves[0].points, IsEmpty());
  EXPECT_THAT(r.gray, IsEmpty());
}

}  // namespace
}  // namespace cirrus::stats
