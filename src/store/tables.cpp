#include "internal/tables.hpp"

#include <charconv>
#include <string>

#include "cirrus/base/check.hpp"

namespace cirrus::store::internal {
namespace {

constexpr ColumnType T = ColumnType::kText;
constexpr ColumnType I = ColumnType::kInt;
constexpr ColumnType R = ColumnType::kReal;

constexpr std::array<ColumnSpec, 3> kSiteColumns = {{{"code", T}, {"name", T}, {"country", T}}};
constexpr std::array<ColumnSpec, 3> kStudyColumns = {{{"code", T}, {"title", T}, {"registration", T}}};
constexpr std::array<ColumnSpec, 5> kArmColumns = {
    {{"study", T}, {"code", T}, {"name", T}, {"product", T}, {"route", T}}};
constexpr std::array<ColumnSpec, 7> kScheduleColumns = {
    {{"study", T}, {"code", T}, {"name", T}, {"day", I}, {"window_before", I}, {"window_after", I}, {"anchor", T}}};
constexpr std::array<ColumnSpec, 11> kPatientColumns = {{{"code", T},
                                                         {"site", T},
                                                         {"study", T},
                                                         {"arm", T},
                                                         {"sex", T},
                                                         {"birth_year", I},
                                                         {"aetiology", T},
                                                         {"cirrhosis_diagnosis", T},
                                                         {"first_decompensation", T},
                                                         {"enrolment", T},
                                                         {"status", T}}};
constexpr std::array<ColumnSpec, 9> kInfusionColumns = {{{"patient", T},
                                                         {"number", I},
                                                         {"course", I},
                                                         {"date", T},
                                                         {"product", T},
                                                         {"source", T},
                                                         {"dose", R},
                                                         {"dose_unit", T},
                                                         {"route", T}}};
constexpr std::array<ColumnSpec, 4> kProcedureColumns = {{{"patient", T}, {"kind", T}, {"date", T}, {"detail", T}}};
constexpr std::array<ColumnSpec, 6> kMedicationColumns = {
    {{"patient", T}, {"class", T}, {"name", T}, {"start_date", T}, {"end_date", T}, {"dose", T}}};
constexpr std::array<ColumnSpec, 4> kVisitColumns = {{{"patient", T}, {"date", T}, {"code", T}, {"status", T}}};
constexpr std::array<ColumnSpec, 10> kLabColumns = {{{"patient", T},
                                                     {"date", T},
                                                     {"analyte", T},
                                                     {"value_as_entered", T},
                                                     {"unit_as_entered", T},
                                                     {"value", R},
                                                     {"unit", T},
                                                     {"loinc", T},
                                                     {"comparator", T},
                                                     {"missing_reason", T}}};
constexpr std::array<ColumnSpec, 8> kAssessmentColumns = {{{"patient", T},
                                                           {"date", T},
                                                           {"ascites", T},
                                                           {"encephalopathy_grade", I},
                                                           {"dialysis", T},
                                                           {"varices", T},
                                                           {"weight_kg", R},
                                                           {"liver_volume_ml", R}}};
constexpr std::array<ColumnSpec, 6> kEventColumns = {
    {{"patient", T}, {"kind", T}, {"date", T}, {"death_cause", T}, {"decompensation", T}, {"detail", T}}};
constexpr std::array<ColumnSpec, 9> kAdverseEventColumns = {{{"patient", T},
                                                             {"term", T},
                                                             {"onset", T},
                                                             {"end_date", T},
                                                             {"grade", I},
                                                             {"serious", I},
                                                             {"infusion", I},
                                                             {"relatedness", T},
                                                             {"outcome", T}}};
constexpr std::array<ColumnSpec, 6> kDerivedScoreColumns = {
    {{"patient", T}, {"date", T}, {"score", T}, {"value", R}, {"class", T}, {"version", T}}};

// Patient-scoped tables list `site` after the record's own columns.
template <std::size_t N>
constexpr std::array<ColumnSpec, N + 1> WithSite(const std::array<ColumnSpec, N>& columns) {
  std::array<ColumnSpec, N + 1> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = columns[i];
  out[N] = ColumnSpec{"site", T};
  return out;
}

constexpr auto kInfusionTableColumns = WithSite(kInfusionColumns);
constexpr auto kProcedureTableColumns = WithSite(kProcedureColumns);
constexpr auto kMedicationTableColumns = WithSite(kMedicationColumns);
constexpr auto kVisitTableColumns = WithSite(kVisitColumns);
constexpr auto kLabTableColumns = WithSite(kLabColumns);
constexpr auto kAssessmentTableColumns = WithSite(kAssessmentColumns);
constexpr auto kEventTableColumns = WithSite(kEventColumns);
constexpr auto kAdverseEventTableColumns = WithSite(kAdverseEventColumns);
constexpr auto kDerivedScoreTableColumns = WithSite(kDerivedScoreColumns);

template <std::size_t N>
TableSpec PatientTable(std::string_view table, std::string_view entity, const std::array<ColumnSpec, N>& columns,
                       std::size_t key_count) {
  return TableSpec{table, entity, columns, key_count, 0, static_cast<int>(N) - 1};
}

Unexpected<Error> Corrupt(const RowView& row, int column, const Error& why) {
  return Fail(ErrorCode::kDataLoss,
              "stored value \"" + std::string(row.Text(column)) + "\" cannot be read back: " + why.message);
}

// Reads column `column` into `out` with `parse`, turning parse errors into kDataLoss.
template <typename T, typename Parse>
Status ReadCode(const RowView& row, int column, T& out, Parse parse) {
  auto parsed = parse(row.Text(column));
  if (!parsed) return Corrupt(row, column, parsed.error());
  out = *parsed;
  return {};
}
template <typename T, typename Parse>
Status ReadOptionalCode(const RowView& row, int column, std::optional<T>& out, Parse parse) {
  if (row.IsNull(column)) {
    out.reset();
    return {};
  }
  T value{};
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, column, value, parse));
  out = value;
  return {};
}
Status ReadDate(const RowView& row, int column, core::Date& out) { return ReadCode(row, column, out, core::ParseDate); }
Status ReadOptionalDate(const RowView& row, int column, std::optional<core::Date>& out) {
  return ReadOptionalCode(row, column, out, core::ParseDate);
}
std::optional<int> OptionalInt(const RowView& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return static_cast<int>(row.Int(column));
}

}  // namespace

