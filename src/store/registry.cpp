#include "cirrus/store/registry.hpp"

#include <algorithm>
#include <string>

#include "internal/audit.hpp"
#include "internal/database.hpp"
#include "internal/derived_scores.hpp"
#include "internal/schema.hpp"
#include "internal/tables.hpp"

namespace cirrus::store {

using internal::RowView;
using internal::SqlValue;

Registry::Registry(std::unique_ptr<internal::Connection> connection) : connection_(std::move(connection)) {}
Registry::Registry(Registry&&) noexcept = default;
Registry& Registry::operator=(Registry&&) noexcept = default;
Registry::~Registry() = default;

Result<Registry> Registry::Create(std::string_view location) {
  CIRRUS_ASSIGN_OR_RETURN(auto connection, internal::Connect(location, /*create=*/true));
  CIRRUS_RETURN_IF_ERROR(internal::Migrate(*connection, internal::UtcTimestamp()));
  return Registry(std::move(connection));
}

Result<Registry> Registry::Open(std::string_view location) {
  CIRRUS_ASSIGN_OR_RETURN(auto connection, internal::Connect(location, /*create=*/false));
  CIRRUS_ASSIGN_OR_RETURN(const int version, internal::SchemaVersionOf(*connection));
  if (version == 0) {
    return Fail(ErrorCode::kFailedPrecondition,
                "the database is not a cirrus registry yet; create it with: cirrus init --db " + std::string(location),
                "db");
  }
  if (version != internal::CurrentSchemaVersion()) {
    return Fail(
        ErrorCode::kFailedPrecondition,
        "the registry is at schema version " + std::to_string(version) + " and this cirrus uses version " +
            std::to_string(internal::CurrentSchemaVersion()) +
            (version < internal::CurrentSchemaVersion() ? "; upgrade it with: cirrus init --db " + std::string(location)
                                                        : "; use a newer cirrus"),
        "db");
  }
  return Registry(std::move(connection));
}

namespace {

// Reads every row of `spec` matching `where` into `out`.
template <typename Record>
Status ReadTable(internal::Connection& db, const internal::TableSpec& spec, std::string_view where,
                 std::span<const SqlValue> params, std::vector<Record>& out) {
  std::string sql = internal::SelectColumns(spec);
  if (!where.empty()) {
    sql += " WHERE ";
    sql += where;
  }
  sql += " ORDER BY ";
  for (std::size_t i = 0; i < spec.key_count; ++i) {
    if (i > 0) sql += ", ";
    sql += spec.columns[i].name;
  }
  return db.Query(sql, params, [&](const RowView& row) -> Status {
    Record& record = out.emplace_back();
    return internal::FromRow(row, record);
  });
}

// Reads one site's (or every) patient and fact into `batch`.
Status ReadFacts(internal::Connection& db, std::string_view patient_where, std::string_view where,
                 std::span<const SqlValue> params, core::RegistryBatch& batch) {
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::PatientsTable(), patient_where, params, batch.patients));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::InfusionsTable(), where, params, batch.infusions));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::ProceduresTable(), where, params, batch.procedures));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::MedicationsTable(), where, params, batch.medications));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::VisitsTable(), where, params, batch.visits));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::LabsTable(), where, params, batch.labs));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::AssessmentsTable(), where, params, batch.assessments));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::EventsTable(), where, params, batch.events));
  return ReadTable(db, internal::AdverseEventsTable(), where, params, batch.adverse_events);
}

// Keeps only the design rows (sites, studies, arms, schedule) the patients refer to.
void KeepReferencedDesign(core::RegistryBatch& batch) {
  auto referenced = [&](auto member, const std::string& value) {
    return std::any_of(batch.patients.begin(), batch.patients.end(),
                       [&](const core::Patient& p) { return p.*member == value; });
  };
  std::erase_if(batch.sites, [&](const core::Site& s) { return !referenced(&core::Patient::site, s.code); });
  std::erase_if(batch.studies, [&](const core::Study& s) { return !referenced(&core::Patient::study, s.code); });
  std::erase_if(batch.arms, [&](const core::Arm& a) { return !referenced(&core::Patient::study, a.study); });
  std::erase_if(batch.schedule,
                [&](const core::ScheduledVisit& v) { return !referenced(&core::Patient::study, v.study); });
}

Status ReadDesign(internal::Connection& db, core::RegistryBatch& batch) {
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::SitesTable(), "", {}, batch.sites));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::StudiesTable(), "", {}, batch.studies));
  CIRRUS_RETURN_IF_ERROR(ReadTable(db, internal::ArmsTable(), "", {}, batch.arms));
  return ReadTable(db, internal::ScheduleTable(), "", {}, batch.schedule);
}

// Runs `body` inside one read transaction, so what it reads is one snapshot.
template <typename Body>
Status InReadTransaction(internal::Connection& db, Body body) {
  CIRRUS_RETURN_IF_ERROR(db.Begin());
  Status status = body();
  Status end = db.Commit();
  if (!status) return status;
  return end;
}

}  // namespace

