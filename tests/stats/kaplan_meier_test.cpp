// The Kaplan-Meier estimator of stats/kaplan_meier.hpp on data small enough
// to work out by hand. Each expected value has its arithmetic beside it;
// where an R value is quoted it comes from R 4.2.2, survival 3.5-3:
//   survfit(Surv(t, e) ~ 1, conf.type = ...) with t, e as in the test.
// The large-data comparison with R lives in tests/oracle/survival.
#include "cirrus/stats/kaplan_meier.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cirrus/stats/survival_data.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Hand formulas evaluated in double against the same operations in cirrus:
// only the order of a few roundings differs.
constexpr double kClosedForm = 1e-12;
// R values printed with 15-16 significant digits.
constexpr double kRPrinted = 1e-13;
// qnorm(0.975) in R, printed with 17 digits.
constexpr double kZ975 = 1.9599639845400536;

using Times = std::vector<double>;
using Events = std::vector<std::uint8_t>;

KaplanMeierCurve Fit(const Times& time, const Events& event, const KaplanMeierOptions& options = {}) {
  Result<KaplanMeierCurve> curve = FitKaplanMeier({time, event}, options);
  EXPECT_THAT(curve, IsOk());
  return curve.value_or(KaplanMeierCurve{});
}

// The worked example: times 1, 2, 2+, 3, 4+ (a "+" is a censoring).
const Times kTime = {1, 2, 2, 3, 4};
const Events kEvent = {1, 1, 0, 1, 0};

// ---- The estimator ------------------------------------------------------------------

TEST(KaplanMeier, HandComputedSmallExample) {
  const KaplanMeierCurve c = Fit(kTime, kEvent);
  EXPECT_EQ(c.n, 5u);
  EXPECT_EQ(c.events, 3.0);
  ASSERT_THAT(c.points, SizeIs(4));  // one point per distinct time: 1, 2, 3, 4

  // t = 1: 5 at risk, 1 event. S = 4/5. Greenwood sum 1 / (5 x 4) = 1/20.
  EXPECT_EQ(c.points[0].time, 1.0);
  EXPECT_EQ(c.points[0].n_risk, 5.0);
  EXPECT_EQ(c.points[0].n_event, 1.0);
  EXPECT_EQ(c.points[0].n_censor, 0.0);
  EXPECT_NEAR(c.points[0].survival, 4.0 / 5, kClosedForm);
  EXPECT_NEAR(c.points[0].std_err_log, std::sqrt(1.0 / 20), kClosedForm);  // R std.err 0.223606797749979
  EXPECT_NEAR(c.points[0].std_err, 0.8 * std::sqrt(1.0 / 20), kClosedForm);

  // t = 2: 4 at risk, 1 event, 1 censored. S = 4/5 x 3/4 = 3/5.
  // Greenwood 1/20 + 1 / (4 x 3) = 1/20 + 1/12 = 2/15.
  EXPECT_EQ(c.points[1].n_risk, 4.0);
  EXPECT_EQ(c.points[1].n_event, 1.0);
  EXPECT_EQ(c.points[1].n_censor, 1.0);
  EXPECT_NEAR(c.points[1].survival, 3.0 / 5, kClosedForm);
  EXPECT_NEAR(c.points[1].std_err_log, std::sqrt(2.0 / 15), kClosedForm);  // R 0.365148371670111
  EXPECT_NEAR(c.points[1].std_err, 0.6 * std::sqrt(2.0 / 15), kClosedForm);

  // t = 3: 2 at risk, 1 event. S = 3/5 x 1/2 = 3/10. Greenwood 2/15 + 1 / (2 x 1) = 19/30.
  EXPECT_EQ(c.points[2].n_risk, 2.0);
  EXPECT_NEAR(c.points[2].survival, 3.0 / 10, kClosedForm);
  EXPECT_NEAR(c.points[2].std_err_log, std::sqrt(19.0 / 30), kClosedForm);  // R 0.795822425754221

  // t = 4: 1 at risk, censored: S and its error carry over.
  EXPECT_EQ(c.points[3].n_risk, 1.0);
  EXPECT_EQ(c.points[3].n_event, 0.0);
  EXPECT_EQ(c.points[3].n_censor, 1.0);
  EXPECT_NEAR(c.points[3].survival, 3.0 / 10, kClosedForm);
  EXPECT_NEAR(c.points[3].std_err_log, std::sqrt(19.0 / 30), kClosedForm);
}

