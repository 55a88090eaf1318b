"""riskcalc.linear: risk curves of one-pass SGD on sketched linear regression, as
`riskcalc linear` computes them (src/cli/cmd_linear.c, linear_problem.c, linear_de.c,
linear_mc.c), through the public C API. What the tool checks before it computes is checked here
in the same order with the same library calls, so a refusal carries the library's message."""
import ctypes
import itertools
import math

import numpy as np

from . import _lib
from ._lib import Error, check, lib
from ._problem import (ANALYTIC, FIXED_SKETCH, LAW_MIN_D, SIMULATED, Progress, SharedProblem,
                       parse_list, whole, SCHEDULE_FILE, SCHEDULE_STAGES)
from ._result import Result

SCHEDULE_GEOMETRIC = 1
RC_ENOCONV = 6  # include/riskcalc/error.h: the tuner keeps its best point
RISK_COLUMNS = ["N", "M", "approx", "bias", "variance", "excess", "risk"]
CLOSED_COLUMNS = RISK_COLUMNS + ["N_eff", "T_eff", "k_star", "D_eff", "rate_approx", "rate_bias",
                                 "rate_variance"]
MC_COLUMNS = ["N", "M", "risk", "risk_se", "runs", "approx", "approx_se", "bias", "bias_se",
              "variance", "variance_se"]
BAND_COLUMNS = ["risk_q10", "risk_q90"]
# Every row of `riskcalc linear` ends in these (the tool also sweeps lists of them; here each
# takes one value): the base step (the first step of file: and stages: schedules), the batch, the noise.
SWEEP_COLUMNS = ["gamma", "batch", "sigma2"]


