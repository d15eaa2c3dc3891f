#include "internal/schema.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cirrus::store::internal {
namespace {

struct Migration {
  int version;
  std::string_view description;
  // Written once; "@WITHOUT_ROWID@" becomes SQLite's WITHOUT ROWID (a
  // clustered primary key: labs are stored in (patient, date, analyte) order)
  // and nothing on PostgreSQL.
  std::string_view sql;
  std::string_view sqlite_only;    // extra statements for SQLite
  std::string_view postgres_only;  // extra statements for PostgreSQL
};

// Natural keys are the primary keys: they are what an import matches on, and
// they make every table readable without joins. `site` is on every patient
// row so that per-site access and export are one indexed predicate.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
CREATE TABLE sites (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  country TEXT NOT NULL
);
CREATE TABLE studies (
  code TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  registration TEXT NOT NULL
);
CREATE TABLE arms (
  study TEXT NOT NULL REFERENCES studies(code),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  product TEXT,
  route TEXT,
  PRIMARY KEY (study, code)
)@WITHOUT_ROWID@;
CREATE TABLE schedule (
  study TEXT NOT NULL REFERENCES studies(code),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  day INTEGER NOT NULL,
  window_before INTEGER NOT NULL,
  window_after INTEGER NOT NULL,
  anchor TEXT NOT NULL,
  PRIMARY KEY (study, code)
)@WITHOUT_ROWID@;
CREATE TABLE patients (
  code TEXT PRIMARY KEY,
  site TEXT NOT NULL REFERENCES sites(code),
  study TEXT NOT NULL REFERENCES studies(code),
  arm TEXT,
  sex TEXT,
  birth_year INTEGER,
  aetiology TEXT NOT NULL,
  cirrhosis_diagnosis TEXT,
  first_decompensation TEXT,
  enrolment TEXT,
  status TEXT NOT NULL,
  FOREIGN KEY (study, arm) REFERENCES arms(study, code)
);
CREATE INDEX patients_by_site ON patients(site, code);
CREATE TABLE infusions (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  number INTEGER NOT NULL,
  course INTEGER NOT NULL,
  date TEXT NOT NULL,
  product TEXT NOT NULL,
  source TEXT NOT NULL,
  dose DOUBLE PRECISION,
  dose_unit TEXT NOT NULL,
  route TEXT NOT NULL,
  PRIMARY KEY (patient, number)
)@WITHOUT_ROWID@;
CREATE TABLE procedures (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  date TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (patient, kind, date)
)@WITHOUT_ROWID@;
CREATE TABLE medications (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  class TEXT NOT NULL,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT,
  dose TEXT NOT NULL,
  PRIMARY KEY (patient, class, name, start_date)
)@WITHOUT_ROWID@;
CREATE TABLE visits (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  date TEXT NOT NULL,
  code TEXT NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (patient, date)
)@WITHOUT_ROWID@;
CREATE TABLE labs (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  date TEXT NOT NULL,
  analyte TEXT NOT NULL,
  value_as_entered TEXT NOT NULL,
  unit_as_entered TEXT NOT NULL,
  value DOUBLE PRECISION,
  unit TEXT NOT NULL,
  loinc TEXT NOT NULL,
  comparator TEXT NOT NULL,
  missing_reason TEXT,
  PRIMARY KEY (patient, date, analyte),
  CHECK ((value IS NULL) <> (missing_reason IS NULL))
)@WITHOUT_ROWID@;
CREATE TABLE assessments (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  date TEXT NOT NULL,
  ascites TEXT,
  encephalopathy_grade INTEGER,
  dialysis TEXT,
  varices TEXT,
  weight_kg DOUBLE PRECISION,
  liver_volume_ml DOUBLE PRECISION,
  PRIMARY KEY (patient, date)
)@WITHOUT_ROWID@;
CREATE TABLE events (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  kind TEXT NOT NULL,
  date TEXT NOT NULL,
  death_cause TEXT,
  decompensation TEXT,
  detail TEXT NOT NULL,
  PRIMARY KEY (patient, kind, date)
)@WITHOUT_ROWID@;
CREATE TABLE adverse_events (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  term TEXT NOT NULL,
  onset TEXT NOT NULL,
  end_date TEXT,
  grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
  serious INTEGER NOT NULL,
  infusion INTEGER,
  relatedness TEXT NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (patient, term, onset)
)@WITHOUT_ROWID@;
CREATE TABLE derived_scores (
  patient TEXT NOT NULL REFERENCES patients(code),
  site TEXT NOT NULL,
  date TEXT NOT NULL,
  score TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  class TEXT NOT NULL,
  version TEXT NOT NULL,
  PRIMARY KEY (patient, date, score)
)@WITHOUT_ROWID@;
CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  patient TEXT,
  site TEXT,
  before_json TEXT,
  after_json TEXT,
  reason TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_patient ON audit_log(patient, seq);
)sql";

