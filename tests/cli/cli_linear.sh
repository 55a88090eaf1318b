#!/bin/sh
# tests/cli_linear.sh -- the command-line contract of `riskcalc linear`:
#   riskcalc linear --method exact [--a A | --log-a A | --spectrum FILE] --d D
#     [--b B | --prior FILE] [--sketch FILE | --seed K] --M M --N LIST [--gamma G] [--batch B]
#     [--schedule SPEC] [--sigma2 S] [--format tsv|csv|json] [--output FILE] [--plot FILE]
# Help and version; the table (metadata, header, one row per (M, N), 17 digits, the identities
# risk = sigma2 + approx + excess and excess = bias + variance); csv and json; reproducibility;
# atomic --output; every error path (exit 2, exactly one line on stderr, nothing on stdout, no
# file left behind); figures. Uses $RISKCALC (default build/riskcalc) and python3 for json.
# Prints one "ok"/"FAIL" line per case and "cli_linear: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
VERSION_H=$PWD/include/riskcalc/version.h
cli_begin cli_linear


# No file may remain in the working directory apart from the fixtures (names listed).
no_leftovers() {
  extra=$(ls -A "$T" | grep -v -e '^fx_' -e '^ec\.' -e '^keep\.tsv$')
  [ -z "$extra" ] || { echo "    left behind: $extra"; return 1; }
}

# ---------------------------------------------------------------- fixtures
printf '# four eigenvalues\n1\n0.5 # half\n\n0.25\n0.125\n' >fx_spec4.txt
printf '1\n0.5\n0.25\n0\n' >fx_spec_zero.txt
printf '1\n0.5\n1.2.3\n0.125\n' >fx_spec_badnum.txt
printf '1\n0.5\nnan\n0.125\n' >fx_spec_nan.txt
printf '1 0.3\n0.5\n0.25\n' >fx_spec_ragged.txt
printf '1\n-0.5\n0.25\n0.125\n' >fx_spec_neg.txt
printf '0\n0\n' >fx_spec_allzero.txt
printf '# nothing\n' >fx_spec_empty.txt
printf '2.385\n1\n0.5\n0.25\n' >fx_prior4.txt
printf '1\n2\n3\n' >fx_prior3.txt
printf '1\n2\nabc\n4\n' >fx_prior_bad.txt
printf '0.31 -0.52 0.17 0.9\n-0.4 0.23 0.61 -0.08\n0.05 0.7 -0.33 0.2385\n' >fx_sketch34.txt
printf '0.31 -0.52 0.17\n-0.4 0.23 0.61\n' >fx_sketch23.txt
printf '0.31 -0.52 0.17 0.9\n-0.4 0.23 0.61\n' >fx_sketch_ragged.txt
printf '0.31 -0.52 0.17 0.9\n-0.4 0.23 x 0.1\n' >fx_sketch_badnum.txt
printf '0.05\n0.05\n0.05\n0.025\n0.025\n' >fx_sched5.txt
printf '0.05\n0\n' >fx_sched_zero.txt

SMALL="--a 1.5 --d 60 --M 12"

# ---------------------------------------------------------------- help and version
"$R" --version >v.out 2>v.err
rc=$?
want=$(sed -n 's/.*RC_VERSION_STRING "\(.*\)".*/\1/p' "$VERSION_H" 2>/dev/null)
if [ $rc -eq 0 ] && [ ! -s v.err ] && [ "$(cat v.out)" = "riskcalc $want" ]; then
  ok "version"
else
  fail "version" "exit $rc, output '$(cat v.out)', expected 'riskcalc $want'"
fi
"$R" --help >h.out 2>h.err
check "help" test $? -eq 0 -a ! -s h.err
check "help lists linear" grep -q '^  linear ' h.out
"$R" linear --help >lh.out 2>lh.err
check "linear help exit 0" test $? -eq 0 -a ! -s lh.err
missing=""
for o in method a log-a spectrum d b prior sketch seed M N gamma batch schedule sigma2 format \
  output plot help; do
  grep -q -e "^  --$o " -e "^  --$o\$" lh.out || missing="$missing --$o"
