#include "cirrus/scores/fibrosis.hpp"

#include <cmath>

#include "internal/rounding.hpp"

namespace cirrus::scores {

Result<double> ComputeFib4(const Fib4Inputs& in) {
  constexpr std::string_view kFunction = "scores::ComputeFib4";
  CIRRUS_RETURN_IF_ERROR(internal::CheckNonNegative(kFunction, "age_years", in.age_years));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "ast_u_l", in.ast_u_l));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "alt_u_l", in.alt_u_l));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "platelets_10e9_l", in.platelets_10e9_l));
  return in.age_years * in.ast_u_l / (in.platelets_10e9_l * std::sqrt(in.alt_u_l));
}

Result<double> ComputeApri(const ApriInputs& in) {
  constexpr std::string_view kFunction = "scores::ComputeApri";
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "ast_u_l", in.ast_u_l));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "ast_uln_u_l", in.ast_uln_u_l));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "platelets_10e9_l", in.platelets_10e9_l));
  return in.ast_u_l / in.ast_uln_u_l / in.platelets_10e9_l * 100.0;
}

}  // namespace cirrus::scores
