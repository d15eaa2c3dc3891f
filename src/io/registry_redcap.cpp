#include "cirrus/io/registry_redcap.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cirrus/base/check.hpp"
#include "cirrus/base/text.hpp"
#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"
#include "internal/registry_checks.hpp"

namespace cirrus::io {
namespace {

using core::Analyte;
using core::Date;

constexpr std::array<std::string_view, 18> kDictionaryHeaders = {
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
};
// The same columns as the API's `metadata` export names them.
constexpr std::array<std::string_view, 18> kDictionaryApiKeys = {
    "field_name",          "form_name",
    "section_header",      "field_type",
    "field_label",         "select_choices_or_calculations",
    "field_note",          "text_validation_type_or_show_slider_number",
    "text_validation_min", "text_validation_max",
    "identifier",          "branching_logic",
    "required_field",      "custom_alignment",
    "question_number",     "matrix_group_name",
    "matrix_ranking",      "field_annotation",
};

constexpr std::string_view kRepeatInstrument = "redcap_repeat_instrument";
constexpr std::string_view kRepeatInstance = "redcap_repeat_instance";
constexpr std::string_view kDag = "redcap_data_access_group";

// ---- the cirrus project ---------------------------------------------------

// Number of values of each coded enum, for building choice lists.
template <typename E>
constexpr int kEnumCount = 0;
template <>
constexpr int kEnumCount<core::CellProduct> = 4;
template <>
constexpr int kEnumCount<core::CellSource> = 2;
template <>
constexpr int kEnumCount<core::DoseUnit> = 2;
template <>
constexpr int kEnumCount<core::Route> = 5;
template <>
constexpr int kEnumCount<core::ScheduleAnchor> = 2;
template <>
constexpr int kEnumCount<core::PatientStatus> = 7;
template <>
constexpr int kEnumCount<core::ProcedureKind> = 9;
template <>
constexpr int kEnumCount<core::MedicationClass> = 5;
template <>
constexpr int kEnumCount<core::VisitStatus> = 4;
template <>
constexpr int kEnumCount<core::MissingReason> = 4;
template <>
constexpr int kEnumCount<core::Varices> = 3;
template <>
constexpr int kEnumCount<core::OutcomeKind> = 8;
template <>
constexpr int kEnumCount<core::DeathCause> = 6;
template <>
constexpr int kEnumCount<core::DecompensationKind> = 4;
template <>
constexpr int kEnumCount<core::Relatedness> = 5;
template <>
constexpr int kEnumCount<core::AeOutcome> = 6;
template <>
constexpr int kEnumCount<core::Sex> = 2;
template <>
constexpr int kEnumCount<core::Ascites> = 3;
template <>
constexpr int kEnumCount<core::Aetiology> = 10;

std::string_view RawCode(core::Sex v) { return core::Name(v); }
std::string_view RawCode(core::Ascites v) { return core::Name(v); }
template <typename E>
std::string_view RawCode(E v) {
  return core::Code(v);
}
std::string AetiologyCode(core::Aetiology a) { return ToLowerAscii(core::Name(a)); }

// "moderate-severe" -> "Moderate severe".
std::string LabelOf(std::string_view code) {
  std::string label(code);
  for (char& c : label) {
    if (c == '-' || c == '_') c = ' ';
  }
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z') label[0] = static_cast<char>(label[0] - 'a' + 'A');
  return label;
}

template <typename E>
std::string Choices() {
  std::string out;
  for (int i = 0; i < kEnumCount<E>; ++i) {
    const std::string_view code = RawCode(static_cast<E>(i));
    if (!out.empty()) out += " | ";
    out += std::string(code) + ", " + LabelOf(code);
  }
  return out;
}

std::string AetiologyChoices() {
  std::string out;
  for (int i = 0; i < kEnumCount<core::Aetiology>; ++i) {
    const auto a = static_cast<core::Aetiology>(i);
    if (!out.empty()) out += " | ";
    out += AetiologyCode(a) + ", " + std::string(core::Name(a));
  }
  return out;
}

// Lab operators as REDCap raw codes: REDCap codes are words, so "<" is "lt".
// Blank means "=". The reader also accepts the symbols.
constexpr std::array<std::pair<core::LabOperator, std::string_view>, 4> kOperatorCodes = {{
    {core::LabOperator::kLess, "lt"},
    {core::LabOperator::kLessOrEqual, "le"},
    {core::LabOperator::kGreater, "gt"},
    {core::LabOperator::kGreaterOrEqual, "ge"},
}};

struct FieldDef {
  std::string name;
  std::string form;
  std::string section;
  std::string type;
  std::string label;
  std::string choices;
  std::string note;
  std::string validation;
  std::string min;
  std::string max;
  std::string branching;
  std::string required;
  std::string annotation;
};

// The lab field of each analyte: lab_<code in lower case>.
std::string LabField(Analyte a) { return "lab_" + ToLowerAscii(core::Code(a)); }

std::vector<FieldDef> CirrusDictionary() {
  std::vector<FieldDef> d;
  auto add = [&d](std::string_view form, std::string name, std::string type, std::string label) -> FieldDef& {
    FieldDef f;
    f.name = std::move(name);
    f.form = std::string(form);
    f.type = std::move(type);
    f.label = std::move(label);
    d.push_back(std::move(f));
    return d.back();
  };
  auto text = [&](std::string_view form, std::string name, std::string label) -> FieldDef& {
    return add(form, std::move(name), "text", std::move(label));
  };
  auto date = [&](std::string_view form, std::string name, std::string label) -> FieldDef& {
    FieldDef& f = add(form, std::move(name), "text", std::move(label));
    f.validation = "date_ymd";
    return f;
  };
  auto integer = [&](std::string_view form, std::string name, std::string label, std::string min,
                     std::string max) -> FieldDef& {
    FieldDef& f = add(form, std::move(name), "text", std::move(label));
    f.validation = "integer";
    f.min = std::move(min);
    f.max = std::move(max);
    return f;
  };
  auto number = [&](std::string_view form, std::string name, std::string label, std::string note) -> FieldDef& {
    FieldDef& f = add(form, std::move(name), "text", std::move(label));
    f.validation = "number";
    f.note = std::move(note);
    return f;
  };
  auto dropdown = [&](std::string_view form, std::string name, std::string label, std::string choices) -> FieldDef& {
    FieldDef& f = add(form, std::move(name), "dropdown", std::move(label));
    f.choices = std::move(choices);
    return f;
  };
  auto notes = [&](std::string_view form, std::string name, std::string label) -> FieldDef& {
    return add(form, std::move(name), "notes", std::move(label));
  };
  auto yesno = [&](std::string_view form, std::string name, std::string label) -> FieldDef& {
    return add(form, std::move(name), "yesno", std::move(label));
  };

  constexpr std::string_view kEnrol = "enrolment";
  text(kEnrol, "record_id", "Patient code (pseudonym)").required = "y";
  text(kEnrol, "site_code", "Site code (exact; the data access group is its lower-case form)");
  text(kEnrol, "study", "Study code");
  text(kEnrol, "arm", "Arm code (blank when not randomised)");
  dropdown(kEnrol, "sex", "Sex", Choices<core::Sex>());
  integer(kEnrol, "birth_year", "Year of birth", "1850", "2200");
  FieldDef& aet = add(kEnrol, "aetiology", "checkbox", "Aetiology of cirrhosis");
  aet.choices = AetiologyChoices();
  date(kEnrol, "cirrhosis_dx_date", "Date of cirrhosis diagnosis");
  date(kEnrol, "first_decomp_date", "Date of first decompensation");
  date(kEnrol, "enrolment_date", "Date of enrolment (informed consent)");
  dropdown(kEnrol, "patient_status", "Patient status", Choices<core::PatientStatus>()).required = "y";

  constexpr std::string_view kInf = "infusion";
  integer(kInf, "infusion_number", "Infusion number", "1", "").required = "y";
  integer(kInf, "infusion_course", "Treatment course", "1", "").required = "y";
  date(kInf, "infusion_date", "Infusion date").required = "y";
  dropdown(kInf, "infusion_product", "Cell product", Choices<core::CellProduct>()).required = "y";
  dropdown(kInf, "infusion_source", "Cell source", Choices<core::CellSource>()).required = "y";
  number(kInf, "infusion_dose", "Dose", "in the dose unit");
  dropdown(kInf, "infusion_dose_unit", "Dose unit", Choices<core::DoseUnit>()).required = "y";
  dropdown(kInf, "infusion_route", "Route", Choices<core::Route>()).required = "y";

  constexpr std::string_view kProc = "procedure";
  dropdown(kProc, "procedure_kind", "Procedure", Choices<core::ProcedureKind>()).required = "y";
  date(kProc, "procedure_date", "Procedure date").required = "y";
  notes(kProc, "procedure_detail", "Details");

  constexpr std::string_view kMed = "medication";
  dropdown(kMed, "med_class", "Medication class", Choices<core::MedicationClass>()).required = "y";
  text(kMed, "med_name", "Medication name");
  date(kMed, "med_start", "Start date").required = "y";
  date(kMed, "med_end", "End date");
  notes(kMed, "med_dose", "Dose as written");

  constexpr std::string_view kVisit = "visit";
  date(kVisit, "visit_date", "Visit date (actual, or planned while scheduled or missed)").required = "y";
  text(kVisit, "visit_code", "Schedule visit code (blank when unscheduled)");
  dropdown(kVisit, "visit_status", "Visit status", Choices<core::VisitStatus>()).required = "y";

  constexpr std::string_view kLab = "lab";
  FieldDef& lab_date = date(kLab, "lab_date", "Specimen collection date");
  lab_date.required = "y";
  lab_date.annotation = "@CIRRUS-DATE";
  std::string missing_choices = Choices<core::MissingReason>();
  std::string op_choices;
  for (const auto& [op, code] : kOperatorCodes) {
    if (!op_choices.empty()) op_choices += " | ";
    op_choices += std::string(code) + ", " + std::string(core::Code(op));
  }
  for (Analyte a : core::AllAnalytes()) {
    const core::AnalyteInfo& info = core::Info(a);
    const std::string base = LabField(a);
    const std::string_view ucum = core::CanonicalUnit(a).ucum;
    FieldDef& value = number(kLab, base, LabelOf(info.name), std::string(core::CanonicalUnit(a).display));
    value.section = a == core::AllAnalytes().front() ? "Results (value as entered; unit blank = the field's unit)" : "";
    value.annotation = (info.loinc.empty() ? std::string() : "@LOINC=" + std::string(info.loinc) + " ") +
                       "@UNIT=" + std::string(ucum) + " @CIRRUS-ANALYTE=" + std::string(core::Code(a));
    text(kLab, base + "_unit", LabelOf(info.name) + ": unit as entered");
    dropdown(kLab, base + "_op", LabelOf(info.name) + ": comparator", op_choices);
    dropdown(kLab, base + "_missing", LabelOf(info.name) + ": why missing", missing_choices);
    FieldDef& std_value =
        number(kLab, base + "_std", LabelOf(info.name) + " in " + std::string(ucum), std::string(ucum));
    std_value.annotation = "@READONLY";
  }

  constexpr std::string_view kAssess = "assessment";
  date(kAssess, "assess_date", "Assessment date").required = "y";
  dropdown(kAssess, "assess_ascites", "Ascites", Choices<core::Ascites>());
  integer(kAssess, "assess_he_grade", "Hepatic encephalopathy, West Haven grade", "0", "4");
  yesno(kAssess, "assess_dialysis", "Dialysis (MELD definition)");
  dropdown(kAssess, "assess_varices", "Varices", Choices<core::Varices>());
  number(kAssess, "assess_weight_kg", "Weight", "kg");
  number(kAssess, "assess_liver_volume_ml", "Liver volume", "mL");

  constexpr std::string_view kOut = "outcome";
  dropdown(kOut, "outcome_kind", "Event", Choices<core::OutcomeKind>()).required = "y";
  date(kOut, "outcome_date", "Event date").required = "y";
  dropdown(kOut, "outcome_death_cause", "Cause of death", Choices<core::DeathCause>()).branching =
      "[outcome_kind] = 'death'";
  dropdown(kOut, "outcome_decomp", "Decompensation", Choices<core::DecompensationKind>()).branching =
      "[outcome_kind] = 'decompensation'";
  notes(kOut, "outcome_detail", "Details (cancer site, withdrawal reason)");

  constexpr std::string_view kAe = "adverse_event";
  text(kAe, "ae_term", "Adverse event term (CTCAE where one fits)").required = "y";
  date(kAe, "ae_onset", "Onset date").required = "y";
  date(kAe, "ae_end", "End date");
  dropdown(kAe, "ae_grade", "CTCAE grade", "1, Grade 1 | 2, Grade 2 | 3, Grade 3 | 4, Grade 4 | 5, Grade 5").required =
      "y";
  yesno(kAe, "ae_serious", "Serious").required = "y";
  integer(kAe, "ae_infusion", "Infusion number suspected", "1", "");
  dropdown(kAe, "ae_relatedness", "Relatedness to the infusion (WHO-UMC)", Choices<core::Relatedness>()).required = "y";
  dropdown(kAe, "ae_outcome", "Outcome", Choices<core::AeOutcome>()).required = "y";

  constexpr std::string_view kSite = "site";
  text(kSite, "site_def_code", "Site code").required = "y";
  text(kSite, "site_def_name", "Site name");
  text(kSite, "site_def_country", "Country (ISO 3166-1 alpha-2)");

  constexpr std::string_view kStudy = "study";
  text(kStudy, "study_def_code", "Study code").required = "y";
  notes(kStudy, "study_def_title", "Title");
  text(kStudy, "study_def_registration", "Trial registry id");

  constexpr std::string_view kArm = "arm";
  text(kArm, "arm_def_study", "Study code").required = "y";
  text(kArm, "arm_def_code", "Arm code").required = "y";
  text(kArm, "arm_def_name", "Arm name");
  dropdown(kArm, "arm_def_product", "Cell product (blank for a control arm)", Choices<core::CellProduct>());
  dropdown(kArm, "arm_def_route", "Route", Choices<core::Route>());

  constexpr std::string_view kSched = "schedule";
  text(kSched, "sched_study", "Study code").required = "y";
  text(kSched, "sched_code", "Visit code").required = "y";
  text(kSched, "sched_name", "Visit name");
  integer(kSched, "sched_day", "Day from the anchor", "", "").required = "y";
  integer(kSched, "sched_window_before", "Window before (days)", "0", "").required = "y";
  integer(kSched, "sched_window_after", "Window after (days)", "0", "").required = "y";
  dropdown(kSched, "sched_anchor", "Anchor", Choices<core::ScheduleAnchor>()).required = "y";
  return d;
}

// ---- writing --------------------------------------------------------------

// A number as REDCap's `number` validation accepts it: plain decimal, never
// an exponent, and the shortest text that reads back as the same double.
std::string FormatDecimal(double value) {
  std::array<char, 400> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return ShortestText(value);
  return {buffer.data(), end};
}

std::string DagName(std::string_view site) {
  std::string out;
  for (char c : site) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? c : '_';
  }
  return out;
}

template <typename T>
std::string OptText(const std::optional<T>& v) {
  if (!v) return {};
  if constexpr (std::is_same_v<T, Date>) {
    return core::FormatDate(*v);
  } else if constexpr (std::is_same_v<T, double>) {
    return FormatDecimal(*v);
  } else if constexpr (std::is_same_v<T, int>) {
    return std::to_string(*v);
  } else {
    return std::string(RawCode(*v));
  }
}

class RecordsWriter {
 public:
  explicit RecordsWriter(const std::vector<FieldDef>& dictionary) {
    AddColumn("record_id");
    AddColumn(std::string(kRepeatInstrument));
    AddColumn(std::string(kRepeatInstance));
    AddColumn(std::string(kDag));
    std::string form;
    for (const FieldDef& f : dictionary) {
      if (f.form != form && !form.empty()) AddColumn(form + "_complete");
      form = f.form;
      if (f.name == "record_id") continue;
      if (f.type == "checkbox") {
        for (int i = 0; i < kEnumCount<core::Aetiology>; ++i) {
          AddColumn(f.name + "___" + AetiologyCode(static_cast<core::Aetiology>(i)));
        }
      } else {
        AddColumn(f.name);
      }
    }
    AddColumn(form + "_complete");
  }

