#!/bin/sh
# tests/cli/cli_quad.sh -- the command-line contract of the quadratic model:
#   riskcalc quad --method analytic|closed|mc [--alpha A | --log-alpha A | --spectrum FILE]
#     --d D|inf [--beta B | --target FILE] --M LIST --T LIST [--eta E] [--schedule SPEC]
#     [--v0 V] [--batch B] [--sigma2 S] [--runs R --seed K] [--phases] [--format ...]
#     [--output F] [--plot F]
#   riskcalc compare quad ... [--z-max Z]        (exit 0 agree, 1 disagree, 2 bad input)
#   riskcalc compare quad-vs-linear ...          (tuned steps, fitted slopes)
# Help; every option; every column and its identities; csv and json; reproducibility and
# thread-count independence; every error path (exit 2, exactly one line on stderr, nothing on
# stdout, no file left behind); the .dat and .gp behind each figure; compare exit statuses.
# Uses $RISKCALC (default build/riskcalc) and python3 (json, csv, mpmath).
# Prints one "ok"/"FAIL" line per case and "cli_quad: N passed, N failed" last.
. "$(dirname "$0")/lib_cli.sh"
FIGCHECK="/usr/bin/python3 $(cd "$(dirname "$0")" && pwd)/figcheck.py"
cli_begin cli_quad

no_leftovers() {
  extra=$(ls -A "$T" | grep -v -e '^fx_' -e '^ec\.')
  [ -z "$extra" ] || { echo "    left behind: $extra"; return 1; }
}

printf '1\n0.5\n0.25\n0.125\n0.0625\n0.03\n' >fx_spec6.txt
printf '1\n0.8\n0.6\n0.5\n0.3\n0.1\n' >fx_target6.txt
printf '1\n0.8\n0.6\n' >fx_target3.txt
printf '0.01\n0.01\n0.005\n' >fx_steps3.txt

SMALL="--alpha 2 --beta 1.5 --d inf --M 6"

# ---------------------------------------------------------------- help
"$R" --help >h.out 2>&1
check "top-level help lists quad" grep -q '^  quad ' h.out
"$R" quad --help >qh.out 2>qh.err
check "quad help exit 0" test $? -eq 0 -a ! -s qh.err
missing=""
for o in method phases alpha log-alpha spectrum d beta target v0 M T eta batch schedule \
  approx-schedule sigma2 format output plot seed runs sketch help; do
  grep -q -e "^  --$o " -e "^  --$o\$" qh.out || missing="$missing --$o"
done
if [ -z "$missing" ]; then ok "quad help lists every option"; else
  fail "quad help lists every option" "missing:$missing"
fi
check "quad help names the columns" grep -q 'T M approx bias variance excess risk active' qh.out
"$R" compare quad --help >ch.out 2>&1
check "compare quad help" sh -c "grep -q -- '--z-max' ch.out && grep -q -- '--runs' ch.out && \
  grep -q 'T M theory mean se z' ch.out"
"$R" compare quad-vs-linear --help >vh.out 2>&1
check "compare quad-vs-linear help" sh -c "grep -q 'quad_eta' vh.out && ! grep -q -- '--runs' vh.out"
rm -f h.out qh.out qh.err ch.out vh.out

# ---------------------------------------------------------------- analytic
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20,40 --T 10,100,1000,2385 --eta 0.02 \
  --schedule const --v0 0.2 --batch 2 --sigma2 0.3 >a.tsv 2>a.err
check "analytic run" test $? -eq 0 -a ! -s a.err
check "analytic records the command" grep -q '^# command: .*quad --alpha 2.5 --beta 1.5 --d inf --M 20,40 --T 10,100,1000,2385 --eta 0.02 --schedule const --v0 0.2 --batch 2 --sigma2 0.3$' a.tsv
check "analytic records the model" grep -q '^# model: .*f(x) = sum_{i<=M} x_i v_i^2' a.tsv
check "analytic records the data" grep -q '^# data: x ~ N(0, diag(lambda)), lambda_i = i^-alpha, alpha = 2.5, d = inf$' a.tsv
check "analytic records the target" grep -q '^# target: .*lambda_i w\*_i^2 = i^-beta), beta = 1.5:' a.tsv
check "analytic records the init" grep -q '^# init: v_i(0) = v0 = 0.2 for every i <= M (theta_i(0) = 0.04000000000000001)$' a.tsv
check "analytic records the update" grep -q '^# sgd: loss (1/2)(f(x) - y)^2; v <- v - 2 eta_t v' a.tsv
check "analytic records the risk split" grep -q '^# risk: risk = sigma2 + approx + excess.*Hurwitz' a.tsv
check "analytic records the schedule" grep -q '^# schedule: const gamma=0.02$' a.tsv
check "analytic records batch and sigma2" sh -c "grep -q '^# batch: 2$' a.tsv && grep -q '^# sigma2: 0.3$' a.tsv"
check "analytic records its method and domain" sh -c "grep -q '^# method: analytic: .*Pearson type III' a.tsv && grep -q '^# domain: .*--method mc' a.tsv"
check "analytic header row" test "$(rows a.tsv | head -n 1)" = "$(printf 'T\tM\tapprox\tbias\tvariance\texcess\trisk\tactive')"
check "analytic has one row per (M, T)" test "$(rows a.tsv | tail -n +2 | wc -l)" -eq 8
check "analytic identities, approx = zeta(beta, M + 1), active counts" python3 -c "
import mpmath
rows = [l.split('\t') for l in open('a.tsv') if not l.startswith('#')][1:]
prev = {}
for r in rows:
    T, M, ap, b, v, e, risk, act = map(float, r)
    assert abs(e - (b + v)) <= 1e-15 * e, r
    assert abs(risk - (0.3 + ap + e)) <= 2e-16 * risk * 4, r
    assert abs(ap - float(mpmath.zeta(1.5, M + 1))) <= 1e-14 * ap, (ap, M)
    assert act == int(act) and 0 <= act <= M, r
    assert act >= prev.get(M, 0), r  # constant step: coordinates only activate
    prev[M] = act
    assert len(r[6].split('e')[0].replace('.', '').lstrip('0')) >= 15, r[6]
