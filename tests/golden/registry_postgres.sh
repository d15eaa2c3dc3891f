#!/usr/bin/env bash
# The registry commands end to end on PostgreSQL: the same example registry
# as tests/golden/registry/registry.test, in a fresh database on the server of
# CIRRUS_TEST_PG_URL (scripts/pg-test-server.sh, started by `make test`).
# Skips (exit 77) without a server unless CIRRUS_TEST_PG_REQUIRED=1.
#
#   tests/golden/registry_postgres.sh CIRRUS_BINARY
set -euo pipefail
cirrus=$1
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
examples=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples" && pwd)
if [[ -z ${CIRRUS_TEST_PG_URL:-} ]]; then
  [[ ${CIRRUS_TEST_PG_REQUIRED:-} == 1 ]] && { echo "CIRRUS_TEST_PG_URL is not set" >&2; exit 1; }
  echo "skipped: CIRRUS_TEST_PG_URL is not set"
  exit 77
fi
name=cirrus_cli_$$
db=${CIRRUS_TEST_PG_URL%/*}/$name
psql -q "$CIRRUS_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null
trap 'psql -q "$CIRRUS_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1' EXIT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; psql -q "$CIRRUS_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1' EXIT

expect 0 "registry ready" -- init --db "$db"
expect 0 "labs                    12         0         0" -- import --db "$db" --actor tester "$examples/registry"
expect 0 "labs                     0         0        12" -- import --db "$db" --actor tester "$examples/registry"
expect 0 "2023-01-10  child-pugh        8  B" -- show --db "$db" FR01-0001
expect 1 "11 findings" -- check --db "$db" --today 2024-06-01
expect 0 "audit trail intact: 38 entries" -- audit --db "$db" --verify
expect 2 'albumin 35 g/dL is outside the plausible range' -- import --db "$db" --actor tester \
  "$(dirname "${BASH_SOURCE[0]}")/data/registry_unit"
expect 0 "deleted from labs: FR01-0001/2023-02-14/AFP" -- delete --db "$db" --reason "entered twice" labs FR01-0001 2023-02-14 AFP
expect 0 "audit trail intact: 39 entries" -- audit --db "$db" --verify
# Round trip: the PostgreSQL registry exported and imported into SQLite gives the same files.
expect 0 "exported" -- export --db "$db" --format csv --out "$tmp/from_pg"
expect 0 "registry ready" -- init --db "$tmp/copy.db"
expect 0 "imported" -- import --db "$tmp/copy.db" --actor tester "$tmp/from_pg"
expect 0 "exported" -- export --db "$tmp/copy.db" --format csv --out "$tmp/from_sqlite"
diff -r "$tmp/from_pg" "$tmp/from_sqlite" >/dev/null || fail "the PostgreSQL and SQLite exports differ"
echo "registry_postgres: every command agrees on PostgreSQL"
