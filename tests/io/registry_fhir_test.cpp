// FHIR R4 Bundles in and out of the registry (io/registry_fhir.hpp).
//
// The central property: reading what WriteFhirBundle wrote gives back the
// same batch, every field of every record (Origin and sources excepted, as
// they record where records came from). The rich batch below sets every field,
// leaves every optional both set and empty, and uses every enum value at
// least once (RichBatchUsesEveryEnumValue checks the fixture itself).
//
// Hand-written site Bundles check the conversions: albumin 35 g/L = 3.5 g/dL
// (1 g/dL = 10 g/L) and bilirubin 34.2 umol/L = 34.2 / 17.1 = 2.0 mg/dL (the
// factor of docs/reference/scores.md section 8).
#include "cirrus/io/registry_fhir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus_matchers.hpp"
#include "registry_batch.hpp"

namespace cirrus::io {
namespace {

namespace fs = std::filesystem;
using cirrus::testing::SameBatch;
using core::RegistryBatch;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const std::string kData = CIRRUS_FHIR_TEST_DATA;

core::Date D(const char* text) { return *core::ParseDate(text); }

// ---- the rich batch --------------------------------------------------------------

core::LabResult Lab(const std::string& patient, const char* date, core::Analyte analyte, const std::string& value,
                    const std::string& unit, core::LabOperator op = core::LabOperator::kEqual) {
  core::LabResult lab;
  lab.patient = patient;
  lab.date = D(date);
  lab.analyte = analyte;
  lab.value_as_entered = value;
  lab.unit_as_entered = unit;
  lab.op = op;
  // As an importer computes it: the number in its unit, to the canonical unit.
  const core::UnitInfo* u = unit.empty() ? &core::CanonicalUnit(analyte) : *core::FindUnit(analyte, unit);
  lab.value = *core::ToCanonical(analyte, core::Quantity{*core::ParseNumber(value), u});
  return lab;
}

core::LabResult MissingLab(const std::string& patient, const char* date, core::Analyte analyte,
                           core::MissingReason reason) {
  core::LabResult lab;
  lab.patient = patient;
  lab.date = D(date);
  lab.analyte = analyte;
  lab.missing = reason;
  return lab;
}

RegistryBatch RichBatch() {
  using namespace core;  // NOLINT(google-build-using-namespace): enum-heavy fixture
  RegistryBatch b;
  b.sources = {"rich.csv"};
  b.sites = {{"FR01", "Hôpital Beaujon", "FR", {}}, {"CN 02", "", "", {}}};
  b.studies = {{"CELL-1", "Autologous BM-MNC in decompensated cirrhosis", "NCT01234567", {}}, {"REG", "", "", {}}};
  b.arms = {
      {"CELL-1", "A", "BM-MNC via portal vein", CellProduct::kBmMnc, Route::kPortalVein, {}},
      {"CELL-1", "B", "BM-MSC hepatic artery", CellProduct::kBmMsc, Route::kHepaticArtery, {}},
      {"CELL-1", "C", "UC-MSC", CellProduct::kUcMsc, Route::kPeripheralVein, {}},
      {"CELL-1", "D", "", CellProduct::kOther, Route::kImplantedPort, {}},
      {"CELL-1", "CTRL", "standard care", std::nullopt, std::nullopt, {}},
      // An arm whose study has no Study record in the batch.
      {"ORPHAN", "X", "", std::nullopt, Route::kOther, {}},
  };
  b.schedule = {
      {"CELL-1", "W4", "Week 4", 28, 3, 3, ScheduleAnchor::kEnrolment, {}},
      {"CELL-1", "M6", "", 180, 14, 21, ScheduleAnchor::kFirstInfusion, {}},
      {"REG", "Y1", "Year 1", 365, 0, 30, ScheduleAnchor::kEnrolment, {}},
      {"NOSTUDY", "V1", "", -7, 0, 0, ScheduleAnchor::kEnrolment, {}},
  };

  const std::vector<PatientStatus> statuses = {
      PatientStatus::kScreening, PatientStatus::kOnStudy,        PatientStatus::kFollowUp, PatientStatus::kCompleted,
      PatientStatus::kWithdrawn, PatientStatus::kLostToFollowUp, PatientStatus::kDead,
  };
  const std::vector<std::vector<Aetiology>> aetiologies = {
      {Aetiology::kHbv, Aetiology::kAlcohol},
      {},
      {Aetiology::kHcv, Aetiology::kHdv, Aetiology::kMasld},
      {Aetiology::kAutoimmune, Aetiology::kPbc},
      {Aetiology::kPsc, Aetiology::kHaemochromatosis},
      {Aetiology::kOther},
      {Aetiology::kHbv, Aetiology::kHcv, Aetiology::kHdv, Aetiology::kAlcohol, Aetiology::kMasld,
       Aetiology::kAutoimmune, Aetiology::kPbc, Aetiology::kPsc, Aetiology::kHaemochromatosis, Aetiology::kOther},
  };
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    Patient p;
    p.code = "FR01-000" + std::to_string(i + 1);
    p.site = i == 6 ? "" : (i == 5 ? "CN 02" : (i == 4 ? "UNLISTED" : "FR01"));
    p.study = i == 6 ? "" : (i == 5 ? "REG" : "CELL-1");
    p.arm = i % 2 == 0 && i < 5 ? std::string(1, static_cast<char>('A' + i / 2)) : "";
    if (i != 1) p.sex = i % 2 == 0 ? Sex::kMale : Sex::kFemale;
    if (i != 1) p.birth_year = i == 5 ? 850 : static_cast<int>(1950 + i);
    for (Aetiology a : aetiologies[i]) p.aetiologies.Add(a);
    if (i % 2 == 0) p.cirrhosis_diagnosis = D("2019-05-01").PlusDays(static_cast<int>(i));
    if (i % 3 == 0) p.first_decompensation = D("2022-11-30").PlusDays(static_cast<int>(i));
    if (i != 3) p.enrolment = D("2023-01-10").PlusDays(static_cast<int>(10 * i));
    p.status = statuses[i];
    b.patients.push_back(p);
  }
  // A patient code that is not a valid FHIR id (hashed id).
  Patient odd;
  odd.code = "PAT 9/ü";
  odd.site = "FR01";
  odd.study = "CELL-1";
  odd.status = PatientStatus::kOnStudy;
  b.patients.push_back(odd);

