// cirrus/store/registry.hpp: the long-term follow-up registry.
//
// One interface over SQLite (a file, the default) and PostgreSQL (a server
// URL, for multi-centre use), with one schema and one code path. Every write
// goes through Import: it validates the whole batch against what is stored,
// writes it in one transaction with its audit rows, and recomputes the
// derived scores of every visit it touched. A batch with any problem writes
// nothing.
//
// Example:
//   auto registry = cirrus::store::Registry::Create("followup.db");
//   cirrus::store::ImportOptions options{.actor = "jdoe"};
//   auto report = registry->Import(batch, options);
//   if (report && report->problems.empty()) ... report->tables[...].inserted ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"

namespace cirrus::store {

namespace internal {
class Connection;
}

enum class ImportMode {
  kApply,   ///< write the batch
  kDryRun,  ///< validate and count, write nothing
};

struct ImportOptions {
  std::string actor;   ///< who: recorded in the audit trail; required
  std::string reason;  ///< why: required when the batch changes an existing record
  ImportMode mode = ImportMode::kApply;
  /// Facts dated after this day are refused; empty means today (UTC).
  std::optional<core::Date> today;
  std::size_t max_problems = 100;
};

/// What an import did (or, in a dry run, would do) to one table.
struct TableCounts {
  std::string table;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
};

struct ImportReport {
  std::vector<TableCounts> tables;            ///< in write order, every table of the batch
  std::vector<core::RecordProblem> problems;  ///< up to max_problems; non-empty means nothing was written
  std::size_t problem_count = 0;              ///< all problems found
  std::int64_t scores_written = 0;            ///< derived score rows inserted or changed
  bool written = false;                       ///< true when the batch was committed
};

struct DeleteOptions {
  std::string actor;   ///< who: required
  std::string reason;  ///< why: required
};

/// One patient in a listing.
struct PatientSummary {
  std::string code;
  std::string site;
  std::string study;
  std::string arm;
  std::string status;
  std::optional<core::Date> enrolment;
  std::optional<core::Date> last_contact;  ///< latest dated fact of any kind
};

/// A score the registry derived from a visit's facts.
struct DerivedScore {
  core::Date date;
  std::string score;  ///< "child-pugh", "meld", "meld-na", "meld3", "albi"
  double value = 0;
  std::string score_class;  ///< Child-Pugh class "A"-"C", ALBI grade "1"-"3"; empty for MELD
  std::string version;      ///< the algorithm and its version, from the scores library
};

/// Everything stored about one patient.
struct PatientRecord {
  core::RegistryBatch facts;  ///< the patient, and their site, study and arm, and every fact
  std::vector<DerivedScore> scores;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string recorded_at;  ///< UTC, ISO 8601 with microseconds
  std::string actor;
  std::string action;  ///< insert, update, delete
  std::string entity;  ///< "lab", "patient", ...
  std::string entity_key;
  std::string patient;
  std::string site;
  std::string before;  ///< JSON object of the stored columns; empty for an insert
  std::string after;   ///< JSON object; empty for a delete
  std::string reason;
  std::string hash;  ///< hex BLAKE2b-256 of the previous hash and this entry
};

struct AuditVerification {
  std::int64_t entries = 0;
  /// The first entry whose hash does not match, with why; empty when the chain is intact.
  std::optional<std::int64_t> first_bad_seq;
  std::string problem;
};

/// One finding of the data-quality checks.
struct Finding {
  std::string check;  ///< e.g. "overdue-visit", "after-death"
  std::string patient;
  std::string site;
  std::optional<core::Date> date;
  std::string message;
};

struct CheckOptions {
  std::optional<core::Date> today;  ///< empty: today (UTC)
  std::optional<std::string> site;  ///< only this site's patients
};

class Registry {
 public:
  /// Opens `location` (a file path or "sqlite:PATH", or "postgresql://..."),
  /// creating it if needed, and brings its schema to the current version.
  static Result<Registry> Create(std::string_view location);
  /// Opens an existing registry at the current schema version. Errors:
  /// kNotFound (no such file), kFailedPrecondition (not initialised, or an
  /// older schema: run `cirrus init`), kUnavailable (server unreachable).
  static Result<Registry> Open(std::string_view location);

  Registry(Registry&&) noexcept;
  Registry& operator=(Registry&&) noexcept;
  ~Registry();

  /// Validates and writes `batch` in one transaction (see the file comment).
  /// Problems with the data are in the report, not an Error; an Error means
  /// the import could not be attempted (database unavailable, bad options).
  Result<ImportReport> Import(const core::RegistryBatch& batch, const ImportOptions& options);

  /// Everything stored, or one site's patients and their facts (with the
  /// sites, studies, arms and schedule they refer to), in natural-key order.
  Result<core::RegistryBatch> Export(const std::optional<std::string>& site);

  /// Deletes one stored record, named by its table ("labs", "visits", ...,
  /// as in docs/data-model.md) and the values of its natural key in order
  /// ("FR01-0001", "2024-03-01", "ALB"), with an audit entry holding its
  /// before-image, and recomputes the derived scores of its visit. A record
  /// that others refer to (a patient with facts, a site with patients) is
  /// refused. Errors: kInvalidArgument (unknown table, wrong key, no actor or
  /// reason), kNotFound (no such record), kFailedPrecondition (still referred to).
  Status Delete(std::string_view table, std::span<const std::string> key, const DeleteOptions& options);

  Result<std::vector<PatientSummary>> ListPatients(const std::optional<std::string>& site);

  /// Errors: kNotFound when no patient has the code.
  Result<PatientRecord> LoadPatient(std::string_view code);

  /// The audit trail, oldest first; only one patient's when `patient` is set.
  Result<std::vector<AuditEntry>> Audit(const std::optional<std::string>& patient);

  /// Recomputes the hash chain from the first entry.
  Result<AuditVerification> VerifyAudit();

  /// Runs every data-quality check (docs/data-model.md lists them).
  Result<std::vector<Finding>> Check(const CheckOptions& options);

 private:
  explicit Registry(std::unique_ptr<internal::Connection> connection);
  std::unique_ptr<internal::Connection> connection_;
};

}  // namespace cirrus::store
