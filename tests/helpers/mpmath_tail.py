#!/usr/bin/python3
"""High-precision reference for tests/core/test_law.c: tail moments of a law.

usage: mpmath_tail.py power|logpower A B|iso N D M:Q [M:Q ...]

For each pair M:Q prints, with 25 significant digits, the tail moment
    sum_{i=N+1}^{D} (lambda_i / lambda_{N+1})^M (lambda_i p_i)^Q
with lambda_i = i^-A (power) or 1 / (i log(i+1)^A) (logpower), and lambda_i p_i = i^-B, or
p_i = 1 for "iso"; D is a whole number or "inf". Method (independent of src/core/law.c): the
first 1500 terms summed exactly; the rest by Euler-Maclaurin at 30 digits, the integral by
mpmath.quad in u = log t on [u0, 2 u0, 10 u0, 100 u0] (or up to log D) and, past 100 u0, where
log(1 + e^u) = u to far below 30 digits, by the incomplete gamma function, derivatives by
mpmath.diff, terms up to f^(9). Each value is computed twice (heads of 1500 and 2500 terms) and
the script fails when the two disagree beyond 1e-22 relative, so a bad quadrature cannot pass
as a reference. Exits with status 1 (and a message) when mpmath is missing.
"""
import sys

try:
    import mpmath
    from mpmath import mp, mpf
except ImportError:
    sys.stderr.write("mpmath_tail.py: python3-mpmath is not installed\n")
    sys.exit(1)

mp.dps = 30


def main():
    kind, a, b, n, d = sys.argv[1], mpf(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
    D = mpmath.inf if d == "inf" else mpf(d)
    # lambda and lambda p as functions of t, and of u = log t (for the integral, where t = e^u
    # may be far beyond any float: log(1 + e^u) = u + log1p(e^-u))
    if kind == "power":
        lam = lambda t: t ** (-a)
        lam_u = lambda u: mpmath.exp(-a * u)
    elif kind == "logpower":
        lam = lambda t: 1 / (t * mpmath.log(t + 1) ** a)
        lam_u = lambda u: mpmath.exp(-u) * (u + mpmath.log1p(mpmath.exp(-u))) ** (-a)
    else:
        raise SystemExit("unknown kind " + kind)
    if b == "iso":
        sig, sig_u = lam, lam_u
    else:
        bb = mpf(b)
        sig = lambda t: t ** (-bb)
        sig_u = lambda u: mpmath.exp(-bb * u)
    scale = lam(mpf(n + 1))

    def far(m, q, U):
        """int_U^inf g(u) du for U >= 100 u0, where log(1 + e^u) = u to far below 30 digits:
        g = scale^-m e^(-r u) u^-c exactly, integrated by the incomplete gamma function."""
        if kind == "power":
            r, c = a * m + (a if b == "iso" else mpf(b)) * q - 1, 0
        elif b == "iso":
            r, c = m + q - 1, a * (m + q)
        else:
            r, c = m + mpf(b) * q - 1, a * m
        C = scale ** (-m)
        if r == 0:
            return C * U ** (1 - c) / (c - 1)
        return C * r ** (c - 1) * mpmath.gammainc(1 - c, r * U)

    def tail(m, q, head):
        f = lambda t: (lam(t) / scale) ** m * sig(t) ** q
        g = lambda u: (lam_u(u) / scale) ** m * sig_u(u) ** q * mpmath.exp(u)  # f(e^u) e^u
        first, last = n + 1, n + head
        if D != mpmath.inf and last >= D:
            return mpmath.fsum(f(mpf(i)) for i in range(first, int(D) + 1))
        s = mpmath.fsum(f(mpf(i)) for i in range(first, last + 1))
        t0 = mpf(last + 1)
        u0 = mpmath.log(t0)
        if D == mpmath.inf:
            s += mpmath.quad(g, [u0, 2 * u0, 10 * u0, 100 * u0])
            s += far(m, q, 100 * u0)
        else:
            uD = mpmath.log(D)
            s += mpmath.quad(g, [u0] + [p for p in (2 * u0, 10 * u0) if p < uD] + [uD])
        s += f(t0) / 2
        for k in range(1, 6):  # - B_2k / (2k)! f^(2k-1)(t0)
            s -= mpmath.bernoulli(2 * k) / mpmath.factorial(2 * k) * mpmath.diff(f, t0, 2 * k - 1)
        if D != mpmath.inf:
            s += f(D) / 2
            for k in range(1, 6):
                s += mpmath.bernoulli(2 * k) / mpmath.factorial(2 * k) * mpmath.diff(f, D, 2 * k - 1)
        return s

    for pair in sys.argv[6:]:
        m, q = (int(x) for x in pair.split(":"))
        v1, v2 = tail(m, q, 1500), tail(m, q, 2500)
        if abs(v1 - v2) > mpf(10) ** -22 * abs(v2):
            raise SystemExit("mpmath_tail.py: references disagree for %s: %s vs %s" % (pair, v1, v2))
        print(mpmath.nstr(v2, 25))


main()