class Problem(SharedProblem):
    """The problem of `riskcalc linear` (src/cli/linear_problem.c): the shared problem plus the
    model sizes and the sketch, owning its C objects."""

    def __init__(self, use, o):
        SharedProblem.__init__(self)
        self.use = use
        self.sketch_values = None
        try:
            self._setup(o)
        except BaseException:
            self.close()
            raise

    def _setup(self, o):
        err = _lib.c_error()
        self.parse(o)
        self.sketch_file = o.get("sketch")
        self.Ms = parse_list("M", o["M"]) if o.get("M") is not None else None
        what = "Monte Carlo simulation" if self.use == SIMULATED else "exact method"
        self.check_spectrum(self.use == ANALYTIC, LAW_MIN_D,
                            "d inf: the %s works with d eigenvalues, so d must be a whole number "
                            "(method de or closed take inf)" % what)
        self.check_prior()
        self.check_horizons("N=[100, 1000] or N=\"1e2:1e5:13\"")
        self._sizes(err)
        self.check_training()
        self.describe_data()
        if self.use != ANALYTIC and not self.sketch_file:
            self.meta["seed"] = "%d" % self.seed
        self.describe_training()

    def _sizes(self, err):
        if self.sketch_file and self.seed_given and self.use != SIMULATED:
            raise Error("give only one of sketch and seed")
        if self.use == ANALYTIC:
            if self.sketch_file:
                raise Error("sketch: the analytic methods average over sketches and use none")
            if self.Ms is None:
                raise Error("M is required")
            return
        d = self.spectrum.contents.d
        if self.sketch_file:
            values = ctypes.POINTER(ctypes.c_double)()
            rows, cols = ctypes.c_size_t(0), ctypes.c_size_t(0)
            check(lib.rc_io_read_table(str(self.sketch_file).encode(), ctypes.byref(values),
                                       ctypes.byref(rows), ctypes.byref(cols), ctypes.byref(err)),
                  err, "sketch")
            self.sketch_values = (ctypes.c_double * (rows.value * cols.value))()
            ctypes.memmove(self.sketch_values, values, 8 * rows.value * cols.value)
            _lib.libc.free(values)
            self.sketch_rows = rows.value
            if cols.value != d:
                raise Error("sketch '%s' has %d columns but d = %d" %
                            (self.sketch_file, cols.value, d))
            if self.Ms is not None and (len(self.Ms) != 1 or self.Ms[0] != rows.value):
                raise Error("M disagrees with the %d rows of sketch '%s'" %
                            (rows.value, self.sketch_file))
            self.Ms = [rows.value]
        elif self.Ms is None:
            raise Error("M is required (or give the sketch with sketch=FILE)")

    # ---- pieces the methods share
    def sketch(self, M):
        err = _lib.c_error()
        d = self.spectrum.contents.d
        if self.sketch_values is not None:
            s = lib.rc_sketch_values_alloc(self.sketch_values, self.sketch_rows, d,
                                           ctypes.byref(err))
        else:
            rng = lib.gsl_rng_alloc(_lib.GSL_RNG_MT19937)
            if not rng:
                raise Error("out of memory for a random number generator", 2)
            lib.gsl_rng_set(rng, self.seed)
            s = lib.rc_sketch_gaussian_alloc(M, d, rng, ctypes.byref(err))
            lib.gsl_rng_free(rng)
        if not s:
            check(err.status or 1, err, "sketch")
        return s

    def measure(self, M):
        """The exact engine's measure of model size M (the tool's linear_problem_measure): from
        the sketch's values, or that of the sketch the seed draws, generated block by block and
        never stored where that pays (rc_sgd_measure_gaussian: the same numbers)."""
        if self.sketch_values is not None:
            s = self.sketch(M)
            err = _lib.c_error()
            m = lib.rc_sgd_measure_from_sketch(self.spectrum, self.prior, s, ctypes.byref(err))
            lib.rc_sketch_free(s)
        else:
            rng = lib.gsl_rng_alloc(_lib.GSL_RNG_MT19937)
            if not rng:
                raise Error("out of memory for a random number generator", 2)
            lib.gsl_rng_set(rng, self.seed)
            err = _lib.c_error()
            m = lib.rc_sgd_measure_gaussian(self.spectrum, self.prior, M, rng, ctypes.byref(err))
            lib.gsl_rng_free(rng)
        if not m:
            check(err.status or 1, err)
        return m

    def stable_gamma(self, measure, M):
        err = _lib.c_error()
        g = ctypes.c_double(0)
        check(lib.rc_sgd_stable_gamma(measure, self.batch, ctypes.byref(g), ctypes.byref(err)),
              err, "M = %.0f" % M)
        return g.value

    def risk_rows(self, measure, M, progress):
        """rc_sgd_risk_curve of measure (freed here) at every N: rows of RISK_COLUMNS; with
        gamma="opt" the row of rc_sgd_tune_gamma at each N, its step kept in tuned_gammas."""
        err = _lib.c_error()
        opt = lib.rc_sgd_options_default()
        opt.batch, opt.sigma2 = self.batch, self.sigma2
        if getattr(self, "gamma_opt", False):
            rows = []
            try:
                for N in self.Ns:
                    t = _lib.rc_gamma_tuned()
                    status = lib.rc_sgd_tune_gamma(measure, self.schedule, N, ctypes.byref(opt),
                                                   ctypes.byref(t), ctypes.byref(err))
                    if status and status != RC_ENOCONV:
                        check(status, err, "M = %d, N = %d: tuning the step" % (M, N))
                    r = t.row
                    rows.append([float(r.N), r.M, r.approx, r.bias, r.variance, r.excess, r.risk])
                    self.tuned_gammas.append(t.gamma)
            finally:
                lib.rc_sgd_measure_free(measure)
            return rows
        opt.progress = progress.fn
        n = len(self.Ns)
        Ns = (ctypes.c_uint64 * n)(*self.Ns)
        out = (_lib.rc_risk * n)()
        status = lib.rc_sgd_risk_curve(measure, self.schedule, Ns, n, ctypes.byref(opt), out,
                                       ctypes.byref(err))
        lib.rc_sgd_measure_free(measure)
        progress.reraise()
        check(status, err, "M = %d" % M)
        return [[float(r.N), r.M, r.approx, r.bias, r.variance, r.excess, r.risk] for r in out]

    def plan(self, M_max):
        """The deterministic-equivalent plan (the tool's make_plan): the law, or
        rc_deteq_alloc_problem of the explicit values."""
        err = _lib.c_error()
        if self.use_law:
            de = lib.rc_deteq_alloc_law(ctypes.byref(self.law), M_max, ctypes.byref(err))
        else:
            de = lib.rc_deteq_alloc_problem(self.spectrum, self.prior, M_max, ctypes.byref(err))
        if not de:
            check(err.status or 1, err, "deterministic equivalent")
        m = self.meta
        d = lib.rc_deteq_dimension(de)
        m["signal"] = "tr(H P) = %.17g" % lib.rc_deteq_signal(de)
        cutoff = lib.rc_deteq_cutoff(de)
        if math.isinf(d) or cutoff < d:
            m["tail"] = ("eigenvalues 1..%d summed explicitly, %d..%s through tail moments summed "
                         "by Euler-Maclaurin; bound on the neglected part: %.3g relative to tr(H) "
                         "and tr(H P) (tail power series truncated below 1e-16)" %
                         (cutoff, cutoff + 1, "inf" if math.isinf(d) else "%.0f" % d,
                          lib.rc_deteq_tail_bound(de)))
        else:
            m["tail"] = "none: all %d non-zero eigenvalues summed explicitly" % cutoff
        return de


