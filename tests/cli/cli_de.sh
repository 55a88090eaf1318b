#!/bin/sh
# tests/cli_de.sh -- the command-line contract of the analytic methods and of `optimal`:
#   riskcalc linear --method de|closed ... --d D|inf
#   riskcalc optimal --a A [--b B] --C LIST [--d D|inf] [--gamma G] [--sigma2 S] [--range F]
# Tables (columns, identities, the tail bound and the mass checks in the header), d = inf
# against a large d, the exact method refusing --d inf, every error path (exit 2, exactly one
# line on stderr, nothing on stdout, no output file left behind), help texts.
# Uses $RISKCALC (default build/riskcalc). Prints "cli_de: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
cli_begin cli_de

ERR_CASE_NO_FILE=out.tsv

# --- linear --method de at d = inf
if $LIMIT "$R" linear --method de --a 1.5 --d inf --M 64,128 --N 1e2:1e4:3 --sigma2 0.1 \
  --output de.tsv 2>de.err; then
  ok "de d=inf runs"
else
  fail "de d=inf runs" "$(cat de.err)"
fi
header=$(rows de.tsv | head -n 1)
check "de header row" test "$header" = "$(printf 'N\tM\tapprox\tbias\tvariance\texcess\trisk\tgamma\tbatch\tsigma2')"
check "de 6 data rows" test "$(rows de.tsv | tail -n +2 | wc -l)" -eq 6
check "de identities" sh -c "grep -v '^#' de.tsv | tail -n +2 | awk -v s=0.1 '
  { if ((\$6 - \$4 - \$5) > 1e-15 * \$6 || (\$4 + \$5 - \$6) > 1e-15 * \$6) bad = 1;
    r = s + \$3 + \$6; if (r - \$7 > 1e-14 * r || \$7 - r > 1e-14 * r) bad = 1; n++ }
  END { exit bad || n != 6 }'"
check "de header: tail bound" grep -q '^# tail: eigenvalues 1\.\.[0-9]* summed explicitly.*bound on the neglected part: [0-9.e+-]* relative' de.tsv
check "de header: kappa and masses per M" sh -c "grep -c '^# DE (M = ' de.tsv | grep -qx 2 &&
  grep '^# DE (M = 128)' de.tsv | sed 's/.*eigenvalue mass \\([0-9.e+-]*\\) (expected \\([0-9.e+-]*\\)).*/\\1 \\2/' |
  awk '{ d = \$1 - \$2; if (d < 0) d = -d; ok = \$2 == 128 && d < 1e-6 * \$2 } END { exit !ok }'"
check "de header: signal" grep -q '^# signal: tr(H P) = 2.61237534868548' de.tsv
check "de risk decreases in N" sh -c "grep -v '^#' de.tsv | awk 'NR > 1 && \$2 == 64 { if (p && \$7 >= p) bad = 1; p = \$7; n++ } END { exit bad || n != 3 }'"

# d = inf against d = 1e7 for a = b = 3 (tail negligible), huge d without O(d) memory
"$R" linear --method de --a 3 --d inf --M 50 --N 100,1000 --schedule const --output inf.tsv 2>/dev/null
$LIMIT "$R" linear --method de --a 3 --d 10000000 --M 50 --N 100,1000 --schedule const \
  --output big.tsv 2>/dev/null
check "de d=inf and d=1e7 agree to 1e-8" sh -c "paste inf.tsv big.tsv | grep -v '^#' | tail -n +2 | awk '
  { for (c = 3; c <= 7; c++) { d = \$c - \$(c + 10); if (d < 0) d = -d; if (d > 1e-8 * \$c) bad = 1 }; n++ }
  END { exit bad || n != 2 }'"
# 1e15 would need 8 PB as explicit values (the library refuses what exceeds physical memory):
# the law keeps it at the cost of a moderate d
check "de d=1e15 runs without O(d) memory" sh -c "$LIMIT '$R' linear --method de --a 2 --b 2.5 \
  --d 1000000000000000 --M 30 --N 100 >/dev/null 2>&1"

# de with an explicit spectrum file and a source prior
awk 'BEGIN { for (i = 1; i <= 300; i++) printf "%.17g\n", 1 / (i * i) }' >spec.txt
if "$R" linear --method de --spectrum spec.txt --M 20 --N 10,100 --output f.tsv 2>f.err; then
  ok "de --spectrum FILE"
else
  fail "de --spectrum FILE" "$(cat f.err)"
