"""riskcalc.ridge and riskcalc.rf: ridge regression and linear random features, as
`riskcalc ridge` and `riskcalc rf` (src/cli/cmd_ridge.c, cmd_rf.c, ridge_problem.c,
ridge_run.c) compute their tables through the public C API. The library names the columns
(rc_ridge_columns, rc_rf_columns) and turns a row into them (rc_*_row_values)."""
import ctypes
import math
import warnings

from . import _lib
from ._lib import Error, check, lib
from ._problem import Progress, SharedProblem, fmt, list_text, whole
from ._result import Result

LIST_WHOLE, LIST_ZERO, LIST_INF = 1, 2, 4
LAW_MIN_D = 1048576.0  # RIDGE_LAW_MIN_D
WORK_LIMIT = 1e14  # RC_WORK_LIMIT
EXAMPLES = {"lambda": "0,1e-3,0.1", "n": "10:1e4:30", "P": "100,1000"}
OPTIMAL_POINTS = 264  # RC_RIDGE_OPTIMAL_POINTS
OPTIMAL_COLUMNS = ["P", "n", "lambda_opt", "test_opt", "lambda_gcv", "test_gcv", "gcv"]


def parse_values(name, value, flags):
    """rc_io_parse_values: the tool's lists of numbers (inf allowed by flags)."""
    if value is None:
        raise Error("%s is required (for example %s=\"%s\")" % (name, name, EXAMPLES[name]))
    if not isinstance(value, str) and hasattr(value, "__iter__"):
        value = ",".join(x if isinstance(x, str) else
                         ("inf" if math.isinf(float(x)) else repr(float(x))) for x in value)
    elif not isinstance(value, str):
        value = "inf" if math.isinf(float(value)) else repr(float(value))
    values = ctypes.POINTER(ctypes.c_double)()
    count = ctypes.c_size_t(0)
    err = _lib.c_error()
    check(lib.rc_io_parse_values(list_text(value).encode(), flags, ctypes.byref(values),
                                 ctypes.byref(count), ctypes.byref(err)), err, name)
    out = [values[k] for k in range(count.value)]
    _lib.libc.free(values)
    return out


def check_work(work, what):
    if work > WORK_LIMIT:
        raise Error("this job needs about %.2g elementary updates, more than the %.0e (about a "
                    "day at 1e9 per second) riskcalc accepts in one run; reduce %s" %
                    (work, WORK_LIMIT, what))


def darray(values):
    return (ctypes.c_double * max(1, len(values)))(*values)


class RidgeProblem(SharedProblem):
    """ridge_problem.c: the data (spectrum, prior, sigma2), the lists P, n, lambda, and the
    Monte Carlo options."""

    def __init__(self, rf, mc, o, P, n, lam, runs, optimal):
        SharedProblem.__init__(self)
        self.rf, self.mc, self.optimal = rf, mc, optimal
        try:
            self._setup(o, P, n, lam, runs)
        except BaseException:
            self.close()
            raise

    def _setup(self, o, P, n, lam, runs):
        self.parse(o)
        if not self.mc:
            for name, value in (("runs", runs), ("seed", o.get("seed"))):
                if value is not None:
                    raise Error("%s belongs to the Monte Carlo: use it with method=\"mc\"" % name)
        counts = LIST_WHOLE | (0 if self.mc else LIST_INF)
        self.P = parse_values("P", P, counts) if self.rf else [math.inf]
        self.n = parse_values("n", n, counts)
        self.lam = parse_values("lambda", lam, LIST_ZERO)
        positive = [v for v in self.lam if v > 0]
        self.lambda_lo = min(positive) if positive else math.inf
        self.lambda_hi = max(self.lam + [0.0])
        if self.optimal and not self.lambda_lo < self.lambda_hi:
            raise Error("optimal_lambda searches between the smallest positive and the largest "
                        "lambda: give two different positive values (for example "
                        "lambda_=\"1e-6:10:2\")")
        self.check_spectrum(not self.mc, LAW_MIN_D, "d inf is available with the deterministic "
                            "equivalent (method \"de\") only")
        self.check_prior()
        if not (math.isfinite(self.sigma2) and self.sigma2 >= 0):
            raise Error("sigma2 must be finite and >= 0 (got %g)" % self.sigma2)
        if self.mc:
            self._check_mc(runs)
        self.describe_data()
        self.meta["sigma2"] = fmt(self.sigma2)
        if self.mc:
            self.meta["runs"] = "%d" % self.opts.runs

    def _check_mc(self, runs):
        err = _lib.c_error()
        self.opts = lib.rc_ridge_mc_options_default()
        self.opts.runs = whole("runs", runs, 0, 1 << 40) if runs is not None else 100
        self.opts.seed, self.opts.threads = self.seed, 0
        check(lib.rc_ridge_mc_options_check(ctypes.byref(self.opts), ctypes.byref(err)), err,
              "runs")
        cost = _lib.rc_cost()
        P = darray(self.P) if self.rf else None
        nP = len(self.P) if self.rf else 0
        if self.optimal:
            status = lib.rc_ridge_mc_tune_cost(self.spectrum, P, nP, darray(self.n), len(self.n),
                                               ctypes.byref(self.opts), ctypes.byref(cost),
                                               ctypes.byref(err))
        else:
            status = lib.rc_ridge_mc_cost(self.spectrum, P, nP, darray(self.n), len(self.n),
                                          len(self.lam), ctypes.byref(self.opts),
                                          ctypes.byref(cost), ctypes.byref(err))
        check(status, err, "Monte Carlo")
        physical = lib.rc_physical_memory()
        if physical and cost.bytes > physical:
            raise Error("the Monte Carlo keeps every run's values and needs about %.3g GiB, this "
                        "machine has %.3g GiB: reduce runs, n, lambda%s or d" %
                        (cost.bytes / 1073741824.0, physical / 1073741824.0,
                         ", P" if self.rf else ""))
        check_work(cost.updates, "runs, n, P, lambda or d" if self.rf else "runs, n, lambda or d")

    def rows(self):
        return (len(self.P) if self.rf else 1) * len(self.n) * (1 if self.optimal else
                                                                len(self.lam))

    def columns(self):
        count = ctypes.c_size_t(0)
        names = (lib.rc_rf_columns if self.rf else lib.rc_ridge_columns)(ctypes.byref(count))
        return [names[k].decode() for k in range(count.value)]


