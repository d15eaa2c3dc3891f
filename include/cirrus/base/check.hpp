// cirrus/base/check.hpp: CIRRUS_ASSERT for conditions that only a bug can
// break. User input never reaches an assert; it gets a Result error instead.
//
// Asserts are compiled in the `dev` and `relassert` builds (CIRRUS_ENABLE_ASSERTS)
// and always carry a message saying why the condition must hold:
//   CIRRUS_ASSERT(points >= 5 && points <= 15, "Child-Pugh total is 5 items of 1-3 points");
#pragma once

namespace cirrus::internal {
[[noreturn]] void AssertFailed(const char* condition, const char* why, const char* file, int line);
}  // namespace cirrus::internal

#if defined(CIRRUS_ENABLE_ASSERTS)
#define CIRRUS_ASSERT(cond, why)                                                   \
  do {                                                                             \
    if (!(cond)) ::cirrus::internal::AssertFailed(#cond, why, __FILE__, __LINE__); \
  } while (false)
#else
#define CIRRUS_ASSERT(cond, why) \
  do {                           \
    (void)sizeof(cond);          \
  } while (false)
#endif