// Fractional case weights switch to the infinitesimal-jackknife variance, as
// R's survfit does; expected values from R (survival 3.5-3):
//   d <- data.frame(time = c(1,2,2,3,4,5,6,7), status = c(1,0,1,1,0,1,1,1),
//                   w = c(1.5,0.5,1,2,1,0.7,1.2,0.9), entry = c(0,0,1,0,2,1,0,3))
//   survfit(Surv(time, status) ~ 1, data = d, weights = w)$std.err   (of S: logse is FALSE)
//   survfit(Surv(entry, time, status) ~ 1, data = d, weights = w)$std.err
TEST(KaplanMeier, FractionalWeightsUseTheJackknifeVarianceAsR) {
  const std::vector<double> time = {1, 2, 2, 3, 4, 5, 6, 7};
  const std::vector<std::uint8_t> event = {1, 0, 1, 1, 0, 1, 1, 1};
  const std::vector<double> weight = {1.5, 0.5, 1, 2, 1, 0.7, 1.2, 0.9};
  const std::vector<double> entry = {0, 0, 1, 0, 2, 1, 0, 3};
  const std::vector<double> se = {0.1528622390776,
                                  0.172733366240038,
                                  0.196958280156037,
                                  0.196958280156037,
                                  0.191372134427881,
                                  0.139944080466178,
                                  0};
  const std::vector<double> lower = {0.578079184922842, 0.446150486628307, 0.205959438527665,
                                     0.205959438527665, 0.121119958138465, 0.0244447375161103};
  auto curve = FitKaplanMeier({time, event, {}, weight});
  ASSERT_TRUE(curve.has_value());
  EXPECT_TRUE(curve->jackknife);
  ASSERT_THAT(curve->points, SizeIs(7));
  for (std::size_t k = 0; k < 7; ++k) {
    EXPECT_NEAR(curve->points[k].std_err, se[k], 1e-12) << k;
    if (k < 6) {
      ASSERT_TRUE(curve->points[k].lower.has_value());
      EXPECT_NEAR(*curve->points[k].lower, lower[k], 1e-12) << k;
    }
  }
  // The last subjects all die: exactly 0, standard error 0, no limits (R's NA).
  EXPECT_EQ(curve->points[6].survival, 0);
  EXPECT_FALSE(curve->points[6].lower.has_value());

  const std::vector<double> se_entry = {
      0.244208883539813, 0.25952559105495, 0.18269302135333, 0.18269302135333, 0.163429806206559, 0.08945725389124, 0};
  const std::vector<double> survival_entry = {0.711538461538461,
                                              0.57977207977208,
                                              0.343130414558986,
                                              0.343130414558986,
                                              0.257347810919239,
                                              0.110291918965388,
                                              0};
  auto delayed = FitKaplanMeier({time, event, entry, weight});
  ASSERT_TRUE(delayed.has_value());
  for (std::size_t k = 0; k < 7; ++k) {
    EXPECT_NEAR(delayed->points[k].survival, survival_entry[k], 1e-12) << k;
    EXPECT_NEAR(delayed->points[k].std_err, se_entry[k], 1e-12) << k;
  }

  // Integer weights keep Greenwood, unless the jackknife is asked for.
  const std::vector<double> integer_weight = {2, 1, 1, 2, 1, 1, 3, 1};
  auto greenwood = FitKaplanMeier({time, event, {}, integer_weight});
  ASSERT_TRUE(greenwood.has_value());
  EXPECT_FALSE(greenwood->jackknife);
  auto forced =
      FitKaplanMeier({time, event, {}, integer_weight}, {.variance = KaplanMeierVariance::kInfinitesimalJackknife});
  ASSERT_TRUE(forced.has_value());
  EXPECT_TRUE(forced->jackknife);
  EXPECT_NE(forced->points[2].std_err, greenwood->points[2].std_err);
}

