// cirrus/stats/fit_diagnostics.hpp: how an iterative fit ended. A fit that
// stops short is a statistical outcome, not an error (style B4.3): the result
// carries it, and the caller decides what to print and how to exit.
#pragma once

#include <string>
#include <vector>

namespace cirrus::stats {

/// Statistical outcomes that are not errors (style B4.3).
struct FitDiagnostics {
  bool converged = false;
  int iterations = 0;
  std::vector<std::string> warnings;  ///< "ran out of iterations", "coefficient may be infinite", ...
};

}  // namespace cirrus::stats
