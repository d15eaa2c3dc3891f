// cirrus/core/date.hpp: calendar dates as the registry stores them.
//
// A Date is a day count since 1970-01-01 in the proleptic Gregorian calendar,
// so differences are plain subtraction and comparisons are integer ones. Only
// ISO 8601 calendar dates (YYYY-MM-DD) are accepted: day/month order is
// ambiguous in multi-centre data and guessing it is how 03/04 becomes April.
//
// Example:
//   auto d = cirrus::core::ParseDate("2024-02-29");   // leap day, accepted
//   int days = *d - *cirrus::core::ParseDate("2024-01-01");   // 59
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::core {

struct Date {
  std::int32_t days_since_epoch = 0;
  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr int operator-(Date a, Date b) { return a.days_since_epoch - b.days_since_epoch; }
  [[nodiscard]] constexpr Date PlusDays(int days) const { return Date{days_since_epoch + days}; }
};

/// The date of a civil year, month (1-12) and day (1-31); no validation (use ParseDate for input).
Date DateFromCivil(int year, int month, int day);

struct CivilDate {
  int year;
  int month;
  int day;
};
CivilDate ToCivil(Date date);

/// Parses "YYYY-MM-DD" with a real month and day (2023-02-29 is refused) and a
/// year in 1850-2200. Errors: kInvalidArgument saying what was expected.
Result<Date> ParseDate(std::string_view text);

/// "YYYY-MM-DD".
std::string FormatDate(Date date);

/// The calendar year of `date`.
int YearOf(Date date);

}  // namespace cirrus::core
