"""riskcalc.quad: risk curves of one-pass SGD on the quadratically parameterized model, as
`riskcalc quad` (src/cli/cmd_quad.c, quad_problem.c, quad_analytic.c, quad_closed.c,
quad_mc.c) computes them through the public C API."""
import ctypes
import math

from . import _lib
from ._lib import Error, check, lib
from ._problem import SPECTRUM_POWER, SPECTRUM_VALUES, Progress, SharedProblem, fmt, number, \
    parse_list, read_column, whole
from ._result import Result

TARGET_POWER, TARGET_VALUES = 0, 1
WORK_LIMIT = 1e14  # RC_WORK_LIMIT
RISK_COLUMNS = ["T", "M", "approx", "bias", "variance", "excess", "risk", "active"]
CLOSED_COLUMNS = ["T", "M", "D_eff", "t_adapt", "approx", "rate_bias", "rate_variance",
                  "rate_risk"]
MC_COLUMNS = ["T", "M", "risk", "risk_se", "bias", "bias_se", "variance", "variance_se", "runs"]
PHASE_COLUMNS = ["t", "i", "theta", "wstar", "ratio", "front"]
PHASE_TIMES = PHASE_COORDS = 96  # quad_analytic.c: log-spaced times and coordinates shown


def check_work(work, what):
    if work > WORK_LIMIT:
        raise Error("this job needs about %.2g elementary updates, more than the %.0e (about a "
                    "day at 1e9 per second) riskcalc accepts in one run; reduce %s" %
                    (work, WORK_LIMIT, what))


class QuadProblem(SharedProblem):
    """The problem of `riskcalc quad` (quad_problem.c): the shared options under the model's
    names, the target, v0 and the model sizes; rc_quad_problem_alloc for each M."""

    names = dict(SharedProblem.names, a="alpha", log_a="log_alpha", b="beta", prior="target",
                 gamma="eta", N="T")
    defaults = dict(a=2.0, b=1.5, gamma=0.01, sigma2=0.1, schedule="twophase")

    def __init__(self, o, v0, M, sketch=None):
        SharedProblem.__init__(self)
        self.target_values = None
        self.sketched = False
        try:
            self._setup(o, v0, M, sketch)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.target_values is not None:
            _lib.libc.free(self.target_values)
            self.target_values = None
        SharedProblem.close(self)

    def _setup(self, o, v0, M, sketch):
        self.parse(o)
        self.spec = lib.rc_quad_spec_default()
        if v0 is not None:
            self.spec.v0 = number("v0", v0)
        if sketch is not None:
            if sketch != "gaussian":
                raise Error("sketch: the quadratic model offers the Gaussian sketch only "
                            "(sketch=\"gaussian\")")
            self.sketched = True
        self.Ms = parse_list("M", M) if M is not None else None
        self.check_spectrum(True, 0.0, None)
        if self.use_law:
            self.spec.spectrum, self.spec.alpha, self.spec.d = (self.law.kind, self.law.a,
                                                                self.law.d)
        else:
            self.spec.spectrum = SPECTRUM_VALUES
            self.spec.lam = self.spectrum.contents.lam
            self.spec.alpha = math.nan
            self.spec.d = float(self.spectrum.contents.d)
        self._target()
        self.check_horizons("T=[100, 1000] or T=\"1e2:1e5:7\"")
        self.check_training()
        self.spec.sigma2, self.spec.batch = self.sigma2, self.batch
        if self.sketched and math.isinf(self.spec.d):
            raise Error("sketch gaussian draws an M x d sketch: give a finite d")
        if self.Ms is None:
            raise Error("M is required (for example M=100)")
        for m in self.Ms:
            if m == 0 or m > 1e9:
                raise Error("M: model size %d is outside 1..1e9" % m)
            lib.rc_quad_problem_free(self.at(m))
        self._describe()

    def _target(self):
        if self.b_given and self.prior_file:
            raise Error("give only one of beta and target")
        if not self.prior_file:
            self.spec.target, self.spec.beta = TARGET_POWER, self.b
            return
        if self.d_inf:
            raise Error("target FILE gives d values: not available with d inf")
        values, count = read_column("target", self.prior_file)
        self.target_values = values
        if count != self.spec.d:
            raise Error("target '%s' has %d values but d = %.0f" %
                        (self.prior_file, count, self.spec.d))
        self.spec.target, self.spec.wstar, self.spec.beta = TARGET_VALUES, values, math.nan

    def at(self, M):
        err = _lib.c_error()
        if self.sketched:  # the linear model's sketch, drawn the same way
            rng = lib.gsl_rng_alloc(_lib.GSL_RNG_MT19937)
            if not rng:
                raise Error("out of memory for a random number generator", 2)
            lib.gsl_rng_set(rng, self.seed)
            S = lib.rc_sketch_gaussian_alloc(M, int(self.spec.d), rng, ctypes.byref(err))
            lib.gsl_rng_free(rng)
            q = (lib.rc_quad_problem_sketched_alloc(ctypes.byref(self.spec), S, ctypes.byref(err))
                 if S else None)
            lib.rc_sketch_free(S)
        else:
            q = lib.rc_quad_problem_alloc(ctypes.byref(self.spec), M, ctypes.byref(err))
        if not q:
            check(err.status or 1, err, "M = %d" % M)
        return q

    def power_laws(self):
        return self.spec.spectrum == SPECTRUM_POWER and self.spec.target == TARGET_POWER

    def _describe(self):
        s, m = self.spec, self.meta
        dtext = "inf" if math.isinf(s.d) else "%.0f" % s.d
        m["riskcalc"] = _lib.version()
        if s.spectrum == SPECTRUM_VALUES:
            m["data"] = "x ~ N(0, diag(lambda)), lambda from file %s (d = %s)" % (
                self.spectrum_file, dtext)
        else:
            m["data"] = "x ~ N(0, diag(lambda)), %s, alpha = %s, d = %s" % (
                "lambda_i = i^-1 log(i+1)^-alpha" if s.spectrum == 1 else "lambda_i = i^-alpha",
                fmt(s.alpha), dtext)
        if s.target == TARGET_VALUES:
            m["target"] = ("y = <x, w*> + xi, xi ~ N(0, sigma2), w* from file %s (d values >= 0)"
                           % self.prior_file)
        else:
            m["target"] = ("y = <x, w*> + xi, xi ~ N(0, sigma2), w*_i = sqrt(i^-beta / lambda_i)"
                           " >= 0 (lambda_i w*_i^2 = i^-beta), beta = %s: the reading of the "
                           "paper's decay assumption that reproduces its rates (docs/QUAD.md)" %
                           fmt(s.beta))
        m["init"] = "v_i(0) = v0 = %s for every i <= M (theta_i(0) = %s)" % (fmt(s.v0),
                                                                             fmt(s.v0 * s.v0))
        self.describe_training()

    def horizons(self):
        n = len(self.Ns)
        return (ctypes.c_uint64 * n)(*self.Ns), n


