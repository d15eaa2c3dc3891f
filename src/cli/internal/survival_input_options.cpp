#include "survival_input_options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>

#include "cirrus/io/table.hpp"

namespace cirrus::cli::internal {

void AddColumnOptions(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--input", o.input, "CSV file with a header row")->required();
  cmd->add_option("--time", o.time, "column with the event or censoring time")->required();
  cmd->add_option("--event", o.event, "column with the event indicator")->required();
  cmd->add_option("--event-value", o.event_values, "values of --event that mean the event (default: any non-zero)")
      ->delimiter(',');
  cmd->add_option("--group", o.group, "column whose values define the groups");
}

void AddCompetingColumnOptions(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--input", o.input, "CSV file with a header row")->required();
  cmd->add_option("--time", o.time, "column with the event or censoring time")->required();
  cmd->add_option("--event", o.event, "column with 0 = censored, any other number = the cause of the event")
      ->required();
}

void AddStrataOption(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--strata", o.strata, "column whose values define strata");
}

void AddEntryAndWeightsOptions(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--entry", o.entry, "column with the delayed-entry (left-truncation) time");
  cmd->add_option("--weights", o.weights, "column with case weights");
}

void AddLandmarkOption(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--landmark", o.landmark, "keep subjects with time > T and measure time from T");
}

void AddFormatOption(CLI::App* cmd, SurvivalInputOptions& o) {
  cmd->add_option("--format", o.format, "text, json or csv")->check(CLI::IsMember({"text", "json", "csv"}));
}

Result<study::SurvivalInput> LoadSurvivalInput(const SurvivalInputOptions& o,
                                               const std::vector<study::CovariateSpec>& covariates,
                                               const std::optional<std::string>& cluster) {
  study::SurvivalSpec spec;
  spec.time = o.time;
  spec.event = o.event;
  spec.event_values = o.event_values;
  spec.event_coding = o.event_coding;
  spec.entry = o.entry;
  spec.group = o.group;
  spec.strata = o.strata;
  spec.weights = o.weights;
  spec.landmark = o.landmark;
  spec.covariates = covariates;
  spec.cluster = cluster;
  CIRRUS_ASSIGN_OR_RETURN(const io::ColumnTable table, io::ReadColumns(o.input, spec.Requests()));
  return study::BuildSurvivalInput(table, spec);
}

nlohmann::ordered_json Number(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json Number(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

std::string Text(const std::optional<double>& v, int decimals) {
  return v && std::isfinite(*v) ? fmt::format("{:.{}f}", *v, decimals) : std::string("NA");
}

}  // namespace cirrus::cli::internal
