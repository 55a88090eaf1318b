#!/bin/sh
# CLI tests of `riskcalc fit`: exact power laws from files written here, a table produced by
# `riskcalc linear`, columns by name and by index, --expect inside/outside, formats, and every
# error path (exit 2, one line on stderr, nothing on stdout, no output file).
set -u
RISKCALC=${RISKCALC:-build/riskcalc}
case "$RISKCALC" in /*) ;; *) RISKCALC="$(pwd)/$RISKCALC" ;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/cli_fit.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [ -s err ] && sed 's/^/    stderr: /' err; return 0; }

# run NAME WANT_EXIT ARGS...: runs the tool (stdout -> out, stderr -> err), checks the exit code.
run() {
  name=$1 want=$2
  shift 2
  "$RISKCALC" "$@" >out 2>err
  got=$?
  if [ "$got" -eq "$want" ]; then return 0; fi
  bad "$name (exit $got, expected $want)"
  return 1
}

# refuse NAME ARGS...: exit 2, exactly one stderr line starting "riskcalc: ", empty stdout,
# and no file (nor temporary file) at refused.tsv.
refuse() {
  name=$1
  shift
  rm -f refused.tsv
  run "$name" 2 "$@" --output refused.tsv || return 0
  if [ "$(wc -l <err)" -ne 1 ] || ! grep -q '^riskcalc: ' err; then
    bad "$name (stderr is not one 'riskcalc:' line)"
  elif [ -s out ] || [ -e refused.tsv ] || ls refused.tsv.tmp.* >/dev/null 2>&1; then
    bad "$name (partial output)"
  else
    ok "$name"
  fi
}

# value FILE PARAM COLUMN: a column (2 estimate, 3 se, 4 lo, 5 hi) of a parameter row (TSV).
value() { awk -F'\t' -v p="$2" -v c="$3" '!/^#/ && $1 == p { print $c }' "$1"; }

# close A B TOL: |A - B| <= TOL |B|
close() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b; exit !(a != "" && d <= t * m) }'; }

# Exact power law y = 0.1234 + 2.385 x^-0.7351 with a commented header, tab-separated, and a
# column of standard errors (1% of y - floor) and an unused text column.
awk 'BEGIN { printf "# written by cli_fit.sh\nN\tlabel\trisk\trisk_se\n";
  split("3.7 11.2 45.9 130.4 777.7 2391.5 10007.3", x, " ");
  for (i = 1; i <= 7; i++) { r = 2.385 * x[i] ^ -0.7351; printf "%s\tp%d\t%.17g\t%.17g\n", x[i], i, 0.1234 + r, 0.01 * r } }' >pow.tsv

# 1. By name, with the floor: the exponent to rounding (17 digits in, 17 out).
if run "fit by name" 0 fit pow.tsv --x N --y risk --floor 0.1234 --output byname.tsv; then
  e=$(value byname.tsv exponent 2)
  c=$(value byname.tsv prefactor 2)
  if close "$e" 0.7351 1e-10 && close "$c" 2.385 1e-10 && grep -q '^# interval: 95%.*Student t' byname.tsv &&
    grep -q '^# riskcalc: ' byname.tsv && grep -q '^# command: .*fit pow.tsv' byname.tsv &&
    grep -q '^# input: pow.tsv' byname.tsv && grep -q "^parameter	estimate	se	lo95	hi95$" byname.tsv; then
    ok "fit by name recovers e = $e, c = $c"
  else
    bad "fit by name: e = $e, c = $c"
  fi
fi

# 2. By 1-based index: the same rows.
if run "fit by index" 0 fit pow.tsv --x 1 --y 3 --floor 0.1234; then
  if [ "$(grep -v '^#' out)" = "$(grep -v '^#' byname.tsv)" ]; then ok "fit by index = by name"; else bad "fit by index differs"; fi
fi

# 3. --expect inside (exit 0) and outside (exit 1, table still written, one stderr line), on
# data with an alternating 1% wiggle (on exact data the interval shrinks to rounding level).
awk 'BEGIN { print "N\trisk"; split("3.7 11.2 45.9 130.4 777.7 2391.5 10007.3", x, " ");
  for (i = 1; i <= 7; i++) printf "%s\t%.17g\n", x[i], 2.385 * x[i] ^ -0.7351 * exp(0.01 * (i % 2 ? 1 : -1)) }' >wiggle.tsv
if run "expect inside" 0 fit wiggle.tsv --x N --y risk --expect 0.7351; then
  if grep -q '^# expect: e = 0.7351.* is inside' out && [ ! -s err ]; then ok "expect inside"; else bad "expect inside: verdict"; fi
fi
if run "expect outside" 1 fit wiggle.tsv --x N --y risk --expect 0.8 --output outside.tsv; then
  if grep -q '^# expect: e = 0.8.* is outside' outside.tsv && [ "$(wc -l <err)" -eq 1 ]; then
    ok "expect outside exits 1"
  else
    bad "expect outside: verdict or stderr"
  fi
fi

# 4. Weighted by --se: normal quantile; --se-relative: Student t.
if run "weighted" 0 fit pow.tsv --x N --y risk --floor 0.1234 --se risk_se; then
  if grep -q 'normal quantile' out && close "$(value out exponent 2)" 0.7351 1e-10; then ok "weighted fit (normal interval)"; else bad "weighted fit"; fi
fi
if run "se-relative" 0 fit pow.tsv --x N --y risk --floor 0.1234 --se 4 --se-relative; then
  if grep -q 'Student t' out; then ok "se-relative (t interval)"; else bad "se-relative"; fi
fi

# 5. Level 0.9: columns lo90 hi90 and a narrower interval.
if run "level" 0 fit pow.tsv --x N --y risk --level 0.9; then
  if grep -q "^parameter	estimate	se	lo90	hi90$" out; then ok "level 0.9 columns"; else bad "level 0.9 columns"; fi
fi

# 6. CSV in, CSV and JSON out.
awk -F'\t' '!/^#/ { print $1 "," $3 }' pow.tsv >pow.csv
if run "csv" 0 fit pow.csv --x N --y risk --floor 0.1234 --format csv; then
  if grep -q '^parameter,estimate,se,lo95,hi95$' out && grep -q '^exponent,0.73509' out; then ok "csv in and out"; else bad "csv in and out"; fi
fi
if run "json" 0 fit pow.csv --x N --y risk --floor 0.1234 --format json --output fit.json; then
  if python3 -c 'import json,sys; d=json.load(open("fit.json")); r=d["rows"][0]; sys.exit(not (r["parameter"]=="exponent" and abs(r["estimate"]-0.7351)<1e-10 and "command" in d["meta"]))'; then
    ok "json output"
  else
    bad "json output"
  fi
fi

# 7. Blank-separated table without header: columns by index only.
awk -F'\t' '!/^#/ && NR > 2 { print $1 "  " $3 }' pow.tsv >nohead.txt
if run "no header" 0 fit nohead.txt --x 1 --y 2 --floor 0.1234; then
  if close "$(value out exponent 2)" 0.7351 1e-10; then ok "headerless table by index"; else bad "headerless table"; fi
fi

# 8. Two points without --se: no degree of freedom, so no standard error: refused (issue 13:
#    it printed se and interval nan with exit 0); with --se the normal interval exists.
printf 'x,y,se\n2,0.5,0.01\n8,0.125,0.01\n' >two.csv
if run "two points" 2 fit two.csv --x x --y y; then
  if grep -q 'no degree of freedom: the standard errors and the interval are undefined' err; then
    ok "two points without --se: refused"
  else
    bad "two points"
  fi
fi
if run "two points se" 0 fit two.csv --x x --y y --se se; then
  if close "$(value out exponent 2)" 1 1e-12 && grep -q '^# chi2_dof: undefined (no degree of freedom)' out; then
    ok "two points with --se: interval, chi2_dof undefined"
  else
    bad "two points with --se"
  fi
fi

# 9. --drop-nonpositive skips and counts.
{ cat pow.tsv; printf '0\tz\t1\t0.1\n50\tw\t0.05\t0.1\n'; } >withbad.tsv
if run "drop" 0 fit withbad.tsv --x N --y risk --floor 0.1234 --drop-nonpositive; then
  if grep -q '^# points: 7 used, 2 dropped' out && close "$(value out exponent 2)" 0.7351 1e-10; then ok "drop-nonpositive"; else bad "drop-nonpositive"; fi
fi

# 10. A table written by `riskcalc linear`: one curve (--where) and the joint fit of the grid.
if run "linear table" 0 linear --a 1.5 --d 300 --M 10,20,40,80 --N 1e2:1e4:6 --sigma2 0 --output lin.tsv; then
  if run "fit linear curve" 0 fit lin.tsv --x N --y excess --where M=40; then
    e=$(value out exponent 2)
    if grep -q '^# points: 6 used' out && awk -v e="$e" 'BEGIN { exit !(e > 0 && e < 2) }'; then ok "fit a linear curve (e = $e)"; else bad "fit a linear curve"; fi
  fi
  if run "joint linear grid" 0 fit lin.tsv --joint --x M --x2 N --y risk; then
    if [ "$(grep -vc '^#' out)" -eq 6 ] && grep -q '^# converged: ' out; then ok "joint fit of a linear grid"; else bad "joint fit of a linear grid"; fi
  fi
fi

# 11. Joint fit of an exact grid: all five parameters; E fixed by --floor; --expect2.
awk 'BEGIN { print "M\tN\trisk"; for (i = 0; i < 6; i++) for (j = 0; j < 6; j++) {
  m = 100 * 10 ^ (0.6 * i); n = 10 * 10 ^ (0.6 * j);
  printf "%.17g\t%.17g\t%.17g\n", m, n, 0.1234 + 2.385 * m ^ -0.5123 + 1.732 * n ^ -0.3377 } }' >grid.tsv
if run "joint exact" 0 fit grid.tsv --joint --x M --x2 N --y risk; then
  if close "$(value out E 2)" 0.1234 1e-7 && close "$(value out A 2)" 2.385 1e-7 && close "$(value out alpha 2)" 0.5123 1e-7 &&
    close "$(value out B 2)" 1.732 1e-7 && close "$(value out beta 2)" 0.3377 1e-7; then
    ok "joint fit recovers E, A, alpha, B, beta"
  else
    bad "joint fit recovery"
  fi
fi
if run "joint fixed E" 0 fit grid.tsv --joint --x 1 --x2 2 --y 3 --floor 0.1234; then
  if [ "$(value out E 3)" = 0 ] && grep -q '^# E: fixed at 0.1234' out && close "$(value out beta 2)" 0.3377 1e-7; then ok "joint fit with E fixed"; else bad "joint fit with E fixed"; fi
fi
# The grid with a 0.1% checkerboard wiggle (an exact grid gives rounding-level intervals).
awk 'BEGIN { print "M\tN\trisk"; for (i = 0; i < 6; i++) for (j = 0; j < 6; j++) {
  m = 100 * 10 ^ (0.6 * i); n = 10 * 10 ^ (0.6 * j); s = (i + j) % 2 ? 1e-3 : -1e-3;
  printf "%.17g\t%.17g\t%.17g\n", m, n, (0.1234 + 2.385 * m ^ -0.5123 + 1.732 * n ^ -0.3377) * (1 + s) } }' >gridw.tsv
if run "joint expect inside" 0 fit gridw.tsv --joint --x M --x2 N --y risk --expect 0.5123 --expect2 0.3377; then
  if grep -q '^# expect: alpha = 0.5123 is inside' out && grep -q '^# expect2: beta = 0.3377 is inside' out; then ok "joint --expect/--expect2 inside"; else bad "joint expect verdicts"; fi
fi
run "joint expect2 outside" 1 fit gridw.tsv --joint --x M --x2 N --y risk --expect2 0.4 && ok "joint --expect2 outside exits 1"

# 12. Help documents every option.
if run "help" 0 fit --help; then
  missing=""
  for o in x y se se-relative floor expect level where drop-nonpositive joint x2 expect2 max-iter format output; do
    grep -q -- "--$o " out || missing="$missing $o"
  done
  if [ -z "$missing" ]; then ok "help lists every option"; else bad "help misses:$missing"; fi
fi

# 13. Error paths.
printf 'a\tb\n1\t2\n3\n' >ragged.tsv
printf 'x\ty\n1\t2\n2\tabc\n' >junk.tsv
printf 'x\ty\n3\t2\n3\t1\n' >samex.tsv
printf 'x\ty\n1\t2\n-2\t1\n4\t0.5\n' >negx.tsv
printf 'x\ty\tse\n1\t2\t0.1\n2\t1\t0\n4\t0.5\t0.1\n' >zerose.tsv
printf '# only a comment\n' >empty.tsv
printf 'x\ty\n' >headeronly.tsv
: >void.tsv
refuse "missing file" fit nosuch.tsv --x N --y risk
refuse "no FILE" fit --x N --y risk
refuse "two FILEs" fit pow.tsv pow.tsv --x N --y risk
refuse "unknown option" fit pow.tsv --x N --y risk --bogus 1
refuse "missing --y" fit pow.tsv --x N
refuse "unknown column" fit pow.tsv --x N --y nope
refuse "column index 0" fit pow.tsv --x 0 --y risk
refuse "column index too large" fit pow.tsv --x 9 --y risk
refuse "text column" fit pow.tsv --x N --y label
refuse "ragged row" fit ragged.tsv --x a --y b
refuse "not a number" fit junk.tsv --x x --y y
refuse "y - floor <= 0" fit pow.tsv --x N --y risk --floor 0.2
refuse "x <= 0" fit negx.tsv --x x --y y
refuse "se <= 0" fit zerose.tsv --x x --y y --se se
refuse "all x equal" fit samex.tsv --x x --y y
refuse "too few points" fit pow.tsv --x N --y risk --where N=3.7
refuse "expect without interval" fit two.csv --x x --y y --expect 1
refuse "comment-only file" fit empty.tsv --x 1 --y 2
refuse "header only" fit headeronly.tsv --x x --y y
refuse "empty file" fit void.tsv --x 1 --y 2
refuse "json input" fit fit.json --x N --y risk
refuse "bad --where" fit pow.tsv --x N --y risk --where N
refuse "--where matches nothing" fit pow.tsv --x N --y risk --where N=5
refuse "bad --level" fit pow.tsv --x N --y risk --level 1
refuse "bad --floor" fit pow.tsv --x N --y risk --floor abc
refuse "bad --expect" fit pow.tsv --x N --y risk --expect x
refuse "bad --format" fit pow.tsv --x N --y risk --format xml
refuse "--x2 without --joint" fit pow.tsv --x N --y risk --x2 N
refuse "--se-relative without --se" fit pow.tsv --x N --y risk --se-relative
refuse "--joint without --x2" fit grid.tsv --joint --x M --y risk
refuse "joint: x2 all equal" fit grid.tsv --joint --x M --x2 N --y risk --where N=10
awk 'BEGIN { print "M\tN\trisk"; for (i = 0; i < 6; i++) for (j = 0; j < 6; j++) printf "%d\t%d\t0.5\n", 10 * 2 ^ i, 10 * 2 ^ j }' >flat.tsv
refuse "joint: exponent not identified" fit flat.tsv --joint --x M --x2 N --y risk
refuse "joint: not converged" fit grid.tsv --joint --x M --x2 N --y risk --max-iter 1
refuse "joint: bad --max-iter" fit grid.tsv --joint --x M --x2 N --y risk --max-iter 0
if run "output directory missing" 2 fit pow.tsv --x N --y risk --output nosuchdir/x.tsv; then
  if [ "$(wc -l <err)" -eq 1 ] && [ ! -s out ]; then ok "output directory missing"; else bad "output directory missing"; fi
fi

echo "cli_fit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