done
if [ -z "$missing" ]; then ok "linear help lists every option"; else
  fail "linear help lists every option" "missing:$missing"
fi
rm -f v.out v.err h.out h.err lh.out lh.err

# ---------------------------------------------------------------- the table
NLIST=10,100,1000,2385
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 7 >t.tsv 2>t.err
check "tsv run" test $? -eq 0 -a ! -s t.err
rm -f t.err
check "tsv records version" grep -q "^# riskcalc: $want\$" t.tsv
check "tsv records the command" grep -q "^# command: .*linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 --sigma2 0.5 --seed 7\$" t.tsv
check "tsv records the spectrum" grep -q '^# spectrum: .*a = 1.5, d = 80' t.tsv
check "tsv records the prior" grep -q '^# prior: isotropic' t.tsv
check "tsv records the seed" grep -q '^# seed: 7$' t.tsv
check "tsv records gamma and the schedule" grep -q '^# schedule: geometric gamma=0.238' t.tsv
check "tsv records the batch" grep -q '^# batch: 2$' t.tsv
check "tsv records sigma2" grep -q '^# sigma2: 0.5$' t.tsv
check "tsv records the method" grep -q '^# method: exact' t.tsv
# The default seed is recorded too.
"$R" linear $SMALL --N 100 >d.tsv 2>/dev/null
check "tsv records the default seed" grep -q '^# seed: 1$' d.tsv
rm -f d.tsv
check "comments come first" sh -c "awk '/^#/ && seen { exit 1 } !/^#/ { seen = 1 }' t.tsv"
header=$(rows t.tsv | head -n 1)
tab=$(printf '\t')
if [ "$header" = "N${tab}M${tab}approx${tab}bias${tab}variance${tab}excess${tab}risk${tab}gamma${tab}batch${tab}sigma2" ]; then
  ok "tsv header row"
else
  fail "tsv header row" "got '$header'"
fi
ns=$(rows t.tsv | awk -F '\t' 'NR > 1 { printf "%s%s", sep, $1; sep = "," }')
check "one row per N, in order" test "$ns" = "$NLIST"
check "every row has 10 fields, M = 16" sh -c "grep -v '^#' t.tsv | awk -F '\t' 'NR > 1 && (NF != 10 || \$2 != 16) { exit 1 }'"
# %.17g: no field has more than 17 significant digits, and the values that need them have 17.
digits=$(rows t.tsv | awk -F '\t' 'NR > 1 { for (i = 3; i <= 7; i++) { s = $i; sub(/[eE].*/, "", s);
  gsub(/[-+.]/, "", s); sub(/^0+/, "", s); n = length(s); if (n > max) max = n;
  if (min == "" || n < min) min = n } } END { print min, max }')
check "values printed with 17 significant digits" test "$digits" = "${digits% 17} 17" -a "${digits% 17}" -ge 14
# risk = sigma2 + approx + excess, excess = bias + variance, to rounding: a few ulps (1e-15
# relative covers the 2 additions done in a different order here).
check "risk = sigma2 + approx + excess" sh -c "grep -v '^#' t.tsv | awk -F '\t' 'NR > 1 {
  d = \$7 - (0.5 + \$3 + \$6); if (d < 0) d = -d; if (d > 1e-15 * \$7) exit 1 }'"
check "excess = bias + variance" sh -c "grep -v '^#' t.tsv | awk -F '\t' 'NR > 1 {
  d = \$6 - (\$4 + \$5); if (d < 0) d = -d; if (d > 1e-15 * \$6) exit 1 }'"
check "bias and variance positive, risk falls with N" sh -c "grep -v '^#' t.tsv | awk -F '\t' 'NR > 1 {
  if (\$4 <= 0 || \$5 <= 0) exit 1; if (NR > 2 && \$7 >= prev) exit 1; prev = \$7 }'"

# ---------------------------------------------------------------- csv and json
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 7 --format csv >t.csv 2>/dev/null
check "csv run" test $? -eq 0
rows t.tsv | tr '\t' ',' >t.tsv-as-csv
rows t.csv >t.csv.rows
check "csv has the tsv rows" cmp -s t.tsv-as-csv t.csv.rows
check "csv parses (python csv)" python3 -c "
import csv, sys
rows = list(csv.reader(l for l in open('t.csv') if not l.startswith('#')))
assert rows[0] == ['N', 'M', 'approx', 'bias', 'variance', 'excess', 'risk', 'gamma', 'batch',
                   'sigma2'], rows[0]
