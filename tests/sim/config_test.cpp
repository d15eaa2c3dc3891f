// Tests of cirrus/sim/config.hpp: defaults, every table, unit conversions,
// error messages (file, line, key, value as written, allowed range) and the
// example files of examples/sim.
#include "cirrus/sim/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cirrus_matchers.hpp"

namespace cirrus::sim {
namespace {

using ::testing::ElementsAre;
using ::testing::StartsWith;

// Values pass through one division (months or weeks to years) or one log.
constexpr double kTolerance = 1e-12;

std::size_t Index(Lab lab) { return static_cast<std::size_t>(lab); }

// The message of the error a cohort file gives.
std::string CohortError(const std::string& text) {
  Result<CohortDesign> r = ParseCohortConfig(text, "cohort.toml");
  if (r) return "(no error)";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

std::string TrialError(const std::string& text) {
  Result<TrialDesign> r = ParseTrialConfig(text, "trial.toml");
  if (r) return "(no error)";
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  return r.error().message;
}

std::string ReadExample(const std::string& name) {
  // The examples live beside the tests in the source tree; __FILE__ is
  // tests/sim/config_test.cpp.
  const std::filesystem::path path =
      std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "examples" / "sim" / name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- defaults -----------------------------------------------------------------

TEST(DefaultTrialDesign, IsTheShi2021Trial) {
  const TrialDesign trial = DefaultTrialDesign();
  const CohortDesign& c = trial.cohort;
  EXPECT_EQ(c.study_code, "SIM-UCMSC");
  ASSERT_EQ(c.sites.size(), 1U);
  ASSERT_EQ(c.arms.size(), 2U);
  EXPECT_EQ(c.arms[0].code, "control");
  EXPECT_EQ(c.arms[0].allocation, 111);
  EXPECT_FALSE(c.arms[0].product.has_value());
  EXPECT_TRUE(c.arms[0].infusion_weeks.empty());
  EXPECT_EQ(c.arms[1].code, "ucmsc");
  EXPECT_EQ(c.arms[1].allocation, 108);
  EXPECT_EQ(c.arms[1].product, core::CellProduct::kUcMsc);
  EXPECT_EQ(c.arms[1].source, core::CellSource::kAllogeneic);
  EXPECT_EQ(c.arms[1].route, core::Route::kPeripheralVein);
  EXPECT_EQ(c.arms[1].dose, 0.5e6);
  EXPECT_EQ(c.arms[1].dose_unit, core::DoseUnit::kCellsPerKg);
  EXPECT_THAT(c.arms[1].infusion_weeks, ElementsAre(0, 4, 8));
  EXPECT_EQ(c.patients, 219);
  EXPECT_EQ(core::FormatDate(c.start_date), "2010-10-01");
  EXPECT_EQ(c.accrual_months, 24);
  EXPECT_EQ(c.follow_up_months, 75);
  EXPECT_EQ(c.model.course, Course::kHbvOnAntivirals);
  EXPECT_EQ(c.model.therapy.form, EffectForm::kPiecewiseHazardRatio);
}

TEST(DefaultCohortDesign, HasNoTherapyEffect) {
  const CohortDesign c = DefaultCohortDesign();
  EXPECT_EQ(c.model.therapy.form, EffectForm::kNone);
  EXPECT_EQ(c.arms.size(), 2U);
  EXPECT_EQ(c.patients, 219);
}

TEST(ParseCohortConfig, EmptyFileGivesTheDefaults) {
  Result<CohortDesign> r = ParseCohortConfig("", "cohort.toml");
  ASSERT_THAT(r, IsOk());
  const CohortDesign d = DefaultCohortDesign();
  EXPECT_EQ(r->study_code, d.study_code);
  EXPECT_EQ(r->patients, d.patients);
  EXPECT_EQ(r->start_date, d.start_date);
  EXPECT_EQ(r->arms.size(), d.arms.size());
  EXPECT_EQ(r->schedule.weeks, d.schedule.weeks);
  EXPECT_EQ(r->model.therapy.form, EffectForm::kNone);
  EXPECT_EQ(r->model.history.d1_death, d.model.history.d1_death);
  EXPECT_EQ(r->model.labs.labs[Index(Lab::kBilirubin)].mean, d.model.labs.labs[Index(Lab::kBilirubin)].mean);
}

TEST(ParseTrialConfig, EmptyFileGivesTheDefaults) {
  Result<TrialDesign> r = ParseTrialConfig("# nothing\n", "trial.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->cohort.arms.size(), 2U);
  EXPECT_EQ(r->cohort.model.therapy.form, EffectForm::kPiecewiseHazardRatio);
  EXPECT_EQ(r->analysis.endpoint, Endpoint::kDeath);
  EXPECT_EQ(r->analysis.alpha, 0.05);
  EXPECT_EQ(r->analysis.landmark_months, 13);
  EXPECT_THAT(r->analysis.lab_endpoints, ElementsAre(Lab::kAlbumin, Lab::kBilirubin, Lab::kCholinesterase));
}

// ---- every table ----------------------------------------------------------------

TEST(ParseCohortConfig, ReadsStudyAndCohort) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[study]
code = "X1"
title = "A title"
[cohort]
patients = 40
start_date = "2020-02-29"
accrual_months = 0
follow_up_months = 36.5
entry_state = "compensated"
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->study_code, "X1");
  EXPECT_EQ(r->study_title, "A title");
  EXPECT_EQ(r->patients, 40);
  EXPECT_EQ(core::FormatDate(r->start_date), "2020-02-29");
  EXPECT_EQ(r->accrual_months, 0);
  EXPECT_EQ(r->follow_up_months, 36.5);
  EXPECT_EQ(r->entry_state, LiverState::kCompensated);
}

TEST(ParseCohortConfig, AcceptsATomlDate) {
  Result<CohortDesign> r = ParseCohortConfig("[cohort]\nstart_date = 2015-06-30\n", "cohort.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(core::FormatDate(r->start_date), "2015-06-30");
}

TEST(ParseCohortConfig, CourseIsAppliedBeforeTheOtherTables) {
  // [history] comes first in the file, yet refines the classical course.
  Result<TrialDesign> r = ParseTrialConfig(R"(
[history]
d1_death = 0.5
[cohort]
course = "classical"
)",
                                           "trial.toml");
  ASSERT_THAT(r, IsOk());
  const Model classical = DefaultModel(Course::kClassical);
  EXPECT_EQ(r->cohort.model.course, Course::kClassical);
  EXPECT_EQ(r->cohort.model.history.d1_death, 0.5);
  EXPECT_EQ(r->cohort.model.history.d2_death, classical.history.d2_death);
  EXPECT_EQ(r->cohort.model.history.d1_to_recompensated, classical.history.d1_to_recompensated);
  // The trial's effect form survives the change of course.
  EXPECT_EQ(r->cohort.model.therapy.form, EffectForm::kPiecewiseHazardRatio);
}

TEST(ParseCohortConfig, SitesAndArmsReplaceTheDefaults) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[[sites]]
code = "FR01"
name = "Paris"
country = "FR"
weight = 2
[[sites]]
code = "DE01"
[[arms]]
code = "bm"
name = "Bone marrow"
allocation = 3
product = "BM-MNC"
source = "autologous"
route = "hepatic-artery"
dose = 5e7
dose_unit = "cells"
infusion_weeks = [0, 12.5]
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->sites.size(), 2U);
  EXPECT_EQ(r->sites[0].code, "FR01");
  EXPECT_EQ(r->sites[0].name, "Paris");
  EXPECT_EQ(r->sites[0].country, "FR");
  EXPECT_EQ(r->sites[0].weight, 2);
  EXPECT_EQ(r->sites[1].code, "DE01");
  EXPECT_EQ(r->sites[1].weight, 1);
  ASSERT_EQ(r->arms.size(), 1U);
  const ArmDesign& arm = r->arms[0];
  EXPECT_EQ(arm.code, "bm");
  EXPECT_EQ(arm.name, "Bone marrow");
  EXPECT_EQ(arm.allocation, 3);
  EXPECT_EQ(arm.product, core::CellProduct::kBmMnc);
  EXPECT_EQ(arm.source, core::CellSource::kAutologous);
  EXPECT_EQ(arm.route, core::Route::kHepaticArtery);
  EXPECT_EQ(arm.dose, 5e7);
  EXPECT_EQ(arm.dose_unit, core::DoseUnit::kCells);
  EXPECT_THAT(arm.infusion_weeks, ElementsAre(0, 12.5));
}

TEST(ParseCohortConfig, ReadsTheSchedule) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[schedule]
weeks = [0, 1, 26]
then_every_months = 3
window_days = 14
missed_probability = 0.2
labs = ["afp", "inr"]
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->schedule.weeks, ElementsAre(0, 1, 26));
  EXPECT_EQ(r->schedule.then_every_months, 3);
  EXPECT_EQ(r->schedule.window_days, 14);
  EXPECT_EQ(r->schedule.missed_probability, 0.2);
  EXPECT_THAT(r->schedule.labs, ElementsAre(Lab::kAfp, Lab::kInr));
}

