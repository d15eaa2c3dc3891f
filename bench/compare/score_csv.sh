#!/usr/bin/env bash
# Times `cirrus score --input` on a synthetic visits CSV beside two floors that
# only read and write the same file, and prints a markdown table.
#
#   bench/compare/score_csv.sh [--cirrus PATH] [--rows N] [--runs N] [--out DIR]
#
# Defaults: build/bench/cirrus, 1,000,000 rows, best of 3 runs, bench/out/compare
# (gitignored). The visits file is generated once by make_visits.awk and reused
# while it is newer than the generator. Each command runs once untimed first
# (to warm the page cache, check its output and read its peak memory), then
# `--runs` times under bash's `time`; the table keeps the fastest wall-clock run.
# The table is also written to score_csv.md; cirrus's output stays in scored.csv.
#
#   awk      gawk appends eleven constant fields to each line: one scan and one
#            write, no parsing. The floor the speed target is measured against.
#            A second row appends ",a,b,...,k" literally, which writes less.
#   sqlite3  an in-memory database .imports the file (splits every field),
#            then exports every row with the same eleven constant fields.
#   cirrus   cirrus score --input visits.csv --output scored.csv
#
# The constant fields are padded so that each floor writes as many bytes as
# cirrus does (its score columns are about 90 bytes a row), so all three
# commands read and write the same volume.
#
# Needs gawk and sqlite3 (scripts/install-deps.sh installs both); reads
# /usr/bin/time for peak memory when it is there.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cirrus=$root/build/bench/cirrus
rows=1000000
runs=3
out=$root/bench/out/compare
seed=20240611

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }
source "$here/lib.sh"
parse_options score_csv.sh cirrus rows runs out -- "$@"