  b.infusions = {
      {"FR01-0001",
       1,
       1,
       D("2023-02-01"),
       CellProduct::kBmMnc,
       CellSource::kAutologous,
       1.5e6,
       DoseUnit::kCellsPerKg,
       Route::kPortalVein,
       {}},
      {"FR01-0001",
       2,
       2,
       D("2023-08-01"),
       CellProduct::kBmMsc,
       CellSource::kAllogeneic,
       5e7,
       DoseUnit::kCells,
       Route::kHepaticArtery,
       {}},
      {"FR01-0003",
       1,
       1,
       D("2023-03-01"),
       CellProduct::kUcMsc,
       CellSource::kAllogeneic,
       std::nullopt,
       DoseUnit::kCells,
       Route::kPeripheralVein,
       {}},
      {"FR01-0005",
       1,
       1,
       D("2023-04-01"),
       CellProduct::kOther,
       CellSource::kAutologous,
       std::nullopt,
       DoseUnit::kCellsPerKg,
       Route::kImplantedPort,
       {}},
      {"PAT 9/ü",
       3,
       1,
       D("2023-05-01"),
       CellProduct::kBmMnc,
       CellSource::kAutologous,
       2.25e6,
       DoseUnit::kCellsPerKg,
       Route::kOther,
       {}},
  };
  const std::vector<ProcedureKind> kinds = {
      ProcedureKind::kBoneMarrowHarvest,
      ProcedureKind::kSplenectomy,
      ProcedureKind::kPortImplantation,
      ProcedureKind::kTips,
      ProcedureKind::kParacentesis,
      ProcedureKind::kVaricealBandLigation,
      ProcedureKind::kLiverTransplant,
      ProcedureKind::kLiverUltrasound,
      ProcedureKind::kOther,
  };
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    b.procedures.push_back({"FR01-0002",
                            kinds[i],
                            D("2023-01-20").PlusDays(static_cast<int>(i)),
                            i % 2 == 0 ? "" : "detail " + std::to_string(i),
                            {}});
  }
  b.medications = {
      {"FR01-0001", MedicationClass::kAntiviral, "entecavir", D("2020-01-01"), std::nullopt, "0.5 mg daily", {}},
      {"FR01-0001", MedicationClass::kDiuretic, "spironolactone", D("2021-01-01"), D("2022-06-30"), "", {}},
      {"FR01-0002", MedicationClass::kAlbumin, "human albumin 20%", D("2023-01-01"), D("2023-01-02"), "40 g", {}},
      {"FR01-0003", MedicationClass::kBetaBlocker, "carvedilol", D("2022-01-01"), std::nullopt, "", {}},
      {"FR01-0003", MedicationClass::kOther, "", D("2022-02-02"), std::nullopt, "as needed", {}},
  };
  b.visits = {
      {"FR01-0001", D("2023-02-28"), "W4", VisitStatus::kCompleted, {}},
      {"FR01-0001", D("2023-07-30"), "M6", VisitStatus::kScheduled, {}},
      {"FR01-0002", D("2023-02-28"), "W4", VisitStatus::kMissed, {}},
      {"FR01-0002", D("2023-03-15"), "", VisitStatus::kCancelled, {}},
  };