TEST(ParseCohortConfig, ReadsPopulationAndHistory) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[population]
age_mean = 55
age_sd = 8
age_min = 30
age_max = 75
male_fraction = 0.7
weight_mean_kg = 70
weight_sd_kg = 12
alcohol_fraction = 0.4
[history]
compensated_to_d1 = 0.07
d1_to_d2 = 0.2
d2_death = 0.4
hcc_log_hr_male = 1
death_multiplier_hcc = 2.5
meld_reference = 15
death_cause_split = [50, 30, 10, 10]
loss_to_follow_up = 0
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  const Population& p = r->model.population;
  EXPECT_EQ(p.age_mean, 55);
  EXPECT_EQ(p.age_sd, 8);
  EXPECT_EQ(p.age_min, 30);
  EXPECT_EQ(p.age_max, 75);
  EXPECT_EQ(p.male_fraction, 0.7);
  EXPECT_EQ(p.weight_mean_kg, 70);
  EXPECT_EQ(p.weight_sd_kg, 12);
  EXPECT_EQ(p.alcohol_fraction, 0.4);
  const NaturalHistory& h = r->model.history;
  EXPECT_EQ(h.compensated_to_d1, 0.07);
  EXPECT_EQ(h.d1_to_d2, 0.2);
  EXPECT_EQ(h.d2_death, 0.4);
  EXPECT_EQ(h.hcc_log_hr_male, 1);
  EXPECT_EQ(h.death_multiplier_hcc, 2.5);
  EXPECT_EQ(h.meld_reference, 15);
  EXPECT_EQ(h.loss_to_follow_up, 0);
  // The split is stored normalised.
  EXPECT_NEAR(h.death_cause_split[0], 0.5, kTolerance);
  EXPECT_NEAR(h.death_cause_split[1], 0.3, kTolerance);
  EXPECT_NEAR(h.death_cause_split[3], 0.1, kTolerance);
}

