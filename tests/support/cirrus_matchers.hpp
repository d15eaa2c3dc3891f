// gMock matchers for cirrus::Result (after abseil's status matchers):
//   EXPECT_THAT(ParseSex("m"), IsOkAndHolds(Sex::kMale));
//   EXPECT_THAT(ParseSex("x"), HasErrorCode(ErrorCode::kInvalidArgument));
//   EXPECT_THAT(r, HasErrorMessage(HasSubstr("did you mean")));
#pragma once

#include <gmock/gmock.h>

#include <ostream>

#include "cirrus/base/result.hpp"

namespace cirrus {

inline std::ostream& operator<<(std::ostream& os, ErrorCode code) { return os << ErrorCodeName(code); }

namespace testing_support {

MATCHER(IsOk, "is a value Result") {
  if (arg.has_value()) return true;
  *result_listener << "error: " << arg.error().message;
  return false;
}

MATCHER_P(IsOkAndHolds, matcher, "is a value Result holding a matching value") {
  if (!arg.has_value()) {
    *result_listener << "error: " << arg.error().message;
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, arg.value(), result_listener);
}

MATCHER_P(HasErrorCode, code, "is an error Result with code " + ::testing::PrintToString(code)) {
  if (arg.has_value()) {
    *result_listener << "has a value";
    return false;
  }
  *result_listener << "code " << ErrorCodeName(arg.error().code) << ", message: " << arg.error().message;
  return arg.error().code == code;
}

MATCHER_P(HasErrorMessage, matcher, "is an error Result whose message matches") {
  if (arg.has_value()) {
    *result_listener << "has a value";
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, arg.error().message, result_listener);
}

}  // namespace testing_support

using testing_support::HasErrorCode;
using testing_support::HasErrorMessage;
using testing_support::IsOk;
using testing_support::IsOkAndHolds;

}  // namespace cirrus
