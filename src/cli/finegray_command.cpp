#include "finegray_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cirrus/io/files.hpp"
#include "cirrus/stats/fine_gray.hpp"
#include "cirrus/study/survival_input.hpp"
#include "internal/regression_output.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;
using internal::Number;
using internal::Text;

std::optional<double> AsNumber(const std::string& text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// The code (1..K into cause_labels) of the cause named by --cause, matched by
// number as cif does ("2.0" is cause 2).
Result<int> FindCause(const FineGrayCommandOptions& o, const study::SurvivalInput& input) {
  const std::optional<double> value = AsNumber(o.cause);
  if (!value) return Fail(ErrorCode::kInvalidArgument, "--cause \"" + o.cause + "\" is not a number", "cause");
  if (*value == 0) {
    return Fail(ErrorCode::kInvalidArgument, "--cause 0 means censored; it is not a cause", "cause");
  }
  for (std::size_t k = 0; k < input.cause_labels.size(); ++k) {
    if (AsNumber(input.cause_labels[k]) == value) return static_cast<int>(k + 1);
  }
  return Fail(ErrorCode::kInvalidArgument,
              o.input + ": column " + o.event + ": the cause \"" + o.cause + "\" never occurs", "cause");
}

}  // namespace

CLI::App* AddFineGrayCommand(CLI::App& app, FineGrayCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "finegray", "Fine-Gray regression of the subdistribution hazard of one cause (as cmprsk::crr)");
  internal::AddCompetingColumnOptions(cmd, o);
  cmd->add_option("--cause", o.cause, "the cause of interest; the other causes compete")->required();
  cmd->add_option("--covariates", o.covariates, "model terms: columns, or log(column), separated by commas")
      ->required();
  cmd->add_option("--conf-level", o.conf_level, "confidence level of the hazard-ratio limits (default 0.95)");
  internal::AddLandmarkOption(cmd, o);
  internal::AddFormatOption(cmd, o);
  return cmd;
}

Status RunFineGray(FineGrayCommandOptions o) {
  o.event_coding = study::EventCoding::kCauses;
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<study::CovariateSpec> terms, study::ParseCovariates(o.covariates));
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, internal::LoadSurvivalInput(o, terms));
  if (input.cause_labels.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                o.input + ": column " + o.event + " has no events: every value is 0 (censored)", o.event);
  }
  CIRRUS_ASSIGN_OR_RETURN(const int cause, FindCause(o, input));
  CIRRUS_RETURN_IF_ERROR(study::CheckCovariatesVary(input, o.input));

  stats::FineGrayData data;
  data.competing = {input.time, input.cause, static_cast<int>(input.cause_labels.size())};
  data.cause = cause;
  data.covariates = input.covariates;
  data.covariate_count = terms.size();
  stats::FineGrayOptions options;
  options.level = o.conf_level;
  CIRRUS_ASSIGN_OR_RETURN(const stats::CoxFit fit, stats::FitFineGray(data, options));

  const std::string& cause_label = input.cause_labels[static_cast<std::size_t>(cause - 1)];
  std::string out;
  if (o.format == "json") {
    Json doc = {{"n", fit.n},
                {"events", static_cast<std::size_t>(fit.events)},
                {"dropped", input.dropped_missing},
                {"cause", cause_label},
                {"iterations", fit.diagnostics.iterations},
                {"converged", fit.diagnostics.converged},
                {"loglik_null", fit.loglik_null},
                {"loglik", fit.loglik},
                {"lrt", internal::TestJson(fit.lrt)},
                {"wald", internal::TestJson(fit.wald)},
                {"score", internal::TestJson(fit.score)},
                {"terms", internal::TermsJson(fit, input.covariate_names)},
                {"warnings", fit.diagnostics.warnings}};
    if (o.landmark) {
      doc["landmark"] = *o.landmark;
      doc["excluded_by_landmark"] = input.excluded_by_landmark;
    }
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = internal::TermsCsv(fit, input.covariate_names);
  } else {
    out = fmt::format("Fine-Gray subdistribution hazards (cause {}; as cmprsk::crr): n = {}, events = {:g}",
                      cause_label, fit.n, fit.events);
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    out += "\n\n" + internal::TermsText(fit, input.covariate_names, "se", "sHR");
    out += "(se: the Fine-Gray sandwich, crr's var)\n";
    out += "\n" + internal::TestsText(fit);
  }
  return io::WriteStdout(out);
}

}  // namespace cirrus::cli
