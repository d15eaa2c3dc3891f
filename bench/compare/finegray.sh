#!/usr/bin/env bash
# Fine-Gray regression: R's cmprsk::crr (5 covariates, variance = TRUE, its
# defaults) on N subjects in memory, beside whole `cirrus finegray` processes
# (which read the CSV, fit and compute the sandwich variance) on the same N
# and on LARGE subjects, which crr cannot fit in reasonable time (it costs
# about n^3 with variance: 52 s at 8,000 in docs/reference/survival.md 4.2).
# Prints a markdown table.
#
#   bench/compare/finegray.sh [--cirrus PATH] [--rows N] [--large N] [--runs N] [--out DIR]
#
# finegray_r.R writes both data sets and times crr once (it takes tens of
# seconds). Each cirrus run is timed with bash's `time`, best of --runs.
# Before the table, the coefficients and SEs of both sides at N are compared
# (1e-6 relative), so a fast wrong answer fails.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
rows=8000
large=1000000
runs=3
out=bench/out/compare
source "$here/lib.sh"
parse_options finegray.sh cirrus rows large runs out -- "$@"
mkdir -p "$out"
r_out=$(Rscript "$here/finegray_r.R" "$rows" "$large" "$out")
r_seconds=$(awk '$1 == "r_crr_seconds" {print $2}' <<<"$r_out")

# Best wall-clock seconds of --runs runs of cirrus finegray on $1; output to $2.
best_of() {
  local best="" start end t
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    "$cirrus" finegray --input "$1" --time time --event cause --cause 1 --covariates x1,x2,x3,x4,x5 \
      --format csv > "$2"
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
    if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best=$t; fi
  done
  echo "$best"
}
small=$(best_of "$out/finegray.csv" "$out/finegray_fit.csv")
big=""
if [[ $large -gt 0 ]]; then big=$(best_of "$out/finegray_large.csv" "$out/finegray_large_fit.csv"); fi

# csv rows: term,coef,se,robust_se,...; crr's SE is the sandwich (robust_se).
for j in 1 2 3 4 5; do
  for what in coef se; do
    r=$(awk -v k="r_crr_${what}_$j" '$1 == k {print $2}' <<<"$r_out")
    col=$([[ $what == coef ]] && echo 2 || echo 4)
    c=$(awk -F, -v row="x$j" -v col="$col" '$1 == row {print $col}' "$out/finegray_fit.csv")
    [[ -n $r && -n $c ]] || { echo "finegray.sh: no $what for x$j" >&2; exit 1; }
    awk -v r="$r" -v c="$c" 'BEGIN {d = r - c; if (d < 0) d = -d; if (r < 0) r = -r; exit !(d <= 1e-6 * r)}' ||
      { echo "finegray.sh: $what of x$j: R $r, cirrus $c" >&2; exit 1; }
  done
done

{
  echo "| Fine-Gray, 5 covariates, with variance | subjects | seconds | R / cirrus |"
  echo "|---|---:|---:|---:|"
  echo "| R \`crr(..., variance = TRUE)\` (in memory), one run | $rows | $r_seconds | |"
  awk -v r="$r_seconds" -v c="$small" -v n="$rows" \
    'BEGIN {printf "| cirrus finegray (whole process: CSV, fit, sandwich), best of %d | %d | %.3f | **%.0fx** |\n", '"$runs"', n, c, r / c}'
  if [[ -n $big ]]; then
    awk -v c="$big" -v n="$large" \
      'BEGIN {printf "| cirrus finegray (whole process), best of %d | %d | %.3f | (crr: not feasible) |\n", '"$runs"', n, c}'
  fi
} | tee "$out/finegray.md"
