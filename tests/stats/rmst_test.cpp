// The restricted mean survival time of stats/rmst.hpp on data small enough
// to work out by hand. Each expected value has its arithmetic beside it;
// where an R value is quoted it comes from R 4.2.2, survival 3.5-3:
//   summary(survfit(Surv(t, e) ~ 1), rmean = tau)$table[c("rmean", "se(rmean)")]
// and, for differences, survRM2::rmst2's formulas written out in R (the
// oracle's rmst_case). The pbc trial at tau = 3650 is pinned in
// tests/golden/survival/rmst.test; tests/oracle/survival compares far
// larger data sets with R.
#include "cirrus/stats/rmst.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/survival_data.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

// Hand formulas evaluated in double against the same operations in cirrus:
// only the order of a few roundings differs.
constexpr double kClosedForm = 1e-12;
// R values printed with 17 significant digits.
constexpr double kRPrinted = 1e-14;
// qnorm(0.975) in R, printed with 17 digits.
constexpr double kZ975 = 1.9599639845400536;

using Times = std::vector<double>;
using Events = std::vector<std::uint8_t>;
using Groups = std::vector<int>;

RmstOptions Tau(double tau) {
  RmstOptions options;
  options.tau = tau;
  return options;
}

RmstOptions TauCarriedForward(double tau) {
  RmstOptions options = Tau(tau);
  options.beyond_follow_up = TauBeyondFollowUp::kCarryForward;
  return options;
}

// One group: every subject in group 0.
RmstGroup One(const Times& time, const Events& event, const RmstOptions& options) {
  const Groups group(time.size(), 0);
  Result<RmstResult> r = ComputeRmst({time, event}, group, 1, options);
  EXPECT_THAT(r, IsOk());
  if (!r) return {};
  EXPECT_THAT(r->groups, SizeIs(1));
  EXPECT_THAT(r->differences, IsEmpty());
  return r->groups.front();
}

// The worked example of the KM tests: times 1, 2, 2+, 3, 4+ ("+" censored).
// S = 4/5 from 1, 3/5 from 2, 3/10 from 3 (and at 4, a censoring).
// h = d / (n (n - d)): 1/(5x4) = 1/20 at 1, 1/(4x3) = 1/12 at 2, 1/(2x1) = 1/2 at 3.
const Times kTime = {1, 2, 2, 3, 4};
const Events kEvent = {1, 1, 0, 1, 0};

// ---- One curve ---------------------------------------------------------------------

TEST(Rmst, HandComputedSmallExample) {
  const RmstGroup g = One(kTime, kEvent, Tau(3.5));
  // Area: 1 x 1 + (2 - 1) x 4/5 + (3 - 2) x 3/5 + (3.5 - 3) x 3/10 = 1 + 0.8 + 0.6 + 0.15 = 2.55.
  EXPECT_NEAR(g.rmst, 2.55, kClosedForm);  // R 2.55000000000000027
  // A_i, the area from t_i to tau: A(3) = 0.15, A(2) = 0.6 + 0.15 = 0.75, A(1) = 0.8 + 0.75 = 1.55.
  // Variance 1.55^2 / 20 + 0.75^2 / 12 + 0.15^2 / 2 = 0.120125 + 0.046875 + 0.01125 = 0.17825.
  EXPECT_NEAR(g.variance, 0.17825, kClosedForm);
  EXPECT_NEAR(g.se, 0.42219663665169105, kRPrinted);  // R se(rmean)
  EXPECT_NEAR(g.lower, 2.55 - kZ975 * std::sqrt(0.17825), kClosedForm);
  EXPECT_NEAR(g.upper, 2.55 + kZ975 * std::sqrt(0.17825), kClosedForm);
  EXPECT_EQ(g.n, 5u);
  EXPECT_EQ(g.events, 3.0);
}

TEST(Rmst, TauAtAnEventTimeEndsTheAreaThere) {
  // tau = 2: 1 + (2 - 1) x 4/5 = 1.8. The point at 2 is kept with A(2) = 0, so
  // only t = 1 counts: A(1) = 0.8, variance 0.8^2 / 20 = 0.032.
  const RmstGroup g = One(kTime, kEvent, Tau(2));
  EXPECT_NEAR(g.rmst, 1.8, kClosedForm);
  EXPECT_NEAR(g.variance, 0.032, kClosedForm);
  EXPECT_NEAR(g.se, 0.1788854381999832, kRPrinted);  // R
}

