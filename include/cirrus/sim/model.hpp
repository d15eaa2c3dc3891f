// cirrus/sim/model.hpp: the parameters of a virtual patient with
// decompensated cirrhosis: the multi-state natural history, the lab
// trajectories and the therapy effect.
//
// Every default is documented with its source and its tag (verified,
// computed, assumption) in docs/simulation.md. Time is in years throughout;
// hazards are per year.
//
// Example:
//   cirrus::sim::Model model = cirrus::sim::DefaultModel(cirrus::sim::Course::kHbvOnAntivirals);
//   model.therapy.form = cirrus::sim::EffectForm::kPiecewiseHazardRatio;
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace cirrus::sim {

/// The two parameter sets of the reference: HBV on nucleos(t)ide analogues
/// (lower hazards, recompensation possible) and the classical alcohol/HCV
/// course of the pre-antiviral cohorts (median survival about 2 years after
/// decompensation, no recompensation).
enum class Course { kHbvOnAntivirals, kClassical };

/// Where a patient's liver disease is at a given time. HCC is a flag on
/// top of any of the living states; transplant, death and loss to
/// follow-up end the simulated history.
enum class LiverState : unsigned char {
  kCompensated,            ///< C: only for cohorts that start before decompensation
  kFirstDecompensation,    ///< D1: the trial entry state
  kFurtherDecompensation,  ///< D2
  kRecompensated,          ///< R (Baveno VII; HBV on antivirals)
};

/// Hazards of the natural history at the reference labs, per year.
struct NaturalHistory {
  double compensated_to_d1 = 0.05;  ///< C -> D1 (Cochrane CD015173: 5-7 %/year)
  double compensated_death = 0.01;  ///< C -> death (D'Amico 2006 stage 1-2)
  /// D1 -> D2 and the death hazards are the values at which the full model
  /// (labs, HCC) reproduces the 5-year state occupation of D'Amico 2022/24
  /// (docs/simulation.md; tests/sim/model_test.cpp).
  double d1_to_d2 = 0.20;
  double d1_death = 0.038;
  double d2_death = 0.167;
  double d1_transplant = 0.005;
  double d2_transplant = 0.01;
  /// Reproduces 60.4 % recompensated among patients followed 120 weeks on
  /// entecavir (J Hepatol 2022); the reference's discounted 0.30 gives 46 %.
  double d1_to_recompensated = 0.47;
  double recompensated_to_d1 = 0.05;
  double recompensated_death = 0.02;
  /// HCC hazards (population averages over the baseline covariates).
  double hcc_decompensated = 0.065;
  double hcc_recompensated = 0.02;
  double hcc_compensated = 0.035;
  double hcc_log_hr_age_over_50 = 2.13;  ///< HR 8.41
  double hcc_log_hr_male = 1.44;         ///< HR 4.24
  double death_multiplier_hcc = 3.0;     ///< the death hazard with HCC, the excess attributed to HCC
  /// Log hazard ratio of death per MELD point and per g/L of albumin above
  /// the reference values, using the true (noise-free) labs.
  double meld_log_hr_death = 0.10;
  double albumin_log_hr_death = -0.05;
  double meld_reference = 13;
  double albumin_reference_g_l = 30;
  /// Split of the non-HCC death hazard by cause (liver failure, infection,
  /// bleeding, other); normalised to sum 1.
  std::array<double, 4> death_cause_split = {0.55, 0.25, 0.10, 0.10};
  double loss_to_follow_up = 0.03;
};

/// The labs a virtual patient carries. Each lab lives on a transformed
/// scale (identity for albumin and sodium, natural log otherwise).
enum class Lab : unsigned char {
  kAlbumin,         ///< g/L
  kBilirubin,       ///< umol/L (log)
  kInr,             ///< ratio (log)
  kCreatinine,      ///< umol/L (log)
  kSodium,          ///< mmol/L
  kCholinesterase,  ///< U/L (log)
  kAlt,             ///< U/L (log)
  kAst,             ///< U/L (log)
  kPlatelets,       ///< 10^9/L (log)
  kAfp,             ///< ng/mL (log)
};
inline constexpr std::size_t kLabCount = 10;

/// "albumin", "bilirubin", ... as used in configuration files.
std::string_view LabName(Lab lab);
/// True for the labs modelled on the log scale.
bool IsLogScale(Lab lab);

/// One lab's random-intercept, random-slope model on its transformed scale:
/// y(t) = mean + b0 + (slope + b1) t + steps + therapy + noise.
struct LabTrajectory {
  double mean = 0;                       ///< population mean at entry (transformed scale)
  double intercept_sd = 0;               ///< SD of b0
  double slope = 0;                      ///< mean change per year
  double slope_sd = 0;                   ///< SD of b1
  double noise_sd = 0;                   ///< within-person and measurement variation
  double step_d2 = 0;                    ///< shift on entering further decompensation
  double step_hcc = 0;                   ///< shift on HCC
  double recompensation_reversal = 0.5;  ///< share of the accumulated D2 step undone on recompensation
  double minimum = 0;                    ///< physiological bounds on the natural scale
  double maximum = 0;
};

struct LabModel {
  std::array<LabTrajectory, kLabCount> labs{};
  /// Correlation of the baseline intercepts b0 across labs (eldd, section
  /// 1.6 of the reference); must be positive definite.
  std::array<std::array<double, kLabCount>, kLabCount> intercept_correlation{};
  /// Prothrombin activity (%) from INR: 100 / (1 + k (INR - 1)), the
  /// calibration being reagent-specific; k = 1.64 maps INR 1.5 to 55 %
  /// and 2.0 to 38 %.
  double prothrombin_activity_k = 1.64;
};

/// Baseline covariates of the entering population.
struct Population {
  double age_mean = 50;
  double age_sd = 10;
  double age_min = 18;
  double age_max = 80;
  double male_fraction = 0.8;
  double weight_mean_kg = 65;
  double weight_sd_kg = 10;
  /// The classical course's aetiology mix: alcohol, the rest HCV. The HBV
  /// course is all HBV.
  double alcohol_fraction = 0.6;
};

enum class EffectForm {
  kNone,                  ///< the null: no therapy effect at all
  kPiecewiseHazardRatio,  ///< HR early before the lag, HR late after it (default for power)
  kLabMediated,           ///< a pulse on the labs per infusion, acting through MELD and albumin
  kResponderMixture,      ///< a fraction of treated patients respond after a lag
};

/// The therapy effect, one interface for three forms. Applies to treated
/// patients only (patients of an arm with infusions).
struct TherapyEffect {
  EffectForm form = EffectForm::kNone;
  // kPiecewiseHazardRatio
  double lag_years = 13.0 / 12;
  double hazard_ratio_early = 1.0;
  double hazard_ratio_late = 0.6;
  double ramp_years = 0;                   ///< > 0: linear change from early to late over this span after the lag
  bool applies_to_decompensation = false;  ///< also multiply D1 -> D2
  // kLabMediated: peak shifts on the transformed scale (g/L for albumin,
  // log for the others), reached by the reference course of 3 infusions.
  double albumin_peak_g_l = 3.5;
  double log_bilirubin_peak = -0.2;
  double log_inr_peak = -0.02;
  double log_cholinesterase_peak = 0.095;  ///< +10 %
  double onset_years = 3.0 / 52;
  double peak_years = 20.0 / 52;
  double half_life_years = 9.0 / 12;
  /// Course length: the effect scales as n / (n + k), normalised to 3 infusions.
  double course_half_saturation = 2;
  // kResponderMixture
  double responder_fraction = 0.3;
  double responder_hazard_ratio = 0.3;
  double responder_lag_years = 13.0 / 12;
  /// Multipliers of the effect by route and product (kLabMediated: the
  /// shifts; the hazard-ratio forms: the log hazard ratio).
  double route_factor_peripheral_vein = 1.0;
  double route_factor_portal_vein = 1.2;
  double route_factor_hepatic_artery = 1.3;
  double route_factor_implanted_port = 1.0;
  double product_factor_bm_mnc = 1.0;
  double product_factor_bm_msc = 1.1;
  double product_factor_uc_msc = 1.0;
  // Adverse events per infusion
  double fever_probability = 0.1;
  double other_adverse_event_probability = 0.02;
};

/// Everything that describes a virtual patient, apart from the trial design.
struct Model {
  Course course = Course::kHbvOnAntivirals;
  NaturalHistory history;
  LabModel labs;
  Population population;
  TherapyEffect therapy;
  /// Hazards are held constant over steps of this length, re-evaluated
  /// from the labs at the start of each (exact for piecewise-constant hazards).
  double hazard_step_years = 1.0 / 12;
};

/// The reference defaults for a course (section 5 of the simulation reference).
Model DefaultModel(Course course);

}  // namespace cirrus::sim
