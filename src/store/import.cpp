// Registry::Import: validate the whole batch against what is stored, then
// write it, its audit entries and its derived scores in one transaction.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>

#include "cirrus/store/registry.hpp"
#include "internal/audit.hpp"
#include "internal/bulk_insert.hpp"
#include "internal/database.hpp"
#include "internal/derived_scores.hpp"
#include "internal/tables.hpp"

namespace cirrus::store {
namespace {

using internal::Cells;
using internal::Connection;
using internal::RowView;
using internal::SqlValue;
using internal::Statement;
using internal::TableSpec;

using internal::StoredValue;

bool Equal(const StoredValue& stored, const SqlValue& value) {
  if (std::holds_alternative<std::monostate>(stored)) return std::holds_alternative<std::monostate>(value);
  if (const auto* integer = std::get_if<std::int64_t>(&stored)) {
    const auto* other = std::get_if<std::int64_t>(&value);
    return other != nullptr && *other == *integer;
  }
  if (const auto* real = std::get_if<double>(&stored)) {
    const auto* other = std::get_if<double>(&value);
    return other != nullptr && *other == *real;
  }
  const auto* other = std::get_if<std::string_view>(&value);
  return other != nullptr && *other == std::get<std::string>(stored);
}

class Importer {
 public:
  Importer(Connection& connection, const core::RegistryBatch& batch, const ImportOptions& options)
      : db_(connection), batch_(batch), options_(options) {}

  Result<ImportReport> Run();

 private:
  // ---- validation against the batch and the store ----
  void Problem(const core::Origin& origin, std::string_view column, std::string value, std::string reason);
  Result<bool> Stored(std::string_view sql, std::span<const SqlValue> params);
  Status Validate();
  void CheckDate(const core::Origin& origin, std::string_view column, core::Date date);
  void CheckDate(const core::Origin& origin, std::string_view column, const std::optional<core::Date>& date);
  Result<const std::string*> SiteOfPatient(const std::string& patient);
  Status CheckPatientRef(const core::Origin& origin, const std::string& patient);
  // A site, study, arm or patient code with a control character is a problem.
  void CheckCode(const core::Origin& origin, std::string_view column, const std::string& code);

  // ---- writing ----
  template <typename Record, typename Fill>
  Status WriteTable(const TableSpec& spec, const std::vector<Record>& records, Fill fill);

