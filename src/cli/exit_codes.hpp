#pragma once

#include "cirrus/base/result.hpp"

namespace cirrus::cli {

// The process exit codes of docs/errors.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;  // the job ran, and a check it made failed
inline constexpr int kExitBadInput = 2;     // bad input or usage
inline constexpr int kExitInternal = 3;     // a bug or an environment failure

// The one place an ErrorCode becomes an exit code.
inline int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kOutOfRange: return kExitBadInput;
    case ErrorCode::kUnavailable:
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace cirrus::cli
