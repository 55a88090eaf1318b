"""riskcalc.linear against `riskcalc linear`: every value digit for digit (exact, de, closed,
mc; laws, files, schedules), the shared metadata, errors with the library's message, progress
and cancellation, the table's conversions."""
import math
import os
import tempfile
import warnings

import harness
from harness import case, tool, assert_same_table

import numpy as np
import riskcalc

TMP = tempfile.mkdtemp(prefix="rc_pytest_")


def same(args, **kw):
    r = riskcalc.linear(**kw)
    n, shared = assert_same_table(r, ["linear"] + args)
    assert n > 0
    return r, shared


@case("exact: the issue's call equals the tool (M x N grid), shared metadata equal")
def _():
    r, shared = same(["--method", "exact", "--a", "1.5", "--d", "1000", "--M", "16,64",
                      "--N", "1e2:1e4:5", "--gamma", "0.1", "--sigma2", "0.1", "--seed", "1"],
                     method="exact", a=1.5, d=1000, M=[16, 64], N="1e2:1e4:5", gamma=0.1,
                     sigma2=0.1, seed=1)
    for k in ("riskcalc", "spectrum", "prior", "signal", "seed", "schedule", "batch", "sigma2",
              "G (M = 16)", "G (M = 64)"):
        assert k in shared, k
    assert isinstance(r, np.ndarray) and r.dtype.names == tuple(r.columns)
    np.testing.assert_allclose(r["risk"], 0.1 + r["approx"] + r["excess"], rtol=1e-15)
    np.testing.assert_allclose(r["excess"], r["bias"] + r["variance"], rtol=1e-15)


@case("sweeps: gamma, batch and sigma2 lists give the tool's rows (exact, de, mc) in its order")
def _():
    same(["--a", "1.5", "--d", "60", "--M", "8,16", "--N", "100,1000", "--gamma", "0.05,0.1",
          "--sigma2", "0.1,0.5"],
         a=1.5, d=60, M=[8, 16], N=[100, 1000], gamma=[0.05, 0.1], sigma2=[0.1, 0.5])
    same(["--method", "de", "--a", "1.5", "--d", "inf", "--M", "32", "--N", "1e2:1e4:3",
          "--batch", "1,4"],
         method="de", a=1.5, d="inf", M=32, N="1e2:1e4:3", batch=[1, 4])
    r, _ = same(["--method", "mc", "--a", "1.5", "--d", "40", "--M", "8", "--N", "50,200",
                 "--gamma", "0.05,0.2", "--runs", "20", "--seed", "4"],
                method="mc", a=1.5, d=40, M=8, N=[50, 200], gamma=[0.05, 0.2], runs=20, seed=4)
    assert r.meta["parameters"]["gamma"] == [0.05, 0.2]
    try:
        riskcalc.linear(a=1.5, d=40, M=8, N=100, gamma=[])
        assert False, "an empty list was accepted"
    except riskcalc.Error as e:
        assert "empty" in str(e), e


@case("gamma=\"opt\": the tool's tuned steps and rows (exact and de), refused elsewhere")
def _():
    r, _ = same(["--method", "de", "--a", "1.5", "--b", "2.5", "--d", "inf", "--M", "200",
                 "--N", "100,1000,10000", "--gamma", "opt", "--sigma2", "0.1"],
                method="de", a=1.5, b=2.5, d="inf", M=200, N=[100, 1000, 10000], gamma="opt",
                sigma2=0.1)
    assert len(set(r["gamma"])) == 3, r["gamma"]  # one tuned step per N
    same(["--a", "1.5", "--d", "60", "--M", "8", "--N", "100,1000", "--gamma", "opt",
          "--batch", "1,2"],
         a=1.5, d=60, M=8, N=[100, 1000], gamma="opt", batch=[1, 2])
    for method in ("mc", "closed"):
        try:
            riskcalc.linear(method=method, a=1.5, d=60, M=8, N=100, gamma="opt")
            assert False, method
        except riskcalc.Error as e:
            assert "exact and de" in str(e), e


@case("exact: python lists and numbers (N=[100, 1000], M=64) as the tool's lists")
def _():
    same(["--a", "1.5", "--d", "300", "--M", "64", "--N", "100,1000", "--gamma", "0.1",
          "--sigma2", "0.1", "--seed", "3"],
         a=1.5, d=300, M=64, N=[100, 1000.0], gamma=0.1, sigma2=0.1, seed=3)


@case("exact: log-power law, source prior, batch, cosine schedule")
def _():
    same(["--log-a", "2", "--d", "200", "--b", "1.3", "--M", "20", "--N", "50,500",
          "--batch", "4", "--schedule", "cosine:0.1", "--gamma", "0.2", "--sigma2", "0.5"],
         log_a=2, d=200, b=1.3, M=[20], N=[50, 500], batch=4, schedule="cosine:0.1", gamma=0.2,
         sigma2=0.5)


