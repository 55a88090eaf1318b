# tests/lib_cli.sh -- the harness shared by the tests/cli_*.sh scripts (sourced, not run).
# Sets R (the tool, from $RISKCALC, made absolute), LIMIT (a timeout prefix, so a regression
# that makes a case compute for ages fails instead of hanging the run), the counters and
# ok / fail / check / rows. cli_begin NAME makes and enters a temporary directory $T that is
# removed at exit. Each script prints "NAME: N passed, N failed" last.
set -u
R=${RISKCALC:-build/riskcalc}
case $R in /*) ;; *) R=$PWD/$R ;; esac
LIMIT=
command -v timeout >/dev/null 2>&1 && LIMIT="timeout 120"
passed=0
failed=0

ok() {
  passed=$((passed + 1))
  echo "ok   $1"
}
fail() {
  failed=$((failed + 1))
  echo "FAIL $1"
  [ $# -gt 1 ] && printf '    %s\n' "$2"
  return 0
}
# check NAME COMMAND...: the case passes when COMMAND succeeds.
check() {
  name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}
# Data rows of a tsv/csv table (comment lines dropped).
rows() { grep -v '^#' "$1"; }

cli_begin() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/rc_$1.XXXXXX") || exit 1
  trap 'rm -rf "$T"' EXIT
  trap 'exit 1' INT TERM
  cd "$T" || exit 1
}
