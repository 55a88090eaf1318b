#!/bin/sh
# Runs every benchmark binary in $1/bench and prints their tables. See docs/BENCHMARKS.md.
set -u
build=${1:-build}
echo "# riskcalc benchmarks on $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}, OMP_NUM_THREADS=${OMP_NUM_THREADS:-unset}"
status=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo
  "$b" || status=1
done
exit $status
