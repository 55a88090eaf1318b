#!/bin/sh
# tests/cli/cli_ridge.sh -- the command-line contract of `riskcalc ridge`, `riskcalc rf` and
# `riskcalc compare ridge|rf` (docs/RIDGE.md):
#   riskcalc ridge [--method de|mc] [spectrum] --d D|inf [--b B | --prior FILE] --n LIST
#     --lambda LIST [--sigma2 S] [--optimal-lambda] [--runs R --seed K] [--format ...]
#     [--output F] [--plot F]
#   riskcalc rf ... --P LIST --n LIST --lambda LIST ...
# Help (every option, the df normalisation, the decomposition); the columns of every table;
# the identities between them; lambda = 0 on both sides of n = d and the refused peak; the
# limits P = inf (ridge) and n = inf (the sketch's approximation error); the optimal lambda
# (the Bayes ridge sigma2/n of an isotropic prior); the Monte Carlo (reproducible, near the
# equivalent, standard errors); no nan or inf ever printed as a result; every error path (exit
# 2, one line on stderr, nothing on stdout, no file left); the .dat and .gp of every figure
# kind; compare's exit statuses 0, 1, 2. Uses $RISKCALC (default build/riskcalc) and python3.
. "$(dirname "$0")/lib_cli.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
cli_begin cli_ridge

# py FILE CODE: runs CODE with t = the table of FILE (a list of dicts of floats, header from the
# first non-comment line) and meta = its "# key: value" lines; the check passes when it exits 0.
py() {
  f=$1
  shift
  python3 - "$f" "$@" <<'EOF'
import sys, math
path, code = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
meta = dict(l[2:].split(': ', 1) for l in lines if l.startswith('# ') and ': ' in l)
body = [l for l in lines if not l.startswith('#') and l]
cols = body[0].split('\t')
t = [dict(zip(cols, map(float, l.split('\t')))) for l in body[1:]]
def rel(a, b, tol):
    return abs(a - b) <= tol * max(abs(a), abs(b))
exec(code)
EOF
}

# The table holds no nan and no inf except where allowed (the P and n coordinates).
finite() {
  ! rows "$1" | cut -f"${2:-1-}" | grep -qi -e nan -e inf
}

printf '1\n0.5\n0.25\n0.125\n0.0625\n0.03\n' >fx_spec6.txt
printf '1\n1\n1\n1\n1\n1\n' >fx_prior6.txt
printf '1\n1\n' >fx_prior2.txt

RIDGE_COLS=$(printf 'n\tlambda\tkappa\tdf1\tdf2\tbias\tvar_x\tvar_noise\tvariance\ttest\ttrain\tgcv')
RF_COLS=$(printf 'P\tn\tlambda\tkappa\tkappa1\tdf1\tdf2\tbias\tvar_x\tvar_noise\tvar_f\ttest\ttrain')

# ---------------------------------------------------------------- help
"$R" --help >h.txt 2>&1
check "riskcalc --help lists ridge and rf" sh -c "grep -q '^  ridge ' h.txt && grep -q '^  rf ' h.txt"
"$R" ridge --help >rh.txt 2>rh.err
check "ridge --help exit 0" test $? -eq 0 -a ! -s rh.err
check "ridge --help: every option" sh -c "for o in method optimal-lambda a log-a spectrum d b prior sigma2 n lambda runs seed format output plot; do grep -q -e \"^  --\$o \" -e \"^  --\$o\\\$\" rh.txt || { echo missing \$o; exit 1; }; done"
check "ridge --help: columns and df normalisation" sh -c "grep -q 'n lambda kappa df1 df2 bias var_x var_noise variance test train gcv' rh.txt && grep -q 'NOT normalised by n' rh.txt && grep -q 'interpolation\\|n = d' rh.txt"
"$R" rf --help >fh.txt 2>fh.err
check "rf --help exit 0" test $? -eq 0 -a ! -s fh.err
check "rf --help: every option, columns, decomposition" sh -c "for o in method optimal-lambda a d b prior sigma2 P n lambda runs seed format output plot; do grep -q -- \"--\$o \" fh.txt || exit 1; done; grep -q 'P n lambda kappa kappa1 df1 df2 bias var_x var_noise var_f test train' fh.txt && grep -q 'conditioning' fh.txt && grep -q 'INCLUDING their interaction' fh.txt"
"$R" compare ridge --help >ch.txt 2>&1
check "compare ridge --help" sh -c "grep -q 'riskcalc compare ridge' ch.txt && grep -q -- '--z-max' ch.txt && grep -q -- '--n ' ch.txt"
"$R" compare rf --help >cf.txt 2>&1
check "compare rf --help" sh -c "grep -q 'riskcalc compare rf' cf.txt && grep -q -- '--P ' cf.txt"