"
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20,40 --T 10,100,1000,2385 --eta 0.02 \
  --schedule const --v0 0.2 --batch 2 --sigma2 0.3 >a2.tsv 2>/dev/null
check "analytic is reproducible" cmp -s a.tsv a2.tsv
"$R" quad $SMALL --T 100 >d.tsv 2>/dev/null
check "defaults: twophase at eta 0.01, sigma2 0.1, v0 0.1" sh -c "grep -q '^# schedule: twophase gamma=0.01 ' d.tsv && grep -q '^# sigma2: 0.1$' d.tsv && grep -q '^# init: v_i(0) = v0 = 0.1 ' d.tsv"
"$R" quad --method analytic $SMALL --T 100 >d2.tsv 2>/dev/null
check "--method analytic is the default" sh -c "grep -v '^#' d.tsv >x1; grep -v '^#' d2.tsv >x2; cmp -s x1 x2"
"$R" quad --log-alpha 1 --beta 1.5 --d 1000 --M 8 --T 100,1000 >lg.tsv 2>lg.err
check "--log-alpha" sh -c "test $? -eq 0 && grep -q 'lambda_i = i^-1 log(i+1)^-alpha, alpha = 1, d = 1000' lg.tsv"
"$R" quad --spectrum fx_spec6.txt --target fx_target6.txt --M 4 --T 50,500 --eta 0.02 \
  >f.tsv 2>f.err
check "--spectrum and --target files" sh -c "test $? -eq 0 -a ! -s f.err && grep -q 'from file fx_spec6.txt (d = 6)' f.tsv && grep -q 'w\* from file fx_target6.txt' f.tsv"
check "file approx = sum_{i>M} lambda_i w*_i^2" python3 -c "
rows = [l.split('\t') for l in open('f.tsv') if not l.startswith('#')][1:]
want = 0.0625 * 0.3**2 + 0.03 * 0.1**2
assert all(abs(float(r[2]) - want) <= 1e-16 for r in rows), rows
"
"$R" quad --alpha 2 --beta 1.5 --d 30 --M 30 --T 100 >dm.tsv 2>/dev/null
check "M = d: approx is 0" test "$(rows dm.tsv | tail -n 1 | cut -f 3)" = 0
"$R" quad $SMALL --T 10,100 --schedule file:fx_steps3.txt --T 3 >/dev/null 2>fs.err
check "one --T only" grep -q "given twice" fs.err
"$R" quad $SMALL --T 1,2,3 --schedule file:fx_steps3.txt >fs.tsv 2>fs.err
check "file schedule" sh -c "test $? -eq 0 && grep -q '^# schedule: file' fs.tsv"
"$R" rerun a.tsv >rr.out 2>&1
check "riskcalc rerun reproduces an analytic table from its header" sh -c "test $? -eq 0 && grep -q 'same byte for byte' rr.out"
rm -f rr.out a2.tsv d.tsv d2.tsv x1 x2 lg.tsv lg.err f.tsv f.err dm.tsv fs.tsv fs.err

# ---------------------------------------------------------------- csv and json
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20,40 --T 10,100,1000,2385 --eta 0.02 \
  --schedule const --v0 0.2 --batch 2 --sigma2 0.3 --format csv >a.csv 2>/dev/null
check "csv is the tsv with commas" sh -c "grep -v '^#' a.tsv | tr '\t' ',' >a.tsv.csv; grep -v '^#' a.csv | cmp -s - a.tsv.csv"
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20,40 --T 10,100,1000,2385 --eta 0.02 \
  --schedule const --v0 0.2 --batch 2 --sigma2 0.3 --format json >a.json 2>/dev/null
