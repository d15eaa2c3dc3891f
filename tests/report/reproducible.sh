#!/usr/bin/env bash
# The same registry, study file and data cut give byte-identical reports in
# any time zone and locale:
#   reproducible.sh CIRRUS REPORTS_DIR WORK_DIR
# The command line is in the footer, so both runs use the same one.
set -euo pipefail
cirrus="$1"
reports="$2"
work="$3"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work" && mkdir -p "$work"
cd "$root"
locale=C.UTF-8
for candidate in de_DE.UTF-8 fr_FR.UTF-8; do
  if locale -a 2>/dev/null | grep -qi "^${candidate%.UTF-8}.utf-\?8$"; then locale=$candidate; fi
done
for format in html json; do
  for run in a b; do
    if [[ $run == a ]]; then env=(TZ=UTC LC_ALL=C); else env=(TZ=Pacific/Kiritimati LC_ALL=$locale LANG=$locale); fi
    env "${env[@]}" "$cirrus" report --db "$reports/demo-registry.db" --study examples/studies/ucmsc-rct.toml \
      --as-of 2015-06-30 --format "$format" --out "$work/report.$format" > /dev/null
    mv "$work/report.$format" "$work/$run.$format"
  done
  if ! cmp "$work/a.$format" "$work/b.$format"; then
    echo "reproducible: the $format report differs between TZ=UTC LC_ALL=C and TZ=Pacific/Kiritimati LC_ALL=$locale" >&2
    exit 1
  fi
done
# The cut is applied: no fact after it is counted.
python3 - "$work/a.json" <<'PY'
import json, sys
last = json.load(open(sys.argv[1]))["study"]["last_fact"]
if last is None or last > "2015-06-30":
    sys.exit(f"reproducible: the report cut at 2015-06-30 holds a fact of {last}")
PY
echo "reproducible: html and json identical in two time zones and locales (C, $locale)"
