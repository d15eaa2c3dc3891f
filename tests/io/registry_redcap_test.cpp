// WriteRedcapProject / ReadRedcapProject of io/registry_redcap.hpp: the
// lossless round trip on a batch that sets every optional field both ways and
// uses every enum value, the exact REDCap file shapes, a foreign project
// (tests/io/data/redcap/foreign), and every error path.
#include "cirrus/io/registry_redcap.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cirrus/base/text.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus_matchers.hpp"
#include "registry_batch.hpp"

namespace cirrus::io {
namespace {

namespace fs = std::filesystem;
using cirrus::testing::SameBatch;
using core::Analyte;
using core::Date;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

const fs::path kDataDir = fs::path(__FILE__).parent_path() / "data" / "redcap";

Date D(const char* text) { return *core::ParseDate(text); }

// ---- records as one line of text each, for expectations written as text ----

template <typename T>
std::string Opt(const std::optional<T>& v) {
  if (!v) return "-";
  if constexpr (std::is_same_v<T, Date>) {
    return core::FormatDate(*v);
  } else if constexpr (std::is_same_v<T, double>) {
    return ShortestText(*v);
  } else if constexpr (std::is_same_v<T, int>) {
    return std::to_string(*v);
  } else if constexpr (std::is_same_v<T, core::Sex> || std::is_same_v<T, core::Ascites>) {
    return std::string(core::Name(*v));
  } else if constexpr (std::is_same_v<T, core::Dialysis>) {
    return *v == core::Dialysis::kDialysis ? "dialysis" : "none";
  } else {
    return std::string(core::Code(*v));
  }
}
std::string Q(const std::string& s) { return "[" + s + "]"; }

std::string Dump(const core::Site& x) { return Q(x.code) + Q(x.name) + Q(x.country); }
std::string Dump(const core::Patient& x) {
  std::string aet;
  for (int i = 0; i < 10; ++i) aet += x.aetiologies.Contains(static_cast<core::Aetiology>(i)) ? '1' : '0';
  return Q(x.code) + Q(x.site) + Q(x.study) + Q(x.arm) + Opt(x.sex) + "," + Opt(x.birth_year) + "," + aet + "," +
         Opt(x.cirrhosis_diagnosis) + "," + Opt(x.first_decompensation) + "," + Opt(x.enrolment) + "," +
         std::string(core::Code(x.status));
}
std::string Dump(const core::LabResult& x) {
  return Q(x.patient) + core::FormatDate(x.date) + "," + std::string(core::Code(x.analyte)) + Q(x.value_as_entered) +
         Q(x.unit_as_entered) + Opt(x.value) + "," + std::string(core::Code(x.op)) + "," + Opt(x.missing);
}

// The records of one kind as sorted descriptions: the batch's order is not a fact.
template <typename T>
std::vector<std::string> Dumps(const std::vector<T>& records) {
  std::vector<std::string> out;
  for (const T& r : records) out.push_back(Dump(r));
  std::sort(out.begin(), out.end());
  return out;
}

// ---- a batch with every optional set and empty and every enum value -------

constexpr const char* kNastyText = "commas, \"quotes\" and\na second line";

core::LabResult Lab(const std::string& patient, const char* date, Analyte analyte, std::string text,
                    std::string unit = {}) {
  core::LabResult lab;
  lab.patient = patient;
  lab.date = D(date);
  lab.analyte = analyte;
  lab.value_as_entered = std::move(text);
  lab.unit_as_entered = std::move(unit);
  const core::UnitInfo* u = *core::FindUnit(
      analyte, lab.unit_as_entered.empty() ? core::CanonicalUnit(analyte).ucum : std::string_view(lab.unit_as_entered));
  lab.value = *core::ToCanonical(analyte, core::Quantity{*core::ParseNumber(lab.value_as_entered), u});
  return lab;
}

core::RegistryBatch RichBatch() {
  core::RegistryBatch b;
  b.sources = {"rich"};
  b.sites = {{"FR01", "Hôpital Beaujon, Clichy", "FR", {}}, {"cn-02", "", "", {}}};
  b.studies = {{"CELL-01", kNastyText, "NCT01234567", {}}, {"REG", "Registry only", "", {}}};
  b.arms = {{"CELL-01", "A", "BM-MNC, portal", core::CellProduct::kBmMnc, core::Route::kPortalVein, {}},
            {"CELL-01", "C", "Control \"standard care\"", std::nullopt, std::nullopt, {}},
            {"CELL-01", "B", "", core::CellProduct::kUcMsc, std::nullopt, {}}};
  b.schedule = {{"CELL-01", "SCR", "Screening", -14, 0, 7, core::ScheduleAnchor::kEnrolment, {}},
                {"CELL-01", "W4", "Week 4, after infusion", 28, 3, 3, core::ScheduleAnchor::kFirstInfusion, {}}};

  const char* const codes[] = {"FR01-0001",  "FR01-0002", "FR01-0003", "cn-02-0004",
                               "cn-02-0005", "FR01-0006", "(design)"};
  for (int i = 0; i < 7; ++i) {
    core::Patient p;
    p.code = i == 6 ? std::string(kRedcapDesignRecord) : codes[i];
    p.status = static_cast<core::PatientStatus>(i);
    if (i % 2 == 0) {
      p.site = i < 3 ? "FR01" : "cn-02";
      p.study = "CELL-01";
      p.arm = i == 0 ? "A" : (i == 2 ? "C" : "");
      p.sex = i == 0 ? core::Sex::kMale : core::Sex::kFemale;
      p.birth_year = 1950 + i;
      p.cirrhosis_diagnosis = D("2015-03-04");
      p.first_decompensation = D("2019-11-30");
      p.enrolment = D("2023-01-10");
    }
    b.patients.push_back(p);
  }
  for (int a = 0; a < 10; ++a) b.patients[0].aetiologies.Add(static_cast<core::Aetiology>(a));
  b.patients[2].aetiologies.Add(core::Aetiology::kHbv);
  b.patients[2].aetiologies.Add(core::Aetiology::kAlcohol);

  const std::string p1 = "FR01-0001";
  const std::string p2 = "cn-02-0005";
  for (int i = 0; i < 5; ++i) {
    core::Infusion x;
    x.patient = i < 3 ? p1 : p2;
    x.number = i + 1;
    x.course = 1 + i / 2;
    x.date = D("2023-02-01").PlusDays(30 * i);
    x.product = static_cast<core::CellProduct>(i % 4);
    x.source = static_cast<core::CellSource>(i % 2);
    if (i != 2) x.dose = i == 1 ? 0.1 + 0.2 : 2.5e6 * (i + 1);
    x.dose_unit = static_cast<core::DoseUnit>(i % 2);
    x.route = static_cast<core::Route>(i);
    b.infusions.push_back(x);
  }
  for (int k = 0; k < 8; ++k) {
    b.procedures.push_back({p1,
                            static_cast<core::ProcedureKind>(k),
                            D("2023-01-20").PlusDays(k),
                            k == 7 ? kNastyText : (k == 0 ? "iliac crest, 120 mL" : ""),
                            {}});
  }
  for (int k = 0; k < 5; ++k) {
    core::Medication m;
    m.patient = k < 3 ? p1 : p2;
    m.medication_class = static_cast<core::MedicationClass>(k);
    m.name = k == 4 ? "" : (k == 0 ? "entecavir" : "drug, \"brand\"");
    m.start = D("2022-06-01").PlusDays(k);
    if (k % 2 == 0) m.end = D("2023-06-01");
    m.dose = k == 1 ? kNastyText : (k == 0 ? "0.5 mg daily" : "");
    b.medications.push_back(m);
  }
  for (int k = 0; k < 4; ++k) {
    b.visits.push_back({p1,
                        D("2023-03-01").PlusDays(7 * k),
                        k == 3 ? "" : "W" + std::to_string(k),
                        static_cast<core::VisitStatus>(k),
                        {}});
  }

  // Labs: every analyte, canonical and other units, every operator, every
  // missing reason, and two results of one analyte on one day.
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kBilirubin, "46", "umol/L"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kAlbumin, "31", "g/L"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kCreatinine, "1.1"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kSodium, "134", "mmol/L"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kPlatelets, "98000", "/uL"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kAst, "0.9", "ukat/L"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kAstUpperLimitOfNormal, "40"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kAlt, "35"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kInr, "1.45"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kProthrombinTime, "15.2", "s"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kProthrombinActivity, "62"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kCholinesterase, "4.1", "kU/L"));
  b.labs.push_back(Lab(p1, "2023-02-01", Analyte::kAfp, "10", "IU/mL"));
  // A second albumin the next day: one lab per patient, day and analyte is the
  // registry's key, and a second one the same day is a duplicate-key problem.
  b.labs.push_back(Lab(p1, "2023-02-02", Analyte::kAlbumin, "2.9", "g/dL"));
  const core::LabOperator ops[] = {core::LabOperator::kLess, core::LabOperator::kLessOrEqual,
                                   core::LabOperator::kGreater, core::LabOperator::kGreaterOrEqual};
  for (int k = 0; k < 4; ++k) {
    core::LabResult lab = k == 3 ? Lab(p1, "2023-03-01", Analyte::kSodium, "120")
                                 : Lab(p1, "2023-03-01", static_cast<Analyte>(k), k == 0 ? "0.5" : "3");
    lab.op = ops[k];
    b.labs.push_back(lab);
  }
  for (int k = 0; k < 4; ++k) {
    core::LabResult lab;
    lab.patient = p2;
    lab.date = D("2023-04-01");
    lab.analyte = static_cast<Analyte>(k);
    lab.missing = static_cast<core::MissingReason>(k);
    if (k == 1) lab.unit_as_entered = "g/L";
    b.labs.push_back(lab);
  }
  {
    core::LabResult fhir_like;  // a canonical value with no text as entered
    fhir_like.patient = p2;
    fhir_like.date = D("2023-04-02");
    fhir_like.analyte = Analyte::kInr;
    fhir_like.value = 1.2345678901234567;
    b.labs.push_back(fhir_like);
  }

