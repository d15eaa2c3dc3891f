#include "cox_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cirrus/io/files.hpp"
#include "cirrus/stats/cox.hpp"
#include "cirrus/stats/cox_zph.hpp"
#include "internal/regression_output.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;
using internal::Number;
using internal::Text;

}  // namespace

CLI::App* AddCoxCommand(CLI::App& app, CoxOptions& o) {
  CLI::App* cmd = app.add_subcommand("cox", "Cox proportional-hazards regression (as R's coxph)");
  cmd->add_option("--input", o.input, "CSV file with a header row")->required();
  cmd->add_option("--time", o.time, "column with the event or censoring time (the stop time)");
  cmd->add_option("--stop", o.stop, "the same as --time, for (start, stop] rows");
  cmd->add_option("--start", o.start,
                  "column with the start of (start, stop] rows (delayed entry, time-varying covariates)");
  cmd->add_option("--entry", o.entry, "the same as --start");
  cmd->add_option("--event", o.event, "column with the event indicator")->required();
  cmd->add_option("--event-value", o.event_values, "values of --event that mean the event (default: any non-zero)")
      ->delimiter(',');
  cmd->add_option("--covariates", o.covariates, "model terms: columns, or log(column), separated by commas")
      ->required();
  cmd->add_option("--ties", o.ties, "efron (default) or breslow")->check(CLI::IsMember({"efron", "breslow"}));
  cmd->add_option("--weights", o.weights, "column with case weights");
  cmd->add_option("--cluster", o.cluster, "column of cluster ids: robust (sandwich) variance by cluster");
  cmd->add_flag("--robust", o.robust, "robust variance even without clusters or non-integer weights");
  cmd->add_option("--conf-level", o.conf_level, "confidence level of the hazard-ratio limits (default 0.95)");
  cmd->add_flag("--zph,--ph-test", o.zph,
                "also test proportional hazards: the score test of R's cox.zph, per term and global");
  cmd->add_option("--zph-transform", o.zph_transform, "g(t) of the PH test: km (default), identity, rank or log")
      ->check(CLI::IsMember({"km", "identity", "rank", "log"}));
  internal::AddStrataOption(cmd, o);
  internal::AddLandmarkOption(cmd, o);
  internal::AddFormatOption(cmd, o);
  return cmd;
}

Status RunCox(CoxOptions o) {
  if (o.stop) {
    if (!o.time.empty()) return Fail(ErrorCode::kInvalidArgument, "give --time or --stop, not both", "time");
    o.time = *o.stop;
  }
  if (o.time.empty()) return Fail(ErrorCode::kInvalidArgument, "--time (or --stop) is required", "time");
  if (o.start) {
    if (o.entry) return Fail(ErrorCode::kInvalidArgument, "give --start or --entry, not both", "start");
    o.entry = o.start;
  }
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<study::CovariateSpec> terms, study::ParseCovariates(o.covariates));
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, internal::LoadSurvivalInput(o, terms, o.cluster));
  CIRRUS_RETURN_IF_ERROR(study::CheckCovariatesVary(input, o.input));

  stats::CoxData data;
  data.survival = input.Data();
  data.covariates = input.covariates;
  data.covariate_count = terms.size();
  data.strata = input.strata;
  data.strata_count = input.StrataCount();
  data.cluster = input.cluster;
  stats::CoxOptions options;
  options.ties = o.ties == "breslow" ? stats::CoxTies::kBreslow : stats::CoxTies::kEfron;
  options.robust = o.robust ? stats::RobustVariance::kAlways : stats::RobustVariance::kAutomatic;
  options.level = o.conf_level;
  CIRRUS_ASSIGN_OR_RETURN(const stats::CoxFit fit, stats::FitCox(data, options));
  std::optional<stats::PhTest> ph;
  if (o.zph) {
    stats::PhTestOptions ph_options;
    ph_options.transform = o.zph_transform == "identity" ? stats::PhTransform::kIdentity
                           : o.zph_transform == "rank"   ? stats::PhTransform::kRank
                           : o.zph_transform == "log"    ? stats::PhTransform::kLog
                                                         : stats::PhTransform::kKm;
    CIRRUS_ASSIGN_OR_RETURN(ph, stats::TestProportionalHazards(data, fit, ph_options));
  }

  std::string out;
  if (o.format == "json") {
    Json doc = {{"n", fit.n},
                {"events", static_cast<std::size_t>(fit.events)},
                {"dropped", input.dropped_missing},
                {"iterations", fit.diagnostics.iterations},
                {"converged", fit.diagnostics.converged},
                {"ties", o.ties},
                {"robust", fit.robust},
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
    if (ph) {
      Json ph_terms = Json::array();
      for (std::size_t j = 0; j < ph->terms.size(); ++j) {
        if (!ph->terms[j]) continue;  // no coefficient: R leaves the term out
        ph_terms.push_back({{"term", input.covariate_names[j]},
                            {"chisq", Number(ph->terms[j]->statistic)},
                            {"df", ph->terms[j]->df},
                            {"p", Number(ph->terms[j]->p)}});
      }
      doc["ph_test"] = {
          {"terms", ph_terms},
          {"global", {{"chisq", Number(ph->global.statistic)}, {"df", ph->global.df}, {"p", Number(ph->global.p)}}},
          {"transform", stats::PhTransformName(ph->transform)}};
    }
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = internal::TermsCsv(fit, input.covariate_names);
  } else {
    out = fmt::format("Cox proportional hazards ({} ties{}): n = {}, events = {:g}", o.ties,
                      fit.robust ? ", robust variance" : "", fit.n, fit.events);
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    out += "\n\n" + internal::TermsText(fit, input.covariate_names, fit.robust ? "robust se" : "se", "HR");
    out += "\n" + internal::TestsText(fit);
    if (ph) {
      out += fmt::format("\nproportional hazards (cox.zph, transform {})\n{:<20}{:>12}{:>6}{:>10}\n",
                         stats::PhTransformName(ph->transform), "term", "chisq", "df", "p");
      for (std::size_t j = 0; j < ph->terms.size(); ++j) {
        if (!ph->terms[j]) continue;
        out += fmt::format("{:<20}{:>12.4f}{:>6}{:>10.4g}\n", input.covariate_names[j], ph->terms[j]->statistic,
                           ph->terms[j]->df, ph->terms[j]->p);
      }
      out +=
          fmt::format("{:<20}{:>12.4f}{:>6}{:>10.4g}\n", "GLOBAL", ph->global.statistic, ph->global.df, ph->global.p);
    }
  }
  return io::WriteStdout(out);
}

}  // namespace cirrus::cli
