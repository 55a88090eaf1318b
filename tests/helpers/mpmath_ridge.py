#!/usr/bin/python3
"""High-precision reference for tests/ridge/test_ridge.c: kappa, df1, df2 and the bias sum of
the ridge / random-feature equivalents for an explicit finite spectrum.

usage: mpmath_ridge.py power|logpower A B|iso D N P LAMBDA

lambda_i = i^-A (power) or 1 / (i log(i+1)^A) (logpower), i = 1..D; lambda_i p_i = i^-B, or
p_i = 1 for "iso". kappa solves kappa (1 - df1/N)(1 - df1/P) = LAMBDA (P = inf: ridge;
LAMBDA = 0: df1 = min(N, P), or kappa = 0 when min(N, P) >= D), by bisection-safeguarded
secant (mpmath.findroot, anderson) on a bracket found here, at 40 significant digits; the
sums are exact finite sums. Prints "kappa df1 df2 B0" with 25 digits.
Exits with status 1 (and a message) when mpmath is missing, so the C test fails.
"""
import sys

try:
    import mpmath
    from mpmath import mp, mpf
except ImportError:
    sys.stderr.write("mpmath_ridge.py: python3-mpmath is not installed\n")
    sys.exit(1)

mp.dps = 40


def main():
    kind, a, b = sys.argv[1], mpf(sys.argv[2]), sys.argv[3]
    D = int(sys.argv[4])
    N, P, lam = mpf(sys.argv[5]), mpf(sys.argv[6]), mpf(sys.argv[7])
    idx = [mpf(i) for i in range(1, D + 1)]
    if kind == "power":
        ev = [i ** (-a) for i in idx]
    elif kind == "logpower":
        ev = [1 / (i * mpmath.log(i + 1) ** a) for i in idx]
    else:
        raise SystemExit("unknown kind " + kind)
    sig = ev if b == "iso" else [i ** (-mpf(b)) for i in idx]

    def df1(k):
        return mpmath.fsum(l / (l + k) for l in ev)

    def g(k):
        d = df1(k)
        return k * (1 - d / N) * (1 - d / P) - lam

    Dm = min(N, P)
    if Dm >= D:
        k0 = mpf(0)
    else:
        hi = mpf(1)
        while df1(hi) > Dm:
            hi *= 4
        lo = hi / 4
        while df1(lo) < Dm:
            hi, lo = lo, lo / 4
        k0 = mpmath.findroot(lambda k: df1(k) - Dm, (lo, hi), solver="anderson",
                             tol=mpf(10) ** -36)
    if lam == 0:
        kappa = k0
    else:
        lo, hi = k0, k0 + lam
        while g(hi) < 0:
            lo, hi = hi, hi * 2
        kappa = mpmath.findroot(g, (lo, hi), solver="anderson", tol=mpf(10) ** -36)
    d1 = df1(kappa)
    d2 = mpmath.fsum((l / (l + kappa)) ** 2 for l in ev)
    b0 = kappa ** 2 * mpmath.fsum(s / (l + kappa) ** 2 for l, s in zip(ev, sig))
    print(" ".join(mpmath.nstr(x, 25) for x in (kappa, d1, d2, b0)))


main()