assert len(rows) == 5 and all(len(r) == 10 for r in rows)
[float(x) for r in rows[1:] for x in r]
"
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 7 --format json >t.json 2>/dev/null
check "json run" test $? -eq 0
check "json parses (python3 -m json.tool)" sh -c 'python3 -m json.tool t.json >/dev/null'
check "json has the tsv numbers" python3 -c "
import json
doc = json.load(open('t.json'))
cols = doc['columns']
assert cols == ['N', 'M', 'approx', 'bias', 'variance', 'excess', 'risk', 'gamma', 'batch',
                'sigma2'], cols
got = ['\t'.join('%.17g' % r[c] for c in cols) for r in doc['rows']]
want = [l.rstrip('\n') for l in open('t.tsv') if not l.startswith('#')][1:]
assert got == want, (got, want)
meta = doc['meta']
assert meta['seed'] == 7 and 'command' in meta and meta['riskcalc']
"
# Typed metadata (issue 10): numbers as numbers, lists as arrays, in meta and parameters.
check "json metadata typed: numbers and lists" python3 -c "
import json
doc = json.load(open('t.json'))
meta, par = doc['meta'], doc['parameters']
assert meta['batch'] == 2 and meta['sigma2'] == 0.5 and isinstance(meta['schedule'], str)
assert par['a'] == 1.5 and par['d'] == 80 and par['gamma'] == 0.2385 and par['batch'] == 2
assert par['sigma2'] == 0.5 and par['seed'] == 7 and par['M'] == [16] and par['schedule'] == 'geometric'
assert isinstance(par['N'], list) and all(isinstance(n, int) for n in par['N']) and len(par['N']) == 4
"
"$R" linear --method de --a 1.5 --d inf --M 8 --N 100 --format json >tinf.json 2>/dev/null
check "json parameters: d = inf is the string inf" python3 -c "
import json
assert json.load(open('tinf.json'))['parameters']['d'] == 'inf'
"
rm -f tinf.json
"$R" linear --a 1.5 --d 80 --M 8,16 --N 100 --format json >t2.json 2>/dev/null
check "json metadata keys are unique" python3 -c "
import json
def pairs(p):
    keys = [k for k, _ in p]
    assert len(keys) == len(set(keys)), keys
    return dict(p)
json.load(open('t2.json'), object_pairs_hook=pairs)
"
rm -f t.csv t.csv.rows t.tsv-as-csv t.json t2.json

# ---------------------------------------------------------------- reproducibility
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 7 >t2.tsv 2>/dev/null
check "same command, identical output" cmp -s t.tsv t2.tsv
cmdline=$(sed -n 's/^# command: //p' t.tsv)
eval "$cmdline" >t3.tsv 2>/dev/null
rows t.tsv >r1
rows t3.tsv >r3
check "the recorded command reproduces the rows" cmp -s r1 r3
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 8 >t4.tsv 2>/dev/null
rows t4.tsv >r4
check "a different seed gives different rows" sh -c '! cmp -s r1 r4'
check "a different seed is recorded" grep -q '^# seed: 8$' t4.tsv
"$R" linear --a=1.5 --d=80 --M=16 --N=100 --seed=7 >t5.tsv 2>/dev/null
check "--name=value form" test $? -eq 0 -a "$(rows t5.tsv | wc -l)" -eq 2
rm -f t2.tsv t3.tsv t4.tsv t5.tsv r1 r3 r4

# ---------------------------------------------------------------- --output
"$R" linear --method exact --a 1.5 --d 80 --M 16 --N $NLIST --gamma 0.2385 --batch 2 \
  --sigma2 0.5 --seed 7 --output out.tsv >o.stdout 2>o.err