fi
check "de --spectrum: no tail" grep -q '^# tail: none: all 300 non-zero eigenvalues' f.tsv

# a log-power law whose eigenvalues rise first (a = -3) has no law plan: de falls back to its d
# explicit values, the same computation as the values given as a file
awk 'BEGIN { for (i = 1; i <= 300; i++) printf "%.17g\n", 1 / (i * log(i + 1) ^ -3) }' >rise.txt
if "$R" linear --method de --log-a -3 --d 300 --M 12 --N 10,1000 --gamma 0.002 \
  --output rise.tsv 2>rise.err; then
  ok "de falls back to values for a law that is not decreasing"
else
  fail "de falls back to values for a law that is not decreasing" "$(cat rise.err)"
fi
"$R" linear --method de --spectrum rise.txt --M 12 --N 10,1000 --gamma 0.002 --output risef.tsv \
  2>/dev/null
check "de fallback equals the values run" sh -c "paste rise.tsv risef.tsv | grep -v '^#' | tail -n +2 | awk '
  { for (c = 3; c <= 7; c++) { d = \$c - \$(c + 10); if (d < 0) d = -d; if (d > 1e-12 * \$c) bad = 1 }; n++ }
  END { exit bad || n != 2 }'"

# closed
if "$R" linear --method closed --a 1.5 --b 2 --d inf --M 100 --N 1e3,1e5 --output c.tsv 2>c.err; then
  ok "closed runs"
else
  fail "closed runs" "$(cat c.err)"
fi
check "closed columns" test "$(rows c.tsv | head -n 1)" = "$(printf 'N\tM\tapprox\tbias\tvariance\texcess\trisk\tN_eff\tT_eff\tk_star\tD_eff\trate_approx\trate_bias\trate_variance\tgamma\tbatch\tsigma2')"
check "closed N_eff and rates" sh -c "grep -v '^#' c.tsv | awk 'NR == 2 { ok = \$8 == 101 && \$12 == 0.01 } END { exit !ok }'"
check "closed log-power rates are nan" sh -c "'$R' linear --method closed --log-a 2 --d inf --M 10 --N 100 2>/dev/null | grep -v '^#' | tail -n 1 | grep -q 'nan	nan	nan	0.10000000000000001	1	1$'"

# No cliff (issue 12): a DE measure of thousands of atoms jumps every constant stage (the
# renewal path), so a 30-decade geometric curve at M = 2e4 runs (it was refused as 1.3e15
# stepped updates); a job that must iterate every step beyond the work limit is refused up
# front with its estimate.
if $LIMIT "$R" linear --method de --a 1.5 --d inf --M 20000 --N 1e2:1e10:5 --sigma2 0.1 \
  --output big_m.tsv 2>big_m.err; then
  ok "de M = 2e4 to N = 1e10 runs"
else
  fail "de M = 2e4 to N = 1e10 runs" "$(cat big_m.err)"
fi
check "de M = 2e4: 5 finite decreasing risks" sh -c "grep -v '^#' big_m.tsv | tail -n +2 | awk '
  { if (!(\$7 > 0.1 && \$7 < 2) || (p && \$7 >= p)) bad = 1; p = \$7; n++ } END { exit bad || n != 5 }'"
# OpenMP across the M values (measures) and the horizons (renewal jumps): the same bytes on 1
# and 2 threads
OMP_NUM_THREADS=1 $LIMIT "$R" linear --method de --a 1.5 --d inf --M 3000,8000 --N 1e2:1e9:9 \
  --sigma2 0.1 --output thr1.tsv 2>/dev/null
OMP_NUM_THREADS=2 $LIMIT "$R" linear --method de --a 1.5 --d inf --M 3000,8000 --N 1e2:1e9:9 \
  --sigma2 0.1 --output thr2.tsv 2>/dev/null
check "de: the same bytes on 1 and 2 threads" sh -c "test -s thr1.tsv && grep -v '^# command' thr1.tsv >t1 && grep -v '^# command' thr2.tsv >t2 && cmp t1 t2"
err_case "de refuses stepping beyond the work limit" "elementary updates" \
  linear --method de --a 1.5 --d inf --M 100000 --N 1e12 --schedule poly:10:1 --sigma2 0.1 \
  --output out.tsv

# exact and mc keep refusing d = inf; the analytic methods refuse what they cannot use
err_case "exact refuses --d inf" "--method de or closed take inf" \
  linear --method exact --a 1.5 --d inf --M 10 --N 10 --output out.tsv