@case("exact: spectrum, prior and sketch files, poly schedule approximated")
def _():
    d, M = 40, 6
    spec, prior, sketch = (os.path.join(TMP, f) for f in ("spec.txt", "prior.txt", "S.txt"))
    with open(spec, "w") as f:
        f.write("".join("%r\n" % (1.0 / (i + 1) ** 1.3) for i in range(d)))
    with open(prior, "w") as f:
        f.write("".join("%r\n" % (1.0 + 0.01 * i) for i in range(d)))
    rng = np.random.default_rng(5)
    np.savetxt(sketch, rng.normal(size=(M, d)) / math.sqrt(M))
    same(["--spectrum", spec, "--prior", prior, "--sketch", sketch, "--N", "10,100,1000",
          "--schedule", "poly:10:0.6", "--approx-schedule", "0.01", "--sigma2", "0.2"],
         spectrum=spec, prior=prior, sketch=sketch, N=[10, 100, 1000], schedule="poly:10:0.6",
         approx_schedule=0.01, sigma2=0.2)


@case("de: d = inf (a law with its analytic tail), DE and tail metadata equal")
def _():
    r, shared = same(["--method", "de", "--a", "1.5", "--d", "inf", "--M", "16,100",
                      "--N", "1e2:1e5:4", "--sigma2", "0.1"],
                     method="de", a=1.5, d="inf", M=[16, 100], N="1e2:1e5:4", sigma2=0.1)
    for k in ("signal", "tail", "DE (M = 16)", "DE (M = 100)"):
        assert k in shared, k
    r2 = riskcalc.linear(method="de", a=1.5, d=math.inf, M=[16, 100], N="1e2:1e5:4", sigma2=0.1)
    assert np.array_equal(np.asarray(r2["risk"]), np.asarray(r["risk"]))


@case("de: explicit values (finite d, source prior) and a step schedule")
def _():
    same(["--method", "de", "--a", "1.2", "--d", "500", "--b", "1.6", "--M", "8,32",
          "--N", "30,3000", "--schedule", "step:100:0.5", "--gamma", "0.3"],
         method="de", a=1.2, d=500, b=1.6, M=[8, 32], N=[30, 3000], schedule="step:100:0.5",
         gamma=0.3)


@case("closed: power law (rates) and log-power law (rates nan) equal the tool")
def _():
    same(["--method", "closed", "--a", "1.5", "--d", "inf", "--M", "10,100", "--N",
          "1e3,1e5", "--sigma2", "0.1"],
         method="closed", a=1.5, d="inf", M=[10, 100], N=[1000, 100000], sigma2=0.1)
    r, _ = same(["--method", "closed", "--log-a", "1.5", "--d", "5000", "--M", "10", "--N",
                 "1e3"], method="closed", log_a=1.5, d=5000, M=10, N=1000)
    assert math.isnan(r["rate_bias"][0])


@case("mc: means, standard errors and band quantiles equal the tool (reduced and raw, both "
      "generators)")
def _():
    same(["--method", "mc", "--a", "1.5", "--d", "100", "--M", "8,16", "--N", "10,100,1000",
          "--sigma2", "0.1", "--runs", "40", "--band", "--seed", "7"],
         method="mc", a=1.5, d=100, M=[8, 16], N=[10, 100, 1000], sigma2=0.1, runs=40, band=True,
         seed=7)
    same(["--method", "mc", "--a", "1.5", "--d", "50", "--M", "8", "--N", "10,100",
          "--runs", "10", "--mc-mode", "raw", "--resketch"],
         method="mc", a=1.5, d=50, M=8, N=[10, 100], runs=10, mc_mode="raw", resketch=True)
    for gen in ("mt19937", "philox"):
        same(["--method", "mc", "--a", "1.5", "--d", "50", "--M", "8", "--N", "10,100",
              "--runs", "10", "--generator", gen],
             method="mc", a=1.5, d=50, M=8, N=[10, 100], runs=10, generator=gen)


def error_of(**kw):
    try:
        riskcalc.linear(**kw)
    except riskcalc.Error as e:
        return e
    raise AssertionError("no riskcalc.Error raised")


def tool_error(*args):
    status, out, err = tool("linear", *args, check=False)
    assert status == 2 and out == "" and err.startswith("riskcalc: "), (status, out, err)
    return err[len("riskcalc: "):].strip()


@case("errors: an unstable step raises riskcalc.Error with the tool's message")
def _():
    e = error_of(a=1.5, d=100, M=16, N=[100], gamma=5)
    t = tool_error("--a", "1.5", "--d", "100", "--M", "16", "--N", "100", "--gamma", "5")
    assert str(e) == t, (str(e), t)
    assert e.status == 5  # RC_EUNSTABLE


