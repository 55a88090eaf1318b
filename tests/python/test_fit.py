"""riskcalc.fit against `riskcalc fit`: single and joint fits on a table file and on the
Python result of the same computation, every value digit for digit, the fit statistics in the
metadata, the expected-value verdict, errors."""
import os
import tempfile

import harness
from harness import case, assert_same_table

import riskcalc

TMP = tempfile.mkdtemp(prefix="rc_pyfit_")
LIN = os.path.join(TMP, "lin.tsv")
M_TSV = os.path.join(TMP, "m.tsv")
harness.tool("linear", "--a", "1.5", "--d", "2000", "--M", "20,40,80,160", "--N", "1e2:1e5:8",
             "--sigma2", "0", "--output", LIN)
harness.tool("linear", "--method", "de", "--a", "1.5", "--d", "inf", "--M", "1e1:1e4:13", "--N",
             "1e6", "--output", M_TSV)
STATS = {"model", "weights", "interval", "points", "dof", "chi2", "chi2_dof", "R2"}


@case("single fit of a file (docs/img/fig_fit.png's command): rows and statistics equal")
def _():
    r = riskcalc.fit(M_TSV, x="M", y="approx")
    n, shared = assert_same_table(r, ["fit", M_TSV, "--x", "M", "--y", "approx"])
    assert n == 15 and STATS | {"cov_logc_e"} <= set(shared), shared
    assert list(r["parameter"]) == ["exponent", "prefactor", "log_prefactor"]


@case("joint fit of the Python result equals the tool's fit of its file")
def _():
    lin = riskcalc.linear(a=1.5, d=2000, M=[20, 40, 80, 160], N="1e2:1e5:8", sigma2=0)
    r = riskcalc.fit(lin, x="M", x2="N", y="risk", joint=True)
    n, shared = assert_same_table(r, ["fit", LIN, "--joint", "--x", "M", "--x2", "N", "--y",
                                      "risk"])
    assert n == 25 and STATS | {"converged", "start", "corr_A_alpha"} <= set(shared), shared
    r = riskcalc.fit(lin, x=2, x2=1, y="risk", joint=True, floor=0, max_iter=200, level=0.9)
    assert_same_table(r, ["fit", LIN, "--joint", "--x", "2", "--x2", "1", "--y", "risk",
                          "--floor", "0", "--max-iter", "200", "--level", "0.9"])


@case("where, level and expect: inside (status 0) and outside (the tool's status 1)")
def _():
    r = riskcalc.fit(LIN, x="N", y="excess", where="M=40", expect=1, level=0.9)
    _, shared = assert_same_table(r, ["fit", LIN, "--x", "N", "--y", "excess", "--where", "M=40",
                                      "--expect", "1", "--level", "0.9"])
    assert "expect" in shared and not r.meta["outside"]
    r = riskcalc.fit(LIN, x="N", y="excess", where=("M", 40), expect=0.3, level=0.9)
    _, shared = assert_same_table(r, ["fit", LIN, "--x", "N", "--y", "excess", "--where", "M=40",
                                      "--expect", "0.3", "--level", "0.9"], status=1)
    assert "expect" in shared and r.meta["outside"] and "outside" in r.meta["expect"]


@case("errors: unknown column, no matching row, a non-positive value on log axes")
def _():
    for kw, text in ((dict(x="Q", y="risk"), "no column 'Q'"),
                     (dict(x="N", y="risk", where="M=7"), "no row"),
                     (dict(x="N", y="risk", floor=10), "is not > 0"),
                     (dict(x="N"), "x and y are required"),
                     (dict(x="N", y="risk", x2="M"), "x2 needs joint")):
        try:
            riskcalc.fit(LIN, **kw)
            raise AssertionError(kw)
        except riskcalc.Error as e:
            assert text in str(e), (str(e), text)


harness.finish("test_python_fit")
