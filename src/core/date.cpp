#include "cirrus/core/date.hpp"

#include <charconv>

namespace cirrus::core {

// Howard Hinnant's days_from_civil / civil_from_days: exact for every
// proleptic Gregorian date, no tables, no locale.
Date DateFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{era * 146097 + doe - 719468};
}

CivilDate ToCivil(Date date) {
  const int z = date.days_since_epoch + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int day = doy - (153 * mp + 2) / 5 + 1;
  const int month = mp < 10 ? mp + 3 : mp - 9;
  const int year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

namespace {
constexpr int kMinYear = 1850;
constexpr int kMaxYear = 2200;

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

bool ParseDigits(std::string_view text, int& out) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc{};
}
}  // namespace

Result<Date> ParseDate(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Fail(ErrorCode::kInvalidArgument, "date \"" + std::string(text) + "\" " + std::string(why), "date");
  };
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseDigits(text.substr(0, 4), year) ||
      !ParseDigits(text.substr(5, 2), month) || !ParseDigits(text.substr(8, 2), day)) {
    return bad("is not an ISO 8601 date; expected YYYY-MM-DD");
  }
  if (year < kMinYear || year > kMaxYear) return bad("has a year outside 1850-2200");
  if (month < 1 || month > 12) return bad("has no month " + std::to_string(month));
  if (day < 1 || day > DaysInMonth(year, month)) return bad("does not exist");
  return DateFromCivil(year, month, day);
}

std::string FormatDate(Date date) {
  const CivilDate c = ToCivil(date);
  std::string out(10, '0');
  auto put = [&](int value, std::size_t at, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(c.year, 0, 4);
  out[4] = '-';
  put(c.month, 5, 2);
  out[7] = '-';
  put(c.day, 8, 2);
  return out;
}

int YearOf(Date date) { return ToCivil(date).year; }

}  // namespace cirrus::core