def _plan(p):
    """ridge_problem_plan: the deterministic-equivalent plan, described, its cost checked."""
    err = _lib.c_error()
    plan = (lib.rc_ridge_alloc_law(ctypes.byref(p.law), ctypes.byref(err)) if p.use_law else
            lib.rc_ridge_alloc_values(p.spectrum, p.prior, ctypes.byref(err)))
    if not plan:
        check(err.status or 1, err, "deterministic equivalent")
    try:
        dim = lib.rc_ridge_dimension(plan)
        p.meta["dimension"] = ("inf (no interpolation threshold)" if math.isinf(dim) else
                               "%.0f non-zero eigenvalues (the interpolation threshold)" % dim)
        if p.use_law:
            p.meta["signal"] = "tr(H P) = %.17g" % lib.rc_ridge_signal(plan)
            p.meta["tail"] = (
                "eigenvalues 1..%d summed explicitly, the rest through the law's tail moments "
                "summed by Euler-Maclaurin (core/specsum); bound on the neglected part: %.3g "
                "relative to tr(H) and tr(H P); kappa >= %.3g served (smaller: refused)" %
                (lib.rc_ridge_explicit_count(plan), lib.rc_ridge_tail_bound(plan),
                 lib.rc_ridge_kappa_min(plan)))
        cost = _lib.rc_cost()
        points = float(p.rows()) * (OPTIMAL_POINTS if p.optimal else 1)
        check(lib.rc_ridge_eval_cost(plan, points, ctypes.byref(cost), ctypes.byref(err)),
              err, "deterministic equivalent")
        check_work(cost.updates, "n, P or lambda" if p.rf else "n or lambda")
    except BaseException:
        lib.rc_ridge_free(plan)
        raise
    return plan


def _de(p):
    err = _lib.c_error()
    plan = _plan(p)
    try:
        nrows, columns = p.rows(), p.columns()
        if p.rf:
            out = (_lib.rc_rf_row * nrows)()
            status = lib.rc_rf_curve(plan, darray(p.P), len(p.P), darray(p.n), len(p.n),
                                     darray(p.lam), len(p.lam), p.sigma2, out, ctypes.byref(err))
        else:
            out = (_lib.rc_ridge_row * nrows)()
            status = lib.rc_ridge_curve(plan, darray(p.n), len(p.n), darray(p.lam), len(p.lam),
                                        p.sigma2, out, ctypes.byref(err))
        check(status, err)
        values = (lib.rc_rf_row_values if p.rf else lib.rc_ridge_row_values)
        rows = []
        buf = (ctypes.c_double * 32)()
        for r in out:
            values(ctypes.byref(r), buf)
            rows.append(list(buf[:len(columns)]))
    finally:
        lib.rc_ridge_free(plan)
    return columns, rows, (3 if p.rf else 2)