err_case "mc refuses --d inf" "--method de or closed take inf" \
  linear --method mc --a 1.5 --d inf --M 10 --N 10 --output out.tsv
err_case "de refuses --sketch" "--sketch" \
  linear --method de --spectrum spec.txt --sketch spec.txt --M 1 --N 10 --output out.tsv
err_case "de --d inf needs a > 1" "a must be > 1" \
  linear --method de --a 0.9 --d inf --M 10 --N 10 --output out.tsv
err_case "de --d inf needs b > 1" "b must be > 1" \
  linear --method de --a 1.5 --b 1 --d inf --M 10 --N 10 --output out.tsv
err_case "de --d inf with --prior" "--prior FILE needs d explicit values" \
  linear --method de --a 1.5 --d inf --prior spec.txt --M 10 --N 10 --output out.tsv
err_case "de --d inf with --spectrum" "--d inf needs a spectrum law" \
  linear --method de --spectrum spec.txt --d inf --M 10 --N 10 --output out.tsv
err_case "de unstable step" "step size diverges" \
  linear --method de --a 1.5 --d inf --M 10 --N 100 --gamma 5 --output out.tsv
err_case "de bad d" "--d" linear --method de --a 1.5 --d 1.5e --M 10 --N 10 --output out.tsv
err_case "closed needs geometric" "geometric schedule" \
  linear --method closed --a 1.5 --d inf --M 10 --N 10 --schedule const --output out.tsv
err_case "unknown method" "available: exact, mc, de, closed" \
  linear --method dee --a 1.5 --d 10 --M 10 --N 10 --output out.tsv

# optimal
if $LIMIT "$R" optimal --a 1.5 --C 1e4,1e5 --sigma2 0.5 --output opt.tsv 2>opt.err; then
  ok "optimal runs"
else
  fail "optimal runs" "$(cat opt.err)"
fi
check "optimal columns" test "$(rows opt.tsv | head -n 1)" = "$(printf 'C\tM_closed\tN_closed\trisk_closed\tM_opt\tN_opt\trisk_opt\tapprox_opt\tbias_opt\tvariance_opt\tevaluations\tgamma_closed\tgamma_opt')"
check "optimal: closed form, M N = C, optimum no worse" sh -c "grep -v '^#' opt.tsv | awk '
  NR > 1 { mc = exp(log(\$1 / (log(\$1) / log(2))) / 2.5);
           if ((\$2 - mc) > 1e-9 * mc || (mc - \$2) > 1e-9 * mc) bad = 1;
           if (\$5 * \$6 < 0.99 * \$1 || \$5 * \$6 > 1.01 * \$1) bad = 1;
           if (\$7 > \$4) bad = 1; n++ }
  END { exit bad || n != 2 }'"
check "optimal: M grows with C" sh -c "grep -v '^#' opt.tsv | awk 'NR == 2 { m = \$5 } NR == 3 { exit !(\$5 > m) }'"
err_case "optimal needs --a" "--a is required" optimal --C 1e4 --output out.tsv
err_case "optimal needs --C" "--C is required" optimal --a 1.5 --output out.tsv
err_case "optimal C too small" "must be >= 16" optimal --a 1.5 --C 10 --output out.tsv
err_case "optimal a <= 1 at d = inf" "a must be > 1" optimal --a 1 --C 1e4 --output out.tsv
err_case "optimal bad range" "--range" optimal --a 1.5 --C 1e4 --range 0.5 --output out.tsv
err_case "optimal unknown option" "unknown option" optimal --a 1.5 --C 1e4 --M 3 --output out.tsv
err_case "optimal bad plot name" "--plot" optimal --a 1.5 --C 1e4 --plot x.gif --output out.tsv

# help texts document every option
"$R" optimal --help >oh.txt 2>&1
check "optimal --help" sh -c "for o in a b C d gamma schedule batch sigma2 range format output plot; do grep -q -- \"--\$o\" oh.txt || exit 1; done"
"$R" linear --help >lh.txt 2>&1
check "linear --help names de and closed" sh -c "grep -q 'de:' lh.txt && grep -q 'closed:' lh.txt && grep -q 'd = inf' lh.txt"
"$R" --help >h.txt 2>&1
check "riskcalc --help lists optimal" grep -q '^  optimal' h.txt

echo "cli_de: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