  const std::string p = "FR01-0001";
  b.labs = {
      Lab(p, "2023-02-28", Analyte::kAlbumin, "31", "g/L"),
      Lab(p, "2023-02-28", Analyte::kBilirubin, "34.2", "umol/L"),
      Lab(p, "2023-02-28", Analyte::kCreatinine, "1.10", ""),  // trailing zero: text kept apart
      Lab(p, "2023-02-28", Analyte::kSodium, "130", "mmol/L", LabOperator::kLess),
      Lab(p, "2023-02-28", Analyte::kPlatelets, "87", "10^9/L"),
      Lab(p, "2023-02-28", Analyte::kAst, "112", "U/L"),
      Lab(p, "2023-02-28", Analyte::kAstUpperLimitOfNormal, "40", ""),
      Lab(p, "2023-02-28", Analyte::kInr, "1.5", ""),
      Lab(p, "2023-02-28", Analyte::kProthrombinActivity, "70", "%", LabOperator::kGreaterOrEqual),
      Lab(p, "2023-02-28", Analyte::kCholinesterase, "4.2", "kU/L", LabOperator::kGreater),
      Lab(p, "2023-02-28", Analyte::kAfp, "12.1", "IU/mL", LabOperator::kLessOrEqual),
      Lab(p, "2023-02-28", Analyte::kProthrombinTime, "+14.5", "sec"),
      MissingLab(p, "2023-02-28", Analyte::kAlt, MissingReason::kNotDone),
      MissingLab(p, "2023-03-01", Analyte::kAlt, MissingReason::kSampleLost),
      MissingLab(p, "2023-03-02", Analyte::kAlt, MissingReason::kUnknown),
      MissingLab(p, "2023-03-03", Analyte::kAlt, MissingReason::kNotApplicable),
  };
  // Missing, with text and unit as entered and an operator kept anyway.
  b.labs.push_back(MissingLab(p, "2023-03-04", Analyte::kAlbumin, MissingReason::kUnknown));
  b.labs.back().value_as_entered = "haemolysed";
  b.labs.back().unit_as_entered = "g/L";
  b.labs.back().op = LabOperator::kGreater;
  // A computed value with nothing as entered (as a simulation writes it).
  core::LabResult computed;
  computed.patient = p;
  computed.date = D("2023-03-05");
  computed.analyte = Analyte::kAlbumin;
  computed.value = 2.95;
  b.labs.push_back(computed);
  // A value whose canonical form was not computed from the text (kept as is).
  b.labs.push_back(Lab(p, "2023-03-06", Analyte::kAlbumin, "31", "g/L"));
  b.labs.back().value = 3.1000000000000005;
  // An unknown unit text, with a canonical value.
  b.labs.push_back(Lab(p, "2023-03-07", Analyte::kAlbumin, "3.2", ""));
  b.labs.back().unit_as_entered = "grams per decilitre";

