#!/bin/sh
# Runs every test binary in $1/tests and every tests/cli_*.sh script, adds up their closing
# "name: N passed, N failed" lines and ends with the total line. Exit 1 on any failure.
set -u
build=${1:-build}
export RISKCALC="$build/riskcalc"
passed=0
failed=0
for t in "$build"/tests/*/test_* tests/cli/cli_*.sh; do
  [ -e "$t" ] || continue
  case "$t" in *.sh) cmd="sh $t" ;; *) cmd="$t" ;; esac
  out=$($cmd 2>&1)
  rc=$?
  printf '%s\n' "$out"
  line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [ -z "$line" ]; then
    echo "$t: crashed or printed no summary (exit $rc)"
    failed=$((failed + 1))
    continue
  fi
  p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "$t: exit status $rc with no failed test"
    f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
