// The registry CSV files of io/registry_csv.hpp: reading the example set,
// every class of bad input (each with the file, line and column reported),
// and the writer's round trip.
//
// Lab conversions use the published factors of docs/units.md (not the table
// under test): bilirubin 1 mg/dL = 17.1 umol/L, creatinine 1 mg/dL =
// 88.4 umol/L, albumin 1 g/dL = 10 g/L, 1 ukat/L = 60 U/L.
#include "cirrus/io/registry_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus_matchers.hpp"
#include "registry_batch.hpp"

namespace cirrus::io {
namespace {

namespace fs = std::filesystem;

using cirrus::testing::SameBatch;

using core::DateFromCivil;
using core::RecordProblem;
using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::SizeIs;

// examples/registry, found from this file's path (tests/io/registry_csv_test.cpp).
std::string ExampleDir() {
  return (fs::path(__FILE__).parent_path().parent_path().parent_path() / "examples" / "registry").string();
}

class RegistryCsvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("cirrus_registry_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  // Writes `bytes` to in/<name> and returns its path.
  std::string Put(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / "in" / name).string();
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    return path;
  }

  // Writes one file and reads it.
  RegistryRead ReadOne(const std::string& name, const std::string& bytes, RegistryReadOptions options = {}) {
    const std::vector<std::string> paths = {Put(name, bytes)};
    auto read = ReadRegistryCsv(paths, options);
    EXPECT_THAT(read, IsOk());
    return read ? *read : RegistryRead{};
  }

  [[nodiscard]] std::string In(const std::string& name) const { return (dir_ / "in" / name).string(); }
  [[nodiscard]] std::string Out() const { return (dir_ / "out").string(); }

  static std::string Slurp(const std::string& path) {
    auto bytes = ReadFile(path);
    EXPECT_TRUE(bytes.has_value()) << path;
    return bytes.value_or(std::string());
  }

  fs::path dir_;
};

// "file:line: column \"value\": reason", the shape every assertion below checks.
std::vector<std::string> Described(const RegistryRead& read) {
  std::vector<std::string> out;
  for (const RecordProblem& problem : read.problems) out.push_back(core::Describe(problem));
  return out;
}

MATCHER_P4(ProblemAt, file, line, column, reason_part, "") {
  *result_listener << core::Describe(arg);
  return arg.file == file && arg.line == static_cast<std::uint32_t>(line) && arg.column == column &&
         arg.reason.find(reason_part) != std::string::npos;
}

// The first record that matches, or (with a test failure) a default one, so
// that a missing record fails the test instead of dereferencing null.
template <typename Record>
const Record& Find(const std::vector<Record>& records, auto predicate) {
  const auto it = std::find_if(records.begin(), records.end(), predicate);
  if (it == records.end()) {
    ADD_FAILURE() << "no record matches";
    static const Record kMissing{};
    return kMissing;
  }
  return *it;
}

// ---- the example set -----------------------------------------------------------

TEST_F(RegistryCsvTest, ReadsTheExampleSetWithoutProblems) {
  const std::vector<std::string> paths = {ExampleDir()};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Described(*read), IsEmpty());
  EXPECT_EQ(read->problem_count, 0U);
  const core::RegistryBatch& b = read->batch;
  // Row counts of the files, counted by hand.
  EXPECT_THAT(b.sources, SizeIs(13));
  EXPECT_THAT(b.sites, SizeIs(2));
  EXPECT_THAT(b.studies, SizeIs(1));
  EXPECT_THAT(b.arms, SizeIs(2));
  EXPECT_THAT(b.schedule, SizeIs(4));
  EXPECT_THAT(b.patients, SizeIs(4));
  EXPECT_THAT(b.infusions, SizeIs(3));
  EXPECT_THAT(b.procedures, SizeIs(3));
  EXPECT_THAT(b.medications, SizeIs(3));
  EXPECT_THAT(b.visits, SizeIs(6));
  EXPECT_THAT(b.labs, SizeIs(12));
  EXPECT_THAT(b.assessments, SizeIs(3));
  EXPECT_THAT(b.events, SizeIs(4));
  EXPECT_THAT(b.adverse_events, SizeIs(4));
}