void Cells::Own(std::string text) {
  CIRRUS_ASSERT(owned_used_ < owned_.size(), "more owned cells than columns");
  std::string& slot = owned_[owned_used_++];
  slot = std::move(text);
  values_.emplace_back(std::string_view(slot));
}

void Cells::Date(core::Date date) { Own(core::FormatDate(date)); }

const TableSpec& SitesTable() {
  static const TableSpec spec{"sites", "site", kSiteColumns, 1, -1, 0};
  return spec;
}
const TableSpec& StudiesTable() {
  static const TableSpec spec{"studies", "study", kStudyColumns, 1, -1, -1};
  return spec;
}
const TableSpec& ArmsTable() {
  static const TableSpec spec{"arms", "arm", kArmColumns, 2, -1, -1};
  return spec;
}
const TableSpec& ScheduleTable() {
  static const TableSpec spec{"schedule", "scheduled visit", kScheduleColumns, 2, -1, -1};
  return spec;
}
const TableSpec& PatientsTable() {
  static const TableSpec spec{"patients", "patient", kPatientColumns, 1, 0, 1};
  return spec;
}
const TableSpec& InfusionsTable() {
  static const TableSpec spec = PatientTable("infusions", "infusion", kInfusionTableColumns, 2);
  return spec;
}
const TableSpec& ProceduresTable() {
  static const TableSpec spec = PatientTable("procedures", "procedure", kProcedureTableColumns, 3);
  return spec;
}
const TableSpec& MedicationsTable() {
  static const TableSpec spec = PatientTable("medications", "medication", kMedicationTableColumns, 4);
  return spec;
}
const TableSpec& VisitsTable() {
  static const TableSpec spec = PatientTable("visits", "visit", kVisitTableColumns, 2);
  return spec;
}
const TableSpec& LabsTable() {
  static const TableSpec spec = PatientTable("labs", "lab", kLabTableColumns, 3);
  return spec;
}
const TableSpec& AssessmentsTable() {
  static const TableSpec spec = PatientTable("assessments", "assessment", kAssessmentTableColumns, 2);
  return spec;
}
const TableSpec& EventsTable() {
  static const TableSpec spec = PatientTable("events", "event", kEventTableColumns, 3);
  return spec;
}
const TableSpec& AdverseEventsTable() {
  static const TableSpec spec = PatientTable("adverse_events", "adverse event", kAdverseEventTableColumns, 3);
  return spec;
}
const TableSpec& DerivedScoresTable() {
  static const TableSpec spec = PatientTable("derived_scores", "derived score", kDerivedScoreTableColumns, 3);
  return spec;
}

