#!/bin/sh
# Runs every test binary in $1/tests, every tests/cli_*.sh script and every
# tests/python/test_*.py (with /usr/bin/python3, Debian's, which has numpy; the package loads
# $1/libriskcalc.so), adds up their closing "name: N passed, N failed" lines and ends with the
# total line. Exit 1 on any failure.
set -u
build=${1:-build}
export RISKCALC="$build/riskcalc"
RISKCALC_LIB="$(cd "$build" && pwd)/libriskcalc.so"
export RISKCALC_LIB
PYTHON=${PYTHON:-/usr/bin/python3}
# A sanitized library loaded into Python needs the sanitizer runtimes first (and Python's own
# allocations are not the library's leaks).
py_env=""
case "$build" in *asan*)
  py_env="LD_PRELOAD=$(cc -print-file-name=libasan.so):$(cc -print-file-name=libubsan.so) ASAN_OPTIONS=detect_leaks=0"
  ;;
esac
passed=0
failed=0
for t in "$build"/tests/*/test_* tests/cli/cli_*.sh tests/python/test_*.py; do
  [ -e "$t" ] || continue
  case "$t" in
  *.sh) cmd="sh $t" ;;
  *.py) cmd="env $py_env $PYTHON $t" ;;
  *) cmd="$t" ;;
  esac
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