for tool in gawk sqlite3; do
  command -v "$tool" >/dev/null || { echo "score_csv.sh: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[[ -x $cirrus ]] || { echo "score_csv.sh: no cirrus at $cirrus; build the bench preset first" >&2; exit 1; }
[[ $rows =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] || { echo "score_csv.sh: --rows and --runs take positive integers" >&2; exit 2; }

mkdir -p "$out"
in=$out/visits_${rows}.csv
log=$out/score_csv.log
: >"$log"

# ---- the input, generated once ------------------------------------------------
if [[ ! -s $in || $in -ot $here/make_visits.awk ]]; then
  echo "generating $rows visits into $in ..." >&2
  start=$EPOCHREALTIME
  gawk -v rows="$rows" -v seed="$seed" -f "$here/make_visits.awk" >"$in.partial"
  mv "$in.partial" "$in"
  gen_s=$(gawk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  echo "generated in ${gen_s} s" >&2
fi
in_bytes=$(stat -c %s "$in")

# ---- the three commands ---------------------------------------------------------
# Each runs under "${measure[@]}": empty when timed, /usr/bin/time during the
# warm-up run, which reads the peak memory.
measure=()
suffix=""   # ",ppp,...": eleven constant fields, set after cirrus's first run
run_awk() { "${measure[@]}" gawk -F, -v suffix="$suffix" '{ print $0 suffix }' "$in" >"$out/floor_awk.csv"; }
run_awk_literal() { "${measure[@]}" gawk -F, '{print $0 ",a,b,c,d,e,f,g,h,i,j,k"}' "$in" >"$out/floor_awk_literal.csv"; }
run_sqlite() {
  "${measure[@]}" sqlite3 -batch :memory: >>"$log" <<SQL
.mode csv
.import '$in' visits
.headers on
.output '$out/floor_sqlite3.csv'
SELECT *, $sqlite_columns FROM visits;
SQL
}
run_cirrus() { "${measure[@]}" "$cirrus" score --input "$in" --output "$out/scored.csv"; }

# Runs a command once; prints its peak resident memory in MiB ("-" without /usr/bin/time).
peak_rss() {
  if [[ -x /usr/bin/time ]]; then
    measure=(/usr/bin/time -f '%M' -o "$out/rss.txt")
    "$@" 2>>"$log"
    measure=()
    gawk '{ printf "%.0f", $1 / 1024 }' "$out/rss.txt"
  else
    "$@" 2>>"$log"
    echo "-"
  fi
}

# Wall-clock seconds of the fastest of $runs runs.
best_of() {
  local best="" t
  for ((i = 0; i < runs; i++)); do
    t=$({ TIMEFORMAT=%3R; time "$@" 2>>"$log"; } 2>&1)
    echo "  $1 run $((i + 1)): ${t} s" >&2
    best=$(gawk -v a="${best:-$t}" -v b="$t" 'BEGIN { print (b < a ? b : a) }')
  done
  echo "$best"
}

lines() { wc -l <"$1" | tr -d ' '; }

# cirrus first: its output sets how many bytes the floors must write.
echo "warming up and checking outputs ..." >&2
rss_cirrus=$(peak_rss run_cirrus) || { echo "score_csv.sh: cirrus failed; see $log" >&2; exit 1; }
[[ $(lines "$out/scored.csv") -eq $((rows + 1)) ]] || { echo "score_csv.sh: cirrus wrote $(lines "$out/scored.csv") lines, expected $((rows + 1))" >&2; exit 1; }
out_bytes=$(stat -c %s "$out/scored.csv")
header_extra=$(( $(head -1 "$out/scored.csv" | wc -c) - $(head -1 "$in" | wc -c) ))
per_row=$(( (out_bytes - in_bytes - header_extra + rows / 2) / rows ))  # bytes cirrus appends to a row
# Eleven fields: eleven commas, the rest spread over the values.
suffix=$(gawk -v n="$per_row" 'BEGIN { chars = n - 11; if (chars < 11) chars = 11
  for (f = 0; f < 11; f++) { w = int(chars / 11) + (f < chars % 11); s = s ","; for (c = 0; c < w; c++) s = s "p" }
  print s }')
sqlite_columns=$(gawk -v s="$suffix" 'BEGIN { n = split(substr(s, 2), v, ","); for (f = 1; f <= n; f++) printf "%s'\''%s'\'' AS s%d", (f > 1 ? ", " : ""), v[f], f }')

rss_awk=$(peak_rss run_awk)
[[ $(lines "$out/floor_awk.csv") -eq $((rows + 1)) ]] || { echo "score_csv.sh: the awk floor lost rows" >&2; exit 1; }
rss_awk_literal=$(peak_rss run_awk_literal)
rss_sqlite=$(peak_rss run_sqlite)
[[ $(lines "$out/floor_sqlite3.csv") -eq $((rows + 1)) ]] || { echo "score_csv.sh: the sqlite3 floor lost rows" >&2; exit 1; }

echo "timing, best of $runs ..." >&2
t_awk=$(best_of run_awk)
t_awk_literal=$(best_of run_awk_literal)
t_sqlite=$(best_of run_sqlite)
t_cirrus=$(best_of run_cirrus)

mib() { gawk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b / 1048576 }'; }
ratio() { gawk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
r_awk=$(ratio "$t_cirrus" "$t_awk")
r_sqlite=$(ratio "$t_cirrus" "$t_sqlite")
verdict=$(gawk -v r="$r_awk" 'BEGIN { print (r <= 2 ? "within" : "NOT within") }')

{
  echo "Scoring $rows visits ($(mib "$in") MiB in), best of $runs wall-clock runs; $(nproc) CPUs, $(gawk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)."
  echo
  echo "| command | seconds | written (MiB) | peak RSS (MiB) | cirrus / this |"
  echo "|---|---:|---:|---:|---:|"
  echo "| awk floor: \`gawk -F, '{print \$0 suffix}'\` | $t_awk | $(mib "$out/floor_awk.csv") | $rss_awk | $r_awk |"
  echo "| awk, 11 one-letter fields: \`gawk -F, '{print \$0 \",a,...,k\"}'\` (writes less) | $t_awk_literal | $(mib "$out/floor_awk_literal.csv") | $rss_awk_literal | $(ratio "$t_cirrus" "$t_awk_literal") |"
  echo "| sqlite3 floor: \`.import\`, \`.output\`, \`select *\` | $t_sqlite | $(mib "$out/floor_sqlite3.csv") | $rss_sqlite | $r_sqlite |"
  echo "| \`cirrus score --input --output\` | $t_cirrus | $(mib "$out/scored.csv") | $rss_cirrus | 1.00 |"
  echo
  echo "cirrus / awk = $r_awk: $verdict the 2x target. cirrus / sqlite3 = $r_sqlite."
} | tee "$out/score_csv.md"
rm -f "$out/floor_awk.csv" "$out/floor_awk_literal.csv" "$out/floor_sqlite3.csv" "$out/rss.txt"
