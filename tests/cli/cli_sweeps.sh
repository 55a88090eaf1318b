#!/bin/sh
# tests/cli/cli_sweeps.sh -- the sweeps and the tuned step of `riskcalc linear` and `optimal`
# (issue 11):
#   riskcalc linear ... --gamma LIST|opt --batch LIST --sigma2 LIST
#   riskcalc optimal ... --gamma G|opt --schedule SPEC --batch B
# Every row of linear ends in gamma batch sigma2; one row per (M, gamma, batch, sigma2, N), N
# fastest; each row is the single-value run's row byte for byte; --gamma opt (exact, de) is
# the minimiser of the final risk; the work estimate counts the combinations; bad lists are
# refused (one line, exit 2, nothing written); --plot draws one curve per swept value.
# Prints "cli_sweeps: N passed, N failed".
. "$(dirname "$0")/lib_cli.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CHECK="/usr/bin/python3 $HERE/figcheck.py"
cli_begin cli_sweeps
tab=$(printf '\t')

# ---------------------------------------------------------------- columns and rows
P="--a 1.5 --d 60 --M 8,16 --N 10,100,1000 --seed 2"
"$R" linear $P --gamma 0.05,0.1 --batch 1,4 --sigma2 0.1,1 >sw.tsv 2>sw.err
check "sweep exits 0, silent" test $? -eq 0 -a ! -s sw.err
check "exact: the contract's columns, then gamma batch sigma2" test "$(rows sw.tsv | head -n 1)" = \
  "$(printf 'N\tM\tapprox\tbias\tvariance\texcess\trisk\tgamma\tbatch\tsigma2')"
check "rows = 2 M x 3 N x 2 gamma x 2 batch x 2 sigma2 = 48" test "$(rows sw.tsv | sed 1d | wc -l)" -eq 48
check "row order: M, gamma, batch, sigma2, then N fastest" python3 -c "
rows = [l.split('\t') for l in open('sw.tsv') if l[0].isdigit()]
want = [(N, M, g, b, s) for M in (8, 16) for g in (0.05, 0.1) for b in (1, 4) for s in (0.1, 1)
        for N in (10, 100, 1000)]
got = [(int(r[0]), int(r[1]), float(r[7]), int(r[8]), float(r[9])) for r in rows]
assert got == want, got[:6]
"
# every combination equals its own single-value run, byte for byte
bad=0
for g in 0.05 0.1; do for b in 1 4; do for s in 0.1 1; do
  "$R" linear $P --gamma $g --batch $b --sigma2 $s | rows /dev/stdin | sed 1d >one.tsv
  awk -F '\t' -v g=$g -v b=$b -v s=$s 'NR > 1 && $8 == g && $9 == b && $10 == s' sw.tsv >sub.tsv
  cmp -s one.tsv sub.tsv || bad=1
  [ "$(wc -l <sub.tsv)" -eq 6 ] || bad=1
