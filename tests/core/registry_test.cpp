// The coded values of core/registry.hpp: every parser accepts its canonical
// codes in any case with spaces, hyphens and underscores ignored, plus the
// synonyms the header and docs/data-model.md list, and refuses anything else
// with a message naming the column and the accepted codes.
//
// LOINC codes are those of loinc.org for each analyte (1751-7 albumin,
// 1975-2 total bilirubin, 2160-0 creatinine, 2951-2 sodium, 777-3 platelets,
// 1920-8 AST, 1742-6 ALT, 6301-6 INR, 5902-2 prothrombin time, 2098-2
// cholinesterase, 1834-1 AFP).
#include "cirrus/core/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::core {
namespace {

using ::testing::HasSubstr;

template <typename T>
using Parser = Result<T> (*)(std::string_view);

// The canonical code of each value, written out here (not read from the code).
template <typename T>
using Codes = std::vector<std::pair<T, std::string_view>>;

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// "bm-mnc" -> "bm mnc" and "bm_mnc".
std::string Replaced(std::string_view text, char hyphen_becomes) {
  std::string out(text);
  for (char& c : out) {
    if (c == '-') c = hyphen_becomes;
  }
  return out;
}

template <typename T>
void ExpectCodes(Parser<T> parse, const Codes<T>& codes) {
  for (const auto& [value, code] : codes) {
    EXPECT_EQ(Code(value), code);
    EXPECT_THAT(parse(code), IsOkAndHolds(value)) << code;
    EXPECT_THAT(parse(Upper(code)), IsOkAndHolds(value)) << code;
    EXPECT_THAT(parse(Replaced(code, ' ')), IsOkAndHolds(value)) << code;
    EXPECT_THAT(parse(Replaced(code, '_')), IsOkAndHolds(value)) << code;
    EXPECT_THAT(parse(" " + std::string(code) + "\t"), IsOkAndHolds(value)) << code;
  }
}

template <typename T>
void ExpectSynonyms(Parser<T> parse, const Codes<T>& synonyms) {
  for (const auto& [value, word] : synonyms) EXPECT_THAT(parse(word), IsOkAndHolds(value)) << word;
}

TEST(CellProduct, ParsesCodesAndSynonyms) {
  ExpectCodes<CellProduct>(&ParseCellProduct, {{CellProduct::kBmMnc, "bm-mnc"},
                                               {CellProduct::kBmMsc, "bm-msc"},
                                               {CellProduct::kUcMsc, "uc-msc"},
                                               {CellProduct::kOther, "other"}});
  ExpectSynonyms<CellProduct>(&ParseCellProduct, {{CellProduct::kBmMnc, "BMMC"},
                                                  {CellProduct::kBmMnc, "BM MNC"},
                                                  {CellProduct::kUcMsc, "UC-MSCs"},
                                                  {CellProduct::kBmMsc, "bone marrow MSC"}});
}

TEST(CellProduct, RefusesUnknownWordsNamingTheCodes) {
  EXPECT_THAT(
      ParseCellProduct("stem cells"),
      HasErrorMessage("product \"stem cells\" is not recognised; expected one of bm-mnc, bm-msc, uc-msc, other"));
  EXPECT_THAT(ParseCellProduct(""), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(CellSource, ParsesCodesAndSynonyms) {
  ExpectCodes<CellSource>(&ParseCellSource,
                          {{CellSource::kAutologous, "autologous"}, {CellSource::kAllogeneic, "allogeneic"}});
  ExpectSynonyms<CellSource>(
      &ParseCellSource,
      {{CellSource::kAutologous, "auto"}, {CellSource::kAllogeneic, "allo"}, {CellSource::kAllogeneic, "allogenic"}});
  EXPECT_THAT(ParseCellSource("xenogeneic"), HasErrorMessage(HasSubstr("expected one of autologous, allogeneic")));
}

TEST(DoseUnit, ParsesCodesAndSynonyms) {
  ExpectCodes<DoseUnit>(&ParseDoseUnit, {{DoseUnit::kCells, "cells"}, {DoseUnit::kCellsPerKg, "cells/kg"}});
  ExpectSynonyms<DoseUnit>(
      &ParseDoseUnit,
      {{DoseUnit::kCells, "{cells}"}, {DoseUnit::kCellsPerKg, "{cells}/kg"}, {DoseUnit::kCellsPerKg, "cells / kg"}});
  EXPECT_THAT(ParseDoseUnit("cells/m2"), HasErrorMessage(HasSubstr("dose_unit \"cells/m2\" is not recognised")));
}

TEST(Route, ParsesCodesAndSynonyms) {
  ExpectCodes<Route>(&ParseRoute, {{Route::kPeripheralVein, "peripheral-vein"},
                                   {Route::kPortalVein, "portal-vein"},
                                   {Route::kHepaticArtery, "hepatic-artery"},
                                   {Route::kImplantedPort, "implanted-port"},
                                   {Route::kOther, "other"}});
  ExpectSynonyms<Route>(&ParseRoute, {{Route::kPeripheralVein, "IV"},
                                      {Route::kPeripheralVein, "intravenous"},
                                      {Route::kPortalVein, "intraportal"},
                                      {Route::kHepaticArtery, "intra-arterial"},
                                      {Route::kImplantedPort, "port"}});
  EXPECT_THAT(ParseRoute("oral"),
              HasErrorMessage("route \"oral\" is not recognised; expected one of "
                              "peripheral-vein, portal-vein, hepatic-artery, implanted-port, other"));
}

TEST(ScheduleAnchor, ParsesCodesAndSynonyms) {
  ExpectCodes<ScheduleAnchor>(&ParseScheduleAnchor, {{ScheduleAnchor::kEnrolment, "enrolment"},
                                                     {ScheduleAnchor::kFirstInfusion, "first-infusion"}});
  ExpectSynonyms<ScheduleAnchor>(
      &ParseScheduleAnchor, {{ScheduleAnchor::kEnrolment, "enrollment"}, {ScheduleAnchor::kEnrolment, "baseline"}});
  EXPECT_THAT(ParseScheduleAnchor("surgery"), HasErrorMessage(HasSubstr("anchor \"surgery\" is not recognised")));
}

TEST(PatientStatus, ParsesCodesAndSynonyms) {
  ExpectCodes<PatientStatus>(&ParsePatientStatus, {{PatientStatus::kScreening, "screening"},
                                                   {PatientStatus::kOnStudy, "on-study"},
                                                   {PatientStatus::kFollowUp, "follow-up"},
                                                   {PatientStatus::kCompleted, "completed"},
                                                   {PatientStatus::kWithdrawn, "withdrawn"},
                                                   {PatientStatus::kLostToFollowUp, "lost-to-follow-up"},
                                                   {PatientStatus::kDead, "dead"}});
  ExpectSynonyms<PatientStatus>(&ParsePatientStatus, {{PatientStatus::kLostToFollowUp, "LTFU"},
                                                      {PatientStatus::kDead, "deceased"},
                                                      {PatientStatus::kOnStudy, "active"},
                                                      {PatientStatus::kFollowUp, "followup"}});
  EXPECT_THAT(ParsePatientStatus("alive"), HasErrorMessage(HasSubstr("status \"alive\" is not recognised")));
}

TEST(ProcedureKind, ParsesCodesAndSynonyms) {
  ExpectCodes<ProcedureKind>(&ParseProcedureKind, {{ProcedureKind::kBoneMarrowHarvest, "bone-marrow-harvest"},
                                                   {ProcedureKind::kSplenectomy, "splenectomy"},
                                                   {ProcedureKind::kPortImplantation, "port-implantation"},
                                                   {ProcedureKind::kTips, "tips"},
                                                   {ProcedureKind::kParacentesis, "paracentesis"},
                                                   {ProcedureKind::kVaricealBandLigation, "variceal-band-ligation"},
                                                   {ProcedureKind::kLiverTransplant, "liver-transplant"},
                                                   {ProcedureKind::kLiverUltrasound, "liver-ultrasound"},
                                                   {ProcedureKind::kOther, "other"}});
  ExpectSynonyms<ProcedureKind>(&ParseProcedureKind, {{ProcedureKind::kVaricealBandLigation, "EVL"},
                                                      {ProcedureKind::kLiverTransplant, "OLT"},
                                                      {ProcedureKind::kTips, "TIPS"}});
  EXPECT_THAT(ParseProcedureKind("biopsy"), HasErrorMessage(HasSubstr("procedure \"biopsy\" is not recognised")));
}

TEST(MedicationClass, ParsesCodesAndSynonyms) {
  ExpectCodes<MedicationClass>(&ParseMedicationClass, {{MedicationClass::kAntiviral, "antiviral"},
                                                       {MedicationClass::kDiuretic, "diuretic"},
                                                       {MedicationClass::kAlbumin, "albumin"},
                                                       {MedicationClass::kBetaBlocker, "beta-blocker"},
                                                       {MedicationClass::kOther, "other"}});
  ExpectSynonyms<MedicationClass>(&ParseMedicationClass, {{MedicationClass::kBetaBlocker, "NSBB"},
                                                          {MedicationClass::kAntiviral, "DAA"},
                                                          {MedicationClass::kBetaBlocker, "betablocker"}});
  EXPECT_THAT(ParseMedicationClass("statin"), HasErrorMessage(HasSubstr("class \"statin\" is not recognised")));
}

TEST(VisitStatus, ParsesCodesAndSynonyms) {
  ExpectCodes<VisitStatus>(&ParseVisitStatus, {{VisitStatus::kScheduled, "scheduled"},
                                               {VisitStatus::kCompleted, "completed"},
                                               {VisitStatus::kMissed, "missed"},
                                               {VisitStatus::kCancelled, "cancelled"}});
  ExpectSynonyms<VisitStatus>(&ParseVisitStatus,
                              {{VisitStatus::kCancelled, "canceled"}, {VisitStatus::kCompleted, "done"}});
}

TEST(MissingReason, ParsesCodesAndSynonyms) {
  ExpectCodes<MissingReason>(&ParseMissingReason, {{MissingReason::kNotDone, "not-done"},
                                                   {MissingReason::kSampleLost, "sample-lost"},
                                                   {MissingReason::kUnknown, "unknown"},
                                                   {MissingReason::kNotApplicable, "not-applicable"}});
  ExpectSynonyms<MissingReason>(&ParseMissingReason, {{MissingReason::kNotApplicable, "N/A"},
                                                      {MissingReason::kSampleLost, "haemolysed"},
                                                      {MissingReason::kNotDone, "ND"}});
  EXPECT_THAT(ParseMissingReason("-99"), HasErrorMessage(HasSubstr("missing_reason \"-99\" is not recognised")));
}

TEST(Varices, ParsesCodesAndSynonyms) {
  ExpectCodes<Varices>(&ParseVarices,
                       {{Varices::kNone, "none"}, {Varices::kSmall, "small"}, {Varices::kLarge, "large"}});
  // Baveno grading: F1 small; F2 and F3 large.
  ExpectSynonyms<Varices>(&ParseVarices, {{Varices::kSmall, "F1"}, {Varices::kLarge, "F2"}, {Varices::kLarge, "F3"}});
}

TEST(OutcomeKind, ParsesCodesAndSynonyms) {
  ExpectCodes<OutcomeKind>(&ParseOutcomeKind, {{OutcomeKind::kDeath, "death"},
                                               {OutcomeKind::kLiverTransplant, "liver-transplant"},
                                               {OutcomeKind::kHcc, "hcc"},
                                               {OutcomeKind::kOtherCancer, "other-cancer"},
                                               {OutcomeKind::kDecompensation, "decompensation"},
                                               {OutcomeKind::kLostToFollowUp, "lost-to-follow-up"},
                                               {OutcomeKind::kWithdrawal, "withdrawal"},
                                               {OutcomeKind::kLastKnownAlive, "last-known-alive"}});
  ExpectSynonyms<OutcomeKind>(&ParseOutcomeKind, {{OutcomeKind::kHcc, "hepatocellular carcinoma"},
                                                  {OutcomeKind::kDeath, "died"},
                                                  {OutcomeKind::kLastKnownAlive, "alive"}});
  EXPECT_THAT(ParseOutcomeKind("stroke"), HasErrorMessage(HasSubstr("event \"stroke\" is not recognised")));
}

TEST(DeathCause, ParsesCodesAndSynonyms) {
  ExpectCodes<DeathCause>(&ParseDeathCause, {{DeathCause::kLiverFailure, "liver-failure"},
                                             {DeathCause::kInfection, "infection"},
                                             {DeathCause::kBleeding, "bleeding"},
                                             {DeathCause::kHcc, "hcc"},
                                             {DeathCause::kOther, "other"},
                                             {DeathCause::kUnknown, "unknown"}});
  ExpectSynonyms<DeathCause>(&ParseDeathCause,
                             {{DeathCause::kInfection, "sepsis"}, {DeathCause::kBleeding, "haemorrhage"}});
}

TEST(DecompensationKind, ParsesCodesAndSynonyms) {
  ExpectCodes<DecompensationKind>(&ParseDecompensationKind,
                                  {{DecompensationKind::kAscites, "ascites"},
                                   {DecompensationKind::kVaricealBleeding, "variceal-bleeding"},
                                   {DecompensationKind::kEncephalopathy, "encephalopathy"},
                                   {DecompensationKind::kJaundice, "jaundice"}});
  ExpectSynonyms<DecompensationKind>(&ParseDecompensationKind, {{DecompensationKind::kEncephalopathy, "HE"}});
}

TEST(Relatedness, ParsesCodesAndSynonyms) {
  ExpectCodes<Relatedness>(&ParseRelatedness, {{Relatedness::kNotRelated, "not-related"},
                                               {Relatedness::kUnlikely, "unlikely"},
                                               {Relatedness::kPossible, "possible"},
                                               {Relatedness::kProbable, "probable"},
                                               {Relatedness::kDefinite, "definite"}});
  // WHO-UMC "certain" is the highest category.
  ExpectSynonyms<Relatedness>(&ParseRelatedness, {{Relatedness::kDefinite, "certain"},
                                                  {Relatedness::kNotRelated, "unrelated"},
                                                  {Relatedness::kPossible, "possibly"}});
}

TEST(AeOutcome, ParsesCodesAndSynonyms) {
  ExpectCodes<AeOutcome>(&ParseAeOutcome, {{AeOutcome::kRecovered, "recovered"},
                                           {AeOutcome::kRecovering, "recovering"},
                                           {AeOutcome::kNotRecovered, "not-recovered"},
                                           {AeOutcome::kRecoveredWithSequelae, "recovered-with-sequelae"},
                                           {AeOutcome::kFatal, "fatal"},
                                           {AeOutcome::kUnknown, "unknown"}});
  ExpectSynonyms<AeOutcome>(&ParseAeOutcome,
                            {{AeOutcome::kRecovered, "resolved"}, {AeOutcome::kNotRecovered, "ongoing"}});
}

// Regression: ParseLabOperator compared against a view of a temporary Folded
// whose buffer had already died (ASan: stack-use-after-scope on "<=").
TEST(LabOperator, ParsesComparisonSigns) {
  EXPECT_THAT(ParseLabOperator(""), IsOkAndHolds(LabOperator::kEqual));
  EXPECT_THAT(ParseLabOperator("="), IsOkAndHolds(LabOperator::kEqual));
  EXPECT_THAT(ParseLabOperator("<"), IsOkAndHolds(LabOperator::kLess));
  EXPECT_THAT(ParseLabOperator("<="), IsOkAndHolds(LabOperator::kLessOrEqual));
  EXPECT_THAT(ParseLabOperator(" > "), IsOkAndHolds(LabOperator::kGreater));
  EXPECT_THAT(ParseLabOperator(">="), IsOkAndHolds(LabOperator::kGreaterOrEqual));
  EXPECT_THAT(ParseLabOperator("=<"),
              HasErrorMessage("operator \"=<\" is not recognised; expected one of =, <, <=, >, >="));
  for (const LabOperator op : {LabOperator::kEqual, LabOperator::kLess, LabOperator::kLessOrEqual,
                               LabOperator::kGreater, LabOperator::kGreaterOrEqual}) {
    EXPECT_THAT(ParseLabOperator(Code(op)), IsOkAndHolds(op));
  }
}

TEST(Analyte, ParsesRegistryCodesNamesAndLoincCodes) {
  ExpectCodes<Analyte>(&ParseAnalyte, {{Analyte::kAlbumin, "ALB"},
                                       {Analyte::kBilirubin, "BILI"},
                                       {Analyte::kCreatinine, "CREAT"},
                                       {Analyte::kSodium, "SODIUM"},
                                       {Analyte::kPlatelets, "PLAT"},
                                       {Analyte::kAst, "AST"},
                                       {Analyte::kAstUpperLimitOfNormal, "ASTULN"},
                                       {Analyte::kAlt, "ALT"},
                                       {Analyte::kInr, "INR"},
                                       {Analyte::kProthrombinTime, "PT"},
                                       {Analyte::kProthrombinActivity, "PTA"},
                                       {Analyte::kCholinesterase, "CHE"},
                                       {Analyte::kAfp, "AFP"}});
  ExpectSynonyms<Analyte>(&ParseAnalyte, {{Analyte::kAlbumin, "albumin"},
                                          {Analyte::kBilirubin, "total bilirubin"},
                                          {Analyte::kCreatinine, "creatinine"},
                                          {Analyte::kPlatelets, "PLT"},
                                          {Analyte::kAfp, "alpha-fetoprotein"}});
  ExpectSynonyms<Analyte>(&ParseAnalyte, {{Analyte::kAlbumin, "1751-7"},
                                          {Analyte::kBilirubin, "1975-2"},
                                          {Analyte::kCreatinine, "2160-0"},
                                          {Analyte::kSodium, "2951-2"},
                                          {Analyte::kPlatelets, "777-3"},
                                          {Analyte::kAst, "1920-8"},
                                          {Analyte::kAlt, "1742-6"},
                                          {Analyte::kInr, "6301-6"},
                                          {Analyte::kProthrombinTime, "5902-2"},
                                          {Analyte::kCholinesterase, "2098-2"},
                                          {Analyte::kAfp, "1834-1"}});
  EXPECT_THAT(ParseAnalyte("GGT"),
              HasErrorMessage(HasSubstr("analyte \"GGT\" is not recognised; expected one of ALB")));
}

TEST(Code, TextTooLongToFoldMatchesNothing) {
  // The folding buffer holds 48 characters; longer text must be refused, not truncated into a match.
  EXPECT_THAT(ParseRoute(std::string(60, 'x') + "portal"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseRoute("portal" + std::string(60, ' ')), IsOkAndHolds(Route::kPortalVein));
}

TEST(Describe, LeavesOutEmptyParts) {
  EXPECT_EQ(Describe(RecordProblem{"labs.csv", 7, "value", "35", "albumin is implausible"}),
            "labs.csv:7: value \"35\": albumin is implausible");
  EXPECT_EQ(Describe(RecordProblem{"labs.csv", 0, "", "", "file is empty"}), "labs.csv: file is empty");
  EXPECT_EQ(Describe(RecordProblem{"labs.csv", 3, "", "", "not UTF-8"}), "labs.csv:3: not UTF-8");
  EXPECT_EQ(Describe(RecordProblem{"", 0, "", "", "reason only"}), "reason only");
  EXPECT_EQ(Describe(RecordProblem{"", 0, "unit", "", "is empty"}), "unit \"\": is empty");
}

}  // namespace
}  // namespace cirrus::core
