#include "rmst_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cirrus/io/files.hpp"
#include "cirrus/stats/rmst.hpp"
#include "cirrus/study/survival_input.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;
using internal::Number;

std::string Quoted(const std::string& label) { return "\"" + label + "\""; }

// The group code of a --compare label, or an error listing the labels.
Result<int> CodeOf(const study::SurvivalInput& input, const std::string& label, const std::string& column) {
  const auto& labels = input.group_labels;
  const auto it = std::find(labels.begin(), labels.end(), label);
  if (it != labels.end()) return static_cast<int>(it - labels.begin());
  std::string known;
  for (const auto& l : labels) known += (known.empty() ? "" : ", ") + Quoted(l);
  return Fail(ErrorCode::kInvalidArgument,
              "--compare: column " + column + " has no group " + Quoted(label) + "; its groups are " + known,
              "compare");
}

// survRM2 refuses a tau beyond the follow-up; say which group limits it, by
// its label, before the engine says the same by its code.
Status CheckTau(const study::SurvivalInput& input, double tau) {
  CIRRUS_ASSIGN_OR_RETURN(const stats::RmstTauLimit limit,
                          stats::FindRmstTauLimit(input.Data(), input.group, input.GroupCount()));
  if (tau <= limit.tau) return {};
  const std::string& group = input.group_labels[static_cast<std::size_t>(limit.group)];
  const std::string why =
      limit.ends_in_event
          ? fmt::format("the last observation of every group is an event, and the latest is at {} (group {})",
                        limit.tau, Quoted(group))
          : fmt::format("the last observation of group {}, at {}, is censored, and its curve is not estimated past it",
                        Quoted(group), limit.tau);
  return Fail(ErrorCode::kOutOfRange,
              fmt::format("--tau {} is beyond the follow-up: {}. Use --tau <= {}, or --extend to carry each curve's "
                          "last value forward as R's print(fit, rmean = tau) does",
                          tau, why, limit.tau),
              "tau");
}

std::string TauNote(const stats::RmstResult& r, const study::SurvivalInput& input) {
  if (r.tau_source == stats::TauSource::kGiven) {
    return r.tau > r.limit.tau
               ? fmt::format("tau = {}, beyond the follow-up ({}): each curve's last value carried forward", r.tau,
                             r.limit.tau)
               : fmt::format("tau = {}", r.tau);
  }
  const std::string& group = input.group_labels[static_cast<std::size_t>(r.limit.group)];
  return r.limit.ends_in_event
             ? fmt::format("tau = {} (default: the latest last observation, group {}; every group ends in an event)",
                           r.tau, Quoted(group))
             : fmt::format("tau = {} (default: the end of follow-up of group {}, whose last observation is censored)",
                           r.tau, Quoted(group));
}

std::string Cell(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }

}  // namespace

CLI::App* AddRmstCommand(CLI::App& app, RmstCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand("rmst", "restricted mean survival time per group and the difference (survRM2)");
  internal::AddColumnOptions(cmd, o);
  internal::AddEntryAndWeightsOptions(cmd, o);
  cmd->add_option("--tau", o.tau,
                  "truncation time, in the unit of --time (default: the largest the follow-up allows, survRM2's rule)");
  cmd->add_flag("--extend", o.extend,
                "allow --tau beyond the follow-up, carrying each curve's last value forward (R's survmean)");
  cmd->add_option("--compare", o.compare, "the two groups to compare, A,B for A minus B (default: the first two)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--conf-level", o.conf_level, "confidence level (default 0.95)");
  internal::AddLandmarkOption(cmd, o);
  internal::AddFormatOption(cmd, o);
  return cmd;
}