  b.assessments = {
      {p, D("2023-02-28"), Ascites::kNone, 0, Dialysis::kNone, Varices::kNone, 72.35, 1523.5, {}},
      {p, D("2023-03-28"), Ascites::kMild, 1, Dialysis::kDialysis, Varices::kSmall, 70.0, std::nullopt, {}},
      {p, D("2023-04-28"), Ascites::kModerateSevere, 2, std::nullopt, Varices::kLarge, std::nullopt, 1400.0, {}},
      {p, D("2023-05-28"), std::nullopt, 3, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}},
      {p, D("2023-06-28"), std::nullopt, 4, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}},
      {p, D("2023-07-28"), std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}},
  };

  const std::vector<DeathCause> causes = {DeathCause::kLiverFailure, DeathCause::kInfection, DeathCause::kBleeding,
                                          DeathCause::kHcc,          DeathCause::kOther,     DeathCause::kUnknown};
  for (std::size_t i = 0; i < causes.size(); ++i) {
    b.events.push_back({"FR01-000" + std::to_string(i + 1),
                        OutcomeKind::kDeath,
                        D("2024-06-01").PlusDays(static_cast<int>(i)),
                        causes[i],
                        std::nullopt,
                        i == 0 ? "liver failure after sepsis" : "",
                        {}});
  }
  b.events.push_back({"FR01-0007", OutcomeKind::kDeath, D("2024-07-01"), std::nullopt, std::nullopt, "", {}});
  // Two deaths for one patient: Patient.deceasedDateTime holds the earlier.
  b.events.push_back({"FR01-0007", OutcomeKind::kDeath, D("2024-06-20"), DeathCause::kOther, std::nullopt, "", {}});
  const std::vector<DecompensationKind> decompensations = {
      DecompensationKind::kAscites, DecompensationKind::kVaricealBleeding, DecompensationKind::kEncephalopathy,
      DecompensationKind::kJaundice};
  for (std::size_t i = 0; i < decompensations.size(); ++i) {
    b.events.push_back({"FR01-0002",
                        OutcomeKind::kDecompensation,
                        D("2023-09-01").PlusDays(static_cast<int>(i)),
                        std::nullopt,
                        decompensations[i],
                        "",
                        {}});
  }
  b.events.push_back(
      {"FR01-0002", OutcomeKind::kDecompensation, D("2023-10-01"), std::nullopt, std::nullopt, "unspecified", {}});
  b.events.push_back({"FR01-0002", OutcomeKind::kHcc, D("2024-01-15"), std::nullopt, std::nullopt, "segment 7", {}});
  b.events.push_back({"FR01-0003", OutcomeKind::kHcc, D("2024-01-16"), DeathCause::kHcc, std::nullopt, "", {}});
  b.events.push_back(
      {"FR01-0002", OutcomeKind::kOtherCancer, D("2024-02-15"), std::nullopt, std::nullopt, "colon", {}});
  b.events.push_back({"FR01-0002", OutcomeKind::kLiverTransplant, D("2024-03-15"), std::nullopt, std::nullopt, "", {}});
  b.events.push_back({"FR01-0003",
                      OutcomeKind::kLiverTransplant,
                      D("2024-03-16"),
                      DeathCause::kBleeding,
                      DecompensationKind::kJaundice,
                      "odd but kept",
                      {}});
  b.events.push_back(
      {"FR01-0006", OutcomeKind::kLostToFollowUp, D("2024-04-01"), std::nullopt, std::nullopt, "moved abroad", {}});
  b.events.push_back(
      {"FR01-0005", OutcomeKind::kWithdrawal, D("2024-04-02"), std::nullopt, std::nullopt, "consent withdrawn", {}});
  b.events.push_back(
      {"FR01-0002", OutcomeKind::kLastKnownAlive, D("2024-05-01"), std::nullopt, DecompensationKind::kAscites, "", {}});

  const std::vector<Relatedness> related = {Relatedness::kNotRelated, Relatedness::kUnlikely, Relatedness::kPossible,
                                            Relatedness::kProbable, Relatedness::kDefinite};
  const std::vector<AeOutcome> outcomes = {AeOutcome::kRecovered,    AeOutcome::kRecovering,
                                           AeOutcome::kNotRecovered, AeOutcome::kRecoveredWithSequelae,
                                           AeOutcome::kFatal,        AeOutcome::kUnknown};
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    AdverseEvent ae;
    ae.patient = "FR01-0001";
    ae.term = i == 0 ? "fever" : "post-infusion event " + std::to_string(i);
    ae.onset = D("2023-02-02").PlusDays(static_cast<int>(i));
    if (i % 2 == 1) ae.end = ae.onset.PlusDays(3);
    ae.grade = static_cast<int>(i % 5) + 1;
    ae.serious = i >= 3;
    if (i < 4) ae.infusion = i == 3 ? 7 : 1;  // 7: an infusion not in the batch
    ae.relatedness = related[i % related.size()];
    ae.outcome = outcomes[i];
    b.adverse_events.push_back(ae);
  }
  return b;
}

