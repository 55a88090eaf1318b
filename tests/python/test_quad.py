"""riskcalc.quad against `riskcalc quad`: every value digit for digit (analytic, closed, mc;
laws and files), the shared metadata, errors with the library's message, progress."""
import os
import tempfile

import harness
from harness import case, assert_same_table

import riskcalc

TMP = tempfile.mkdtemp(prefix="rc_pyquad_")


def same(args, **kw):
    r = riskcalc.quad(**kw)
    n, shared = assert_same_table(r, ["quad"] + args)
    assert n > 0
    return r, shared


def tool_error(*args):
    status, out, err = harness.tool("quad", *args, check=False)
    assert status == 2 and out == "" and err.startswith("riskcalc: "), (status, out, err)
    return err[len("riskcalc: "):].strip()


@case("analytic: d = inf, two M, twophase default; shared metadata (data, target, init, "
      "schedule) equal")
def _():
    r, shared = same(["--alpha", "2.5", "--beta", "1.5", "--d", "inf", "--M", "50,100", "--T",
                      "1e2:1e5:4", "--eta", "0.02"],
                     alpha=2.5, beta=1.5, d="inf", M=[50, 100], T="1e2:1e5:4", eta=0.02)
    assert {"data", "target", "init", "schedule", "sigma2"} <= set(shared), shared
    assert r.columns[-1] == "active"


@case("analytic: log-alpha, batch, v0, a cosine schedule")
def _():
    same(["--log-alpha", "2", "--d", "300", "--beta", "1.2", "--M", "30", "--T", "100,2000",
          "--batch", "2", "--v0", "0.2", "--schedule", "cosine", "--eta", "0.01",
          "--sigma2", "0.3"],
         log_alpha=2, d=300, beta=1.2, M=30, T=[100, 2000], batch=2, v0=0.2, schedule="cosine",
         eta=0.01, sigma2=0.3)


@case("analytic: spectrum and target files")
def _():
    d = 40
    spec, target = os.path.join(TMP, "lam.txt"), os.path.join(TMP, "w.txt")
    with open(spec, "w") as f:
        f.write("".join("%r\n" % ((i + 1) ** -2.0) for i in range(d)))
    with open(target, "w") as f:
        f.write("".join("%r\n" % (1.0 / (i + 1)) for i in range(d)))
    same(["--spectrum", spec, "--target", target, "--M", "10,40", "--T", "100,1000"],
         spectrum=spec, target=target, M=[10, 40], T=[100, 1000])


@case("closed: the published rates equal the tool's, metadata included")
def _():
    r, shared = same(["--method", "closed", "--alpha", "2.5", "--beta", "1.5", "--d", "inf",
                      "--M", "50,100", "--T", "1e2:1e5:4", "--eta", "0.02"],
                     method="closed", alpha=2.5, beta=1.5, d="inf", M=[50, 100], T="1e2:1e5:4",
                     eta=0.02)
    assert "published rate" in shared


@case("mc: means and standard errors equal the tool")
def _():
    same(["--method", "mc", "--alpha", "2", "--d", "200", "--M", "20", "--T", "100,1000",
          "--runs", "20", "--seed", "3"],
         method="mc", alpha=2, d=200, M=20, T=[100, 1000], runs=20, seed=3)


@case("phases: the two phases (t i theta wstar ratio front) equal the tool's --phases table")
def _():
    r, shared = same(["--alpha", "2.5", "--beta", "1.5", "--d", "inf", "--M", "100", "--T",
                      "1e5", "--eta", "0.02", "--phases"],
                     alpha=2.5, beta=1.5, d="inf", M=100, T=1e5, eta=0.02, phases=True)
    assert "phases" in shared and r.columns == ["t", "i", "theta", "wstar", "ratio", "front"]
    same(["--alpha", "2", "--d", "300", "--M", "40", "--T", "3000", "--phases", "--schedule",
          "cosine"], alpha=2, d=300, M=40, T=[3000], phases=True, schedule="cosine")


@case("mc with sketch=\"gaussian\": the sketched variant equals the tool, its approx in .meta")
def _():
    r, shared = same(["--method", "mc", "--alpha", "2", "--d", "60", "--M", "10,20", "--T",
                      "100,1000", "--runs", "12", "--seed", "4", "--sketch", "gaussian"],
                     method="mc", alpha=2, d=60, M=[10, 20], T=[100, 1000], runs=12, seed=4,
                     sketch="gaussian")
    assert "approx (M = 20)" in shared, shared
    for kw, text in ((dict(sketch="gaussian", d=60, M=10, T=[10]), "only method"),
                     (dict(method="mc", sketch="gaussian", d="inf", M=10, T=[10]), "finite d"),
                     (dict(method="mc", sketch="sparse", d=60, M=10, T=[10]), "Gaussian sketch")):
        try:
            riskcalc.quad(**kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)


@case("errors: the closure's domain (eta too large) and a bad M carry the tool's message")
def _():
    try:
        riskcalc.quad(alpha=2, beta=1.5, d="inf", M=100, T=[100000], eta=0.5)
        raise AssertionError("eta = 0.5 accepted")
    except riskcalc.Error as e:
        t = tool_error("--alpha", "2", "--beta", "1.5", "--d", "inf", "--M", "100", "--T",
                       "100000", "--eta", "0.5")
        assert str(e) == t, (str(e), t)
    try:
        riskcalc.quad(alpha=2, d=50, M=100, T=[10])
        raise AssertionError("M > d accepted")
    except riskcalc.Error as e:
        t = tool_error("--alpha", "2", "--d", "50", "--M", "100", "--T", "10")
        assert str(e) == t, (str(e), t)
    for kw, text in ((dict(method="closed", log_alpha=2, d=100, M=10, T=[10]), "power laws"),
                     (dict(d=100, M=10, T=[10], runs=5), "Monte Carlo"),
                     (dict(d=100, M=[10, 20], T=[10], phases=True), "single M"),
                     (dict(method="mc", d=100, M=10, T=[10], phases=True), "analytic")):
        try:
            riskcalc.quad(**kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)


@case("progress reaches 1 and a true return cancels (status 8)")
def _():
    seen = []
    riskcalc.quad(alpha=2, d="inf", M=[20, 40], T=[1000], progress=seen.append)
    assert seen[-1] == 1.0 and all(x <= y for x, y in zip(seen, seen[1:]))
    try:
        riskcalc.quad(alpha=2, d="inf", M=40, T=[100000], schedule="cosine",
                      progress=lambda f: True)
        raise AssertionError("not cancelled")
    except riskcalc.Error as e:
        assert e.status == 8, e.status


harness.finish("test_python_quad")
