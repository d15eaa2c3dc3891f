#include "cirrus/io/registry_fhir.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "cirrus/base/text.hpp"
#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/files.hpp"
#include "internal/registry_checks.hpp"

namespace cirrus::io {
namespace {

using core::RegistryBatch;
// Written with ordered_json so that members appear in the order FHIR's own
// examples use (resourceType, id, extension, ...) and the text is stable;
// read with json, whose lookups are logarithmic.
using OJson = nlohmann::ordered_json;
using Json = nlohmann::json;

// ---- names ----------------------------------------------------------------

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kSnomed = "http://snomed.info/sct";
constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr std::string_view kDataAbsentReason = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
constexpr std::string_view kAeSeriousness = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness";
constexpr std::string_view kAeSeverity = "http://terminology.hl7.org/CodeSystem/adverse-event-severity";
constexpr std::string_view kAeOutcome = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome";

// SNOMED CT concepts the reference (docs/reference/registry.md 3.1, 3.3) checked.
constexpr std::string_view kSnomedCirrhosis = "19943007";        // Cirrhosis of liver (disorder)
constexpr std::string_view kSnomedHcc = "109841003";             // Liver cell carcinoma (disorder)
constexpr std::string_view kSnomedLiverTransplant = "18027006";  // Transplantation of liver (procedure)
constexpr std::string_view kLoincBodyWeight = "29463-7";         // Body weight

std::string Under(std::string_view kind, std::string_view name) {
  std::string url(kFhirBase);
  url += kind;
  url += '/';
  url += name;
  return url;
}
std::string ExtUrl(std::string_view name) { return Under("StructureDefinition", name); }
std::string System(std::string_view name) { return Under("CodeSystem", name); }
std::string IdSystem(std::string_view name) { return Under("sid", name); }

// Code systems.
const std::string& CsAnalyte() {
  static const std::string s = System("analyte");
  return s;
}
#define CIRRUS_FHIR_NAME(function, maker, name) \
  const std::string& function() {               \
    static const std::string s = maker(name);   \
    return s;                                   \
  }
CIRRUS_FHIR_NAME(CsCellProduct, System, "cell-product")
CIRRUS_FHIR_NAME(CsRoute, System, "route")
CIRRUS_FHIR_NAME(CsProcedureKind, System, "procedure-kind")
CIRRUS_FHIR_NAME(CsMedicationClass, System, "medication-class")
CIRRUS_FHIR_NAME(CsVisitCode, System, "visit-code")
CIRRUS_FHIR_NAME(CsMissingReason, System, "missing-reason")
CIRRUS_FHIR_NAME(CsOutcome, System, "outcome")
CIRRUS_FHIR_NAME(CsDeathCause, System, "death-cause")
CIRRUS_FHIR_NAME(CsDecompensation, System, "decompensation")
CIRRUS_FHIR_NAME(CsRelatedness, System, "relatedness")
CIRRUS_FHIR_NAME(CsAetiology, System, "aetiology")
CIRRUS_FHIR_NAME(CsCondition, System, "condition")
CIRRUS_FHIR_NAME(CsAssessment, System, "assessment")
CIRRUS_FHIR_NAME(CsAscites, System, "ascites")
CIRRUS_FHIR_NAME(CsVarices, System, "varices")
CIRRUS_FHIR_NAME(CsInfusionCategory, System, "procedure-category")
// Identifier systems.
CIRRUS_FHIR_NAME(SidSite, IdSystem, "site")
CIRRUS_FHIR_NAME(SidStudy, IdSystem, "study")
CIRRUS_FHIR_NAME(SidRegistration, IdSystem, "trial-registration")
CIRRUS_FHIR_NAME(SidPatient, IdSystem, "patient")
CIRRUS_FHIR_NAME(SidInfusion, IdSystem, "infusion-number")
// Extensions.
CIRRUS_FHIR_NAME(ExtScheduledVisit, ExtUrl, "scheduled-visit")
CIRRUS_FHIR_NAME(ExtNoStudyRecord, ExtUrl, "no-study-record")
CIRRUS_FHIR_NAME(ExtArmProduct, ExtUrl, "arm-cell-product")
CIRRUS_FHIR_NAME(ExtArmRoute, ExtUrl, "arm-route")
CIRRUS_FHIR_NAME(ExtBirthYear, ExtUrl, "birth-year")
CIRRUS_FHIR_NAME(ExtPatientStatus, ExtUrl, "patient-status")
CIRRUS_FHIR_NAME(ExtInfusionNumber, ExtUrl, "infusion-number")
CIRRUS_FHIR_NAME(ExtCourse, ExtUrl, "treatment-course")
CIRRUS_FHIR_NAME(ExtCellSource, ExtUrl, "cell-source")
CIRRUS_FHIR_NAME(ExtDose, ExtUrl, "dose")
CIRRUS_FHIR_NAME(ExtVisitStatus, ExtUrl, "visit-status")
CIRRUS_FHIR_NAME(ExtAsEntered, ExtUrl, "as-entered")
CIRRUS_FHIR_NAME(ExtCanonicalValue, ExtUrl, "canonical-value")
CIRRUS_FHIR_NAME(ExtLabOperator, ExtUrl, "lab-operator")
CIRRUS_FHIR_NAME(ExtMissingReason, ExtUrl, "missing-reason")
CIRRUS_FHIR_NAME(ExtDeathCause, ExtUrl, "death-cause")
CIRRUS_FHIR_NAME(ExtCtcaeGrade, ExtUrl, "ctcae-grade")
CIRRUS_FHIR_NAME(ExtEndDate, ExtUrl, "end-date")
CIRRUS_FHIR_NAME(ExtRelatedness, ExtUrl, "relatedness")
#undef CIRRUS_FHIR_NAME

// ---- ids --------------------------------------------------------------------

bool IsIdPart(std::string_view part) {
  if (part.empty()) return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// A FHIR id ([A-Za-z0-9.-]{1,64}) from a record's natural key: the key's parts
// joined with '.', after a tag naming the record type, when every part is a
// plain non-empty word; otherwise the tag, "..", and an FNV-1a hash of the
// parts. Readable ids never contain "..", so the two forms cannot meet.
std::string MakeId(std::string_view tag, std::initializer_list<std::string_view> parts) {
  std::string id(tag);
  bool readable = true;
  for (std::string_view part : parts) {
    readable = readable && IsIdPart(part);
    id += '.';
    id += part;
  }
  if (readable && id.size() <= 64) return id;
  std::uint64_t hash = 14695981039346656037ULL;
  auto mix = [&hash](unsigned char c) {
    hash ^= c;
    hash *= 1099511628211ULL;
  };
  for (std::string_view part : parts) {
    for (char c : std::to_string(part.size())) mix(static_cast<unsigned char>(c));
    mix(':');
    for (char c : part) mix(static_cast<unsigned char>(c));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hashed(tag);
  hashed += "..";
  for (int shift = 60; shift >= 0; shift -= 4) hashed += kHex[(hash >> shift) & 0xF];
  return hashed;
}

std::string DateText(core::Date date) { return core::FormatDate(date); }
std::string IntText(int value) { return std::to_string(value); }

std::string SiteId(const std::string& code) { return MakeId("site", {code}); }
std::string StudyId(const std::string& code) { return MakeId("study", {code}); }
std::string PatientId(const std::string& code) { return MakeId("pat", {code}); }
std::string InfusionId(const std::string& patient, int number) {
  const std::string n = IntText(number);
  return MakeId("inf", {patient, n});
}

// ---- small enum maps ------------------------------------------------------

std::string_view R4SubjectStatus(core::PatientStatus status) {
  switch (status) {
    case core::PatientStatus::kScreening: return "screening";
    case core::PatientStatus::kOnStudy: return "on-study";
    case core::PatientStatus::kFollowUp: return "follow-up";
    case core::PatientStatus::kWithdrawn: return "withdrawn";
    case core::PatientStatus::kCompleted:
    case core::PatientStatus::kLostToFollowUp:
    case core::PatientStatus::kDead: return "off-study";
  }
  return "off-study";
}

std::optional<core::PatientStatus> FromR4SubjectStatus(std::string_view code) {
  using core::PatientStatus;
  if (code == "candidate" || code == "eligible" || code == "potential-candidate" || code == "pending-on-study" ||
      code == "screening") {
    return PatientStatus::kScreening;
  }
  if (code == "on-study" || code == "on-study-intervention" || code == "on-study-observation") {
    return PatientStatus::kOnStudy;
  }
  if (code == "follow-up") return PatientStatus::kFollowUp;
  if (code == "withdrawn") return PatientStatus::kWithdrawn;
  if (code == "off-study") return PatientStatus::kCompleted;
  return std::nullopt;
}

std::string_view R4EncounterStatus(core::VisitStatus status) {
  switch (status) {
    case core::VisitStatus::kScheduled: return "planned";
    case core::VisitStatus::kCompleted: return "finished";
    case core::VisitStatus::kMissed:
    case core::VisitStatus::kCancelled: return "cancelled";
  }
  return "cancelled";
}

std::optional<core::VisitStatus> FromR4EncounterStatus(std::string_view code) {
  using core::VisitStatus;
  if (code == "planned") return VisitStatus::kScheduled;
  if (code == "finished" || code == "arrived" || code == "triaged" || code == "in-progress" || code == "onleave") {
    return VisitStatus::kCompleted;
  }
  if (code == "cancelled") return VisitStatus::kCancelled;
  return std::nullopt;
}

std::string_view R4DataAbsent(core::MissingReason reason) {
  switch (reason) {
    case core::MissingReason::kNotDone: return "not-performed";
    case core::MissingReason::kSampleLost: return "error";
    case core::MissingReason::kUnknown: return "unknown";
    case core::MissingReason::kNotApplicable: return "not-applicable";
  }
  return "unknown";
}

core::MissingReason FromR4DataAbsent(std::string_view code) {
  if (code == "not-performed") return core::MissingReason::kNotDone;
  if (code == "error") return core::MissingReason::kSampleLost;
  if (code == "not-applicable") return core::MissingReason::kNotApplicable;
  return core::MissingReason::kUnknown;
}

std::string_view R4AeOutcome(core::AeOutcome outcome) {
  switch (outcome) {
    case core::AeOutcome::kRecovered: return "resolved";
    case core::AeOutcome::kRecovering: return "recovering";
    case core::AeOutcome::kNotRecovered: return "ongoing";
    case core::AeOutcome::kRecoveredWithSequelae: return "resolvedWithSequelae";
    case core::AeOutcome::kFatal: return "fatal";
    case core::AeOutcome::kUnknown: return "unknown";
  }
  return "unknown";
}

std::optional<core::AeOutcome> FromR4AeOutcome(std::string_view code) {
  for (auto value : {core::AeOutcome::kRecovered, core::AeOutcome::kRecovering, core::AeOutcome::kNotRecovered,
                     core::AeOutcome::kRecoveredWithSequelae, core::AeOutcome::kFatal, core::AeOutcome::kUnknown}) {
    if (R4AeOutcome(value) == code) return value;
  }
  return std::nullopt;
}

// Where each outcome kind lives in FHIR.
enum class OutcomeResource { kObservation, kCondition, kProcedure };
OutcomeResource ResourceFor(core::OutcomeKind kind) {
  switch (kind) {
    case core::OutcomeKind::kHcc:
    case core::OutcomeKind::kOtherCancer:
    case core::OutcomeKind::kDecompensation: return OutcomeResource::kCondition;
    case core::OutcomeKind::kLiverTransplant: return OutcomeResource::kProcedure;
    case core::OutcomeKind::kDeath:
    case core::OutcomeKind::kLostToFollowUp:
    case core::OutcomeKind::kWithdrawal:
    case core::OutcomeKind::kLastKnownAlive: return OutcomeResource::kObservation;
  }
  return OutcomeResource::kObservation;
}

std::string AetiologyCode(core::Aetiology aetiology) { return ToLowerAscii(core::Name(aetiology)); }

constexpr std::array kAllAetiologies = {
    core::Aetiology::kHbv,     core::Aetiology::kHcv,   core::Aetiology::kHdv,
    core::Aetiology::kAlcohol, core::Aetiology::kMasld, core::Aetiology::kAutoimmune,
    core::Aetiology::kPbc,     core::Aetiology::kPsc,   core::Aetiology::kHaemochromatosis,
    core::Aetiology::kOther,
};

// ---- writing ----------------------------------------------------------------

OJson Coding(std::string_view system, std::string_view code, std::string_view display = {}) {
  OJson coding = OJson::object();
  coding["system"] = system;
  coding["code"] = code;
  if (!display.empty()) coding["display"] = display;
  return coding;
}

OJson Concept(std::initializer_list<OJson> codings) {
  OJson concept_json = OJson::object();
  concept_json["coding"] = OJson::array();
  for (const OJson& coding : codings) concept_json["coding"].push_back(coding);
  return concept_json;
}

OJson Extension(const std::string& url, std::string_view value_key, OJson value) {
  OJson ext = OJson::object();
  ext["url"] = url;
  ext[std::string(value_key)] = std::move(value);
  return ext;
}

// A JSON number that reads back as exactly `value`; whole numbers are
// written without a fraction ("35", not "35.0").
OJson Number(double value) {
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < 9.0e15) {
    return OJson(static_cast<std::int64_t>(value));
  }
  return OJson(value);
}

class BundleWriter {
 public:
  explicit BundleWriter(const RegistryBatch& batch) : batch_(batch) {
    for (const auto& site : batch.sites) sites_.insert(site.code);
    for (const auto& study : batch.studies) studies_.insert(study.code);
    for (const auto& patient : batch.patients) patients_.insert(patient.code);
    for (const auto& infusion : batch.infusions) infusions_.insert({infusion.patient, infusion.number});
  }

  std::string Write() {
    WriteSites();
    WriteStudies();
    WritePatients();
    WriteInfusions();
    WriteProcedures();
    WriteMedications();
    WriteVisits();
    WriteLabs();
    WriteAssessments();
    WriteOutcomes();
    WriteAdverseEvents();
    OJson bundle = OJson::object();
    bundle["resourceType"] = "Bundle";
    bundle["type"] = "collection";
    bundle["entry"] = std::move(entries_);
    return bundle.dump(2, ' ', false, OJson::error_handler_t::replace) + "\n";
  }

 private:
  template <typename T, typename Key>
  static std::vector<const T*> Sorted(const std::vector<T>& records, Key key) {
    std::vector<const T*> sorted;
    sorted.reserve(records.size());
    for (const T& record : records) sorted.push_back(&record);
    std::stable_sort(sorted.begin(), sorted.end(), [&key](const T* a, const T* b) { return key(*a) < key(*b); });
    return sorted;
  }

  void Add(std::string_view type, const std::string& id, OJson resource) {
    OJson entry = OJson::object();
    entry["fullUrl"] = std::string(kFhirBase) + std::string(type) + "/" + id;
    entry["resource"] = std::move(resource);
    entries_.push_back(std::move(entry));
  }

  static OJson Start(std::string_view type, const std::string& id) {
    OJson resource = OJson::object();
    resource["resourceType"] = type;
    resource["id"] = id;
    return resource;
  }

  static OJson IdentifierRef(const std::string& system, const std::string& value) {
    OJson identifier = OJson::object();
    identifier["system"] = system;
    identifier["value"] = value;
    return identifier;
  }

  // A reference by literal id when the target is in the Bundle, always with
  // the target's natural key as a logical identifier so that it can be
  // resolved against the registry when it is not.
  OJson Ref(std::string_view type, const std::string& id, bool present, const std::string& system,
            const std::string& value) const {
    OJson ref = OJson::object();
    if (present) ref["reference"] = std::string(type) + "/" + id;
    ref["identifier"] = IdentifierRef(system, value);
    return ref;
  }
  OJson PatientRef(const std::string& code) const {
    return Ref("Patient", PatientId(code), patients_.count(code) > 0, SidPatient(), code);
  }
  OJson SiteRef(const std::string& code) const {
    return Ref("Organization", SiteId(code), sites_.count(code) > 0, SidSite(), code);
  }
  OJson StudyRef(const std::string& code) const {
    return Ref("ResearchStudy", StudyId(code), studies_.count(code) > 0, SidStudy(), code);
  }

  static void AddExtension(OJson& resource, OJson ext) {
    if (!resource.contains("extension")) resource["extension"] = OJson::array();
    resource["extension"].push_back(std::move(ext));
  }
  static void AddNote(OJson& resource, const std::string& text) {
    if (text.empty()) return;
    OJson note = OJson::object();
    note["text"] = text;
    resource["note"] = OJson::array({note});
  }

  void WriteSites() {
    for (const auto* site : Sorted(batch_.sites, [](const core::Site& s) { return s.code; })) {
      const std::string id = SiteId(site->code);
      OJson org = Start("Organization", id);
      org["identifier"] = OJson::array({IdentifierRef(SidSite(), site->code)});
      if (!site->name.empty()) org["name"] = site->name;
      if (!site->country.empty()) {
        OJson address = OJson::object();
        address["country"] = site->country;
        org["address"] = OJson::array({address});
      }
      Add("Organization", id, std::move(org));
    }
  }

  void WriteStudies() {
    // Every study with a Study record, plus any study that only arms or
    // scheduled visits name (written with the no-study-record flag so that
    // reading it back creates no Study).
    std::set<std::string> codes(studies_.begin(), studies_.end());
    for (const auto& arm : batch_.arms) codes.insert(arm.study);
    for (const auto& visit : batch_.schedule) codes.insert(visit.study);
    const auto studies = Sorted(batch_.studies, [](const core::Study& s) { return s.code; });
    const auto arms = Sorted(batch_.arms, [](const core::Arm& a) { return std::tie(a.study, a.code); });
    const auto schedule =
        Sorted(batch_.schedule, [](const core::ScheduledVisit& v) { return std::tie(v.study, v.code); });
    for (const std::string& code : codes) {
      const std::string id = StudyId(code);
      OJson study = Start("ResearchStudy", id);
      const core::Study* record = nullptr;
      for (const auto* s : studies) {
        if (s->code == code) {
          record = s;
          break;
        }
      }
      if (record == nullptr) AddExtension(study, Extension(ExtNoStudyRecord(), "valueBoolean", true));
      for (const auto* visit : schedule) {
        if (visit->study != code) continue;
        OJson ext = OJson::object();
        ext["url"] = ExtScheduledVisit();
        ext["extension"] = OJson::array();
        ext["extension"].push_back(Extension("code", "valueString", visit->code));
        if (!visit->name.empty()) ext["extension"].push_back(Extension("name", "valueString", visit->name));
        ext["extension"].push_back(Extension("day", "valueInteger", visit->day));
        ext["extension"].push_back(Extension("window-before", "valueInteger", visit->window_before));
        ext["extension"].push_back(Extension("window-after", "valueInteger", visit->window_after));
        ext["extension"].push_back(Extension("anchor", "valueCode", core::Code(visit->anchor)));
        AddExtension(study, std::move(ext));
      }
      study["identifier"] = OJson::array({IdentifierRef(SidStudy(), code)});
      if (record != nullptr && !record->registration.empty()) {
        study["identifier"].push_back(IdentifierRef(SidRegistration(), record->registration));
      }
      if (record != nullptr && !record->title.empty()) study["title"] = record->title;
      study["status"] = "active";
      OJson arm_list = OJson::array();
      for (const auto* arm : arms) {
        if (arm->study != code) continue;
        OJson item = OJson::object();
        if (arm->product) {
          AddExtension(item,
                       Extension(ExtArmProduct(), "valueCoding", Coding(CsCellProduct(), core::Code(*arm->product))));
        }
        if (arm->route) {
          AddExtension(item, Extension(ExtArmRoute(), "valueCoding", Coding(CsRoute(), core::Code(*arm->route))));
        }
        item["name"] = arm->code;
        if (!arm->name.empty()) item["description"] = arm->name;
        arm_list.push_back(std::move(item));
      }
      if (!arm_list.empty()) study["arm"] = std::move(arm_list);
      Add("ResearchStudy", id, std::move(study));
    }
  }

  void WritePatients() {
    std::map<std::string, core::Date> death_dates;
    for (const auto& event : batch_.events) {
      if (event.kind != core::OutcomeKind::kDeath) continue;
      auto [it, inserted] = death_dates.emplace(event.patient, event.date);
      if (!inserted && event.date < it->second) it->second = event.date;
    }
    for (const auto* p : Sorted(batch_.patients, [](const core::Patient& x) { return x.code; })) {
      const std::string id = PatientId(p->code);
      OJson patient = Start("Patient", id);
      const bool plain_year = p->birth_year && *p->birth_year >= 1000 && *p->birth_year <= 9999;
      if (p->birth_year && !plain_year) {
        AddExtension(patient, Extension(ExtBirthYear(), "valueInteger", *p->birth_year));
      }
      patient["identifier"] = OJson::array({IdentifierRef(SidPatient(), p->code)});
      if (p->sex) patient["gender"] = core::Name(*p->sex);
      if (plain_year) patient["birthDate"] = IntText(*p->birth_year);
      if (auto death = death_dates.find(p->code); death != death_dates.end()) {
        patient["deceasedDateTime"] = DateText(death->second);
      }
      if (!p->site.empty()) patient["managingOrganization"] = SiteRef(p->site);
      Add("Patient", id, std::move(patient));

      const std::string subject_id = MakeId("subj", {p->code});
      OJson subject = Start("ResearchSubject", subject_id);
      if (R4SubjectStatus(p->status) == "off-study") {
        AddExtension(subject, Extension(ExtPatientStatus(), "valueCode", core::Code(p->status)));
      }
      subject["status"] = R4SubjectStatus(p->status);
      if (p->enrolment) subject["period"] = OJson::object({{"start", DateText(*p->enrolment)}});
      if (!p->study.empty()) subject["study"] = StudyRef(p->study);
      subject["individual"] = PatientRef(p->code);
      if (!p->arm.empty()) subject["assignedArm"] = p->arm;
      Add("ResearchSubject", subject_id, std::move(subject));

      if (p->cirrhosis_diagnosis) {
        const std::string cid = MakeId("cond", {p->code, "cirrhosis"});
        OJson condition = Start("Condition", cid);
        condition["code"] = Concept({Coding(CsCondition(), "cirrhosis", "Cirrhosis of liver"),
                                     Coding(kSnomed, kSnomedCirrhosis, "Cirrhosis of liver")});
        condition["subject"] = PatientRef(p->code);
        condition["onsetDateTime"] = DateText(*p->cirrhosis_diagnosis);
        Add("Condition", cid, std::move(condition));
      }
      if (p->first_decompensation) {
        const std::string cid = MakeId("cond", {p->code, "first-decompensation"});
        OJson condition = Start("Condition", cid);
        condition["code"] = Concept({Coding(CsCondition(), "first-decompensation", "First decompensation")});
        condition["subject"] = PatientRef(p->code);
        condition["onsetDateTime"] = DateText(*p->first_decompensation);
        Add("Condition", cid, std::move(condition));
      }
      for (core::Aetiology aetiology : kAllAetiologies) {
        if (!p->aetiologies.Contains(aetiology)) continue;
        const std::string code = AetiologyCode(aetiology);
        const std::string cid = MakeId("cond", {p->code, "aetiology", code});
        OJson condition = Start("Condition", cid);
        condition["category"] = OJson::array({Concept({Coding(CsCondition(), "aetiology", "Aetiology of cirrhosis")})});
        condition["code"] = Concept({Coding(CsAetiology(), code, core::Name(aetiology))});
        condition["subject"] = PatientRef(p->code);
        Add("Condition", cid, std::move(condition));
      }
    }
  }

  void WriteInfusions() {
    for (const auto* inf :
         Sorted(batch_.infusions, [](const core::Infusion& x) { return std::tie(x.patient, x.number); })) {
      const std::string id = InfusionId(inf->patient, inf->number);
      OJson procedure = Start("Procedure", id);
      AddExtension(procedure, Extension(ExtInfusionNumber(), "valueInteger", inf->number));
      AddExtension(procedure, Extension(ExtCourse(), "valueInteger", inf->course));
      AddExtension(procedure, Extension(ExtCellSource(), "valueCode", core::Code(inf->source)));
      OJson dose = OJson::object();
      if (inf->dose) dose["value"] = Number(*inf->dose);
      const bool per_kg = inf->dose_unit == core::DoseUnit::kCellsPerKg;
      dose["unit"] = per_kg ? "cells/kg" : "cells";
      dose["system"] = kUcum;
      dose["code"] = per_kg ? "{cells}/kg" : "{cells}";
      AddExtension(procedure, Extension(ExtDose(), "valueQuantity", std::move(dose)));
      procedure["status"] = "completed";
      procedure["category"] = Concept({Coding(CsInfusionCategory(), "cell-infusion", "Cell infusion")});
      procedure["code"] = Concept({Coding(CsCellProduct(), core::Code(inf->product))});
      procedure["subject"] = PatientRef(inf->patient);
      procedure["performedDateTime"] = DateText(inf->date);
      procedure["bodySite"] = OJson::array({Concept({Coding(CsRoute(), core::Code(inf->route))})});
      Add("Procedure", id, std::move(procedure));
    }
  }

  void WriteProcedures() {
    for (const auto* proc : Sorted(batch_.procedures, [](const core::Procedure& x) {
           return std::make_tuple(std::cref(x.patient), x.kind, x.date);
         })) {
      const std::string date = DateText(proc->date);
      const std::string id = MakeId("proc", {proc->patient, core::Code(proc->kind), date});
      OJson procedure = Start("Procedure", id);
      procedure["status"] = "completed";
      OJson code = Concept({Coding(CsProcedureKind(), core::Code(proc->kind))});
      if (proc->kind == core::ProcedureKind::kLiverTransplant) {
        code["coding"].push_back(Coding(kSnomed, kSnomedLiverTransplant, "Transplantation of liver"));
      }
      procedure["code"] = std::move(code);
      procedure["subject"] = PatientRef(proc->patient);
      procedure["performedDateTime"] = date;
      AddNote(procedure, proc->detail);
      Add("Procedure", id, std::move(procedure));
    }
  }

  void WriteMedications() {
    for (const auto* med : Sorted(batch_.medications, [](const core::Medication& x) {
           return std::make_tuple(std::cref(x.patient), x.medication_class, std::cref(x.name), x.start);
         })) {
      const std::string start = DateText(med->start);
      const std::string id = MakeId("med", {med->patient, core::Code(med->medication_class), med->name, start});
      OJson statement = Start("MedicationStatement", id);
      statement["status"] = med->end ? "completed" : "active";
      statement["category"] = Concept({Coding(CsMedicationClass(), core::Code(med->medication_class))});
      OJson medication = OJson::object();
      if (!med->name.empty()) medication["text"] = med->name;
      statement["medicationCodeableConcept"] = std::move(medication);
      statement["subject"] = PatientRef(med->patient);
      OJson period = OJson::object();
      period["start"] = start;
      if (med->end) period["end"] = DateText(*med->end);
      statement["effectivePeriod"] = std::move(period);
      if (!med->dose.empty()) statement["dosage"] = OJson::array({OJson::object({{"text", med->dose}})});
      Add("MedicationStatement", id, std::move(statement));
    }
  }

  void WriteVisits() {
    for (const auto* visit :
         Sorted(batch_.visits, [](const core::Visit& x) { return std::make_tuple(std::cref(x.patient), x.date); })) {
      const std::string date = DateText(visit->date);
      const std::string id = MakeId("enc", {visit->patient, date});
      OJson encounter = Start("Encounter", id);
      if (visit->status == core::VisitStatus::kMissed) {
        AddExtension(encounter, Extension(ExtVisitStatus(), "valueCode", core::Code(visit->status)));
      }
      encounter["status"] = R4EncounterStatus(visit->status);
      encounter["class"] = Coding(kActCode, "AMB", "ambulatory");
      if (!visit->code.empty()) encounter["type"] = OJson::array({Concept({Coding(CsVisitCode(), visit->code)})});
      encounter["subject"] = PatientRef(visit->patient);
      encounter["period"] = OJson::object({{"start", date}});
      Add("Encounter", id, std::move(encounter));
    }
  }

  void WriteLabs() {
    for (const auto* lab : Sorted(batch_.labs, [](const core::LabResult& x) {
           return std::make_tuple(std::cref(x.patient), x.date, x.analyte);
         })) {
      const std::string date = DateText(lab->date);
      const core::AnalyteInfo& info = core::Info(lab->analyte);
      const std::string id = MakeId("lab", {lab->patient, date, core::Code(lab->analyte)});
      OJson obs = Start("Observation", id);
      std::vector<OJson> extensions;
      OJson quantity;
      if (lab->value) {
        // The quantity is the value as entered when it reads back as this
        // lab's canonical value; otherwise the canonical value itself.
        const core::UnitInfo* unit = &core::CanonicalUnit(lab->analyte);
        if (!lab->unit_as_entered.empty()) {
          auto found = core::FindUnit(lab->analyte, lab->unit_as_entered);
          unit = found ? *found : nullptr;
        }
        const auto entered = core::ParseNumber(lab->value_as_entered);
        double number = *lab->value;
        const core::UnitInfo* written_unit = &core::CanonicalUnit(lab->analyte);
        bool written_unit_text = false;
        if (entered && unit != nullptr) {
          number = *entered;
          written_unit = unit;
          written_unit_text = !lab->unit_as_entered.empty();
        }
        quantity = OJson::object();
        quantity["value"] = Number(number);
        if (lab->op != core::LabOperator::kEqual) quantity["comparator"] = core::Code(lab->op);
        if (written_unit_text) quantity["unit"] = lab->unit_as_entered;
        quantity["system"] = kUcum;
        quantity["code"] = written_unit->ucum;
        // What a reader reconstructs from the quantity alone; anything it
        // would get wrong travels in an extension.
        const std::string read_text = ShortestText(number);
        const std::string read_unit = written_unit_text ? lab->unit_as_entered : std::string();
        if (read_text != lab->value_as_entered || read_unit != lab->unit_as_entered) {
          extensions.push_back(AsEntered(*lab));
        }
        const auto read_value = core::ToCanonical(lab->analyte, core::Quantity{number, written_unit});
        if (!read_value || *read_value != *lab->value) {
          extensions.push_back(Extension(ExtCanonicalValue(), "valueDecimal", Number(*lab->value)));
        }
        if (lab->missing) {
          extensions.push_back(Extension(ExtMissingReason(), "valueCode", core::Code(*lab->missing)));
        }
      } else {
        if (!lab->value_as_entered.empty() || !lab->unit_as_entered.empty()) extensions.push_back(AsEntered(*lab));
        if (lab->op != core::LabOperator::kEqual) {
          extensions.push_back(Extension(ExtLabOperator(), "valueCode", core::Code(lab->op)));
        }
      }
      if (!extensions.empty()) obs["extension"] = OJson(extensions);
      obs["status"] = "final";
      obs["category"] = OJson::array({Concept({Coding(kObservationCategory, "laboratory", "Laboratory")})});
      OJson code = OJson::object();
      code["coding"] = OJson::array();
      if (!info.loinc.empty()) code["coding"].push_back(Coding(kLoinc, info.loinc, info.name));
      code["coding"].push_back(Coding(CsAnalyte(), core::Code(lab->analyte), info.name));
      code["text"] = info.name;
      obs["code"] = std::move(code);
      obs["subject"] = PatientRef(lab->patient);
      obs["effectiveDateTime"] = date;
      if (lab->value) {
        obs["valueQuantity"] = std::move(quantity);
      } else if (lab->missing) {
        obs["dataAbsentReason"] = Concept({Coding(kDataAbsentReason, R4DataAbsent(*lab->missing)),
                                           Coding(CsMissingReason(), core::Code(*lab->missing))});
      }
      Add("Observation", id, std::move(obs));
    }
  }

  static OJson AsEntered(const core::LabResult& lab) {
    OJson ext = OJson::object();
    ext["url"] = ExtAsEntered();
    ext["extension"] = OJson::array();
    if (!lab.value_as_entered.empty())
      ext["extension"].push_back(Extension("value", "valueString", lab.value_as_entered));
    if (!lab.unit_as_entered.empty()) ext["extension"].push_back(Extension("unit", "valueString", lab.unit_as_entered));
    // FHIR strings cannot be empty: "nothing was entered" is a flag of its own.
    if (ext["extension"].empty()) ext["extension"].push_back(Extension("none", "valueBoolean", true));
    return ext;
  }

  void WriteAssessments() {
    for (const auto* a : Sorted(batch_.assessments, [](const core::Assessment& x) {
           return std::make_tuple(std::cref(x.patient), x.date);
         })) {
      const std::string date = DateText(a->date);
      const std::string id = MakeId("exam", {a->patient, date});
      OJson obs = Start("Observation", id);
      obs["status"] = "final";
      obs["category"] = OJson::array({Concept({Coding(kObservationCategory, "exam", "Exam")})});
      obs["code"] = Concept({Coding(CsAssessment(), "bedside-assessment", "Bedside assessment")});
      obs["subject"] = PatientRef(a->patient);
      obs["effectiveDateTime"] = date;
      OJson components = OJson::array();
      auto component = [](std::initializer_list<OJson> codings, std::string_view key, OJson value) {
        OJson c = OJson::object();
        c["code"] = Concept(codings);
        c[std::string(key)] = std::move(value);
        return c;
      };
      auto quantity = [](double value, std::string_view unit) {
        OJson q = OJson::object();
        q["value"] = Number(value);
        q["unit"] = unit;
        q["system"] = kUcum;
        q["code"] = unit;
        return q;
      };
      if (a->ascites) {
        components.push_back(component({Coding(CsAssessment(), "ascites", "Ascites")}, "valueCodeableConcept",
                                       Concept({Coding(CsAscites(), core::Name(*a->ascites))})));
      }
      if (a->encephalopathy_grade) {
        components.push_back(component({Coding(CsAssessment(), "encephalopathy-west-haven", "West Haven grade")},
                                       "valueInteger", *a->encephalopathy_grade));
      }
      if (a->dialysis) {
        components.push_back(component({Coding(CsAssessment(), "dialysis", "Dialysis")}, "valueBoolean",
                                       *a->dialysis == core::Dialysis::kDialysis));
      }
      if (a->varices) {
        components.push_back(component({Coding(CsAssessment(), "varices", "Oesophageal varices")},
                                       "valueCodeableConcept",
                                       Concept({Coding(CsVarices(), core::Code(*a->varices))})));
      }
      if (a->weight_kg) {
        components.push_back(component(
            {Coding(kLoinc, kLoincBodyWeight, "Body weight"), Coding(CsAssessment(), "weight", "Body weight")},
            "valueQuantity", quantity(*a->weight_kg, "kg")));
      }
      if (a->liver_volume_ml) {
        components.push_back(component({Coding(CsAssessment(), "liver-volume", "Liver volume")}, "valueQuantity",
                                       quantity(*a->liver_volume_ml, "mL")));
      }
      if (!components.empty()) obs["component"] = std::move(components);
      Add("Observation", id, std::move(obs));
    }
  }

  void WriteOutcomes() {
    for (const auto* event : Sorted(batch_.events, [](const core::OutcomeEvent& x) {
           return std::make_tuple(std::cref(x.patient), x.kind, x.date);
         })) {
      const std::string date = DateText(event->date);
      const std::string id = MakeId("out", {event->patient, core::Code(event->kind), date});
      const OutcomeResource where = ResourceFor(event->kind);
      const std::string_view type = where == OutcomeResource::kObservation ? "Observation"
                                    : where == OutcomeResource::kCondition ? "Condition"
                                                                           : "Procedure";
      OJson resource = Start(type, id);
      if (event->death_cause && where != OutcomeResource::kObservation) {
        AddExtension(resource, Extension(ExtDeathCause(), "valueCoding",
                                         Coding(CsDeathCause(), core::Code(*event->death_cause))));
      }
      OJson code = Concept({Coding(CsOutcome(), core::Code(event->kind))});
      if (event->kind == core::OutcomeKind::kHcc) {
        code["coding"].push_back(Coding(kSnomed, kSnomedHcc, "Liver cell carcinoma"));
      }
      if (event->kind == core::OutcomeKind::kLiverTransplant) {
        code["coding"].push_back(Coding(kSnomed, kSnomedLiverTransplant, "Transplantation of liver"));
      }
      if (event->decompensation) {
        code["coding"].push_back(Coding(CsDecompensation(), core::Code(*event->decompensation)));
      }
      switch (where) {
        case OutcomeResource::kObservation:
          resource["status"] = "final";
          resource["code"] = std::move(code);
          resource["subject"] = PatientRef(event->patient);
          resource["effectiveDateTime"] = date;
          if (event->death_cause) {
            resource["valueCodeableConcept"] = Concept({Coding(CsDeathCause(), core::Code(*event->death_cause))});
          }
          break;
        case OutcomeResource::kCondition:
          resource["code"] = std::move(code);
          resource["subject"] = PatientRef(event->patient);
          resource["onsetDateTime"] = date;
          break;
        case OutcomeResource::kProcedure:
          resource["status"] = "completed";
          resource["code"] = std::move(code);
          resource["subject"] = PatientRef(event->patient);
          resource["performedDateTime"] = date;
          break;
      }
      AddNote(resource, event->detail);
      Add(type, id, std::move(resource));
    }
  }

  void WriteAdverseEvents() {
    for (const auto* ae : Sorted(batch_.adverse_events, [](const core::AdverseEvent& x) {
           return std::make_tuple(std::cref(x.patient), std::cref(x.term), x.onset);
         })) {
      const std::string onset = DateText(ae->onset);
      const std::string id = MakeId("ae", {ae->patient, ae->term, onset});
      OJson event = Start("AdverseEvent", id);
      AddExtension(event, Extension(ExtCtcaeGrade(), "valueInteger", ae->grade));
      if (ae->end) AddExtension(event, Extension(ExtEndDate(), "valueDate", DateText(*ae->end)));
      const OJson relatedness = Concept({Coding(CsRelatedness(), core::Code(ae->relatedness))});
      if (!ae->infusion) {
        AddExtension(event, Extension(ExtRelatedness(), "valueCoding", relatedness["coding"][0]));
      }
      event["actuality"] = "actual";
      OJson term = OJson::object();
      if (!ae->term.empty()) term["text"] = ae->term;
      event["event"] = std::move(term);
      event["subject"] = PatientRef(ae->patient);
      event["date"] = onset;
      event["seriousness"] = Concept({ae->serious ? Coding(kAeSeriousness, "serious", "Serious")
                                                  : Coding(kAeSeriousness, "non-serious", "Non-serious")});
      if (ae->grade >= 1 && ae->grade <= 5) {
        const std::string_view severity = ae->grade == 1 ? "mild" : ae->grade == 2 ? "moderate" : "severe";
        event["severity"] = Concept({Coding(kAeSeverity, severity)});
      }
      event["outcome"] = Concept({Coding(kAeOutcome, R4AeOutcome(ae->outcome))});
      if (ae->infusion) {
        OJson suspect = OJson::object();
        suspect["instance"] =
            Ref("Procedure", InfusionId(ae->patient, *ae->infusion), infusions_.count({ae->patient, *ae->infusion}) > 0,
                SidInfusion(), IntText(*ae->infusion));
        suspect["causality"] = OJson::array({OJson::object({{"assessment", relatedness}})});
        event["suspectEntity"] = OJson::array({std::move(suspect)});
      }
      Add("AdverseEvent", id, std::move(event));
    }
  }

  const RegistryBatch& batch_;
  std::set<std::string> sites_;
  std::set<std::string> studies_;
  std::set<std::string> patients_;
  std::set<std::pair<std::string, int>> infusions_;
  OJson entries_ = OJson::array();
};

// ---- reading ----------------------------------------------------------------

struct ProblemSink {
  std::vector<core::RecordProblem>* problems;
  std::size_t* count;
  std::size_t max;
  void Add(core::RecordProblem problem) const {
    ++*count;
    if (problems->size() < max) problems->push_back(std::move(problem));
  }
};

std::string ValueText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(std::string(key));
  return it == object.end() ? nullptr : &*it;
}

// The resource of one entry with its path, and the problems found in it: an
// entry with any problem is left out.
class Entry {
 public:
  Entry(const Json& resource, std::size_t index, const std::string& file, std::uint32_t source, const ProblemSink& sink)
      : resource_(resource),
        path_("entry[" + std::to_string(index) + "].resource"),
        file_(file),
        line_(static_cast<std::uint32_t>(index + 1)),
        source_(source),
        sink_(sink) {}