def _exact(p, progress):
    rows = []
    for k, M in enumerate(p.Ms):
        measure = p.measure(M)
        try:
            g = p.stable_gamma(measure, M)
        except Error:
            lib.rc_sgd_measure_free(measure)
            raise
        m = measure.contents
        p.meta["G (M = %d)" % M] = (
            "rank %d%s; largest mean-square stable constant step %.6g (batch %d); Approx = %.17g"
            % (m.rank, " (singular: v* uses the pseudo-inverse of G)" if m.pseudo_inverse else "",
               g, p.batch, m.approx))
        progress.part(k, len(p.Ms))
        rows += p.risk_rows(measure, M, progress)
    return RISK_COLUMNS, rows


def _de(p, progress):
    de = p.plan(float(max(p.Ms)))
    rows = []
    try:
        for k, M in enumerate(p.Ms):
            err = _lib.c_error()
            info = _lib.rc_deteq_info()
            measure = lib.rc_deteq_measure(de, float(M), None, ctypes.byref(info),
                                           ctypes.byref(err))
            if not measure:
                check(err.status or 1, err, "M = %d" % M)
            try:
                g = p.stable_gamma(measure, M)
            except Error:
                lib.rc_sgd_measure_free(measure)
                raise
            p.meta["DE (M = %d)" % M] = (
                "kappa = %.17g; Approx = %.17g; %d atoms on %d support intervals of [%.6g, %.6g]; "
                "eigenvalue mass %.12g (expected %.12g); signal mass %.12g (expected %.12g); "
                "largest mean-square stable constant step %.6g (batch %d)" %
                (info.kappa, info.approx, info.atoms, info.intervals, info.x_min, info.x_max,
                 info.mass, info.mass_expected, info.signal_mass, info.signal_expected, g,
                 p.batch))
            progress.part(k, len(p.Ms))
            rows += p.risk_rows(measure, M, progress)
    finally:
        lib.rc_deteq_free(de)
    return RISK_COLUMNS, rows


def _closed(p, progress):
    if lib.rc_schedule_get_kind(p.schedule) != SCHEDULE_GEOMETRIC:
        raise Error("method closed: the closed forms are those of the geometric schedule "
                    "(schedule=\"geometric\"); use method=\"de\" for other schedules")
    de = p.plan(float(max(p.Ms)))
    rows = []
    n = len(p.Ns)
    Ns = (ctypes.c_uint64 * n)(*p.Ns)
    try:
        for M in p.Ms:
            err = _lib.c_error()
            out = (_lib.rc_closed_row * n)()
            check(lib.rc_closed_curve(de, float(M), Ns, n, p.gamma, p.batch, p.sigma2, out,
                                      ctypes.byref(err)), err, "M = %d" % M)
            rows += [[float(r.N), r.M, r.approx, r.bias, r.variance, r.excess, r.risk, r.N_eff,
                      r.T_eff, r.k_star, r.D_eff, r.rate_approx, r.rate_bias, r.rate_variance]
                     for r in out]
    finally:
        lib.rc_deteq_free(de)
    return CLOSED_COLUMNS, rows


def _quantile(values, q):
    """The tool's quantile (linear_mc.c): linear interpolation between order statistics at
    q (n - 1), written as the tool writes it so the digits agree."""
    v = sorted(values)
    n = len(v)
    pos = q * (n - 1)
    i = int(math.floor(pos))
    return v[i] + (pos - i) * (v[i + 1] - v[i]) if i + 1 < n else v[n - 1]


