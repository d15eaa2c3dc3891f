// WriteSdtm of io/registry_sdtm.hpp: the SDTM study-day rule on hand-computed
// dates, the codelists, and a small batch's seven domains compared with files
// written by hand (tests/io/data/sdtm/*.csv; every --DY there was computed by
// hand from the calendar, 2024 being a leap year).
#include "cirrus/io/registry_sdtm.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cirrus_matchers.hpp"

namespace cirrus::io {
namespace {

namespace fs = std::filesystem;
using core::Date;
using ::testing::HasSubstr;
using ::testing::Not;

const fs::path kExpectedDir = fs::path(__FILE__).parent_path() / "data" / "sdtm";

Date D(const char* text) { return *core::ParseDate(text); }

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SdtmStudyDay, ReferenceDateIsDayOneAndThereIsNoDayZero) {
  const Date ref = D("2024-01-10");
  EXPECT_EQ(SdtmStudyDay(D("2024-01-10"), ref), 1);
  EXPECT_EQ(SdtmStudyDay(D("2024-01-11"), ref), 2);
  EXPECT_EQ(SdtmStudyDay(D("2024-01-09"), ref), -1);
  EXPECT_EQ(SdtmStudyDay(D("2024-01-02"), ref), -8);
  // Jan 10 -> Mar 1 2024: 21 + 29 (leap February) + 1 = 51 days later, day 52.
  EXPECT_EQ(SdtmStudyDay(D("2024-03-01"), ref), 52);
  // Across a year end: 2023-12-31 is 10 days before.
  EXPECT_EQ(SdtmStudyDay(D("2023-12-31"), ref), -10);
  // A year later, across the leap day: 2025-01-10 is 366 days after 2024-01-10, day 367.
  EXPECT_EQ(SdtmStudyDay(D("2025-01-10"), ref), 367);
}

TEST(SdtmCodelists, RoutesAreCdiscRouteTerms) {
  EXPECT_EQ(SdtmRoute(core::Route::kPeripheralVein), "INTRAVENOUS");
  EXPECT_EQ(SdtmRoute(core::Route::kPortalVein), "INTRAPORTAL");
  EXPECT_EQ(SdtmRoute(core::Route::kHepaticArtery), "INTRA-ARTERIAL");
  EXPECT_EQ(SdtmRoute(core::Route::kImplantedPort), "INTRA-ARTERIAL");
  EXPECT_EQ(SdtmRoute(core::Route::kOther), "OTHER");
}

TEST(SdtmCodelists, AdverseEventOutcomesAreTheOutCodelist) {
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kRecovered), "RECOVERED/RESOLVED");
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kRecovering), "RECOVERING/RESOLVING");
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kNotRecovered), "NOT RECOVERED/NOT RESOLVED");
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kRecoveredWithSequelae), "RECOVERED/RESOLVED WITH SEQUELAE");
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kFatal), "FATAL");
  EXPECT_EQ(SdtmAeOutcome(core::AeOutcome::kUnknown), "UNKNOWN");
}

TEST(SdtmCodelists, RelatednessWording) {
  EXPECT_EQ(SdtmRelatedness(core::Relatedness::kNotRelated), "NOT RELATED");
  EXPECT_EQ(SdtmRelatedness(core::Relatedness::kUnlikely), "UNLIKELY RELATED");
  EXPECT_EQ(SdtmRelatedness(core::Relatedness::kPossible), "POSSIBLY RELATED");
  EXPECT_EQ(SdtmRelatedness(core::Relatedness::kProbable), "PROBABLY RELATED");
  EXPECT_EQ(SdtmRelatedness(core::Relatedness::kDefinite), "RELATED");
}

TEST(SdtmCodelists, DispositionUsesNcompltWording) {
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kDeath), "DEATH");
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kLostToFollowUp), "LOST TO FOLLOW-UP");
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kWithdrawal), "WITHDRAWAL BY SUBJECT");
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kHcc), std::nullopt);
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kDecompensation), std::nullopt);
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kLiverTransplant), std::nullopt);
  EXPECT_EQ(SdtmDisposition(core::OutcomeKind::kLastKnownAlive), std::nullopt);
}

