#include "cirrus/sim/power.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <cmath>
#include <mutex>

#include "cirrus/stats/cox.hpp"
#include "cirrus/stats/log_rank.hpp"
#include "cirrus/stats/longitudinal.hpp"
#include "cirrus/stats/rmst.hpp"
#include "internal/parallel.hpp"
#include "internal/patient.hpp"

namespace cirrus::sim {
namespace {

using internal::PatientModel;
using internal::Treatment;
using internal::VirtualPatient;

constexpr int kSurvivalAnalyses = 6;

// One trial's patients as the analyses see them; reused across the trials a
// thread runs.
struct TrialData {
  std::vector<double> months;
  std::vector<std::uint8_t> event;
  std::vector<int> arm;
  std::vector<double> arm_covariate;
  // Per lab endpoint: baseline, follow-up (NaN when missing) per patient.
  std::vector<std::vector<double>> lab_baseline;
  std::vector<std::vector<double>> lab_follow_up;
  // Scratch for the landmark subset.
  std::vector<double> subset_months;
  std::vector<std::uint8_t> subset_event;
  std::vector<int> subset_arm;
  std::vector<double> subset_covariate;
};

struct ArmPlan {
  Treatment treatment;
  int patients = 0;
};

std::array<ArmPlan, 2> PlanArms(const CohortDesign& cohort) {
  std::array<ArmPlan, 2> plans;
  const double a0 = cohort.arms[0].allocation;
  const double a1 = cohort.arms[1].allocation;
  plans[1].patients = static_cast<int>(std::lround(cohort.patients * a1 / (a0 + a1)));
  plans[0].patients = cohort.patients - plans[1].patients;
  for (std::size_t a = 0; a < 2; ++a) {
    const ArmDesign& arm = cohort.arms[a];
    if (arm.product) plans[a].treatment.product = *arm.product;
    plans[a].treatment.route = arm.route;
    for (double week : arm.infusion_weeks) plans[a].treatment.infusion_years.push_back(week / 52);
  }
  return plans;
}

// The endpoint's time (months from entry) and whether it was reached.
std::pair<double, bool> EndpointOf(const VirtualPatient& p, Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::kDeath: return {p.end_years * 12, p.died};
    case Endpoint::kDeathOrTransplant: return {p.end_years * 12, p.died || p.transplanted};
    case Endpoint::kHccFreeSurvival:
      if (p.hcc_years <= p.end_years) return {p.hcc_years * 12, true};
      return {p.end_years * 12, p.died};
  }
  return {p.end_years * 12, false};
}

AnalysisOutcome FromP(double p, double estimate, double alpha) {
  AnalysisOutcome out;
  out.computed = std::isfinite(p) && std::isfinite(estimate);
  out.p = out.computed ? p : 1;
  out.estimate = out.computed ? estimate : 0;
  out.rejected = out.computed && p < alpha;
  return out;
}

AnalysisOutcome LogRank(const stats::SurvivalData& data, std::span<const int> arm, const stats::LogRankOptions& o,
                        double alpha) {
  auto test = stats::LogRankTest(data, arm, 2, {}, 1, o);
  if (!test || test->variance.size() < 2 || test->variance[1][1] <= 0) return {};
  // The one-step estimate of the log hazard ratio, (O - E) / V of the treated arm.
  const double estimate = (test->groups[1].observed - test->groups[1].expected) / test->variance[1][1];
  return FromP(test->p, estimate, alpha);
}

AnalysisOutcome CoxArm(const stats::SurvivalData& data, std::span<const double> covariate, double alpha) {
  stats::CoxData cox;
  cox.survival = data;
  cox.covariates = covariate;
  cox.covariate_count = 1;
  auto fit = stats::FitCox(cox);
  if (!fit || fit->terms.empty() || !fit->terms[0].p || !fit->terms[0].coef) return {};
  return FromP(*fit->terms[0].p, *fit->terms[0].coef, alpha);
}

// The lab endpoint at follow-up by ANCOVA on baseline and arm (the arm's
// coefficient is that of the change from baseline on the same terms), with
// the one implementation that `cirrus ancova` uses. Patients without a
// follow-up value (dead or lost before it) are left out.
AnalysisOutcome Ancova(const std::vector<double>& baseline, const std::vector<double>& follow_up,
                       const std::vector<int>& arm, double alpha) {
  std::vector<double> outcome;
  std::vector<double> base;
  std::vector<int> group;
  std::array<int, 2> per_arm{};
  for (std::size_t i = 0; i < arm.size(); ++i) {
    if (!std::isfinite(follow_up[i])) continue;
    outcome.push_back(follow_up[i]);
    base.push_back(baseline[i]);
    group.push_back(arm[i]);
    ++per_arm[static_cast<std::size_t>(arm[i])];
  }
  if (outcome.size() < 5 || per_arm[0] < 2 || per_arm[1] < 2) return {};
  stats::AncovaData data;
  data.outcome = outcome;
  data.baseline = base;
  data.group = group;
  data.group_count = 2;
  const auto fit = stats::FitAncova(data);
  if (!fit || fit->differences.empty() || !(fit->differences[0].se > 0)) return {};
  return FromP(fit->differences[0].p, fit->differences[0].estimate, alpha);
}

class TrialRunner {
 public:
  TrialRunner(const TrialDesign& design, bool null_effect)
      : design_(design), model_(ModelFor(design, null_effect)), arms_(PlanArms(design.cohort)) {}

