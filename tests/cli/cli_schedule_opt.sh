#!/bin/sh
# tests/cli/cli_schedule_opt.sh -- the command-line contract of `riskcalc schedule-opt`:
#   riskcalc schedule-opt [--method de|exact] [problem options] --M M --N N
#     [--stages K | --per-step] [--batch B] [--sigma2 S] [--schedule-out FILE] [--format ...]
# The table (columns, the four rows, optimal no worse than every tuned baseline), the stages
# file (re-run through `linear --schedule stages:FILE` it gives the optimal row's risk), both
# methods, and every error path (exit 2, one line on stderr, nothing on stdout, no file left).
# Uses $RISKCALC (default build/riskcalc). Prints "cli_schedule_opt: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
cli_begin cli_schedule_opt

ERR_CASE_NO_FILE=out.tsv
P="--a 1.5 --b 2.5 --d inf --M 64 --N 10000 --sigma2 0.5"

if $LIMIT "$R" schedule-opt $P --stages 16 --schedule-out best.stages --output so.tsv 2>so.err; then
  ok "de runs"
else
  fail "de runs" "$(cat so.err)"
fi
check "header row" test "$(rows so.tsv | head -n 1)" = "$(printf 'kind\trisk\tapprox\tbias\tvariance\tgamma_first\tgamma_last')"
check "four rows in order" test "$(rows so.tsv | tail -n +2 | cut -f1 | tr '\n' ' ')" = "optimal const geometric cosine "
check "risk = sigma2 + approx + bias + variance" sh -c "rows() { grep -v '^#' \"\$1\"; }; rows so.tsv | tail -n +2 | awk -v s=0.5 '
  { r = s + \$3 + \$4 + \$5; d = r - \$2; if (d < 0) d = -d; if (d > 1e-14 * r) bad = 1 } END { exit bad }'"
check "optimal beats every tuned baseline" sh -c "grep -v '^#' so.tsv | tail -n +2 | awk '
  NR == 1 { o = \$2 } NR > 1 { if (!(o < \$2)) bad = 1 } END { exit bad }'"
check "header records the optimisation and the tuned bases" sh -c "grep -q '^# optimisation: 16 stages of equal length' so.tsv &&
  grep -q '^# tuned const: base step' so.tsv && grep -q '^# tuned cosine: base step' so.tsv &&
  grep -q '^# schedule: optimised' so.tsv"
check "stages file: 16 stages of 625 steps" sh -c "test \$(grep -v '^#' best.stages | wc -l) -eq 16 &&
  grep -v '^#' best.stages | awk '\$1 != 625 { bad = 1 } END { exit bad }' && grep -q '^# command: ' best.stages"
# the stages file reproduces the optimal risk through the ordinary engine
"$R" linear --method de --a 1.5 --b 2.5 --d inf --M 64 --N 10000 --sigma2 0.5 \
  --schedule stages:best.stages --output again.tsv 2>/dev/null
check "stages file re-run gives the optimal risk" sh -c "o=\$(grep '^optimal' so.tsv | cut -f2);
  r=\$(grep -v '^#' again.tsv | tail -n 1 | cut -f7);
  awk -v a=\"\$o\" -v b=\"\$r\" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != \"\" && d <= 1e-12 * a) }'"

# exact method on a drawn sketch, per-step steps, json
if $LIMIT "$R" schedule-opt --method exact --a 2 --d 100 --M 12 --N 40 --per-step --sigma2 1 \
  --format json --output ex.json 2>ex.err; then
  ok "exact per-step runs"
else
  fail "exact per-step runs" "$(cat ex.err)"
fi
check "exact json rows" /usr/bin/python3 -c "
import json; t = json.load(open('ex.json')); rows = t['rows']
assert [r['kind'] for r in rows] == ['optimal', 'const', 'geometric', 'cosine']
assert rows[0]['risk'] <= min(r['risk'] for r in rows[1:])
assert 'one per step' in t['meta']['optimisation']"

# errors
err_case "unknown method" "unknown method 'mc'" schedule-opt --method mc $P
err_case "two M" "one value each" schedule-opt --a 1.5 --d inf --M 16,32 --N 100
err_case "two N" "one value each" schedule-opt --a 1.5 --d inf --M 16 --N 100,200
err_case "stages and per-step" "only one of --stages and --per-step" schedule-opt $P --stages 4 --per-step
err_case "stages zero" "--stages" schedule-opt $P --stages 0
err_case "more stages than steps" "stages need" schedule-opt --a 1.5 --d inf --M 16 --N 10 --stages 11
err_case "per-step too long" "up to N = 100000" schedule-opt --a 1.5 --d inf --M 16 --N 200000 --per-step
err_case "missing N" "--N" schedule-opt --a 1.5 --d inf --M 16
err_case "exact at d inf" "--d inf" schedule-opt --method exact --a 1.5 --d inf --M 16 --N 100
err_case "no gamma option" "unknown option '--gamma'" schedule-opt $P --gamma 0.1
printf '1\n0.5\n0.25\n0.125\n' >fx_spec.txt
err_case "schedule-out names an input" "--schedule-out" schedule-opt --spectrum fx_spec.txt --M 2 --N 100 --schedule-out fx_spec.txt
err_case "schedule-out same as output" "--schedule-out" schedule-opt $P --output out.tsv --schedule-out out.tsv
check "schedule-out left nothing after errors" sh -c "! ls | grep -q 'tmp\\.'"
"$R" schedule-opt --help >h.out 2>h.err
check "help" sh -c "test -s h.out && ! test -s h.err && grep -q -- '--schedule-out FILE' h.out"

echo "cli_schedule_opt: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
