// The MELD family against its official definitions (docs/scores.md sections
// 2-4): OPTN Policy 9.1.D for MELD and MELD-Na; Kim WR et al. Gastroenterology
// 2021;161:1887-1895.e4 (doi:10.1053/j.gastro.2021.08.050) for MELD 3.0, whose
// Table 4 examples must be reproduced exactly. Each expected value's
// arithmetic is written beside it.
#include "cirrus/scores/meld.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cirrus_matchers.hpp"

namespace cirrus::scores {
namespace {

using core::Dialysis;

// docs/scores.md prints the formula's survival to three decimals.
constexpr double kThreeDecimals = 0.0005;
// Kim 2021 Supplementary Table 5 agrees with the published formula to about
// 0.001 (0.8545 against a printed 0.855 at MELD 3.0 = 26): the table was made
// with more digits of the baseline survival than the formula prints.
constexpr double kSupplementTolerance = 0.001;
// Values computed here from the formula in double precision: only rounding differs.
constexpr double kFormulaTolerance = 1e-9;

int Meld(double bilirubin, double creatinine, double inr, Dialysis dialysis = Dialysis::kNone) {
  return ComputeMeld({bilirubin, creatinine, inr, dialysis}).value().score;
}

int MeldNa(double bilirubin, double creatinine, double inr, double sodium) {
  return ComputeMeldNa({bilirubin, creatinine, inr, Dialysis::kNone}, sodium).value().score;
}

Meld3Inputs Kim(Meld3Candidate who, double bilirubin, double sodium, double inr, double creatinine, double albumin) {
  return Meld3Inputs{bilirubin, creatinine, inr, sodium, albumin, who, Dialysis::kNone};
}

int Meld3(const Meld3Inputs& in) { return ComputeMeld3(in).value().score; }

constexpr auto kMale = Meld3Candidate::kAdultMale;
constexpr auto kFemale = Meld3Candidate::kAdultFemale;

// ---- MELD (UNOS, before 2016) ---------------------------------------------------

TEST(Meld, WorkedExample) {
  // 10 x (0.957 ln 1.1 + 0.378 ln 2.7 + 1.120 ln 1.5 + 0.643) = 15.638 -> 16
  const auto r = ComputeMeld({2.7, 1.1, 1.5, Dialysis::kNone});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->score, 16);
  EXPECT_NEAR(r->unrounded, 15.637819333517701, kFormulaTolerance);
  // 10 x (0.957 ln 2 + 0.378 ln 5 + 1.120 ln 2 + 0.643) = 26.910 -> 27
  EXPECT_EQ(Meld(5, 2, 2), 27);
  // 10 x (0.957 ln 1.9 + 0.378 ln 3.2 + 1.120 ln 1.8 + 0.643) = 23.552 -> 24
  EXPECT_EQ(Meld(3.2, 1.9, 1.8), 24);
  // 10 x (0.957 ln 3 + 0.378 ln 10 + 1.120 ln 3 + 0.643) = 37.952 -> 38
  EXPECT_EQ(Meld(10, 3, 3), 38);
}

TEST(Meld, LabValuesBelowOneAreSetToOne) {
  // All three at the floor: 10 x 0.643 = 6.43 -> 6, the minimum.
  EXPECT_EQ(Meld(1, 1, 1), 6);
  EXPECT_EQ(Meld(0.5, 0.6, 0.9), 6);
  EXPECT_NEAR(ComputeMeld({0.2, 0.3, 0.8, Dialysis::kNone})->unrounded, 6.43, kFormulaTolerance);
  EXPECT_EQ(Meld(0.99, 0.99, 0.99), Meld(1, 1, 1));
}

TEST(Meld, CreatinineIsCappedAtFour) {
  EXPECT_EQ(Meld(1, 4.0, 1), Meld(1, 6.0, 1));
  EXPECT_EQ(Meld(1, 4.0, 1), Meld(1, 12.0, 1));
  // 10 x (0.957 ln 4 + 0.643) = 19.697 -> 20; just below the cap it is lower.
  EXPECT_EQ(Meld(1, 4.0, 1), 20);
  EXPECT_LT(ComputeMeld({1, 3.99, 1, Dialysis::kNone})->unrounded,
            ComputeMeld({1, 4.0, 1, Dialysis::kNone})->unrounded);
}

TEST(Meld, DialysisSetsCreatinineToFourWhateverWasMeasured) {
  // Creatinine 0.5 on dialysis counts as 4.0: 19.697 -> 20.
  EXPECT_EQ(Meld(1, 0.5, 1, Dialysis::kDialysis), 20);
  EXPECT_EQ(Meld(1, 9.0, 1, Dialysis::kDialysis), 20);
}

TEST(Meld, IsCappedAtForty) {
  // 10 x (0.957 ln 4 + 0.378 ln 30 + 1.120 ln 5 + 0.643) = 50.58 -> 40
  const auto r = ComputeMeld({30, 6, 5, Dialysis::kNone});
  EXPECT_EQ(r->score, 40);
  EXPECT_GT(r->unrounded, 50);
}

TEST(Meld, RejectsNonPositiveOrNonFiniteLabs) {
  EXPECT_THAT(ComputeMeld({0, 1, 1, Dialysis::kNone}), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ComputeMeld({1, -1, 1, Dialysis::kNone}), HasErrorMessage(::testing::HasSubstr("creatinine_mg_dl")));
  EXPECT_THAT(ComputeMeld({1, 1, std::numeric_limits<double>::infinity(), Dialysis::kNone}),
              HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- MELD-Na (OPTN 2016) -----------------------------------------------------------

TEST(MeldNa, WorkedExample) {
  // MELD(i) 16 > 11: 16 + 1.32 x 4 - 0.033 x 16 x 4 = 19.168 -> 19
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 133), 19);
  // MELD(i) 38, Na 125: 38 + 1.32 x 12 - 0.033 x 38 x 12 = 38.792 -> 39
  EXPECT_EQ(MeldNa(10, 3, 3, 125), 39);
}

TEST(MeldNa, GateUsesTheRoundedMeldNotTheUnroundedOne) {
  // Bilirubin 3.8, creatinine 1, INR 1: 10 x MELD(i) = 11.476, rounded 11.
  // 11 is not > 11, so MELD-Na = 11 even at Na 125. Gating on the unrounded
  // 11.476 would give 11.476 + 15.84 - 4.54 = 22.8 -> 23.
  EXPECT_EQ(Meld(3.8, 1, 1), 11);
  EXPECT_EQ(MeldNa(3.8, 1, 1, 125), 11);
  // Bilirubin 3.9: 10 x MELD(i) = 11.574 -> 12 > 11: 12 + 15.84 - 4.752 = 23.088 -> 23
  EXPECT_EQ(Meld(3.9, 1, 1), 12);
  EXPECT_EQ(MeldNa(3.9, 1, 1, 125), 23);
}

TEST(MeldNa, SodiumIsBoundedTo125And137) {
  // MELD(i) 16: Na 120 counts as 125: 16 + 15.84 - 6.336 = 25.504 -> 26
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 120), 26);
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 125), 26);
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 124.9), 26);
  // Na at or above 137 adds nothing.
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 137), 16);
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 140), 16);
  // Na 136.9 is inside the bounds: 16 + 0.132 - 0.0528 = 16.079 -> 16
  EXPECT_NEAR(ComputeMeldNa({2.7, 1.1, 1.5, Dialysis::kNone}, 136.9)->unrounded, 16.0792, kFormulaTolerance);
}