Status RunRmst(const RmstCommandOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, internal::LoadSurvivalInput(o));
  std::optional<std::pair<int, int>> pair;
  if (!o.compare.empty()) {
    if (input.GroupCount() < 2) {
      return Fail(ErrorCode::kInvalidArgument, "--compare needs --group with two or more groups", "compare");
    }
    CIRRUS_ASSIGN_OR_RETURN(const int first, CodeOf(input, o.compare[0], o.group.value_or("")));
    CIRRUS_ASSIGN_OR_RETURN(const int second, CodeOf(input, o.compare[1], o.group.value_or("")));
    if (first == second) {
      return Fail(ErrorCode::kInvalidArgument, "--compare names group " + Quoted(o.compare[0]) + " twice", "compare");
    }
    pair.emplace(first, second);
  } else if (input.GroupCount() >= 2) {
    pair.emplace(0, 1);
  }
  stats::RmstOptions options;
  options.tau = o.tau;
  options.level = o.conf_level;
  options.beyond_follow_up = o.extend ? stats::TauBeyondFollowUp::kCarryForward : stats::TauBeyondFollowUp::kError;
  if (o.tau && !(std::isfinite(*o.tau) && *o.tau > 0)) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("--tau {}: must be a time > 0", *o.tau), "tau");
  }
  if (o.tau && !o.extend) CIRRUS_RETURN_IF_ERROR(CheckTau(input, *o.tau));
  CIRRUS_ASSIGN_OR_RETURN(const stats::RmstResult r,
                          stats::ComputeRmst(input.Data(), input.group, input.GroupCount(), options));
  std::optional<stats::RmstDifference> diff;
  if (pair) {
    CIRRUS_ASSIGN_OR_RETURN(diff, stats::CompareRmst(r, pair->first, pair->second, r.level));
  }
  auto label = [&](int code) { return input.group_labels[static_cast<std::size_t>(code)]; };

  std::string out;
  if (o.format == "json") {
    Json groups = Json::array();
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      const stats::RmstGroup& x = r.groups[g];
      groups.push_back({{"group", input.group_labels[g]},
                        {"n", x.n},
                        {"events", x.events},
                        {"rmst", x.rmst},
                        {"se", x.se},
                        {"lower", x.lower},
                        {"upper", x.upper}});
    }
    Json doc = {{"tau", r.tau},
                {"tau_source", r.tau_source == stats::TauSource::kGiven ? "given" : "default"},
                {"tau_limit", r.limit.tau},
                {"conf_level", r.level},
                {"groups", groups},
                {"compared", diff ? Json::array({label(diff->first), label(diff->second)}) : Json(nullptr)},
                {"difference", diff ? Json(diff->difference) : Json(nullptr)},
                {"difference_se", diff ? Json(diff->se) : Json(nullptr)},
                {"difference_lower", diff ? Json(diff->lower) : Json(nullptr)},
                {"difference_upper", diff ? Json(diff->upper) : Json(nullptr)},
                {"p", diff ? Number(diff->p) : Json(nullptr)},
                {"dropped", input.dropped_missing}};
    if (r.groups.size() > 2) {
      Json comparisons = Json::array();
      for (const stats::RmstDifference& d : r.differences) {
        comparisons.push_back({{"group1", label(d.first)},
                               {"group2", label(d.second)},
                               {"difference", d.difference},
                               {"se", d.se},
                               {"lower", d.lower},
                               {"upper", d.upper},
                               {"p", Number(d.p)}});
      }
      doc["comparisons"] = comparisons;
    }
    if (o.landmark) {
      doc["landmark"] = *o.landmark;
      doc["excluded_by_landmark"] = input.excluded_by_landmark;
    }
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "quantity,group1,group2,tau,estimate,se,lower,upper,p\n";
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      const stats::RmstGroup& x = r.groups[g];
      fmt::format_to(std::back_inserter(out), "rmst,{},,{},{},{},{},{},\n", input.group_labels[g], r.tau, x.rmst, x.se,
                     x.lower, x.upper);
    }
    std::vector<stats::RmstDifference> rows;
    if (diff) rows.push_back(*diff);
    for (const stats::RmstDifference& d : r.differences) {
      if (!diff || d.first != diff->first || d.second != diff->second) rows.push_back(d);
    }
    for (const stats::RmstDifference& d : rows) {
      fmt::format_to(std::back_inserter(out), "difference,{},{},{},{},{},{},{},{}\n", label(d.first), label(d.second),
                     r.tau, d.difference, d.se, d.lower, d.upper, Cell(d.p));
    }
  } else {
    out = "Restricted mean survival time, " + TauNote(r, input);
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    if (o.landmark) {
      out += fmt::format("; landmark {:g}: {} rows not at risk excluded, time measured from it", *o.landmark,
                         input.excluded_by_landmark);
    }
    const std::string level = fmt::format("{:g}%", 100 * r.level);
    out += fmt::format("\n\n{:<16}{:>8}{:>9}{:>14}{:>12}{:>14}{:>14}\n", "group", "n", "events", "rmst", "se",
                       "lower " + level, "upper " + level);
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      const stats::RmstGroup& x = r.groups[g];
      out += fmt::format("{:<16}{:>8}{:>9}{:>14.4f}{:>12.4f}{:>14.4f}{:>14.4f}\n", input.group_labels[g], x.n,
                         fmt::format("{:g}", x.events), x.rmst, x.se, x.lower, x.upper);
    }
    auto line = [&](const stats::RmstDifference& d) {
      return fmt::format("{} - {}: {:.4f} (se {:.4f}), {} CI {:.4f} to {:.4f}, p = {}\n", label(d.first),
                         label(d.second), d.difference, d.se, level, d.lower, d.upper,
                         d.p ? fmt::format("{:.4g}", *d.p) : std::string("NA"));
    };
    // With more than two groups the first pair is also the first line of the
    // list below; a --compare pair is printed on its own.
    if (diff && (r.groups.size() == 2 || !o.compare.empty())) out += "\ndifference " + line(*diff);
    if (r.groups.size() > 2) {
      out += fmt::format("\nagainst {} (not adjusted for multiplicity):\n", Quoted(label(0)));
      for (const stats::RmstDifference& d : r.differences) out += "  " + line(d);
    }
  }
  return io::WriteStdout(out);
}

}  // namespace cirrus::cli
