// Derived scores: Child-Pugh, MELD, MELD-Na, MELD 3.0 and ALBI for every
// (patient, date) that has labs or an assessment, computed by the scores
// library from what is stored and rewritten whenever an import changes one of
// their inputs, so a stored score is never stale (REDCap's calculated fields
// are, after an API import). The rows carry the algorithm's version. They are
// not audited: they are a function of audited facts and are recomputed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/store/registry.hpp"
#include "internal/database.hpp"

namespace cirrus::store::internal {

/// (patient code, ISO date)
using PatientDate = std::pair<std::string, std::string>;

/// The scores that the stored facts of one patient give on each of `dates`
/// (ISO dates), each date's in a fixed order (child-pugh, meld, meld-na,
/// meld3, albi); scores that cannot be computed are left out.
Result<std::map<std::string, std::vector<DerivedScore>>> ScoresFromStoredFacts(Connection& connection,
                                                                               const std::string& patient,
                                                                               const std::set<std::string>& dates);

/// Everything about a patient new to the registry, which is all in the batch
/// that brings them (pointers into that batch).
struct BatchPatientFacts {
  const core::Patient* patient = nullptr;
  std::vector<const core::LabResult*> labs;
  std::vector<const core::Assessment*> assessments;
};

/// A new patient's scores by ISO date, as RecomputeScores would store them.
struct BatchScores {
  const core::Patient* patient = nullptr;
  std::map<std::string, std::vector<DerivedScore>> by_date;
};

/// The scores of patients new to the registry, from the batch alone: the same
/// snapshots and scoring as the stored path, without reading back what was
/// just written. Touches no database, so it may run beside the writes.
Result<std::vector<BatchScores>> ScoresFromBatch(std::span<const BatchPatientFacts> patients);

/// Inserts new patients' scores (they have none stored); returns the rows written.
Result<std::int64_t> InsertBatchScores(Connection& connection, std::span<const BatchScores> scores);

/// Rewrites the derived_scores rows of each (patient, date); returns the
/// number of rows inserted, changed or deleted. `patient_dates` sorted, unique.
Result<std::int64_t> RecomputeScores(Connection& connection, const std::vector<PatientDate>& patient_dates);

}  // namespace cirrus::store::internal
