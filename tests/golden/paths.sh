#!/usr/bin/env bash
# What cirrus does with paths that are not plain files (issue 14): output
# through a symbolic link, a FIFO or /dev/stdout, a directory where a file is
# expected, a registry that is a directory, not a registry, or read-only.
# These need links, FIFOs and permissions, which the .test cases cannot make;
# the last cases read the exported files' bytes (formula neutralisation).
#
#   tests/golden/paths.sh CIRRUS_BINARY
set -euo pipefail
cirrus=$1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
examples=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples" && pwd)
formula_data=$(cd "$(dirname "${BASH_SOURCE[0]}")/data/registry_formula" && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+rwx "$tmp"; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"  # the reader of as_reader must reach ro/
cd "$tmp"
# Runs cirrus as a user who cannot write a file root made read-only.
as_reader() {
  if [[ $(id -u) == 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$cirrus" "$@"; else "$cirrus" "$@"; fi
}

# ---- score --output ---------------------------------------------------------
# A symbolic link stays a link; its target gets the scored file.
echo old >real.csv
ln -s real.csv link.csv
expect 0 "" -- score --input "$examples/visits.csv" --output link.csv
[[ -L link.csv ]] || fail "score --output replaced the symbolic link link.csv with a regular file"
grep -q '^patient_id,.*,missing$' real.csv || fail "the link's target real.csv did not get the scored file"

# A FIFO stays a FIFO and its reader gets the scored file.
mkfifo pipe
cat pipe >from_pipe &
reader=$!
expect 0 "" -- score --input "$examples/visits.csv" --output pipe
wait "$reader"
[[ -p pipe ]] || fail "score --output replaced the FIFO with a regular file"
cmp -s from_pipe real.csv || fail "the FIFO's reader did not get the scored file"

# /dev/stdout writes to the same open file: appending to a log keeps the log.
echo earlier >log.csv
"$cirrus" score --input "$examples/visits.csv" --output /dev/stdout >>log.csv
[[ $(head -1 log.csv) == earlier ]] || fail "--output /dev/stdout >> log.csv overwrote the log"
tail -n +2 log.csv | cmp -s - real.csv || fail "--output /dev/stdout did not write the scored file"

# A directory is refused, exit 2 (it was exit 3, a failed rename).
mkdir outdir
expect 2 "cannot write outdir: it is a directory" -- score --input "$examples/visits.csv" --output outdir
[[ -z $(ls outdir) ]] || fail "score --output outdir wrote into the directory"

# ---- --db -------------------------------------------------------------------
expect 2 "--db outdir is a directory" -- patients --db outdir
expect 2 "--db outdir is a directory" -- init --db outdir
expect 2 "--db real.csv is not a cirrus registry" -- patients --db real.csv
expect 2 "--db real.csv is not a cirrus registry" -- import --db real.csv "$examples/registry"
cmp -s real.csv from_pipe || fail "opening real.csv as a registry changed it"

# A read-only registry reads; a write says it is read-only (exit 2, was 3).
mkdir ro
"$cirrus" init --db ro/r.db >/dev/null
"$cirrus" import --db ro/r.db --actor tester --today 2024-06-01 "$examples/registry" >/dev/null
chmod 444 ro/r.db
chmod 555 ro
out=$(as_reader patients --db ro/r.db) || fail "patients on a read-only registry failed: $out"
grep -qF "4 patients" <<<"$out" || fail "patients on a read-only registry printed: $out"
out=$(as_reader audit --db ro/r.db --verify) || fail "audit --verify on a read-only registry failed: $out"
rc=0
out=$(as_reader import --db ro/r.db --actor tester --today 2024-06-01 "$examples/registry" 2>&1) || rc=$?
[[ $rc == 2 ]] || fail "import into a read-only registry exited $rc, expected 2: $out"
grep -qF "registry ro/r.db is read-only" <<<"$out" || fail "import into a read-only registry said: $out"

# ---- exports neutralise formulas (OWASP CSV injection) ------------------------
"$cirrus" init --db f.db >/dev/null
"$cirrus" import --db f.db --actor tester --today 2024-06-01 "$formula_data" >/dev/null
for format in csv redcap sdtm; do "$cirrus" export --db f.db --format $format --out "f_$format" >/dev/null; done
grep -qF "\"'=HYPERLINK(" f_csv/sites.csv || fail "sites.csv holds the site name unneutralised: $(cat f_csv/sites.csv)"
grep -qF ",'-2+3+cmd|" f_csv/medications.csv || fail "medications.csv holds the dose unneutralised"
grep -qF ",'-2+3+cmd|" f_redcap/records.csv || fail "the REDCap records hold the dose unneutralised"
grep -qF ",'@SUM(1+1)," f_sdtm/AE.csv || fail "AE.csv holds the term unneutralised"
grep -qF "@CIRRUS-ANALYTE" f_redcap/dictionary.csv || fail "the REDCap dictionary's action tags were changed"
grep -qF "'@CIRRUS-ANALYTE" f_redcap/dictionary.csv && fail "the REDCap dictionary's action tags were quoted"
echo "paths.sh: all cases passed"