  for (int k = 0; k < 5; ++k) {
    core::Assessment a;
    a.patient = p1;
    a.date = D("2023-05-01").PlusDays(k);
    if (k < 3) a.ascites = static_cast<core::Ascites>(k);
    if (k < 5) a.encephalopathy_grade = k;
    if (k < 2) a.dialysis = static_cast<core::Dialysis>(k);
    if (k < 3) a.varices = static_cast<core::Varices>(k);
    if (k == 0) {
      a.weight_kg = 72.35;
      a.liver_volume_ml = 1450;
    }
    b.assessments.push_back(a);
  }
  b.assessments.push_back({p2, D("2023-05-01"), {}, {}, {}, {}, {}, {}, {}});

  for (int k = 0; k < 8; ++k) {
    core::OutcomeEvent e;
    e.patient = p1;
    e.kind = static_cast<core::OutcomeKind>(k);
    e.date = D("2024-01-01").PlusDays(k);
    if (k == 0) e.death_cause = core::DeathCause::kLiverFailure;
    if (k == 4) e.decompensation = core::DecompensationKind::kAscites;
    if (k == 6) e.detail = kNastyText;
    b.events.push_back(e);
  }
  for (int c = 1; c < 6; ++c) {
    b.events.push_back({p2,
                        core::OutcomeKind::kDeath,
                        D("2024-02-01").PlusDays(c),
                        static_cast<core::DeathCause>(c),
                        std::nullopt,
                        "",
                        {}});
  }
  for (int c = 1; c < 4; ++c) {
    b.events.push_back({p2,
                        core::OutcomeKind::kDecompensation,
                        D("2023-09-01").PlusDays(c),
                        std::nullopt,
                        static_cast<core::DecompensationKind>(c),
                        "",
                        {}});
  }

