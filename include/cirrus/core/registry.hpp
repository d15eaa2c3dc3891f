// cirrus/core/registry.hpp: the facts a long-term follow-up registry holds,
// as plain typed records. Every import format (CSV, REDCap, FHIR) turns its
// input into a RegistryBatch and every export format writes one, so the
// formats never talk to the database and the database never parses text.
//
// Each record is identified by a natural key (a patient's pseudonymous code,
// an infusion's number, a lab's patient, date and analyte, ...), documented
// on each struct: importing the same fact twice finds it by that key and
// changes nothing. docs/data-model.md describes every field.
//
// Example:
//   cirrus::core::LabResult lab;
//   lab.patient = "FR01-0007";
//   lab.date = *cirrus::core::ParseDate("2024-03-01");
//   lab.analyte = cirrus::core::Analyte::kAlbumin;
//   lab.value_as_entered = "31"; lab.unit_as_entered = "g/L";
//   lab.value = 3.1;   // canonical g/dL
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::core {

// ---- coded values ---------------------------------------------------------
// Each enum has Parse<Enum>(text) accepting its code in any case with
// spaces, hyphens and underscores ignored ("BM-MNC", "bm_mnc", "BM MNC"),
// plus the synonyms listed, and Code(value) giving the canonical code that
// exports write ("bm-mnc").

enum class CellProduct : std::uint8_t { kBmMnc, kBmMsc, kUcMsc, kOther };
enum class CellSource : std::uint8_t { kAutologous, kAllogeneic };
enum class DoseUnit : std::uint8_t { kCells, kCellsPerKg };
enum class Route : std::uint8_t { kPeripheralVein, kPortalVein, kHepaticArtery, kImplantedPort, kOther };
/// The day a visit schedule counts from.
enum class ScheduleAnchor : std::uint8_t { kEnrolment, kFirstInfusion };
enum class PatientStatus : std::uint8_t {
  kScreening,
  kOnStudy,
  kFollowUp,
  kCompleted,
  kWithdrawn,
  kLostToFollowUp,
  kDead,
};
enum class ProcedureKind : std::uint8_t {
  kBoneMarrowHarvest,
  kSplenectomy,
  kPortImplantation,
  kTips,
  kParacentesis,
  kVaricealBandLigation,
  kLiverTransplant,
  kLiverUltrasound,  ///< HCC surveillance imaging (with AFP, every 6 months in cirrhosis)
  kOther,
};
enum class MedicationClass : std::uint8_t { kAntiviral, kDiuretic, kAlbumin, kBetaBlocker, kOther };
enum class VisitStatus : std::uint8_t { kScheduled, kCompleted, kMissed, kCancelled };
/// How a lab value relates to the number: "<0.5" is kLess.
enum class LabOperator : std::uint8_t { kEqual, kLess, kLessOrEqual, kGreater, kGreaterOrEqual };
/// Why a lab has no value (instead of a sentinel number such as -99).
enum class MissingReason : std::uint8_t { kNotDone, kSampleLost, kUnknown, kNotApplicable };
enum class Varices : std::uint8_t { kNone, kSmall, kLarge };
enum class OutcomeKind : std::uint8_t {
  kDeath,
  kLiverTransplant,
  kHcc,
  kOtherCancer,
  kDecompensation,
  kLostToFollowUp,
  kWithdrawal,
  kLastKnownAlive,
};
enum class DeathCause : std::uint8_t { kLiverFailure, kInfection, kBleeding, kHcc, kOther, kUnknown };
enum class DecompensationKind : std::uint8_t { kAscites, kVaricealBleeding, kEncephalopathy, kJaundice };
/// How likely an adverse event was caused by an infusion (WHO-UMC wording).
enum class Relatedness : std::uint8_t { kNotRelated, kUnlikely, kPossible, kProbable, kDefinite };
enum class AeOutcome : std::uint8_t {
  kRecovered,
  kRecovering,
  kNotRecovered,
  kRecoveredWithSequelae,
  kFatal,
  kUnknown,
};

Result<CellProduct> ParseCellProduct(std::string_view text);        ///< bm-mnc, bm-msc, uc-msc, other
Result<CellSource> ParseCellSource(std::string_view text);          ///< autologous, allogeneic
Result<DoseUnit> ParseDoseUnit(std::string_view text);              ///< cells, cells/kg
Result<Route> ParseRoute(std::string_view text);                    ///< peripheral-vein, portal-vein, ...
Result<ScheduleAnchor> ParseScheduleAnchor(std::string_view text);  ///< enrolment, first-infusion
Result<PatientStatus> ParsePatientStatus(std::string_view text);
Result<ProcedureKind> ParseProcedureKind(std::string_view text);
Result<MedicationClass> ParseMedicationClass(std::string_view text);
Result<VisitStatus> ParseVisitStatus(std::string_view text);
Result<LabOperator> ParseLabOperator(std::string_view text);  ///< "", "=", "<", "<=", ">", ">="
Result<MissingReason> ParseMissingReason(std::string_view text);
Result<Varices> ParseVarices(std::string_view text);
Result<OutcomeKind> ParseOutcomeKind(std::string_view text);
Result<DeathCause> ParseDeathCause(std::string_view text);
Result<DecompensationKind> ParseDecompensationKind(std::string_view text);
Result<Relatedness> ParseRelatedness(std::string_view text);
Result<AeOutcome> ParseAeOutcome(std::string_view text);
/// An analyte by short name ("albumin", "bilirubin", "INR"), common lab code
/// (ALB, BILI, CREAT, SODIUM, PLAT, AST, ALT, PT, PTA, CHE, AFP) or LOINC code.
Result<Analyte> ParseAnalyte(std::string_view text);

std::string_view Code(CellProduct value);
std::string_view Code(CellSource value);
std::string_view Code(DoseUnit value);
std::string_view Code(Route value);
std::string_view Code(ScheduleAnchor value);
std::string_view Code(PatientStatus value);
std::string_view Code(ProcedureKind value);
std::string_view Code(MedicationClass value);
std::string_view Code(VisitStatus value);
std::string_view Code(LabOperator value);  ///< "=", "<", ...
std::string_view Code(MissingReason value);
std::string_view Code(Varices value);
std::string_view Code(OutcomeKind value);
std::string_view Code(DeathCause value);
std::string_view Code(DecompensationKind value);
std::string_view Code(Relatedness value);
std::string_view Code(AeOutcome value);
/// The analyte's registry code: ALB, BILI, CREAT, SODIUM, PLAT, AST, ASTULN,
/// ALT, INR, PT, PTA, CHE, AFP (CDISC LBTESTCD where one exists).
std::string_view Code(Analyte value);

// ---- records ----------------------------------------------------------------

/// Where a record came from, for error messages: batch.sources[source] and a 1-based line.
struct Origin {
  std::uint32_t source = 0;
  std::uint32_t line = 0;
  friend bool operator==(const Origin&, const Origin&) = default;
};

/// Key: code.
struct Site {
  std::string code;  ///< short, e.g. "FR01"
  std::string name;
  std::string country;  ///< ISO 3166-1 alpha-2, may be empty
  Origin origin;
  friend bool operator==(const Site&, const Site&) = default;
};

/// Key: code.
struct Study {
  std::string code;
  std::string title;
  std::string registration;  ///< trial registry id (NCT..., ChiCTR...), may be empty
  Origin origin;
  friend bool operator==(const Study&, const Study&) = default;
};

/// Key: (study, code).
struct Arm {
  std::string study;
  std::string code;
  std::string name;
  std::optional<CellProduct> product;  ///< empty for a control arm
  std::optional<Route> route;
  Origin origin;
  friend bool operator==(const Arm&, const Arm&) = default;
};

/// A planned visit of a study's schedule. Key: (study, code).
struct ScheduledVisit {
  std::string study;
  std::string code;  ///< e.g. "W4", "M6"
  std::string name;
  int day = 0;  ///< day offset from the anchor
  int window_before = 0;
  int window_after = 0;
  ScheduleAnchor anchor = ScheduleAnchor::kEnrolment;
  Origin origin;
  friend bool operator==(const ScheduledVisit&, const ScheduledVisit&) = default;
};

/// Key: code (the pseudonym; unique across the registry).
struct Patient {
  std::string code;
  std::string site;
  std::string study;
  std::string arm;  ///< may be empty (not randomised, or registry-only)
  std::optional<Sex> sex;
  std::optional<int> birth_year;
  AetiologySet aetiologies;
  std::optional<Date> cirrhosis_diagnosis;
  std::optional<Date> first_decompensation;
  std::optional<Date> enrolment;
  PatientStatus status = PatientStatus::kOnStudy;
  Origin origin;
  friend bool operator==(const Patient&, const Patient&) = default;
};

/// One cell infusion. Key: (patient, number).
struct Infusion {
  std::string patient;
  int number = 0;  ///< 1, 2, 3 ... within the patient
  int course = 1;  ///< treatment course the infusion belongs to
  Date date;
  CellProduct product = CellProduct::kOther;
  CellSource source = CellSource::kAutologous;
  std::optional<double> dose;  ///< in dose_unit, e.g. 1e6 (cells/kg) or 5e7 (cells)
  DoseUnit dose_unit = DoseUnit::kCellsPerKg;
  Route route = Route::kPeripheralVein;
  Origin origin;
  friend bool operator==(const Infusion&, const Infusion&) = default;
};

/// Key: (patient, kind, date).
struct Procedure {
  std::string patient;
  ProcedureKind kind = ProcedureKind::kOther;
  Date date;
  std::string detail;  ///< free text, e.g. the "other" procedure's name
  Origin origin;
  friend bool operator==(const Procedure&, const Procedure&) = default;
};

/// Concomitant medication. Key: (patient, medication class, name, start).
struct Medication {
  std::string patient;
  MedicationClass medication_class = MedicationClass::kOther;
  std::string name;  ///< e.g. "entecavir", "spironolactone"
  Date start;
  std::optional<Date> end;
  std::string dose;  ///< as written, e.g. "0.5 mg daily"
  Origin origin;
  friend bool operator==(const Medication&, const Medication&) = default;
};

/// Key: (patient, date).
struct Visit {
  std::string patient;
  Date date;         ///< the actual date, or the planned one while scheduled or missed
  std::string code;  ///< the schedule's visit code; empty for an unscheduled visit
  VisitStatus status = VisitStatus::kCompleted;
  Origin origin;
  friend bool operator==(const Visit&, const Visit&) = default;
};

/// Key: (patient, date, analyte).
struct LabResult {
  std::string patient;
  Date date;
  Analyte analyte = Analyte::kAlbumin;
  std::string value_as_entered;  ///< the number as written ("31", "<0.5" keeps "0.5")
  std::string unit_as_entered;   ///< the unit as written; empty means the canonical unit
  std::optional<double> value;   ///< canonical unit (core/units.hpp); empty when missing
  LabOperator op = LabOperator::kEqual;
  std::optional<MissingReason> missing;  ///< set exactly when value is empty
  Origin origin;
  friend bool operator==(const LabResult&, const LabResult&) = default;
};

/// Bedside findings at a visit. Key: (patient, date).
struct Assessment {
  std::string patient;
  Date date;
  std::optional<Ascites> ascites;
  std::optional<int> encephalopathy_grade;  ///< West Haven 0-4
  std::optional<Dialysis> dialysis;
  std::optional<Varices> varices;
  std::optional<double> weight_kg;
  std::optional<double> liver_volume_ml;
  Origin origin;
  friend bool operator==(const Assessment&, const Assessment&) = default;
};

/// Key: (patient, kind, date).
struct OutcomeEvent {
  std::string patient;
  OutcomeKind kind = OutcomeKind::kDeath;
  Date date;
  std::optional<DeathCause> death_cause;             ///< only for kDeath
  std::optional<DecompensationKind> decompensation;  ///< only for kDecompensation
  std::string detail;                                ///< free text (cancer site, withdrawal reason)
  Origin origin;
  friend bool operator==(const OutcomeEvent&, const OutcomeEvent&) = default;
};

/// Key: (patient, term, onset).
struct AdverseEvent {
  std::string patient;
  std::string term;  ///< e.g. "fever"; CTCAE term where one fits
  Date onset;
  std::optional<Date> end;
  int grade = 1;  ///< CTCAE 1-5
  bool serious = false;
  std::optional<int> infusion;  ///< number of the infusion suspected, if any
  Relatedness relatedness = Relatedness::kNotRelated;
  AeOutcome outcome = AeOutcome::kUnknown;
  Origin origin;
  friend bool operator==(const AdverseEvent&, const AdverseEvent&) = default;
};

/// Everything one import brings in, or one export writes out.
struct RegistryBatch {
  std::vector<std::string> sources;  ///< file names (or bundle ids) that Origin.source indexes
  std::vector<Site> sites;
  std::vector<Study> studies;
  std::vector<Arm> arms;
  std::vector<ScheduledVisit> schedule;
  std::vector<Patient> patients;
  std::vector<Infusion> infusions;
  std::vector<Procedure> procedures;
  std::vector<Medication> medications;
  std::vector<Visit> visits;
  std::vector<LabResult> labs;
  std::vector<Assessment> assessments;
  std::vector<OutcomeEvent> events;
  std::vector<AdverseEvent> adverse_events;
};

/// One bad input value: where it is and why it was refused.
/// Rows of every table of the batch together.
std::size_t RowCount(const RegistryBatch& batch);

struct RecordProblem {
  std::string file;
  std::uint32_t line = 0;  ///< 0 when the problem is not on one line
  std::string column;
  std::string value;
  std::string reason;
};

/// "file:line: column \"value\": reason" (parts that are empty are left out).
std::string Describe(const RecordProblem& problem);

}  // namespace cirrus::core