TEST(ParseCohortConfig, StoresLabBaselinesOnTheModellingScale) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[labs]
prothrombin_activity_k = 1.5
[labs.albumin]
baseline = 28
slope = -0.5
maximum = 55
[labs.bilirubin]
baseline = 50
intercept_sd = 0.7
slope_sd = 0.1
noise_sd = 0.3
step_d2 = 0.4
step_hcc = 0.2
recompensation_reversal = 1
minimum = 2
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  const LabModel& labs = r->model.labs;
  EXPECT_EQ(labs.prothrombin_activity_k, 1.5);
  const LabTrajectory& albumin = labs.labs[Index(Lab::kAlbumin)];
  EXPECT_EQ(albumin.mean, 28);  // identity scale
  EXPECT_EQ(albumin.slope, -0.5);
  EXPECT_EQ(albumin.maximum, 55);
  const LabTrajectory& bilirubin = labs.labs[Index(Lab::kBilirubin)];
  EXPECT_NEAR(bilirubin.mean, std::log(50.0), kTolerance);  // log scale
  EXPECT_EQ(bilirubin.intercept_sd, 0.7);
  EXPECT_EQ(bilirubin.slope_sd, 0.1);
  EXPECT_EQ(bilirubin.noise_sd, 0.3);
  EXPECT_EQ(bilirubin.step_d2, 0.4);
  EXPECT_EQ(bilirubin.step_hcc, 0.2);
  EXPECT_EQ(bilirubin.recompensation_reversal, 1);
  EXPECT_EQ(bilirubin.minimum, 2);
  // Labs the file leaves alone keep their defaults.
  const LabTrajectory& inr = labs.labs[Index(Lab::kInr)];
  EXPECT_EQ(inr.mean, DefaultModel(Course::kHbvOnAntivirals).labs.labs[Index(Lab::kInr)].mean);
}