def _mc(p, progress):
    err = _lib.c_error()
    nrows, base = p.rows(), p.columns()
    first_se = 3 if p.rf else 2
    columns = base + [c + "_se" for c in base[first_se:]]
    o = _lib.rc_ridge_mc_options.from_buffer_copy(p.opts)
    o.progress = progress.fn
    row_type = _lib.rc_rf_row if p.rf else _lib.rc_ridge_row
    mean, se = (row_type * nrows)(), (row_type * nrows)()
    if p.rf:
        status = lib.rc_rf_mc(p.spectrum, p.prior, darray(p.P), len(p.P), darray(p.n), len(p.n),
                              darray(p.lam), len(p.lam), p.sigma2, ctypes.byref(o), mean, se,
                              ctypes.byref(err))
    else:
        status = lib.rc_ridge_mc(p.spectrum, p.prior, darray(p.n), len(p.n), darray(p.lam),
                                 len(p.lam), p.sigma2, ctypes.byref(o), mean, se,
                                 ctypes.byref(err))
    progress.reraise()
    check(status, err)
    values = lib.rc_rf_row_values if p.rf else lib.rc_ridge_row_values
    a, b = (ctypes.c_double * 32)(), (ctypes.c_double * 32)()
    rows = []
    for k in range(nrows):
        values(ctypes.byref(mean[k]), a)
        values(ctypes.byref(se[k]), b)
        rows.append(list(a[:len(base)]) + list(b[first_se:len(base)]))
    return columns, rows, first_se


def _edge(p, P, n, fraction, what):
    where = "P = %.0f, " % P if p.rf else ""
    if p.mc:
        warnings.warn("riskcalc: %sn = %.0f: in %.0f%% of the runs the %s is smallest at an end "
                      "of [%g, %g]" % (where, n, 100 * fraction, what, p.lambda_lo, p.lambda_hi))
    else:
        warnings.warn("riskcalc: %sn = %.0f: the %s is smallest at an end of [%g, %g]: the "
                      "optimum lies at or beyond it" % (where, n, what, p.lambda_lo, p.lambda_hi))


def _optimal_de(p):
    err = _lib.c_error()
    plan = _plan(p)
    rows = []
    try:
        for P in (p.P if p.rf else [math.inf]):
            for n in p.n:
                lopt, edge = ctypes.c_double(), ctypes.c_int()
                rc = lib.rc_ridge_optimal_lambda(plan, P, n, p.sigma2, p.lambda_lo, p.lambda_hi,
                                                 ctypes.byref(lopt), ctypes.byref(edge),
                                                 ctypes.byref(err))
                test = 0.0
                if rc == 0 and p.rf:
                    row = _lib.rc_rf_row()
                    rc = lib.rc_rf_eval(plan, P, n, lopt.value, p.sigma2, ctypes.byref(row),
                                        ctypes.byref(err))
                    test = row.test
                elif rc == 0:
                    row = _lib.rc_ridge_row()
                    rc = lib.rc_ridge_eval(plan, n, lopt.value, p.sigma2, ctypes.byref(row),
                                           ctypes.byref(err))
                    test = row.test
                check(rc, err, "P = %g, n = %g" % (P, n) if p.rf else "n = %g" % n)
                if edge.value:
                    _edge(p, P, n, 1, "test error")
                rows.append([P, n, lopt.value, test, lopt.value, test, test])
    finally:
        lib.rc_ridge_free(plan)
    return rows


def _optimal_mc(p, progress):
    err = _lib.c_error()
    nrows = p.rows()
    o = _lib.rc_ridge_mc_options.from_buffer_copy(p.opts)
    o.progress = progress.fn
    mean, se = (_lib.rc_ridge_tuned_row * nrows)(), (_lib.rc_ridge_tuned_row * nrows)()
    status = lib.rc_ridge_mc_tune(p.spectrum, p.prior, darray(p.P) if p.rf else None, len(p.P),
                                  darray(p.n), len(p.n), p.sigma2, p.lambda_lo, p.lambda_hi,
                                  ctypes.byref(o), mean, se, ctypes.byref(err))
    progress.reraise()
    check(status, err)
    rows = []
    for m, s in zip(mean, se):
        if m.edge_opt > 0:
            _edge(p, m.P, m.n, m.edge_opt, "test error")
        if m.edge_gcv > 0:
            _edge(p, m.P, m.n, m.edge_gcv, "GCV")
        rows.append([m.P, m.n, m.lambda_opt, m.test_opt, m.lambda_gcv, m.test_gcv, m.gcv,
                     s.lambda_opt, s.test_opt, s.lambda_gcv, s.test_gcv, s.gcv])
    return rows