  struct Row {
    std::vector<std::string> cells;
  };

  // A new row of `record`; `instrument` empty for the enrolment row.
  Row& NewRow(const std::string& record, std::string_view instrument) {
    auto [it, inserted] = records_.try_emplace(record);
    if (inserted) order_.push_back(record);
    Row row;
    row.cells.resize(columns_.size());
    row.cells[0] = record;
    if (!instrument.empty()) {
      row.cells[1] = std::string(instrument);
      row.cells[2] = std::to_string(++instances_[{record, std::string(instrument)}]);
    }
    Set(row, std::string(instrument.empty() ? "enrolment" : instrument) + "_complete", "2");
    it->second.push_back(std::move(row));
    return it->second.back();
  }
  std::size_t RowCount(const std::string& record) const {
    auto it = records_.find(record);
    return it == records_.end() ? 0 : it->second.size();
  }
  Row& RowAt(const std::string& record, std::size_t i) { return records_.at(record)[i]; }

  void Set(Row& row, const std::string& column, std::string value) {
    auto it = index_.find(column);
    CIRRUS_ASSERT(it != index_.end(), "every column written is one of the dictionary's fields");
    if (it != index_.end()) row.cells[it->second] = std::move(value);
  }

  // Every row of a record carries the record's data access group.
  void SetDag(const std::string& record, const std::string& dag) { dags_[record] = dag; }

