#!/usr/bin/env bash
# The registry against the sqlite3 shell, side by side in one run:
#   1. import: `cirrus init` + `cirrus import` of N lab rows (with the patients
#      they belong to) into a fresh registry, against `sqlite3 .import` of the
#      same labs.csv into a bare table of a fresh database (the issue's anchor:
#      within 3x);
#   2. export: `cirrus export --format csv` of that registry, against the
#      sqlite3 shell writing the bare table back to CSV;
#   3. show: `cirrus show` of one patient, as a whole process, in a registry of
#      P patients x 40 visits (target: under 50 ms);
#   4. follow-up: the same labs split by visit, the first 10 visits of every
#      patient stored, then the import of the last 10 (rows for patients who
#      have rows: the registry's everyday import) against `.import` of those
#      rows into a bare table.
# Prints a markdown table.
#
#   bench/compare/registry.sh [--cirrus PATH] [--rows N] [--patients P] [--runs N] [--out DIR]
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
cirrus=build/bench/cirrus
rows=1000000
patients=100000
runs=3
out=bench/out/compare
parse_options registry.sh cirrus rows patients runs out -- "$@"
work=$out/registry
rm -rf "$work"
mkdir -p "$work/labs" "$work/show"

# Labs: 20 visits x 5 analytes per patient, as sites send them (units as
# entered, some converted); a fixed seed, so every run imports the same bytes.
awk -v rows="$rows" -v dir="$work/labs" -f "$here/make_registry.awk"
# The show registry: P patients x 40 visits.
awk -v patients="$patients" -v visits=40 -v dir="$work/show" -f "$here/make_registry.awk"

db=$work/bench.db
BEST_OF_SETUP="rm -f '$db' '$db-wal' '$db-shm'; '$cirrus' init --db '$db' > /dev/null"
import_s=$(best_of "$cirrus" import --db "$db" --actor bench "$work/labs")
BEST_OF_SETUP="rm -f '$work/bare.db'"
sqlite_import_s=$(best_of sqlite3 "$work/bare.db" ".mode csv" ".import '$work/labs/labs.csv' labs")
BEST_OF_SETUP="rm -rf '$work/export'"
export_s=$(best_of "$cirrus" export --db "$db" --format csv --out "$work/export")
BEST_OF_SETUP="rm -f '$work/bare.csv'"
sqlite_export_s=$(best_of sqlite3 "$work/bare.db" ".headers on" ".mode csv" ".once '$work/bare.csv'" "SELECT * FROM labs")
unset BEST_OF_SETUP
# The exported labs must be the imported ones, row for row.
[[ $(wc -l < "$work/export/labs.csv") == $(wc -l < "$work/labs/labs.csv") ]] ||
  { echo "registry.sh: export has $(wc -l < "$work/export/labs.csv") lab lines, import had $(wc -l < "$work/labs/labs.csv")" >&2; exit 1; }

# Follow-up: the first 10 visits of each patient stored, the last 10 timed.
mkdir -p "$work/base" "$work/follow-up"
cp "$work/labs/sites.csv" "$work/labs/studies.csv" "$work/labs/patients.csv" "$work/base/"
awk -F, -v base="$work/base/labs.csv" -v later="$work/follow-up/labs.csv" '
  NR == 1 { print > base; print > later; next }
  { if (!(($1, $2) in seen)) { seen[$1, $2] = 1; visits[$1]++ }
    if (visits[$1] <= 10) print > base; else print > later }' "$work/labs/labs.csv"
"$cirrus" init --db "$work/base.db" > /dev/null
"$cirrus" import --db "$work/base.db" --actor bench "$work/base" > /dev/null
BEST_OF_SETUP="cp '$work/base.db' '$db'; rm -f '$db-wal' '$db-shm'"
follow_up_s=$(best_of "$cirrus" import --db "$db" --actor bench "$work/follow-up")
BEST_OF_SETUP="rm -f '$work/bare.db'"
sqlite_follow_up_s=$(best_of sqlite3 "$work/bare.db" ".mode csv" ".import '$work/follow-up/labs.csv' labs")
unset BEST_OF_SETUP
follow_up_rows=$(($(wc -l < "$work/follow-up/labs.csv") - 1))

show_db=$work/show.db
rm -f "$show_db"*
"$cirrus" init --db "$show_db" > /dev/null
show_import_s=$(runs=1 best_of "$cirrus" import --db "$show_db" --actor bench "$work/show")
middle=$(awk -F, -v n="$patients" 'NR == int(n / 2) + 1 {print $1}' "$work/show/patients.csv")
show_s=$(runs=$((runs * 3)) best_of "$cirrus" show --db "$show_db" "$middle")
show_ms=$(awk -v s="$show_s" 'BEGIN {printf "%.1f", s * 1000}')

cat <<TABLE
| task | cirrus (s) | sqlite3 shell (s) | ratio |
|---|---:|---:|---:|
| import $rows lab rows (validate, convert units, audit, derived scores) | $import_s | $sqlite_import_s (.import into a bare table) | $(ratio "$import_s" "$sqlite_import_s") |
| export them to CSV | $export_s | $sqlite_export_s (SELECT * to CSV) | $(ratio "$export_s" "$sqlite_export_s") |
| follow-up: import $follow_up_rows lab rows of patients with $follow_up_rows rows stored | $follow_up_s | $sqlite_follow_up_s (.import into a bare table) | $(ratio "$follow_up_s" "$sqlite_follow_up_s") |
| show one patient of $patients x 40 visits, whole process | ${show_ms} ms | | |

(the show registry took ${show_import_s} s to import; best of $runs runs, ${runs}x3 for show)
TABLE