done; done; done
check "exact: each combination's rows are the single-value run's, byte for byte" test $bad -eq 0
check "header records the lists" sh -c "grep -q '^# gamma: swept: 0.05,0.1 ' sw.tsv && grep -q '^# batch: 1,4$' sw.tsv && grep -q '^# sigma2: 0.1,1$' sw.tsv"
check "header: the stable step of every batch" grep -q '^# G (M = 8): .*step [0-9.]* (batch 1), [0-9.]* (batch 4);' sw.tsv
"$R" linear $P --gamma 0.05,0.1 --batch 1,4 --sigma2 0.1,1 --format json >sw.json
check "json: columns, 48 rows, parameters as arrays, same numbers as tsv" python3 -c "
import json
j = json.load(open('sw.json'))
assert j['columns'][-3:] == ['gamma', 'batch', 'sigma2'] and len(j['columns']) == 10
assert len(j['rows']) == 48
p = j['parameters']
assert p['gamma'] == [0.05, 0.1] and p['batch'] == [1, 4] and p['sigma2'] == [0.1, 1], p
tsv = [l.rstrip('\n') for l in open('sw.tsv') if l[0].isdigit()]
got = ['\t'.join('%.17g' % r[c] for c in j['columns']) for r in j['rows']]
assert got == tsv
"
"$R" linear $P --gamma 0.05,0.1 --format csv >sw.csv
check "csv: header and 12 rows" sh -c "[ \"\$(grep -v '^#' sw.csv | head -n 1)\" = 'N,M,approx,bias,variance,excess,risk,gamma,batch,sigma2' ] && [ \$(grep -c '^[0-9]' sw.csv) -eq 12 ]"
"$R" linear --a 1.5 --d 60 --M 8 --N 100 --gamma 1e-3:1e-1:3 >rg.tsv
check "a range lo:hi:count of steps: 3 log-spaced values" test "$(rows rg.tsv | sed 1d | cut -f8 | tr '\n' ' ')" = "0.001 0.01 0.10000000000000001 "
"$R" linear --a 1.5 --d 60 --M 8 --N 100 >one.tsv
check "single values: the columns are there all the same" test "$(rows one.tsv | sed 1d | cut -f8-10)" = "$(printf '0.10000000000000001\t1\t1')"
"$R" linear --a 1.5 --d 60 --M 8 --N 100 --schedule stages:/dev/stdin <<EOF >st.tsv
50 0.1
50 0.05
EOF
check "stages: schedule: no base step, gamma is its first step" test "$(rows st.tsv | sed 1d | cut -f8)" = "0.10000000000000001"

# de, closed and mc take the lists too
D="--a 1.5 --d inf --M 16 --N 100,1000"
for method in de closed; do
  "$R" linear --method $method $D --gamma 0.05,0.1 --sigma2 0,0.5 >m.tsv
  bad=0
  for g in 0.05 0.1; do for s in 0 0.5; do
    "$R" linear --method $method $D --gamma $g --sigma2 $s | rows /dev/stdin | sed 1d >one.tsv
    awk -F '\t' -v g=$g -v s=$s '/^[0-9]/ && $(NF - 2) == g && $NF == s' m.tsv >sub.tsv
    cmp -s one.tsv sub.tsv && [ "$(wc -l <sub.tsv)" -eq 2 ] || bad=1
  done; done
  check "$method: 8 rows, each the single-value run's" test $bad -eq 0 -a "$(rows m.tsv | sed 1d | wc -l)" -eq 8
  check "$method: gamma batch sigma2 last" sh -c "rows() { grep -v '^#' \"\$1\"; }; rows m.tsv | head -n 1 | grep -q '${tab}risk${tab}.*gamma${tab}batch${tab}sigma2\$'"