  std::string Text() const {
    std::string out;
    AppendRow(out, columns_);
    for (const std::string& record : order_) {
      auto dag = dags_.find(record);
      for (const Row& row : records_.at(record)) {
        std::vector<std::string> cells = row.cells;
        if (dag != dags_.end()) cells[3] = dag->second;
        AppendRow(out, cells, Cells::kRecordData);
      }
    }
    return out;
  }

  // Record data are neutralised against formula injection (csv.hpp). The
  // dictionary and the header are cirrus's own text, meant for REDCap, whose
  // action tags (@LOINC) must stay as they are.
  enum class Cells { kCirrusText, kRecordData };
  static void AppendRow(std::string& out, const std::vector<std::string>& cells, Cells kind = Cells::kCirrusText) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      if (kind == Cells::kRecordData) {
        AppendCsvExportField(out, cells[i]);
      } else {
        AppendCsvField(out, cells[i]);
      }
    }
    out += '\n';
  }

 private:
  void AddColumn(std::string name) {
    index_.emplace(name, columns_.size());
    columns_.push_back(std::move(name));
  }
  std::vector<std::string> columns_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<std::string> order_;
  std::unordered_map<std::string, std::vector<Row>> records_;
  std::map<std::pair<std::string, std::string>, int> instances_;
  std::unordered_map<std::string, std::string> dags_;
};

std::string DictionaryText(const std::vector<FieldDef>& dictionary) {
  std::string out;
  std::vector<std::string> header(kDictionaryHeaders.begin(), kDictionaryHeaders.end());
  RecordsWriter::AppendRow(out, header);
  for (const FieldDef& f : dictionary) {
    RecordsWriter::AppendRow(out, {f.name, f.form, f.section, f.type, f.label, f.choices, f.note, f.validation, f.min,
                                   f.max, "", f.branching, f.required, "", "", "", "", f.annotation});
  }
  return out;
}

std::string RecordsText(const core::RegistryBatch& batch, const std::vector<FieldDef>& dictionary) {
  RecordsWriter w(dictionary);
  using Row = RecordsWriter::Row;

  for (const core::Patient& p : batch.patients) {
    Row& row = w.NewRow(p.code, "");
    w.Set(row, "site_code", p.site);
    w.Set(row, "study", p.study);
    w.Set(row, "arm", p.arm);
    w.Set(row, "sex", OptText(p.sex));
    w.Set(row, "birth_year", OptText(p.birth_year));
    for (int i = 0; i < kEnumCount<core::Aetiology>; ++i) {
      const auto a = static_cast<core::Aetiology>(i);
      w.Set(row, "aetiology___" + AetiologyCode(a), p.aetiologies.Contains(a) ? "1" : "0");
    }
    w.Set(row, "cirrhosis_dx_date", OptText(p.cirrhosis_diagnosis));
    w.Set(row, "first_decomp_date", OptText(p.first_decompensation));
    w.Set(row, "enrolment_date", OptText(p.enrolment));
    w.Set(row, "patient_status", std::string(core::Code(p.status)));
    w.SetDag(p.code, DagName(p.site));
  }
  for (const core::Infusion& x : batch.infusions) {
    Row& row = w.NewRow(x.patient, "infusion");
    w.Set(row, "infusion_number", std::to_string(x.number));
    w.Set(row, "infusion_course", std::to_string(x.course));
    w.Set(row, "infusion_date", core::FormatDate(x.date));
    w.Set(row, "infusion_product", std::string(core::Code(x.product)));
    w.Set(row, "infusion_source", std::string(core::Code(x.source)));
    w.Set(row, "infusion_dose", OptText(x.dose));
    w.Set(row, "infusion_dose_unit", std::string(core::Code(x.dose_unit)));
    w.Set(row, "infusion_route", std::string(core::Code(x.route)));
  }
  for (const core::Procedure& x : batch.procedures) {
    Row& row = w.NewRow(x.patient, "procedure");
    w.Set(row, "procedure_kind", std::string(core::Code(x.kind)));
    w.Set(row, "procedure_date", core::FormatDate(x.date));
    w.Set(row, "procedure_detail", x.detail);
  }
  for (const core::Medication& x : batch.medications) {
    Row& row = w.NewRow(x.patient, "medication");
    w.Set(row, "med_class", std::string(core::Code(x.medication_class)));
    w.Set(row, "med_name", x.name);
    w.Set(row, "med_start", core::FormatDate(x.start));
    w.Set(row, "med_end", OptText(x.end));
    w.Set(row, "med_dose", x.dose);
  }
  for (const core::Visit& x : batch.visits) {
    Row& row = w.NewRow(x.patient, "visit");
    w.Set(row, "visit_date", core::FormatDate(x.date));
    w.Set(row, "visit_code", x.code);
    w.Set(row, "visit_status", std::string(core::Code(x.status)));
  }
  // Labs of one patient and date share a `lab` instance, one field group per
  // analyte; a second result for the same analyte opens another instance.
  {
    std::map<std::pair<std::string, std::int32_t>, std::vector<std::pair<std::size_t, std::uint32_t>>> open;
    for (const core::LabResult& x : batch.labs) {
      auto& slots = open[{x.patient, x.date.days_since_epoch}];
      const auto bit = static_cast<std::uint32_t>(1U << static_cast<unsigned>(x.analyte));
      Row* row = nullptr;
      for (auto& [index, used] : slots) {
        if ((used & bit) == 0) {
          used |= bit;
          row = &w.RowAt(x.patient, index);
          break;
        }
      }
      if (row == nullptr) {
        row = &w.NewRow(x.patient, "lab");
        slots.emplace_back(w.RowCount(x.patient) - 1, bit);
        w.Set(*row, "lab_date", core::FormatDate(x.date));
      }
      const std::string base = LabField(x.analyte);
      w.Set(*row, base, x.value_as_entered);
      w.Set(*row, base + "_unit", x.unit_as_entered);
      std::string op;
      for (const auto& [value, code] : kOperatorCodes) {
        if (value == x.op) op = std::string(code);
      }
      w.Set(*row, base + "_op", op);
      w.Set(*row, base + "_missing", OptText(x.missing));
      w.Set(*row, base + "_std", OptText(x.value));
    }
  }
  for (const core::Assessment& x : batch.assessments) {
    Row& row = w.NewRow(x.patient, "assessment");
    w.Set(row, "assess_date", core::FormatDate(x.date));
    w.Set(row, "assess_ascites", OptText(x.ascites));
    w.Set(row, "assess_he_grade", OptText(x.encephalopathy_grade));
    w.Set(row, "assess_dialysis", x.dialysis ? (*x.dialysis == core::Dialysis::kDialysis ? "1" : "0") : std::string());
    w.Set(row, "assess_varices", OptText(x.varices));
    w.Set(row, "assess_weight_kg", OptText(x.weight_kg));
    w.Set(row, "assess_liver_volume_ml", OptText(x.liver_volume_ml));
  }
  for (const core::OutcomeEvent& x : batch.events) {
    Row& row = w.NewRow(x.patient, "outcome");
    w.Set(row, "outcome_kind", std::string(core::Code(x.kind)));
    w.Set(row, "outcome_date", core::FormatDate(x.date));
    w.Set(row, "outcome_death_cause", OptText(x.death_cause));
    w.Set(row, "outcome_decomp", OptText(x.decompensation));
    w.Set(row, "outcome_detail", x.detail);
  }
  for (const core::AdverseEvent& x : batch.adverse_events) {
    Row& row = w.NewRow(x.patient, "adverse_event");
    w.Set(row, "ae_term", x.term);
    w.Set(row, "ae_onset", core::FormatDate(x.onset));
    w.Set(row, "ae_end", OptText(x.end));
    w.Set(row, "ae_grade", std::to_string(x.grade));
    w.Set(row, "ae_serious", x.serious ? "1" : "0");
    w.Set(row, "ae_infusion", OptText(x.infusion));
    w.Set(row, "ae_relatedness", std::string(core::Code(x.relatedness)));
    w.Set(row, "ae_outcome", std::string(core::Code(x.outcome)));
  }
  const std::string design(kRedcapDesignRecord);
  for (const core::Site& x : batch.sites) {
    Row& row = w.NewRow(design, "site");
    w.Set(row, "site_def_code", x.code);
    w.Set(row, "site_def_name", x.name);
    w.Set(row, "site_def_country", x.country);
  }
  for (const core::Study& x : batch.studies) {
    Row& row = w.NewRow(design, "study");
    w.Set(row, "study_def_code", x.code);
    w.Set(row, "study_def_title", x.title);
    w.Set(row, "study_def_registration", x.registration);
  }
  for (const core::Arm& x : batch.arms) {
    Row& row = w.NewRow(design, "arm");
    w.Set(row, "arm_def_study", x.study);
    w.Set(row, "arm_def_code", x.code);
    w.Set(row, "arm_def_name", x.name);
    w.Set(row, "arm_def_product", OptText(x.product));
    w.Set(row, "arm_def_route", OptText(x.route));
  }
  for (const core::ScheduledVisit& x : batch.schedule) {
    Row& row = w.NewRow(design, "schedule");
    w.Set(row, "sched_study", x.study);
    w.Set(row, "sched_code", x.code);
    w.Set(row, "sched_name", x.name);
    w.Set(row, "sched_day", std::to_string(x.day));
    w.Set(row, "sched_window_before", std::to_string(x.window_before));
    w.Set(row, "sched_window_after", std::to_string(x.window_after));
    w.Set(row, "sched_anchor", std::string(core::Code(x.anchor)));
  }
  return w.Text();
}

