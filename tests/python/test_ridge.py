"""riskcalc.ridge and riskcalc.rf against `riskcalc ridge` and `riskcalc rf`: every value digit
for digit (deterministic equivalent at d = inf and finite d, Monte Carlo with standard errors),
the shared metadata, errors."""
import harness
from harness import case, assert_same_table

import riskcalc


def tool_error(*args):
    status, out, err = harness.tool(*args, check=False)
    assert status == 2 and out == "" and err.startswith("riskcalc: "), (status, out, err)
    return err[len("riskcalc: "):].strip()


@case("ridge de: d = inf, lambda = 0 included; dimension, signal, tail metadata equal")
def _():
    r = riskcalc.ridge(a=1.5, d="inf", n="10:1e3:4", lambda_=[0, 1e-3, 0.1], sigma2=0.5)
    n, shared = assert_same_table(r, ["ridge", "--a", "1.5", "--d", "inf", "--n", "10:1e3:4",
                                      "--lambda", "0,1e-3,0.1", "--sigma2", "0.5"])
    assert n == 12 * 12 and {"dimension", "signal", "tail", "sigma2"} <= set(shared), shared
    assert r.columns[:2] == ["n", "lambda"]


@case("ridge de: explicit values (finite d, source prior) on both sides of n = d")
def _():
    r = riskcalc.ridge(a=1.2, d=200, b=1.8, n=[50, 400], **{"lambda": [0, 0.01]})
    assert_same_table(r, ["ridge", "--a", "1.2", "--d", "200", "--b", "1.8", "--n", "50,400",
                          "--lambda", "0,0.01"])


@case("rf de: P = inf is ridge; columns P n lambda ... var_f")
def _():
    r = riskcalc.rf(a=1.5, d=500, P=[50, "inf"], n=[100, 1000], lambda_=[1e-3])
    assert_same_table(r, ["rf", "--a", "1.5", "--d", "500", "--P", "50,inf", "--n", "100,1000",
                          "--lambda", "1e-3"])
    assert "var_f" in r.columns and r["P"][-1] == float("inf")


@case("ridge and rf mc: means and standard errors equal the tool")
def _():
    r = riskcalc.ridge(method="mc", a=1.5, d=100, n=[50], lambda_=[0.01, 0.1], runs=10, seed=2)
    assert_same_table(r, ["ridge", "--method", "mc", "--a", "1.5", "--d", "100", "--n", "50",
                          "--lambda", "0.01,0.1", "--runs", "10", "--seed", "2"])
    assert r.columns[-1] == "gcv_se"
    r = riskcalc.rf(method="mc", a=1.5, d=60, P=[20], n=[30], lambda_=[0.1], runs=10)
    assert_same_table(r, ["rf", "--method", "mc", "--a", "1.5", "--d", "60", "--P", "20", "--n",
                          "30", "--lambda", "0.1", "--runs", "10"])


@case("optimal_lambda: de (ridge at d = inf, rf) and mc equal the tool")
def _():
    r = riskcalc.ridge(a=1.5, d="inf", n=[10, 100, 1000], lambda_="1e-6:10:2", sigma2=0.5,
                       optimal_lambda=True)
    _, shared = assert_same_table(r, ["ridge", "--a", "1.5", "--d", "inf", "--n", "10,100,1000",
                                      "--lambda", "1e-6:10:2", "--sigma2", "0.5",
                                      "--optimal-lambda"])
    assert "lambda interval" in shared and r.columns[0] == "n"
    r = riskcalc.rf(a=1.5, d=300, P=[30, 100], n=[50], lambda_=[1e-4, 1], optimal_lambda=True)
    assert_same_table(r, ["rf", "--a", "1.5", "--d", "300", "--P", "30,100", "--n", "50",
                          "--lambda", "1e-4,1", "--optimal-lambda"])
    r = riskcalc.ridge(method="mc", a=1.5, d=80, n=[40], lambda_=[1e-4, 1], runs=8,
                       optimal_lambda=True)
    assert_same_table(r, ["ridge", "--method", "mc", "--a", "1.5", "--d", "80", "--n", "40",
                          "--lambda", "1e-4,1", "--runs", "8", "--optimal-lambda"])
    assert r.columns[-1] == "gcv_se"


@case("errors: the interpolation threshold (lambda = 0 at n = d) and bad lists carry the "
      "tool's message")
def _():
    try:
        riskcalc.ridge(a=1.5, d=100, n=[100], lambda_=[0])
        raise AssertionError("n = d at lambda = 0 accepted")
    except riskcalc.Error as e:
        t = tool_error("ridge", "--a", "1.5", "--d", "100", "--n", "100", "--lambda", "0")
        assert str(e) == t, (str(e), t)
    try:
        riskcalc.ridge(a=1.5, d=100, n="0:10:3", lambda_=[0.1])
        raise AssertionError("a range from 0 accepted")
    except riskcalc.Error as e:
        t = tool_error("ridge", "--a", "1.5", "--d", "100", "--n", "0:10:3", "--lambda", "0.1")
        assert str(e) == t.replace("--n", "n"), (str(e), t)
    for kw, text in ((dict(d=10, n=[5]), "lambda is required"),
                     (dict(d=10, n=[5], lambda_=[0.1], runs=5), "Monte Carlo"),
                     (dict(method="mc", d="inf", n=[5], lambda_=[0.1]), "d inf"),
                     (dict(d=10, n=[5], lambda_=[0, 0.1], optimal_lambda=True),
                      "two different positive values")):
        try:
            riskcalc.ridge(**kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)
    try:
        riskcalc.ridge(d=10, n=[5], lambda_=[0.1], **{"lambda": [1]})
        raise AssertionError("both lambda spellings accepted")
    except TypeError:
        pass


harness.finish("test_python_ridge")
