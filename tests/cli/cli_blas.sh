#!/bin/sh
# tests/cli/cli_blas.sh -- the tool's choice of OpenBLAS kernels (src/cli/main.c,
# choose_blas_kernels; docs/GUIDE.md section 10): OPENBLAS_CORETYPE=SkylakeX when it is unset
# and the CPU has AVX-512 F/CD/BW/DQ/VL, by starting itself again once; a value the user set
# is kept; the restart changes nothing but the kernels; other kernels move only last digits.
. tests/cli/lib_cli.sh
cli_begin blas

avx512=1
for f in avx512f avx512cd avx512bw avx512dq avx512vl; do
  grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -qx "$f" || avx512=0
done
cores() { env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 "$@" 2>&1 >/dev/null | grep '^Core:' | tr '\n' ' '; }

# OpenBLAS prints its kernels each time it loads: two loads (the restart) with the first
# kernels, then SkylakeX; one load when nothing is to be chosen.
got=$(cores "$R" --version)
if [ $avx512 -eq 1 ]; then
  case $got in
    *"Core: SkylakeX "*) ok "AVX-512 CPU: unset OPENBLAS_CORETYPE becomes SkylakeX" ;;
    *) fail "AVX-512 CPU: unset OPENBLAS_CORETYPE becomes SkylakeX" "$got" ;;
  esac
  n=$(printf '%s' "$got" | grep -o 'Core:' | wc -l)
  check "restarted once, not more (OpenBLAS loaded $n times)" [ "$n" -le 2 ]
else
  n=$(printf '%s' "$got" | grep -o 'Core:' | wc -l)
  check "no AVX-512: no restart, OpenBLAS's own choice ($got)" [ "$n" -eq 1 ]
fi
got=$(OPENBLAS_CORETYPE=Prescott OPENBLAS_VERBOSE=2 "$R" --version 2>&1 >/dev/null | grep '^Core:')
check "a user's OPENBLAS_CORETYPE is kept ($got)" [ "$got" = "Core: Prescott" ]

# An exact run whose set-up is LAPACK's (SVD of S H^1/2), with arguments that need quoting
# kept intact through the restart; the output is the same as with the variable set by hand.
set -- linear --method exact --a 1.5 --d 600 --M 48 --N 1e2:1e4:5 --gamma 0.1 --sigma2 0.1 \
  --seed 3 --output "out put.tsv"
env -u OPENBLAS_CORETYPE $LIMIT "$R" "$@" 2>err1
s1=$?
mv "out put.tsv" auto.tsv 2>/dev/null
check "the restarted run succeeds and writes its output (exit $s1)" [ "$s1" -eq 0 -a -s auto.tsv ]
if [ $avx512 -eq 1 ]; then
  OPENBLAS_CORETYPE=SkylakeX $LIMIT "$R" "$@" 2>err2
  mv "out put.tsv" byhand.tsv 2>/dev/null
  check "the restart gives the bytes of OPENBLAS_CORETYPE=SkylakeX set by hand" \
    cmp -s auto.tsv byhand.tsv
fi
OPENBLAS_CORETYPE=Prescott $LIMIT "$R" "$@" 2>err3
mv "out put.tsv" generic.tsv 2>/dev/null
# the generic kernels round differently: the same rows to 1e-12 relative (this problem's
# condition number times the rounding unit is far below that), columns and header unchanged
if /usr/bin/python3 - auto.tsv generic.tsv <<'PY'; then ok "generic kernels: the same numbers to 1e-12"; else fail "generic kernels: the same numbers to 1e-12"; fi
import sys
def rows(p):
    return [l.split("\t") for l in open(p) if not l.startswith("#")][1:]  # [0]: the column names
a, b = rows(sys.argv[1]), rows(sys.argv[2])
assert len(a) == len(b) == 5, (len(a), len(b))
worst = 0.0
for ra, rb in zip(a, b):
    assert len(ra) == len(rb)
    for x, y in zip(ra, rb):
        x, y = float(x), float(y)
        worst = max(worst, abs(x - y) / max(abs(x), abs(y), 1e-300))
print("    largest relative difference %.2g" % worst)
assert worst < 1e-12, worst
PY

echo "cli_blas: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