TEST(ParseCohortConfig, ConvertsMonthsAndWeeksToYears) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[effect]
form = "responder"
lag_months = 6
ramp_months = 3
onset_weeks = 2
peak_weeks = 13
half_life_months = 18
responder_lag_months = 9
[simulation]
hazard_step_months = 0.5
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  const TherapyEffect& e = r->model.therapy;
  EXPECT_EQ(e.form, EffectForm::kResponderMixture);
  EXPECT_NEAR(e.lag_years, 0.5, kTolerance);
  EXPECT_NEAR(e.ramp_years, 0.25, kTolerance);
  EXPECT_NEAR(e.onset_years, 2.0 / 52, kTolerance);
  EXPECT_NEAR(e.peak_years, 0.25, kTolerance);
  EXPECT_NEAR(e.half_life_years, 1.5, kTolerance);
  EXPECT_NEAR(e.responder_lag_years, 0.75, kTolerance);
  EXPECT_NEAR(r->model.hazard_step_years, 0.5 / 12, kTolerance);
}

TEST(ParseCohortConfig, ReadsTheOtherEffectKeys) {
  Result<CohortDesign> r = ParseCohortConfig(R"(
[effect]
form = "lab-mediated"
hazard_ratio_early = 0.9
hazard_ratio_late = 0.5
applies_to_decompensation = true
albumin_peak_g_l = 5
log_bilirubin_peak = -0.3
log_inr_peak = -0.05
log_cholinesterase_peak = 0.2
course_half_saturation = 0
responder_fraction = 1
responder_hazard_ratio = 10
route_factor_portal_vein = 1.5
product_factor_bm_msc = 0
fever_probability = 0
other_adverse_event_probability = 0.5
)",
                                             "cohort.toml");
  ASSERT_THAT(r, IsOk());
  const TherapyEffect& e = r->model.therapy;
  EXPECT_EQ(e.form, EffectForm::kLabMediated);
  EXPECT_EQ(e.hazard_ratio_early, 0.9);
  EXPECT_EQ(e.hazard_ratio_late, 0.5);
  EXPECT_TRUE(e.applies_to_decompensation);
  EXPECT_EQ(e.albumin_peak_g_l, 5);
  EXPECT_EQ(e.log_bilirubin_peak, -0.3);
  EXPECT_EQ(e.log_inr_peak, -0.05);
  EXPECT_EQ(e.log_cholinesterase_peak, 0.2);
  EXPECT_EQ(e.course_half_saturation, 0);
  EXPECT_EQ(e.responder_fraction, 1);
  EXPECT_EQ(e.responder_hazard_ratio, 10);
  EXPECT_EQ(e.route_factor_portal_vein, 1.5);
  EXPECT_EQ(e.product_factor_bm_msc, 0);
  EXPECT_EQ(e.fever_probability, 0);
  EXPECT_EQ(e.other_adverse_event_probability, 0.5);
}

