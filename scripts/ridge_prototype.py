#!/usr/bin/python3
"""Numerical check of the ridge and linear random-feature deterministic equivalents
(docs/RIDGE.md) against Monte Carlo, before any C was written.

usage: ridge_prototype.py [ridge|rf|limits|givenF|all] [RUNS]

Conventions (issue 9): x ~ N(0, H), H = diag(lam), y = <x, w*> + xi, xi ~ N(0, s2);
ridge: min (1/n)|y - X b|^2 + l |b|^2; random features: predictor <v, F^T x>, F d x P with iid
N(0, 1/P) entries, min (1/n)|y - X F v|^2 + l |v|^2. The target is the fixed w*_i = sqrt(p_i)
(docs/RIDGE.md section 4: for a diagonal H every expectation equals the prior average).
Each run is conditioned exactly on the label noise (it enters only through closed forms given X
and F), and rf runs draw two data sets per F so that var_x and var_f separate.
"""
import sys

import numpy as np

# ------------------------------------------------------------------ deterministic equivalents


def sums(lam, p, k):
    """df1, df2, df1 - df2, T1 = sum p lam/(lam+k), T2 = sum p lam^2/(lam+k)^2, B0/k^2 terms."""
    r = lam / (lam + k)
    df1 = r.sum()
    df2 = (r * r).sum()
    dd = (lam * k / (lam + k) ** 2).sum()  # df1 - df2 without cancellation
    t1 = (p * r).sum()
    t2 = (p * r * r).sum()
    b0 = k * k * (p * lam / (lam + k) ** 2).sum()
    return df1, df2, dd, t1, t2, b0


def solve(f, lo, hi):
    """Root of an increasing f on (lo, hi) by bisection in log (prototype only)."""
    for _ in range(200):
        mid = np.sqrt(lo * hi) if lo > 0 else hi / 2
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


def kappa_ridge(lam, n, l, P=np.inf):
    """kappa with kappa (1 - df1/n)(1 - df1/P) = l (P = inf: ridge)."""
    D = min(n, P)
    d = np.count_nonzero(lam > 0)
    if d <= D:
        k0 = 0.0
    else:
        k0 = solve(lambda k: D - (lam / (lam + k)).sum(), 0.0, lam.sum() * 10)
    if l == 0:
        return k0
    g = lambda k: k * (1 - (lam / (lam + k)).sum() / n) * (1 - (lam / (lam + k)).sum() / P) - l
    hi = max(k0, l)
    while g(hi) < 0:
        hi *= 2
    return solve(g, k0, hi)


def de_ridge(lam, p, n, l, s2):
    k = kappa_ridge(lam, n, l)
    df1, df2, dd, t1, t2, b0 = sums(lam, p, k)
    g = df2 / n
    var_x = b0 * g / (1 - g)
    var_e = s2 * g / (1 - g)
    test = s2 + b0 + var_x + var_e
    train = (1 - df1 / n) ** 2 * test
    return dict(kappa=k, df1=df1, df2=df2, bias=b0, var_x=var_x, var_noise=var_e, test=test,
                train=train, gcv=test)


def de_rf(lam, p, P, n, l, s2):
    k2 = kappa_ridge(lam, n, l, P)
    df1, df2, dd, t1, t2, b0 = sums(lam, p, k2)
    g2 = df2 / P
    k1 = k2 * (1 - df1 / P)
    var_f = k2 * t2 * dd / (P * (1 - g2))  # Var_F of the X-averaged predictor
    g1 = (df2 - 2 * df1 * df2 / P + df1 * df1 / P) / (n * (1 - g2))
    ebar = b0 + var_f
    var_x = ebar * g1 / (1 - g1)
    var_e = s2 * g1 / (1 - g1)
    test = s2 + ebar + var_x + var_e
    train = (1 - df1 / n) ** 2 * test
    return dict(kappa=k2, kappa1=k1, df1=df1, df2=df2, gamma1=g1, bias=b0, var_x=var_x,
                var_noise=var_e, var_f=var_f, test=test, train=train)


