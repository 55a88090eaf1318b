#!/usr/bin/python3
"""High-precision reference for tests/ridge/test_ridge.c: kappa, df1, df2 and the bias sum of
the ridge / random-feature equivalents for an explicit finite spectrum.

usage: mpmath_ridge.py power|logpower A B|iso D N P LAMBDA

lambda_i = i^-A (power) or 1 / (i log(i+1)^A) (logpower), i = 1..D; lambda_i p_i = i^-B, or
p_i = 1 for "iso". D = inf: the first 2000 terms are summed exactly and the tail i >= 2001
analytically: the power law through the Hurwitz zeta function (1/(lambda + kappa)^m expanded in
powers of lambda/kappa, which needs kappa 2001^A >= 4: every term sum_{i>=N} i^-s =
zeta(s, N)), the log-power law by Euler-Maclaurin (the integral by quadrature in t = log i,
f(N)/2 and six Bernoulli terms with mpmath.diff; mpmath.sumem, which integrates in i, is off
by 1% on these slowly decaying tails). kappa solves kappa (1 - df1/N)(1 - df1/P) = LAMBDA (P = inf: ridge;
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
    D = mpf(sys.argv[4])
    N, P, lam = mpf(sys.argv[5]), mpf(sys.argv[6]), mpf(sys.argv[7])
    E = int(min(D, 2000))  # explicit terms
    if not mpmath.isinf(D) and D > 2000:
        raise SystemExit("a finite D above 2000 is not supported")
    idx = [mpf(i) for i in range(1, E + 1)]
    if kind == "power":
        law = lambda x: x ** (-a)
    elif kind == "logpower":
        law = lambda x: 1 / (x * mpmath.log(x + 1) ** a)
    else:
        raise SystemExit("unknown kind " + kind)
    slaw = law if b == "iso" else (lambda x: x ** (-mpf(b)))
    ev = [law(i) for i in idx]
    sig = [slaw(i) for i in idx]

    def tail(num, den_pow, k):
        """sum_{i > E} num(i) / (lambda_i + k)^den_pow, num given as (c, s_exp) pairs meaning
        c i^-s_exp for the power law, or as a function for the Euler-Maclaurin route."""
        if mpmath.isinf(D) is False:
            return mpf(0)
        n0 = E + 1
        if kind == "power":
            # num(i) = i^-e; 1/(i^-a + k)^m = k^-m (1 + i^-a/k)^-m when k n0^a >= 4 ...
            e = num
            m = den_pow
            total = mpf(0)
            if k * mpf(n0) ** a >= 4:
                for j in range(0, 400):
                    c = mpmath.binomial(-m, j) * k ** (-m - j)
                    t = c * mpmath.zeta(e + a * j, n0)
                    total += t
                    if j > 4 and abs(t) < mpf(10) ** -45 * abs(total):
                        break
            else:
                # ... else i^(a m) (1 + k i^a)^-m: terms (k i^a)^j need k n0^a < 1/4: split
                raise SystemExit("kappa too small for the Hurwitz route: " + str(k))
            return total
        # Euler-Maclaurin: the integral, f(n0)/2 and the Bernoulli terms (derivatives at n0 fall
        # like n0^-(2j-1): six are far below 1e-30). The integral in t = log x: a log-power
        # tail decays like 1/(x log^2 x), which quadrature in x misjudges by percents.
        f = lambda x: num(x) / (law(x) + k) ** den_pow
        g = lambda t: f(mpmath.exp(t)) * mpmath.exp(t)
        t0 = mpmath.log(n0)
        total = mpmath.quad(g, [t0, 10, 20, 50, 100, 1000, 10000, mpmath.inf]) + f(mpf(n0)) / 2
        for j in range(1, 7):
            total -= (mpmath.bernoulli(2 * j) / mpmath.factorial(2 * j) *
                      mpmath.diff(f, mpf(n0), 2 * j - 1))
        return total

    def power_num(which):
        # exponents e of the numerators lambda (a), lambda^2 (2a), signal (b or a), signal
        # lambda (b + a)
        sb = a if b == "iso" else mpf(b)
        return {"l": a, "l2": 2 * a, "s": sb, "sl": sb + a}[which]

    def num_fn(which):
        return {"l": law, "l2": lambda x: law(x) ** 2, "s": slaw,
                "sl": lambda x: slaw(x) * law(x)}[which]

    def T(which, m, k):
        return tail(power_num(which) if kind == "power" else num_fn(which), m, k)

    def df1(k):
        return mpmath.fsum(l / (l + k) for l in ev) + T("l", 1, k)

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
    d2 = mpmath.fsum((l / (l + kappa)) ** 2 for l in ev) + T("l2", 2, kappa)
    b0 = kappa ** 2 * (mpmath.fsum(s / (l + kappa) ** 2 for l, s in zip(ev, sig)) +
                       T("s", 2, kappa))
    print(" ".join(mpmath.nstr(x, 25) for x in (kappa, d1, d2, b0)))


main()