TEST(ParseTrialConfig, ReadsTheAnalysis) {
  Result<TrialDesign> r = ParseTrialConfig(R"(
[analysis]
endpoint = "hcc-free-survival"
alpha = 0.025
landmark_months = 6
rmst_tau_months = 36
lab_endpoints = ["platelets"]
lab_endpoint_week = 24
)",
                                           "trial.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->analysis.endpoint, Endpoint::kHccFreeSurvival);
  EXPECT_EQ(r->analysis.alpha, 0.025);
  EXPECT_EQ(r->analysis.landmark_months, 6);
  EXPECT_EQ(r->analysis.rmst_tau_months, 36);
  EXPECT_THAT(r->analysis.lab_endpoints, ElementsAre(Lab::kPlatelets));
  EXPECT_EQ(r->analysis.lab_endpoint_week, 24);
}

TEST(ParseTrialConfig, AcceptsTwoTreatedArms) {
  Result<TrialDesign> r = ParseTrialConfig(R"(
[[arms]]
code = "short"
product = "uc-msc"
infusion_weeks = [0]
[[arms]]
code = "long"
product = "UC-MSC"
infusion_weeks = [0, 4]
)",
                                           "trial.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->cohort.arms[0].code, "short");
  EXPECT_EQ(r->cohort.arms[1].code, "long");
}

// ---- errors -------------------------------------------------------------------------

TEST(ParseTrialConfig, RefusesAValueOutOfRange) {
  EXPECT_EQ(TrialError("[effect]\nhazard_ratio_late = -1\n"),
            "trial.toml:2: effect.hazard_ratio_late = -1: must be in (0, 10]");
}

TEST(ParseTrialConfig, QuotesTheValueAsWritten) {
  EXPECT_EQ(TrialError("[analysis]\nalpha = 5e-1  # ok\nlandmark_months = 0.0\n"),
            "trial.toml:3: analysis.landmark_months = 0.0: must be > 0");
  EXPECT_EQ(TrialError("[analysis]\nalpha = 6E-1\n"), "trial.toml:2: analysis.alpha = 6E-1: must be in (0, 0.5]");
}

TEST(ParseCohortConfig, RefusesAnUnknownKey) {
  EXPECT_EQ(CohortError("[cohort]\n\npatients = 10\npatiens = 12\n"),
            "cohort.toml:4: unknown key cohort.patiens (allowed: patients, start_date, accrual_months, "
            "follow_up_months, entry_state, course)");
}

TEST(ParseCohortConfig, ChecksButIgnoresTheAnalysisTable) {
  // A trial's file simulates its cohort: [analysis] must still be valid.
  const auto cohort = ParseCohortConfig("[cohort]\npatients = 10\n[analysis]\nalpha = 0.05\n", "cohort.toml");
  ASSERT_TRUE(cohort.has_value()) << cohort.error().message;
  EXPECT_EQ(cohort->patients, 10);
  EXPECT_EQ(CohortError("[cohort]\npatients = 10\n[analysis]\nalpha = 0.9\n"),
            "cohort.toml:4: analysis.alpha = 0.9: must be in (0, 0.5]");
}

TEST(ParseCohortConfig, RefusesAnUnknownLabTable) {
  EXPECT_EQ(CohortError("[labs.ggt]\nbaseline = 40\n"),
            "cohort.toml:1: unknown table labs.ggt (allowed: prothrombin_activity_k, albumin, bilirubin, inr, "
            "creatinine, sodium, cholinesterase, alt, ast, platelets, afp)");
}

