// Microbenchmarks of the liver scores (style B7).
//
// Inputs are built once, from a fixed seed, outside the timed loops: a pool of
// synthetic visits whose labs follow one latent severity (compensated to
// decompensated cirrhosis), inside the plausible ranges of core/units.cpp.
// Each timed iteration scores the next visit of the pool, so branches see the
// mix a registry sees rather than one repeated patient. Before any timing,
// main() checks published answers and aborts when one is wrong.
//
//   build/bench/scores_bench                       all of them
//   build/bench/scores_bench --benchmark_filter=Meld3
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/snapshot.hpp"
#include "cirrus/scores/albi.hpp"
#include "cirrus/scores/child_pugh.hpp"
#include "cirrus/scores/fibrosis.hpp"
#include "cirrus/scores/meld.hpp"
#include "cirrus/scores/panel.hpp"

namespace cirrus::scores {
namespace {

using core::Ascites;
using core::ClinicalSnapshot;
using core::Dialysis;
using core::Encephalopathy;

constexpr std::uint64_t kSeed = 20240611;
constexpr std::size_t kPoolSize = 4096;  // a power of two: the index wraps with a mask

// ---- synthetic visits ---------------------------------------------------------

class VisitGenerator {
 public:
  explicit VisitGenerator(std::uint64_t seed) : rng_(seed) {}

  ClinicalSnapshot Next() {
    const double severity = Uniform(0, 1);  // 0 compensated .. 1 decompensated
    ClinicalSnapshot s;
    s.sex = Uniform(0, 1) < 0.65 ? core::Sex::kMale : core::Sex::kFemale;
    s.age_years = Uniform(0, 1) < 0.01 ? Uniform(12, 17.9) : Uniform(18, 88);
    s.bilirubin_mg_dl = LogNormal(std::log(0.8) + 2.0 * severity, 0.5, 0.1, 40);
    s.albumin_g_dl = Normal(4.2 - 1.6 * severity, 0.4, 1.5, 5.5);
    s.inr = LogNormal(std::log(1.05) + 0.6 * severity, 0.12, 0.8, 6);
    s.creatinine_mg_dl = LogNormal(std::log(0.85) + 0.5 * severity, 0.35, 0.3, 10);
    s.sodium_mmol_l = Normal(139 - 8 * severity, 3, 115, 155);
    s.platelets_10e9_l = LogNormal(std::log(200) - 1.2 * severity, 0.4, 10, 600);
    s.ast_u_l = LogNormal(std::log(35) + 0.8 * severity, 0.5, 5, 3000);
    s.alt_u_l = LogNormal(std::log(30) + 0.3 * severity, 0.5, 5, 3000);
    s.dialysis = severity > 0.7 && Uniform(0, 1) < 0.1 ? Dialysis::kDialysis : Dialysis::kNone;
    s.ascites = Category<Ascites>(severity, Ascites::kNone, Ascites::kMild, Ascites::kModerateSevere);
    s.encephalopathy = Category<Encephalopathy>(severity * 0.8, Encephalopathy::kNone, Encephalopathy::kGrade1To2,
                                                Encephalopathy::kGrade3To4);
    return s;
  }

 private:
  double Uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }
  double Normal(double mean, double sd, double lo, double hi) {
    return std::clamp(std::normal_distribution<double>(mean, sd)(rng_), lo, hi);
  }
  double LogNormal(double log_mean, double log_sd, double lo, double hi) {
    return std::clamp(std::exp(std::normal_distribution<double>(log_mean, log_sd)(rng_)), lo, hi);
  }
  template <typename T>
  T Category(double severity, T none, T mild, T severe) {
    const double u = Uniform(0, 1) + severity - 0.5;
    return u < 0.45 ? none : (u < 0.8 ? mild : severe);
  }

