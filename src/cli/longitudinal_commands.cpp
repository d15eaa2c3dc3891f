#include "longitudinal_commands.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "cirrus/io/files.hpp"
#include "cirrus/io/table.hpp"
#include "cirrus/study/longitudinal.hpp"
#include "exit_codes.hpp"
#include "internal/survival_input_options.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;
using internal::Number;

std::string Quoted(const std::string& label) { return "\"" + label + "\""; }

// A number for a CSV cell or a text table: empty / NA where R gives NA.
std::string Cell(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }
std::string Cell(const std::optional<double>& v) { return v ? Cell(*v) : std::string(); }
std::string Fixed(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("NA");
}
std::string Fixed(const std::optional<double>& v, int decimals) { return v ? Fixed(*v, decimals) : "NA"; }
std::string PValue(const std::optional<double>& p) {
  if (!p || !std::isfinite(*p)) return "NA";
  return *p < 1e-4 ? std::string("<0.0001") : fmt::format("{:.4f}", *p);
}
std::string PValue(double p) { return PValue(std::optional<double>(p)); }

void AddInputOptions(CLI::App* cmd, LongitudinalOptions& o) {
  cmd->add_option("--input", o.input, "CSV file with a header row, one row per subject per visit")->required();
  cmd->add_option("--subject", o.subject, "column with the subject's code")->required();
  cmd->add_option("--time", o.time, "column with the visit time, a number (e.g. weeks)")->required();
  cmd->add_option("--value", o.value, "column with the lab or score; empty or NA rows are dropped and counted")
      ->required();
  cmd->add_option("--baseline-time", o.baseline_time, "the time of the baseline visit")->required();
  cmd->add_option("--group", o.group,
                  "column whose values define the groups (the first in R's order is the reference)");
  cmd->add_option("--conf-level", o.conf_level, "confidence level (default 0.95)")
      ->check(CLI::Range(0.0, 1.0).description("in (0, 1)"));
  cmd->add_option("--format", o.format, "text, json or csv")->check(CLI::IsMember({"text", "json", "csv"}));
}

Result<study::LongitudinalInput> Load(const LongitudinalOptions& o, const std::vector<std::string>& covariates = {}) {
  if (!std::isfinite(o.baseline_time)) {
    return Fail(ErrorCode::kInvalidArgument, "--baseline-time must be a finite number", "baseline-time");
  }
  if (!(o.conf_level > 0 && o.conf_level < 1)) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("--conf-level {} must lie in (0, 1)", o.conf_level),
                "conf-level");
  }
  study::LongitudinalSpec spec;
  spec.subject = o.subject;
  spec.time = o.time;
  spec.value = o.value;
  spec.baseline_time = o.baseline_time;
  spec.group = o.group;
  spec.covariates = covariates;
  CIRRUS_ASSIGN_OR_RETURN(const io::ColumnTable table, io::ReadColumns(o.input, spec.Requests()));
  return study::BuildLongitudinalInput(table, spec);
}

std::string Dropped(std::size_t dropped) {
  return dropped > 0 ? fmt::format("; {} rows dropped (empty or NA value)", dropped) : std::string();
}

std::string Level(double level) { return fmt::format("{:g}%", 100 * level); }

// ---- change ------------------------------------------------------------------------------