def approx(lam, p, M):
    k = kappa_ridge(lam, M, 0.0)
    return k * (p * lam / (lam + k)).sum()


# ------------------------------------------------------------------ Monte Carlo


def fit_given(Z, y0, n, l, s2):
    """Ridge of y = y0 + xi on features Z (n x q), conditioned on xi: returns the noise-free
    solution v0, the noise covariance factor (V, g) with Cov v = s2 V diag(g) V^T, the expected
    training error and the expected GCV (given Z)."""
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    tol = s.max() * max(Z.shape) * np.finfo(float).eps
    keep = s > tol
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    r = s.size
    s2v = s * s
    f = s2v / (s2v + n * l)  # shrinkage of each direction (1 when l = 0)
    c = U.T @ y0
    v0 = Vt.T @ (f / s * c)
    g = f * f / s2v  # s^2/(s^2+nl)^2
    # residual of the noise-free part, then the noise part
    res0 = y0 - Z @ v0
    train = (res0 @ res0 + s2 * ((n - r) + ((1 - f) ** 2).sum())) / n
    # GCV = (1/n)|(I - S) y|^2 / (1 - tr S / n)^2, written with t_j = 1 - f_j; when r = n the
    # t_j all scale with l, so the ratio is taken with tau_j = n/(s_j^2 + n l) (l = 0 allowed)
    out = y0 - U @ c  # part of y0 outside the column space of Z
    if r == n:
        tau = 1.0 / (s2v + n * l)
        num = ((tau * tau) * (c * c + s2)).sum() / n
        den = tau.sum() / n
    else:
        t = 1 - f
        num = ((t * t) * (c * c + s2)).sum() + out @ out + s2 * (n - r)
        num /= n
        den = (t.sum() + (n - r)) / n
    gcv = num / den ** 2
    return v0, Vt, g, train, gcv


def mc_ridge(lam, p, ns, ls, s2, runs, seed=1):
    d = lam.size
    w = np.sqrt(p)
    sq = np.sqrt(lam)
    rng = np.random.default_rng(seed)
    nmax = max(ns)
    U = {}  # (n, l) -> list of per-run vectors u = H^1/2 (b_X - w)
    S = {}
    for r in range(runs):
        X = rng.standard_normal((nmax, d)) * sq
        for n in ns:
            Xn = X[:n]
            y0 = Xn @ w
            for l in ls:
                b0, Vt, g, train, gcv = fit_given(Xn, y0, n, l, s2)
                u = sq * (b0 - w)
                vn = s2 * (g * ((Vt * Vt) @ lam)).sum()
                U.setdefault((n, l), []).append(u)
                S.setdefault((n, l), []).append((u @ u + vn, vn, train, gcv))
    return {key: summarize(np.array(U[key]), np.array(S[key]), s2) for key in U}


def summarize(u, s, s2, pairs=None):
    R = u.shape[0]
    ubar = u.mean(0)
    var = ((u - ubar) ** 2).sum() / (R - 1)
    bias = ubar @ ubar - var / R
    m = s.mean(0)
    se = s.std(0, ddof=1) / np.sqrt(R)
    return dict(bias=bias, var_x=var, var_noise=m[1], test=s2 + m[0], test_se=se[0],
                train=m[2], gcv=m[3])