  [[nodiscard]] bool ok() const { return model_.ok(); }

  // Patient j of arm a draws from the stream (seed, trial, a, j): the same
  // patient whatever the size of the other arm, so that trials of different
  // sizes share their random numbers (smooth power curves for the
  // sample-size search).
  TrialOutcome Run(std::uint64_t seed, std::uint64_t trial, bool null_effect, TrialData& d) const {
    const AnalysisPlan& plan = design_.analysis;
    const std::size_t n = static_cast<std::size_t>(arms_[0].patients + arms_[1].patients);
    const std::size_t labs = plan.lab_endpoints.size();
    d.months.resize(n);
    d.event.resize(n);
    d.arm.resize(n);
    d.arm_covariate.resize(n);
    d.lab_baseline.resize(labs);
    d.lab_follow_up.resize(labs);
    for (std::size_t k = 0; k < labs; ++k) {
      d.lab_baseline[k].resize(n);
      d.lab_follow_up[k].resize(n);
    }
    const double follow_up = design_.cohort.follow_up_months / 12;
    const double lab_years = plan.lab_endpoint_week / 52;
    TrialOutcome outcome;
    std::size_t i = 0;
    for (int a = 0; a < 2; ++a) {
      const ArmPlan& arm = arms_[static_cast<std::size_t>(a)];
      for (int j = 0; j < arm.patients; ++j, ++i) {
        Random rng(seed, trial,
                   (null_effect ? std::uint64_t{1} << 62 : 0) | (static_cast<std::uint64_t>(a) << 32) |
                       static_cast<std::uint64_t>(j));
        const VirtualPatient p = model_.Simulate(design_.cohort.entry_state, follow_up, arm.treatment, rng, labs > 0);
        const auto [months, reached] = EndpointOf(p, plan.endpoint);
        d.months[i] = months;
        d.event[i] = reached ? 1 : 0;
        d.arm[i] = a;
        d.arm_covariate[i] = a;
        outcome.events += reached ? 1 : 0;
        for (std::size_t k = 0; k < labs; ++k) {
          const Lab lab = plan.lab_endpoints[k];
          d.lab_baseline[k][i] = Transformed(lab, model_.MeasuredLab(p, arm.treatment, lab, 0, rng));
          const bool seen = p.end_years > lab_years && rng.Uniform() >= design_.cohort.schedule.missed_probability;
          d.lab_follow_up[k][i] =
              seen ? Transformed(lab, model_.MeasuredLab(p, arm.treatment, lab, lab_years, rng)) : std::nan("");
        }
      }
    }
    const double alpha = plan.alpha;
    const stats::SurvivalData all{d.months, d.event};
    outcome.analyses.reserve(kSurvivalAnalyses + labs);
    outcome.analyses.push_back(LogRank(all, d.arm, {}, alpha));
    outcome.analyses.push_back(LogRank(all, d.arm, {.rho = 0, .gamma = 1}, alpha));
    // Landmark: those still followed at the landmark, time from the landmark.
    const double landmark = plan.landmark_months;
    d.subset_months.clear();
    d.subset_event.clear();
    d.subset_arm.clear();
    d.subset_covariate.clear();
    std::array<int, 2> at_risk{};
    for (std::size_t r = 0; r < n; ++r) {
      if (d.months[r] <= landmark) continue;
      d.subset_months.push_back(d.months[r] - landmark);
      d.subset_event.push_back(d.event[r]);
      d.subset_arm.push_back(d.arm[r]);
      d.subset_covariate.push_back(d.arm_covariate[r]);
      ++at_risk[static_cast<std::size_t>(d.arm[r])];
    }
    if (at_risk[0] > 0 && at_risk[1] > 0) {
      const stats::SurvivalData later{d.subset_months, d.subset_event};
      outcome.analyses.push_back(LogRank(later, d.subset_arm, {}, alpha));
      outcome.analyses.push_back(CoxArm(later, d.subset_covariate, alpha));
    } else {
      outcome.analyses.emplace_back();
      outcome.analyses.emplace_back();
    }
    auto rmst = stats::ComputeRmst(
        all, d.arm, 2, {.tau = plan.rmst_tau_months, .beyond_follow_up = stats::TauBeyondFollowUp::kCarryForward});
    if (rmst && !rmst->differences.empty() && rmst->differences[0].p) {
      outcome.analyses.push_back(FromP(*rmst->differences[0].p, -rmst->differences[0].difference, alpha));
    } else {
      outcome.analyses.emplace_back();
    }
    outcome.analyses.push_back(CoxArm(all, d.arm_covariate, alpha));
    for (std::size_t k = 0; k < labs; ++k) {
      outcome.analyses.push_back(Ancova(d.lab_baseline[k], d.lab_follow_up[k], d.arm, alpha));
    }
    return outcome;
  }

