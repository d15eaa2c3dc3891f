#include "cirrus/scores/meld.hpp"

#include <algorithm>
#include <cmath>

#include "internal/rounding.hpp"

namespace cirrus::scores {
namespace {

constexpr double kLabFloor = MeldFormula::kLabFloor;
constexpr double kMeldCreatinineCap = MeldFormula::kCreatinineCap;
constexpr double kMeld3CreatinineCap = 3.0;  // mg/dL, MELD 3.0
constexpr double kSodiumLow = 125.0;
constexpr double kSodiumHigh = 137.0;
constexpr double kMeld3AlbuminLow = 1.5;   // g/dL
constexpr double kMeld3AlbuminHigh = 3.5;  // g/dL
constexpr int kScoreMin = 6;
constexpr int kScoreMax = 40;

Status CheckMeldLabs(std::string_view function, double bilirubin, double creatinine, double inr) {
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(function, "bilirubin_mg_dl", bilirubin));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(function, "creatinine_mg_dl", creatinine));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(function, "inr", inr));
  return {};
}

double BoundedCreatinine(double creatinine, core::Dialysis dialysis, double cap) {
  if (dialysis == core::Dialysis::kDialysis) return cap;
  return std::clamp(creatinine, kLabFloor, cap);
}

int BoundScore(double rounded) {
  return static_cast<int>(std::clamp(rounded, static_cast<double>(kScoreMin), static_cast<double>(kScoreMax)));
}

}  // namespace

Result<MeldResult> ComputeMeld(const MeldInputs& in) {
  CIRRUS_RETURN_IF_ERROR(CheckMeldLabs("scores::ComputeMeld", in.bilirubin_mg_dl, in.creatinine_mg_dl, in.inr));
  const double bilirubin = std::max(in.bilirubin_mg_dl, kLabFloor);
  const double inr = std::max(in.inr, kLabFloor);
  const double creatinine = BoundedCreatinine(in.creatinine_mg_dl, in.dialysis, kMeldCreatinineCap);
  const double meld_i = MeldFormula::kCreatinine * std::log(creatinine) +
                        MeldFormula::kBilirubin * std::log(bilirubin) + MeldFormula::kInr * std::log(inr) +
                        MeldFormula::kConstant;
  // "rounded to the tenth decimal place and then multiplied by 10": the same
  // as rounding 10 * MELD(i) half-up to an integer.
  MeldResult result;
  result.unrounded = 10.0 * meld_i;
  result.score = BoundScore(internal::RoundHalfUp(result.unrounded));
  return result;
}

Result<MeldResult> ComputeMeldNa(const MeldInputs& in, double sodium_mmol_l) {
  CIRRUS_ASSIGN_OR_RETURN(const MeldResult meld, ComputeMeld(in));
  return ComputeMeldNa(meld, sodium_mmol_l);
}

Result<MeldResult> ComputeMeldNa(const MeldResult& meld, double sodium_mmol_l) {
  CIRRUS_RETURN_IF_ERROR(internal::CheckFinite("scores::ComputeMeldNa", "sodium_mmol_l", sodium_mmol_l));
  // Both the gate and the formula use the integer MELD(i) (OPTN 2016); the
  // unrounded value would give MELD-Na 23 instead of 11 for MELD(i) 11.48.
  const int meld_i = meld.score;
  MeldResult result;
  if (meld_i <= 11) {
    result.score = meld_i;
    result.unrounded = meld_i;
    return result;
  }
  const double sodium_gap = kSodiumHigh - std::clamp(sodium_mmol_l, kSodiumLow, kSodiumHigh);
  result.unrounded = meld_i + 1.32 * sodium_gap - 0.033 * meld_i * sodium_gap;
  result.score = BoundScore(internal::RoundHalfUp(result.unrounded));
  return result;
}

Result<Meld3Result> ComputeMeld3(const Meld3Inputs& in) {
  constexpr std::string_view kFunction = "scores::ComputeMeld3";
  CIRRUS_RETURN_IF_ERROR(CheckMeldLabs(kFunction, in.bilirubin_mg_dl, in.creatinine_mg_dl, in.inr));
  CIRRUS_RETURN_IF_ERROR(internal::CheckFinite(kFunction, "sodium_mmol_l", in.sodium_mmol_l));
  CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "albumin_g_dl", in.albumin_g_dl));

  const double ln_bilirubin = std::log(std::max(in.bilirubin_mg_dl, kLabFloor));
  const double ln_inr = std::log(std::max(in.inr, kLabFloor));
  const double ln_creatinine = std::log(BoundedCreatinine(in.creatinine_mg_dl, in.dialysis, kMeld3CreatinineCap));
  const double sodium_gap = kSodiumHigh - std::clamp(in.sodium_mmol_l, kSodiumLow, kSodiumHigh);
  const double albumin_gap = kMeld3AlbuminHigh - std::clamp(in.albumin_g_dl, kMeld3AlbuminLow, kMeld3AlbuminHigh);
  const double sex_term = in.candidate == Meld3Candidate::kAdultMale ? 0.0 : 1.33;

  Meld3Result result;
  result.unrounded = sex_term + 4.56 * ln_bilirubin + 0.82 * sodium_gap - 0.24 * sodium_gap * ln_bilirubin +
                     9.09 * ln_inr + 11.14 * ln_creatinine + 1.85 * albumin_gap - 1.83 * albumin_gap * ln_creatinine +
                     6.0;
  result.score = BoundScore(internal::RoundHalfUp(result.unrounded));
  result.survival_90d = Meld3NinetyDaySurvival(result.score);
  return result;
}

double Meld3NinetyDaySurvival(int meld3_score) { return std::pow(0.946, std::exp(0.17698 * meld3_score - 3.56)); }

}  // namespace cirrus::scores
