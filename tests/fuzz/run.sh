#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS -- runs every libFuzzer target of BUILD/fuzz for SECONDS
# each (make fuzz; FUZZ_TIME= overrides), from the seed corpus tests/fuzz/corpus/NAME (left
# as it is: new inputs go to BUILD/fuzz/corpus/NAME). Crashes, leaks, sanitizer reports,
# timeouts (10 s) and out-of-memory (2 GB) land in BUILD/fuzz/artifacts/NAME/. Prints one line
# per target with its executions and findings, then "fuzz: N passed, N failed".
set -u
build=${1:-build-fuzz}
seconds=${2:-20}
passed=0
failed=0
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=${bin##*/fuzz_}
  work="$build/fuzz/corpus/$name"
  art="$build/fuzz/artifacts/$name"
  rm -rf "$art"
  mkdir -p "$work" "$art"
  log="$build/fuzz/$name.log"
  OPENBLAS_NUM_THREADS=1 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$art/" "$work" \
    "tests/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  findings=$(ls "$art" | wc -l)
  if [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   fuzz_$name: ${execs:-?} executions in ${seconds} s, no finding"
  else
    failed=$((failed + 1))
    echo "FAIL fuzz_$name: exit $rc, ${execs:-?} executions, $findings finding(s) in $art (log $log)"
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
