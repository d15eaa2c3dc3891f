#pragma once

#include <optional>
#include <string>

#include "cirrus/base/result.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli {

// What `cirrus score` was asked, as typed; parsing into clinical values
// happens in RunScore so that every error names its flag.
struct ScoreOptions {
  std::optional<std::string> bilirubin, albumin, inr, creatinine, sodium, ascites, encephalopathy, sex, age, ast, alt,
      platelets, ast_uln, aetiology, pt_prolonged;
  bool dialysis = false;
  std::string format = "text";
  std::optional<std::string> input;
  std::optional<std::string> output;
};

// Registers `score` on the app; the options live in `options`.
CLI::App* AddScoreCommand(CLI::App& app, ScoreOptions& options);

// Runs the command; the Status carries the exit-code-bearing error.
Status RunScore(const ScoreOptions& options);

}  // namespace cirrus::cli
