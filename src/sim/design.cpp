// The default designs: the UC-MSC randomised trial of Shi M, Li YY, Xu RN et
// al., Hepatol Int 2021;15(6):1431-1441, doi:10.1007/s12072-021-10199-2:
// 219 patients with HBV-related decompensated cirrhosis, 111 control and 108
// UC-MSC, followed from October 2010 to October 2017 (up to 75 months);
// three infusions of 0.5 x 10^6 cells/kg into a peripheral vein at 4-week
// intervals (weeks 0, 4, 8). examples/sim/ucmsc-rct.toml spells the same design out.
#include "cirrus/sim/design.hpp"

#include <utility>

namespace cirrus::sim {
namespace {

// Allocation is relative, so the trial's realised arm sizes (111 : 108)
// serve directly as weights.
std::vector<ArmDesign> ShiArms() {
  ArmDesign control;
  control.code = "control";
  control.name = "Standard medical treatment";
  control.allocation = 111;

  ArmDesign treated;
  treated.code = "ucmsc";
  treated.name = "UC-MSC plus standard medical treatment";
  treated.allocation = 108;
  treated.product = core::CellProduct::kUcMsc;
  treated.source = core::CellSource::kAllogeneic;
  treated.route = core::Route::kPeripheralVein;
  treated.dose = 0.5e6;
  treated.dose_unit = core::DoseUnit::kCellsPerKg;
  treated.infusion_weeks = {0, 4, 8};
  return {std::move(control), std::move(treated)};
}

}  // namespace

CohortDesign DefaultCohortDesign() {
  CohortDesign design;
  design.arms = ShiArms();
  design.patients = 219;
  design.start_date = core::DateFromCivil(2010, 10, 1);
  design.accrual_months = 24;
  design.follow_up_months = 75;
  design.entry_state = LiverState::kFirstDecompensation;
  // A cohort describes what happens, not a hypothesis: no therapy effect
  // unless the configuration asks for one.
  design.model = DefaultModel(Course::kHbvOnAntivirals);
  design.model.therapy.form = EffectForm::kNone;
  return design;
}

TrialDesign DefaultTrialDesign() {
  TrialDesign trial;
  trial.cohort = DefaultCohortDesign();
  // The power calculations assume the delayed effect seen by Shi 2021:
  // survival curves that separate after about 13 months.
  trial.cohort.model.therapy.form = EffectForm::kPiecewiseHazardRatio;
  return trial;
}

}  // namespace cirrus::sim