Status RunChange(const LongitudinalOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const study::LongitudinalInput input, Load(o));
  CIRRUS_ASSIGN_OR_RETURN(const study::ChangeResult r, study::AnalyseChange(input, o.conf_level));
  auto label = [&](int g) { return input.group_labels[static_cast<std::size_t>(g)]; };
  std::string out;
  if (o.format == "json") {
    Json groups = Json::array();
    for (const study::ChangeGroup& g : r.groups) {
      Json at = Json::array();
      for (const study::ChangeAtTime& a : g.at) {
        at.push_back({{"time", a.time},
                      {"n", a.n},
                      {"baseline_mean", a.baseline_mean},
                      {"mean", a.mean},
                      {"change_mean", a.change.estimate},
                      {"change_sd", a.change.sd},
                      {"change_lower", Number(a.change.lower)},
                      {"change_upper", Number(a.change.upper)},
                      {"t", Number(a.change.t)},
                      {"df", a.change.df},
                      {"p", Number(a.change.p)},
                      {"wilcoxon_v", a.signed_rank.v},
                      {"wilcoxon_p", Number(a.signed_rank.p)}});
      }
      groups.push_back({{"group", label(g.group)}, {"at", at}});
    }
    Json between = Json::array();
    for (const study::ChangeBetween& b : r.between) {
      between.push_back({{"time", b.time},
                         {"group", label(b.group)},
                         {"reference", label(0)},
                         {"difference", b.welch.estimate},
                         {"lower", Number(b.welch.lower)},
                         {"upper", Number(b.welch.upper)},
                         {"t", Number(b.welch.t)},
                         {"df", Number(b.welch.df)},
                         {"p", Number(b.welch.p)}});
    }
    const Json doc = {
        {"baseline_time", input.baseline_time}, {"dropped", input.dropped}, {"groups", groups}, {"between", between}};
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out =
        "section,group,reference,time,n,baseline_mean,mean,change_mean,change_sd,lower,upper,t,df,p,wilcoxon_v,"
        "wilcoxon_p\n";
    for (const study::ChangeGroup& g : r.groups) {
      for (const study::ChangeAtTime& a : g.at) {
        fmt::format_to(std::back_inserter(out), "within,{},,{},{},{},{},{},{},{},{},{},{},{},{},{}\n", label(g.group),
                       a.time, a.n, a.baseline_mean, a.mean, a.change.estimate, a.change.sd, Cell(a.change.lower),
                       Cell(a.change.upper), Cell(a.change.t), a.change.df, Cell(a.change.p), a.signed_rank.v,
                       Cell(a.signed_rank.p));
      }
    }
    for (const study::ChangeBetween& b : r.between) {
      fmt::format_to(std::back_inserter(out), "between,{},{},{},{},,,{},,{},{},{},{},{},,\n", label(b.group), label(0),
                     b.time, b.welch.n, b.welch.estimate, Cell(b.welch.lower), Cell(b.welch.upper), Cell(b.welch.t),
                     Cell(b.welch.df), Cell(b.welch.p));
    }
  } else {
    const std::string level = Level(o.conf_level);
    out = fmt::format("Change of {} from baseline (time {:g}), paired t test and Wilcoxon signed rank{}\n", o.value,
                      input.baseline_time, Dropped(input.dropped));
    for (const study::ChangeGroup& g : r.groups) {
      out += fmt::format("\ngroup {}\n{:>10}{:>7}{:>11}{:>11}{:>11}{:>24}{:>10}{:>10}{:>11}\n", label(g.group), "time",
                         "n", "baseline", "mean", "change", level + " CI", "p", "Wilcoxon", "p");
      for (const study::ChangeAtTime& a : g.at) {
        out += fmt::format("{:>10g}{:>7}{:>11.4f}{:>11.4f}{:>11.4f}{:>24}{:>10}{:>10g}{:>11}\n", a.time, a.n,
                           a.baseline_mean, a.mean, a.change.estimate,
                           Fixed(a.change.lower, 4) + " to " + Fixed(a.change.upper, 4), PValue(a.change.p),
                           a.signed_rank.v, PValue(a.signed_rank.p));
      }
    }
    if (!r.between.empty()) {
      out += fmt::format("\nchange against {} (Welch's t test, not adjusted for multiplicity)\n", Quoted(label(0)));
      out += fmt::format("{:>10}  {:<16}{:>11}{:>24}{:>10}{:>10}\n", "time", "group", "difference", level + " CI", "df",
                         "p");
      for (const study::ChangeBetween& b : r.between) {
        out += fmt::format("{:>10g}  {:<16}{:>11.4f}{:>24}{:>10.2f}{:>10}\n", b.time, label(b.group), b.welch.estimate,
                           Fixed(b.welch.lower, 4) + " to " + Fixed(b.welch.upper, 4), b.welch.df, PValue(b.welch.p));
      }
    }
  }
  return io::WriteStdout(out);
}