TEST(RegistryFhir, RichBatchUsesEveryEnumValue) {
  const RegistryBatch b = RichBatch();
  std::set<core::Analyte> analytes;
  std::set<core::LabOperator> ops;
  std::set<core::MissingReason> missing;
  for (const auto& lab : b.labs) {
    analytes.insert(lab.analyte);
    ops.insert(lab.op);
    if (lab.missing) missing.insert(*lab.missing);
  }
  EXPECT_EQ(analytes.size(), core::AllAnalytes().size());
  EXPECT_EQ(ops.size(), 5U);
  EXPECT_EQ(missing.size(), 4U);
  std::set<core::OutcomeKind> kinds;
  std::set<core::DeathCause> causes;
  std::set<core::DecompensationKind> decompensations;
  for (const auto& e : b.events) {
    kinds.insert(e.kind);
    if (e.death_cause) causes.insert(*e.death_cause);
    if (e.decompensation) decompensations.insert(*e.decompensation);
  }
  EXPECT_EQ(kinds.size(), 8U);
  EXPECT_EQ(causes.size(), 6U);
  EXPECT_EQ(decompensations.size(), 4U);
  std::set<core::PatientStatus> statuses;
  for (const auto& p : b.patients) statuses.insert(p.status);
  EXPECT_EQ(statuses.size(), 7U);
  std::set<core::ProcedureKind> procedures;
  for (const auto& p : b.procedures) procedures.insert(p.kind);
  EXPECT_EQ(procedures.size(), 9U);
  std::set<core::Route> routes;
  std::set<core::CellProduct> products;
  for (const auto& i : b.infusions) {
    routes.insert(i.route);
    products.insert(i.product);
  }
  EXPECT_EQ(routes.size(), 5U);
  EXPECT_EQ(products.size(), 4U);
  std::set<core::Relatedness> related;
  std::set<core::AeOutcome> outcomes;
  for (const auto& ae : b.adverse_events) {
    related.insert(ae.relatedness);
    outcomes.insert(ae.outcome);
  }
  EXPECT_EQ(related.size(), 5U);
  EXPECT_EQ(outcomes.size(), 6U);
}

TEST(RegistryFhir, RoundTripKeepsEveryField) {
  const RegistryBatch batch = RichBatch();
  const std::string json = WriteFhirBundle(batch);
  auto read = ReadFhirBundleText(json, "rich.json");
  ASSERT_THAT(read, IsOk());
  for (const auto& problem : read->problems) ADD_FAILURE() << core::Describe(problem);
  EXPECT_EQ(read->problem_count, 0U);
  EXPECT_TRUE(SameBatch(batch, read->batch));
}

TEST(RegistryFhir, SameBatchGivesIdenticalBytes) {
  const RegistryBatch batch = RichBatch();
  RegistryBatch shuffled = batch;
  std::reverse(shuffled.patients.begin(), shuffled.patients.end());
  std::reverse(shuffled.labs.begin(), shuffled.labs.end());
  std::reverse(shuffled.events.begin(), shuffled.events.end());
  std::rotate(shuffled.arms.begin(), shuffled.arms.begin() + 2, shuffled.arms.end());
  const std::string json = WriteFhirBundle(batch);
  EXPECT_EQ(json, WriteFhirBundle(batch));
  EXPECT_EQ(json, WriteFhirBundle(shuffled));
  auto read = ReadFhirBundleText(json, "rich.json");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(json, WriteFhirBundle(read->batch));
}

TEST(RegistryFhir, WritesR4ShapesSitesCanRead) {
  const std::string json = WriteFhirBundle(RichBatch());
  EXPECT_THAT(json, HasSubstr("\"resourceType\": \"Bundle\""));
  EXPECT_THAT(json, HasSubstr("\"type\": \"collection\""));
  // Lost to follow-up has no R4 research-subject-status: off-study plus the cirrus code.
  EXPECT_THAT(json, HasSubstr("\"valueCode\": \"lost-to-follow-up\""));
  EXPECT_THAT(json, HasSubstr("\"status\": \"off-study\""));
  EXPECT_THAT(json, HasSubstr("\"birthDate\": \"1950\""));
  EXPECT_THAT(json, HasSubstr("\"code\": \"1751-7\""));
  EXPECT_THAT(json, HasSubstr("\"system\": \"http://unitsofmeasure.org\""));
  EXPECT_THAT(json, HasSubstr("\"comparator\": \"<\""));
  EXPECT_THAT(json, HasSubstr("\"deceasedDateTime\": \"2024-06-20\""));  // FR01-0007's earlier death
  EXPECT_THAT(json, HasSubstr("\"code\": \"18027006\""));
  EXPECT_THAT(json, HasSubstr("\"reference\": \"Patient/pat.FR01-0001\""));
}