check "--output: exit 0, nothing on stdout or stderr" test $? -eq 0 -a ! -s o.stdout -a ! -s o.err
rows t.tsv >r1
rows out.tsv >r2 2>/dev/null
check "--output holds the table" cmp -s r1 r2
check "--output leaves no temporary file" sh -c "! ls -A | grep -q tmp"
: >ref.perm # a file created the usual way: mode 0666 & ~umask
check "--output file has the usual permissions (not mkstemp's 0600)" \
  test "$(ls -l out.tsv | cut -c1-10)" = "$(ls -l ref.perm | cut -c1-10)"
rm -f out.tsv o.stdout o.err r1 r2 t.tsv ref.perm
printf 'keep me\n' >keep.tsv
err_case "failed run (divergent gamma) keeps the existing output" "largest stable" \
  linear $SMALL --N 100 --gamma 50 --output keep.tsv
check "  ... file unchanged" test "$(cat keep.tsv)" = "keep me"
err_case "failed run (bad flag) keeps the existing output" "--bogus" \
  linear $SMALL --N 100 --bogus --output keep.tsv
check "  ... file unchanged" test "$(cat keep.tsv)" = "keep me"
err_case "failed run (bad plot) writes no output" ".png, .svg or .pdf" \
  linear $SMALL --N 100 --output new.tsv --plot fig.jpg
check "  ... no file" test ! -e new.tsv
err_case "divergent gamma writes no output file" "largest stable" \
  linear $SMALL --N 100 --gamma 50 --output new.tsv
check "  ... no file" test ! -e new.tsv
check "failed runs leave no file and no temporary file" no_leftovers
# A failure after part of the grid was computed prints nothing: gamma = 0.4 is stable for
# M = 200 (largest stable step 0.575), computed first, but not for M = 4 (0.236).
err_case "late failure: no partial output" "M = 4:" linear --a 1.5 --d 300 --M 200,4 --N 100 \
  --gamma 0.4 --schedule const

# ---------------------------------------------------------------- error paths
err_case "unknown flag" "--bogus" linear $SMALL --N 100 --bogus
err_case "unknown short flag" "-x" linear $SMALL --N 100 -x
err_case "unexpected argument" "stray" linear $SMALL --N 100 stray
err_case "option given twice" "--M" linear $SMALL --N 100 --M 13
err_case "--flag=value given twice" "--N" linear $SMALL --N 100 --N=200
err_case "missing value" "--gamma" linear $SMALL --N 100 --gamma
err_case "unknown method" "foo" linear --method foo $SMALL --N 100
err_case "unknown subcommand" "frobnicate" frobnicate $SMALL --N 100
err_case "missing --N" "--N" linear $SMALL
err_case "missing --d" "--d" linear --a 1.5 --M 12 --N 100
err_case "missing --M" "--M" linear --a 1.5 --d 60 --N 100
err_case "--a and --spectrum together" "--spectrum" linear --a 1.5 --spectrum fx_spec4.txt \
  --M 2 --N 100
err_case "--a and --log-a together" "--log-a" linear --a 1.5 --log-a 2 --d 60 --M 2 --N 100
err_case "--b and --prior together" "--prior" linear $SMALL --N 100 --b 2 --prior fx_prior4.txt
err_case "--sketch and --seed together" "--seed" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch34.txt --seed 3 --N 100

# Base arguments with option $1 left out (so that it can be given a bad value).
base_without() {
  [ "$1" = a ] || printf -- '--a 1.5 '
  [ "$1" = d ] || printf -- '--d 60 '
  [ "$1" = M ] || printf -- '--M 12 '
  [ "$1" = N ] || printf -- '--N 100 '
}
for o in a log-a d b seed M N gamma batch sigma2; do
  case $o in log-a) skip=a ;; *) skip=$o ;; esac
  base=$(base_without $skip)
  for v in abc nan inf -inf 1e999 "" 2.385x; do
    err_case "--$o '$v'" "--$o" linear $base --$o "$v"
  done
  case $o in
    b | log-a) ;; # any finite exponent is valid for a finite d
    *) err_case "--$o -2.385" "--$o" linear $base --$o -2.385 ;;
  esac
done
for o in a d M N gamma batch; do
  err_case "--$o 0" "--$o" linear $(base_without $o) --$o 0
