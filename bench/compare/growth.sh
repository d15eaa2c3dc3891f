#!/usr/bin/env bash
# Growth of the survival engine from 10^3 to 10^7 subjects, and peak memory
# beside R's for the same data: `cirrus km --group` (Kaplan-Meier + log-rank)
# and `cirrus cox` (Efron, five covariates) as whole processes reading a CSV,
# against R's survfit + survdiff and coxph on the same number of subjects made
# in memory (growth_r.R). Time per subject divided by log2(n) shows whether
# the growth is n log n. Peak memory is the process's maximum resident set
# (GNU time %M): cirrus's includes the mapped CSV file, R's its interpreter.
# Prints a markdown table.
#
#   bench/compare/growth.sh [--cirrus PATH] [--sizes "1000 ... 10000000"] [--runs N] [--out DIR]
#
# Time here: about 3 minutes for R at 10^7, 15 s for cirrus; the 10^7-row CSV is 960 MB.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
sizes="1000 10000 100000 1000000 10000000"
runs=3
out=bench/out/compare
source "$here/lib.sh"
parse_options growth.sh cirrus sizes runs out -- "$@"
mkdir -p "$out"
[[ -x $cirrus ]] || { echo "growth.sh: no cirrus binary at $cirrus" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "growth.sh: GNU time (/usr/bin/time, Debian package time) is needed" >&2; exit 1; }

# best_rss COMMAND...: best wall time of --runs runs and the peak RSS (MiB) of that run.
best_rss() {
  local best="" rss="" start end t m
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s.%N)
    m=$(/usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1)
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
    if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best=$t; rss=$m; fi
  done
  awk -v t="$best" -v m="$rss" 'BEGIN {printf "%s %.0f\n", t, m / 1024}'
}

{
  echo "| subjects | cirrus km + log-rank, s | R survfit + survdiff, s | ratio | cirrus cox, s | R coxph, s | ratio | cirrus ns per subject per log2 n (km, cox) | peak MiB cirrus km / cox | peak MiB R |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in $sizes; do
    csv="$out/growth_$n.csv"
    # Same distribution as growth_r.R (two arms, rates 0.10 and 0.07, censoring uniform on
    # 0-30, x1-x3 normal, x4 Bernoulli 0.4, x5 uniform).
    awk -v n="$n" 'BEGIN {
      srand(20261122); print "time,status,arm,x1,x2,x3,x4,x5"
      for (i = 0; i < n; i++) {
        arm = rand() < 0.5 ? 1 : 2; te = -log(1 - rand()) / (arm == 1 ? 0.10 : 0.07); tc = 30 * rand()
        z1 = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand()); z2 = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand())
        z3 = sqrt(-2 * log(1 - rand())) * cos(6.283185307 * rand())
        printf "%.6f,%d,%d,%.6f,%.6f,%.6f,%d,%.6f\n", (te < tc ? te : tc), (te <= tc), arm, z1, z2, z3, (rand() < 0.4), rand()
      }
    }' > "$csv"
    r_runs=$runs
    [[ $n -ge 10000000 ]] && runs=1
    read -r km km_rss < <(best_rss "$cirrus" km --input "$csv" --time time --event status --group arm)
    read -r cox cox_rss < <(best_rss "$cirrus" cox --input "$csv" --time time --event status --covariates x1,x2,x3,x4,x5)
    runs=$r_runs
    line=$(/usr/bin/time -f "%M" Rscript "$here/growth_r.R" "$n" 2>"$out/growth_r_$n.err")
    r_rss=$(tail -1 "$out/growth_r_$n.err")
    r_km=$(awk '$1 == "r_km_logrank_seconds" {print $2}' <<<"$line")
    r_cox=$(awk '$1 == "r_coxph_seconds" {print $2}' <<<"$line")
    awk -v n="$n" -v km="$km" -v cox="$cox" -v rk="$r_km" -v rc="$r_cox" -v kr="$km_rss" -v cr="$cox_rss" -v rr="$r_rss" 'BEGIN {
      l = log(n) / log(2)
      printf "| %d | %.3f | %.3f | %.1fx | %.3f | %.3f | %.1fx | %.1f, %.1f | %d / %d | %.0f |\n",
        n, km, rk, (km > 0 ? rk / km : 0), cox, rc, (cox > 0 ? rc / cox : 0), 1e9 * km / n / l, 1e9 * cox / n / l, kr, cr, rr / 1024 }'
    rm -f "$csv"
  done
} | tee "$out/growth.md"
