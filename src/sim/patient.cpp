#include "internal/patient.hpp"

#include <algorithm>
#include <cmath>

#include "cirrus/base/check.hpp"
#include "cirrus/scores/meld.hpp"

namespace cirrus::sim::internal {
namespace {

constexpr std::size_t Index(Lab lab) { return static_cast<std::size_t>(lab); }

// Index decompensation (first event): ascites is the most common index event
// (JHEP Rep 2022 cohort of ascites; D'Amico 2014 events) [assumption].
constexpr std::array<double, 4> kIndexDecompensation = {0.60, 0.20, 0.10, 0.10};
// Further decompensation: refractory ascites 21 %, HE 18 %, SBP and HRS-AKI
// (counted as ascites) 10 %, bleeding 4 % of 56 % (JHEP Rep 2022, Table 2).
constexpr std::array<double, 4> kFurtherDecompensation = {0.45, 0.15, 0.30, 0.10};
constexpr std::array kDecompensationKinds = {
    core::DecompensationKind::kAscites, core::DecompensationKind::kVaricealBleeding,
    core::DecompensationKind::kEncephalopathy, core::DecompensationKind::kJaundice};
constexpr std::array kDeathCauses = {core::DeathCause::kLiverFailure, core::DeathCause::kInfection,
                                     core::DeathCause::kBleeding, core::DeathCause::kOther, core::DeathCause::kHcc};

double NormalCdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// P(age > 50) for the truncated normal age distribution of the population.
double ShareOver50(const Population& p) {
  if (p.age_sd <= 0) return p.age_mean > 50 ? 1 : 0;
  const double lo = NormalCdf((p.age_min - p.age_mean) / p.age_sd);
  const double hi = NormalCdf((p.age_max - p.age_mean) / p.age_sd);
  const double at50 = NormalCdf((std::clamp(50.0, p.age_min, p.age_max) - p.age_mean) / p.age_sd);
  return hi > lo ? (hi - at50) / (hi - lo) : 0;
}

// The reference's HCC hazards are population figures: 0.065/year is
// -ln(1 - 0.276) / 5, the 5-year cumulative incidence of 27.6 % in
// decompensated HBV on antivirals. The covariates (age over 50, male sex)
// spread the individual hazards widely (HR 8.4 and 4.2), and a population of
// widely spread hazards has a lower cumulative risk than one hazard of the
// same mean. So the factor f on h is chosen such that the population's
// 5-year net risk, sum over the four covariate groups of
// share x (1 - exp(-5 f h HR)), equals 1 - exp(-5 h): the published risk is
// kept, whatever the covariate mix.
double HccRiskFactor(double hazard, const NaturalHistory& h, const Population& population) {
  if (hazard <= 0) return 1;
  const double old = ShareOver50(population);
  const double male = population.male_fraction;
  const std::array<double, 4> share = {(1 - old) * (1 - male), (1 - old) * male, old * (1 - male), old * male};
  const std::array<double, 4> ratio = {1, std::exp(h.hcc_log_hr_male), std::exp(h.hcc_log_hr_age_over_50),
                                       std::exp(h.hcc_log_hr_age_over_50 + h.hcc_log_hr_male)};
  constexpr double kYears = 5;
  const double target = 1 - std::exp(-kYears * hazard);
  auto risk = [&](double log_factor) {
    double total = 0;
    for (std::size_t g = 0; g < 4; ++g)
      total += share[g] * (1 - std::exp(-kYears * std::exp(log_factor) * hazard * ratio[g]));
    return total;
  };
  // The risk grows with the factor: bisection on its logarithm.
  double lo = -20;
  double hi = 20;
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (risk(mid) < target ? lo : hi) = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

}  // namespace

double MeldFromLogs(double log_bilirubin_umol_l, double log_inr, double log_creatinine_umol_l) {
  // The scores library's MELD formula, unrounded (a hazard needs a smooth
  // value). Values below 1 are set to 1 and creatinine is capped: on the log
  // scale the model keeps, a clamp of each log, with no exp or log of a lab in
  // the hazard loop.
  using F = scores::MeldFormula;
  const double log_floor = std::log(F::kLabFloor);
  const double log_bilirubin = std::max(log_floor, log_bilirubin_umol_l - std::log(17.1));
  const double log_creatinine =
      std::clamp(log_creatinine_umol_l - std::log(88.4), log_floor, std::log(F::kCreatinineCap));
  const double meld = 10 * (F::kBilirubin * log_bilirubin + F::kInr * std::max(log_floor, log_inr) +
                            F::kCreatinine * log_creatinine + F::kConstant);
  return std::min(meld, 40.0);
}

double ContinuousMeld(double bilirubin_umol_l, double inr, double creatinine_umol_l) {
  return MeldFromLogs(std::log(bilirubin_umol_l), std::log(inr), std::log(creatinine_umol_l));
}

PatientModel::PatientModel(const Model& model) : model_(model) {
  // Physiological bounds on each lab's own scale.
  for (std::size_t i = 0; i < kLabCount; ++i) {
    const LabTrajectory& lab = model_.labs.labs[i];
    const bool log_scale = IsLogScale(static_cast<Lab>(i));
    lower_[i] = log_scale ? std::log(lab.minimum) : lab.minimum;
    upper_[i] = log_scale ? std::log(lab.maximum) : lab.maximum;
  }
  // Cholesky factor of the intercept correlation (small and fixed: by hand
  // rather than a dense solver, so that a failure is a flag, not a throw).
  const auto& r = model_.labs.intercept_correlation;
  for (std::size_t i = 0; i < kLabCount; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double sum = r[i][j];
      for (std::size_t k = 0; k < j; ++k) sum -= cholesky_[i][k] * cholesky_[j][k];
      if (i == j) {
        if (sum <= 1e-12) {
          ok_ = false;
          return;
        }
        cholesky_[i][i] = std::sqrt(sum);
      } else {
        cholesky_[i][j] = sum / cholesky_[j][j];
      }
    }
  }
  const NaturalHistory& h = model_.history;
  hcc_factor_[static_cast<std::size_t>(LiverState::kCompensated)] =
      HccRiskFactor(h.hcc_compensated, h, model_.population);
  hcc_factor_[static_cast<std::size_t>(LiverState::kFirstDecompensation)] =
      HccRiskFactor(h.hcc_decompensated, h, model_.population);
  hcc_factor_[static_cast<std::size_t>(LiverState::kFurtherDecompensation)] =
      hcc_factor_[static_cast<std::size_t>(LiverState::kFirstDecompensation)];
  hcc_factor_[static_cast<std::size_t>(LiverState::kRecompensated)] =
      HccRiskFactor(h.hcc_recompensated, h, model_.population);
}

bool PatientModel::LabsAct() const {
  return model_.history.meld_log_hr_death != 0 || model_.history.albumin_log_hr_death != 0;
}

void PatientModel::DrawBaseline(VirtualPatient& patient, LiverState entry_state, const Treatment& treatment,
                                Random& rng, bool with_labs) const {
  const Population& pop = model_.population;
  double age = pop.age_mean;
  for (int attempt = 0; attempt < 100; ++attempt) {
    age = pop.age_mean + pop.age_sd * rng.Normal();
    if (age >= pop.age_min && age <= pop.age_max) break;
    age = std::clamp(age, pop.age_min, pop.age_max);
  }
  patient.age = age;
  patient.sex = rng.Uniform() < pop.male_fraction ? core::Sex::kMale : core::Sex::kFemale;
  if (model_.course == Course::kHbvOnAntivirals) {
    patient.aetiology = core::Aetiology::kHbv;
  } else {
    patient.aetiology = rng.Uniform() < pop.alcohol_fraction ? core::Aetiology::kAlcohol : core::Aetiology::kHcv;
  }
  patient.weight_kg = std::clamp(pop.weight_mean_kg + pop.weight_sd_kg * rng.Normal(), 35.0, 150.0);
  patient.entry_state = entry_state;
  patient.index_decompensation = kDecompensationKinds[static_cast<std::size_t>(
      rng.Choose(kIndexDecompensation.data(), static_cast<int>(kIndexDecompensation.size())))];

  std::array<double, kLabCount> z{};
  if (with_labs) {
    for (auto& v : z) v = rng.Normal();
  }
  for (std::size_t i = 0; i < kLabCount; ++i) {
    double correlated = 0;
    for (std::size_t k = 0; k <= i; ++k) correlated += cholesky_[i][k] * z[k];
    const LabTrajectory& lab = model_.labs.labs[i];
    patient.intercept[i] = lab.mean + lab.intercept_sd * correlated;
    patient.slope[i] = lab.slope + (with_labs ? lab.slope_sd * rng.Normal() : 0.0);
  }
  const double u = rng.Uniform();
  patient.responder = model_.therapy.form == EffectForm::kResponderMixture && !treatment.infusion_years.empty() &&
                      u < model_.therapy.responder_fraction;
}

double PatientModel::EffectFactor(const Treatment& treatment) const {
  const TherapyEffect& e = model_.therapy;
  double route = 1;
  switch (treatment.route) {
    case core::Route::kPeripheralVein: route = e.route_factor_peripheral_vein; break;
    case core::Route::kPortalVein: route = e.route_factor_portal_vein; break;
    case core::Route::kHepaticArtery: route = e.route_factor_hepatic_artery; break;
    case core::Route::kImplantedPort: route = e.route_factor_implanted_port; break;
    case core::Route::kOther: route = 1; break;
  }
  double product = 1;
  switch (treatment.product) {
    case core::CellProduct::kBmMnc: product = e.product_factor_bm_mnc; break;
    case core::CellProduct::kBmMsc: product = e.product_factor_bm_msc; break;
    case core::CellProduct::kUcMsc: product = e.product_factor_uc_msc; break;
    case core::CellProduct::kOther: product = 1; break;
  }
  return route * product;
}

double PatientModel::TherapyShift(const Treatment& treatment, Lab lab, double years) const {
  const TherapyEffect& e = model_.therapy;
  if (e.form != EffectForm::kLabMediated || treatment.infusion_years.empty()) return 0;
  double peak = 0;
  switch (lab) {
    case Lab::kAlbumin: peak = e.albumin_peak_g_l; break;
    case Lab::kBilirubin: peak = e.log_bilirubin_peak; break;
    case Lab::kInr: peak = e.log_inr_peak; break;
    case Lab::kCholinesterase: peak = e.log_cholinesterase_peak; break;
    default: return 0;
  }
  // Each infusion gives a pulse: nothing until the onset, a linear rise to 1
  // at the peak, then exponential waning with the half-life. The course's
  // effect is the mean pulse, scaled by the saturating course factor
  // n / (n + k), normalised to the reference course of 3 infusions.
  double pulse = 0;
  for (double given : treatment.infusion_years) {
    const double s = years - given;
    if (s < e.onset_years) continue;
    if (s < e.peak_years) {
      pulse += (s - e.onset_years) / (e.peak_years - e.onset_years);
    } else {
      pulse += std::exp2(-(s - e.peak_years) / e.half_life_years);
    }
  }
  const auto n = static_cast<double>(treatment.infusion_years.size());
  const double k = e.course_half_saturation;
  const double course = (n / (n + k)) / (3 / (3 + k));
  return peak * course * EffectFactor(treatment) * pulse / n;
}

double PatientModel::HazardRatio(const VirtualPatient& patient, const Treatment& treatment, double years) const {
  const TherapyEffect& e = model_.therapy;
  if (treatment.infusion_years.empty()) return 1;
  double hr = 1;
  if (e.form == EffectForm::kPiecewiseHazardRatio) {
    if (years < e.lag_years) {
      hr = e.hazard_ratio_early;
    } else if (e.ramp_years > 0 && years < e.lag_years + e.ramp_years) {
      hr = e.hazard_ratio_early + (e.hazard_ratio_late - e.hazard_ratio_early) * (years - e.lag_years) / e.ramp_years;
    } else {
      hr = e.hazard_ratio_late;
    }
  } else if (e.form == EffectForm::kResponderMixture) {
    if (patient.responder && years >= e.responder_lag_years) hr = e.responder_hazard_ratio;
  } else {
    return 1;
  }
  // The route and product factors scale the log hazard ratio.
  const double factor = EffectFactor(treatment);
  return factor == 1 ? hr : std::pow(hr, factor);
}

double PatientModel::TrueLab(const VirtualPatient& patient, const Treatment& treatment, Lab lab, double years) const {
  const std::size_t i = Index(lab);
  const LabTrajectory& trajectory = model_.labs.labs[i];
  double value = patient.intercept[i] + patient.slope[i] * years;
  for (const LabShift& shift : patient.shifts) {
    if (shift.years > years) break;
    value += shift.multiple * trajectory.step_d2 * (shift.reversal ? trajectory.recompensation_reversal : 1.0);
  }
  if (years >= patient.hcc_years) value += trajectory.step_hcc;
  value += TherapyShift(treatment, lab, years);
  return std::clamp(value, lower_[i], upper_[i]);
}

double PatientModel::MeasuredLab(const VirtualPatient& patient, const Treatment& treatment, Lab lab, double years,
                                 Random& rng) const {
  const std::size_t i = Index(lab);
  const double value = std::clamp(TrueLab(patient, treatment, lab, years) + model_.labs.labs[i].noise_sd * rng.Normal(),
                                  lower_[i], upper_[i]);
  return IsLogScale(lab) ? std::exp(value) : value;
}

VirtualPatient PatientModel::Simulate(LiverState entry_state, double follow_up_years, const Treatment& treatment,
                                      Random& rng, bool with_labs) const {
  CIRRUS_ASSERT(ok_, "PatientModel used after its correlation failed");
  VirtualPatient p;
  DrawBaseline(p, entry_state, treatment, rng, with_labs || LabsAct());
  const NaturalHistory& h = model_.history;
  const TherapyEffect& e = model_.therapy;
  const bool treated = !treatment.infusion_years.empty();
  const double hcc_covariates =
      std::exp((p.age > 50 ? h.hcc_log_hr_age_over_50 : 0.0) + (p.sex == core::Sex::kMale ? h.hcc_log_hr_male : 0.0));
  double cause_total = 0;
  for (double w : h.death_cause_split) cause_total += w;

  // Times where the therapy's hazard ratio jumps, so that steps end there.
  std::array<double, 3> breakpoints = {kNever, kNever, kNever};
  if (treated && e.form == EffectForm::kPiecewiseHazardRatio) {
    breakpoints[0] = e.lag_years;
    if (e.ramp_years > 0) breakpoints[1] = e.lag_years + e.ramp_years;
  }
  if (treated && e.form == EffectForm::kResponderMixture) breakpoints[2] = e.responder_lag_years;

  // Competing transitions out of the current state, in a fixed order.
  enum Transition { kToD1, kToD2, kToR, kToHcc, kToTransplant, kToDeath, kToLost, kTransitionCount };
  LiverState state = entry_state;
  bool hcc = false;
  double t = 0;
  double budget = rng.Exponential();  // unit-exponential clock of the next event
  // The labs move the hazards only through the death hazard's MELD and
  // albumin terms; without them the hazards change only at events and at the
  // therapy's breakpoints, and the history needs no grid of steps at all.
  const bool labs_act = LabsAct();
  const double step = model_.hazard_step_years;
  while (t < follow_up_years) {
    double step_end = labs_act ? std::min(follow_up_years, (std::floor(t / step + 1e-9) + 1) * step) : follow_up_years;
    for (double b : breakpoints) {
      if (b > t && b < step_end) step_end = b;
    }
    // Hazards over [t, step_end), from the true labs at t.
    double labs = 1;
    if (labs_act) {
      const double albumin = TrueLab(p, treatment, Lab::kAlbumin, t);
      const double meld = MeldFromLogs(TrueLab(p, treatment, Lab::kBilirubin, t), TrueLab(p, treatment, Lab::kInr, t),
                                       TrueLab(p, treatment, Lab::kCreatinine, t));
      labs = std::exp(h.meld_log_hr_death * (meld - h.meld_reference) +
                      h.albumin_log_hr_death * (albumin - h.albumin_reference_g_l));
    }
    const double hr = HazardRatio(p, treatment, t);
    const double hr_decompensation = (e.form == EffectForm::kPiecewiseHazardRatio && e.applies_to_decompensation) ||
                                             e.form == EffectForm::kResponderMixture
                                         ? hr
                                         : 1.0;
    std::array<double, kTransitionCount> rate{};
    double death = 0;
    double hcc_base = 0;
    switch (state) {
      case LiverState::kCompensated:
        rate[kToD1] = h.compensated_to_d1 * hr_decompensation;
        death = h.compensated_death;
        hcc_base = h.hcc_compensated;
        break;
      case LiverState::kFirstDecompensation:
        rate[kToD2] = h.d1_to_d2 * hr_decompensation;
        rate[kToR] = h.d1_to_recompensated;
        rate[kToTransplant] = h.d1_transplant;
        death = h.d1_death;
        hcc_base = h.hcc_decompensated;
        break;
      case LiverState::kFurtherDecompensation:
        rate[kToTransplant] = h.d2_transplant;
        death = h.d2_death;
        hcc_base = h.hcc_decompensated;
        break;
      case LiverState::kRecompensated:
        rate[kToD1] = h.recompensated_to_d1 * hr_decompensation;
        death = h.recompensated_death;
        hcc_base = h.hcc_recompensated;
        break;
    }
    const double death_base = death * labs * hr;
    rate[kToDeath] = death_base * (hcc ? h.death_multiplier_hcc : 1.0);
    rate[kToHcc] = hcc ? 0.0 : hcc_base * hcc_factor_[static_cast<std::size_t>(state)] * hcc_covariates;
    rate[kToLost] = h.loss_to_follow_up;
    double total = 0;
    for (double r : rate) total += r;

    const double span = step_end - t;
    if (total * span < budget) {
      budget -= total * span;
      t = step_end;
      continue;
    }
    t += budget / total;
    budget = rng.Exponential();
    Event event;
    event.years = t;
    const auto which = static_cast<Transition>(rng.Choose(rate.data(), kTransitionCount));
    switch (which) {
      case kToD1:
        event.kind = EventKind::kDecompensation;
        event.decompensation = kDecompensationKinds[static_cast<std::size_t>(
            rng.Choose(kIndexDecompensation.data(), static_cast<int>(kIndexDecompensation.size())))];
        // From compensated: half a further-decompensation step; a relapse
        // from recompensation takes back what recompensation gave.
        p.shifts.push_back(state == LiverState::kCompensated ? LabShift{t, 0.5, false} : LabShift{t, 1.0, true});
        state = LiverState::kFirstDecompensation;
        break;
      case kToD2:
        event.kind = EventKind::kFurtherDecompensation;
        event.decompensation = kDecompensationKinds[static_cast<std::size_t>(
            rng.Choose(kFurtherDecompensation.data(), static_cast<int>(kFurtherDecompensation.size())))];
        p.shifts.push_back({t, 1.0, false});
        state = LiverState::kFurtherDecompensation;
        break;
      case kToR:
        event.kind = EventKind::kRecompensation;
        p.shifts.push_back({t, -1.0, true});
        state = LiverState::kRecompensated;
        break;
      case kToHcc:
        event.kind = EventKind::kHcc;
        hcc = true;
        p.hcc_years = t;
        break;
      case kToTransplant:
        event.kind = EventKind::kTransplant;
        p.transplanted = true;
        break;
      case kToDeath: {
        event.kind = EventKind::kDeath;
        // Causes in proportion to their share of the death hazard: the
        // non-HCC split, plus the excess that HCC brings.
        std::array<double, 5> weights{};
        for (std::size_t c = 0; c < 4; ++c) weights[c] = h.death_cause_split[c] / cause_total;
        weights[4] = hcc ? std::max(0.0, h.death_multiplier_hcc - 1) : 0.0;
        event.cause = kDeathCauses[static_cast<std::size_t>(rng.Choose(weights.data(), 5))];
        p.died = true;
        break;
      }
      case kToLost:
        event.kind = EventKind::kLossToFollowUp;
        p.lost = true;
        break;
      case kTransitionCount: break;
    }
    p.events.push_back(event);
    if (p.died || p.transplanted || p.lost) break;
  }
  p.end_years = std::min(t, follow_up_years);
  return p;
}

}  // namespace cirrus::sim::internal