TEST(Rmst, TauBeforeTheFirstEventIsTauWithNoVariance) {
  // S = 1 on [0, tau): the area is tau and nothing is uncertain. survRM2's
  // rmst1 gives (0.5, 0); R's summary(fit, rmean = 0.5) refuses a tau below
  // the smallest time ("Truncation point ... < smallest survival").
  const RmstGroup before = One(kTime, kEvent, Tau(0.5));
  EXPECT_EQ(before.rmst, 0.5);
  EXPECT_EQ(before.se, 0.0);
  EXPECT_EQ(before.lower, 0.5);
  // At the first event time itself: the area 1 x 1, and A(1) = 0 (R: 1, 0).
  const RmstGroup at = One(kTime, kEvent, Tau(1));
  EXPECT_EQ(at.rmst, 1.0);
  EXPECT_EQ(at.se, 0.0);
  // A censoring before the first event adds a point with d = 0 and no term:
  // 1+, 2, 3 at tau 1.5 is still 1.5 with no variance.
  const RmstGroup censored_first = One({1, 2, 3}, {0, 1, 1}, Tau(1.5));
  EXPECT_EQ(censored_first.rmst, 1.5);
  EXPECT_EQ(censored_first.se, 0.0);
}

TEST(Rmst, TauAtTheEndOfFollowUp) {
  // tau = 4, the last (censored) time: 1 + 0.8 + 0.6 + (4 - 3) x 0.3 = 2.7;
  // A(3) = 0.3, A(2) = 0.9, A(1) = 1.7: 1.7^2/20 + 0.9^2/12 + 0.3^2/2 = 0.1445 + 0.0675 + 0.045 = 0.257.
  const RmstGroup g = One(kTime, kEvent, Tau(4));
  EXPECT_NEAR(g.rmst, 2.7, kClosedForm);
  EXPECT_NEAR(g.variance, 0.257, kClosedForm);
  EXPECT_NEAR(g.se, 0.50695167422546306, kRPrinted);  // R
}

TEST(Rmst, TauAfterTheLastTimeCarriesTheCurveForward) {
  // tau = 5 with the last value carried forward, as R's survmean does:
  // 1 + 0.8 + 0.6 + (5 - 3) x 0.3 = 3; A(3) = 0.6, A(2) = 1.2, A(1) = 2:
  // 4/20 + 1.44/12 + 0.36/2 = 0.2 + 0.12 + 0.18 = 0.5 (R 3, 0.70710678118654757).
  const RmstGroup g = One(kTime, kEvent, TauCarriedForward(5));
  EXPECT_NEAR(g.rmst, 3.0, kClosedForm);
  EXPECT_NEAR(g.variance, 0.5, kClosedForm);
  EXPECT_NEAR(g.se, 0.70710678118654757, kRPrinted);
}

TEST(Rmst, TauAfterTheLastTimeIsRefusedByDefault) {
  // survRM2: the last observation (4) is censored, so the curve is not
  // estimated past it and tau 5 is an error.
  const Groups group(kTime.size(), 0);
  const Result<RmstResult> r = ComputeRmst({kTime, kEvent}, group, 1, Tau(5));
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kOutOfRange));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::ComputeRmst: tau 5 is beyond the follow-up")));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("last observation, at 4, is censored")));
}