// ---- reading --------------------------------------------------------------

struct DictField {
  std::string name;
  std::string form;
  std::string type;
  std::string note;
  std::string validation;
  std::string annotation;
  std::uint32_t line = 0;
};

// The value of `@TAG=value` in a Field Annotation ("" when absent); `present`
// tells a bare `@TAG` from an absent one.
std::string AnnotationValue(std::string_view annotation, std::string_view tag, bool* present = nullptr) {
  if (present != nullptr) *present = false;
  std::size_t pos = 0;
  while (pos < annotation.size()) {
    while (pos < annotation.size() &&
           (annotation[pos] == ' ' || annotation[pos] == '\t' || annotation[pos] == '\n' || annotation[pos] == '\r')) {
      ++pos;
    }
    std::size_t end = pos;
    while (end < annotation.size() && annotation[end] != ' ' && annotation[end] != '\t' && annotation[end] != '\n' &&
           annotation[end] != '\r') {
      ++end;
    }
    const std::string_view token = annotation.substr(pos, end - pos);
    pos = end;
    const std::size_t eq = token.find('=');
    const std::string_view name = token.substr(0, eq);
    if (!EqualsIgnoringCase(name, tag)) continue;
    if (present != nullptr) *present = true;
    if (eq == std::string_view::npos) return {};
    std::string_view value = token.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return {};
}

// LOINC codes that name a cirrus analyte, beyond those ParseAnalyte knows,
// with the unit their property implies when the field says none.
struct LoincAlias {
  std::string_view loinc;
  Analyte analyte;
  std::string_view implied_unit;
};
constexpr std::array<LoincAlias, 12> kLoincAliases = {{
    {"1975-2", Analyte::kBilirubin, "mg/dL"},
    {"14631-6", Analyte::kBilirubin, "umol/L"},
    {"42719-5", Analyte::kBilirubin, "mg/dL"},
    {"2160-0", Analyte::kCreatinine, "mg/dL"},
    {"14682-9", Analyte::kCreatinine, "umol/L"},
    {"38483-4", Analyte::kCreatinine, "mg/dL"},
    {"61151-7", Analyte::kAlbumin, ""},
    {"61152-5", Analyte::kAlbumin, ""},
    {"2098-2", Analyte::kCholinesterase, ""},
    {"53962-7", Analyte::kAfp, "ng/mL"},
    {"19176-7", Analyte::kAfp, "[IU]/mL"},
    {"5964-2", Analyte::kProthrombinTime, "s"},
}};

// A field that holds lab results.
struct LabFieldSpec {
  std::size_t field = 0;  // into the dictionary
  Analyte analyte = Analyte::kAlbumin;
  std::string unit;             // the unit values are in unless a unit companion says otherwise
  bool has_companions = false;  // cirrus's <field>_unit/_op/_missing/_std exist
};

struct FormSpec {
  std::string date_field;  // "" when the form has none
  std::vector<LabFieldSpec> labs;
};

struct Dictionary {
  std::vector<DictField> fields;
  std::unordered_map<std::string, std::size_t> by_name;
  std::map<std::string, FormSpec> forms;
  std::set<std::string> form_names;  // every field's form (instrument)
  std::string record_id;
  [[nodiscard]] const DictField* Find(std::string_view name) const {
    auto it = by_name.find(std::string(name));
    return it == by_name.end() ? nullptr : &fields[it->second];
  }
};

class Problems {
 public:
  Problems(RedcapRead& out, std::size_t max) : out_(out), max_(max) {}
  void Add(std::string file, std::uint32_t line, std::string column, std::string value, std::string reason) {
    ++out_.problem_count;
    if (out_.problems.size() < max_) {
      out_.problems.push_back(
          core::RecordProblem{std::move(file), line, std::move(column), std::move(value), std::move(reason)});
    }
  }

 private:
  RedcapRead& out_;
  std::size_t max_;
};

// True when the reader's current row is UTF-8; otherwise a problem naming
// the first field that is not and its value, bad bytes as \xHH (the CSV
// registry reader's rule: a registry holds UTF-8 only, or its own CSV export
// could not be read back).
template <typename Names>
bool NotUtf8(const CsvReader& reader, const std::string& file, const Names& names, Problems& problems) {
  if (internal::IsValidUtf8(reader.record_text())) return true;
  const auto fields = reader.fields();
  std::string column;
  std::string value;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (internal::IsValidUtf8(fields[i])) continue;
    column = i < names.size() ? std::string(names[i]) : "field " + std::to_string(i + 1);
    value = internal::EscapeInvalidUtf8(fields[i]);
    break;
  }
  problems.Add(file, static_cast<std::uint32_t>(reader.line()), std::move(column), std::move(value),
               "not UTF-8; save the file as UTF-8");
  return false;
}

bool IsDateValidation(std::string_view v) { return v.starts_with("date_") || v.starts_with("datetime_"); }

