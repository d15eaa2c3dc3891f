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

// Options of `cirrus rmst`, as typed: the input and its columns, then tau and
// the comparison.
struct RmstCommandOptions : internal::SurvivalInputOptions {
  std::optional<double> tau;         // absent: survRM2's default
  std::vector<std::string> compare;  // two group labels, or empty: the first two groups
  bool extend = false;               // allow tau beyond the follow-up (carry curves forward)
  double conf_level = 0.95;
};

CLI::App* AddRmstCommand(CLI::App& app, RmstCommandOptions& options);

Status RunRmst(const RmstCommandOptions& options);

}  // namespace cirrus::cli
