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

# parse_options SCRIPT NAME... -- "$@": for each `--name VALUE` whose name is
# listed (dashes in names become underscores), sets the shell variable of
# that name; anything else is an error that names SCRIPT.
#   parse_options registry.sh cirrus rows runs out -- "$@"
parse_options() {
  local script=$1 name
  shift
  local allowed=" "
  while [[ $1 != -- ]]; do allowed+="$1 "; shift; done
  shift
  while [[ $# -gt 0 ]]; do
    name=${1#--}
    name=${name//-/_}
    if [[ $1 == --* && $allowed == *" $name "* && $# -ge 2 ]]; then
      printf -v "$name" '%s' "$2"
      shift 2
    else
      echo "$script: unknown argument $1" >&2
      exit 2
    fi
  done
}