TEST_F(RegistryCsvTest, ExampleLabsAreConvertedToCanonicalUnits) {
  const std::vector<std::string> paths = {ExampleDir()};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  const auto& labs = read->batch.labs;
  auto lab = [&](std::string_view patient, core::Analyte analyte) {
    return &Find(labs, [&](const core::LabResult& l) { return l.patient == patient && l.analyte == analyte; });
  };
  using core::Analyte;
  // Bilirubin 51.3 umol/L / 17.1 = 3.0 mg/dL.
  const core::LabResult* bili = lab("FR01-0001", Analyte::kBilirubin);
  ASSERT_NE(bili, nullptr);
  EXPECT_THAT(bili->value, Optional(DoubleEq(3.0)));
  EXPECT_EQ(bili->value_as_entered, "51.3");
  EXPECT_EQ(bili->unit_as_entered, "umol/L");
  EXPECT_EQ(bili->date, DateFromCivil(2023, 1, 10));
  EXPECT_EQ(bili->op, core::LabOperator::kEqual);
  EXPECT_EQ(bili->missing, std::nullopt);
  // labs.csv line 2 is the first data row.
  EXPECT_EQ(bili->origin.line, 2U);
  EXPECT_EQ(fs::path(read->batch.sources[bili->origin.source]).filename().string(), "labs.csv");
  // Albumin 28 g/L / 10 = 2.8 g/dL.
  EXPECT_THAT(lab("FR01-0001", Analyte::kAlbumin)->value, Optional(DoubleEq(2.8)));
  // Creatinine 97.24 umol/L / 88.4 = 1.1 mg/dL (88.4 x 1.1 = 97.24).
  EXPECT_THAT(lab("FR01-0001", Analyte::kCreatinine)->value, Optional(DoubleEq(1.1)));
  // INR has no unit; an empty unit cell means the canonical unit.
  EXPECT_THAT(lab("FR01-0001", Analyte::kInr)->value, Optional(DoubleEq(1.6)));
  // AFP "<2" ng/mL: operator kLess, the number kept without it.
  const core::LabResult* afp = lab("FR01-0001", Analyte::kAfp);
  EXPECT_EQ(afp->op, core::LabOperator::kLess);
  EXPECT_EQ(afp->value_as_entered, "2");
  EXPECT_THAT(afp->value, Optional(DoubleEq(2.0)));
  // Analyte by name ("bilirubin") and by LOINC code (6301-6 is INR).
  EXPECT_THAT(lab("FR01-0002", Analyte::kBilirubin)->value, Optional(DoubleEq(3.4)));
  EXPECT_THAT(lab("CN02-0001", Analyte::kInr)->value, Optional(DoubleEq(1.3)));
  // AST 1.5 ukat/L x 60 = 90 U/L.
  EXPECT_THAT(lab("CN02-0001", Analyte::kAst)->value, Optional(DoubleEq(90.0)));
  // A missing platelet count: no value, its reason kept.
  const core::LabResult* plat = lab("FR01-0002", Analyte::kPlatelets);
  ASSERT_NE(plat, nullptr);
  EXPECT_EQ(plat->value, std::nullopt);
  EXPECT_EQ(plat->missing, core::MissingReason::kSampleLost);
}

TEST_F(RegistryCsvTest, ExampleRecordsHoldTheirCodedValues) {
  const std::vector<std::string> paths = {ExampleDir()};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  const core::RegistryBatch& b = read->batch;

  const auto& p2 = Find(b.patients, [](const core::Patient& p) { return p.code == "FR01-0002"; });
  EXPECT_EQ(p2.sex, core::Sex::kFemale);
  EXPECT_EQ(p2.birth_year, 1958);
  EXPECT_TRUE(p2.aetiologies.Contains(core::Aetiology::kHcv));
  EXPECT_TRUE(p2.aetiologies.Contains(core::Aetiology::kAlcohol));
  EXPECT_FALSE(p2.aetiologies.Contains(core::Aetiology::kHbv));
  EXPECT_EQ(p2.first_decompensation, std::nullopt);
  EXPECT_EQ(p2.enrolment, DateFromCivil(2023, 2, 7));
  EXPECT_EQ(p2.status, core::PatientStatus::kDead);
  const auto& p3 = Find(b.patients, [](const core::Patient& p) { return p.code == "CN02-0001"; });
  EXPECT_EQ(p3.sex, core::Sex::kMale);  // written "M"
  const auto& p4 = Find(b.patients, [](const core::Patient& p) { return p.code == "CN02-0002"; });
  EXPECT_EQ(p4.arm, "");
  EXPECT_TRUE(p4.aetiologies.IsCholestatic());  // PBC

  // "BM MNC", "auto" and "portal" are synonyms of bm-mnc, autologous and portal-vein.
  const auto& inf = Find(b.infusions, [](const core::Infusion& i) { return i.patient == "CN02-0001"; });
  EXPECT_EQ(inf.number, 1);
  EXPECT_EQ(inf.product, core::CellProduct::kBmMnc);
  EXPECT_EQ(inf.source, core::CellSource::kAutologous);
  EXPECT_THAT(inf.dose, Optional(DoubleEq(1e6)));
  EXPECT_EQ(inf.dose_unit, core::DoseUnit::kCellsPerKg);
  EXPECT_EQ(inf.route, core::Route::kPortalVein);

  const auto& control = Find(b.arms, [](const core::Arm& a) { return a.code == "C"; });
  EXPECT_EQ(control.product, std::nullopt);
  EXPECT_EQ(control.route, std::nullopt);

  const auto& m3 = Find(b.schedule, [](const core::ScheduledVisit& v) { return v.code == "M3"; });
  EXPECT_EQ(m3.day, 91);
  EXPECT_EQ(m3.window_before, 7);
  EXPECT_EQ(m3.anchor, core::ScheduleAnchor::kFirstInfusion);

  // Quoted free text keeps its comma and its doubled quotes.
  const auto* tap =
      &Find(b.procedures, [](const core::Procedure& p) { return p.kind == core::ProcedureKind::kParacentesis; });
  ASSERT_NE(tap, nullptr);
  EXPECT_EQ(tap->detail, "6 L removed, albumin given");
  const auto* withdrawal =
      &Find(b.events, [](const core::OutcomeEvent& e) { return e.kind == core::OutcomeKind::kWithdrawal; });
  ASSERT_NE(withdrawal, nullptr);
  EXPECT_EQ(withdrawal->detail, "moved away; \"consent withdrawn\"");
  const auto& death = Find(b.events, [](const core::OutcomeEvent& e) { return e.kind == core::OutcomeKind::kDeath; });
  EXPECT_EQ(death.death_cause, core::DeathCause::kLiverFailure);

  const auto& bleed = Find(b.adverse_events, [](const core::AdverseEvent& e) { return e.grade == 3; });
  EXPECT_TRUE(bleed.serious);
  EXPECT_EQ(bleed.infusion, std::nullopt);
  EXPECT_EQ(bleed.relatedness, core::Relatedness::kNotRelated);
  EXPECT_EQ(bleed.end, DateFromCivil(2023, 7, 9));

  const auto& a1 = Find(b.assessments, [](const core::Assessment& a) { return a.patient == "FR01-0001"; });
  EXPECT_EQ(a1.ascites, core::Ascites::kMild);
  EXPECT_EQ(a1.encephalopathy_grade, 0);
  EXPECT_EQ(a1.varices, core::Varices::kSmall);
  EXPECT_THAT(a1.weight_kg, Optional(DoubleEq(71.5)));
  EXPECT_THAT(a1.liver_volume_ml, Optional(DoubleEq(1180.0)));

  const auto& med = Find(b.medications, [](const core::Medication& m) { return m.name == "propranolol"; });
  EXPECT_EQ(med.medication_class, core::MedicationClass::kBetaBlocker);
  EXPECT_EQ(med.end, DateFromCivil(2023, 6, 1));
  EXPECT_EQ(med.dose, "40 mg twice daily");
}

