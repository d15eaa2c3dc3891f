// A virtual cohort: reproducible whatever the thread count, shaped as the
// design asks, and accepted by the registry as it stands (every validation
// of an import: codes, units, plausibility, duplicates, dates).
#include "cirrus/sim/cohort.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "cirrus/core/date.hpp"
#include "cirrus/sim/design.hpp"
#include "cirrus/store/registry.hpp"

namespace cirrus::sim {
namespace {

CohortDesign SmallTrialCohort(int patients) {
  CohortDesign design = DefaultTrialDesign().cohort;
  design.patients = patients;
  return design;
}

TEST(SimulateCohortTest, SameSeedSameCohortWhateverTheThreads) {
  const CohortDesign design = SmallTrialCohort(80);
  auto one = SimulateCohort(design, {.seed = 9, .threads = 1, .data_cut = std::nullopt});
  auto four = SimulateCohort(design, {.seed = 9, .threads = 4, .data_cut = std::nullopt});
  auto other = SimulateCohort(design, {.seed = 10, .threads = 1, .data_cut = std::nullopt});
  ASSERT_TRUE(one.has_value() && four.has_value() && other.has_value());
  EXPECT_EQ(one->patients, four->patients);
  EXPECT_EQ(one->labs, four->labs);
  EXPECT_EQ(one->events, four->events);
  EXPECT_EQ(one->visits, four->visits);
  EXPECT_NE(one->labs, other->labs);
}

TEST(SimulateCohortTest, FollowsTheDesign) {
  const CohortDesign design = SmallTrialCohort(219);
  auto batch = SimulateCohort(design, {.seed = 3, .threads = 2, .data_cut = std::nullopt});
  ASSERT_TRUE(batch.has_value());
  // Exact allocation 111 : 108.
  std::map<std::string, int> per_arm;
  for (const auto& p : batch->patients) ++per_arm[p.arm];
  EXPECT_EQ(per_arm["control"], 111);
  EXPECT_EQ(per_arm["ucmsc"], 108);
  // Infusions only in the UC-MSC arm, at most three, on weeks 0, 4, 8.
  std::map<std::string, const core::Patient*> patients;
  for (const auto& p : batch->patients) patients[p.code] = &p;
  for (const auto& infusion : batch->infusions) {
    const core::Patient& p = *patients.at(infusion.patient);
    EXPECT_EQ(p.arm, "ucmsc");
    EXPECT_LE(infusion.number, 3);
    EXPECT_EQ(infusion.date - *p.enrolment, 28 * (infusion.number - 1));
    EXPECT_EQ(infusion.product, core::CellProduct::kUcMsc);
  }
  // Nothing dated after a patient's death; every patient seen at baseline.
  std::map<std::string, core::Date> death;
  for (const auto& e : batch->events) {
    if (e.kind == core::OutcomeKind::kDeath) death[e.patient] = e.date;
  }
  for (const auto& lab : batch->labs) {
    if (death.contains(lab.patient)) {
      EXPECT_LE(lab.date, death.at(lab.patient));
    }
  }
  std::map<std::string, int> baseline;
  for (const auto& v : batch->visits) {
    if (v.code == "W0") ++baseline[v.patient];
  }
  EXPECT_EQ(baseline.size(), batch->patients.size());
  EXPECT_EQ(death.size(), static_cast<std::size_t>(std::count_if(
                              batch->patients.begin(), batch->patients.end(),
                              [](const core::Patient& p) { return p.status == core::PatientStatus::kDead; })));
}

TEST(SimulateCohortTest, DataCutLeavesOutTheFuture) {
  CohortDesign design = SmallTrialCohort(50);
  design.start_date = *core::ParseDate("2024-01-01");
  const core::Date cut = *core::ParseDate("2025-06-30");
  auto batch = SimulateCohort(design, {.seed = 4, .threads = 1, .data_cut = cut});
  ASSERT_TRUE(batch.has_value());
  for (const auto& lab : batch->labs) EXPECT_LE(lab.date, cut);
  for (const auto& e : batch->events) EXPECT_LE(e.date, cut);
  for (const auto& v : batch->visits) EXPECT_LE(v.date, cut);
  EXPECT_TRUE(std::any_of(batch->patients.begin(), batch->patients.end(),
                          [](const core::Patient& p) { return p.status == core::PatientStatus::kOnStudy; }));
}

TEST(SimulateCohortTest, TheRegistryAcceptsTheCohort) {
  const std::filesystem::path db = std::filesystem::temp_directory_path() / "cirrus_sim_cohort_test.db";
  std::filesystem::remove(db);
  auto batch = SimulateCohort(SmallTrialCohort(60), {.seed = 5, .threads = 2, .data_cut = std::nullopt});
  ASSERT_TRUE(batch.has_value());
  auto registry = store::Registry::Create(db.string());
  ASSERT_TRUE(registry.has_value()) << registry.error().message;
  store::ImportOptions options;
  options.actor = "test";
  auto report = registry->Import(*batch, options);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  for (const auto& problem : report->problems) ADD_FAILURE() << core::Describe(problem);
  EXPECT_EQ(report->problem_count, 0U);
  std::filesystem::remove(db);
  std::filesystem::remove(db.string() + "-wal");
  std::filesystem::remove(db.string() + "-shm");
}

TEST(SimulateCohortTest, RefusesAnArmWithInfusionsButNoProduct) {
  CohortDesign design = SmallTrialCohort(10);
  design.arms[1].product.reset();
  EXPECT_FALSE(SimulateCohort(design, {}).has_value());
}

}  // namespace
}  // namespace cirrus::sim