check "json has the tsv numbers and the header" python3 -c "
import json
doc = json.load(open('a.json'))
rows = [l.rstrip('\n').split('\t') for l in open('a.tsv') if not l.startswith('#')]
assert doc['columns'] == rows[0]
assert [[repr(float(r[c])) for c in rows[0]] for r in doc['rows']] == [[repr(float(x)) for x in r] for r in rows[1:]]
assert 'domain' in doc['meta'] and 'risk' in doc['meta']
"
rm -f a.tsv a.err a.csv a.tsv.csv a.json

# ---------------------------------------------------------------- closed
"$R" quad --method closed --alpha 2.5 --beta 1.5 --d inf --M 50 --T 100,1000,1e4 --eta 0.02 \
  >c.tsv 2>c.err
check "closed run" test $? -eq 0 -a ! -s c.err
check "closed header row" test "$(rows c.tsv | head -n 1)" = "$(printf 'T\tM\tD_eff\tt_adapt\tapprox\trate_bias\trate_variance\trate_risk')"
check "closed records the rates" sh -c "grep -q '^# columns: D_eff = min(M, T^(1/max(beta, (alpha+beta)/2))) = min(M, T^0.5)' c.tsv && grep -q '^# published rate: risk - sigma2 ~ T^-0.25 ' c.tsv"
check "closed values" python3 -c "
import math
rows = [l.split('\t') for l in open('c.tsv') if not l.startswith('#')][1:]
a, b, eta, th0, s2 = 2.5, 1.5, 0.02, 0.01, 0.1
for r in rows:
    T, M, D, ta, ap, rb, rv, rr = map(float, r)
    assert D == min(M, T ** 0.5), r
    i = math.ceil(D); lam = i ** -a; w = math.sqrt(i ** -b / lam)
    assert abs(ta - math.log(w / th0 - 1) / (4 * eta * lam * w)) <= 1e-13 * ta, r
    assert abs(rb - (D ** (1 - b) - M ** (1 - b))) <= 1e-15, r
    assert abs(rv - s2 * D / T) <= 1e-18, r
    assert abs(rr - (s2 + ap + rb + rv)) <= 1e-15, r
"
rm -f c.tsv c.err

# ---------------------------------------------------------------- mc
MC="--alpha 2 --beta 1.5 --d 40 --M 5,8 --T 50,500 --eta 0.02 --runs 40 --seed 11"
OMP_NUM_THREADS=1 "$R" quad --method mc $MC >m1.tsv 2>m1.err
check "mc run" test $? -eq 0 -a ! -s m1.err
OMP_NUM_THREADS=2 "$R" quad --method mc $MC >m2.tsv 2>/dev/null
check "mc output is the same for 1 and 2 threads" cmp -s m1.tsv m2.tsv
check "mc header row" test "$(rows m1.tsv | head -n 1)" = "$(printf 'T\tM\trisk\trisk_se\tbias\tbias_se\tvariance\tvariance_se\truns')"
check "mc records runs and seed" sh -c "grep -q '^# runs: 40 independent runs' m1.tsv && grep -q '^# mc seed: 11: ' m1.tsv && grep -q '^# method: mc:' m1.tsv"
"$R" quad --alpha 2 --beta 1.5 --d 40 --M 5,8 --T 50,500 --eta 0.02 --sigma2 0.1 >m.an 2>/dev/null
check "mc: bias + variance + sigma2 + approx = risk; runs column" python3 -c "
mc = [l.split('\t') for l in open('m1.tsv') if not l.startswith('#')][1:]
an = [l.split('\t') for l in open('m.an') if not l.startswith('#')][1:]
for r, a in zip(mc, an):
    risk, b, v, approx = float(r[2]), float(r[4]), float(r[6]), float(a[2])
    assert abs(b + v + 0.1 + approx - risk) <= 1e-12 * risk, (r, a)
    assert r[8].strip() == '40' and float(r[3]) > 0 and float(r[5]) > 0 and float(r[7]) > 0, r
"
"$R" quad --method mc $MC --seed 12 >m3.tsv 2>/dev/null
check "mc: another seed, other numbers" sh -c "! cmp -s m1.tsv m3.tsv"
"$R" rerun m1.tsv >rr.out 2>&1
check "riskcalc rerun reproduces a Monte Carlo table" sh -c "test $? -eq 0 && grep -q 'same byte for byte' rr.out"
rm -f rr.out m1.tsv m1.err m2.tsv m3.tsv m.an