TEST(Rmst, LastTimeWithEveryoneDyingAddsNoVarianceTerm) {
  // Times 1, 2, 3, all events: S = 2/3, 1/3, 0. At 3, n = d = 1, so
  // d / (n (n - d)) is infinite while A(3) = 0: R (survmean) and survRM2 set
  // the term to 0 rather than 0 x Inf = NaN. An implementation without the
  // rule gives se = NaN here.
  // Area to 3: 1 + (2 - 1) x 2/3 + (3 - 2) x 1/3 = 2. A(2) = 1/3, A(1) = 2/3 + 1/3 = 1:
  // variance 1^2 / (3 x 2) + (1/3)^2 / (2 x 1) = 1/6 + 1/18 = 2/9 (R 2, 0.47140452079103168).
  const RmstGroup at_end = One({1, 2, 3}, {1, 1, 1}, Tau(3));
  EXPECT_NEAR(at_end.rmst, 2.0, kClosedForm);
  EXPECT_NEAR(at_end.variance, 2.0 / 9, kClosedForm);
  EXPECT_TRUE(std::isfinite(at_end.se));
  // Past the end S = 0 adds no area: the same at tau 4 (carried forward).
  const RmstGroup past = One({1, 2, 3}, {1, 1, 1}, TauCarriedForward(4));
  EXPECT_NEAR(past.rmst, 2.0, kClosedForm);
  EXPECT_NEAR(past.se, 0.47140452079103168, kRPrinted);
}

TEST(Rmst, DefaultTauIsTheEndOfFollowUp) {
  // One group ending in a censoring at 4: tau defaults to 4.
  const Groups group(kTime.size(), 0);
  const Result<RmstResult> r = ComputeRmst({kTime, kEvent}, group, 1);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tau, 4.0);
  EXPECT_EQ(r->tau_source, TauSource::kDefault);
  EXPECT_EQ(r->limit.tau, 4.0);
  EXPECT_FALSE(r->limit.ends_in_event);
  EXPECT_NEAR(r->groups[0].rmst, 2.7, kClosedForm);
}

TEST(Rmst, CaseWeightsEqualRepeatedRows) {
  // Weight 2 on a row is that row twice: the weighted n and d enter the curve
  // and the variance terms exactly as survfit(weights = w) and survmean use them.
  const Times time = {1, 2, 3, 4, 5};
  const Events event = {1, 0, 1, 1, 0};
  const std::vector<double> weight = {2, 1, 3, 1, 2};
  const Times expanded_time = {1, 1, 2, 3, 3, 3, 4, 5, 5};
  const Events expanded_event = {1, 1, 0, 1, 1, 1, 1, 0, 0};
  const Groups group(time.size(), 0);
  const Groups expanded_group(expanded_time.size(), 0);
  const Result<RmstResult> weighted = ComputeRmst({time, event, {}, weight}, group, 1, Tau(4.5));
  const Result<RmstResult> repeated = ComputeRmst({expanded_time, expanded_event}, expanded_group, 1, Tau(4.5));
  ASSERT_THAT(weighted, IsOk());
  ASSERT_THAT(repeated, IsOk());
  EXPECT_NEAR(weighted->groups[0].rmst, repeated->groups[0].rmst, kClosedForm);
  EXPECT_NEAR(weighted->groups[0].se, repeated->groups[0].se, kClosedForm);
  EXPECT_EQ(weighted->groups[0].events, 6.0);
}

TEST(Rmst, RmstOfCurveMatchesComputeRmst) {
  const Result<KaplanMeierCurve> curve = FitKaplanMeier({kTime, kEvent});
  ASSERT_THAT(curve, IsOk());
  const Result<RmstGroup> g = RmstOfCurve(*curve, 3.5);
  ASSERT_THAT(g, IsOk());
  EXPECT_NEAR(g->rmst, 2.55, kClosedForm);
  EXPECT_NEAR(g->variance, 0.17825, kClosedForm);
  // A curve does not know its follow-up rule: any tau > 0 is carried forward.
  EXPECT_THAT(RmstOfCurve(*curve, 5), IsOk());
}

// ---- Two and more groups (survRM2::rmst2) --------------------------------------------------

// survival_two_arms.csv of the golden tests: A = 1, 3, 5+ and B = 2, 4, 6.
const Times kArmsTime = {1, 3, 5, 2, 4, 6};
const Events kArmsEvent = {1, 1, 0, 1, 1, 1};
const Groups kArms = {0, 0, 0, 1, 1, 1};