  [[nodiscard]] const Json& resource() const { return resource_; }
  [[nodiscard]] bool ok() const { return !bad_; }
  [[nodiscard]] core::Origin origin() const { return core::Origin{source_, line_}; }
  [[nodiscard]] std::uint32_t line() const { return line_; }

  void Problem(const std::string& sub, std::string value, std::string reason) {
    bad_ = true;
    sink_.Add(core::RecordProblem{file_, line_, path_ + (sub.empty() || sub[0] == '[' ? "" : ".") + sub,
                                  std::move(value), std::move(reason)});
  }

  // A string member: nullopt when absent; a problem when not a string.
  std::optional<std::string> String(const Json& object, std::string_view key, const std::string& sub) {
    const Json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      Problem(sub, ValueText(*value), "expected a string");
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  std::optional<int> Integer(const Json& object, std::string_view key, const std::string& sub) {
    const Json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer()) {
      Problem(sub, ValueText(*value), "expected an integer");
      return std::nullopt;
    }
    const auto number = value->get<std::int64_t>();
    if (number < -1000000000 || number > 1000000000) {
      Problem(sub, ValueText(*value), "integer out of range");
      return std::nullopt;
    }
    return static_cast<int>(number);
  }

  std::optional<double> Decimal(const Json& object, std::string_view key, const std::string& sub) {
    const Json* value = Member(object, key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) {
      Problem(sub, ValueText(*value), "expected a number");
      return std::nullopt;
    }
    return value->get<double>();
  }