# ---------------------------------------------------------------- ridge, deterministic equivalent
"$R" ridge --a 1.5 --d 200 --n 50,150,199,201,400 --lambda 0,1e-3,0.1 --sigma2 0.1 --b 2 >r.tsv 2>r.err
check "ridge de runs" test $? -eq 0 -a ! -s r.err
check "ridge columns" test "$(rows r.tsv | head -n 1)" = "$RIDGE_COLS"
check "ridge rows: n x lambda, lambda fastest" py r.tsv "
assert [(r['n'], r['lambda']) for r in t] == [(n, l) for n in (50, 150, 199, 201, 400) for l in (0, 1e-3, 0.1)]"
check "ridge identities (test, variance, gcv = test, train = (1 - df1/n)^2 test)" py r.tsv "
for r in t:
    assert rel(r['test'], 0.1 + r['bias'] + r['variance'], 1e-14), r
    assert rel(r['variance'], r['var_x'] + r['var_noise'], 1e-14), r
    assert r['gcv'] == r['test'], r
    assert rel(r['train'], (1 - r['df1'] / r['n'])**2 * r['test'], 1e-9) or r['train'] < 1e-12, r
    assert r['df1'] <= min(r['n'], 200) * (1 + 1e-12) and r['df2'] <= r['df1'] * (1 + 1e-12), r"
check "lambda = 0 on both sides of n = d (the peak grows towards it)" py r.tsv "
z = {r['n']: r for r in t if r['lambda'] == 0}
assert z[199]['test'] > 10 * z[50]['test'] and z[201]['test'] > 10 * z[400]['test']
assert z[50]['kappa'] > 0 and z[201]['kappa'] == 0 and z[201]['bias'] == 0 and z[400]['df1'] == 200
assert z[199]['train'] == 0 and rel(z[400]['train'], 0.1 * (1 - 200 / 400)**2 * 2, 1e-12)"
check "ridge: no nan or inf" finite r.tsv
check "ridge header: df not normalised, decomposition, dimension" sh -c "grep -q '^# df: .*not normalised by n' r.tsv && grep -q '^# columns: .*var_x' r.tsv && grep -q '^# dimension: 200' r.tsv"
ERR_CASE_NO_FILE=out.tsv
mkdir peak && cd peak || exit 1
err_case "ridge: lambda = 0 at n = d refused" "n = 200, lambda = 0: lambda = 0 at n = d = 200: the expected test error is infinite (the interpolation peak)" ridge --a 1.5 --d 200 --n 100,200 --lambda 0,0.1 --output out.tsv
err_case "rf: lambda = 0 at n = P refused" "interpolation peak" rf --a 1.5 --d 200 --P 80 --n 80 --lambda 0 --output out.tsv
err_case "ridge mc: lambda = 0 at n = d + 1 refused" "interpolation peak" ridge --method mc --runs 5 --a 1.5 --d 50 --n 51 --lambda 0 --output out.tsv
ERR_CASE_NO_FILE=
check "the refused peak leaves nothing behind" sh -c "test -z \"\$(ls -A)\""
cd "$T" || exit 1

"$R" ridge --a 1.5 --d 200 --n 100 --lambda 0.01 --format csv >r.csv 2>/dev/null
check "ridge csv" sh -c "grep -v '^#' r.csv | head -n 1 | grep -q '^n,lambda,kappa,df1,df2,bias,var_x,var_noise,variance,test,train,gcv\$'"
"$R" ridge --a 1.5 --d 200 --n 100 --lambda 0.01 --format json >r.json 2>/dev/null
check "ridge json" python3 -c "
import json; j = json.load(open('r.json'))
assert j['columns'][0] == 'n' and len(j['rows']) == 1 and j['rows'][0]['lambda'] == 0.01 and 'df' in j['meta']"
"$R" ridge --spectrum fx_spec6.txt --prior fx_prior6.txt --n 3,9 --lambda 0,0.5 >rf6.tsv 2>/dev/null
check "ridge from files (d = 6)" py rf6.tsv "assert len(t) == 4 and rel(t[0]['df1'], 3, 1e-15) and rel(t[2]['df1'], 6, 1e-15)"
"$R" ridge --log-a 1.2 --d 300 --n 100 --lambda 0.01 >rl.tsv 2>/dev/null
check "ridge log-power law" grep -q 'log power law' rl.tsv
check "ridge log-power law: finite" finite rl.tsv

