#include "cirrus/scores/albi.hpp"

#include <cmath>

#include "internal/rounding.hpp"

namespace cirrus::scores {

Result<AlbiResult> ComputeAlbi(double bilirubin_mg_dl, double albumin_g_dl) {
  constexpr std::string_view kFunction = "scores::ComputeAlbi";
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "bilirubin_mg_dl", bilirubin_mg_dl));
  CIRRUS_RETURN_IF_ERROR(internal::CheckNonNegative(kFunction, "albumin_g_dl", albumin_g_dl));
  // Johnson 2015 defines ALBI on umol/L and g/L; 17.1 is the conversion the
  // whole of docs/scores.md uses (17.104 would move the score by ~7e-5).
  const double bilirubin_umol_l = bilirubin_mg_dl * 17.1;
  const double albumin_g_l = albumin_g_dl * 10.0;
  AlbiResult result;
  result.score = 0.66 * std::log10(bilirubin_umol_l) - 0.085 * albumin_g_l;
  if (result.score <= -2.60) {
    result.grade = 1;
  } else if (result.score <= -1.39) {
    result.grade = 2;
  } else {
    result.grade = 3;
  }
  return result;
}

}  // namespace cirrus::scores