def mc_rf(lam, p, Ps, ns, ls, s2, runs, seed=2):
    """Per run: one F (d x Pmax, prefixes give each P), two data sets X1, X2 (nmax x d, prefixes).
    u1, u2 = H^1/2 (F v_X - w*) of the noise-free fits. var_x = E|u1 - u2|^2 / 2,
    var_x/2 + var_f = Var((u1 + u2)/2), bias = |E u|^2 (finite-runs corrected)."""
    d = lam.size
    w = np.sqrt(p)
    sq = np.sqrt(lam)
    rng = np.random.default_rng(seed)
    Pmax, nmax = max(Ps), max(ns)
    acc = {}
    for r in range(runs):
        Fm = rng.standard_normal((d, Pmax))
        X = [rng.standard_normal((nmax, d)) * sq for _ in range(2)]
        for P in Ps:
            F = Fm[:, :P] / np.sqrt(P)
            HF = F.T @ (lam[:, None] * F)  # F^T H F
            for n in ns:
                for l in ls:
                    us, ss = [], []
                    for Xi in X:
                        Z = Xi[:n] @ F
                        y0 = Xi[:n] @ w
                        v0, Vt, g, train, gcv = fit_given(Z, y0, n, l, s2)
                        u = sq * (F @ v0 - w)
                        vn = s2 * (g * np.einsum("ij,jk,ik->i", Vt, HF, Vt)).sum()
                        us.append(u)
                        ss.append((u @ u + vn, vn, train))
                    acc.setdefault((P, n, l), []).append((us, ss))
    out = {}
    for key, lst in acc.items():
        R = len(lst)
        u1 = np.array([a[0][0] for a in lst])
        u2 = np.array([a[0][1] for a in lst])
        s = np.array([np.mean(a[1], axis=0) for a in lst])
        var_x = ((u1 - u2) ** 2).sum(1).mean() / 2
        um = (u1 + u2) / 2
        ubar = um.mean(0)
        vm = ((um - ubar) ** 2).sum() / (R - 1)
        bias = ubar @ ubar - vm / R
        var_f = vm - var_x / 2
        m = s.mean(0)
        se = s.std(0, ddof=1) / np.sqrt(R)
        out[key] = dict(bias=bias, var_x=var_x, var_f=var_f, var_noise=m[1], test=s2 + m[0],
                        test_se=se[0], train=m[2])
    return out


def de_given_F(lam, p, P, n, l, s2, draws, seed=3):
    """THEORY.md route: average over drawn F of the ridge DE on (F^T H F, v*_F, s2 + Approx_F)."""
    rng = np.random.default_rng(seed)
    w = np.sqrt(p)
    tests = []
    for _ in range(draws):
        F = rng.standard_normal((lam.size, P)) / np.sqrt(P)
        HF = F.T @ (lam[:, None] * F)
        mu, Q = np.linalg.eigh(HF)
        keep = mu > mu.max() * 1e-12
        mu, Q = mu[keep], Q[:, keep]
        b = F.T @ (lam * w)
        vstar = Q @ ((Q.T @ b) / mu)
        apx = (lam * w * w).sum() - b @ vstar
        pf = (Q.T @ vstar) ** 2  # signal weights in the eigenbasis of F^T H F
        tests.append(de_ridge(mu, pf, n, l, s2 + apx)["test"])
    return np.mean(tests), np.std(tests, ddof=1) / np.sqrt(draws)


# ------------------------------------------------------------------ checks


def spectra(d):
    i = np.arange(1, d + 1, dtype=float)
    return {
        "power a=1.5 iso": (i ** -1.5, np.ones(d)),
        "power a=1.5 b=2": (i ** -1.5, i ** -2 / i ** -1.5),
        "power a=2 b=1.2": (i ** -2.0, i ** -1.2 / i ** -2.0),
        "flat (isotropic H)": (np.ones(d), np.ones(d) / d),
    }


def pct(a, b):
    return 100 * (a / b - 1)


