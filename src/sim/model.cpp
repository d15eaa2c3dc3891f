// The reference defaults of the simulator (docs/simulation.md gives each
// value's source and tag; section numbers refer to
// docs/reference/simulation.md of the steering documents).
#include "cirrus/sim/model.hpp"

#include <cmath>

namespace cirrus::sim {
namespace {

constexpr std::size_t Index(Lab lab) { return static_cast<std::size_t>(lab); }

// One row of the lab table (section 5.4): baseline on the natural scale,
// everything else on the transformed scale.
LabTrajectory Trajectory(Lab lab, double baseline, double intercept_sd, double slope, double slope_sd, double noise_sd,
                         double step_d2, double step_hcc, double minimum, double maximum) {
  LabTrajectory t;
  t.mean = IsLogScale(lab) ? std::log(baseline) : baseline;
  t.intercept_sd = intercept_sd;
  t.slope = slope;
  t.slope_sd = slope_sd;
  t.noise_sd = noise_sd;
  t.step_d2 = step_d2;
  t.step_hcc = step_hcc;
  t.minimum = minimum;
  t.maximum = maximum;
  return t;
}

LabModel DefaultLabs(Course course) {
  const bool hbv = course == Course::kHbvOnAntivirals;
  LabModel m;
  auto& l = m.labs;
  // Slopes: pbcseq stage 4 for the classical course; flatter on antivirals.
  l[Index(Lab::kAlbumin)] = Trajectory(Lab::kAlbumin, 30, 4.5, hbv ? 0.5 : -1.0, 0.6, 3.3, -2, -1, 10, 60);
  l[Index(Lab::kBilirubin)] = Trajectory(Lab::kBilirubin, 34, 0.6, hbv ? 0.05 : 0.24, 0.17, 0.35, 0.3, 0.1, 3, 800);
  l[Index(Lab::kInr)] = Trajectory(Lab::kInr, 1.35, 0.15, 0.025, 0.02, 0.08, 0.1, 0.05, 0.8, 8);
  l[Index(Lab::kCreatinine)] = Trajectory(Lab::kCreatinine, 75, 0.30, 0, 0.05, 0.12, 0.15, 0, 20, 1500);
  l[Index(Lab::kSodium)] = Trajectory(Lab::kSodium, 136, 4.5, 0, 0.5, 2.0, -3, 0, 110, 160);
  l[Index(Lab::kCholinesterase)] =
      Trajectory(Lab::kCholinesterase, 3500, 0.45, -0.05, 0.05, 0.12, -0.15, -0.1, 200, 15000);
  l[Index(Lab::kAlt)] = Trajectory(Lab::kAlt, 30, 0.5, 0, 0.05, 0.27, 0, 0.2, 3, 3000);
  l[Index(Lab::kAst)] = Trajectory(Lab::kAst, 45, 0.45, 0, 0.05, 0.27, 0.1, 0.3, 5, 5000);
  l[Index(Lab::kPlatelets)] = Trajectory(Lab::kPlatelets, 70, 0.45, -0.05, 0.05, 0.15, -0.1, 0, 5, 800);
  l[Index(Lab::kAfp)] = Trajectory(Lab::kAfp, 5, 0.8, 0, 0.05, 0.3, 0, 2.0, 0.5, 100000);

  // Baseline correlation of the intercepts (eldd, section 1.6); pairs not
  // listed there are uncorrelated.
  auto& r = m.intercept_correlation;
  for (std::size_t i = 0; i < kLabCount; ++i) r[i][i] = 1;
  auto set = [&r](Lab a, Lab b, double value) { r[Index(a)][Index(b)] = r[Index(b)][Index(a)] = value; };
  set(Lab::kAlbumin, Lab::kBilirubin, -0.58);
  set(Lab::kAlbumin, Lab::kInr, -0.55);
  set(Lab::kBilirubin, Lab::kInr, 0.73);
  set(Lab::kAlbumin, Lab::kCholinesterase, 0.68);
  set(Lab::kCholinesterase, Lab::kBilirubin, -0.57);
  set(Lab::kCholinesterase, Lab::kInr, -0.57);
  set(Lab::kSodium, Lab::kCholinesterase, 0.50);
  set(Lab::kSodium, Lab::kAlbumin, 0.38);
  set(Lab::kAlt, Lab::kAst, 0.74);
  set(Lab::kAst, Lab::kBilirubin, 0.57);
  // Not in the reference. With 0 the matrix is not positive definite (AST
  // ties ALT to bilirubin); 0.74 x 0.57 = 0.42 is the value at which ALT and
  // bilirubin are unrelated given AST [computed].
  set(Lab::kAlt, Lab::kBilirubin, 0.42);
  return m;
}

}  // namespace

std::string_view LabName(Lab lab) {
  switch (lab) {
    case Lab::kAlbumin: return "albumin";
    case Lab::kBilirubin: return "bilirubin";
    case Lab::kInr: return "inr";
    case Lab::kCreatinine: return "creatinine";
    case Lab::kSodium: return "sodium";
    case Lab::kCholinesterase: return "cholinesterase";
    case Lab::kAlt: return "alt";
    case Lab::kAst: return "ast";
    case Lab::kPlatelets: return "platelets";
    case Lab::kAfp: return "afp";
  }
  return "?";
}

bool IsLogScale(Lab lab) { return lab != Lab::kAlbumin && lab != Lab::kSodium; }

Model DefaultModel(Course course) {
  Model model;
  model.course = course;
  model.labs = DefaultLabs(course);
  NaturalHistory& h = model.history;
  if (course == Course::kClassical) {
    // The classical median survival of about 2 years after decompensation
    // needs the death hazards of the antiviral-era calibration times about 3
    // (section 5.3: x3 gives a median of 2.5 years and 77 % 5-year mortality).
    h.d1_death *= 3;
    h.d2_death *= 3;
    h.d1_to_recompensated = 0;
    h.recompensated_to_d1 = 0;
    // European transplant rates (D'Amico 2022/24).
    h.d1_transplant = 0.02;
    h.d2_transplant = 0.03;
    // No antiviral-era HCC figure: the untreated compensated rate.
    h.hcc_decompensated = 0.035;
  }
  return model;
}

}  // namespace cirrus::sim