done
for o in d M N seed batch; do
  err_case "--$o 2.385 (not an integer)" "--$o" linear $(base_without $o) --$o 2.385
done
"$R" linear --a 1.5 --d 60 --M 12 --N 100 --b -0.5 --sigma2 0 --seed 0 >neg.tsv 2>neg.err
check "negative --b, --sigma2 0 and --seed 0 are valid" test $? -eq 0 -a ! -s neg.err
rm -f neg.tsv neg.err

err_case "--N 0" "--N" linear $SMALL --N 0
err_case "--N 100,0" "--N" linear $SMALL --N 100,0
err_case "--N junk" "12abc" linear $SMALL --N 12abc
err_case "--N lo > hi" "lo > hi" linear $SMALL --N 1000:10:3
err_case "--N empty item" "empty item" linear $SMALL --N 10,,20
err_case "--N range count 0" "in range" linear $SMALL --N 1e2:1e3:0
err_case "--N above 2^53" "9007199254740993" linear $SMALL --N 9007199254740993
err_case "--M lo > hi" "--M" linear --a 1.5 --d 60 --M 20:10:2 --N 100

err_case "spectrum: missing file" "fx_nothing.txt" linear --spectrum fx_nothing.txt --M 2 --N 10
err_case "spectrum: bad number" "fx_spec_badnum.txt:3" linear --spectrum fx_spec_badnum.txt \
  --M 2 --N 10
err_case "spectrum: nan" "fx_spec_nan.txt:3" linear --spectrum fx_spec_nan.txt --M 2 --N 10
err_case "spectrum: ragged (two per line)" "fx_spec_ragged.txt" linear \
  --spectrum fx_spec_ragged.txt --M 2 --N 10
err_case "spectrum: negative eigenvalue" "fx_spec_neg.txt" linear --spectrum fx_spec_neg.txt \
  --M 2 --N 10
err_case "spectrum: all zero" "zero" linear --spectrum fx_spec_allzero.txt --M 2 --N 10
err_case "spectrum: no numbers" "fx_spec_empty.txt" linear --spectrum fx_spec_empty.txt \
  --M 2 --N 10
err_case "--d disagrees with the spectrum file" "--d 5" linear --spectrum fx_spec4.txt --d 5 \
  --M 2 --N 10
err_case "prior: wrong count" "fx_prior3.txt" linear --spectrum fx_spec4.txt \
  --prior fx_prior3.txt --M 2 --N 10
err_case "prior: bad number" "fx_prior_bad.txt:3" linear --spectrum fx_spec4.txt \
  --prior fx_prior_bad.txt --M 2 --N 10
err_case "--b with a zero eigenvalue" "--b" linear --spectrum fx_spec_zero.txt --b 2 --M 2 \
  --N 10
err_case "sketch: missing file" "fx_nothing.txt" linear --spectrum fx_spec4.txt \
  --sketch fx_nothing.txt --N 10
err_case "sketch: bad number" "fx_sketch_badnum.txt:2" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch_badnum.txt --N 10
err_case "sketch: ragged" "fx_sketch_ragged.txt:2" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch_ragged.txt --N 10
err_case "sketch columns differ from d" "3 columns" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch23.txt --N 10
err_case "--M disagrees with the sketch" "--M 2" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch34.txt --M 2 --N 10
err_case "--M list with a sketch file" "--M 3,4" linear --spectrum fx_spec4.txt \
  --sketch fx_sketch34.txt --M 3,4 --N 10
"$R" linear --spectrum fx_spec4.txt --prior fx_prior4.txt --sketch fx_sketch34.txt --M 3 \
  --N 10,20 >sk.tsv 2>sk.err
check "files for spectrum, prior and sketch (matching --M)" test $? -eq 0 -a ! -s sk.err -a \
  "$(rows sk.tsv | awk -F '\t' 'NR > 1 && $2 == 3' | wc -l)" -eq 2
rm -f sk.tsv sk.err