# ---------------------------------------------------------------- phases
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 12 --T 100,3000 --eta 0.02 --phases >p.tsv 2>p.err
check "phases run" test $? -eq 0 -a ! -s p.err
check "phases header row" test "$(rows p.tsv | head -n 1)" = "$(printf 't\ti\ttheta\twstar\tratio\tfront')"
check "phases records the run" grep -q '^# phases: the run of horizon T = 3000 at [0-9]* log-spaced times' p.tsv
check "phases: every coordinate, times 1..T, ratio, front" python3 -c "
rows = [list(map(float, l.split('\t'))) for l in [l for l in open('p.tsv') if not l.startswith('#')][1:]]
coords = sorted({r[1] for r in rows}); times = sorted({r[0] for r in rows})
assert coords == [float(i) for i in range(1, 13)], coords
assert times[0] == 1 and times[-1] == 3000 and len(rows) == 12 * len(times)
for r in rows:
    t, i, th, w, ratio, front = r
    assert abs(w - (i ** -1.5 / i ** -2.5) ** 0.5) <= 1e-15 * w, r
    assert ratio == th / w and 0 <= front <= 12, r
fr = [r[5] for r in rows if r[1] == 1]
assert fr == sorted(fr) and fr[-1] >= 1, fr
first = [r[4] for r in rows if r[1] == 1]
assert first[0] < 0.05 and first[-1] > 0.9, first  # coordinate 1 goes through both phases
"
"$R" quad --alpha 2.5 --beta 1.5 --d inf --M 12 --T 3000 --eta 0.02 --phases >p2.tsv 2>/dev/null
check "phases uses the largest T" sh -c "grep -v '^#' p.tsv >x1; grep -v '^#' p2.tsv >x2; cmp -s x1 x2"
rm -f p.tsv p.err p2.tsv x1 x2

# ---------------------------------------------------------------- compare quad
CQ="--alpha 2 --beta 1.5 --d 40 --M 4 --T 100,1000 --schedule const --eta 0.02 --runs 300"
"$R" compare quad $CQ >cq.tsv 2>cq.err
rc=$?
check "compare quad agrees: exit 0" test $rc -eq 0
check "compare quad verdict on stderr and in the trailer" sh -c "grep -q '^riskcalc compare: agree' cq.err && tail -n 1 cq.tsv | grep -q '^# verdict: agree'"
check "compare quad header row: the risk, then bias and variance" test "$(rows cq.tsv | head -n 1)" = "$(printf 'T\tM\ttheory\tmean\tse\tz\tbias_theory\tbias_mean\tbias_se\tbias_z\tvariance_theory\tvariance_mean\tvariance_se\tvariance_z')"
check "compare quad: the parts' verdict" sh -c "grep -q '^# parts: agree' cq.tsv && grep -q '^riskcalc compare: parts: agree' cq.err"
"$R" quad $CQ --method mc >cq.mc 2>/dev/null
"$R" quad --alpha 2 --beta 1.5 --d 40 --M 4 --T 100,1000 --schedule const --eta 0.02 >cq.an 2>/dev/null
check "compare quad: theory = analytic risk, mean and se = mc" python3 -c "
cq = [l.rstrip('\n').split('\t') for l in open('cq.tsv') if not l.startswith('#')][1:]
mc = [l.rstrip('\n').split('\t') for l in open('cq.mc') if not l.startswith('#')][1:]
an = [l.rstrip('\n').split('\t') for l in open('cq.an') if not l.startswith('#')][1:]
for c, m, a in zip(cq, mc, an):
    assert c[2] == a[6] and c[3] == m[2] and c[4] == m[3], (c, m, a)
    assert c[6] == a[3] and c[7] == m[4] and c[8] == m[5], (c, m, a)     # bias
    assert c[10] == a[4] and c[11] == m[6] and c[12] == m[7], (c, m, a)  # variance
    assert abs(float(c[5]) - (float(c[3]) - float(c[2])) / float(c[4])) <= 1e-12, c
"
RISKCALC_TEST_PERTURB_THEORY=1.05 "$R" compare quad $CQ >/dev/null 2>cqp.err
check "compare quad catches a 5% wrong theory: exit 1" sh -c "test $? -eq 1 && grep -q 'disagree' cqp.err"
"$R" compare quad $CQ --z-max 0.001 >/dev/null 2>/dev/null
check "compare quad --z-max: exit 1 beyond it" test $? -eq 1
rm -f cq.tsv cq.err cq.mc cq.an cqp.err