  // A date or dateTime member as a whole day: "2024-03-01" or
  // "2024-03-01T10:00:00+01:00" (the local calendar day is kept).
  std::optional<core::Date> DateMember(const Json& object, std::string_view key, const std::string& sub) {
    auto text = String(object, key, sub);
    if (!text) return std::nullopt;
    std::string_view day = *text;
    if (day.size() > 10 && day[10] == 'T') day = day.substr(0, 10);
    auto date = core::ParseDate(day);
    if (!date) {
      Problem(sub, *text, "expected a full date YYYY-MM-DD (cirrus records whole days): " + date.error().message);
      return std::nullopt;
    }
    return *date;
  }

  std::optional<core::Date> RequiredDate(const Json& object, std::string_view key, const std::string& sub) {
    if (Member(object, key) == nullptr) {
      Problem(sub, "", "is missing");
      return std::nullopt;
    }
    return DateMember(object, key, sub);
  }

  // The code of the first coding with `system` in a CodeableConcept, with its
  // path ("code.coding[1].code"); nullopt when there is none.
  struct FoundCode {
    std::string code;
    std::string path;
  };
  std::optional<FoundCode> CodeIn(const Json* concept_json, std::string_view system, const std::string& sub) {
    if (concept_json == nullptr) return std::nullopt;
    const Json* codings = Member(*concept_json, "coding");
    if (codings == nullptr || !codings->is_array()) return std::nullopt;
    for (std::size_t i = 0; i < codings->size(); ++i) {
      const Json& coding = (*codings)[i];
      const Json* coding_system = Member(coding, "system");
      if (coding_system == nullptr || !coding_system->is_string() || coding_system->get<std::string>() != system) {
        continue;
      }
      const std::string path = sub + ".coding[" + std::to_string(i) + "].code";
      auto code = String(coding, "code", path);
      if (!code) {
        if (ok()) Problem(path, "", "is missing");
        return std::nullopt;
      }
      return FoundCode{*code, path};
    }
    return std::nullopt;
  }

