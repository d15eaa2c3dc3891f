#!/usr/bin/env bash
# Longitudinal statistics against R on the same long files (one row per
# subject per visit; longitudinal_r.R writes them):
#   1. cirrus mmrm (unstructured, Satterthwaite; the whole process: CSV, fit,
#      df) against nlme::gls with corSymm + varIdent by REML (in memory),
#      --subjects subjects, --visits visits after baseline, two arms; the
#      answer is checked first (cirrus' REML log-likelihood is at least
#      gls's, which stops short of the optimum, and within 1e-3 of it);
#   2. how cirrus mmrm grows with subjects (x1/10, x1, x10) and visits;
#   3. cirrus change and cirrus ancova on --rows rows against the floor of
#      reading the same CSV (awk summing the value column) and against R
#      (read.csv + t.test and wilcox.test per arm and visit).
# Prints markdown tables.
#
#   bench/compare/longitudinal.sh [--cirrus PATH] [--subjects N] [--visits V] [--rows N] [--runs N] [--out DIR]
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cirrus=build/bench/cirrus
subjects=10000
visits=6
rows=1000000
runs=3
out=bench/out/compare
source "$here/lib.sh"
parse_options longitudinal.sh cirrus subjects visits rows runs out -- "$@"
mkdir -p "$out"
data() { [[ -s $5 ]] || Rscript "$here/longitudinal_r.R" data "$1" "$2" "$3" "$5"; }
mmrm() { "$cirrus" mmrm --input "$1" --subject subject --time week --value albumin --baseline-time 0 --group arm "${@:2}"; }

main="$out/longitudinal_${subjects}x${visits}.csv"
data "$subjects" "$visits" 20261207 - "$main"
r_out=$(Rscript "$here/longitudinal_r.R" gls "$main")
r_seconds=$(awk '$1 == "r_gls_seconds" {print $2}' <<<"$r_out")
r_loglik=$(awk '$1 == "r_gls_loglik" {print $2}' <<<"$r_out")
c_loglik=$(mmrm "$main" --format json | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["loglik_reml"]))')
awk -v r="$r_loglik" -v c="$c_loglik" 'BEGIN {exit !(c >= r - 1e-9 && c - r <= 1e-3)}' ||
  { echo "longitudinal.sh: REML log-likelihood: gls $r_loglik, cirrus $c_loglik" >&2; exit 1; }
c_seconds=$(best_of mmrm "$main")

{
  echo "| MMRM, unstructured, REML, $visits visits, 2 arms | subjects | seconds | gls / cirrus |"
  echo "|---|---:|---:|---:|"
  echo "| R \`nlme::gls(corSymm + varIdent, REML)\` (in memory), one run | $subjects | $r_seconds | |"
  echo "| cirrus mmrm (whole process: CSV, fit, Satterthwaite df), best of $runs | $subjects | $c_seconds | **$(ratio "$r_seconds" "$c_seconds")x** |"
  echo
  echo "REML log-likelihood: gls $r_loglik, cirrus $c_loglik (gls stops short of the optimum)."
  echo
  echo "| cirrus mmrm, unstructured | subjects | visits | observations | seconds |"
  echo "|---|---:|---:|---:|---:|"
  for n in $((subjects / 10)) "$subjects" $((subjects * 10)); do
    f="$out/longitudinal_${n}x${visits}.csv"
    data "$n" "$visits" 20261208 - "$f"
    echo "| growth with subjects | $n | $visits | $(($(wc -l < "$f") - 1 - n)) | $(best_of mmrm "$f") |"
  done
  for v in 3 12; do
    f="$out/longitudinal_${subjects}x${v}.csv"
    data "$subjects" "$v" 20261209 - "$f"
    echo "| growth with visits | $subjects | $v | $(($(wc -l < "$f") - 1 - subjects)) | $(best_of mmrm "$f") |"
  done
} | tee "$out/longitudinal_mmrm.md"

# change and ancova on about --rows rows: subjects = rows / (visits + 1) at full follow-up.
big="$out/longitudinal_rows_${rows}.csv"
data $((rows * 100 / (visits + 1) / 85)) "$visits" 20261210 - "$big"
lines=$(($(wc -l < "$big") - 1))
floor=$(best_of awk -F, 'NR > 1 {s[$2] += $4} END {for (k in s) print k, s[k]}' "$big")
change=$(best_of "$cirrus" change --input "$big" --subject subject --time week --value albumin --baseline-time 0 --group arm --format csv)
ancova=$(best_of "$cirrus" ancova --input "$big" --subject subject --time week --value albumin --baseline-time 0 --group arm --at 24 --format csv)
r_change=$(Rscript "$here/longitudinal_r.R" change "$big" | awk '$1 == "r_change_seconds" {print $2}')
{
  echo "| $lines rows, $visits visits, 2 arms | seconds | against the awk scan |"
  echo "|---|---:|---:|"
  echo "| awk: split every row, sum the value column by arm (the CSV floor) | $floor | 1.00 |"
  echo "| cirrus change (paired t, Wilcoxon, Welch at every visit) | $change | $(ratio "$change" "$floor") |"
  echo "| cirrus ancova --at 24 | $ancova | $(ratio "$ancova" "$floor") |"
  echo "| R read.csv + merge + t.test and wilcox.test per arm and visit, one run | $r_change | $(ratio "$r_change" "$floor") |"
} | tee "$out/longitudinal_change.md"