Result<Dictionary> ParseDictionary(std::string_view text, const std::string& file, Problems& problems) {
  CsvReader reader(text, file);
  CIRRUS_ASSIGN_OR_RETURN(const bool has_header, reader.Next());
  auto matches = [&](const std::array<std::string_view, 18>& names) {
    if (reader.fields().size() < names.size()) return false;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (TrimBlanks(reader.fields()[i]) != names[i]) return false;
    }
    return true;
  };
  if (!has_header || !(matches(kDictionaryHeaders) || matches(kDictionaryApiKeys))) {
    return Fail(ErrorCode::kInvalidArgument,
                file +
                    ": not a REDCap data dictionary; the first row must be the 18 headers \"Variable / Field "
                    "Name\", \"Form Name\", ... \"Field Annotation\"",
                file);
  }
  Dictionary d;
  while (true) {
    CIRRUS_ASSIGN_OR_RETURN(const bool more, reader.Next());
    if (!more) break;
    if (!NotUtf8(reader, file, kDictionaryHeaders, problems)) continue;
    const auto f = reader.fields();
    auto at = [&f](std::size_t i) { return i < f.size() ? std::string(TrimBlanks(f[i])) : std::string(); };
    DictField field{at(0),
                    at(1),
                    ToLowerAscii(at(3)),
                    at(6),
                    ToLowerAscii(at(7)),
                    at(17),
                    static_cast<std::uint32_t>(reader.line())};
    if (field.name.empty()) {
      problems.Add(file, field.line, "Variable / Field Name", "", "is empty; the row is ignored");
      continue;
    }
    if (d.by_name.contains(field.name)) {
      problems.Add(file, field.line, "Variable / Field Name", field.name, "appears twice; the second is ignored");
      continue;
    }
    if (d.record_id.empty()) d.record_id = field.name;
    d.by_name.emplace(field.name, d.fields.size());
    d.form_names.insert(field.form);
    d.fields.push_back(std::move(field));
  }
  for (std::size_t i = 0; i < d.fields.size(); ++i) {
    const DictField& f = d.fields[i];
    FormSpec& form = d.forms[f.form];
    bool marked_date = false;
    AnnotationValue(f.annotation, "@CIRRUS-DATE", &marked_date);
    if (marked_date || (form.date_field.empty() && IsDateValidation(f.validation))) {
      if (marked_date || form.date_field.empty()) form.date_field = f.name;
    }
    const std::string analyte_code = AnnotationValue(f.annotation, "@CIRRUS-ANALYTE");
    const std::string loinc = AnnotationValue(f.annotation, "@LOINC");
    if (analyte_code.empty() && loinc.empty()) continue;
    LabFieldSpec lab;
    lab.field = i;
    std::string implied_unit;
    if (!analyte_code.empty()) {
      auto a = core::ParseAnalyte(analyte_code);
      if (!a) {
        problems.Add(file, f.line, "Field Annotation", analyte_code,
                     "@CIRRUS-ANALYTE is not a cirrus analyte; field " + f.name + " is ignored");
        continue;
      }
      lab.analyte = *a;
    } else {
      bool found = false;
      for (const LoincAlias& alias : kLoincAliases) {
        if (alias.loinc == loinc) {
          lab.analyte = alias.analyte;
          implied_unit = std::string(alias.implied_unit);
          found = true;
        }
      }
      if (!found) {
        auto a = core::ParseAnalyte(loinc);
        if (!a) {
          problems.Add(file, f.line, "Field Annotation", loinc,
                       "LOINC " + loinc + " is not an analyte cirrus records; field " + f.name + " is ignored");
          continue;
        }
        lab.analyte = *a;
      }
    }
    lab.unit = AnnotationValue(f.annotation, "@UNIT");
    if (lab.unit.empty()) lab.unit = f.note;
    if (lab.unit.empty()) lab.unit = implied_unit;
    lab.has_companions = d.by_name.contains(f.name + "_unit") && d.by_name.contains(f.name + "_op") &&
                         d.by_name.contains(f.name + "_missing") && d.by_name.contains(f.name + "_std");
    if (auto unit = core::FindUnit(lab.analyte, lab.unit.empty() ? core::CanonicalUnit(lab.analyte).ucum : lab.unit);
        !unit) {
      problems.Add(file, f.line, f.note == lab.unit ? "Field Note" : "Field Annotation", lab.unit,
                   unit.error().message + "; field " + f.name + " is ignored");
      continue;
    }
    form.labs.push_back(std::move(lab));
  }
  return d;
}

// One records file resolved against the dictionary.
class Layout {
 public:
  std::optional<std::size_t> Column(std::string_view name) const {
    auto it = columns_.find(std::string(name));
    if (it == columns_.end()) return std::nullopt;
    return it->second;
  }
  std::unordered_map<std::string, std::size_t> columns_;
  // checkbox field -> (choice code, column)
  std::unordered_map<std::string, std::vector<std::pair<std::string, std::size_t>>> checkboxes_;
};

struct Reading {
  const Dictionary& dict;
  const Layout& layout;
  const std::string& file;
  Problems& problems;
  RedcapRead& out;
  std::uint32_t source = 0;
  // Records and data access groups in order of first appearance, for
  // projects without cirrus's enrolment or site instruments.
  std::vector<std::pair<std::string, std::string>> records_seen;  // (record, dag)
  std::unordered_set<std::string> record_set;
  std::vector<std::string> dags_seen;
  std::unordered_set<std::string> dag_set;
};

// One row being read: cell access and problem reporting.
class RowReader {
 public:
  RowReader(Reading& r, std::span<const std::string_view> fields, std::uint32_t line)
      : r_(r), fields_(fields), line_(line) {}

  std::string_view Get(std::string_view name) const {
    auto col = r_.layout.Column(name);
    if (!col || *col >= fields_.size()) return {};
    // The cell as it was before the export neutralised it (csv.hpp).
    return RestoreCsvExportField(fields_[*col]);
  }
  bool AnyFilled(std::initializer_list<std::string_view> names) const {
    for (std::string_view n : names) {
      if (!TrimBlanks(Get(n)).empty()) return true;
    }
    return false;
  }
  void Bad(std::string_view column, std::string_view value, std::string reason) {
    r_.problems.Add(r_.file, line_, std::string(column), std::string(value), std::move(reason));
    ok_ = false;
  }
  [[nodiscard]] bool ok() const { return ok_; }
  void Reset() { ok_ = true; }
  [[nodiscard]] core::Origin origin() const { return core::Origin{r_.source, line_}; }

  std::string Text(std::string_view name) const { return std::string(Get(name)); }

  std::optional<Date> OptDate(std::string_view name) {
    std::string_view text = TrimBlanks(Get(name));
    if (text.empty()) return std::nullopt;
    // A datetime field exports "YYYY-MM-DD HH:MM"; the date is what cirrus keeps.
    if (text.size() > 10 && (text[10] == ' ' || text[10] == 'T')) text = text.substr(0, 10);
    auto d = core::ParseDate(text);
    if (!d) {
      Bad(name, Get(name), d.error().message);
      return std::nullopt;
    }
    return *d;
  }
  Date ReqDate(std::string_view name) {
    if (TrimBlanks(Get(name)).empty()) {
      Bad(name, "", "is required");
      return {};
    }
    return OptDate(name).value_or(Date{});
  }
  std::optional<int> OptInt(std::string_view name, std::optional<int> min = std::nullopt,
                            std::optional<int> max = std::nullopt) {
    const std::string_view text = TrimBlanks(Get(name));
    if (text.empty()) return std::nullopt;
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
      Bad(name, Get(name), "is not a whole number");
      return std::nullopt;
    }
    if ((min && value < *min) || (max && value > *max)) {
      Bad(name, Get(name),
          "is outside " + (min ? std::to_string(*min) : std::string()) + ".." +
              (max ? std::to_string(*max) : std::string()));
      return std::nullopt;
    }
    return value;
  }
  int ReqInt(std::string_view name, std::optional<int> min = std::nullopt, std::optional<int> max = std::nullopt) {
    if (TrimBlanks(Get(name)).empty()) {
      Bad(name, "", "is required");
      return 0;
    }
    return OptInt(name, min, max).value_or(0);
  }
  std::optional<double> OptNumber(std::string_view name) {
    const std::string_view text = TrimBlanks(Get(name));
    if (text.empty()) return std::nullopt;
    auto v = core::ParseNumber(text);
    if (!v) {
      Bad(name, Get(name), v.error().message);
      return std::nullopt;
    }
    return *v;
  }
  template <typename T, typename Parse>
  std::optional<T> OptCoded(std::string_view name, Parse parse) {
    const std::string_view text = TrimBlanks(Get(name));
    if (text.empty()) return std::nullopt;
    auto v = parse(text);
    if (!v) {
      Bad(name, Get(name), v.error().message);
      return std::nullopt;
    }
    return *v;
  }
  template <typename T, typename Parse>
  T ReqCoded(std::string_view name, Parse parse, T fallback) {
    if (TrimBlanks(Get(name)).empty()) {
      Bad(name, "", "is required");
      return fallback;
    }
    return OptCoded<T>(name, parse).value_or(fallback);
  }
  std::optional<bool> OptYesNo(std::string_view name) {
    const std::string_view text = TrimBlanks(Get(name));
    if (text.empty()) return std::nullopt;
    if (text == "1") return true;
    if (text == "0") return false;
    Bad(name, Get(name), "is not a REDCap yes/no value; expected 1 or 0");
    return std::nullopt;
  }

  const std::span<const std::string_view>& fields() const { return fields_; }
  std::uint32_t line() const { return line_; }

 private:
  Reading& r_;
  std::span<const std::string_view> fields_;
  std::uint32_t line_;
  bool ok_ = true;
};