std::span<const TableSpec* const> ImportedTables() {
  static const std::array<const TableSpec*, 13> tables = {
      &SitesTable(),       &StudiesTable(),    &ArmsTable(),         &ScheduleTable(), &PatientsTable(),
      &InfusionsTable(),   &ProceduresTable(), &MedicationsTable(),  &VisitsTable(),   &LabsTable(),
      &AssessmentsTable(), &EventsTable(),     &AdverseEventsTable()};
  return tables;
}

void ReadStored(const RowView& row, const TableSpec& spec, std::vector<StoredValue>& out) {
  out.resize(spec.columns.size());
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const int column = static_cast<int>(i);
    if (row.IsNull(column)) {
      out[i] = std::monostate{};
    } else if (spec.columns[i].type == ColumnType::kInt) {
      out[i] = row.Int(column);
    } else if (spec.columns[i].type == ColumnType::kReal) {
      out[i] = row.Real(column);
    } else {
      out[i] = std::string(row.Text(column));
    }
  }
}

SqlValue View(const StoredValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* text = std::get_if<std::string>(&value)) return std::string_view(*text);
  return std::monostate{};
}

StoredValue Owned(const SqlValue& value) {
  if (const auto* text = std::get_if<std::string_view>(&value)) return std::string(*text);
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return *integer;
  if (const auto* real = std::get_if<double>(&value)) return *real;
  return std::monostate{};
}

std::string KeyWhere(const TableSpec& spec, std::size_t first) {
  std::string where = "WHERE ";
  for (std::size_t i = 0; i < spec.key_count; ++i) {
    if (i > 0) where += " AND ";
    where += std::string(spec.columns[i].name) + " = $" + std::to_string(first + i);
  }
  return where;
}

std::string AetiologyText(core::AetiologySet set) {
  std::string out;
  for (int i = 0; i <= static_cast<int>(core::Aetiology::kOther); ++i) {
    const auto aetiology = static_cast<core::Aetiology>(i);
    if (!set.Contains(aetiology)) continue;
    if (!out.empty()) out += ';';
    out += core::Name(aetiology);
  }
  return out;
}

std::string SelectColumns(const TableSpec& spec) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += spec.columns[i].name;
  }
  sql += " FROM ";
  sql += spec.table;
  return sql;
}

// ---- records to cells -------------------------------------------------------