@case("errors: a bad list, schedule and prior carry the library's message")
def _():
    for kw, args, name in (
            (dict(N="1e2:1e1:x"), ["--N", "1e2:1e1:x"], "N"),
            (dict(N=[10], schedule="bogus"), ["--N", "10", "--schedule", "bogus"], "schedule"),
            (dict(N=[10], sketch="/nonexistent/S.txt", M=None),
             ["--N", "10", "--sketch", "/nonexistent/S.txt"], "sketch")):
        e = error_of(**dict(dict(a=1.5, d=50, M=8), **kw))
        t = tool_error("--a", "1.5", "--d", "50", *(["--M", "8"] if "M" not in kw else []), *args)
        lib_message = t.split(": ", 1)[1]  # after "--name"
        assert str(e) == "%s: %s" % (name, lib_message), (str(e), t)
        assert e.status in (1, 3, 4), e.status


@case("errors: refusals of the tool's checks (method, d inf with exact, missing N, mc options)")
def _():
    assert "unknown method" in str(error_of(method="svd", d=10, M=2, N=[1]))
    assert "d must be a whole number" in str(error_of(d="inf", M=2, N=[1]))
    assert "N is required" in str(error_of(d=10, M=2))
    assert "Monte Carlo" in str(error_of(d=10, M=2, N=[1], runs=5))
    assert "Monte Carlo" in str(error_of(d=10, M=2, N=[1], generator="philox"))
    assert "philox or mt19937" in str(error_of(method="mc", d=10, M=2, N=[1], generator="x"))
    assert "only one of" in str(error_of(a=1.5, log_a=1, d=10, M=2, N=[1]))


@case("progress: fractions increase to 1; a true return cancels (status 8); exceptions propagate")
def _():
    seen = []
    riskcalc.linear(a=1.5, d=200, M=[16, 32], N=[10, 10000], schedule="cosine",
                    progress=seen.append)
    assert seen and seen[-1] == 1.0 and all(0 <= x <= 1 for x in seen), seen[:5]
    assert all(x <= y for x, y in zip(seen, seen[1:])), "not monotone"
    e = error_of(a=1.5, d=200, M=16, N=[100000], schedule="cosine", progress=lambda f: True)
    assert e.status == 8, e.status

    class Stop(Exception):
        pass

    def stop(f):
        raise Stop()
    try:
        riskcalc.linear(a=1.5, d=200, M=16, N=[100000], schedule="cosine", progress=stop)
        raise AssertionError("not raised")
    except Stop:
        pass


@case("Ctrl-C (SIGINT) cancels a long run at once, raises KeyboardInterrupt, restores the handler")
def _():
    import signal
    import threading
    import time
    # Python's own handler, as in an interactive session (a suite started with a shell's `&`
    # inherits SIGINT ignored, and the package then rightly leaves it alone)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        start = time.time()
        try:
            riskcalc.linear(a=1.5, d=400, M=200, N=[10000000], schedule="poly:10:0.5")
            raise AssertionError("not interrupted (%.1f s)" % (time.time() - start))
        except KeyboardInterrupt:
            pass
        assert time.time() - start < 5, time.time() - start
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


@case("result: columns, .meta parameters, rows, to_frame (pandas) or ImportError without it")
def _():
    r = riskcalc.linear(a=1.5, d=100, M=[8], N=[10, 100], sigma2=0.1)
    assert r.columns == ["N", "M", "approx", "bias", "variance", "excess", "risk", "gamma",
                         "batch", "sigma2"]
    assert r["gamma"].tolist() == [0.1, 0.1] and r["sigma2"].tolist() == [0.1, 0.1]
    assert r.meta["parameters"] == {"a": 1.5, "d": 100, "M": [8], "N": [10, 100], "sigma2": 0.1,
                                    "method": "exact"}
    assert type(r["risk"]) is np.ndarray and r["N"].tolist() == [10.0, 100.0]
    assert r[:1].meta is r.meta or r[:1].meta == r.meta
    assert r.to_records()[1]["N"] == 100.0
    try:
        import pandas  # noqa: F401
    except ImportError:
        try:
            r.to_frame()
            raise AssertionError("to_frame without pandas did not raise ImportError")
        except ImportError:
            pass
    else:
        f = r.to_frame()
        assert list(f.columns) == r.columns and f["risk"].tolist() == r["risk"].tolist()


@case("a stalling schedule warns as the tool does, and the warning is in .meta")
def _():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = riskcalc.linear(a=1.5, d=50, M=8, N=[1000], schedule="step:10:0.01", sigma2=0.1)
    assert any("stops training" in str(x.message) for x in w)
    assert_same_table(r, ["linear", "--a", "1.5", "--d", "50", "--M", "8", "--N", "1000",
                          "--schedule", "step:10:0.01", "--sigma2", "0.1"])
    assert "warning" in r.meta


harness.finish("test_python_linear")
