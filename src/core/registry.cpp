#include "cirrus/core/registry.hpp"

#include <array>
#include <string>

#include "internal/lookup.hpp"

namespace cirrus::core {
namespace {

using internal::CodeEntry;
using internal::CodeOf;
using internal::LookupCode;

constexpr std::array<CodeEntry<CellProduct>, 4> kCellProducts = {{
    {CellProduct::kBmMnc, "bm-mnc", "bmmc|bone-marrow-mononuclear-cells|abmc"},
    {CellProduct::kBmMsc, "bm-msc", "bone-marrow-msc|bone-marrow-mesenchymal-stem-cells"},
    {CellProduct::kUcMsc, "uc-msc", "umbilical-cord-msc|umbilical-cord-mesenchymal-stem-cells|ucmscs"},
    {CellProduct::kOther, "other", ""},
}};
constexpr std::array<CodeEntry<CellSource>, 2> kCellSources = {{
    {CellSource::kAutologous, "autologous", "auto"},
    {CellSource::kAllogeneic, "allogeneic", "allo|allogenic"},
}};
constexpr std::array<CodeEntry<DoseUnit>, 2> kDoseUnits = {{
    {DoseUnit::kCells, "cells", "cell|{cells}"},
    {DoseUnit::kCellsPerKg, "cells/kg", "{cells}/kg|cell/kg|/kg"},
}};
constexpr std::array<CodeEntry<Route>, 5> kRoutes = {{
    {Route::kPeripheralVein, "peripheral-vein", "peripheral|intravenous|iv|vein"},
    {Route::kPortalVein, "portal-vein", "portal|intraportal"},
    {Route::kHepaticArtery, "hepatic-artery", "hepatic-arterial|intra-arterial|arterial"},
    {Route::kImplantedPort, "implanted-port", "port|hepatic-artery-port"},
    {Route::kOther, "other", ""},
}};
constexpr std::array<CodeEntry<ScheduleAnchor>, 2> kAnchors = {{
    {ScheduleAnchor::kEnrolment, "enrolment", "enrollment|baseline"},
    {ScheduleAnchor::kFirstInfusion, "first-infusion", "infusion"},
}};
constexpr std::array<CodeEntry<PatientStatus>, 7> kPatientStatuses = {{
    {PatientStatus::kScreening, "screening", ""},
    {PatientStatus::kOnStudy, "on-study", "active|enrolled"},
    {PatientStatus::kFollowUp, "follow-up", "followup"},
    {PatientStatus::kCompleted, "completed", "complete"},
    {PatientStatus::kWithdrawn, "withdrawn", "withdrawal"},
    {PatientStatus::kLostToFollowUp, "lost-to-follow-up", "ltfu|lost"},
    {PatientStatus::kDead, "dead", "died|deceased"},
}};
constexpr std::array<CodeEntry<ProcedureKind>, 9> kProcedureKinds = {{
    {ProcedureKind::kBoneMarrowHarvest, "bone-marrow-harvest", "bone-marrow-aspiration|bm-harvest"},
    {ProcedureKind::kSplenectomy, "splenectomy", ""},
    {ProcedureKind::kPortImplantation, "port-implantation", "port"},
    {ProcedureKind::kTips, "tips", ""},
    {ProcedureKind::kParacentesis, "paracentesis", ""},
    {ProcedureKind::kVaricealBandLigation, "variceal-band-ligation", "evl|ebl|band-ligation"},
    {ProcedureKind::kLiverTransplant, "liver-transplant", "transplant|olt|lt"},
    {ProcedureKind::kLiverUltrasound, "liver-ultrasound", "ultrasound|us|abdominal-ultrasound|liver-us"},
    {ProcedureKind::kOther, "other", ""},
}};
constexpr std::array<CodeEntry<MedicationClass>, 5> kMedicationClasses = {{
    {MedicationClass::kAntiviral, "antiviral", "nucleos(t)ide-analogue|na|daa"},
    {MedicationClass::kDiuretic, "diuretic", ""},
    {MedicationClass::kAlbumin, "albumin", "albumin-infusion"},
    {MedicationClass::kBetaBlocker, "beta-blocker", "nsbb|betablocker"},
    {MedicationClass::kOther, "other", ""},
}};
constexpr std::array<CodeEntry<VisitStatus>, 4> kVisitStatuses = {{
    {VisitStatus::kScheduled, "scheduled", "planned"},
    {VisitStatus::kCompleted, "completed", "done|complete"},
    {VisitStatus::kMissed, "missed", "not-done"},
    {VisitStatus::kCancelled, "cancelled", "canceled"},
}};
constexpr std::array<CodeEntry<MissingReason>, 4> kMissingReasons = {{
    {MissingReason::kNotDone, "not-done", "nd"},
    {MissingReason::kSampleLost, "sample-lost", "lost|haemolysed|hemolyzed"},
    {MissingReason::kUnknown, "unknown", "unk"},
    {MissingReason::kNotApplicable, "not-applicable", "na|n/a"},
}};
constexpr std::array<CodeEntry<Varices>, 3> kVarices = {{
    {Varices::kNone, "none", "no|absent"},
    {Varices::kSmall, "small", "grade1|f1"},
    {Varices::kLarge, "large", "grade2|grade3|f2|f3"},
}};
constexpr std::array<CodeEntry<OutcomeKind>, 8> kOutcomeKinds = {{
    {OutcomeKind::kDeath, "death", "died|dead"},
    {OutcomeKind::kLiverTransplant, "liver-transplant", "transplant|olt"},
    {OutcomeKind::kHcc, "hcc", "hepatocellular-carcinoma"},
    {OutcomeKind::kOtherCancer, "other-cancer", "cancer|malignancy"},
    {OutcomeKind::kDecompensation, "decompensation", ""},
    {OutcomeKind::kLostToFollowUp, "lost-to-follow-up", "ltfu"},
    {OutcomeKind::kWithdrawal, "withdrawal", "withdrawn"},
    {OutcomeKind::kLastKnownAlive, "last-known-alive", "alive|last-contact"},
}};
constexpr std::array<CodeEntry<DeathCause>, 6> kDeathCauses = {{
    {DeathCause::kLiverFailure, "liver-failure", "hepatic-failure"},
    {DeathCause::kInfection, "infection", "sepsis"},
    {DeathCause::kBleeding, "bleeding", "variceal-bleeding|haemorrhage|hemorrhage"},
    {DeathCause::kHcc, "hcc", ""},
    {DeathCause::kOther, "other", ""},
    {DeathCause::kUnknown, "unknown", ""},
}};
constexpr std::array<CodeEntry<DecompensationKind>, 4> kDecompensationKinds = {{
    {DecompensationKind::kAscites, "ascites", ""},
    {DecompensationKind::kVaricealBleeding, "variceal-bleeding", "bleeding|vb"},
    {DecompensationKind::kEncephalopathy, "encephalopathy", "he|hepatic-encephalopathy"},
    {DecompensationKind::kJaundice, "jaundice", ""},
}};
constexpr std::array<CodeEntry<Relatedness>, 5> kRelatedness = {{
    {Relatedness::kNotRelated, "not-related", "unrelated|none"},
    {Relatedness::kUnlikely, "unlikely", ""},
    {Relatedness::kPossible, "possible", "possibly"},
    {Relatedness::kProbable, "probable", "probably|likely"},
    {Relatedness::kDefinite, "definite", "certain|related"},
}};
constexpr std::array<CodeEntry<AeOutcome>, 6> kAeOutcomes = {{
    {AeOutcome::kRecovered, "recovered", "resolved"},
    {AeOutcome::kRecovering, "recovering", "resolving"},
    {AeOutcome::kNotRecovered, "not-recovered", "ongoing"},
    {AeOutcome::kRecoveredWithSequelae, "recovered-with-sequelae", "sequelae"},
    {AeOutcome::kFatal, "fatal", "death"},
    {AeOutcome::kUnknown, "unknown", ""},
}};
constexpr std::array<CodeEntry<Analyte>, 13> kAnalyteCodes = {{
    {Analyte::kAlbumin, "ALB", "albumin|1751-7"},
    {Analyte::kBilirubin, "BILI", "bilirubin|total-bilirubin|tbil|1975-2|14631-6"},
    {Analyte::kCreatinine, "CREAT", "creatinine|cr|2160-0|14682-9"},
    {Analyte::kSodium, "SODIUM", "sodium|na|2951-2|2947-0"},
    {Analyte::kPlatelets, "PLAT", "platelets|plt|777-3|26515-7"},
    {Analyte::kAst, "AST", "1920-8"},
    {Analyte::kAstUpperLimitOfNormal, "ASTULN", "ast-upper-limit-of-normal|ast-uln"},
    {Analyte::kAlt, "ALT", "1742-6"},
    {Analyte::kInr, "INR", "6301-6|34714-6"},
    {Analyte::kProthrombinTime, "PT", "prothrombin-time|5902-2"},
    {Analyte::kProthrombinActivity, "PTA", "prothrombin-activity|quick|5894-1"},
    {Analyte::kCholinesterase, "CHE", "cholinesterase|chol-esterase|2098-2"},
    {Analyte::kAfp, "AFP", "alpha-fetoprotein|1834-1|19176-7"},
}};

}  // namespace

Result<CellProduct> ParseCellProduct(std::string_view text) { return LookupCode(text, kCellProducts, "product"); }
Result<CellSource> ParseCellSource(std::string_view text) { return LookupCode(text, kCellSources, "source"); }
Result<DoseUnit> ParseDoseUnit(std::string_view text) { return LookupCode(text, kDoseUnits, "dose_unit"); }
Result<Route> ParseRoute(std::string_view text) { return LookupCode(text, kRoutes, "route"); }
Result<ScheduleAnchor> ParseScheduleAnchor(std::string_view text) { return LookupCode(text, kAnchors, "anchor"); }
Result<PatientStatus> ParsePatientStatus(std::string_view text) { return LookupCode(text, kPatientStatuses, "status"); }
Result<ProcedureKind> ParseProcedureKind(std::string_view text) {
  return LookupCode(text, kProcedureKinds, "procedure");
}
Result<MedicationClass> ParseMedicationClass(std::string_view text) {
  return LookupCode(text, kMedicationClasses, "class");
}
Result<VisitStatus> ParseVisitStatus(std::string_view text) { return LookupCode(text, kVisitStatuses, "status"); }
Result<MissingReason> ParseMissingReason(std::string_view text) {
  return LookupCode(text, kMissingReasons, "missing_reason");
}
Result<Varices> ParseVarices(std::string_view text) { return LookupCode(text, kVarices, "varices"); }
Result<OutcomeKind> ParseOutcomeKind(std::string_view text) { return LookupCode(text, kOutcomeKinds, "event"); }
Result<DeathCause> ParseDeathCause(std::string_view text) { return LookupCode(text, kDeathCauses, "death_cause"); }
Result<DecompensationKind> ParseDecompensationKind(std::string_view text) {
  return LookupCode(text, kDecompensationKinds, "decompensation");
}
Result<Relatedness> ParseRelatedness(std::string_view text) { return LookupCode(text, kRelatedness, "relatedness"); }
Result<AeOutcome> ParseAeOutcome(std::string_view text) { return LookupCode(text, kAeOutcomes, "outcome"); }
Result<Analyte> ParseAnalyte(std::string_view text) { return LookupCode(text, kAnalyteCodes, "analyte"); }

Result<LabOperator> ParseLabOperator(std::string_view text) {
  // The Folded must outlive the view: a view of a temporary Folded dangled
  // (GCC -O3 flagged the read of its dead buffer as maybe-uninitialized).
  const internal::Folded folded(text);
  const std::string_view t = folded.view();
  if (t.empty() || t == "=") return LabOperator::kEqual;
  if (t == "<") return LabOperator::kLess;
  if (t == "<=") return LabOperator::kLessOrEqual;
  if (t == ">") return LabOperator::kGreater;
  if (t == ">=") return LabOperator::kGreaterOrEqual;
  return Fail(ErrorCode::kInvalidArgument,
              "operator \"" + std::string(text) + "\" is not recognised; expected one of =, <, <=, >, >=", "operator");
}

std::string_view Code(CellProduct value) { return CodeOf(value, kCellProducts); }
std::string_view Code(CellSource value) { return CodeOf(value, kCellSources); }
std::string_view Code(DoseUnit value) { return CodeOf(value, kDoseUnits); }
std::string_view Code(Route value) { return CodeOf(value, kRoutes); }
std::string_view Code(ScheduleAnchor value) { return CodeOf(value, kAnchors); }
std::string_view Code(PatientStatus value) { return CodeOf(value, kPatientStatuses); }
std::string_view Code(ProcedureKind value) { return CodeOf(value, kProcedureKinds); }
std::string_view Code(MedicationClass value) { return CodeOf(value, kMedicationClasses); }
std::string_view Code(VisitStatus value) { return CodeOf(value, kVisitStatuses); }
std::string_view Code(MissingReason value) { return CodeOf(value, kMissingReasons); }
std::string_view Code(Varices value) { return CodeOf(value, kVarices); }
std::string_view Code(OutcomeKind value) { return CodeOf(value, kOutcomeKinds); }
std::string_view Code(DeathCause value) { return CodeOf(value, kDeathCauses); }
std::string_view Code(DecompensationKind value) { return CodeOf(value, kDecompensationKinds); }
std::string_view Code(Relatedness value) { return CodeOf(value, kRelatedness); }
std::string_view Code(AeOutcome value) { return CodeOf(value, kAeOutcomes); }
std::string_view Code(Analyte value) { return CodeOf(value, kAnalyteCodes); }

std::string_view Code(LabOperator value) {
  switch (value) {
    case LabOperator::kEqual: return "=";
    case LabOperator::kLess: return "<";
    case LabOperator::kLessOrEqual: return "<=";
    case LabOperator::kGreater: return ">";
    case LabOperator::kGreaterOrEqual: return ">=";
  }
  return "?";
}

std::size_t RowCount(const RegistryBatch& b) {
  return b.sites.size() + b.studies.size() + b.arms.size() + b.schedule.size() + b.patients.size() +
         b.infusions.size() + b.procedures.size() + b.medications.size() + b.visits.size() + b.labs.size() +
         b.assessments.size() + b.events.size() + b.adverse_events.size();
}

std::string Describe(const RecordProblem& problem) {
  std::string out = problem.file;
  if (problem.line > 0) out += ":" + std::to_string(problem.line);
  if (!out.empty()) out += ": ";
  if (!problem.column.empty()) {
    out += problem.column;
    out += " \"" + problem.value + "\": ";
  }
  out += problem.reason;
  return out;
}

}  // namespace cirrus::core
