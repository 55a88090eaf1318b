"""riskcalc.optimal and riskcalc.schedule_opt against `riskcalc optimal` and
`riskcalc schedule-opt`: every value digit for digit, the shared metadata, errors."""
import harness
from harness import case, assert_same_table

import riskcalc


def tool_error(*args):
    status, out, err = harness.tool(*args, check=False)
    assert status == 2 and out == "" and err.startswith("riskcalc: "), (status, out, err)
    return err[len("riskcalc: "):].strip()


@case("optimal: isotropic at d = inf, and source prior at finite d with gamma")
def _():
    r = riskcalc.optimal(a=1.5, C="1e4:1e6:3", sigma2=0.5)
    n, shared = assert_same_table(r, ["optimal", "--a", "1.5", "--C", "1e4:1e6:3",
                                      "--sigma2", "0.5"])
    assert n == 39 and {"spectrum", "prior", "schedule", "tail"} <= set(shared), shared
    r = riskcalc.optimal(a=2, b=1.5, d=10000, C=[1000, 50000], gamma=0.2, range=10)
    assert_same_table(r, ["optimal", "--a", "2", "--b", "1.5", "--d", "10000", "--C",
                          "1000,50000", "--gamma", "0.2", "--range", "10"])
    assert r.meta["parameters"]["C"] == [1000, 50000]


@case("optimal: refusals (a missing, C < 16, a law the library refuses)")
def _():
    for kw, text in ((dict(C=[1000]), "a is required"), (dict(a=1.5, C=[10]), ">= 16"),
                     (dict(a=1.5), "C is required")):
        try:
            riskcalc.optimal(**kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)
    try:
        riskcalc.optimal(a=0.5, C=[1000])
        raise AssertionError("a = 0.5 at d = inf accepted")
    except riskcalc.Error as e:
        t = tool_error("optimal", "--a", "0.5", "--C", "1000")
        assert str(e) == t.replace("--a/--b/--d", "a/b/d"), (str(e), t)


@case("schedule_opt: de at d = inf and exact with a drawn sketch; rows optimal/const/geometric/"
      "cosine")
def _():
    r = riskcalc.schedule_opt(a=1.5, d="inf", M=32, N=1000, stages=8, sigma2=0.5)
    n, shared = assert_same_table(r, ["schedule-opt", "--a", "1.5", "--d", "inf", "--M", "32",
                                      "--N", "1000", "--stages", "8", "--sigma2", "0.5"])
    assert {"optimisation", "tuned const", "tail", "schedule"} <= set(shared), shared
    assert list(r["kind"]) == ["optimal", "const", "geometric", "cosine"]
    assert r["risk"][0] <= min(r["risk"][1:]) + 1e-12
    assert len(r.meta["stages"]) == 8 and sum(c for c, _ in r.meta["stages"]) == 1000
    r = riskcalc.schedule_opt(method="exact", a=1.5, d=100, M=16, N=300, stages=4, seed=2,
                              batch=2)
    assert_same_table(r, ["schedule-opt", "--method", "exact", "--a", "1.5", "--d", "100",
                          "--M", "16", "--N", "300", "--stages", "4", "--seed", "2",
                          "--batch", "2"])


@case("schedule_opt: the stages equal the tool's --schedule-out file")
def _():
    import os
    import tempfile
    path = os.path.join(tempfile.mkdtemp(prefix="rc_sopt_"), "opt.stages")
    harness.tool("schedule-opt", "--a", "1.5", "--d", "inf", "--M", "16", "--N", "500",
                 "--stages", "5", "--schedule-out", path)
    with open(path) as f:
        pairs = [l.split() for l in f if not l.startswith("#")]
    r = riskcalc.schedule_opt(a=1.5, d="inf", M=16, N=500, stages=5)
    assert [[str(c), "%.17g" % g] for c, g in r.meta["stages"]] == pairs, pairs


@case("schedule_opt: refusals (two M, stages with per_step, unknown method)")
def _():
    for kw, text in ((dict(a=1.5, d="inf", M=[8, 16], N=100), "one value each"),
                     (dict(a=1.5, d="inf", M=8, N=100, stages=4, per_step=True), "only one of"),
                     (dict(method="mc", a=1.5, d=10, M=8, N=100), "unknown method")):
        try:
            riskcalc.schedule_opt(**kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)


harness.finish("test_python_tools")