TEST(ParseCohortConfig, RefusesWrongTypes) {
  EXPECT_EQ(CohortError("[cohort]\naccrual_months = \"two years\"\n"),
            "cohort.toml:2: cohort.accrual_months = \"two years\": must be a number");
  EXPECT_EQ(CohortError("[cohort]\npatients = 219.0\n"),
            "cohort.toml:2: cohort.patients = 219.0: must be an integer in [1, 10000000]");
  EXPECT_EQ(CohortError("[effect]\napplies_to_decompensation = 1\n"),
            "cohort.toml:2: effect.applies_to_decompensation = 1: must be true or false");
  EXPECT_EQ(CohortError("cohort = 5\n"), "cohort.toml:1: cohort = 5: must be a table, written [cohort]");
}

TEST(ParseCohortConfig, RefusesUnknownNames) {
  EXPECT_EQ(CohortError("[cohort]\nentry_state = \"decompensated\"\n"),
            "cohort.toml:2: cohort.entry_state = \"decompensated\": must be one of \"compensated\", "
            "\"first-decompensation\"");
  EXPECT_EQ(CohortError("[effect]\nform = \"linear\"\n"),
            "cohort.toml:2: effect.form = \"linear\": must be one of \"none\", \"piecewise-hr\", \"lab-mediated\", "
            "\"responder\"");
  EXPECT_EQ(CohortError("[schedule]\nlabs = [\"albumin\", \"ggt\"]\n"),
            "cohort.toml:2: schedule.labs = [\"albumin\", \"ggt\"]: unknown lab \"ggt\" (allowed: albumin, "
            "bilirubin, inr, creatinine, sodium, cholinesterase, alt, ast, platelets, afp)");
  EXPECT_EQ(CohortError("[[arms]]\ncode = \"a\"\nproduct = \"stem cells\"\n"),
            "cohort.toml:3: arms[0].product = \"stem cells\": must be one of \"BM-MNC\", \"BM-MSC\", \"UC-MSC\", "
            "\"other\"");
}

TEST(ParseCohortConfig, RefusesAnImpossibleDate) {
  EXPECT_EQ(CohortError("[cohort]\nstart_date = \"2010-02-30\"\n"),
            "cohort.toml:2: cohort.start_date = \"2010-02-30\": must be a date \"YYYY-MM-DD\" in the years "
            "1850-2200");
}

TEST(ParseCohortConfig, RefusesBadWeekLists) {
  EXPECT_EQ(CohortError("[schedule]\nweeks = [2, 4]\n"),
            "cohort.toml:2: schedule.weeks = [2, 4]: must start with week 0 (baseline)");
  EXPECT_EQ(CohortError("[schedule]\nweeks = [0, 8, 4]\n"),
            "cohort.toml:2: schedule.weeks = [0, 8, 4]: must be in ascending order without repeats");
  EXPECT_EQ(CohortError("[[arms]]\ncode = \"c\"\ninfusion_weeks = [0, 4]\n"),
            "cohort.toml:3: arms[0].infusion_weeks = [0, 4]: must be empty for an arm without a product (a "
            "control arm)");
  EXPECT_EQ(CohortError("[[arms]]\ncode = \"t\"\nproduct = \"UC-MSC\"\n"),
            "cohort.toml:3: arms[0].product = \"UC-MSC\": an arm with a product needs infusion_weeks");
  EXPECT_EQ(CohortError("[[arms]]\ncode = \"t\"\nproduct = \"UC-MSC\"\ninfusion_weeks = [-1]\n"),
            "cohort.toml:4: arms[0].infusion_weeks = [-1]: each entry must be >= 0");
}

TEST(ParseCohortConfig, RefusesInconsistentPairs) {
  EXPECT_EQ(CohortError("[population]\nage_min = 60\nage_max = 40\n"),
            "cohort.toml:3: population.age_max = 40: population.age_min (60) must be below population.age_max (40)");
  EXPECT_EQ(CohortError("[labs.sodium]\nminimum = 170\n"),
            "cohort.toml:2: labs.sodium.minimum = 170: labs.sodium.minimum (170) must be below labs.sodium.maximum "
            "(160)");
  EXPECT_EQ(CohortError("[effect]\nonset_weeks = 30\n"),
            "cohort.toml:2: effect.onset_weeks = 30: effect.peak_weeks (20) must be after effect.onset_weeks (30)");
}

