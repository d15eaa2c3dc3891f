// cirrus/sim/power.hpp: in-silico trials: simulate many two-arm trials and
// analyse each with the survival engine, to give the power of each analysis
// (and, with a null effect, its type I error).
//
// Trial t draws from its own random stream (seed, t): the results do not
// depend on the thread count, nor on how trials are split across processes
// (SimulateTrials on [begin, end) ranges, merged in order, equals one run).
//
// Example:
//   auto report = cirrus::sim::RunPowerStudy(design, {.trials = 1000, .seed = 7});
//   for (const auto& a : report->analyses) print(a.name, a.power, a.lower, a.upper);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/sim/design.hpp"

namespace cirrus::sim {

/// What one simulated trial gave, per analysis: rejected at alpha (two-sided)
/// and the estimate (log hazard ratio, RMST difference in months, or the
/// lab's adjusted mean difference on its transformed scale). An analysis
/// that could not be computed (e.g. no events after the landmark) counts as
/// not rejected and is flagged.
struct AnalysisOutcome {
  bool rejected = false;
  bool computed = false;
  double estimate = 0;
  double p = 1;
};

struct TrialOutcome {
  std::vector<AnalysisOutcome> analyses;  ///< in the order of AnalysisNames
  int events = 0;                         ///< endpoint events in the whole trial
};

/// The names of the analyses, in the order TrialOutcome lists them:
/// "logrank", "fh(0,1)", "landmark-logrank", "landmark-cox", "rmst", "cox",
/// then "lab:<name>" per lab endpoint.
std::vector<std::string> AnalysisNames(const AnalysisPlan& plan);

/// Trials [begin, end) of a study with `seed`, in order. `progress`, when
/// set, is called with the number of trials finished so far (from one thread
/// at a time). When `null_effect` is true the therapy effect is replaced by
/// none (the type I error run); its streams differ from the effect run's.
struct TrialRange {
  std::uint64_t seed = 1;
  std::int64_t begin = 0;
  std::int64_t end = 0;
  bool null_effect = false;
  int threads = 1;  ///< 0: one per hardware thread
  std::function<void(std::int64_t)> progress;
};
Result<std::vector<TrialOutcome>> SimulateTrials(const TrialDesign& design, const TrialRange& range);

struct AnalysisPower {
  std::string name;
  double power = 0;  ///< share of trials rejected at alpha
  double lower = 0;  ///< Clopper-Pearson 95 % interval of the share
  double upper = 0;
  double type1_error = 0;  ///< share rejected under the null effect
  double type1_lower = 0;
  double type1_upper = 0;
  double mean_estimate = 0;  ///< over the trials where the analysis was computed
  std::int64_t not_computed = 0;
};

struct PowerReport {
  std::int64_t trials = 0;
  std::int64_t null_trials = 0;  ///< 0: no null run, the type I error fields are 0
  std::int64_t patients = 0;
  double mean_events = 0;
  std::vector<AnalysisPower> analyses;
};

/// Summarises effect-run and null-run outcomes (equal counts, or an empty
/// null run for power only).
PowerReport SummarisePower(const TrialDesign& design, const std::vector<TrialOutcome>& effect,
                           const std::vector<TrialOutcome>& null_run);

/// The smallest number of patients (both arms, split by the allocation) at
/// which `analysis` reaches `target` power, by bisection over
/// [min_patients, max_patients] with the same seed at every size (common
/// random numbers keep the power curve monotone in practice).
struct SampleSizeOptions {
  std::string analysis = "logrank";
  double target = 0.8;
  std::int64_t trials = 1000;
  std::uint64_t seed = 1;
  int min_patients = 20;
  int max_patients = 2000;
  int threads = 1;
  /// Runs the trials of one size; empty: SimulateTrials. (The CLI passes one
  /// that splits them across MPI processes.)
  std::function<Result<std::vector<TrialOutcome>>(const TrialDesign&, const TrialRange&)> run_trials;
};

struct SampleSizePoint {
  int patients = 0;
  double power = 0;
  double lower = 0;
  double upper = 0;
};

struct SampleSizeResult {
  bool reached = false;                    ///< false when even max_patients falls short
  int patients = 0;                        ///< the smallest size found reaching the target
  std::vector<SampleSizePoint> evaluated;  ///< every size tried, in order
};

/// Errors: kInvalidArgument for an unknown analysis name or bad bounds.
Result<SampleSizeResult> SearchSampleSize(const TrialDesign& design, const SampleSizeOptions& options);

}  // namespace cirrus::sim