// ---- labs ---------------------------------------------------------------------------

constexpr std::string_view kLabHeader = "patient,date,analyte,value,unit,missing_reason\n";

TEST_F(RegistryCsvTest, LabOperatorPrefixesGoToTheOperator) {
  const RegistryRead read = ReadOne("labs.csv", std::string(kLabHeader) +
                                                    "P1,2024-01-01,BILI,<0.5,,\n"
                                                    "P1,2024-01-02,BILI,<=0.5,,\n"
                                                    "P1,2024-01-03,BILI,>30,,\n"
                                                    "P1,2024-01-04,BILI,>= 30,,\n"
                                                    "P1,2024-01-05,BILI,=2,,\n");
  ASSERT_THAT(Described(read), IsEmpty());
  ASSERT_THAT(read.batch.labs, SizeIs(5));
  const auto& labs = read.batch.labs;
  EXPECT_EQ(labs[0].op, core::LabOperator::kLess);
  EXPECT_EQ(labs[0].value_as_entered, "0.5");
  EXPECT_THAT(labs[0].value, Optional(DoubleEq(0.5)));
  EXPECT_EQ(labs[1].op, core::LabOperator::kLessOrEqual);
  EXPECT_EQ(labs[2].op, core::LabOperator::kGreater);
  EXPECT_EQ(labs[2].value_as_entered, "30");
  EXPECT_EQ(labs[3].op, core::LabOperator::kGreaterOrEqual);
  EXPECT_EQ(labs[3].value_as_entered, "30");
  EXPECT_EQ(labs[4].op, core::LabOperator::kEqual);
  EXPECT_EQ(labs[4].value_as_entered, "2");
}

TEST_F(RegistryCsvTest, UnitConfusionIsAProblemOfTheRow) {
  // Albumin 35 g/dL is five times the highest albumin a person can have
  // (7 g/dL); 35 g/L (3.5 g/dL) is ordinary.
  const RegistryRead read = ReadOne("labs.csv", std::string(kLabHeader) +
                                                    "P1,2024-01-01,ALB,35,g/dL,\n"
                                                    "P1,2024-01-02,ALB,35,g/L,\n");
  const std::string file = In("labs.csv");
  ASSERT_THAT(read.problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read.problems[0]),
            file + ":2: value \"35\": albumin 35 g/dL is outside the plausible range 0.5-7 g/dL; did you mean 35 g/L?");
  ASSERT_THAT(read.batch.labs, SizeIs(1));
  EXPECT_THAT(read.batch.labs[0].value, Optional(DoubleEq(3.5)));
}