 private:
  static Model ModelFor(const TrialDesign& design, bool null_effect) {
    Model model = design.cohort.model;
    if (null_effect) model.therapy.form = EffectForm::kNone;
    return model;
  }
  static double Transformed(Lab lab, double value) { return IsLogScale(lab) ? std::log(value) : value; }

  const TrialDesign& design_;
  PatientModel model_;
  std::array<ArmPlan, 2> arms_;
};

Status CheckTrialDesign(const TrialDesign& design) {
  if (design.cohort.arms.size() != 2) {
    return Fail(ErrorCode::kInvalidArgument, "a trial needs exactly two arms", "arms");
  }
  if (design.cohort.patients < 2) {
    return Fail(ErrorCode::kInvalidArgument, "a trial needs at least two patients", "patients");
  }
  return {};
}

struct Interval {
  double lower = 0;
  double upper = 1;
};

// Clopper-Pearson (exact binomial) 95 % interval.
Interval ClopperPearson(std::int64_t successes, std::int64_t trials) {
  Interval ci;
  if (trials == 0) return ci;
  const auto k = static_cast<double>(successes);
  const auto n = static_cast<double>(trials);
  if (successes > 0) ci.lower = boost::math::quantile(boost::math::beta_distribution<double>(k, n - k + 1), 0.025);
  if (successes < trials) {
    ci.upper = boost::math::quantile(boost::math::beta_distribution<double>(k + 1, n - k), 0.975);
  }
  return ci;
}

}  // namespace

std::vector<std::string> AnalysisNames(const AnalysisPlan& plan) {
  std::vector<std::string> names = {"logrank", "fh(0,1)", "landmark-logrank", "landmark-cox", "rmst", "cox"};
  for (Lab lab : plan.lab_endpoints) names.push_back("lab:" + std::string(LabName(lab)));
  return names;
}

Result<std::vector<TrialOutcome>> SimulateTrials(const TrialDesign& design, const TrialRange& range) {
  if (auto status = CheckTrialDesign(design); !status) return Fail(status.error());
  if (range.begin < 0 || range.end < range.begin) {
    return Fail(ErrorCode::kInvalidArgument, "bad trial range", "trials");
  }
  const TrialRunner runner(design, range.null_effect);
  if (!runner.ok()) {
    return Fail(ErrorCode::kInvalidArgument, "the lab intercept correlation is not positive definite", "labs");
  }
  const auto count = static_cast<std::size_t>(range.end - range.begin);
  std::vector<TrialOutcome> outcomes(count);
  std::mutex progress_mutex;
  std::int64_t finished = 0;
  internal::ParallelFor(count, range.threads, [&](std::size_t first, std::size_t last) {
    TrialData scratch;
    for (std::size_t i = first; i < last; ++i) {
      const auto trial = static_cast<std::uint64_t>(range.begin) + i;
      outcomes[i] = runner.Run(range.seed, trial, range.null_effect, scratch);
    }
    if (range.progress) {
      const std::lock_guard lock(progress_mutex);
      finished += static_cast<std::int64_t>(last - first);
      range.progress(finished);
    }
  });
  return outcomes;
}

