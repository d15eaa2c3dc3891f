// Properties of the survival engine that hold for any data: checked on
// random data sets drawn from fixed seeds (ctest label `property`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/log_rank.hpp"
#include "cirrus/stats/survival_data.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::stats {
namespace {

// Values that go through the same arithmetic in a different order (or in
// another stratum layout): a few ulps of drift over a few hundred steps.
constexpr double kReordered = 1e-10;
constexpr int kDataSets = 20;

struct Cohort {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<int> group;
};

// n subjects in `groups` arms; times are whole days 1-60 so that ties are
// common, events with probability 0.7.
Cohort Draw(std::uint32_t seed, int n, int groups) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> day(1, 60);
  std::bernoulli_distribution has_event(0.7);
  std::uniform_int_distribution<int> arm(0, groups - 1);
  Cohort c;
  for (int i = 0; i < n; ++i) {
    c.time.push_back(day(rng));
    c.event.push_back(has_event(rng) ? 1 : 0);
    c.group.push_back(arm(rng));
  }
  return c;
}

TEST(KaplanMeierProperty, SurvivalIsNonIncreasing) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(1000 + static_cast<std::uint32_t>(k), 200, 1);
    const Result<KaplanMeierCurve> km = FitKaplanMeier({c.time, c.event});
    ASSERT_THAT(km, IsOk());
    double previous = 1.0;
    double previous_time = -1.0;
    for (const KaplanMeierPoint& p : km->points) {
      EXPECT_LE(p.survival, previous) << "seed " << 1000 + k << ", time " << p.time;
      EXPECT_GE(p.survival, 0.0);
      EXPECT_GT(p.time, previous_time);
      if (p.lower) {
        EXPECT_LE(*p.lower, p.survival + kReordered);
      }
      if (p.upper) {
        EXPECT_GE(*p.upper, p.survival - kReordered);
      }
      previous = p.survival;
      previous_time = p.time;
    }
  }
}

TEST(KaplanMeierProperty, RiskSetShrinksByThoseWhoLeft) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(2000 + static_cast<std::uint32_t>(k), 150, 1);
    const Result<KaplanMeierCurve> km = FitKaplanMeier({c.time, c.event});
    ASSERT_THAT(km, IsOk());
    ASSERT_FALSE(km->points.empty());
    EXPECT_EQ(km->points.front().n_risk, 150.0);
    for (std::size_t i = 1; i < km->points.size(); ++i) {
      const KaplanMeierPoint& before = km->points[i - 1];
      EXPECT_EQ(km->points[i].n_risk, before.n_risk - before.n_event - before.n_censor);
    }
  }
}

TEST(KaplanMeierProperty, InvariantToScalingTime) {
  // Times x 7 (days to weeks the other way round): the same steps, the same
  // survival values, the median scaled by 7.
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(3000 + static_cast<std::uint32_t>(k), 120, 1);
    std::vector<double> scaled = c.time;
    for (double& t : scaled) t *= 7;
    const Result<KaplanMeierCurve> a = FitKaplanMeier({c.time, c.event});
    const Result<KaplanMeierCurve> b = FitKaplanMeier({scaled, c.event});
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    ASSERT_EQ(a->points.size(), b->points.size());
    for (std::size_t i = 0; i < a->points.size(); ++i) {
      EXPECT_EQ(b->points[i].time, 7 * a->points[i].time);
      EXPECT_EQ(b->points[i].survival, a->points[i].survival);
      EXPECT_EQ(b->points[i].n_risk, a->points[i].n_risk);
      EXPECT_EQ(b->points[i].lower, a->points[i].lower);
    }
    ASSERT_EQ(a->median.has_value(), b->median.has_value());
    if (a->median) {
      EXPECT_NEAR(*b->median, 7 * *a->median, kReordered);
    }
  }
}