TEST(RegistryFhir, ReadsSiteBundleInCanonicalUnits) {
  const std::vector<std::string> paths = {kData + "/site_labs.json"};
  auto read = ReadFhirBundles(paths);
  ASSERT_THAT(read, IsOk());
  for (const auto& problem : read->problems) ADD_FAILURE() << core::Describe(problem);
  const RegistryBatch& b = read->batch;
  ASSERT_EQ(b.patients.size(), 1U);
  EXPECT_EQ(b.patients[0].code, "FR01-0007");
  EXPECT_EQ(b.patients[0].sex, core::Sex::kFemale);
  EXPECT_EQ(b.patients[0].birth_year, 1958);  // the year only, from a full birthDate
  ASSERT_EQ(b.labs.size(), 2U);
  EXPECT_EQ(b.labs[0].patient, "FR01-0007");
  EXPECT_EQ(b.labs[0].analyte, core::Analyte::kAlbumin);
  EXPECT_EQ(b.labs[0].date, D("2024-03-01"));
  EXPECT_EQ(b.labs[0].value_as_entered, "35");
  EXPECT_EQ(b.labs[0].unit_as_entered, "g/L");
  EXPECT_EQ(b.labs[0].value, 3.5);  // 35 g/L / 10
  EXPECT_EQ(b.labs[1].analyte, core::Analyte::kBilirubin);
  EXPECT_EQ(b.labs[1].value_as_entered, "34.2");
  EXPECT_EQ(b.labs[1].unit_as_entered, "µmol/L");
  EXPECT_EQ(b.labs[1].value, 2.0);  // 34.2 umol/L / 17.1, residue rounded
  EXPECT_EQ(b.sources, paths);
  EXPECT_EQ(b.labs[1].origin.line, 3U);
}

// What a site's system sends: standard codes, no cirrus extensions.
TEST(RegistryFhir, ReadsSiteCodingsWithoutCirrusExtensions) {
  const std::vector<std::string> paths = {kData + "/site_codings.json"};
  auto read = ReadFhirBundles(paths);
  ASSERT_THAT(read, IsOk());
  for (const auto& problem : read->problems) ADD_FAILURE() << core::Describe(problem);
  const RegistryBatch& b = read->batch;
  ASSERT_EQ(b.sites.size(), 1U);
  EXPECT_EQ(b.sites[0].code, "DE03");
  ASSERT_EQ(b.patients.size(), 1U);
  const core::Patient& p = b.patients[0];
  EXPECT_EQ(p.code, "DE03-0001");  // the first identifier, whatever its system
  EXPECT_EQ(p.site, "DE03");
  EXPECT_EQ(p.study, "CELL-1");
  EXPECT_EQ(p.sex, std::nullopt);
  EXPECT_EQ(p.status, core::PatientStatus::kOnStudy);  // on-study-intervention
  EXPECT_EQ(p.enrolment, D("2023-05-02"));
  EXPECT_EQ(p.cirrhosis_diagnosis, D("2018-07-01"));  // SNOMED CT 19943007
  ASSERT_EQ(b.events.size(), 2U);
  EXPECT_EQ(b.events[0].kind, core::OutcomeKind::kHcc);  // SNOMED CT 109841003
  EXPECT_EQ(b.events[0].date, D("2024-01-15"));
  EXPECT_EQ(b.events[1].kind, core::OutcomeKind::kLiverTransplant);  // SNOMED CT 18027006
  EXPECT_EQ(b.events[1].date, D("2024-03-01"));
  ASSERT_EQ(b.visits.size(), 1U);
  EXPECT_EQ(b.visits[0].status, core::VisitStatus::kCompleted);  // in-progress
  EXPECT_EQ(b.visits[0].date, D("2024-02-01"));
  ASSERT_EQ(b.adverse_events.size(), 1U);
  const core::AdverseEvent& ae = b.adverse_events[0];
  EXPECT_EQ(ae.term, "Pyrexia");
  EXPECT_EQ(ae.grade, 2);  // severity moderate, no CTCAE extension
  EXPECT_TRUE(ae.serious);
  EXPECT_EQ(ae.outcome, core::AeOutcome::kRecovered);
  EXPECT_EQ(ae.infusion, std::nullopt);
  ASSERT_EQ(b.labs.size(), 2U);
  // LOINC 14631-6 (bilirubin, moles), a patient named only by identifier,
  // and a UCUM code without unit text: 51.3 / 17.1 = 3 mg/dL.
  EXPECT_EQ(b.labs[0].patient, "DE03-0002");
  EXPECT_EQ(b.labs[0].analyte, core::Analyte::kBilirubin);
  EXPECT_EQ(b.labs[0].unit_as_entered, "umol/L");
  EXPECT_EQ(b.labs[0].value, 3.0);
  EXPECT_EQ(b.labs[1].analyte, core::Analyte::kInr);
  EXPECT_EQ(b.labs[1].value, std::nullopt);
  EXPECT_EQ(b.labs[1].missing, core::MissingReason::kNotDone);  // not-performed
}

TEST(RegistryFhir, BadJsonIsAnErrorNamingFileAndPosition) {
  const std::string path = kData + "/bad.json";
  const std::vector<std::string> paths = {path};
  auto read = ReadFhirBundles(paths);
  EXPECT_THAT(read, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr(path)));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr("byte 91")));
  EXPECT_THAT(read, HasErrorMessage(HasSubstr("line 4")));
}