Result<core::RegistryBatch> Registry::Export(const std::optional<std::string>& site) {
  core::RegistryBatch batch;
  const Status status = InReadTransaction(*connection_, [&]() -> Status {
    CIRRUS_RETURN_IF_ERROR(ReadDesign(*connection_, batch));
    if (!site) return ReadFacts(*connection_, "", "", {}, batch);
    const SqlValue params[] = {std::string_view(*site)};
    const bool known =
        std::any_of(batch.sites.begin(), batch.sites.end(), [&](const core::Site& s) { return s.code == *site; });
    if (!known) return Fail(ErrorCode::kNotFound, "no site \"" + *site + "\" in the registry", "site");
    CIRRUS_RETURN_IF_ERROR(ReadFacts(*connection_, "site = $1", "site = $1", params, batch));
    KeepReferencedDesign(batch);
    return {};
  });
  if (!status) return Fail(status.error());
  return batch;
}

Result<std::vector<PatientSummary>> Registry::ListPatients(const std::optional<std::string>& site) {
  std::vector<PatientSummary> out;
  // The latest dated fact of any kind is the last contact: what loss to
  // follow-up is judged by.
  constexpr std::string_view kLastContact =
      "(SELECT max(d) FROM ("
      "SELECT max(date) AS d FROM visits WHERE patient = p.code AND status = 'completed' "
      "UNION ALL SELECT max(date) FROM labs WHERE patient = p.code "
      "UNION ALL SELECT max(date) FROM infusions WHERE patient = p.code "
      "UNION ALL SELECT max(date) FROM assessments WHERE patient = p.code "
      "UNION ALL SELECT max(date) FROM events WHERE patient = p.code) AS contacts)";
  std::string sql =
      "SELECT p.code, p.site, p.study, p.arm, p.status, p.enrolment, " + std::string(kLastContact) + " FROM patients p";
  std::vector<SqlValue> params;
  if (site) {
    sql += " WHERE p.site = $1";
    params.emplace_back(std::string_view(*site));
  }
  sql += " ORDER BY p.site, p.code";
  CIRRUS_RETURN_IF_ERROR(connection_->Query(sql, params, [&](const RowView& row) -> Status {
    PatientSummary& s = out.emplace_back();
    s.code = row.Text(0);
    s.site = row.Text(1);
    s.study = row.Text(2);
    s.arm = row.IsNull(3) ? "" : std::string(row.Text(3));
    s.status = row.Text(4);
    if (!row.IsNull(5)) {
      CIRRUS_ASSIGN_OR_RETURN(s.enrolment, core::ParseDate(row.Text(5)));
    }
    if (!row.IsNull(6)) {
      CIRRUS_ASSIGN_OR_RETURN(s.last_contact, core::ParseDate(row.Text(6)));
    }
    return {};
  }));
  return out;
}

Result<PatientRecord> Registry::LoadPatient(std::string_view code) {
  PatientRecord record;
  const Status status = InReadTransaction(*connection_, [&]() -> Status {
    const SqlValue params[] = {code};
    CIRRUS_RETURN_IF_ERROR(ReadFacts(*connection_, "code = $1", "patient = $1", params, record.facts));
    if (record.facts.patients.empty()) {
      return Fail(ErrorCode::kNotFound, "no patient \"" + std::string(code) + "\" in the registry", "patient");
    }
    const core::Patient& p = record.facts.patients.front();
    const SqlValue site_param[] = {std::string_view(p.site)};
    CIRRUS_RETURN_IF_ERROR(
        ReadTable(*connection_, internal::SitesTable(), "code = $1", site_param, record.facts.sites));
    const SqlValue study_param[] = {std::string_view(p.study)};
    CIRRUS_RETURN_IF_ERROR(
        ReadTable(*connection_, internal::StudiesTable(), "code = $1", study_param, record.facts.studies));
    if (!p.arm.empty()) {
      const SqlValue arm_params[] = {std::string_view(p.study), std::string_view(p.arm)};
      CIRRUS_RETURN_IF_ERROR(
          ReadTable(*connection_, internal::ArmsTable(), "study = $1 AND code = $2", arm_params, record.facts.arms));
    }
    CIRRUS_RETURN_IF_ERROR(
        ReadTable(*connection_, internal::ScheduleTable(), "study = $1", study_param, record.facts.schedule));
    return connection_->Query(
        "SELECT date, score, value, class, version FROM derived_scores WHERE patient = $1 ORDER BY date, score", params,
        [&](const RowView& row) -> Status {
          DerivedScore& score = record.scores.emplace_back();
          CIRRUS_ASSIGN_OR_RETURN(score.date, core::ParseDate(row.Text(0)));
          score.score = row.Text(1);
          score.value = row.Real(2);
          score.score_class = row.Text(3);
          score.version = row.Text(4);
          return {};
        });
  });
  if (!status) return Fail(status.error());
  return record;
}

Result<std::vector<AuditEntry>> Registry::Audit(const std::optional<std::string>& patient) {
  return internal::ReadAudit(*connection_, patient);
}

Result<AuditVerification> Registry::VerifyAudit() { return internal::VerifyAuditChain(*connection_); }

}  // namespace cirrus::store
