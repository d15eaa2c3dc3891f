// The input checks and R's timefix rule of stats/survival_data.hpp. The
// timefix cases follow survival:::aeqSurv (survival 3.5-3): sorted unique
// times whose gap is <= sqrt(.Machine$double.eps) absolutely, or relative to
// mean(abs(times)), are merged into the first of their run.
#include "cirrus/stats/survival_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kFunction = "stats::FitCox";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using Times = std::vector<double>;
using Events = std::vector<std::uint8_t>;

// ---- CheckSurvivalData --------------------------------------------------------------

TEST(CheckSurvivalData, AcceptsValidData) {
  const Times time = {0, 1.5, 3};
  const Events event = {0, 1, 1};
  const Times entry = {0, 1, 2.5};
  const Times weight = {1, 0.5, 2};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event}), IsOk());
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, {}, weight}), IsOk());
  // A time of 0 is allowed without entry (R: Surv(0, 1) is valid).
  const Times later = {1, 1.5, 3};
  EXPECT_THAT(CheckSurvivalData(kFunction, {later, event, entry, weight}), IsOk());
  EXPECT_THAT(CheckSurvivalData(kFunction, {}), IsOk());
}

TEST(CheckSurvivalData, RefusesNegativeTime) {
  const Times time = {1, 2, -2};
  const Events event = {1, 0, 1};
  const Status s = CheckSurvivalData(kFunction, {time, event});
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s, HasErrorMessage("stats::FitCox: time[2] is -2, must be >= 0"));
  EXPECT_EQ(s.error().field, "time");
}

TEST(CheckSurvivalData, RefusesNonFiniteTime) {
  const Events event = {1, 1};
  const Times nan_time = {1, kNaN};
  EXPECT_THAT(CheckSurvivalData(kFunction, {nan_time, event}),
              HasErrorMessage("stats::FitCox: time[1] is nan, must be >= 0"));
  const Times inf_time = {kInf, 1};
  EXPECT_THAT(CheckSurvivalData(kFunction, {inf_time, event}),
              HasErrorMessage("stats::FitCox: time[0] is inf, must be >= 0"));
}

TEST(CheckSurvivalData, RefusesEventOtherThanZeroOrOne) {
  // An event column coded 1/2 as in R's pbc (2 = death) must be recoded first.
  const Times time = {1, 2, 3};
  const Events event = {1, 2, 0};
  const Status s = CheckSurvivalData(kFunction, {time, event});
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s, HasErrorMessage("stats::FitCox: event[1] is 2, must be 0 or 1"));
  EXPECT_EQ(s.error().field, "event");
}

TEST(CheckSurvivalData, RefusesEntryNotBeforeTime) {
  const Times time = {4, 3};
  const Events event = {1, 1};
  const Times equal = {0, 3};
  const Status s = CheckSurvivalData(kFunction, {time, event, equal});
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s, HasErrorMessage("stats::FitCox: entry[1] is 3, must be < time[1] = 3"));
  EXPECT_EQ(s.error().field, "entry");
  const Times after = {5, 0};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, after}),
              HasErrorMessage("stats::FitCox: entry[0] is 5, must be < time[0] = 4"));
}

TEST(CheckSurvivalData, RefusesNegativeOrNaNEntry) {
  const Times time = {4, 3};
  const Events event = {1, 1};
  const Times negative = {-1, 0};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, negative}),
              HasErrorMessage("stats::FitCox: entry[0] is -1, must be >= 0"));
  const Times nan_entry = {0, kNaN};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, nan_entry}),
              HasErrorMessage("stats::FitCox: entry[1] is nan, must be >= 0"));
}

TEST(CheckSurvivalData, RefusesWeightNotPositive) {
  const Times time = {1, 2, 3};
  const Events event = {1, 1, 1};
  const Times zero = {1, 1, 0};
  const Status s = CheckSurvivalData(kFunction, {time, event, {}, zero});
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s, HasErrorMessage("stats::FitCox: weight[2] is 0, must be > 0"));
  EXPECT_EQ(s.error().field, "weight");
  const Times negative = {-0.5, 1, 1};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, {}, negative}),
              HasErrorMessage("stats::FitCox: weight[0] is -0.5, must be > 0"));
  const Times nan_weight = {1, kNaN, 1};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, {}, nan_weight}),
              HasErrorMessage("stats::FitCox: weight[1] is nan, must be > 0"));
  const Times inf_weight = {1, 1, kInf};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, {}, inf_weight}), HasErrorMessage(HasSubstr("weight[2]")));
}

