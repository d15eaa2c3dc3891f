// cirrus/sim/config.hpp: cohort and trial designs from TOML text.
//
// The caller reads the file (this module does no I/O) and passes its text
// and name. Every key is optional and falls back to the defaults of
// cirrus/sim/design.hpp and cirrus/sim/model.hpp; an unknown key, a value of
// the wrong type or out of its range is an error that names the file, line,
// key and the allowed values:
//   "trial.toml:12: effect.hazard_ratio_late = -1: must be in (0, 10]"
// docs/simulation.md lists every key.
//
// Example:
//   auto design = cirrus::sim::ParseTrialConfig(text, "trial.toml");
//   if (!design) { print(design.error().message()); return 2; }
#pragma once

#include <string_view>

#include "cirrus/base/result.hpp"
#include "cirrus/sim/design.hpp"

namespace cirrus::sim {

/// Errors: kInvalidArgument for TOML syntax, unknown keys, wrong types and
/// values out of range, all named as above.
Result<CohortDesign> ParseCohortConfig(std::string_view text, std::string_view file_name);

/// As ParseCohortConfig plus the [analysis] table; the design must have
/// exactly two arms (the first is the comparator).
Result<TrialDesign> ParseTrialConfig(std::string_view text, std::string_view file_name);

}  // namespace cirrus::sim
