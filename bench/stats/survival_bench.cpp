// The survival engine on data already in memory, beside R's numerical cores
// (bench/compare/survival.sh times coxph.fit): Kaplan-Meier, log-rank and
// the Cox fit on n subjects with 5 covariates, from a fixed seed.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "cirrus/stats/cox.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/log_rank.hpp"

namespace {

struct Cohort {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<int> arm;
  std::vector<double> x;  // 5 columns of n
};

Cohort MakeCohort(std::size_t n) {
  std::mt19937_64 rng(20261121);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  std::exponential_distribution<double> exp1(1.0);
  Cohort c;
  c.time.resize(n);
  c.event.resize(n);
  c.arm.resize(n);
  c.x.resize(5 * n);
  for (std::size_t i = 0; i < n; ++i) {
    c.arm[i] = uniform(rng) < 0.5 ? 1 : 0;
    for (std::size_t j = 0; j < 5; ++j) c.x[j * n + i] = j == 3 ? (uniform(rng) < 0.4 ? 1.0 : 0.0) : normal(rng);
    const double event_time = exp1(rng) / (0.1 * (c.arm[i] == 1 ? 0.7 : 1.0));
    const double censor_time = 30 * uniform(rng);
    c.time[i] = std::min(event_time, censor_time);
    c.event[i] = event_time <= censor_time ? 1 : 0;
  }
  return c;
}

void BM_FitCox(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Cohort c = MakeCohort(n);
  cirrus::stats::CoxData data;
  data.survival = {c.time, c.event};
  data.covariates = c.x;
  data.covariate_count = 5;
  const auto check = cirrus::stats::FitCox(data);
  if (!check || !check->diagnostics.converged) {
    std::fprintf(stderr, "BM_FitCox: the fit failed to converge\n");
    std::abort();
  }
  for (auto _ : state) benchmark::DoNotOptimize(cirrus::stats::FitCox(data));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_FitCox)->RangeMultiplier(10)->Range(1000, 1'000'000)->Unit(benchmark::kMillisecond);

void BM_KaplanMeierAndLogRank(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Cohort c = MakeCohort(n);
  const cirrus::stats::SurvivalData data{c.time, c.event};
  for (auto _ : state) {
    benchmark::DoNotOptimize(cirrus::stats::FitKaplanMeierByGroup(data, c.arm, 2));
    benchmark::DoNotOptimize(cirrus::stats::LogRankTest(data, c.arm, 2));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_KaplanMeierAndLogRank)->RangeMultiplier(10)->Range(1000, 1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
