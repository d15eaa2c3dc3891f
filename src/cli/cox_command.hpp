#pragma once

#include <optional>
#include <string>

#include "cirrus/base/result.hpp"
#include "internal/survival_input_options.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// Options of `cirrus cox`, as typed.
struct CoxOptions : internal::SurvivalInputOptions {
  std::string covariates;
  std::string ties = "efron";
  std::optional<std::string> cluster;
  std::optional<std::string> start;  // alias of --entry: the start of (start, stop] rows
  std::optional<std::string> stop;   // alias of --time
  bool robust = false;
  double conf_level = 0.95;
  bool zph = false;                  // also the proportional-hazards test (R's cox.zph)
  std::string zph_transform = "km";  // its g(t): km, identity, rank or log
};

CLI::App* AddCoxCommand(CLI::App& app, CoxOptions& options);
Status RunCox(CoxOptions options);

}  // namespace cirrus::cli
