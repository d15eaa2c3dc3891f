#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "internal/survival_input_options.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// Options of the km and logrank commands, as typed: the input and its
// columns (shared with the other survival commands), then their own.
struct SurvivalOptions : internal::SurvivalInputOptions {
  std::vector<double> times;
  std::string conf_type = "log";
  double conf_level = 0.95;
  double rho = 0;
  double gamma = 0;
};

CLI::App* AddKmCommand(CLI::App& app, SurvivalOptions& options);
CLI::App* AddLogRankCommand(CLI::App& app, SurvivalOptions& options);

Status RunKm(const SurvivalOptions& options);
Status RunLogRank(const SurvivalOptions& options);

}  // namespace cirrus::cli
