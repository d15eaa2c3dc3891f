// cirrus/scores/meld.hpp: the MELD family as used for liver allocation.
//
//  - MELD, UNOS before 2016: Kamath PS et al. Hepatology 2001;33:464-470;
//    Wiesner R et al. Gastroenterology 2003;124:91-96; OPTN Policy 9.1.D.
//  - MELD-Na, OPTN January 2016: OPTN/UNOS policy notice 11/2015 (Policy
//    9.1.D), from Kim WR et al. N Engl J Med 2008;359:1018-1026.
//  - MELD 3.0, OPTN July 2023: Kim WR, Mannalithara A, Heimbach JK, et al.
//    Gastroenterology 2021;161:1887-1895.e4, doi:10.1053/j.gastro.2021.08.050.
//
// Bounds, caps and rounding follow docs/scores.md exactly; rounding is always
// half-up (never banker's), on the decimal value the formula defines.
//
// Example:
//   auto meld = ComputeMeld({.bilirubin_mg_dl = 2.7, .creatinine_mg_dl = 1.1,
//                            .inr = 1.5, .dialysis = core::Dialysis::kNone});
//   // meld->score == 16 (10 x MELD(i) = 15.64)
#pragma once

#include <string_view>

#include "cirrus/base/result.hpp"
#include "cirrus/core/clinical.hpp"

namespace cirrus::scores {

inline constexpr std::string_view kMeldVersion = "MELD (UNOS, before January 2016)";
inline constexpr std::string_view kMeldNaVersion = "MELD-Na (OPTN, January 2016)";
inline constexpr std::string_view kMeld3Version = "MELD 3.0 (Kim 2021; OPTN, July 2023)";

struct MeldInputs {
  double bilirubin_mg_dl = 0;
  double creatinine_mg_dl = 0;
  double inr = 0;
  /// kDialysis sets creatinine to the cap (4.0 mg/dL; 3.0 for MELD 3.0)
  /// whatever was measured.
  core::Dialysis dialysis = core::Dialysis::kNone;
};

/// An allocation score and the value it was rounded from.
struct MeldResult {
  int score = 0;         ///< rounded, bounded 6-40
  double unrounded = 0;  ///< the formula's value before rounding and the cap
};

/// The MELD (UNOS) formula, for ComputeMeld and for models that need MELD as
/// a continuous value (the simulator's death hazard): MELD(i) = kCreatinine
/// ln Cr + kBilirubin ln bili + kInr ln INR + kConstant (labs in mg/dL), with
/// labs below kLabFloor set to it and creatinine capped at kCreatinineCap.
struct MeldFormula {
  static constexpr double kCreatinine = 0.957;
  static constexpr double kBilirubin = 0.378;
  static constexpr double kInr = 1.120;
  static constexpr double kConstant = 0.643;
  static constexpr double kLabFloor = 1.0;       // OPTN: "values less than 1.0 will be set to 1.0"
  static constexpr double kCreatinineCap = 4.0;  // mg/dL, MELD and MELD-Na
};

/// MELD (UNOS before 2016): labs below 1.0 are set to 1.0, creatinine above
/// 4.0 (or on dialysis) to 4.0; 10 * (0.957 ln Cr + 0.378 ln bili + 1.120 ln
/// INR + 0.643), rounded half-up to an integer, capped at 40.
/// Errors: kInvalidArgument when a lab value is not finite or not positive.
Result<MeldResult> ComputeMeld(const MeldInputs& inputs);

/// MELD-Na (OPTN 2016): MELD(i) is the integer MELD above; if it is > 11,
/// Na is bounded 125-137 and MELD = MELD(i) + 1.32 (137-Na) - 0.033 MELD(i)
/// (137-Na), rounded half-up, capped at 40; otherwise MELD(i) itself. Both the
/// gate and the formula use the rounded MELD(i).
/// Errors: kInvalidArgument when a value is not finite or not positive.
Result<MeldResult> ComputeMeldNa(const MeldInputs& inputs, double sodium_mmol_l);

/// The same from a MELD already computed for the same inputs (saves
/// recomputing it when both scores are wanted). Errors: kInvalidArgument when
/// sodium is not finite.
Result<MeldResult> ComputeMeldNa(const MeldResult& meld, double sodium_mmol_l);

/// Who the candidate is, which sets the MELD 3.0 sex term: adult women get
/// 1.33 points; candidates aged 12-17 get 1.33 whatever their sex (OPTN 2023).
/// Under 12, PELD applies and MELD 3.0 is not defined.
enum class Meld3Candidate { kAdultMale, kAdultFemale, kAdolescent };

struct Meld3Inputs {
  double bilirubin_mg_dl = 0;
  double creatinine_mg_dl = 0;
  double inr = 0;
  double sodium_mmol_l = 0;
  double albumin_g_dl = 0;
  Meld3Candidate candidate = Meld3Candidate::kAdultMale;
  core::Dialysis dialysis = core::Dialysis::kNone;
};

struct Meld3Result {
  int score = 0;            ///< rounded half-up, bounded 6-40 (OPTN allocation)
  double unrounded = 0;     ///< the formula's value: not rounded, not capped (Kim 2021 scales it without a cap)
  double survival_90d = 0;  ///< Meld3NinetyDaySurvival(score)
};

/// MELD 3.0: bilirubin, INR, creatinine below 1.0 set to 1.0; creatinine
/// capped at 3.0 (3.0 on dialysis); Na bounded 125-137; albumin bounded
/// 1.5-3.5 g/dL; both interaction terms use the bounded values.
/// Errors: kInvalidArgument when a value is not finite or not positive.
Result<Meld3Result> ComputeMeld3(const Meld3Inputs& inputs);

/// Estimated 90-day survival for a MELD 3.0 score: 0.946 ^ exp(0.17698 *
/// MELD3.0 - 3.56) (Kim 2021 supplement). cirrus applies it to the rounded,
/// capped allocation score, as the published calculators display it.
double Meld3NinetyDaySurvival(int meld3_score);

}  // namespace cirrus::scores