TEST_F(RegistryCsvTest, LabCellProblemsNameFileLineAndColumn) {
  const RegistryRead read = ReadOne("labs.csv", std::string(kLabHeader) +
                                                    "P1,2024-01-01,ALB,31,mg/L,\n"         // line 2: unknown unit
                                                    "P1,2024-01-01,GGT,31,,\n"             // line 3: unknown analyte
                                                    "P1,2024-02-30,ALB,31,g/L,\n"          // line 4: no such day
                                                    "P1,01/03/2024,ALB,31,g/L,\n"          // line 5: not ISO
                                                    "P1,2024-01-05,ALB,,,\n"               // line 6: neither
                                                    "P1,2024-01-06,ALB,31,g/L,not-done\n"  // line 7: both
                                                    "P1,2024-01-07,ALB,3l,g/L,\n"          // line 8: not a number
                                                    ",2024-01-08,ALB,31,g/L,\n"            // line 9: no patient
                                                    "P1,2024-01-09,ALB,,,gone\n");         // line 10: bad reason
  const std::string f = In("labs.csv");
  EXPECT_THAT(read.problems,
              ElementsAre(ProblemAt(f, 2, "unit", "unknown unit \"mg/L\" for albumin; expected g/dL, g/L"),
                          ProblemAt(f, 3, "analyte", "analyte \"GGT\" is not recognised"),
                          ProblemAt(f, 4, "date", "date \"2024-02-30\" does not exist"),
                          ProblemAt(f, 5, "date", "date \"01/03/2024\" is not an ISO 8601 date; expected YYYY-MM-DD"),
                          ProblemAt(f, 6, "value", "value is empty; give a value or a missing_reason"),
                          ProblemAt(f, 7, "missing_reason", "missing_reason is given with a value"),
                          ProblemAt(f, 8, "value", "value \"3l\" is not a number"),
                          ProblemAt(f, 9, "patient", "patient is required"),
                          ProblemAt(f, 10, "missing_reason", "missing_reason \"gone\" is not recognised")));
  EXPECT_THAT(read.batch.labs, IsEmpty());
  EXPECT_EQ(read.problem_count, 9U);
}

TEST_F(RegistryCsvTest, ProblemsBeyondTheLimitAreOnlyCounted) {
  RegistryReadOptions options;
  options.max_problems = 2;
  const RegistryRead read = ReadOne(
      "labs.csv",
      std::string(kLabHeader) + "P1,x,ALB,31,g/L,\nP1,y,ALB,31,g/L,\nP1,z,ALB,31,g/L,\nP1,2024-01-01,ALB,31,g/L,\n",
      options);
  EXPECT_THAT(read.problems, SizeIs(2));
  EXPECT_EQ(read.problem_count, 3U);
  EXPECT_THAT(read.batch.labs, SizeIs(1));
}

// ---- headers ----------------------------------------------------------------------

TEST_F(RegistryCsvTest, HeaderNamesMatchInAnyCaseAndOptionalColumnsMayBeAbsent) {
  const RegistryRead read = ReadOne("labs.csv", "Patient, DATE ,Analyte,VALUE\nP1,2024-01-01,INR,1.2\n");
  EXPECT_THAT(Described(read), IsEmpty());
  ASSERT_THAT(read.batch.labs, SizeIs(1));
  EXPECT_THAT(read.batch.labs[0].value, Optional(DoubleEq(1.2)));
}

TEST_F(RegistryCsvTest, UnknownColumnIsReportedAndTheRowsAreStillRead) {
  // "untis" is a typo of "unit": silently ignoring it would read 31 as g/dL.
  const RegistryRead read = ReadOne("labs.csv", "patient,date,analyte,value,untis\nP1,2024-01-01,INR,1.2,\n");
  const std::string f = In("labs.csv");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(f, 1, "untis",
                                                   "unknown column \"untis\" in labs.csv; expected "
                                                   "columns patient, date, analyte, value, unit, "
                                                   "missing_reason")));
  EXPECT_THAT(read.batch.labs, SizeIs(1));
}

TEST_F(RegistryCsvTest, MissingRequiredColumnStopsTheFile) {
  const RegistryRead read = ReadOne("labs.csv", "patient,date,value\nP1,2024-01-01,1.2\n");
  const std::string f = In("labs.csv");
  EXPECT_THAT(read.problems,
              ElementsAre(ProblemAt(f, 1, "analyte", "missing required column \"analyte\" in labs.csv")));
  EXPECT_THAT(read.batch.labs, IsEmpty());
}

TEST_F(RegistryCsvTest, RepeatedColumnIsReported) {
  const RegistryRead read = ReadOne("visits.csv", "patient,date,Date\nP1,2024-01-01,2024-01-02\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("visits.csv"), 1, "Date", "column \"Date\" appears twice")));
}