  // A coding value (valueCoding) with `system`.
  std::optional<FoundCode> CodingValue(const Json& coding, std::string_view system, const std::string& sub) {
    const Json* coding_system = Member(coding, "system");
    if (coding_system == nullptr || !coding_system->is_string() || coding_system->get<std::string>() != system) {
      Problem(sub + ".system", coding_system != nullptr ? ValueText(*coding_system) : "",
              "expected system " + std::string(system));
      return std::nullopt;
    }
    auto code = String(coding, "code", sub + ".code");
    if (!code) return std::nullopt;
    return FoundCode{*code, sub + ".code"};
  }

  // Parses a cirrus code with `parse`, reporting failure at `found.path`.
  template <typename T, typename Parse>
  std::optional<T> Parsed(const std::optional<FoundCode>& found, Parse parse) {
    if (!found) return std::nullopt;
    auto value = parse(found->code);
    if (!value) {
      Problem(found->path, found->code, value.error().message);
      return std::nullopt;
    }
    return *value;
  }

  // The resource's extensions with `url` (index, extension).
  std::vector<std::pair<std::size_t, const Json*>> Extensions(const Json& object, const std::string& url) const {
    std::vector<std::pair<std::size_t, const Json*>> found;
    const Json* list = Member(object, "extension");
    if (list == nullptr || !list->is_array()) return found;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json* ext_url = Member((*list)[i], "url");
      if (ext_url != nullptr && ext_url->is_string() && ext_url->get<std::string>() == url) {
        found.emplace_back(i, &(*list)[i]);
      }
    }
    return found;
  }
  const Json* Extension(const Json& object, const std::string& url, std::string* path,
                        const std::string& prefix) const {
    auto found = Extensions(object, url);
    if (found.empty()) return nullptr;
    *path = prefix + (prefix.empty() ? "" : ".") + "extension[" + std::to_string(found.front().first) + "]";
    return found.front().second;
  }

 private:
  const Json& resource_;
  std::string path_;
  const std::string& file_;
  std::uint32_t line_;
  std::uint32_t source_;
  const ProblemSink& sink_;
  bool bad_ = false;
};

class BundleReader {
 public:
  BundleReader(const Json& bundle, const std::string& file, std::uint32_t source, FhirRead& out,
               std::size_t max_problems)
      : bundle_(bundle),
        file_(file),
        source_(source),
        out_(out),
        sink_{&out.problems, &out.problem_count, max_problems} {}

