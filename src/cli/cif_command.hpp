#pragma once

#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "internal/survival_input_options.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// Options of `cirrus cif` (competing risks: cumulative incidence and Gray's
// test), as typed: the input and its columns (--event holds 0 = censored, any
// other number = the cause), then the causes to report, times and rho.
struct CifOptions : internal::SurvivalInputOptions {
  std::vector<std::string> causes;  // the causes to report; empty: all
  std::vector<double> times;
  double rho = 0;
  bool no_timefix = false;  // compare times exactly, as cuminc does
};

CLI::App* AddCifCommand(CLI::App& app, CifOptions& options);

Status RunCif(const CifOptions& options);

}  // namespace cirrus::cli