void ToCells(const core::Site& r, Cells& c) {
  c.Text(r.code);
  c.Text(r.name);
  c.Text(r.country);
}
void ToCells(const core::Study& r, Cells& c) {
  c.Text(r.code);
  c.Text(r.title);
  c.Text(r.registration);
}
void ToCells(const core::Arm& r, Cells& c) {
  c.Text(r.study);
  c.Text(r.code);
  c.Text(r.name);
  c.Optional(r.product);
  c.Optional(r.route);
}
void ToCells(const core::ScheduledVisit& r, Cells& c) {
  c.Text(r.study);
  c.Text(r.code);
  c.Text(r.name);
  c.Int(r.day);
  c.Int(r.window_before);
  c.Int(r.window_after);
  c.Text(core::Code(r.anchor));
}
void ToCells(const core::Patient& r, Cells& c) {
  c.Text(r.code);
  c.Text(r.site);
  c.Text(r.study);
  if (r.arm.empty()) {
    c.Null();
  } else {
    c.Text(r.arm);
  }
  if (r.sex) {
    c.Text(core::Name(*r.sex));
  } else {
    c.Null();
  }
  c.Optional(r.birth_year);
  c.Own(AetiologyText(r.aetiologies));
  c.Optional(r.cirrhosis_diagnosis);
  c.Optional(r.first_decompensation);
  c.Optional(r.enrolment);
  c.Text(core::Code(r.status));
}
void ToCells(const core::Infusion& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Int(r.number);
  c.Int(r.course);
  c.Date(r.date);
  c.Text(core::Code(r.product));
  c.Text(core::Code(r.source));
  c.Optional(r.dose);
  c.Text(core::Code(r.dose_unit));
  c.Text(core::Code(r.route));
  c.Text(site);
}
void ToCells(const core::Procedure& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Text(core::Code(r.kind));
  c.Date(r.date);
  c.Text(r.detail);
  c.Text(site);
}
void ToCells(const core::Medication& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Text(core::Code(r.medication_class));
  c.Text(r.name);
  c.Date(r.start);
  c.Optional(r.end);
  c.Text(r.dose);
  c.Text(site);
}
void ToCells(const core::Visit& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Date(r.date);
  c.Text(r.code);
  c.Text(core::Code(r.status));
  c.Text(site);
}
void ToCells(const core::LabResult& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Date(r.date);
  c.Text(core::Code(r.analyte));
  c.Text(r.value_as_entered);
  c.Text(r.unit_as_entered);
  c.Optional(r.value);
  c.Text(core::CanonicalUnit(r.analyte).ucum);
  c.Text(core::Info(r.analyte).loinc);
  c.Text(core::Code(r.op));
  c.Optional(r.missing);
  c.Text(site);
}
void ToCells(const core::Assessment& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Date(r.date);
  if (r.ascites) {
    c.Text(core::Name(*r.ascites));
  } else {
    c.Null();
  }
  c.Optional(r.encephalopathy_grade);
  if (r.dialysis) {
    c.Text(core::Name(*r.dialysis));
  } else {
    c.Null();
  }
  c.Optional(r.varices);
  c.Optional(r.weight_kg);
  c.Optional(r.liver_volume_ml);
  c.Text(site);
}
void ToCells(const core::OutcomeEvent& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Text(core::Code(r.kind));
  c.Date(r.date);
  c.Optional(r.death_cause);
  c.Optional(r.decompensation);
  c.Text(r.detail);
  c.Text(site);
}
void ToCells(const core::AdverseEvent& r, std::string_view site, Cells& c) {
  c.Text(r.patient);
  c.Text(r.term);
  c.Date(r.onset);
  c.Optional(r.end);
  c.Int(r.grade);
  c.Int(r.serious ? 1 : 0);
  c.Optional(r.infusion);
  c.Text(core::Code(r.relatedness));
  c.Text(core::Code(r.outcome));
  c.Text(site);
}

// ---- rows to records --------------------------------------------------------

