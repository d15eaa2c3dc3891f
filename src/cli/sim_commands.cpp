#include "sim_commands.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cirrus/io/files.hpp"
#include "cirrus/io/registry_csv.hpp"
#include "cirrus/sim/cohort.hpp"
#include "cirrus/sim/config.hpp"
#include "cirrus/sim/power.hpp"
#include "cirrus/store/registry.hpp"
#include "exit_codes.hpp"
#include "internal/distributed.hpp"
#include "internal/environment.hpp"

namespace cirrus::cli {
namespace {

Result<int> RunSimulate(const SimulateOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const std::string text, io::ReadFile(o.config));
  CIRRUS_ASSIGN_OR_RETURN(const sim::CohortDesign design, sim::ParseCohortConfig(text, o.config));
  sim::CohortOptions options;
  options.seed = o.seed;
  options.threads = o.threads;
  CIRRUS_ASSIGN_OR_RETURN(const std::optional<core::Date> today, ParseTodayOption(o.today));
  options.data_cut = today.value_or(TodayUtc());
  CIRRUS_ASSIGN_OR_RETURN(const core::RegistryBatch batch, sim::SimulateCohort(design, options));
  if (!o.out.empty()) {
    CIRRUS_RETURN_IF_ERROR(io::WriteRegistryCsv(batch, o.out));
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(
        fmt::format("simulated {} patients ({} rows) into {}\n", batch.patients.size(), core::RowCount(batch), o.out)));
    return kExitOk;
  }
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  store::ImportOptions import;
  import.actor = Actor(o.actor);
  import.reason = "simulated cohort, seed " + std::to_string(o.seed);
  import.today = options.data_cut;
  CIRRUS_ASSIGN_OR_RETURN(const store::ImportReport report, registry.Import(batch, import));
  if (report.problem_count > 0) {
    // A simulated cohort that the registry refuses is a bug in the
    // simulator (or a clash with what the registry already holds).
    std::string list;
    for (const auto& p : report.problems) list += "  " + core::Describe(p) + "\n";
    std::fprintf(stderr, "cirrus: the registry refused the simulated cohort, nothing was written: %zu problem%s\n%s",
                 report.problem_count, report.problem_count == 1 ? "" : "s", list.c_str());
    return kExitBadInput;
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(
      fmt::format("simulated {} patients ({} rows) into {}\n", batch.patients.size(), core::RowCount(batch), o.db)));
  return kExitOk;
}

// A progress bar on a terminal; nothing when stderr is a file or a pipe.
class Progress {
 public:
  Progress(std::int64_t total, std::string what) : total_(total), what_(std::move(what)), on_(isatty(2) == 1) {}
  ~Progress() {
    if (on_ && shown_) std::fputs("\r\033[K", stderr);
  }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void operator()(std::int64_t done) {
    if (!on_ || total_ <= 0) return;
    const auto percent = static_cast<int>(100 * done / total_);
    if (percent == last_percent_) return;
    last_percent_ = percent;
    shown_ = true;
    const int filled = percent / 4;
    std::fprintf(stderr, "\r%s [%s%s] %3d%%", what_.c_str(), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(25 - filled), ' ').c_str(), percent);
    std::fflush(stderr);
  }

 private:
  std::int64_t total_;
  std::string what_;
  bool on_;
  bool shown_ = false;
  int last_percent_ = -1;
};