// The audit log is append-only inside the database too, not only in cirrus:
// an UPDATE or DELETE fails whoever issues it. (Someone who can drop the
// trigger can still edit rows; the hash chain is what detects that.)
constexpr std::string_view kAuditGuardSqlite = R"sql(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
)sql";
constexpr std::string_view kAuditGuardPostgres = R"sql(
CREATE FUNCTION cirrus_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION cirrus_audit_log_append_only();
)sql";

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, "registry tables, derived scores and the hash-chained audit log", kSchemaV1, kAuditGuardSqlite,
       kAuditGuardPostgres},
  };
  return migrations;
}

std::string ForDialect(std::string_view sql, Dialect dialect) {
  std::string out(sql);
  constexpr std::string_view kToken = "@WITHOUT_ROWID@";
  const std::string_view replacement = dialect == Dialect::kSqlite ? " WITHOUT ROWID" : "";
  for (std::size_t at = out.find(kToken); at != std::string::npos; at = out.find(kToken, at)) {
    out.replace(at, kToken.size(), replacement);
  }
  return out;
}

Result<bool> TableExists(Connection& connection, std::string_view table) {
  const std::string_view sql = connection.dialect() == Dialect::kSqlite
                                   ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
                                   : "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                     "current_schema() AND table_name = $1";
  std::int64_t count = 0;
  const SqlValue params[] = {table};
  CIRRUS_RETURN_IF_ERROR(connection.Query(sql, params, [&](const RowView& row) -> Status {
    count = row.Int(0);
    return {};
  }));
  return count > 0;
}

}  // namespace

int CurrentSchemaVersion() { return Migrations().back().version; }

Result<int> SchemaVersionOf(Connection& connection) {
  CIRRUS_ASSIGN_OR_RETURN(const bool has_migrations, TableExists(connection, "schema_migrations"));
  if (!has_migrations) {
    CIRRUS_ASSIGN_OR_RETURN(const bool has_patients, TableExists(connection, "patients"));
    if (has_patients) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the database has tables but no schema_migrations table: it is not a cirrus registry", "db");
    }
    return 0;
  }
  int version = 0;
  CIRRUS_RETURN_IF_ERROR(
      connection.Query("SELECT max(version) FROM schema_migrations", {}, [&](const RowView& row) -> Status {
        version = row.IsNull(0) ? 0 : static_cast<int>(row.Int(0));
        return {};
      }));
  return version;
}

Status Migrate(Connection& connection, std::string_view applied_at) {
  CIRRUS_RETURN_IF_ERROR(connection.BeginWrite());
  auto body = [&]() -> Status {
    CIRRUS_ASSIGN_OR_RETURN(const int version, SchemaVersionOf(connection));
    if (version > CurrentSchemaVersion()) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the registry is at schema version " + std::to_string(version) +
                      " but this cirrus knows only up to " + std::to_string(CurrentSchemaVersion()) +
                      "; use a newer cirrus",
                  "db");
    }
    for (const Migration& migration : Migrations()) {
      if (migration.version <= version) continue;
      CIRRUS_RETURN_IF_ERROR(connection.Execute(ForDialect(migration.sql, connection.dialect())));
      CIRRUS_RETURN_IF_ERROR(connection.Execute(connection.dialect() == Dialect::kSqlite ? migration.sqlite_only
                                                                                         : migration.postgres_only));
      const SqlValue params[] = {std::int64_t{migration.version}, migration.description, applied_at};
      CIRRUS_RETURN_IF_ERROR(connection.Run(
          "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)", params));
    }
    return {};
  };
  Status status = body();
  if (!status) {
    (void)connection.Rollback();
    return status;
  }
  return connection.Commit();
}

}  // namespace cirrus::store::internal