// ---- ancova ------------------------------------------------------------------------------

Result<std::vector<std::string>> ParseNames(const std::string& text) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(',', start);
    std::string name = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "--covariates " + Quoted(text) + " has an empty name", "covariates");
    }
    names.push_back(std::move(name));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return names;
}

Status RunAncova(const LongitudinalOptions& o) {
  if (!o.at || !std::isfinite(*o.at)) return Fail(ErrorCode::kInvalidArgument, "--at must be a time", "at");
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<std::string> covariates, ParseNames(o.covariates));
  CIRRUS_ASSIGN_OR_RETURN(const study::LongitudinalInput input, Load(o, covariates));
  CIRRUS_ASSIGN_OR_RETURN(const study::AncovaAnalysis a, study::AnalyseAncova(input, *o.at, o.conf_level));
  const stats::AncovaResult& fit = a.fit;
  auto label = [&](int g) { return input.group_labels[static_cast<std::size_t>(g)]; };
  std::string out;
  if (o.format == "json") {
    Json terms = Json::array();
    for (std::size_t j = 0; j < fit.terms.size(); ++j) {
      const stats::RegressionTerm& t = fit.terms[j];
      terms.push_back({{"term", a.term_names[j]},
                       {"coef", Number(t.coef)},
                       {"se", Number(t.se)},
                       {"t", Number(t.t)},
                       {"p", Number(t.p)}});
    }
    Json groups = Json::array();
    for (const stats::AdjustedMean& m : fit.groups) {
      groups.push_back({{"group", label(m.group)},
                        {"n", m.n},
                        {"adjusted_mean", m.estimate},
                        {"se", m.se},
                        {"lower", m.lower},
                        {"upper", m.upper}});
    }
    Json differences = Json::array();
    for (const stats::AdjustedDifference& d : fit.differences) {
      differences.push_back({{"group", label(d.group)},
                             {"reference", label(0)},
                             {"estimate", d.estimate},
                             {"se", d.se},
                             {"lower", d.lower},
                             {"upper", d.upper},
                             {"t", Number(d.t)},
                             {"df", d.df},
                             {"p", Number(d.p)}});
    }
    const Json doc = {{"n", fit.n},       {"residual_df", fit.residual_df}, {"sigma", fit.sigma}, {"terms", terms},
                      {"groups", groups}, {"differences", differences}};
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "section,name,reference,n,estimate,se,lower,upper,t,df,p\n";
    for (std::size_t j = 0; j < fit.terms.size(); ++j) {
      const stats::RegressionTerm& t = fit.terms[j];
      fmt::format_to(std::back_inserter(out), "term,{},,{},{},{},,,{},{},{}\n", a.term_names[j], fit.n, t.coef, t.se,
                     Cell(t.t), fit.residual_df, Cell(t.p));
    }
    for (const stats::AdjustedMean& m : fit.groups) {
      fmt::format_to(std::back_inserter(out), "adjusted_mean,{},,{},{},{},{},{},,{},\n", label(m.group), m.n,
                     m.estimate, m.se, m.lower, m.upper, m.df);
    }
    for (const stats::AdjustedDifference& d : fit.differences) {
      fmt::format_to(std::back_inserter(out), "difference,{},{},,{},{},{},{},{},{},{}\n", label(d.group), label(0),
                     d.estimate, d.se, d.lower, d.upper, Cell(d.t), d.df, Cell(d.p));
    }
  } else {
    const std::string level = Level(o.conf_level);
    out = fmt::format(
        "ANCOVA of {} at time {:g} on its baseline (time {:g}){}{}\n{} subjects, residual df {:g}, residual SE {:.4f}"
        "{}\n\n",
        o.value, *o.at, input.baseline_time, input.GroupCount() > 1 ? " and group" : "",
        covariates.empty() ? "" : " and " + o.covariates, fit.n, fit.residual_df, fit.sigma, Dropped(input.dropped));
    out += fmt::format("{:<24}{:>12}{:>12}{:>10}{:>10}\n", "term", "coef", "se", "t", "p");
    for (std::size_t j = 0; j < fit.terms.size(); ++j) {
      const stats::RegressionTerm& t = fit.terms[j];
      out += fmt::format("{:<24}{:>12.4f}{:>12.4f}{:>10.3f}{:>10}\n", a.term_names[j], t.coef, t.se, t.t, PValue(t.p));
    }
    out += fmt::format("\nadjusted means (baseline{} at their means)\n{:<16}{:>7}{:>12}{:>10}{:>24}\n",
                       covariates.empty() ? "" : " and covariates", "group", "n", "mean", "se", level + " CI");
    for (const stats::AdjustedMean& m : fit.groups) {
      out += fmt::format("{:<16}{:>7}{:>12.4f}{:>10.4f}{:>24}\n", label(m.group), m.n, m.estimate, m.se,
                         Fixed(m.lower, 4) + " to " + Fixed(m.upper, 4));
    }
    if (!fit.differences.empty()) {
      out += fmt::format("\nagainst {} (not adjusted for multiplicity)\n", Quoted(label(0)));
      for (const stats::AdjustedDifference& d : fit.differences) {
        out += fmt::format("{:<16}{:>12.4f}{:>10.4f}{:>24}{:>10}\n", label(d.group), d.estimate, d.se,
                           Fixed(d.lower, 4) + " to " + Fixed(d.upper, 4), PValue(d.p));
      }
    }
  }
  return io::WriteStdout(out);
}