TEST(MeldNa, SodiumIsUsedAsReportedNotRounded) {
  // Na 127.5: 16 + 1.32 x 9.5 - 0.033 x 16 x 9.5 = 23.524 -> 24 (Na rounded to 128 would give 23.128 -> 23).
  EXPECT_EQ(MeldNa(2.7, 1.1, 1.5, 127.5), 24);
}

TEST(MeldNa, IsCappedAtForty) {
  // MELD(i) 40: the sodium terms cancel (1.32 = 0.033 x 40).
  EXPECT_EQ(MeldNa(30, 6, 5, 125), 40);
  EXPECT_EQ(MeldNa(30, 6, 5, 137), 40);
}

TEST(MeldNa, DialysisReachesMeldNaThroughMeld) {
  // MELD(i) 20 (creatinine 4 on dialysis), Na 130: 20 + 9.24 - 4.62 = 24.62 -> 25
  EXPECT_EQ(ComputeMeldNa({1, 0.8, 1, Dialysis::kDialysis}, 130)->score, 25);
}

// ---- MELD 3.0 (Kim 2021; OPTN 2023) ---------------------------------------------

TEST(Meld3, ReproducesKim2021Table4) {
  // Kim WR et al. Gastroenterology 2021, Table 4: sex, bilirubin, Na, INR, creatinine, albumin -> MELD 3.0.
  EXPECT_EQ(Meld3(Kim(kMale, 2.5, 131, 1.0, 1.2, 3.8)), 16);
  EXPECT_EQ(Meld3(Kim(kFemale, 2.5, 131, 1.0, 1.2, 3.8)), 17);
  EXPECT_EQ(Meld3(Kim(kMale, 6.0, 131, 1.5, 1.5, 3.5)), 25);
  EXPECT_EQ(Meld3(Kim(kMale, 6.0, 131, 1.5, 1.5, 2.2)), 26);
  EXPECT_EQ(Meld3(Kim(kFemale, 6.0, 131, 1.5, 1.5, 2.2)), 27);
  EXPECT_EQ(Meld3(Kim(kMale, 12.0, 128, 2.2, 1.8, 2.0)), 34);
  EXPECT_EQ(Meld3(Kim(kMale, 12.0, 128, 2.2, 2.8, 2.0)), 38);
  EXPECT_EQ(Meld3(Kim(kFemale, 12.0, 128, 2.2, 2.8, 2.0)), 39);
}