# ---------------------------------------------------------------- random features
"$R" rf --a 1.5 --d 200 --b 2 --P 50,inf --n 30,100,inf --lambda 0,0.01 --sigma2 0.1 >f.tsv 2>f.err
check "rf de runs" test $? -eq 0 -a ! -s f.err
check "rf columns" test "$(rows f.tsv | head -n 1)" = "$RF_COLS"
check "rf identities (test = sigma2 + bias + var_f + var_x + var_noise)" py f.tsv "
for r in t:
    assert rel(r['test'], 0.1 + r['bias'] + r['var_f'] + r['var_x'] + r['var_noise'], 1e-14), r
    assert r['var_f'] >= 0 and r['var_x'] >= 0 and r['var_noise'] >= 0, r"
check "rf: results finite (inf only as P or n)" finite f.tsv 3-
"$R" ridge --a 1.5 --d 200 --b 2 --n 30,100 --lambda 0,0.01 --sigma2 0.1 >fr.tsv 2>/dev/null
check "rf P = inf is ridge" python3 - <<'EOF'
def load(p):
    b = [l for l in open(p) if not l.startswith('#')]
    c = b[0].split()
    return [dict(zip(c, map(float, l.split()))) for l in b[1:]]
rf, ridge = load('f.tsv'), load('fr.tsv')
inf = [r for r in rf if r['P'] == float('inf') and r['n'] != float('inf')]
assert len(inf) == len(ridge) == 4
for a, b in zip(inf, ridge):
    for k in ('kappa', 'df1', 'df2', 'bias', 'var_x', 'var_noise', 'test', 'train'):
        assert abs(a[k] - b[k]) <= 1e-14 * abs(b[k]) + 1e-300, (k, a[k], b[k])
    assert a['var_f'] == 0
EOF
"$R" linear --method de --a 1.5 --d 200 --b 2 --M 50 --N 1 --sigma2 0.1 >lin.tsv 2>/dev/null
check "rf n = inf, lambda = 0 is the sketch's approximation error (linear de, M = P)" python3 -c "
rf = [l.split() for l in open('f.tsv') if not l.startswith('#')][1:]
lin = [l.split() for l in open('lin.tsv') if not l.startswith('#')]
row = [r for r in rf if r[0] == '50' and r[1] == 'inf' and r[2] == '0'][0]
approx = float(lin[1][lin[0].index('approx')])
assert abs(float(row[11]) - 0.1 - approx) <= 1e-13 * approx, (row[11], approx)"
"$R" rf --a 1.5 --d 200 --P 50 --n 100 --lambda 0.01 --format json >f.json 2>/dev/null
check "rf json" python3 -c "
import json; j = json.load(open('f.json')); assert j['columns'][4] == 'kappa1' and j['rows'][0]['P'] == 50"

# ---------------------------------------------------------------- d = inf (a law's plan)
"$R" ridge --a 1.5 --d inf --b 2 --n 10,1e3,1e5 --lambda 0,1e-3 --sigma2 0.1 >i.tsv 2>i.err
check "ridge --d inf runs" test $? -eq 0 -a ! -s i.err
check "d = inf header: dimension, signal zeta(2), the tail and its bound" sh -c "grep -q '^# dimension: inf' i.tsv && grep -q '^# signal: tr(H P) = 1.644934066848' i.tsv && grep -q '^# tail: eigenvalues 1..1048576 summed explicitly' i.tsv"
check "d = inf: identities, df1 = n at lambda = 0, no nan" py i.tsv "
for r in t:
    assert rel(r['test'], 0.1 + r['bias'] + r['variance'], 1e-14), r
    if r['lambda'] == 0:
        assert rel(r['df1'], r['n'], 1e-12) and r['train'] == 0, r"
"$R" ridge --a 1.5 --d 2000000 --b 2 --n 10,1e3,1e5 --lambda 0,1e-3 --sigma2 0.1 >i2.tsv 2>/dev/null
check "d = 2e6 also through the law (tail in the header)" sh -c "grep -q '^# tail: ' i2.tsv && grep -q '^# dimension: 2000000 ' i2.tsv"
"$R" rf --a 1.5 --d inf --b 2 --P 100 --n inf --lambda 0 --sigma2 0.1 >ii.tsv 2>/dev/null
"$R" linear --method de --a 1.5 --d inf --b 2 --M 100 --N 1 --sigma2 0.1 >iil.tsv 2>/dev/null
check "rf at d = inf, n = inf: the sketch's approximation error at M = P" python3 -c "
rf = [l.split() for l in open('ii.tsv') if not l.startswith('#')]
lin = [l.split() for l in open('iil.tsv') if not l.startswith('#')]
t = float(rf[1][rf[0].index('test')]); a = float(lin[1][lin[0].index('approx')])
assert abs(t - 0.1 - a) <= 1e-12 * a, (t, a)"

