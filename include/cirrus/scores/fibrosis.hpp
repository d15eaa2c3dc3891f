// cirrus/scores/fibrosis.hpp: non-invasive fibrosis indices FIB-4 and APRI.
//
//  - FIB-4: Sterling RK, Lissen E, Clumeck N, et al. Hepatology
//    2006;43:1317-1325. FIB-4 = age [y] x AST [U/L] / (platelets [10^9/L] x
//    sqrt(ALT [U/L])).
//  - APRI: Wai CT, Greenson JK, Fontana RJ, et al. Hepatology 2003;38:518-526.
//    APRI = (AST / AST upper limit of normal) / platelets [10^9/L] x 100.
//
// Both are meant for staging fibrosis in chronic liver disease; in
// decompensated cirrhosis, hypersplenism and therapy (G-CSF) distort platelets.
//
// Example:
//   auto fib4 = ComputeFib4({.age_years = 52, .ast_u_l = 62, .alt_u_l = 45,
//                            .platelets_10e9_l = 95});   // 5.0590...
#pragma once

#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::scores {

inline constexpr std::string_view kFib4Version = "FIB-4 (Sterling 2006)";
inline constexpr std::string_view kApriVersion = "APRI (Wai 2003)";

struct Fib4Inputs {
  double age_years = 0;
  double ast_u_l = 0;
  double alt_u_l = 0;
  double platelets_10e9_l = 0;
};

/// Errors: kInvalidArgument when a value is not finite, age is negative, or
/// AST, ALT or platelets are not positive.
Result<double> ComputeFib4(const Fib4Inputs& inputs);

struct ApriInputs {
  double ast_u_l = 0;
  double ast_uln_u_l = 0;  ///< the lab's upper limit of normal for AST
  double platelets_10e9_l = 0;
};

/// Errors: kInvalidArgument when a value is not finite or not positive.
Result<double> ComputeApri(const ApriInputs& inputs);

}  // namespace cirrus::scores
