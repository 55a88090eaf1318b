#!/usr/bin/python3
"""High-precision reference for tests/test_deteq.c: kappa and E Approx at d = infinity.

usage: mpmath_kappa.py power|logpower A B|iso M [GUESS]

kappa solves sum_i lambda_i / (lambda_i + kappa) = M and
E Approx = kappa sum_i p_i lambda_i / (lambda_i + kappa), i = 1..infinity, with
lambda_i = i^-A (power) or 1 / (i log(i+1)^A) (logpower) and lambda_i p_i = i^-B, or p_i = 1
for "iso". Sums: the first 600 terms exactly, the rest by Euler-Maclaurin at 32 significant digits:
the integral by mpmath.quad in u = log t (quad on [t0, inf) directly is wrong for the slow
log-power tails, and mpmath.sumem uses it), derivatives by mpmath.diff, terms up to f^(9); the root by bisection-safeguarded secant
(mpmath.findroot, anderson) from a bracket found here, or, given GUESS, from the bracket
GUESS (1 -+ 1e-9) after checking that it holds a sign change (so a wrong guess fails instead
of being confirmed). Prints "kappa approx" with 25 digits.
Exits with status 1 (and a message) when mpmath is missing, so the C test fails.
"""
import sys

try:
    import mpmath
    from mpmath import mp, mpf
except ImportError:
    sys.stderr.write("mpmath_kappa.py: python3-mpmath is not installed\n")
    sys.exit(1)

mp.dps = 32
HEAD = 600


def main():
    kind, a, b, M = sys.argv[1], mpf(sys.argv[2]), sys.argv[3], mpf(sys.argv[4])
    if kind == "power":
        lam = lambda i: mpf(i) ** (-a)
    elif kind == "logpower":
        lam = lambda i: 1 / (mpf(i) * mpmath.log(mpf(i) + 1) ** a)
    else:
        raise SystemExit("unknown kind " + kind)
    if b == "iso":
        sig = lam
    else:
        bb = mpf(b)
        sig = lambda i: mpf(i) ** (-bb)

    def total(f):
        head = mpmath.fsum(f(i) for i in range(1, HEAD + 1))
        t0 = mpf(HEAD + 1)
        g = lambda u: f(mpmath.exp(u)) * mpmath.exp(u)
        L = mpmath.log(t0)
        tail = mpmath.quad(g, [L, 2 * L, 10 * L, 100 * L, mpmath.inf]) + f(t0) / 2
        for k in range(1, 6):  # - B_2k / (2k)! f^(2k-1)(t0)
            tail -= mpmath.bernoulli(2 * k) / mpmath.factorial(2 * k) * mpmath.diff(f, t0, 2 * k - 1)
        return head + tail

    def F(kappa):
        return total(lambda i: lam(i) / (lam(i) + kappa)) - M

    # bracket: F decreases from +inf (kappa -> 0) to -M
    if len(sys.argv) > 5:
        guess = mpf(sys.argv[5])
        lo, hi = guess * (1 - mpf(10) ** -9), guess * (1 + mpf(10) ** -9)
        if not (F(lo) > 0 > F(hi)):
            raise SystemExit("mpmath_kappa.py: no root within 1e-9 of the guess %s" % sys.argv[5])
    else:
        hi = mpf(1)
        while F(hi) > 0:
            hi *= 4
        lo = hi / 4
        while F(lo) < 0:
            hi, lo = lo, lo / 4
    kappa = mpmath.findroot(F, (lo, hi), solver="anderson", tol=mpf(10) ** -28)
    approx = kappa * total(lambda i: sig(i) / (lam(i) + kappa))
    print(mpmath.nstr(kappa, 25), mpmath.nstr(approx, 25))


main()
