"""Random features: the main effect of the inputs, V_X = Var_X E_F[b|X], and E_X Var_F[b|X] =
V_F + V_XF, by brute force (60 input draws x 150 feature draws each, noise-free), against the
deterministic equivalent: V_X = bias df2/(n - df2), V_XF = var_x - V_X (docs/RIDGE.md section 3).
Run with /usr/bin/python3 (numpy); compare with
  riskcalc rf --spectrum <(i^-1.5, i = 1..150) --prior <(i^-0.5) --P 60 --n 90 --lambda 1e-2 --sigma2 0
"""
import numpy as np
rng = np.random.default_rng(1)
d, P, n, lam, s2 = 150, 60, 90, 1e-2, 0.0
i = np.arange(1, d+1); H = i**-1.5; w = np.sqrt(i**-0.5)  # p = lambda^-1 i^-b with b = 2: p_i = i^(a-b)
sq = np.sqrt(H)
NX, NF = 60, 150
U = np.zeros((NX, NF, d))
for x in range(NX):
    X = rng.standard_normal((n, d)) * sq
    y = X @ w
    for f in range(NF):
        F = rng.standard_normal((d, P)) / np.sqrt(P)
        Z = X @ F
        v = np.linalg.solve(Z.T @ Z / n + lam * np.eye(P), Z.T @ y / n)
        U[x, f] = sq * (F @ v - w)
mean_all = U.mean(axis=(0, 1))
# V_X = Var_X of E_F[u|X]: unbiased: var of row means minus E Var_F / NF
rowm = U.mean(axis=1)
within = ((U - rowm[:, None, :])**2).sum(axis=(1, 2)) / (NF - 1)   # per X: tr Var_F(u|X)
VX = ((rowm - rowm.mean(0))**2).sum() / (NX - 1) - within.mean() / NF
# V_F = Var_F E_X[u|F] needs F fixed across X -- use total: E_X Var_F = V_F + V_XF
EVarF = within.mean()
tot = ((U - mean_all)**2).sum(axis=2).mean()
bias = (mean_all**2).sum()
print("V_X", VX, "E_X Var_F (= V_F + V_XF)", EVarF, "total var", tot, "bias", bias)
