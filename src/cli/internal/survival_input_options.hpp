#pragma once

// What the survival commands (km, logrank, rmst, ...) share: the options that
// name the input file and its columns, reading them into the arrays of
// study::SurvivalInput, and how numbers are written (JSON null and text "NA"
// for what R prints as NA).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/study/survival_input.hpp"

namespace CLI {
class App;
}

namespace cirrus::cli::internal {

/// The input file, its columns and the output format, as typed.
struct SurvivalInputOptions {
  std::string input;
  std::string time;
  std::string event;
  std::vector<std::string> event_values;
  study::EventCoding event_coding = study::EventCoding::kIndicator;  // kCauses: cif's 0 = censored, else the cause
  std::optional<std::string> group, strata, entry, weights;
  std::optional<double> landmark;
  std::string format = "text";
};

/// --input, --time, --event (all required), --event-value and --group.
void AddColumnOptions(CLI::App* cmd, SurvivalInputOptions& o);
/// --input, --time and --event for competing risks (cif, finegray): the event
/// column holds 0 for censored and any other number for the cause.
void AddCompetingColumnOptions(CLI::App* cmd, SurvivalInputOptions& o);
/// --strata.
void AddStrataOption(CLI::App* cmd, SurvivalInputOptions& o);
/// --entry (delayed entry) and --weights (case weights).
void AddEntryAndWeightsOptions(CLI::App* cmd, SurvivalInputOptions& o);
/// --landmark.
void AddLandmarkOption(CLI::App* cmd, SurvivalInputOptions& o);
/// --format text|json|csv.
void AddFormatOption(CLI::App* cmd, SurvivalInputOptions& o);

/// Reads the named columns of --input and builds the engine's arrays (rows
/// with missing values dropped, the landmark applied). Errors: those of
/// io::ReadColumns and study::BuildSurvivalInput.
/// `covariates` and `cluster` add model terms and a cluster column (cox).
Result<study::SurvivalInput> LoadSurvivalInput(const SurvivalInputOptions& o,
                                               const std::vector<study::CovariateSpec>& covariates = {},
                                               const std::optional<std::string>& cluster = {});

/// A JSON number, or null for what is absent or not finite (R's NA).
nlohmann::ordered_json Number(double v);
nlohmann::ordered_json Number(const std::optional<double>& v);

/// `v` with `decimals` fixed decimals, or "NA".
std::string Text(const std::optional<double>& v, int decimals = 4);

}  // namespace cirrus::cli::internal
