#include "survival_commands.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "cirrus/io/files.hpp"
#include "cirrus/io/table.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/log_rank.hpp"
#include "cirrus/study/survival_input.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;
using internal::Number;
using internal::Text;

void AddCommonOptions(CLI::App* cmd, SurvivalOptions& o) {
  internal::AddColumnOptions(cmd, o);
  internal::AddStrataOption(cmd, o);
  internal::AddLandmarkOption(cmd, o);
  internal::AddFormatOption(cmd, o);
}

Result<study::SurvivalInput> LoadInput(const SurvivalOptions& o) { return internal::LoadSurvivalInput(o); }

Result<stats::ConfidenceType> ParseConfType(const std::string& text) {
  if (text == "log") return stats::ConfidenceType::kLog;
  if (text == "log-log") return stats::ConfidenceType::kLogLog;
  if (text == "plain") return stats::ConfidenceType::kPlain;
  return Fail(ErrorCode::kInvalidArgument, "--conf-type must be log, log-log or plain", "conf-type");
}

}  // namespace

CLI::App* AddKmCommand(CLI::App& app, SurvivalOptions& o) {
  CLI::App* cmd = app.add_subcommand("km", "Kaplan-Meier curves with Greenwood confidence intervals and medians");
  AddCommonOptions(cmd, o);
  internal::AddEntryAndWeightsOptions(cmd, o);
  cmd->add_option("--times", o.times, "report survival at these times (comma-separated)")->delimiter(',');
  cmd->add_option("--conf-type", o.conf_type, "log (default), log-log or plain")
      ->check(CLI::IsMember({"log", "log-log", "plain"}));
  cmd->add_option("--conf-level", o.conf_level, "confidence level (default 0.95)");
  return cmd;
}

CLI::App* AddLogRankCommand(CLI::App& app, SurvivalOptions& o) {
  CLI::App* cmd = app.add_subcommand("logrank", "log-rank and Fleming-Harrington G(rho, gamma) tests");
  AddCommonOptions(cmd, o);
  cmd->add_option("--rho", o.rho, "weight S(t-)^rho (default 0)");
  cmd->add_option("--gamma", o.gamma, "weight (1 - S(t-))^gamma (default 0)");
  return cmd;
}

Status RunKm(const SurvivalOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const stats::ConfidenceType conf, ParseConfType(o.conf_type));
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, LoadInput(o));
  stats::KaplanMeierOptions options;
  options.confidence = conf;
  options.level = o.conf_level;
  // Curves of two or more groups come with the log-rank test that compares
  // them, as a survival plot does; it is defined without weights or entry.
  // The test runs on a second thread while the curves are fitted.
  std::optional<Result<stats::LogRankResult>> test_result;
  std::thread test_thread;
  if (input.GroupCount() >= 2 && input.weight.empty() && input.entry.empty()) {
    test_thread = std::thread([&] {
      test_result =
          stats::LogRankTest(input.Data(), input.group, input.GroupCount(), input.strata, input.StrataCount());
    });
  }
  auto fitted = stats::FitKaplanMeierByGroup(input.Data(), input.group, input.GroupCount(), options);
  if (test_thread.joinable()) test_thread.join();
  if (!fitted) return Fail(fitted.error());
  const std::vector<stats::KaplanMeierCurve>& curves = *fitted;
  std::optional<stats::LogRankResult> test;
  if (test_result) {
    if (!*test_result) return Fail(test_result->error());
    test = **test_result;
  }

  std::string out;
  if (o.format == "json") {
    Json groups = Json::array();
    for (std::size_t g = 0; g < curves.size(); ++g) {
      const auto& c = curves[g];
      Json curve = Json::array();
      for (const auto& p : c.points) {
        curve.push_back({{"time", p.time},
                         {"n_risk", p.n_risk},
                         {"n_event", p.n_event},
                         {"n_censor", p.n_censor},
                         {"survival", p.survival},
                         {"std_err", Number(p.std_err)},
                         {"lower", Number(p.lower)},
                         {"upper", Number(p.upper)}});
      }
      Json at = Json::array();
      for (double t : o.times) {
        const auto a = stats::SurvivalAt(c, t);
        at.push_back({{"time", t},
                      {"n_risk", a.n_risk},
                      {"survival", a.survival},
                      {"std_err", Number(a.std_err)},
                      {"lower", Number(a.lower)},
                      {"upper", Number(a.upper)}});
      }
      groups.push_back({{"group", input.group_labels[g]},
                        {"n", c.n},
                        {"events", c.events},
                        {"median", Number(c.median)},
                        {"median_lower", Number(c.median_lower)},
                        {"median_upper", Number(c.median_upper)},
                        {"curve", curve},
                        {"at", at}});
    }
    Json doc = {{"groups", groups},
                {"conf_type", o.conf_type},
                {"conf_level", o.conf_level},
                {"dropped", input.dropped_missing}};
    if (o.landmark) {
      doc["landmark"] = *o.landmark;
      doc["excluded_by_landmark"] = input.excluded_by_landmark;
    }
    if (test) doc["logrank"] = {{"chisq", test->chisq}, {"df", test->df}, {"p", test->p}};
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "group,time,n_risk,n_event,n_censor,survival,std_err,lower,upper\n";
    auto cell = [](const std::optional<double>& v) { return v && std::isfinite(*v) ? fmt::format("{}", *v) : ""; };
    for (std::size_t g = 0; g < curves.size(); ++g) {
      for (const auto& p : curves[g].points) {
        fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{}\n", input.group_labels[g], p.time, p.n_risk,
                       p.n_event, p.n_censor, p.survival, cell(p.std_err), cell(p.lower), cell(p.upper));
      }
    }
  } else {
    out = fmt::format("Kaplan-Meier, {} confidence interval ({:g}%)", o.conf_type, 100 * o.conf_level);
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    if (o.landmark) {
      out += fmt::format("; landmark {:g}: {} rows not at risk excluded, time measured from it", *o.landmark,
                         input.excluded_by_landmark);
    }
    out += fmt::format("\n\n{:<16}{:>8}{:>9}{:>12}{:>12}{:>12}\n", "group", "n", "events", "median", "lower", "upper");
    for (std::size_t g = 0; g < curves.size(); ++g) {
      const auto& c = curves[g];
      out +=
          fmt::format("{:<16}{:>8}{:>9}{:>12}{:>12}{:>12}\n", input.group_labels[g], c.n, fmt::format("{:g}", c.events),
                      Text(c.median, 2), Text(c.median_lower, 2), Text(c.median_upper, 2));
    }
    if (test) {
      out += fmt::format("\nlog-rank chi-squared {:.4f} on {} df, p = {:.4g}\n", test->chisq, test->df, test->p);
    }
    if (!o.times.empty()) {
      out += fmt::format("\n{:<16}{:>10}{:>9}{:>10}{:>10}{:>10}\n", "group", "time", "n_risk", "survival", "lower",
                         "upper");
      for (std::size_t g = 0; g < curves.size(); ++g) {
        for (double t : o.times) {
          const auto a = stats::SurvivalAt(curves[g], t);
          out += fmt::format("{:<16}{:>10g}{:>9g}{:>10.4f}{:>10}{:>10}\n", input.group_labels[g], t, a.n_risk,
                             a.survival, Text(a.lower), Text(a.upper));
        }
      }
    }
  }
  return io::WriteStdout(out);
}