TEST_F(RegistryCsvTest, RowWithTheWrongNumberOfFieldsIsReported) {
  const RegistryRead read = ReadOne("visits.csv", "patient,date\nP1,2024-01-01,extra\nP2,2024-01-01\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("visits.csv"), 2, "", "row has 3 fields; the header has 2")));
  EXPECT_THAT(read.batch.visits, SizeIs(1));
}

// ---- encoding faults ------------------------------------------------------------------

TEST_F(RegistryCsvTest, ByteOrderMarkAndCrlfAreAccepted) {
  const RegistryRead read =
      ReadOne("visits.csv", "\xEF\xBB\xBFpatient,date,visit\r\nP1,2024-01-01,D0\r\nP2,2024-01-02,\r\n");
  EXPECT_THAT(Described(read), IsEmpty());
  ASSERT_THAT(read.batch.visits, SizeIs(2));
  EXPECT_EQ(read.batch.visits[0].code, "D0");  // no "\r" left behind
  EXPECT_EQ(read.batch.visits[1].origin.line, 3U);
}

TEST_F(RegistryCsvTest, EmptyAndHeaderOnlyFilesHoldNoRows) {
  const std::vector<std::string> paths = {Put("labs.csv", ""), Put("visits.csv", "patient,date\n")};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Described(*read), IsEmpty());
  EXPECT_THAT(read->batch.labs, IsEmpty());
  EXPECT_THAT(read->batch.visits, IsEmpty());
  EXPECT_THAT(read->batch.sources, SizeIs(2));
}

TEST_F(RegistryCsvTest, BytesThatAreNotUtf8AreAProblemOfTheLine) {
  // "H\xF4pital": o-circumflex saved as Latin-1 (0xF4); in UTF-8 that byte
  // must be followed by three continuation bytes (10xxxxxx), and 'p' is not one.
  const RegistryRead read = ReadOne("sites.csv", "site,name\nFR01,H\xF4pital Beaujon\nFR02,H\xC3\xB4pital Cochin\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("sites.csv"), 2, "", "not UTF-8; save the file as UTF-8")));
  ASSERT_THAT(read.batch.sites, SizeIs(1));
  EXPECT_EQ(read.batch.sites[0].name, "H\xC3\xB4pital Cochin");  // proper UTF-8 is kept
}

TEST_F(RegistryCsvTest, OverlongAndSurrogateEncodingsAreNotUtf8) {
  // 0xC0 0xAF is an overlong '/', 0xED 0xA0 0x80 the surrogate U+D800 (Unicode table 3-7 forbids both).
  const RegistryRead read = ReadOne("sites.csv", "site,name\nA,x\xC0\xAF\nB,x\xED\xA0\x80\nC,\xF0\x9F\x98\x80\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("sites.csv"), 2, "", "not UTF-8"),
                                         ProblemAt(In("sites.csv"), 3, "", "not UTF-8")));
  EXPECT_THAT(read.batch.sites, SizeIs(1));  // U+1F600 in four bytes is fine
}

TEST_F(RegistryCsvTest, UnclosedQuoteIsAProblemAndReadingResumesOnTheNextLine) {
  const RegistryRead read = ReadOne("procedures.csv",
                                    "patient,procedure,date,detail\n"
                                    "P1,tips,2024-01-01,\"stent 10 mm\n"
                                    "P2,tips,2024-01-02,ok\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("procedures.csv"), 2, "", "a quoted field is never closed")));
  ASSERT_THAT(read.batch.procedures, SizeIs(1));
  EXPECT_EQ(read.batch.procedures[0].patient, "P2");
  EXPECT_EQ(read.batch.procedures[0].origin.line, 3U);
}

TEST_F(RegistryCsvTest, StrayQuoteInsideAFieldIsAProblemOfItsLine) {
  const RegistryRead read = ReadOne("procedures.csv",
                                    "patient,procedure,date,detail\n"
                                    "P1,tips,2024-01-01,10\" stent\n"
                                    "P2,tips,2024-01-02,ok\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("procedures.csv"), 2, "", "a quote inside an unquoted field")));
  EXPECT_THAT(read.batch.procedures, SizeIs(1));
}

TEST_F(RegistryCsvTest, BrokenHeaderStopsTheFile) {
  // The header's 0xE9 (Latin-1 e-acute) makes it unreadable; the data line
  // below must not be taken for the header.
  const RegistryRead read = ReadOne("visits.csv", "patient,date,r\xE9sum\xE9\nP1,2024-01-01,x\n");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(In("visits.csv"), 1, "", "not UTF-8")));
  EXPECT_THAT(read.batch.visits, IsEmpty());
}

// ---- other record checks -------------------------------------------------------------

TEST_F(RegistryCsvTest, CodedCellsReuseTheCoreParsersMessages) {
  const RegistryRead read = ReadOne("infusions.csv",
                                    "patient,infusion,date,product,route,dose,dose_unit\n"
                                    "P1,1,2024-01-01,bm-mnc,nasal,1e6,cells/kg\n"
                                    "P1,2,2024-01-01,stem cells,portal,1e6,cells/kg\n"
                                    "P1,0,2024-01-01,bm-mnc,portal,1e6,cells/kg\n"
                                    "P1,3,2024-01-01,bm-mnc,portal,1e6,\n"
                                    "P1,4,2024-01-01,bm-mnc,portal,-5,cells\n");
  const std::string f = In("infusions.csv");
  EXPECT_THAT(read.problems,
              ElementsAre(ProblemAt(f, 2, "route",
                                    "route \"nasal\" is not recognised; expected one of peripheral-vein, portal-vein, "
                                    "hepatic-artery, implanted-port, other"),
                          ProblemAt(f, 3, "product", "product \"stem cells\" is not recognised"),
                          ProblemAt(f, 4, "infusion", "infusion \"0\" is not a whole number from 1 to 1000"),
                          ProblemAt(f, 5, "dose_unit", "dose_unit is required with a dose"),
                          ProblemAt(f, 6, "dose", "dose \"-5\" is not a positive number of cells")));
}

