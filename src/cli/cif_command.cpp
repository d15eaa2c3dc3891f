#include "cif_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cirrus/io/files.hpp"
#include "cirrus/stats/competing_risks.hpp"
#include "cirrus/study/survival_input.hpp"

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

// Which causes (codes 1..K into cause_labels) to report: all, or those named
// by --cause, matched by number as the labels are numbers ("2.0" is cause 2).
Result<std::vector<int>> SelectCauses(const CifOptions& o, const study::SurvivalInput& input) {
  const int count = static_cast<int>(input.cause_labels.size());
  std::vector<int> chosen;
  if (o.causes.empty()) {
    for (int k = 1; k <= count; ++k) chosen.push_back(k);
    return chosen;
  }
  for (const std::string& wanted : o.causes) {
    const std::optional<double> value = AsNumber(wanted);
    if (!value) {
      return Fail(ErrorCode::kInvalidArgument, "--cause \"" + wanted + "\" is not a number", "cause");
    }
    if (*value == 0) {
      return Fail(ErrorCode::kInvalidArgument, "--cause 0 means censored; it is not a cause", "cause");
    }
    int found = 0;
    for (int k = 1; k <= count; ++k) {
      if (AsNumber(input.cause_labels[static_cast<std::size_t>(k - 1)]) == value) found = k;
    }
    if (found == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  o.input + ": column " + o.event + ": the cause \"" + wanted + "\" never occurs", "cause");
    }
    chosen.push_back(found);
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

}  // namespace

CLI::App* AddCifCommand(CLI::App& app, CifOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "cif", "competing risks: cumulative incidence of each cause (Aalen-Johansen) and Gray's test, as cmprsk::cuminc");
  // Not AddColumnOptions: --event is read differently and --event-value does not apply.
  internal::AddCompetingColumnOptions(cmd, o);
  cmd->add_option("--group", o.group, "column whose values define the groups");
  internal::AddStrataOption(cmd, o);
  internal::AddLandmarkOption(cmd, o);
  internal::AddFormatOption(cmd, o);
  cmd->add_option("--cause", o.causes, "report only these causes (comma-separated; default all)")->delimiter(',');
  cmd->add_option("--times", o.times, "report the cumulative incidence at these times (comma-separated)")
      ->delimiter(',');
  cmd->add_option("--rho", o.rho, "Gray's test weight (1 - F(t-))^rho (default 0)");
  cmd->add_flag("--no-timefix", o.no_timefix,
                "only equal times tie, as cmprsk::cuminc (default: merge times within 1.5e-8 relative, as survival)");
  return cmd;
}