TEST(CheckSurvivalData, RefusesMismatchedLengths) {
  const Times time = {1, 2, 3};
  const Events short_event = {1, 1};
  const Events event = {1, 1, 1};
  const Times short_array = {0, 0};
  const std::string why = "stats::FitCox: time, event, entry and weight must have the same length";
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, short_event}), HasErrorMessage(why));
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, short_array}), HasErrorMessage(why));
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event, {}, short_array}), HasErrorMessage(why));
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, short_event}), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(CheckSurvivalData, ReportsTheFirstBadIndex) {
  const Times time = {1, -1, -2};
  const Events event = {1, 1, 1};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event}), HasErrorMessage(HasSubstr("time[1] is -1")));
}

TEST(CheckSurvivalData, MessagePrintsSmallValuesFaithfully) {
  // Regression: the value was printed with std::to_string's six fixed
  // decimals, so -1e-7 read "time[0] is -0, must be >= 0" and an entry just
  // before its time read "entry[0] is 2, must be < time[0] = 2".
  const Times time = {-1e-7};
  const Events event = {1};
  EXPECT_THAT(CheckSurvivalData(kFunction, {time, event}),
              HasErrorMessage("stats::FitCox: time[0] is -1e-07, must be >= 0"));
  const Times late = {2.0000001};
  const Times entry = {2.0000002};
  EXPECT_THAT(CheckSurvivalData(kFunction, {late, event, entry}),
              HasErrorMessage("stats::FitCox: entry[0] is 2.0000002, must be < time[0] = 2.0000001"));
}

// ---- TimeFix -------------------------------------------------------------------------

TEST(TimeFix, MergesValuesThatDifferInTheLastBit) {
  // 100 days / 365.25 and the next double up: gap ~5.6e-17 <= 1.49e-8.
  // R: aeqSurv(Surv(c(x, x * (1 + 2e-16), 1), 1))[, 1] - x is 0 0 0.726.
  const double years = 100 / 365.25;
  const double next = std::nextafter(years, 1.0);
  const Times time = {next, 1.0, years};
  const FixedTimes fixed = TimeFix(time, {});
  EXPECT_THAT(fixed.time, ElementsAre(years, 1.0, years));
  EXPECT_THAT(fixed.entry, IsEmpty());
}

TEST(TimeFix, DoesNotMergeGenuinelyDifferentValues) {
  // Gap 1e-6: above 1.49e-8 absolutely, and 1e-6 / mean(0.1, 0.100001, 1) = 2.6e-6 relatively.
  const Times time = {0.1, 0.1 + 1e-6, 1.0};
  const FixedTimes fixed = TimeFix(time, {});
  EXPECT_EQ(fixed.time, time);
  // Days as integers never merge.
  const Times days = {1, 2, 3, 365, 366};
  EXPECT_EQ(TimeFix(days, {}).time, days);
}

TEST(TimeFix, MergesByRelativeGapForLargeValues) {
  // 1e9 and 1e9 + 1: gap 1 is far above 1.49e-8 absolutely, but relative to
  // mean(5e8, 1e9, 1e9 + 1) = 8.3e8 it is 1.2e-9 <= 1.49e-8.
  // R: aeqSurv(Surv(c(1e9, 1e9 + 1, 5e8), c(1, 1, 1))) gives 1e9 1e9 5e8.
  const Times time = {1e9, 1e9 + 1, 5e8};
  EXPECT_THAT(TimeFix(time, {}).time, ElementsAre(1e9, 1e9, 5e8));
}

TEST(TimeFix, MergesARunIntoItsFirstValue) {
  // Each gap is below the tolerance, so the whole run maps to its smallest value.
  const double a = 2.0;
  const double b = a + 1e-9;
  const double c = b + 1e-9;
  const Times time = {c, b, a, 3.0};
  EXPECT_THAT(TimeFix(time, {}).time, ElementsAre(a, a, a, 3.0));
}

TEST(TimeFix, ConsidersEntryAndTimeTogether) {
  // The entry 0.5 + 1e-10 merges with the time 0.5 of another subject.
  const Times time = {0.5, 2.0};
  const Times entry = {0.0, 0.5 + 1e-10};
  const FixedTimes fixed = TimeFix(time, entry);
  EXPECT_THAT(fixed.time, ElementsAre(0.5, 2.0));
  EXPECT_THAT(fixed.entry, ElementsAre(0.0, 0.5));
}

TEST(TimeFix, EmptyAndSingleValuesAreUnchanged) {
  EXPECT_THAT(TimeFix({}, {}).time, IsEmpty());
  const Times one = {4.0};
  EXPECT_THAT(TimeFix(one, {}).time, ElementsAre(4.0));
  const Times same = {4.0, 4.0};
  EXPECT_THAT(TimeFix(same, {}).time, ElementsAre(4.0, 4.0));
}

}  // namespace
}  // namespace cirrus::stats