done
"$R" linear --method mc --a 1.5 --d 40 --M 8 --N 10,100 --runs 20 --batch 1,3 --band --per-run pr.tsv >mc.tsv
"$R" linear --method mc --a 1.5 --d 40 --M 8 --N 10,100 --runs 20 --batch 3 --band --per-run pr3.tsv >mc3.tsv
check "mc: band then gamma batch sigma2; the batch-3 rows are the single run's" sh -c "
  grep -v '^#' mc.tsv | head -n 1 | grep -q 'risk_q90${tab}gamma${tab}batch${tab}sigma2\$' &&
  [ \"\$(grep -v '^#' mc.tsv | awk -F '\t' '\$15 == 3')\" = \"\$(grep -v '^#' mc3.tsv | sed 1d)\" ]"
check "mc --per-run: N M run risk gamma batch sigma2, 2 x 20 x 2 rows" sh -c "
  [ \"\$(grep -v '^#' pr.tsv | head -n 1)\" = \"\$(printf 'N\tM\trun\trisk\tgamma\tbatch\tsigma2')\" ] &&
  [ \$(grep -v '^#' pr.tsv | sed 1d | wc -l) -eq 80 ]"

# ---------------------------------------------------------------- --gamma opt
# const schedule: the base step is the step, so gamma_max is the header's stable step.
for method in exact de; do
  case $method in exact) Q="--a 1.5 --d 80 --M 12 --seed 4" ;; de) Q="--a 1.5 --b 2 --d inf --M 12" ;; esac
  "$R" linear --method $method $Q --N 30,3000 --schedule const --sigma2 0.5 --gamma opt >opt.tsv 2>opt.err
  check "$method --gamma opt: exit 0" test $? -eq 0 -a ! -s opt.err
  check "$method --gamma opt: header says the step was tuned and how" sh -c "grep -q '^# gamma: opt: .*rc_sgd_tune_gamma' opt.tsv && grep -q '^# gamma tuning: 2 rows tuned' opt.tsv"
  gstable=$(sed -n 's/.*largest mean-square stable constant step \([0-9.e+-]*\) (batch 1).*/\1/p' opt.tsv)
  for n in 30 3000; do
    row=$(rows opt.tsv | awk -F '\t' -v n=$n '$1 == n')
    g=$(echo "$row" | cut -f8)
    risk=$(echo "$row" | cut -f7)
    # the risk at the tuned step, run as a fixed step, is the row's (the same recursion)
    again=$("$R" linear --method $method $Q --N $n --schedule const --sigma2 0.5 --gamma "$g" | rows /dev/stdin | sed 1d)
    check "$method N=$n: --gamma <tuned> reproduces the tuned row byte for byte" test "$again" = "$row"
    # no point of a 40-step scan of the stable range, nor the neighbours at +-1%, does better
    lo=$(awk -v g=$gstable 'BEGIN { printf "%.17g", g * 1e-4 }')
    hi=$(awk -v g=$gstable 'BEGIN { printf "%.17g", g * 0.999 }')
    lo1=$(awk -v g=$g 'BEGIN { printf "%.17g", g * 0.99 }')
    hi1=$(awk -v g=$g -v m=$gstable 'BEGIN { x = g * 1.01; if (x > 0.999 * m) x = 0.999 * m; printf "%.17g", x }')
    "$R" linear --method $method $Q --N $n --schedule const --sigma2 0.5 --gamma "$lo:$hi:40,$lo1,$hi1" >scan.tsv
    check "$method N=$n: risk at the tuned step <= every scanned step and both neighbours" \
      sh -c "grep -v '^#' scan.tsv | sed 1d | awk -F '\t' -v r=$risk '\$7 < r * (1 - 1e-13) { bad = 1 } END { exit bad || NR != 42 }'"
  done
done
"$R" linear --method de --a 1.5 --d inf --M 16 --N 100,1000 --gamma opt --batch 1,4 --format json >optj.json
check "--gamma opt with a batch list: one tuned step per (M, batch, N); json says opt" python3 -c "
import json
j = json.load(open('optj.json'))
assert j['parameters']['gamma'] == 'opt', j['parameters']
r = j['rows']
assert len(r) == 4 and [x['batch'] for x in r] == [1, 1, 4, 4]
assert len({x['gamma'] for x in r}) == 4
"

# ---------------------------------------------------------------- work estimate
W="--method mc --a 1.5 --d 100 --M 64 --N 1e12 --runs 1000"
est() { "$R" linear $W "$@" 2>&1 | sed -n 's/.*needs about \([0-9.e+]*\) elementary.*/\1/p'; }
w1=$(est)
w4=$(est --gamma 0.01,0.02,0.03,0.04)
w6=$(est --sigma2 0.1,0.2,0.3 --gamma 0.01,0.02)
check "work estimate: 4 steps cost 4 times one, 3 x 2 six times" python3 -c "
w1, w4, w6 = float('$w1'), float('$w4'), float('$w6')
assert abs(w4 / w1 / 4 - 1) < 0.1 and abs(w6 / w1 / 6 - 1) < 0.1, (w1, w4, w6)  # %.2g
"
err_case "work refusal names the lists" "the lists of --gamma" linear $W --gamma 0.01,0.02
E="--method de --a 1.5 --d inf --M 1000 --N 1e12,1e13 --schedule poly:10:0.5"
e1=$("$R" linear $E --gamma 0.1 2>&1 | sed -n 's/.*needs about \([0-9.e+]*\) elementary.*/\1/p')
e2=$("$R" linear $E --gamma opt 2>&1 | sed -n 's/.*needs about \([0-9.e+]*\) elementary.*/\1/p')
check "work estimate: --gamma opt counts its tuning curves" python3 -c "
e1, e2 = float('$e1'), float('$e2')
assert e2 > 40 * e1, (e1, e2)
"