Result<core::LabOperator> ParseOperatorCode(std::string_view text) {
  for (const auto& [op, code] : kOperatorCodes) {
    if (EqualsIgnoringCase(text, code)) return op;
  }
  if (EqualsIgnoringCase(text, "eq")) return core::LabOperator::kEqual;
  return core::ParseLabOperator(text);
}

// The labs of one form on one row.
void ReadLabs(Reading& r, RowReader& row, const std::string& record, const FormSpec& form) {
  for (const LabFieldSpec& spec : form.labs) {
    const std::string& name = r.dict.fields[spec.field].name;
    const std::string unit_col = name + "_unit";
    const std::string op_col = name + "_op";
    const std::string missing_col = name + "_missing";
    const std::string std_col = name + "_std";
    std::string_view value_text = TrimBlanks(row.Get(name));
    const bool companions_filled =
        spec.has_companions && (!row.Get(unit_col).empty() || !TrimBlanks(row.Get(op_col)).empty() ||
                                !TrimBlanks(row.Get(missing_col)).empty() || !TrimBlanks(row.Get(std_col)).empty());
    if (value_text.empty() && !companions_filled) continue;
    row.Reset();
    core::LabResult lab;
    lab.patient = record;
    lab.analyte = spec.analyte;
    lab.origin = row.origin();
    if (form.date_field.empty()) {
      row.Bad(name, row.Get(name), "has no date: its instrument has no date field (mark one with @CIRRUS-DATE)");
      continue;
    }
    if (TrimBlanks(row.Get(form.date_field)).empty()) {
      row.Bad(form.date_field, "", "is required: lab field " + name + " has a value on this row");
      continue;
    }
    lab.date = row.OptDate(form.date_field).value_or(Date{});
    if (!row.ok()) continue;
    std::string unit_text = spec.unit;
    if (spec.has_companions) {
      lab.unit_as_entered = row.Text(unit_col);
      if (!lab.unit_as_entered.empty()) unit_text = lab.unit_as_entered;
      if (auto op = row.OptCoded<core::LabOperator>(op_col, ParseOperatorCode)) lab.op = *op;
      lab.missing = row.OptCoded<core::MissingReason>(missing_col, core::ParseMissingReason);
    } else {
      lab.unit_as_entered = spec.unit;
      // A foreign field may hold "<0.5": the comparator is kept apart from the number.
      for (std::string_view symbol : {"<=", ">=", "<", ">"}) {
        if (value_text.starts_with(symbol)) {
          lab.op = *core::ParseLabOperator(symbol);
          value_text = TrimBlanks(value_text.substr(symbol.size()));
          break;
        }
      }
    }
    lab.value_as_entered = std::string(value_text);
    if (!row.ok()) continue;
    std::optional<double> entered;
    if (!value_text.empty()) {
      auto unit = core::FindUnit(spec.analyte, unit_text.empty() ? core::CanonicalUnit(spec.analyte).ucum : unit_text);
      if (!unit) {
        row.Bad(spec.has_companions && !lab.unit_as_entered.empty() ? unit_col : name,
                spec.has_companions && !lab.unit_as_entered.empty() ? lab.unit_as_entered : std::string(value_text),
                unit.error().message);
        continue;
      }
      auto number = core::ParseNumber(value_text);
      if (!number) {
        row.Bad(name, row.Get(name), number.error().message);
        continue;
      }
      auto canonical = core::ToCanonical(spec.analyte, core::Quantity{*number, *unit});
      if (!canonical) {
        row.Bad(name, row.Get(name), canonical.error().message);
        continue;
      }
      entered = *canonical;
    }
    std::optional<double> stored;
    if (spec.has_companions) stored = row.OptNumber(std_col);
    if (!row.ok()) continue;
    if (stored && entered && std::fabs(*stored - *entered) > 1e-9 * std::max(1.0, std::fabs(*stored))) {
      // 1e-9 relative: far above conversion residue (about 1e-15), far below any lab's precision.
      row.Bad(std_col, row.Get(std_col),
              "disagrees with " + name + " " + std::string(value_text) + " " + unit_text + " (" +
                  core::FormatNumber(*entered) + " in " + std::string(core::CanonicalUnit(spec.analyte).ucum) + ")");
      continue;
    }
    // The stored canonical number is exact; the converted one is the fallback.
    lab.value = stored ? stored : entered;
    if (lab.value && lab.missing) {
      row.Bad(missing_col, row.Get(missing_col), "is set but " + name + " has a value");
      continue;
    }
    if (!lab.value && !lab.missing) {
      row.Bad(name, "", "has neither a value nor a missing reason");
      continue;
    }
    r.out.batch.labs.push_back(std::move(lab));
  }
}

// A cirrus instrument is recognised only when the dictionary has all of its
// fields: a foreign project's own `visit_date` must not be read as cirrus's.
bool HasAll(const Dictionary& dict, std::initializer_list<std::string_view> fields) {
  return std::all_of(fields.begin(), fields.end(), [&dict](std::string_view f) { return dict.Find(f) != nullptr; });
}
const std::initializer_list<std::string_view> kEnrolmentFields = {
    "site_code",         "study",          "arm",           "sex", "birth_year", "aetiology", "cirrhosis_dx_date",
    "first_decomp_date", "enrolment_date", "patient_status"};
const std::initializer_list<std::string_view> kSiteFields = {"site_def_code", "site_def_name", "site_def_country"};

bool FormOnRow(const Dictionary& dict, std::string_view repeat_instrument, std::string_view field) {
  const DictField* f = dict.Find(field);
  if (f == nullptr) return false;
  return repeat_instrument.empty() || f->form == repeat_instrument;
}