TEST(KaplanMeier, LogLimitsByHand) {
  const KaplanMeierCurve c = Fit(kTime, kEvent);
  ASSERT_THAT(c.points, SizeIs(4));
  // exp(log S -+ z se_log); the upper limit is capped at 1.
  // t = 1: 0.8 exp(-1.96 sqrt(1/20)) = 0.516126 (R 0.5161257603421721); 0.8 exp(+0.438) = 1.24 -> 1.
  EXPECT_NEAR(c.points[0].lower.value(), 0.8 * std::exp(-kZ975 * std::sqrt(1.0 / 20)), kClosedForm);
  EXPECT_NEAR(c.points[0].lower.value(), 0.5161257603421721, kRPrinted);
  EXPECT_EQ(c.points[0].upper.value(), 1.0);
  // t = 2: 0.6 exp(-1.96 sqrt(2/15)) = 0.293316 (R 0.2933164316383264).
  EXPECT_NEAR(c.points[1].lower.value(), 0.6 * std::exp(-kZ975 * std::sqrt(2.0 / 15)), kClosedForm);
  EXPECT_NEAR(c.points[1].lower.value(), 0.2933164316383264, kRPrinted);
  // t = 3: 0.3 exp(-1.96 sqrt(19/30)) = 0.063054 (R 0.0630544842551363).
  EXPECT_NEAR(c.points[2].lower.value(), 0.3 * std::exp(-kZ975 * std::sqrt(19.0 / 30)), kClosedForm);
  EXPECT_NEAR(c.points[2].lower.value(), 0.0630544842551363, kRPrinted);
  EXPECT_EQ(c.points[2].upper.value(), 1.0);
}

TEST(KaplanMeier, LevelChangesTheQuantile) {
  // level 0.9: z = qnorm(0.95) = 1.6448536269514715.
  // t = 1: 0.8 exp(-1.6449 sqrt(1/20)) = 0.553804 (R conf.int = 0.9: 0.5538042446944577).
  const KaplanMeierCurve c = Fit(kTime, kEvent, {ConfidenceType::kLog, 0.9});
  ASSERT_THAT(c.points, SizeIs(4));
  EXPECT_NEAR(c.points[0].lower.value(), 0.8 * std::exp(-1.6448536269514715 * std::sqrt(1.0 / 20)), kClosedForm);
  EXPECT_NEAR(c.points[0].lower.value(), 0.5538042446944577, kRPrinted);
}

TEST(KaplanMeier, LogLogLimitsByHand) {
  const KaplanMeierCurve c = Fit(kTime, kEvent, {ConfidenceType::kLogLog, 0.95});
  ASSERT_THAT(c.points, SizeIs(4));
  // exp(-exp(log(-log S) -+ z se_log / log S)) at t = 1, S = 0.8:
  // R conf.type = "log-log": lower 0.2038092632676393, upper 0.969179788866743.
  const double shift = kZ975 * std::sqrt(1.0 / 20) / std::log(0.8);
  EXPECT_NEAR(c.points[0].lower.value(), std::exp(-std::exp(std::log(-std::log(0.8)) - shift)), kClosedForm);
  EXPECT_NEAR(c.points[0].upper.value(), std::exp(-std::exp(std::log(-std::log(0.8)) + shift)), kClosedForm);
  EXPECT_NEAR(c.points[0].lower.value(), 0.2038092632676393, kRPrinted);
  EXPECT_NEAR(c.points[0].upper.value(), 0.969179788866743, kRPrinted);
  // t = 3, S = 0.3: R 0.0123015294254161, 0.719218020810415.
  EXPECT_NEAR(c.points[2].lower.value(), 0.0123015294254161, kRPrinted);
  EXPECT_NEAR(c.points[2].upper.value(), 0.719218020810415, kRPrinted);
}

TEST(KaplanMeier, LogLogLimitsAbsentWhereSurvivalIsOne) {
  // A censoring at 1 before any event: S(1) = 1, and log(-log 1) = log 0.
  // R: survfit(Surv(c(1, 2, 3), c(0, 1, 1)) ~ 1, conf.type = "log-log") gives NA, NA at t = 1.
  const KaplanMeierCurve c = Fit({1, 2, 3}, {0, 1, 1}, {ConfidenceType::kLogLog, 0.95});
  ASSERT_THAT(c.points, SizeIs(3));
  EXPECT_EQ(c.points[0].survival, 1.0);
  EXPECT_FALSE(c.points[0].lower.has_value());
  EXPECT_FALSE(c.points[0].upper.has_value());
  // S = 1/2 at t = 2 has both limits (R 0.00598308763914576, 0.910410084836737).
  EXPECT_NEAR(c.points[1].lower.value(), 0.00598308763914576, kRPrinted);
  EXPECT_NEAR(c.points[1].upper.value(), 0.910410084836737, kRPrinted);
  // The log type has limits 1, 1 at S = 1 (se 0), as R does.
  const KaplanMeierCurve log_type = Fit({1, 2, 3}, {0, 1, 1});
  EXPECT_EQ(log_type.points[0].lower.value(), 1.0);
  EXPECT_EQ(log_type.points[0].upper.value(), 1.0);
}