def check_ridge(runs):
    d, s2 = 400, 0.1
    ns = [50, 100, 200, 300, 600, 800]
    ls = [0.0, 1e-3, 1e-1]
    worst = 0
    for name, (lam, p) in spectra(d).items():
        mc = mc_ridge(lam, p, ns, ls, s2, runs)
        print("ridge", name)
        print("  n      lambda  test_de     test_mc   (se%)   d%      bias% var_x% var_e% train% gcv%")
        for n in ns:
            for l in ls:
                de = de_ridge(lam, p, n, l, s2)
                m = mc[(n, l)]
                dt = pct(de["test"], m["test"])
                print("  %-5d %-7g %-11.5g %-11.5g (%.2f) %+6.2f  %+6.2f %+6.2f %+6.2f %+6.2f %+6.2f"
                      % (n, l, de["test"], m["test"], 100 * m["test_se"] / m["test"], dt,
                         pct(de["bias"], m["bias"]), pct(de["var_x"], m["var_x"]),
                         pct(de["var_noise"], m["var_noise"]),
                         pct(de["train"], m["train"]) if m["train"] > 0 else 0.0,
                         pct(de["gcv"], m["gcv"])))
                worst = max(worst, abs(dt))
    print("ridge worst |test DE/MC - 1| = %.2f%%" % worst)


def check_rf(runs):
    d, s2 = 400, 0.1
    Ps = [50, 100, 200]
    ns = [50, 100, 400, 800]
    ls = [1e-3, 1e-1]
    worst = 0
    for name, (lam, p) in list(spectra(d).items())[:3]:
        mc = mc_rf(lam, p, Ps, ns, ls, s2, runs)
        print("rf", name)
        print("  P    n    lambda  test_de     test_mc   (se%)   d%      bias%  var_x% var_e% var_f% train%")
        for P in Ps:
            for n in ns:
                for l in ls:
                    de = de_rf(lam, p, P, n, l, s2)
                    m = mc[(P, n, l)]
                    dt = pct(de["test"], m["test"])
                    print("  %-4d %-4d %-7g %-11.5g %-11.5g (%.2f) %+6.2f  %+6.2f %+6.2f %+6.2f %+6.2f %+6.2f"
                          % (P, n, l, de["test"], m["test"], 100 * m["test_se"] / m["test"], dt,
                             pct(de["bias"], m["bias"]), pct(de["var_x"], m["var_x"]),
                             pct(de["var_noise"], m["var_noise"]), pct(de["var_f"], m["var_f"]),
                             pct(de["train"], m["train"])))
                    worst = max(worst, abs(dt))
    print("rf worst |test DE/MC - 1| = %.2f%%" % worst)


def check_limits():
    d, s2 = 400, 0.1
    for name, (lam, p) in spectra(d).items():
        n, l = 300, 1e-2
        r = de_ridge(lam, p, n, l, s2)
        f = de_rf(lam, p, 1e12, n, l, s2)
        print("%-20s P->inf: test %.15g vs ridge %.15g (rel %.1e)" % (name, f["test"], r["test"],
              abs(f["test"] / r["test"] - 1)))
        for P in (50, 200):
            f = de_rf(lam, p, P, 1e12, 1e-14, 0.0)
            a = approx(lam, p, P)
            print("%-20s P=%d n->inf l->0: test %.15g vs Approx %.15g (rel %.1e)" % (
                name, P, f["test"], a, abs(f["test"] / a - 1)))
    lam, p = spectra(d)["power a=1.5 iso"]
    print("ridgeless learning curve around n = d = 400 (test):")
    for n in (100, 200, 300, 380, 399, 401, 420, 500, 800):
        print("  n=%d  %.6g" % (n, de_ridge(lam, p, n, 0.0, s2)["test"]))


def check_given_F(runs):
    d, s2 = 400, 0.1
    lam, p = spectra(d)["power a=1.5 b=2"]
    for P in (50, 200):
        for n in (100, 800):
            for l in (1e-3, 1e-1):
                gf, se = de_given_F(lam, p, P, n, l, s2, runs)
                de = de_rf(lam, p, P, n, l, s2)["test"]
                print("given-F P=%d n=%d l=%g: mean over F %.6g (se %.2f%%), deterministic %.6g (%+.2f%%)"
                      % (P, n, l, gf, 100 * se / gf, de, pct(de, gf)))


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    if what in ("limits", "all"):
        check_limits()
    if what in ("givenF", "all"):
        check_given_F(runs)
    if what in ("ridge", "all"):
        check_ridge(runs)
    if what in ("rf", "all"):
        check_rf(runs)
