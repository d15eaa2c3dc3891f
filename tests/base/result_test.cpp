#include "cirrus/base/result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cirrus_matchers.hpp"

namespace cirrus {
namespace {

using ::testing::HasSubstr;

Result<int> Half(int n) {
  if (n % 2 != 0) return Fail(ErrorCode::kInvalidArgument, std::to_string(n) + " is odd", "n");
  return n / 2;
}

Result<int> Quarter(int n) {
  CIRRUS_ASSIGN_OR_RETURN(const int half, Half(n));
  return Half(half);
}

Status RequireEven(int n) {
  CIRRUS_RETURN_IF_ERROR(Half(n));
  return {};
}

TEST(Result, HoldsValue) {
  const Result<int> r = Half(8);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.value_or(-1), 4);
}

TEST(Result, HoldsErrorWithCodeMessageAndField) {
  const Result<int> r = Half(3);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message, "3 is odd");
  EXPECT_EQ(r.error().field, "n");
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_THAT(Quarter(8), IsOkAndHolds(2));
  EXPECT_THAT(Quarter(6), HasErrorMessage(HasSubstr("3 is odd")));
  EXPECT_THAT(Quarter(5), HasErrorMessage(HasSubstr("5 is odd")));
}

TEST(Result, StatusCarriesSuccessOrError) {
  EXPECT_THAT(RequireEven(2), IsOk());
  EXPECT_THAT(RequireEven(1), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(ErrorCode, EveryCodeHasAName) {
  for (ErrorCode code :
       {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists, ErrorCode::kFailedPrecondition,
        ErrorCode::kOutOfRange, ErrorCode::kUnavailable, ErrorCode::kDataLoss, ErrorCode::kInternal}) {
    EXPECT_NE(ErrorCodeName(code), "unknown");
  }
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsWithItsMessage) {
  const Result<int> r = Half(3);
  EXPECT_DEATH((void)r.value(), "3 is odd");
}

}  // namespace
}  // namespace cirrus