  Connection& db_;
  const core::RegistryBatch& batch_;
  const ImportOptions& options_;
  core::Date today_{};
  ImportReport report_;
  // Patient code -> site, from the batch or the store (cached lookups).
  std::unordered_map<std::string, std::string> patient_sites_;
  std::set<std::string> missing_patients_;
  // Patients of the batch not yet in the registry: they need no lookup before
  // their insert, and their derived scores come from the batch.
  std::unordered_set<std::string_view> new_patients_;
  std::set<internal::PatientDate> touched_;
  std::unique_ptr<internal::AuditWriter> audit_;
};

void Importer::Problem(const core::Origin& origin, std::string_view column, std::string value, std::string reason) {
  ++report_.problem_count;
  if (report_.problems.size() >= options_.max_problems) return;
  core::RecordProblem& p = report_.problems.emplace_back();
  if (origin.source < batch_.sources.size()) p.file = batch_.sources[origin.source];
  p.line = origin.line;
  p.column = column;
  p.value = std::move(value);
  p.reason = std::move(reason);
}

Result<bool> Importer::Stored(std::string_view sql, std::span<const SqlValue> params) {
  bool found = false;
  CIRRUS_RETURN_IF_ERROR(db_.Query(sql, params, [&](const RowView&) -> Status {
    found = true;
    return {};
  }));
  return found;
}

void Importer::CheckDate(const core::Origin& origin, std::string_view column, core::Date date) {
  if (date > today_) {
    Problem(origin, column, core::FormatDate(date),
            "is in the future (today is " + core::FormatDate(today_) + "); check the year and the day/month order");
  }
}
void Importer::CheckDate(const core::Origin& origin, std::string_view column, const std::optional<core::Date>& date) {
  if (date) CheckDate(origin, column, *date);
}

Result<const std::string*> Importer::SiteOfPatient(const std::string& patient) {
  if (auto it = patient_sites_.find(patient); it != patient_sites_.end()) return &it->second;
  if (missing_patients_.count(patient) > 0) return nullptr;
  std::optional<std::string> site;
  const SqlValue params[] = {std::string_view(patient)};
  CIRRUS_RETURN_IF_ERROR(
      db_.Query("SELECT site FROM patients WHERE code = $1", params, [&](const RowView& row) -> Status {
        site = std::string(row.Text(0));
        return {};
      }));
  if (!site) {
    missing_patients_.insert(patient);
    return nullptr;
  }
  return &patient_sites_.emplace(patient, *site).first->second;
}

Status Importer::CheckPatientRef(const core::Origin& origin, const std::string& patient) {
  CIRRUS_ASSIGN_OR_RETURN(const std::string* site, SiteOfPatient(patient));
  if (site == nullptr) {
    Problem(origin, "patient", patient, "is not a known patient: add it to patients.csv or import it first");
  }
  return {};
}

namespace {

// The first control character of `code` (C0, DEL, or C1 as UTF-8) as
// "byte 0x1B at 3", or "" when there is none.
std::string ControlCharacterIn(std::string_view code) {
  for (std::size_t i = 0; i < code.size(); ++i) {
    const auto byte = static_cast<unsigned char>(code[i]);
    const bool c1 = byte == 0xC2 && i + 1 < code.size() && static_cast<unsigned char>(code[i + 1]) <= 0x9F &&
                    static_cast<unsigned char>(code[i + 1]) >= 0x80;
    if (byte < 0x20 || byte == 0x7F || c1) {
      char text[40];
      std::snprintf(text, sizeof text, "byte 0x%02X at %zu", c1 ? static_cast<unsigned char>(code[i + 1]) : byte,
                    i + 1);
      return text;
    }
  }
  return "";
}

// `code` with control characters as \xHH, so a problem never prints them raw.
std::string Printable(std::string_view code) {
  std::string out;
  for (const char c : code) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      char text[8];
      std::snprintf(text, sizeof text, "\\x%02X", byte);
      out += text;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Importer::CheckCode(const core::Origin& origin, std::string_view column, const std::string& code) {
  const std::string control = ControlCharacterIn(code);
  if (control.empty()) return;
  // cirrus patients, show and check print codes as they are: an escape
  // sequence in one would drive the reader's terminal.
  Problem(origin, column, Printable(code),
          "holds a control character (" + control + "); a code may not hold control characters");
}

Status Importer::Validate() {
  const core::RegistryBatch& b = batch_;
  for (const auto& s : b.sites) CheckCode(s.origin, "site", s.code);
  for (const auto& s : b.studies) CheckCode(s.origin, "study", s.code);
  for (const auto& a : b.arms) CheckCode(a.origin, "arm", a.code);
  for (const auto& p : b.patients) CheckCode(p.origin, "patient", p.code);
  std::set<std::string> sites;
  std::set<std::string> studies;
  std::set<std::pair<std::string, std::string>> arms;
  for (const auto& s : b.sites) sites.insert(s.code);
  for (const auto& s : b.studies) studies.insert(s.code);
  for (const auto& a : b.arms) arms.emplace(a.study, a.code);

  auto known = [&](const std::set<std::string>& in_batch, std::string_view table,
                   const std::string& code) -> Result<bool> {
    if (in_batch.count(code) > 0) return true;
    const SqlValue params[] = {std::string_view(code)};
    return Stored("SELECT 1 FROM " + std::string(table) + " WHERE code = $1", params);
  };
  for (const auto& a : b.arms) {
    CIRRUS_ASSIGN_OR_RETURN(const bool ok, known(studies, "studies", a.study));
    if (!ok) Problem(a.origin, "study", a.study, "is not a known study");
  }
  for (const auto& v : b.schedule) {
    CIRRUS_ASSIGN_OR_RETURN(const bool ok, known(studies, "studies", v.study));
    if (!ok) Problem(v.origin, "study", v.study, "is not a known study");
    if (v.window_before < 0 || v.window_after < 0) {
      Problem(v.origin, "window", std::to_string(std::min(v.window_before, v.window_after)),
              "visit windows are days and cannot be negative");
    }
  }
  for (const auto& p : b.patients) {
    CIRRUS_ASSIGN_OR_RETURN(const bool site_ok, known(sites, "sites", p.site));
    if (!site_ok) Problem(p.origin, "site", p.site, "is not a known site: add it to sites.csv");
    CIRRUS_ASSIGN_OR_RETURN(const bool study_ok, known(studies, "studies", p.study));
    if (!study_ok) Problem(p.origin, "study", p.study, "is not a known study: add it to studies.csv");
    if (!p.arm.empty() && arms.count({p.study, p.arm}) == 0) {
      const SqlValue params[] = {std::string_view(p.study), std::string_view(p.arm)};
      CIRRUS_ASSIGN_OR_RETURN(const bool arm_ok, Stored("SELECT 1 FROM arms WHERE study = $1 AND code = $2", params));
      if (!arm_ok) Problem(p.origin, "arm", p.arm, "is not an arm of study " + p.study);
    }
    CheckDate(p.origin, "cirrhosis_diagnosis", p.cirrhosis_diagnosis);
    CheckDate(p.origin, "first_decompensation", p.first_decompensation);
    CheckDate(p.origin, "enrolment", p.enrolment);
    if (p.birth_year && *p.birth_year > core::YearOf(today_)) {
      Problem(p.origin, "birth_year", std::to_string(*p.birth_year), "is in the future");
    }
    // A patient's site is fixed: every fact row carries it, and per-site
    // access depends on it. Moving a patient is a deliberate operation, not an import.
    const SqlValue params[] = {std::string_view(p.code)};
    std::optional<std::string> stored_site;
    CIRRUS_RETURN_IF_ERROR(
        db_.Query("SELECT site FROM patients WHERE code = $1", params, [&](const RowView& row) -> Status {
          stored_site = std::string(row.Text(0));
          return {};
        }));
    if (!stored_site) new_patients_.insert(p.code);
    if (stored_site && *stored_site != p.site) {
      Problem(p.origin, "site", p.site,
              "patient " + p.code + " is registered at site " + *stored_site +
                  "; an import cannot move a patient to another site");
    }
    patient_sites_[p.code] = p.site;
  }
  // Every fact names a known patient; then each kind's own date rules.
  auto facts = [&](const auto& records, auto&& rules) -> Status {
    for (const auto& r : records) {
      CIRRUS_RETURN_IF_ERROR(CheckPatientRef(r.origin, r.patient));
      rules(r);
    }
    return {};
  };
  auto dated = [&](const auto& r) { CheckDate(r.origin, "date", r.date); };
  CIRRUS_RETURN_IF_ERROR(facts(b.infusions, dated));
  CIRRUS_RETURN_IF_ERROR(facts(b.procedures, dated));
  CIRRUS_RETURN_IF_ERROR(facts(b.assessments, dated));
  CIRRUS_RETURN_IF_ERROR(facts(b.events, dated));
  CIRRUS_RETURN_IF_ERROR(facts(b.medications, [&](const core::Medication& r) {
    CheckDate(r.origin, "start", r.start);
    CheckDate(r.origin, "end", r.end);
    if (r.end && *r.end < r.start) Problem(r.origin, "end", core::FormatDate(*r.end), "is before the start");
  }));
  // Scheduled visits lie ahead by nature; only held or missed ones are dated facts.
  CIRRUS_RETURN_IF_ERROR(facts(b.visits, [&](const core::Visit& r) {
    if (r.status != core::VisitStatus::kScheduled) CheckDate(r.origin, "date", r.date);
  }));
  CIRRUS_RETURN_IF_ERROR(facts(b.labs, [&](const core::LabResult& r) {
    CheckDate(r.origin, "date", r.date);
    if (r.value.has_value() == r.missing.has_value()) {
      Problem(r.origin, "value", r.value_as_entered, "a lab needs either a value or a missing reason, not both");
    }
  }));
  CIRRUS_RETURN_IF_ERROR(facts(b.adverse_events, [&](const core::AdverseEvent& r) {
    CheckDate(r.origin, "onset", r.onset);
    CheckDate(r.origin, "end", r.end);
    if (r.end && *r.end < r.onset) Problem(r.origin, "end", core::FormatDate(*r.end), "is before the onset");
    if (r.grade < 1 || r.grade > 5) Problem(r.origin, "grade", std::to_string(r.grade), "CTCAE grades are 1-5");
  }));
  return {};
}

// "c_from = $1, c_from+1 = $2, ..." for the columns [from, to).
std::string Assignments(const TableSpec& spec, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    if (i > from) out += ", ";
    out += spec.columns[i].name;
    out += " = $" + std::to_string(1 + (i - from));
  }
  return out;
}

// The order in which to write a table's records. A bulk load into a fresh
// registry is fastest in key order: each row then lands after the last one,
// and SQLite appends to the B-tree's last page instead of searching it from
// the root (a sixth of the lab inserts' time in the sqlite3 shell). Labs are
// the bulk and go fully in key order; other patients' tables are only grouped
// by patient, each patient's records in the order of their file.
template <typename Record>
std::vector<std::uint32_t> InsertOrder(const std::vector<Record>& records) {
  std::vector<std::uint32_t> order(records.size());
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  if constexpr (std::is_same_v<Record, core::LabResult>) {
    // Key (patient, date, analyte) packed in 64 bits, each part by its rank
    // in SQLite's BINARY order: patient rank, day + 2^23 (any four-digit
    // year fits 24 bits) and the analyte code's rank.
    std::vector<std::string_view> patients;
    std::string_view last;
    for (const core::LabResult& lab : records) {
      if (patients.empty() || lab.patient != last) patients.push_back(last = lab.patient);
    }
    std::sort(patients.begin(), patients.end());
    patients.erase(std::unique(patients.begin(), patients.end()), patients.end());
    std::vector<core::Analyte> analytes(core::AllAnalytes().begin(), core::AllAnalytes().end());
    std::sort(analytes.begin(), analytes.end(),
              [](core::Analyte a, core::Analyte b) { return core::Code(a) < core::Code(b); });
    std::array<std::uint64_t, 256> analyte_rank{};
    for (std::size_t i = 0; i < analytes.size(); ++i) analyte_rank[static_cast<std::size_t>(analytes[i])] = i;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> keys(records.size());
    std::uint64_t rank = 0;
    last = {};
    for (std::uint32_t i = 0; i < records.size(); ++i) {
      const core::LabResult& lab = records[i];
      if (i == 0 || lab.patient != last) {
        last = lab.patient;
        rank = static_cast<std::uint64_t>(std::lower_bound(patients.begin(), patients.end(), last) - patients.begin());
      }
      const auto day = static_cast<std::uint64_t>(lab.date.days_since_epoch + (1 << 23)) & 0xFFFFFFU;
      keys[i] = {rank << 32U | day << 8U | analyte_rank[static_cast<std::size_t>(lab.analyte)], i};
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].second;
  } else if constexpr (requires(const Record& r) { r.patient; }) {
    // One patient's records together (in file order), as WriteTable reads
    // each patient's stored rows once, before writing any of theirs.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return records[a].patient < records[b].patient; });
  }
  return order;
}

// The order of two values of one column: numbers by value, text by bytes (the
// order of internal::Bytewise). NULL never occurs in a key.
bool SqlLess(const SqlValue& a, const SqlValue& b) {
  if (const auto* x = std::get_if<std::string_view>(&a)) {
    const auto* y = std::get_if<std::string_view>(&b);
    return y != nullptr && *x < *y;
  }
  if (const auto* x = std::get_if<std::int64_t>(&a)) {
    const auto* y = std::get_if<std::int64_t>(&b);
    return y != nullptr && *x < *y;
  }
  if (const auto* x = std::get_if<double>(&a)) {
    const auto* y = std::get_if<double>(&b);
    return y != nullptr && *x < *y;
  }
  return false;
}

// A key's values as bytes that no other key shares (each value tagged and
// length-prefixed), for looking stored rows up by key in memory.
std::string KeyBytes(std::span<const SqlValue> key) {
  std::string out;
  for (const SqlValue& value : key) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      out += 'i';
      out += std::to_string(*integer);
      out += ';';
    } else if (const auto* text = std::get_if<std::string_view>(&value)) {
      out += 't';
      out += std::to_string(text->size());
      out += ':';
      out += *text;
    } else if (const auto* real = std::get_if<double>(&value)) {
      out += 'r';
      out += std::to_string(std::bit_cast<std::uint64_t>(*real));
      out += ';';
    } else {
      out += 'n';
    }
  }
  return out;
}

template <typename Record, typename Fill>
Status Importer::WriteTable(const TableSpec& spec, const std::vector<Record>& records, Fill fill) {
  TableCounts& counts = report_.tables.emplace_back();
  counts.table = spec.table;
  if (records.empty()) return {};
  const std::size_t n = spec.columns.size();
  const std::size_t k = spec.key_count;
  std::vector<std::string_view> column_names;
  for (const internal::ColumnSpec& column : spec.columns) column_names.push_back(column.name);
  CIRRUS_ASSIGN_OR_RETURN(internal::BulkInsert insert, internal::BulkInsert::Start(db_, spec.table, column_names));
  CIRRUS_ASSIGN_OR_RETURN(auto update,
                          db_.Prepare("UPDATE " + std::string(spec.table) + " SET " + Assignments(spec, k, n) + " " +
                                      internal::KeyWhere(spec, n - k + 1)));

  // A patient's new rows of one table are one audit entry holding every row:
  // the same who, when and what, at a fraction of the bytes and rows that an
  // entry per lab would cost a million-lab import. Updates keep an entry each.
  const bool group_inserts = spec.patient_column >= 0 && &spec != &internal::PatientsTable();
  std::map<std::string, std::pair<std::string, std::string>> inserted_by_patient;
  std::pair<std::string, std::string>* current_group = nullptr;
  std::string group_patient;
  std::string touched_patient;
  std::string touched_date;
  // Rows of a patient who has none stored in this table cannot exist: skip
  // the lookup (one query per patient instead of one per row).
  auto patient_of = [](const Record& record) -> std::string_view {
    if constexpr (requires { record.patient; }) {
      return record.patient;
    } else {
      return {};
    }
  };
  std::set<std::string, std::less<>> patients_with_rows;
  const bool patient_table = spec.patient_column == 0 && &spec != &internal::PatientsTable();
  // Other tables (sites, studies, arms, schedule, patients) are looked up row by row.
  std::unique_ptr<internal::Statement> select;
  if (!patient_table) {
    CIRRUS_ASSIGN_OR_RETURN(select, db_.Prepare(internal::SelectColumns(spec) + " " + internal::KeyWhere(spec)));
  }
  if (patient_table) {
    CIRRUS_ASSIGN_OR_RETURN(auto any_row,
                            db_.Prepare("SELECT 1 FROM " + std::string(spec.table) + " WHERE patient = $1 LIMIT 1"));
    std::set<std::string_view> asked;
    for (const Record& record : records) {
      const std::string_view code = patient_of(record);
      if (!asked.insert(code).second) continue;
      const SqlValue params[] = {code};
      CIRRUS_RETURN_IF_ERROR(any_row->Query(params, [&](const RowView&) -> Status {
        patients_with_rows.emplace(code);
        return {};
      }));
    }
  }
  // A patient's stored rows of this table are read once, when the loop
  // reaches their first record (records come grouped by patient), and looked
  // up by key in memory: no query per row, and queued inserts of other
  // patients cannot be what a lookup should have seen.
  // Only the stored rows whose second key column (a lab's date, an
  // infusion's number) lies within the range of the patient's records are
  // read: a follow-up import then reads no years of history.
  std::unique_ptr<internal::Statement> select_patient;
  const bool ranged = k >= 2;
  if (patient_table) {
    const std::string second = ranged && spec.columns[1].type == internal::ColumnType::kText
                                   ? internal::Bytewise(db_.dialect(), spec.columns[1].name)
                                   : std::string(ranged ? spec.columns[1].name : "");
    CIRRUS_ASSIGN_OR_RETURN(
        select_patient, db_.Prepare(internal::SelectColumns(spec) + " WHERE patient = $1" +
                                    (ranged ? " AND " + second + " >= $2 AND " + second + " <= $3" : std::string())));
  }
  Cells range_cells;
  StoredValue range_low;
  StoredValue range_high;
  std::unordered_map<std::string, std::vector<StoredValue>> stored_rows;  // KeyBytes -> row, of one patient
  std::string stored_rows_of;
  const std::vector<std::uint32_t> order = InsertOrder(records);
  // The rows of patients with none stored in this table are all inserts, so
  // their audit images are built on a second thread while this one inserts,
  // in the same order this loop would have appended them.
  using Images = std::map<std::string_view, std::pair<std::string, std::string>>;  // patient -> (site, rows)
  std::future<Images> new_images;
  const bool images_beside = group_inserts && patient_table && spec.site_column >= 0;
  if (images_beside) {
    new_images = std::async(std::launch::async, [&] {
      Images images;
      Cells image_cells;
      std::string_view last;
      std::pair<std::string, std::string>* image = nullptr;  // null: the patient has rows stored
      for (std::size_t i = 0; i < order.size(); ++i) {
        const std::uint32_t index = order[i];
        const std::string_view code = patient_of(records[index]);
        if (i == 0 || code != last) {
          last = code;
          image = patients_with_rows.count(code) == 0 ? &images[code] : nullptr;
        }
        if (image == nullptr) continue;
        image_cells.Clear();
        fill(records[index], image_cells);
        const std::span<const SqlValue> values = image_cells.values();
        image->first = std::get<std::string_view>(values[static_cast<std::size_t>(spec.site_column)]);
        if (!image->second.empty()) image->second += ',';
        internal::AppendRowValues(spec, values, image->second);
      }
      return images;
    });
  }
  Cells cells;
  std::vector<StoredValue> stored(n);
  std::vector<SqlValue> update_params(n);
  std::vector<SqlValue> before_view(n);
  std::string last_patient;
  bool patient_is_new = false;
  bool patient_has_rows = false;
  for (std::size_t at = 0; at < order.size(); ++at) {
    const Record& record = records[order[at]];
    cells.Clear();
    fill(record, cells);
    const std::span<const SqlValue> values = cells.values();
    bool exists = false;
    if (patient_table) {
      const std::string_view code = patient_of(record);
      if (patients_with_rows.count(code) > 0) {
        if (code != stored_rows_of) {
          stored_rows_of = code;
          stored_rows.clear();
          std::vector<SqlValue> params = {code};
          if (ranged) {
            // The patient's records follow this one in `order`. The bounds are
            // copied: a view into range_cells changes with its next fill.
            range_low = internal::Owned(values[1]);
            range_high = range_low;
            for (std::size_t next = at + 1; next < order.size() && patient_of(records[order[next]]) == code; ++next) {
              range_cells.Clear();
              fill(records[order[next]], range_cells);
              const SqlValue& value = range_cells.values()[1];
              if (SqlLess(value, internal::View(range_low))) range_low = internal::Owned(value);
              if (SqlLess(internal::View(range_high), value)) range_high = internal::Owned(value);
            }
            params.push_back(internal::View(range_low));
            params.push_back(internal::View(range_high));
          }
          std::vector<SqlValue> key(k);
          CIRRUS_RETURN_IF_ERROR(select_patient->Query(params, [&](const RowView& row) -> Status {
            std::vector<StoredValue> row_values(n);
            internal::ReadStored(row, spec, row_values);
            for (std::size_t i = 0; i < k; ++i) key[i] = internal::View(row_values[i]);
            std::string bytes = KeyBytes(key);
            stored_rows.emplace(std::move(bytes), std::move(row_values));
            return {};
          }));
        }
        if (auto it = stored_rows.find(KeyBytes(cells.key(spec))); it != stored_rows.end()) {
          exists = true;
          stored = it->second;
        }
      }
    } else {
      bool may_exist = true;
      if constexpr (std::is_same_v<Record, core::Patient>) may_exist = new_patients_.count(record.code) == 0;
      if (may_exist) {
        // Queued rows are not yet in the table the lookup reads.
        CIRRUS_RETURN_IF_ERROR(insert.Flush());
        CIRRUS_RETURN_IF_ERROR(select->Query(cells.key(spec), [&](const RowView& row) -> Status {
          exists = true;
          internal::ReadStored(row, spec, stored);
          return {};
        }));
      }
    }
    const std::string_view patient =
        spec.patient_column >= 0 ? std::get<std::string_view>(values[static_cast<std::size_t>(spec.patient_column)])
                                 : std::string_view{};
    const std::string_view site = spec.site_column >= 0
                                      ? std::get<std::string_view>(values[static_cast<std::size_t>(spec.site_column)])
                                      : std::string_view{};
    if (patient != last_patient) {
      last_patient = patient;
      patient_is_new = new_patients_.count(patient) > 0;
      patient_has_rows = patients_with_rows.count(patient) > 0;
    }
    bool changed = !exists;
    if (exists) {
      bool same = true;
      for (std::size_t i = 0; i < n && same; ++i) same = Equal(stored[i], values[i]);
      if (same) {
        ++counts.unchanged;
        continue;
      }
      changed = true;
      if (options_.reason.empty()) {
        std::string what;
        for (std::size_t i = k; i < n; ++i) {
          if (!Equal(stored[i], values[i])) {
            if (!what.empty()) what += ", ";
            what += spec.columns[i].name;
          }
        }
        Problem(record.origin, "", internal::KeyText(spec, values),
                std::string(spec.entity) + " " + internal::KeyText(spec, values) +
                    " is already stored with a different " + what +
                    "; changing a stored record needs a reason (--reason)");
        continue;
      }
      for (std::size_t i = 0; i < n - k; ++i) update_params[i] = values[k + i];
      for (std::size_t i = 0; i < k; ++i) update_params[n - k + i] = values[i];
      CIRRUS_RETURN_IF_ERROR(update->Run(update_params));
      for (std::size_t i = 0; i < n; ++i) before_view[i] = internal::View(stored[i]);
      CIRRUS_RETURN_IF_ERROR(audit_->Append("update", spec, internal::KeyText(spec, values), patient, site,
                                            internal::RowJson(spec, before_view), internal::RowJson(spec, values)));
      ++counts.updated;
    } else {
      CIRRUS_RETURN_IF_ERROR(insert.Add(values));
      if (!group_inserts) {
        CIRRUS_RETURN_IF_ERROR(audit_->Append("insert", spec, internal::KeyText(spec, values), patient, site, {},
                                              internal::RowJson(spec, values)));
      } else if (!images_beside || patient_has_rows) {  // else its image is built beside this loop
        // Rows come grouped by patient: look the patient up only when it changes.
        if (current_group == nullptr || group_patient != patient) {
          current_group = &inserted_by_patient[std::string(patient)];
          group_patient = patient;
        }
        auto& [group_site, rows] = *current_group;
        group_site = site;
        if (!rows.empty()) rows += ',';
        internal::AppendRowValues(spec, values, rows);
      }
      ++counts.inserted;
    }
    if (changed && (&spec == &internal::LabsTable() || &spec == &internal::AssessmentsTable())) {
      // A visit's labs come together: skip the set when the date has not changed.
      // New patients' scores come from the batch (see Run).
      const std::string_view date = std::get<std::string_view>(values[1]);
      if (!patient_is_new && (patient != touched_patient || date != touched_date)) {
        touched_.emplace(std::string(patient), std::string(date));
        touched_date = date;
      }
      touched_patient = patient;
    }
  }
  CIRRUS_RETURN_IF_ERROR(insert.Flush());
  if (images_beside) {
    for (auto& [code, image] : new_images.get()) inserted_by_patient.emplace(std::string(code), std::move(image));
  }
  for (const auto& [patient, group] : inserted_by_patient) {
    CIRRUS_RETURN_IF_ERROR(
        audit_->Append("insert", spec, patient, patient, group.first, {}, internal::RowsImage(spec, group.second)));
  }
  return {};
}

Result<ImportReport> Importer::Run() {
  if (options_.actor.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "an import needs the name of who makes it (--actor or $USER)", "actor");
  }
  today_ = options_.today.value_or(internal::UtcToday());
  CIRRUS_RETURN_IF_ERROR(db_.BeginWrite());
  auto body = [&]() -> Status {
    CIRRUS_RETURN_IF_ERROR(Validate());
    if (report_.problem_count > 0) return {};
    // Patients new to the registry have everything in this batch: their scores
    // are computed from it on a second thread while the rows are written,
    // instead of read back afterwards. Stored patients' scores are recomputed
    // from what is stored once the writes are done.
    // By code (key order), so that their score rows append to derived_scores' B-tree.
    std::map<std::string_view, internal::BatchPatientFacts> by_code;
    for (const core::Patient& p : batch_.patients) {
      if (new_patients_.count(p.code) > 0) by_code[p.code].patient = &p;
    }
    for (const core::LabResult& r : batch_.labs) {
      if (auto it = by_code.find(r.patient); it != by_code.end()) it->second.labs.push_back(&r);
    }
    for (const core::Assessment& r : batch_.assessments) {
      if (auto it = by_code.find(r.patient); it != by_code.end()) it->second.assessments.push_back(&r);
    }
    std::vector<internal::BatchPatientFacts> new_facts;
    new_facts.reserve(by_code.size());
    for (auto& [code, facts] : by_code) new_facts.push_back(std::move(facts));
    // std::async's future joins on destruction, so no path leaves the thread running.
    auto new_scores = std::async(std::launch::async, [&new_facts] { return internal::ScoresFromBatch(new_facts); });
    CIRRUS_ASSIGN_OR_RETURN(auto writer, internal::AuditWriter::Start(db_, options_.actor, options_.reason));
    audit_ = std::make_unique<internal::AuditWriter>(std::move(writer));
    auto site_of = [&](const std::string& patient) -> std::string_view { return patient_sites_.at(patient); };
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::SitesTable(), batch_.sites,
                                      [](const core::Site& r, Cells& c) { internal::ToCells(r, c); }));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::StudiesTable(), batch_.studies,
                                      [](const core::Study& r, Cells& c) { internal::ToCells(r, c); }));
    CIRRUS_RETURN_IF_ERROR(
        WriteTable(internal::ArmsTable(), batch_.arms, [](const core::Arm& r, Cells& c) { internal::ToCells(r, c); }));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::ScheduleTable(), batch_.schedule,
                                      [](const core::ScheduledVisit& r, Cells& c) { internal::ToCells(r, c); }));
    const std::size_t patient_updates_before = report_.tables.size();
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::PatientsTable(), batch_.patients,
                                      [](const core::Patient& r, Cells& c) { internal::ToCells(r, c); }));
    const bool patients_updated = report_.tables[patient_updates_before].updated > 0;
    auto patient_fill = [&](const auto& r, Cells& c) { internal::ToCells(r, site_of(r.patient), c); };
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::InfusionsTable(), batch_.infusions, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::ProceduresTable(), batch_.procedures, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::MedicationsTable(), batch_.medications, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::VisitsTable(), batch_.visits, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::LabsTable(), batch_.labs, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::AssessmentsTable(), batch_.assessments, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::EventsTable(), batch_.events, patient_fill));
    CIRRUS_RETURN_IF_ERROR(WriteTable(internal::AdverseEventsTable(), batch_.adverse_events, patient_fill));
    if (report_.problem_count > 0) return {};
    if (patients_updated) {
      // Sex, birth year and aetiology enter the scores of every visit.
      for (const core::Patient& p : batch_.patients) {
        const SqlValue params[] = {std::string_view(p.code), std::string_view(p.code)};
        CIRRUS_RETURN_IF_ERROR(
            db_.Query("SELECT date FROM labs WHERE patient = $1 UNION SELECT date FROM "
                      "assessments WHERE patient = $2",
                      params, [&](const RowView& row) -> Status {
                        touched_.emplace(p.code, std::string(row.Text(0)));
                        return {};
                      }));
      }
    }
    const std::vector<internal::PatientDate> touched(touched_.begin(), touched_.end());
    CIRRUS_ASSIGN_OR_RETURN(report_.scores_written, internal::RecomputeScores(db_, touched));
    CIRRUS_ASSIGN_OR_RETURN(const std::vector<internal::BatchScores> batch_scores, new_scores.get());
    CIRRUS_ASSIGN_OR_RETURN(const std::int64_t new_written, internal::InsertBatchScores(db_, batch_scores));
    report_.scores_written += new_written;
    return {};
  };
  Status status = body();
  if (!status || report_.problem_count > 0 || options_.mode == ImportMode::kDryRun) {
    Status rollback = db_.Rollback();
    if (!status) return Fail(status.error());
    if (!rollback) return Fail(rollback.error());
    return report_;
  }
  CIRRUS_RETURN_IF_ERROR(db_.Commit());
  report_.written = true;
  return report_;
}

}  // namespace

Result<ImportReport> Registry::Import(const core::RegistryBatch& batch, const ImportOptions& options) {
  Importer importer(*connection_, batch, options);
  return importer.Run();
}

}  // namespace cirrus::store