# ---------------------------------------------------------------- optimal lambda
"$R" ridge --a 1.5 --d 300 --n 50,200,1000 --lambda 1e-6:10:2 --sigma2 0.5 --optimal-lambda >o.tsv 2>o.err
check "optimal de runs" test $? -eq 0 -a ! -s o.err
check "optimal columns" test "$(rows o.tsv | head -n 1)" = "$(printf 'n\tlambda_opt\ttest_opt\tlambda_gcv\ttest_gcv\tgcv')"
check "optimal de: the Bayes ridge sigma2/n of the isotropic prior; GCV minimiser the same" py o.tsv "
for r in t:
    assert rel(r['lambda_opt'] * r['n'], 0.5, 1e-6), r
    assert r['lambda_gcv'] == r['lambda_opt'] and r['test_gcv'] == r['test_opt'] == r['gcv'], r"
check "optimal de header: interval and what gcv is" sh -c "grep -q '^# lambda interval: \[9.9999999999999995e-07, 10\]' o.tsv && grep -q 'deterministic GCV equals the test error' o.tsv"
"$R" rf --a 1.5 --d 300 --P 100,400 --n 200 --lambda 1e-6:10:2 --sigma2 0.5 --optimal-lambda >fo.tsv 2>/dev/null
check "rf optimal de" py fo.tsv "
assert [(r['P'], r['n']) for r in t] == [(100, 200), (400, 200)] and t[1]['test_opt'] < t[0]['test_opt']"
"$R" ridge --a 1.5 --d 300 --n 100 --lambda 1e-6:1e-4:2 --sigma2 0.5 --optimal-lambda >oe.tsv 2>oe.err
check "optimal at an interval end: warning, value at the end" sh -c "grep -q 'warning: n = 100: .*end of \[1e-06, 0.0001\]' oe.err && test \$(wc -l <oe.err) -eq 1"
"$R" ridge --method mc --runs 12 --seed 3 --a 1.5 --d 100 --n 40,200 --lambda 1e-5:10:2 --sigma2 0.5 --optimal-lambda >om.tsv 2>om.err
check "optimal mc runs" test $? -eq 0
check "optimal mc columns" test "$(rows om.tsv | head -n 1)" = "$(printf 'n\tlambda_opt\ttest_opt\tlambda_gcv\ttest_gcv\tgcv\tlambda_opt_se\ttest_opt_se\tlambda_gcv_se\ttest_gcv_se\tgcv_se')"
check "optimal mc: GCV choice no better than the oracle, both near sigma2/n" py om.tsv "
for r in t:
    assert r['test_gcv'] >= r['test_opt'], r
    assert rel(r['lambda_opt'] * r['n'], 0.5, 0.3) and rel(r['lambda_gcv'] * r['n'], 0.5, 0.5), r
    assert r['lambda_opt_se'] > 0 and r['test_gcv_se'] > 0, r"
check "optimal mc header says what the columns are" sh -c "grep -q 'oracle' om.tsv && grep -q 'GCV' om.tsv"

# ---------------------------------------------------------------- Monte Carlo
"$R" ridge --method mc --runs 40 --seed 4 --a 1.5 --d 100 --b 2 --n 30,150 --lambda 0,0.01 --sigma2 0.2 >m.tsv 2>m.err
check "ridge mc runs" test $? -eq 0
check "ridge mc columns: the table's, then the standard errors" test "$(rows m.tsv | head -n 1)" = "$RIDGE_COLS$(printf '\tkappa_se\tdf1_se\tdf2_se\tbias_se\tvar_x_se\tvar_noise_se\tvariance_se\ttest_se\ttrain_se\tgcv_se')"
check "ridge mc: no nan or inf" finite m.tsv
"$R" ridge --a 1.5 --d 100 --b 2 --n 30,150 --lambda 0,0.01 --sigma2 0.2 >md.tsv 2>/dev/null
check "ridge mc near the equivalent (test within 5%, split adds up)" python3 - <<'EOF'
def load(p):
    b = [l for l in open(p) if not l.startswith('#')]
    c = b[0].split()
    return [dict(zip(c, map(float, l.split()))) for l in b[1:]]
