// cirrus/sim/cohort.hpp: a virtual cohort as registry records.
//
// Patient i draws its random numbers from its own stream (seed, i), so the
// cohort is the same whatever the number of threads.
//
// Example:
//   auto batch = cirrus::sim::SimulateCohort(design, {.seed = 42, .threads = 2});
//   // batch->patients, batch->visits, batch->labs, batch->events ...
#pragma once

#include <cstdint>
#include <optional>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/sim/design.hpp"

namespace cirrus::sim {

struct CohortOptions {
  std::uint64_t seed = 1;
  int threads = 1;  ///< 0: one per hardware thread
  /// Facts dated after this day are left out and patients still followed
  /// then stay on study (a registry refuses dates in the future; the CLI
  /// passes today). Absent: the whole follow-up.
  std::optional<core::Date> data_cut;
};

/// The whole cohort (sites, study, arms, schedule, patients, infusions,
/// procedures, medications, visits, labs, assessments, outcome events and
/// adverse events), ready for io::WriteRegistryCsv or a registry import.
/// Errors: kInvalidArgument for a design that cannot be simulated.
Result<core::RegistryBatch> SimulateCohort(const CohortDesign& design, const CohortOptions& options);

}  // namespace cirrus::sim