TEST(ParseCohortConfig, RefusesABadDeathCauseSplit) {
  EXPECT_EQ(CohortError("[history]\ndeath_cause_split = [1, 1, 1]\n"),
            "cohort.toml:2: history.death_cause_split = [1, 1, 1]: must be an array of 4 numbers >= 0 with a "
            "positive sum (liver failure, infection, bleeding, other)");
  EXPECT_EQ(CohortError("[history]\ndeath_cause_split = [0, 0, 0, 0]\n"),
            "cohort.toml:2: history.death_cause_split = [0, 0, 0, 0]: must be an array of 4 numbers >= 0 with a "
            "positive sum (liver failure, infection, bleeding, other)");
}

TEST(ParseCohortConfig, RefusesHazardsAboveFiftyPerYear) {
  EXPECT_EQ(CohortError("[history]\nd1_death = 51\n"), "cohort.toml:2: history.d1_death = 51: must be in [0, 50]");
  EXPECT_EQ(CohortError("[labs.bilirubin]\nbaseline = 0\n"), "cohort.toml:2: labs.bilirubin.baseline = 0: must be > 0");
  EXPECT_EQ(CohortError("[simulation]\nhazard_step_months = 13\n"),
            "cohort.toml:2: simulation.hazard_step_months = 13: must be in (0, 12]");
}

TEST(ParseCohortConfig, RefusesNonFiniteNumbers) {
  EXPECT_EQ(CohortError("[effect]\nalbumin_peak_g_l = nan\n"),
            "cohort.toml:2: effect.albumin_peak_g_l = nan: must be a finite number");
  EXPECT_EQ(CohortError("[sites]\ncode = \"x\"\n"),
            "cohort.toml:1: [sites]: must be one or more tables written [[sites]]");
}

TEST(ParseCohortConfig, QuotesNonAsciiValuesWhole) {
  // toml++ counts columns in code points, not bytes.
  EXPECT_EQ(CohortError("[cohort]\nentry_state = \"d\u00e9compens\u00e9e\"  # fr\n"),
            "cohort.toml:2: cohort.entry_state = \"d\u00e9compens\u00e9e\": must be one of \"compensated\", "
            "\"first-decompensation\"");
}

TEST(ParseCohortConfig, WritesAValueSpreadOverLinesOnOne) {
  EXPECT_EQ(CohortError("[schedule]\nweeks = [\n  0,\n  8,\n  4,\n]\n"),
            "cohort.toml:2: schedule.weeks = [ 0, 8, 4 ]: must be in ascending order without repeats");
}

TEST(ParseCohortConfig, ReportsTheFirstErrorInTheFile) {
  // [effect] sorts before [population]: the error on line 2 still wins.
  EXPECT_EQ(CohortError("[population]\nage_sd = -1\n[effect]\nlag_months = -1\n"),
            "cohort.toml:2: population.age_sd = -1: must be >= 0");
}

TEST(ParseCohortConfig, RefusesDuplicateArmCodes) {
  EXPECT_EQ(CohortError("[[arms]]\ncode = \"a\"\n[[arms]]\ncode = \"a\"\n"),
            "cohort.toml:4: arms[1].code = \"a\": duplicate of arms[0]");
}

TEST(ParseCohortConfig, ReportsTomlSyntaxErrorsWithTheColumn) {
  EXPECT_THAT(CohortError("[cohort]\npatients = = 3\n"), StartsWith("cohort.toml:2:12: "));
}