for m, d in zip(load('m.tsv'), load('md.tsv')):
    assert abs(m['test'] / d['test'] - 1) < 0.05, (m, d)
    assert abs(m['bias'] + m['var_x'] + m['var_noise'] + 0.2 - m['test']) < 1e-12 * m['test']
    assert m['test_se'] > 0 and m['n'] == d['n'] and m['lambda'] == d['lambda']
EOF
"$R" ridge --method mc --runs 40 --seed 4 --a 1.5 --d 100 --b 2 --n 30,150 --lambda 0,0.01 --sigma2 0.2 >m2.tsv 2>/dev/null
check "ridge mc reproducible" cmp -s m.tsv m2.tsv
"$R" ridge --method mc --runs 40 --seed 5 --a 1.5 --d 100 --b 2 --n 30,150 --lambda 0,0.01 --sigma2 0.2 >m3.tsv 2>/dev/null
check "ridge mc: another seed, other numbers" sh -c "! cmp -s m.tsv m3.tsv"
check "ridge mc header: runs, seed, estimators" sh -c "grep -q '^# runs: 40' m.tsv && grep -q '^# mc seed: 4' m.tsv && grep -q 'finite-runs correction' m.tsv"
"$R" rf --method mc --runs 30 --a 1.5 --d 100 --P 40 --n 60,200 --lambda 0.01 --sigma2 0.2 >fm.tsv 2>/dev/null
check "rf mc columns" test "$(rows fm.tsv | head -n 1)" = "$RF_COLS$(printf '\tkappa_se\tkappa1_se\tdf1_se\tdf2_se\tbias_se\tvar_x_se\tvar_noise_se\tvar_f_se\ttest_se\ttrain_se')"
check "rf mc: df2 estimated, no nan" finite fm.tsv
"$R" rf --a 1.5 --d 100 --P 40 --n 60,200 --lambda 0.01 --sigma2 0.2 >fd.tsv 2>/dev/null
check "rf mc near the equivalent (test 6%, df2 5%)" python3 - <<'EOF'
def load(p):
    b = [l for l in open(p) if not l.startswith('#')]
    c = b[0].split()
    return [dict(zip(c, map(float, l.split()))) for l in b[1:]]
for m, d in zip(load('fm.tsv'), load('fd.tsv')):
    assert abs(m['test'] / d['test'] - 1) < 0.06 and abs(m['df2'] / d['df2'] - 1) < 0.05, (m, d)
EOF

