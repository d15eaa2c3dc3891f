// Calendar dates of core/date.hpp. The Gregorian leap-year rule (a year
// divisible by 4, except centuries not divisible by 400; Inter gravissimas,
// 1582) is written out again here, independently of the code under test,
// and day counts are derived by hand in the comments.
#include "cirrus/core/date.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "cirrus_matchers.hpp"

namespace cirrus::core {
namespace {

using ::testing::HasSubstr;

bool GregorianLeap(int year) { return year % 400 == 0 || (year % 4 == 0 && year % 100 != 0); }

int MonthLength(int year, int month) {
  switch (month) {
    case 2: return GregorianLeap(year) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11: return 30;
    default: return 31;
  }
}

TEST(ParseDate, AcceptsLeapDaysOfLeapYearsOnly) {
  EXPECT_THAT(ParseDate("2024-02-29"), IsOk());  // divisible by 4
  EXPECT_THAT(ParseDate("2000-02-29"), IsOk());  // a century divisible by 400
  EXPECT_THAT(ParseDate("2023-02-29"), HasErrorMessage("date \"2023-02-29\" does not exist"));
  // 1900 and 2100 are centuries not divisible by 400: no 29 February.
  EXPECT_THAT(ParseDate("1900-02-29"), HasErrorMessage("date \"1900-02-29\" does not exist"));
  EXPECT_THAT(ParseDate("2100-02-29"), HasErrorMessage("date \"2100-02-29\" does not exist"));
  EXPECT_THAT(ParseDate("2024-02-30"), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(ParseDate, KnowsTheLengthOfEveryMonth) {
  // 30 days hath September, April, June and November.
  for (const std::string_view text :
       {"2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31", "2023-01-32", "2023-12-32", "2023-01-00"}) {
    EXPECT_THAT(ParseDate(text), HasErrorMessage(HasSubstr("does not exist"))) << text;
  }
  for (const std::string_view text : {"2023-01-31", "2023-03-31", "2023-04-30", "2023-12-31"}) {
    EXPECT_THAT(ParseDate(text), IsOk()) << text;
  }
}

TEST(ParseDate, RefusesAnythingButYyyyMmDd) {
  for (const std::string_view text :
       {"", "2024-1-01", "2024-01-1", "24-01-01", "2024/01/01", "01/02/2024", "2024-01-01T00:00", " 2024-01-01",
        "2024-01-01 ", "+024-01-01", "2024-0a-01", "abcd-ef-gh", "20240101", "2024--1-01"}) {
    EXPECT_THAT(ParseDate(text),
                HasErrorMessage("date \"" + std::string(text) + "\" is not an ISO 8601 date; expected YYYY-MM-DD"))
        << text;
  }
}

TEST(ParseDate, RefusesMonthsAndYearsOutOfRange) {
  EXPECT_THAT(ParseDate("2024-13-01"), HasErrorMessage("date \"2024-13-01\" has no month 13"));
  EXPECT_THAT(ParseDate("2024-00-10"), HasErrorMessage("date \"2024-00-10\" has no month 0"));
  EXPECT_THAT(ParseDate("1849-12-31"), HasErrorMessage("date \"1849-12-31\" has a year outside 1850-2200"));
  EXPECT_THAT(ParseDate("2201-01-01"), HasErrorMessage(HasSubstr("outside 1850-2200")));
  EXPECT_THAT(ParseDate("1850-01-01"), IsOk());
  EXPECT_THAT(ParseDate("2200-12-31"), IsOk());
}

TEST(DateFromCivil, CountsDaysFromTheUnixEpoch) {
  EXPECT_EQ(DateFromCivil(1970, 1, 1).days_since_epoch, 0);
  EXPECT_EQ(DateFromCivil(1969, 12, 31).days_since_epoch, -1);
  // 1970-1999: 30 years of 365 days plus 7 leap days (72 76 80 84 88 92 96).
  EXPECT_EQ(DateFromCivil(2000, 1, 1).days_since_epoch, 30 * 365 + 7);
  // 1900-1969: 70 years plus 17 leap days (1904 ... 1968; 1900 is not leap).
  EXPECT_EQ(DateFromCivil(1900, 1, 1).days_since_epoch, -(70 * 365 + 17));
  // 31 days of January and 29 of February 2024.
  EXPECT_EQ(DateFromCivil(2024, 3, 1) - DateFromCivil(2024, 1, 1), 60);
  EXPECT_EQ(DateFromCivil(2023, 3, 1) - DateFromCivil(2023, 1, 1), 59);
}

TEST(DateFromCivil, AgreesWithAnIndependentDayCountFrom1600To2400) {
  // 1600-01-01 to 1970-01-01: 370 years of 365 days, plus the 93 multiples
  // of 4 in 1600-1968, less the non-leap centuries 1700, 1800 and 1900.
  constexpr int kDaysBefore1970 = 370 * 365 + 93 - 3;
  int days = -kDaysBefore1970;
  int year = 1600;
  int month = 1;
  int day = 1;
  int mismatches = 0;
  while (year <= 2400) {
    const Date date = DateFromCivil(year, month, day);
    const CivilDate civil = ToCivil(Date{days});
    if (date.days_since_epoch != days || civil.year != year || civil.month != month || civil.day != day) {
      if (++mismatches <= 5) ADD_FAILURE() << year << "-" << month << "-" << day << " vs day " << days;
    }
    ++days;
    if (++day > MonthLength(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(FormatDate, RoundTripsWithParseDateOverTheAcceptedRange) {
  const Date first = DateFromCivil(1850, 1, 1);
  const Date last = DateFromCivil(2200, 12, 31);
  for (Date d = first; d <= last; d = d.PlusDays(1)) {
    auto parsed = ParseDate(FormatDate(d));
    ASSERT_THAT(parsed, IsOk()) << d.days_since_epoch;
    ASSERT_EQ(*parsed, d);
  }
  EXPECT_EQ(FormatDate(DateFromCivil(2024, 3, 1)), "2024-03-01");
  EXPECT_EQ(FormatDate(Date{0}), "1970-01-01");
  EXPECT_EQ(FormatDate(Date{-1}), "1969-12-31");
}

TEST(YearOf, IsTheCalendarYear) {
  EXPECT_EQ(YearOf(DateFromCivil(2023, 12, 31)), 2023);
  EXPECT_EQ(YearOf(DateFromCivil(2024, 1, 1)), 2024);
  EXPECT_EQ(YearOf(Date{-1}), 1969);
}

TEST(Date, ArithmeticIsInDays) {
  const Date d = DateFromCivil(2024, 2, 28);
  EXPECT_EQ(d.PlusDays(1), DateFromCivil(2024, 2, 29));
  EXPECT_EQ(d.PlusDays(2), DateFromCivil(2024, 3, 1));
  EXPECT_EQ(d.PlusDays(-59), DateFromCivil(2023, 12, 31));
  EXPECT_LT(d, d.PlusDays(1));
}

}  // namespace
}  // namespace cirrus::core
