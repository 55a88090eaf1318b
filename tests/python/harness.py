"""The harness of tests/python/test_*.py (run by tests/run.sh with /usr/bin/python3): puts the
package (python/) on the path, finds the tool ($RISKCALC) and the library ($RISKCALC_LIB, set by
run.sh from the build directory), and counts cases; each script ends with finish(NAME), which
prints "NAME: N passed, N failed" and exits 1 on a failure."""
import os
import subprocess
import sys
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
TOOL = os.path.abspath(os.environ.get("RISKCALC", os.path.join(ROOT, "build", "riskcalc")))
os.environ.setdefault("RISKCALC_LIB", os.path.join(os.path.dirname(TOOL), "libriskcalc.so"))
_counts = [0, 0]


def case(name):
    """Decorator: runs the function now; an AssertionError (or any exception) fails the case."""
    def run(f):
        try:
            f()
            _counts[0] += 1
            print("ok   " + name)
        except Exception:
            _counts[1] += 1
            print("FAIL " + name)
            print("    " + traceback.format_exc().strip().replace("\n", "\n    "))
        return f
    return run


def tool(*args, check=True):
    """Runs the tool; returns (status, stdout, stderr)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    # the tool runs the BLAS kernels this process runs (numpy, imported first, fixed them), so
    # the digits compared are computed alike
    if "OPENBLAS_CORETYPE" not in env and "riskcalc" in sys.modules:
        env["OPENBLAS_CORETYPE"] = sys.modules["riskcalc"].blas_kernels()
    p = subprocess.run([TOOL] + [str(a) for a in args], capture_output=True, text=True,
                       env=env, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError("riskcalc %s: exit %d: %s" % (" ".join(map(str, args)),
                                                          p.returncode, p.stderr))
    return p.returncode, p.stdout, p.stderr


def tool_table(*args, status=0):
    """The tool's TSV output: (meta dict of str, columns, rows of str as printed); the tool must
    exit with status (fit: 1 when an expected value is outside its interval)."""
    code, out, err = tool(*args, check=False)
    if code != status:
        raise AssertionError("riskcalc %s: exit %d: %s" % (" ".join(map(str, args)), code, err))
    meta, lines = {}, []
    for line in out.splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(": ")
            meta[key] = value
        elif line:
            lines.append(line.split("\t"))
    return meta, lines[0], lines[1:]


def printed(x):
    """A value as the tool prints it (%.17g; a label as it is)."""
    return x if isinstance(x, str) else "%.17g" % x


def assert_same_table(result, args, status=0):
    """result (a riskcalc.Result) equals `riskcalc ARGS` digit for digit: the same columns, and
    every value printed %.17g is the tool's string; every metadata key both have is equal."""
    meta, columns, rows = tool_table(*args, status=status)
    assert result.columns == columns, (result.columns, columns)
    assert len(result) == len(rows), (len(result), len(rows))
    for k, row in enumerate(rows):
        mine = [printed(result[c][k]) for c in columns]
        assert mine == row, "row %d: python %s != tool %s" % (k, mine, row)
    shared = [k for k in result.meta if k in meta]
    for k in shared:
        assert result.meta[k] == meta[k], "meta %r: python %r != tool %r" % (k, result.meta[k],
                                                                             meta[k])
    return len(rows) * len(columns), shared


def finish(name):
    print("%s: %d passed, %d failed" % (name, _counts[0], _counts[1]))
    sys.exit(1 if _counts[1] else 0)
