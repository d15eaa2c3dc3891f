// The audit trail: append-only, written in the same transaction as the
// change it records, and hash-chained: each entry's hash covers the previous
// entry's hash and every field of its own, so editing, deleting or
// reordering any entry breaks every later hash (VerifyAuditChain).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"
#include "cirrus/store/registry.hpp"
#include "internal/database.hpp"
#include "internal/tables.hpp"

namespace cirrus::store::internal {

/// The hash of the entry before the first: 64 zeros.
std::string_view GenesisHash();

/// Hex BLAKE2b-256 over the previous hash and every field of `entry` (hash itself excluded).
std::string AuditHash(std::string_view prev_hash, const AuditEntry& entry);

/// A JSON object of a row's columns, in the spec's column order: the
/// before/after images of audit entries. Deterministic, so hashes reproduce.
std::string RowJson(const TableSpec& spec, std::span<const SqlValue> values);

/// Appends a row's values as a JSON array to `out`, in the spec's column
/// order without the patient and site (the audit entry carries those).
void AppendRowValues(const TableSpec& spec, std::span<const SqlValue> values, std::string& out);

/// The image of several inserted rows of one patient in one table:
/// {"columns":["date","analyte",...],"rows":[[...],[...]]}; `rows_json` is
/// the rows' AppendRowValues joined by commas.
std::string RowsImage(const TableSpec& spec, std::string_view rows_json);

/// The natural key as text: the key columns joined by '/' ("P-001/2024-03-01/ALB").
std::string KeyText(const TableSpec& spec, std::span<const SqlValue> values);

/// Appends entries within the caller's write transaction.
class AuditWriter {
 public:
  /// Reads the chain's tail. Call after BeginWrite, so no other writer can append meanwhile.
  static Result<AuditWriter> Start(Connection& connection, std::string actor, std::string reason);

  /// Records one change; `before`/`after` are empty for inserts/deletes.
  Status Append(std::string_view action, const TableSpec& spec, std::string_view key, std::string_view patient,
                std::string_view site, std::string before, std::string after);

  [[nodiscard]] std::int64_t appended() const { return appended_; }

 private:
  AuditWriter(std::unique_ptr<Statement> insert, std::int64_t last_seq, std::string last_hash, std::string actor,
              std::string reason, std::string now);
  std::unique_ptr<Statement> insert_;
  std::int64_t last_seq_;
  std::string last_hash_;
  std::string actor_;
  std::string reason_;
  std::string now_;  // one timestamp per transaction: the moment the import was written
  std::int64_t appended_ = 0;
  AuditEntry entry_;  // reused buffer
};

/// UTC now as "YYYY-MM-DDTHH:MM:SS.ffffffZ".
std::string UtcTimestamp();
/// Today's date in UTC.
core::Date UtcToday();

/// Reads entries (oldest first), optionally one patient's.
Result<std::vector<AuditEntry>> ReadAudit(Connection& connection, const std::optional<std::string>& patient);

/// Recomputes the chain over every entry.
Result<AuditVerification> VerifyAuditChain(Connection& connection);

}  // namespace cirrus::store::internal