TEST(Meld3, UnroundedValueFollowsTheFormula) {
  // 4.56 ln 2.5 + 0.82 x 6 - 0.24 x 6 x ln 2.5 + 11.14 ln 1.2 + 6 = 15.8099 (albumin 3.8 bounded to 3.5 adds 0)
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 2.5, 131, 1.0, 1.2, 3.8))->unrounded, 15.809889226132016, kFormulaTolerance);
  // The female term is exactly 1.33.
  EXPECT_NEAR(ComputeMeld3(Kim(kFemale, 2.5, 131, 1.0, 1.2, 3.8))->unrounded, 15.809889226132016 + 1.33,
              kFormulaTolerance);
}

TEST(Meld3, AdolescentsGetTheFemaleTermWhateverTheirSex) {
  // OPTN 2023 (quoted in docs/scores.md section 4): age 12-17 uses intercept 7.33.
  // Male, bilirubin 1.2, Na 135, INR 1.1, Cr 1.5, albumin 3.0: adult 14.32 -> 14, adolescent 15.65 -> 16.
  EXPECT_EQ(Meld3(Kim(kMale, 1.2, 135, 1.1, 1.5, 3.0)), 14);
  EXPECT_EQ(Meld3(Kim(Meld3Candidate::kAdolescent, 1.2, 135, 1.1, 1.5, 3.0)), 16);
  EXPECT_EQ(Meld3(Kim(Meld3Candidate::kAdolescent, 1.2, 135, 1.1, 1.5, 3.0)),
            Meld3(Kim(kFemale, 1.2, 135, 1.1, 1.5, 3.0)));
}

TEST(Meld3, CreatinineIsCappedAtThreeNotFour) {
  // Creatinine 3.0 and 5.0 give the same score; 4.0 would be MELD's cap, not MELD 3.0's.
  const double at_cap = ComputeMeld3(Kim(kMale, 1, 137, 1, 3.0, 3.5))->unrounded;
  EXPECT_NEAR(at_cap, 18.238540895762746, kFormulaTolerance);  // 11.14 ln 3 + 6
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 5.0, 3.5))->unrounded, at_cap, kFormulaTolerance);
  EXPECT_LT(ComputeMeld3(Kim(kMale, 1, 137, 1, 2.99, 3.5))->unrounded, at_cap);
}

TEST(Meld3, DialysisSetsCreatinineToThree) {
  Meld3Inputs in = Kim(kMale, 1, 137, 1, 0.5, 3.5);
  in.dialysis = Dialysis::kDialysis;
  EXPECT_NEAR(ComputeMeld3(in)->unrounded, 18.238540895762746, kFormulaTolerance);
}

TEST(Meld3, AlbuminIsBoundedTo1Point5And3Point5) {
  // At bilirubin = INR = creatinine = 1 the score is 6 + 1.85 x (3.5 - albumin).
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 1.0))->unrounded, 9.7, kFormulaTolerance);  // bounded to 1.5
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 1.5))->unrounded, 9.7, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 1.6))->unrounded, 9.515, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 3.5))->unrounded, 6.0, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 5.0))->unrounded, 6.0, kFormulaTolerance);  // bounded to 3.5
}