PowerReport SummarisePower(const TrialDesign& design, const std::vector<TrialOutcome>& effect,
                           const std::vector<TrialOutcome>& null_run) {
  PowerReport report;
  report.trials = static_cast<std::int64_t>(effect.size());
  report.null_trials = static_cast<std::int64_t>(null_run.size());
  report.patients = design.cohort.patients;
  const std::vector<std::string> names = AnalysisNames(design.analysis);
  double events = 0;
  for (const TrialOutcome& t : effect) events += t.events;
  report.mean_events = effect.empty() ? 0 : events / static_cast<double>(effect.size());
  for (std::size_t a = 0; a < names.size(); ++a) {
    AnalysisPower power;
    power.name = names[a];
    std::int64_t rejected = 0;
    std::int64_t computed = 0;
    double estimate_sum = 0;
    for (const TrialOutcome& t : effect) {
      const AnalysisOutcome& o = t.analyses[a];
      rejected += o.rejected ? 1 : 0;
      if (o.computed) {
        ++computed;
        estimate_sum += o.estimate;
      }
    }
    power.not_computed = report.trials - computed;
    power.mean_estimate = computed > 0 ? estimate_sum / static_cast<double>(computed) : 0;
    if (report.trials > 0) power.power = static_cast<double>(rejected) / static_cast<double>(report.trials);
    const Interval ci = ClopperPearson(rejected, report.trials);
    power.lower = ci.lower;
    power.upper = ci.upper;
    if (!null_run.empty()) {
      std::int64_t false_positives = 0;
      for (const TrialOutcome& t : null_run) false_positives += t.analyses[a].rejected ? 1 : 0;
      const auto trials = static_cast<std::int64_t>(null_run.size());
      power.type1_error = static_cast<double>(false_positives) / static_cast<double>(trials);
      const Interval null_ci = ClopperPearson(false_positives, trials);
      power.type1_lower = null_ci.lower;
      power.type1_upper = null_ci.upper;
    }
    report.analyses.push_back(power);
  }
  return report;
}

Result<SampleSizeResult> SearchSampleSize(const TrialDesign& design, const SampleSizeOptions& options) {
  const std::vector<std::string> names = AnalysisNames(design.analysis);
  const auto found = std::find(names.begin(), names.end(), options.analysis);
  if (found == names.end()) {
    return Fail(ErrorCode::kInvalidArgument, "unknown analysis '" + options.analysis + "'", "analysis");
  }
  if (options.min_patients < 2 || options.max_patients < options.min_patients || options.trials < 1 ||
      !(options.target > 0 && options.target < 1)) {
    return Fail(ErrorCode::kInvalidArgument, "bad sample-size search bounds", "sample-size");
  }
  const auto index = static_cast<std::size_t>(found - names.begin());
  SampleSizeResult result;
  auto power_at = [&](int patients) -> Result<SampleSizePoint> {
    TrialDesign sized = design;
    sized.cohort.patients = patients;
    TrialRange range;
    range.seed = options.seed;
    range.end = options.trials;
    range.threads = options.threads;
    auto outcomes = options.run_trials ? options.run_trials(sized, range) : SimulateTrials(sized, range);
    if (!outcomes) return Fail(outcomes.error());
    const PowerReport report = SummarisePower(sized, *outcomes, {});
    const AnalysisPower& a = report.analyses[index];
    SampleSizePoint point{patients, a.power, a.lower, a.upper};
    result.evaluated.push_back(point);
    return point;
  };
  auto high = power_at(options.max_patients);
  if (!high) return Fail(high.error());
  if (high->power < options.target) return result;
  int lo = options.min_patients;  // known (or assumed) short of the target
  int hi = options.max_patients;  // reaches the target
  auto low = power_at(lo);
  if (!low) return Fail(low.error());
  if (low->power >= options.target) hi = lo;
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    auto point = power_at(mid);
    if (!point) return Fail(point.error());
    (point->power >= options.target ? hi : lo) = mid;
  }
  result.reached = true;
  result.patients = hi;
  return result;
}

}  // namespace cirrus::sim
