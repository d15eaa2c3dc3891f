// One virtual patient: baseline draw, the event history in continuous time,
// and the labs at any time. Shared by the cohort writer and the trial engine.
#pragma once

#include <array>
#include <limits>
#include <vector>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/sim/model.hpp"
#include "cirrus/sim/random.hpp"

namespace cirrus::sim::internal {

inline constexpr double kNever = std::numeric_limits<double>::infinity();

/// What a patient is given; an empty infusion list means untreated.
struct Treatment {
  std::vector<double> infusion_years;  ///< from entry
  core::CellProduct product = core::CellProduct::kOther;
  core::Route route = core::Route::kPeripheralVein;
};

enum class EventKind : unsigned char {
  kDecompensation,         ///< C -> D1 or R -> D1 (relapse)
  kFurtherDecompensation,  ///< D1 -> D2
  kRecompensation,         ///< D1 -> R
  kHcc,
  kTransplant,
  kDeath,
  kLossToFollowUp,
};

struct Event {
  double years = 0;  ///< from entry
  EventKind kind = EventKind::kDeath;
  core::DecompensationKind decompensation = core::DecompensationKind::kAscites;
  core::DeathCause cause = core::DeathCause::kOther;
};

/// A shift of every lab by `multiple` x its step_d2 from `years` on; when
/// `reversal` is set, also times the lab's recompensation_reversal.
struct LabShift {
  double years = 0;
  double multiple = 0;
  bool reversal = false;
};

struct VirtualPatient {
  double age = 0;
  core::Sex sex = core::Sex::kMale;
  core::Aetiology aetiology = core::Aetiology::kHbv;
  double weight_kg = 0;
  LiverState entry_state = LiverState::kFirstDecompensation;
  core::DecompensationKind index_decompensation = core::DecompensationKind::kAscites;
  std::array<double, kLabCount> intercept{};  ///< mean + b0, transformed scale
  std::array<double, kLabCount> slope{};      ///< slope + b1 per year
  bool responder = false;
  std::vector<Event> events;
  std::vector<LabShift> shifts;
  double hcc_years = kNever;
  double end_years = 0;  ///< end of the simulated history (follow-up end or the ending event)
  bool died = false;
  bool transplanted = false;
  bool lost = false;
};

/// A model with its constants precomputed (Cholesky factor of the intercept
/// correlation, HCC covariate normaliser); build once, share across threads.
class PatientModel {
 public:
  /// Errors are impossible for configurations that passed the parser,
  /// except an intercept correlation that is not positive definite, which
  /// leaves ok() false.
  explicit PatientModel(const Model& model);
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const Model& model() const { return model_; }

  /// Draws the patient's baseline and simulates its history for
  /// `follow_up_years` from entry. Without `with_labs` the lab trajectories
  /// are not drawn (every patient has the mean ones): for trials that neither
  /// measure labs nor let them act on the hazards (LabsAct false).
  VirtualPatient Simulate(LiverState entry_state, double follow_up_years, const Treatment& treatment, Random& rng,
                          bool with_labs = true) const;
  /// True when the labs act on the hazards (MELD or albumin terms not zero).
  [[nodiscard]] bool LabsAct() const;

  /// The true (noise-free) lab at `years` from entry, transformed scale,
  /// within the physiological bounds.
  [[nodiscard]] double TrueLab(const VirtualPatient& patient, const Treatment& treatment, Lab lab, double years) const;
  /// A measurement: the true value plus within-person noise, natural scale.
  double MeasuredLab(const VirtualPatient& patient, const Treatment& treatment, Lab lab, double years,
                     Random& rng) const;

  /// The lab-mediated therapy shift of `lab` at `years` (transformed scale).
  [[nodiscard]] double TherapyShift(const Treatment& treatment, Lab lab, double years) const;
  /// The hazard ratio of the hazard-ratio forms at `years` (1 when untreated).
  [[nodiscard]] double HazardRatio(const VirtualPatient& patient, const Treatment& treatment, double years) const;

 private:
  void DrawBaseline(VirtualPatient& patient, LiverState entry_state, const Treatment& treatment, Random& rng,
                    bool with_labs) const;
  [[nodiscard]] double EffectFactor(const Treatment& treatment) const;

  Model model_;
  bool ok_ = true;
  std::array<std::array<double, kLabCount>, kLabCount> cholesky_{};  ///< lower triangle
  std::array<double, kLabCount> lower_{};                            ///< bounds on the transformed scale
  std::array<double, kLabCount> upper_{};
  /// Per state (C, D1, D2, R): the factor on the HCC hazard that keeps the
  /// population's 5-year net HCC risk at 1 - exp(-5 h) (see HccRiskFactor).
  std::array<double, 4> hcc_factor_{1, 1, 1, 1};
};

/// The continuous MELD (UNOS) of true labs, without rounding: hazards need a
/// smooth function. Bilirubin and creatinine in umol/L, as the model keeps them.
double ContinuousMeld(double bilirubin_umol_l, double inr, double creatinine_umol_l);
/// The same from the natural logs of the three labs, as the model keeps them.
double MeldFromLogs(double log_bilirubin_umol_l, double log_inr, double log_creatinine_umol_l);

}  // namespace cirrus::sim::internal
