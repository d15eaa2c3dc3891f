// How each record type of core/registry.hpp maps to its table: the columns
// (natural key first), the values of a record as SQL parameters, and the
// record read back from a row. The registry's generic upsert, audit and
// export code works from these descriptions alone.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "internal/database.hpp"

namespace cirrus::store::internal {

enum class ColumnType { kText, kInt, kReal };

struct ColumnSpec {
  std::string_view name;
  ColumnType type;
};

struct TableSpec {
  std::string_view table;               ///< SQL table
  std::string_view entity;              ///< audit entity, singular
  std::span<const ColumnSpec> columns;  ///< the key's columns first
  std::size_t key_count;
  int patient_column;  ///< the column holding the patient's code, -1 for none
  int site_column;     ///< the column holding the site's code, -1 for none
};

/// The SQL parameters of one row, with storage for text made on the way
/// (formatted dates, numbers) that must outlive the statement's Run.
class Cells {
 public:
  Cells() { values_.reserve(kMaxColumns); }
  void Clear() {
    values_.clear();
    owned_used_ = 0;
  }
  void Null() { values_.emplace_back(std::monostate{}); }
  void Int(std::int64_t value) { values_.emplace_back(value); }
  void Real(double value) { values_.emplace_back(value); }
  /// `text` must outlive the statement's Run (a record's own strings do).
  void Text(std::string_view text) { values_.emplace_back(text); }
  void Own(std::string text);
  void Date(core::Date date);
  template <typename T>
  void Optional(const std::optional<T>& value) {
    if (!value) {
      Null();
    } else if constexpr (std::is_same_v<T, core::Date>) {
      Date(*value);
    } else if constexpr (std::is_same_v<T, double>) {
      Real(*value);
    } else if constexpr (std::is_integral_v<T>) {
      Int(*value);
    } else {
      Text(core::Code(*value));
    }
  }
  [[nodiscard]] std::span<const SqlValue> values() const { return values_; }
  [[nodiscard]] std::span<const SqlValue> key(const TableSpec& spec) const {
    return std::span<const SqlValue>(values_).first(spec.key_count);
  }

 private:
  static constexpr std::size_t kMaxColumns = 16;
  std::vector<SqlValue> values_;
  std::array<std::string, kMaxColumns> owned_;
  std::size_t owned_used_ = 0;
};

/// Specs of every table, in the order an import writes them (referenced
/// tables before the ones that refer to them).
const TableSpec& SitesTable();
const TableSpec& StudiesTable();
const TableSpec& ArmsTable();
const TableSpec& ScheduleTable();
const TableSpec& PatientsTable();
const TableSpec& InfusionsTable();
const TableSpec& ProceduresTable();
const TableSpec& MedicationsTable();
const TableSpec& VisitsTable();
const TableSpec& LabsTable();
const TableSpec& AssessmentsTable();
const TableSpec& EventsTable();
const TableSpec& AdverseEventsTable();
const TableSpec& DerivedScoresTable();

/// The values of a record in its table's column order. Patient-scoped
/// records take the patient's site, which the record itself does not carry.
void ToCells(const core::Site& record, Cells& cells);
void ToCells(const core::Study& record, Cells& cells);
void ToCells(const core::Arm& record, Cells& cells);
void ToCells(const core::ScheduledVisit& record, Cells& cells);
void ToCells(const core::Patient& record, Cells& cells);
void ToCells(const core::Infusion& record, std::string_view site, Cells& cells);
void ToCells(const core::Procedure& record, std::string_view site, Cells& cells);
void ToCells(const core::Medication& record, std::string_view site, Cells& cells);
void ToCells(const core::Visit& record, std::string_view site, Cells& cells);
void ToCells(const core::LabResult& record, std::string_view site, Cells& cells);
void ToCells(const core::Assessment& record, std::string_view site, Cells& cells);
void ToCells(const core::OutcomeEvent& record, std::string_view site, Cells& cells);
void ToCells(const core::AdverseEvent& record, std::string_view site, Cells& cells);

/// A record from a row whose columns are its spec's, in order. Errors:
/// kDataLoss when a stored value is not one cirrus writes.
Status FromRow(const RowView& row, core::Site& record);
Status FromRow(const RowView& row, core::Study& record);
Status FromRow(const RowView& row, core::Arm& record);
Status FromRow(const RowView& row, core::ScheduledVisit& record);
Status FromRow(const RowView& row, core::Patient& record);
Status FromRow(const RowView& row, core::Infusion& record);
Status FromRow(const RowView& row, core::Procedure& record);
Status FromRow(const RowView& row, core::Medication& record);
Status FromRow(const RowView& row, core::Visit& record);
Status FromRow(const RowView& row, core::LabResult& record);
Status FromRow(const RowView& row, core::Assessment& record);
Status FromRow(const RowView& row, core::OutcomeEvent& record);
Status FromRow(const RowView& row, core::AdverseEvent& record);

/// Every table an import writes, in write order (not derived_scores).
std::span<const TableSpec* const> ImportedTables();

/// A stored cell, owned (a RowView's text dies with its callback).
using StoredValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// Reads a row whose columns are the spec's into `out` (resized to fit), typed by the spec.
void ReadStored(const RowView& row, const TableSpec& spec, std::vector<StoredValue>& out);

/// A view of a stored cell as a parameter (valid while `value` lives).
SqlValue View(const StoredValue& value);

/// A parameter's value copied into a cell that owns its text (View's inverse).
StoredValue Owned(const SqlValue& value);

/// "WHERE k1 = $1 AND k2 = $2 ..." over the spec's key columns, parameters from `first`.
std::string KeyWhere(const TableSpec& spec, std::size_t first = 1);

/// "SELECT <columns> FROM <table>" (callers append WHERE/ORDER BY).
std::string SelectColumns(const TableSpec& spec);

/// Aetiologies as stored: codes joined by ';' in enum order ("HBV;alcohol").
std::string AetiologyText(core::AetiologySet set);

}  // namespace cirrus::store::internal