void ReadRow(Reading& r, RowReader& row) {
  const Dictionary& dict = r.dict;
  const std::string record(TrimBlanks(row.Get(dict.record_id)));
  if (record.empty()) {
    row.Bad(dict.record_id, "", "is empty; the row is ignored");
    return;
  }
  const std::string_view instrument = TrimBlanks(row.Get(kRepeatInstrument));
  if (!instrument.empty() && !dict.form_names.contains(std::string(instrument))) {
    std::string known;
    for (const std::string& form : dict.form_names) known += (known.empty() ? "" : ", ") + form;
    row.Bad(kRepeatInstrument, instrument, "is not an instrument of the data dictionary (" + known + ")");
    return;
  }
  const std::string dag(TrimBlanks(row.Get(kDag)));
  // An instrument's record is on this row when the dictionary has all its
  // fields, the row is for its form (or is non-repeating) and fills any of them.
  auto on_row = [&](std::initializer_list<std::string_view> fields) {
    return HasAll(dict, fields) && FormOnRow(dict, instrument, *fields.begin()) && row.AnyFilled(fields);
  };
  auto finish = [&](auto& vec, auto&& value) {
    if (row.ok()) vec.push_back(std::forward<decltype(value)>(value));
    row.Reset();
  };
  core::RegistryBatch& b = r.out.batch;

  if (!dag.empty() && r.dag_set.insert(dag).second) r.dags_seen.push_back(dag);
  if (r.record_set.insert(record).second) r.records_seen.emplace_back(record, dag);

  // enrolment: any of its fields filled on a non-repeating row
  if (instrument.empty() && HasAll(dict, kEnrolmentFields)) {
    bool filled = row.AnyFilled({"site_code", "study", "arm", "sex", "birth_year", "cirrhosis_dx_date",
                                 "first_decomp_date", "enrolment_date", "patient_status"});
    auto boxes = r.layout.checkboxes_.find("aetiology");
    if (boxes != r.layout.checkboxes_.end()) {
      for (const auto& [code, col] : boxes->second) {
        if (col < row.fields().size() && !TrimBlanks(row.fields()[col]).empty()) filled = true;
      }
    }
    if (filled) {
      core::Patient p;
      p.code = record;
      p.site = row.Text("site_code");
      if (p.site.empty()) p.site = dag;
      p.study = row.Text("study");
      p.arm = row.Text("arm");
      p.sex = row.OptCoded<core::Sex>("sex", core::ParseSex);
      p.birth_year = row.OptInt("birth_year", 1850, 2200);
      if (boxes != r.layout.checkboxes_.end()) {
        for (const auto& [code, col] : boxes->second) {
          const std::string column = "aetiology___" + code;
          const std::string_view v = col < row.fields().size() ? TrimBlanks(row.fields()[col]) : std::string_view();
          if (v.empty() || v == "0") continue;
          if (v != "1") {
            row.Bad(column, v, "is not a REDCap checkbox value; expected 1 or 0");
            continue;
          }
          auto a = core::ParseAetiology(code);
          if (!a) {
            row.Bad(column, v, a.error().message);
            continue;
          }
          p.aetiologies.Add(*a);
        }
      }
      p.cirrhosis_diagnosis = row.OptDate("cirrhosis_dx_date");
      p.first_decompensation = row.OptDate("first_decomp_date");
      p.enrolment = row.OptDate("enrolment_date");
      p.status = row.OptCoded<core::PatientStatus>("patient_status", core::ParsePatientStatus)
                     .value_or(core::PatientStatus::kOnStudy);
      p.origin = row.origin();
      finish(b.patients, std::move(p));
    }
  }
  if (on_row({"infusion_number", "infusion_course", "infusion_date", "infusion_product", "infusion_source",
              "infusion_dose", "infusion_dose_unit", "infusion_route"})) {
    core::Infusion x;
    x.patient = record;
    x.number = row.ReqInt("infusion_number", 1);
    x.course = row.ReqInt("infusion_course", 1);
    x.date = row.ReqDate("infusion_date");
    x.product = row.ReqCoded("infusion_product", core::ParseCellProduct, core::CellProduct::kOther);
    x.source = row.ReqCoded("infusion_source", core::ParseCellSource, core::CellSource::kAutologous);
    x.dose = row.OptNumber("infusion_dose");
    x.dose_unit = row.ReqCoded("infusion_dose_unit", core::ParseDoseUnit, core::DoseUnit::kCellsPerKg);
    x.route = row.ReqCoded("infusion_route", core::ParseRoute, core::Route::kPeripheralVein);
    x.origin = row.origin();
    finish(b.infusions, std::move(x));
  }
  if (on_row({"procedure_kind", "procedure_date", "procedure_detail"})) {
    core::Procedure x;
    x.patient = record;
    x.kind = row.ReqCoded("procedure_kind", core::ParseProcedureKind, core::ProcedureKind::kOther);
    x.date = row.ReqDate("procedure_date");
    x.detail = row.Text("procedure_detail");
    x.origin = row.origin();
    finish(b.procedures, std::move(x));
  }
  if (on_row({"med_class", "med_name", "med_start", "med_end", "med_dose"})) {
    core::Medication x;
    x.patient = record;
    x.medication_class = row.ReqCoded("med_class", core::ParseMedicationClass, core::MedicationClass::kOther);
    x.name = row.Text("med_name");
    x.start = row.ReqDate("med_start");
    x.end = row.OptDate("med_end");
    x.dose = row.Text("med_dose");
    x.origin = row.origin();
    finish(b.medications, std::move(x));
  }
  if (on_row({"visit_date", "visit_code", "visit_status"})) {
    core::Visit x;
    x.patient = record;
    x.date = row.ReqDate("visit_date");
    x.code = row.Text("visit_code");
    x.status = row.ReqCoded("visit_status", core::ParseVisitStatus, core::VisitStatus::kCompleted);
    x.origin = row.origin();
    finish(b.visits, std::move(x));
  }
  if (on_row({"assess_date", "assess_ascites", "assess_he_grade", "assess_dialysis", "assess_varices",
              "assess_weight_kg", "assess_liver_volume_ml"})) {
    core::Assessment x;
    x.patient = record;
    x.date = row.ReqDate("assess_date");
    x.ascites = row.OptCoded<core::Ascites>("assess_ascites", core::ParseAscites);
    x.encephalopathy_grade = row.OptInt("assess_he_grade", 0, 4);
    if (auto d = row.OptYesNo("assess_dialysis")) x.dialysis = *d ? core::Dialysis::kDialysis : core::Dialysis::kNone;
    x.varices = row.OptCoded<core::Varices>("assess_varices", core::ParseVarices);
    x.weight_kg = row.OptNumber("assess_weight_kg");
    x.liver_volume_ml = row.OptNumber("assess_liver_volume_ml");
    x.origin = row.origin();
    finish(b.assessments, std::move(x));
  }
  if (on_row({"outcome_kind", "outcome_date", "outcome_death_cause", "outcome_decomp", "outcome_detail"})) {
    core::OutcomeEvent x;
    x.patient = record;
    x.kind = row.ReqCoded("outcome_kind", core::ParseOutcomeKind, core::OutcomeKind::kDeath);
    x.date = row.ReqDate("outcome_date");
    x.death_cause = row.OptCoded<core::DeathCause>("outcome_death_cause", core::ParseDeathCause);
    x.decompensation = row.OptCoded<core::DecompensationKind>("outcome_decomp", core::ParseDecompensationKind);
    x.detail = row.Text("outcome_detail");
    x.origin = row.origin();
    finish(b.events, std::move(x));
  }
  if (on_row(
          {"ae_term", "ae_onset", "ae_end", "ae_grade", "ae_serious", "ae_infusion", "ae_relatedness", "ae_outcome"})) {
    core::AdverseEvent x;
    x.patient = record;
    x.term = row.Text("ae_term");
    if (TrimBlanks(x.term).empty()) row.Bad("ae_term", "", "is required");
    x.onset = row.ReqDate("ae_onset");
    x.end = row.OptDate("ae_end");
    x.grade = row.ReqInt("ae_grade", 1, 5);
    if (TrimBlanks(row.Get("ae_serious")).empty()) {
      row.Bad("ae_serious", "", "is required");
    } else {
      x.serious = row.OptYesNo("ae_serious").value_or(false);
    }
    x.infusion = row.OptInt("ae_infusion", 1);
    x.relatedness = row.ReqCoded("ae_relatedness", core::ParseRelatedness, core::Relatedness::kNotRelated);
    x.outcome = row.ReqCoded("ae_outcome", core::ParseAeOutcome, core::AeOutcome::kUnknown);
    x.origin = row.origin();
    finish(b.adverse_events, std::move(x));
  }
  if (on_row({"site_def_code", "site_def_name", "site_def_country"})) {
    core::Site x;
    x.code = row.Text("site_def_code");
    if (TrimBlanks(x.code).empty()) row.Bad("site_def_code", "", "is required");
    x.name = row.Text("site_def_name");
    x.country = row.Text("site_def_country");
    x.origin = row.origin();
    finish(b.sites, std::move(x));
  }
  if (on_row({"study_def_code", "study_def_title", "study_def_registration"})) {
    core::Study x;
    x.code = row.Text("study_def_code");
    if (TrimBlanks(x.code).empty()) row.Bad("study_def_code", "", "is required");
    x.title = row.Text("study_def_title");
    x.registration = row.Text("study_def_registration");
    x.origin = row.origin();
    finish(b.studies, std::move(x));
  }
  if (on_row({"arm_def_study", "arm_def_code", "arm_def_name", "arm_def_product", "arm_def_route"})) {
    core::Arm x;
    x.study = row.Text("arm_def_study");
    x.code = row.Text("arm_def_code");
    if (TrimBlanks(x.code).empty()) row.Bad("arm_def_code", "", "is required");
    x.name = row.Text("arm_def_name");
    x.product = row.OptCoded<core::CellProduct>("arm_def_product", core::ParseCellProduct);
    x.route = row.OptCoded<core::Route>("arm_def_route", core::ParseRoute);
    x.origin = row.origin();
    finish(b.arms, std::move(x));
  }
  if (on_row({"sched_study", "sched_code", "sched_name", "sched_day", "sched_window_before", "sched_window_after",
              "sched_anchor"})) {
    core::ScheduledVisit x;
    x.study = row.Text("sched_study");
    x.code = row.Text("sched_code");
    if (TrimBlanks(x.code).empty()) row.Bad("sched_code", "", "is required");
    x.name = row.Text("sched_name");
    x.day = row.ReqInt("sched_day");
    x.window_before = row.ReqInt("sched_window_before", 0);
    x.window_after = row.ReqInt("sched_window_after", 0);
    x.anchor = row.ReqCoded("sched_anchor", core::ParseScheduleAnchor, core::ScheduleAnchor::kEnrolment);
    x.origin = row.origin();
    finish(b.schedule, std::move(x));
  }
  // Labs: every form on this row with @LOINC / @CIRRUS-ANALYTE fields.
  if (!instrument.empty()) {
    auto it = dict.forms.find(std::string(instrument));
    if (it != dict.forms.end()) ReadLabs(r, row, record, it->second);
  } else {
    for (const auto& [name, form] : dict.forms) ReadLabs(r, row, record, form);
  }
  row.Reset();
}

