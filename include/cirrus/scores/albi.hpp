// cirrus/scores/albi.hpp: the albumin-bilirubin (ALBI) score and grade.
//
// Source: Johnson PJ, Berhane S, Kagebayashi C, et al. Assessment of liver
// function in patients with hepatocellular carcinoma: a new evidence-based
// approach - the ALBI grade. J Clin Oncol 2015;33(6):550-558.
// ALBI = 0.66 log10(bilirubin umol/L) - 0.085 albumin g/L; no bounds.
// Grade 1: <= -2.60; grade 2: -2.60 < ALBI <= -1.39; grade 3: > -1.39, taken
// from the unrounded score.
//
// Example:
//   auto albi = ComputeAlbi(1.0, 4.0);   // albi->score == -2.5862..., albi->grade == 2
#pragma once

#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::scores {

inline constexpr std::string_view kAlbiVersion = "ALBI (Johnson 2015)";

struct AlbiResult {
  double score = 0;  ///< unrounded
  int grade = 0;     ///< 1, 2 or 3
};

/// Errors: kInvalidArgument when bilirubin is not positive or either value is not finite.
Result<AlbiResult> ComputeAlbi(double bilirubin_mg_dl, double albumin_g_dl);

}  // namespace cirrus::scores