# ---------------------------------------------------------------- compare quad-vs-linear
VS="--alpha 2.5 --beta 1.5 --d inf --M 10 --T 100,300,1000"
"$R" compare quad-vs-linear $VS >v.tsv 2>v.err
check "quad-vs-linear run: exit 0" test $? -eq 0
check "quad-vs-linear header row" test "$(rows v.tsv | head -n 1)" = "$(printf 'T\tM\tquad_eta\tquad_risk\tquad_error\tlinear_gamma\tlinear_risk\tlinear_error\tquad_edge\tlinear_edge')"
check "quad-vs-linear slopes in the trailer and on stderr" sh -c "tail -n 1 v.tsv | grep -q '^# slopes: fitted slopes of risk - sigma2 against T (95% intervals): quadratic slope -' && grep -q '^riskcalc compare: fitted slopes' v.err && grep -q 'published -0.25 and -0.2' v.err"
check "quad-vs-linear records the tuning and the published rates" sh -c "grep -q '^# method: tuned per T' v.tsv && grep -q '^# linear: linear SGD' v.tsv && grep -q '^# published: risk - sigma2 ~ T^-0.25 ' v.tsv"
check "quad-vs-linear: errors, edges" python3 -c "
rows = [l.split('\t') for l in open('v.tsv') if not l.startswith('#')][1:]
for r in rows:
    T, M, qe, qr, qerr, lg, lr, lerr, qedge, ledge = map(float, r)
    assert qerr == qr - 0.1 and lerr == lr - 0.1 and qe > 0 and lg > 0, r
    assert qedge in (0, 1) and ledge in (0, 1), r
"
# the tuned eta reproduces the tuned risk through riskcalc quad
eta=$(rows v.tsv | sed -n 4p | cut -f 3)
qrisk=$(rows v.tsv | sed -n 4p | cut -f 4)
"$R" quad $VS --eta "$eta" >ve.tsv 2>/dev/null
check "quad-vs-linear: quad_risk is riskcalc quad's risk at quad_eta" test "$(rows ve.tsv | tail -n 1 | cut -f 7)" = "$qrisk"
"$R" compare quad-vs-linear $VS --format json >v.json 2>/dev/null
check "quad-vs-linear json has the slopes" python3 -c "
import json
d = json.load(open('v.json')); assert 'quadratic slope' in d['meta']['slopes'] and len(d['rows']) == 3
"
rm -f v.tsv v.err ve.tsv v.json

# ---------------------------------------------------------------- the sketched variant (mc only)
SK="--alpha 2 --beta 1.5 --d 30 --M 4,6 --T 50,500 --eta 0.02 --runs 40 --seed 5 --sketch gaussian"
OMP_NUM_THREADS=1 "$R" quad --method mc $SK >s1.tsv 2>s1.err
check "sketched mc run" test $? -eq 0 -a ! -s s1.err
OMP_NUM_THREADS=2 "$R" quad --method mc $SK >s2.tsv 2>/dev/null
check "sketched mc is the same for 1 and 2 threads" cmp -s s1.tsv s2.tsv
check "sketched mc labels itself an extension and records the sketch's seed" sh -c "grep -q '^# model: the sketched variant .*a riskcalc extension, not the paper.s model.*seeded with 5' s1.tsv && grep -q '^# risk: .*theta\\* = K^-1 S diag(lambda) w\\*' s1.tsv && grep -q '^# runs: 40 .*z = L u' s1.tsv && grep -q '^# columns: .*tr(K C)' s1.tsv"
check "sketched mc: one approx per M in the header; bias + variance + sigma2 + approx = risk" python3 -c "
import re
lines = open('s1.tsv').read().split('\\n')
approx = {int(m): float(v) for m, v in re.findall(r'^# approx \\(M = (\\d+)\\): (\\S+) ', '\\n'.join(lines), re.M)}
assert sorted(approx) == [4, 6], approx
rows = [l.split('\\t') for l in lines if l and not l.startswith('#')][1:]
assert len(rows) == 4, rows
for r in rows:
    M, risk, b, v = int(r[1]), float(r[2]), float(r[4]), float(r[6])
    assert abs(b + v + 0.1 + approx[M] - risk) <= 1e-12 * risk, r
    assert b > 0 and v > 0, r
# a larger sketch explains more of the signal
assert approx[6] < approx[4], approx
"
"$R" quad --method mc $SK --seed 6 >s3.tsv 2>/dev/null
check "sketched mc: another seed draws another sketch" sh -c "! cmp -s s1.tsv s3.tsv && ! grep -q \"\$(grep '^# approx (M = 4)' s1.tsv)\" s3.tsv"
"$R" quad --method mc --alpha 2 --beta 1.5 --d 30 --M 4 --T 50,500 --eta 0.02 --runs 40 --seed 5 >s4.tsv 2>/dev/null
check "without --sketch the model on coordinates runs (different numbers, no approx line)" sh -c "! grep -q '^# approx (M' s4.tsv && ! cmp -s s1.tsv s4.tsv"
rm -f s1.tsv s2.tsv s3.tsv s4.tsv s1.err