def _mc(p, progress, runs, mc_mode, resketch, band, generator):
    err = _lib.c_error()
    o = lib.rc_mc_options_default()
    R = whole("runs", runs, 0, 1 << 40) if runs is not None else 100
    if mc_mode is not None:
        mode = ctypes.c_int(0)
        check(lib.rc_mc_mode_parse(str(mc_mode).encode(), ctypes.byref(mode), ctypes.byref(err)),
              err, "mc_mode")
        o.mode = mode.value
    if generator is not None:
        gen = ctypes.c_int(0)
        check(lib.rc_mc_generator_parse(str(generator).encode(), ctypes.byref(gen),
                                        ctypes.byref(err)), err, "generator")
        o.generator = gen.value
    o.runs, o.seed, o.resketch = R, p.seed, 1 if resketch else 0
    o.batch, o.sigma2, o.threads = p.batch, p.sigma2, 0
    for name, field, value in (("runs", "runs", R), ("batch", "batch", p.batch)):
        alone = lib.rc_mc_options_default()
        setattr(alone, field, value)
        check(lib.rc_mc_options_check(ctypes.byref(alone), ctypes.byref(err)), err, name)
    check(lib.rc_mc_options_check(ctypes.byref(o), ctypes.byref(err)), err,
          "runs, mc_mode, batch, sigma2")
    p.meta["runs"] = "%d independent runs, each drawing w* from the prior" % R
    n = len(p.Ns)
    Ns = (ctypes.c_uint64 * n)(*p.Ns)
    rows = []
    for k, M in enumerate(p.Ms):
        s = None if resketch else p.sketch(M)
        plan = lib.rc_mc_plan_alloc(p.spectrum, p.prior, s, M, ctypes.byref(o), ctypes.byref(err))
        if not plan:
            if s:
                lib.rc_sketch_free(s)
            check(err.status or 1, err, "M = %d" % M)
        progress.part(k, len(p.Ms))
        opt = _lib.rc_mc_options.from_buffer_copy(o)
        opt.progress = progress.fn
        out = (_lib.rc_mc_risk * n)()
        run_risks = (ctypes.c_double * (R * n))() if band else None
        status = lib.rc_mc_plan_run(plan, p.schedule, Ns, n, ctypes.byref(opt), out, run_risks,
                                    ctypes.byref(err))
        lib.rc_mc_plan_free(plan)
        if s:
            lib.rc_sketch_free(s)
        progress.reraise()
        check(status, err, "M = %d" % M)
        for j, r in enumerate(out):
            row = [float(r.N), r.M, r.mean, r.se, float(r.runs), r.approx, r.approx_se, r.bias,
                   r.bias_se, r.variance, r.variance_se]
            if band:
                column = [run_risks[q * n + j] for q in range(R)]
                row += [_quantile(column, 0.1), _quantile(column, 0.9)]
            rows.append(row)
    return MC_COLUMNS + (BAND_COLUMNS if band else []), rows