TEST(Meld3, SodiumIsBoundedTo125And137) {
  // At bilirubin = INR = creatinine = 1, albumin 3.5: 6 + 0.82 x (137 - Na).
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 120, 1, 1, 3.5))->unrounded, 6 + 0.82 * 12, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 125, 1, 1, 3.5))->unrounded, 6 + 0.82 * 12, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 126, 1, 1, 3.5))->unrounded, 6 + 0.82 * 11, kFormulaTolerance);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 1, 140, 1, 1, 3.5))->unrounded, 6.0, kFormulaTolerance);
}

TEST(Meld3, InteractionTermsUseBoundedValues) {
  // Bilirubin 40, Na 110 (-> 125), INR 8, Cr 10 (-> 3), albumin 1.0 (-> 1.5), female:
  // 1.33 + 4.56 ln 40 + 0.82 x 12 - 0.24 x 12 ln 40 + 9.09 ln 8 + 11.14 ln 3 + 1.85 x 2 - 1.83 x 2 ln 3 + 6 = 54.187
  const auto r = ComputeMeld3(Kim(kFemale, 40, 110, 8, 10, 1.0));
  EXPECT_NEAR(r->unrounded, 54.18706101601859, kFormulaTolerance);
  EXPECT_EQ(r->score, 40);  // OPTN cap; the unrounded value keeps the uncapped 54.19
}

TEST(Meld3, LabsBelowOneAreSetToOneAndTheMinimumIsSix) {
  EXPECT_EQ(Meld3(Kim(kMale, 0.3, 150, 0.8, 0.5, 5.0)), 6);
  EXPECT_NEAR(ComputeMeld3(Kim(kMale, 0.3, 150, 0.8, 0.5, 5.0))->unrounded, 6.0, kFormulaTolerance);
}

TEST(Meld3, RoundsExactDecimalTiesHalfUp) {
  // 6 + 0.82 x (137 - 126) + 1.85 x (3.5 - 2.7) = 6 + 9.02 + 1.48 = 16.5 exactly in decimal:
  // half-up gives 17; banker's rounding (Python, R, .NET) would give 16.
  EXPECT_EQ(Meld3(Kim(kMale, 1, 126, 1, 1, 2.7)), 17);
  // 6 + 0.82 x 4 + 1.85 x 1.2 = 11.5 -> 12
  EXPECT_EQ(Meld3(Kim(kMale, 1, 133, 1, 1, 2.3)), 12);
}

TEST(Meld3, NinetyDaySurvivalMatchesPublishedValues) {
  // Kim 2021 Supplementary Table 5 as quoted in docs/scores.md: 14 -> 0.981, 26 -> 0.855.
  EXPECT_NEAR(Meld3NinetyDaySurvival(14), 0.981, kSupplementTolerance);
  EXPECT_NEAR(Meld3NinetyDaySurvival(26), 0.855, kSupplementTolerance);
  // And the formula's own values: 6 -> 0.995, 20 -> 0.947, 30 -> 0.727, 40 -> 0.154.
  EXPECT_NEAR(Meld3NinetyDaySurvival(6), 0.995, kThreeDecimals);
  EXPECT_NEAR(Meld3NinetyDaySurvival(20), 0.947, kThreeDecimals);
  EXPECT_NEAR(Meld3NinetyDaySurvival(30), 0.727, kThreeDecimals);
  EXPECT_NEAR(Meld3NinetyDaySurvival(40), 0.154, kThreeDecimals);
}

TEST(Meld3, SurvivalIsTakenFromTheRoundedScore) {
  const auto r = ComputeMeld3(Kim(kMale, 2.5, 131, 1.0, 1.2, 3.8));
  EXPECT_DOUBLE_EQ(r->survival_90d, Meld3NinetyDaySurvival(16));
}

TEST(Meld3, RejectsValuesOutsideTheDomain) {
  EXPECT_THAT(ComputeMeld3(Kim(kMale, 1, 137, 1, 1, 0)), HasErrorMessage(::testing::HasSubstr("albumin_g_dl")));
  EXPECT_THAT(ComputeMeld3(Kim(kMale, 1, std::numeric_limits<double>::quiet_NaN(), 1, 1, 3)),
              HasErrorMessage(::testing::HasSubstr("sodium_mmol_l")));
  EXPECT_THAT(ComputeMeld3(Kim(kMale, 1, 137, 0, 1, 3)), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::scores