def _analytic(p, progress):
    Ts, n = p.horizons()
    err = _lib.c_error()
    work = 0.0
    for M in p.Ms:
        cost = _lib.rc_cost()
        check(lib.rc_quad_analytic_cost(M, p.schedule, Ts, n, ctypes.byref(cost),
                                        ctypes.byref(err)), err, "M = %d" % M)
        work += cost.updates
    check_work(work, "T or M")
    rows = []
    for k, M in enumerate(p.Ms):
        q = p.at(M)
        o = lib.rc_quad_analytic_options_default()
        o.progress = progress.fn
        progress.part(k, len(p.Ms))
        out = (_lib.rc_quad_row * n)()
        status = lib.rc_quad_analytic_curve(q, p.schedule, Ts, n, ctypes.byref(o), out, None,
                                            ctypes.byref(err))
        lib.rc_quad_problem_free(q)
        progress.reraise()
        check(status, err, "M = %d" % M)
        rows += [[float(r.T), r.M, r.approx, r.bias, r.variance, r.excess, r.risk, r.active]
                 for r in out]
    return RISK_COLUMNS, rows


def _log_grid(lo, hi, n):
    """quad_analytic.c's log_grid: n log-spaced whole numbers in [lo, hi], repeats dropped
    (llround: half away from zero, as floor(x + 0.5) for these positive x)."""
    out = []
    for j in range(n):
        x = j / (n - 1) if n > 1 else 1.0
        v = int(math.floor(math.exp(math.log(lo) + x * (math.log(hi) - math.log(lo))) + 0.5))
        v = min(max(v, lo), hi)
        if not out or v > out[-1]:
            out.append(v)
    return out


