#!/usr/bin/env bash
# Power simulation, per trial: R (power_r.R: simulate one two-arm trial of 219 patients and run
# the six analyses - survdiff log-rank, FH(0,1), landmark log-rank and Cox, RMST at 60 months,
# coxph - in a plain loop, one core) beside one whole `cirrus power` process on the same
# scenario. R is slow, so it runs fewer trials (--r-trials, default 1000) and both sides are
# reported as seconds per trial; the ratio is R / cirrus per trial. Prints a markdown table.
#
#   bench/compare/power.sh [--cirrus PATH] [--config TOML] [--trials N] [--r-trials N]
#                          [--threads T] [--seed S] [--runs N] [--out DIR]
#                          [--lambda L] [--hr-early H] [--hr-late H] [--dropout D]
#
# The scenario options are passed to R and must match what --config (by default
# examples/sim/power-bench.toml) says: n 111 / 108, lambda per year, HR before / after the
# 13-month lag, dropout per year, 75 months of follow-up, RMST tau 60.
# R's time is the simulate + analyse loop only (power_r.R's elapsed_s line, best of --runs);
# cirrus is timed as a whole process (start-up, config, simulation, analyses, JSON),
# best of --runs, after one small check run that must succeed.
# Time here: R 6.4 ms a trial (9-12 ms under load), so the default 3 x 1000 R trials take 20-40 s.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
config=examples/sim/power-bench.toml
trials=10000
r_trials=1000
threads=2
seed=20261122
runs=3
out=bench/out/compare
lambda=0.06
hr_early=1
hr_late=0.6
dropout=0
source "$here/lib.sh"
parse_options power.sh cirrus config trials r_trials threads seed runs out lambda hr_early hr_late dropout -- "$@"
mkdir -p "$out"

[[ -x $cirrus ]] || { echo "power.sh: no cirrus binary at $cirrus (build the bench preset, or pass --cirrus)" >&2; exit 1; }
[[ -f $config ]] || { echo "power.sh: no scenario file at $config" >&2; exit 1; }
# Check the answer once before timing: the subcommand must exist and print JSON.
if ! "$cirrus" power --config "$config" --trials 20 --seed "$seed" --threads 1 --format json \
    > "$out/power_check.json" 2> "$out/power_check.err"; then
  echo "power.sh: '$cirrus power' failed (is the subcommand built?):" >&2
  cat "$out/power_check.err" >&2
  exit 1
fi
grep -q '{' "$out/power_check.json" || { echo "power.sh: cirrus power printed no JSON" >&2; exit 1; }

r_best=""
for ((i = 0; i < runs; i++)); do
  Rscript "$here/power_r.R" --trials "$r_trials" --seed "$seed" --lambda "$lambda" --hr-early "$hr_early" \
    --hr-late "$hr_late" --dropout "$dropout" > "$out/power_r.csv"
  t=$(awk -F, '$1 == "elapsed_s" {print $2}' "$out/power_r.csv")
  [[ -n $t ]] || { echo "power.sh: power_r.R printed no elapsed_s line" >&2; exit 1; }
  if [[ -z $r_best ]] || awk -v t="$t" -v b="$r_best" 'BEGIN {exit !(t < b)}'; then r_best=$t; fi
done

# Per core: one thread, no null run (R runs none), against R's one core.
c_one=$(best_of "$cirrus" power --config "$config" --trials "$trials" --seed "$seed" --threads 1 --null-trials 0 --format json)
c_best=$(best_of "$cirrus" power --config "$config" --trials "$trials" --seed "$seed" --threads "$threads" --null-trials 0 --format json)
"$cirrus" power --config "$config" --trials "$trials" --seed "$seed" --threads "$threads" --null-trials 0 --format json \
  > "$out/power_cirrus.json"
# The whole study of the issue: the UC-MSC design with its multi-state model and labs,
# every analysis including the three lab endpoints, and the null run for the type I error.
study=$(best_of "$cirrus" power --config examples/sim/ucmsc-rct.toml --trials "$trials" --seed "$seed" --threads "$threads" --format json)
r_per=$(awk -v t="$r_best" -v n="$r_trials" 'BEGIN {printf "%.6f", t / n}')
one_per=$(awk -v t="$c_one" -v n="$trials" 'BEGIN {printf "%.6f", t / n}')
c_per=$(awk -v t="$c_best" -v n="$trials" 'BEGIN {printf "%.6f", t / n}')
{
  echo "| power simulation (219 patients, 6 analyses) | trials | seconds | ms per trial | R / cirrus |"
  echo "|---|---:|---:|---:|---:|"
  awk -v t="$r_best" -v n="$r_trials" -v p="$r_per" \
    'BEGIN {printf "| R power_r.R loop (survival, 1 core) | %d | %.3f | %.3f | |\n", n, t, 1000 * p}'
  awk -v t="$c_one" -v n="$trials" -v p="$one_per" -v r="$(ratio "$r_per" "$one_per")" \
    'BEGIN {printf "| cirrus power --threads 1 (whole process) | %d | %.3f | %.4f | **%sx** |\n", n, t, 1000 * p, r}'
  awk -v t="$c_best" -v n="$trials" -v p="$c_per" -v th="$threads" -v r="$(ratio "$r_per" "$c_per")" \
    'BEGIN {printf "| cirrus power --threads %d (whole process) | %d | %.3f | %.4f | **%sx** |\n", th, n, t, 1000 * p, r}'
  awk -v t="$study" -v n="$trials" -v th="$threads" \
    'BEGIN {printf "| UC-MSC design, all analyses + null run, --threads %d | %d + %d | %.3f | %.4f | |\n", th, n, n, t, 1000 * t / (2 * n)}'
} | tee "$out/power.md"
echo "R power ($r_trials trials): $out/power_r.csv; cirrus power ($trials trials): $out/power_cirrus.json" >&2