// ---- mmrm --------------------------------------------------------------------------------

Result<stats::MmrmOptions> ParseMmrmOptions(const LongitudinalOptions& o) {
  stats::MmrmOptions options;
  options.level = o.conf_level;
  if (o.covariance == "unstructured") {
    options.covariance = stats::CovarianceStructure::kUnstructured;
  } else if (o.covariance == "compound-symmetry") {
    options.covariance = stats::CovarianceStructure::kCompoundSymmetry;
  } else if (o.covariance == "ar1") {
    options.covariance = stats::CovarianceStructure::kAutoregressive;
  } else {
    return Fail(ErrorCode::kInvalidArgument,
                "--covariance " + Quoted(o.covariance) + ": use unstructured, compound-symmetry or ar1", "covariance");
  }
  if (o.df == "satterthwaite") {
    options.df = stats::DegreesOfFreedom::kSatterthwaite;
  } else if (o.df == "residual") {
    options.df = stats::DegreesOfFreedom::kResidual;
  } else {
    return Fail(ErrorCode::kInvalidArgument, "--df " + Quoted(o.df) + ": use satterthwaite or residual", "df");
  }
  return options;
}

Result<int> RunMmrm(const LongitudinalOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const stats::MmrmOptions options, ParseMmrmOptions(o));
  CIRRUS_ASSIGN_OR_RETURN(const study::LongitudinalInput input, Load(o));
  CIRRUS_ASSIGN_OR_RETURN(const study::MmrmAnalysis a, study::AnalyseMmrm(input, options));
  const stats::MmrmResult& fit = a.fit;
  auto label = [&](int g) { return input.group_labels[static_cast<std::size_t>(g)]; };
  auto time = [&](int v) { return a.visits[static_cast<std::size_t>(v)]; };
  if (!fit.diagnostics.converged) {
    std::string why;
    for (const std::string& w : fit.diagnostics.warnings) why += (why.empty() ? "" : "; ") + w;
    const std::string message = fmt::format(
        "{}: the REML fit did not converge after {} iterations ({}); no estimates are reported. A simpler "
        "covariance (--covariance compound-symmetry or ar1) may fit",
        input.source, fit.diagnostics.iterations, why);
    if (o.format == "json") {
      const Json doc = {{"converged", false}, {"iterations", fit.diagnostics.iterations}, {"message", message}};
      CIRRUS_RETURN_IF_ERROR(io::WriteStdout(doc.dump(2) + "\n"));
    }
    std::fprintf(stderr, "cirrus: %s\n", message.c_str());
    return kExitCheckFailed;
  }
  const std::size_t v = a.visits.size();
  std::string out;
  if (o.format == "json") {
    Json matrix = Json::array();
    for (std::size_t j = 0; j < v; ++j) {
      Json row = Json::array();
      for (std::size_t k = 0; k < v; ++k) row.push_back(fit.covariance[j * v + k]);
      matrix.push_back(row);
    }
    Json lsmeans = Json::array();
    for (const stats::AdjustedMean& m : fit.lsmeans) {
      lsmeans.push_back({{"time", time(m.visit)},
                         {"group", label(m.group)},
                         {"estimate", m.estimate},
                         {"se", m.se},
                         {"df", Number(m.df)},
                         {"lower", Number(m.lower)},
                         {"upper", Number(m.upper)}});
    }
    Json differences = Json::array();
    for (const stats::AdjustedDifference& d : fit.differences) {
      differences.push_back({{"time", time(d.visit)},
                             {"group", label(d.group)},
                             {"reference", label(0)},
                             {"estimate", d.estimate},
                             {"se", d.se},
                             {"df", Number(d.df)},
                             {"lower", Number(d.lower)},
                             {"upper", Number(d.upper)},
                             {"t", Number(d.t)},
                             {"p", Number(d.p)}});
    }
    const Json doc = {{"n_subjects", fit.subjects},
                      {"n_observations", fit.observations},
                      {"dropped", input.dropped},
                      {"covariance", {{"kind", o.covariance}, {"visits", a.visits}, {"matrix", matrix}}},
                      {"loglik_reml", fit.loglik_reml},
                      {"aic", fit.aic},
                      {"lsmeans", lsmeans},
                      {"differences", differences},
                      {"converged", true},
                      {"iterations", fit.diagnostics.iterations}};
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "section,time,group,reference,estimate,se,df,lower,upper,t,p\n";
    for (const stats::AdjustedMean& m : fit.lsmeans) {
      fmt::format_to(std::back_inserter(out), "lsmean,{},{},,{},{},{},{},{},,\n", time(m.visit), label(m.group),
                     m.estimate, m.se, Cell(m.df), Cell(m.lower), Cell(m.upper));
    }
    for (const stats::AdjustedDifference& d : fit.differences) {
      fmt::format_to(std::back_inserter(out), "difference,{},{},{},{},{},{},{},{},{},{}\n", time(d.visit),
                     label(d.group), label(0), d.estimate, d.se, Cell(d.df), Cell(d.lower), Cell(d.upper), Cell(d.t),
                     Cell(d.p));
    }
  } else {
    const std::string level = Level(o.conf_level);
    out = fmt::format(
        "MMRM of the change in {} from baseline (time {:g}): change ~ baseline + visit{}, REML, {} covariance, {} df\n"
        "{} subjects, {} observations{}; REML log-likelihood {:.4f}, AIC {:.4f}; converged after {} iterations\n",
        o.value, input.baseline_time, input.GroupCount() > 1 ? " + group + group:visit" : "", o.covariance, o.df,
        fit.subjects, fit.observations, Dropped(input.dropped), fit.loglik_reml, fit.aic, fit.diagnostics.iterations);
    out += fmt::format(
        "\nleast-squares means of the change (baseline at its mean)\n{:>10}  {:<16}{:>12}{:>10}{:>10}{:>24}\n", "time",
        "group", "estimate", "se", "df", level + " CI");
    for (const stats::AdjustedMean& m : fit.lsmeans) {
      out += fmt::format("{:>10g}  {:<16}{:>12.4f}{:>10.4f}{:>10.2f}{:>24}\n", time(m.visit), label(m.group),
                         m.estimate, m.se, m.df, Fixed(m.lower, 4) + " to " + Fixed(m.upper, 4));
    }
    if (!fit.differences.empty()) {
      out += fmt::format("\nagainst {} (not adjusted for multiplicity)\n{:>10}  {:<16}{:>12}{:>10}{:>10}{:>24}{:>10}\n",
                         Quoted(label(0)), "time", "group", "difference", "se", "df", level + " CI", "p");
      for (const stats::AdjustedDifference& d : fit.differences) {
        out += fmt::format("{:>10g}  {:<16}{:>12.4f}{:>10.4f}{:>10.2f}{:>24}{:>10}\n", time(d.visit), label(d.group),
                           d.estimate, d.se, d.df, Fixed(d.lower, 4) + " to " + Fixed(d.upper, 4), PValue(d.p));
      }
    }
    out += "\ncovariance among visits\n" + fmt::format("{:>10}", "");
    for (std::size_t k = 0; k < v; ++k) out += fmt::format("{:>12g}", a.visits[k]);
    out += "\n";
    for (std::size_t j = 0; j < v; ++j) {
      out += fmt::format("{:>10g}", a.visits[j]);
      for (std::size_t k = 0; k < v; ++k) out += fmt::format("{:>12.4f}", fit.covariance[j * v + k]);
      out += "\n";
    }
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return kExitOk;
}

}  // namespace

