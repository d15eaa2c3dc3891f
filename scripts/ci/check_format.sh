#!/usr/bin/env bash
# Fails when a C++ file is not clang-format-14 clean; prints the diff.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=$(git ls-files --cached --others --exclude-standard "*.cpp" "*.hpp" 2>/dev/null || true)
[[ -z "$files" ]] && exit 0
status=0
for f in $files; do
  if ! diff -u "$f" <(clang-format-14 "$f") >/tmp/cirrus-format.diff 2>&1; then
    echo "not clang-format clean: $f (run 'make format')" >&2
    head -20 /tmp/cirrus-format.diff >&2
    status=1
  fi
done
exit $status
