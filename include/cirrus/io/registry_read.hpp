// cirrus/io/registry_read.hpp: what reading registry files gives, whatever
// their format (CSV, REDCap, FHIR): the records read cleanly, and why the
// others were not.
#pragma once

#include <cstddef>
#include <vector>

#include "cirrus/core/registry.hpp"

namespace cirrus::io {

struct RegistryRead {
  core::RegistryBatch batch;                  ///< only records without problems
  std::vector<core::RecordProblem> problems;  ///< at most the reader's max_problems
  std::size_t problem_count = 0;              ///< all problems found (may exceed problems.size())
};

}  // namespace cirrus::io
