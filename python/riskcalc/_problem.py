"""The options every model shares (src/cli/problem.c): spectrum, prior, schedule, horizons,
batch, noise and seed, parsed and checked in the tool's order with the same library calls, and
their header metadata. Options are keyed by role (a, log_a, spectrum, d, b, prior, gamma, batch,
schedule, approx_schedule, sigma2, N, seed); `names` gives the keyword a model calls each role
(quad: alpha, beta, target, eta, T), used in messages."""
import ctypes
import math
import signal
import threading
import warnings

from . import _lib
from ._lib import Error, check, lib

MAX_INTEGER = 1 << 53
LAW_MIN_D = 1048576.0  # LINEAR_LAW_MIN_D: above it (and at inf) the analytic methods keep a law
FIXED_SKETCH, SIMULATED, ANALYTIC = 0, 1, 2
SPECTRUM_POWER, SPECTRUM_LOGPOWER, SPECTRUM_VALUES = 0, 1, 2
PRIOR_ISOTROPIC, PRIOR_SOURCE = 0, 1
SCHEDULE_FILE, SCHEDULE_STAGES = 4, 10
ROLES = ("a", "log_a", "spectrum", "d", "b", "prior", "gamma", "batch", "schedule",
         "approx_schedule", "sigma2", "N", "seed")


def fmt(x):
    """x as the shortest text that reads back (rc_io_format_double), as the tool echoes inputs."""
    buf = ctypes.create_string_buffer(32)
    return lib.rc_io_format_double(float(x), buf, 32).decode()


def list_text(value):
    """A Python list (or one number, or the tool's own text such as "1e2:1e5:13") as the text
    of a LIST option."""
    if isinstance(value, str):
        return value
    items = value if hasattr(value, "__iter__") else [value]
    out = []
    for v in items:
        if isinstance(v, str):
            out.append(v)
        elif float(v) == int(v):
            out.append(str(int(v)))
        else:
            out.append(repr(float(v)))
    return ",".join(out)


def parse_list(name, value):
    """rc_io_parse_list: whole numbers and log-spaced ranges, as the tool reads them."""
    values = ctypes.POINTER(ctypes.c_uint64)()
    count = ctypes.c_size_t(0)
    err = _lib.c_error()
    check(lib.rc_io_parse_list(list_text(value).encode(), ctypes.byref(values),
                               ctypes.byref(count), ctypes.byref(err)), err, name)
    out = [int(values[k]) for k in range(count.value)]
    _lib.libc.free(values)
    return out


def number(name, value):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Error("%s: not a number: %r" % (name, value))


def whole(name, value, lo, hi):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise Error("%s: not a whole number: %r" % (name, value))
    if x != math.floor(x) or not (lo <= x <= hi):
        raise Error("%s: must be a whole number in [%d, %d] (got %r)" % (name, lo, hi, value))
    return int(x)


def read_column(name, path):
    """rc_io_read_column: (malloc'd values, count); free the values with _lib.libc.free."""
    values = ctypes.POINTER(ctypes.c_double)()
    count = ctypes.c_size_t(0)
    err = _lib.c_error()
    check(lib.rc_io_read_column(str(path).encode(), ctypes.byref(values), ctypes.byref(count),
                                ctypes.byref(err)), err, name)
    return values, count.value


def is_inf(d):
    return d is not None and (str(d) in ("inf", "infinity") or
                              (isinstance(d, float) and math.isinf(d)))


class Progress:
    """Calls the user's progress(fraction) with the fraction of the whole job done; an exception
    raised by it or a true return value cancels the computation, and the exception is raised
    again once the library has returned. Used as a context manager around a computation it also
    makes Ctrl-C cancel it: SIGINT only sets a flag (a KeyboardInterrupt raised inside a ctypes
    callback would be lost), the next callback cancels, and KeyboardInterrupt is raised when the
    library has returned."""

    def __init__(self, user):
        self.user, self.done, self.share, self.exc = user, 0.0, 1.0, None
        self.interrupted, self.saved = False, None
        self.fn = _lib.PROGRESS_FN(self._call)

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread() and
                signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.saved = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, kind, value, tb):
        if self.saved is not None:
            signal.signal(signal.SIGINT, self.saved)
            self.saved = None
        if kind is None and self.interrupted:
            raise KeyboardInterrupt

    def _on_sigint(self, signum, frame):
        self.interrupted = True

    def _call(self, _context, fraction):
        if self.interrupted:
            return 1
        if self.user is None:
            return 0
        try:
            return 1 if self.user(self.done + self.share * fraction) else 0
        except BaseException as e:  # re-raised after the C call returns
            self.exc = e
            return 1

    def part(self, k, n):
        self.done, self.share = k / n, 1.0 / n

    def reraise(self):
        if self.exc is not None:
            raise self.exc
        if self.interrupted:
            raise KeyboardInterrupt

    def finish(self):
        if self.user is not None:
            self.user(1.0)