err_case "unknown schedule" "--schedule" linear $SMALL --N 100 --schedule bogus
err_case "schedule step:0:0.5" "step:0:0.5" linear $SMALL --N 100 --schedule step:0:0.5
err_case "schedule poly:10:-1" "poly:10:-1" linear $SMALL --N 100 --schedule poly:10:-1
err_case "schedule file with a zero step" "fx_sched_zero.txt" linear $SMALL --N 2 \
  --schedule file:fx_sched_zero.txt
err_case "schedule file shorter than N" "holds" linear $SMALL --N 3,6 \
  --schedule file:fx_sched5.txt
"$R" linear $SMALL --N 3,5 --schedule file:fx_sched5.txt >fs.tsv 2>/dev/null
check "schedule file as long as N" test $? -eq 0
rm -f fs.tsv

# A divergent gamma names the largest stable gamma; just below it runs, just above fails.
err_case "divergent gamma" "largest stable gamma" linear $SMALL --N 100 --gamma 50
gmax=$(sed -n 's/.*largest stable gamma is \([0-9.e+-]*\).*/\1/p' "$T/ec.err")
below=$(awk -v g="$gmax" 'BEGIN { printf "%.6g", 0.995 * g }')
above=$(awk -v g="$gmax" 'BEGIN { printf "%.6g", 1.005 * g }')
"$R" linear $SMALL --N 100 --gamma "$below" >/dev/null 2>&1
check "gamma just below the named largest stable gamma ($below) runs" test $? -eq 0
err_case "gamma just above it ($above) is refused" "largest stable gamma" linear $SMALL \
  --N 100 --gamma "$above"

# M x d far beyond memory: refused at once, before anything of size d or M d is allocated.
start=$(date +%s)
err_case "M x d beyond memory" "memory" linear --a 1.5 --d 1e7 --M 1e6 --N 100
err_case "d beyond memory" "memory" linear --a 1.5 --d 1e13 --M 1 --N 100
check "  ... refused fast" test $(($(date +%s) - start)) -le 2

err_case "--format xml" "xml" linear $SMALL --N 100 --format xml
err_case "--plot with a bad extension" ".png, .svg or .pdf" linear $SMALL --N 100 --plot fig.jpg
err_case "--plot without extension" ".png, .svg or .pdf" linear $SMALL --N 100 --plot fig
err_case "--plot into a missing directory" "no-such-dir" linear $SMALL --N 100 \
  --plot no-such-dir/fig.png
err_case "--output into a missing directory" "no-such-dir" linear $SMALL --N 100 \
  --output no-such-dir/out.tsv
check "error paths leave no file behind" no_leftovers

# ---------------------------------------------------------------- figures
if command -v gnuplot >/dev/null 2>&1; then
  for ext in png svg; do
    "$R" linear $SMALL --N 10:1000:4 --sigma2 0.25 --output fig.tsv --plot "fig.$ext" \
      >fig.out 2>fig.err
    check "--plot fig.$ext: exit 0, quiet" test $? -eq 0 -a ! -s fig.out -a ! -s fig.err
    if [ $ext = png ]; then
      check "fig.png is a PNG" test "$(od -An -tx1 -N8 fig.png | tr -d ' \n')" = 89504e470d0a1a0a
    else
      check "fig.svg is an SVG" grep -q '<svg' fig.svg
    fi
    check "fig.gp written next to fig.$ext" grep -q "fig.dat" fig.gp
    rows fig.tsv >r1
    grep -v -e '^#' -e '^$' fig.dat >r2 2>/dev/null
    check "fig.dat rows equal the table rows ($ext)" cmp -s r1 r2
    check "no gnuplot log or temporary figure left ($ext)" sh -c \
      "! ls -A | grep -q -e 'tmp' -e 'gnuplot.log'"
    rm -f fig.* r1 r2
  done
else
  ok "figures # skipped: gnuplot is not installed"
fi

# ---------------------------------------------------------------- grids
"$R" linear --a 1.5 --d 60 --M 6,12,24 --N 10,100 >grid.tsv 2>grid.err
check "M and N lists: exit 0" test $? -eq 0 -a ! -s grid.err
pairs=$(rows grid.tsv | awk -F '\t' 'NR > 1 { printf "%s%s/%s", sep, $2, $1; sep = " " }')
check "M and N lists: the full grid, M-major" test "$pairs" = "6/10 6/100 12/10 12/100 24/10 24/100"
check "approx falls with M" sh -c "grep -v '^#' grid.tsv | awk -F '\t' 'NR > 1 && \$1 == 10 {
  if (n++ && \$3 >= prev) exit 1; prev = \$3 }'"
