// The simulator's throughput on one core: patient-months of a virtual cohort
// with every lab at every visit and the registry records built
// (SimulateCohort), and trials of the UC-MSC design simulated and analysed
// (SimulateTrials, every analysis). bench/compare/power.sh times whole
// `cirrus power` processes against R.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>

#include "cirrus/sim/cohort.hpp"
#include "cirrus/sim/power.hpp"

namespace {

// Follow-up actually simulated: from enrolment to each patient's last
// outcome event (death, transplant, loss or last known alive).
double PatientMonths(const cirrus::core::RegistryBatch& batch) {
  std::map<std::string, cirrus::core::Date> last;
  for (const auto& e : batch.events) {
    auto [it, inserted] = last.emplace(e.patient, e.date);
    if (!inserted) it->second = std::max(it->second, e.date);
  }
  double days = 0;
  for (const auto& p : batch.patients) {
    if (auto it = last.find(p.code); it != last.end() && p.enrolment) days += it->second - *p.enrolment;
  }
  return days / (365.25 / 12);
}

void BM_SimulateCohort(benchmark::State& state) {
  cirrus::sim::CohortDesign design = cirrus::sim::DefaultTrialDesign().cohort;
  design.patients = static_cast<int>(state.range(0));
  const cirrus::sim::CohortOptions options{.seed = 1, .threads = 1, .data_cut = std::nullopt};
  const double months = PatientMonths(*cirrus::sim::SimulateCohort(design, options));
  for (auto _ : state) {
    auto batch = cirrus::sim::SimulateCohort(design, options);
    benchmark::DoNotOptimize(batch);
  }
  state.counters["patient_months_per_s"] =
      benchmark::Counter(months * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateCohort)->Arg(2000)->Unit(benchmark::kMillisecond);

void BM_SimulateTrials(benchmark::State& state) {
  const cirrus::sim::TrialDesign design = cirrus::sim::DefaultTrialDesign();
  cirrus::sim::TrialRange range;
  range.seed = 1;
  range.end = state.range(0);
  range.threads = 1;
  for (auto _ : state) {
    auto outcomes = cirrus::sim::SimulateTrials(design, range);
    benchmark::DoNotOptimize(outcomes);
  }
  state.counters["trials_per_s"] =
      benchmark::Counter(static_cast<double>(state.range(0) * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulateTrials)->Arg(200)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