# ---------------------------------------------------------------- errors
# (in an empty directory: a failed run leaves nothing behind)
mkdir errs && cd errs || exit 1
ERR_CASE_NO_FILE=out.tsv
err_case "unknown method" "--method: unknown method 'exact' (available: de, mc)" ridge --method exact --a 1.5 --d 50 --n 10 --lambda 0 --output out.tsv
err_case "rf unknown method" "unknown method" rf --method closed --a 1.5 --d 50 --P 5 --n 10 --lambda 0 --output out.tsv
err_case "--n required" "--n is required (for example --n 10:1e4:30)" ridge --a 1.5 --d 50 --lambda 0 --output out.tsv
err_case "--lambda required" "--lambda is required" ridge --a 1.5 --d 50 --n 10 --output out.tsv
err_case "--P required" "--P is required" rf --a 1.5 --d 50 --n 10 --lambda 0 --output out.tsv
err_case "--d required" "--d is required" ridge --a 1.5 --n 10 --lambda 0 --output out.tsv
err_case "negative lambda" "--lambda: '-0.1' must be >= 0" ridge --a 1.5 --d 50 --n 10 --lambda 0,-0.1 --output out.tsv
err_case "lambda range from 0" "--lambda: in range '0:1:5'" ridge --a 1.5 --d 50 --n 10 --lambda 0:1:5 --output out.tsv
err_case "n = 0" "--n: '0' is not an integer" ridge --a 1.5 --d 50 --n 0 --lambda 0.1 --output out.tsv
err_case "fractional n" "--n: '2.5'" ridge --a 1.5 --d 50 --n 2.5 --lambda 0.1 --output out.tsv
err_case "P = 0" "--P: '0'" rf --a 1.5 --d 50 --P 0 --n 10 --lambda 0.1 --output out.tsv
err_case "ridge n = inf" "sample size n must be finite for ridge" ridge --a 1.5 --d 50 --n inf --lambda 0.1 --output out.tsv
err_case "mc n = inf" "--n: 'inf'" ridge --method mc --a 1.5 --d 50 --n inf --lambda 0.1 --output out.tsv
err_case "mc P = inf" "--P: 'inf'" rf --method mc --a 1.5 --d 50 --P inf --n 10 --lambda 0.1 --output out.tsv
err_case "negative sigma2" "--sigma2 must be finite and >= 0" ridge --a 1.5 --d 50 --n 10 --lambda 0.1 --sigma2 -1 --output out.tsv
err_case "--runs with de" "--runs belongs to the Monte Carlo: use it with --method mc" ridge --a 1.5 --d 50 --n 10 --lambda 0.1 --runs 5 --output out.tsv
err_case "--seed with de" "--seed belongs to the Monte Carlo" rf --a 1.5 --d 50 --P 5 --n 10 --lambda 0.1 --seed 5 --output out.tsv
err_case "--runs 2" "at least 3 runs" ridge --method mc --runs 2 --a 1.5 --d 50 --n 10 --lambda 0.1 --output out.tsv
err_case "mc --d inf" "--d inf is available with the deterministic equivalent (--method de) only" ridge --method mc --a 1.5 --d inf --n 10 --lambda 0.1 --output out.tsv
err_case "d = inf: a kappa below the plan's range" "kappa = " ridge --a 1.5 --d inf --n 1e9 --lambda 0 --output out.tsv
err_case "mc beyond the work limit" "reduce --runs, --n, --lambda or d" ridge --method mc --runs 1000000000 --a 1.5 --d 1000 --n 1000 --lambda 0.1 --output out.tsv
err_case "mc beyond memory" "GiB" rf --method mc --runs 100000 --a 1.5 --d 20000 --P 100 --n 100 --lambda 0.1,1 --output out.tsv
err_case "spectrum and a" "give only one of --a, --log-a and --spectrum" ridge --a 1.5 --spectrum ../fx_spec6.txt --n 3 --lambda 0 --output out.tsv
err_case "prior size" "has 2 values but d = 6" ridge --spectrum ../fx_spec6.txt --prior ../fx_prior2.txt --n 3 --lambda 0 --output out.tsv
err_case "--optimal-lambda needs an interval" "--optimal-lambda searches between the smallest positive and the largest --lambda" ridge --a 1.5 --d 50 --n 10 --lambda 0,0.1 --optimal-lambda --output out.tsv
err_case "unknown option" "unknown option" ridge --a 1.5 --d 50 --n 10 --lambda 0.1 --M 3 --output out.tsv
err_case "--P is rf's" "unknown option" ridge --a 1.5 --d 50 --P 10 --n 10 --lambda 0.1 --output out.tsv
err_case "bad plot name" "--plot: 'x.gif' must end in .png" ridge --a 1.5 --d 50 --n 10 --lambda 0.1 --plot x.gif --output out.tsv
err_case "figure axis with P = inf" "--plot: P = inf (a limit) cannot sit on the figure's P axis" rf --a 1.5 --d 50 --P 10,inf --n 10,20 --lambda 0.1 --plot hm.png --output out.tsv
err_case "three varying coordinates" "--plot: a figure shows curves against one of P, n and lambda" rf --a 1.5 --d 50 --P 10,20 --n 10,20 --lambda 0.1,1 --plot hm.png --output out.tsv
err_case "--y names a quantity the figure lacks" "--y" ridge --a 1.5 --d 50 --n 10,20 --lambda 0.1 --plot y.png --y var_f --output out.tsv
err_case "--y without --plot" "--y shapes the figure: it needs --plot FILE" ridge --a 1.5 --d 50 --n 10,20 --lambda 0.1 --y test --output out.tsv
ERR_CASE_NO_FILE=
check "no file left behind by the failures" sh -c "test -z \"\$(ls -A)\""
cd "$T" || exit 1

# ---------------------------------------------------------------- output and figures
"$R" ridge --a 1.5 --d 200 --n 50 --lambda 0.1 --output keep.tsv >so.txt 2>se.txt
check "--output: the file, nothing on stdout" sh -c "test -s keep.tsv -a ! -s so.txt -a ! -s se.txt && grep -q '^50' keep.tsv"
rm -f keep.tsv

