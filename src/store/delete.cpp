// Registry::Delete: one record out, its before-image into the audit trail.
#include <string>
#include <vector>

#include "cirrus/store/registry.hpp"
#include "internal/audit.hpp"
#include "internal/database.hpp"
#include "internal/derived_scores.hpp"
#include "internal/tables.hpp"

namespace cirrus::store {
namespace {

using internal::SqlValue;
using internal::TableSpec;

Result<const TableSpec*> FindTable(std::string_view table) {
  std::string names;
  for (const TableSpec* spec : internal::ImportedTables()) {
    if (spec->table == table) return spec;
    names += (names.empty() ? "" : ", ") + std::string(spec->table);
  }
  return Fail(ErrorCode::kInvalidArgument, "no table \"" + std::string(table) + "\"; the tables are " + names, "table");
}

Result<std::vector<SqlValue>> KeyValues(const TableSpec& spec, std::span<const std::string> key) {
  if (key.size() != spec.key_count) {
    std::string columns;
    for (std::size_t i = 0; i < spec.key_count; ++i) columns += (i > 0 ? ", " : "") + std::string(spec.columns[i].name);
    return Fail(ErrorCode::kInvalidArgument,
                "a record of " + std::string(spec.table) + " is named by " + std::to_string(spec.key_count) +
                    " values (" + columns + "), not " + std::to_string(key.size()),
                "key");
  }
  std::vector<SqlValue> values;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (spec.columns[i].type == internal::ColumnType::kInt) {
      std::size_t used = 0;
      long long number = 0;
      try {
        number = std::stoll(key[i], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != key[i].size()) {
        return Fail(ErrorCode::kInvalidArgument,
                    std::string(spec.columns[i].name) + " \"" + key[i] + "\" is not a whole number", "key");
      }
      values.emplace_back(static_cast<std::int64_t>(number));
    } else {
      values.emplace_back(std::string_view(key[i]));
    }
  }
  return values;
}

}  // namespace

Status Registry::Delete(std::string_view table, std::span<const std::string> key, const DeleteOptions& options) {
  if (options.actor.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "a deletion needs the name of who makes it (--actor or $USER)", "actor");
  }
  if (options.reason.empty())
    return Fail(ErrorCode::kInvalidArgument, "a deletion needs a reason (--reason)", "reason");
  CIRRUS_ASSIGN_OR_RETURN(const TableSpec* spec, FindTable(table));
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<SqlValue> key_values, KeyValues(*spec, key));
  internal::Connection& db = *connection_;
  CIRRUS_RETURN_IF_ERROR(db.BeginWrite());
  auto body = [&]() -> Status {
    std::vector<internal::StoredValue> stored;
    bool found = false;
    CIRRUS_RETURN_IF_ERROR(db.Query(internal::SelectColumns(*spec) + " " + internal::KeyWhere(*spec), key_values,
                                    [&](const internal::RowView& row) -> Status {
                                      found = true;
                                      internal::ReadStored(row, *spec, stored);
                                      return {};
                                    }));
    const std::string key_text = internal::KeyText(*spec, key_values);
    if (!found) {
      return Fail(ErrorCode::kNotFound, "no " + std::string(spec->entity) + " " + key_text + " in the registry", "key");
    }
    std::vector<SqlValue> before(stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) before[i] = internal::View(stored[i]);
    auto text_at = [&](int column) -> std::string {
      if (column < 0) return {};
      const auto* text = std::get_if<std::string>(&stored[static_cast<std::size_t>(column)]);
      return text != nullptr ? *text : std::string();
    };
    const std::string patient = text_at(spec->patient_column);
    const std::string site = text_at(spec->site_column);
    // Derived scores hang off the patient; they go with the patient.
    if (spec == &internal::PatientsTable()) {
      const SqlValue param[] = {std::string_view(patient)};
      CIRRUS_RETURN_IF_ERROR(db.Run("DELETE FROM derived_scores WHERE patient = $1", param));
    }
    auto deleted = db.Run("DELETE FROM " + std::string(spec->table) + " " + internal::KeyWhere(*spec), key_values);
    if (!deleted) {
      if (deleted.error().code == ErrorCode::kInvalidArgument) {
        return Fail(ErrorCode::kFailedPrecondition,
                    std::string(spec->entity) + " " + key_text +
                        " is still referred to (a patient's facts, a site's or study's patients, an arm's "
                        "patients): delete those first",
                    "key");
      }
      return Fail(deleted.error());
    }
    CIRRUS_ASSIGN_OR_RETURN(auto audit, internal::AuditWriter::Start(db, options.actor, options.reason));
    CIRRUS_RETURN_IF_ERROR(
        audit.Append("delete", *spec, key_text, patient, site, internal::RowJson(*spec, before), {}));
    if (spec == &internal::LabsTable() || spec == &internal::AssessmentsTable()) {
      const std::vector<internal::PatientDate> touched = {{patient, text_at(1)}};
      CIRRUS_RETURN_IF_ERROR(internal::RecomputeScores(db, touched));
    }
    return {};
  };
  Status status = body();
  if (!status) {
    (void)db.Rollback();
    return status;
  }
  return db.Commit();
}

}  // namespace cirrus::store
