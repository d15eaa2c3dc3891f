// The virtual patient against independent anchors: the MELD formula of the
// scores library, closed-form survival of constant and piecewise-constant
// hazards, and the natural-history figures of the simulation reference.
#include "cirrus/sim/model.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cirrus/scores/meld.hpp"
#include "internal/patient.hpp"

namespace cirrus::sim {
namespace {

using internal::EventKind;
using internal::PatientModel;
using internal::Treatment;
using internal::VirtualPatient;

// A model whose only hazard is death at `rate` per year, independent of labs.
Model DeathOnly(double rate) {
  Model m = DefaultModel(Course::kHbvOnAntivirals);
  NaturalHistory& h = m.history;
  h = NaturalHistory{};
  h.d1_to_d2 = h.d1_transplant = h.d2_transplant = h.d1_to_recompensated = 0;
  h.hcc_decompensated = h.hcc_compensated = h.hcc_recompensated = 0;
  h.meld_log_hr_death = h.albumin_log_hr_death = 0;
  h.loss_to_follow_up = 0;
  h.d1_death = rate;
  return m;
}

double ShareAlive(const PatientModel& model, const Treatment& treatment, double years, int patients,
                  std::uint64_t seed) {
  int alive = 0;
  for (int i = 0; i < patients; ++i) {
    Random rng(seed, static_cast<std::uint64_t>(i));
    const VirtualPatient p = model.Simulate(LiverState::kFirstDecompensation, years, treatment, rng);
    alive += p.died ? 0 : 1;
  }
  return alive / static_cast<double>(patients);
}

double FourSe(double p, int n) { return 4 * std::sqrt(p * (1 - p) / n); }

TEST(MeldTest, ContinuousMeldIsTheScoresLibraryUnrounded) {
  struct Case {
    double bilirubin_umol_l, inr, creatinine_umol_l;
  };
  for (const Case c : {Case{34, 1.35, 75}, Case{120, 2.1, 180}, Case{10, 0.9, 50}, Case{500, 3.2, 500}}) {
    const auto meld = scores::ComputeMeld(
        {.bilirubin_mg_dl = c.bilirubin_umol_l / 17.1, .creatinine_mg_dl = c.creatinine_umol_l / 88.4, .inr = c.inr});
    ASSERT_TRUE(meld.has_value());
    EXPECT_NEAR(internal::ContinuousMeld(c.bilirubin_umol_l, c.inr, c.creatinine_umol_l),
                std::min(meld->unrounded, 40.0), 1e-9);
  }
}

TEST(ModelTest, DefaultCorrelationIsPositiveDefinite) {
  EXPECT_TRUE(PatientModel(DefaultModel(Course::kHbvOnAntivirals)).ok());
  EXPECT_TRUE(PatientModel(DefaultModel(Course::kClassical)).ok());
  Model bad = DefaultModel(Course::kClassical);
  bad.labs.intercept_correlation[0][1] = bad.labs.intercept_correlation[1][0] = 1.5;
  EXPECT_FALSE(PatientModel(bad).ok());
}

TEST(ModelTest, ConstantHazardGivesExponentialSurvival) {
  const PatientModel model(DeathOnly(0.2));
  constexpr int kPatients = 20000;
  const double expected = std::exp(-0.2 * 3);
  EXPECT_NEAR(ShareAlive(model, {}, 3, kPatients, 11), expected, FourSe(expected, kPatients));
}

TEST(ModelTest, PiecewiseHazardRatioActsOnlyAfterTheLag) {
  Model m = DeathOnly(0.2);
  m.therapy.form = EffectForm::kPiecewiseHazardRatio;
  m.therapy.lag_years = 13.0 / 12;
  m.therapy.hazard_ratio_early = 1;
  m.therapy.hazard_ratio_late = 0.5;
  const PatientModel model(m);
  Treatment treated;
  treated.infusion_years = {0, 4.0 / 52, 8.0 / 52};
  treated.product = core::CellProduct::kUcMsc;
  constexpr int kPatients = 20000;
  // S(t) = exp(-0.2 lag - 0.1 (t - lag)) for the treated, the lag not on a
  // monthly grid point of the hazard steps being exact too.
  const double lag = 13.0 / 12;
  const double at_lag = std::exp(-0.2 * lag);
  EXPECT_NEAR(ShareAlive(model, treated, lag, kPatients, 12), at_lag, FourSe(at_lag, kPatients));
  const double later = std::exp(-0.2 * lag - 0.1 * (4 - lag));
  EXPECT_NEAR(ShareAlive(model, treated, 4, kPatients, 13), later, FourSe(later, kPatients));
  // Untreated patients of the same model keep the control hazard.
  const double control = std::exp(-0.2 * 4);
  EXPECT_NEAR(ShareAlive(model, {}, 4, kPatients, 14), control, FourSe(control, kPatients));
}

// Five-year state occupation from first decompensation.
struct Occupation {
  double alive_d1 = 0, alive_d2 = 0, transplanted = 0, dead_without_d2 = 0, dead_after_d2 = 0;
};

Occupation FiveYears(const Model& m, int patients, std::uint64_t seed) {
  const PatientModel model(m);
  Occupation o;
  for (int i = 0; i < patients; ++i) {
    Random rng(seed, static_cast<std::uint64_t>(i));
    const VirtualPatient p = model.Simulate(LiverState::kFirstDecompensation, 5, {}, rng);
    bool d2 = false;
    for (const auto& e : p.events) d2 = d2 || e.kind == EventKind::kFurtherDecompensation;
    if (p.transplanted) {
      o.transplanted += 1;
    } else if (p.died) {
      (d2 ? o.dead_after_d2 : o.dead_without_d2) += 1;
    } else {
      (d2 ? o.alive_d2 : o.alive_d1) += 1;
    }
  }
  for (double* share : {&o.alive_d1, &o.alive_d2, &o.transplanted, &o.dead_without_d2, &o.dead_after_d2}) {
    *share /= patients;
  }
  return o;
}

// D'Amico, Zipprich et al. (2,028 patients from first decompensation): at 5
// years alive with first decompensation 24 %, with further decompensation
// 21 %, after transplant 7 %, dead without further decompensation 16 %,
// dead after it 31 %. A European cohort: its transplant rates, no
// recompensation (not an antiviral-era HBV cohort), no loss to follow-up.
TEST(NaturalHistoryTest, FiveYearStateOccupationAfterFirstDecompensation) {
  Model m = DefaultModel(Course::kHbvOnAntivirals);
  m.history.d1_to_recompensated = 0;
  m.history.d1_transplant = 0.02;
  m.history.d2_transplant = 0.03;
  m.history.loss_to_follow_up = 0;
  const Occupation o = FiveYears(m, 20000, 21);
  // Tolerance: 2.5 percentage points (the Monte-Carlo SE is 0.3).
  EXPECT_NEAR(o.alive_d1, 0.24, 0.025);
  EXPECT_NEAR(o.alive_d2, 0.21, 0.025);
  EXPECT_NEAR(o.transplanted, 0.07, 0.025);
  EXPECT_NEAR(o.dead_without_d2, 0.16, 0.025);
  EXPECT_NEAR(o.dead_after_d2, 0.31, 0.025);
}

// Hepatol Int 2023: 5-year cumulative HCC incidence 27.6 % in decompensated
// HBV cirrhosis on antivirals. The net risk (no competing events) of the
// population, whose individual hazards spread by age and sex (HR 8.4, 4.2).
TEST(NaturalHistoryTest, FiveYearHccRiskInDecompensatedHbv) {
  Model m = DefaultModel(Course::kHbvOnAntivirals);
  NaturalHistory& h = m.history;
  h.d1_to_d2 = h.d1_death = h.d1_transplant = h.d1_to_recompensated = h.loss_to_follow_up = 0;
  const PatientModel model(m);
  constexpr int kPatients = 20000;
  int hcc = 0;
  int old_male_hcc = 0;
  int old_male = 0;
  for (int i = 0; i < kPatients; ++i) {
    Random rng(31, static_cast<std::uint64_t>(i));
    const VirtualPatient p = model.Simulate(LiverState::kFirstDecompensation, 5, {}, rng);
    const bool has_hcc = p.hcc_years <= 5;
    hcc += has_hcc ? 1 : 0;
    if (p.age > 50 && p.sex == core::Sex::kMale) {
      ++old_male;
      old_male_hcc += has_hcc ? 1 : 0;
    }
  }
  EXPECT_NEAR(hcc / double{kPatients}, 0.276, FourSe(0.276, kPatients));
  // The covariates still act: older men carry most of the risk.
  EXPECT_GT(old_male_hcc / double(old_male), 0.4);
}

// Baveno VII validation (J Hepatol 2022): 60.4 % of HBV patients with
// ascites on entecavir who completed 120 weeks had recompensated.
TEST(NaturalHistoryTest, RecompensationShareAt120Weeks) {
  const PatientModel model(DefaultModel(Course::kHbvOnAntivirals));
  constexpr double kHorizon = 120.0 / 52;
  int followed = 0;
  int recompensated = 0;
  for (int i = 0; i < 20000; ++i) {
    Random rng(41, static_cast<std::uint64_t>(i));
    const VirtualPatient p = model.Simulate(LiverState::kFirstDecompensation, 3, {}, rng);
    if (p.end_years <= kHorizon) continue;
    ++followed;
    for (const auto& e : p.events) {
      if (e.years <= kHorizon && e.kind == EventKind::kRecompensation) {
        ++recompensated;
        break;
      }
    }
  }
  EXPECT_NEAR(recompensated / double(followed), 0.604, 0.03);
}

// The classical course: median survival after decompensation about 2 years
// (BMJ Best Practice after D'Amico 2006), 2-4 years across 92 studies
// (D'Amico and Perricone 2019); transplant and loss to follow-up off.
TEST(NaturalHistoryTest, ClassicalMedianSurvivalAfterDecompensation) {
  Model m = DefaultModel(Course::kClassical);
  m.history.d1_transplant = m.history.d2_transplant = m.history.loss_to_follow_up = 0;
  const PatientModel model(m);
  constexpr int kPatients = 10000;
  std::vector<double> death;
  for (int i = 0; i < kPatients; ++i) {
    Random rng(51, static_cast<std::uint64_t>(i));
    const VirtualPatient p = model.Simulate(LiverState::kFirstDecompensation, 10, {}, rng);
    death.push_back(p.died ? p.end_years : 1e9);
  }
  std::nth_element(death.begin(), death.begin() + kPatients / 2, death.end());
  const double median = death[kPatients / 2];
  EXPECT_GE(median, 2.0);
  EXPECT_LE(median, 3.0);
}

}  // namespace
}  // namespace cirrus::sim