TEST(Rmst, TwoGroupsHandComputed) {
  // Default tau: A ends in a censoring at 5, B in an event at 6; the group
  // that ends censored has the shorter follow-up, so tau = min(5, 6) = 5
  // (survRM2 case 3).
  const Result<RmstResult> r = ComputeRmst({kArmsTime, kArmsEvent}, kArms, 2);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tau, 5.0);
  EXPECT_EQ(r->tau_source, TauSource::kDefault);
  EXPECT_EQ(r->limit.group, 0);
  ASSERT_THAT(r->groups, SizeIs(2));
  // A: S = 2/3 from 1, 1/3 from 3. Area 1 + 2 x 2/3 + 2 x 1/3 = 3.
  // A(3) = 2/3, A(1) = 4/3 + 2/3 = 2; h = 1/6 at 1, 1/2 at 3:
  // variance 4/6 + (4/9)/2 = 8/9 (R 3, 0.94280904158206336).
  EXPECT_NEAR(r->groups[0].rmst, 3.0, kClosedForm);
  EXPECT_NEAR(r->groups[0].variance, 8.0 / 9, kClosedForm);
  // B: S = 2/3 from 2, 1/3 from 4. Area 2 + 2 x 2/3 + 1 x 1/3 = 11/3.
  // A(4) = 1/3, A(2) = 4/3 + 1/3 = 5/3: (25/9)/6 + (1/9)/2 = 28/54 = 14/27
  // (R 3.6666666666666665, 0.72008229982309546).
  EXPECT_NEAR(r->groups[1].rmst, 11.0 / 3, kClosedForm);
  EXPECT_NEAR(r->groups[1].variance, 14.0 / 27, kClosedForm);
  // A - B = 3 - 11/3 = -2/3, se sqrt(8/9 + 14/27) = sqrt(38/27);
  // R: -0.66666666666666652, 1.18634202800347888, CI -2.99185431489969300 to
  // 1.65852098156635996, p 2 pnorm(-|d|/se) = 0.57414907279716199.
  ASSERT_THAT(r->differences, SizeIs(1));
  const RmstDifference& d = r->differences[0];
  EXPECT_EQ(d.first, 0);
  EXPECT_EQ(d.second, 1);
  EXPECT_NEAR(d.difference, -2.0 / 3, kClosedForm);
  EXPECT_NEAR(d.se, std::sqrt(38.0 / 27), kClosedForm);
  EXPECT_NEAR(d.lower, -2.99185431489969300, kRPrinted);
  EXPECT_NEAR(d.upper, 1.65852098156635996, kRPrinted);
  EXPECT_THAT(d.p, Optional(::testing::DoubleNear(0.57414907279716199, kRPrinted)));
}

TEST(Rmst, CompareRmstReversesTheSign) {
  const Result<RmstResult> r = ComputeRmst({kArmsTime, kArmsEvent}, kArms, 2);
  ASSERT_THAT(r, IsOk());
  const Result<RmstDifference> d = CompareRmst(*r, 1, 0);
  ASSERT_THAT(d, IsOk());
  EXPECT_NEAR(d->difference, 2.0 / 3, kClosedForm);
  EXPECT_NEAR(d->lower, -1.65852098156635996, kRPrinted);
  EXPECT_EQ(d->p, r->differences[0].p);
  // A 90% interval is narrower: qnorm(0.95) = 1.6448536269514722.
  const Result<RmstDifference> d90 = CompareRmst(*r, 1, 0, 0.90);
  ASSERT_THAT(d90, IsOk());
  EXPECT_NEAR(d90->upper, 2.0 / 3 + 1.6448536269514722 * std::sqrt(38.0 / 27), kClosedForm);
}