def _optimal(p, progress):
    rows = _optimal_mc(p, progress) if p.mc else _optimal_de(p)
    columns = OPTIMAL_COLUMNS + ([c + "_se" for c in OPTIMAL_COLUMNS[2:]] if p.mc else [])
    p.meta["lambda interval"] = ("[%.17g, %.17g]: the smallest positive and the largest --lambda"
                                 % (p.lambda_lo, p.lambda_hi))
    if not p.rf:  # ridge: no P column
        columns, rows = columns[1:], [r[1:] for r in rows]
    return columns, rows, (2 if p.rf else 1)


def _run(rf, method, options, P, n, lam, runs, optimal_lambda, progress):
    if method not in ("de", "mc"):
        raise Error("method: unknown method '%s' (available: de, mc)" % method)
    prog = Progress(progress)
    with prog, _lib.one_blas_thread(), RidgeProblem(rf, method == "mc", options, P, n, lam, runs,
                                              bool(optimal_lambda)) as p:
        if optimal_lambda:
            columns, rows, first_se = _optimal(p, prog)
        else:
            columns, rows, first_se = _de(p) if method == "de" else _mc(p, prog)
        meta = dict(p.meta)
    for k, row in enumerate(rows):  # the tool refuses a non-finite value (emit_table)
        for j, v in enumerate(row):
            if not math.isfinite(v) and not (j < first_se and v == math.inf):
                raise Error("row %d: %s = %g is not finite" % (k + 1, columns[j], v))
    prog.finish()
    return Result(columns, rows, meta)


def _lambda(lambda_, kw, name):
    extra = set(kw) - {"lambda"}
    if extra:
        raise TypeError("%s() got unexpected keyword arguments: %s" % (name, sorted(extra)))
    if lambda_ is not None and "lambda" in kw:
        raise TypeError("give lambda_ or lambda, not both")
    return kw.get("lambda", lambda_)


def ridge(method="de", a=None, log_a=None, spectrum=None, d=None, b=None, prior=None,
          sigma2=None, n=None, lambda_=None, runs=None, seed=None, optimal_lambda=False,
          progress=None, **kw):
    """Ridge regression, as `riskcalc ridge`: method "de" (default; d = inf allowed) or "mc"
    (runs, seed); n and lambda lists (lambda is a Python keyword: pass lambda_=[...] or
    **{"lambda": [...]}); the data options as riskcalc.linear. Returns a Result with the columns
    n lambda kappa df1 df2 bias var_x var_noise variance test train gcv (mc: then their _se);
    with optimal_lambda=True, n lambda_opt test_opt lambda_gcv test_gcv gcv (mc: then their
    _se), the lambda minimising the test error between the smallest positive and the largest
    lambda."""
    lam = _lambda(lambda_, kw, "ridge")
    options = dict(a=a, log_a=log_a, spectrum=spectrum, d=d, b=b, prior=prior, sigma2=sigma2,
                   seed=seed)
    r = _run(False, method, options, None, n, lam, runs, optimal_lambda, progress)
    given = dict(options, method=method, n=n, runs=runs, optimal_lambda=optimal_lambda or None)
    given["lambda"] = lam
    r.meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return r


def rf(method="de", a=None, log_a=None, spectrum=None, d=None, b=None, prior=None, sigma2=None,
       P=None, n=None, lambda_=None, runs=None, seed=None, optimal_lambda=False, progress=None,
       **kw):
    """Linear random features, as `riskcalc rf`: as riskcalc.ridge with the list P of feature
    counts (inf allowed by "de"). Returns a Result with the columns P n lambda kappa kappa1 df1
    df2 bias var_x var_noise var_f test train (mc: then their _se); optimal_lambda=True as for
    ridge, with the column P first."""
    lam = _lambda(lambda_, kw, "rf")
    options = dict(a=a, log_a=log_a, spectrum=spectrum, d=d, b=b, prior=prior, sigma2=sigma2,
                   seed=seed)
    r = _run(True, method, options, P, n, lam, runs, optimal_lambda, progress)
    given = dict(options, method=method, P=P, n=n, runs=runs,
                 optimal_lambda=optimal_lambda or None)
    given["lambda"] = lam
    r.meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return r