TEST(KaplanMeier, PlainLimitsAreClippedToUnitInterval) {
  const KaplanMeierCurve c = Fit(kTime, kEvent, {ConfidenceType::kPlain, 0.95});
  ASSERT_THAT(c.points, SizeIs(4));
  // S +- z S se_log. t = 1: 0.8 + 1.96 x 0.8 sqrt(1/20) = 1.15 -> 1; lower 0.8 - 0.3506 = 0.449391 (R).
  EXPECT_EQ(c.points[0].upper.value(), 1.0);
  EXPECT_NEAR(c.points[0].lower.value(), 0.8 - kZ975 * 0.8 * std::sqrt(1.0 / 20), kClosedForm);
  EXPECT_NEAR(c.points[0].lower.value(), 0.449390983769367, kRPrinted);
  // t = 3: 0.3 - 1.96 x 0.3 sqrt(19/30) = -0.168 -> 0; upper 0.767935 (R 0.767934987770273).
  EXPECT_EQ(c.points[2].lower.value(), 0.0);
  EXPECT_NEAR(c.points[2].upper.value(), 0.3 + kZ975 * 0.3 * std::sqrt(19.0 / 30), kClosedForm);
  EXPECT_NEAR(c.points[2].upper.value(), 0.767934987770273, kRPrinted);
  for (const KaplanMeierPoint& p : c.points) {
    EXPECT_GE(p.lower.value(), 0.0);
    EXPECT_LE(p.upper.value(), 1.0);
  }
}

TEST(KaplanMeier, EventsComeBeforeCensoringsAtATiedTime) {
  // At t = 2 one event and one censoring: the censored subject is still at
  // risk for the event, so S(2) = 2/3 (not 1/2). R: 0.666666666666667, then 0.
  const KaplanMeierCurve c = Fit({2, 2, 3}, {0, 1, 1});
  ASSERT_THAT(c.points, SizeIs(2));
  EXPECT_EQ(c.points[0].n_risk, 3.0);
  EXPECT_EQ(c.points[0].n_event, 1.0);
  EXPECT_EQ(c.points[0].n_censor, 1.0);
  EXPECT_NEAR(c.points[0].survival, 2.0 / 3, kClosedForm);
  EXPECT_EQ(c.points[1].n_risk, 1.0);
  EXPECT_EQ(c.points[1].survival, 0.0);
}

TEST(KaplanMeier, TiedEventsShareOnePoint) {
  // Three events at t = 5 among 4 at risk: one factor (4 - 3) / 4, and
  // Greenwood 3 / (4 x 1), not three separate steps.
  const KaplanMeierCurve c = Fit({5, 5, 5, 9}, {1, 1, 1, 0});
  ASSERT_THAT(c.points, SizeIs(2));
  EXPECT_EQ(c.points[0].n_event, 3.0);
  EXPECT_NEAR(c.points[0].survival, 0.25, kClosedForm);
  EXPECT_NEAR(c.points[0].std_err_log, std::sqrt(3.0 / 4), kClosedForm);
}

TEST(KaplanMeier, InputOrderDoesNotMatter) {
  const KaplanMeierCurve sorted = Fit(kTime, kEvent);
  const KaplanMeierCurve shuffled = Fit({4, 2, 1, 3, 2}, {0, 0, 1, 1, 1});
  ASSERT_EQ(sorted.points.size(), shuffled.points.size());
  for (std::size_t i = 0; i < sorted.points.size(); ++i) {
    EXPECT_EQ(sorted.points[i].time, shuffled.points[i].time);
    EXPECT_EQ(sorted.points[i].n_risk, shuffled.points[i].n_risk);
    EXPECT_EQ(sorted.points[i].survival, shuffled.points[i].survival);
  }
}

// ---- The median -----------------------------------------------------------------------

TEST(KaplanMeierMedian, FirstTimeAtOrBelowOneHalf) {
  // S = 0.8, 0.6, 0.3: the first S <= 0.5 is at t = 3 (R median 3).
  const KaplanMeierCurve c = Fit(kTime, kEvent);
  EXPECT_EQ(c.median, 3.0);
  // Lower limits 0.516, 0.293, ...: first <= 0.5 at t = 2 (R 0.95LCL 2).
  EXPECT_EQ(c.median_lower, 2.0);
  // Upper limits are all capped at 1: never <= 0.5 (R 0.95UCL NA).
  EXPECT_FALSE(c.median_upper.has_value());
}

TEST(KaplanMeierMedian, MidpointWhenSurvivalIsExactlyOneHalfOnAStep) {
  // Four events at 1, 2, 3, 4: S = 3/4, 1/2, 1/4, 0. S sits on 0.5 over
  // [2, 3), so the median is (2 + 3) / 2 = 2.5 (R median 2.5).
  const KaplanMeierCurve c = Fit({1, 2, 3, 4}, {1, 1, 1, 1});
  EXPECT_EQ(c.median, 2.5);
}

