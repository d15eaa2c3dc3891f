#!/usr/bin/env bash
# Counts the instructions `cirrus score --input` executes per row, and how they
# split between parsing, scoring and formatting, with valgrind's callgrind.
# Instruction counts repeat exactly, so on the shared 2-core machines they are
# what to compare across commits (style B7); note the commit and preset beside
# the figures.
#
#   bench/compare/callgrind_phases.sh [--cirrus PATH] [--rows N] [--out DIR]
#
# Defaults: build/bench/cirrus, 100,000 rows, bench/out/compare. Writes
# callgrind.out and callgrind_phases.md there and prints the latter. Shares
# are inclusive costs of the functions named in the table; what none of them
# covers (the row loop itself, copying each record into the output, reading
# and writing the file) is "the rest". Kernel time (page faults, the write
# into the page cache) is invisible to callgrind: see perf for that.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cirrus=$root/build/bench/cirrus
rows=100000
out=$root/bench/out/compare
while [[ $# -gt 0 ]]; do
  case $1 in
    --cirrus) cirrus=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "callgrind_phases.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_annotate gawk; do
  command -v "$tool" >/dev/null || { echo "callgrind_phases.sh: $tool is missing" >&2; exit 1; }
done

mkdir -p "$out"
in=$out/visits_${rows}.csv
if [[ ! -s $in || $in -ot $here/make_visits.awk ]]; then
  gawk -v rows="$rows" -f "$here/make_visits.awk" >"$in.partial" && mv "$in.partial" "$in"
fi

valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  "$cirrus" score --input "$in" --output "$out/scored_callgrind.csv" 2>"$out/callgrind.log"
callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out" >"$out/callgrind_inclusive.txt"

# The first line whose symbol matches each pattern gives that phase's inclusive count.
gawk -v rows="$rows" -v cirrus="$cirrus" '
  function count(line) { sub(/^ */, "", line); split(line, f, " "); gsub(/,/, "", f[1]); return f[1] + 0 }
  /PROGRAM TOTALS/ && !total { total = count($0) }
  !run && /cirrus::cli::RunScore\(/ { run = count($0) }
  !csv && /cirrus::io::CsvReader::Next\(/ { csv = count($0) }
  !parse && /cirrus::io::VisitColumns::Parse\(/ { parse = count($0) }
  !score && /cirrus::scores::ScorePanel\(/ { score = count($0) }
  !fmt && /cirrus::study::AppendScoreFields\(/ { fmt = count($0) }
  !read && /cirrus::io::MappedFile::Open\(/ { read = count($0) }
  END {
    if (!total || !run) { print "callgrind_phases.sh: no cirrus symbols in the profile" > "/dev/stderr"; exit 1 }
    rest = total - csv - parse - score - fmt - read
    printf "callgrind, %s on %d rows: %.0f instructions per row (%.4g in all).\n\n", cirrus, rows, total / rows, total
    print "| phase | function (inclusive) | instructions per row | share |"
    print "|---|---|---:|---:|"
    row("split CSV records", "io::CsvReader::Next", csv)
    row("parse and validate fields", "io::VisitColumns::Parse", parse)
    row("score", "scores::ScorePanel", score)
    row("format score columns", "study::AppendScoreFields", fmt)
    row("map the file", "io::MappedFile::Open", read)
    row("the rest", "row loop, record copy, write, start-up", rest)
  }
  function row(phase, fn, n) { printf "| %s | `%s` | %.0f | %.1f%% |\n", phase, fn, n / rows, 100 * n / total }
' "$out/callgrind_inclusive.txt" | tee "$out/callgrind_phases.md"