  void Read() {
    const Json* entries = Member(bundle_, "entry");
    if (entries == nullptr) return;
    if (!entries->is_array()) {
      sink_.Add(core::RecordProblem{file_, 0, "entry", ValueText(*entries), "expected an array of entries"});
      return;
    }
    Index(*entries);
    // Sites, studies and patients first, so that whatever names them (in any
    // order in the Bundle) finds them.
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const std::string type = TypeOf((*entries)[i]);
      if (type == "Organization" || type == "ResearchStudy" || type == "Patient") ReadEntry(*entries, i);
    }
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const std::string type = TypeOf((*entries)[i]);
      if (type != "Organization" && type != "ResearchStudy" && type != "Patient") ReadEntry(*entries, i);
    }
    // Patient.deceasedDateTime stands for a death event only when no
    // Observation in the Bundle records the death (sites' systems send only
    // the Patient; cirrus writes both).
    for (const auto& death : deaths_) {
      const std::string& code = death.first;
      const bool recorded = std::any_of(
          out_.batch.events.begin() + static_cast<std::ptrdiff_t>(first_event_), out_.batch.events.end(),
          [&code](const core::OutcomeEvent& e) { return e.patient == code && e.kind == core::OutcomeKind::kDeath; });
      if (recorded) continue;
      core::OutcomeEvent event;
      event.patient = code;
      event.kind = core::OutcomeKind::kDeath;
      event.date = death.second.first;
      event.origin = death.second.second;
      out_.batch.events.push_back(std::move(event));
    }
  }

 private:
  static std::string TypeOf(const Json& entry) {
    const Json* resource = Member(entry, "resource");
    if (resource == nullptr) return {};
    const Json* type = Member(*resource, "resourceType");
    return type != nullptr && type->is_string() ? type->get<std::string>() : std::string();
  }

  // The natural key a resource is known by, from its identifier with
  // `system`, else its first identifier, else its id.
  static std::string KeyOf(const Json& resource, const std::string& system) {
    const Json* identifiers = Member(resource, "identifier");
    std::string first;
    if (identifiers != nullptr && identifiers->is_array()) {
      for (const Json& identifier : *identifiers) {
        const Json* value = Member(identifier, "value");
        if (value == nullptr || !value->is_string()) continue;
        const Json* id_system = Member(identifier, "system");
        if (id_system != nullptr && id_system->is_string() && id_system->get<std::string>() == system) {
          return value->get<std::string>();
        }
        if (first.empty()) first = value->get<std::string>();
      }
    }
    if (!first.empty()) return first;
    const Json* id = Member(resource, "id");
    return id != nullptr && id->is_string() ? id->get<std::string>() : std::string();
  }

  void Index(const Json& entries) {
    for (const Json& entry : entries) {
      const Json* resource = Member(entry, "resource");
      const std::string type = TypeOf(entry);
      const Json* id = resource != nullptr ? Member(*resource, "id") : nullptr;
      if (type.empty() || id == nullptr || !id->is_string()) continue;
      const std::string literal = type + "/" + id->get<std::string>();
      const Json* full_url = Member(entry, "fullUrl");
      if (full_url != nullptr && full_url->is_string()) full_urls_.emplace(full_url->get<std::string>(), literal);
      if (type == "Organization") keys_.emplace(literal, KeyOf(*resource, SidSite()));
      if (type == "ResearchStudy") keys_.emplace(literal, KeyOf(*resource, SidStudy()));
      if (type == "Patient") keys_.emplace(literal, KeyOf(*resource, SidPatient()));
    }
    // Infusions, for AdverseEvent.suspectEntity: their patient and number.
    for (const Json& entry : entries) {
      const Json* resource = Member(entry, "resource");
      if (TypeOf(entry) != "Procedure" || resource == nullptr) continue;
      const Json* id = Member(*resource, "id");
      const Json* subject = Member(*resource, "subject");
      if (id == nullptr || !id->is_string() || subject == nullptr) continue;
      std::string patient;
      if (const Json* ref = Member(*subject, "reference"); ref != nullptr && ref->is_string()) {
        if (auto key = Lookup(ref->get<std::string>(), "Patient")) patient = *key;
      }
      if (patient.empty()) {
        const Json* identifier = Member(*subject, "identifier");
        const Json* value = identifier != nullptr ? Member(*identifier, "value") : nullptr;
        if (value == nullptr || !value->is_string()) continue;
        patient = value->get<std::string>();
      }
      const Json* extensions = Member(*resource, "extension");
      if (extensions == nullptr || !extensions->is_array()) continue;
      for (const Json& ext : *extensions) {
        const Json* url = Member(ext, "url");
        const Json* number = Member(ext, "valueInteger");
        if (url != nullptr && url->is_string() && url->get<std::string>() == ExtInfusionNumber() && number != nullptr &&
            number->is_number_integer()) {
          infusions_.emplace("Procedure/" + id->get<std::string>(),
                             std::make_pair(patient, static_cast<int>(number->get<std::int64_t>())));
        }
      }
    }
  }

  // The natural key of the `type` resource a literal reference points at,
  // resolved against the Bundle's fullUrls and "Type/id".
  [[nodiscard]] std::optional<std::string> Lookup(const std::string& reference, std::string_view type) const {
    std::string literal = reference;
    if (auto it = full_urls_.find(reference); it != full_urls_.end()) {
      literal = it->second;
    } else {
      // "https://server/fhir/Patient/123" -> "Patient/123".
      const std::size_t slash = reference.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        const std::size_t before = reference.rfind('/', slash - 1);
        literal = reference.substr(before == std::string::npos ? 0 : before + 1);
      }
    }
    if (literal.compare(0, type.size() + 1, std::string(type) + "/") != 0) return std::nullopt;
    auto it = keys_.find(literal);
    if (it == keys_.end()) return std::nullopt;
    return it->second;
  }

  // A Reference to a `type`: the referenced resource in this Bundle if the
  // literal reference resolves, else the logical identifier. A literal
  // reference that resolves nowhere, with no identifier, is a problem.
  std::optional<std::string> Resolve(Entry& e, const Json& object, std::string_view key, std::string_view type,
                                     const std::string& system) {
    const std::string sub(key);
    const Json* ref = Member(object, key);
    if (ref == nullptr || !ref->is_object()) {
      if (ref != nullptr) {
        e.Problem(sub, ValueText(*ref), "expected a Reference");
      } else {
        e.Problem(sub, "", "is missing; expected a Reference to a " + std::string(type));
      }
      return std::nullopt;
    }
    auto literal = e.String(*ref, "reference", sub + ".reference");
    std::optional<std::string> by_identifier;
    if (const Json* identifier = Member(*ref, "identifier"); identifier != nullptr) {
      const Json* id_system = Member(*identifier, "system");
      const bool system_ok =
          id_system == nullptr || (id_system->is_string() && id_system->get<std::string>() == system);
      by_identifier = e.String(*identifier, "value", sub + ".identifier.value");
      if (!system_ok) by_identifier.reset();
    }
    if (literal) {
      if (auto found = Lookup(*literal, type)) {
        if (by_identifier && *by_identifier != *found) {
          e.Problem(sub + ".identifier.value", *by_identifier,
                    "disagrees with the " + std::string(type) + " the reference points at (" + *found + ")");
          return std::nullopt;
        }
        return found;
      }
      if (!by_identifier) {
        e.Problem(sub + ".reference", *literal, "refers to a " + std::string(type) + " that is not in the Bundle");
        return std::nullopt;
      }
    }
    if (by_identifier) return by_identifier;
    if (e.ok()) e.Problem(sub, ValueText(*ref), "has neither a reference nor an identifier");
    return std::nullopt;
  }

  std::optional<std::string> Subject(Entry& e, std::string_view key = "subject") {
    return Resolve(e, e.resource(), key, "Patient", SidPatient());
  }

  void ReadEntry(const Json& entries, std::size_t index) {
    const Json& entry = entries[index];
    const std::string path = "entry[" + std::to_string(index) + "]";
    const Json* resource = Member(entry, "resource");
    if (resource == nullptr || !resource->is_object()) {
      sink_.Add(core::RecordProblem{file_, static_cast<std::uint32_t>(index + 1), path + ".resource",
                                    resource != nullptr ? ValueText(*resource) : "", "expected a resource object"});
      return;
    }
    Entry e(*resource, index, file_, source_, sink_);
    const std::string type = TypeOf(entry);
    if (type == "Organization") {
      ReadOrganization(e);
    } else if (type == "ResearchStudy") {
      ReadStudy(e);
    } else if (type == "Patient") {
      ReadPatient(e);
    } else if (type == "ResearchSubject") {
      ReadSubject(e);
    } else if (type == "Condition") {
      ReadCondition(e);
    } else if (type == "Procedure") {
      ReadProcedure(e);
    } else if (type == "MedicationStatement") {
      ReadMedication(e);
    } else if (type == "Encounter") {
      ReadEncounter(e);
    } else if (type == "Observation") {
      ReadObservation(e);
    } else if (type == "AdverseEvent") {
      ReadAdverseEvent(e);
    } else {
      e.Problem("resourceType", type, type.empty() ? "is missing" : "is not a resource type cirrus reads");
    }
  }

  void ReadOrganization(Entry& e) {
    const Json& r = e.resource();
    core::Site site;
    site.code = KeyOf(r, SidSite());
    if (site.code.empty()) e.Problem("identifier", "", "is missing; the site needs a code");
    site.name = e.String(r, "name", "name").value_or("");
    if (const Json* address = Member(r, "address"); address != nullptr && address->is_array() && !address->empty()) {
      site.country = e.String((*address)[0], "country", "address[0].country").value_or("");
    }
    site.origin = e.origin();
    if (e.ok()) out_.batch.sites.push_back(std::move(site));
  }

  void ReadStudy(Entry& e) {
    const Json& r = e.resource();
    core::Study study;
    study.code = KeyOf(r, SidStudy());
    if (study.code.empty()) e.Problem("identifier", "", "is missing; the study needs a code");
    if (const Json* identifiers = Member(r, "identifier"); identifiers != nullptr && identifiers->is_array()) {
      for (std::size_t i = 0; i < identifiers->size(); ++i) {
        const Json* system = Member((*identifiers)[i], "system");
        if (system != nullptr && system->is_string() && system->get<std::string>() == SidRegistration()) {
          study.registration =
              e.String((*identifiers)[i], "value", "identifier[" + std::to_string(i) + "].value").value_or("");
        }
      }
    }
    study.title = e.String(r, "title", "title").value_or("");
    study.origin = e.origin();
    std::string flag_path;
    const Json* no_record = e.Extension(r, ExtNoStudyRecord(), &flag_path, "");
    const bool placeholder = no_record != nullptr && Member(*no_record, "valueBoolean") != nullptr &&
                             *Member(*no_record, "valueBoolean") == true;

    std::vector<core::Arm> arms;
    if (const Json* list = Member(r, "arm"); list != nullptr && list->is_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& item = (*list)[i];
        const std::string sub = "arm[" + std::to_string(i) + "]";
        core::Arm arm;
        arm.study = study.code;
        arm.code = e.String(item, "name", sub + ".name").value_or("");
        arm.name = e.String(item, "description", sub + ".description").value_or("");
        std::string ext_path;
        if (const Json* ext = e.Extension(item, ExtArmProduct(), &ext_path, sub)) {
          arm.product = ReadCodingExtension(e, *ext, ext_path, CsCellProduct(), core::ParseCellProduct);
        }
        if (const Json* ext = e.Extension(item, ExtArmRoute(), &ext_path, sub)) {
          arm.route = ReadCodingExtension(e, *ext, ext_path, CsRoute(), core::ParseRoute);
        }
        arm.origin = e.origin();
        arms.push_back(std::move(arm));
      }
    }
    std::vector<core::ScheduledVisit> schedule;
    for (const auto& [i, ext] : e.Extensions(r, ExtScheduledVisit())) {
      const std::string sub = "extension[" + std::to_string(i) + "]";
      core::ScheduledVisit visit;
      visit.study = study.code;
      bool has_code = false;
      if (const Json* parts = Member(*ext, "extension"); parts != nullptr && parts->is_array()) {
        for (std::size_t j = 0; j < parts->size(); ++j) {
          const Json& part = (*parts)[j];
          const std::string part_path = sub + ".extension[" + std::to_string(j) + "]";
          const Json* url = Member(part, "url");
          const std::string name = url != nullptr && url->is_string() ? url->get<std::string>() : "";
          if (name == "code") {
            visit.code = e.String(part, "valueString", part_path + ".valueString").value_or("");
            has_code = true;
          } else if (name == "name") {
            visit.name = e.String(part, "valueString", part_path + ".valueString").value_or("");
          } else if (name == "day") {
            visit.day = e.Integer(part, "valueInteger", part_path + ".valueInteger").value_or(0);
          } else if (name == "window-before") {
            visit.window_before = e.Integer(part, "valueInteger", part_path + ".valueInteger").value_or(0);
          } else if (name == "window-after") {
            visit.window_after = e.Integer(part, "valueInteger", part_path + ".valueInteger").value_or(0);
          } else if (name == "anchor") {
            auto code = e.String(part, "valueCode", part_path + ".valueCode");
            if (code) {
              auto anchor = core::ParseScheduleAnchor(*code);
              if (anchor) {
                visit.anchor = *anchor;
              } else {
                e.Problem(part_path + ".valueCode", *code, anchor.error().message);
              }
            }
          } else {
            e.Problem(part_path + ".url", name, "is not a part of a scheduled visit");
          }
        }
      }
      if (!has_code) e.Problem(sub, "", "scheduled visit has no code");
      visit.origin = e.origin();
      schedule.push_back(std::move(visit));
    }
    if (!e.ok()) return;
    if (!placeholder) out_.batch.studies.push_back(std::move(study));
    for (auto& arm : arms) out_.batch.arms.push_back(std::move(arm));
    for (auto& visit : schedule) out_.batch.schedule.push_back(std::move(visit));
  }

  template <typename Parse>
  auto ReadCodingExtension(Entry& e, const Json& ext, const std::string& path, const std::string& system, Parse parse)
      -> std::optional<typename decltype(parse(std::string_view()))::value_type> {
    using T = typename decltype(parse(std::string_view()))::value_type;
    const Json* coding = Member(ext, "valueCoding");
    if (coding == nullptr) {
      e.Problem(path, ValueText(ext), "expected a valueCoding");
      return std::nullopt;
    }
    return e.Parsed<T>(e.CodingValue(*coding, system, path + ".valueCoding"), parse);
  }

  template <typename Parse>
  auto ReadCodeExtension(Entry& e, const Json& ext, const std::string& path, Parse parse)
      -> std::optional<typename decltype(parse(std::string_view()))::value_type> {
    using T = typename decltype(parse(std::string_view()))::value_type;
    auto code = e.String(ext, "valueCode", path + ".valueCode");
    if (!code) {
      if (e.ok()) e.Problem(path, ValueText(ext), "expected a valueCode");
      return std::nullopt;
    }
    return e.Parsed<T>(Entry::FoundCode{*code, path + ".valueCode"}, parse);
  }

  void ReadPatient(Entry& e) {
    const Json& r = e.resource();
    core::Patient patient;
    patient.code = KeyOf(r, SidPatient());
    if (patient.code.empty()) e.Problem("identifier", "", "is missing; the patient needs a pseudonymous code");
    if (auto gender = e.String(r, "gender", "gender")) {
      if (*gender == "male") {
        patient.sex = core::Sex::kMale;
      } else if (*gender == "female") {
        patient.sex = core::Sex::kFemale;
      } else if (*gender != "other" && *gender != "unknown") {
        e.Problem("gender", *gender, "expected male, female, other or unknown");
      }
    }
    if (auto birth = e.String(r, "birthDate", "birthDate")) {
      const std::string& text = *birth;
      const bool digits =
          text.size() >= 4 && std::all_of(text.begin(), text.begin() + 4, [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || (text.size() != 4 && text.size() != 7 && text.size() != 10)) {
        e.Problem("birthDate", text, "expected YYYY, YYYY-MM or YYYY-MM-DD");
      } else {
        patient.birth_year = std::stoi(text.substr(0, 4));
      }
    }
    std::string ext_path;
    if (const Json* ext = e.Extension(r, ExtBirthYear(), &ext_path, "")) {
      patient.birth_year = e.Integer(*ext, "valueInteger", ext_path + ".valueInteger");
    }
    if (Member(r, "managingOrganization") != nullptr) {
      patient.site = Resolve(e, r, "managingOrganization", "Organization", SidSite()).value_or("");
    }
    if (Member(r, "deceasedDateTime") != nullptr) {
      auto death = e.DateMember(r, "deceasedDateTime", "deceasedDateTime");
      if (death && e.ok()) deaths_.emplace_back(patient.code, std::make_pair(*death, e.origin()));
    }
    patient.origin = e.origin();
    if (!e.ok()) return;
    patient_index_[patient.code] = out_.batch.patients.size();
    out_.batch.patients.push_back(std::move(patient));
  }

  // The patient record this Bundle read for `code`, for resources that add to
  // it (ResearchSubject, cirrhosis and aetiology Conditions).
  core::Patient* PatientIn(Entry& e, const std::optional<std::string>& code, const std::string& sub) {
    if (!code) return nullptr;
    auto it = patient_index_.find(*code);
    if (it == patient_index_.end()) {
      e.Problem(sub, *code, "names a Patient that is not in the Bundle");
      return nullptr;
    }
    return &out_.batch.patients[it->second];
  }

  void ReadSubject(Entry& e) {
    const Json& r = e.resource();
    const auto code = Resolve(e, r, "individual", "Patient", SidPatient());
    std::string study;
    if (Member(r, "study") != nullptr) study = Resolve(e, r, "study", "ResearchStudy", SidStudy()).value_or("");
    const std::string arm = e.String(r, "assignedArm", "assignedArm").value_or("");
    std::optional<core::Date> enrolment;
    if (const Json* period = Member(r, "period")) enrolment = e.DateMember(*period, "start", "period.start");
    core::PatientStatus status = core::PatientStatus::kOnStudy;
    std::string ext_path;
    if (const Json* ext = e.Extension(r, ExtPatientStatus(), &ext_path, "")) {
      if (auto parsed = ReadCodeExtension(e, *ext, ext_path, core::ParsePatientStatus)) status = *parsed;
    } else if (auto r4 = e.String(r, "status", "status")) {
      if (auto mapped = FromR4SubjectStatus(*r4)) {
        status = *mapped;
      } else {
        e.Problem("status", *r4, "has no cirrus patient status");
      }
    }
    if (!e.ok()) return;
    core::Patient* patient = PatientIn(e, code, "individual");
    if (patient == nullptr) return;
    patient->study = study;
    patient->arm = arm;
    patient->enrolment = enrolment;
    patient->status = status;
  }

  // The outcome kind a Condition, Procedure or Observation records, if any.
  std::optional<core::OutcomeKind> OutcomeKindOf(Entry& e, const Json* code) {
    if (auto found = e.CodeIn(code, CsOutcome(), "code"))
      return e.Parsed<core::OutcomeKind>(found, core::ParseOutcomeKind);
    return std::nullopt;
  }

  void ReadOutcome(Entry& e, core::OutcomeKind kind, std::string_view date_key) {
    const Json& r = e.resource();
    core::OutcomeEvent event;
    event.kind = kind;
    auto patient = Subject(e);
    auto date = e.RequiredDate(r, date_key, std::string(date_key));
    const Json* code = Member(r, "code");
    event.decompensation =
        e.Parsed<core::DecompensationKind>(e.CodeIn(code, CsDecompensation(), "code"), core::ParseDecompensationKind);
    std::string ext_path;
    if (const Json* ext = e.Extension(r, ExtDeathCause(), &ext_path, "")) {
      event.death_cause = ReadCodingExtension(e, *ext, ext_path, CsDeathCause(), core::ParseDeathCause);
    } else if (const Json* value = Member(r, "valueCodeableConcept")) {
      event.death_cause =
          e.Parsed<core::DeathCause>(e.CodeIn(value, CsDeathCause(), "valueCodeableConcept"), core::ParseDeathCause);
    }
    event.detail = Note(e);
    if (!e.ok() || !patient || !date) return;
    event.patient = *patient;
    event.date = *date;
    event.origin = e.origin();
    out_.batch.events.push_back(std::move(event));
  }

  std::string Note(Entry& e) {
    const Json* notes = Member(e.resource(), "note");
    if (notes == nullptr || !notes->is_array() || notes->empty()) return {};
    return e.String((*notes)[0], "text", "note[0].text").value_or("");
  }

  void ReadCondition(Entry& e) {
    const Json& r = e.resource();
    const Json* code = Member(r, "code");
    if (auto kind = OutcomeKindOf(e, code)) return ReadOutcome(e, *kind, "onsetDateTime");
    if (!e.ok()) return;
    if (auto aetiology = e.Parsed<core::Aetiology>(e.CodeIn(code, CsAetiology(), "code"), core::ParseAetiology)) {
      auto patient = Subject(e);
      if (!e.ok()) return;
      if (core::Patient* p = PatientIn(e, patient, "subject")) p->aetiologies.Add(*aetiology);
      return;
    }
    if (!e.ok()) return;
    auto cirrus_code = e.CodeIn(code, CsCondition(), "code");
    const bool cirrhosis =
        (cirrus_code && cirrus_code->code == "cirrhosis") ||
        (!cirrus_code && e.CodeIn(code, kSnomed, "code").value_or(Entry::FoundCode{}).code == kSnomedCirrhosis);
    const bool first_decompensation = cirrus_code && cirrus_code->code == "first-decompensation";
    if (cirrhosis || first_decompensation) {
      auto patient = Subject(e);
      auto date = e.RequiredDate(r, "onsetDateTime", "onsetDateTime");
      if (!e.ok()) return;
      if (core::Patient* p = PatientIn(e, patient, "subject")) {
        (cirrhosis ? p->cirrhosis_diagnosis : p->first_decompensation) = date;
      }
      return;
    }
    if (!cirrus_code && e.CodeIn(code, kSnomed, "code").value_or(Entry::FoundCode{}).code == kSnomedHcc) {
      return ReadOutcome(e, core::OutcomeKind::kHcc, "onsetDateTime");
    }
    e.Problem(cirrus_code ? cirrus_code->path : "code",
              cirrus_code ? cirrus_code->code : ValueText(code ? *code : Json()),
              "is not a condition cirrus reads (cirrhosis, first decompensation, aetiology, HCC, other cancer, "
              "decompensation)");
  }

  void ReadProcedure(Entry& e) {
    const Json& r = e.resource();
    const Json* code = Member(r, "code");
    if (auto product = e.CodeIn(code, CsCellProduct(), "code")) return ReadInfusion(e, *product);
    if (auto kind =
            e.Parsed<core::ProcedureKind>(e.CodeIn(code, CsProcedureKind(), "code"), core::ParseProcedureKind)) {
      core::Procedure procedure;
      procedure.kind = *kind;
      auto patient = Subject(e);
      auto date = e.RequiredDate(r, "performedDateTime", "performedDateTime");
      procedure.detail = Note(e);
      if (!e.ok() || !patient || !date) return;
      procedure.patient = *patient;
      procedure.date = *date;
      procedure.origin = e.origin();
      out_.batch.procedures.push_back(std::move(procedure));
      return;
    }
    if (!e.ok()) return;
    if (auto kind = OutcomeKindOf(e, code)) return ReadOutcome(e, *kind, "performedDateTime");
    if (!e.ok()) return;
    if (e.CodeIn(code, kSnomed, "code").value_or(Entry::FoundCode{}).code == kSnomedLiverTransplant) {
      return ReadOutcome(e, core::OutcomeKind::kLiverTransplant, "performedDateTime");
    }
    e.Problem("code", code != nullptr ? ValueText(*code) : "",
              "is not a procedure cirrus reads (a cell product, a cirrus procedure kind, or liver transplant)");
  }

  void ReadInfusion(Entry& e, const Entry::FoundCode& product_code) {
    const Json& r = e.resource();
    core::Infusion infusion;
    if (auto product = e.Parsed<core::CellProduct>(product_code, core::ParseCellProduct)) infusion.product = *product;
    auto patient = Subject(e);
    auto date = e.RequiredDate(r, "performedDateTime", "performedDateTime");
    std::string path;
    if (const Json* ext = e.Extension(r, ExtInfusionNumber(), &path, "")) {
      infusion.number = e.Integer(*ext, "valueInteger", path + ".valueInteger").value_or(0);
    } else {
      e.Problem("extension", "", "has no infusion-number extension; an infusion needs its number");
    }
    if (const Json* ext = e.Extension(r, ExtCourse(), &path, "")) {
      infusion.course = e.Integer(*ext, "valueInteger", path + ".valueInteger").value_or(1);
    }
    if (const Json* ext = e.Extension(r, ExtCellSource(), &path, "")) {
      if (auto source = ReadCodeExtension(e, *ext, path, core::ParseCellSource)) infusion.source = *source;
    }
    if (const Json* ext = e.Extension(r, ExtDose(), &path, "")) {
      const Json* quantity = Member(*ext, "valueQuantity");
      if (quantity == nullptr) {
        e.Problem(path, ValueText(*ext), "expected a valueQuantity");
      } else {
        infusion.dose = e.Decimal(*quantity, "value", path + ".valueQuantity.value");
        auto unit = e.String(*quantity, "code", path + ".valueQuantity.code");
        if (!unit) unit = e.String(*quantity, "unit", path + ".valueQuantity.unit");
        if (unit) {
          auto dose_unit = core::ParseDoseUnit(*unit);
          if (dose_unit) {
            infusion.dose_unit = *dose_unit;
          } else {
            e.Problem(path + ".valueQuantity.code", *unit, dose_unit.error().message);
          }
        }
      }
    }
    if (const Json* sites = Member(r, "bodySite"); sites != nullptr && sites->is_array() && !sites->empty()) {
      if (auto route = e.Parsed<core::Route>(e.CodeIn(&(*sites)[0], CsRoute(), "bodySite[0]"), core::ParseRoute)) {
        infusion.route = *route;
      }
    }
    if (!e.ok() || !patient || !date) return;
    infusion.patient = *patient;
    infusion.date = *date;
    infusion.origin = e.origin();
    out_.batch.infusions.push_back(std::move(infusion));
  }

  void ReadMedication(Entry& e) {
    const Json& r = e.resource();
    core::Medication med;
    if (const Json* category = Member(r, "category")) {
      if (auto cls = e.Parsed<core::MedicationClass>(e.CodeIn(category, CsMedicationClass(), "category"),
                                                     core::ParseMedicationClass)) {
        med.medication_class = *cls;
      }
    }
    if (const Json* medication = Member(r, "medicationCodeableConcept")) {
      med.name = e.String(*medication, "text", "medicationCodeableConcept.text").value_or("");
    }
    auto patient = Subject(e);
    std::optional<core::Date> start;
    if (const Json* period = Member(r, "effectivePeriod")) {
      start = e.RequiredDate(*period, "start", "effectivePeriod.start");
      med.end = e.DateMember(*period, "end", "effectivePeriod.end");
    } else {
      start = e.RequiredDate(r, "effectiveDateTime", "effectiveDateTime");
    }
    if (const Json* dosage = Member(r, "dosage"); dosage != nullptr && dosage->is_array() && !dosage->empty()) {
      med.dose = e.String((*dosage)[0], "text", "dosage[0].text").value_or("");
    }
    if (!e.ok() || !patient || !start) return;
    med.patient = *patient;
    med.start = *start;
    med.origin = e.origin();
    out_.batch.medications.push_back(std::move(med));
  }

  void ReadEncounter(Entry& e) {
    const Json& r = e.resource();
    core::Visit visit;
    auto patient = Subject(e);
    std::optional<core::Date> date;
    if (const Json* period = Member(r, "period")) {
      date = e.RequiredDate(*period, "start", "period.start");
    } else {
      e.Problem("period", "", "is missing; a visit needs its date in period.start");
    }
    if (const Json* types = Member(r, "type"); types != nullptr && types->is_array() && !types->empty()) {
      if (auto code = e.CodeIn(&(*types)[0], CsVisitCode(), "type[0]")) visit.code = code->code;
    }
    std::string ext_path;
    if (const Json* ext = e.Extension(r, ExtVisitStatus(), &ext_path, "")) {
      if (auto status = ReadCodeExtension(e, *ext, ext_path, core::ParseVisitStatus)) visit.status = *status;
    } else if (auto r4 = e.String(r, "status", "status")) {
      if (auto status = FromR4EncounterStatus(*r4)) {
        visit.status = *status;
      } else {
        e.Problem("status", *r4, "has no cirrus visit status");
      }
    }
    if (!e.ok() || !patient || !date) return;
    visit.patient = *patient;
    visit.date = *date;
    visit.origin = e.origin();
    out_.batch.visits.push_back(std::move(visit));
  }

  void ReadObservation(Entry& e) {
    const Json& r = e.resource();
    const Json* code = Member(r, "code");
    if (auto kind = OutcomeKindOf(e, code)) return ReadOutcome(e, *kind, "effectiveDateTime");
    if (!e.ok()) return;
    if (e.CodeIn(code, CsAssessment(), "code")) return ReadAssessment(e);
    ReadLab(e);
  }

  void ReadLab(Entry& e) {
    const Json& r = e.resource();
    const Json* code = Member(r, "code");
    core::LabResult lab;
    std::optional<core::Analyte> analyte;
    if (auto cirrus = e.CodeIn(code, CsAnalyte(), "code")) {
      analyte = e.Parsed<core::Analyte>(cirrus, core::ParseAnalyte);
    } else if (auto loinc = e.CodeIn(code, kLoinc, "code")) {
      // ParseAnalyte also takes names ("albumin"); a LOINC coding must hold a LOINC code.
      const bool looks_like_loinc =
          !loinc->code.empty() && std::all_of(loinc->code.begin(), loinc->code.end(),
                                              [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
      auto parsed = core::ParseAnalyte(loinc->code);
      if (looks_like_loinc && parsed) {
        analyte = *parsed;
      } else {
        e.Problem(loinc->path, loinc->code, "is not a LOINC code of an analyte cirrus records");
      }
    } else if (e.ok()) {
      e.Problem("code", code != nullptr ? ValueText(*code) : "",
                "has no LOINC or cirrus analyte coding; cirrus cannot tell which lab this is");
    }
    auto patient = Subject(e);
    auto date = e.RequiredDate(r, "effectiveDateTime", "effectiveDateTime");
    if (!analyte) return;
    lab.analyte = *analyte;

    std::string path;
    std::optional<std::pair<std::string, std::string>> as_entered;
    if (const Json* ext = e.Extension(r, ExtAsEntered(), &path, "")) {
      std::pair<std::string, std::string> texts;
      if (const Json* parts = Member(*ext, "extension"); parts != nullptr && parts->is_array()) {
        for (std::size_t j = 0; j < parts->size(); ++j) {
          const std::string part_path = path + ".extension[" + std::to_string(j) + "]";
          const Json* url = Member((*parts)[j], "url");
          const std::string name = url != nullptr && url->is_string() ? url->get<std::string>() : "";
          if (name == "value") {
            texts.first = e.String((*parts)[j], "valueString", part_path + ".valueString").value_or("");
          } else if (name == "unit") {
            texts.second = e.String((*parts)[j], "valueString", part_path + ".valueString").value_or("");
          } else if (name != "none") {
            e.Problem(part_path + ".url", name, "expected value or unit");
          }
        }
      }
      as_entered = std::move(texts);
    }
    std::optional<double> canonical_override;
    if (const Json* ext = e.Extension(r, ExtCanonicalValue(), &path, "")) {
      canonical_override = e.Decimal(*ext, "valueDecimal", path + ".valueDecimal");
    }
    if (const Json* ext = e.Extension(r, ExtMissingReason(), &path, "")) {
      lab.missing = ReadCodeExtension(e, *ext, path, core::ParseMissingReason);
    }

    if (const Json* quantity = Member(r, "valueQuantity")) {
      auto number = e.Decimal(*quantity, "value", "valueQuantity.value");
      if (!number && e.ok()) e.Problem("valueQuantity.value", "", "is missing");
      if (auto comparator = e.String(*quantity, "comparator", "valueQuantity.comparator")) {
        auto op = core::ParseLabOperator(*comparator);
        if (op && *comparator != "" && *comparator != "=") {
          lab.op = *op;
        } else {
          e.Problem("valueQuantity.comparator", *comparator, "expected <, <=, >= or >");
        }
      }
      auto unit_text = e.String(*quantity, "unit", "valueQuantity.unit");
      auto ucum = e.String(*quantity, "code", "valueQuantity.code");
      if (auto system = e.String(*quantity, "system", "valueQuantity.system"); system && *system != kUcum) {
        // Another system's code says nothing cirrus can check; rely on the unit text.
        ucum.reset();
      }
      const std::string unit_path = unit_text ? "valueQuantity.unit" : "valueQuantity.code";
      const std::string lookup = ucum ? *ucum : unit_text.value_or("");
      const core::UnitInfo* unit = &core::CanonicalUnit(lab.analyte);
      if (!lookup.empty()) {
        auto found = core::FindUnit(lab.analyte, lookup);
        if (found) {
          unit = *found;
        } else {
          e.Problem(ucum ? "valueQuantity.code" : "valueQuantity.unit", lookup, found.error().message);
          unit = nullptr;
        }
      }
      if (number && unit != nullptr) {
        lab.value_as_entered = ShortestText(*number);
        if (unit_text) {
          lab.unit_as_entered = *unit_text;
        } else if (unit != &core::CanonicalUnit(lab.analyte)) {
          lab.unit_as_entered = lookup;
        }
        if (canonical_override) {
          lab.value = canonical_override;
        } else {
          auto value = core::ToCanonical(lab.analyte, core::Quantity{*number, unit});
          if (value) {
            lab.value = *value;
          } else {
            std::string shown = ShortestText(*number);
            if (!lookup.empty()) shown += " " + (unit_text ? *unit_text : lookup);
            e.Problem(unit_path, shown, value.error().message);
          }
        }
      }
    } else {
      for (const auto& [key, value] : r.items()) {
        if (key.rfind("value", 0) == 0) {
          e.Problem(key, ValueText(value), "a lab value must be a valueQuantity");
          break;
        }
      }
      if (const Json* absent = Member(r, "dataAbsentReason")) {
        if (auto cirrus = e.CodeIn(absent, CsMissingReason(), "dataAbsentReason")) {
          lab.missing = e.Parsed<core::MissingReason>(cirrus, core::ParseMissingReason);
        } else if (auto r4 = e.CodeIn(absent, kDataAbsentReason, "dataAbsentReason")) {
          lab.missing = FromR4DataAbsent(r4->code);
        } else {
          lab.missing = core::MissingReason::kUnknown;
        }
      }
      if (const Json* ext = e.Extension(r, ExtLabOperator(), &path, "")) {
        if (auto op = ReadCodeExtension(e, *ext, path, core::ParseLabOperator)) lab.op = *op;
      }
    }
    if (as_entered) {
      lab.value_as_entered = as_entered->first;
      lab.unit_as_entered = as_entered->second;
    }
    if (!e.ok() || !patient || !date) return;
    lab.patient = *patient;
    lab.date = *date;
    lab.origin = e.origin();
    out_.batch.labs.push_back(std::move(lab));
  }

  void ReadAssessment(Entry& e) {
    const Json& r = e.resource();
    core::Assessment a;
    auto patient = Subject(e);
    auto date = e.RequiredDate(r, "effectiveDateTime", "effectiveDateTime");
    if (const Json* components = Member(r, "component"); components != nullptr && components->is_array()) {
      for (std::size_t i = 0; i < components->size(); ++i) {
        const Json& c = (*components)[i];
        const std::string sub = "component[" + std::to_string(i) + "]";
        auto which = e.CodeIn(Member(c, "code"), CsAssessment(), sub + ".code");
        const std::string name = which ? which->code : "";
        if (name == "ascites") {
          a.ascites = e.Parsed<core::Ascites>(
              e.CodeIn(Member(c, "valueCodeableConcept"), CsAscites(), sub + ".valueCodeableConcept"),
              core::ParseAscites);
          if (!a.ascites && e.ok()) e.Problem(sub, ValueText(c), "ascites needs a cirrus ascites code");
        } else if (name == "encephalopathy-west-haven") {
          a.encephalopathy_grade = e.Integer(c, "valueInteger", sub + ".valueInteger");
          if (a.encephalopathy_grade && (*a.encephalopathy_grade < 0 || *a.encephalopathy_grade > 4)) {
            e.Problem(sub + ".valueInteger", IntText(*a.encephalopathy_grade), "a West Haven grade is 0-4");
          }
        } else if (name == "dialysis") {
          const Json* value = Member(c, "valueBoolean");
          if (value == nullptr || !value->is_boolean()) {
            e.Problem(sub + ".valueBoolean", value != nullptr ? ValueText(*value) : "", "expected true or false");
          } else {
            a.dialysis = value->get<bool>() ? core::Dialysis::kDialysis : core::Dialysis::kNone;
          }
        } else if (name == "varices") {
          a.varices = e.Parsed<core::Varices>(
              e.CodeIn(Member(c, "valueCodeableConcept"), CsVarices(), sub + ".valueCodeableConcept"),
              core::ParseVarices);
          if (!a.varices && e.ok()) e.Problem(sub, ValueText(c), "varices need a cirrus varices code");
        } else if (name == "weight" || name == "liver-volume") {
          const std::string unit = name == "weight" ? "kg" : "mL";
          const Json* quantity = Member(c, "valueQuantity");
          if (quantity == nullptr) {
            e.Problem(sub, ValueText(c), "expected a valueQuantity");
            continue;
          }
          auto value = e.Decimal(*quantity, "value", sub + ".valueQuantity.value");
          auto ucum = e.String(*quantity, "code", sub + ".valueQuantity.code");
          if (!ucum || *ucum != unit) {
            e.Problem(sub + ".valueQuantity.code", ucum.value_or(""), "expected UCUM " + unit);
          }
          (name == "weight" ? a.weight_kg : a.liver_volume_ml) = value;
        } else {
          e.Problem(sub + ".code", name.empty() ? ValueText(Member(c, "code") ? *Member(c, "code") : Json()) : name,
                    "is not a bedside finding cirrus reads");
        }
      }
    }
    if (!e.ok() || !patient || !date) return;
    a.patient = *patient;
    a.date = *date;
    a.origin = e.origin();
    out_.batch.assessments.push_back(std::move(a));
  }

  void ReadAdverseEvent(Entry& e) {
    const Json& r = e.resource();
    core::AdverseEvent ae;
    auto patient = Subject(e);
    auto onset = e.RequiredDate(r, "date", "date");
    if (const Json* event = Member(r, "event")) {
      if (auto text = e.String(*event, "text", "event.text")) {
        ae.term = *text;
      } else if (const Json* codings = Member(*event, "coding");
                 codings != nullptr && codings->is_array() && !codings->empty()) {
        ae.term = e.String((*codings)[0], "display", "event.coding[0].display").value_or("");
      }
    }
    std::string path;
    if (const Json* ext = e.Extension(r, ExtCtcaeGrade(), &path, "")) {
      ae.grade = e.Integer(*ext, "valueInteger", path + ".valueInteger").value_or(1);
    } else if (auto severity = e.CodeIn(Member(r, "severity"), kAeSeverity, "severity")) {
      ae.grade = severity->code == "severe" ? 3 : severity->code == "moderate" ? 2 : 1;
    }
    if (const Json* ext = e.Extension(r, ExtEndDate(), &path, "")) {
      ae.end = e.DateMember(*ext, "valueDate", path + ".valueDate");
    }
    if (auto serious = e.CodeIn(Member(r, "seriousness"), kAeSeriousness, "seriousness")) {
      ae.serious = serious->code != "non-serious";
    }
    if (auto outcome = e.CodeIn(Member(r, "outcome"), kAeOutcome, "outcome")) {
      if (auto mapped = FromR4AeOutcome(outcome->code)) {
        ae.outcome = *mapped;
      } else {
        e.Problem(outcome->path, outcome->code, "is not an R4 adverse-event outcome");
      }
    }
    if (const Json* ext = e.Extension(r, ExtRelatedness(), &path, "")) {
      if (auto related = ReadCodingExtension(e, *ext, path, CsRelatedness(), core::ParseRelatedness)) {
        ae.relatedness = *related;
      }
    }
    if (const Json* suspects = Member(r, "suspectEntity");
        suspects != nullptr && suspects->is_array() && !suspects->empty()) {
      const Json& suspect = (*suspects)[0];
      if (const Json* instance = Member(suspect, "instance")) {
        std::optional<int> number;
        if (const Json* identifier = Member(*instance, "identifier")) {
          if (auto text = e.String(*identifier, "value", "suspectEntity[0].instance.identifier.value")) {
            auto parsed = core::ParseNumber(*text);
            if (parsed && std::trunc(*parsed) == *parsed && std::fabs(*parsed) < 1e9) {
              number = static_cast<int>(*parsed);
            } else {
              e.Problem("suspectEntity[0].instance.identifier.value", *text, "expected an infusion number");
            }
          }
        } else if (auto ref = e.String(*instance, "reference", "suspectEntity[0].instance.reference")) {
          auto it = infusions_.find(*ref);
          if (it == infusions_.end()) {
            e.Problem("suspectEntity[0].instance.reference", *ref, "refers to an infusion that is not in the Bundle");
          } else {
            number = it->second.second;
          }
        }
        ae.infusion = number;
      }
      if (const Json* causality = Member(suspect, "causality");
          causality != nullptr && causality->is_array() && !causality->empty()) {
        if (auto related = e.Parsed<core::Relatedness>(e.CodeIn(Member((*causality)[0], "assessment"), CsRelatedness(),
                                                                "suspectEntity[0].causality[0].assessment"),
                                                       core::ParseRelatedness)) {
          ae.relatedness = *related;
        }
      }
    }
    if (!e.ok() || !patient || !onset) return;
    ae.patient = *patient;
    ae.onset = *onset;
    ae.origin = e.origin();
    out_.batch.adverse_events.push_back(std::move(ae));
  }

  const Json& bundle_;
  const std::string& file_;
  std::uint32_t source_;
  FhirRead& out_;
  ProblemSink sink_;
  std::size_t first_event_ = out_.batch.events.size();
  std::map<std::string, std::string> full_urls_;                  // fullUrl -> "Type/id"
  std::map<std::string, std::string> keys_;                       // "Type/id" -> natural key
  std::map<std::string, std::pair<std::string, int>> infusions_;  // "Procedure/id" -> (patient, number)
  std::map<std::string, std::size_t> patient_index_;              // code -> index in batch.patients
  std::vector<std::pair<std::string, std::pair<core::Date, core::Origin>>> deaths_;
};

// "line L, column C" of a 1-based byte offset, for parse errors.
std::string Position(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  const std::size_t end = std::min(byte > 0 ? byte - 1 : 0, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

Status ReadOne(std::string_view text, const std::string& name, FhirRead& out, std::size_t max_problems) {
  Json bundle;
  try {
    bundle = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& error) {
    return Fail(ErrorCode::kInvalidArgument,
                name + " is not valid JSON: error at byte " + std::to_string(error.byte) + " (" +
                    Position(text, error.byte) + "): " + error.what(),
                name);
  }
  const Json* type = Member(bundle, "resourceType");
  if (type == nullptr || !type->is_string() || type->get<std::string>() != "Bundle") {
    return Fail(ErrorCode::kInvalidArgument,
                name + " is not a FHIR Bundle: resourceType is " + (type != nullptr ? ValueText(*type) : "missing"),
                name);
  }
  const auto source = static_cast<std::uint32_t>(out.batch.sources.size());
  out.batch.sources.push_back(name);
  try {
    BundleReader(bundle, name, source, out, max_problems).Read();
  } catch (const nlohmann::json::exception& error) {
    // Every access above checks types first; reaching here is a cirrus bug.
    return Fail(ErrorCode::kInternal, name + ": unexpected JSON error: " + error.what(), name);
  }
  return {};
}

}  // namespace

std::string WriteFhirBundle(const RegistryBatch& batch) { return BundleWriter(batch).Write(); }

Status WriteFhirBundleFile(const RegistryBatch& batch, const std::string& path) {
  CIRRUS_ASSIGN_OR_RETURN(AtomicOutputFile out, AtomicOutputFile::Create(path));
  CIRRUS_RETURN_IF_ERROR(out.Write(WriteFhirBundle(batch)));
  return out.Commit();
}

Result<FhirRead> ReadFhirBundleText(std::string_view json, const std::string& name, std::size_t max_problems) {
  FhirRead out;
  CIRRUS_RETURN_IF_ERROR(ReadOne(json, name, out, max_problems));
  internal::DropDuplicateKeys(out, max_problems, internal::OriginLine::kBundleEntry);
  return out;
}

Result<FhirRead> ReadFhirBundles(std::span<const std::string> paths, std::size_t max_problems) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> in_dir;
    fs::directory_iterator it(path, error);
    if (error) {
      return Fail(ErrorCode::kInvalidArgument, "cannot list directory " + path + ": " + error.message(), path);
    }
    for (const fs::directory_iterator end; it != end; it.increment(error)) {
      if (error) break;
      std::error_code kind_error;
      if (it->path().extension() == ".json" && it->is_regular_file(kind_error)) in_dir.push_back(it->path().string());
    }
    if (error) {
      return Fail(ErrorCode::kInvalidArgument, "cannot list directory " + path + ": " + error.message(), path);
    }
    // A folder without a Bundle used to "succeed" with 0 rows.
    if (in_dir.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "the folder " + path + " holds no .json file (FHIR Bundle)", path);
    }
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  FhirRead out;
  for (const std::string& file : files) {
    CIRRUS_ASSIGN_OR_RETURN(const std::string text, ReadFile(file));
    CIRRUS_RETURN_IF_ERROR(ReadOne(text, file, out, max_problems));
  }
  // Across files too: two Bundles of one batch holding the same record.
  internal::DropDuplicateKeys(out, max_problems, internal::OriginLine::kBundleEntry);
  return out;
}

}  // namespace cirrus::io
