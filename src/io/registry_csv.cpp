#include "cirrus/io/registry_csv.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>

#include "cirrus/base/text.hpp"
#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"
#include "internal/registry_checks.hpp"

namespace cirrus::io {
namespace {

using core::Date;
using core::RecordProblem;

// ---- problems ---------------------------------------------------------------

class Problems {
 public:
  Problems(RegistryRead& read, std::size_t max) : read_(read), max_(max) {}
  void Add(const std::string& file, std::size_t line, std::string_view column, std::string_view value,
           std::string reason) {
    ++read_.problem_count;
    ++count_;
    if (read_.problems.size() >= max_) return;
    read_.problems.push_back(RecordProblem{file, static_cast<std::uint32_t>(line), std::string(column),
                                           std::string(value), std::move(reason)});
  }
  [[nodiscard]] std::size_t count() const { return count_; }

 private:
  RegistryRead& read_;
  std::size_t max_;
  std::size_t count_ = 0;
};

// ---- records of one file ----------------------------------------------------

// The records of one file, with every fault that stops a record (a broken
// quote, bytes that are not UTF-8) reported and skipped. After a broken quote
// the CsvReader cannot go on, so reading resumes on the line after the one the
// fault was reported on, with a fresh reader.
class RecordStream {
 public:
  RecordStream(std::string_view text, const std::string& file, Problems& problems)
      : text_(text), file_(file), problems_(problems), reader_(std::make_unique<CsvReader>(text, file)) {}

  bool Next() {
    while (true) {
      auto more = reader_->Next();
      if (!more) {
        if (!Resume(more.error())) return false;
        continue;
      }
      if (!*more) return false;
      const std::string_view record = reader_->record_text();
      resume_offset_ = static_cast<std::size_t>(record.data() - text_.data()) + record.size();
      resume_line_ = reader_->line() + static_cast<std::size_t>(std::count(record.begin(), record.end(), '\n'));
      if (!internal::IsValidUtf8(record)) {
        problems_.Add(file_, reader_->line(), "", "", "not UTF-8; save the file as UTF-8");
        continue;
      }
      return true;
    }
  }
  [[nodiscard]] std::span<const std::string_view> fields() const { return reader_->fields(); }
  [[nodiscard]] std::size_t line() const { return reader_->line(); }

 private:
  // The reader's message is "<file>:<line>: <reason>".
  bool Resume(const Error& error) {
    std::string_view message = error.message;
    std::size_t line = 0;
    if (message.substr(0, file_.size() + 1) == file_ + ":") {
      message.remove_prefix(file_.size() + 1);
      const auto [ptr, ec] = std::from_chars(message.data(), message.data() + message.size(), line);
      if (ec == std::errc()) message.remove_prefix(static_cast<std::size_t>(ptr - message.data()));
      if (message.substr(0, 2) == ": ") message.remove_prefix(2);
    }
    problems_.Add(file_, line, "", "", std::string(message));
    if (line < resume_line_) return false;  // cannot happen; never loop
    // Find the start of line + 1, counting from the end of the last good record.
    std::size_t offset = resume_offset_;
    std::size_t at_line = resume_line_;
    while (at_line <= line && offset < text_.size()) {
      const void* newline = std::memchr(text_.data() + offset, '\n', text_.size() - offset);
      if (newline == nullptr) {
        offset = text_.size();
        break;
      }
      offset = static_cast<std::size_t>(static_cast<const char*>(newline) - text_.data()) + 1;
      ++at_line;
    }
    resume_offset_ = offset;
    resume_line_ = line + 1;
    reader_ = std::make_unique<CsvReader>(text_.substr(offset), file_, line + 1);
    return true;
  }

  std::string_view text_;
  const std::string& file_;
  Problems& problems_;
  std::unique_ptr<CsvReader> reader_;
  std::size_t resume_offset_ = 0;  // just after the last good record
  std::size_t resume_line_ = 1;    // the line resume_offset_ is on
};

// ---- columns and rows ---------------------------------------------------------

enum class Need : std::uint8_t { kRequired, kOptional };

struct ColumnDef {
  std::string_view name;
  Need need;
};

constexpr Need kReq = Need::kRequired;
constexpr Need kOpt = Need::kOptional;

// One data row of a file, with its cells by column id (the position in the
// table's column list) and the problems found in it so far.
class Row {
 public:
  Row(const std::string& file, std::span<const ColumnDef> columns, Problems& problems)
      : file_(file), columns_(columns), problems_(problems) {}

  void Start(std::span<const std::string_view> fields, std::span<const int> field_of_column, std::size_t line) {
    fields_ = fields;
    field_of_column_ = field_of_column;
    line_ = line;
    ok_ = true;
  }
  [[nodiscard]] std::string_view Raw(int column) const {
    const int field = field_of_column_[static_cast<std::size_t>(column)];
    // Every cell as it was before the export neutralised it (csv.hpp).
    return field < 0 ? std::string_view{} : RestoreCsvExportField(fields_[static_cast<std::size_t>(field)]);
  }
  [[nodiscard]] std::string_view Cell(int column) const { return TrimBlanks(Raw(column)); }
  [[nodiscard]] std::string_view Name(int column) const { return columns_[static_cast<std::size_t>(column)].name; }
  void Bad(int column, std::string reason) {
    ok_ = false;
    problems_.Add(file_, line_, Name(column), Raw(column), std::move(reason));
  }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::size_t line() const { return line_; }