  for (int k = 0; k < 6; ++k) {
    core::AdverseEvent ae;
    ae.patient = k < 3 ? p1 : p2;
    ae.term = k == 0 ? "fever" : (k == 1 ? kNastyText : "bleeding at puncture site, minor");
    ae.onset = D("2023-02-02").PlusDays(k);
    if (k % 2 == 0) ae.end = ae.onset.PlusDays(2);
    ae.grade = 1 + k % 5;
    ae.serious = k % 2 == 1;
    if (k < 3) ae.infusion = k + 1;
    ae.relatedness = static_cast<core::Relatedness>(k % 5);
    ae.outcome = static_cast<core::AeOutcome>(k);
    b.adverse_events.push_back(ae);
  }
  // An orphan: a lab of a record with no enrolment row.
  b.labs.push_back(Lab("XX-9", "2023-01-01", Analyte::kSodium, "140"));
  return b;
}

class RedcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / ("cirrus_redcap_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void WriteText(const std::string& name, const std::string& text) const {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
  }
  Result<RedcapRead> ReadDir(std::size_t max_problems = 100) const {
    const std::string paths[] = {dir_.string()};
    return ReadRedcapProject(paths, max_problems);
  }
  std::string FirstLine(const std::string& name) const {
    const std::string text = Slurp(dir_ / name);
    return text.substr(0, text.find('\n'));
  }

  fs::path dir_;
};