# fig NAME ARGS...: riskcalc ARGS --plot NAME.png writes the figure, its .dat (the table) and
# .gp, and gnuplot draws the points of NAME.gp into NAME.pts (tests/cli/figcheck.py reads them)
FIGCHECK="/usr/bin/python3 $HERE/figcheck.py"
fig() {
  name=$1
  shift
  "$R" "$@" --plot "$name.png" >"$name.tsv" 2>"$name.err"
  rc=$?
  if [ $rc -gt 1 ] || [ ! -s "$name.png" ] || [ ! -s "$name.dat" ] || [ ! -s "$name.gp" ]; then
    fail "figure $name" "exit $rc: $(cat "$name.err")"
    return
  fi
  if [ "$(rows "$name.dat" | head -n 1)" != "$(rows "$name.tsv" | head -n 1 | tr , '\t')" ]; then
    fail "figure $name" ".dat header differs from the table's"
    return
  fi
  gnuplot -e "tablefile=\"$name.pts\"" "$name.gp" 2>"$name.gperr"
  if ! $FIGCHECK "$name.gp" "$name.pts" visible; then
    fail "figure $name" "points outside the ranges"
    return
  fi
  ok "figure $name"
}
fig lc ridge --a 1.5 --d 200 --n 20:2000:30 --lambda 0 --sigma2 0.1
check "learning curve: against n, test (col 10) and its parts, sigma2, lambda in the caption" sh -c "grep -q 'using 1:10 ' lc.gp && grep -q 'using 1:6 ' lc.gp && grep -q 'using 1:8 ' lc.gp && grep -q 'noise σ² = 0.1' lc.gp && grep -q \"set xlabel 'n (training samples)'\" lc.gp && grep -q 'lambda = 0' lc.gp"
check "learning curve data: the peak at n = d" py lc.dat "
peak = max(t, key=lambda r: r['test']); assert 150 < peak['n'] < 260, peak"
fig lam ridge --a 1.5 --d 200 --n 100 --lambda 1e-5:10:25 --sigma2 0.1
check "against lambda: optimum marked (dotted line and point), train drawn" sh -c "grep -q '^set arrow from ' lam.gp && grep -q \"'+' using (\" lam.gp && grep -q 'optimum (= GCV min) at' lam.gp && grep -q 'using 2:11 ' lam.gp && grep -q '^# optimum: lambda = ' lam.tsv"
fig lamm ridge --method mc --runs 10 --a 1.5 --d 60 --n 30 --lambda 1e-4:10:6 --sigma2 0.1
check "mc against lambda: 2-se error bars, gcv, oracle and GCV choice marked" sh -c "grep -q 'using 2:10:(2\*\$20) with yerrorbars' lamm.gp && grep -q 'oracle optimum (mean) at' lamm.gp && grep -q 'GCV choice (mean) at' lamm.gp && grep -q 'using 2:12:(2\*\$22)' lamm.gp"
fig rfp rf --a 1.5 --d 200 --P 10:1000:20 --n 100 --lambda 1e-3 --sigma2 0.1
check "rf against P: var_f drawn, the fixed n and lambda in the caption" sh -c "grep -q 'using 1:11 ' rfp.gp && grep -q 'P (random features)' rfp.gp && grep -q 'n = 100, lambda = 1e-3' rfp.gp"
fig heat rf --a 1.5 --d 200 --P 10:1000:8 --n 10:1000:8 --lambda 1e-3
check "heat map over (n, P) of the test error: cells on the grid" sh -c "grep -q 'using 2:1:.*:12 with boxxyerror' heat.gp && $FIGCHECK heat.gp heat.pts cells"
fig hl0 ridge --a 1.5 --d 100 --n 10,30,300 --lambda 0,1e-3,1e-1
check "heat map with lambda = 0: a linear lambda axis (no refusal)" sh -c "grep -q 'with boxxyerror' hl0.gp && grep -q '^unset logscale x' hl0.gp"
fig opt ridge --a 1.5 --d 200 --n 20:2000:6 --lambda 1e-6:10:2 --sigma2 0.5 --optimal-lambda
check "optimal figure: test and lambda against n" sh -c "grep -q 'using 1:3 ' opt.gp && grep -q 'using 1:2 ' opt.gp"
fig cmp compare ridge --runs 20 --a 1.5 --d 100 --n 20:400:5 --lambda 0.01 --sigma2 0.1 --y test,bias,var_x
check "compare figure: theory lines, 2-se bars, the parts asked by --y, z-scores below" sh -c "grep -q 'using 1:3 smooth unique with lines' cmp.gp && grep -q 'using 1:4:(2\*\$5) with yerrorbars' cmp.gp && grep -q \"title 'var_x: theory'\" cmp.gp && grep -q 'using 1:6 with points' cmp.gp"
fig cmpf compare rf --runs 10 --a 1.5 --d 60 --P 10,20,40 --n 50 --lambda 0.05 --sigma2 0.1
check "compare rf figure against P (n and lambda fixed)" sh -c "grep -q \"set xlabel 'P (random features)'\" cmpf.gp"
"$R" ridge --a 1.5 --d 100 --n 10:1000:5 --lambda 0.01 --plot y.png --y test,df1 >y.tsv 2>y.err
check "--y draws other columns (df1)" sh -c "grep -q \"title 'df1'\" y.gp && ! grep -q \"title 'bias'\" y.gp"

