// ScorePanel: which scores a snapshot allows, what each lacks, and the notes
// it must show. Values are those of the single-score tests (same sources).
#include "cirrus/scores/panel.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cirrus_matchers.hpp"

namespace cirrus::scores {
namespace {

using core::FieldSet;
using core::SnapshotField;

// Kim 2021 Table 4 row 1 plus the Child-Pugh and fibrosis inputs.
core::ClinicalSnapshot Complete() {
  core::ClinicalSnapshot s;
  s.sex = core::Sex::kMale;
  s.age_years = 52;
  s.bilirubin_mg_dl = 2.5;
  s.albumin_g_dl = 3.8;
  s.inr = 1.0;
  s.creatinine_mg_dl = 1.2;
  s.sodium_mmol_l = 131;
  s.dialysis = core::Dialysis::kNone;
  s.ascites = core::Ascites::kNone;
  s.encephalopathy = core::Encephalopathy::kNone;
  s.platelets_10e9_l = 95;
  s.ast_u_l = 62;
  s.alt_u_l = 45;
  s.ast_uln_u_l = 40;
  return s;
}

FieldSet Fields(std::initializer_list<SnapshotField> fields) {
  FieldSet set;
  for (SnapshotField f : fields) set.Add(f);
  return set;
}

TEST(ScorePanel, CompleteSnapshotGivesEveryScore) {
  const auto r = ScorePanel(Complete());
  ASSERT_THAT(r, IsOk());
  // Child-Pugh: bilirubin 2.5 -> 2, albumin 3.8 -> 1, INR 1.0 -> 1, no ascites, no HE: 6, class A.
  EXPECT_EQ(r->child_pugh.value().points, 6);
  EXPECT_EQ(r->child_pugh.value().grade, ChildPughClass::kA);
  // MELD: 10 x (0.957 ln 1.2 + 0.378 ln 2.5 + 0.643) = 11.58 -> 12; MELD-Na 12 + 7.92 - 2.376 = 17.544 -> 18.
  EXPECT_EQ(r->meld.value().score, 12);
  EXPECT_EQ(r->meld_na.value().score, 18);
  EXPECT_EQ(r->meld3.value().score, 16);  // Kim 2021 Table 4, row 1
  EXPECT_EQ(r->albi.value().grade, 2);
  EXPECT_TRUE(r->fib4.has_value());
  EXPECT_TRUE(r->apri.has_value());
  EXPECT_TRUE(r->missing.empty());
  EXPECT_TRUE(r->notes.empty());
}

TEST(ScorePanel, MissingInputsAreNamedPerScoreAndInTotal) {
  core::ClinicalSnapshot s = Complete();
  s.creatinine_mg_dl.reset();
  s.platelets_10e9_l.reset();
  const auto r = ScorePanel(s);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->child_pugh.has_value());
  EXPECT_EQ(r->meld.why_not().missing, Fields({SnapshotField::kCreatinine}));
  EXPECT_EQ(r->meld_na.why_not().missing, Fields({SnapshotField::kCreatinine}));
  EXPECT_EQ(r->meld3.why_not().missing, Fields({SnapshotField::kCreatinine}));
  EXPECT_EQ(r->fib4.why_not().missing, Fields({SnapshotField::kPlatelets}));
  EXPECT_EQ(r->apri.why_not().missing, Fields({SnapshotField::kPlatelets}));
  EXPECT_TRUE(r->albi.has_value());
  EXPECT_EQ(r->missing, Fields({SnapshotField::kCreatinine, SnapshotField::kPlatelets}));
}

TEST(ScorePanel, MeldNaNeedsSodiumEvenWhenMeldIsLow) {
  core::ClinicalSnapshot s = Complete();
  s.bilirubin_mg_dl = 1.0;
  s.creatinine_mg_dl = 1.0;  // MELD 6, where sodium would not change the number
  s.sodium_mmol_l.reset();
  const auto r = ScorePanel(s);
  EXPECT_EQ(r->meld.value().score, 6);
  EXPECT_FALSE(r->meld_na.has_value());
  EXPECT_EQ(r->meld_na.why_not().missing, Fields({SnapshotField::kSodium}));
}

TEST(ScorePanel, UnknownDialysisLeavesTheMeldFamilyUncomputed) {
  core::ClinicalSnapshot s = Complete();
  s.dialysis.reset();
  const auto r = ScorePanel(s);
  EXPECT_EQ(r->meld.why_not().missing, Fields({SnapshotField::kDialysis}));
  EXPECT_EQ(r->meld3.why_not().missing, Fields({SnapshotField::kDialysis}));
  EXPECT_TRUE(r->child_pugh.has_value());
}

TEST(ScorePanel, Meld3NeedsSexForAdultsOnly) {
  core::ClinicalSnapshot s = Complete();
  s.sex.reset();
  EXPECT_EQ(ScorePanel(s)->meld3.why_not().missing, Fields({SnapshotField::kSex}));
  s.age_years = 15;
  const auto adolescent = ScorePanel(s);
  ASSERT_TRUE(adolescent->meld3.has_value());
  EXPECT_EQ(adolescent->meld3.value().score, 17);  // the female/adolescent 1.33: 15.81 + 1.33 -> 17
  EXPECT_TRUE(adolescent->notes.Contains(Note::kMeld3Adolescent));
}

TEST(ScorePanel, Meld3IsNotDefinedUnderTwelve) {
  core::ClinicalSnapshot s = Complete();
  s.age_years = 11;
  const auto r = ScorePanel(s);
  EXPECT_FALSE(r->meld3.has_value());
  EXPECT_THAT(std::string(r->meld3.why_not().reason), ::testing::HasSubstr("PELD"));
  EXPECT_TRUE(r->notes.Contains(Note::kMeld3UnderTwelve));
}

TEST(ScorePanel, Meld3WithoutAgeUsesTheAdultEquationAndSaysSo) {
  core::ClinicalSnapshot s = Complete();
  s.age_years.reset();
  const auto r = ScorePanel(s);
  EXPECT_EQ(r->meld3.value().score, 16);
  EXPECT_TRUE(r->notes.Contains(Note::kMeld3AgeUnknownAssumedAdult));
}

TEST(ScorePanel, ChildPughFallsBackToProthrombinSeconds) {
  core::ClinicalSnapshot s = Complete();
  s.inr.reset();
  s.pt_prolonged_s = 5.0;  // 2 points
  const auto r = ScorePanel(s);
  EXPECT_EQ(r->child_pugh.value().coagulation_points, 2);
  EXPECT_TRUE(r->notes.Contains(Note::kCoagulationFromPtSeconds));
  EXPECT_FALSE(r->meld.has_value());  // MELD takes only a measured INR
}

TEST(ScorePanel, PbcOrPscSelectsTheCholestaticBilirubinCutOffs) {
  core::ClinicalSnapshot s = Complete();
  s.bilirubin_mg_dl = 3.5;  // 3 points on the standard scale, 1 on the cholestatic one
  EXPECT_EQ(ScorePanel(s)->child_pugh.value().bilirubin_points, 3);
  s.aetiologies.Add(core::Aetiology::kPsc);
  const auto r = ScorePanel(s);
  EXPECT_EQ(r->child_pugh.value().bilirubin_points, 1);
  EXPECT_TRUE(r->notes.Contains(Note::kCholestaticBilirubinCutoffs));
}

TEST(ScorePanel, ApriUsesTheDefaultUpperLimitOnlyWhenNoneIsGiven) {
  core::ClinicalSnapshot s = Complete();
  s.ast_uln_u_l = 31;
  EXPECT_NEAR(ScorePanel(s)->apri.value(), 62.0 / 31.0 / 95.0 * 100.0, 1e-12);
  s.ast_uln_u_l.reset();
  const auto r = ScorePanel(s);
  EXPECT_NEAR(r->apri.value(), 62.0 / 40.0 / 95.0 * 100.0, 1e-12);
  EXPECT_TRUE(r->notes.Contains(Note::kDefaultAstUln));
}

TEST(ScorePanel, EmptySnapshotNamesEveryInput) {
  const auto r = ScorePanel(core::ClinicalSnapshot{});
  ASSERT_THAT(r, IsOk());
  int count = 0;
  r->missing.ForEach([&](SnapshotField) { ++count; });
  EXPECT_EQ(count, core::kSnapshotFieldCount);
}

TEST(ScorePanel, ValuesOutsideAFormulasDomainAreAnError) {
  core::ClinicalSnapshot s = Complete();
  s.bilirubin_mg_dl = 0.0;
  EXPECT_THAT(ScorePanel(s), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::scores
