"""Loading libriskcalc.so and the ctypes declarations of the public C API used by the package.

The structures below mirror include/riskcalc/*.h field for field; tests/python/test_abi.py
checks their sizes against the C compiler's (sizeof through the headers).
"""
import ctypes
import ctypes.util
import os

__all__ = ["lib", "libc", "Error", "check", "c_error", "library_path"]


class Error(Exception):
    """A refused input or a failed computation: the library's one-line message (str(e)) and
    its status code (e.status: riskcalc/error.h, e.g. 1 invalid argument, 5 unstable step)."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def _candidates():
    env = os.environ.get("RISKCALC_LIB")
    if env:
        yield env  # an explicit choice is the only one tried
        return
    here = os.path.dirname(os.path.abspath(__file__))
    # build tree: python/riskcalc/ -> ../../build/libriskcalc.so
    yield os.path.join(here, "..", "..", "build", "libriskcalc.so")
    # installed: PREFIX/lib/python3/dist-packages/riskcalc/ -> PREFIX/lib/libriskcalc.so.0
    yield os.path.join(here, "..", "..", "..", "libriskcalc.so.0")
    for prefix in ("/usr/local", "/usr"):
        yield os.path.join(prefix, "lib", "libriskcalc.so.0")
    found = ctypes.util.find_library("riskcalc")
    if found:
        yield found


def _load():
    tried = []
    for path in _candidates():
        if os.path.sep in path and not os.path.exists(path):
            tried.append(path)
            continue
        if os.path.sep in path:
            path = os.path.normpath(path)
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("riskcalc: libriskcalc.so not found (run `make` in the source tree, or set "
                      "RISKCALC_LIB to its path); tried: " + ", ".join(tried))


def _choose_blas_kernels():
    """The tool's rule (src/cli/main.c, choose_blas_kernels) before the library loads OpenBLAS:
    OpenBLAS 0.3.21 gives CPUs newer than itself its generic SSE3 kernels; on a CPU with the
    AVX-512 subsets its SkylakeX kernels need, ask for those through OPENBLAS_CORETYPE, which
    OpenBLAS reads when it loads. A value already set is left alone. Python and the tool then
    run the same kernels and print the same digits. Nothing is done when OpenBLAS is already
    loaded (numpy imported first loads it): its kernels are chosen, and setting the variable
    would only make the tool started from here differ from this process. Import riskcalc
    before numpy, or set OPENBLAS_CORETYPE yourself; riskcalc.blas_kernels() tells which run."""
    if "OPENBLAS_CORETYPE" in os.environ or os.uname().machine != "x86_64":
        return
    try:
        with open("/proc/self/maps") as f:
            if any("libopenblas" in line for line in f):
                return
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:
        return
    if {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= set(flags):
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


_choose_blas_kernels()
lib, library_path = _load()
libc = ctypes.CDLL(None)
libc.free.argtypes = [ctypes.c_void_p]
libc.free.restype = None

c_size = ctypes.c_size_t
c_u64 = ctypes.c_uint64
c_dbl = ctypes.c_double
c_int = ctypes.c_int
c_p = ctypes.c_void_p
c_str = ctypes.c_char_p
P = ctypes.POINTER

PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_p, c_dbl)


class rc_error(ctypes.Structure):
    _fields_ = [("status", c_int), ("message", ctypes.c_char * 512)]


class rc_spectrum(ctypes.Structure):
    _fields_ = [("kind", c_int), ("a", c_dbl), ("d", c_size), ("lam", P(c_dbl))]


class rc_measure(ctypes.Structure):
    _fields_ = [("n", c_size), ("mu", P(c_dbl)), ("nu", P(c_dbl)), ("c0", P(c_dbl)),
                ("M", c_dbl), ("approx", c_dbl), ("signal", c_dbl), ("rank", c_size),
                ("pseudo_inverse", c_int)]


class rc_law(ctypes.Structure):
    _fields_ = [("kind", c_int), ("a", c_dbl), ("prior", c_int), ("b", c_dbl), ("d", c_dbl)]


class rc_sgd_options(ctypes.Structure):
    _fields_ = [("batch", c_size), ("sigma2", c_dbl), ("progress", PROGRESS_FN),
                ("progress_context", c_p), ("step_by_step", c_int),
                ("jump_method", c_int), ("threads", c_int)]


class rc_risk(ctypes.Structure):
    _fields_ = [("N", c_u64), ("M", c_dbl), ("sigma2", c_dbl), ("approx", c_dbl),
                ("bias", c_dbl), ("variance", c_dbl), ("excess", c_dbl), ("risk", c_dbl)]


class rc_closed_row(ctypes.Structure):
    _fields_ = [("N", c_u64), ("M", c_dbl), ("N_eff", c_dbl), ("T_eff", c_dbl),
                ("k_star", c_dbl), ("D_eff", c_dbl), ("sigma2", c_dbl), ("approx", c_dbl),
                ("bias", c_dbl), ("variance", c_dbl), ("excess", c_dbl), ("risk", c_dbl),
                ("rate_approx", c_dbl), ("rate_bias", c_dbl), ("rate_variance", c_dbl)]


class rc_deteq_info(ctypes.Structure):
    _fields_ = [("M", c_dbl), ("kappa", c_dbl), ("approx", c_dbl), ("signal", c_dbl),
                ("mass", c_dbl), ("mass_expected", c_dbl), ("signal_mass", c_dbl),
                ("signal_expected", c_dbl), ("separated_mass_error", c_dbl),
                ("intervals", c_size), ("atoms", c_size), ("x_min", c_dbl), ("x_max", c_dbl),
                ("fallbacks", c_size)]


class rc_mc_options(ctypes.Structure):
    _fields_ = [("runs", c_size), ("mode", c_int), ("resketch", c_int), ("seed", c_u64),
                ("batch", c_size), ("sigma2", c_dbl), ("threads", c_int),
                ("progress", PROGRESS_FN), ("progress_context", c_p), ("generator", c_int)]


class rc_mc_risk(ctypes.Structure):
    _fields_ = [("N", c_u64), ("M", c_dbl), ("mean", c_dbl), ("se", c_dbl), ("runs", c_size),
                ("approx", c_dbl), ("approx_se", c_dbl), ("bias", c_dbl), ("bias_se", c_dbl),
                ("variance", c_dbl), ("variance_se", c_dbl)]


STRUCTS = {"rc_error": rc_error, "rc_spectrum": rc_spectrum, "rc_measure": rc_measure,
           "rc_law": rc_law, "rc_sgd_options": rc_sgd_options, "rc_risk": rc_risk,
           "rc_closed_row": rc_closed_row, "rc_deteq_info": rc_deteq_info,
           "rc_mc_options": rc_mc_options, "rc_mc_risk": rc_mc_risk}

E = P(rc_error)
_SIGNATURES = {
    "rc_version": (c_str, []),
    "rc_io_parse_list": (c_int, [c_str, P(P(c_u64)), P(c_size), E]),
    "rc_io_read_column": (c_int, [c_str, P(P(c_dbl)), P(c_size), E]),
    "rc_io_read_table": (c_int, [c_str, P(P(c_dbl)), P(c_size), P(c_size), E]),
    "rc_io_format_double": (c_str, [c_dbl, ctypes.c_char_p, c_size]),
    "rc_spectrum_power_alloc": (P(rc_spectrum), [c_size, c_dbl, E]),
    "rc_spectrum_logpower_alloc": (P(rc_spectrum), [c_size, c_dbl, E]),
    "rc_spectrum_values_alloc": (P(rc_spectrum), [P(c_dbl), c_size, E]),
    "rc_spectrum_free": (None, [c_p]),
    "rc_prior_isotropic_alloc": (c_p, [c_size, E]),
    "rc_prior_source_alloc": (c_p, [c_p, c_dbl, E]),
    "rc_prior_values_alloc": (c_p, [P(c_dbl), c_size, E]),
    "rc_prior_free": (None, [c_p]),
    "rc_prior_signal": (c_dbl, [c_p, c_p]),
    "rc_law_check": (c_int, [P(rc_law), E]),
    "rc_schedule_parse": (c_p, [c_str, c_dbl, E]),
    "rc_schedule_free": (None, [c_p]),
    "rc_schedule_capacity": (c_u64, [c_p]),
    "rc_schedule_get_kind": (c_int, [c_p]),
    "rc_schedule_approximate": (c_int, [c_p, c_dbl, E]),
    "rc_schedule_stall": (c_u64, [c_p, c_u64]),
    "rc_schedule_describe": (None, [c_p, ctypes.c_char_p, c_size]),
    "rc_sketch_gaussian_alloc": (c_p, [c_size, c_size, c_p, E]),
    "rc_sketch_values_alloc": (c_p, [P(c_dbl), c_size, c_size, E]),
    "rc_sketch_free": (None, [c_p]),
    "rc_sgd_options_default": (rc_sgd_options, []),
    "rc_sgd_options_check": (c_int, [P(rc_sgd_options), E]),
    "rc_sgd_measure_from_sketch": (P(rc_measure), [c_p, c_p, c_p, E]),
    "rc_sgd_measure_gaussian": (P(rc_measure), [c_p, c_p, c_size, c_p, E]),
    "rc_sgd_measure_free": (None, [c_p]),
    "rc_sgd_stable_gamma": (c_int, [c_p, c_size, P(c_dbl), E]),
    "rc_sgd_risk_curve": (c_int, [c_p, c_p, P(c_u64), c_size, P(rc_sgd_options),
                                  P(rc_risk), E]),
    "rc_deteq_alloc_law": (c_p, [P(rc_law), c_dbl, E]),
    "rc_deteq_alloc_problem": (c_p, [c_p, c_p, c_dbl, E]),
    "rc_deteq_free": (None, [c_p]),
    "rc_deteq_dimension": (c_dbl, [c_p]),
    "rc_deteq_signal": (c_dbl, [c_p]),
    "rc_deteq_cutoff": (c_size, [c_p]),
    "rc_deteq_tail_bound": (c_dbl, [c_p]),
    "rc_deteq_measure": (P(rc_measure), [c_p, c_dbl, c_p, P(rc_deteq_info), E]),
    "rc_closed_curve": (c_int, [c_p, c_dbl, P(c_u64), c_size, c_dbl, c_size, c_dbl,
                                P(rc_closed_row), E]),
    "rc_mc_options_default": (rc_mc_options, []),
    "rc_mc_options_check": (c_int, [P(rc_mc_options), E]),
    "rc_mc_mode_parse": (c_int, [c_str, P(c_int), E]),
    "rc_mc_mode_name": (c_str, [c_int]),
    "rc_mc_generator_parse": (c_int, [c_str, P(c_int), E]),
    "rc_mc_generator_name": (c_str, [c_int]),
    "rc_mc_plan_alloc": (c_p, [c_p, c_p, c_p, c_size, P(rc_mc_options), E]),
    "rc_mc_plan_free": (None, [c_p]),
    "rc_mc_plan_run": (c_int, [c_p, c_p, P(c_u64), c_size, P(rc_mc_options), P(rc_mc_risk),
                               P(c_dbl), E]),
}
for _name, (_res, _args) in _SIGNATURES.items():
    _f = getattr(lib, _name)
    _f.restype = _res
    _f.argtypes = _args

# GSL's generator (the sketch is drawn from gsl_rng_mt19937, as the tool draws it) and
# OpenBLAS's thread count: both reached through libriskcalc's own dependencies.
lib.gsl_rng_alloc.restype = c_p
lib.gsl_rng_alloc.argtypes = [c_p]
lib.gsl_rng_set.restype = None
lib.gsl_rng_set.argtypes = [c_p, ctypes.c_ulong]
lib.gsl_rng_free.restype = None
lib.gsl_rng_free.argtypes = [c_p]
GSL_RNG_MT19937 = c_p.in_dll(lib, "gsl_rng_mt19937")
try:
    _set_threads = lib.openblas_set_num_threads
    _set_threads.argtypes = [c_int]
    _set_threads.restype = None
    _get_threads = lib.openblas_get_num_threads
    _get_threads.restype = c_int
except AttributeError:  # another BLAS: nothing to pin
    _set_threads = _get_threads = None


class one_blas_thread:
    """One OpenBLAS thread during a computation, as the tool runs (a threaded OpenBLAS rounds
    differently for different thread counts; the digits must equal the tool's). The previous
    count is restored afterwards, so numpy keeps its threads."""

    def __enter__(self):
        self.saved = _get_threads() if _get_threads else None
        if _set_threads:
            _set_threads(1)

    def __exit__(self, *exc):
        if _set_threads and self.saved:
            _set_threads(self.saved)


def c_error():
    return rc_error(0, b"")


def message(err):
    return err.message.decode("utf-8", "replace")


def check(status, err, prefix=None):
    """Raises Error with the library's message (prefixed "prefix: ") when status != 0."""
    if status:
        text = message(err)
        raise Error("%s: %s" % (prefix, text) if prefix else text, status)


def version():
    return lib.rc_version().decode()


def blas_kernels():
    """The kernels OpenBLAS runs in this process (its openblas_get_corename(), e.g. "SkylakeX"
    or "Prescott"): the last digits of BLAS-based results depend on them."""
    try:
        openblas = ctypes.CDLL("libopenblas.so.0")
        openblas.openblas_get_corename.restype = ctypes.c_char_p
        return openblas.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


class rc_optimum(ctypes.Structure):
    _fields_ = [("C", c_dbl), ("M", c_dbl), ("N", c_dbl), ("risk", c_dbl), ("approx", c_dbl),
                ("bias", c_dbl), ("variance", c_dbl), ("evaluations", c_size), ("gamma", c_dbl)]


STRUCTS["rc_optimum"] = rc_optimum
for _name, _res, _args in (
        ("rc_optimal_closed", c_int, [c_dbl, c_dbl, P(c_dbl), P(c_dbl), E]),
        ("rc_optimal_deteq", c_int, [c_p, c_dbl, c_dbl, c_dbl, c_p, P(rc_sgd_options), c_p,
                                     P(rc_optimum), E]),
        ("rc_optimal_evaluate", c_int, [c_p, c_dbl, c_u64, c_p, P(rc_sgd_options), c_p,
                                        P(rc_optimum), E])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_gamma_tuned(ctypes.Structure):
    _fields_ = [("gamma", c_dbl), ("gamma_max", c_dbl), ("row", rc_risk), ("at_edge", c_int),
                ("evaluations", c_size)]


class rc_schedule_opt_options(ctypes.Structure):
    _fields_ = [("stages", c_size), ("per_step", c_int), ("max_iter", c_size), ("rtol", c_dbl)]


class rc_schedule_opt_result(ctypes.Structure):
    _fields_ = [("count", c_size), ("length", P(c_u64)), ("gamma", P(c_dbl)), ("row", rc_risk),
                ("gamma_max", c_dbl), ("iterations", c_size), ("evaluations", c_size),
                ("converged", c_int)]


STRUCTS.update(rc_gamma_tuned=rc_gamma_tuned, rc_schedule_opt_options=rc_schedule_opt_options,
               rc_schedule_opt_result=rc_schedule_opt_result)
for _name, _res, _args in (
        ("rc_sgd_tune_gamma", c_int, [c_p, c_p, c_u64, P(rc_sgd_options), P(rc_gamma_tuned), E]),
        ("rc_schedule_set_base", c_int, [c_p, c_dbl, E]),
        ("rc_schedule_gamma", c_dbl, [c_p, c_u64, c_u64]),
        ("rc_schedule_opt_options_default", rc_schedule_opt_options, []),
        ("rc_schedule_opt_result_free", None, [P(rc_schedule_opt_result)]),
        ("rc_sgd_schedule_opt", c_int, [c_p, c_u64, P(rc_sgd_options),
                                        P(rc_schedule_opt_options), P(rc_schedule_opt_result),
                                        E])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_cost(ctypes.Structure):
    _fields_ = [("updates", c_dbl), ("bytes", c_dbl)]


class rc_quad_spec(ctypes.Structure):
    _fields_ = [("spectrum", c_int), ("alpha", c_dbl), ("lam", P(c_dbl)), ("target", c_int),
                ("beta", c_dbl), ("wstar", P(c_dbl)), ("d", c_dbl), ("v0", c_dbl),
                ("v0_values", P(c_dbl)), ("sigma2", c_dbl), ("batch", c_size)]


class rc_quad_row(ctypes.Structure):
    _fields_ = [("T", c_u64), ("M", c_dbl), ("sigma2", c_dbl), ("approx", c_dbl),
                ("bias", c_dbl), ("variance", c_dbl), ("excess", c_dbl), ("risk", c_dbl),
                ("active", c_dbl)]


class rc_quad_analytic_options(ctypes.Structure):
    _fields_ = [("tol", c_dbl), ("domain_limit", c_dbl), ("step_by_step", c_int),
                ("theta_mean", P(c_dbl)), ("theta_var", P(c_dbl)), ("progress", PROGRESS_FN),
                ("progress_context", c_p)]


class rc_quad_closed_row(ctypes.Structure):
    _fields_ = [("T", c_u64), ("M", c_dbl), ("D_eff", c_dbl), ("D_t", c_dbl),
                ("t_adapt", c_dbl), ("sigma2", c_dbl), ("approx", c_dbl), ("rate_bias", c_dbl),
                ("rate_variance", c_dbl), ("rate_risk", c_dbl)]


class rc_quad_mc_options(ctypes.Structure):
    _fields_ = [("runs", c_size), ("seed", c_u64), ("threads", c_int),
                ("progress", PROGRESS_FN), ("progress_context", c_p)]


class rc_quad_mc_row(ctypes.Structure):
    _fields_ = [("T", c_u64), ("M", c_dbl), ("risk", c_dbl), ("risk_se", c_dbl),
                ("bias", c_dbl), ("bias_se", c_dbl), ("variance", c_dbl),
                ("variance_se", c_dbl), ("runs", c_size)]


STRUCTS.update(rc_cost=rc_cost, rc_quad_spec=rc_quad_spec, rc_quad_row=rc_quad_row,
               rc_quad_analytic_options=rc_quad_analytic_options,
               rc_quad_closed_row=rc_quad_closed_row, rc_quad_mc_options=rc_quad_mc_options,
               rc_quad_mc_row=rc_quad_mc_row)
for _name, _res, _args in (
        ("rc_quad_spec_default", rc_quad_spec, []),
        ("rc_quad_problem_alloc", c_p, [P(rc_quad_spec), c_size, E]),
        ("rc_quad_problem_free", None, [c_p]),
        ("rc_quad_analytic_options_default", rc_quad_analytic_options, []),
        ("rc_quad_analytic_curve", c_int, [c_p, c_p, P(c_u64), c_size,
                                           P(rc_quad_analytic_options), P(rc_quad_row), c_p, E]),
        ("rc_quad_analytic_cost", c_int, [c_size, c_p, P(c_u64), c_size, P(rc_cost), E]),
        ("rc_quad_closed_curve", c_int, [c_p, c_dbl, P(c_u64), c_size, P(rc_quad_closed_row),
                                         E]),
        ("rc_quad_mc_options_default", rc_quad_mc_options, []),
        ("rc_quad_mc_cost", c_int, [c_size, c_size, c_p, P(c_u64), c_size,
                                    P(rc_quad_mc_options), P(rc_cost), E]),
        ("rc_quad_mc_curve", c_int, [c_p, c_p, P(c_u64), c_size, P(rc_quad_mc_options),
                                     P(rc_quad_mc_row), E])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_ridge_row(ctypes.Structure):
    _fields_ = [(f, c_dbl) for f in ("n", "lambda_", "kappa", "df1", "df2", "bias", "var_x",
                                     "var_noise", "variance", "test", "train", "gcv")]


class rc_rf_row(ctypes.Structure):
    _fields_ = [(f, c_dbl) for f in ("P", "n", "lambda_", "kappa", "kappa1", "df1", "df2",
                                     "bias", "var_x", "var_noise", "var_f", "test", "train")]


class rc_ridge_mc_options(ctypes.Structure):
    _fields_ = [("runs", c_size), ("seed", c_u64), ("threads", c_int),
                ("progress", PROGRESS_FN), ("progress_context", c_p)]


STRUCTS.update(rc_ridge_row=rc_ridge_row, rc_rf_row=rc_rf_row,
               rc_ridge_mc_options=rc_ridge_mc_options)
for _name, _res, _args in (
        ("rc_io_parse_values", c_int, [c_str, ctypes.c_uint, P(P(c_dbl)), P(c_size), E]),
        ("rc_ridge_alloc_law", c_p, [P(rc_law), E]),
        ("rc_ridge_alloc_values", c_p, [c_p, c_p, E]),
        ("rc_ridge_free", None, [c_p]),
        ("rc_ridge_dimension", c_dbl, [c_p]),
        ("rc_ridge_signal", c_dbl, [c_p]),
        ("rc_ridge_explicit_count", c_size, [c_p]),
        ("rc_ridge_tail_bound", c_dbl, [c_p]),
        ("rc_ridge_kappa_min", c_dbl, [c_p]),
        ("rc_ridge_eval_cost", c_int, [c_p, c_dbl, P(rc_cost), E]),
        ("rc_ridge_curve", c_int, [c_p, P(c_dbl), c_size, P(c_dbl), c_size, c_dbl,
                                   P(rc_ridge_row), E]),
        ("rc_rf_curve", c_int, [c_p, P(c_dbl), c_size, P(c_dbl), c_size, P(c_dbl), c_size,
                                c_dbl, P(rc_rf_row), E]),
        ("rc_ridge_columns", P(c_str), [P(c_size)]),
        ("rc_rf_columns", P(c_str), [P(c_size)]),
        ("rc_ridge_row_values", None, [P(rc_ridge_row), P(c_dbl)]),
        ("rc_rf_row_values", None, [P(rc_rf_row), P(c_dbl)]),
        ("rc_ridge_mc_options_default", rc_ridge_mc_options, []),
        ("rc_ridge_mc_options_check", c_int, [P(rc_ridge_mc_options), E]),
        ("rc_ridge_mc", c_int, [c_p, c_p, P(c_dbl), c_size, P(c_dbl), c_size, c_dbl,
                                P(rc_ridge_mc_options), P(rc_ridge_row), P(rc_ridge_row), E]),
        ("rc_rf_mc", c_int, [c_p, c_p, P(c_dbl), c_size, P(c_dbl), c_size, P(c_dbl), c_size,
                             c_dbl, P(rc_ridge_mc_options), P(rc_rf_row), P(rc_rf_row), E]),
        ("rc_ridge_mc_cost", c_int, [c_p, P(c_dbl), c_size, P(c_dbl), c_size, c_size,
                                     P(rc_ridge_mc_options), P(rc_cost), E]),
        ("rc_physical_memory", c_size, [])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_fit_options(ctypes.Structure):
    _fields_ = [("floor", c_dbl), ("level", c_dbl), ("se_relative", c_int),
                ("drop_nonpositive", c_int)]


class rc_fit_power(ctypes.Structure):
    _fields_ = [("n", c_size), ("dropped", c_size), ("dof", c_size), ("weighted", c_int),
                ("interval", c_int)] + [(f, c_dbl) for f in (
                    "level", "quantile", "exponent", "exponent_se", "exponent_lo", "exponent_hi",
                    "log_prefactor", "log_prefactor_se", "log_prefactor_lo", "log_prefactor_hi",
                    "prefactor", "cov_logc_e", "chi2", "chi2_dof", "r2")]


class rc_fit_joint_options(ctypes.Structure):
    _fields_ = [("fix_E", c_int), ("E", c_dbl), ("level", c_dbl), ("se_relative", c_int),
                ("max_iter", c_size), ("xtol", c_dbl), ("gtol", c_dbl), ("ftol", c_dbl),
                ("start", P(c_dbl))]


class rc_fit_joint(ctypes.Structure):
    _fields_ = [("n", c_size), ("nparam", c_size), ("dof", c_size), ("weighted", c_int),
                ("interval", c_int), ("level", c_dbl), ("quantile", c_dbl),
                ("value", c_dbl * 5), ("se", c_dbl * 5), ("lo", c_dbl * 5), ("hi", c_dbl * 5),
                ("cov", (c_dbl * 5) * 5), ("start", c_dbl * 5), ("chi2", c_dbl),
                ("chi2_dof", c_dbl), ("r2", c_dbl), ("converged", c_int), ("stop_test", c_int),
                ("iterations", c_size)]


STRUCTS.update(rc_fit_options=rc_fit_options, rc_fit_power=rc_fit_power,
               rc_fit_joint_options=rc_fit_joint_options, rc_fit_joint=rc_fit_joint)
for _name, _res, _args in (
        ("rc_fit_options_default", rc_fit_options, []),
        ("rc_fit_power_law", c_int, [P(c_dbl), P(c_dbl), P(c_dbl), c_size, P(rc_fit_options),
                                     P(rc_fit_power), E]),
        ("rc_fit_param_name", c_str, [c_int]),
        ("rc_fit_joint_options_default", rc_fit_joint_options, []),
        ("rc_fit_joint_power_law", c_int, [P(c_dbl), P(c_dbl), P(c_dbl), P(c_dbl), c_size,
                                           P(rc_fit_joint_options), P(rc_fit_joint), E]),
        ("rc_io_parse_double", c_int, [c_str, P(c_dbl), E])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_ridge_tuned_row(ctypes.Structure):
    _fields_ = [(f, c_dbl) for f in ("P", "n", "lambda_opt", "test_opt", "lambda_gcv",
                                     "test_gcv", "gcv", "edge_opt", "edge_gcv")]


STRUCTS.update(rc_ridge_tuned_row=rc_ridge_tuned_row)
for _name, _res, _args in (
        ("rc_ridge_eval", c_int, [c_p, c_dbl, c_dbl, c_dbl, P(rc_ridge_row), E]),
        ("rc_rf_eval", c_int, [c_p, c_dbl, c_dbl, c_dbl, c_dbl, P(rc_rf_row), E]),
        ("rc_ridge_optimal_lambda", c_int, [c_p, c_dbl, c_dbl, c_dbl, c_dbl, c_dbl, P(c_dbl),
                                            P(c_int), E]),
        ("rc_ridge_mc_tune", c_int, [c_p, c_p, P(c_dbl), c_size, P(c_dbl), c_size, c_dbl, c_dbl,
                                     c_dbl, P(rc_ridge_mc_options), P(rc_ridge_tuned_row),
                                     P(rc_ridge_tuned_row), E]),
        ("rc_ridge_mc_tune_cost", c_int, [c_p, P(c_dbl), c_size, P(c_dbl), c_size,
                                          P(rc_ridge_mc_options), P(rc_cost), E])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args


class rc_quad_problem(ctypes.Structure):
    _fields_ = [("M", c_size), ("d", c_dbl), ("lam", P(c_dbl)), ("wstar", P(c_dbl)),
                ("theta0", P(c_dbl)), ("approx", c_dbl), ("signal", c_dbl), ("sigma2", c_dbl),
                ("batch", c_size), ("spectrum", c_int), ("alpha", c_dbl), ("target", c_int),
                ("beta", c_dbl), ("feature_cov", P(c_dbl)), ("feature_chol", P(c_dbl))]


STRUCTS.update(rc_quad_problem=rc_quad_problem)
for _name, _res, _args in (
        ("rc_quad_analytic_trajectory", c_int, [c_p, c_p, c_u64, P(c_u64), c_size,
                                                P(rc_quad_analytic_options), P(c_dbl), P(c_dbl),
                                                c_p, E]),
        ("rc_quad_activation_time", c_dbl, [c_p, c_size, c_dbl]),
        ("rc_quad_problem_sketched_alloc", c_p, [P(rc_quad_spec), c_p, E]),
        ("rc_quad_mc_problem_cost", c_int, [c_p, c_p, P(c_u64), c_size, P(rc_quad_mc_options),
                                            P(rc_cost), E]),
        ("rc_schedule_stage_end", c_u64, [c_p, c_u64, c_u64])):
    getattr(lib, _name).restype = _res
    getattr(lib, _name).argtypes = _args