check "one metadata line per M" test "$(grep -c '^# G (M = ' grid.tsv)" -eq 3
"$R" linear --a 1.5 --d 60 --M 6 --N 10,100 >g1.tsv 2>/dev/null
rows g1.tsv | tail -n 2 >r1
rows grid.tsv | awk -F '\t' '$2 == 6' >r2
check "a grid row equals the single-M run (same seed for every M)" cmp -s r1 r2
if command -v gnuplot >/dev/null 2>&1; then
  "$R" linear --a 1.5 --d 60 --M 6,12,24 --N 10,100 --plot heat.png >/dev/null 2>heat.err
  check "grid --plot draws a heat map" test $? -eq 0 -a ! -s heat.err -a -s heat.png -a -s heat.dat
  check "heat map script draws one box per cell" grep -q "with boxxyerror" heat.gp
  "$R" linear --a 1.5 --d 60 --M 6,12,24 --N 100 --plot m.svg >/dev/null 2>&1
  check "M list with one N: curves over M" sh -c "test -s m.svg && grep -q 'using 2:' m.gp"
fi
rm -f grid.* g1.tsv r1 r2 heat.* m.*

# Jobs that cannot finish are refused at once (no hang), while the same N under a
# piecewise-constant schedule is computed by stage jumps.
err_case "mc with N = 1e15 refused" "elementary updates" linear --method mc --a 1.5 --d 100 --M 10 --N 1e15 --runs 2
err_case "compare with N = 1e13 x 100 runs refused" "elementary updates" compare linear --a 1.5 --d 100 --M 10 --N 1e13 --runs 100
err_case "exact, poly schedule, N = 1e15 refused" "piecewise-constant" linear --a 1.5 --d 100 --M 10 --N 1e15 --schedule poly:10:0.5
err_case "de, poly schedule, N = 1e15 refused" "piecewise-constant" linear --method de --a 1.5 --d inf --M 100 --N 1e15 --schedule poly:10:0.5
$LIMIT "$R" linear --a 1.5 --d 100 --M 10 --N 1e15 --schedule const >big.tsv 2>/dev/null
check "exact, const schedule, N = 1e15 computed" test "$(rows big.tsv | awk 'NR == 2 {print $1}')" = 1000000000000000
rm -f big.tsv

# The recorded command reproduces the run even when a path holds quotes and spaces, and no
# header entry is dropped however many there are (one per M).
printf '1\n0.5\n0.25\n0.125\n0.0625\n' >"it's a spectrum.txt"
"$R" linear --spectrum "it's a spectrum.txt" --M 3 --N 10,20 --seed 4 >q1.tsv 2>/dev/null
cmdline=$(sed -n 's/^# command: //p' q1.tsv)
sh -c "$cmdline" >q2.tsv 2>/dev/null
check "recorded command with quotes re-runs to the same rows" sh -c 'test -s q1.tsv && test "$(grep -v "^#" q1.tsv)" = "$(grep -v "^#" q2.tsv)"'
"$R" linear --a 1.5 --d 60 --M 1:200:150 --N 10 >q3.tsv 2>/dev/null
check "one G header line per M (83 distinct M)" test "$(grep -c '^# G (M = ' q3.tsv)" -eq 83
rm -f "it's a spectrum.txt" q1.tsv q2.tsv q3.tsv

# Every printed digit is independent of the BLAS and OpenMP thread counts (the tool pins BLAS
# to one thread: a threaded OpenBLAS rounds the SVD differently for 1 and 2 threads).
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$R" linear --a 1.5 --d 3000 --M 300 --N 1e3,1e5 >th1.tsv 2>&1
OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 "$R" linear --a 1.5 --d 3000 --M 300 --N 1e3,1e5 >th2.tsv 2>&1
check "output identical for 1 and 2 BLAS threads" cmp -s th1.tsv th2.tsv
rm -f th1.tsv th2.tsv