void AddLongitudinalCommands(CLI::App& app, LongitudinalCommands& c) {
  c.change_app = app.add_subcommand(
      "change", "change from baseline per group and time: paired t and Wilcoxon signed rank, groups by Welch's t");
  AddInputOptions(c.change_app, c.change);

  c.ancova_app =
      app.add_subcommand("ancova", "the value at one time on baseline, group and covariates, with adjusted means (lm)");
  AddInputOptions(c.ancova_app, c.ancova);
  c.ancova_app->add_option("--at", c.ancova.at, "the time whose value is analysed")->required();
  c.ancova_app->add_option("--covariates", c.ancova.covariates,
                           "numeric columns read from the baseline row, c1,c2 (adjusted for as lm terms)");

  c.mmrm_app = app.add_subcommand(
      "mmrm", "mixed model for repeated measures of the change from baseline (REML), least-squares means by visit");
  AddInputOptions(c.mmrm_app, c.mmrm);
  c.mmrm_app
      ->add_option("--covariance", c.mmrm.covariance,
                   "covariance among a subject's visits: unstructured (default), compound-symmetry or ar1")
      ->check(CLI::IsMember({"unstructured", "compound-symmetry", "ar1"}));
  c.mmrm_app->add_option("--df", c.mmrm.df, "degrees of freedom: satterthwaite (default) or residual")
      ->check(CLI::IsMember({"satterthwaite", "residual"}));
}

Result<std::optional<int>> RunLongitudinalCommands(const LongitudinalCommands& c) {
  auto done = [](Status s) -> Result<std::optional<int>> {
    if (!s) return Fail(s.error());
    return std::optional<int>(kExitOk);
  };
  if (c.change_app->parsed()) return done(RunChange(c.change));
  if (c.ancova_app->parsed()) return done(RunAncova(c.ancova));
  if (c.mmrm_app->parsed()) {
    CIRRUS_ASSIGN_OR_RETURN(const int code, RunMmrm(c.mmrm));
    return std::optional<int>(code);
  }
  return std::optional<int>{};
}

}  // namespace cirrus::cli