std::string PowerText(const sim::TrialDesign& design, const sim::PowerReport& report, const PowerOptions& o) {
  const auto& arms = design.cohort.arms;
  std::string out = fmt::format("{} trials of {} patients ({} vs {}), seed {}; endpoint events per trial {:.1f}\n",
                                report.trials, report.patients, arms[0].code, arms[1].code, o.seed, report.mean_events);
  out += fmt::format("{:<18} {:>7} {:>17} {:>8} {:>17} {:>10}\n", "analysis", "power", "95% CI", "type I", "95% CI",
                     "estimate");
  for (const auto& a : report.analyses) {
    const std::string type1 =
        report.null_trials > 0 ? fmt::format("{:>8.4f} [{:.4f}, {:.4f}]", a.type1_error, a.type1_lower, a.type1_upper)
                               : fmt::format("{:>8} {:>16}", "-", "");
    out += fmt::format("{:<18} {:>7.4f} [{:.4f}, {:.4f}] {} {:>10.4f}", a.name, a.power, a.lower, a.upper, type1,
                       a.mean_estimate);
    if (a.not_computed > 0) out += fmt::format("  ({} trials not analysable)", a.not_computed);
    out += "\n";
  }
  out +=
      "estimates: log hazard ratio (treated vs comparator), RMST difference in months, "
      "labs: ANCOVA difference on the lab's scale (log for all but albumin and sodium)\n";
  return out;
}

nlohmann::json PowerJson(const sim::PowerReport& report, const PowerOptions& o) {
  nlohmann::json analyses = nlohmann::json::array();
  for (const auto& a : report.analyses) {
    const bool has_null = report.null_trials > 0;
    analyses.push_back({{"name", a.name},
                        {"power", a.power},
                        {"lower", a.lower},
                        {"upper", a.upper},
                        {"type1_error", has_null ? nlohmann::json(a.type1_error) : nlohmann::json(nullptr)},
                        {"type1_lower", has_null ? nlohmann::json(a.type1_lower) : nlohmann::json(nullptr)},
                        {"type1_upper", has_null ? nlohmann::json(a.type1_upper) : nlohmann::json(nullptr)},
                        {"mean_estimate", a.mean_estimate},
                        {"not_computed", a.not_computed}});
  }
  return {{"trials", report.trials}, {"null_trials", report.null_trials}, {"patients", report.patients},
          {"seed", o.seed},          {"mean_events", report.mean_events}, {"analyses", analyses}};
}

Result<int> RunSampleSize(const sim::TrialDesign& design, const PowerOptions& o, const TrialProcesses& processes) {
  sim::SampleSizeOptions options;
  options.analysis = o.analysis;
  options.target = o.target;
  options.trials = o.trials;
  options.seed = o.seed;
  options.min_patients = o.min_patients;
  options.max_patients = o.max_patients;
  options.threads = o.threads;
  options.run_trials = [&processes](const sim::TrialDesign& d, const sim::TrialRange& r) {
    return processes.Run(d, r);
  };
  CIRRUS_ASSIGN_OR_RETURN(const sim::SampleSizeResult result, sim::SearchSampleSize(design, options));
  if (!processes.writes_output()) return kExitOk;
  if (o.format == "json") {
    nlohmann::json evaluated = nlohmann::json::array();
    for (const auto& p : result.evaluated) {
      evaluated.push_back({{"patients", p.patients}, {"power", p.power}, {"lower", p.lower}, {"upper", p.upper}});
    }
    nlohmann::json out = {{"analysis", o.analysis}, {"target", o.target},        {"trials", o.trials},
                          {"seed", o.seed},         {"reached", result.reached}, {"evaluated", evaluated}};
    out["patients"] = result.reached ? nlohmann::json(result.patients) : nlohmann::json(nullptr);
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out.dump(2) + "\n"));
    return kExitOk;
  }
  std::string text;
  if (result.reached) {
    text = fmt::format("{} reaches power {} with {} patients ({} trials per size, seed {})\n", o.analysis, o.target,
                       result.patients, o.trials, o.seed);
  } else {
    text = fmt::format("{} does not reach power {} with up to {} patients\n", o.analysis, o.target, o.max_patients);
  }
  for (const auto& p : result.evaluated) {
    text += fmt::format("  {:>6} patients: power {:.4f} [{:.4f}, {:.4f}]\n", p.patients, p.power, p.lower, p.upper);
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(text));
  return kExitOk;
}