TEST(KaplanMeierMedian, NoMidpointWhenCurveNeverDropsBelowOneHalf) {
  // S = 3/4, 1/2, then censorings keep it at 1/2: no later drop, so the
  // median is the first time at 0.5, t = 2 (R median 2).
  const KaplanMeierCurve c = Fit({1, 2, 3, 4}, {1, 1, 0, 0});
  EXPECT_EQ(c.median, 2.0);
}

TEST(KaplanMeierMedian, AbsentWhenSurvivalNeverReachesOneHalf) {
  // One event among 4 then censorings: S = 3/4 throughout (R median NA).
  const KaplanMeierCurve c = Fit({1, 2, 3, 4}, {1, 0, 0, 0});
  EXPECT_FALSE(c.median.has_value());
  EXPECT_FALSE(c.median_upper.has_value());
  // The lower limit 0.75 exp(-1.96 sqrt(1 / (4 x 3))) = 0.4259 is below one
  // half from t = 1, so the median's interval has a lower end but no upper
  // one (R: median NA, 0.95LCL 1, 0.95UCL NA).
  EXPECT_NEAR(c.points[0].lower.value(), 0.75 * std::exp(-kZ975 * std::sqrt(1.0 / 12)), kClosedForm);
  EXPECT_EQ(c.median_lower, 1.0);
}

// ---- A curve that reaches zero ----------------------------------------------------------

TEST(KaplanMeier, SurvivalReachingZeroHasNoLimitsAndNoFiniteError) {
  // Two events at 1 and 2: S = 1/2, then 0. At t = 2 the Greenwood term
  // d / (n (n - d)) = 1 / (1 x 0) is infinite. R: std.err Inf, limits NA.
  for (const ConfidenceType type : {ConfidenceType::kLog, ConfidenceType::kLogLog, ConfidenceType::kPlain}) {
    const KaplanMeierCurve c = Fit({1, 2}, {1, 1}, {type, 0.95});
    ASSERT_THAT(c.points, SizeIs(2));
    EXPECT_EQ(c.points[1].survival, 0.0);
    EXPECT_FALSE(std::isfinite(c.points[1].std_err));
    EXPECT_FALSE(std::isfinite(c.points[1].std_err_log));
    EXPECT_FALSE(c.points[1].lower.has_value());
    EXPECT_FALSE(c.points[1].upper.has_value());
    // S = 1/2 on [1, 2) and 0 after: the midpoint rule gives 1.5 (R median 1.5).
    EXPECT_EQ(c.median, 1.5);
  }
  // Plain limits at t = 1: 0.5 -+ 1.96 x 0.5 x sqrt(1/2) -> [0, 1] after clipping (R 0, 1).
  const KaplanMeierCurve plain = Fit({1, 2}, {1, 1}, {ConfidenceType::kPlain, 0.95});
  EXPECT_EQ(plain.points[0].lower.value(), 0.0);
  EXPECT_EQ(plain.points[0].upper.value(), 1.0);
}

// ---- Delayed entry and weights ---------------------------------------------------------

TEST(KaplanMeierDelayedEntry, SubjectIsNotAtRiskAtItsOwnEntryTime) {
  // A on (0, 2], B on (0, 3], C on (2, 4], all events. At t = 2, C has
  // entry 2, not < 2, so only A and B are at risk: S = 1/2; at 3, B and C:
  // S = 1/4; at 4, C alone: S = 0.
  // R: survfit(Surv(c(0, 0, 2), c(2, 3, 4), c(1, 1, 1)) ~ 1): n.risk 2 2 1, surv 0.5 0.25 0.
  const Times entry = {0, 0, 2};
  const Times time = {2, 3, 4};
  const Events event = {1, 1, 1};
  const Result<KaplanMeierCurve> c = FitKaplanMeier({time, event, entry});
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(c->points, SizeIs(3));
  EXPECT_EQ(c->points[0].n_risk, 2.0);
  EXPECT_EQ(c->points[1].n_risk, 2.0);
  EXPECT_EQ(c->points[2].n_risk, 1.0);
  EXPECT_NEAR(c->points[0].survival, 0.5, kClosedForm);
  EXPECT_NEAR(c->points[1].survival, 0.25, kClosedForm);
  EXPECT_EQ(c->points[2].survival, 0.0);
}