  std::mt19937_64 rng_;
};

const std::vector<ClinicalSnapshot>& Pool() {
  static const std::vector<ClinicalSnapshot> pool = [] {
    VisitGenerator gen(kSeed);
    std::vector<ClinicalSnapshot> visits;
    visits.reserve(kPoolSize);
    for (std::size_t i = 0; i < kPoolSize; ++i) visits.push_back(gen.Next());
    return visits;
  }();
  return pool;
}

MeldInputs ToMeldInputs(const ClinicalSnapshot& s) {
  return {.bilirubin_mg_dl = *s.bilirubin_mg_dl,
          .creatinine_mg_dl = *s.creatinine_mg_dl,
          .inr = *s.inr,
          .dialysis = *s.dialysis};
}

// One score's inputs for the whole pool, converted once, outside the timing.
template <typename In, typename Convert>
std::vector<In> PoolAs(Convert convert) {
  std::vector<In> out;
  out.reserve(kPoolSize);
  for (const ClinicalSnapshot& s : Pool()) out.push_back(convert(s));
  return out;
}

// Runs fn on the pool's inputs, one per iteration, in a fixed order.
template <typename In, typename Fn>
void RunOverPool(benchmark::State& state, const std::vector<In>& inputs, Fn fn) {
  std::size_t i = 0;
  for (auto _ : state) {
    auto result = fn(inputs[i & (kPoolSize - 1)]);
    benchmark::DoNotOptimize(result);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- the benchmarks -------------------------------------------------------------

void BM_ScorePanel(benchmark::State& state) {
  RunOverPool(state, Pool(), [](const ClinicalSnapshot& s) { return ScorePanel(s); });
}
BENCHMARK(BM_ScorePanel);

// The panel over a cohort scored in one pass, as `cirrus score --input` does:
// throughput per visit as the cohort outgrows the caches.
void BM_ScorePanelCohort(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<ClinicalSnapshot> cohort;
  cohort.reserve(n);
  VisitGenerator gen(kSeed);
  for (std::size_t i = 0; i < n; ++i) cohort.push_back(gen.Next());
  for (auto _ : state) {
    int total = 0;
    for (const ClinicalSnapshot& s : cohort) {
      auto scores = ScorePanel(s);
      benchmark::DoNotOptimize(scores);
      if (scores && scores->meld3.has_value()) total += scores->meld3.value().score;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ScorePanelCohort)->RangeMultiplier(10)->Range(100, 1'000'000)->Unit(benchmark::kMillisecond);

void BM_ChildPugh(benchmark::State& state) {
  static const auto inputs = PoolAs<ChildPughInputs>([](const ClinicalSnapshot& s) {
    return ChildPughInputs{.bilirubin_mg_dl = *s.bilirubin_mg_dl,
                           .albumin_g_dl = *s.albumin_g_dl,
                           .coagulation = Inr{*s.inr},
                           .ascites = *s.ascites,
                           .encephalopathy = *s.encephalopathy};
  });
  RunOverPool(state, inputs, [](const ChildPughInputs& in) { return ComputeChildPugh(in); });
}
BENCHMARK(BM_ChildPugh);

void BM_Meld(benchmark::State& state) {
  static const auto inputs = PoolAs<MeldInputs>(ToMeldInputs);
  RunOverPool(state, inputs, [](const MeldInputs& in) { return ComputeMeld(in); });
}
BENCHMARK(BM_Meld);

void BM_MeldNa(benchmark::State& state) {
  struct In {
    MeldInputs meld;
    double sodium;
  };
  static const auto inputs = PoolAs<In>([](const ClinicalSnapshot& s) {
    return In{ToMeldInputs(s), *s.sodium_mmol_l};
  });
  RunOverPool(state, inputs, [](const In& in) { return ComputeMeldNa(in.meld, in.sodium); });
}
BENCHMARK(BM_MeldNa);

void BM_Meld3(benchmark::State& state) {
  static const auto inputs = PoolAs<Meld3Inputs>([](const ClinicalSnapshot& s) {
    const Meld3Candidate candidate = *s.age_years < 18              ? Meld3Candidate::kAdolescent
                                     : *s.sex == core::Sex::kFemale ? Meld3Candidate::kAdultFemale
                                                                    : Meld3Candidate::kAdultMale;
    return Meld3Inputs{.bilirubin_mg_dl = *s.bilirubin_mg_dl,
                       .creatinine_mg_dl = *s.creatinine_mg_dl,
                       .inr = *s.inr,
                       .sodium_mmol_l = *s.sodium_mmol_l,
                       .albumin_g_dl = *s.albumin_g_dl,
                       .candidate = candidate,
                       .dialysis = *s.dialysis};
  });
  RunOverPool(state, inputs, [](const Meld3Inputs& in) { return ComputeMeld3(in); });
}
BENCHMARK(BM_Meld3);

void BM_Albi(benchmark::State& state) {
  struct In {
    double bilirubin, albumin;
  };
  static const auto inputs = PoolAs<In>([](const ClinicalSnapshot& s) {
    return In{*s.bilirubin_mg_dl, *s.albumin_g_dl};
  });
  RunOverPool(state, inputs, [](const In& in) { return ComputeAlbi(in.bilirubin, in.albumin); });
}
BENCHMARK(BM_Albi);

void BM_Fib4(benchmark::State& state) {
  static const auto inputs = PoolAs<Fib4Inputs>([](const ClinicalSnapshot& s) {
    return Fib4Inputs{.age_years = *s.age_years,
                      .ast_u_l = *s.ast_u_l,
                      .alt_u_l = *s.alt_u_l,
                      .platelets_10e9_l = *s.platelets_10e9_l};
  });
  RunOverPool(state, inputs, [](const Fib4Inputs& in) { return ComputeFib4(in); });
}
BENCHMARK(BM_Fib4);

void BM_Apri(benchmark::State& state) {
  static const auto inputs = PoolAs<ApriInputs>([](const ClinicalSnapshot& s) {
    return ApriInputs{.ast_u_l = *s.ast_u_l, .ast_uln_u_l = kDefaultAstUlnUL, .platelets_10e9_l = *s.platelets_10e9_l};
  });
  RunOverPool(state, inputs, [](const ApriInputs& in) { return ComputeApri(in); });
}
BENCHMARK(BM_Apri);

// ---- answers checked before timing ---------------------------------------------

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "scores_bench: wrong answer before timing: %s\n", what);
  std::abort();
}

void CheckAnswers() {
  // Kim 2021 worked example: male, bilirubin 2.5, Na 131, INR 1.0, Cr 1.2, albumin 3.8 -> MELD 3.0 16.
  const auto meld3 = ComputeMeld3({.bilirubin_mg_dl = 2.5,
                                   .creatinine_mg_dl = 1.2,
                                   .inr = 1.0,
                                   .sodium_mmol_l = 131,
                                   .albumin_g_dl = 3.8,
                                   .candidate = Meld3Candidate::kAdultMale,
                                   .dialysis = Dialysis::kNone});
  if (!meld3 || meld3->score != 16) Die("MELD 3.0 of the Kim 2021 example is not 16");

  // 10 x (0.957 ln 1.1 + 0.378 ln 2.7 + 1.120 ln 1.5 + 0.643) = 15.638 -> 16, as in
  // tests/scores/meld_test.cpp.
  const auto meld =
      ComputeMeld({.bilirubin_mg_dl = 2.7, .creatinine_mg_dl = 1.1, .inr = 1.5, .dialysis = Dialysis::kNone});
  if (!meld || meld->score != 16) Die("MELD of bilirubin 2.7, creatinine 1.1, INR 1.5 is not 16");

  // Child-Pugh, the example of child_pugh.hpp: bilirubin 2 + albumin 2 + INR 1 + mild ascites 2 + no HE 1.
  const auto cp = ComputeChildPugh({.bilirubin_mg_dl = 2.5,
                                    .albumin_g_dl = 3.1,
                                    .coagulation = Inr{1.5},
                                    .ascites = Ascites::kMild,
                                    .encephalopathy = Encephalopathy::kNone});
  if (!cp || cp->points != 8 || cp->grade != ChildPughClass::kB) Die("Child-Pugh of the header example is not 8 (B)");
  // ALBI: 0.66 log10(1.0 x 17.1) - 0.085 x 40 = -2.5862, grade 2 (above -2.60).
  const auto albi = ComputeAlbi(1.0, 4.0);
  if (!albi || albi->grade != 2 || std::fabs(albi->score - (-2.5862226)) > 1e-6) Die("ALBI of 1.0/4.0 is not -2.5862");
  // FIB-4: 52 x 62 / (95 x sqrt 45) = 5.0590057.
  const auto fib4 = ComputeFib4({.age_years = 52, .ast_u_l = 62, .alt_u_l = 45, .platelets_10e9_l = 95});
  if (!fib4 || std::fabs(*fib4 - 5.0590057) > 1e-6) Die("FIB-4 of 52 y, AST 62, ALT 45, platelets 95 is not 5.0590");
  // APRI: (120 / 40) / 80 x 100 = 3.75.
  const auto apri = ComputeApri({.ast_u_l = 120, .ast_uln_u_l = 40, .platelets_10e9_l = 80});
  if (!apri || std::fabs(*apri - 3.75) > 1e-12) Die("APRI of AST 120, ULN 40, platelets 80 is not 3.75");

  // Every synthetic visit must score in full, or the benchmarks would time error paths.
  for (const ClinicalSnapshot& s : Pool()) {
    const auto panel = ScorePanel(s);
    if (!panel || !panel->child_pugh.has_value() || !panel->meld_na.has_value() || !panel->meld3.has_value() ||
        !panel->albi.has_value() || !panel->fib4.has_value() || !panel->apri.has_value()) {
      Die("a synthetic visit did not score in full");
    }
  }
}

}  // namespace
}  // namespace cirrus::scores

int main(int argc, char** argv) {
  cirrus::scores::CheckAnswers();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
