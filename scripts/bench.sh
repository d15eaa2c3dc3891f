#!/usr/bin/env bash
# Runs every benchmark against what `make bench` has built (the bench preset,
# build/bench) and leaves the figures for docs/benchmarks.md in bench/out/.
#
#   scripts/bench.sh                 microbenchmarks, the 1M-row CSV comparison, callgrind
#   CIRRUS_BENCH_ROWS=100000 scripts/bench.sh    a smaller CSV comparison
#   CIRRUS_BENCH_CALLGRIND=0 scripts/bench.sh    skip the callgrind profile
#
# Writes bench/out/scores_bench.{txt,json} (Google Benchmark), and under
# bench/out/compare/ score_csv.md (cirrus against the awk and sqlite3 floors)
# finegray.md (cirrus finegray against cmprsk::crr) and callgrind_phases.md
# (instructions per row by phase; needs valgrind).
set -euo pipefail
export LC_ALL=C

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=build/bench
out=bench/out
rows=${CIRRUS_BENCH_ROWS:-1000000}
callgrind=${CIRRUS_BENCH_CALLGRIND:-1}

for exe in "$build/scores_bench" "$build/survival_bench" "$build/cirrus"; do
  [[ -x $exe ]] || { echo "bench.sh: $exe is missing; run 'make bench' (or cmake --preset bench && cmake --build --preset bench)" >&2; exit 1; }
done
mkdir -p "$out/compare"

echo "== microbenchmarks: $build/scores_bench" >&2
# Brief runs, so that every benchmark runs and none rots; the figures are for
# orientation, the CSV comparison below is the requirement.
"$build/scores_bench" --benchmark_min_time=0.05 \
  --benchmark_out="$out/scores_bench.json" --benchmark_out_format=json | tee "$out/scores_bench.txt"

echo >&2
echo "== microbenchmarks: $build/survival_bench (the engine on data in memory)" >&2
"$build/survival_bench" --benchmark_min_time=0.05 \
  --benchmark_out="$out/survival_bench.json" --benchmark_out_format=json | tee "$out/survival_bench.txt"

echo >&2
echo "== microbenchmarks: $build/sim_bench (patient-months and trials per second, one core)" >&2
"$build/sim_bench" --benchmark_min_time=0.5 \
  --benchmark_out="$out/sim_bench.json" --benchmark_out_format=json | tee "$out/sim_bench.txt"

echo >&2
echo "== cirrus score --input against the read/write floors, $rows rows" >&2
bench/compare/score_csv.sh --cirrus "$build/cirrus" --rows "$rows" --out "$out/compare"

echo >&2
echo "== Kaplan-Meier + log-rank against R, $rows subjects" >&2
bench/compare/survival.sh --cirrus "$build/cirrus" --rows "$rows" --out "$out/compare"

echo >&2
echo "== competing risks (cumulative incidence + Gray's test) against R's cmprsk::cuminc, $rows subjects" >&2
bench/compare/competing.sh --cirrus "$build/cirrus" --rows "$rows" --out "$out/compare"

echo >&2
echo "== Fine-Gray regression against R's cmprsk::crr at 8000 subjects (about 50 s in R), cirrus also at $rows" >&2
bench/compare/finegray.sh --cirrus "$build/cirrus" --rows 8000 --large "$rows" --out "$out/compare"

echo >&2
echo "== longitudinal: cirrus mmrm against nlme::gls (10,000 subjects, 6 visits; gls takes minutes), growth, change and ancova on $rows rows" >&2
bench/compare/longitudinal.sh --cirrus "$build/cirrus" --rows "$rows" --out "$out/compare"

echo >&2
echo "== registry: import, export and show against the sqlite3 shell, $rows lab rows" >&2
bench/compare/registry.sh --cirrus "$build/cirrus" --rows "$rows" --out "$out/compare" | tee "$out/compare/registry.md"

echo >&2
echo "== growth of KM + log-rank and Cox from 10^3 to 10^7 subjects, and peak memory, against R" >&2
bench/compare/growth.sh --cirrus "$build/cirrus" --out "$out/compare"

echo >&2
echo "== in-silico trials: cirrus power against R (survival) on the same piecewise-exponential trial" >&2
bench/compare/power.sh --cirrus "$build/cirrus" --out "$out/compare"

if [[ $callgrind != 0 ]]; then
  echo >&2
  if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
    echo "== callgrind: instructions per row by phase, 100000 rows" >&2
    bench/compare/callgrind_phases.sh --cirrus "$build/cirrus" --rows 100000 --out "$out/compare"
  else
    echo "== callgrind skipped: valgrind is not installed" >&2
  fi
fi

echo >&2
echo "bench.sh: results in $out/ (scores_bench.txt, compare/score_csv.md, compare/survival.md, compare/competing.md, compare/registry.md, sim_bench.txt, compare/power.md, compare/growth.md, compare/callgrind_phases.md)" >&2