TEST(KaplanMeierDelayedEntry, SubjectEnteringBeforeTheTimeIsAtRisk) {
  // As above but C enters at 1.5 < 2: three at risk at t = 2, S = 2/3, then
  // 2/3 x 1/2 = 1/3 (R: n.risk 3 2 1, surv 0.667 0.333 0).
  const Times entry = {0, 0, 1.5};
  const Times time = {2, 3, 4};
  const Events event = {1, 1, 1};
  const Result<KaplanMeierCurve> c = FitKaplanMeier({time, event, entry});
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(c->points, SizeIs(3));
  EXPECT_EQ(c->points[0].n_risk, 3.0);
  EXPECT_NEAR(c->points[0].survival, 2.0 / 3, kClosedForm);
  EXPECT_NEAR(c->points[1].survival, 1.0 / 3, kClosedForm);
}

TEST(KaplanMeierDelayedEntry, ZeroEntryEqualsNoEntry) {
  const Times zeros(kTime.size(), 0.0);
  const Result<KaplanMeierCurve> with_entry = FitKaplanMeier({kTime, kEvent, zeros});
  const KaplanMeierCurve without = Fit(kTime, kEvent);
  ASSERT_THAT(with_entry, IsOk());
  ASSERT_EQ(with_entry->points.size(), without.points.size());
  for (std::size_t i = 0; i < without.points.size(); ++i) {
    EXPECT_EQ(with_entry->points[i].n_risk, without.points[i].n_risk);
    EXPECT_EQ(with_entry->points[i].survival, without.points[i].survival);
    EXPECT_EQ(with_entry->points[i].std_err, without.points[i].std_err);
  }
}

TEST(KaplanMeierWeights, WeightTwoEqualsTwoCopiesOfTheRow) {
  const Times time = {1, 2, 2, 3, 4, 5, 6};
  const Events event = {1, 0, 1, 1, 0, 1, 1};
  const Times weight = {2, 1, 3, 1, 2, 1, 2};
  Times copies_time;
  Events copies_event;
  for (std::size_t i = 0; i < time.size(); ++i) {
    for (int k = 0; k < static_cast<int>(weight[i]); ++k) {
      copies_time.push_back(time[i]);
      copies_event.push_back(event[i]);
    }
  }
  const Result<KaplanMeierCurve> weighted = FitKaplanMeier({time, event, {}, weight});
  const KaplanMeierCurve copied = Fit(copies_time, copies_event);
  ASSERT_THAT(weighted, IsOk());
  EXPECT_EQ(weighted->events, copied.events);  // 2 + 3 + 1 + 1 + 2 = 9
  EXPECT_EQ(weighted->events, 9.0);
  EXPECT_EQ(weighted->median, copied.median);
  EXPECT_EQ(weighted->median_lower, copied.median_lower);
  EXPECT_EQ(weighted->median_upper, copied.median_upper);
  ASSERT_EQ(weighted->points.size(), copied.points.size());
  for (std::size_t i = 0; i < copied.points.size(); ++i) {
    const KaplanMeierPoint& w = weighted->points[i];
    const KaplanMeierPoint& c = copied.points[i];
    EXPECT_EQ(w.time, c.time);
    EXPECT_EQ(w.n_risk, c.n_risk);
    EXPECT_EQ(w.n_event, c.n_event);
    EXPECT_EQ(w.n_censor, c.n_censor);
    EXPECT_NEAR(w.survival, c.survival, kClosedForm);
    if (std::isfinite(c.std_err)) {
      EXPECT_NEAR(w.std_err, c.std_err, kClosedForm);
    }
    ASSERT_EQ(w.lower.has_value(), c.lower.has_value());
    if (c.lower) {
      EXPECT_NEAR(*w.lower, *c.lower, kClosedForm);
    }
  }
  // n counts rows, not weight: 7 rows against 12 copies.
  EXPECT_EQ(weighted->n, 7u);
  EXPECT_EQ(copied.n, 12u);
}

TEST(KaplanMeierWeights, FractionalWeightsScaleTheRiskSet) {
  // Weights 0.5, 1.5 at times 1 (event) and 2 (event): n_risk 2, d 0.5,
  // S = 1.5 / 2 = 0.75; then n_risk 1.5, d 1.5, S = 0.
  const Times time = {1, 2};
  const Events event = {1, 1};
  const Times weight = {0.5, 1.5};
  const Result<KaplanMeierCurve> c = FitKaplanMeier({time, event, {}, weight});
  ASSERT_THAT(c, IsOk());
  ASSERT_THAT(c->points, SizeIs(2));
  EXPECT_EQ(c->points[0].n_risk, 2.0);
  EXPECT_EQ(c->points[0].n_event, 0.5);
  EXPECT_NEAR(c->points[0].survival, 0.75, kClosedForm);
  EXPECT_EQ(c->points[1].n_risk, 1.5);
  EXPECT_EQ(c->points[1].survival, 0.0);
  EXPECT_EQ(c->events, 2.0);
}

