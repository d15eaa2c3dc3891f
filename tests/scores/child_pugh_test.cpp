// Child-Pugh against its definition: Pugh RNH et al. Br J Surg 1973;60:646-649,
// with the INR and PBC/PSC rows and the closed-middle-band convention of
// docs/scores.md section 1. Every cut-off is tested at, just below and just
// above its boundary.
#include "cirrus/scores/child_pugh.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cirrus_matchers.hpp"

namespace cirrus::scores {
namespace {

using core::Ascites;
using core::Encephalopathy;

// A patient who scores 1 point on every item (class A, 5 points).
ChildPughInputs Healthy() {
  ChildPughInputs in;
  in.bilirubin_mg_dl = 1.0;
  in.albumin_g_dl = 4.0;
  in.coagulation = Inr{1.0};
  in.ascites = Ascites::kNone;
  in.encephalopathy = Encephalopathy::kNone;
  return in;
}

int BilirubinPoints(double bilirubin, BilirubinCutoffs cutoffs = BilirubinCutoffs::kStandard) {
  ChildPughInputs in = Healthy();
  in.bilirubin_mg_dl = bilirubin;
  in.bilirubin_cutoffs = cutoffs;
  return ComputeChildPugh(in).value().bilirubin_points;
}

int AlbuminPoints(double albumin) {
  ChildPughInputs in = Healthy();
  in.albumin_g_dl = albumin;
  return ComputeChildPugh(in).value().albumin_points;
}

int CoagulationPoints(Coagulation coagulation) {
  ChildPughInputs in = Healthy();
  in.coagulation = coagulation;
  return ComputeChildPugh(in).value().coagulation_points;
}

TEST(ChildPugh, BilirubinBandsAreBelowTwoTwoToThreeAboveThree) {
  EXPECT_EQ(BilirubinPoints(1.99), 1);
  EXPECT_EQ(BilirubinPoints(2.0), 2);  // closed band: 2.0 belongs to 2-3
  EXPECT_EQ(BilirubinPoints(2.01), 2);
  EXPECT_EQ(BilirubinPoints(2.99), 2);
  EXPECT_EQ(BilirubinPoints(3.0), 2);  // closed band: 3.0 belongs to 2-3
  EXPECT_EQ(BilirubinPoints(3.01), 3);
}

TEST(ChildPugh, CholestaticBilirubinBandsAreBelowFourFourToTenAboveTen) {
  const auto kPbc = BilirubinCutoffs::kCholestatic;
  EXPECT_EQ(BilirubinPoints(3.99, kPbc), 1);
  EXPECT_EQ(BilirubinPoints(4.0, kPbc), 2);
  EXPECT_EQ(BilirubinPoints(4.01, kPbc), 2);
  EXPECT_EQ(BilirubinPoints(9.99, kPbc), 2);
  EXPECT_EQ(BilirubinPoints(10.0, kPbc), 2);
  EXPECT_EQ(BilirubinPoints(10.01, kPbc), 3);
  // The same bilirubin scores differently on the standard scale.
  EXPECT_EQ(BilirubinPoints(3.5), 3);
  EXPECT_EQ(BilirubinPoints(3.5, kPbc), 1);
}

TEST(ChildPugh, AlbuminBandsUsePughsTwoPointEight) {
  EXPECT_EQ(AlbuminPoints(3.51), 1);
  EXPECT_EQ(AlbuminPoints(3.5), 2);  // closed band: 3.5 belongs to 2.8-3.5
  EXPECT_EQ(AlbuminPoints(3.49), 2);
  EXPECT_EQ(AlbuminPoints(2.9), 2);  // Harrison's 3.0 cut-off would give 3 points
  EXPECT_EQ(AlbuminPoints(2.81), 2);
  EXPECT_EQ(AlbuminPoints(2.8), 2);  // closed band: 2.8 belongs to 2.8-3.5
  EXPECT_EQ(AlbuminPoints(2.79), 3);
}

TEST(ChildPugh, InrBandsAreBelowOnePointSevenToTwoPointThree) {
  EXPECT_EQ(CoagulationPoints(Inr{1.69}), 1);
  EXPECT_EQ(CoagulationPoints(Inr{1.7}), 2);
  EXPECT_EQ(CoagulationPoints(Inr{1.71}), 2);
  EXPECT_EQ(CoagulationPoints(Inr{1.75}), 2);  // in the gap of "<1.7 / 1.8-2.3" tables
  EXPECT_EQ(CoagulationPoints(Inr{2.29}), 2);
  EXPECT_EQ(CoagulationPoints(Inr{2.3}), 2);
  EXPECT_EQ(CoagulationPoints(Inr{2.31}), 3);
}

TEST(ChildPugh, ProthrombinSecondsBandsAreBelowFourFourToSixAboveSix) {
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{-1.0}), 1);  // faster than control
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{3.9}), 1);
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{4.0}), 2);  // Pugh's rows overlap at 4 s
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{4.1}), 2);
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{5.9}), 2);
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{6.0}), 2);
  EXPECT_EQ(CoagulationPoints(ProthrombinTimeProlonged{6.1}), 3);
}

