// Properties of the competing-risks estimates that hold for any data: checked
// on random data sets drawn from fixed seeds (ctest label `property`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "cirrus/stats/competing_risks.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

// Values that go through the same arithmetic in a different order (or in
// another group layout): a few ulps of drift over a few hundred steps.
constexpr double kReordered = 1e-10;
constexpr int kDataSets = 20;
constexpr int kCauses = 3;

struct Cohort {
  std::vector<double> time;
  std::vector<int> cause;
  std::vector<int> group;
  std::vector<int> stratum;
};

// n subjects in `groups` arms; whole days 1-60 so that ties (of causes and
// censorings) are common; a quarter censored, the rest split over three causes.
Cohort Draw(std::uint32_t seed, int n, int groups) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> day(1, 60);
  std::discrete_distribution<int> cause({1, 1.5, 1, 0.5});
  std::uniform_int_distribution<int> arm(0, groups - 1);
  std::uniform_int_distribution<int> site(0, 1);
  Cohort c;
  for (int i = 0; i < n; ++i) {
    c.time.push_back(day(rng));
    c.cause.push_back(cause(rng));
    c.group.push_back(arm(rng));
    c.stratum.push_back(site(rng));
  }
  return c;
}

CompetingRisksResult Fit(const Cohort& c, int groups, bool stratified = false) {
  Result<CompetingRisksResult> r =
      FitCumulativeIncidence({c.time, c.cause, kCauses}, c.group, groups,
                             stratified ? std::span<const int>(c.stratum) : std::span<const int>(), stratified ? 2 : 1);
  EXPECT_THAT(r, IsOk());
  return r.value_or(CompetingRisksResult{});
}

// The Aalen-Johansen estimates split the all-cause Kaplan-Meier's mass:
// S(t) + sum over causes of F_k(t) = 1 at every time.
TEST(CumulativeIncidenceProperty, CausesAndSurvivalSumToOne) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(2000 + static_cast<std::uint32_t>(k), 300, 3);
    const CompetingRisksResult r = Fit(c, 3);
    std::vector<std::uint8_t> any_event;
    for (int cause : c.cause) any_event.push_back(cause != 0 ? 1 : 0);
    const Result<std::vector<KaplanMeierCurve>> km = FitKaplanMeierByGroup({c.time, any_event}, c.group, 3);
    ASSERT_THAT(km, IsOk());
    for (std::size_t g = 0; g < 3; ++g) {
      const auto& points = r.curves[g].points;  // cause 1, group g: the group's time grid
      for (std::size_t i = 0; i < points.size(); ++i) {
        const double t = points[i].time;
        double total = SurvivalAt((*km)[g], t).survival;
        for (int cause = 0; cause < kCauses; ++cause) {
          const CumulativeIncidenceCurve& curve = r.curves[static_cast<std::size_t>(cause) * 3 + g];
          ASSERT_EQ(curve.points[i].time, t) << "the causes of a group share one time grid";
          total += curve.points[i].cif;
        }
        EXPECT_NEAR(total, 1.0, kReordered) << "seed " << 2000 + k << ", group " << g << ", time " << t;
      }
    }
  }
}

TEST(CumulativeIncidenceProperty, IncidenceIsNonDecreasingWithFiniteErrors) {
  for (int k = 0; k < kDataSets; ++k) {
    const CompetingRisksResult r = Fit(Draw(3000 + static_cast<std::uint32_t>(k), 200, 2), 2);
    for (const CumulativeIncidenceCurve& curve : r.curves) {
      double previous = 0;
      for (const CumulativeIncidencePoint& p : curve.points) {
        EXPECT_GE(p.cif, previous);
        EXPECT_LE(p.cif, 1.0 + kReordered);
        EXPECT_TRUE(std::isfinite(p.std_err));
        EXPECT_GE(p.std_err, 0.0);
        previous = p.cif;
      }
    }
  }
}

// Gray's statistic does not depend on which group is left out of the
// quadratic form, so relabelling the groups leaves it unchanged.
TEST(GrayTestProperty, InvariantToGroupOrder) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(4000 + static_cast<std::uint32_t>(k), 250, 3);
    Cohort relabelled = c;
    for (int& g : relabelled.group) g = (g + 1) % 3;
    const CompetingRisksResult a = Fit(c, 3, true);
    const CompetingRisksResult b = Fit(relabelled, 3, true);
    ASSERT_EQ(a.gray.size(), b.gray.size());
    for (std::size_t i = 0; i < a.gray.size(); ++i) {
      ASSERT_TRUE(a.gray[i].stat.has_value());
      ASSERT_TRUE(b.gray[i].stat.has_value());
      EXPECT_NEAR(*a.gray[i].stat, *b.gray[i].stat, kReordered * std::max(1.0, *a.gray[i].stat))
          << "seed " << 4000 + k << ", cause " << i + 1;
    }
  }
}

// Only the order of times matters: scaling them changes no estimate and no test.
TEST(CumulativeIncidenceProperty, InvariantToTimeScale) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(5000 + static_cast<std::uint32_t>(k), 150, 2);
    Cohort scaled = c;
    for (double& t : scaled.time) t *= 30.4375;
    const CompetingRisksResult a = Fit(c, 2);
    const CompetingRisksResult b = Fit(scaled, 2);
    ASSERT_EQ(a.curves.size(), b.curves.size());
    for (std::size_t i = 0; i < a.curves.size(); ++i) {
      ASSERT_EQ(a.curves[i].points.size(), b.curves[i].points.size());
      for (std::size_t j = 0; j < a.curves[i].points.size(); ++j) {
        EXPECT_EQ(a.curves[i].points[j].cif, b.curves[i].points[j].cif);
        EXPECT_EQ(a.curves[i].points[j].std_err, b.curves[i].points[j].std_err);
      }
    }
    for (std::size_t i = 0; i < a.gray.size(); ++i) EXPECT_EQ(*a.gray[i].stat, *b.gray[i].stat);
  }
}

// One stratum holding everyone is the unstratified test.
TEST(GrayTestProperty, OneStratumIsUnstratified) {
  const Cohort c = Draw(6000, 300, 3);
  Cohort one = c;
  std::fill(one.stratum.begin(), one.stratum.end(), 0);
  const CompetingRisksResult a = Fit(c, 3);
  const CompetingRisksResult b = Fit(one, 3, true);
  for (std::size_t i = 0; i < a.gray.size(); ++i) EXPECT_EQ(*a.gray[i].stat, *b.gray[i].stat);
}

}  // namespace
}  // namespace cirrus::stats