# ---------------------------------------------------------------- errors: exit 2, one line, nothing left
ERR_CASE_NO_FILE=new.tsv
err_case "unknown method" "unknown method 'exact'" quad --method exact $SMALL --T 100 --output new.tsv
err_case "--runs without mc" "--runs belongs to the Monte Carlo" quad $SMALL --T 100 --runs 5 --output new.tsv
err_case "--seed without mc" "--seed belongs to the Monte Carlo" quad --method closed $SMALL --T 100 --seed 3 --output new.tsv
err_case "--phases without analytic" "--phases draws the analytic" quad --method mc $SMALL --T 100 --phases --output new.tsv
err_case "--phases with two M" "single --M" quad --alpha 2 --d inf --M 4,8 --T 100 --phases --output new.tsv
err_case "missing --M" "--M is required" quad --alpha 2 --d inf --T 100 --output new.tsv
err_case "missing --T" "--T is required" quad $SMALL --output new.tsv
err_case "missing --d" "--d is required" quad --alpha 2 --M 4 --T 100 --output new.tsv
err_case "two spectra" "give only one of --alpha, --log-alpha and --spectrum" quad --alpha 2 --spectrum fx_spec6.txt --M 4 --T 100 --output new.tsv
err_case "two targets" "give only one of --beta and --target" quad --spectrum fx_spec6.txt --beta 1.5 --target fx_target6.txt --M 4 --T 100 --output new.tsv
err_case "--target with --d inf" "not available with --d inf" quad --alpha 2 --d inf --target fx_target6.txt --M 4 --T 100 --output new.tsv
err_case "--target of the wrong length" "has 3 values but d = 6" quad --spectrum fx_spec6.txt --target fx_target3.txt --M 2 --T 100 --output new.tsv
err_case "--target missing" "--target" quad --spectrum fx_spec6.txt --target no_such_file --M 2 --T 100 --output new.tsv
err_case "M > d" "exceeds the dimension d = 6" quad --spectrum fx_spec6.txt --M 7 --T 100 --output new.tsv
err_case "M = 0" "--M: '0' is not an integer" quad --alpha 2 --d inf --M 0 --T 100 --output new.tsv
err_case "--d inf with beta <= 1" "beta must be > 1" quad --alpha 2 --beta 1 --d inf --M 4 --T 100 --output new.tsv
err_case "bad --alpha" "alpha must be finite and > 0" quad --alpha -1 --d 50 --M 4 --T 100 --output new.tsv
err_case "bad --v0" "v0 must be finite and > 0" quad $SMALL --T 100 --v0 -0.1 --output new.tsv
err_case "junk --v0" "--v0" quad $SMALL --T 100 --v0 abc --output new.tsv
err_case "bad --eta" "--eta must be > 0" quad $SMALL --T 100 --eta 0 --output new.tsv
err_case "bad --sigma2" "--sigma2" quad $SMALL --T 100 --sigma2 -1 --output new.tsv
err_case "bad --batch" "--batch" quad $SMALL --T 100 --batch 0 --output new.tsv
err_case "bad --schedule" "--schedule" quad $SMALL --T 100 --schedule nosuch --output new.tsv
err_case "bad --T" "--T" quad $SMALL --T 0 --output new.tsv
err_case "file schedule too short" "holds 3 steps" quad $SMALL --T 10 --schedule file:fx_steps3.txt --output new.tsv
err_case "--runs 1" "2 runs" quad --method mc $SMALL --T 100 --runs 1 --output new.tsv
err_case "closed without power laws" "--method closed states the published rates" quad --method closed --spectrum fx_spec6.txt --M 4 --T 100 --output new.tsv
err_case "closed with --log-alpha" "need the power laws" quad --method closed --log-alpha 1 --d 100 --M 4 --T 100 --output new.tsv
err_case "analytic closure leaves its domain: exit 2, names the regime, points to mc" \
  "eta too large for the moment closure); use --method mc" quad --alpha 2 --beta 1.5 --d inf --M 20 --T 1000 --eta 0.2 --output new.tsv