TEST(KaplanMeierProperty, GroupCurvesEqualSeparateFits) {
  // 6000 subjects: the pooled call sorts more than 4096 rows (the radix-sort
  // path of stats/sorted.cpp), each separate fit about 2000 (std::stable_sort).
  const Cohort c = Draw(4000, 6000, 3);
  const Result<std::vector<KaplanMeierCurve>> curves = FitKaplanMeierByGroup({c.time, c.event}, c.group, 3);
  ASSERT_THAT(curves, IsOk());
  for (int g = 0; g < 3; ++g) {
    std::vector<double> time;
    std::vector<std::uint8_t> event;
    for (std::size_t i = 0; i < c.time.size(); ++i) {
      if (c.group[i] != g) continue;
      time.push_back(c.time[i]);
      event.push_back(c.event[i]);
    }
    const Result<KaplanMeierCurve> alone = FitKaplanMeier({time, event});
    ASSERT_THAT(alone, IsOk());
    const KaplanMeierCurve& together = (*curves)[static_cast<std::size_t>(g)];
    ASSERT_EQ(together.points.size(), alone->points.size());
    for (std::size_t i = 0; i < together.points.size(); ++i) {
      EXPECT_EQ(together.points[i].survival, alone->points[i].survival);
    }
    EXPECT_EQ(together.median, alone->median);
  }
}

// Times with two decimals on (0, 100), a few exactly 0: many ties, no
// near-equal pairs (so timefix changes nothing), and more rows than the 4096
// below which the engine sorts with std::stable_sort.
struct LargeCohort {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<int> group;
  std::vector<double> weight;
};

LargeCohort DrawLarge(std::uint32_t seed, int n) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> hundredths(0, 9999);
  std::bernoulli_distribution has_event(0.6);
  std::bernoulli_distribution second_arm(0.5);
  std::uniform_int_distribution<int> weight(1, 3);
  LargeCohort c;
  for (int i = 0; i < n; ++i) {
    c.time.push_back(hundredths(rng) / 100.0);
    c.event.push_back(has_event(rng) ? 1 : 0);
    c.group.push_back(second_arm(rng) ? 1 : 0);
    c.weight.push_back(weight(rng));
  }
  return c;
}

