"""riskcalc.fit: power-law fits with confidence intervals, as `riskcalc fit`
(src/cli/cmd_fit.c) computes them with the library's rc_fit_power_law and
rc_fit_joint_power_law, on a table held in Python (a riskcalc.Result or any numpy structured
array) or on a table file the tool wrote."""
import ctypes
import math

import numpy as np

from . import _lib
from ._lib import Error, check, lib
from ._problem import fmt, number, whole
from ._result import Result

RC_FIT_INTERVAL_NONE, RC_FIT_INTERVAL_STUDENT, RC_FIT_INTERVAL_NORMAL = 0, 1, 2
ALPHA, A, B, BETA = 2, 1, 3, 4
STOP_TESTS = ["none", "step size (xtol)", "gradient (gtol)", "residual change (ftol)"]


def parse_double(name, text):
    v = ctypes.c_double()
    err = _lib.c_error()
    check(lib.rc_io_parse_double(str(text).encode(), ctypes.byref(v), ctypes.byref(err)), err,
          name)
    return v.value


class Table:
    """The columns of the data: names (None without a header) and the values of each column
    (floats), with each row's line (files) for messages."""

    def __init__(self, data):
        if isinstance(data, (str, bytes)) or hasattr(data, "__fspath__"):
            self.path = str(data)
            self._read(self.path)
        else:
            arr = np.asarray(data)
            if arr.dtype.names is None:
                raise Error("fit: the data is a riskcalc.Result, a numpy structured array or "
                            "the path of a table file")
            self.path = "table"
            self.names = list(arr.dtype.names)
            self.cells = [[row[c] for c in self.names] for row in arr]
            self.lines = list(range(1, len(self.cells) + 1))
        if not self.cells:
            raise Error("'%s' has no data rows" % self.path)

    def _read(self, path):
        """A table as the tool writes it: '#' comment lines, one header row (when its first
        field is not a number), then rows; TSV or CSV."""
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError as e:
            raise Error("cannot open '%s': %s" % (path, e.strerror), 3)
        rows = [(k + 1, l) for k, l in enumerate(lines) if l.strip() and not l.startswith("#")]
        sep = "\t" if rows and "\t" in rows[0][1] else ","
        split = [(k, [c.strip() for c in l.split(sep)]) for k, l in rows]
        self.names = None
        if split:
            try:
                float(split[0][1][0])
            except ValueError:
                self.names = split[0][1]
                split = split[1:]
        self.cells = [cells for _, cells in split]
        self.lines = [k for k, _ in split]

    def column(self, option, spec):
        spec = str(spec)
        found = [k for k, n in enumerate(self.names or []) if n == spec]
        if len(found) > 1:
            raise Error("%s: column name '%s' appears twice in '%s'; give its index" %
                        (option, spec, self.path))
        if found:
            return found[0]
        ncols = len(self.names) if self.names else len(self.cells[0])
        if spec.isdigit():
            if 1 <= int(spec) <= ncols:
                return int(spec) - 1
            raise Error("%s: column %s is out of range: '%s' has %d columns" %
                        (option, spec, self.path, ncols))
        if self.names:
            raise Error("%s: no column '%s' in '%s' (columns: %s)" %
                        (option, spec, self.path, ", ".join(self.names)))
        raise Error("%s: '%s' has no header row; give a 1-based column index" % (option,
                                                                                   self.path))

    def value(self, r, c):
        v = self.cells[r][c]
        if isinstance(v, str):
            where = "column '%s'" % self.names[c] if self.names else "column %d" % (c + 1)
            return parse_double("%s:%d: %s" % (self.path, self.lines[r], where), v)
        return float(v)

    def label(self, c):
        return "'%s'" % self.names[c] if self.names else "%d" % (c + 1)


def _points(t, cx, cy, cse, cx2, where, floor, drop):
    wcol = None
    if where is not None:
        if isinstance(where, str):
            name, eq, text = where.rpartition("=")
            if not eq or not name:
                raise Error("where: expected COLUMN=VALUE, got '%s'" % where)
            wval = parse_double("where", text)
        else:
            name, wval = where
            wval = float(wval)
        wcol = t.column("where", name)
    xs, ys, ses, x2s = [], [], [], []
    dropped = total = 0
    for r in range(len(t.cells)):
        if wcol is not None and t.value(r, wcol) != wval:
            continue
        total += 1
        x, y = t.value(r, cx), t.value(r, cy)
        se = t.value(r, cse) if cse is not None else 1.0
        x2 = t.value(r, cx2) if cx2 is not None else 1.0
        if not se > 0:
            raise Error("%s:%d: standard error %.17g in column %s is not > 0" %
                        (t.path, t.lines[r], se, t.label(cse)))
        x_bad, x2_bad = not x > 0, cx2 is not None and not x2 > 0
        y_bad = cx2 is None and not (y - floor > 0)
        if x_bad or x2_bad or y_bad:
            if drop:
                dropped += 1
                continue
            if x_bad or x2_bad:
                raise Error("%s:%d: %s = %.17g is not > 0, so this row cannot be fitted on log "
                            "axes (drop_nonpositive skips such rows)" %
                            (t.path, t.lines[r], t.label(cx if x_bad else cx2),
                             x if x_bad else x2))
            raise Error("%s:%d: %s - floor = %.17g is not > 0, so this row cannot be fitted on "
                        "log axes (drop_nonpositive skips such rows)" %
                        (t.path, t.lines[r], t.label(cy), y - floor))
        xs.append(x)
        ys.append(y)
        ses.append(se)
        x2s.append(x2)
    if wcol is not None and total == 0:
        raise Error("where %s: no row of '%s' matches" % (where, t.path))
    return xs, ys, ses, x2s, dropped