TEST_F(RedcapTest, RoundTripIsLossless) {
  const core::RegistryBatch batch = RichBatch();
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  for (const auto& p : read->problems) ADD_FAILURE() << core::Describe(p);
  EXPECT_EQ(read->problem_count, 0U);
  EXPECT_TRUE(SameBatch(batch, read->batch));
}

TEST_F(RedcapTest, RoundTripOfAnEmptyBatchIsEmpty) {
  ASSERT_THAT(WriteRedcapProject(core::RegistryBatch{}, dir_.string()), IsOk());
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 0U);
  EXPECT_TRUE(SameBatch(core::RegistryBatch{}, read->batch));
}

TEST_F(RedcapTest, RoundTripSetsOriginToTheRecordsFileLine) {
  core::RegistryBatch batch;
  batch.patients.push_back({"P1", "S", "ST", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_THAT(read->batch.patients, SizeIs(1));
  EXPECT_EQ(read->batch.patients[0].origin.line, 2U);
  EXPECT_THAT(read->batch.sources.at(read->batch.patients[0].origin.source), HasSubstr("records.csv"));
}

// The helper must see a change in any field, or the round-trip test proves nothing.
TEST(RedcapEqualityHelper, SeesAChangeInEveryRecordKind) {
  const core::RegistryBatch base = RichBatch();
  std::vector<std::function<void(core::RegistryBatch&)>> changes = {
      [](auto& b) { b.sites[1].country = "CN"; },
      [](auto& b) { b.studies[1].registration = "x"; },
      [](auto& b) { b.arms[1].route = core::Route::kOther; },
      [](auto& b) { b.schedule[0].window_before = 1; },
      [](auto& b) { b.patients[1].aetiologies.Add(core::Aetiology::kPsc); },
      [](auto& b) { b.patients[0].enrolment.reset(); },
      [](auto& b) { b.infusions[0].course = 9; },
      [](auto& b) { b.procedures[0].detail += " "; },
      [](auto& b) { b.medications[0].end.reset(); },
      [](auto& b) { b.visits[0].code = "W9"; },
      [](auto& b) { b.labs[0].unit_as_entered = ""; },
      [](auto& b) { *b.labs[0].value += 1e-12; },
      [](auto& b) { b.assessments[0].liver_volume_ml.reset(); },
      [](auto& b) { b.events[0].death_cause = core::DeathCause::kOther; },
      [](auto& b) { b.adverse_events[0].serious = !b.adverse_events[0].serious; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    core::RegistryBatch changed = base;
    changes[i](changed);
    EXPECT_FALSE(SameBatch(base, changed)) << "change " << i;
  }
}

TEST_F(RedcapTest, DictionaryHasRedcapsEighteenHeadersAndRecordIdFirst) {
  ASSERT_THAT(WriteRedcapProject(RichBatch(), dir_.string()), IsOk());
  EXPECT_EQ(FirstLine("dictionary.csv"),
            "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,\"Choices, Calculations, OR Slider "
            "Labels\",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation "
            "Max,Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,Question Number "
            "(surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation");
  const std::string dict = Slurp(dir_ / "dictionary.csv");
  EXPECT_THAT(dict, HasSubstr("\nrecord_id,enrolment,,text,"));
  EXPECT_THAT(dict, HasSubstr("aetiology,enrolment,,checkbox,Aetiology of cirrhosis,\"hbv, HBV | hcv, HCV"));
  EXPECT_THAT(dict, HasSubstr("infusion_product,infusion,,dropdown,Cell product,\"bm-mnc, Bm mnc | bm-msc, Bm msc"));
  EXPECT_THAT(dict, HasSubstr("@LOINC=1751-7 @UNIT=g/dL @CIRRUS-ANALYTE=ALB"));
  EXPECT_THAT(dict, HasSubstr("lab_date,lab,,text,Specimen collection date,,,date_ymd"));
  EXPECT_EQ(RedcapDictionaryHeaders().size(), 18U);
}

// The dictionary's choice lists are built from enum sizes kept in the
// writer; this catches an enum value added to core but not to REDCap.
template <typename E>
int CountCodes() {
  int n = 0;
  while (core::Code(static_cast<E>(n)) != "?") ++n;
  return n;
}

TEST_F(RedcapTest, ChoiceListsHaveEveryEnumValue) {
  ASSERT_THAT(WriteRedcapProject(core::RegistryBatch{}, dir_.string()), IsOk());
  const std::string text = Slurp(dir_ / "dictionary.csv");
  CsvReader reader(text, "dictionary.csv");
  std::map<std::string, int> choices;
  while (*reader.Next()) {
    const std::string_view list = reader.fields()[5];
    if (list.empty()) continue;
    int n = 1;
    for (std::size_t pos = list.find(" | "); pos != std::string_view::npos; pos = list.find(" | ", pos + 1)) ++n;
    choices[std::string(reader.fields()[0])] = n;
  }
  EXPECT_EQ(choices["infusion_product"], CountCodes<core::CellProduct>());
  EXPECT_EQ(choices["infusion_source"], CountCodes<core::CellSource>());
  EXPECT_EQ(choices["infusion_dose_unit"], CountCodes<core::DoseUnit>());
  EXPECT_EQ(choices["infusion_route"], CountCodes<core::Route>());
  EXPECT_EQ(choices["sched_anchor"], CountCodes<core::ScheduleAnchor>());
  EXPECT_EQ(choices["patient_status"], CountCodes<core::PatientStatus>());
  EXPECT_EQ(choices["procedure_kind"], CountCodes<core::ProcedureKind>());
  EXPECT_EQ(choices["med_class"], CountCodes<core::MedicationClass>());
  EXPECT_EQ(choices["visit_status"], CountCodes<core::VisitStatus>());
  EXPECT_EQ(choices["lab_alb_missing"], CountCodes<core::MissingReason>());
  EXPECT_EQ(choices["assess_varices"], CountCodes<core::Varices>());
  EXPECT_EQ(choices["outcome_kind"], CountCodes<core::OutcomeKind>());
  EXPECT_EQ(choices["outcome_death_cause"], CountCodes<core::DeathCause>());
  EXPECT_EQ(choices["outcome_decomp"], CountCodes<core::DecompensationKind>());
  EXPECT_EQ(choices["ae_relatedness"], CountCodes<core::Relatedness>());
  EXPECT_EQ(choices["ae_outcome"], CountCodes<core::AeOutcome>());
  EXPECT_EQ(choices["aetiology"], 10);
  EXPECT_EQ(choices["lab_alb_op"], 4);
}

TEST_F(RedcapTest, RecordsFollowRedcapsFlatRawExport) {
  ASSERT_THAT(WriteRedcapProject(RichBatch(), dir_.string()), IsOk());
  const std::string header = FirstLine("records.csv");
  EXPECT_THAT(header, StartsWith("record_id,redcap_repeat_instrument,redcap_repeat_instance,redcap_data_access_group,"
                                 "site_code,study,arm,sex,birth_year,aetiology___hbv,aetiology___hcv,"));
  EXPECT_THAT(header, HasSubstr(",patient_status,enrolment_complete,infusion_number,"));
  const std::string text = Slurp(dir_ / "records.csv");
  // The enrolment row has no repeat columns; the site is the data access group.
  EXPECT_THAT(text, HasSubstr("\nFR01-0001,,,fr01,FR01,CELL-01,A,male,1950,1,1,1,1,1,1,1,1,1,1,2015-03-04,"));
  // Repeating instances are numbered per record and instrument.
  EXPECT_THAT(text, HasSubstr("\nFR01-0001,infusion,3,fr01,"));
  EXPECT_THAT(text, HasSubstr("\ncn-02-0005,infusion,2,cn_02,"));
  EXPECT_THAT(text, HasSubstr("\n_design,schedule,2,"));
  // Dates as date_ymd, numbers without exponents.
  EXPECT_THAT(text, HasSubstr(",2023-02-01,bm-mnc,autologous,2500000,cells,peripheral-vein,2,"));
}

TEST_F(RedcapTest, ReadsTheTwoFilesInEitherOrder) {
  ASSERT_THAT(WriteRedcapProject(RichBatch(), dir_.string()), IsOk());
  const std::string paths[] = {(dir_ / "records.csv").string(), (dir_ / "dictionary.csv").string()};
  auto read = ReadRedcapProject(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 0U);
  EXPECT_TRUE(SameBatch(RichBatch(), read->batch));
}

TEST_F(RedcapTest, AcceptsTheApiMetadataKeysAsDictionaryHeader) {
  ASSERT_THAT(WriteRedcapProject(RichBatch(), dir_.string()), IsOk());
  std::string dict = Slurp(dir_ / "dictionary.csv");
  dict.replace(0, dict.find('\n'),
               "field_name,form_name,section_header,field_type,field_label,select_choices_or_calculations,field_note,"
               "text_validation_type_or_show_slider_number,text_validation_min,text_validation_max,identifier,"
               "branching_logic,required_field,custom_alignment,question_number,matrix_group_name,matrix_ranking,"
               "field_annotation");
  WriteText("dictionary.csv", dict);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 0U);
  EXPECT_TRUE(SameBatch(RichBatch(), read->batch));
}

TEST_F(RedcapTest, UnitConfusionIsAProblemNamingFileLineColumnAndValue) {
  core::RegistryBatch batch;
  batch.labs.push_back(Lab("P1", "2024-01-01", Analyte::kSodium, "140"));
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  // Albumin 35 "g/dL" (meant g/L), as a site might type it into REDCap.
  std::string records = Slurp(dir_ / "records.csv");
  const std::string header = records.substr(0, records.find('\n'));
  std::vector<std::string> columns;
  std::stringstream hs(header);
  for (std::string c; std::getline(hs, c, ',');) columns.push_back(c);
  std::vector<std::string> row(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == "record_id") row[i] = "P2";
    if (columns[i] == "redcap_repeat_instrument") row[i] = "lab";
    if (columns[i] == "redcap_repeat_instance") row[i] = "1";
    if (columns[i] == "lab_date") row[i] = "2024-01-02";
    if (columns[i] == "lab_alb") row[i] = "35";
    if (columns[i] == "lab_alb_unit") row[i] = "g/dL";
  }
  std::string line;
  for (std::size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + row[i];
  WriteText("records.csv", records + line + "\n");

  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->problem_count, 1U);
  const core::RecordProblem& p = read->problems[0];
  EXPECT_THAT(p.file, HasSubstr("records.csv"));
  EXPECT_EQ(p.line, 3U);
  EXPECT_EQ(p.column, "lab_alb");
  EXPECT_EQ(p.value, "35");
  EXPECT_THAT(p.reason, HasSubstr("did you mean 35 g/L?"));
  EXPECT_THAT(read->batch.labs, SizeIs(1));  // the good sodium is kept
}

TEST_F(RedcapTest, BadCellsBecomeProblemsAndTheirRecordIsLeftOut) {
  core::RegistryBatch batch;
  batch.patients.push_back({"P1", "S", "ST", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  batch.infusions.push_back({"P1",
                             1,
                             1,
                             D("2024-01-01"),
                             core::CellProduct::kBmMnc,
                             core::CellSource::kAutologous,
                             1e6,
                             core::DoseUnit::kCellsPerKg,
                             core::Route::kPortalVein,
                             {}});
  batch.infusions.push_back({"P1",
                             2,
                             1,
                             D("2024-02-01"),
                             core::CellProduct::kBmMnc,
                             core::CellSource::kAutologous,
                             1e6,
                             core::DoseUnit::kCellsPerKg,
                             core::Route::kPortalVein,
                             {}});
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  records.replace(records.find("2024-02-01"), 10, "01/02/2024");
  records.replace(records.find("portal-vein"), 11, "nasal");
  WriteText("records.csv", records);

  auto read = ReadDir(1);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 2U);
  ASSERT_THAT(read->problems, SizeIs(1));  // capped at max_problems
  EXPECT_THAT(read->problems[0],
              AllOf(Field(&core::RecordProblem::line, 3U), Field(&core::RecordProblem::column, "infusion_route"),
                    Field(&core::RecordProblem::value, "nasal")));
  EXPECT_THAT(read->batch.infusions, IsEmpty());
  EXPECT_THAT(read->batch.patients, SizeIs(1));
}

// ---- issue 14 ------------------------------------------------------------------

// A key twice in one batch used to reach the store, where the last row won.
TEST_F(RedcapTest, AKeyTwiceIsAProblemNamingBothLines) {
  core::RegistryBatch batch;
  batch.patients.push_back({"P1", "S", "ST", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  const std::string row = records.substr(records.find('\n') + 1);
  WriteText("records.csv", records + row);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_THAT(read->problems, SizeIs(1));
  const std::string file = (dir_ / "records.csv").string();
  EXPECT_EQ(core::Describe(read->problems[0]), file + ":3: patient \"P1\": duplicate key; first on " + file + ":2");
  EXPECT_THAT(read->batch.patients, SizeIs(1));
}

// Bytes that are not UTF-8 used to be read, and then the CSV export of the
// registry could not be read back.
TEST_F(RedcapTest, BytesThatAreNotUtf8AreAProblemNamingTheField) {
  core::RegistryBatch batch;
  batch.patients.push_back({"P1", "S", "ST", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  batch.patients.push_back({"P2", "S", "ST", "", {}, {}, {}, {}, {}, {}, core::PatientStatus::kOnStudy, {}});
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  records.replace(records.find(",S,ST,"), 6, ",S\xE9,ST,");  // a Latin-1 e-acute
  WriteText("records.csv", records);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_THAT(read->problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read->problems[0]),
            (dir_ / "records.csv").string() + ":2: site_code \"S\\xE9\": not UTF-8; save the file as UTF-8");
  ASSERT_THAT(read->batch.patients, SizeIs(1));
  EXPECT_EQ(read->batch.patients[0].code, "P2");
}

// A row of an instrument the dictionary does not have used to be dropped
// without a word (exit 0).
TEST_F(RedcapTest, AnUnknownRepeatInstrumentIsAProblem) {
  ASSERT_THAT(WriteRedcapProject(RichBatch(), dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  const std::size_t at = records.find(",lab,");
  ASSERT_NE(at, std::string::npos);
  records.replace(at, 5, ",lab_results,");
  WriteText("records.csv", records);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_GE(read->problems.size(), 1U);
  EXPECT_EQ(read->problems[0].column, "redcap_repeat_instrument");
  EXPECT_EQ(read->problems[0].value, "lab_results");
  EXPECT_THAT(read->problems[0].reason, HasSubstr("is not an instrument of the data dictionary"));
}

TEST_F(RedcapTest, LabWithNeitherValueNorReasonIsAProblem) {
  core::RegistryBatch batch;
  core::LabResult lab = Lab("P1", "2024-01-01", Analyte::kInr, "1.2");
  lab.op = core::LabOperator::kLess;
  batch.labs.push_back(lab);
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  records.replace(records.find(",1.2,"), 5, ",,");  // lab_inr
  records.replace(records.find(",1.2,"), 5, ",,");  // lab_inr_std
  WriteText("records.csv", records);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->problem_count, 1U);
  EXPECT_EQ(read->problems[0].column, "lab_inr");
  EXPECT_THAT(read->problems[0].reason, HasSubstr("neither a value nor a missing reason"));
}

TEST_F(RedcapTest, CanonicalValueThatDisagreesWithTheEnteredOneIsAProblem) {
  core::RegistryBatch batch;
  batch.labs.push_back(Lab("P1", "2024-01-01", Analyte::kAlbumin, "31", "g/L"));
  ASSERT_THAT(WriteRedcapProject(batch, dir_.string()), IsOk());
  std::string records = Slurp(dir_ / "records.csv");
  records.replace(records.find(",3.1,"), 5, ",3.2,");
  WriteText("records.csv", records);
  auto read = ReadDir();
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->problem_count, 1U);
  EXPECT_EQ(read->problems[0].column, "lab_alb_std");
  EXPECT_THAT(read->batch.labs, IsEmpty());
}

// A longitudinal project designed elsewhere: labs are found by @LOINC.
TEST(RedcapForeign, RecognisesLoincFieldsDatedByTheirInstrument) {
  const std::string paths[] = {(kDataDir / "foreign").string()};
  auto read = ReadRedcapProject(paths);
  ASSERT_THAT(read, IsOk());
  const core::RegistryBatch& b = read->batch;

  std::vector<std::string> labs = Dumps(b.labs);
  EXPECT_EQ(labs, (std::vector<std::string>{
                      "[101]2021-01-05,ALB[35][g/L]3.5,=,-",
                      "[101]2021-01-05,BILI[34.2][umol/L]2,=,-",
                      "[101]2021-01-05,INR[1.3][{INR}]1.3,=,-",
                      "[101]2021-06-30,AFP[4.2][ng/mL]4.2,<,-",
                      "[101]2021-07-01,ALB[30][g/L]3,=,-",
                      "[102]2021-02-10,BILI[17.1][umol/L]1,=,-",
                      "[102]2021-02-10,INR[1.1][{INR}]1.1,=,-",
                  }));
  // Patients and sites come from record ids and data access groups.
  EXPECT_EQ(Dumps(b.patients), (std::vector<std::string>{
                                   "[101][paris][][]-,-,0000000000,-,-,-,on-study",
                                   "[102][lyon][][]-,-,0000000000,-,-,-,on-study",
                               }));
  EXPECT_EQ(Dumps(b.sites), (std::vector<std::string>{"[lyon][][]", "[paris][][]"}));

  // GGT has no cirrus analyte (dictionary problem); albumin 3.5 "g/L" is unit
  // confusion; a lab without its date is refused.
  std::vector<std::string> problems;
  for (const auto& p : read->problems) problems.push_back(core::Describe(p));
  ASSERT_EQ(read->problem_count, 3U) << ::testing::PrintToString(problems);
  EXPECT_THAT(read->problems[0].file, HasSubstr("dictionary.csv"));
  EXPECT_EQ(read->problems[0].value, "2324-2");
  EXPECT_THAT(read->problems[1],
              AllOf(Field(&core::RecordProblem::line, 4U), Field(&core::RecordProblem::column, "alb"),
                    Field(&core::RecordProblem::value, "3.5")));
  EXPECT_THAT(read->problems[1].reason, HasSubstr("did you mean 3.5 g/dL?"));
  EXPECT_THAT(read->problems[2],
              AllOf(Field(&core::RecordProblem::line, 5U), Field(&core::RecordProblem::column, "lab_visit_date")));
}

TEST_F(RedcapTest, MissingFileIsNotFound) {
  const std::string paths[] = {(dir_ / "nope.csv").string(), (dir_ / "records.csv").string()};
  EXPECT_THAT(ReadRedcapProject(paths), HasErrorCode(ErrorCode::kNotFound));
  EXPECT_THAT(ReadDir(), HasErrorCode(ErrorCode::kNotFound));  // empty directory
}

TEST_F(RedcapTest, DictionaryWithoutTheEighteenHeadersIsRefused) {
  WriteText("dictionary.csv", "Variable / Field Name,Form Name,Field Type\nrecord_id,enrolment,text\n");
  WriteText("records.csv", "record_id\nP1\n");
  auto read = ReadDir();
  EXPECT_THAT(read, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr("18 headers")));
}

TEST_F(RedcapTest, RecordsWithoutTheRecordIdColumnAreRefused) {
  ASSERT_THAT(WriteRedcapProject(core::RegistryBatch{}, dir_.string()), IsOk());
  WriteText("records.csv", "id,study\nP1,X\n");
  EXPECT_THAT(ReadDir(), HasErrorMessage(HasSubstr("record_id")));
}

TEST_F(RedcapTest, UnparsableCsvIsRefused) {
  ASSERT_THAT(WriteRedcapProject(core::RegistryBatch{}, dir_.string()), IsOk());
  WriteText("records.csv", "record_id,study\n\"P1,X\n");
  EXPECT_THAT(ReadDir(), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(RedcapTest, WrongNumberOfPathsIsRefused) {
  const std::string three[] = {"a", "b", "c"};
  EXPECT_THAT(ReadRedcapProject(three), HasErrorCode(ErrorCode::kInvalidArgument));
  const std::string file[] = {(dir_ / "x.csv").string()};
  EXPECT_THAT(ReadRedcapProject(file), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(RedcapTest, WritingIntoAMissingDirectoryFails) {
  EXPECT_THAT(WriteRedcapProject(RichBatch(), (dir_ / "missing").string()), HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::io
