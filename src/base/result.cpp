#include "cirrus/base/result.hpp"

#include <cstdio>
#include <cstdlib>

#include "cirrus/base/check.hpp"

namespace cirrus {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kAlreadyExists: return "already exists";
    case ErrorCode::kFailedPrecondition: return "failed precondition";
    case ErrorCode::kOutOfRange: return "out of range";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDataLoss: return "data loss";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

namespace internal {

void DieOnBadResultAccess(const Error& error) {
  std::fprintf(stderr, "cirrus: bad Result access (%s): %s\n", std::string(ErrorCodeName(error.code)).c_str(),
               error.message.c_str());
  std::abort();
}

void AssertFailed(const char* condition, const char* why, const char* file, int line) {
  std::fprintf(stderr, "cirrus: assertion failed at %s:%d: %s (%s)\n", file, line, condition, why);
  std::abort();
}

}  // namespace internal
}  // namespace cirrus