TEST_F(RegistryCsvTest, EveryFileReportsItsBadCells) {
  const std::vector<std::string> paths = {
      Put("sites.csv", "site,country\nFR01,France\n"),
      Put("arms.csv", "study,arm,product\nS,A,bm-mnc-x\n"),
      Put("schedule.csv", "study,visit,day,window_before\nS,W4,four,\nS,W8,56,-3\n"),
      Put("patients.csv",
          "patient,site,study,sex,birth_year,aetiology\n"
          "P1,S,X,2,1960,HBV\nP2,S,X,F,60,HBV\nP3,S,X,F,1960,HBV;;HCV\nP4,,X,F,1960,HBV\n"),
      Put("medications.csv",
          "patient,class,name,start,end\nP1,diuretic,furosemide,2024-02-01,2024-01-01\nP1,diuretic,,2024-02-01,\n"),
      Put("visits.csv", "patient,date,status\nP1,2024-01-01,attended\n"),
      Put("assessments.csv",
          "patient,date,encephalopathy_grade,weight_kg,ascites\n"
          "P1,2024-01-01,5,70,none\nP1,2024-01-02,1,-70,none\nP1,2024-01-03,1,70,lots\n"),
      Put("adverse_events.csv", "patient,term,onset,grade,serious\nP1,fever,2024-01-01,1,maybe\n"),
  };
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(
      read->problems,
      ElementsAre(
          ProblemAt(paths[0], 2, "country", "country \"France\" is not an ISO 3166-1 alpha-2 code such as FR or CN"),
          ProblemAt(paths[1], 2, "product", "product \"bm-mnc-x\" is not recognised"),
          ProblemAt(paths[2], 2, "day", "day \"four\" is not a whole number from -36600 to 36600"),
          ProblemAt(paths[2], 3, "window_before", "window_before \"-3\" is not a whole number from 0 to 36600"),
          ProblemAt(paths[3], 2, "sex", "sex \"2\" is not recognised; expected male or female (M/F)"),
          ProblemAt(paths[3], 3, "birth_year", "birth_year \"60\" is not a whole number from 1850 to 2200"),
          ProblemAt(paths[3], 4, "aetiology", "aetiology \"HBV;;HCV\" has an empty entry"),
          ProblemAt(paths[3], 5, "site", "site is required"),
          ProblemAt(paths[4], 2, "end", "end 2024-01-01 is before start 2024-02-01"),
          ProblemAt(paths[4], 3, "name", "name is required"),
          ProblemAt(paths[5], 2, "status",
                    "status \"attended\" is not recognised; expected one of scheduled, completed, missed, cancelled"),
          ProblemAt(paths[6], 2, "encephalopathy_grade",
                    "encephalopathy_grade \"5\" is not a whole number from 0 to 4"),
          ProblemAt(paths[6], 3, "weight_kg", "weight_kg \"-70\" is not a positive number of kg"),
          ProblemAt(paths[6], 4, "ascites", "ascites \"lots\" is not recognised"),
          ProblemAt(paths[7], 2, "serious", "serious \"maybe\" is not recognised; expected yes or no")));
  EXPECT_THAT(read->batch.sites, IsEmpty());
  EXPECT_THAT(read->batch.patients, IsEmpty());
  EXPECT_THAT(read->batch.schedule, IsEmpty());
}

TEST_F(RegistryCsvTest, EventDetailsMustFitTheEventKind) {
  const RegistryRead read = ReadOne("events.csv",
                                    "patient,event,date,death_cause,decompensation\n"
                                    "P1,hcc,2024-01-01,bleeding,\n"
                                    "P1,death,2024-01-01,,ascites\n"
                                    "P1,death,2024-02-01,sepsis,\n");
  const std::string f = In("events.csv");
  EXPECT_THAT(read.problems,
              ElementsAre(ProblemAt(f, 2, "death_cause", "death_cause is only for a death event, not hcc"),
                          ProblemAt(f, 3, "decompensation", "decompensation is only for a decompensation event")));
  ASSERT_THAT(read.batch.events, SizeIs(1));
  EXPECT_EQ(read.batch.events[0].death_cause, core::DeathCause::kInfection);  // "sepsis" is a synonym
}

