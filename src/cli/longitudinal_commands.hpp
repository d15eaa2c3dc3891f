// The longitudinal commands: `change` (change from baseline per group and
// time), `ancova` (the value at one time adjusted for baseline) and `mmrm`
// (the mixed model for repeated measures of the change). All three read a
// long table, one row per subject per visit (docs/cli.md).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cirrus/base/result.hpp"

namespace cirrus::cli {

/// The options of the three commands, as typed.
struct LongitudinalOptions {
  std::string input;
  std::string subject;
  std::string time;
  std::string value;
  double baseline_time = 0;
  std::optional<std::string> group;
  std::string format = "text";
  double conf_level = 0.95;
  std::optional<double> at;                 // ancova
  std::string covariates;                   // ancova: c1,c2
  std::string covariance = "unstructured";  // mmrm
  std::string df = "satterthwaite";         // mmrm
};

struct LongitudinalCommands {
  LongitudinalOptions change;
  LongitudinalOptions ancova;
  LongitudinalOptions mmrm;
  CLI::App* change_app = nullptr;
  CLI::App* ancova_app = nullptr;
  CLI::App* mmrm_app = nullptr;
};

void AddLongitudinalCommands(CLI::App& app, LongitudinalCommands& commands);

/// Runs the longitudinal command that was parsed and returns its exit code,
/// or nothing when none was.
Result<std::optional<int>> RunLongitudinalCommands(const LongitudinalCommands& commands);

}  // namespace cirrus::cli
