"""riskcalc.schedule_opt: the step-size schedule minimising the final risk, beside the tuned
const, geometric and cosine schedules, as `riskcalc schedule-opt` (src/cli/cmd_schedule_opt.c)
computes it through the public C API."""
import ctypes

from . import _lib
from ._lib import Error, check, lib
from ._result import Result
from ._problem import ANALYTIC, FIXED_SKETCH, whole
from .linear import Problem

COLUMNS = ["kind", "risk", "approx", "bias", "variance", "gamma_first", "gamma_last"]
MAX_PER_STEP = 100000  # RC_SCHEDULE_OPT_MAX_PER_STEP
WORK_LIMIT = 1e14  # RC_WORK_LIMIT


def _row(kind, r, first, last):
    return [kind, r.risk, r.approx, r.bias, r.variance, first, last]


def schedule_opt(method="de", a=None, log_a=None, spectrum=None, d=None, b=None, prior=None,
                 sketch=None, seed=None, M=None, N=None, stages=None, per_step=False, batch=None,
                 sigma2=None):
    """The schedule minimising the risk after N steps at model size M, as
    `riskcalc schedule-opt`: method "de" (default, d = inf allowed) or "exact" (one sketch from
    seed or the sketch file); stages K (default 32) or per_step=True; the problem options as
    riskcalc.linear. Returns a Result with the rows optimal, const, geometric, cosine (column
    kind, str) and risk approx bias variance gamma_first gamma_last; .meta["stages"] holds the
    optimal schedule as [count, gamma] pairs (what --schedule-out writes)."""
    uses = {"de": ANALYTIC, "exact": FIXED_SKETCH}
    if method not in uses:
        raise Error("method: unknown method '%s' (available: de, exact)" % method)
    opt = lib.rc_schedule_opt_options_default()
    opt.stages = whole("stages", stages, 1, MAX_PER_STEP) if stages is not None else 32
    opt.per_step = 1 if per_step else 0
    if per_step and stages is not None:
        raise Error("give only one of stages and per_step")
    options = dict(a=a, log_a=log_a, spectrum=spectrum, d=d, b=b, prior=prior, sketch=sketch,
                   seed=seed, M=M, N=N, batch=batch, sigma2=sigma2)
    rows = []
    with _lib.one_blas_thread(), Problem(uses[method], options) as p:
        p.meta["schedule"] = "optimised: see the rows and the optimisation line"
        if len(p.Ms) != 1 or len(p.Ns) != 1:
            raise Error("M and N take one value each here (got %d and %d)" %
                        (len(p.Ms), len(p.Ns)))
        Mv, Nv = p.Ms[0], p.Ns[0]
        err = _lib.c_error()
        if method == "de":
            de = p.plan(float(Mv))
            p.meta["method"] = "de: sketch-averaged deterministic equivalent (docs/DETEQ.md)"
            m = lib.rc_deteq_measure(de, float(Mv), None, None, ctypes.byref(err))
            lib.rc_deteq_free(de)
            if not m:
                check(err.status or 1, err, "M = %d" % Mv)
        else:
            m = p.measure(Mv)
            p.meta["method"] = "exact: the expected risk for this sketch"
        result = _lib.rc_schedule_opt_result()
        try:
            o = lib.rc_sgd_options_default()
            o.batch, o.sigma2 = p.batch, p.sigma2
            work = (3.0 * opt.max_iter * 3 * 6 + 700 * 6) * m.contents.n * Nv
            if work > WORK_LIMIT:
                raise Error("this job needs about %.2g elementary updates, more than the %.0e "
                            "(about a day at 1e9 per second) riskcalc accepts in one run; reduce "
                            "N or M" % (work, WORK_LIMIT))
            check(lib.rc_sgd_schedule_opt(m, Nv, ctypes.byref(o), ctypes.byref(opt),
                                          ctypes.byref(result), ctypes.byref(err)),
                  err, "M = %d" % Mv)
            p.meta["optimisation"] = (
                "%d stages of equal length%s; GSL vector BFGS on steps g_k = g_max s(z_k) (s "
                "logistic, g_max = %.17g just below the stability edge), exact gradients by the "
                "adjoint recursion, restarted while it improves, started from the best of the "
                "tuned const, cosine and geometric schedules written on the stages; %d "
                "iterations, %d evaluations, %s" %
                (result.count, " (one per step)" if opt.per_step else "", result.gamma_max,
                 result.iterations, result.evaluations,
                 "converged" if result.converged else "stopped at the iteration limit"))
            rows.append(_row("optimal", result.row, result.gamma[0],
                             result.gamma[result.count - 1]))
            stages_out = [[int(result.length[k]), result.gamma[k]] for k in range(result.count)]
            for kind in ("const", "geometric", "cosine"):
                s = lib.rc_schedule_parse(kind.encode(), 1.0, ctypes.byref(err))
                t = _lib.rc_gamma_tuned()
                if not s or lib.rc_sgd_tune_gamma(m, s, Nv, ctypes.byref(o), ctypes.byref(t),
                                                  ctypes.byref(err)):
                    if s:
                        lib.rc_schedule_free(s)
                    raise Error("tuning the %s schedule: %s" % (kind, _lib.message(err)),
                                err.status or 1)
                lib.rc_schedule_set_base(s, t.gamma, None)
                rows.append(_row(kind, t.row, lib.rc_schedule_gamma(s, 0, Nv),
                                 lib.rc_schedule_gamma(s, Nv - 1, Nv)))
                p.meta["tuned %s" % kind] = "base step %.17g (stable below %.17g)%s" % (
                    t.gamma, t.gamma_max,
                    "; the risk still fell at the stability edge" if t.at_edge else "")
                lib.rc_schedule_free(s)
        finally:
            lib.rc_schedule_opt_result_free(ctypes.byref(result))
            lib.rc_sgd_measure_free(m)
        meta = dict(p.meta)
    meta["stages"] = stages_out
    given = dict(options, method=method, stages=stages, per_step=per_step or None)
    meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return Result(COLUMNS, rows, meta, text={"kind"})