Status ReadRecords(std::string_view text, Reading& r, Layout& layout) {
  CsvReader reader(text, r.file);
  CIRRUS_ASSIGN_OR_RETURN(const bool has_header, reader.Next());
  if (!has_header) return Fail(ErrorCode::kInvalidArgument, r.file + ": the records file is empty", r.file);
  const auto header = reader.fields();
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name(TrimBlanks(header[i]));
    const std::size_t sep = name.find("___");
    if (sep != std::string::npos && !r.dict.by_name.contains(name)) {
      const DictField* f = r.dict.Find(name.substr(0, sep));
      if (f != nullptr && f->type == "checkbox") {
        layout.checkboxes_[f->name].emplace_back(name.substr(sep + 3), i);
        continue;
      }
    }
    if (layout.columns_.contains(name)) {
      r.problems.Add(r.file, static_cast<std::uint32_t>(reader.line()), name, "",
                     "the column appears twice; the second is ignored");
      continue;
    }
    layout.columns_.emplace(name, i);
  }
  if (!layout.Column(r.dict.record_id)) {
    return Fail(ErrorCode::kInvalidArgument,
                r.file + ": no column \"" + r.dict.record_id + "\", the dictionary's record-id field",
                r.dict.record_id);
  }
  std::vector<std::string> names;
  for (std::string_view name : header) names.emplace_back(TrimBlanks(name));
  while (true) {
    CIRRUS_ASSIGN_OR_RETURN(const bool more, reader.Next());
    if (!more) break;
    const auto line = static_cast<std::uint32_t>(reader.line());
    if (!NotUtf8(reader, r.file, names, r.problems)) continue;
    RowReader row(r, reader.fields(), line);
    ReadRow(r, row);
  }
  return {};
}

}  // namespace

std::span<const std::string_view> RedcapDictionaryHeaders() { return kDictionaryHeaders; }

namespace {
constexpr std::array<std::string_view, 2> kRedcapFiles = {"dictionary.csv", "records.csv"};
}  // namespace

std::span<const std::string_view> RedcapFileNames() { return kRedcapFiles; }

Status WriteRedcapProject(const core::RegistryBatch& batch, const std::string& directory) {
  const std::vector<FieldDef> dictionary = CirrusDictionary();
  const std::filesystem::path dir(directory);
  CIRRUS_ASSIGN_OR_RETURN(AtomicOutputFile dict_file, AtomicOutputFile::Create((dir / kRedcapFiles[0]).string()));
  CIRRUS_ASSIGN_OR_RETURN(AtomicOutputFile records_file, AtomicOutputFile::Create((dir / kRedcapFiles[1]).string()));
  CIRRUS_RETURN_IF_ERROR(dict_file.Write(DictionaryText(dictionary)));
  CIRRUS_RETURN_IF_ERROR(records_file.Write(RecordsText(batch, dictionary)));
  CIRRUS_RETURN_IF_ERROR(dict_file.Commit());
  return records_file.Commit();
}

Result<RedcapRead> ReadRedcapProject(std::span<const std::string> paths, std::size_t max_problems) {
  std::string dictionary_path;
  std::string records_path;
  if (paths.size() == 1) {
    std::error_code ec;
    if (!std::filesystem::is_directory(paths[0], ec)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "ReadRedcapProject: " + paths[0] + " is not a directory; give a directory or the two files", "paths");
    }
    dictionary_path = (std::filesystem::path(paths[0]) / "dictionary.csv").string();
    records_path = (std::filesystem::path(paths[0]) / "records.csv").string();
  } else if (paths.size() == 2) {
    dictionary_path = paths[0];
    records_path = paths[1];
  } else {
    return Fail(
        ErrorCode::kInvalidArgument,
        "ReadRedcapProject: expected one directory or two files, got " + std::to_string(paths.size()) + " paths",
        "paths");
  }
  CIRRUS_ASSIGN_OR_RETURN(std::string dictionary_text, ReadFile(dictionary_path));
  CIRRUS_ASSIGN_OR_RETURN(std::string records_text, ReadFile(records_path));
  // Two files in either order: the dictionary is the one with the 18 headers.
  auto looks_like_dictionary = [](std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    if (text.starts_with('"')) text.remove_prefix(1);
    return text.starts_with(kDictionaryHeaders[0]) || text.starts_with(kDictionaryApiKeys[0]);
  };
  if (paths.size() == 2 && !looks_like_dictionary(dictionary_text) && looks_like_dictionary(records_text)) {
    std::swap(dictionary_text, records_text);
    std::swap(dictionary_path, records_path);
  }

  RedcapRead out;
  Problems problems(out, max_problems);
  out.batch.sources = {dictionary_path, records_path};
  CIRRUS_ASSIGN_OR_RETURN(const Dictionary dict, ParseDictionary(dictionary_text, dictionary_path, problems));
  if (dict.record_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument, dictionary_path + ": the data dictionary has no fields", dictionary_path);
  }
  Layout layout;
  Reading reading{dict, layout, records_path, problems, out, 1, {}, {}, {}, {}};
  CIRRUS_RETURN_IF_ERROR(ReadRecords(records_text, reading, layout));

  // A foreign project without cirrus's enrolment instrument: each record is a
  // patient at its data access group, and each group a site.
  if (!HasAll(dict, kEnrolmentFields)) {
    for (const auto& [record, dag] : reading.records_seen) {
      core::Patient p;
      p.code = record;
      p.site = dag;
      out.batch.patients.push_back(std::move(p));
    }
  }
  if (!HasAll(dict, kSiteFields)) {
    for (const std::string& dag : reading.dags_seen) {
      core::Site s;
      s.code = dag;
      out.batch.sites.push_back(std::move(s));
    }
  }
  internal::DropDuplicateKeys(out, max_problems, internal::OriginLine::kFileLine);
  return out;
}

}  // namespace cirrus::io
