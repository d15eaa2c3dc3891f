#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::scores::internal {

// Rounds half-up as the score definitions do by hand. The formulas are
// defined on decimal numbers, and binary doubles cannot hold most of them:
// a decimal tie such as 23.5 may arrive as 23.499999999999996. Snapping to
// 1e-9 first (scores are 0-100, so 1e-9 is far below any clinical meaning yet
// far above double rounding error) lets exact decimal ties round up.
inline double RoundHalfUp(double value) {
  const double snapped = std::round(value * 1e9) / 1e9;
  return std::floor(snapped + 0.5);
}

// Validation at module entry (style B4.4): the message names the function and
// the parameter.
inline Status CheckFinite(std::string_view function, std::string_view parameter, double value) {
  if (std::isfinite(value)) [[likely]]
    return {};
  return Fail(ErrorCode::kInvalidArgument,
              std::string(function) + ": " + std::string(parameter) + " is not a finite number",
              std::string(parameter));
}

inline Status CheckPositive(std::string_view function, std::string_view parameter, double value) {
  if (std::isfinite(value) && value > 0) [[likely]]
    return {};
  CIRRUS_RETURN_IF_ERROR(CheckFinite(function, parameter, value));
  return Fail(ErrorCode::kInvalidArgument,
              std::string(function) + ": " + std::string(parameter) + " is " + std::to_string(value) + ", must be > 0",
              std::string(parameter));
}

inline Status CheckNonNegative(std::string_view function, std::string_view parameter, double value) {
  if (std::isfinite(value) && value >= 0) [[likely]]
    return {};
  CIRRUS_RETURN_IF_ERROR(CheckFinite(function, parameter, value));
  return Fail(ErrorCode::kInvalidArgument,
              std::string(function) + ": " + std::string(parameter) + " is " + std::to_string(value) + ", must be >= 0",
              std::string(parameter));
}

}  // namespace cirrus::scores::internal