Status RunCif(const CifOptions& o) {
  internal::SurvivalInputOptions columns = o;
  columns.event_coding = study::EventCoding::kCauses;
  CIRRUS_ASSIGN_OR_RETURN(const study::SurvivalInput input, internal::LoadSurvivalInput(columns));
  if (input.cause_labels.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                o.input + ": column " + o.event + " has no events: every value is 0 (censored)", o.event);
  }
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<int> causes, SelectCauses(o, input));
  stats::CompetingRisksOptions options;
  options.rho = o.rho;
  options.ties = o.no_timefix ? stats::TimeTies::kExact : stats::TimeTies::kMergeNearEqual;
  const stats::CompetingRisksData data{input.time, input.cause, static_cast<int>(input.cause_labels.size())};
  CIRRUS_ASSIGN_OR_RETURN(
      const stats::CompetingRisksResult fit,
      stats::FitCumulativeIncidence(data, input.group, input.GroupCount(), input.strata, input.StrataCount(), options));

  auto selected = [&](int cause) { return std::binary_search(causes.begin(), causes.end(), cause); };
  auto cause_label = [&](int cause) { return input.cause_labels[static_cast<std::size_t>(cause - 1)]; };
  auto group_label = [&](int group) { return input.group_labels[static_cast<std::size_t>(group)]; };
  std::string out;
  if (o.format == "json") {
    Json curves = Json::array();
    for (const stats::CumulativeIncidenceCurve& c : fit.curves) {
      if (!selected(c.cause)) continue;
      Json curve = Json::array();
      for (const auto& p : c.points) curve.push_back({{"time", p.time}, {"cif", p.cif}, {"std_err", p.std_err}});
      Json at = Json::array();
      for (double t : o.times) {
        const stats::CumulativeIncidenceAtTime a = stats::CumulativeIncidenceAt(c, t);
        at.push_back({{"time", t}, {"cif", Number(a.cif)}, {"std_err", Number(a.std_err)}});
      }
      curves.push_back({{"cause", cause_label(c.cause)},
                        {"group", group_label(c.group)},
                        {"n", c.n},
                        {"events", c.events},
                        {"curve", curve},
                        {"at", at}});
    }
    Json gray = Json::array();
    for (const stats::GrayTest& g : fit.gray) {
      if (!selected(g.cause)) continue;
      gray.push_back({{"cause", cause_label(g.cause)}, {"stat", Number(g.stat)}, {"df", g.df}, {"p", Number(g.p)}});
    }
    Json doc = {{"curves", curves}, {"gray", gray}, {"rho", o.rho}, {"dropped", input.dropped_missing}};
    if (o.landmark) {
      doc["landmark"] = *o.landmark;
      doc["excluded_by_landmark"] = input.excluded_by_landmark;
    }
    out = doc.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "cause,group,time,cif,std_err\n";
    for (const stats::CumulativeIncidenceCurve& c : fit.curves) {
      if (!selected(c.cause)) continue;
      for (const auto& p : c.points) {
        fmt::format_to(std::back_inserter(out), "{},{},{},{},{}\n", cause_label(c.cause), group_label(c.group), p.time,
                       p.cif, p.std_err);
      }
    }
  } else {
    out = "Cumulative incidence (Aalen-Johansen, variance as cmprsk::cuminc)";
    if (input.dropped_missing > 0) out += fmt::format("; {} rows dropped for missing values", input.dropped_missing);
    if (o.landmark) {
      out += fmt::format("; landmark {:g}: {} rows not at risk excluded, time measured from it", *o.landmark,
                         input.excluded_by_landmark);
    }
    out += fmt::format("\n\n{:<10}{:<16}{:>8}{:>9}{:>12}{:>10}\n", "cause", "group", "n", "events", "final cif",
                       "std_err");
    for (const stats::CumulativeIncidenceCurve& c : fit.curves) {
      if (!selected(c.cause)) continue;
      const std::optional<double> cif = c.points.empty() ? 0.0 : c.points.back().cif;
      const std::optional<double> se = c.points.empty() ? 0.0 : c.points.back().std_err;
      out += fmt::format("{:<10}{:<16}{:>8}{:>9}{:>12}{:>10}\n", cause_label(c.cause), group_label(c.group), c.n,
                         c.events, Text(cif), Text(se));
    }
    bool header = false;
    for (const stats::GrayTest& g : fit.gray) {
      if (!selected(g.cause)) continue;
      if (!header) {
        out += fmt::format("\nGray's test (rho = {:g}){}\n", o.rho,
                           o.strata ? fmt::format(", stratified by {}", *o.strata) : std::string());
        header = true;
      }
      out += g.stat ? fmt::format("cause {}: chi-squared {:.4f} on {} df, p = {:.4g}\n", cause_label(g.cause), *g.stat,
                                  g.df, *g.p)
                    : fmt::format("cause {}: not computable (singular variance), {} df\n", cause_label(g.cause), g.df);
    }
    if (!o.times.empty()) {
      out += fmt::format("\n{:<10}{:<16}{:>10}{:>10}{:>10}\n", "cause", "group", "time", "cif", "std_err");
      for (const stats::CumulativeIncidenceCurve& c : fit.curves) {
        if (!selected(c.cause)) continue;
        for (double t : o.times) {
          const stats::CumulativeIncidenceAtTime a = stats::CumulativeIncidenceAt(c, t);
          out += fmt::format("{:<10}{:<16}{:>10g}{:>10}{:>10}\n", cause_label(c.cause), group_label(c.group), t,
                             Text(a.cif), Text(a.std_err));
        }
      }
    }
  }
  return io::WriteStdout(out);
}

}  // namespace cirrus::cli