# ---------------------------------------------------------------- errors
ERR_CASE_NO_FILE=out.tsv
printf '100 0.1\n' >st.txt
S="--a 1.5 --d 60 --M 8 --N 10,100 --output out.tsv"
err_case "empty gamma list" "--gamma: empty list" linear $S --gamma ""
err_case "empty item" "empty item" linear $S --gamma 0.1,,0.2
err_case "empty batch list" "--batch: empty list" linear $S --batch ""
err_case "gamma nan" "--gamma" linear $S --gamma nan
err_case "gamma 0 in a list" "--gamma" linear $S --gamma 0.1,0
err_case "sigma2 nan" "--sigma2" linear $S --sigma2 0.1,nan
err_case "negative sigma2" "--sigma2" linear $S --sigma2 -1
err_case "negative batch" "--batch" linear $S --batch 2,-1
err_case "batch 0" "--batch" linear $S --batch 0
err_case "fractional batch" "--batch" linear $S --batch 1.5
err_case "gamma opt with mc" "--gamma opt" linear $S --method mc --gamma opt
err_case "gamma opt with closed" "--gamma opt" linear --method closed --a 1.5 --d inf --M 8 --N 10 --gamma opt --output out.tsv
err_case "gamma list with a file schedule" "no base step" linear $S --gamma 0.1,0.2 --schedule stages:st.txt
err_case "gamma opt with a file schedule" "no base step" linear $S --gamma opt --schedule stages:st.txt
err_case "an unstable step in the list names it" "gamma = 5" linear $S --gamma 0.1,5
err_case "--plot with two swept quantities" "M and gamma" linear --a 1.5 --d 60 --M 8,16 --N 10 --gamma 0.1,0.2 --plot f.png --output out.tsv
err_case "compare linear refuses a list" "--gamma 0.1,0.2" compare linear $S --gamma 0.1,0.2
err_case "compare linear refuses opt" "--gamma opt" compare linear $S --gamma opt
err_case "compare linear refuses a batch list" "--batch 1,2" compare linear $S --batch 1,2
err_case "optimal refuses a list" "optimal takes one value" optimal --a 1.5 --C 1e4 --gamma 0.1,0.2 --output out.tsv
err_case "optimal: opt with a file schedule" "no base step" optimal --a 1.5 --C 1e4 --gamma opt --schedule stages:st.txt --output out.tsv
ERR_CASE_NO_FILE=

# ---------------------------------------------------------------- optimal
$LIMIT "$R" optimal --a 1.5 --b 2 --C 2000 --range 4 --schedule const --gamma 0.1 >of.tsv 2>/dev/null
$LIMIT "$R" optimal --a 1.5 --b 2 --C 2000 --range 4 --schedule const --gamma opt >ot.tsv 2>ot.err
check "optimal --gamma opt --schedule const: exit 0" test $? -eq 0 -a ! -s ot.err
check "optimal: gamma_closed gamma_opt appended" test "$(rows ot.tsv | head -n 1 | cut -f11-)" = "$(printf 'evaluations\tgamma_closed\tgamma_opt')"
check "optimal: the schedule and the tuning in the header" sh -c "grep -q '^# schedule: const ' ot.tsv && grep -q '^# gamma: opt: ' ot.tsv"
check "optimal: the tuned step does no worse, at both allocations" python3 -c "
f = [l.split('\t') for l in open('of.tsv') if l[0].isdigit()]
t = [l.split('\t') for l in open('ot.tsv') if l[0].isdigit()]
assert len(f) == 1 and len(t) == 1
f, t = [float(x) for x in f[0]], [float(x) for x in t[0]]
assert t[3] <= f[3] * (1 + 1e-12) and t[6] <= f[6] * (1 + 1e-12), (f, t)
assert f[11] == 0.1 and f[12] == 0.1 and t[11] != 0.1 and t[12] != 0.1
"
$LIMIT "$R" optimal --a 1.5 --b 2 --C 2000 --range 4 --schedule const --gamma 0.1 --batch 4 >ob.tsv 2>/dev/null
check "optimal --batch 4: recorded, less variance than batch 1" sh -c "grep -q '; batch 4; ' ob.tsv && [ \$(paste of.tsv ob.tsv | grep '^[0-9]' | awk -F '\t' '{ print (\$23 < \$10) }') = 1 ]"