def _interval(kind, q, dof, level, joint):
    lin = "; linearised at the solution" if joint else ""
    if kind == RC_FIT_INTERVAL_STUDENT:
        return ("%.10g%%: estimate +- q se, q = %.17g the Student t quantile with %d degrees of "
                "freedom (noise variance estimated)%s" % (100 * level, q, dof, lin))
    if kind == RC_FIT_INTERVAL_NORMAL:
        return ("%.10g%%: estimate +- q se, q = %.17g the normal quantile (standard errors taken "
                "as known)%s" % (100 * level, q, lin))
    return ("none: %d degrees of freedom and no standard errors, so the noise cannot be "
            "estimated" % dof)


def _verdict(meta, key, param, expected, lo, hi, level):
    inside = lo <= expected <= hi
    meta[key] = "%s = %s is %s the %.10g%% interval [%.17g, %.17g]" % (
        param, fmt(expected), "inside" if inside else "outside", 100 * level, lo, hi)
    return not inside


def fit(data, x=None, y=None, se=None, se_relative=False, floor=None, expect=None, level=None,
        where=None, drop_nonpositive=False, joint=False, x2=None, expect2=None, max_iter=None):
    """A power-law fit, as `riskcalc fit`: data is a riskcalc.Result (or any numpy structured
    array), or the path of a table the tool wrote; x, y, se, x2 name columns (or give 1-based
    indices); where="M=64" (or ("M", 64)) keeps the matching rows. Single fit y - floor = c x^-e
    (rows exponent, prefactor, log_prefactor); joint=True fits y = E + A x^-alpha + B x2^-beta
    (rows E, A, alpha, B, beta). Returns a Result with the columns parameter (str) estimate se
    loL hiL (L = 100 level) and .meta (the fit statistics; with expect/expect2 the verdict,
    "... is inside/outside the interval", and .meta["outside"], True when an expected value lies
    outside, the tool's exit status 1)."""
    if x is None or y is None:
        raise Error("x and y are required")
    if joint and x2 is None:
        raise Error("joint needs x2, the second abscissa")
    if not joint:
        for name, value in (("x2", x2), ("expect2", expect2), ("max_iter", max_iter)):
            if value is not None:
                raise Error("%s needs joint" % name)
    if se_relative and se is None:
        raise Error("se_relative needs se")
    lvl = number("level", level) if level is not None else 0.95
    if not (0 < lvl < 1):
        raise Error("level: %s is not in (0, 1)" % level)
    t = Table(data)
    cx, cy = t.column("x", x), t.column("y", y)
    cse = t.column("se", se) if se is not None else None
    cx2 = t.column("x2", x2) if joint else None
    meta = {"riskcalc": _lib.version()}
    if where is not None:
        meta["where"] = where if isinstance(where, str) else "%s=%s" % tuple(where)
    err = _lib.c_error()
    cols = ["parameter", "estimate", "se", "lo%.10g" % (100 * lvl), "hi%.10g" % (100 * lvl)]
    outside = False
    weights = None
    if cse is not None:
        rel = ("relative: rescaled by the residual variance" if se_relative else
               "absolute: known noise")
    if not joint:
        opt = lib.rc_fit_options_default()
        opt.level, opt.se_relative = lvl, 1 if se_relative else 0
        if floor is not None:
            opt.floor = number("floor", floor)
        xs, ys, ses, _, dropped = _points(t, cx, cy, cse, None, where, opt.floor,
                                          drop_nonpositive)
        n = len(xs)
        D = ctypes.c_double * max(1, n)
        r = _lib.rc_fit_power()
        check(lib.rc_fit_power_law(D(*xs), D(*ys), D(*ses) if cse is not None else None, n,
                                   ctypes.byref(opt), ctypes.byref(r), ctypes.byref(err)),
              err, t.path)
        if expect is not None and r.interval == RC_FIT_INTERVAL_NONE:
            raise Error("expect: no interval to test: %d points and no standard errors leave no "
                        "degree of freedom to estimate the noise" % r.n)
        if cse is not None:
            weights = ("((y - floor)/se)^2 with se from column %s, the delta-method variance of "
                       "log(y - floor) (%s)" % (t.label(cse), rel))
        meta["model"] = ("y - floor = c x^-e by least squares of log(y - floor) on log x; x = "
                         "column %s, y = column %s, floor = %s" %
                         (t.label(cx), t.label(cy), fmt(opt.floor)))
        meta["weights"] = weights or ("none (unweighted); noise variance estimated from the "
                                      "residuals")
        meta["interval"] = _interval(r.interval, r.quantile, r.dof, r.level, False)
        meta["points"] = "%d used, %d dropped (x <= 0 or y - floor <= 0)" % (r.n, dropped)
        meta["dof"] = "%d" % r.dof
        meta["chi2"] = "%.17g (sum of %ssquared residuals on log axes)" % (
            r.chi2, "weighted " if r.weighted else "")
        meta["chi2_dof"] = "%.17g" % r.chi2_dof
        meta["R2"] = "%.17g (log axes)" % r.r2
        meta["cov_logc_e"] = "%.17g" % r.cov_logc_e
        if expect is not None:
            outside = _verdict(meta, "expect", "e", number("expect", expect), r.exponent_lo,
                               r.exponent_hi, r.level)
        rows = [["exponent", r.exponent, r.exponent_se, r.exponent_lo, r.exponent_hi],
                ["prefactor", r.prefactor, r.prefactor * r.log_prefactor_se,
                 math.exp(r.log_prefactor_lo), math.exp(r.log_prefactor_hi)],
                ["log_prefactor", r.log_prefactor, r.log_prefactor_se, r.log_prefactor_lo,
                 r.log_prefactor_hi]]
    else:
        opt = lib.rc_fit_joint_options_default()
        opt.level, opt.se_relative = lvl, 1 if se_relative else 0
        opt.fix_E = 1 if floor is not None else 0
        if floor is not None:
            opt.E = number("floor", floor)
        if max_iter is not None:
            opt.max_iter = whole("max_iter", max_iter, 1, 1000000)
        xs, ys, ses, x2s, dropped = _points(t, cx, cy, cse, cx2, where, math.nan,
                                            drop_nonpositive)
        n = len(xs)
        D = ctypes.c_double * max(1, n)
        r = _lib.rc_fit_joint()
        check(lib.rc_fit_joint_power_law(D(*xs), D(*x2s), D(*ys),
                                         D(*ses) if cse is not None else None, n,
                                         ctypes.byref(opt), ctypes.byref(r), ctypes.byref(err)),
              err, t.path)
        if (expect is not None or expect2 is not None) and r.interval == RC_FIT_INTERVAL_NONE:
            raise Error("expect: no interval to test: %d points for %d parameters and no "
                        "standard errors leave no degree of freedom to estimate the noise" %
                        (r.n, r.nparam))
        meta["model"] = ("y = E + A x^-alpha + B x2^-beta by nonlinear least squares (GSL trust "
                         "region, Levenberg-Marquardt); x = column %s, x2 = column %s, y = "
                         "column %s" % (t.label(cx), t.label(cx2), t.label(cy)))
        if opt.fix_E:
            meta["E"] = "fixed at %s by --floor" % fmt(opt.E)
        if cse is not None:
            weights = "1/se^2 with se from column %s (%s)" % (t.label(cse), rel)
        meta["weights"] = weights or ("none (unweighted); noise variance estimated from the "
                                      "residuals")
        meta["interval"] = _interval(r.interval, r.quantile, r.dof, r.level, True)
        meta["points"] = "%d used, %d dropped (x <= 0 or x2 <= 0)" % (r.n, dropped)
        meta["dof"] = "%d (%d points, %d parameters)" % (r.dof, r.n, r.nparam)
        meta["chi2"] = "%.17g (sum of %ssquared residuals)" % (
            r.chi2, "weighted " if r.weighted else "")
        meta["chi2_dof"] = "%.17g" % r.chi2_dof
        meta["R2"] = "%.17g" % r.r2
        meta["converged"] = "after %d iterations, %s test" % (r.iterations,
                                                             STOP_TESTS[r.stop_test])
        meta["start"] = ("E = %.10g, A = %.10g, alpha = %.10g, B = %.10g, beta = %.10g (grid "
                         "search over (alpha, beta), linear in E, A, B)" % tuple(r.start))
        meta["corr_A_alpha"] = "%.17g" % (r.cov[A][ALPHA] / (r.se[A] * r.se[ALPHA]))
        meta["corr_B_beta"] = "%.17g" % (r.cov[B][BETA] / (r.se[B] * r.se[BETA]))
        if expect is not None:
            outside |= _verdict(meta, "expect", "alpha", number("expect", expect), r.lo[ALPHA],
                                r.hi[ALPHA], r.level)
        if expect2 is not None:
            outside |= _verdict(meta, "expect2", "beta", number("expect2", expect2), r.lo[BETA],
                                r.hi[BETA], r.level)
        rows = [[lib.rc_fit_param_name(k).decode(), r.value[k], r.se[k], r.lo[k], r.hi[k]]
                for k in range(5)]
    meta["outside"] = outside
    given = dict(x=x, y=y, se=se, se_relative=se_relative or None, floor=floor, expect=expect,
                 level=level, where=where, drop_nonpositive=drop_nonpositive or None,
                 joint=joint or None, x2=x2, expect2=expect2, max_iter=max_iter)
    meta["parameters"] = {k: v for k, v in given.items() if v is not None}
    return Result(cols, rows, meta, text={"parameter"})
