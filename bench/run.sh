#!/bin/sh
# Runs every benchmark binary in $1/bench and prints their tables. See docs/BENCHMARKS.md.
set -u
build=${1:-build}
echo "# riskcalc benchmarks on $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}, OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
# OpenBLAS picks its kernels from the CPU model; one it does not know gets the generic
# Prescott (SSE3) kernels, several times slower (OPENBLAS_CORETYPE overrides it). The
# benchmarks run the kernels the tool runs (its rule: src/cli/main.c, docs/GUIDE.md section 10),
# asked of the tool itself: the last kernels OpenBLAS reports loading in it.
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  core=$(OPENBLAS_VERBOSE=2 "$build/riskcalc" --version 2>&1 >/dev/null | sed -n 's/^Core: //p' | tail -n 1)
  [ -n "$core" ] && export OPENBLAS_CORETYPE="$core"
fi
echo "# OpenBLAS $(OPENBLAS_VERBOSE=2 "$build/riskcalc" --version 2>&1 >/dev/null | head -n 1), OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo
  "$b" || status=1
done
exit $status
