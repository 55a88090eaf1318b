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


def _fresh(code):
    """Runs code in a new interpreter without OPENBLAS_CORETYPE; returns its stdout lines."""
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    env["PYTHONPATH"] = os.path.join(harness.ROOT, "python")
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


@case("BLAS kernels: the tool's rule when riskcalc loads OpenBLAS; numpy's choice kept")
def _():
    import subprocess
    with open("/proc/cpuinfo") as f:
        flags = next(line for line in f if line.startswith("flags")).split()
    avx512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"} <= set(flags)
    # riskcalc first: the same kernels as the tool chooses for itself
    first = _fresh("import os, riskcalc; print(riskcalc.blas_kernels(), "
                   "os.environ.get('OPENBLAS_CORETYPE', '-'))")
    env = {k: v for k, v in harness.os.environ.items() if k != "OPENBLAS_CORETYPE"}
    env["OPENBLAS_VERBOSE"] = "2"
    p = subprocess.run([harness.TOOL, "--version"], env=env, capture_output=True, text=True)
    tool_core = [l.split()[1] for l in p.stderr.splitlines() if l.startswith("Core:")][-1]
    assert first[0] == tool_core, (first, tool_core)
    if avx512:
        assert first == ["SkylakeX", "SkylakeX"], first
    # numpy first: OpenBLAS is loaded already; riskcalc leaves the environment alone (setting
    # it would make a tool started from here run other kernels than this process)
    late = _fresh("import os, numpy, riskcalc; print(riskcalc.blas_kernels(), "
                  "os.environ.get('OPENBLAS_CORETYPE', '-'))")
    assert late[1] == "-" and late[0] not in ("", "unknown"), late


harness.finish("test_python_tools")