def _phases(p):
    """`riskcalc quad --phases` (quad_phases_run): E theta_i(t) / w*_i at log-spaced times of
    the run of the largest T, with the noise-free activation front D(t)."""
    if len(p.Ms) != 1:
        raise Error("phases draws one model size: give a single M")
    M, T = p.Ms[0], max(p.Ns)
    err = _lib.c_error()
    cost = _lib.rc_cost()
    Tc = ctypes.c_uint64(T)
    check(lib.rc_quad_analytic_cost(M, p.schedule, ctypes.byref(Tc), 1, ctypes.byref(cost),
                                    ctypes.byref(err)), err, "M = %d" % M)
    check_work(cost.updates + T, "T or M")
    times, coords = _log_grid(1, T, PHASE_TIMES), _log_grid(1, M, PHASE_COORDS)
    q = p.at(M)
    try:
        nt = len(times)
        theta = (ctypes.c_double * (nt * M))()
        o = lib.rc_quad_analytic_options_default()
        check(lib.rc_quad_analytic_trajectory(q, p.schedule, T, (ctypes.c_uint64 * nt)(*times),
                                              nt, ctypes.byref(o), theta, None, None,
                                              ctypes.byref(err)), err, "M = %d" % M)
        # the noise-free activation front: coordinates whose activation time at unit step is
        # within the cumulated step sum_{tau < t} eta_tau
        act = [lib.rc_quad_activation_time(q, i, 1.0) for i in range(M)]
        front, cum, t = [], 0.0, 0
        for tk in times:
            while t < tk:
                end = min(lib.rc_schedule_stage_end(p.schedule, t, T), tk)
                cum += lib.rc_schedule_gamma(p.schedule, t, T) * float(end - t)
                t = end
            front.append(float(sum(1 for a in act if a <= cum)))
        wstar = ctypes.cast(q, ctypes.POINTER(_lib.rc_quad_problem)).contents.wstar
        rows = []
        for c in coords:
            i = c - 1
            for k in range(nt):
                th, w = theta[k * M + i], wstar[i]
                rows.append([float(times[k]), float(i + 1), th, w, th / w if w > 0 else math.nan,
                             front[k]])
    finally:
        lib.rc_quad_problem_free(q)
    p.meta["phases"] = ("the run of horizon T = %d at %d log-spaced times t in [1, %d]; "
                        "coordinates %s (%d shown)" %
                        (T, nt, T, "i = 1..M, all" if len(coords) == M else
                         "i log-spaced in 1..M", len(coords)))
    return PHASE_COLUMNS, rows


def _closed(p, progress):
    if not p.power_laws():
        raise Error("method closed states the published rates, which need the power laws: "
                    "alpha and beta (not log_alpha, spectrum or target)")
    a, be = p.spec.alpha, p.spec.beta
    published = 1.0 - 1.0 / be if a <= be else (2.0 * be - 2.0) / (a + be)
    p.meta["published rate"] = "risk - sigma2 ~ T^-%.17g for M above D_eff (%s)" % (
        published, "alpha <= beta: T^-(1 - 1/beta), the optimal rate" if a <= be else
        "alpha > beta: T^-(2 beta - 2)/(alpha + beta), faster than linear SGD's "
        "T^-(beta - 1)/alpha")
    Ts, n = p.horizons()
    rows = []
    for M in p.Ms:
        err = _lib.c_error()
        q = p.at(M)
        out = (_lib.rc_quad_closed_row * n)()
        status = lib.rc_quad_closed_curve(q, p.gamma, Ts, n, out, ctypes.byref(err))
        lib.rc_quad_problem_free(q)
        check(status, err, "M = %d" % M)
        rows += [[float(r.T), r.M, r.D_eff, r.t_adapt, r.approx, r.rate_bias, r.rate_variance,
                  r.rate_risk] for r in out]
    return CLOSED_COLUMNS, rows


