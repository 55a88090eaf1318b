#!/bin/sh
# tests/valgrind.sh BUILD TEST... -- `make valgrind`: the C unit tests named (build/tests/...,
# without the prefix) and a representative set of CLI runs under valgrind's memcheck with
# --leak-check=full --error-exitcode=1, suppressions for third-party internals only
# (tests/valgrind.supp). Prints one line per run and "valgrind: N passed, N failed" last.
set -u
build=${1:-build}
shift
case $build in /*) ;; *) build=$PWD/$build ;; esac
supp=$(cd "$(dirname "$0")" && pwd)/valgrind.supp
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --suppressions=$supp"
export OPENBLAS_NUM_THREADS=1 RC_TEST_NO_RSS=1 OMP_NUM_THREADS=2
# Tests whose tolerances are a few ulps (x87 long double in src/core/gauss.c's Newton nodes and
# the spectral sums built on them; test_schedule's 9e-16 on summed step sizes): valgrind
# emulates long double in 64 bits and rounds some libm paths differently, so their own
# checks may fail there (measured: 8e-15 against 5e-15, 2.6e-13 against 9e-16); memcheck
# must still be clean.
IMPRECISE="core/test_gauss core/test_specsum core/test_schedule"
passed=0
failed=0
log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$log"' EXIT
# run NAME WANT-EXIT COMMAND...: memcheck clean and the command's own exit status as expected.
run() {
  name=$1 want=$2
  shift 2
  $VG "$@" >"$log" 2>&1
  rc=$?
  if [ "$rc" -eq 99 ] || grep -q '^==[0-9]*==' "$log"; then
    failed=$((failed + 1))
    echo "FAIL $name: memcheck reported errors"
    grep '^==[0-9]*==' "$log" | head -30
  elif [ "$rc" -ne "$want" ] && [ "$want" -eq 0 ] && echo " $IMPRECISE " | grep -q " $name "; then
    passed=$((passed + 1))
    echo "ok   $name: memcheck clean (its precision checks fail under valgrind's 64-bit long double)"
  elif [ "$rc" -ne "$want" ]; then
    failed=$((failed + 1))
    echo "FAIL $name: exit $rc, expected $want"
    tail -5 "$log"
  else
    passed=$((passed + 1))
    echo "ok   $name"
  fi
}
for t in "$@"; do
  run "$t" 0 "$build/tests/$t"
done
R=$build/riskcalc
cd "$tmp" || exit 1
printf '0.5\n0.25\n0.125\n0.0625\n' >spec.txt
printf 'x\ty\n10\t1\n100\t0.1\n1000\t0.011\n' >fit.tsv
printf 'x\ty\n10\t1\n100\t0.1\n' >two.tsv
run "cli linear exact" 0 "$R" linear --a 1.5 --d 60 --M 8,16 --N 10:1000:4 --output a.tsv
run "cli linear de (d = inf)" 0 "$R" linear --method de --a 1.5 --d inf --M 20 --N 100,1000 --format json --output b.json
run "cli linear closed" 0 "$R" linear --method closed --a 1.5 --d 200 --M 20 --N 100,1000
run "cli linear mc" 0 "$R" linear --method mc --spectrum spec.txt --M 2 --N 10,100 --runs 20 --seed 3
run "cli fit" 0 "$R" fit fit.tsv --x x --y y --format csv
run "cli quad" 0 "$R" quad --alpha 2.5 --beta 1.5 --d 50 --M 10 --T 10,100 --eta 0.01
run "cli ridge" 0 "$R" ridge --a 1.5 --d 100 --n 10,100 --lambda 0.01
# (rerun is left out: it re-executes /proc/self/exe, which under valgrind is valgrind's own
# launcher, not riskcalc.)
run "cli refused: /dev/zero" 2 "$R" linear --spectrum /dev/zero --M 2 --N 10
run "cli refused: two-point fit" 2 "$R" fit two.tsv --x x --y y
run "cli refused: unknown option" 2 "$R" linear --bogus
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