err_case "phases outside the closure's domain" "use --method mc" quad --alpha 2 --beta 1.5 --d inf --M 20 --T 1000 --eta 0.2 --phases --output new.tsv
err_case "compare quad outside the closure's domain" "use --method mc" compare quad --alpha 2 --beta 1.5 --d inf --M 20 --T 1000 --eta 0.2 --runs 10 --output new.tsv
err_case "analytic work limit" "more than the 1e+14" quad $SMALL --T 1e13 --schedule cosine --output new.tsv
err_case "mc work limit" "more than the 1e+14" quad --method mc --alpha 2 --d inf --M 1000 --T 1e9 --runs 1000 --output new.tsv
err_case "--sketch with analytic" "only --method mc simulates it" quad $SMALL --T 100 --sketch gaussian --output new.tsv
err_case "--sketch with closed" "only --method mc simulates it" quad --method closed --alpha 2 --d 50 --M 4 --T 100 --sketch gaussian --output new.tsv
err_case "--sketch with --d inf" "give a finite --d" quad --method mc $SMALL --T 100 --sketch gaussian --output new.tsv
err_case "--sketch other than gaussian" "the Gaussian sketch only" quad --method mc --alpha 2 --d 50 --M 4 --T 100 --sketch file.txt --output new.tsv
err_case "--sketch on compare quad" "unknown option '--sketch'" compare quad --alpha 2 --d 50 --M 4 --T 100 --sketch gaussian --output new.tsv
err_case "--sketch too large for memory" "sketch" quad --method mc --alpha 2 --d 1e9 --M 1e6 --T 100 --sketch gaussian --output new.tsv
err_case "unknown option" "unknown option '--gamma'" quad $SMALL --T 100 --gamma 0.1 --output new.tsv
err_case "bad --format" "--format" quad $SMALL --T 100 --format xml --output new.tsv
err_case "--output is an input" "names an input of this run" quad --spectrum fx_spec6.txt --target fx_target6.txt --M 4 --T 100 --output fx_target6.txt
err_case "bad --plot extension" ".png" quad $SMALL --T 100 --plot fig.jpg --output new.tsv
err_case "bad --plot-kind, refused before any work" "--plot-kind" quad $SMALL --T 10,100 --plot-kind curves-N --plot fk.png --output new.tsv
err_case "bad --y" "--y" quad $SMALL --T 10,100 --y nosuch --plot fy.png --output new.tsv
err_case "--y without --plot" "needs --plot" quad $SMALL --T 10,100 --y bias --output new.tsv
err_case "compare quad: --runs 1" "2 runs" compare quad $SMALL --T 100 --runs 1 --output new.tsv
err_case "quad-vs-linear: two M" "give a single --M" compare quad-vs-linear --alpha 2 --d inf --M 4,8 --T 10,100,1000 --output new.tsv
err_case "quad-vs-linear: two T" "give 3 to 64 horizons" compare quad-vs-linear $SMALL --T 10,100 --output new.tsv
err_case "quad-vs-linear: --seed" "--seed: compare quad-vs-linear" compare quad-vs-linear $SMALL --T 10,100,1000 --seed 2 --output new.tsv
err_case "quad-vs-linear: --runs" "unknown option '--runs'" compare quad-vs-linear $SMALL --T 10,100,1000 --runs 2 --output new.tsv
err_case "quad-vs-linear: file schedule" "gives absolute steps" compare quad-vs-linear $SMALL --T 1,2,3 --schedule file:fx_steps3.txt --output new.tsv
err_case "compare: unknown model lists quad" "(available: linear, quad, quad-vs-linear, ridge, rf)" compare quadratic $SMALL --T 100
ERR_CASE_NO_FILE=
check "no file left behind by the errors" no_leftovers

