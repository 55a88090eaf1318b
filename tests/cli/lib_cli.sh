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

# err_case NAME PATTERN ARGS...: riskcalc ARGS must exit 2 with nothing on stdout and exactly
# one line "riskcalc: ..." on stderr containing PATTERN (a fixed string; "" for any). When
# ERR_CASE_NO_FILE names a file, it is removed first and must not exist afterwards (nor a
# temporary beside it): a failed run leaves no output behind.
ERR_CASE_NO_FILE=
err_case() {
  name=$1
  pattern=$2
  shift 2
  [ -n "$ERR_CASE_NO_FILE" ] && rm -f "$ERR_CASE_NO_FILE"
  $LIMIT "$R" "$@" >"$T/ec.out" 2>"$T/ec.err"
  rc=$?
  lines=$(wc -l <"$T/ec.err")
  msg=$(cat "$T/ec.err")
  if [ "$rc" -ne 2 ]; then
    fail "$name" "exit status $rc, expected 2 (stderr: $msg)"
  elif [ -s "$T/ec.out" ]; then
    fail "$name" "wrote to stdout: $(head -c 200 "$T/ec.out")"
  elif [ "$lines" -ne 1 ]; then
    fail "$name" "stderr has $lines lines: $msg"
  elif case $msg in "riskcalc: "*) false ;; *) true ;; esac then
    fail "$name" "message does not start with 'riskcalc: ': $msg"
  elif ! grep -qF -- "$pattern" "$T/ec.err"; then
    fail "$name" "message lacks '$pattern': $msg"
  elif [ -n "$ERR_CASE_NO_FILE" ] && ls | grep -qF "$ERR_CASE_NO_FILE"; then
    fail "$name" "left $ERR_CASE_NO_FILE behind"
  else
    ok "$name"
  fi
}
