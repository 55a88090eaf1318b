# docs/examples/risk_vs_N.py -- a notebook-style walk through riskcalc from Python: the risk of
# one-pass SGD against the number of steps N, with its parts. It reproduces docs/img/fig_curves.png
# (drawn by `riskcalc linear --a 1.5 --d 1000 --M 64 --N 1e2:1e5:13 --gamma 0.1 --sigma2 0.1`
# in docs/figures/figures.sh), the same numbers through the Python package.
#
# Run it from the repository root after `make`:
#     PYTHONPATH=python /usr/bin/python3 docs/examples/risk_vs_N.py [plots/risk_vs_N.png]
# Each "cell" below is a block you could paste into a Jupyter notebook.

import sys

# riskcalc first: it picks OpenBLAS's kernels as the tool does (the same digits as the tool;
# numpy imported first would fix them before riskcalc can: docs/GUIDE.md section 10)
import riskcalc  # noqa: I001

import numpy as np

# %% 1. The computation: a power-law spectrum lambda_i = i^-1.5 in d = 1000 dimensions, a model
# of M = 64 features (a Gaussian sketch drawn from seed 1), geometric step schedule from
# gamma = 0.1, label noise sigma2 = 0.1, and 13 log-spaced horizons from 1e2 to 1e5 steps.
# The keyword arguments are the tool's long options; "1e2:1e5:13" is the tool's own range syntax
# (a Python list such as [100, 1000, 10000] works too).
r = riskcalc.linear(method="exact", a=1.5, d=1000, M=64, N="1e2:1e5:13", gamma=0.1, sigma2=0.1,
                    seed=1)

# %% 2. The result is a numpy structured array with the tool's columns, and its header metadata.
print("# columns:", " ".join(r.columns))
print("# schedule:", r.meta["schedule"])
print("# G (M = 64):", r.meta["G (M = 64)"])
for row in r:
    print("\t".join("%.17g" % row[c] for c in r.columns))

# %% 3. How to read it. risk = sigma2 + approx + bias + variance:
#  - approx, the part of the target that 64 features cannot represent, does not depend on N;
#  - bias, what SGD has not yet learnt of the representable part, falls with N;
#  - variance, the noise SGD has absorbed, stays far below: one-pass SGD with a decaying step
#    regularises implicitly, and the variance is driven by sigma2 + approx (the unrepresentable
#    part of the target acts as extra noise), not by sigma2 alone.
# The excess risk bias + variance therefore follows the bias until it meets the floor
# sigma2 + approx, where adding steps stops paying: then M has to grow.
floor = 0.1 + r["approx"][0]
crossing = r["N"][np.argmax(r["bias"] < r["approx"])]
print("# floor sigma2 + approx = %.4g; bias falls below approx from N = %d on" % (floor, crossing))

# %% 4. The figure: risk and its parts against N on log-log axes (matplotlib when it is
# installed, else gnuplot, which riskcalc's own figures use).
out = sys.argv[1] if len(sys.argv) > 1 else "plots/risk_vs_N.png"
parts = ["risk", "approx", "bias", "variance"]
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.2))
    for q in parts:
        ax.loglog(r["N"], r[q], marker="o", label=q)
    ax.axhline(0.1, color="gray", linestyle=":", label="noise sigma2")
    ax.set_xlabel("N (SGD steps)")
    ax.set_ylabel("risk and its parts")
    ax.legend()
    fig.savefig(out, dpi=100)
except ImportError:
    import subprocess

    data = out.rsplit(".", 1)[0] + ".dat"
    np.savetxt(data, np.column_stack([r[c] for c in ["N"] + parts]), fmt="%.17g",
               header="N " + " ".join(parts))
    plot = ", ".join("'%s' using 1:%d with linespoints title '%s'" % (data.replace("'", "''"),
                                                                      k + 2, q)
                     for k, q in enumerate(parts))
    script = ("set terminal pngcairo size 800,520\nset output '%s'\nset logscale xy\n"
              "set format xy '10^{%%L}'\nset xlabel 'N (SGD steps)'\n"
              "set ylabel 'risk and its parts'\nset key bottom left\n"
              "plot %s, 0.1 with lines dashtype 2 title 'noise sigma2'\n"
              % (out.replace("'", "''"), plot))
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
print("# wrote", out)