class BadEntries : public ::testing::Test {
 protected:
  void SetUp() override {
    auto read = ReadFhirBundles(paths_);
    ASSERT_THAT(read, IsOk());
    read_ = *read;
  }
  const core::RecordProblem* ProblemOnLine(std::uint32_t line) const {
    for (const auto& problem : read_.problems) {
      if (problem.line == line) return &problem;
    }
    return nullptr;
  }
  const std::string path_ = kData + "/bad_entries.json";
  const std::vector<std::string> paths_ = {path_};
  FhirRead read_;
};

TEST_F(BadEntries, UnknownLoincIsAProblemNamingEntryAndPath) {
  const core::RecordProblem* problem = ProblemOnLine(2);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->file, path_);
  EXPECT_EQ(problem->column, "entry[1].resource.code.coding[0].code");
  EXPECT_EQ(problem->value, "99999-9");
  EXPECT_THAT(problem->reason, HasSubstr("LOINC"));
}

TEST_F(BadEntries, ReferenceToMissingPatientIsAProblem) {
  const core::RecordProblem* problem = ProblemOnLine(3);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->column, "entry[2].resource.subject.reference");
  EXPECT_EQ(problem->value, "Patient/nobody");
  EXPECT_THAT(problem->reason, HasSubstr("not in the Bundle"));
}

TEST_F(BadEntries, UnitConfusionIsAProblem) {
  const core::RecordProblem* problem = ProblemOnLine(4);
  ASSERT_NE(problem, nullptr);
  EXPECT_EQ(problem->column, "entry[3].resource.valueQuantity.unit");
  EXPECT_EQ(problem->value, "35 g/dL");
  EXPECT_THAT(problem->reason, HasSubstr("did you mean 35 g/L"));
}

TEST_F(BadEntries, GoodEntriesAreStillRead) {
  EXPECT_EQ(read_.problem_count, 3U);
  ASSERT_EQ(read_.batch.patients.size(), 1U);
  ASSERT_EQ(read_.batch.labs.size(), 1U);
  EXPECT_EQ(read_.batch.labs[0].value, 3.9);
  EXPECT_EQ(read_.batch.labs[0].origin.line, 5U);
}

TEST_F(BadEntries, KeepsOnlyMaxProblemsButCountsAll) {
  auto read = ReadFhirBundles(paths_, 1);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problems.size(), 1U);
  EXPECT_EQ(read->problem_count, 3U);
}

// A scratch directory per test.
class FhirFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("cirrus_fhir_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(FhirFiles, WriteFileThenReadDirectoryRoundTrips) {
  RegistryBatch first = RichBatch();
  RegistryBatch second;
  second.sites = {{"DE03", "Hannover", "DE", {}}};
  ASSERT_THAT(WriteFhirBundleFile(first, (dir_ / "a.json").string()), IsOk());
  ASSERT_THAT(WriteFhirBundleFile(second, (dir_ / "b.json").string()), IsOk());
  std::ofstream((dir_ / "notes.txt").string()) << "not a bundle";
  const std::vector<std::string> paths = {dir_.string()};
  auto read = ReadFhirBundles(paths);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 0U);
  ASSERT_EQ(read->batch.sources.size(), 2U);
  EXPECT_THAT(read->batch.sources[1], HasSubstr("b.json"));
  first.sites.push_back(second.sites[0]);
  EXPECT_TRUE(SameBatch(first, read->batch));
}

TEST_F(FhirFiles, WriteIntoMissingDirectoryFails) {
  EXPECT_THAT(WriteFhirBundleFile(RichBatch(), (dir_ / "missing" / "out.json").string()),
              HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST_F(FhirFiles, MissingFileIsNotFound) {
  const std::vector<std::string> paths = {(dir_ / "absent.json").string()};
  EXPECT_THAT(ReadFhirBundles(paths), HasErrorCode(ErrorCode::kNotFound));
}

TEST(RegistryFhir, NonBundleIsAnError) {
  EXPECT_THAT(ReadFhirBundleText(R"({"resourceType": "Patient"})", "p.json"),
              HasErrorMessage(HasSubstr("p.json is not a FHIR Bundle")));
}

TEST(RegistryFhir, DeceasedDateTimeAloneRecordsADeath) {
  const std::string json = R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "id": "a", "identifier": [{"value": "X-1"}],
                  "deceasedDateTime": "2024-02-03T10:00:00Z"}}]})";
  auto read = ReadFhirBundleText(json, "death.json");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 0U);
  ASSERT_EQ(read->batch.events.size(), 1U);
  EXPECT_EQ(read->batch.events[0].patient, "X-1");
  EXPECT_EQ(read->batch.events[0].kind, core::OutcomeKind::kDeath);
  EXPECT_EQ(read->batch.events[0].date, D("2024-02-03"));
  EXPECT_FALSE(read->batch.events[0].death_cause.has_value());
}