// ---- Near-equal times (timefix) ------------------------------------------------------

TEST(KaplanMeierTimeFix, NearEqualTimesBecomeOneTie) {
  // 100 days in years computed two ways that differ in the last bit. R's
  // aeqSurv merges them into one time with two events (n.event 2).
  const double years = 100 / 365.25;
  const double next = std::nextafter(years, 1.0);
  ASSERT_NE(years, next);
  const KaplanMeierCurve c = Fit({years, next, 1.0}, {1, 1, 1});
  ASSERT_THAT(c.points, SizeIs(2));
  EXPECT_EQ(c.points[0].time, years);
  EXPECT_EQ(c.points[0].n_event, 2.0);
  EXPECT_NEAR(c.points[0].survival, 1.0 / 3, kClosedForm);  // (3 - 2) / 3
}

TEST(KaplanMeierTimeFix, EntryMergedWithItsTimeIsAnError) {
  // entry < time as given, but the two are near-equal and merge into one
  // value: R's aeqSurv stops with "an interval has effective length 0".
  const double years = 100 / 365.25;
  const Times entry = {0, years};
  const Times time = {1, std::nextafter(years, 1.0)};
  const Events event = {1, 1};
  const Result<KaplanMeierCurve> c = FitKaplanMeier({time, event, entry});
  EXPECT_THAT(c, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(c, HasErrorMessage(HasSubstr("entry[1] and time[1] are equal after merging near-equal times")));
}

// ---- Reading the curve at a time -----------------------------------------------------

TEST(SurvivalAt, BeforeTheFirstTime) {
  // R: summary(fit, times = 0.5, extend = TRUE): n.risk 5, surv 1, std.err 0, lower 1, upper 1.
  const KaplanMeierCurve c = Fit(kTime, kEvent);
  const SurvivalAtTime at = SurvivalAt(c, 0.5);
  EXPECT_EQ(at.time, 0.5);
  EXPECT_EQ(at.n_risk, 5.0);
  EXPECT_EQ(at.survival, 1.0);
  EXPECT_EQ(at.std_err, 0.0);
  EXPECT_EQ(at.lower, 1.0);
  EXPECT_EQ(at.upper, 1.0);
}

TEST(SurvivalAt, BetweenTimesReadsTheStepBeforeAndTheRiskSetAfter) {
  // At 2.5: S from t = 2 (3/5, se 0.6 sqrt(2/15) = 0.219089), n_risk from t = 3 (2).
  // R: summary(fit, times = 2.5): n.risk 2, surv 0.6, std.err 0.219089023002066, lower 0.2933.
  const KaplanMeierCurve c = Fit(kTime, kEvent);
  const SurvivalAtTime at = SurvivalAt(c, 2.5);
  EXPECT_EQ(at.n_risk, 2.0);
  EXPECT_NEAR(at.survival, 0.6, kClosedForm);
  EXPECT_NEAR(at.std_err, 0.219089023002066, kRPrinted);
  EXPECT_NEAR(at.lower.value(), 0.2933164316383264, kRPrinted);
  EXPECT_EQ(at.upper.value(), 1.0);
}

TEST(SurvivalAt, AtAnEventTimeIncludesItsStep) {
  // Right-continuous: S(2) = 3/5 with the 4 at risk just before 2.
  const SurvivalAtTime at = SurvivalAt(Fit(kTime, kEvent), 2.0);
  EXPECT_EQ(at.n_risk, 4.0);
  EXPECT_NEAR(at.survival, 0.6, kClosedForm);
}

TEST(SurvivalAt, AfterTheLastTime) {
  // At 10: S = 0.3 from the last point, nobody at risk (R: n.risk 0, surv 0.3, lower 0.0631).
  const SurvivalAtTime at = SurvivalAt(Fit(kTime, kEvent), 10.0);
  EXPECT_EQ(at.n_risk, 0.0);
  EXPECT_NEAR(at.survival, 0.3, kClosedForm);
  EXPECT_NEAR(at.std_err, 0.3 * std::sqrt(19.0 / 30), kClosedForm);  // R 0.238746727726266
  EXPECT_NEAR(at.lower.value(), 0.0630544842551363, kRPrinted);
}

TEST(SurvivalAt, EmptyCurveReadsOne) {
  const SurvivalAtTime at = SurvivalAt(KaplanMeierCurve{}, 3.0);
  EXPECT_EQ(at.survival, 1.0);
  EXPECT_EQ(at.n_risk, 0.0);
}

// ---- Groups --------------------------------------------------------------------------

TEST(KaplanMeierByGroup, OneCurvePerGroupAndEmptyGroupGetsEmptyCurve) {
  // Group 0: the worked example; group 1: nobody; group 2: events at 7 and 8.
  const Times time = {1, 7, 2, 2, 8, 3, 4};
  const Events event = {1, 1, 1, 0, 1, 1, 0};
  const std::vector<int> group = {0, 2, 0, 0, 2, 0, 0};
  const Result<std::vector<KaplanMeierCurve>> curves = FitKaplanMeierByGroup({time, event}, group, 3);
  ASSERT_THAT(curves, IsOk());
  ASSERT_THAT(*curves, SizeIs(3));
  const KaplanMeierCurve alone = Fit(kTime, kEvent);
  ASSERT_EQ((*curves)[0].points.size(), alone.points.size());
  for (std::size_t i = 0; i < alone.points.size(); ++i) {
    EXPECT_EQ((*curves)[0].points[i].survival, alone.points[i].survival);
    EXPECT_EQ((*curves)[0].points[i].n_risk, alone.points[i].n_risk);
  }
  EXPECT_EQ((*curves)[1].n, 0u);
  EXPECT_EQ((*curves)[1].events, 0.0);
  EXPECT_THAT((*curves)[1].points, IsEmpty());
  EXPECT_FALSE((*curves)[1].median.has_value());
  EXPECT_EQ((*curves)[2].n, 2u);
  ASSERT_THAT((*curves)[2].points, SizeIs(2));
  EXPECT_EQ((*curves)[2].points[0].n_risk, 2.0);  // group 0's subjects are not in group 2's risk set
  EXPECT_EQ((*curves)[2].median, 7.5);            // S = 1/2 on [7, 8), then 0: midpoint
}

TEST(KaplanMeierByGroup, RefusesGroupCodeOutOfRange) {
  const std::vector<int> group = {0, 1, 2, 0, 1};
  const auto curves = FitKaplanMeierByGroup({kTime, kEvent}, group, 2);
  EXPECT_THAT(curves, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(curves, HasErrorMessage(HasSubstr("stats::FitKaplanMeier: group[2] is out of range")));
  const std::vector<int> negative = {0, -1, 0, 0, 0};
  EXPECT_THAT(FitKaplanMeierByGroup({kTime, kEvent}, negative, 2), HasErrorMessage(HasSubstr("group[1]")));
}

TEST(KaplanMeierByGroup, RefusesGroupOfWrongLength) {
  const std::vector<int> group = {0, 1};
  EXPECT_THAT(FitKaplanMeierByGroup({kTime, kEvent}, group, 2),
              HasErrorMessage(HasSubstr("group must have one code per subject")));
  const std::vector<int> zeros(kTime.size(), 0);
  EXPECT_THAT(FitKaplanMeierByGroup({kTime, kEvent}, zeros, 0), HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- Errors --------------------------------------------------------------------------

TEST(KaplanMeier, RefusesLevelOutsideOpenUnitInterval) {
  for (const double level : {0.0, 1.0, -0.5, 95.0, std::numeric_limits<double>::quiet_NaN()}) {
    const auto c = FitKaplanMeier({kTime, kEvent}, {ConfidenceType::kLog, level});
    EXPECT_THAT(c, HasErrorCode(ErrorCode::kInvalidArgument)) << level;
    EXPECT_THAT(c, HasErrorMessage(HasSubstr("stats::FitKaplanMeier: level must lie in (0, 1)")));
  }
}

TEST(KaplanMeier, ValidatesItsInputNamingTheFunction) {
  const Times time = {1, -2, 3};
  const Events event = {1, 1, 1};
  const auto c = FitKaplanMeier({time, event});
  EXPECT_THAT(c, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(c, HasErrorMessage("stats::FitKaplanMeier: time[1] is -2, must be >= 0"));
}

TEST(KaplanMeier, EmptyDataGivesAnEmptyCurve) {
  const KaplanMeierCurve c = Fit({}, {});
  EXPECT_EQ(c.n, 0u);
  EXPECT_THAT(c.points, IsEmpty());
  EXPECT_FALSE(c.median.has_value());
}

}  // namespace
}  // namespace cirrus::stats