TEST(Rmst, ThreeGroupsAreEachComparedWithTheFirst) {
  // survival_three_arms.csv: C = 7, 8+, 9 has no event before tau = 5, so its
  // area is 5 with no variance. A - C = 3 - 5 = -2, se sqrt(8/9);
  // R: CI -3.847871765799570021 to -0.152128234200429979, p 0.033894853524689295.
  const Times time = {1, 3, 5, 2, 4, 6, 7, 8, 9};
  const Events event = {1, 1, 0, 1, 1, 1, 1, 0, 1};
  const Groups group = {0, 0, 0, 1, 1, 1, 2, 2, 2};
  const Result<RmstResult> r = ComputeRmst({time, event}, group, 3);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->tau, 5.0);
  ASSERT_THAT(r->groups, SizeIs(3));
  EXPECT_EQ(r->groups[2].rmst, 5.0);
  EXPECT_EQ(r->groups[2].se, 0.0);
  ASSERT_THAT(r->differences, SizeIs(2));
  EXPECT_EQ(r->differences[0].second, 1);
  EXPECT_EQ(r->differences[1].first, 0);
  EXPECT_EQ(r->differences[1].second, 2);
  EXPECT_NEAR(r->differences[1].difference, -2.0, kClosedForm);
  EXPECT_NEAR(r->differences[1].lower, -3.847871765799570021, kRPrinted);
  EXPECT_THAT(r->differences[1].p, Optional(::testing::DoubleNear(0.033894853524689295, kRPrinted)));
}

TEST(Rmst, DifferenceWithoutVarianceHasNoTestWhenEqual) {
  // tau before every event: both areas are tau and nothing varies; R's
  // 2 pnorm(-0/0) is NaN, so p is absent.
  const Result<RmstResult> r = ComputeRmst({kArmsTime, kArmsEvent}, kArms, 2, Tau(0.5));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->differences[0].difference, 0.0);
  EXPECT_EQ(r->differences[0].se, 0.0);
  EXPECT_EQ(r->differences[0].p, std::nullopt);
  // A single subject dying at 1 (n = d) against one censored at 3, tau 2:
  // areas 1 and 2, no variance in either; R's 2 pnorm(-1/0) = 0.
  const Result<RmstResult> apart = ComputeRmst({Times{1, 3}, Events{1, 0}}, Groups{0, 1}, 2, Tau(2));
  ASSERT_THAT(apart, IsOk());
  EXPECT_EQ(apart->differences[0].difference, -1.0);
  EXPECT_THAT(apart->differences[0].p, Optional(0.0));
}

// ---- survRM2's tau rule ------------------------------------------------------------

RmstTauLimit Limit(const Times& time, const Events& event, const Groups& group) {
  const Result<RmstTauLimit> limit = FindRmstTauLimit({time, event}, group, 2);
  EXPECT_THAT(limit, IsOk());
  return limit.value_or(RmstTauLimit{});
}

TEST(RmstTauLimit, FollowsSurvRM2Cases) {
  // Case 1: both end in events: the larger end, 6.
  RmstTauLimit l = Limit({1, 4, 2, 6}, {1, 1, 1, 1}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 6.0);
  EXPECT_EQ(l.group, 1);
  EXPECT_TRUE(l.ends_in_event);
  // Case 2: the shorter group (4) ends in an event, the longer (6) censored: 6.
  l = Limit({1, 4, 2, 6}, {1, 1, 1, 0}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 6.0);
  EXPECT_FALSE(l.ends_in_event);
  // Case 3: the shorter group (4) ends censored, the longer (6) in an event: 4.
  l = Limit({1, 4, 2, 6}, {1, 0, 1, 1}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 4.0);
  EXPECT_EQ(l.group, 0);
  // Case 4: both censored: the smaller end, 4.
  l = Limit({1, 4, 2, 6}, {1, 0, 1, 0}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 4.0);
  // survRM2 takes min(status) at the largest time: an event and a censoring
  // tied at 6 count as a censoring. Against an event at 4 that is case 2 (6);
  // against an event at 8 it is case 3 (6), where counting the tie as an
  // event would give case 1 (8).
  l = Limit({1, 4, 6, 6}, {1, 1, 1, 0}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 6.0);
  EXPECT_FALSE(l.ends_in_event);
  l = Limit({1, 8, 6, 6}, {1, 1, 1, 0}, {0, 0, 1, 1});
  EXPECT_EQ(l.tau, 6.0);
  EXPECT_EQ(l.group, 1);
}

