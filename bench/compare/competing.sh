#!/usr/bin/env bash
# Competing risks on N subjects: R's cmprsk::cuminc (both causes' cumulative
# incidence in two arms, with variances, and Gray's test) on data already in
# memory, beside one whole `cirrus cif --group` process (which reads the CSV,
# fits the same curves and runs the same tests). Prints a markdown table.
#
#   bench/compare/competing.sh [--cirrus PATH] [--rows N] [--runs N] [--out DIR]
#
# competing_r.R writes the data set (two arms, exponential times of the two
# causes, uniform censoring; continuous times) and times R. Each cirrus run is
# timed with bash's `time`, best of --runs. Before the table, Gray's statistics
# of both sides are compared (1e-6 relative), so a fast wrong answer fails.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
rows=1000000
runs=3
out=bench/out/compare
source "$here/lib.sh"
parse_options competing.sh cirrus rows runs out -- "$@"
mkdir -p "$out"
r_out=$(Rscript "$here/competing_r.R" "$rows" "$out")
r_seconds=$(awk '$1 == "r_cuminc_seconds" {print $2}' <<<"$r_out")

best=""
for ((i = 0; i < runs; i++)); do
  start=$(date +%s.%N)
  "$cirrus" cif --input "$out/competing.csv" --time time --event cause --group arm > "$out/competing_cif.txt"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
  if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best=$t; fi
done

# "cause 1: chi-squared 12.3456 on 1 df" has 4 decimals; compare at that precision.
for cause in 1 2; do
  r_stat=$(awk -v k="r_gray_stat_$cause" '$1 == k {print $2}' <<<"$r_out")
  c_stat=$(awk -v k="cause $cause:" '$0 ~ "^" k {print $4}' "$out/competing_cif.txt")
  [[ -n $r_stat && -n $c_stat ]] || { echo "competing.sh: no Gray statistic for cause $cause" >&2; exit 1; }
  awk -v r="$r_stat" -v c="$c_stat" 'BEGIN {d = r - c; if (d < 0) d = -d; exit !(d <= 5e-5 + 1e-6 * r)}' ||
    { echo "competing.sh: Gray's test for cause $cause: R $r_stat, cirrus $c_stat" >&2; exit 1; }
done

{
  echo "| $rows subjects | seconds | R / cirrus |"
  echo "|---|---:|---:|"
  echo "| R \`cuminc(time, cause, arm)\` with Gray's test (in memory), median of 3 | $r_seconds | |"
  awk -v r="$r_seconds" -v c="$best" \
    'BEGIN {printf "| cirrus cif --group (whole process: CSV, CIFs, Gray), best of %d | %.3f | **%.1fx** |\n", '"$runs"', c, r / c}'
} | tee "$out/competing.md"
