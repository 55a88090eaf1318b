"""riskcalc.optimal: the compute-optimal allocation of C = M N, as `riskcalc optimal`
(src/cli/cmd_optimal.c) computes it through the public C API."""
import ctypes
import math

from . import _lib
from ._lib import Error, check, lib
from ._result import Result
from ._problem import MAX_INTEGER, PRIOR_ISOTROPIC, PRIOR_SOURCE, SPECTRUM_POWER, fmt, number, \
    parse_list, whole

COLUMNS = ["C", "M_closed", "N_closed", "risk_closed", "M_opt", "N_opt", "risk_opt",
           "approx_opt", "bias_opt", "variance_opt", "evaluations", "gamma_closed", "gamma_opt"]
RC_EUNSTABLE = 5


def optimal(a=None, b=None, C=None, d=None, gamma=None, sigma2=None, range=None,
            progress=None):
    """Compute-optimal allocation of C = M N (batch 1, geometric schedule) for the power-law
    spectrum, as `riskcalc optimal`: a (required), b (default isotropic), C (list of budgets,
    each >= 16), d (default inf), gamma (0.1), sigma2 (1), range (30). progress: optional
    callable(fraction), called after each budget; a true return value cancels.

    Returns a Result with the columns C M_closed N_closed risk_closed M_opt N_opt risk_opt
    approx_opt bias_opt variance_opt evaluations and .meta; raises riskcalc.Error."""
    err = _lib.c_error()
    a_value = number("a", a) if a is not None else 1.5
    b_value = number("b", b) if b is not None else 0.0
    d_inf = d is None or str(d) in ("inf", "infinity") or (isinstance(d, float) and
                                                          math.isinf(d))
    d_value = math.inf if d_inf else float(whole("d", d, 1, MAX_INTEGER))
    gamma_value = number("gamma", gamma) if gamma is not None else 0.1
    sigma2_value = number("sigma2", sigma2) if sigma2 is not None else 1.0
    if a is None:
        raise Error("a is required (the power-law exponent)")
    if C is None:
        raise Error("C is required (for example C=\"1e4:1e8:5\")")
    range_value = number("range", range) if range is not None else 30.0
    law = _lib.rc_law(SPECTRUM_POWER, a_value, PRIOR_SOURCE if b is not None else PRIOR_ISOTROPIC,
                      b_value if b is not None else math.nan, d_value)
    check(lib.rc_law_check(ctypes.byref(law), ctypes.byref(err)), err, "a/b/d")
    if not gamma_value > 0:
        raise Error("gamma must be > 0 (got %g)" % gamma_value)
    opt = lib.rc_sgd_options_default()
    opt.sigma2 = sigma2_value
    check(lib.rc_sgd_options_check(ctypes.byref(opt), ctypes.byref(err)), err, "sigma2")
    if not range_value >= 1:
        raise Error("range must be >= 1 (got %g)" % range_value)
    Cs = parse_list("C", C)
    closed, bounds, M_max = [], [], 1.0
    for c in Cs:
        if c < 16:
            raise Error("C: every budget must be >= 16 (got %d)" % c)
        Mc, Nc = ctypes.c_double(), ctypes.c_double()
        check(lib.rc_optimal_closed(a_value, float(c), ctypes.byref(Mc), ctypes.byref(Nc),
                                    ctypes.byref(err)), err, "C")
        closed.append((Mc.value, Nc.value))
        lo = max(1.0, math.floor(Mc.value / range_value))
        hi = min(float(c), math.ceil(Mc.value * range_value))
        bounds.append((lo, hi))
        M_max = max(M_max, max(hi, math.floor(Mc.value + 0.5)))
    schedule = lib.rc_schedule_parse(b"geometric", gamma_value, ctypes.byref(err))
    if not schedule:
        check(err.status or 1, err, "schedule")
    de = None
    rows = []
    meta = {}
    try:
        with _lib.one_blas_thread():
            de = lib.rc_deteq_alloc_law(ctypes.byref(law), M_max, ctypes.byref(err))
            if not de:
                check(err.status or 1, err, "deterministic equivalent")
            buf = ctypes.create_string_buffer(256)
            lib.rc_schedule_describe(schedule, buf, 256)
            meta["riskcalc"] = _lib.version()
            meta["spectrum"] = "power law lambda_i = i^-a, a = %s, d = %s" % (
                fmt(a_value), "inf" if d_inf else str(int(d_value)))
            meta["prior"] = ("source condition lambda_i E w*_i^2 = i^-b, b = %s" % fmt(b_value)
                             if b is not None else "isotropic E w*_i^2 = 1")
            meta["schedule"] = "%s; batch 1; sigma2 = %s" % (buf.value.decode(),
                                                             fmt(sigma2_value))
            meta["tail"] = "explicit eigenvalues 1..%d; bound on the neglected tail %.3g" % (
                lib.rc_deteq_cutoff(de), lib.rc_deteq_tail_bound(de))
            for k, c in enumerate(Cs):
                Mc, Nc = closed[k]
                at_closed, best = _lib.rc_optimum(), _lib.rc_optimum()
                Mr = max(1.0, math.floor(Mc + 0.5))
                Nr = max(1.0, math.floor(c / Mr + 0.5))
                risk_closed = math.nan
                st = lib.rc_optimal_evaluate(de, Mr, int(Nr), schedule, ctypes.byref(opt), None,
                                             ctypes.byref(at_closed), ctypes.byref(err))
                if st == 0:
                    risk_closed = at_closed.risk
                elif st != RC_EUNSTABLE:
                    check(st, err, "closed-form allocation")
                check(lib.rc_optimal_deteq(de, float(c), bounds[k][0], bounds[k][1], schedule,
                                           ctypes.byref(opt), None, ctypes.byref(best),
                                           ctypes.byref(err)), err, "C = %d" % c)
                rows.append([float(c), Mc, Nc, risk_closed, best.M, best.N, best.risk,
                             best.approx, best.bias, best.variance, float(best.evaluations),
                             gamma_value if st == 0 else math.nan, gamma_value])
                if progress is not None and progress((k + 1.0) / len(Cs)):
                    raise Error("cancelled by callback", 8)
    finally:
        if de:
            lib.rc_deteq_free(de)
        lib.rc_schedule_free(schedule)
    given = dict(a=a, b=b, C=C, d=d, gamma=gamma, sigma2=sigma2, range=range)
    meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return Result(COLUMNS, rows, meta)