# ---------------------------------------------------------------- compare
"$R" compare ridge --runs 40 --a 1.5 --d 100 --b 2 --n 40,120 --lambda 0.01,0.1 --sigma2 0.2 >c.tsv 2>c.err
rc=$?
check "compare ridge agrees: exit 0, verdicts on stderr and as the last lines" sh -c "test $rc -eq 0 && grep -q '^riskcalc compare: agree, max |z| = .* over 4 points' c.err && grep -q '^riskcalc compare: parts: agree, .* over 20 values' c.err && tail -n 1 c.tsv | grep -q '^# verdict: agree' && tail -n 2 c.tsv | head -n 1 | grep -q '^# parts: agree'"
check "compare ridge columns" test "$(rows c.tsv | head -n 1 | cut -f1-10)" = "$(printf 'n\tlambda\ttheory\tmean\tse\tz\tbias_theory\tbias_mean\tbias_se\tbias_z')"
check "compare ridge: the test error and every part, z = (mean - theory)/se" py c.tsv "
for p in ('', 'bias_', 'var_x_', 'var_noise_', 'train_', 'gcv_'):
    for r in t:
        assert rel(r[p + 'z'], (r[p + 'mean'] - r[p + 'theory']) / r[p + 'se'], 1e-12), (p, r)"
RISKCALC_TEST_PERTURB_THEORY=1.3 "$R" compare ridge --runs 40 --a 1.5 --d 100 --b 2 --n 40,120 --lambda 0.01,0.1 --sigma2 0.2 >cp.tsv 2>cp.err
rc=$?
check "compare ridge: a wrong theory disagrees, exit 1" sh -c "test $rc -eq 1 && grep -q 'disagree' cp.err"
"$R" compare rf --runs 30 --a 1.5 --d 100 --P 40,120 --n 80 --lambda 0.05 --sigma2 0.2 >cf.tsv 2>cf.err
rc=$?
check "compare rf agrees: exit 0, parts with var_f" sh -c "test $rc -eq 0 && grep -q 'var_f_z' cf.tsv && grep -q 'over 2 points' cf.err && grep -q 'over 10 values' cf.err"
RISKCALC_TEST_PERTURB_THEORY=0.7 "$R" compare rf --runs 30 --a 1.5 --d 100 --P 40,120 --n 80 --lambda 0.05 --sigma2 0.2 >cfp.tsv 2>/dev/null
check "compare rf: a wrong theory disagrees, exit 1" test $? -eq 1
"$R" compare ridge --runs 200 --a 1.5 --d 100 --n 150 --lambda 0 --sigma2 0.2 >c0.tsv 2>c0.err
rc=$?
check "compare ridge resolves the O(1/n) correction at lambda = 0, n > d (exit 1)" sh -c "test $rc -eq 1 && grep -q 'disagree, .*n = 150, lambda = 0' c0.err"
cd errs || exit 1
ERR_CASE_NO_FILE=out.tsv
err_case "compare ridge needs finite d" "--d inf is available with the deterministic equivalent" compare ridge --a 1.5 --d inf --n 10 --lambda 0.1 --output out.tsv
err_case "compare ridge: no --optimal-lambda" "unknown option" compare ridge --a 1.5 --d 50 --n 10 --lambda 0.1 --optimal-lambda --output out.tsv
err_case "compare rf: plot over three varying coordinates" "--plot: the figure has two axes (lambda, n); give a single value of P" compare rf --a 1.5 --d 50 --P 10,20 --n 30,40 --lambda 0.1,1 --plot g.png --output out.tsv
err_case "compare ridge: bad z-max" "--z-max must be > 0" compare ridge --a 1.5 --d 50 --n 30 --lambda 0.1 --z-max 0 --output out.tsv
err_case "compare unknown model" "unknown model 'lasso' (available: linear, quad, quad-vs-linear, ridge, rf)" compare lasso --output out.tsv
ERR_CASE_NO_FILE=
check "no file left behind by compare's failures" sh -c "test -z \"\$(ls -A)\""
cd "$T" || exit 1

echo "cli_ridge: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
