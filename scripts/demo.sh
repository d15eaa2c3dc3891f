#!/usr/bin/env bash
# `make demo`: the main job on the embedded default. A follow-up registry in
# one SQLite file: created, the example registry imported, listed, one
# patient shown with the scores derived from each visit, and the data-quality
# checks; then scoring one patient from flags and a visits file; a power
# calculation; and last the main job: a multi-centre registry simulated from
# the source designs and one study report per design, written to build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
cirrus=build/cirrus
mkdir -p build/demo
db=build/demo/registry.db
rm -f "$db" "$db-wal" "$db-shm"

run() {
  echo "\$ cirrus $*"
  "$cirrus" "$@"
  echo
}
run init --db "$db"
run import --db "$db" --actor demo examples/registry
run patients --db "$db"
run show --db "$db" FR01-0001
# The checks exit 1 when they find something; here they do, on purpose.
echo "\$ cirrus check --db $db --today 2024-06-01"
"$cirrus" check --db "$db" --today 2024-06-01 || true
echo
run audit --db "$db" --verify

echo "$ cirrus score --bilirubin \"46 umol/L\" --albumin \"31 g/L\" --inr 1.5 --creatinine 1.1 --sodium 133 \\"
echo "    --ascites mild --encephalopathy none --sex male --age 52 --ast 62 --alt 45 --platelets 95"
"$cirrus" score --bilirubin "46 umol/L" --albumin "31 g/L" --inr 1.5 --creatinine 1.1 --sodium 133 \
  --ascites mild --encephalopathy none --sex male --age 52 --ast 62 --alt 45 --platelets 95
echo
echo "$ cirrus score --input examples/visits.csv --output build/demo/visits_scored.csv"
"$cirrus" score --input examples/visits.csv --output build/demo/visits_scored.csv
echo "wrote build/demo/visits_scored.csv (every input column, then the scores); in brief:"
awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
            printf "%-8s %-10s %-10s %5s %8s %9s %10s %s\n", "patient", "visit", "Child-Pugh", "MELD", "MELD-Na", "MELD 3.0", "ALBI grade", "missing"; next }
  { printf "%-8s %-10s %-10s %5s %8s %9s %10s %s\n", $col["patient_id"], $col["visit"],
           $col["child_pugh_points"] " (" $col["child_pugh_class"] ")", $col["meld"], $col["meld_na"],
           $col["meld3"], $col["albi_grade"], $col["missing"] }' build/demo/visits_scored.csv
echo
echo "$ cirrus simulate --config examples/sim/abmi-cohort.toml --seed 1 --db build/demo/simulated.db"
rm -f build/demo/simulated.db build/demo/simulated.db-wal build/demo/simulated.db-shm
"$cirrus" init --db build/demo/simulated.db > /dev/null
"$cirrus" simulate --config examples/sim/abmi-cohort.toml --seed 1 --db build/demo/simulated.db --actor demo
echo
echo "$ cirrus power --config examples/sim/ucmsc-rct.toml --trials 500 --seed 1"
"$cirrus" power --config examples/sim/ucmsc-rct.toml --trials 500 --seed 1
echo
# The main job: a demo registry of three simulated studies, each reported
# from its study definition in examples/studies/ (scripts/demo-reports.sh).
scripts/demo-reports.sh build/demo "$PWD/$cirrus"
echo
echo "The study reports (open in a browser; they print on A4), and the same numbers as JSON:"
for study in ucmsc-rct abmi-cohort course-length; do
  echo "  $PWD/build/demo/$study.html   build/demo/$study.json"
done
