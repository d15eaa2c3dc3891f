#!/usr/bin/env bash
# `mpirun -np K cirrus power` gives the same numbers as one process for the
# same seed, for K = 1, 2 and 4 (more processes than cores: oversubscribed),
# for a power study and for a sample-size search.
#
#   tests/sim/mpi_power.sh CIRRUS EXAMPLES_DIR
set -euo pipefail
cirrus=$1
examples=$2
command -v mpirun >/dev/null || { echo "mpi_power: mpirun not found (scripts/install-deps.sh installs openmpi-bin)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Containers run the tests as root, which Open MPI refuses unless told; the
# sanitizers' leak checker reports Open MPI's own allocations at exit.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
power=(power --config "$examples/sim/ucmsc-rct.toml" --trials 30 --seed 11 --threads 1 --format json)
search=(power --config "$examples/sim/power-bench.toml" --trials 40 --seed 3 --threads 1 --format json
        --sample-size --analysis landmark-logrank --target 0.5 --min-patients 100 --max-patients 400)
"$cirrus" "${power[@]}" > "$tmp/power.json"
"$cirrus" "${search[@]}" > "$tmp/search.json"
status=0
for k in 1 2 4; do
  mpirun -np "$k" "$cirrus" "${power[@]}" > "$tmp/power.$k.json"
  mpirun -np "$k" "$cirrus" "${search[@]}" > "$tmp/search.$k.json"
  for what in power search; do
    if cmp -s "$tmp/$what.json" "$tmp/$what.$k.json"; then
      echo "mpirun -np $k: $what identical to one process"
    else
      echo "mpirun -np $k: $what differs from one process:" >&2
      diff "$tmp/$what.json" "$tmp/$what.$k.json" >&2 || true
      status=1
    fi
  done
done
grep -q '"name": "landmark-cox"' "$tmp/power.json" || { echo "mpi_power: no analyses in the output" >&2; status=1; }
exit $status