// Three patients: P1 infused twice and dead; P2 a control (RFSTDTC falls back
// to enrolment), completed, transplanted; P3 withdrawn.
core::RegistryBatch SmallBatch() {
  core::RegistryBatch b;
  b.sites = {{"FR01", "Beaujon", "FR", {}}};
  b.studies = {{"CELL-01", "Cells in cirrhosis", "NCT00000001", {}}};
  b.arms = {{"CELL-01", "A", "BM-MNC portal", core::CellProduct::kBmMnc, core::Route::kPortalVein, {}}};
  b.patients = {
      {"FR01-0001",
       "FR01",
       "CELL-01",
       "A",
       core::Sex::kMale,
       1958,
       {},
       {},
       {},
       D("2024-01-02"),
       core::PatientStatus::kDead,
       {}},
      {"FR01-0002",
       "FR01",
       "CELL-01",
       "",
       core::Sex::kFemale,
       1962,
       {},
       {},
       {},
       D("2024-01-05"),
       core::PatientStatus::kCompleted,
       {}},
      {"FR01-0003",
       "FR01",
       "CELL-01",
       "",
       std::nullopt,
       std::nullopt,
       {},
       {},
       {},
       D("2024-02-01"),
       core::PatientStatus::kWithdrawn,
       {}},
  };
  // Listed out of date order: --SEQ follows the dates, not the input.
  b.infusions = {
      {"FR01-0001",
       2,
       1,
       D("2024-02-09"),
       core::CellProduct::kBmMnc,
       core::CellSource::kAutologous,
       5e7,
       core::DoseUnit::kCells,
       core::Route::kHepaticArtery,
       {}},
      {"FR01-0001",
       1,
       1,
       D("2024-01-10"),
       core::CellProduct::kBmMnc,
       core::CellSource::kAutologous,
       2e6,
       core::DoseUnit::kCellsPerKg,
       core::Route::kPortalVein,
       {}},
  };
  core::LabResult alb{
      "FR01-0001", D("2024-01-08"), core::Analyte::kAlbumin, "31", "g/L", 3.1, core::LabOperator::kEqual, std::nullopt,
      {}};
  core::LabResult bili{
      "FR01-0001", D("2024-01-10"), core::Analyte::kBilirubin, "0.5", "", 0.5, core::LabOperator::kLess, std::nullopt,
      {}};
  core::LabResult inr{"FR01-0001",  D("2024-03-01"),           core::Analyte::kInr,           "", "",
                      std::nullopt, core::LabOperator::kEqual, core::MissingReason::kNotDone, {}};
  core::LabResult sodium{"FR01-0002", D("2024-01-05"),           core::Analyte::kSodium, "134", "mmol/L",
                         134.0,       core::LabOperator::kEqual, std::nullopt,           {}};
  b.labs = {sodium, inr, bili, alb};
  b.adverse_events = {
      {"FR01-0001",
       "fever",
       D("2024-01-10"),
       D("2024-01-11"),
       1,
       false,
       1,
       core::Relatedness::kProbable,
       core::AeOutcome::kRecovered,
       {}},
      {"FR01-0001",
       "portal vein thrombosis, partial",
       D("2024-02-12"),
       std::nullopt,
       3,
       true,
       2,
       core::Relatedness::kPossible,
       core::AeOutcome::kNotRecovered,
       {}},
  };
  b.events = {
      {"FR01-0001", core::OutcomeKind::kDeath, D("2024-06-30"), core::DeathCause::kLiverFailure, std::nullopt, "", {}},
      {"FR01-0001",
       core::OutcomeKind::kDecompensation,
       D("2024-05-01"),
       std::nullopt,
       core::DecompensationKind::kAscites,
       "",
       {}},
      {"FR01-0002", core::OutcomeKind::kLastKnownAlive, D("2024-12-20"), std::nullopt, std::nullopt, "", {}},
      {"FR01-0002", core::OutcomeKind::kLiverTransplant, D("2024-08-01"), std::nullopt, std::nullopt, "", {}},
      {"FR01-0003",
       core::OutcomeKind::kWithdrawal,
       D("2024-03-15"),
       std::nullopt,
       std::nullopt,
       "moved abroad, \"family\"",
       {}},
  };
  b.procedures = {
      {"FR01-0001", core::ProcedureKind::kBoneMarrowHarvest, D("2024-01-09"), "", {}},
      {"FR01-0001", core::ProcedureKind::kOther, D("2024-01-03"), "liver biopsy", {}},
  };
  return b;
}

class SdtmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("cirrus_sdtm_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SdtmTest, SmallBatchMatchesTheHandWrittenDomains) {
  ASSERT_THAT(WriteSdtm(SmallBatch(), dir_.string(), SdtmOptions{}), IsOk());
  for (const char* domain : {"DM", "EX", "LB", "AE", "DS", "DD", "PR"}) {
    const std::string name = std::string(domain) + ".csv";
    EXPECT_EQ(Slurp(dir_ / name), Slurp(kExpectedDir / name)) << name;
  }
}

TEST_F(SdtmTest, StudyIdOverrideReplacesEveryStudyId) {
  SdtmOptions options;
  options.study_id = "SPONSOR-7";
  ASSERT_THAT(WriteSdtm(SmallBatch(), dir_.string(), options), IsOk());
  const std::string dm = Slurp(dir_ / "DM.csv");
  EXPECT_THAT(dm, HasSubstr("\nSPONSOR-7,DM,SPONSOR-7-FR01-0001,FR01-0001,"));
  EXPECT_THAT(Slurp(dir_ / "LB.csv"), Not(HasSubstr("CELL-01")));
}

TEST_F(SdtmTest, DeidentifiedOutputKeepsStudyDaysAndDropsDates) {
  SdtmOptions options;
  options.dates = SdtmDates::kStudyDaysOnly;
  ASSERT_THAT(WriteSdtm(SmallBatch(), dir_.string(), options), IsOk());
  for (const char* domain : {"DM", "EX", "LB", "AE", "DS", "DD", "PR"}) {
    EXPECT_THAT(Slurp(dir_ / (std::string(domain) + ".csv")), Not(HasSubstr("2024-"))) << domain;
  }
  EXPECT_THAT(Slurp(dir_ / "DM.csv"),
              HasSubstr("\nCELL-01,DM,CELL-01-FR01-0001,FR01-0001,,,,,,Y,FR01,1958,M,A,BM-MNC portal,"));
  EXPECT_THAT(Slurp(dir_ / "LB.csv"), HasSubstr(",NOT DONE,NOT DONE,6301-6,,52\n"));
  EXPECT_THAT(Slurp(dir_ / "DS.csv"), HasSubstr(",DEATH,DEATH,DISPOSITION EVENT,,173\n"));
}

TEST_F(SdtmTest, EmptyBatchWritesHeadersOnly) {
  ASSERT_THAT(WriteSdtm(core::RegistryBatch{}, dir_.string(), SdtmOptions{}), IsOk());
  EXPECT_EQ(Slurp(dir_ / "DD.csv"), "STUDYID,DOMAIN,USUBJID,DDSEQ,DDTESTCD,DDTEST,DDORRES,DDSTRESC,DDDTC,DDDY\n");
}

TEST_F(SdtmTest, PatientWithoutStudyOrReferenceGetsBlankStudyDays) {
  core::RegistryBatch b;
  b.patients.push_back({"P9", "", "", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  b.procedures.push_back({"P9", core::ProcedureKind::kParacentesis, D("2024-05-05"), "", {}});
  ASSERT_THAT(WriteSdtm(b, dir_.string(), SdtmOptions{}), IsOk());
  EXPECT_THAT(Slurp(dir_ / "PR.csv"), HasSubstr("\n,PR,P9,1,PARACENTESIS,PARACENTESIS,2024-05-05,\n"));
}

TEST_F(SdtmTest, LabWithoutEnteredTextReportsTheCanonicalValue) {
  core::RegistryBatch b;
  b.labs.push_back(
      {"P9", D("2024-05-05"), core::Analyte::kAlbumin, "", "g/L", 3.25, core::LabOperator::kEqual, std::nullopt, {}});
  ASSERT_THAT(WriteSdtm(b, dir_.string(), SdtmOptions{}), IsOk());
  EXPECT_THAT(Slurp(dir_ / "LB.csv"),
              HasSubstr("\n,LB,P9,1,ALB,Albumin,3.25,g/dL,3.25,3.25,g/dL,,,1751-7,2024-05-05,\n"));
}

TEST_F(SdtmTest, WritingIntoAMissingDirectoryFails) {
  EXPECT_THAT(WriteSdtm(SmallBatch(), (dir_ / "missing").string(), SdtmOptions{}),
              HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

}  // namespace
}  // namespace cirrus::io
