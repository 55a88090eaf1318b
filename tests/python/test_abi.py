"""The ctypes structures of python/riskcalc/_lib.py have the C layout: every field's offset and
every structure's size equal what the C compiler gives through the public headers; and the
package finds its library as documented (RISKCALC_LIB, else the build tree)."""
import ctypes
import os
import subprocess
import sys
import tempfile

import harness
from harness import case, ROOT

from riskcalc import _lib


@case("every mirrored structure has the C sizes and field offsets")
def _():
    lines = ["#include <stddef.h>", "#include <stdio.h>", "#include <riskcalc/riskcalc.h>",
             "int main(void) {"]
    for cname, cls in _lib.STRUCTS.items():
        lines.append('  printf("%s %%zu\\n", sizeof(%s));' % (cname, cname))
        for field, _ in cls._fields_:
            cfield = {"lam": "lambda", "lambda_": "lambda"}.get(field, field)  # Python keywords
            ctype = "rc_measure" if cname == "rc_measure" else cname
            lines.append('  printf("%s.%s %%zu\\n", offsetof(%s, %s));' % (cname, field, ctype,
                                                                             cfield))
    lines += ["  return 0;", "}"]
    d = tempfile.mkdtemp(prefix="rc_abi_")
    src, exe = os.path.join(d, "abi.c"), os.path.join(d, "abi")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")
    gsl = subprocess.run(["pkg-config", "--cflags", "gsl"], capture_output=True,
                         text=True).stdout.split()
    subprocess.run(["cc", "-std=c11", "-I" + os.path.join(ROOT, "include")] + gsl +
                   [src, "-o", exe], check=True)
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout.split("\n")
    c = dict(line.split() for line in out if line)
    checked = 0
    for cname, cls in _lib.STRUCTS.items():
        assert int(c[cname]) == ctypes.sizeof(cls), (cname, c[cname], ctypes.sizeof(cls))
        for field, _ in cls._fields_:
            key = "%s.%s" % (cname, field)
            assert int(c[key]) == getattr(cls, field).offset, (key, c[key])
            checked += 1
    assert checked > 60, checked


@case("RISKCALC_LIB selects the library; a wrong path is an ImportError naming it")
def _():
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    p = subprocess.run([sys.executable, "-c", "import riskcalc; print(riskcalc.library_path)"],
                       env=env, capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.strip() == os.environ["RISKCALC_LIB"], p
    env["RISKCALC_LIB"] = "/nonexistent/libriskcalc.so"
    p = subprocess.run([sys.executable, "-c", "import riskcalc"], env=env, capture_output=True,
                       text=True)
    assert p.returncode != 0 and "/nonexistent/libriskcalc.so" in p.stderr, p.stderr[-300:]


@case("without RISKCALC_LIB the build tree's library is found (python/../build)")
def _():
    if not os.path.exists(os.path.join(ROOT, "build", "libriskcalc.so")):
        raise AssertionError("no build/libriskcalc.so: run make")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    env.pop("RISKCALC_LIB")
    p = subprocess.run([sys.executable, "-c", "import riskcalc; print(riskcalc.library_path)"],
                       env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert os.path.samefile(p.stdout.strip(), os.path.join(ROOT, "build", "libriskcalc.so"))


@case("riskcalc.version() is the library's rc_version(), the tool's --version")
def _():
    import riskcalc
    _, out, _ = harness.tool("--version")
    assert out.strip() == "riskcalc " + riskcalc.version()


harness.finish("test_python_abi")