# Inputs are echoed in the header as typed (the shortest text that reads back), not as
# 0.10000000000000001.
"$R" linear --a 1.5 --d 60 --M 12 --N 10 --gamma 0.1 --sigma2 0.1 --b 1.7 --schedule poly:10:0.7 >echo.tsv 2>/dev/null
check "header echoes sigma2 0.1 as typed" grep -qx '# sigma2: 0.1' echo.tsv
check "header echoes gamma and the schedule's numbers as typed" grep -qx '# schedule: poly:10:0.7 gamma=0.1' echo.tsv
check "header echoes a and b as typed" sh -c "grep -q 'a = 1.5, d = 60' echo.tsv && grep -q 'b = 1.7\$' echo.tsv"
check "no 17-digit echo of an input" sh -c "! grep -E '^# (schedule|sigma2|spectrum|prior)' echo.tsv | grep -q '0000000000\\|9999999999'"
rm -f echo.tsv

# schedules of issue 11 through the tool: every kind runs; --approx-schedule is recorded and
# close to the exact path; a schedule that stops training is warned about (stderr and header)
for spec in cosine cosine:0.1 linear linear:0.2 wsd:0.3 wsd:0.5:cosine wsd:1:sqrt \
  warmup:5:geometric twophase twophase:7; do
  check "schedule $spec runs" sh -c "'$R' linear $SMALL --N 10,100 --schedule $spec >sch.out 2>sch.err && test \$(grep -vc '^#' sch.out) -eq 3 && ! test -s sch.err"
done
printf '# count gamma\n30 0.05\n30 0.01\n' >fx_stages.txt
check "stages file schedule" sh -c "'$R' linear $SMALL --N 10,100 --schedule stages:fx_stages.txt >st.out && grep -q '^# schedule: stages:fx_stages.txt (2 stages' st.out"
"$R" linear --method de --a 1.5 --d inf --M 64 --N 1e3,1e5 --schedule cosine >cx.out
"$R" linear --method de --a 1.5 --d inf --M 64 --N 1e3,1e5 --schedule cosine --approx-schedule 1e-3 >ca.out
check "approx-schedule recorded" grep -q '^# schedule: cosine.*approximated by constant stages within which the exact step varies by less than a factor 1 + 0.001' ca.out
check "approx-schedule within 1e-3 of the exact path" sh -c "paste cx.out ca.out | grep -v '^#' | tail -n +2 | awk '
  { for (c = 4; c <= 7; c++) { d = \$c - \$(c + 10); if (d < 0) d = -d; if (d > 1e-3 * \$c) bad = 1 } } END { exit bad }'"
err_case "approx-schedule 0" "--approx-schedule" linear $SMALL --N 10 --schedule cosine --approx-schedule 0
err_case "approx-schedule 1" "--approx-schedule" linear $SMALL --N 10 --schedule cosine --approx-schedule 1
err_case "approx-schedule of a file" "already piecewise constant" linear $SMALL --N 2 --schedule file:fx_sched5.txt --approx-schedule 0.01
"$R" linear --method de --a 1.5 --d inf --M 32 --N 1e6 --schedule step:1000:0.5 >stall.out 2>stall.err
check "stall warning on stderr (one line)" sh -c "test \$(wc -l <stall.err) -eq 1 && grep -q '^riskcalc: warning: the schedule stops training: from step 40000 on' stall.err"
check "stall warning in the header" grep -q '^# warning: the schedule stops training' stall.out
"$R" linear --method de --a 1.5 --d inf --M 32 --N 1e6 --schedule cosine >nostall.out 2>nostall.err
check "no stall warning for cosine" test ! -s nostall.err

# no arguments: one line pointing to --help (it used to print the 11-line usage)
err_case "no arguments" "riskcalc --help"

# decimal notation only (issue 13): strtod's hexadecimal used to be taken (0x10 as 16)
err_case "hexadecimal gamma" "'0x10' is not a decimal number" linear $SMALL --N 10 --gamma 0x10
err_case "hexadecimal sigma2" "is not a decimal number" linear $SMALL --N 10 --sigma2 0X1p-3

echo "cli_linear: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