 private:
  const std::string& file_;
  std::span<const ColumnDef> columns_;
  Problems& problems_;
  std::span<const std::string_view> fields_;
  std::span<const int> field_of_column_;
  std::size_t line_ = 0;
  bool ok_ = true;
};

// A key or other required text: trimmed, not empty.
std::string RequiredText(Row& row, int column) {
  const std::string_view cell = row.Cell(column);
  if (cell.empty()) row.Bad(column, std::string(row.Name(column)) + " is required");
  return std::string(cell);
}

// Free text, kept exactly as written.
std::string Text(const Row& row, int column) { return std::string(row.Raw(column)); }

template <typename T>
void Coded(Row& row, int column, Result<T> (*parse)(std::string_view), T& out, Need need) {
  const std::string_view cell = row.Cell(column);
  if (cell.empty()) {
    if (need == Need::kRequired) row.Bad(column, std::string(row.Name(column)) + " is required");
    return;
  }
  auto parsed = parse(cell);
  if (!parsed) {
    row.Bad(column, parsed.error().message);
    return;
  }
  out = *parsed;
}

template <typename T>
void OptionalCoded(Row& row, int column, Result<T> (*parse)(std::string_view), std::optional<T>& out) {
  const std::string_view cell = row.Cell(column);
  if (cell.empty()) return;
  auto parsed = parse(cell);
  if (!parsed) {
    row.Bad(column, parsed.error().message);
    return;
  }
  out = *parsed;
}

void DateCell(Row& row, int column, Date& out) { Coded(row, column, &core::ParseDate, out, Need::kRequired); }
void OptionalDate(Row& row, int column, std::optional<Date>& out) { OptionalCoded(row, column, &core::ParseDate, out); }

// A whole number in [low, high]; an empty cell leaves `out` as it is. True
// when `out` was set.
bool Int(Row& row, int column, int low, int high, Need need, int& out) {
  const std::string_view cell = row.Cell(column);
  if (cell.empty()) {
    if (need == Need::kRequired) row.Bad(column, std::string(row.Name(column)) + " is required");
    return false;
  }
  int value = 0;
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (ec != std::errc() || ptr != cell.data() + cell.size() || value < low || value > high) {
    row.Bad(column, std::string(row.Name(column)) + " \"" + std::string(cell) + "\" is not a whole number from " +
                        std::to_string(low) + " to " + std::to_string(high));
    return false;
  }
  out = value;
  return true;
}

void OptionalInt(Row& row, int column, int low, int high, std::optional<int>& out) {
  int value = 0;
  if (Int(row, column, low, high, Need::kOptional, value)) out = value;
}

// A number greater than zero (amounts: dose, weight, volume).
void OptionalPositive(Row& row, int column, std::string_view unit, std::optional<double>& out) {
  const std::string_view cell = row.Cell(column);
  if (cell.empty()) return;
  auto number = core::ParseNumber(cell);
  if (!number || *number <= 0) {
    row.Bad(column, std::string(row.Name(column)) + " \"" + std::string(cell) + "\" is not a positive number of " +
                        std::string(unit));
    return;
  }
  out = *number;
}

Result<bool> ParseYesNo(std::string_view text) {
  for (std::string_view yes : {"yes", "y", "true", "1"}) {
    if (EqualsIgnoringCase(text, yes)) return true;
  }
  for (std::string_view no : {"no", "n", "false", "0"}) {
    if (EqualsIgnoringCase(text, no)) return false;
  }
  return Fail(ErrorCode::kInvalidArgument,
              "serious \"" + std::string(text) + "\" is not recognised; expected yes or no", "serious");
}

Result<std::string> ParseCountry(std::string_view text) {
  if (text.size() != 2 || !std::isalpha(static_cast<unsigned char>(text[0])) ||
      !std::isalpha(static_cast<unsigned char>(text[1]))) {
    return Fail(ErrorCode::kInvalidArgument,
                "country \"" + std::string(text) + "\" is not an ISO 3166-1 alpha-2 code such as FR or CN", "country");
  }
  std::string code(text);
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return code;
}

void EndNotBefore(Row& row, int column, Date start, const std::optional<Date>& end, std::string_view start_name) {
  if (end.has_value() && *end < start) {
    row.Bad(column, std::string(row.Name(column)) + " " + core::FormatDate(*end) + " is before " +
                        std::string(start_name) + " " + core::FormatDate(start));
  }
}

// ---- writing ------------------------------------------------------------------

class Line {
 public:
  explicit Line(std::string& out) : out_(out) {}
  ~Line() { out_.push_back('\n'); }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& Text(std::string_view text) {
    Separate();
    AppendCsvExportField(out_, text);
    return *this;
  }
  Line& Number(double value) {
    Separate();
    std::array<char, 32> buffer{};
    const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out_.append(buffer.data(), ec == std::errc() ? static_cast<std::size_t>(ptr - buffer.data()) : 0);
    return *this;
  }
  Line& Number(const std::optional<double>& value) {
    if (value.has_value()) return Number(*value);
    return Text("");
  }
  Line& Whole(int value) {
    Separate();
    std::array<char, 16> buffer{};
    const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out_.append(buffer.data(), ec == std::errc() ? static_cast<std::size_t>(ptr - buffer.data()) : 0);
    return *this;
  }
  Line& Whole(const std::optional<int>& value) {
    if (value.has_value()) return Whole(*value);
    return Text("");
  }
  Line& When(Date date) { return Text(core::FormatDate(date)); }
  Line& When(const std::optional<Date>& date) { return date.has_value() ? When(*date) : Text(""); }
  template <typename E>
  Line& Coded(const std::optional<E>& value) {
    return value.has_value() ? Text(core::Code(*value)) : Text("");
  }

