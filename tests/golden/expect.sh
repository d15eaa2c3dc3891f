# Sourced by the golden shell scripts: fail and expect, with the script's name
# in every message. Needs $cirrus, the binary under test.

fail() { echo "$(basename "$0"): $*" >&2; exit 1; }
expect() {  # expect WANT_EXIT PATTERN -- cirrus args...
  local want=$1 pattern=$2 out rc=0
  shift 3
  out=$("$cirrus" "$@" 2>&1) || rc=$?
  [[ $rc == "$want" ]] || fail "cirrus $* exited $rc, expected $want: $out"
  grep -qF -- "$pattern" <<<"$out" || fail "cirrus $* printed no '$pattern': $out"
}