// Rows of (time, event) in time order, by std::sort: the reference below
// shares no code with the engine's sort.
std::vector<std::pair<double, int>> SortedRows(const std::vector<double>& time, const std::vector<std::uint8_t>& event,
                                               const std::vector<int>& group) {
  std::vector<std::pair<double, int>> rows;
  for (std::size_t i = 0; i < time.size(); ++i) {
    rows.emplace_back(time[i], (event[i] != 0 ? 1 : 0) + (group.empty() ? 0 : 2 * group[i]));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

TEST(KaplanMeierProperty, LargeDataMatchesDirectRiskSetCounts) {
  // The product-limit estimator written out: n at risk = rows with time >= t.
  for (const std::uint32_t seed : {11u, 12u, 13u}) {
    const LargeCohort c = DrawLarge(seed, 6000);
    const Result<KaplanMeierCurve> km = FitKaplanMeier({c.time, c.event});
    ASSERT_THAT(km, IsOk());
    const auto rows = SortedRows(c.time, c.event, {});
    double at_risk = static_cast<double>(rows.size());
    double survival = 1;
    std::size_t point = 0;
    for (std::size_t start = 0; start < rows.size(); ++point) {
      const double t = rows[start].first;
      double d = 0;
      double left = 0;
      for (; start < rows.size() && rows[start].first == t; ++start) {
        d += rows[start].second;
        left += 1;
      }
      if (d > 0) survival *= (at_risk - d) / at_risk;
      ASSERT_LT(point, km->points.size());
      EXPECT_EQ(km->points[point].time, t);
      EXPECT_EQ(km->points[point].n_risk, at_risk);
      EXPECT_EQ(km->points[point].n_event, d);
      EXPECT_NEAR(km->points[point].survival, survival, kReordered);
      at_risk -= left;
    }
    EXPECT_EQ(point, km->points.size());
  }
}

TEST(KaplanMeierProperty, LargeDataWeightsEqualCopies) {
  const LargeCohort c = DrawLarge(21, 5000);
  std::vector<double> copies_time;
  std::vector<std::uint8_t> copies_event;
  for (std::size_t i = 0; i < c.time.size(); ++i) {
    for (int k = 0; k < static_cast<int>(c.weight[i]); ++k) {
      copies_time.push_back(c.time[i]);
      copies_event.push_back(c.event[i]);
    }
  }
  const Result<KaplanMeierCurve> weighted = FitKaplanMeier({c.time, c.event, {}, c.weight});
  const Result<KaplanMeierCurve> copied = FitKaplanMeier({copies_time, copies_event});
  ASSERT_THAT(weighted, IsOk());
  ASSERT_THAT(copied, IsOk());
  ASSERT_EQ(weighted->points.size(), copied->points.size());
  for (std::size_t i = 0; i < copied->points.size(); ++i) {
    EXPECT_EQ(weighted->points[i].time, copied->points[i].time);
    EXPECT_EQ(weighted->points[i].n_risk, copied->points[i].n_risk);
    EXPECT_EQ(weighted->points[i].n_event, copied->points[i].n_event);
    EXPECT_NEAR(weighted->points[i].survival, copied->points[i].survival, kReordered);
  }
}

TEST(LogRankProperty, LargeDataMatchesDirectComputation) {
  // O, E and V of arm 1 summed over distinct event times, from sorted rows.
  for (const std::uint32_t seed : {31u, 32u}) {
    const LargeCohort c = DrawLarge(seed, 6000);
    const Result<LogRankResult> r = LogRankTest({c.time, c.event}, c.group, 2);
    ASSERT_THAT(r, IsOk());
    const auto rows = SortedRows(c.time, c.event, c.group);
    double n = static_cast<double>(rows.size());
    double n1 = 0;
    for (const auto& row : rows) n1 += row.second >= 2 ? 1 : 0;
    double observed = 0;
    double expected = 0;
    double variance = 0;
    for (std::size_t start = 0; start < rows.size();) {
      const double t = rows[start].first;
      double d = 0;
      double d1 = 0;
      double left = 0;
      double left1 = 0;
      for (; start < rows.size() && rows[start].first == t; ++start) {
        const int code = rows[start].second;
        d += code % 2;
        d1 += code == 3 ? 1 : 0;
        left += 1;
        left1 += code >= 2 ? 1 : 0;
      }
      if (d > 0) {
        observed += d1;
        expected += d * n1 / n;
        if (n > 1) variance += d * (n - d) / (n * (n - 1)) * n1 * (n - n1) / n;
      }
      n -= left;
      n1 -= left1;
    }
    EXPECT_EQ(r->groups[1].observed, observed);
    EXPECT_NEAR(r->groups[1].expected, expected, kReordered * expected);
    EXPECT_NEAR(r->variance[1][1], variance, kReordered * variance);
    const double chisq = (observed - expected) * (observed - expected) / variance;
    EXPECT_NEAR(r->chisq, chisq, kReordered * std::max(1.0, chisq));
  }
}

LogRankResult LogRank(const std::vector<double>& time, const std::vector<std::uint8_t>& event,
                      const std::vector<int>& group, int group_count, const std::vector<int>& strata = {},
                      int strata_count = 1, const LogRankOptions& options = {}) {
  Result<LogRankResult> r = LogRankTest({time, event}, group, group_count, strata, strata_count, options);
  EXPECT_THAT(r, IsOk());
  return r.value_or(LogRankResult{});
}

TEST(LogRankProperty, InvariantToRelabellingGroups) {
  // Which arm is called 0 changes which one the quadratic form leaves out, not chi-squared.
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(5000 + static_cast<std::uint32_t>(k), 150, 3);
    std::vector<int> relabelled = c.group;
    for (int& g : relabelled) g = (g + 1) % 3;  // 0 -> 1 -> 2 -> 0
    for (const LogRankOptions options : {LogRankOptions{0, 0}, LogRankOptions{1, 0}, LogRankOptions{0.5, 1}}) {
      const LogRankResult a = LogRank(c.time, c.event, c.group, 3, {}, 1, options);
      const LogRankResult b = LogRank(c.time, c.event, relabelled, 3, {}, 1, options);
      EXPECT_NEAR(a.chisq, b.chisq, kReordered * std::max(1.0, a.chisq));
      EXPECT_EQ(a.df, b.df);
      for (int g = 0; g < 3; ++g) {
        EXPECT_NEAR(a.groups[static_cast<std::size_t>(g)].expected,
                    b.groups[static_cast<std::size_t>((g + 1) % 3)].expected, kReordered);
      }
    }
  }
}

TEST(LogRankProperty, InvariantToMonotoneTransformOfTime) {
  // The test uses only the order of the times: log(1 + t) and t^2 give the same statistic.
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(6000 + static_cast<std::uint32_t>(k), 150, 2);
    std::vector<double> logged = c.time;
    std::vector<double> squared = c.time;
    for (double& t : logged) t = std::log1p(t);
    for (double& t : squared) t = t * t;
    const LogRankResult a = LogRank(c.time, c.event, c.group, 2, {}, 1, {1, 1});
    const LogRankResult b = LogRank(logged, c.event, c.group, 2, {}, 1, {1, 1});
    const LogRankResult d = LogRank(squared, c.event, c.group, 2, {}, 1, {1, 1});
    EXPECT_NEAR(a.chisq, b.chisq, kReordered);
    EXPECT_NEAR(a.chisq, d.chisq, kReordered);
    EXPECT_NEAR(a.groups[0].observed, b.groups[0].observed, kReordered);
    EXPECT_NEAR(a.groups[0].expected, d.groups[0].expected, kReordered);
  }
}

