// cirrus/sim/design.hpp: what is simulated around the virtual patients: the
// sites, arms with their infusion courses, accrual, the visit schedule, and
// for a trial the endpoint and the analyses.
//
// Both structures come from configuration files (cirrus/sim/config.hpp);
// the defaults are those of the UC-MSC RCT (Shi 2021): 219 patients 1:1,
// infusions at weeks 0, 4, 8, visits at weeks 2-48 then every 6 months, 75
// months of follow-up.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/sim/model.hpp"

namespace cirrus::sim {

struct SiteDesign {
  std::string code;
  std::string name;
  std::string country;
  double weight = 1;  ///< share of the patients, relative to the other sites
};

struct ArmDesign {
  std::string code;
  std::string name;
  double allocation = 1;  ///< relative share of the patients
  /// Empty for a control arm; otherwise the cell product given.
  std::optional<core::CellProduct> product;
  core::CellSource source = core::CellSource::kAllogeneic;
  core::Route route = core::Route::kPeripheralVein;
  double dose = 0.5e6;
  core::DoseUnit dose_unit = core::DoseUnit::kCellsPerKg;
  /// Infusion times in weeks from enrolment; empty for a control arm.
  std::vector<double> infusion_weeks;
};

struct VisitSchedule {
  std::vector<double> weeks = {0, 2, 4, 8, 12, 24, 36, 48};  ///< from enrolment; 0 is baseline
  double then_every_months = 6;      ///< after the last listed week, until the end of follow-up; 0: none
  int window_days = 7;               ///< actual visit dates jitter uniformly within +- this
  double missed_probability = 0.05;  ///< a scheduled visit (other than baseline) is missed
  /// Labs drawn at each completed visit; AFP goes with the 6-monthly surveillance.
  std::vector<Lab> labs = {Lab::kAlbumin,        Lab::kBilirubin, Lab::kInr, Lab::kCreatinine, Lab::kSodium,
                           Lab::kCholinesterase, Lab::kAlt,       Lab::kAst, Lab::kPlatelets,  Lab::kAfp};
};

struct CohortDesign {
  std::string study_code = "SIM-UCMSC";
  std::string study_title = "Simulated UC-MSC trial in HBV decompensated cirrhosis";
  std::vector<SiteDesign> sites = {{"S01", "Simulated site 1", "CN", 1}};
  std::vector<ArmDesign> arms;
  int patients = 219;
  core::Date start_date;         ///< first enrolment can happen on this day (default 2010-10-01)
  double accrual_months = 24;    ///< enrolment uniform over this span
  double follow_up_months = 75;  ///< per patient, from enrolment
  LiverState entry_state = LiverState::kFirstDecompensation;
  VisitSchedule schedule;
  Model model;
};

enum class Endpoint {
  kDeath,              ///< transplant and loss to follow-up censor
  kDeathOrTransplant,  ///< loss to follow-up censors
  kHccFreeSurvival,    ///< HCC or death
};

/// The analyses of each simulated trial; all two-sided at `alpha`.
struct AnalysisPlan {
  Endpoint endpoint = Endpoint::kDeath;
  double alpha = 0.05;
  double landmark_months = 13;  ///< landmark log-rank and landmark Cox
  double rmst_tau_months = 60;  ///< restricted mean survival time difference
  /// Change from baseline of these labs at this week (ANCOVA on baseline,
  /// among patients with both values).
  std::vector<Lab> lab_endpoints = {Lab::kAlbumin, Lab::kBilirubin, Lab::kCholinesterase};
  double lab_endpoint_week = 48;
};

struct TrialDesign {
  CohortDesign cohort;  ///< exactly two arms, the first is the comparator
  AnalysisPlan analysis;
};

/// The default designs of the reference (examples/sim holds them as files).
CohortDesign DefaultCohortDesign();
TrialDesign DefaultTrialDesign();

}  // namespace cirrus::sim