Result<int> RunPower(const PowerOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(const std::string text, io::ReadFile(o.config));
  CIRRUS_ASSIGN_OR_RETURN(const sim::TrialDesign design, sim::ParseTrialConfig(text, o.config));
  const TrialProcesses processes;
  if (o.sample_size) return RunSampleSize(design, o, processes);

  std::vector<sim::TrialOutcome> runs[2];
  for (int null_run = 0; null_run < 2; ++null_run) {
    const std::int64_t trials = null_run == 0 || o.null_trials < 0 ? o.trials : o.null_trials;
    if (trials == 0) continue;
    Progress progress(processes.writes_output() ? trials : 0, null_run == 0 ? "effect" : "null  ");
    sim::TrialRange range;
    range.seed = o.seed;
    range.end = trials;
    range.null_effect = null_run == 1;
    range.threads = o.threads;
    range.progress = [&progress](std::int64_t done) { progress(done); };
    CIRRUS_ASSIGN_OR_RETURN(runs[null_run], processes.Run(design, range));
  }
  if (!processes.writes_output()) return kExitOk;
  const sim::PowerReport report = sim::SummarisePower(design, runs[0], runs[1]);
  if (o.format == "json") {
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(PowerJson(report, o).dump(2) + "\n"));
  } else {
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(PowerText(design, report, o)));
  }
  return kExitOk;
}

}  // namespace

void AddSimCommands(CLI::App& app, SimCommands& c) {
  auto* simulate = app.add_subcommand("simulate", "Simulate a virtual cohort into registry CSV files or a registry");
  simulate->add_option("--config", c.simulate.config, "Cohort configuration (TOML; docs/simulation.md)")->required();
  simulate->add_option("--seed", c.simulate.seed, "Random seed: the same seed gives the same cohort")->required();
  auto* out = simulate->add_option("--out", c.simulate.out, "Directory for the registry CSV files");
  auto* db = simulate->add_option("--db", c.simulate.db, "Registry to import into (sqlite path or postgresql://)");
  out->excludes(db);
  db->excludes(out);
  simulate->add_option("--threads", c.simulate.threads, "Threads (0: one per core)")->check(CLI::NonNegativeNumber);
  simulate->add_option("--today", c.simulate.today, "Data cut: nothing after this day (default: today, UTC)");
  simulate->add_option("--actor", c.simulate.actor, "Who imports, for the audit trail (--db)");
  c.simulate_app = simulate;

  auto* power = app.add_subcommand("power", "Simulate two-arm trials and report the power of each analysis");
  power->add_option("--config", c.power.config, "Trial configuration (TOML; docs/simulation.md)")->required();
  power->add_option("--trials", c.power.trials, "Trials to simulate (per size with --sample-size)")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  power
      ->add_option("--null-trials", c.power.null_trials,
                   "Trials of the null run for the type I error (default: as --trials; 0: none)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000000}));
  power->add_option("--seed", c.power.seed, "Random seed");
  power->add_option("--threads", c.power.threads, "Threads (0: one per core)")->check(CLI::NonNegativeNumber);
  power->add_option("--format", c.power.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  power->add_flag("--sample-size", c.power.sample_size, "Search the number of patients that reaches --target");
  power->add_option("--analysis", c.power.analysis, "Analysis the sample size is for (default logrank)");
  power->add_option("--target", c.power.target, "Target power (default 0.8)")->check(CLI::Range(0.01, 0.999));
  power->add_option("--min-patients", c.power.min_patients, "Smallest trial the search tries")
      ->check(CLI::Range(2, 10000000));
  power->add_option("--max-patients", c.power.max_patients, "Largest trial the search tries")
      ->check(CLI::Range(2, 10000000));
  c.power_app = power;
}

Result<std::optional<int>> RunSimCommands(const SimCommands& c) {
  auto wrap = [](Result<int> r) -> Result<std::optional<int>> {
    if (!r) return Fail(r.error());
    return std::optional<int>(*r);
  };
  if (c.simulate_app->parsed()) {
    if (c.simulate.out.empty() == c.simulate.db.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "simulate: give --out DIR or --db REGISTRY", "out");
    }
    return wrap(RunSimulate(c.simulate));
  }
  if (c.power_app->parsed()) return wrap(RunPower(c.power));
  return std::optional<int>{};
}

}  // namespace cirrus::cli