TEST(LogRankProperty, TwoIdenticalGroupsGiveZero) {
  // Every subject of arm 0 has a twin in arm 1: at each time the arms have
  // equal numbers at risk and equal deaths, so O = E in each.
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(7000 + static_cast<std::uint32_t>(k), 80, 1);
    std::vector<double> time = c.time;
    std::vector<std::uint8_t> event = c.event;
    std::vector<int> group(c.time.size(), 0);
    time.insert(time.end(), c.time.begin(), c.time.end());
    event.insert(event.end(), c.event.begin(), c.event.end());
    group.resize(time.size(), 1);
    const LogRankResult r = LogRank(time, event, group, 2);
    EXPECT_NEAR(r.chisq, 0.0, kReordered);
    EXPECT_NEAR(r.p, 1.0, kReordered);
    EXPECT_NEAR(r.groups[0].observed, r.groups[0].expected, kReordered);
  }
}

TEST(LogRankProperty, OneStratumEqualsUnstratified) {
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(8000 + static_cast<std::uint32_t>(k), 150, 3);
    const std::vector<int> one_stratum(c.time.size(), 0);
    const LogRankResult a = LogRank(c.time, c.event, c.group, 3);
    const LogRankResult b = LogRank(c.time, c.event, c.group, 3, one_stratum, 1);
    EXPECT_EQ(a.chisq, b.chisq);
    EXPECT_EQ(a.df, b.df);
    for (std::size_t g = 0; g < 3; ++g) {
      EXPECT_EQ(a.groups[g].observed, b.groups[g].observed);
      EXPECT_EQ(a.groups[g].expected, b.groups[g].expected);
    }
  }
}

TEST(LogRankProperty, ObservedAndExpectedTotalsAgree) {
  // Sum over groups of E equals sum of O (each death is expected somewhere), for any weights.
  for (int k = 0; k < kDataSets; ++k) {
    const Cohort c = Draw(9000 + static_cast<std::uint32_t>(k), 150, 3);
    const LogRankResult r = LogRank(c.time, c.event, c.group, 3, {}, 1, {0.7, 0.3});
    double observed = 0;
    double expected = 0;
    for (const LogRankGroup& g : r.groups) {
      observed += g.observed;
      expected += g.expected;
    }
    EXPECT_NEAR(observed, expected, kReordered);
    EXPECT_GE(r.chisq, 0.0);
    EXPECT_GE(r.p, 0.0);
    EXPECT_LE(r.p, 1.0);
  }
}

}  // namespace
}  // namespace cirrus::stats