Status FromRow(const RowView& row, core::Site& r) {
  r.code = row.Text(0);
  r.name = row.Text(1);
  r.country = row.Text(2);
  return {};
}
Status FromRow(const RowView& row, core::Study& r) {
  r.code = row.Text(0);
  r.title = row.Text(1);
  r.registration = row.Text(2);
  return {};
}
Status FromRow(const RowView& row, core::Arm& r) {
  r.study = row.Text(0);
  r.code = row.Text(1);
  r.name = row.Text(2);
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 3, r.product, core::ParseCellProduct));
  return ReadOptionalCode(row, 4, r.route, core::ParseRoute);
}
Status FromRow(const RowView& row, core::ScheduledVisit& r) {
  r.study = row.Text(0);
  r.code = row.Text(1);
  r.name = row.Text(2);
  r.day = static_cast<int>(row.Int(3));
  r.window_before = static_cast<int>(row.Int(4));
  r.window_after = static_cast<int>(row.Int(5));
  return ReadCode(row, 6, r.anchor, core::ParseScheduleAnchor);
}
Status FromRow(const RowView& row, core::Patient& r) {
  r.code = row.Text(0);
  r.site = row.Text(1);
  r.study = row.Text(2);
  r.arm = row.IsNull(3) ? std::string() : std::string(row.Text(3));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 4, r.sex, core::ParseSex));
  r.birth_year = OptionalInt(row, 5);
  if (row.Text(6).empty()) {
    r.aetiologies = {};
  } else {
    CIRRUS_RETURN_IF_ERROR(ReadCode(row, 6, r.aetiologies, core::ParseAetiologies));
  }
  CIRRUS_RETURN_IF_ERROR(ReadOptionalDate(row, 7, r.cirrhosis_diagnosis));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalDate(row, 8, r.first_decompensation));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalDate(row, 9, r.enrolment));
  return ReadCode(row, 10, r.status, core::ParsePatientStatus);
}
Status FromRow(const RowView& row, core::Infusion& r) {
  r.patient = row.Text(0);
  r.number = static_cast<int>(row.Int(1));
  r.course = static_cast<int>(row.Int(2));
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 3, r.date));
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 4, r.product, core::ParseCellProduct));
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 5, r.source, core::ParseCellSource));
  r.dose = row.OptionalReal(6);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 7, r.dose_unit, core::ParseDoseUnit));
  return ReadCode(row, 8, r.route, core::ParseRoute);
}
Status FromRow(const RowView& row, core::Procedure& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 1, r.kind, core::ParseProcedureKind));
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 2, r.date));
  r.detail = row.Text(3);
  return {};
}
Status FromRow(const RowView& row, core::Medication& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 1, r.medication_class, core::ParseMedicationClass));
  r.name = row.Text(2);
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 3, r.start));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalDate(row, 4, r.end));
  r.dose = row.Text(5);
  return {};
}
Status FromRow(const RowView& row, core::Visit& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 1, r.date));
  r.code = row.Text(2);
  return ReadCode(row, 3, r.status, core::ParseVisitStatus);
}
Status FromRow(const RowView& row, core::LabResult& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 1, r.date));
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 2, r.analyte, core::ParseAnalyte));
  r.value_as_entered = row.Text(3);
  r.unit_as_entered = row.Text(4);
  r.value = row.OptionalReal(5);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 8, r.op, core::ParseLabOperator));
  return ReadOptionalCode(row, 9, r.missing, core::ParseMissingReason);
}
Status FromRow(const RowView& row, core::Assessment& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 1, r.date));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 2, r.ascites, core::ParseAscites));
  r.encephalopathy_grade = OptionalInt(row, 3);
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 4, r.dialysis, core::ParseDialysis));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 5, r.varices, core::ParseVarices));
  r.weight_kg = row.OptionalReal(6);
  r.liver_volume_ml = row.OptionalReal(7);
  return {};
}
Status FromRow(const RowView& row, core::OutcomeEvent& r) {
  r.patient = row.Text(0);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 1, r.kind, core::ParseOutcomeKind));
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 2, r.date));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 3, r.death_cause, core::ParseDeathCause));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalCode(row, 4, r.decompensation, core::ParseDecompensationKind));
  r.detail = row.Text(5);
  return {};
}
Status FromRow(const RowView& row, core::AdverseEvent& r) {
  r.patient = row.Text(0);
  r.term = row.Text(1);
  CIRRUS_RETURN_IF_ERROR(ReadDate(row, 2, r.onset));
  CIRRUS_RETURN_IF_ERROR(ReadOptionalDate(row, 3, r.end));
  r.grade = static_cast<int>(row.Int(4));
  r.serious = row.Int(5) != 0;
  r.infusion = OptionalInt(row, 6);
  CIRRUS_RETURN_IF_ERROR(ReadCode(row, 7, r.relatedness, core::ParseRelatedness));
  return ReadCode(row, 8, r.outcome, core::ParseAeOutcome);
}

}  // namespace cirrus::store::internal
