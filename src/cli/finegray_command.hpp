#pragma once

#include <string>

#include "cirrus/base/result.hpp"
#include "internal/survival_input_options.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// Options of `cirrus finegray` (Fine-Gray regression, as cmprsk::crr), as
// typed: --event holds 0 = censored, any other number = the cause (as cif);
// --cause names the cause of interest, the others compete.
struct FineGrayCommandOptions : internal::SurvivalInputOptions {
  std::string covariates;
  std::string cause;
  double conf_level = 0.95;
};

CLI::App* AddFineGrayCommand(CLI::App& app, FineGrayCommandOptions& options);
Status RunFineGray(FineGrayCommandOptions options);

}  // namespace cirrus::cli