def _mc(p, progress, runs):
    err = _lib.c_error()
    o = lib.rc_quad_mc_options_default()
    o.runs = whole("runs", runs, 0, 1 << 40) if runs is not None else 100
    o.seed, o.threads = p.seed, 0
    Ts, n = p.horizons()
    work = 0.0
    for M in p.Ms:
        cost = _lib.rc_cost()
        if p.sketched:  # the sketched problem's cost counts z = L u
            q = p.at(M)
            st = lib.rc_quad_mc_problem_cost(q, p.schedule, Ts, n, ctypes.byref(o),
                                             ctypes.byref(cost), ctypes.byref(err))
            approx = ctypes.cast(q, ctypes.POINTER(_lib.rc_quad_problem)).contents.approx
            p.meta["approx (M = %d)" % M] = ("%s (this sketch's best linear predictor on z = S x)"
                                             % fmt(approx))
            lib.rc_quad_problem_free(q)
        else:
            st = lib.rc_quad_mc_cost(M, p.batch, p.schedule, Ts, n, ctypes.byref(o),
                                     ctypes.byref(cost), ctypes.byref(err))
        check(st, err, "runs")
        work += cost.updates
    check_work(work, "T, runs, M or batch")
    o.progress = progress.fn
    rows = []
    for k, M in enumerate(p.Ms):
        q = p.at(M)
        progress.part(k, len(p.Ms))
        out = (_lib.rc_quad_mc_row * n)()
        status = lib.rc_quad_mc_curve(q, p.schedule, Ts, n, ctypes.byref(o), out,
                                      ctypes.byref(err))
        lib.rc_quad_problem_free(q)
        progress.reraise()
        check(status, err, "M = %d" % M)
        rows += [[float(r.T), r.M, r.risk, r.risk_se, r.bias, r.bias_se, r.variance,
                  r.variance_se, float(r.runs)] for r in out]
    return MC_COLUMNS, rows


def quad(method="analytic", alpha=None, log_alpha=None, spectrum=None, d=None, beta=None,
         target=None, v0=None, M=None, T=None, eta=None, batch=None, schedule=None,
         approx_schedule=None, sigma2=None, seed=None, runs=None, sketch=None, phases=False,
         progress=None):
    """Risk of one-pass SGD on the quadratically parameterized model, as `riskcalc quad`:
    method "analytic" (default), "closed" or "mc" (with runs, seed); the tool's options and
    defaults (alpha 2, beta 1.5, eta 0.01, sigma2 0.1, schedule "twophase", v0 0.1); M and T
    lists. Returns a Result with the tool's columns (analytic: T M approx bias variance excess
    risk active; closed: T M D_eff t_adapt approx rate_bias rate_variance rate_risk; mc: T M
    risk risk_se bias bias_se variance variance_se runs) and .meta. phases=True (the tool's
    --phases table) is not available from Python yet."""
    if method not in ("analytic", "closed", "mc"):
        raise Error("method: unknown method '%s' (available: analytic, closed, mc)" % method)
    if method != "mc":
        for name, value in (("runs", runs), ("seed", seed)):
            if value is not None:
                raise Error("%s belongs to the Monte Carlo simulation: use it with quad "
                            "method=\"mc\"" % name)
    if sketch is not None and method != "mc":
        raise Error("sketch gaussian: the sketched variant couples the coordinates, so only "
                    "method \"mc\" simulates it (the analytic and closed methods follow each "
                    "coordinate)")
    if phases and method != "analytic":
        raise Error("phases draws the analytic trajectory: use it with method=\"analytic\"")
    options = dict(a=alpha, log_a=log_alpha, spectrum=spectrum, d=d, b=beta, prior=target,
                   gamma=eta, batch=batch, schedule=schedule, approx_schedule=approx_schedule,
                   sigma2=sigma2, N=T, seed=seed)
    prog = Progress(progress)
    with prog, _lib.one_blas_thread(), QuadProblem(options, v0, M, sketch) as p:
        if phases:
            columns, rows = _phases(p)
        elif method == "analytic":
            columns, rows = _analytic(p, prog)
        elif method == "closed":
            columns, rows = _closed(p, prog)
        else:
            columns, rows = _mc(p, prog, runs)
        meta = dict(p.meta)
    prog.finish()
    given = dict(method=method, alpha=alpha, log_alpha=log_alpha, spectrum=spectrum, d=d,
                 beta=beta, target=target, v0=v0, M=M, T=T, eta=eta, batch=batch,
                 schedule=schedule, approx_schedule=approx_schedule, sigma2=sigma2, seed=seed,
                 runs=runs, sketch=sketch, phases=phases or None)
    meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return Result(columns, rows, meta)