# ---------------------------------------------------------------- figures: .dat and .gp
# What each figure draws, from its script and from the points gnuplot plots (gnuplot -e
# 'tablefile="..."' FIG.gp; tests/cli/figcheck.py reads them, as in cli_figures.sh).
points() { gnuplot -e "tablefile=\"$1.pts\"" "$1.gp" 2>"$1.gperr"; }
if command -v gnuplot >/dev/null 2>&1; then
  "$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20 --T 10,100,1000 --eta 0.02 --output fr.tsv \
    --plot fr.png >fr.out 2>fr.err
  check "risk figure: exit 0, quiet, files" sh -c "test $? -eq 0 -a ! -s fr.out -a ! -s fr.err -a -s fr.png -a -s fr.gp"
  check "risk figure: .dat is the table" cmp -s fr.tsv fr.dat
  check "risk figure: risk, approx, bias, variance against T, the noise dashed" sh -c "grep -q \"using 1:7 smooth unique with linespoints.*title 'risk'\" fr.gp && grep -q \"using 1:3 .*title 'approximation'\" fr.gp && grep -q \"using 1:4 .*title 'bias (mean trajectory)'\" fr.gp && grep -q \"using 1:5 .*title 'variance'\" fr.gp && grep -q \"^  0.1 with lines .*noise\" fr.gp && grep -q \"set xlabel 'T (SGD steps)'\" fr.gp"
  check "risk figure: the parameters in the title" grep -q "α = 2.5, d = inf, β = 1.5, twophase schedule η = 0.02, σ² = 0.1, M = 20" fr.gp
  points fr
  check "risk figure: every point visible, four curves" sh -c "$FIGCHECK fr.gp fr.pts visible && $FIGCHECK fr.gp fr.pts curves 6"
  "$R" quad --alpha 2.5 --beta 1.5 --d inf --M 20 --T 10,100,1000 --eta 0.02 --y excess,bias --plot fy.png >/dev/null 2>&1
  check "risk figure: --y chooses the quantities" sh -c "grep -q \"using 1:6 .*excess\" fy.gp && ! grep -q \"title 'approximation'\" fy.gp"
  "$R" quad --alpha 2.5 --beta 1.5 --d inf --M 12,24 --T 10,100,1000 --eta 0.02 --plot fh.png >/dev/null 2>&1
  points fh
  check "risk grid: a heat map of the risk, one cell per (T, M)" sh -c "grep -q 'using 1:2:.*:7 with boxxyerror' fh.gp && $FIGCHECK fh.gp fh.pts cells"
  "$R" quad --alpha 2.5 --beta 1.5 --d inf --M 12,24 --T 10,100,1000 --eta 0.02 --plot-kind curves-T --plot fk.png >/dev/null 2>&1
  check "risk grid: --plot-kind curves-T, one curve per M" sh -c "grep -c 'M = ' fk.gp | grep -q '^[2-9]'"
  "$R" quad --method mc --alpha 2 --d 40 --M 5 --T 50,500 --eta 0.02 --runs 20 --plot fm.png >/dev/null 2>&1
  check "mc figure: risk, bias and variance with 2-se error bars" sh -c "grep -q \"using 1:3:(2\\*\\\$4) with yerrorbars.*risk (mean ± 2 se)\" fm.gp && grep -q \"using 1:5:(2\\*\\\$6) with yerrorbars.*bias\" fm.gp && grep -q \"using 1:7:(2\\*\\\$8) with yerrorbars.*variance\" fm.gp && test -s fm.png"
  "$R" quad --method closed --alpha 2.5 --beta 1.5 --d inf --M 50 --T 100,1000 --plot fc.png >/dev/null 2>&1
  check "closed figure: the published orders" sh -c "grep -q \"using 1:8 .*title 'rate risk'\" fc.gp && grep -q \"using 1:7 .*title 'rate variance'\" fc.gp && test -s fc.png"
  "$R" quad --alpha 2.5 --beta 1.5 --d inf --M 12 --T 3000 --eta 0.02 --phases --output fp.tsv --plot fp.png >/dev/null 2>&1
  points fp
  # (the times are whole numbers, so not log-uniform: the cells tile the axis between geometric
  # midpoints rather than being centred, and figcheck's cells test does not apply)
  check "phases figure: a heat map of the ratio, linear colours" sh -c "grep -q 'using 1:2:.*:5 with boxxyerror' fp.gp && grep -q 'unset logscale cb' fp.gp && grep -q \"set ylabel 'coordinate i'\" fp.gp && $FIGCHECK fp.gp fp.pts visible && test -s fp.png"
  check "phases figure: one cell per (t, i)" test "$(awk '/^# Curve 1 /{exit} /^# Curve 0 /{on=1} on && NF == 8' fp.pts | wc -l)" -eq "$(grep -v '^#' fp.tsv | tail -n +2 | wc -l)"
  check "phases figure: the front over it, from the first block (a count of 0 left out on the log axis)" grep -q "using 1:(\\\$6 > 0 ? \\\$6 : NaN) every :::0::0 with lines .*activation front D(t)" fp.gp
  check "phases figure: .dat in blocks of one coordinate" python3 -c "
blocks = open('fp.dat').read().split('\\n\\n')
assert len(blocks) == 12, len(blocks)
for k, b in enumerate(blocks):
    rows = [l.split('\\t') for l in b.strip().split('\\n') if not l.startswith('#') and not l.startswith('t\\t')]
    assert {float(r[1]) for r in rows} == {k + 1.0}, k
"
  "$R" compare quad $CQ --plot fq.png >/dev/null 2>&1
  points fq
  check "compare quad figure: theory line, simulation with 2-se bars, z panel" sh -c "grep -q \"using 1:3 smooth unique with lines .*'risk: theory'\" fq.gp && grep -q 'using 1:4:(2\\*\\\$5) with yerrorbars' fq.gp && $FIGCHECK fq.gp fq.pts zpanel fq.dat 6 && test -s fq.png"
  "$R" compare quad $CQ --y bias,variance --plot fqp.png >/dev/null 2>&1
  check "compare quad figure: --y draws the parts" sh -c "grep -q \"'bias: theory'\" fqp.gp && grep -q \"'variance: theory'\" fqp.gp"
  "$R" compare quad-vs-linear $VS --plot fv.png >/dev/null 2>&1
  check "quad-vs-linear figure: both errors with slopes in the legend, approx as the floor" sh -c "grep -q \"using 1:5 .*quadratic model (tuned eta): slope -\" fv.gp && grep -q \"using 1:8 .*linear SGD (tuned gamma): slope -\" fv.gp && grep -q 'approx: the floor' fv.gp && test -s fv.png"
  rm -f fr.* fh.* fy.* fk.* fm.* fc.* fp.* fq.* fqp.* fv.*
  check "no figure temporaries left" no_leftovers
else
  ok "figures # skipped: gnuplot is not installed"
fi

echo "cli_quad: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
