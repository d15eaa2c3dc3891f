#!/usr/bin/env bash
# The demo registry and its study reports, shared by `make demo` and the
# report tests:
#   scripts/demo-reports.sh OUT_DIR [CIRRUS_BINARY]
# simulates a registry of three studies from the source designs (a
# three-centre UC-MSC trial, a single-arm autologous bone marrow cohort, a
# course-length comparison) into OUT_DIR/demo-registry.db, and writes each
# study's report from examples/studies/ as OUT_DIR/<study>.html and .json.
# The data cut is fixed so that the reports are the same on every machine.
# Then the small example registry (examples/registry, four patients) as
# OUT_DIR/cellcir.html, and cut at its first month, when one patient was
# enrolled, as OUT_DIR/cellcir-one-patient.html.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$1"
cirrus="${2:-$root/build/cirrus}"
mkdir -p "$out"
db="$out/demo-registry.db"
rm -f "$db" "$db-wal" "$db-shm"
"$cirrus" init --db "$db" > /dev/null
for config in examples/demo/ucmsc-multicentre.toml examples/sim/abmi-cohort.toml examples/sim/course-length.toml; do
  echo "\$ cirrus simulate --config $config --seed 1 --today 2026-06-30 --db $db"
  "$cirrus" simulate --config "$root/$config" --seed 1 --today 2026-06-30 --db "$db" --actor demo
done
for study in ucmsc-rct abmi-cohort course-length; do
  echo "\$ cirrus report --db $db --study examples/studies/$study.toml --out $out/$study.html"
  (cd "$root" && "$cirrus" report --db "$db" --study "examples/studies/$study.toml" --out "$out/$study.html")
  (cd "$root" && "$cirrus" report --db "$db" --study "examples/studies/$study.toml" --format json \
    --out "$out/$study.json" > /dev/null)
done
example_db="$out/example-registry.db"
rm -f "$example_db" "$example_db-wal" "$example_db-shm"
"$cirrus" init --db "$example_db" > /dev/null
"$cirrus" import --db "$example_db" --actor demo "$root/examples/registry" > /dev/null
for cut in "" 2023-01-31; do
  name=cellcir${cut:+-one-patient}
  echo "\$ cirrus report --db $example_db --study examples/studies/cellcir.toml ${cut:+--as-of $cut }--out $out/$name.html"
  (cd "$root" && "$cirrus" report --db "$example_db" --study examples/studies/cellcir.toml ${cut:+--as-of "$cut"} \
    --out "$out/$name.html")
  (cd "$root" && "$cirrus" report --db "$example_db" --study examples/studies/cellcir.toml ${cut:+--as-of "$cut"} \
    --format json --out "$out/$name.json" > /dev/null)
done
