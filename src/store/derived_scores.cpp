#include "internal/derived_scores.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include "cirrus/core/snapshot.hpp"
#include "cirrus/scores/panel.hpp"
#include "internal/bulk_insert.hpp"
#include "internal/tables.hpp"

namespace cirrus::store::internal {
namespace {

// Prepared once per import: the reads a patient's scores need, one query per
// patient and table (not per date: a million-lab import touches 200,000
// dates), each limited to the dates between the first and the last asked
// for, so that a follow-up import does not read back years of history.
struct Reads {
  std::unique_ptr<Statement> labs;
  std::unique_ptr<Statement> assessments;
  std::unique_ptr<Statement> patient;
};

// " AND date >= $2 AND date <= $3", the dates compared as std::set<std::string> orders them.
std::string InDateRange(const Connection& connection) {
  const std::string date = Bytewise(connection.dialect(), "date");
  return " AND " + date + " >= $2 AND " + date + " <= $3";
}

Result<Reads> PrepareReads(Connection& connection) {
  Reads reads;
  CIRRUS_ASSIGN_OR_RETURN(reads.labs, connection.Prepare("SELECT date, analyte, value, comparator FROM labs "
                                                         "WHERE patient = $1" +
                                                         InDateRange(connection) + " AND value IS NOT NULL"));
  CIRRUS_ASSIGN_OR_RETURN(reads.assessments, connection.Prepare("SELECT date, ascites, encephalopathy_grade, dialysis "
                                                                "FROM assessments WHERE patient = $1" +
                                                                InDateRange(connection)));
  CIRRUS_ASSIGN_OR_RETURN(reads.patient,
                          connection.Prepare("SELECT sex, birth_year, aetiology, site FROM patients WHERE code = $1"));
  return reads;
}

std::vector<DerivedScore> ScoresOf(core::Date date, const scores::PanelScores& panel) {
  std::vector<DerivedScore> out;
  if (panel.child_pugh.has_value()) {
    const auto& cp = panel.child_pugh.value();
    constexpr std::array<std::string_view, 3> kClasses = {"A", "B", "C"};
    out.push_back({date, "child-pugh", static_cast<double>(cp.points),
                   std::string(kClasses[static_cast<std::size_t>(cp.grade)]), std::string(scores::kChildPughVersion)});
  }
  if (panel.meld.has_value()) {
    out.push_back({date, "meld", static_cast<double>(panel.meld.value().score), "", std::string(scores::kMeldVersion)});
  }
  if (panel.meld_na.has_value()) {
    out.push_back(
        {date, "meld-na", static_cast<double>(panel.meld_na.value().score), "", std::string(scores::kMeldNaVersion)});
  }
  if (panel.meld3.has_value()) {
    out.push_back(
        {date, "meld3", static_cast<double>(panel.meld3.value().score), "", std::string(scores::kMeld3Version)});
  }
  if (panel.albi.has_value()) {
    out.push_back({date, "albi", panel.albi.value().score, std::to_string(panel.albi.value().grade),
                   std::string(scores::kAlbiVersion)});
  }
  return out;
}

using ScoresByDate = std::map<std::string, std::vector<DerivedScore>>;
using Snapshots = std::map<std::string, core::ClinicalSnapshot, std::less<>>;

// The scores of each date's snapshot: the one scoring step of both the stored
// and the batch path, so the two cannot disagree on what a snapshot scores.
Result<ScoresByDate> ScoreSnapshots(Snapshots& snapshots, std::optional<int> birth_year) {
  ScoresByDate out;
  for (auto& [date_text, snapshot] : snapshots) {
    CIRRUS_ASSIGN_OR_RETURN(const core::Date date, core::ParseDate(date_text));
    snapshot.age_years = core::AgeFromBirthYear(birth_year, date);
    CIRRUS_ASSIGN_OR_RETURN(const scores::PanelScores panel, scores::ScorePanel(snapshot));
    out[date_text] = ScoresOf(date, panel);
  }
  return out;
}

Result<ScoresByDate> Compute(Reads& reads, const std::string& patient, const std::set<std::string>& dates,
                             std::string& site) {
  if (dates.empty()) return ScoresByDate{};
  core::ClinicalSnapshot base;
  std::optional<int> birth_year;
  const SqlValue params[] = {std::string_view(patient)};
  CIRRUS_RETURN_IF_ERROR(reads.patient->Query(params, [&](const RowView& row) -> Status {
    if (!row.IsNull(0)) {
      CIRRUS_ASSIGN_OR_RETURN(base.sex, core::ParseSex(row.Text(0)));
    }
    if (!row.IsNull(1)) birth_year = static_cast<int>(row.Int(1));
    if (!row.Text(2).empty()) {
      CIRRUS_ASSIGN_OR_RETURN(base.aetiologies, core::ParseAetiologies(row.Text(2)));
    }
    site = row.Text(3);
    return {};
  }));
  Snapshots snapshots;
  for (const std::string& date : dates) snapshots.emplace(date, base);
  const SqlValue in_range[] = {std::string_view(patient), std::string_view(*dates.begin()),
                               std::string_view(*dates.rbegin())};
  CIRRUS_RETURN_IF_ERROR(reads.labs->Query(in_range, [&](const RowView& row) -> Status {
    auto it = snapshots.find(row.Text(0));
    // A censored value ("<0.5") is not the number itself; no score uses it.
    if (it == snapshots.end() || row.Text(3) != "=") return {};
    CIRRUS_ASSIGN_OR_RETURN(const core::Analyte analyte, core::ParseAnalyte(row.Text(1)));
    core::SetLab(it->second, analyte, row.Real(2));
    return {};
  }));
  CIRRUS_RETURN_IF_ERROR(reads.assessments->Query(in_range, [&](const RowView& row) -> Status {
    auto it = snapshots.find(row.Text(0));
    if (it == snapshots.end()) return {};
    std::optional<core::Ascites> ascites;
    std::optional<core::Encephalopathy> encephalopathy;
    std::optional<core::Dialysis> dialysis;
    if (!row.IsNull(1)) {
      CIRRUS_ASSIGN_OR_RETURN(ascites, core::ParseAscites(row.Text(1)));
    }
    if (!row.IsNull(2)) {
      CIRRUS_ASSIGN_OR_RETURN(encephalopathy, core::EncephalopathyFromWestHaven(static_cast<int>(row.Int(2))));
    }
    if (!row.IsNull(3)) {
      CIRRUS_ASSIGN_OR_RETURN(dialysis, core::ParseDialysis(row.Text(3)));
    }
    core::SetAssessment(it->second, ascites, encephalopathy, dialysis);
    return {};
  }));
  return ScoreSnapshots(snapshots, birth_year);
}

// The batch path: the same snapshots as Compute reads back, built from the
// records that will be stored (a value, "=" and a canonical unit, as the
// stored path's WHERE and comparator test keep).
Result<ScoresByDate> ComputeFromBatch(const BatchPatientFacts& facts) {
  core::ClinicalSnapshot base;
  base.sex = facts.patient->sex;
  base.aetiologies = facts.patient->aetiologies;
  Snapshots snapshots;
  auto snapshot_of = [&](core::Date date) -> core::ClinicalSnapshot& {
    std::string text = core::FormatDate(date);
    auto it = snapshots.find(text);
    if (it == snapshots.end()) it = snapshots.emplace(std::move(text), base).first;
    return it->second;
  };
  for (const core::LabResult* lab : facts.labs) {
    core::ClinicalSnapshot& s = snapshot_of(lab->date);
    if (lab->value.has_value() && lab->op == core::LabOperator::kEqual) core::SetLab(s, lab->analyte, *lab->value);
  }
  for (const core::Assessment* a : facts.assessments) {
    std::optional<core::Encephalopathy> encephalopathy;
    if (a->encephalopathy_grade) {
      CIRRUS_ASSIGN_OR_RETURN(encephalopathy, core::EncephalopathyFromWestHaven(*a->encephalopathy_grade));
    }
    core::SetAssessment(snapshot_of(a->date), a->ascites, encephalopathy, a->dialysis);
  }
  return ScoreSnapshots(snapshots, facts.patient->birth_year);
}

Result<BulkInsert> StartScoreInsert(Connection& connection) {
  constexpr std::string_view kColumns[] = {"patient", "date", "score", "value", "class", "version", "site"};
  return BulkInsert::Start(connection, "derived_scores", kColumns);
}

Status AddScore(BulkInsert& insert, std::string_view patient, std::string_view date, std::string_view site,
                const DerivedScore& score) {
  const SqlValue row[] = {patient,
                          date,
                          std::string_view(score.score),
                          score.value,
                          std::string_view(score.score_class),
                          std::string_view(score.version),
                          site};
  return insert.Add(row);
}

bool SameScores(const std::vector<DerivedScore>& a, const std::vector<DerivedScore>& b) {
  if (a.size() != b.size()) return false;
  for (const DerivedScore& x : a) {
    const bool found = std::any_of(b.begin(), b.end(), [&](const DerivedScore& y) {
      return x.score == y.score && x.value == y.value && x.score_class == y.score_class && x.version == y.version;
    });
    if (!found) return false;
  }
  return true;
}

}  // namespace

Result<std::map<std::string, std::vector<DerivedScore>>> ScoresFromStoredFacts(Connection& connection,
                                                                               const std::string& patient,
                                                                               const std::set<std::string>& dates) {
  CIRRUS_ASSIGN_OR_RETURN(Reads reads, PrepareReads(connection));
  std::string site;
  return Compute(reads, patient, dates, site);
}

Result<std::int64_t> RecomputeScores(Connection& connection, const std::vector<PatientDate>& patient_dates) {
  if (patient_dates.empty()) return std::int64_t{0};
  CIRRUS_ASSIGN_OR_RETURN(Reads reads, PrepareReads(connection));
  CIRRUS_ASSIGN_OR_RETURN(auto stored, connection.Prepare("SELECT date, score, value, class, version "
                                                          "FROM derived_scores WHERE patient = $1" +
                                                          InDateRange(connection)));
  CIRRUS_ASSIGN_OR_RETURN(auto remove,
                          connection.Prepare("DELETE FROM derived_scores WHERE patient = $1 AND date = $2"));
  // Rows are queued: each (patient, date) is deleted before its new rows are
  // queued and is visited once, and `stored` reads only the current patient.
  CIRRUS_ASSIGN_OR_RETURN(BulkInsert insert, StartScoreInsert(connection));
  std::int64_t changed = 0;
  std::string site;
  std::set<std::string> dates;
  ScoresByDate before;
  for (std::size_t i = 0; i < patient_dates.size();) {
    const std::string& patient = patient_dates[i].first;
    dates.clear();
    for (; i < patient_dates.size() && patient_dates[i].first == patient; ++i) dates.insert(patient_dates[i].second);
    CIRRUS_ASSIGN_OR_RETURN(const ScoresByDate now, Compute(reads, patient, dates, site));
    before.clear();
    const SqlValue in_range[] = {std::string_view(patient), std::string_view(*dates.begin()),
                                 std::string_view(*dates.rbegin())};
    CIRRUS_RETURN_IF_ERROR(stored->Query(in_range, [&](const RowView& row) -> Status {
      auto it = dates.find(std::string(row.Text(0)));
      if (it == dates.end()) return {};
      before[*it].push_back(
          {core::Date{}, std::string(row.Text(1)), row.Real(2), std::string(row.Text(3)), std::string(row.Text(4))});
      return {};
    }));
    for (const auto& [date, scores_now] : now) {
      const auto old = before.find(date);
      if (old == before.end() ? scores_now.empty() : SameScores(old->second, scores_now)) continue;
      const SqlValue params[] = {std::string_view(patient), std::string_view(date)};
      if (old != before.end()) {
        CIRRUS_ASSIGN_OR_RETURN(const std::int64_t removed, remove->Run(params));
        changed += removed;
      }
      for (const DerivedScore& score : scores_now) {
        CIRRUS_RETURN_IF_ERROR(AddScore(insert, patient, date, site, score));
      }
      changed += static_cast<std::int64_t>(scores_now.size());
    }
  }
  CIRRUS_RETURN_IF_ERROR(insert.Flush());
  return changed;
}

Result<std::vector<BatchScores>> ScoresFromBatch(std::span<const BatchPatientFacts> patients) {
  std::vector<BatchScores> out;
  out.reserve(patients.size());
  for (const BatchPatientFacts& facts : patients) {
    CIRRUS_ASSIGN_OR_RETURN(ScoresByDate scores, ComputeFromBatch(facts));
    out.push_back({facts.patient, std::move(scores)});
  }
  return out;
}

Result<std::int64_t> InsertBatchScores(Connection& connection, std::span<const BatchScores> scores) {
  CIRRUS_ASSIGN_OR_RETURN(BulkInsert insert, StartScoreInsert(connection));
  std::int64_t written = 0;
  for (const BatchScores& patient : scores) {
    for (const auto& [date, scores_now] : patient.by_date) {
      for (const DerivedScore& score : scores_now) {
        CIRRUS_RETURN_IF_ERROR(AddScore(insert, patient.patient->code, date, patient.patient->site, score));
        ++written;
      }
    }
  }
  CIRRUS_RETURN_IF_ERROR(insert.Flush());
  return written;
}

}  // namespace cirrus::store::internal