class SharedProblem:
    """parse -> check_* -> describe_*, as src/cli/problem.c; owns the spectrum, prior and
    schedule (close, or use as a context manager)."""

    names = {r: r for r in ROLES}
    defaults = dict(a=1.5, gamma=0.1, sigma2=1.0, schedule="geometric", b=0.0)

    def __init__(self):
        self.spectrum = self.prior = self.schedule = None
        self.meta = {}

    def close(self):
        if self.schedule:
            lib.rc_schedule_free(self.schedule)
        if self.prior:
            lib.rc_prior_free(self.prior)
        if self.spectrum:
            lib.rc_spectrum_free(self.spectrum)
        self.spectrum = self.prior = self.schedule = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def parse(self, o):
        n, dflt = self.names, self.defaults
        given = lambda k: o.get(k) is not None  # noqa: E731
        self.spectrum_options = given("a") + given("log_a") + given("spectrum")
        self.law_kind = SPECTRUM_LOGPOWER if given("log_a") else SPECTRUM_POWER
        self.a_given = given("log_a") or given("a")
        role = "log_a" if given("log_a") else "a"
        self.a = number(n[role], o[role]) if self.a_given else dflt["a"]
        self.spectrum_file = o.get("spectrum")
        d = o.get("d")
        self.d_inf = is_inf(d)
        self.d = 0 if d is None or self.d_inf else whole(n["d"], d, 1, MAX_INTEGER)
        self.d_text = None if d is None else ("inf" if self.d_inf else str(self.d))
        self.b_given = given("b")
        self.b = number(n["b"], o["b"]) if self.b_given else dflt["b"]
        self.prior_file = o.get("prior")
        self.schedule_given = given("schedule")
        self.schedule_spec = o["schedule"] if given("schedule") else dflt["schedule"]
        self.approx_given = given("approx_schedule")
        self.approx_rtol = number(n["approx_schedule"], o["approx_schedule"]) \
            if self.approx_given else 0.0
        self.gamma_given = given("gamma")
        self.gamma = number(n["gamma"], o["gamma"]) if self.gamma_given else dflt["gamma"]
        self.batch = whole(n["batch"], o["batch"], 0, 1 << 32) if given("batch") else 1
        self.sigma2 = number(n["sigma2"], o["sigma2"]) if given("sigma2") else dflt["sigma2"]
        self.Ns = parse_list(n["N"], o["N"]) if given("N") else None
        self.seed_given = given("seed")
        self.seed = whole(n["seed"], o["seed"], 0, MAX_INTEGER) if self.seed_given else 1

    def check_spectrum(self, law_ok, law_min_d, inf_refused):
        n = self.names
        err = _lib.c_error()
        if self.spectrum_options > 1:
            raise Error("give only one of %s, %s and %s" % (n["a"], n["log_a"], n["spectrum"]))
        if self.d_inf and not law_ok:
            raise Error(inf_refused)
        if self.d_inf and self.spectrum_file:
            raise Error("%s inf needs a spectrum law (%s or %s), not %s" %
                        (n["d"], n["a"], n["log_a"], n["spectrum"]))
        self.use_law = False
        if self.spectrum_file:
            values, count = read_column(n["spectrum"], self.spectrum_file)
            if self.d_text is not None and self.d != count:
                _lib.libc.free(values)
                raise Error("%s %d disagrees with the %d eigenvalues in '%s'" %
                            (n["d"], self.d, count, self.spectrum_file))
            self.spectrum = lib.rc_spectrum_values_alloc(values, count, ctypes.byref(err))
            _lib.libc.free(values)
            if not self.spectrum:
                check(err.status or 1, err, self.spectrum_file)
        elif self.d_text is None:
            raise Error("%s is required with %s or %s" % (n["d"], n["a"], n["log_a"]))
        elif law_ok and (self.d_inf or self.d > law_min_d):
            self.use_law = True
            self.law = _lib.rc_law(self.law_kind, self.a, PRIOR_ISOTROPIC, math.nan,
                                   math.inf if self.d_inf else float(self.d))
        else:
            alloc = (lib.rc_spectrum_logpower_alloc if self.law_kind == SPECTRUM_LOGPOWER
                     else lib.rc_spectrum_power_alloc)
            self.spectrum = alloc(self.d, self.a, ctypes.byref(err))
            if not self.spectrum:
                check(err.status or 1, err, n["log_a"] if self.law_kind else n["a"])

    def check_prior(self):
        n = self.names
        err = _lib.c_error()
        if self.b_given and self.prior_file:
            raise Error("give only one of %s and %s" % (n["b"], n["prior"]))
        if self.use_law:
            if self.prior_file:
                raise Error("%s FILE needs d explicit values: not available with %s %s" %
                            (n["prior"], n["d"], self.d_text))
            if self.b_given:
                self.law.prior, self.law.b = PRIOR_SOURCE, self.b
            check(lib.rc_law_check(ctypes.byref(self.law), ctypes.byref(err)), err)
            return
        d = self.spectrum.contents.d
        if self.prior_file:
            values, count = read_column(n["prior"], self.prior_file)
            if count != d:
                _lib.libc.free(values)
                raise Error("%s '%s' has %d values but d = %d" %
                            (n["prior"], self.prior_file, count, d))
            self.prior = lib.rc_prior_values_alloc(values, count, ctypes.byref(err))
            _lib.libc.free(values)
            what = self.prior_file
        elif self.b_given:
            self.prior = lib.rc_prior_source_alloc(self.spectrum, self.b, ctypes.byref(err))
            what = n["b"]
        else:
            self.prior = lib.rc_prior_isotropic_alloc(d, ctypes.byref(err))
            what = None
        if not self.prior:
            check(err.status or 1, err, what)

    def check_horizons(self, example):
        if self.Ns is None:
            raise Error("%s is required (for example %s)" % (self.names["N"], example))

    def check_training(self):
        n = self.names
        err = _lib.c_error()
        if not self.gamma > 0:
            raise Error("%s must be > 0 (got %g)" % (n["gamma"], self.gamma))
        for role in ("batch", "sigma2"):
            opt = lib.rc_sgd_options_default()
            setattr(opt, role, getattr(self, role))
            check(lib.rc_sgd_options_check(ctypes.byref(opt), ctypes.byref(err)), err, n[role])
        self.schedule = lib.rc_schedule_parse(self.schedule_spec.encode(), self.gamma,
                                              ctypes.byref(err))
        if not self.schedule:
            check(err.status or 1, err, n["schedule"])
        maxN = max(self.Ns) if self.Ns else 0
        if maxN > lib.rc_schedule_capacity(self.schedule):
            raise Error("%s: '%s' holds %d steps but %s asks for %d" %
                        (n["schedule"], self.schedule_spec,
                         lib.rc_schedule_capacity(self.schedule), n["N"], maxN))
        kind = lib.rc_schedule_get_kind(self.schedule)
        if kind in (SCHEDULE_FILE, SCHEDULE_STAGES) and self.gamma_given:
            warnings.warn("riskcalc: %s is ignored: %s schedules give absolute steps" %
                          (n["gamma"], "file" if kind == SCHEDULE_FILE else "stages"))
        if self.approx_given:
            check(lib.rc_schedule_approximate(self.schedule, self.approx_rtol, ctypes.byref(err)),
                  err, n["approx_schedule"])
        stall = lib.rc_schedule_stall(self.schedule, maxN)
        self.stall = ""
        if maxN - stall >= (maxN + 99) // 100 and stall < maxN:
            self.stall = ("the schedule stops training: from step %d on, the last %.3g%% of N = "
                          "%d, every step is below 1e-12 of its largest step" %
                          (stall, 100.0 * (maxN - stall) / maxN, maxN))
            warnings.warn("riskcalc: " + self.stall)

    def describe_data(self):
        m = self.meta
        law = ("log power law lambda_i = i^-1 log(i+1)^-a" if self.law_kind == SPECTRUM_LOGPOWER
               else "power law lambda_i = i^-a")
        m["riskcalc"] = _lib.version()
        if self.spectrum_file:
            m["spectrum"] = "file %s (d = %d)" % (self.spectrum_file, self.spectrum.contents.d)
        else:
            m["spectrum"] = "%s a = %s, d = %s" % (law, fmt(self.a), self.d_text)
        if self.prior_file:
            m["prior"] = "file %s" % self.prior_file
        elif self.b_given:
            m["prior"] = "source condition lambda_i E w*_i^2 = i^-b, b = %s" % fmt(self.b)
        else:
            m["prior"] = "isotropic E w*_i^2 = 1"
        if not self.use_law:
            m["signal"] = "tr(H P) = %.17g" % lib.rc_prior_signal(self.spectrum, self.prior)

    def describe_training(self):
        buf = ctypes.create_string_buffer(512)
        lib.rc_schedule_describe(self.schedule, buf, 512)
        self.meta["schedule"] = buf.value.decode()
        if self.stall:
            self.meta["warning"] = self.stall
        self.meta["batch"] = "%d" % self.batch
        self.meta["sigma2"] = fmt(self.sigma2)