 private:
  void Separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

// ---- the tables -----------------------------------------------------------------
// Each table: its file name, columns (id = position), record type, the batch
// member, how a row is parsed and written, and its natural key.

struct SiteTable {
  static constexpr std::string_view kFile = "sites.csv";
  static constexpr int kSite = 0, kName = 1, kCountry = 2;
  static constexpr std::array<ColumnDef, 3> kColumns = {{{"site", kReq}, {"name", kOpt}, {"country", kOpt}}};
  static constexpr std::string_view kKeyColumns = "site";
  using Record = core::Site;
  static auto& Of(auto& batch) { return batch.sites; }
  static auto Key(const Record& r) { return std::tie(r.code); }
  static void Parse(Row& row, Record& r) {
    r.code = RequiredText(row, kSite);
    r.name = Text(row, kName);
    std::optional<std::string> country;
    OptionalCoded(row, kCountry, &ParseCountry, country);
    r.country = country.value_or("");
  }
  static void Write(Line& line, const Record& r) { line.Text(r.code).Text(r.name).Text(r.country); }
};

struct StudyTable {
  static constexpr std::string_view kFile = "studies.csv";
  static constexpr int kStudy = 0, kTitle = 1, kRegistration = 2;
  static constexpr std::array<ColumnDef, 3> kColumns = {{{"study", kReq}, {"title", kOpt}, {"registration", kOpt}}};
  static constexpr std::string_view kKeyColumns = "study";
  using Record = core::Study;
  static auto& Of(auto& batch) { return batch.studies; }
  static auto Key(const Record& r) { return std::tie(r.code); }
  static void Parse(Row& row, Record& r) {
    r.code = RequiredText(row, kStudy);
    r.title = Text(row, kTitle);
    r.registration = std::string(row.Cell(kRegistration));
  }
  static void Write(Line& line, const Record& r) { line.Text(r.code).Text(r.title).Text(r.registration); }
};

struct ArmTable {
  static constexpr std::string_view kFile = "arms.csv";
  static constexpr int kStudy = 0, kArm = 1, kName = 2, kProduct = 3, kRoute = 4;
  static constexpr std::array<ColumnDef, 5> kColumns = {
      {{"study", kReq}, {"arm", kReq}, {"name", kOpt}, {"product", kOpt}, {"route", kOpt}}};
  static constexpr std::string_view kKeyColumns = "study,arm";
  using Record = core::Arm;
  static auto& Of(auto& batch) { return batch.arms; }
  static auto Key(const Record& r) { return std::tie(r.study, r.code); }
  static void Parse(Row& row, Record& r) {
    r.study = RequiredText(row, kStudy);
    r.code = RequiredText(row, kArm);
    r.name = Text(row, kName);
    OptionalCoded(row, kProduct, &core::ParseCellProduct, r.product);
    OptionalCoded(row, kRoute, &core::ParseRoute, r.route);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.study).Text(r.code).Text(r.name).Coded(r.product).Coded(r.route);
  }
};

// Day offsets up to 100 years either side of the anchor: wide enough for any
// follow-up schedule, narrow enough to catch a date typed into the day column.
constexpr int kMaxScheduleDay = 36600;

struct ScheduleTable {
  static constexpr std::string_view kFile = "schedule.csv";
  static constexpr int kStudy = 0, kVisit = 1, kName = 2, kDay = 3, kBefore = 4, kAfter = 5, kAnchor = 6;
  static constexpr std::array<ColumnDef, 7> kColumns = {{{"study", kReq},
                                                         {"visit", kReq},
                                                         {"name", kOpt},
                                                         {"day", kReq},
                                                         {"window_before", kOpt},
                                                         {"window_after", kOpt},
                                                         {"anchor", kOpt}}};
  static constexpr std::string_view kKeyColumns = "study,visit";
  using Record = core::ScheduledVisit;
  static auto& Of(auto& batch) { return batch.schedule; }
  static auto Key(const Record& r) { return std::tie(r.study, r.code); }
  static void Parse(Row& row, Record& r) {
    r.study = RequiredText(row, kStudy);
    r.code = RequiredText(row, kVisit);
    r.name = Text(row, kName);
    Int(row, kDay, -kMaxScheduleDay, kMaxScheduleDay, kReq, r.day);
    Int(row, kBefore, 0, kMaxScheduleDay, kOpt, r.window_before);
    Int(row, kAfter, 0, kMaxScheduleDay, kOpt, r.window_after);
    Coded(row, kAnchor, &core::ParseScheduleAnchor, r.anchor, kOpt);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.study)
        .Text(r.code)
        .Text(r.name)
        .Whole(r.day)
        .Whole(r.window_before)
        .Whole(r.window_after)
        .Text(core::Code(r.anchor));
  }
};

// The aetiologies in enum order, for writing a set.
constexpr std::array kAetiologies = {
    core::Aetiology::kHbv,     core::Aetiology::kHcv,   core::Aetiology::kHdv,
    core::Aetiology::kAlcohol, core::Aetiology::kMasld, core::Aetiology::kAutoimmune,
    core::Aetiology::kPbc,     core::Aetiology::kPsc,   core::Aetiology::kHaemochromatosis,
    core::Aetiology::kOther,
};

struct PatientTable {
  static constexpr std::string_view kFile = "patients.csv";
  static constexpr int kPatient = 0, kSite = 1, kStudy = 2, kArm = 3, kSex = 4, kBirthYear = 5, kAetiology = 6,
                       kDiagnosis = 7, kDecompensation = 8, kEnrolment = 9, kStatus = 10;
  static constexpr std::array<ColumnDef, 11> kColumns = {{{"patient", kReq},
                                                          {"site", kReq},
                                                          {"study", kReq},
                                                          {"arm", kOpt},
                                                          {"sex", kOpt},
                                                          {"birth_year", kOpt},
                                                          {"aetiology", kOpt},
                                                          {"cirrhosis_diagnosis", kOpt},
                                                          {"first_decompensation", kOpt},
                                                          {"enrolment", kOpt},
                                                          {"status", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient";
  using Record = core::Patient;
  static auto& Of(auto& batch) { return batch.patients; }
  static auto Key(const Record& r) { return std::tie(r.code); }
  static void Parse(Row& row, Record& r) {
    r.code = RequiredText(row, kPatient);
    r.site = RequiredText(row, kSite);
    r.study = RequiredText(row, kStudy);
    r.arm = std::string(row.Cell(kArm));
    OptionalCoded(row, kSex, &core::ParseSex, r.sex);
    OptionalInt(row, kBirthYear, 1850, 2200, r.birth_year);
    Coded(row, kAetiology, &core::ParseAetiologies, r.aetiologies, kOpt);
    OptionalDate(row, kDiagnosis, r.cirrhosis_diagnosis);
    OptionalDate(row, kDecompensation, r.first_decompensation);
    OptionalDate(row, kEnrolment, r.enrolment);
    Coded(row, kStatus, &core::ParsePatientStatus, r.status, kOpt);
  }
  static void Write(Line& line, const Record& r) {
    std::string aetiology;
    for (const core::Aetiology a : kAetiologies) {
      if (!r.aetiologies.Contains(a)) continue;
      if (!aetiology.empty()) aetiology.push_back(';');
      aetiology.append(core::Name(a));
    }
    line.Text(r.code).Text(r.site).Text(r.study).Text(r.arm);
    line.Text(r.sex.has_value() ? core::Name(*r.sex) : "").Whole(r.birth_year).Text(aetiology);
    line.When(r.cirrhosis_diagnosis).When(r.first_decompensation).When(r.enrolment).Text(core::Code(r.status));
  }
};

// Infusion and course numbers: a patient gets a handful; 1000 catches a
// cell count typed into the wrong column.
constexpr int kMaxInfusionNumber = 1000;

struct InfusionTable {
  static constexpr std::string_view kFile = "infusions.csv";
  static constexpr int kPatient = 0, kInfusion = 1, kCourse = 2, kDate = 3, kProduct = 4, kSource = 5, kDose = 6,
                       kDoseUnit = 7, kRoute = 8;
  static constexpr std::array<ColumnDef, 9> kColumns = {{{"patient", kReq},
                                                         {"infusion", kReq},
                                                         {"course", kOpt},
                                                         {"date", kReq},
                                                         {"product", kReq},
                                                         {"source", kOpt},
                                                         {"dose", kOpt},
                                                         {"dose_unit", kOpt},
                                                         {"route", kReq}}};
  static constexpr std::string_view kKeyColumns = "patient,infusion";
  using Record = core::Infusion;
  static auto& Of(auto& batch) { return batch.infusions; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.number); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    Int(row, kInfusion, 1, kMaxInfusionNumber, kReq, r.number);
    Int(row, kCourse, 1, kMaxInfusionNumber, kOpt, r.course);
    DateCell(row, kDate, r.date);
    Coded(row, kProduct, &core::ParseCellProduct, r.product, kReq);
    Coded(row, kSource, &core::ParseCellSource, r.source, kOpt);
    OptionalPositive(row, kDose, "cells", r.dose);
    // cells and cells/kg differ some seventyfold: a dose is never read without its unit.
    if (r.dose.has_value() && row.Cell(kDoseUnit).empty()) {
      row.Bad(kDoseUnit, "dose_unit is required with a dose; expected cells or cells/kg");
    }
    Coded(row, kDoseUnit, &core::ParseDoseUnit, r.dose_unit, kOpt);
    Coded(row, kRoute, &core::ParseRoute, r.route, kReq);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).Whole(r.number).Whole(r.course).When(r.date).Text(core::Code(r.product));
    line.Text(core::Code(r.source)).Number(r.dose).Text(core::Code(r.dose_unit)).Text(core::Code(r.route));
  }
};

struct ProcedureTable {
  static constexpr std::string_view kFile = "procedures.csv";
  static constexpr int kPatient = 0, kProcedure = 1, kDate = 2, kDetail = 3;
  static constexpr std::array<ColumnDef, 4> kColumns = {
      {{"patient", kReq}, {"procedure", kReq}, {"date", kReq}, {"detail", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,procedure,date";
  using Record = core::Procedure;
  static auto& Of(auto& batch) { return batch.procedures; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.kind, r.date); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    Coded(row, kProcedure, &core::ParseProcedureKind, r.kind, kReq);
    DateCell(row, kDate, r.date);
    r.detail = Text(row, kDetail);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).Text(core::Code(r.kind)).When(r.date).Text(r.detail);
  }
};

struct MedicationTable {
  static constexpr std::string_view kFile = "medications.csv";
  static constexpr int kPatient = 0, kClass = 1, kName = 2, kStart = 3, kEnd = 4, kDose = 5;
  static constexpr std::array<ColumnDef, 6> kColumns = {
      {{"patient", kReq}, {"class", kReq}, {"name", kReq}, {"start", kReq}, {"end", kOpt}, {"dose", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,class,name,start";
  using Record = core::Medication;
  static auto& Of(auto& batch) { return batch.medications; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.medication_class, r.name, r.start); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    Coded(row, kClass, &core::ParseMedicationClass, r.medication_class, kReq);
    r.name = RequiredText(row, kName);
    DateCell(row, kStart, r.start);
    OptionalDate(row, kEnd, r.end);
    if (row.ok()) EndNotBefore(row, kEnd, r.start, r.end, "start");
    r.dose = Text(row, kDose);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).Text(core::Code(r.medication_class)).Text(r.name).When(r.start).When(r.end).Text(r.dose);
  }
};

struct VisitTable {
  static constexpr std::string_view kFile = "visits.csv";
  static constexpr int kPatient = 0, kDate = 1, kVisit = 2, kStatus = 3;
  static constexpr std::array<ColumnDef, 4> kColumns = {
      {{"patient", kReq}, {"date", kReq}, {"visit", kOpt}, {"status", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,date";
  using Record = core::Visit;
  static auto& Of(auto& batch) { return batch.visits; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.date); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    DateCell(row, kDate, r.date);
    r.code = std::string(row.Cell(kVisit));
    Coded(row, kStatus, &core::ParseVisitStatus, r.status, kOpt);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).When(r.date).Text(r.code).Text(core::Code(r.status));
  }
};

// Lab files have a handful of analyte and unit spellings repeated over a
// million rows; looking each up once keeps the core parsers (which fold and
// allocate) off the per-row path.
class LabLookups {
 public:
  Result<core::Analyte> Analyte(std::string_view text) {
    for (const auto& [seen, analyte] : analytes_) {
      if (seen == text) return analyte;
    }
    auto parsed = core::ParseAnalyte(text);
    if (parsed && analytes_.size() < kMaxCached) analytes_.emplace_back(std::string(text), *parsed);
    return parsed;
  }
  // Lab rows come grouped by patient and date, so the last date seen usually repeats.
  Result<Date> DateOf(std::string_view text) {
    if (text.size() == last_date_size_ && std::memcmp(text.data(), last_date_text_.data(), text.size()) == 0) {
      return last_date_;
    }
    auto parsed = core::ParseDate(text);
    if (parsed && text.size() <= last_date_text_.size()) {
      std::memcpy(last_date_text_.data(), text.data(), text.size());
      last_date_size_ = text.size();
      last_date_ = *parsed;
    }
    return parsed;
  }
  Result<const core::UnitInfo*> Unit(core::Analyte analyte, std::string_view text) {
    for (const auto& entry : units_) {
      if (entry.analyte == analyte && entry.text == text) return entry.unit;
    }
    auto found = core::FindUnit(analyte, text);
    if (found && units_.size() < kMaxCached) units_.push_back(UnitEntry{analyte, std::string(text), *found});
    return found;
  }

