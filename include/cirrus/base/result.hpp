// cirrus/base/result.hpp: the error type and Result<T>, how every cirrus
// function that takes user, file or database input reports failure.
//
// Result<T> holds either a T or an Error. Its API is a subset of C++23's
// std::expected<T, Error>, so moving to std::expected is mechanical.
//
// Example:
//   cirrus::Result<double> ParsePositive(std::string_view text) {
//     double v = ...;
//     if (v <= 0) {
//       return cirrus::Fail(cirrus::ErrorCode::kInvalidArgument,
//                           "must be positive", "value");
//     }
//     return v;
//   }
//   auto r = ParsePositive("3");
//   if (!r) std::cerr << r.error().message;
//   else use(*r);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace cirrus {

/// A subset of abseil's canonical codes. Choose the most specific one;
/// docs/errors.md maps each to a CLI exit code and an HTTP status.
enum class ErrorCode {
  kInvalidArgument,     ///< the input itself is wrong (bad number, unknown unit, implausible value)
  kNotFound,            ///< a named thing (file, patient) does not exist
  kAlreadyExists,       ///< creating something that is already there
  kFailedPrecondition,  ///< the system is not in a state that allows the operation
  kOutOfRange,          ///< a valid value outside what the operation accepts
  kUnavailable,         ///< a transient failure (server down); retrying may help
  kDataLoss,            ///< unrecoverable corruption or I/O loss
  kInternal,            ///< a bug in cirrus
};

/// Name of the code, e.g. "invalid argument".
std::string_view ErrorCodeName(ErrorCode code);

/// What went wrong, where, and what was expected. `message` is a complete
/// sentence for a person; `field` names the input (flag, column) when there is one.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;
};

/// The error half of a Result, as std::unexpected is for std::expected.
template <typename E>
class Unexpected {
 public:
  explicit Unexpected(E error) : error_(std::move(error)) {}
  [[nodiscard]] const E& error() const& { return error_; }
  [[nodiscard]] E&& error() && { return std::move(error_); }

 private:
  E error_;
};

/// Shorthand: `return Fail(ErrorCode::kInvalidArgument, "why", "field");`
inline Unexpected<Error> Fail(ErrorCode code, std::string message, std::string field = {}) {
  return Unexpected<Error>(Error{code, std::move(message), std::move(field)});
}
inline Unexpected<Error> Fail(Error error) { return Unexpected<Error>(std::move(error)); }

namespace internal {
[[noreturn]] void DieOnBadResultAccess(const Error& error);
}  // namespace internal

/// A value or an Error. Accessing the value of an error Result is a bug and
/// aborts the process with the error's message (never undefined behaviour).
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

 public:
  using value_type = T;

  Result(const T& value) : state_(std::in_place_index<0>, value) {}        // NOLINT: implicit like expected
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Unexpected<Error> error)                                          // NOLINT: implicit like expected
      : state_(std::in_place_index<1>, std::move(error).error()) {}

  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  [[nodiscard]] const T& value() const& {
    CheckValue();
    return std::get<0>(state_);
  }
  [[nodiscard]] T& value() & {
    CheckValue();
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    CheckValue();
    return std::get<0>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error; calling it on a value Result is a bug and aborts.
  [[nodiscard]] const Error& error() const& {
    if (has_value()) internal::DieOnBadResultAccess(Error{ErrorCode::kInternal, "error() on a value", {}});
    return std::get<1>(state_);
  }
  [[nodiscard]] Error&& error() && {
    if (has_value()) internal::DieOnBadResultAccess(Error{ErrorCode::kInternal, "error() on a value", {}});
    return std::get<1>(std::move(state_));
  }

 private:
  void CheckValue() const {
    if (!has_value()) internal::DieOnBadResultAccess(std::get<1>(state_));
  }
  std::variant<T, Error> state_;
};

/// Success or an Error, for operations that produce no value. Success holds
/// no Error at all, so the common path costs one flag.
template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;
  Result() = default;
  Result(Unexpected<Error> error) : error_(std::move(error).error()) {}  // NOLINT

  [[nodiscard]] bool has_value() const { return !error_.has_value(); }
  explicit operator bool() const { return has_value(); }
  void value() const {
    if (error_) internal::DieOnBadResultAccess(*error_);
  }
  [[nodiscard]] const Error& error() const& {
    if (!error_) internal::DieOnBadResultAccess(Error{ErrorCode::kInternal, "error() on a value", {}});
    return *error_;
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

/// Propagates an error Result out of the enclosing function:
///   CIRRUS_ASSIGN_OR_RETURN(double v, ParsePositive(text));
#define CIRRUS_RESULT_CONCAT_INNER(a, b) a##b
#define CIRRUS_RESULT_CONCAT(a, b) CIRRUS_RESULT_CONCAT_INNER(a, b)
#define CIRRUS_ASSIGN_OR_RETURN(lhs, expr) \
  CIRRUS_ASSIGN_OR_RETURN_IMPL(CIRRUS_RESULT_CONCAT(cirrus_result_, __LINE__), lhs, expr)
#define CIRRUS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                   \
  auto tmp = (expr);                                                   \
  if (!tmp.has_value()) return ::cirrus::Fail(std::move(tmp).error()); \
  lhs = std::move(tmp).value()
#define CIRRUS_RETURN_IF_ERROR(expr)                                                \
  do {                                                                              \
    auto cirrus_status_ = (expr);                                                   \
    if (!cirrus_status_.has_value()) return ::cirrus::Fail(cirrus_status_.error()); \
  } while (false)

}  // namespace cirrus