TEST(ChildPugh, AscitesAndEncephalopathyScoreOneToThree) {
  ChildPughInputs in = Healthy();
  for (auto [ascites, points] :
       {std::pair{Ascites::kNone, 1}, std::pair{Ascites::kMild, 2}, std::pair{Ascites::kModerateSevere, 3}}) {
    in.ascites = ascites;
    EXPECT_EQ(ComputeChildPugh(in).value().ascites_points, points);
  }
  in = Healthy();
  for (auto [grade, points] : {std::pair{Encephalopathy::kNone, 1}, std::pair{Encephalopathy::kGrade1To2, 2},
                               std::pair{Encephalopathy::kGrade3To4, 3}}) {
    in.encephalopathy = grade;
    EXPECT_EQ(ComputeChildPugh(in).value().encephalopathy_points, points);
  }
}

TEST(ChildPugh, ClassIsAForFiveToSixBForSevenToNineCForTenToFifteen) {
  ChildPughInputs in = Healthy();
  auto result = ComputeChildPugh(in);
  EXPECT_EQ(result->points, 5);
  EXPECT_EQ(result->grade, ChildPughClass::kA);

  in.ascites = Ascites::kMild;  // 6
  EXPECT_EQ(ComputeChildPugh(in)->points, 6);
  EXPECT_EQ(ComputeChildPugh(in)->grade, ChildPughClass::kA);

  in.albumin_g_dl = 3.0;  // 7
  EXPECT_EQ(ComputeChildPugh(in)->points, 7);
  EXPECT_EQ(ComputeChildPugh(in)->grade, ChildPughClass::kB);

  in.bilirubin_mg_dl = 5.0;  // 3 points: 9
  EXPECT_EQ(ComputeChildPugh(in)->points, 9);
  EXPECT_EQ(ComputeChildPugh(in)->grade, ChildPughClass::kB);

  in.coagulation = Inr{2.0};  // 10
  EXPECT_EQ(ComputeChildPugh(in)->points, 10);
  EXPECT_EQ(ComputeChildPugh(in)->grade, ChildPughClass::kC);

  in.bilirubin_mg_dl = 12;
  in.albumin_g_dl = 2.0;
  in.coagulation = Inr{3.0};
  in.ascites = Ascites::kModerateSevere;
  in.encephalopathy = Encephalopathy::kGrade3To4;
  EXPECT_EQ(ComputeChildPugh(in)->points, 15);
  EXPECT_EQ(ComputeChildPugh(in)->grade, ChildPughClass::kC);
}

TEST(ChildPugh, WorkedExampleScoresEightClassB) {
  // Bilirubin 2.69 mg/dL (46 umol/L / 17.1): 2; albumin 3.1 g/dL: 2; INR 1.5: 1;
  // mild ascites: 2; no encephalopathy: 1. Total 8, class B.
  ChildPughInputs in{2.69, 3.1, Inr{1.5}, Ascites::kMild, Encephalopathy::kNone, BilirubinCutoffs::kStandard};
  const auto result = ComputeChildPugh(in);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->points, 8);
  EXPECT_EQ(result->grade, ChildPughClass::kB);
  EXPECT_EQ(Name(result->grade), "B");
}

TEST(ChildPugh, RejectsValuesOutsideTheDomain) {
  ChildPughInputs in = Healthy();
  in.bilirubin_mg_dl = -1;
  EXPECT_THAT(ComputeChildPugh(in), HasErrorCode(ErrorCode::kInvalidArgument));
  in = Healthy();
  in.albumin_g_dl = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT(ComputeChildPugh(in), HasErrorMessage(::testing::HasSubstr("albumin_g_dl")));
  in = Healthy();
  in.coagulation = Inr{0};
  EXPECT_THAT(ComputeChildPugh(in), HasErrorMessage(::testing::HasSubstr("inr is 0")));
}

}  // namespace
}  // namespace cirrus::scores
