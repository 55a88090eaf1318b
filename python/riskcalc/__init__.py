"""riskcalc from Python: the library's risk curves as numpy tables (ctypes + numpy only).

    import riskcalc
    r = riskcalc.linear(method="exact", a=1.5, d=1000, M=64, N=[100, 1000], gamma=0.1,
                        sigma2=0.1, seed=1)
    r["risk"], r.columns, r.meta["schedule"], r.to_frame()

One function per subcommand of the tool, keyword arguments named as its long options (dashes
as underscores), the same numbers digit for digit. Errors raise riskcalc.Error carrying the
library's one-line message. The library is libriskcalc.so of the build tree (../build relative
to this package's folder), of $RISKCALC_LIB, or of the install prefix.
"""
from ._lib import Error, blas_kernels, library_path, version
from ._result import Result
from .fit import fit
from .linear import linear
from .optimal import optimal
from .quad import quad
from .ridge import rf, ridge
from .schedule_opt import schedule_opt

__all__ = ["Error", "Result", "linear", "quad", "ridge", "rf", "fit", "schedule_opt", "optimal",
           "version", "library_path", "blas_kernels"]