TEST(RmstTauLimit, ExplicitTauBeyondItIsAnError) {
  // Case 1 (both end in events at 4 and 6): 6 is allowed, 6.5 is not.
  const Times time = {1, 4, 2, 6};
  const Events event = {1, 1, 1, 1};
  const Groups group = {0, 0, 1, 1};
  EXPECT_THAT(ComputeRmst({time, event}, group, 2, Tau(6)), IsOk());
  const Result<RmstResult> r = ComputeRmst({time, event}, group, 2, Tau(6.5));
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kOutOfRange));
  EXPECT_THAT(r, HasErrorMessage(HasSubstr("every group is an event and the latest is at 6 (group 1)")));
  // Carried forward, both curves are 0 after their last event.
  EXPECT_THAT(ComputeRmst({time, event}, group, 2, TauCarriedForward(6.5)), IsOk());
}

// ---- Errors ------------------------------------------------------------------------------

TEST(Rmst, RejectsBadTau) {
  const Groups group(kTime.size(), 0);
  for (const double tau : {0.0, -1.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
    const Result<RmstResult> r = ComputeRmst({kTime, kEvent}, group, 1, Tau(tau));
    EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument)) << tau;
    EXPECT_THAT(r, HasErrorMessage(HasSubstr("stats::ComputeRmst: tau is"))) << tau;
  }
  // Every time 0: the default tau would be 0, which has no area.
  const Result<RmstResult> zero = ComputeRmst({Times{0, 0}, Events{1, 0}}, Groups{0, 0}, 1);
  EXPECT_THAT(zero, HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(Rmst, RejectsBadLevel) {
  const Groups group(kTime.size(), 0);
  RmstOptions options = Tau(3);
  options.level = 1;
  EXPECT_THAT(ComputeRmst({kTime, kEvent}, group, 1, options),
              HasErrorMessage(HasSubstr("stats::ComputeRmst: level must lie in (0, 1)")));
}

TEST(Rmst, RejectsBadDataAndGroups) {
  EXPECT_THAT(ComputeRmst({Times{1, -2}, Events{1, 0}}, Groups{0, 0}, 1, Tau(1)),
              HasErrorMessage(HasSubstr("stats::ComputeRmst: time[1] is -2, must be >= 0")));
  EXPECT_THAT(ComputeRmst({kTime, kEvent}, Groups{0, 0}, 1, Tau(1)),
              HasErrorMessage(HasSubstr("group must have one code per subject")));
  EXPECT_THAT(ComputeRmst({kTime, kEvent}, Groups{0, 0, 3, 0, 0}, 2, Tau(1)),
              HasErrorMessage(HasSubstr("group[2] is out of range")));
  // A group without subjects has no curve and no RMST.
  const Result<RmstResult> empty = ComputeRmst({kTime, kEvent}, Groups{0, 0, 0, 0, 0}, 2, Tau(1));
  EXPECT_THAT(empty, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(empty, HasErrorMessage(HasSubstr("group 1 has no subjects")));
  EXPECT_THAT(FindRmstTauLimit({kTime, kEvent}, Groups{0, 0, 0, 0, 0}, 2),
              HasErrorMessage(HasSubstr("stats::FindRmstTauLimit: group 1 has no subjects")));
}

TEST(Rmst, CompareRmstRejectsBadGroups) {
  const Result<RmstResult> r = ComputeRmst({kArmsTime, kArmsEvent}, kArms, 2);
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(CompareRmst(*r, 0, 2), HasErrorMessage(HasSubstr("stats::CompareRmst: group 2 is out of range")));
  EXPECT_THAT(CompareRmst(*r, -1, 0), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(CompareRmst(*r, 1, 1), HasErrorMessage(HasSubstr("compares group 1 with itself")));
  EXPECT_THAT(CompareRmst(*r, 0, 1, 0), HasErrorMessage(HasSubstr("level must lie in (0, 1)")));
}

TEST(Rmst, RmstOfCurveRejectsBadInput) {
  EXPECT_THAT(RmstOfCurve(KaplanMeierCurve{}, 1),
              HasErrorMessage(HasSubstr("stats::RmstOfCurve: the curve has no points")));
  const Result<KaplanMeierCurve> curve = FitKaplanMeier({kTime, kEvent});
  ASSERT_THAT(curve, IsOk());
  EXPECT_THAT(RmstOfCurve(*curve, -1), HasErrorMessage(HasSubstr("stats::RmstOfCurve: tau is -1, must be > 0")));
  EXPECT_THAT(RmstOfCurve(*curve, 1, 1.5), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::stats
