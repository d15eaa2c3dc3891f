# Shared by the bench/compare scripts: source it, then call best_of.
#
#   runs=3
#   seconds=$(best_of some command --with args)
#
# Runs the command `runs` times (default 3) with its output discarded and
# prints the best wall-clock time in seconds. A setup command to run before
# each timed run (untimed) can be given in BEST_OF_SETUP.
best_of() {
  local best="" start end t n=${runs:-3}
  for ((i = 0; i < n; i++)); do
    if [[ -n ${BEST_OF_SETUP:-} ]]; then eval "$BEST_OF_SETUP"; fi
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", b - a}')
    if [[ -z $best ]] || awk -v t="$t" -v b="$best" 'BEGIN {exit !(t < b)}'; then best=$t; fi
  done
  echo "$best"
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