Status RunLogRank(const SurvivalOptions& o) {
  if (!o.group) return Fail(ErrorCode::kInvalidArgument, "logrank needs --group", "group");
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, LoadInput(o));
  if (input.GroupCount() < 2) {
    return Fail(ErrorCode::kInvalidArgument,
                o.input + ": column " + *o.group + " has one value (\"" + input.group_labels[0] +
                    "\"); the test compares two or more groups",
                *o.group);
  }
  stats::LogRankOptions options{o.rho, o.gamma};
  CIRRUS_ASSIGN_OR_RETURN(
      const stats::LogRankResult test,
      stats::LogRankTest(input.Data(), input.group, input.GroupCount(), input.strata, input.StrataCount(), options));
  std::vector<stats::PairwiseComparison> pairs;
  if (input.GroupCount() > 2) {
    CIRRUS_ASSIGN_OR_RETURN(pairs, stats::PairwiseLogRank(input.Data(), input.group, input.GroupCount(), input.strata,
                                                          input.StrataCount(), options));
  }
  std::string out;
  if (o.format == "json") {
    Json groups = Json::array();
    for (std::size_t g = 0; g < test.groups.size(); ++g) {
      groups.push_back({{"group", input.group_labels[g]},
                        {"n", test.groups[g].n},
                        {"observed", test.groups[g].observed},
                        {"expected", test.groups[g].expected}});
    }
    Json doc = {{"chisq", test.chisq},
                {"df", test.df},
                {"p", test.p},
                {"rho", o.rho},
                {"gamma", o.gamma},
                {"groups", groups},
                {"dropped", input.dropped_missing}};
    if (!pairs.empty()) {
      Json pairwise = Json::array();
      for (const auto& p : pairs) {
        pairwise.push_back({{"group1", input.group_labels[static_cast<std::size_t>(p.first)]},
                            {"group2", input.group_labels[static_cast<std::size_t>(p.second)]},
                            {"chisq", p.chisq},
                            {"p", p.p},
                            {"p_holm", p.p_holm}});
      }
      doc["pairwise"] = pairwise;
    }
    if (o.landmark) {
      doc["landmark"] = *o.landmark;
      doc["excluded_by_landmark"] = input.excluded_by_landmark;
    }
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "group,n,observed,expected\n";
    for (std::size_t g = 0; g < test.groups.size(); ++g) {
      fmt::format_to(std::back_inserter(out), "{},{},{},{}\n", input.group_labels[g], test.groups[g].n,
                     test.groups[g].observed, test.groups[g].expected);
    }
  } else {
    const std::string name = o.rho == 0 && o.gamma == 0
                                 ? std::string("Log-rank test")
                                 : fmt::format("Fleming-Harrington G({:g}, {:g}) test", o.rho, o.gamma);
    out = name + (input.strata.empty() ? "" : fmt::format(", stratified by {}", *o.strata));
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    if (o.landmark) {
      out += fmt::format("; landmark {:g}: {} rows not at risk excluded, time measured from it", *o.landmark,
                         input.excluded_by_landmark);
    }
    out += "\n\n";
    out += fmt::format("{:<16}{:>8}{:>12}{:>12}\n", "group", "n", "observed", "expected");
    for (std::size_t g = 0; g < test.groups.size(); ++g) {
      out += fmt::format("{:<16}{:>8}{:>12.2f}{:>12.2f}\n", input.group_labels[g], test.groups[g].n,
                         test.groups[g].observed, test.groups[g].expected);
    }
    out += fmt::format("\nchi-squared {:.4f} on {} df, p = {:.4g}\n", test.chisq, test.df, test.p);
    for (const auto& p : pairs) {
      out += fmt::format("  {} vs {}: chi-squared {:.4f}, p = {:.4g} (Holm {:.4g})\n",
                         input.group_labels[static_cast<std::size_t>(p.first)],
                         input.group_labels[static_cast<std::size_t>(p.second)], p.chisq, p.p, p.p_holm);
    }
  }
  return io::WriteStdout(out);
}

}  // namespace cirrus::cli
