#!/bin/sh
# tests/cli/cli_setup_memory.sh -- issue 12: the exact engine's set-up on a drawn sketch never
# stores the M x d sketch where the Gram path pays (linear_problem_measure ->
# rc_sgd_measure_gaussian), and the up-front memory estimate counts that path. At M = 256,
# d = 262144 the stored sketch alone is 512 MiB: the run's peak resident size must stay far
# below it. Skipped under AddressSanitizer and with RC_TEST_NO_RSS (they change the footprint).
. tests/cli/lib_cli.sh
cli_begin setup_memory

if [ -n "${RC_TEST_NO_RSS:-}" ] || nm "$R" 2>/dev/null | grep -q __asan_init; then
  ok "peak memory of a generated set-up (skipped: sanitizer or RC_TEST_NO_RSS)"
else
  out=$(/usr/bin/python3 - "$R" <<'PY'
import resource, subprocess, sys
p = subprocess.run([sys.argv[1], "linear", "--method", "exact", "--a", "1.5", "--d", "262144",
                    "--M", "256", "--N", "1e2,1e3", "--gamma", "0.1", "--sigma2", "0.1"],
                   capture_output=True, text=True, timeout=300)
rows = [l for l in p.stdout.splitlines() if l and not l.startswith("#")]
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
print(p.returncode, len(rows), "%.1f" % peak)
PY
)
  set -- $out
  check "the run succeeds with its two rows (exit $1, $2 lines)" [ "$1" = 0 -a "$2" = 3 ]
  # the Gram matrices are 3 x 256^2 numbers (1.5 MiB); the binary, its libraries and OpenBLAS's
  # buffers about 30 MiB; a stored sketch would add 512 MiB
  check "peak resident size $3 MiB, far below the 512 MiB of the stored sketch" \
    /usr/bin/python3 -c "import sys; sys.exit(0 if float('$3') < 128 else 1)"
fi
# the estimate behind the refusal counts the generated path, and says so
got=$($LIMIT "$R" linear --method exact --M 300000 --d 20000000 --N 10 2>&1 >/dev/null)
case $got in
  *"does not fit in memory: the Gram matrix of the sketch generated block by block"*) ok "refusal names the generated path" ;;
  *) fail "refusal names the generated path" "$got" ;;
esac

echo "cli_setup_memory: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