TEST_F(RegistryCsvTest, AnEndBeforeItsStartIsAProblem) {
  const RegistryRead read = ReadOne("adverse_events.csv",
                                    "patient,term,onset,end,grade\n"
                                    "P1,fever,2024-01-05,2024-01-04,1\n"
                                    "P1,rash,2024-01-05,2024-01-05,6\n");
  const std::string f = In("adverse_events.csv");
  EXPECT_THAT(read.problems, ElementsAre(ProblemAt(f, 2, "end", "end 2024-01-04 is before onset 2024-01-05"),
                                         ProblemAt(f, 3, "grade", "grade \"6\" is not a whole number from 1 to 5")));
}

TEST_F(RegistryCsvTest, DuplicateKeysNameBothLinesAndKeepTheFirst) {
  const RegistryRead read = ReadOne("patients.csv",
                                    "patient,site,study,sex\n"
                                    "P1,FR01,S,male\n"
                                    "P2,FR01,S,female\n"
                                    "P1,FR01,S,female\n");
  const std::string f = In("patients.csv");
  ASSERT_THAT(read.problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read.problems[0]), f + ":4: patient \"P1\": duplicate key; first on " + f + ":2");
  ASSERT_THAT(read.batch.patients, SizeIs(2));
  EXPECT_EQ(read.batch.patients[0].sex, core::Sex::kMale);
}

TEST_F(RegistryCsvTest, DuplicateLabKeyIsPatientDateAndAnalyte) {
  // "albumin" and "ALB" are the same analyte, so lines 2 and 4 collide; line 3
  // differs in date.
  const RegistryRead read = ReadOne("labs.csv", std::string(kLabHeader) +
                                                    "P1,2024-01-01,ALB,31,g/L,\n"
                                                    "P1,2024-01-02,ALB,31,g/L,\n"
                                                    "P1,2024-01-01,albumin,3.2,g/dL,\n");
  const std::string f = In("labs.csv");
  ASSERT_THAT(read.problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read.problems[0]),
            f + ":4: patient,date,analyte \"P1,2024-01-01,ALB\": duplicate key; first on " + f + ":2");
  EXPECT_THAT(read.batch.labs, SizeIs(2));
}

TEST_F(RegistryCsvTest, DuplicatesAcrossFilesNameBothFiles) {
  const std::string a = Put("visits.csv", "patient,date\nP1,2024-01-01\n");
  fs::create_directories(dir_ / "in" / "more");
  const std::string b = Put("more/visits.csv", "patient,date\nP0,2024-01-01\nP1,2024-01-01\n");
  const std::vector<std::string> paths = {a, b};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  ASSERT_THAT(read->problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read->problems[0]),
            b + ":3: patient,date \"P1,2024-01-01\": duplicate key; first on " + a + ":2");
}

// ---- errors that stop reading ---------------------------------------------------------

TEST_F(RegistryCsvTest, UnknownFileNameIsAnErrorListingTheAcceptedNames) {
  const std::vector<std::string> paths = {Put("lab.csv", "patient\n")};
  auto read = ReadRegistryCsv(paths);
  EXPECT_THAT(read, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr("unknown registry file " + paths[0])));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr("sites.csv, studies.csv, arms.csv, schedule.csv, patients.csv, "
                                              "infusions.csv, procedures.csv, medications.csv, visits.csv, labs.csv, "
                                              "assessments.csv, events.csv, adverse_events.csv")));
}

TEST_F(RegistryCsvTest, MissingFileIsNotFound) {
  const std::vector<std::string> paths = {In("labs.csv")};
  EXPECT_THAT(ReadRegistryCsv(paths), HasErrorCode(ErrorCode::kNotFound));
}

TEST_F(RegistryCsvTest, DirectoryReadsOnlyItsCsvFiles) {
  Put("visits.csv", "patient,date\nP1,2024-01-01\n");
  Put("README.txt", "not a registry file\n");
  const std::vector<std::string> paths = {(dir_ / "in").string()};
  auto read = ReadRegistryCsv(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(read->batch.sources, ElementsAre(In("visits.csv")));
  EXPECT_THAT(read->batch.visits, SizeIs(1));
}

// ---- writing -----------------------------------------------------------------------------

TEST_F(RegistryCsvTest, ExampleSetRoundTripsToTheSameBatchAndBytes) {
  const std::vector<std::string> examples = {ExampleDir()};
  auto first = ReadRegistryCsv(examples);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(WriteRegistryCsv(first->batch, Out()), IsOk());

  const std::vector<std::string> written = {Out()};
  auto second = ReadRegistryCsv(written);
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(Described(*second), IsEmpty());
  EXPECT_TRUE(SameBatch(first->batch, second->batch));

  // Writing the re-read batch gives the same bytes: output is deterministic.
  const std::string again = (dir_ / "again").string();
  ASSERT_THAT(WriteRegistryCsv(second->batch, again), IsOk());
  for (std::string_view name : RegistryCsvFileNames()) {
    EXPECT_EQ(Slurp(again + "/" + std::string(name)), Slurp(Out() + "/" + std::string(name))) << name;
  }
}

TEST_F(RegistryCsvTest, FreeTextThatNeedsQuotingRoundTrips) {
  core::RegistryBatch batch;
  batch.sites.push_back(core::Site{"FR01", "Hôpital \"Beaujon\", Clichy", "FR", {}});
  batch.procedures.push_back(core::Procedure{
      "P1", core::ProcedureKind::kOther, DateFromCivil(2024, 1, 1), "line one\nline two, \"quoted\"", {}});
  batch.medications.push_back(core::Medication{
      "P1", core::MedicationClass::kOther, "drug, \"x\"", DateFromCivil(2024, 1, 1), std::nullopt, "1,5 mg\r\n", {}});
  batch.events.push_back(core::OutcomeEvent{"P1",
                                            core::OutcomeKind::kOtherCancer,
                                            DateFromCivil(2024, 2, 1),
                                            std::nullopt,
                                            std::nullopt,
                                            "  leading spaces, kept",
                                            {}});
  core::AdverseEvent ae;
  ae.patient = "P1";
  ae.term = "rash, \"maculopapular\"";
  ae.onset = DateFromCivil(2024, 1, 2);
  batch.adverse_events.push_back(ae);
  ASSERT_THAT(WriteRegistryCsv(batch, Out()), IsOk());

  const std::vector<std::string> written = {Out()};
  auto read = ReadRegistryCsv(written);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Described(*read), IsEmpty());
  EXPECT_TRUE(SameBatch(batch, read->batch));
  EXPECT_EQ(read->batch.procedures[0].origin.line, 2U);
}