 private:
  static constexpr std::size_t kMaxCached = 64;
  struct UnitEntry {
    core::Analyte analyte;
    std::string text;
    const core::UnitInfo* unit;
  };
  std::array<char, 16> last_date_text_{};
  std::size_t last_date_size_ = 0;  // 0: none yet (an empty date is never cached)
  Date last_date_;
  std::vector<std::pair<std::string, core::Analyte>> analytes_;
  std::vector<UnitEntry> units_;
};

struct LabTable {
  static constexpr std::string_view kFile = "labs.csv";
  static constexpr int kPatient = 0, kDate = 1, kAnalyte = 2, kValue = 3, kUnit = 4, kMissing = 5;
  static constexpr std::array<ColumnDef, 6> kColumns = {{{"patient", kReq},
                                                         {"date", kReq},
                                                         {"analyte", kReq},
                                                         {"value", kReq},
                                                         {"unit", kOpt},
                                                         {"missing_reason", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,date,analyte";
  using Record = core::LabResult;
  static auto& Of(auto& batch) { return batch.labs; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.date, r.analyte); }
  static void Parse(Row& row, Record& r, LabLookups& lookups) {
    r.patient.assign(row.Cell(kPatient));
    if (r.patient.empty()) row.Bad(kPatient, "patient is required");
    const std::string_view date_text = row.Cell(kDate);
    if (date_text.empty()) {
      row.Bad(kDate, "date is required");
    } else if (auto date = lookups.DateOf(date_text); !date) {
      row.Bad(kDate, date.error().message);
    } else {
      r.date = *date;
    }
    const std::string_view analyte_text = row.Cell(kAnalyte);
    bool analyte_ok = false;
    if (analyte_text.empty()) {
      row.Bad(kAnalyte, "analyte is required");
    } else if (auto analyte = lookups.Analyte(analyte_text); !analyte) {
      row.Bad(kAnalyte, analyte.error().message);
    } else {
      r.analyte = *analyte;
      analyte_ok = true;
    }
    const std::string_view value = row.Cell(kValue);
    const std::string_view missing = row.Cell(kMissing);
    const std::string_view unit = row.Cell(kUnit);
    r.unit_as_entered.assign(unit);
    if (!missing.empty()) {
      if (!value.empty()) {
        row.Bad(kMissing, "missing_reason is given with a value; give one or the other");
        return;
      }
      OptionalCoded(row, kMissing, &core::ParseMissingReason, r.missing);
      return;
    }
    if (value.empty()) {
      row.Bad(kValue, "value is empty; give a value or a missing_reason");
      return;
    }
    std::string_view number = value;
    r.op = core::LabOperator::kEqual;
    if (number.starts_with("<=")) {
      r.op = core::LabOperator::kLessOrEqual;
    } else if (number.starts_with(">=")) {
      r.op = core::LabOperator::kGreaterOrEqual;
    } else if (number.starts_with('<')) {
      r.op = core::LabOperator::kLess;
    } else if (number.starts_with('>')) {
      r.op = core::LabOperator::kGreater;
    } else if (number.starts_with('=')) {
      number.remove_prefix(1);
    }
    if (r.op == core::LabOperator::kLess || r.op == core::LabOperator::kGreater) number.remove_prefix(1);
    if (r.op == core::LabOperator::kLessOrEqual || r.op == core::LabOperator::kGreaterOrEqual) number.remove_prefix(2);
    number = TrimBlanks(number);
    auto parsed = core::ParseNumber(number);
    if (!parsed) {
      row.Bad(kValue, "value \"" + std::string(value) +
                          "\" is not a number; expected a number, optionally after <, <=, > or >=, with the unit in "
                          "the unit column");
      return;
    }
    r.value_as_entered.assign(number);
    if (!analyte_ok) return;
    const core::UnitInfo* unit_info = &core::CanonicalUnit(r.analyte);
    if (!unit.empty()) {
      auto found = lookups.Unit(r.analyte, unit);
      if (!found) {
        row.Bad(kUnit, found.error().message);
        return;
      }
      unit_info = *found;
    }
    auto canonical = core::ToCanonical(r.analyte, core::Quantity{*parsed, unit_info});
    if (!canonical) {
      row.Bad(kValue, canonical.error().message);
      return;
    }
    r.value = *canonical;
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).When(r.date).Text(core::Code(r.analyte));
    if (!r.value.has_value()) {
      line.Text("").Text(r.unit_as_entered).Coded(r.missing);
      return;
    }
    if (r.value_as_entered.empty()) {
      // Built in code rather than read: the canonical value in the canonical unit.
      line.Number(*r.value).Text("").Text("");
      return;
    }
    std::string value;
    if (r.op != core::LabOperator::kEqual) value.append(core::Code(r.op));
    value.append(r.value_as_entered);
    line.Text(value).Text(r.unit_as_entered).Text("");
  }
};

// West Haven grades 0-4.
constexpr int kMaxWestHaven = 4;

struct AssessmentTable {
  static constexpr std::string_view kFile = "assessments.csv";
  static constexpr int kPatient = 0, kDate = 1, kAscites = 2, kEncephalopathy = 3, kDialysis = 4, kVarices = 5,
                       kWeight = 6, kLiverVolume = 7;
  static constexpr std::array<ColumnDef, 8> kColumns = {{{"patient", kReq},
                                                         {"date", kReq},
                                                         {"ascites", kOpt},
                                                         {"encephalopathy_grade", kOpt},
                                                         {"dialysis", kOpt},
                                                         {"varices", kOpt},
                                                         {"weight_kg", kOpt},
                                                         {"liver_volume_ml", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,date";
  using Record = core::Assessment;
  static auto& Of(auto& batch) { return batch.assessments; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.date); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    DateCell(row, kDate, r.date);
    OptionalCoded(row, kAscites, &core::ParseAscites, r.ascites);
    OptionalInt(row, kEncephalopathy, 0, kMaxWestHaven, r.encephalopathy_grade);
    OptionalCoded(row, kDialysis, &core::ParseDialysis, r.dialysis);
    OptionalCoded(row, kVarices, &core::ParseVarices, r.varices);
    OptionalPositive(row, kWeight, "kg", r.weight_kg);
    OptionalPositive(row, kLiverVolume, "mL", r.liver_volume_ml);
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).When(r.date).Text(r.ascites.has_value() ? core::Name(*r.ascites) : "");
    line.Whole(r.encephalopathy_grade).Text(r.dialysis.has_value() ? core::Name(*r.dialysis) : "");
    line.Coded(r.varices).Number(r.weight_kg).Number(r.liver_volume_ml);
  }
};

struct EventTable {
  static constexpr std::string_view kFile = "events.csv";
  static constexpr int kPatient = 0, kEvent = 1, kDate = 2, kDeathCause = 3, kDecompensation = 4, kDetail = 5;
  static constexpr std::array<ColumnDef, 6> kColumns = {{{"patient", kReq},
                                                         {"event", kReq},
                                                         {"date", kReq},
                                                         {"death_cause", kOpt},
                                                         {"decompensation", kOpt},
                                                         {"detail", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,event,date";
  using Record = core::OutcomeEvent;
  static auto& Of(auto& batch) { return batch.events; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.kind, r.date); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    Coded(row, kEvent, &core::ParseOutcomeKind, r.kind, kReq);
    DateCell(row, kDate, r.date);
    OptionalCoded(row, kDeathCause, &core::ParseDeathCause, r.death_cause);
    OptionalCoded(row, kDecompensation, &core::ParseDecompensationKind, r.decompensation);
    r.detail = Text(row, kDetail);
    if (!row.ok()) return;
    if (r.death_cause.has_value() && r.kind != core::OutcomeKind::kDeath) {
      row.Bad(kDeathCause, "death_cause is only for a death event, not " + std::string(core::Code(r.kind)));
    }
    if (r.decompensation.has_value() && r.kind != core::OutcomeKind::kDecompensation) {
      row.Bad(kDecompensation,
              "decompensation is only for a decompensation event, not " + std::string(core::Code(r.kind)));
    }
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient)
        .Text(core::Code(r.kind))
        .When(r.date)
        .Coded(r.death_cause)
        .Coded(r.decompensation)
        .Text(r.detail);
  }
};

// CTCAE grades 1-5.
constexpr int kMaxCtcaeGrade = 5;

struct AdverseEventTable {
  static constexpr std::string_view kFile = "adverse_events.csv";
  static constexpr int kPatient = 0, kTerm = 1, kOnset = 2, kEnd = 3, kGrade = 4, kSerious = 5, kInfusion = 6,
                       kRelatedness = 7, kOutcome = 8;
  static constexpr std::array<ColumnDef, 9> kColumns = {{{"patient", kReq},
                                                         {"term", kReq},
                                                         {"onset", kReq},
                                                         {"end", kOpt},
                                                         {"grade", kReq},
                                                         {"serious", kOpt},
                                                         {"infusion", kOpt},
                                                         {"relatedness", kOpt},
                                                         {"outcome", kOpt}}};
  static constexpr std::string_view kKeyColumns = "patient,term,onset";
  using Record = core::AdverseEvent;
  static auto& Of(auto& batch) { return batch.adverse_events; }
  static auto Key(const Record& r) { return std::tie(r.patient, r.term, r.onset); }
  static void Parse(Row& row, Record& r) {
    r.patient = RequiredText(row, kPatient);
    r.term = RequiredText(row, kTerm);
    DateCell(row, kOnset, r.onset);
    OptionalDate(row, kEnd, r.end);
    Int(row, kGrade, 1, kMaxCtcaeGrade, kReq, r.grade);
    Coded(row, kSerious, &ParseYesNo, r.serious, kOpt);
    OptionalInt(row, kInfusion, 1, kMaxInfusionNumber, r.infusion);
    Coded(row, kRelatedness, &core::ParseRelatedness, r.relatedness, kOpt);
    Coded(row, kOutcome, &core::ParseAeOutcome, r.outcome, kOpt);
    if (row.ok()) EndNotBefore(row, kEnd, r.onset, r.end, "onset");
  }
  static void Write(Line& line, const Record& r) {
    line.Text(r.patient).Text(r.term).When(r.onset).When(r.end).Whole(r.grade).Text(r.serious ? "yes" : "no");
    line.Whole(r.infusion).Text(core::Code(r.relatedness)).Text(core::Code(r.outcome));
  }
};

template <typename F>
void ForEachTable(F&& f) {
  f(SiteTable{});
  f(StudyTable{});
  f(ArmTable{});
  f(ScheduleTable{});
  f(PatientTable{});
  f(InfusionTable{});
  f(ProcedureTable{});
  f(MedicationTable{});
  f(VisitTable{});
  f(LabTable{});
  f(AssessmentTable{});
  f(EventTable{});
  f(AdverseEventTable{});
}

constexpr std::array<std::string_view, 13> kFileNames = {
    SiteTable::kFile,       StudyTable::kFile,     ArmTable::kFile,          ScheduleTable::kFile, PatientTable::kFile,
    InfusionTable::kFile,   ProcedureTable::kFile, MedicationTable::kFile,   VisitTable::kFile,    LabTable::kFile,
    AssessmentTable::kFile, EventTable::kFile,     AdverseEventTable::kFile,
};

// ---- reading a table --------------------------------------------------------------

template <typename Table>
void ReadTable(std::string_view text, const std::string& file, std::uint32_t source, core::RegistryBatch& batch,
               Problems& problems) {
  RecordStream stream(text, file, problems);
  const std::size_t problems_before = problems.count();
  if (!stream.Next()) return;  // an empty file holds no rows
  // A header that is not UTF-8 or breaks a quote was skipped by the stream;
  // taking the next line for the header would only add confusing problems.
  if (problems.count() != problems_before) return;

  // The header: each column of the table is found by name, in any case.
  constexpr std::size_t kWidth = Table::kColumns.size();
  std::array<int, kWidth> field_of_column{};
  field_of_column.fill(-1);
  const std::span<const std::string_view> header = stream.fields();
  const std::size_t header_line = stream.line();
  std::string expected;
  for (const ColumnDef& column : Table::kColumns) {
    if (!expected.empty()) expected += ", ";
    expected += column.name;
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string_view name = TrimBlanks(header[i]);
    std::size_t id = 0;
    while (id < kWidth && !EqualsIgnoringCase(Table::kColumns[id].name, name)) ++id;
    if (id == kWidth) {
      problems.Add(file, header_line, name, name,
                   "unknown column \"" + std::string(name) + "\" in " + std::string(Table::kFile) +
                       "; expected columns " + expected);
    } else if (field_of_column[id] >= 0) {
      problems.Add(file, header_line, name, name, "column \"" + std::string(name) + "\" appears twice");
    } else {
      field_of_column[id] = static_cast<int>(i);
    }
  }
  bool complete = true;
  for (std::size_t id = 0; id < kWidth; ++id) {
    if (field_of_column[id] < 0 && Table::kColumns[id].need == Need::kRequired) {
      complete = false;
      problems.Add(file, header_line, Table::kColumns[id].name, "",
                   "missing required column \"" + std::string(Table::kColumns[id].name) + "\" in " +
                       std::string(Table::kFile) + "; no row of the file was read");
    }
  }
  if (!complete) return;
  const std::size_t width = header.size();

  auto& records = Table::Of(batch);
  records.reserve(records.size() + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  [[maybe_unused]] LabLookups lookups;
  Row row(file, Table::kColumns, problems);
  while (stream.Next()) {
    const std::span<const std::string_view> fields = stream.fields();
    if (fields.size() != width) {
      problems.Add(file, stream.line(), "", "",
                   "row has " + std::to_string(fields.size()) + " fields; the header has " + std::to_string(width));
      continue;
    }
    row.Start(fields, field_of_column, stream.line());
    // Parsed in place (no move of the record's strings); taken back if bad.
    typename Table::Record& record = records.emplace_back();
    if constexpr (std::is_same_v<Table, LabTable>) {
      Table::Parse(row, record, lookups);
    } else {
      Table::Parse(row, record);
    }
    if (!row.ok()) {
      records.pop_back();
      continue;
    }
    record.origin = core::Origin{source, static_cast<std::uint32_t>(stream.line())};
  }
}

// ---- duplicate keys -----------------------------------------------------------------

std::uint64_t HashPart(const std::string& text) { return std::hash<std::string_view>{}(text); }
std::uint64_t HashPart(Date date) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(date.days_since_epoch));
}
std::uint64_t HashPart(int value) { return static_cast<std::uint64_t>(static_cast<std::uint32_t>(value)); }
template <typename E>
requires std::is_enum_v<E> std::uint64_t HashPart(E value) { return static_cast<std::uint64_t>(value); }

std::string KeyText(const std::string& text) { return text; }
std::string KeyText(Date date) { return core::FormatDate(date); }
std::string KeyText(int value) { return std::to_string(value); }
template <typename E>
requires std::is_enum_v<E> std::string KeyText(E value) { return std::string(core::Code(value)); }

template <typename Tuple>
std::uint64_t HashKey(const Tuple& key) {
  std::uint64_t hash = 0;
  std::apply(
      [&](const auto&... parts) {
        // boost::hash_combine's mixing, widened to 64 bits.
        ((hash ^= HashPart(parts) + 0x9E3779B97F4A7C15ULL + (hash << 6U) + (hash >> 2U)), ...);
      },
      key);
  // MurmurHash3's fmix64: dates and codes differ only in low bits, and linear
  // probing needs those spread over the whole word.
  hash ^= hash >> 33U;
  hash *= 0xFF51AFD7ED558CCDULL;
  hash ^= hash >> 33U;
  hash *= 0xC4CEB9FE1A85EC53ULL;
  hash ^= hash >> 33U;
  return hash;
}

template <typename Tuple>
std::string DescribeKey(const Tuple& key) {
  std::string text;
  std::apply([&](const auto&... parts) { ((text += (text.empty() ? "" : ","), text += KeyText(parts)), ...); }, key);
  return text;
}

// Reports and drops every record whose key an earlier record already has. An
// open-addressing table keeps this linear and allocation-free per record.
// Each slot packs the key hash's upper half with the record index + 1 (0 =
// empty), so a probe rarely touches a record; the hashes are computed first
// and the slot of a record a few places ahead is prefetched, which hides most
// of the cache misses of a table larger than the cache (16 MB for a million labs).
template <typename Table>
void DropDuplicates(core::RegistryBatch& batch, Problems& problems, internal::OriginLine lines) {
  auto& records = Table::Of(batch);
  if (records.size() < 2) return;
  const std::size_t capacity = std::bit_ceil(records.size() * 2);
  const std::size_t mask = capacity - 1;
  std::vector<std::uint64_t> hashes(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) hashes[i] = HashKey(Table::Key(records[i]));
  std::vector<std::uint64_t> slots(capacity, 0);
  std::vector<std::uint8_t> drop(records.size(), 0);
  constexpr std::size_t kPrefetchAhead = 16;
  bool any = false;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (i + kPrefetchAhead < records.size()) __builtin_prefetch(&slots[hashes[i + kPrefetchAhead] & mask]);
    const std::uint64_t hash = hashes[i];
    const std::uint64_t tag = hash & 0xFFFFFFFF00000000ULL;
    std::size_t slot = hash & mask;
    while (true) {
      const std::uint64_t entry = slots[slot];
      if (entry == 0) {
        slots[slot] = tag | static_cast<std::uint64_t>(i + 1);
        break;
      }
      const auto& first = records[(entry & 0xFFFFFFFFULL) - 1];
      if ((entry & 0xFFFFFFFF00000000ULL) == tag && Table::Key(first) == Table::Key(records[i])) {
        drop[i] = 1;
        any = true;
        const auto& second = records[i];
        const std::string& first_file = batch.sources[first.origin.source];
        const std::string first_place = lines == internal::OriginLine::kBundleEntry
                                            ? first_file + " entry[" + std::to_string(first.origin.line - 1) + "]"
                                            : first_file + ":" + std::to_string(first.origin.line);
        // A Bundle's problems name the entry, as its readers' other problems do.
        const std::string column =
            lines == internal::OriginLine::kBundleEntry
                ? "entry[" + std::to_string(second.origin.line - 1) + "].resource " + std::string(Table::kKeyColumns)
                : std::string(Table::kKeyColumns);
        problems.Add(batch.sources[second.origin.source], second.origin.line, column, DescribeKey(Table::Key(second)),
                     "duplicate key; first on " + first_place);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  if (!any) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (drop[i] == 0) {
      if (kept != i) records[kept] = std::move(records[i]);
      ++kept;
    }
  }
  records.resize(kept);
}

// ---- paths ---------------------------------------------------------------------

std::string AcceptedNames() {
  std::string list;
  for (std::string_view name : kFileNames) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

Result<std::vector<std::string>> ExpandPaths(std::span<const std::string> paths) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (ec || status.type() == std::filesystem::file_type::not_found) {
      return Fail(ErrorCode::kNotFound, "cannot open " + path + ": no such file or directory", path);
    }
    if (status.type() != std::filesystem::file_type::directory) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const std::filesystem::path& entry = it->path();
      if (entry.extension() == ".csv" && it->is_regular_file(ec)) found.push_back(entry.string());
    }
    if (ec) return Fail(ErrorCode::kInvalidArgument, "cannot list " + path + ": " + ec.message(), path);
    // An import of a folder without a file of the format used to "succeed"
    // with 0 rows: a wrong folder or --format looked like an empty registry.
    if (found.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the folder " + path + " holds no .csv file; expected registry files named " + AcceptedNames(), path);
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// Index into kFileNames of the file's kind, from its name in any case.
Result<std::size_t> KindOf(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  for (std::size_t i = 0; i < kFileNames.size(); ++i) {
    if (EqualsIgnoringCase(name, kFileNames[i])) return i;
  }
  return Fail(
      ErrorCode::kInvalidArgument,
      "unknown registry file " + path + ": the file name says what it holds; expected one of " + AcceptedNames(), path);
}

// ---- writing a table ------------------------------------------------------------------

// One table as CSV text, its rows in natural-key order; empty for a table
// without rows (no file is written for it).
template <typename Table>
std::string TableText(const core::RegistryBatch& batch) {
  const auto& records = Table::Of(batch);
  if (records.empty()) return {};
  using Record = typename Table::Record;
  std::vector<const Record*> order;
  order.reserve(records.size());
  for (const Record& record : records) order.push_back(&record);
  std::stable_sort(order.begin(), order.end(),
                   [](const Record* a, const Record* b) { return Table::Key(*a) < Table::Key(*b); });
  std::string out;
  {
    Line header(out);
    for (const ColumnDef& column : Table::kColumns) header.Text(column.name);
  }
  for (const Record* record : order) {
    Line line(out);
    Table::Write(line, *record);
  }
  return out;
}

template <typename Table>
Status WriteTable(const core::RegistryBatch& batch, const std::filesystem::path& directory) {
  const std::string out = TableText<Table>(batch);
  if (out.empty()) return {};
  CIRRUS_ASSIGN_OR_RETURN(AtomicOutputFile file, AtomicOutputFile::Create((directory / Table::kFile).string()));
  CIRRUS_RETURN_IF_ERROR(file.Write(out));
  return file.Commit();
}

}  // namespace

std::span<const std::string_view> RegistryCsvFileNames() { return kFileNames; }

Result<RegistryRead> ReadRegistryCsv(std::span<const std::string> paths, const RegistryReadOptions& options) {
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<std::string> files, ExpandPaths(paths));
  // Every name is checked before any file is read, so a typo in a file name
  // fails at once rather than after a long import.
  std::vector<std::size_t> kinds;
  for (const std::string& file : files) {
    CIRRUS_ASSIGN_OR_RETURN(const std::size_t kind, KindOf(file));
    kinds.push_back(kind);
  }
  RegistryRead read;
  Problems problems(read, options.max_problems);
  for (std::size_t f = 0; f < files.size(); ++f) {
    CIRRUS_ASSIGN_OR_RETURN(const MappedFile mapped, MappedFile::Open(files[f]));
    const auto source = static_cast<std::uint32_t>(read.batch.sources.size());
    read.batch.sources.push_back(files[f]);
    const std::string& file = read.batch.sources.back();
    const std::string_view name = kFileNames[kinds[f]];
    ForEachTable([&](auto table) {
      using Table = decltype(table);
      if (Table::kFile == name) ReadTable<Table>(mapped.text(), file, source, read.batch, problems);
    });
  }
  ForEachTable(
      [&](auto table) { DropDuplicates<decltype(table)>(read.batch, problems, internal::OriginLine::kFileLine); });
  return read;
}

Status WriteRegistryCsv(const core::RegistryBatch& batch, const std::string& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return Fail(ErrorCode::kInvalidArgument, "cannot create directory " + directory + ": " + ec.message(), directory);
  }
  Status status;
  ForEachTable([&](auto table) {
    if (status) status = WriteTable<decltype(table)>(batch, directory);
  });
  return status;
}

void ForEachRegistryCsvText(const core::RegistryBatch& batch,
                            const std::function<void(std::string_view file, std::string_view text)>& visit) {
  ForEachTable([&](auto table) {
    using Table = decltype(table);
    const std::string text = TableText<Table>(batch);
    if (!text.empty()) visit(Table::kFile, text);
  });
}

namespace internal {

// Well-formed UTF-8 as Unicode 15 table 3-7 defines it: no overlong forms, no
// surrogates, nothing above U+10FFFF. Eight ASCII bytes are checked at a time,
// since almost every registry byte is ASCII.
bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    while (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      p += 8;
    }
    if (p >= end) break;
    const unsigned lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    int continuation = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      continuation = 1;
      code_point = lead & 0x1FU;
      smallest = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      continuation = 2;
      code_point = lead & 0x0FU;
      smallest = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      continuation = 3;
      code_point = lead & 0x07U;
      smallest = 0x10000;
    } else {
      return false;
    }
    if (end - p <= continuation) return false;
    for (int i = 1; i <= continuation; ++i) {
      if ((p[i] & 0xC0U) != 0x80U) return false;
      code_point = (code_point << 6U) | (p[i] & 0x3FU);
    }
    if (code_point < smallest || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    p += continuation + 1;
  }
  return true;
}

std::string EscapeInvalidUtf8(std::string_view text) {
  // 200 bytes show a cell's start, and a 10 MB cell does not fill stderr.
  constexpr std::size_t kShown = 200;
  std::string out;
  std::size_t i = 0;
  while (i < text.size() && i < kShown) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    if (i + length <= text.size() && IsValidUtf8(text.substr(i, length))) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[lead >> 4U];
      out += kHex[lead & 0xFU];
      ++i;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

void DropDuplicateKeys(RegistryRead& read, std::size_t max_problems, OriginLine lines) {
  Problems problems(read, max_problems);
  ForEachTable([&](auto table) { DropDuplicates<decltype(table)>(read.batch, problems, lines); });
}

}  // namespace internal
}  // namespace cirrus::io
