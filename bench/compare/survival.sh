#!/usr/bin/env bash
# Kaplan-Meier plus log-rank on N subjects: R's survfit + survdiff on data
# already in memory, beside one whole `cirrus km --group` process (which reads
# the CSV, fits both curves and runs the log-rank test). Prints a markdown table.
#
#   bench/compare/survival.sh [--cirrus PATH] [--rows N] [--runs N] [--out DIR]
#
# survival_r.R writes the data set (two arms, exponential event times, uniform
# censoring, five covariates for the later Cox comparison) and times R; each
# cirrus run is timed with bash's `time`, best of --runs.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
rows=1000000
runs=3
out=bench/out/compare
source "$here/lib.sh"
parse_options survival.sh cirrus rows runs out -- "$@"
mkdir -p "$out"
r_times=$(Rscript "$here/survival_r.R" "$rows" "$out")
r_km=$(awk '$1 == "r_km_seconds" {print $2}' <<<"$r_times")
r_lr=$(awk '$1 == "r_logrank_seconds" {print $2}' <<<"$r_times")
r_cox=$(awk '$1 == "r_coxph_seconds" {print $2}' <<<"$r_times")
r_core=$(awk '$1 == "r_coxph_fit_seconds" {print $2}' <<<"$r_times")

best=""
for ((i = 0; i < runs; i++)); do
  start=$(date +%s.%N)
  "$cirrus" km --input "$out/survival.csv" --time time --event status --group arm > "$out/survival_km.txt"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
  if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best=$t; fi
done
cox_best=""
for ((i = 0; i < runs; i++)); do
  start=$(date +%s.%N)
  "$cirrus" cox --input "$out/survival.csv" --time time --event status --covariates x1,x2,x3,x4,x5 > "$out/survival_cox.txt"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
  if [[ -z $cox_best ]] || awk -v t="$t" -v b="$cox_best" 'BEGIN {exit !(t < b)}'; then cox_best=$t; fi
done
grep -q "converged" "$out/survival_cox.txt" || { echo "survival.sh: cirrus cox did not report a fit" >&2; exit 1; }
grep -q "log-rank chi-squared" "$out/survival_km.txt" || { echo "survival.sh: cirrus km printed no log-rank test" >&2; exit 1; }

{
  echo "| $rows subjects | seconds | R / cirrus |"
  echo "|---|---:|---:|"
  echo "| R \`survfit\` (in memory) | $r_km | |"
  echo "| R \`survdiff\` (in memory) | $r_lr | |"
  awk -v k="$r_km" -v l="$r_lr" -v c="$best" \
    'BEGIN {printf "| R both | %.3f | |\n| cirrus km --group (whole process: CSV, KM, log-rank) | %.3f | **%.1fx** |\n", k + l, c, (k + l) / c}'
  awk -v r="$r_cox" -v f="$r_core" -v c="$cox_best" \
    'BEGIN {printf "| R `coxph`, Efron, 5 covariates (in memory) | %.3f | |\n| R `coxph.fit` (numerical core only) | %.3f | |\n| cirrus cox (whole process: CSV, fit, SEs, tests) | %.3f | **%.1fx** coxph, %.2fx coxph.fit |\n", r, f, c, r / c, f / c}'
} | tee "$out/survival.md"
