#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// Options shared by the survival commands (km, logrank), as typed.
struct SurvivalOptions {
  std::string input;
  std::string time;
  std::string event;
  std::vector<std::string> event_values;
  std::optional<std::string> group, strata, entry, weights;
  std::optional<double> landmark;
  std::vector<double> times;
  std::string conf_type = "log";
  double conf_level = 0.95;
  double rho = 0;
  double gamma = 0;
  std::string format = "text";
};

CLI::App* AddKmCommand(CLI::App& app, SurvivalOptions& options);
CLI::App* AddLogRankCommand(CLI::App& app, SurvivalOptions& options);

Status RunKm(const SurvivalOptions& options);
Status RunLogRank(const SurvivalOptions& options);

}  // namespace cirrus::cli