def linear(method="exact", a=None, log_a=None, spectrum=None, d=None, b=None, prior=None,
           sketch=None, seed=None, M=None, N=None, gamma=None, batch=None, schedule=None,
           approx_schedule=None, sigma2=None, runs=None, mc_mode=None, resketch=False,
           band=False, generator=None, progress=None):
    """Risk of one-pass SGD on sketched linear regression, as `riskcalc linear`.

    Keyword arguments are the tool's long options with dashes as underscores (log_a, mc_mode,
    approx_schedule), with the tool's defaults; lists (M, N) are Python lists of whole numbers
    or the tool's own text ("1e2:1e5:13"); d is a whole number or "inf" / math.inf; spectrum,
    prior and sketch are file paths. method: "exact" (default), "de", "closed" or "mc" (with
    runs, mc_mode, resketch, band, generator: "philox" (default) or "mt19937"). progress: optional callable(fraction in [0, 1]); a true
    return value or an exception cancels the run.

    Returns a Result (numpy structured array) with the tool's columns (N M approx bias variance
    excess risk; closed adds N_eff ... rate_variance; mc: N M risk risk_se runs approx approx_se
    bias bias_se variance variance_se [risk_q10 risk_q90]), each ending in gamma batch sigma2, and
    .meta, the header metadata. gamma, batch and sigma2 may be Python lists, as the tool's
    --gamma/--batch/--sigma2 lists: one row per (M, gamma, batch, sigma2, N), N fastest, each
    combination computed as its own call (the tool's rows, digit for digit; .meta keeps the lines
    common to every combination, with the lists in .meta["parameters"]). gamma="opt" (exact and
    de) tunes the base step of every row by rc_sgd_tune_gamma, as the tool's --gamma opt, and
    puts it in the gamma column.
    Raises riskcalc.Error with the library's message on bad input or a failed computation.
    """
    swept = [(name, value) for name, value in (("gamma", gamma), ("batch", batch),
                                                ("sigma2", sigma2))
             if isinstance(value, (list, tuple))]
    if swept:
        return _sweep(dict(method=method, a=a, log_a=log_a, spectrum=spectrum, d=d, b=b,
                           prior=prior, sketch=sketch, seed=seed, M=M, N=N, gamma=gamma,
                           batch=batch, schedule=schedule, approx_schedule=approx_schedule,
                           sigma2=sigma2, runs=runs, mc_mode=mc_mode, resketch=resketch,
                           band=band, generator=generator), progress)
    tune = isinstance(gamma, str) and gamma == "opt"
    if tune:
        if method not in ("exact", "de"):
            raise Error("gamma=\"opt\" tunes the base step of the exact and de methods, not of "
                        "method \"%s\"" % method)
        gamma = 0.1  # shapes the schedule (as the tool); every row's step is tuned
    methods = {"exact": FIXED_SKETCH, "mc": SIMULATED, "de": ANALYTIC, "closed": ANALYTIC}
    if method not in methods:
        raise Error("method: unknown method '%s' (available: exact, mc, de, closed)" % method)
    if method != "mc":
        for name, value in (("runs", runs), ("mc_mode", mc_mode), ("resketch", resketch or None),
                            ("band", band or None), ("generator", generator)):
            if value is not None:
                raise Error("%s belongs to the Monte Carlo method: use it with method=\"mc\"" %
                            name)
    elif resketch and sketch is not None:
        raise Error("resketch draws a new sketch for every run: it cannot be combined with "
                    "sketch")
    options = dict(a=a, log_a=log_a, spectrum=spectrum, d=d, b=b, prior=prior, sketch=sketch,
                   seed=seed, M=M, N=N, gamma=gamma, batch=batch, schedule=schedule,
                   approx_schedule=approx_schedule, sigma2=sigma2)
    given = {k: v for k, v in options.items() if v is not None}
    prog = Progress(progress)
    with prog, _lib.one_blas_thread(), Problem(methods[method], options) as p:
        p.gamma_opt, p.tuned_gammas = tune, []
        if method == "exact":
            columns, rows = _exact(p, prog)
        elif method == "de":
            columns, rows = _de(p, prog)
        elif method == "closed":
            columns, rows = _closed(p, prog)
        else:
            columns, rows = _mc(p, prog, runs, mc_mode, resketch, band, generator)
        absolute = lib.rc_schedule_get_kind(p.schedule) in (SCHEDULE_FILE, SCHEDULE_STAGES)
        first = lib.rc_schedule_gamma(p.schedule, 0, p.Ns[0]) if absolute else p.gamma
        cells = [first, float(p.batch), p.sigma2]
        columns, rows = columns + SWEEP_COLUMNS, [list(r) + cells for r in rows]
        for row, g in zip(rows, p.tuned_gammas):  # gamma="opt": each row's tuned step
            row[len(columns) - 3] = g
        meta = dict(p.meta)
    prog.finish()
    given.update(method=method)
    if method == "mc":
        given.update(runs=runs if runs is not None else 100, resketch=bool(resketch),
                     band=bool(band))
    meta["parameters"] = given
    return Result(columns, rows, meta)


def _sweep(kw, progress):
    """linear() over the combinations of the gamma, batch and sigma2 lists, rows in the tool's
    order: model size, then gamma, batch, sigma2, then N (the tool computes every combination
    as its own run, so each is the single-value call)."""
    lists = []
    for name in ("gamma", "batch", "sigma2"):
        value = kw[name]
        if isinstance(value, (list, tuple)):
            if not value:
                raise Error("%s: an empty list" % name)
            lists.append(list(value))
        else:
            lists.append([value])
    combos = list(itertools.product(*lists))
    results = []
    for k, (g, bt, s2) in enumerate(combos):
        share = None
        if progress is not None:
            share = (lambda k: lambda f: progress((k + f) / len(combos)))(k)
        one = dict(kw, gamma=g, batch=bt, sigma2=s2)
        results.append(linear(progress=share, **one))
    columns = results[0].columns
    order = []  # the model sizes in the order of the rows
    for m in np.asarray(results[0]["M"]):
        if m not in order:
            order.append(m)
    rows = []
    for m in order:
        for r in results:
            for row in np.asarray(r):
                if row["M"] == m:
                    rows.append([row[c] for c in columns])
    # the lines that describe one combination only (its step, noise, stable step per batch) are
    # left out: the tool writes them for all the lists at once
    meta = {k: v for k, v in results[0].meta.items()
            if all(r.meta.get(k) == v for r in results[1:])}
    parameters = dict(results[0].meta.get("parameters", {}))
    for name, values in zip(("gamma", "batch", "sigma2"), lists):
        if isinstance(kw[name], (list, tuple)):
            parameters[name] = values
    meta["parameters"] = parameters
    return Result(columns, rows, meta)