TEST_F(RegistryCsvTest, WriterSortsByKeyAndWritesShortestNumbers) {
  core::RegistryBatch batch;
  core::Infusion later;
  later.patient = "P2";
  later.number = 1;
  later.date = DateFromCivil(2024, 3, 1);
  later.product = core::CellProduct::kUcMsc;
  later.source = core::CellSource::kAllogeneic;
  later.dose = 1e6;
  later.route = core::Route::kPeripheralVein;
  core::Infusion earlier = later;
  earlier.patient = "P1";
  earlier.number = 2;
  earlier.dose = 0.1 + 0.2;  // not 0.3: the shortest text that reads back is 0.30000000000000004
  earlier.dose_unit = core::DoseUnit::kCells;
  core::Infusion first = earlier;
  first.number = 1;
  first.dose = std::nullopt;
  batch.infusions = {later, earlier, first};
  ASSERT_THAT(WriteRegistryCsv(batch, Out()), IsOk());
  // 1e6 is "1e+06": to_chars picks the shorter of 1000000 and 1e+06.
  EXPECT_EQ(Slurp(Out() + "/infusions.csv"),
            "patient,infusion,course,date,product,source,dose,dose_unit,route\n"
            "P1,1,1,2024-03-01,uc-msc,allogeneic,,cells,peripheral-vein\n"
            "P1,2,1,2024-03-01,uc-msc,allogeneic,0.30000000000000004,cells,peripheral-vein\n"
            "P2,1,1,2024-03-01,uc-msc,allogeneic,1e+06,cells/kg,peripheral-vein\n");
  // Only non-empty tables get a file.
  EXPECT_FALSE(fs::exists(Out() + "/labs.csv"));
}

TEST_F(RegistryCsvTest, LabsAreWrittenWithOperatorUnitAndMissingReason) {
  core::RegistryBatch batch;
  core::LabResult lab;
  lab.patient = "P1";
  lab.date = DateFromCivil(2024, 1, 1);
  lab.analyte = core::Analyte::kBilirubin;
  lab.value_as_entered = "8.6";
  lab.unit_as_entered = "umol/L";
  lab.value = 8.6 / 17.1;
  lab.op = core::LabOperator::kLess;
  batch.labs.push_back(lab);
  core::LabResult missing;
  missing.patient = "P1";
  missing.date = DateFromCivil(2024, 1, 1);
  missing.analyte = core::Analyte::kAlbumin;
  missing.missing = core::MissingReason::kNotDone;
  batch.labs.push_back(missing);
  core::LabResult coded;  // built in code: no text as entered
  coded.patient = "P1";
  coded.date = DateFromCivil(2024, 1, 2);
  coded.analyte = core::Analyte::kInr;
  coded.value = 1.25;
  batch.labs.push_back(coded);
  ASSERT_THAT(WriteRegistryCsv(batch, Out()), IsOk());
  // Sorted by (patient, date, analyte) with analytes in enum order: bilirubin before albumin.
  EXPECT_EQ(Slurp(Out() + "/labs.csv"),
            "patient,date,analyte,value,unit,missing_reason\n"
            "P1,2024-01-01,BILI,<8.6,umol/L,\n"
            "P1,2024-01-01,ALB,,,not-done\n"
            "P1,2024-01-02,INR,1.25,,\n");
}

TEST_F(RegistryCsvTest, WritingIntoAFileIsAnError) {
  const std::string file = Put("blocker", "x");
  core::RegistryBatch batch;
  batch.sites.push_back(core::Site{"S", "", "", {}});
  EXPECT_THAT(WriteRegistryCsv(batch, file + "/sub"), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::io