// Reads `entries` (JSON array text) as one Bundle and returns its problems.
std::vector<core::RecordProblem> ProblemsOf(const std::string& entries) {
  auto read = ReadFhirBundleText(R"({"resourceType": "Bundle", "entry": )" + entries + "}", "t.json");
  EXPECT_THAT(read, IsOk());
  return read ? read->problems : std::vector<core::RecordProblem>{};
}

// Issue 14: a key twice in one batch used to reach the store, where the last
// row silently won (or the import failed on a raw UNIQUE constraint).
TEST(RegistryFhir, AKeyTwiceIsAProblemNamingBothEntries) {
  const std::string json = R"({"resourceType": "Bundle", "type": "collection", "entry": [
    {"resource": {"resourceType": "Patient", "id": "a", "identifier": [{"value": "X-1"}], "gender": "male"}},
    {"resource": {"resourceType": "Patient", "id": "b", "identifier": [{"value": "X-1"}], "gender": "female"}}]})";
  auto read = ReadFhirBundleText(json, "t.json");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->problem_count, 1U);
  ASSERT_THAT(read->problems, SizeIs(1));
  EXPECT_EQ(core::Describe(read->problems[0]),
            "t.json:2: entry[1].resource patient \"X-1\": duplicate key; first on t.json entry[0]");
  ASSERT_THAT(read->batch.patients, SizeIs(1));
  EXPECT_EQ(read->batch.patients[0].sex, core::Sex::kMale);
}

TEST(RegistryFhir, PartialDateIsAProblem) {
  const auto problems = ProblemsOf(R"([{"resource": {"resourceType": "Encounter", "status": "finished",
      "subject": {"identifier": {"value": "P-1"}}, "period": {"start": "2024-03"}}}])");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].column, "entry[0].resource.period.start");
  EXPECT_EQ(problems[0].value, "2024-03");
  EXPECT_THAT(problems[0].reason, HasSubstr("whole days"));
}

TEST(RegistryFhir, SubjectOfAbsentPatientIsAProblem) {
  // A ResearchSubject adds to a Patient, so that Patient must be in the Bundle.
  const auto problems = ProblemsOf(R"([{"resource": {"resourceType": "ResearchSubject", "status": "on-study",
      "individual": {"identifier": {"system": "https://cirrus.example/fhir/sid/patient", "value": "P-9"}}}}])");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].column, "entry[0].resource.individual");
  EXPECT_EQ(problems[0].value, "P-9");
}

TEST(RegistryFhir, LabValueOtherThanQuantityIsAProblem) {
  const auto problems = ProblemsOf(R"([{"resource": {"resourceType": "Observation", "status": "final",
      "code": {"coding": [{"system": "http://loinc.org", "code": "1751-7"}]},
      "subject": {"identifier": {"value": "P-1"}}, "effectiveDateTime": "2024-03-01", "valueString": "35 g/L"}}])");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].column, "entry[0].resource.valueString");
}

TEST(RegistryFhir, UnknownUcumCodeIsAProblem) {
  const auto problems = ProblemsOf(R"([{"resource": {"resourceType": "Observation", "status": "final",
      "code": {"coding": [{"system": "http://loinc.org", "code": "1751-7"}]},
      "subject": {"identifier": {"value": "P-1"}}, "effectiveDateTime": "2024-03-01",
      "valueQuantity": {"value": 35, "system": "http://unitsofmeasure.org", "code": "mg/L"}}}])");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].column, "entry[0].resource.valueQuantity.code");
  EXPECT_EQ(problems[0].value, "mg/L");
  EXPECT_THAT(problems[0].reason, HasSubstr("unknown unit"));
}

TEST(RegistryFhir, UnsupportedResourceIsAProblem) {
  const std::string json = R"({"resourceType": "Bundle", "entry": [
    {"resource": {"resourceType": "DiagnosticReport", "id": "r"}}]})";
  auto read = ReadFhirBundleText(json, "r.json");
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->problems.size(), 1U);
  EXPECT_EQ(read->problems[0].column, "entry[0].resource.resourceType");
  EXPECT_EQ(read->problems[0].value, "DiagnosticReport");
}

}  // namespace
}  // namespace cirrus::io