TEST(ParseTrialConfig, NeedsExactlyTwoArms) {
  EXPECT_EQ(TrialError("[[arms]]\ncode = \"only\"\n"),
            "trial.toml:1: [[arms]]: a trial needs exactly two arms, the comparator first and the experimental arm "
            "second; found 1");
  EXPECT_EQ(TrialError("[study]\ncode = \"T\"\n[[arms]]\ncode = \"a\"\n[[arms]]\ncode = \"b\"\n[[arms]]\ncode = "
                       "\"c\"\n"),
            "trial.toml:3: [[arms]]: a trial needs exactly two arms, the comparator first and the experimental arm "
            "second; found 3");
}

// ---- the example files ---------------------------------------------------------------

TEST(Examples, UcMscTrialIsTheDefaultDesign) {
  Result<TrialDesign> r = ParseTrialConfig(ReadExample("ucmsc-rct.toml"), "ucmsc-rct.toml");
  ASSERT_THAT(r, IsOk());
  const TrialDesign d = DefaultTrialDesign();
  EXPECT_EQ(r->cohort.patients, 219);
  EXPECT_EQ(r->cohort.arms[0].allocation, 111);
  EXPECT_EQ(r->cohort.arms[1].allocation, 108);
  EXPECT_EQ(r->cohort.arms[1].infusion_weeks, d.cohort.arms[1].infusion_weeks);
  EXPECT_EQ(r->cohort.schedule.weeks, d.cohort.schedule.weeks);
  EXPECT_EQ(r->cohort.schedule.labs, d.cohort.schedule.labs);
  EXPECT_EQ(r->cohort.start_date, d.cohort.start_date);
  EXPECT_EQ(r->cohort.follow_up_months, 75);
  EXPECT_EQ(r->cohort.model.therapy.form, EffectForm::kPiecewiseHazardRatio);
  EXPECT_NEAR(r->cohort.model.therapy.lag_years, d.cohort.model.therapy.lag_years, kTolerance);
  EXPECT_EQ(r->cohort.model.therapy.hazard_ratio_late, 0.6);
  EXPECT_NEAR(r->cohort.model.hazard_step_years, d.cohort.model.hazard_step_years, kTolerance);
  EXPECT_EQ(r->analysis.landmark_months, 13);
  EXPECT_EQ(r->analysis.rmst_tau_months, 60);
  EXPECT_EQ(r->analysis.lab_endpoints, d.analysis.lab_endpoints);
  EXPECT_EQ(r->analysis.lab_endpoint_week, 48);
}

TEST(Examples, AbmiCohortParses) {
  Result<CohortDesign> r = ParseCohortConfig(ReadExample("abmi-cohort.toml"), "abmi-cohort.toml");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->patients, 19);
  ASSERT_EQ(r->arms.size(), 1U);
  EXPECT_EQ(r->arms[0].code, "abmi");
  EXPECT_EQ(r->arms[0].product, core::CellProduct::kBmMnc);
  EXPECT_EQ(r->arms[0].source, core::CellSource::kAutologous);
  EXPECT_THAT(r->arms[0].infusion_weeks, ElementsAre(0));
  EXPECT_EQ(r->follow_up_months, 60);
  EXPECT_EQ(r->model.course, Course::kClassical);
  EXPECT_EQ(r->model.therapy.form, EffectForm::kLabMediated);
}

TEST(Examples, CourseLengthTrialParses) {
  Result<TrialDesign> r = ParseTrialConfig(ReadExample("course-length.toml"), "course-length.toml");
  ASSERT_THAT(r, IsOk());
  ASSERT_EQ(r->cohort.arms.size(), 2U);
  EXPECT_THAT(r->cohort.arms[0].infusion_weeks, ElementsAre(0, 2));
  EXPECT_THAT(r->cohort.arms[1].infusion_weeks, ElementsAre(0, 2, 4, 6, 8));
  EXPECT_EQ(r->cohort.model.therapy.form, EffectForm::kLabMediated);
  EXPECT_THAT(r->analysis.lab_endpoints, ElementsAre(Lab::kAlbumin, Lab::kBilirubin));
  EXPECT_EQ(r->analysis.lab_endpoint_week, 24);
}

}  // namespace
}  // namespace cirrus::sim