# ---------------------------------------------------------------- figures
if command -v gnuplot >/dev/null 2>&1; then
  "$R" linear --a 1.5 --d 100 --M 16 --N 1e1:1e4:7 --gamma 0.02,0.05,0.2 --sigma2 0.1 --plot fg.png >fg.tsv 2>fg.err
  check "gamma sweep figure: exit 0" test $? -eq 0 -a -s fg.png -a ! -s fg.err
  gnuplot -e 'tablefile="fg.pts"' fg.gp 2>fg.gperr
  check "gamma sweep: a family (one curve per gamma and quantity), not a heat map" sh -c "! grep -q pm3d fg.gp && ! grep -q 'with image' fg.gp"
  check "gamma sweep: legends name the value" sh -c "grep -q \"title 'gamma = 0.02'\" fg.gp && grep -q \"title 'gamma = 0.05'\" fg.gp && grep -q \"title 'gamma = 0.2'\" fg.gp"
  check "gamma sweep: 13 curves (4 quantities x 3 steps, the noise), every point visible" sh -c "$CHECK fg.gp fg.pts curves 13 && $CHECK fg.gp fg.pts visible"
  check "gamma sweep: curves filter the gamma column (8) of the data" grep -q 'every ::7::13' fg.gp
  check "gamma sweep: caption names the fixed M, not a step" sh -c "grep -q 'M = 16' fg.gp && ! grep -q 'γ = ' fg.gp"
  check "gamma sweep: .dat holds the table with the sweep columns" sh -c "grep -v '^#' fg.dat | head -n 1 | grep -q 'risk${tab}gamma${tab}batch${tab}sigma2\$' && [ \$(grep -v '^#' fg.dat | grep -c .) -eq 22 ]"
  "$R" linear --method de --a 1.5 --d inf --M 64 --N 1000 --gamma 1e-3:0.5:9 --sigma2 0.1 --plot fx.png >/dev/null 2>&1
  gnuplot -e 'tablefile="fx.pts"' fx.gp 2>/dev/null
  check "one N, a gamma list: the risk against gamma" sh -c "grep -q \"xlabel 'γ (base step)'\" fx.gp && grep -q 'using 8:7' fx.gp && $CHECK fx.gp fx.pts visible"
  "$R" linear --a 1.5 --d 100 --M 16 --N 1e2:1e3:3 --gamma 0.05,0.1 --plot-kind heatmap --plot fh.png >/dev/null 2>&1
  gnuplot -e 'tablefile="fh.pts"' fh.gp 2>/dev/null
  check "--plot-kind heatmap still draws the sweep grid" sh -c "$CHECK fh.gp fh.pts cells"
  "$R" linear --method mc --runs 10 --a 1.5 --d 40 --M 8 --N 10,100 --batch 1,4 --sigma2 0.1,1 --plot fs.png >/dev/null 2>fs.err
  check "two swept quantities with one M: refused" grep -q 'batch and sigma2' fs.err
  "$R" linear --method mc --runs 10 --a 1.5 --d 40 --M 8 --N 10,100 --sigma2 0.1,1 --plot fn.png >/dev/null 2>&1
  check "a sigma2 sweep draws no single noise floor" sh -c "test -s fn.png && ! grep -q 'noise σ²' fn.gp && grep -q \"title 'sigma2 = 0.1'\" fn.gp"
else
  ok "figures # skipped: gnuplot is not installed"
fi

echo "cli_sweeps: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
